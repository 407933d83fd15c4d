// ALTER TABLE t ADD COLUMNS (..) | SET TBLPROPERTIES (..) | UNSET TBLPROPERTIES (..) | RENAME
// COLUMN a TO b | DROP COLUMNS (..): metadata-only Delta commits (no data file changes), with
// the protocol upgraded when the new metadata needs a feature (the transaction adds it).
// Columns are added at the end, nullable, as Delta requires (existing files have no values for
// them, so readers fill nulls); under column mapping each new column gets a fresh id and
// physical name. Renaming and dropping need column mapping, as in Delta: data files keep the
// physical names, so a rename changes only the logical name and a drop only the schema (the
// values stay in the files, unread, until they are rewritten).
#include <arrow/api.h>

#include <nlohmann/json.hpp>

#include <functional>
#include <optional>

#include "delta/schema.h"
#include "delta/table_features.h"
#include "delta/transaction.h"
#include "session/results.h"
#include "session/session_impl.h"
#include "session/table_properties.h"
#include "sql/ast_printer.h"

namespace tidelake {

using session::At;
using session::DottedPath;
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

// UNSET TBLPROPERTIES: removes the keys; a key the table does not have is an error unless IF
// EXISTS. Column mapping's keys stay (the mode cannot be turned off, as in Delta).
arrow::Status UnsetProperties(const sql::AlterTableStatement& alter, const delta::Snapshot& snapshot,
                              delta::Metadata* metadata) {
  std::vector<std::string> missing;
  for (const auto& p : alter.properties) {
    if (p.key.rfind("delta.columnMapping.", 0) == 0 &&
        delta::ColumnMappingModeFrom(metadata->configuration) != delta::ColumnMappingMode::kNone) {
      return InvalidAt(p.pos, "cannot unset '", p.key, "': column mapping cannot be turned off on table '",
                       snapshot.location().display_name, "'");
    }
    if (metadata->configuration.erase(p.key) == 0 && !alter.if_exists) missing.push_back(p.key);
  }
  if (!missing.empty()) {
    std::string keys;
    for (const auto& k : missing) keys += (keys.empty() ? "'" : ", '") + k + "'";
    return InvalidAt(alter.properties.front().pos, "cannot unset ", keys, ": table '", snapshot.location().display_name,
                     "' has no such ", missing.size() == 1 ? "property" : "properties", " (use UNSET TBLPROPERTIES IF EXISTS)");
  }
  return arrow::Status::OK();
}

// `fields` with the field at `column`'s path (names compare case-insensitively) replaced by
// what `edit` returns: a field, or nullptr to remove it. Struct fields are reached through
// their parents. nullopt when the path names no field.
using FieldEdit = std::function<arrow::Result<std::shared_ptr<arrow::Field>>(const arrow::Field& field,
                                                                             const arrow::FieldVector& siblings)>;
arrow::Result<std::optional<arrow::FieldVector>> EditField(const arrow::FieldVector& fields, const sql::ColumnPath& column,
                                                           size_t depth, const std::string& table, const FieldEdit& edit) {
  const std::string& name = column.parts[depth];
  for (size_t i = 0; i < fields.size(); ++i) {
    if (Lower(fields[i]->name()) != Lower(name)) continue;
    std::shared_ptr<arrow::Field> replacement;
    if (depth + 1 == column.parts.size()) {
      ARROW_ASSIGN_OR_RAISE(replacement, edit(*fields[i], fields));
    } else {
      const std::string parent = DottedPath({column.parts.begin(), column.parts.begin() + static_cast<std::ptrdiff_t>(depth) + 1});
      if (fields[i]->type()->id() != arrow::Type::STRUCT) {
        return InvalidAt(column.pos, "column '", parent, "' of table '", table, "' is not a struct, so it has no field '",
                         column.parts[depth + 1], "'");
      }
      ARROW_ASSIGN_OR_RAISE(auto children, EditField(fields[i]->type()->fields(), column, depth + 1, table, edit));
      if (!children) return std::nullopt;
      if (children->empty()) {
        return InvalidAt(column.pos, "cannot drop '", DottedPath(column.parts), "': it is the only field of struct '",
                         parent, "'");
      }
      replacement = fields[i]->WithType(arrow::struct_(std::move(*children)));
    }
    arrow::FieldVector out = fields;
    if (replacement) {
      out[i] = std::move(replacement);
    } else {
      out.erase(out.begin() + static_cast<std::ptrdiff_t>(i));
    }
    return out;
  }
  return std::nullopt;
}

arrow::Status NoSuchColumn(const sql::ColumnPath& column, const std::string& table) {
  return InvalidAt(column.pos, "table '", table, "' has no column '", DottedPath(column.parts), "'");
}

arrow::Status RequireColumnMapping(const sql::AlterTableStatement& alter, const delta::Snapshot& snapshot,
                                   std::string_view what) {
  if (delta::ColumnMappingModeFrom(snapshot.metadata().configuration) != delta::ColumnMappingMode::kNone) {
    return arrow::Status::OK();
  }
  const auto& name = snapshot.location().display_name;
  return InvalidAt(alter.pos, what, " needs column mapping on table '", name,
                   "': its data files store columns by name. Enable it first with ALTER TABLE ", sql::ToString(alter.name),
                   " SET TBLPROPERTIES ('delta.columnMapping.mode' = 'name')");
}

arrow::Status RenameColumn(const sql::AlterTableStatement& alter, const delta::Snapshot& snapshot,
                           delta::Metadata* metadata) {
  ARROW_RETURN_NOT_OK(RequireColumnMapping(alter, snapshot, "RENAME COLUMN"));
  const auto& column = alter.targets[0];
  const auto& table = snapshot.location().display_name;
  std::string old_name;
  auto rename = [&](const arrow::Field& field,
                    const arrow::FieldVector& siblings) -> arrow::Result<std::shared_ptr<arrow::Field>> {
    for (const auto& s : siblings) {
      if (s.get() != &field && Lower(s->name()) == Lower(alter.new_name)) {
        return InvalidAt(column.pos, "cannot rename '", DottedPath(column.parts), "' to '", alter.new_name,
                         "': table '", table, "' already has a column '", s->name(), "' there");
      }
    }
    old_name = field.name();
    return field.WithName(alter.new_name);
  };
  ARROW_ASSIGN_OR_RAISE(auto edited, EditField(snapshot.schema()->fields(), column, 0, table, rename));
  if (!edited) return NoSuchColumn(column, table);
  auto schema = arrow::schema(std::move(*edited), snapshot.schema()->metadata());
  if (column.parts.size() == 1) {
    for (auto& p : metadata->partition_columns) {
      if (p == old_name) p = alter.new_name;
    }
  }
  ARROW_ASSIGN_OR_RAISE(metadata->schema_string, delta::SchemaToJson(*schema));
  return arrow::Status::OK();
}

arrow::Status DropColumns(const sql::AlterTableStatement& alter, const delta::Snapshot& snapshot,
                          delta::Metadata* metadata) {
  ARROW_RETURN_NOT_OK(RequireColumnMapping(alter, snapshot, "DROP COLUMN"));
  const auto& table = snapshot.location().display_name;
  arrow::FieldVector fields = snapshot.schema()->fields();
  for (const auto& column : alter.targets) {
    auto drop = [&](const arrow::Field& field, const arrow::FieldVector&) -> arrow::Result<std::shared_ptr<arrow::Field>> {
      if (column.parts.size() == 1) {
        for (const auto& p : metadata->partition_columns) {
          if (p == field.name()) {
            return InvalidAt(column.pos, "cannot drop partition column '", field.name(), "' of table '", table, "'");
          }
        }
      }
      return nullptr;
    };
    ARROW_ASSIGN_OR_RAISE(auto edited, EditField(fields, column, 0, table, drop));
    if (!edited) {
      if (alter.if_exists) continue;
      return NoSuchColumn(column, table);
    }
    fields = std::move(*edited);
  }
  if (fields.empty()) {
    return InvalidAt(alter.pos, "cannot drop every column of table '", table, "'");
  }
  ARROW_ASSIGN_OR_RAISE(metadata->schema_string, delta::SchemaToJson(arrow::Schema(fields, snapshot.schema()->metadata())));
  return arrow::Status::OK();
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
  } else if (alter.action == sql::AlterTableAction::kUnsetProperties) {
    ARROW_RETURN_NOT_OK(UnsetProperties(alter, *snapshot, &metadata));
    operation = "UNSET TBLPROPERTIES";
    nlohmann::json keys = nlohmann::json::array();
    for (const auto& p : alter.properties) keys.push_back(p.key);
    parameters["properties"] = keys.dump();
    parameters["ifExists"] = alter.if_exists ? "true" : "false";
  } else if (alter.action == sql::AlterTableAction::kRenameColumn) {
    ARROW_RETURN_NOT_OK(RenameColumn(alter, *snapshot, &metadata));
    operation = "RENAME COLUMN";
    auto renamed = alter.targets[0].parts;
    parameters["oldColumnPath"] = DottedPath(renamed);
    renamed.back() = alter.new_name;
    parameters["newColumnPath"] = DottedPath(renamed);
  } else if (alter.action == sql::AlterTableAction::kDropColumns) {
    ARROW_RETURN_NOT_OK(DropColumns(alter, *snapshot, &metadata));
    operation = "DROP COLUMNS";
    nlohmann::json columns = nlohmann::json::array();
    for (const auto& c : alter.targets) columns.push_back(DottedPath(c.parts));
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
