// CREATE [OR REFRESH] STREAMING TABLE t AS query, and REFRESH STREAMING TABLE t: a Delta table
// kept up to date by a streaming query over the STREAM(...) tables and the sources declared with
// CREATE SOURCE (made by stream::MakeSource) its query reads.
//
// The query is stored with the table (catalog::Lake::WriteStreamingQuery) and its progress in
// the table's checkpoint directory; each refresh runs it with the available-now trigger
// (stream::MicroBatchRunner): every batch reads the rows that arrived in each source since
// the previous batch and runs the query over them incrementally (stream::IncrementalQuery:
// stateless operators batch by batch; an aggregation grouped by an event-time window keeps
// rows until the watermark closes their windows, then writes each window's result once; an
// aggregation without a window keeps each group's result and upserts the groups a batch
// changed; an inner join of two streams keeps both sides' rows, pruned by event time when its
// condition bounds it), and writes the result to t exactly once. Queries that would need other
// state are refused when they are created, naming what needs state. A table streamed twice in
// one query (a self-join) is one source whose rows each batch gives to both scans. A streaming
// INSERT into a table (insert_flow.cc) is stored and run the same way, with its rows put into
// the table's columns (session::AssigningSink); a streaming INSERT into a connector table
// (connector_tables.cc) runs the same way into the connector's sink.
#include <arrow/api.h>

#include "common/clock.h"
#include "common/strings.h"
#include "delta/interval.h"
#include "delta/table.h"
#include "plan/optimizer.h"
#include "session/results.h"
#include "session/session_impl.h"
#include "session/store_assignment.h"
#include "sql/ast_printer.h"
#include "sql/parser.h"
#include "stream/checkpoint.h"
#include "stream/delta_source.h"
#include "stream/incremental_query.h"
#include "stream/micro_batch.h"
#include "stream/sink.h"
#include "stream/sink_factory.h"
#include "stream/source_factory.h"

namespace tidelake {

using session::At;
using session::InvalidAt;

namespace {

// What a windowed streaming table does with late rows: TBLPROPERTIES ('tidelake.lateEvents' =
// 'drop' | 'table'). With 'table' they go to <table>_late, with the reason.
constexpr const char* kLateEvents = "tidelake.lateEvents";

// The idle timeout of every source of a query that declares none itself (Flink's setting).
constexpr const char* kIdleTimeout = "table.exec.source.idle-timeout";

// Where a query's keyed state lives (stream/keyed_rows.h). Flink's 'state.backend.type':
// 'hashmap' keeps it in memory whatever its size, 'rocksdb' in RocksDB from the first row.
// Otherwise it starts in memory and moves to RocksDB beyond 'tidelake.state.memory-budget'.
constexpr const char* kStateBackend = "state.backend.type";
constexpr const char* kStateMemoryBudget = "tidelake.state.memory-budget";

// The state budget the settings `backend` (kStateBackend) and `budget` (kStateMemoryBudget) give.
arrow::Result<stream::StateBudget> StateBudgetOf(const std::optional<std::string>& backend,
                                                 const std::optional<std::string>& budget) {
  stream::StateBudget out;
  if (backend) {
    const std::string type = Lower(*backend);
    if (type != "hashmap" && type != "rocksdb") {
      return arrow::Status::Invalid("setting ", kStateBackend, " must be 'hashmap' or 'rocksdb', got '", *backend, "'");
    }
    out.memory_bytes = type == "rocksdb" ? 0 : -1;
    out.memory_bytes_source = std::string("SET ") + kStateBackend + " = " + type;
  } else if (budget) {
    auto bytes = ParseByteSize(*budget);
    if (!bytes.ok()) return arrow::Status::Invalid("setting ", kStateMemoryBudget, ": ", bytes.status().message());
    out.memory_bytes = *bytes;
    out.memory_bytes_source = std::string("SET ") + kStateMemoryBudget + " = " + *budget;
  }
  return out;
}

sql::ObjectName LateTableName(const catalog::TableName& name) {
  sql::ObjectName late;
  late.parts = {name.zone, name.table + "_late"};
  return late;
}

}  // namespace

arrow::Result<StatementResult> Session::Impl::CreateStreamingTable(const sql::CreateTableStatement& create) {
  if (create.location) return InvalidAt(create.pos, "a streaming table lives in the lake; LOCATION is not supported");
  ARROW_ASSIGN_OR_RAISE(auto name, At(create.name.pos, TargetName(create.name)));
  // Bind now, so that a query that cannot stream is refused before anything is created.
  const std::string sql = sql::ToString(*create.as_query);
  ARROW_ASSIGN_OR_RAISE(auto planned, PlanStreamingQuery(*create.as_query, create.as_query->pos));
  ARROW_RETURN_NOT_OK(At(create.pos, StateBudgetOf(Get(kStateBackend), Get(kStateMemoryBudget)).status()));
  bool late_table = false;
  for (const auto& property : create.properties) {
    if (property.key != kLateEvents) continue;
    if (property.value != "drop" && property.value != "table") {
      return InvalidAt(property.pos, kLateEvents, " must be 'drop' or 'table', got '", property.value, "'");
    }
    late_table = property.value == "table";
    if (late_table && !planned.late_schema) {
      return InvalidAt(property.pos, "only a query grouped by an event-time window, joining two streams or "
                       "deduplicating by event time has late rows; remove ", kLateEvents);
    }
  }
  ARROW_ASSIGN_OR_RAISE(auto location, At(create.name.pos, NewTableLocation(create.name)));
  ARROW_ASSIGN_OR_RAISE(bool exists, delta::DeltaTable::Exists(location));
  if (exists && !create.or_refresh) {
    return InvalidAt(create.name.pos, "table '", location.display_name,
                     "' already exists (use CREATE OR REFRESH STREAMING TABLE to keep refreshing it)");
  }
  if (exists) {
    ARROW_ASSIGN_OR_RAISE(auto stored, StoredStreamingStatement(name, create.name.pos));
    if (!stored) {
      return InvalidAt(create.name.pos, "table '", location.display_name, "' exists and is not a streaming table");
    }
    if (stored->kind != sql::StatementKind::kQuery) {
      return InvalidAt(create.name.pos, "table '", location.display_name, "' is fed by a streaming INSERT (",
                       sql::ToString(*stored), "); it is not a streaming table with a query of its own");
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
  if (late_table) ARROW_RETURN_NOT_OK(EnsureLateTable(name, planned.late_schema, create.name.pos));
  return RefreshStreamingTable(name, create.name.pos);
}

arrow::Status Session::Impl::EnsureLateTable(const catalog::TableName& name,
                                             const std::shared_ptr<arrow::Schema>& late_schema,
                                             const sql::SourcePos& pos) {
  if (!late_schema) return arrow::Status::OK();  // a query without late rows
  ARROW_ASSIGN_OR_RAISE(auto location, At(pos, lake_->Resolve(name.ToString())));
  ARROW_ASSIGN_OR_RAISE(auto table, At(pos, delta::DeltaTable::Open(location)));
  ARROW_ASSIGN_OR_RAISE(auto snapshot, At(pos, table->Latest()));
  const auto& configuration = snapshot->metadata().configuration;
  if (auto it = configuration.find(kLateEvents); it == configuration.end() || it->second != "table") {
    return arrow::Status::OK();
  }
  ARROW_ASSIGN_OR_RAISE(auto late_location, At(pos, NewTableLocation(LateTableName(name))));
  ARROW_ASSIGN_OR_RAISE(bool late_exists, delta::DeltaTable::Exists(late_location));
  if (late_exists) return arrow::Status::OK();
  delta::CreateOptions options;
  options.schema = late_schema;
  options.description = "late rows of streaming table " + name.ToString();
  return At(pos, delta::DeltaTable::Create(late_location, options).status());
}

arrow::Result<std::unique_ptr<sql::Statement>> Session::Impl::StoredStreamingStatement(const catalog::TableName& name,
                                                                                      const sql::SourcePos& pos) {
  ARROW_ASSIGN_OR_RAISE(auto stored, At(pos, lake_->ReadStreamingQuery(name)));
  if (!stored) return nullptr;
  auto statement = sql::ParseStatement(*stored);
  if (!statement.ok() || ((*statement)->kind != sql::StatementKind::kQuery &&
                          (*statement)->kind != sql::StatementKind::kInsert)) {
    return InvalidAt(pos, "the stored query of streaming table '", name.ToString(), "' is not a query or an INSERT: ",
                     *stored);
  }
  return std::move(*statement);
}

arrow::Result<StatementResult> Session::Impl::RunSelectInto(const sql::Query& query, const sql::ObjectName& into) {
  // Errors first against the statement as written, so that their positions are the user's.
  ARROW_RETURN_NOT_OK(PlanStreamingQuery(query, query.pos).status());
  const std::string sql = "CREATE OR REFRESH STREAMING TABLE " + sql::ToString(into) + " AS " + sql::ToString(query);
  ARROW_ASSIGN_OR_RAISE(auto statement, sql::ParseStatement(sql));
  return CreateStreamingTable(statement->As<sql::CreateTableStatement>());
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
  std::map<const plan::LogicalNode*, std::string> streams;
  std::function<void(const plan::NodePtr&)> find = [&](const plan::NodePtr& node) {
    if (node->kind == plan::NodeKind::kTableScan && node->As<plan::TableScanNode>().streaming) {
      out.scans.push_back(&node->As<plan::TableScanNode>());
      streams[node.get()] = node->As<plan::TableScanNode>().table_name;
    }
    if (node->kind == plan::NodeKind::kSourceScan) {
      out.sources.push_back(&node->As<plan::SourceScanNode>());
      streams[node.get()] = out.sources.back()->definition->name.ToString();
    }
    for (const auto& input : node->inputs) find(input);
  };
  find(out.root.node);
  auto incremental = stream::IncrementalQuery::Make(out.root, std::move(streams), ExecutionOptions());
  if (!incremental.ok()) return InvalidAt(pos, incremental.status().message());
  out.late_schema = (*incremental)->late_schema();
  out.upserts = (*incremental)->output_mode() == stream::IncrementalQuery::OutputMode::kUpdate;
  if (out.scans.empty() && out.sources.empty()) {
    return InvalidAt(pos, "a streaming table's query must read at least one STREAM(table) source or a source made "
                          "with CREATE SOURCE");
  }
  return out;
}

arrow::Result<std::unique_ptr<stream::MicroBatchRunner>> Session::Impl::StreamingRunner(const catalog::TableName& name,
                                                                                        const sql::SourcePos& pos) {
  ARROW_ASSIGN_OR_RAISE(auto statement, StoredStreamingStatement(name, pos));
  if (!statement) return InvalidAt(pos, "'", name.ToString(), "' is not a streaming table");
  // A streaming table's own query, or a streaming INSERT into the table (insert_flow.cc).
  const auto* insert =
      statement->kind == sql::StatementKind::kInsert ? &statement->As<sql::InsertStatement>() : nullptr;
  arrow::FieldVector insert_fields;
  std::optional<catalog::SourceDefinition> connector_table;  // a streaming INSERT into one
  auto planned = [&]() -> arrow::Result<StreamingPlan> {
    if (insert == nullptr) {
      const sql::Query& query = *statement->As<sql::QueryStatement>().query;
      return PlanStreamingQuery(query, query.pos);
    }
    ARROW_ASSIGN_OR_RAISE(auto flow, PlanInsertFlow(*insert));
    insert_fields = std::move(flow.fields);
    connector_table = std::move(flow.connector_table);
    return std::move(flow.plan);
  }();
  if (!planned.ok()) {
    // Positions in the message are in the stored query, which the message shows.
    return InvalidAt(pos, "the query of streaming table '", name.ToString(), "' no longer binds (did a source change?): ",
                     planned.status().message(), " in: ", sql::ToString(*statement));
  }
  StreamingPlan plan = std::move(*planned);

  std::vector<std::unique_ptr<stream::Source>> sources;
  std::map<std::string, const plan::LogicalNode*> scan_of_source;
  // Idle timeouts: a source's own, else the session's (SET table.exec.source.idle-timeout = '30 seconds').
  std::optional<int64_t> session_idle_ms;
  if (auto text = Get(kIdleTimeout)) {
    auto millis = delta::ParseIntervalMillis(*text);  // SET has taken Flink's quotes off
    if (!millis.ok()) {
      return InvalidAt(pos, "setting ", kIdleTimeout, " must be a duration such as '30 seconds': ",
                       millis.status().message());
    }
    session_idle_ms = *millis;
  }
  std::map<std::string, int64_t> idle_timeouts_ms;
  std::map<const plan::LogicalNode*, std::string> streams;
  // A table or source read twice (a self-join) is one source: each batch gives both scans the
  // same rows.
  std::map<std::string, std::string> source_of_table;  // by location
  for (const auto* scan : plan.scans) {
    const std::string& root = scan->snapshot->location().root;
    if (auto it = source_of_table.find(root); it != source_of_table.end()) {
      streams[scan] = it->second;
      continue;
    }
    ARROW_ASSIGN_OR_RAISE(auto source,
                          At(pos, stream::DeltaSource::Make(scan->table_name, scan->snapshot->location(), {})));
    source_of_table[root] = scan->table_name;
    scan_of_source[scan->table_name] = scan;
    if (session_idle_ms) idle_timeouts_ms[scan->table_name] = *session_idle_ms;
    sources.push_back(std::move(source));
  }
  for (const auto* scan : plan.sources) {
    const std::string key = scan->definition->name.ToString();
    if (scan_of_source.count(key) != 0) {  // read twice (NEXMark's person and auction views): one source
      streams[scan] = key;
      continue;
    }
    ARROW_ASSIGN_OR_RAISE(auto source, At(pos, stream::MakeSource(*scan->definition, key)));
    ARROW_ASSIGN_OR_RAISE(auto idle_ms, At(pos, stream::SourceIdleTimeoutMillis(*scan->definition)));
    if (!idle_ms) idle_ms = session_idle_ms;
    if (idle_ms) idle_timeouts_ms[key] = *idle_ms;
    scan_of_source[key] = scan;
    sources.push_back(std::move(source));
  }
  ARROW_ASSIGN_OR_RAISE(auto checkpoint,
                        At(pos, stream::Checkpoint::Open(lake_->root().fs, lake_->CheckpointDir(name))));
  for (const auto& [source, scan] : scan_of_source) streams[scan] = source;
  ARROW_ASSIGN_OR_RAISE(auto transform, At(pos, stream::IncrementalQuery::Make(plan.root, std::move(streams),
                                                                               ExecutionOptions())));
  {
    ARROW_ASSIGN_OR_RAISE(auto budget, At(pos, StateBudgetOf(Get(kStateBackend), Get(kStateMemoryBudget))));
    if (auto local = checkpoint->LocalDir()) budget.work_dir = *local + "/state-work";  // RocksDB works beside it
    transform->state_budget() = budget;
  }
  // Late rows: to <table>_late when the Delta table asks for it (a connector table has no properties).
  std::optional<delta::TableLocation> target;
  if (!connector_table) {
    ARROW_ASSIGN_OR_RAISE(target, At(pos, lake_->Resolve(name.ToString())));
  }
  {
    bool late_to_table = false;
    if (target) {
      ARROW_ASSIGN_OR_RAISE(auto target_table, At(pos, delta::DeltaTable::Open(*target)));
      ARROW_ASSIGN_OR_RAISE(auto snapshot, At(pos, target_table->Latest()));
      const auto& configuration = snapshot->metadata().configuration;
      auto it = configuration.find(kLateEvents);
      late_to_table = it != configuration.end() && it->second == "table";
    }
    if (late_to_table) {
      ARROW_ASSIGN_OR_RAISE(auto late, At(pos, lake_->Resolve(LateTableName(name).parts[0] + "." +
                                                             LateTableName(name).parts[1])));
      transform->set_late_sink(std::make_unique<stream::DeltaAppendSink>(late));
    } else {
      // The sources may skip the columns the answer does not depend on (late rows, written
      // whole, need them all).
      ARROW_ASSIGN_OR_RAISE(auto read, At(pos, transform->ColumnsRead()));
      for (auto& source : sources) source->ReadOnly(read[source->name()]);
    }
  }
  // Append mode adds each batch's rows; update mode upserts each group's latest result.
  // A connector table's sink takes either.
  std::unique_ptr<stream::Sink> sink;
  if (connector_table) {
    ARROW_ASSIGN_OR_RAISE(sink, At(pos, stream::MakeSink(*connector_table)));
  } else if (transform->output_mode() == stream::IncrementalQuery::OutputMode::kUpdate) {
    sink = std::make_unique<stream::DeltaUpsertSink>(*target, transform->upsert_keys());
  } else {
    sink = std::make_unique<stream::DeltaAppendSink>(*target);
  }
  if (insert != nullptr) sink = session::AssigningSink(std::move(sink), std::move(insert_fields));
  ARROW_ASSIGN_OR_RAISE(auto runner, stream::MicroBatchRunner::Make(std::move(sources), std::move(transform),
                                                                    std::move(sink), std::move(checkpoint)));
  runner->set_idle_timeouts(std::move(idle_timeouts_ms));
  return runner;
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
  trigger.end_of_input = run.end_of_input;
  return runner->Run(
      trigger,
      [&](const stream::BatchProgress& p) {
        if (on_batch) {
          on_batch(StreamingBatch{p.batch_id, p.recovered, p.input_rows, p.output_rows, p.write_skipped, p.duration_ms,
                                  p.metrics.watermark_us, p.metrics.state_rows, p.metrics.late_rows});
        }
      },
      stop);
}

}  // namespace tidelake
