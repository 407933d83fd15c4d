// CREATE TABLE (column list or AS query; OR REPLACE; IF NOT EXISTS; PARTITIONED BY, COMMENT,
// TBLPROPERTIES, LOCATION), CREATE VIEW and DROP (DROP SOURCE is in sources.cc; CREATE TABLE
// .. WITH ('connector' = ..) and DROP TABLE of such a table in connector_tables.cc).
//
// LOCATION makes an external table, as in Spark: the lake registers the name for the Delta
// table at that path (catalog::Lake::RegisterExternalTable), creating the table there first
// unless one exists (whose columns and partitioning must then match what the statement gives,
// if it gives any). DROP TABLE of an external table forgets the name and keeps the data; of a
// managed one (stored at <lake>/<zone>/<table>) removes the data too.
//
// A table is created, or replaced, by one Delta commit: the new metadata (schema, partitioning,
// properties, description), the protocol it needs, and for CREATE .. AS the data files of the
// query. Replacing keeps the table's history (the commit removes every live file), so time
// travel to the replaced versions still works and concurrent readers never see a missing
// table, as Delta's CREATE OR REPLACE does.
#include <arrow/api.h>

#include <nlohmann/json.hpp>

#include "common/clock.h"
#include "common/error.h"
#include "common/uuid.h"
#include "delta/data_writer.h"
#include "delta/schema.h"
#include "delta/table.h"
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
using session::SchemaOfColumns;

arrow::Result<std::shared_ptr<arrow::Schema>> session::SchemaOfColumns(
    const std::vector<sql::ColumnDefinition>& columns) {
  arrow::FieldVector fields;
  std::vector<std::string> seen;
  for (const auto& column : columns) {
    if (std::find(seen.begin(), seen.end(), Lower(column.name)) != seen.end()) {
      return InvalidAt(column.pos, "column '", column.name, "' is defined twice");
    }
    seen.push_back(Lower(column.name));
    ARROW_ASSIGN_OR_RAISE(auto type, At(column.pos, sql::Binder::ToArrowType(*column.type)));
    auto field = arrow::field(column.name, type, !column.not_null);
    if (column.comment) field = field->WithMetadata(arrow::key_value_metadata({"comment"}, {*column.comment}));
    fields.push_back(field);
  }
  return arrow::schema(fields);
}

arrow::Result<session::ConnectorOptions> session::ReadConnectorOptions(
    const std::vector<sql::TableProperty>& options) {
  ConnectorOptions out;
  for (const auto& option : options) {
    auto [it, inserted] = out.by_key.emplace(Lower(option.key), &option);
    if (!inserted) return InvalidAt(option.pos, "option '", option.key, "' is given twice");
    if (it->first == "connector") {
      out.connector_option = &option;
      out.connector = Lower(option.value);
    } else {
      out.options[option.key] = option.value;
    }
  }
  return out;
}

namespace {

struct NewTable {
  std::shared_ptr<arrow::Schema> schema;
  std::vector<std::string> partition_columns;
  session::CheckedProperties properties;
  std::optional<std::string> description;
};

// Matches PARTITIONED BY names to the schema's columns (case-insensitively, keeping the
// schema's spelling) and checks they are distinct, atomic and not every column.
arrow::Result<std::vector<std::string>> ResolvePartitionColumns(const sql::CreateTableStatement& create,
                                                                const arrow::Schema& schema) {
  std::vector<std::string> out;
  for (const auto& name : create.partitioned_by) {
    std::shared_ptr<arrow::Field> field;
    for (const auto& f : schema.fields()) {
      if (Lower(f->name()) == Lower(name)) field = f;
    }
    if (!field) {
      std::string columns;
      for (const auto& f : schema.fields()) columns += (columns.empty() ? "" : ", ") + f->name();
      return InvalidAt(create.pos, "partition column '", name, "' is not a column of the table (columns: ", columns,
                       ")");
    }
    if (std::find(out.begin(), out.end(), field->name()) != out.end()) {
      return InvalidAt(create.pos, "PARTITIONED BY lists column '", field->name(), "' twice");
    }
    if (arrow::is_nested(field->type()->id())) {
      return InvalidAt(create.pos, "cannot partition by column '", field->name(), "' of type ",
                       delta::DeltaTypeName(*field->type()), ": partition columns must be of an atomic type");
    }
    out.push_back(field->name());
  }
  if (!out.empty() && out.size() == static_cast<size_t>(schema.num_fields())) {
    return InvalidAt(create.pos, "cannot partition by every column of the table: at least one column must hold data");
  }
  return out;
}

// The first duplicate name (case-insensitive) of a query's result, which a table cannot have.
std::optional<std::string> DuplicateName(const arrow::Schema& schema) {
  std::vector<std::string> seen;
  for (const auto& f : schema.fields()) {
    if (std::find(seen.begin(), seen.end(), Lower(f->name())) != seen.end()) return f->name();
    seen.push_back(Lower(f->name()));
  }
  return std::nullopt;
}

// CREATE TABLE t (columns) [PARTITIONED BY ..] LOCATION 'path' over an existing Delta table:
// what the statement says must be what the table is.
arrow::Status CheckExistingTableMatches(const sql::CreateTableStatement& create, const delta::TableLocation& location) {
  if (create.as_query) {
    return InvalidAt(create.pos, "LOCATION '", *create.location,
                     "' already holds a Delta table; CREATE TABLE .. AS needs a location without one");
  }
  ARROW_ASSIGN_OR_RAISE(auto snapshot, At(create.pos, delta::Snapshot::Load(location)));
  const auto& existing = *snapshot->schema();
  if (!create.columns.empty()) {
    ARROW_ASSIGN_OR_RAISE(auto given, SchemaOfColumns(create.columns));
    bool same = given->num_fields() == existing.num_fields();
    for (int i = 0; same && i < given->num_fields(); ++i) {
      auto canonical = delta::CanonicalDeltaType(given->field(i)->type(), given->field(i)->name());
      same = Lower(given->field(i)->name()) == Lower(existing.field(i)->name()) && canonical.ok() &&
             (*canonical)->Equals(*existing.field(i)->type());
    }
    if (!same) {
      std::string columns;
      for (const auto& f : existing.fields()) {
        columns += (columns.empty() ? "" : ", ") + f->name() + " " + delta::DeltaTypeName(*f->type());
      }
      return InvalidAt(create.pos, "the columns given do not match the Delta table at LOCATION '", *create.location,
                       "' (", columns, "); give its columns or none");
    }
  }
  if (!create.partitioned_by.empty()) {
    ARROW_ASSIGN_OR_RAISE(auto partitions, ResolvePartitionColumns(create, existing));
    if (partitions != snapshot->partition_columns()) {
      return InvalidAt(create.pos, "PARTITIONED BY does not match the partitioning of the Delta table at LOCATION '",
                       *create.location, "'");
    }
  }
  return arrow::Status::OK();
}

}  // namespace

arrow::Result<StatementResult> Session::Impl::CreateTable(const sql::CreateTableStatement& create) {
  if (create.using_format && Lower(*create.using_format) != "delta") {
    return At(create.pos, arrow::Status::NotImplemented("tables are Delta tables; USING ", *create.using_format,
                                                        " is not supported"));
  }
  bool by_path = create.name.parts.size() == 2 && Lower(create.name.parts[0]) == "delta";
  if (create.location) {
    if (by_path) return InvalidAt(create.pos, "LOCATION cannot be combined with a table given by path");
    if (create.or_replace) {
      return InvalidAt(create.pos, "CREATE OR REPLACE TABLE .. LOCATION is not supported; DROP TABLE the name "
                                   "(which keeps an external table's data) and CREATE it again");
    }
  }
  if (create.as_query && !create.columns.empty()) {
    return InvalidAt(create.pos, "CREATE TABLE .. AS takes its columns from the query; remove the column list");
  }
  if (!create.as_query && create.columns.empty() && !create.location) {
    return InvalidAt(create.pos, "CREATE TABLE needs a column list or AS query");
  }
  ARROW_ASSIGN_OR_RAISE(auto location, At(create.name.pos, NewTableLocation(create.name)));
  ARROW_ASSIGN_OR_RAISE(bool exists, delta::DeltaTable::Exists(location));
  if (exists && create.if_not_exists) return StatementResult{{}, "Table " + location.display_name + " exists"};
  if (exists && !create.or_replace) {
    return InvalidAt(create.name.pos, "table '", location.display_name,
                     "' already exists (use CREATE OR REPLACE TABLE or CREATE TABLE IF NOT EXISTS)");
  }
  // An external table: the lake names a Delta table at LOCATION, which this statement either
  // finds there (and registers as it is) or creates there.
  std::optional<catalog::TableName> external_name;
  if (create.location) {
    ARROW_ASSIGN_OR_RAISE(external_name, At(create.name.pos, TargetName(create.name)));
    std::string display = location.display_name;
    ARROW_ASSIGN_OR_RAISE(location, At(create.pos, lake_->Resolve("delta.`" + *create.location + "`")));
    location.display_name = display;
    ARROW_ASSIGN_OR_RAISE(bool found, At(create.pos, delta::DeltaTable::Exists(location)));
    if (found) {
      ARROW_RETURN_NOT_OK(CheckExistingTableMatches(create, location));
      ARROW_RETURN_NOT_OK(At(create.name.pos, lake_->RegisterExternalTable(*external_name, *create.location)));
      return StatementResult{{}, "Created table " + location.display_name + " for the Delta table at " +
                                     *create.location};
    }
    if (create.columns.empty() && !create.as_query) {
      return InvalidAt(create.pos, "there is no Delta table at LOCATION '", *create.location,
                       "'; give the columns of the table to create there");
    }
  }

  NewTable table;
  ARROW_ASSIGN_OR_RAISE(table.properties,
                        session::CheckTableProperties(
                            create.properties, BoolSetting("spark.databricks.delta.allowArbitraryProperties.enabled", false)));
  table.description = create.comment;
  std::shared_ptr<arrow::RecordBatchReader> rows;
  if (create.as_query && create.streaming) {
    // A streaming table starts empty: its query's rows arrive through refreshes.
    ARROW_ASSIGN_OR_RAISE(auto root, PlanQuery(*create.as_query));
    arrow::FieldVector fields;
    for (int i = 0; i < root.node->schema->num_fields(); ++i) {
      fields.push_back(root.node->schema->field(i)->WithName(root.column_names[static_cast<size_t>(i)]));
    }
    table.schema = arrow::schema(std::move(fields));
    if (auto duplicate = DuplicateName(*table.schema)) {
      return InvalidAt(create.as_query->pos, "the query returns two columns named '", *duplicate,
                       "'; give them distinct aliases");
    }
  } else if (create.as_query) {
    ARROW_ASSIGN_OR_RAISE(auto query, RunQuery(*create.as_query));
    rows = query.rows;
    table.schema = rows->schema();
    if (auto duplicate = DuplicateName(*table.schema)) {
      return InvalidAt(create.as_query->pos, "the query returns two columns named '", *duplicate,
                       "'; give them distinct aliases");
    }
  } else {
    ARROW_ASSIGN_OR_RAISE(table.schema, SchemaOfColumns(create.columns));
  }
  ARROW_ASSIGN_OR_RAISE(table.partition_columns, ResolvePartitionColumns(create, *table.schema));

  // The table's metadata, with Delta's canonical types.
  delta::Metadata metadata;
  std::shared_ptr<const delta::Snapshot> previous;
  if (exists) {
    ARROW_ASSIGN_OR_RAISE(previous, delta::Snapshot::Load(location));
    metadata.id = previous->metadata().id;
  } else {
    metadata.id = RandomUuid();
  }
  metadata.description = table.description;
  metadata.partition_columns = table.partition_columns;
  metadata.configuration = table.properties.configuration;
  metadata.created_time = NowMillis();
  ARROW_ASSIGN_OR_RAISE(metadata.schema_string, At(create.pos, delta::SchemaToJson(*table.schema)));
  ARROW_ASSIGN_OR_RAISE(auto table_schema, delta::SchemaFromJson(metadata.schema_string));
  auto mode = delta::ParseColumnMappingMode(metadata.configuration);
  if (!mode.ok()) return At(create.pos, mode.status());
  if (*mode != delta::ColumnMappingMode::kNone) {
    int64_t max_id = 0;
    ARROW_ASSIGN_OR_RAISE(table_schema, session::AssignColumnMapping(*table_schema, &max_id, /*keep_names=*/false));
    ARROW_ASSIGN_OR_RAISE(metadata.schema_string, delta::SchemaToJson(*table_schema));
    metadata.configuration["delta.columnMapping.maxColumnId"] = std::to_string(max_id);
  }

  std::unique_ptr<delta::Transaction> txn;
  delta::Protocol protocol = delta::ProtocolFor(metadata);
  if (table.properties.protocol_upgrade) protocol = delta::UnionProtocol(protocol, *table.properties.protocol_upgrade);
  if (previous) {
    txn = delta::Transaction::ForSnapshot(previous);
    txn->ReadWholeTable();
    int64_t now = NowMillis();
    for (const auto& file : previous->files()) txn->Add(delta::RemoveFileFor(file, now));
    // The protocol is never downgraded; the commit adds what the new metadata needs.
    txn->UpdateProtocol(delta::UnionProtocol(previous->protocol(), protocol));
  } else {
    txn = delta::Transaction::ForNewTable(location);
    txn->UpdateProtocol(protocol);
  }
  txn->UpdateMetadata(metadata);

  std::map<std::string, std::string> parameters{
      {"isManaged", by_path || external_name ? "false" : "true"},
      {"description", table.description.value_or("")},
      {"partitionBy", nlohmann::json(table.partition_columns).dump()},
      {"properties", nlohmann::json(table.properties.configuration).dump()}};
  std::map<std::string, std::string> metrics;
  std::vector<std::string> new_files;
  int64_t rows_written = 0;
  if (rows) {
    ARROW_ASSIGN_OR_RAISE(auto writer, delta::DataWriter::Make(location, table_schema, table.partition_columns,
                                                               metadata.configuration));
    while (true) {
      std::shared_ptr<arrow::RecordBatch> batch;
      ARROW_RETURN_NOT_OK(rows->ReadNext(&batch));
      if (!batch) break;
      ARROW_ASSIGN_OR_RAISE(auto conformed, At(create.pos, delta::ConformToTableSchema(batch, table_schema)));
      ARROW_RETURN_NOT_OK(At(create.pos, writer->Write(conformed)));
    }
    ARROW_ASSIGN_OR_RAISE(auto adds, writer->Finish());
    rows_written = writer->rows_written();
    metrics = {{"numFiles", std::to_string(adds.size())},
               {"numOutputRows", std::to_string(rows_written)},
               {"numOutputBytes", std::to_string(writer->bytes_written())}};
    for (const auto& a : adds) new_files.push_back(location.DataPath(a.path));
    txn->Add(std::move(adds));
  }
  std::string operation = create.streaming ? "CREATE STREAMING TABLE"
                                           : std::string(previous ? "CREATE OR REPLACE TABLE" : "CREATE TABLE") +
                                                 (rows ? " AS SELECT" : "");
  auto commit = txn->Commit(operation, parameters, metrics);
  if (!commit.ok()) {
    for (const auto& path : new_files) IgnoreError(location.fs->DeleteFile(path));  // never committed
    return At(create.pos, commit.status());
  }
  if (external_name) {
    ARROW_RETURN_NOT_OK(At(create.name.pos, lake_->RegisterExternalTable(*external_name, *create.location)));
  }
  if (auto name = LakeNameOf(location)) {
    ARROW_RETURN_NOT_OK(lake_->DropStatistics(*name));
    // A table replaced by a plain one is no longer kept up to date by its streaming query.
    if (!create.streaming) ARROW_RETURN_NOT_OK(lake_->DropStreamingQuery(*name));
  }
  std::string message = (previous ? "Replaced table " : "Created table ") + location.display_name;
  if (rows) message += " with " + std::to_string(rows_written) + " rows";
  return StatementResult{{}, message + " (version " + std::to_string(commit->version) + ")"};
}

arrow::Result<StatementResult> Session::Impl::CreateView(const sql::CreateViewStatement& create) {
  // Bind now so that a broken view is refused when it is created, not when it is used.
  ARROW_ASSIGN_OR_RAISE(auto root, PlanQuery(*create.query));
  if (!create.columns.empty() && create.columns.size() != root.column_names.size()) {
    return InvalidAt(create.pos, "the view lists ", create.columns.size(), " column names but its query returns ",
                     root.column_names.size());
  }
  if (create.temporary) {
    std::string key = Lower(create.name.parts.back());
    if (create.name.parts.size() != 1) return InvalidAt(create.name.pos, "a temporary view name has no zone");
    if (temp_views_.count(key) && !create.or_replace) {
      if (create.if_not_exists) return StatementResult{};
      return InvalidAt(create.name.pos, "temporary view '", create.name.parts[0], "' already exists");
    }
    temp_views_[key] = sql::ViewDefinition{create.name.parts[0], create.query_text, create.columns};
    return StatementResult{{}, "Created temporary view " + create.name.parts[0]};
  }
  ARROW_ASSIGN_OR_RAISE(auto name, At(create.name.pos, TargetName(create.name)));
  if (create.if_not_exists) {
    ARROW_ASSIGN_OR_RAISE(auto existing, lake_->FindView(name));
    if (existing) return StatementResult{};
  }
  ARROW_RETURN_NOT_OK(At(create.name.pos, lake_->CreateView(name, create.query_text, create.columns, create.or_replace)));
  return StatementResult{{}, "Created view " + name.ToString()};
}

arrow::Result<StatementResult> Session::Impl::Drop(const sql::DropStatement& drop) {
  if (drop.object == sql::DropObject::kSource) return DropSource(drop);
  if (drop.object == sql::DropObject::kView) {
    if (drop.name.parts.size() == 1 && temp_views_.erase(Lower(drop.name.parts[0]))) {
      return StatementResult{{}, "Dropped temporary view " + drop.name.parts[0]};
    }
    ARROW_ASSIGN_OR_RAISE(auto candidates, At(drop.name.pos, Candidates(drop.name.parts)));
    for (const auto& candidate : candidates) {
      ARROW_ASSIGN_OR_RAISE(auto view, lake_->FindView(candidate));
      if (view) {
        ARROW_RETURN_NOT_OK(lake_->DropView(candidate));
        return StatementResult{{}, "Dropped view " + candidate.ToString()};
      }
    }
    if (drop.if_exists) return StatementResult{};
    ARROW_ASSIGN_OR_RAISE(auto table, At(drop.name.pos, FindTable(drop.name.parts)));
    ARROW_ASSIGN_OR_RAISE(auto connector_table, At(drop.name.pos, FindConnectorTable(drop.name.parts)));
    if (table || connector_table) {
      return InvalidAt(drop.name.pos, "'", sql::ToString(drop.name), "' is a table; use DROP TABLE");
    }
    ARROW_ASSIGN_OR_RAISE(auto source, At(drop.name.pos, FindConnectorDefinition(drop.name.parts)));
    if (source) return InvalidAt(drop.name.pos, "'", sql::ToString(drop.name), "' is a source; use DROP SOURCE");
    return InvalidAt(drop.name.pos, "view '", sql::ToString(drop.name), "' not found");
  }
  ARROW_ASSIGN_OR_RAISE(auto location, At(drop.name.pos, FindTable(drop.name.parts)));
  if (!location) {
    ARROW_ASSIGN_OR_RAISE(auto dropped, DropConnectorTable(drop));
    if (dropped) return std::move(*dropped);
    if (drop.if_exists) return StatementResult{};
    ARROW_ASSIGN_OR_RAISE(auto view, At(drop.name.pos, FindView(drop.name.parts)));
    if (view) return InvalidAt(drop.name.pos, "'", sql::ToString(drop.name), "' is a view; use DROP VIEW");
    ARROW_ASSIGN_OR_RAISE(auto source, At(drop.name.pos, FindConnectorDefinition(drop.name.parts)));
    if (source) return InvalidAt(drop.name.pos, "'", sql::ToString(drop.name), "' is a source; use DROP SOURCE");
    return InvalidAt(drop.name.pos, "table '", sql::ToString(drop.name), "' not found");
  }
  if (drop.name.parts.size() == 2 && Lower(drop.name.parts[0]) == "delta") {
    return InvalidAt(drop.name.pos, "DROP TABLE removes lake tables only; delete a table given by path with your file "
                                    "tools");
  }
  auto name = LakeNameOf(*location);
  if (name) {
    ARROW_RETURN_NOT_OK(lake_->DropStatistics(*name));
    ARROW_RETURN_NOT_OK(lake_->DropStreamingQuery(*name));
  }
  ARROW_ASSIGN_OR_RAISE(auto external, At(drop.name.pos, name ? lake_->ExternalLocation(*name)
                                                               : arrow::Result<std::optional<std::string>>(std::nullopt)));
  if (external) {
    // As in Spark, dropping an external table forgets its name and keeps its data.
    ARROW_RETURN_NOT_OK(lake_->UnregisterExternalTable(*name));
    return StatementResult{{}, "Dropped table " + location->display_name + " (its data at " + *external + " is kept)"};
  }
  // A lake table is managed: dropping it removes its data, as for Spark's managed tables.
  ARROW_RETURN_NOT_OK(location->fs->DeleteDir(location->root));
  return StatementResult{{}, "Dropped table " + location->display_name};
}

}  // namespace tidelake
