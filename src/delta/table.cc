#include "delta/table.h"

#include <chrono>
#include <nlohmann/json.hpp>

#include "common/error.h"
#include "common/uuid.h"
#include "delta/data_writer.h"
#include "delta/log_segment.h"
#include "delta/schema.h"
#include "delta/table_features.h"

namespace tidelake::delta {

arrow::Result<bool> DeltaTable::Exists(const TableLocation& location) {
  ARROW_ASSIGN_OR_RAISE(auto info, location.fs->GetFileInfo(location.LogDir()));
  if (info.type() != arrow::fs::FileType::Directory) return false;
  ARROW_ASSIGN_OR_RAISE(auto listing, ListLog(*location.fs, location.LogDir()));
  return !listing.commits.empty() || !listing.checkpoints.empty();
}

arrow::Result<std::shared_ptr<DeltaTable>> DeltaTable::Open(TableLocation location) {
  ARROW_ASSIGN_OR_RAISE(bool exists, Exists(location));
  if (!exists) {
    return ErrorAt(arrow::StatusCode::KeyError, ErrorContext{.table = location.display_name},
                   "no Delta table at '" + location.root + "'");
  }
  return std::shared_ptr<DeltaTable>(new DeltaTable(std::move(location)));
}

arrow::Result<std::shared_ptr<const Snapshot>> DeltaTable::Latest() const { return Snapshot::Load(location_); }

arrow::Result<std::shared_ptr<const Snapshot>> DeltaTable::AtVersion(int64_t version) const {
  return Snapshot::Load(location_, version);
}

arrow::Result<std::shared_ptr<const Snapshot>> DeltaTable::AtTimestamp(int64_t timestamp_ms) const {
  return Snapshot::LoadAtTimestamp(location_, timestamp_ms);
}

arrow::Result<std::shared_ptr<DeltaTable>> DeltaTable::Create(TableLocation location, const CreateOptions& options) {
  ErrorContext where{.table = location.display_name.empty() ? location.root : location.display_name};
  if (!options.schema || options.schema->num_fields() == 0) {
    return ErrorAt(arrow::StatusCode::Invalid, where, "a table needs at least one column");
  }
  for (const auto& p : options.partition_columns) {
    if (options.schema->GetFieldIndex(p) < 0) {
      return ErrorAt(arrow::StatusCode::Invalid, where, "partition column '" + p + "' is not a column of the table");
    }
  }
  ARROW_ASSIGN_OR_RAISE(bool exists, Exists(location));
  if (exists) return ErrorAt(arrow::StatusCode::AlreadyExists, where, "table already exists at '" + location.root + "'");

  Metadata metadata;
  metadata.id = RandomUuid();
  metadata.name = options.name;
  metadata.description = options.description;
  ARROW_ASSIGN_OR_RAISE(metadata.schema_string, AddContext(SchemaToJson(*options.schema), where));
  metadata.partition_columns = options.partition_columns;
  metadata.configuration = options.properties;
  metadata.created_time = std::chrono::duration_cast<std::chrono::milliseconds>(
                              std::chrono::system_clock::now().time_since_epoch())
                              .count();
  auto txn = Transaction::ForNewTable(location);
  txn->UpdateProtocol(ProtocolFor(metadata));
  txn->UpdateMetadata(metadata);
  std::map<std::string, std::string> params{{"isManaged", "false"},
                                            {"description", options.description.value_or("")},
                                            {"partitionBy", [&] {
                                               nlohmann::json j = options.partition_columns;
                                               return j.dump();
                                             }()},
                                            {"properties", nlohmann::json(options.properties).dump()}};
  ARROW_RETURN_NOT_OK(txn->Commit("CREATE TABLE", params).status());
  return std::shared_ptr<DeltaTable>(new DeltaTable(std::move(location)));
}

}  // namespace tidelake::delta
