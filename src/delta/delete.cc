#include "delta/delete.h"

#include <arrow/array.h>
#include <arrow/array/util.h>
#include <arrow/compute/api.h>

#include <chrono>
#include <set>

#include "common/clock.h"
#include "common/error.h"
#include "delta/data_writer.h"
#include "delta/deletion_vector.h"
#include "delta/scan.h"
#include "delta/table_features.h"

namespace tidelake::delta {

namespace cp = arrow::compute;

namespace {

bool ConfigTrue(const Metadata& m, const std::string& key) {
  auto v = m.Config(key);
  if (!v) return false;
  std::string s = *v;
  for (auto& c : s) c = static_cast<char>(std::tolower(c));
  return s == "true";
}

int64_t RowCount(const std::vector<std::shared_ptr<arrow::RecordBatch>>& batches) {
  int64_t n = 0;
  for (const auto& b : batches) n += b->num_rows();
  return n;
}

// True when the predicate only reads partition columns: then a file matches all or nothing.
bool OnlyPartitionColumns(const cp::Expression& bound, const std::vector<std::string>& partition_columns) {
  for (const auto& ref : cp::FieldsInExpression(bound)) {
    const std::string* name = ref.name();
    if (!name || std::find(partition_columns.begin(), partition_columns.end(), *name) == partition_columns.end()) {
      return false;
    }
  }
  return !partition_columns.empty();
}

}  // namespace

bool UsesDeletionVectors(const Snapshot& snapshot) {
  return FeatureEnabled(snapshot.protocol(), "deletionVectors") &&
         ConfigTrue(snapshot.metadata(), "delta.enableDeletionVectors");
}

bool ChangeDataFeedEnabled(const Metadata& metadata) {
  return ConfigTrue(metadata, "delta.enableChangeDataFeed");
}

arrow::Result<DeleteMetrics> PlanDelete(const Snapshot& snapshot, const std::optional<cp::Expression>& predicate,
                                        Transaction* txn) {
  DeleteMetrics metrics;
  int64_t now = NowMillis();
  auto shared = std::shared_ptr<const Snapshot>(std::shared_ptr<const Snapshot>{}, &snapshot);
  if (!predicate) {
    txn->ReadWholeTable();
    for (const auto& f : snapshot.files()) {
      txn->Add(RemoveFileFor(f, now));
      ++metrics.files_removed;
    }
    metrics.rows_deleted = snapshot.NumRecords();
    return metrics;
  }
  txn->ReadPredicate(*predicate);
  ARROW_ASSIGN_OR_RAISE(auto bound, predicate->Bind(*snapshot.schema()));
  bool whole_files = OnlyPartitionColumns(bound, snapshot.partition_columns());
  // keep = predicate is not TRUE (NULL keeps the row, as in SQL).
  cp::Expression keep = cp::or_(cp::is_null(*predicate), cp::not_(*predicate));

  ScanOptions match_options;
  match_options.filter = predicate;
  match_options.with_row_position = true;
  ARROW_ASSIGN_OR_RAISE(auto match_scan, Scan::Make(shared, match_options));
  ScanOptions keep_options;
  keep_options.filter = keep;
  ARROW_ASSIGN_OR_RAISE(auto keep_scan, Scan::Make(shared, keep_options));

  bool use_dv = UsesDeletionVectors(snapshot);
  bool cdf = ChangeDataFeedEnabled(snapshot.metadata());
  std::unique_ptr<DataWriter> writer;
  std::unique_ptr<DataWriter> cdc_writer;
  std::shared_ptr<arrow::Schema> cdc_schema;
  if (cdf) {
    auto fields = snapshot.schema()->fields();
    fields.push_back(arrow::field("_change_type", arrow::utf8()));
    cdc_schema = arrow::schema(fields);
    DataWriterOptions cdc_options;
    cdc_options.directory = "_change_data";
    cdc_options.data_change = false;
    ARROW_ASSIGN_OR_RAISE(cdc_writer, DataWriter::Make(snapshot.location(), cdc_schema, snapshot.partition_columns(),
                                                       snapshot.metadata().configuration, cdc_options));
  }

  for (const AddFile* file : match_scan->files()) {
    if (whole_files && !cdf) {
      txn->Add(RemoveFileFor(*file, now));
      ++metrics.files_removed;
      ARROW_ASSIGN_OR_RAISE(auto matched, match_scan->ReadFile(*file));
      metrics.rows_deleted += RowCount(matched);
      continue;
    }
    ARROW_ASSIGN_OR_RAISE(auto matched, match_scan->ReadFile(*file));
    int64_t n_matched = RowCount(matched);
    if (n_matched == 0) continue;
    metrics.rows_deleted += n_matched;
    if (cdc_writer) {
      for (const auto& b : matched) {
        arrow::ArrayVector cols;
        for (int i = 0; i < snapshot.schema()->num_fields(); ++i) cols.push_back(b->column(i));
        ARROW_ASSIGN_OR_RAISE(auto type_col, arrow::MakeArrayFromScalar(arrow::StringScalar("delete"), b->num_rows()));
        cols.push_back(type_col);
        ARROW_RETURN_NOT_OK(cdc_writer->Write(arrow::RecordBatch::Make(cdc_schema, b->num_rows(), cols)));
      }
    }
    if (use_dv) {
      DeletionVector dv;
      if (file->deletion_vector) {
        ARROW_ASSIGN_OR_RAISE(dv, LoadDeletionVector(*file->deletion_vector, snapshot.location().root,
                                                     snapshot.location().fs.get()));
      }
      for (const auto& b : matched) {
        const auto& rows = static_cast<const arrow::Int64Array&>(*b->GetColumnByName(kRowIndexColumn));
        for (int64_t i = 0; i < rows.length(); ++i) dv.Add(static_cast<uint64_t>(rows.Value(i)));
      }
      ARROW_ASSIGN_OR_RAISE(auto descriptor,
                            WriteDeletionVectorFile(dv, snapshot.location().root, "", snapshot.location().fs.get()));
      txn->Add(RemoveFileFor(*file, now));
      AddFile updated = *file;
      updated.deletion_vector = descriptor;
      updated.data_change = true;
      updated.modification_time = now;
      txn->Add(updated);
      ++metrics.files_removed;
      ++metrics.files_added;
      ++metrics.deletion_vectors_added;
      continue;
    }
    // Copy-on-write: the rows that stay go to new files.
    if (!writer) {
      ARROW_ASSIGN_OR_RAISE(writer, DataWriter::Make(snapshot.location(), snapshot.schema(),
                                                     snapshot.partition_columns(), snapshot.metadata().configuration));
    }
    ARROW_ASSIGN_OR_RAISE(auto kept, keep_scan->ReadFile(*file));
    for (const auto& b : kept) ARROW_RETURN_NOT_OK(writer->Write(b));
    txn->Add(RemoveFileFor(*file, now));
    ++metrics.files_removed;
  }
  if (writer) {
    ARROW_ASSIGN_OR_RAISE(auto adds, writer->Finish());
    metrics.files_added += static_cast<int64_t>(adds.size());
    txn->Add(std::move(adds));
  }
  if (cdc_writer) {
    ARROW_ASSIGN_OR_RAISE(auto cdc_adds, cdc_writer->Finish());
    for (auto& a : cdc_adds) {
      AddCDCFile c;
      c.path = a.path;
      c.partition_values = a.partition_values;
      c.size = a.size;
      c.data_change = false;
      txn->Add(std::move(c));
    }
  }
  return metrics;
}

arrow::Result<std::pair<DeleteMetrics, int64_t>> DeleteRows(const TableLocation& location,
                                                            const std::optional<cp::Expression>& predicate) {
  ARROW_ASSIGN_OR_RAISE(auto snapshot, Snapshot::Load(location));
  auto txn = Transaction::ForSnapshot(snapshot);
  ARROW_ASSIGN_OR_RAISE(auto metrics, AddContext(PlanDelete(*snapshot, predicate, txn.get()),
                                                 ErrorContext{.table = location.display_name,
                                                              .version = snapshot->version()}));
  if (metrics.files_removed == 0 && metrics.files_added == 0) return std::make_pair(metrics, snapshot->version());
  std::map<std::string, std::string> params{{"predicate", predicate ? predicate->ToString() : "true"}};
  std::map<std::string, std::string> m{{"numDeletedRows", std::to_string(metrics.rows_deleted)},
                                       {"numRemovedFiles", std::to_string(metrics.files_removed)},
                                       {"numAddedFiles", std::to_string(metrics.files_added)},
                                       {"numDeletionVectorsAdded", std::to_string(metrics.deletion_vectors_added)}};
  ARROW_ASSIGN_OR_RAISE(auto commit, txn->Commit("DELETE", params, m));
  return std::make_pair(metrics, commit.version);
}

}  // namespace tidelake::delta
