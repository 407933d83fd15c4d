// CREATE [OR REFRESH] STREAMING TABLE t AS query, and REFRESH STREAMING TABLE t: a Delta table
// kept up to date by a streaming query over the STREAM(...) tables and the sources (CREATE
// SOURCE, read through stream::MakeSource) its query reads.
//
// The query is stored with the table (catalog::Lake::WriteStreamingQuery) and its progress in
// the table's checkpoint directory; each refresh runs it with the available-now trigger
// (stream::MicroBatchRunner): every batch reads the rows appended to each STREAM source since
// the previous batch, runs the query's plan over them in batch mode (the STREAM scans replaced
// by those rows), and appends the result to t exactly once.
//
// Running the plan batch by batch is exact only for stateless queries: filters, projections,
// UNION ALL, and joins of a stream (on the left) with tables. A query that would need state
// across batches (aggregation, DISTINCT, ORDER BY, LIMIT, window functions, stream-stream
// joins) is refused when it is created, naming what needs state.
#include <arrow/api.h>

#include "common/clock.h"
#include "delta/table.h"
#include "plan/optimizer.h"
#include "session/results.h"
#include "session/session_impl.h"
#include "sql/ast_printer.h"
#include "sql/parser.h"
#include "stream/checkpoint.h"
#include "stream/delta_source.h"
#include "stream/micro_batch.h"
#include "stream/sink.h"
#include "stream/source_factory.h"

namespace tidelake {

using session::At;
using session::InvalidAt;

namespace {

arrow::Status NeedsState(const sql::SourcePos& pos, const std::string& what) {
  return InvalidAt(pos, "a streaming table's query cannot use ", what,
                   " over a STREAM source yet: it needs state kept across batches. Supported: filters, projections, "
                   "UNION ALL and joins of a stream (left) with tables");
}

// Checks that `node` gives the same rows batch by batch as over all rows at once; sets
// `*streams` when it reads a STREAM source. The scans found are appended to `scans`.
arrow::Status CheckStateless(const plan::NodePtr& node, const sql::SourcePos& pos, bool* streams,
                             std::vector<const plan::TableScanNode*>* scans) {
  using plan::NodeKind;
  *streams = false;
  std::vector<bool> input_streams;
  for (const auto& input : node->inputs) {
    bool s = false;
    ARROW_RETURN_NOT_OK(CheckStateless(input, pos, &s, scans));
    input_streams.push_back(s);
    *streams = *streams || s;
  }
  switch (node->kind) {
    case NodeKind::kTableScan: {
      const auto& scan = node->As<plan::TableScanNode>();
      if (scan.streaming) {
        *streams = true;
        scans->push_back(&scan);
      }
      return arrow::Status::OK();
    }
    case NodeKind::kSourceScan:
      *streams = true;
      return arrow::Status::OK();
    case NodeKind::kFileScan:
    case NodeKind::kValues:
    case NodeKind::kFilter:
    case NodeKind::kProject:
      return arrow::Status::OK();
    case NodeKind::kJoin: {
      const auto& join = node->As<plan::JoinNode>();
      if (input_streams[1]) return NeedsState(pos, "a join whose right side reads a stream");
      if (input_streams[0] && (join.type == plan::JoinType::kRight || join.type == plan::JoinType::kFull)) {
        return NeedsState(pos, "a RIGHT or FULL OUTER join");
      }
      return arrow::Status::OK();
    }
    case NodeKind::kSetOperation: {
      const auto& set = node->As<plan::SetOperationNode>();
      if (*streams && !(set.op == plan::SetOpKind::kUnion && set.all)) {
        return NeedsState(pos, "UNION, INTERSECT or EXCEPT without ALL");
      }
      return arrow::Status::OK();
    }
    case NodeKind::kAggregate:
      return *streams ? NeedsState(pos, "aggregation (GROUP BY, DISTINCT or an aggregate function)")
                      : arrow::Status::OK();
    case NodeKind::kSort:
      return *streams ? NeedsState(pos, "ORDER BY") : arrow::Status::OK();
    case NodeKind::kLimit:
      return *streams ? NeedsState(pos, "LIMIT or OFFSET") : arrow::Status::OK();
    case NodeKind::kWindow:
      return *streams ? NeedsState(pos, "a window function") : arrow::Status::OK();
  }
  return arrow::Status::OK();
}

// The source scans under `node`.
void CollectSources(const plan::NodePtr& node, std::vector<const plan::SourceScanNode*>* out) {
  if (node->kind == plan::NodeKind::kSourceScan) out->push_back(&node->As<plan::SourceScanNode>());
  for (const auto& input : node->inputs) CollectSources(input, out);
}

// `node` with each STREAM scan and source scan replaced by the rows its source read in this batch.
arrow::Result<plan::NodePtr> Substitute(const plan::NodePtr& node,
                                        const std::map<const plan::LogicalNode*, std::shared_ptr<arrow::Table>>& rows) {
  if (node->kind == plan::NodeKind::kSourceScan) {
    auto it = rows.find(node.get());
    return it == rows.end() ? node : session::SourceRows(node->As<plan::SourceScanNode>(), it->second);
  }
  if (node->kind == plan::NodeKind::kTableScan) {
    auto it = rows.find(node.get());
    if (it == rows.end()) return node;
    const auto& scan = node->As<plan::TableScanNode>();
    arrow::ChunkedArrayVector columns;
    for (const auto& column : scan.columns) {
      auto values = it->second->GetColumnByName(column);
      if (!values) return arrow::Status::Invalid("internal error: the stream of ", scan.table_name, " has no column ", column);
      columns.push_back(std::move(values));
    }
    auto values = std::make_shared<plan::ValuesNode>();
    values->schema = scan.schema;
    values->rows = arrow::Table::Make(scan.schema, std::move(columns), it->second->num_rows());
    return plan::NodePtr(std::move(values));
  }
  std::vector<plan::NodePtr> inputs;
  bool changed = false;
  for (const auto& input : node->inputs) {
    ARROW_ASSIGN_OR_RAISE(auto substituted, Substitute(input, rows));
    changed = changed || substituted != input;
    inputs.push_back(std::move(substituted));
  }
  return changed ? plan::WithInputs(*node, std::move(inputs)) : node;
}

}  // namespace

arrow::Result<StatementResult> Session::Impl::CreateStreamingTable(const sql::CreateTableStatement& create) {
  if (create.location) return InvalidAt(create.pos, "a streaming table lives in the lake; LOCATION is not supported");
  ARROW_ASSIGN_OR_RAISE(auto name, At(create.name.pos, TargetName(create.name)));
  // Bind now, so that a query that cannot stream is refused before anything is created.
  const std::string sql = sql::ToString(*create.as_query);
  ARROW_RETURN_NOT_OK(PlanStreamingQuery(*create.as_query, create.as_query->pos).status());
  ARROW_ASSIGN_OR_RAISE(auto location, At(create.name.pos, NewTableLocation(create.name)));
  ARROW_ASSIGN_OR_RAISE(bool exists, delta::DeltaTable::Exists(location));
  if (exists && !create.or_refresh) {
    return InvalidAt(create.name.pos, "table '", location.display_name,
                     "' already exists (use CREATE OR REFRESH STREAMING TABLE to keep refreshing it)");
  }
  if (exists) {
    ARROW_ASSIGN_OR_RAISE(auto stored, At(create.name.pos, lake_->ReadStreamingQuery(name)));
    if (!stored) {
      return InvalidAt(create.name.pos, "table '", location.display_name, "' exists and is not a streaming table");
    }
    ARROW_RETURN_NOT_OK(At(create.name.pos, lake_->WriteStreamingQuery(name, sql)));
  } else {
    // The query first: a process killed between the two steps leaves a definition without a
    // table, which the next CREATE completes (never a table that forgot its query).
    ARROW_RETURN_NOT_OK(At(create.name.pos, lake_->WriteStreamingQuery(name, sql)));
    auto created = CreateTable(create);  // empty, with the query's columns
    if (!created.ok()) {
      ARROW_RETURN_NOT_OK(lake_->DropStreamingQuery(name));
      return created.status();
    }
  }
  return RefreshStreamingTable(name, create.name.pos);
}

arrow::Result<StatementResult> Session::Impl::Refresh(const sql::RefreshStatement& refresh) {
  ARROW_ASSIGN_OR_RAISE(auto name, At(refresh.table.pos, TargetName(refresh.table)));
  return RefreshStreamingTable(name, refresh.table.pos);
}

arrow::Result<Session::Impl::StreamingPlan> Session::Impl::PlanStreamingQuery(const sql::Query& query,
                                                                               const sql::SourcePos& pos) {
  sql::Binder binder(this, plan::FunctionContext{NowMillis() * 1000});
  StreamingPlan out;
  ARROW_ASSIGN_OR_RAISE(out.root, binder.BindQuery(query));
  bool streams = false;
  ARROW_RETURN_NOT_OK(CheckStateless(out.root.node, pos, &streams, &out.scans));
  CollectSources(out.root.node, &out.sources);
  if (out.scans.empty() && out.sources.empty()) {
    return InvalidAt(pos, "a streaming table's query must read at least one STREAM(table) source or a source made with "
                          "CREATE SOURCE");
  }
  for (size_t i = 0; i < out.sources.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (out.sources[i]->definition->name.ToString() == out.sources[j]->definition->name.ToString()) {
        return InvalidAt(pos, "source ", out.sources[i]->definition->name.ToString(),
                         " is read twice in one streaming query");
      }
    }
  }
  for (size_t i = 0; i < out.scans.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (out.scans[i]->snapshot->location().root == out.scans[j]->snapshot->location().root) {
        return InvalidAt(pos, "STREAM(", out.scans[i]->table_name, ") is read twice in one streaming query");
      }
    }
  }
  return out;
}

arrow::Result<std::unique_ptr<stream::MicroBatchRunner>> Session::Impl::StreamingRunner(const catalog::TableName& name,
                                                                                        const sql::SourcePos& pos) {
  ARROW_ASSIGN_OR_RAISE(auto stored, At(pos, lake_->ReadStreamingQuery(name)));
  if (!stored) return InvalidAt(pos, "'", name.ToString(), "' is not a streaming table");
  ARROW_ASSIGN_OR_RAISE(auto statement, sql::ParseStatement(*stored));
  if (statement->kind != sql::StatementKind::kQuery) {
    return InvalidAt(pos, "the stored query of streaming table '", name.ToString(), "' is not a query");
  }
  const sql::Query& query = *statement->As<sql::QueryStatement>().query;
  auto planned = PlanStreamingQuery(query, query.pos);
  if (!planned.ok()) {
    // Positions in the message are in the stored query, which the message shows.
    return InvalidAt(pos, "the query of streaming table '", name.ToString(), "' no longer binds (did a source change?): ",
                     planned.status().message(), " in: ", *stored);
  }
  StreamingPlan plan = std::move(*planned);

  std::vector<std::unique_ptr<stream::Source>> sources;
  std::map<std::string, const plan::LogicalNode*> scan_of_source;
  for (const auto* scan : plan.scans) {
    ARROW_ASSIGN_OR_RAISE(auto source,
                          At(pos, stream::DeltaSource::Make(scan->table_name, scan->snapshot->location(), {})));
    scan_of_source[scan->table_name] = scan;
    sources.push_back(std::move(source));
  }
  for (const auto* scan : plan.sources) {
    const std::string key = scan->definition->name.ToString();
    ARROW_ASSIGN_OR_RAISE(auto source, At(pos, stream::MakeSource(*scan->definition, key)));
    scan_of_source[key] = scan;
    sources.push_back(std::move(source));
  }
  ARROW_ASSIGN_OR_RAISE(auto target, At(pos, lake_->Resolve(name.ToString())));
  ARROW_ASSIGN_OR_RAISE(auto checkpoint,
                        At(pos, stream::Checkpoint::Open(lake_->root().fs, lake_->CheckpointDir(name))));
  const exec::ExecOptions exec_options = ExecutionOptions();
  // The plan (and so the scans the map points into) lives in the transform.
  auto transform = [root = plan.root, scan_of_source, exec_options](
                       const std::map<std::string, std::shared_ptr<arrow::Table>>& inputs)
      -> arrow::Result<std::shared_ptr<arrow::Table>> {
    std::map<const plan::LogicalNode*, std::shared_ptr<arrow::Table>> rows;
    for (const auto& [source, table] : inputs) rows[scan_of_source.at(source)] = table;
    plan::PlanRoot batch = root;
    ARROW_ASSIGN_OR_RAISE(batch.node, Substitute(root.node, rows));
    ARROW_ASSIGN_OR_RAISE(batch, plan::Optimize(std::move(batch)));
    ARROW_ASSIGN_OR_RAISE(auto reader, exec::Execute(batch, exec_options));
    ARROW_ASSIGN_OR_RAISE(auto table, reader->ToTable());
    return table->RenameColumns(batch.column_names);
  };
  return stream::MicroBatchRunner::Make(std::move(sources), transform, std::make_unique<stream::DeltaAppendSink>(target),
                                        std::move(checkpoint));
}

arrow::Result<StatementResult> Session::Impl::RefreshStreamingTable(const catalog::TableName& name,
                                                                     const sql::SourcePos& pos) {
  ARROW_ASSIGN_OR_RAISE(auto runner, StreamingRunner(name, pos));
  int64_t batches = 0, read = 0, written = 0;
  ARROW_RETURN_NOT_OK(At(pos, runner->Run(stream::Trigger{stream::TriggerKind::kAvailableNow},
                                          [&](const stream::BatchProgress& p) {
                                            ++batches;
                                            read += p.input_rows;
                                            written += p.write_skipped ? 0 : p.output_rows;
                                          })));
  return StatementResult{{}, "Refreshed streaming table " + name.ToString() + ": " + std::to_string(batches) +
                                 (batches == 1 ? " batch, " : " batches, ") + std::to_string(read) + " rows read, " +
                                 std::to_string(written) + " rows written"};
}

arrow::Status Session::Impl::RunStreamingTable(const std::string& name, const StreamingRun& run,
                                               const std::function<void(const StreamingBatch&)>& on_batch,
                                               const std::atomic<bool>* stop) {
  // zone.table, or a table of the current zone (TargetName checks the parts).
  sql::ObjectName object;
  const size_t dot = name.find('.');
  object.parts = dot == std::string::npos ? std::vector<std::string>{name}
                                          : std::vector<std::string>{name.substr(0, dot), name.substr(dot + 1)};
  ARROW_ASSIGN_OR_RAISE(auto table, TargetName(object));
  ARROW_ASSIGN_OR_RAISE(auto runner, StreamingRunner(table, sql::SourcePos{}));
  stream::Trigger trigger;
  trigger.interval_ms = run.interval_ms;
  switch (run.trigger) {
    case StreamingRun::Trigger::kProcessingTime: trigger.kind = stream::TriggerKind::kProcessingTime; break;
    case StreamingRun::Trigger::kOnce: trigger.kind = stream::TriggerKind::kOnce; break;
    case StreamingRun::Trigger::kAvailableNow: trigger.kind = stream::TriggerKind::kAvailableNow; break;
  }
  return runner->Run(
      trigger,
      [&](const stream::BatchProgress& p) {
        if (on_batch) {
          on_batch(StreamingBatch{p.batch_id, p.recovered, p.input_rows, p.output_rows, p.write_skipped, p.duration_ms});
        }
      },
      stop);
}

}  // namespace tidelake
