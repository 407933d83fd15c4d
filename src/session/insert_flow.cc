// INSERT INTO t [(columns)] SELECT ... FROM STREAM(...): a query that streams into an existing
// table, as Spark's `readStream ... writeStream.toTable(t)` and Flink's `INSERT INTO sink
// SELECT ... FROM source` do. The statement is stored with the table (as a streaming table's
// query is), and each run appends, exactly once, what arrived since the last: running it
// again, or `tidelake stream run` on a script holding it, continues where it stopped, from the
// table's checkpoint (<lake>/_checkpoints/<zone>.<table>/).
//
// An INSERT streams when its query reads STREAM(table) or STREAM(source); in streaming runtime
// mode (SET execution.runtime-mode = streaming, Flink's setting, which `stream run` sets) also
// when it reads a source declared with CREATE SOURCE by name. Its rows go into the table's
// columns by Spark's store assignment (store_assignment.h), as a batch INSERT's do.
//
// Refused, with the reason: INSERT OVERWRITE, REPLACE WHERE and PARTITION clauses (a stream
// appends); a query whose results are upserts (an aggregation without a window: use CREATE
// STREAMING TABLE, whose table the query owns); a table given by path (its checkpoint lives in
// the lake); a streaming table, which its own query keeps. One streaming INSERT feeds a table:
// running a different one replaces it, and the checkpoint's state refuses a query it does not
// fit.
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
  return false;
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
  ARROW_ASSIGN_OR_RAISE(auto location, RequireTable(insert.table));
  if (!LakeNameOf(location)) {
    return InvalidAt(insert.table.pos, why, " to a table of the lake, whose checkpoint it keeps; '",
                     location.display_name, "' is given by path");
  }
  InsertFlowPlan out;
  ARROW_ASSIGN_OR_RAISE(out.plan, PlanStreamingQuery(*insert.query, insert.query->pos));
  if (out.plan.upserts) {
    return InvalidAt(insert.query->pos, why, "; an aggregation without a window updates its groups' results as rows "
                                         "arrive: keep it in a table of its own with CREATE STREAMING TABLE");
  }
  ARROW_ASSIGN_OR_RAISE(auto snapshot, At(insert.table.pos, delta::Snapshot::Load(location)));
  auto table_schema = snapshot->schema();
  ARROW_ASSIGN_OR_RAISE(auto targets, At(insert.table.pos, session::InsertTargets(*table_schema, insert.columns, {},
                                                                                  location.display_name)));
  ARROW_ASSIGN_OR_RAISE(out.fields, At(insert.query->pos, session::AssignedFields(*out.plan.root.node->schema, targets,
                                                                                 *table_schema, location.display_name)));
  return out;
}

arrow::Result<StatementResult> Session::Impl::InsertFromStream(const sql::InsertStatement& insert) {
  ARROW_ASSIGN_OR_RAISE(auto planned, PlanInsertFlow(insert));
  ARROW_ASSIGN_OR_RAISE(auto location, RequireTable(insert.table));
  const catalog::TableName name = *LakeNameOf(location);
  ARROW_ASSIGN_OR_RAISE(auto stored, StoredStreamingStatement(name, insert.table.pos));
  if (stored && stored->kind != sql::StatementKind::kInsert) {
    return InvalidAt(insert.table.pos, "'", name.ToString(), "' is a streaming table, kept by its own query; insert "
                     "into another table, or add this stream to its query with UNION ALL");
  }
  ARROW_RETURN_NOT_OK(EnsureLateTable(name, planned.plan.late_schema, insert.table.pos));
  ARROW_RETURN_NOT_OK(At(insert.table.pos, lake_->WriteStreamingQuery(name, sql::ToString(insert))));
  return RefreshStreamingTable(name, insert.table.pos);
}

}  // namespace tidelake
