// ALTER TABLE t ADD COLUMNS (..) and ALTER TABLE t SET TBLPROPERTIES (..): metadata-only Delta
// commits (no data file changes), with the protocol upgraded when the new metadata needs a
// feature (the transaction adds it). Columns are added at the end, nullable, as Delta requires
// (existing files have no values for them, so readers fill nulls); under column mapping each
// new column gets a fresh id and physical name.
#include <arrow/api.h>

#include <nlohmann/json.hpp>

#include "delta/schema.h"
#include "delta/table_features.h"
#include "delta/transaction.h"
#include "session/results.h"
#include "session/session_impl.h"
#include "session/table_properties.h"
#include "sql/ast_printer.h"

namespace tidelake {

using session::At;
using session::InvalidAt;
using session::Lower;

namespace {

arrow::Result<std::shared_ptr<arrow::Schema>> AddColumns(const sql::AlterTableStatement& alter,
                                                         const delta::Snapshot& snapshot, delta::Metadata* metadata) {
  auto schema = snapshot.schema();
  arrow::FieldVector fields = schema->fields();
  for (const auto& column : alter.columns) {
    for (const auto& f : fields) {
      if (Lower(f->name()) != Lower(column.name)) continue;
      if (schema->GetFieldIndex(f->name()) < 0) {
        return InvalidAt(column.pos, "ADD COLUMNS lists column '", column.name, "' twice");
      }
      return InvalidAt(column.pos, "column '", column.name, "' already exists in table '",
                       snapshot.location().display_name, "'");
    }
    if (column.not_null) {
      return InvalidAt(column.pos, "cannot add NOT NULL column '", column.name,
                       "': the table's existing rows have no value for it; add it as a nullable column");
    }
    ARROW_ASSIGN_OR_RAISE(auto type, At(column.pos, sql::Binder::ToArrowType(*column.type)));
    auto field = arrow::field(column.name, type, true);
    if (column.comment) field = field->WithMetadata(arrow::key_value_metadata({"comment"}, {*column.comment}));
    ARROW_ASSIGN_OR_RAISE(auto canonical, At(column.pos, delta::CanonicalDeltaType(type, column.name)));
    fields.push_back(field->WithType(canonical));
  }
  auto widened = arrow::schema(fields, schema->metadata());
  auto mode = delta::ColumnMappingModeFrom(metadata->configuration);
  if (mode != delta::ColumnMappingMode::kNone) {
    int64_t max_id = session::MaxColumnId(metadata->configuration);
    // Existing columns all carry their ids; only the new ones get fresh ones.
    for (const auto& f : schema->fields()) {
      if (auto id = delta::FieldId(*f)) max_id = std::max<int64_t>(max_id, *id);
    }
    ARROW_ASSIGN_OR_RAISE(widened, session::AssignColumnMapping(*widened, &max_id, /*keep_names=*/false));
    metadata->configuration["delta.columnMapping.maxColumnId"] = std::to_string(max_id);
  }
  ARROW_ASSIGN_OR_RAISE(metadata->schema_string, delta::SchemaToJson(*widened));
  return widened;
}

// Applies SET TBLPROPERTIES to `metadata`; returns the protocol the table must be upgraded to,
// if the properties ask for one.
arrow::Result<std::optional<delta::Protocol>> SetProperties(const sql::AlterTableStatement& alter,
                                                            const delta::Snapshot& snapshot, bool allow_arbitrary,
                                                            delta::Metadata* metadata) {
  ARROW_ASSIGN_OR_RAISE(auto checked, session::CheckTableProperties(alter.properties, allow_arbitrary));
  auto old_mode = delta::ColumnMappingModeFrom(metadata->configuration);
  for (const auto& [key, value] : checked.configuration) metadata->configuration[key] = value;
  auto new_mode = delta::ColumnMappingModeFrom(metadata->configuration);
  if (new_mode != old_mode) {
    const sql::SourcePos* pos = &alter.pos;
    for (const auto& p : alter.properties) {
      if (p.key == delta::kColumnMappingModeKey) pos = &p.pos;
    }
    if (old_mode != delta::ColumnMappingMode::kNone || new_mode != delta::ColumnMappingMode::kName) {
      return InvalidAt(*pos, "changing delta.columnMapping.mode from '", delta::ColumnMappingModeName(old_mode),
                       "' to '", delta::ColumnMappingModeName(new_mode),
                       "' is not supported; only 'none' to 'name' is (as in Delta)");
    }
    // Turning name mapping on: the data files already use the column names, so they become
    // the physical names.
    int64_t max_id = session::MaxColumnId(metadata->configuration);
    ARROW_ASSIGN_OR_RAISE(auto mapped, session::AssignColumnMapping(*snapshot.schema(), &max_id, /*keep_names=*/true));
    ARROW_ASSIGN_OR_RAISE(metadata->schema_string, delta::SchemaToJson(*mapped));
    metadata->configuration["delta.columnMapping.maxColumnId"] = std::to_string(max_id);
  }
  if (!checked.protocol_upgrade) return std::nullopt;
  const auto& current = snapshot.protocol();
  const auto& wanted = *checked.protocol_upgrade;
  if (wanted.min_reader_version < current.min_reader_version || wanted.min_writer_version < current.min_writer_version) {
    return InvalidAt(alter.pos, "cannot downgrade the protocol of table '", snapshot.location().display_name,
                     "' (reader ", current.min_reader_version, ", writer ", current.min_writer_version, ") to reader ",
                     wanted.min_reader_version, ", writer ", wanted.min_writer_version);
  }
  return delta::UnionProtocol(current, wanted);
}

}  // namespace

arrow::Result<StatementResult> Session::Impl::AlterTable(const sql::AlterTableStatement& alter) {
  ARROW_ASSIGN_OR_RAISE(auto location, RequireTable(alter.name));
  ARROW_ASSIGN_OR_RAISE(auto snapshot, At(alter.name.pos, delta::Snapshot::Load(location)));
  delta::Metadata metadata = snapshot->metadata();
  auto txn = delta::Transaction::ForSnapshot(snapshot);
  std::string operation;
  std::map<std::string, std::string> parameters;
  if (alter.action == sql::AlterTableAction::kAddColumns) {
    ARROW_RETURN_NOT_OK(AddColumns(alter, *snapshot, &metadata).status());
    operation = "ADD COLUMNS";
    nlohmann::json columns = nlohmann::json::array();
    for (const auto& c : alter.columns) {
      columns.push_back({{"column", {{"name", c.name}, {"type", sql::ToString(*c.type)}}}, {"position", nullptr}});
    }
    parameters["columns"] = columns.dump();
  } else {
    ARROW_ASSIGN_OR_RAISE(auto protocol,
                          SetProperties(alter, *snapshot,
                                        BoolSetting("spark.databricks.delta.allowArbitraryProperties.enabled", false),
                                        &metadata));
    if (protocol) txn->UpdateProtocol(*protocol);
    operation = "SET TBLPROPERTIES";
    std::map<std::string, std::string> set;
    for (const auto& p : alter.properties) set[p.key] = p.value;
    parameters["properties"] = nlohmann::json(set).dump();
  }
  txn->UpdateMetadata(metadata);
  ARROW_ASSIGN_OR_RAISE(auto commit, At(alter.pos, txn->Commit(operation, parameters)));
  return StatementResult{{}, "Altered table " + location.display_name + " (version " +
                                 std::to_string(commit.version) + ")"};
}

}  // namespace tidelake
