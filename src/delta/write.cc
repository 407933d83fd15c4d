// DeltaTable::Write: append and overwrite (whole table or replaceWhere), with schema
// enforcement, schema merging, table creation on first write and idempotent txn writes.
#include <arrow/api.h>
#include <arrow/compute/api.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "common/error.h"
#include "common/uuid.h"
#include "delta/data_writer.h"
#include "delta/delete.h"
#include "delta/schema.h"
#include "delta/table.h"
#include "delta/table_features.h"

namespace tidelake::delta {

namespace cp = arrow::compute;

namespace {

const char* ModeName(SaveMode mode) {
  switch (mode) {
    case SaveMode::kAppend: return "Append";
    case SaveMode::kOverwrite: return "Overwrite";
    case SaveMode::kErrorIfExists: return "ErrorIfExists";
    case SaveMode::kIgnore: return "Ignore";
  }
  return "Append";
}

// Checks that every written row satisfies the replaceWhere predicate (Delta's rule: data
// written by a partial overwrite must lie inside the replaced range).
arrow::Status CheckReplaceWhere(const cp::Expression& bound, const arrow::RecordBatch& batch) {
  ARROW_ASSIGN_OR_RAISE(auto result, cp::ExecuteScalarExpression(bound, cp::ExecBatch(batch)));
  auto arr = result.make_array();
  const auto& mask = static_cast<const arrow::BooleanArray&>(*arr);
  for (int64_t i = 0; i < mask.length(); ++i) {
    if (mask.IsNull(i) || !mask.Value(i)) {
      return arrow::Status::Invalid("written data does not conform to the replaceWhere condition ",
                                    bound.ToString(), " (row ", i, " of a batch)");
    }
  }
  return arrow::Status::OK();
}

}  // namespace

arrow::Result<WriteResult> DeltaTable::Write(const TableLocation& location, arrow::RecordBatchReader& data,
                                             const WriteOptions& options) {
  ErrorContext where{.table = location.display_name.empty() ? location.root : location.display_name};
  auto result = [&]() -> arrow::Result<WriteResult> {
    WriteResult out;
    ARROW_ASSIGN_OR_RAISE(bool exists, Exists(location));
    if (exists && options.mode == SaveMode::kErrorIfExists) {
      return arrow::Status::AlreadyExists("table already exists at '", location.root, "'");
    }
    if (exists && options.mode == SaveMode::kIgnore) {
      out.skipped = true;
      return out;
    }
    auto incoming_schema = data.schema();
    std::shared_ptr<const Snapshot> snapshot;
    std::unique_ptr<Transaction> txn;
    std::shared_ptr<arrow::Schema> table_schema;
    std::vector<std::string> partition_columns;
    std::map<std::string, std::string> configuration;

    if (exists) {
      ARROW_ASSIGN_OR_RAISE(snapshot, Snapshot::Load(location));
      if (options.txn) {
        auto done = snapshot->TxnVersion(options.txn->first);
        if (done && *done >= options.txn->second) {
          out.skipped = true;
          out.version = snapshot->version();
          return out;
        }
      }
      txn = Transaction::ForSnapshot(snapshot);
      table_schema = snapshot->schema();
      partition_columns = snapshot->partition_columns();
      configuration = snapshot->metadata().configuration;
      bool replace_schema = options.mode == SaveMode::kOverwrite && options.overwrite_schema;
      if (replace_schema) {
        if (options.replace_where) {
          return arrow::Status::Invalid("overwriteSchema cannot be combined with replaceWhere");
        }
        Metadata metadata = snapshot->metadata();
        table_schema = incoming_schema;
        ARROW_ASSIGN_OR_RAISE(metadata.schema_string, SchemaToJson(*table_schema));
        if (!options.partition_columns.empty()) metadata.partition_columns = options.partition_columns;
        partition_columns = metadata.partition_columns;
        txn->UpdateMetadata(metadata);
      } else if (options.merge_schema) {
        ARROW_ASSIGN_OR_RAISE(auto merged, MergeSchemas(*table_schema, *incoming_schema, true));
        if (!merged->Equals(*table_schema, /*check_metadata=*/true)) {
          Metadata metadata = snapshot->metadata();
          ARROW_ASSIGN_OR_RAISE(metadata.schema_string, SchemaToJson(*merged));
          if (metadata.schema_string.find("\"delta.typeChanges\"") != std::string::npos) {
            // A widened column: the table now uses type widening, as Spark records it.
            metadata.configuration["delta.enableTypeWidening"] = "true";
          }
          txn->UpdateMetadata(metadata);
          table_schema = merged;
        }
      } else {
        ARROW_RETURN_NOT_OK(CheckWriteSchema(*table_schema, *incoming_schema));
      }
      if (!options.partition_columns.empty() && !replace_schema &&
          options.partition_columns != partition_columns) {
        return arrow::Status::Invalid("partition columns do not match the table's (",
                                      nlohmann::json(partition_columns).dump(), " vs ",
                                      nlohmann::json(options.partition_columns).dump(), ")");
      }
    } else {
      if (options.replace_where) {
        return arrow::Status::Invalid("replaceWhere needs an existing table");
      }
      txn = Transaction::ForNewTable(location);
      table_schema = incoming_schema;
      partition_columns = options.partition_columns;
      configuration = options.properties;
      for (const auto& p : partition_columns) {
        if (table_schema->GetFieldIndex(p) < 0) {
          return arrow::Status::Invalid("partition column '", p, "' is not a column of the data");
        }
      }
      Metadata metadata;
      metadata.id = RandomUuid();
      ARROW_ASSIGN_OR_RAISE(metadata.schema_string, SchemaToJson(*table_schema));
      // Round-trip through the Delta schema so the table schema has Delta's canonical types.
      ARROW_ASSIGN_OR_RAISE(table_schema, SchemaFromJson(metadata.schema_string));
      metadata.partition_columns = partition_columns;
      metadata.configuration = configuration;
      metadata.created_time = std::chrono::duration_cast<std::chrono::milliseconds>(
                                  std::chrono::system_clock::now().time_since_epoch())
                                  .count();
      txn->UpdateProtocol(ProtocolFor(metadata));
      txn->UpdateMetadata(metadata);
    }
    if (options.txn) txn->SetTxn(options.txn->first, options.txn->second);
    txn->set_background_housekeeping(options.background_housekeeping);

    // Overwrite: remove what is replaced, in the same commit as the new data.
    std::optional<cp::Expression> bound_replace;
    if (exists && options.mode == SaveMode::kOverwrite) {
      DeleteMetrics removed;
      if (options.replace_where) {
        ARROW_ASSIGN_OR_RAISE(bound_replace, options.replace_where->Bind(*table_schema));
        ARROW_ASSIGN_OR_RAISE(removed, PlanDelete(*snapshot, options.replace_where, txn.get()));
      } else {
        ARROW_ASSIGN_OR_RAISE(removed, PlanDelete(*snapshot, std::nullopt, txn.get()));
      }
      out.files_removed = removed.files_removed;
    }

    DataWriterOptions writer_options;
    if (options.target_file_size > 0) writer_options.target_file_size = options.target_file_size;
    writer_options.drop_from_page_cache = options.drop_from_page_cache;
    ARROW_ASSIGN_OR_RAISE(auto writer, DataWriter::Make(location, table_schema, partition_columns,
                                                        txn->metadata().configuration, writer_options));
    while (true) {
      std::shared_ptr<arrow::RecordBatch> batch;
      ARROW_RETURN_NOT_OK(data.ReadNext(&batch));
      if (!batch) break;
      ARROW_ASSIGN_OR_RAISE(auto conformed, ConformToTableSchema(batch, table_schema));
      if (bound_replace) ARROW_RETURN_NOT_OK(CheckReplaceWhere(*bound_replace, *conformed));
      ARROW_RETURN_NOT_OK(writer->Write(conformed));
    }
    ARROW_ASSIGN_OR_RAISE(auto adds, writer->Finish());
    out.rows_written = writer->rows_written();
    out.files_added = static_cast<int64_t>(adds.size());
    int64_t bytes = writer->bytes_written();
    std::vector<std::string> new_files;
    for (const auto& a : adds) new_files.push_back(location.DataPath(a.path));
    txn->Add(std::move(adds));

    std::map<std::string, std::string> params{{"mode", ModeName(options.mode)},
                                              {"partitionBy", nlohmann::json(partition_columns).dump()}};
    if (options.replace_where) params["predicate"] = options.replace_where->ToString();
    std::map<std::string, std::string> metrics{{"numFiles", std::to_string(out.files_added)},
                                               {"numOutputRows", std::to_string(out.rows_written)},
                                               {"numOutputBytes", std::to_string(bytes)}};
    if (out.files_removed) metrics["numRemovedFiles"] = std::to_string(out.files_removed);
    const char* operation = exists ? "WRITE" : "CREATE TABLE AS SELECT";
    auto commit = txn->Commit(operation, params, metrics);
    if (!commit.ok()) {
      // The new files were never committed: delete them (best effort; VACUUM would too).
      for (const auto& path : new_files) IgnoreError(location.fs->DeleteFile(path));
      return commit.status();
    }
    out.version = commit->version;
    return out;
  }();
  if (!result.ok()) return AddContext(result.status(), where);
  return result;
}

}  // namespace tidelake::delta
