#include "delta/change_data_feed.h"

#include <arrow/api.h>
#include <arrow/compute/api.h>
#include <parquet/arrow/reader.h>

#include "common/error.h"
#include "delta/delete.h"
#include "delta/scan.h"

namespace tidelake::delta {

namespace cp = arrow::compute;

namespace {

// Reads a change data file (data columns + _change_type) into `schema` order, filling
// partition columns from the file's partition values.
arrow::Result<std::shared_ptr<arrow::Table>> ReadCdcFile(const Snapshot& snapshot, const AddCDCFile& cdc,
                                                         const std::shared_ptr<arrow::Schema>& schema) {
  std::string path = snapshot.location().DataPath(cdc.path);
  ARROW_ASSIGN_OR_RAISE(auto input, snapshot.location().fs->OpenInputFile(path));
  ARROW_ASSIGN_OR_RAISE(auto reader, parquet::arrow::OpenFile(input, arrow::default_memory_pool()));
  ARROW_ASSIGN_OR_RAISE(auto file_table, reader->ReadTable());
  AddFile as_add;
  as_add.path = cdc.path;
  as_add.partition_values = cdc.partition_values;
  ARROW_ASSIGN_OR_RAISE(auto partition_values, PartitionScalars(snapshot, as_add));
  arrow::ChunkedArrayVector columns;
  for (const auto& field : schema->fields()) {
    const auto& parts = snapshot.partition_columns();
    auto part = std::find(parts.begin(), parts.end(), field->name());
    if (part != parts.end()) {
      ARROW_ASSIGN_OR_RAISE(auto array, arrow::MakeArrayFromScalar(*partition_values[part - parts.begin()],
                                                                   file_table->num_rows()));
      columns.push_back(std::make_shared<arrow::ChunkedArray>(array));
      continue;
    }
    auto column = file_table->GetColumnByName(field->name());
    if (!column) {
      ARROW_ASSIGN_OR_RAISE(auto nulls, arrow::MakeArrayOfNull(field->type(), file_table->num_rows()));
      columns.push_back(std::make_shared<arrow::ChunkedArray>(nulls));
      continue;
    }
    if (!column->type()->Equals(*field->type())) {
      ARROW_ASSIGN_OR_RAISE(auto cast, cp::Cast(column, field->type()));
      column = cast.chunked_array();
    }
    columns.push_back(column);
  }
  return arrow::Table::Make(schema, columns, file_table->num_rows());
}

// Appends _commit_version and _commit_timestamp columns.
arrow::Result<std::shared_ptr<arrow::Table>> WithCommit(const std::shared_ptr<arrow::Table>& table, int64_t version,
                                                        int64_t timestamp_ms) {
  ARROW_ASSIGN_OR_RAISE(auto v, arrow::MakeArrayFromScalar(arrow::Int64Scalar(version), table->num_rows()));
  ARROW_ASSIGN_OR_RAISE(auto ts, arrow::MakeArrayFromScalar(
                                     arrow::TimestampScalar(timestamp_ms * 1000, arrow::timestamp(arrow::TimeUnit::MICRO, "UTC")),
                                     table->num_rows()));
  ARROW_ASSIGN_OR_RAISE(auto with_version, table->AddColumn(table->num_columns(), arrow::field("_commit_version", arrow::int64()),
                                                            std::make_shared<arrow::ChunkedArray>(v)));
  return with_version->AddColumn(with_version->num_columns(),
                                 arrow::field("_commit_timestamp", arrow::timestamp(arrow::TimeUnit::MICRO, "UTC")),
                                 std::make_shared<arrow::ChunkedArray>(ts));
}

arrow::Result<std::shared_ptr<arrow::Table>> WithChangeType(const std::shared_ptr<arrow::Table>& table,
                                                            const std::string& change_type) {
  ARROW_ASSIGN_OR_RAISE(auto types, arrow::MakeArrayFromScalar(arrow::StringScalar(change_type), table->num_rows()));
  return table->AddColumn(table->num_columns(), arrow::field("_change_type", arrow::utf8()),
                          std::make_shared<arrow::ChunkedArray>(types));
}

}  // namespace

arrow::Result<std::shared_ptr<arrow::Table>> ReadChanges(const TableLocation& location, int64_t start_version,
                                                         std::optional<int64_t> end_version) {
  ErrorContext where{.table = location.display_name};
  ARROW_ASSIGN_OR_RAISE(auto latest, Snapshot::Load(location, end_version));
  int64_t end = latest->version();
  if (start_version < 0 || start_version > end) {
    return ErrorAt(arrow::StatusCode::Invalid, where,
                   "change data feed start version " + std::to_string(start_version) + " is outside 0.." + std::to_string(end));
  }
  auto output_fields = latest->schema()->fields();
  output_fields.push_back(arrow::field("_change_type", arrow::utf8()));
  auto cdc_schema = arrow::schema(output_fields);

  std::vector<std::shared_ptr<arrow::Table>> parts;
  for (int64_t version = start_version; version <= end; ++version) {
    ARROW_ASSIGN_OR_RAISE(auto actions, ReadCommit(*location.fs, CommitPath(location.LogDir(), version)));
    int64_t timestamp = CommitTimestampOf(actions).value_or(0);
    // The snapshot before this version knows the removed files; the one at it knows the schema.
    ARROW_ASSIGN_OR_RAISE(auto at, Snapshot::Load(location, version));
    if (!ChangeDataFeedEnabled(at->metadata())) {
      return ErrorAt(arrow::StatusCode::Invalid, ErrorContext{.table = location.display_name, .version = version},
                     "the change data feed is not enabled at this version (set delta.enableChangeDataFeed = true)");
    }
    std::vector<const AddCDCFile*> cdc_files;
    for (const auto& a : actions) {
      if (const auto* c = std::get_if<AddCDCFile>(&a)) cdc_files.push_back(c);
    }
    std::vector<std::shared_ptr<arrow::Table>> changes;
    if (!cdc_files.empty()) {
      for (const auto* c : cdc_files) {
        ARROW_ASSIGN_OR_RAISE(auto t, ReadCdcFile(*at, *c, cdc_schema));
        changes.push_back(t);
      }
    } else {
      auto shared_at = std::shared_ptr<const Snapshot>(at);
      ARROW_ASSIGN_OR_RAISE(auto scan_at, Scan::Make(shared_at, ScanOptions{}));
      for (const auto& a : actions) {
        if (const auto* add = std::get_if<AddFile>(&a); add && add->data_change) {
          AddFile plain = *add;
          plain.deletion_vector.reset();  // a brand-new file's rows are all inserts
          ARROW_ASSIGN_OR_RAISE(auto batches, scan_at->ReadFile(plain));
          ARROW_ASSIGN_OR_RAISE(auto t, arrow::Table::FromRecordBatches(scan_at->output_schema(), batches));
          ARROW_ASSIGN_OR_RAISE(t, WithChangeType(t, "insert"));
          changes.push_back(t);
        }
      }
      if (version > 0) {
        ARROW_ASSIGN_OR_RAISE(auto before, Snapshot::Load(location, version - 1));
        ARROW_ASSIGN_OR_RAISE(auto scan_before, Scan::Make(before, ScanOptions{}));
        for (const auto& a : actions) {
          const auto* rm = std::get_if<RemoveFile>(&a);
          if (!rm || !rm->data_change) continue;
          for (const auto& f : before->files()) {
            if (f.path != rm->path || f.deletion_vector != rm->deletion_vector) continue;
            ARROW_ASSIGN_OR_RAISE(auto batches, scan_before->ReadFile(f));
            ARROW_ASSIGN_OR_RAISE(auto t, arrow::Table::FromRecordBatches(scan_before->output_schema(), batches));
            ARROW_ASSIGN_OR_RAISE(t, WithChangeType(t, "delete"));
            changes.push_back(t);
          }
        }
      }
    }
    for (auto& t : changes) {
      // Conform to the latest schema (older versions may have fewer columns).
      arrow::ChunkedArrayVector cols;
      for (const auto& field : cdc_schema->fields()) {
        auto col = t->GetColumnByName(field->name());
        if (!col) {
          ARROW_ASSIGN_OR_RAISE(auto nulls, arrow::MakeArrayOfNull(field->type(), t->num_rows()));
          col = std::make_shared<arrow::ChunkedArray>(nulls);
        }
        cols.push_back(col);
      }
      ARROW_ASSIGN_OR_RAISE(auto with_commit, WithCommit(arrow::Table::Make(cdc_schema, cols, t->num_rows()), version, timestamp));
      parts.push_back(with_commit);
    }
  }
  if (parts.empty()) {
    auto fields = cdc_schema->fields();
    fields.push_back(arrow::field("_commit_version", arrow::int64()));
    fields.push_back(arrow::field("_commit_timestamp", arrow::timestamp(arrow::TimeUnit::MICRO, "UTC")));
    return arrow::Table::MakeEmpty(arrow::schema(fields));
  }
  return arrow::ConcatenateTables(parts);
}

}  // namespace tidelake::delta
