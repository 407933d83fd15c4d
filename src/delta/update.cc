#include "delta/update.h"

#include <arrow/array.h>
#include <arrow/compute/api.h>
#include <arrow/compute/initialize.h>

#include <set>

#include "common/arrow_init.h"
#include "common/clock.h"
#include "common/error.h"
#include "delta/data_writer.h"
#include "delta/delete.h"
#include "delta/dml_rows.h"
#include "delta/scan.h"

namespace tidelake::delta {

namespace cp = arrow::compute;

namespace {

// One SET clause, resolved to a column of the table and bound to the scanned batches' schema.
struct BoundAssignment {
  int column = -1;
  cp::Expression value;
};

arrow::Result<std::vector<BoundAssignment>> BindAssignments(const Assignments& assignments,
                                                            const std::shared_ptr<arrow::Schema>& table_schema,
                                                            const arrow::Schema& batch_schema) {
  if (assignments.empty()) return arrow::Status::Invalid("UPDATE needs at least one column to set");
  auto resolver = SchemaResolver(table_schema);
  std::vector<BoundAssignment> out;
  std::set<int> seen;
  for (const auto& [name, expr] : assignments) {
    int column = FindColumn(*table_schema, name);
    if (column == -2) return arrow::Status::Invalid("UPDATE: column name '", name, "' is ambiguous");
    if (column < 0) return arrow::Status::Invalid("UPDATE: column '", name, "' does not exist in the table");
    const auto& field = table_schema->field(column);
    if (!seen.insert(column).second) {
      return arrow::Status::Invalid("UPDATE: column '", field->name(), "' is assigned more than once");
    }
    auto resolved = ResolveColumns(expr, resolver);
    if (!resolved.ok()) {
      return arrow::Status::Invalid("UPDATE: value for column '", field->name(), "': ", resolved.status().message());
    }
    auto bound = resolved->Bind(batch_schema);
    if (!bound.ok()) {
      return arrow::Status::Invalid("UPDATE: value for column '", field->name(), "' (", expr.ToString(),
                                    "): ", bound.status().message());
    }
    if (!bound->type()->Equals(*field->type()) && bound->type()->id() != arrow::Type::NA &&
        !cp::CanCast(*bound->type(), *field->type())) {
      return arrow::Status::TypeError("UPDATE: cannot assign a value of type ", bound->type()->ToString(),
                                      " to column '", field->name(), "' of type ", field->type()->ToString());
    }
    out.push_back({column, *bound});
  }
  return out;
}

// The matched rows (scanned batch) with the assignments applied, as a batch of the table schema.
arrow::Result<std::shared_ptr<arrow::RecordBatch>> ApplyAssignments(const std::shared_ptr<arrow::RecordBatch>& rows,
                                                                    const std::vector<BoundAssignment>& assignments,
                                                                    const std::shared_ptr<arrow::Schema>& schema) {
  arrow::ArrayVector columns;
  for (int i = 0; i < schema->num_fields(); ++i) columns.push_back(rows->column(i));
  for (const auto& a : assignments) {
    ARROW_ASSIGN_OR_RAISE(auto values, EvaluateArray(a.value, *rows));
    ARROW_ASSIGN_OR_RAISE(columns[static_cast<size_t>(a.column)],
                          CastForColumn(values, *schema->field(a.column), "UPDATE"));
  }
  return arrow::RecordBatch::Make(schema, rows->num_rows(), std::move(columns));
}

}  // namespace

arrow::Result<UpdateMetrics> PlanUpdate(const Snapshot& snapshot, const std::optional<cp::Expression>& predicate,
                                        const Assignments& assignments, Transaction* txn) {
  ARROW_RETURN_NOT_OK(EnsureArrowInitialized());
  UpdateMetrics metrics;
  const int64_t now = NowMillis();
  const auto& schema = snapshot.schema();
  auto shared = std::shared_ptr<const Snapshot>(std::shared_ptr<const Snapshot>{}, &snapshot);

  // Every file is read whole, with row positions; the predicate is evaluated here.
  ScanOptions read_options;
  read_options.with_row_position = true;
  ARROW_ASSIGN_OR_RAISE(auto read_scan, Scan::Make(shared, read_options));
  const auto& batch_schema = read_scan->output_schema();
  ARROW_ASSIGN_OR_RAISE(auto bound_assignments, BindAssignments(assignments, schema, *batch_schema));

  std::optional<cp::Expression> resolved_predicate;
  std::optional<cp::Expression> bound_predicate;
  std::vector<const AddFile*> candidates;
  if (predicate) {
    auto resolved = ResolveColumns(*predicate, SchemaResolver(schema));
    if (!resolved.ok()) return arrow::Status::Invalid("UPDATE: predicate: ", resolved.status().message());
    resolved_predicate = *resolved;
    auto bound = resolved->Bind(*batch_schema);
    if (!bound.ok()) return arrow::Status::Invalid("UPDATE: predicate: ", bound.status().message());
    if (bound->type()->id() != arrow::Type::BOOL) {
      return arrow::Status::TypeError("UPDATE: predicate ", predicate->ToString(), " is ", bound->type()->ToString(),
                                      ", not boolean");
    }
    bound_predicate = *bound;
    txn->ReadPredicate(*resolved_predicate);
    ScanOptions prune_options;
    prune_options.filter = resolved_predicate;
    ARROW_ASSIGN_OR_RAISE(auto prune_scan, Scan::Make(shared, prune_options));
    candidates = prune_scan->files();
  } else {
    txn->ReadWholeTable();
    for (const auto& f : snapshot.files()) candidates.push_back(&f);
  }

  const bool use_dv = UsesDeletionVectors(snapshot);
  std::unique_ptr<DataWriter> writer;
  std::unique_ptr<ChangeDataWriter> cdc;
  if (ChangeDataFeedEnabled(snapshot.metadata())) {
    ARROW_ASSIGN_OR_RAISE(cdc, ChangeDataWriter::Make(snapshot.location(), schema, snapshot.partition_columns(),
                                                      snapshot.metadata().configuration));
  }
  auto write = [&](const std::shared_ptr<arrow::RecordBatch>& rows) -> arrow::Status {
    if (rows->num_rows() == 0) return arrow::Status::OK();
    if (!writer) {
      ARROW_ASSIGN_OR_RAISE(writer, DataWriter::Make(snapshot.location(), schema, snapshot.partition_columns(),
                                                     snapshot.metadata().configuration));
    }
    return writer->Write(rows);
  };

  for (const AddFile* file : candidates) {
    ARROW_ASSIGN_OR_RAISE(auto batches, read_scan->ReadFile(*file));
    std::vector<std::shared_ptr<arrow::RecordBatch>> matched;
    std::vector<std::shared_ptr<arrow::RecordBatch>> unmatched;
    int64_t n_matched = 0;
    for (const auto& batch : batches) {
      if (!bound_predicate) {
        matched.push_back(batch);
        n_matched += batch->num_rows();
        continue;
      }
      ARROW_ASSIGN_OR_RAISE(auto mask, EvaluateMatch(*bound_predicate, *batch));
      ARROW_ASSIGN_OR_RAISE(auto hit, FilterRows(batch, mask));
      ARROW_ASSIGN_OR_RAISE(auto inverted, InvertMask(mask));
      ARROW_ASSIGN_OR_RAISE(auto miss, FilterRows(batch, inverted));
      n_matched += hit->num_rows();
      if (hit->num_rows() > 0) matched.push_back(hit);
      if (miss->num_rows() > 0) unmatched.push_back(miss);
    }
    if (n_matched == 0) continue;
    metrics.rows_updated += n_matched;

    DeletionVector dv;
    for (const auto& rows : matched) {
      ARROW_ASSIGN_OR_RAISE(auto updated, ApplyAssignments(rows, bound_assignments, schema));
      ARROW_RETURN_NOT_OK(write(updated));
      if (cdc) {
        ARROW_ASSIGN_OR_RAISE(auto before, ProjectToSchema(rows, schema));
        ARROW_RETURN_NOT_OK(cdc->Write(before, kChangeUpdatePreimage));
        ARROW_RETURN_NOT_OK(cdc->Write(updated, kChangeUpdatePostimage));
      }
      if (use_dv) {
        const auto& positions = static_cast<const arrow::Int64Array&>(*rows->GetColumnByName(kRowIndexColumn));
        for (int64_t i = 0; i < positions.length(); ++i) dv.Add(static_cast<uint64_t>(positions.Value(i)));
      }
    }
    ++metrics.files_removed;
    if (use_dv && !unmatched.empty()) {
      ARROW_ASSIGN_OR_RAISE(auto actions, AddDeletionVector(snapshot.location(), *file, dv, now));
      txn->Add(std::move(actions.first));
      txn->Add(std::move(actions.second));
      ++metrics.files_added;
      ++metrics.deletion_vectors_added;
      continue;
    }
    // Copy-on-write (or a DV that would delete every row): the unmatched rows move to new files.
    for (const auto& rows : unmatched) {
      ARROW_ASSIGN_OR_RAISE(auto kept, ProjectToSchema(rows, schema));
      ARROW_RETURN_NOT_OK(write(kept));
      metrics.rows_copied += kept->num_rows();
    }
    txn->Add(RemoveFileFor(*file, now));
  }
  if (writer) {
    ARROW_ASSIGN_OR_RAISE(auto adds, writer->Finish());
    metrics.files_added += static_cast<int64_t>(adds.size());
    txn->Add(std::move(adds));
  }
  if (cdc) {
    ARROW_ASSIGN_OR_RAISE(auto changes, cdc->Finish());
    metrics.change_files_added = static_cast<int64_t>(changes.size());
    for (auto& c : changes) txn->Add(std::move(c));
  }
  return metrics;
}

arrow::Result<std::pair<UpdateMetrics, int64_t>> UpdateRows(const TableLocation& location,
                                                            const std::optional<cp::Expression>& predicate,
                                                            const Assignments& assignments) {
  ErrorContext where{.table = location.display_name.empty() ? location.root : location.display_name};
  ARROW_ASSIGN_OR_RAISE(auto snapshot, AddContext(Snapshot::Load(location), where));
  where.version = snapshot->version();
  auto txn = Transaction::ForSnapshot(snapshot);
  ARROW_ASSIGN_OR_RAISE(auto metrics, AddContext(PlanUpdate(*snapshot, predicate, assignments, txn.get()), where));
  if (metrics.rows_updated == 0) return std::make_pair(metrics, snapshot->version());
  std::map<std::string, std::string> params{{"predicate", predicate ? predicate->ToString() : "true"}};
  std::map<std::string, std::string> m{{"numUpdatedRows", std::to_string(metrics.rows_updated)},
                                       {"numCopiedRows", std::to_string(metrics.rows_copied)},
                                       {"numAddedFiles", std::to_string(metrics.files_added)},
                                       {"numRemovedFiles", std::to_string(metrics.files_removed)},
                                       {"numDeletionVectorsAdded", std::to_string(metrics.deletion_vectors_added)},
                                       {"numAddedChangeFiles", std::to_string(metrics.change_files_added)}};
  ARROW_ASSIGN_OR_RAISE(auto commit, AddContext(txn->Commit("UPDATE", params, m), where));
  return std::make_pair(metrics, commit.version);
}

}  // namespace tidelake::delta
