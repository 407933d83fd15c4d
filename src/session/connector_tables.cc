// Connector tables, Flink's CREATE TABLE t (columns) WITH ('connector' = 'blackhole'): a table
// that is no Delta table but a connector that queries write to (stream/sink_factory.h), so that
// a script written for Flink, NEXMark's `INSERT INTO nexmark_q0 SELECT ...` into a blackhole
// table, runs here as written.
//
// The definition is kept as a source's is (catalog::SourceDefinition, in the zone's .sources
// folder): the connector says which of the two it is. Reading a connector table is refused
// (the binder's FindSource, sources.cc), CREATE SOURCE refuses a sink connector and CREATE
// TABLE ... WITH a source connector, so a definition is always used the way its connector goes.
//
// Writing: a batch INSERT (here) runs its query and writes the rows to the table's sink; an
// INSERT that streams (insert_flow.cc) is stored and run as a streaming INSERT into a Delta
// table is, with its checkpoint at <lake>/_checkpoints/<zone>.<table>/, only its sink differs.
// Both put the query's columns into the table's by the store assignment a Delta INSERT uses
// (store_assignment.h), with the same errors; the types are checked before any row is written.
#include <arrow/api.h>

#include "session/results.h"
#include "session/session_impl.h"
#include "session/store_assignment.h"
#include "sql/ast_printer.h"
#include "stream/sink_factory.h"

namespace tidelake {

using session::At;
using session::InvalidAt;
using session::Lower;

arrow::Result<std::optional<catalog::SourceDefinition>> Session::Impl::FindConnectorDefinition(
    const std::vector<std::string>& name) {
  if (name.size() == 2 && Lower(name[0]) == "delta") return std::nullopt;
  ARROW_ASSIGN_OR_RAISE(auto candidates, Candidates(name));
  for (const auto& candidate : candidates) {
    ARROW_ASSIGN_OR_RAISE(auto definition, lake_->FindSource(candidate));
    if (definition) return definition;
  }
  return std::nullopt;
}

arrow::Result<std::optional<catalog::SourceDefinition>> Session::Impl::FindConnectorTable(
    const std::vector<std::string>& name) {
  ARROW_ASSIGN_OR_RAISE(auto definition, FindConnectorDefinition(name));
  if (!definition || !stream::IsSinkConnector(definition->connector)) return std::nullopt;
  return definition;
}

arrow::Result<StatementResult> Session::Impl::CreateConnectorTable(const sql::CreateTableStatement& create) {
  catalog::SourceDefinition table;
  ARROW_ASSIGN_OR_RAISE(table.name, At(create.name.pos, TargetName(create.name)));
  ARROW_ASSIGN_OR_RAISE(auto with, session::ReadConnectorOptions(create.with_options));
  const auto& by_key = with.by_key;
  const sql::TableProperty* connector = with.connector_option;
  table.connector = std::move(with.connector);
  table.options = std::move(with.options);
  if (connector == nullptr) {
    return InvalidAt(*create.with_pos, "a table WITH (...) needs the option 'connector' = '...' (tidelake writes ",
                     stream::SinkConnectorNames(), ")");
  }
  ARROW_ASSIGN_OR_RAISE(table.columns, session::SchemaOfColumns(create.columns));
  std::string bad_option;
  auto checked = stream::CheckSinkTable(table, &bad_option);
  if (!checked.ok()) {
    auto it = by_key.find(Lower(bad_option));
    return At(it != by_key.end() ? it->second->pos : connector->pos, checked);
  }

  const std::string name = table.name.ToString();
  ARROW_ASSIGN_OR_RAISE(auto existing, At(create.name.pos, lake_->FindSource(table.name)));
  if (existing && stream::IsSinkConnector(existing->connector)) {
    if (create.if_not_exists) return StatementResult{{}, "Table " + name + " exists"};
    return InvalidAt(create.name.pos, "table '", name, "' already exists");
  }
  if (existing) return InvalidAt(create.name.pos, "'", name, "' is a source");
  if (create.if_not_exists) {
    ARROW_ASSIGN_OR_RAISE(auto delta_table, At(create.name.pos, FindTable({table.name.zone, table.name.table})));
    if (delta_table) return StatementResult{{}, "Table " + name + " exists"};
  }
  // The lake refuses a name a Delta table, an external table or a view has.
  ARROW_RETURN_NOT_OK(At(create.name.pos, lake_->CreateSource(table)));
  return StatementResult{{}, "Created table " + name + " (connector '" + table.connector + "')"};
}

arrow::Result<std::optional<StatementResult>> Session::Impl::DropConnectorTable(const sql::DropStatement& drop) {
  ARROW_ASSIGN_OR_RAISE(auto table, At(drop.name.pos, FindConnectorTable(drop.name.parts)));
  if (!table) return std::nullopt;
  // The INSERT that streamed into it and its checkpoint go with it, as a Delta table's do.
  ARROW_RETURN_NOT_OK(At(drop.name.pos, lake_->DropStreamingQuery(table->name)));
  ARROW_RETURN_NOT_OK(At(drop.name.pos, lake_->DropSource(table->name)));
  return StatementResult{{}, "Dropped table " + table->name.ToString()};
}

arrow::Result<StatementResult> Session::Impl::InsertIntoConnectorTable(const sql::InsertStatement& insert,
                                                                       const catalog::SourceDefinition& table) {
  const std::string name = table.name.ToString();
  const std::string keeps = "; " + table.connector + " table '" + name + "' keeps no rows";
  if (insert.overwrite) return InvalidAt(insert.pos, "INSERT OVERWRITE replaces rows", keeps, " (use INSERT INTO)");
  if (insert.replace_where) return InvalidAt(insert.replace_where->pos, "REPLACE WHERE replaces rows", keeps);
  if (!insert.partition.empty()) {
    return InvalidAt(insert.partition[0].pos, table.connector, " table '", name, "' has no partitions");
  }
  ARROW_ASSIGN_OR_RAISE(auto targets,
                        At(insert.table.pos, session::InsertTargets(*table.columns, insert.columns, {}, name)));
  ARROW_ASSIGN_OR_RAISE(auto query, RunQuery(*insert.query));
  ARROW_ASSIGN_OR_RAISE(auto fields, At(insert.query->pos, session::AssignedFields(*query.rows->schema(), targets,
                                                                                  *table.columns, name)));
  ARROW_RETURN_NOT_OK(At(insert.query->pos, session::CheckAssignable(fields, table.columns)));
  ARROW_ASSIGN_OR_RAISE(auto sink, At(insert.table.pos, stream::MakeSink(table)));
  sink = session::AssigningSink(std::move(sink), std::move(fields));
  // Batch by batch, as the query yields them: the rows are never all held at once.
  int64_t written = 0, batch_id = 0;
  while (true) {
    ARROW_ASSIGN_OR_RAISE(auto batch, At(insert.pos, query.rows->Next()));
    if (!batch) break;
    ARROW_ASSIGN_OR_RAISE(auto rows, arrow::Table::FromRecordBatches({batch}));
    auto result = sink->Write("", batch_id++, rows);
    if (!result.ok()) {
      return At(insert.pos, result.status().WithMessage("table ", name, ": ", result.status().message()));
    }
    written += result->rows_written;
  }
  StatementResult result;
  std::vector<std::vector<std::string>> counts{{std::to_string(written), std::to_string(written)}};
  ARROW_ASSIGN_OR_RAISE(result.rows, (session::StringRows({"num_affected_rows", "num_inserted_rows"}, counts)));
  return result;
}

}  // namespace tidelake
