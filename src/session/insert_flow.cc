// INSERT INTO t [(columns)] SELECT ... FROM STREAM(...): a query that streams into an existing
// table, as Spark's `readStream ... writeStream.toTable(t)` and Flink's `INSERT INTO sink
// SELECT ... FROM source` do. The statement is stored with the table (as a streaming table's
// query is), and each run appends, exactly once, what arrived since the last: running it
// again, or `tidelake stream run` on a script holding it, continues where it stopped, from the
// table's checkpoint (<lake>/_checkpoints/<zone>.<table>/).
//
// An INSERT streams when its query reads STREAM(table) or STREAM(source); in streaming runtime
// mode (SET execution.runtime-mode = streaming, Flink's setting, which `stream run` sets) also
// when it reads a source declared with CREATE SOURCE by name, directly or through a view. Its
// rows go into the table's columns by Spark's store assignment (store_assignment.h), as a batch
// INSERT's do.
//
// Refused, with the reason: INSERT OVERWRITE, REPLACE WHERE and PARTITION clauses (a stream
// appends); a query whose results are upserts (an aggregation without a window: use CREATE
// STREAMING TABLE, whose table the query owns); a table given by path (its checkpoint lives in
// the lake); a streaming table, which its own query keeps. One streaming INSERT feeds a table:
// running a different one replaces it, and the checkpoint's state refuses a query it does not
// fit.
//
// The table may also be a connector table (connector_tables.cc: CREATE TABLE t (..) WITH
// ('connector' = 'blackhole'), as Flink's NEXMark writes): the INSERT is stored and run the
// same way, checkpoint included, with the connector's sink in place of the Delta writer. Such a
// table keeps no rows, so it also takes an aggregation's updated results, and has no late table.
#include <functional>

#include "common/clock.h"
#include "common/strings.h"
#include "delta/table.h"
#include "session/results.h"
#include "session/session_impl.h"
#include "session/store_assignment.h"
#include "sql/ast_printer.h"
#include "sql/table_references.h"
#include "stream/sink.h"

namespace tidelake {

using session::At;
using session::InvalidAt;

namespace {

// Flink's execution.runtime-mode: 'streaming' or 'batch' (the session's default).
constexpr const char* kRuntimeMode = "execution.runtime-mode";

}  // namespace

arrow::Result<bool> Session::Impl::InsertStreams(const sql::InsertStatement& insert) {
  const auto tables = sql::FromTables(*insert.query);
  for (const auto* table : tables) {
    if (table->streaming) return true;
  }
  auto mode = Get(kRuntimeMode);
  if (!mode || Lower(*mode) == "batch") return false;
  if (Lower(*mode) != "streaming") {
    return InvalidAt(insert.pos, kRuntimeMode, " must be 'streaming' or 'batch', got '", *mode, "'");
  }
  std::set<std::string> ctes;
  for (const auto& cte : insert.query->with) ctes.insert(Lower(cte.name));
  for (const auto* table : tables) {
    if (table->name.parts.size() == 1 && ctes.count(Lower(table->name.parts[0]))) continue;
    ARROW_ASSIGN_OR_RAISE(auto source, At(table->pos, FindSource(table->name.parts)));
    if (source) return true;
  }
  // A source read through a view (NEXMark's `bid` over `events`): the bound query says.
  sql::Binder binder(this, plan::FunctionContext{NowMillis() * 1000});
  ARROW_ASSIGN_OR_RAISE(auto root, binder.BindQuery(*insert.query));
  std::function<bool(const plan::NodePtr&)> reads_source = [&](const plan::NodePtr& node) {
    if (node->kind == plan::NodeKind::kSourceScan) return true;
    for (const auto& input : node->inputs) {
      if (reads_source(input)) return true;
    }
    return false;
  };
  return reads_source(root.node);
}

arrow::Result<Session::Impl::InsertFlowPlan> Session::Impl::PlanInsertFlow(const sql::InsertStatement& insert) {
  const std::string why = "an INSERT that reads a stream appends the rows that arrive";
  if (insert.overwrite) {
    return InvalidAt(insert.pos, why, "; INSERT OVERWRITE replaces rows (read the tables without STREAM(...) to "
                                      "overwrite once)");
  }
  if (insert.replace_where) return InvalidAt(insert.replace_where->pos, why, "; REPLACE WHERE replaces rows");
  if (!insert.partition.empty()) {
    return InvalidAt(insert.partition[0].pos, why, "; give partition values as columns of its query, not in a "
                                                   "PARTITION clause");
  }
  InsertFlowPlan out;
  ARROW_ASSIGN_OR_RAISE(out.connector_table, At(insert.table.pos, FindConnectorTable(insert.table.parts)));
  std::shared_ptr<arrow::Schema> table_schema;
  std::string table_name;
  if (out.connector_table) {
    table_schema = out.connector_table->columns;
    table_name = out.connector_table->name.ToString();
  } else {
    ARROW_ASSIGN_OR_RAISE(auto location, RequireTable(insert.table));
    if (!LakeNameOf(location)) {
      return InvalidAt(insert.table.pos, why, " to a table of the lake, whose checkpoint it keeps; '",
                       location.display_name, "' is given by path");
    }
    ARROW_ASSIGN_OR_RAISE(auto snapshot, At(insert.table.pos, delta::Snapshot::Load(location)));
    table_schema = snapshot->schema();
    table_name = location.display_name;
  }
  ARROW_ASSIGN_OR_RAISE(out.plan, PlanStreamingQuery(*insert.query, insert.query->pos));
  // A connector table keeps no rows, so each group's updated result may go to it as a row, as
  // Flink's blackhole takes a changelog.
  if (out.plan.upserts && !out.connector_table) {
    return InvalidAt(insert.query->pos, why, "; an aggregation without a window updates its groups' results as rows "
                                         "arrive: keep it in a table of its own with CREATE STREAMING TABLE");
  }
  ARROW_ASSIGN_OR_RAISE(auto targets, At(insert.table.pos, session::InsertTargets(*table_schema, insert.columns, {},
                                                                                  table_name)));
  ARROW_ASSIGN_OR_RAISE(out.fields, At(insert.query->pos, session::AssignedFields(*out.plan.root.node->schema, targets,
                                                                                 *table_schema, table_name)));
  // A Delta table checks the types as it writes; a connector table's sink would only as rows come.
  if (out.connector_table) {
    ARROW_RETURN_NOT_OK(At(insert.query->pos, session::CheckAssignable(out.fields, table_schema)));
  }
  return out;
}

arrow::Result<StatementResult> Session::Impl::InsertFromStream(const sql::InsertStatement& insert) {
  ARROW_ASSIGN_OR_RAISE(auto planned, PlanInsertFlow(insert));
  catalog::TableName name;
  if (planned.connector_table) {
    name = planned.connector_table->name;
  } else {
    ARROW_ASSIGN_OR_RAISE(auto location, RequireTable(insert.table));
    name = *LakeNameOf(location);
  }
  ARROW_ASSIGN_OR_RAISE(auto stored, StoredStreamingStatement(name, insert.table.pos));
  if (stored && stored->kind != sql::StatementKind::kInsert) {
    return InvalidAt(insert.table.pos, "'", name.ToString(), "' is a streaming table, kept by its own query; insert "
                     "into another table, or add this stream to its query with UNION ALL");
  }
  if (!planned.connector_table) ARROW_RETURN_NOT_OK(EnsureLateTable(name, planned.plan.late_schema, insert.table.pos));
  ARROW_RETURN_NOT_OK(At(insert.table.pos, lake_->WriteStreamingQuery(name, sql::ToString(insert))));
  return RefreshStreamingTable(name, insert.table.pos);
}

}  // namespace tidelake
