#include "stream/incremental_query.h"

#include <arrow/api.h>
#include <arrow/compute/api.h>

#include <limits>
#include <set>

#include <nlohmann/json.hpp>

#include "exec/time_window.h"
#include "plan/optimizer.h"

namespace tidelake::stream {

namespace {

namespace cp = arrow::compute;
using plan::NodeKind;
using plan::NodePtr;

arrow::Status NeedsState(const std::string& what) {
  return arrow::Status::Invalid("a streaming query cannot use ", what,
                                " over a stream yet: it needs state kept across batches. Supported: filters, "
                                "projections, UNION ALL, joins of a stream (left) with tables, and aggregations "
                                "grouped by an event-time window");
}

std::set<std::string> FieldsOf(const cp::Expression& e) {
  std::set<std::string> out;
  for (const auto& ref : cp::FieldsInExpression(e)) {
    if (const auto* name = ref.name()) out.insert(*name);
  }
  return out;
}

// `node` with the nodes in `replacements` replaced.
NodePtr Replace(const NodePtr& node, const std::map<const plan::LogicalNode*, NodePtr>& replacements) {
  auto it = replacements.find(node.get());
  if (it != replacements.end()) return it->second;
  std::vector<NodePtr> inputs;
  bool changed = false;
  for (const auto& input : node->inputs) {
    inputs.push_back(Replace(input, replacements));
    changed = changed || inputs.back() != input;
  }
  return changed ? plan::WithInputs(*node, std::move(inputs)) : node;
}

NodePtr Values(const std::shared_ptr<arrow::Schema>& schema, std::shared_ptr<arrow::Table> rows) {
  auto values = std::make_shared<plan::ValuesNode>();
  values->schema = schema;
  values->rows = std::move(rows);
  return values;
}

// `table` with `schema` (the plan's field names), when the column types agree.
arrow::Result<std::shared_ptr<arrow::Table>> WithSchema(const std::shared_ptr<arrow::Table>& table,
                                                        const std::shared_ptr<arrow::Schema>& schema,
                                                        const std::string& what) {
  if (table->num_columns() != schema->num_fields()) {
    return arrow::Status::Invalid(what, " has ", table->num_columns(), " columns, the query expects ",
                                  schema->num_fields());
  }
  for (int i = 0; i < schema->num_fields(); ++i) {
    if (!table->column(i)->type()->Equals(*schema->field(i)->type())) {
      return arrow::Status::Invalid(what, ": column ", plan::DisplayName(schema->field(i)->name()), " is ",
                                    table->column(i)->type()->ToString(), ", the query expects ",
                                    schema->field(i)->type()->ToString());
    }
  }
  return arrow::Table::Make(schema, table->columns(), table->num_rows());
}

// The window under an aggregation: below its input through projections and filters.
const plan::TimeWindowNode* WindowUnder(const plan::LogicalNode& aggregate) {
  const plan::LogicalNode* node = aggregate.inputs[0].get();
  while (node->kind == NodeKind::kProject || node->kind == NodeKind::kFilter) node = node->inputs[0].get();
  return node->kind == NodeKind::kTimeWindow ? &node->As<plan::TimeWindowNode>() : nullptr;
}

// True when some of `fields` (of `node`'s output) derive from the window's start or end.
bool DerivesFromWindow(std::set<std::string> fields, const plan::LogicalNode* node, const plan::TimeWindowNode& window) {
  while (node != &window) {
    if (node->kind == NodeKind::kProject) {
      const auto& project = node->As<plan::ProjectNode>();
      std::set<std::string> below;
      for (int i = 0; i < node->schema->num_fields(); ++i) {
        if (fields.count(node->schema->field(i)->name())) {
          for (const auto& f : FieldsOf(project.exprs[static_cast<size_t>(i)])) below.insert(f);
        }
      }
      fields = std::move(below);
    }
    node = node->inputs[0].get();
  }
  const int n = window.schema->num_fields();
  return fields.count(window.schema->field(n - 2)->name()) || fields.count(window.schema->field(n - 1)->name());
}

// The watermark delay declared on `field` below `node` (following renames through
// projections), or nullopt when no WatermarkNode declares it.
std::optional<int64_t> WatermarkDelay(const plan::LogicalNode* node, std::string field) {
  while (true) {
    switch (node->kind) {
      case NodeKind::kWatermark: {
        const auto& watermark = node->As<plan::WatermarkNode>();
        if (watermark.time_field == field) return watermark.delay_us;
        node = node->inputs[0].get();
        break;
      }
      case NodeKind::kFilter:
        node = node->inputs[0].get();
        break;
      case NodeKind::kProject: {
        const int i = node->schema->GetFieldIndex(field);
        if (i < 0) return std::nullopt;
        const auto* ref = node->As<plan::ProjectNode>().exprs[static_cast<size_t>(i)].field_ref();
        if (ref == nullptr || ref->name() == nullptr) return std::nullopt;
        field = *ref->name();
        node = node->inputs[0].get();
        break;
      }
      case NodeKind::kJoin:
        node = node->inputs[0]->schema->GetFieldIndex(field) >= 0 ? node->inputs[0].get() : node->inputs[1].get();
        break;
      default:
        return std::nullopt;
    }
  }
}

}  // namespace

arrow::Result<std::unique_ptr<IncrementalQuery>> IncrementalQuery::Make(
    plan::PlanRoot root, std::map<const plan::LogicalNode*, std::string> streams, exec::ExecOptions options) {
  std::unique_ptr<IncrementalQuery> query(new IncrementalQuery(std::move(root), std::move(streams), options));
  bool streaming = false;
  ARROW_RETURN_NOT_OK(query->Analyze(query->root_.node, &streaming));
  return query;
}

arrow::Status IncrementalQuery::Analyze(const NodePtr& node, bool* streams) {
  *streams = streams_.count(node.get()) > 0;
  if (*streams) return arrow::Status::OK();
  if (node->kind == NodeKind::kAggregate) {
    // Between the aggregation and its window there are only projections and filters, which
    // run on the rows of closed windows: the window's input is what must stream statelessly.
    const plan::TimeWindowNode* window = WindowUnder(*node);
    bool below = false;
    ARROW_RETURN_NOT_OK(Analyze(window ? window->inputs[0] : node->inputs[0], &below));
    if (!below) return arrow::Status::OK();
    const auto& aggregate = node->As<plan::AggregateNode>();
    if (window == nullptr || !aggregate.grouping_sets.empty() ||
        !DerivesFromWindow({aggregate.keys.begin(), aggregate.keys.end()}, node->inputs[0].get(), *window)) {
      return NeedsState("an aggregation without an event-time window among its GROUP BY keys (GROUP BY DISTINCT, "
                        "ROLLUP and CUBE included)");
    }
    if (window_ != nullptr) return NeedsState("two windowed aggregations");
    auto delay = WatermarkDelay(window->inputs[0].get(), window->spec.time_field);
    if (!delay) {
      return arrow::Status::Invalid(
          "a windowed aggregation over a stream needs a watermark on its time column ",
          plan::DisplayName(window->spec.time_field),
          ": declare one with TIMESTAMP BY, WATERMARK column DELAY OF INTERVAL ..., or WATERMARK FOR in CREATE "
          "SOURCE");
    }
    window_ = window;
    delay_us_ = *delay;
    *streams = true;  // its results stream on to the operators above
    return arrow::Status::OK();
  }
  std::vector<bool> input_streams;
  for (const auto& input : node->inputs) {
    bool s = false;
    ARROW_RETURN_NOT_OK(Analyze(input, &s));
    input_streams.push_back(s);
    *streams = *streams || s;
  }
  if (!*streams) return arrow::Status::OK();
  switch (node->kind) {
    case NodeKind::kTableScan:
    case NodeKind::kFileScan:
    case NodeKind::kSourceScan:
    case NodeKind::kValues:
    case NodeKind::kFilter:
    case NodeKind::kProject:
    case NodeKind::kWatermark:
      return arrow::Status::OK();
    case NodeKind::kTimeWindow:
      return node->As<plan::TimeWindowNode>().spec.kind == plan::TimeWindowKind::kSession
                 ? NeedsState("a session window outside an aggregation")
                 : arrow::Status::OK();
    case NodeKind::kJoin: {
      const auto& join = node->As<plan::JoinNode>();
      if (input_streams[1]) return NeedsState("a join whose right side reads a stream");
      if (join.type == plan::JoinType::kRight || join.type == plan::JoinType::kFull) {
        return NeedsState("a RIGHT or FULL OUTER join");
      }
      return arrow::Status::OK();
    }
    case NodeKind::kSetOperation: {
      const auto& set = node->As<plan::SetOperationNode>();
      if (!(set.op == plan::SetOpKind::kUnion && set.all)) return NeedsState("UNION, INTERSECT or EXCEPT without ALL");
      return arrow::Status::OK();
    }
    case NodeKind::kAggregate:
      break;  // handled above
    case NodeKind::kSort:
      return NeedsState("ORDER BY");
    case NodeKind::kLimit:
      return NeedsState("LIMIT or OFFSET");
    case NodeKind::kWindow:
      return NeedsState("a window function");
  }
  return arrow::Status::OK();
}

arrow::Result<std::shared_ptr<arrow::Table>> IncrementalQuery::Evaluate(
    const NodePtr& node, const std::map<const plan::LogicalNode*, NodePtr>& replacements,
    const std::vector<std::string>& names) {
  plan::PlanRoot batch{Replace(node, replacements), names, false};
  ARROW_ASSIGN_OR_RAISE(batch, plan::Optimize(std::move(batch)));
  ARROW_ASSIGN_OR_RAISE(auto reader, exec::Execute(batch, options_));
  ARROW_ASSIGN_OR_RAISE(auto table, reader->ToTable());
  return table->RenameColumns(names);
}

arrow::Result<std::shared_ptr<arrow::Table>> IncrementalQuery::Run(
    const std::map<std::string, std::shared_ptr<arrow::Table>>& inputs, const BatchContext& context) {
  std::map<const plan::LogicalNode*, NodePtr> replacements;
  for (const auto& [node, source] : streams_) {
    auto it = inputs.find(source);
    if (it == inputs.end()) return arrow::Status::Invalid("internal error: no rows from source ", source);
    arrow::ChunkedArrayVector columns;
    const std::vector<std::string>* scan_columns = node->kind == NodeKind::kTableScan
                                                       ? &node->As<plan::TableScanNode>().columns
                                                   : node->kind == NodeKind::kSourceScan
                                                       ? &node->As<plan::SourceScanNode>().columns
                                                       : nullptr;
    for (int i = 0; i < node->schema->num_fields(); ++i) {
      // A scan's output field i is its table column columns[i]; other nodes keep their names.
      const std::string column = scan_columns ? (*scan_columns)[static_cast<size_t>(i)]
                                              : plan::DisplayName(node->schema->field(i)->name());
      auto values = it->second->GetColumnByName(column);
      if (!values) return arrow::Status::Invalid("internal error: the stream of ", source, " has no column ", column);
      columns.push_back(std::move(values));
    }
    ARROW_ASSIGN_OR_RAISE(auto rows, WithSchema(arrow::Table::Make(arrow::schema(node->schema->fields()), columns,
                                                                   it->second->num_rows()),
                                                node->schema, "the stream of " + source));
    replacements[node] = Values(node->schema, std::move(rows));
  }
  if (window_ == nullptr) return Evaluate(root_.node, replacements, root_.column_names);

  // 1. The batch's rows reaching the window.
  const NodePtr& window_input = window_->inputs[0];
  ARROW_ASSIGN_OR_RAISE(auto fresh, Evaluate(window_input, replacements, window_input->schema->field_names()));
  ARROW_ASSIGN_OR_RAISE(fresh, WithSchema(fresh, window_input->schema, "the rows reaching the window"));
  ARROW_ASSIGN_OR_RAISE(fresh, fresh->CombineChunks());

  // 2. Late rows leave; the watermark follows the largest event time.
  const plan::TimeWindowSpec& spec = window_->spec;
  auto time_column = fresh->GetColumnByName(spec.time_field);
  arrow::BooleanBuilder keep;
  ARROW_RETURN_NOT_OK(keep.Reserve(fresh->num_rows()));
  int64_t late = 0;
  for (const auto& chunk : time_column->chunks()) {
    const auto& times = static_cast<const arrow::TimestampArray&>(*chunk);
    for (int64_t i = 0; i < times.length(); ++i) {
      if (times.IsNull(i)) {  // in no window, in batch mode too
        keep.UnsafeAppend(false);
        continue;
      }
      const int64_t t = times.Value(i);
      // Sessions: a row older than the watermark could only join a session already closed.
      const bool is_late = watermark_ && (spec.kind == plan::TimeWindowKind::kSession
                                              ? t < *watermark_
                                              : plan::LastWindowEnd(spec, t) <= *watermark_);
      keep.UnsafeAppend(!is_late);
      late += is_late;
      if (!max_event_time_ || t > *max_event_time_) max_event_time_ = t;
    }
  }
  ARROW_ASSIGN_OR_RAISE(auto mask, keep.Finish());
  ARROW_ASSIGN_OR_RAISE(auto kept, cp::Filter(fresh, mask));
  late_rows_ += late;
  if (!waiting_) {
    ARROW_ASSIGN_OR_RAISE(waiting_, arrow::Table::MakeEmpty(window_input->schema));
  }
  ARROW_ASSIGN_OR_RAISE(waiting_, arrow::ConcatenateTables({waiting_, kept.table()}));
  ARROW_ASSIGN_OR_RAISE(waiting_, waiting_->CombineChunks());

  const std::optional<int64_t> previous = watermark_;
  if (max_event_time_) {
    const int64_t candidate = *max_event_time_ - delay_us_;
    if (!watermark_ || candidate > *watermark_) watermark_ = candidate;
  }
  if (context.end_of_input) watermark_ = std::numeric_limits<int64_t>::max();

  // 3. The windows that closed in this batch: ends in (previous, watermark].
  std::shared_ptr<arrow::Table> output;
  if (watermark_ && watermark_ != previous && waiting_->num_rows() > 0) {
    const auto& end_field = window_->schema->field(window_->schema->num_fields() - 1);
    auto bound = [&](int64_t v) { return cp::literal(std::make_shared<arrow::TimestampScalar>(v, end_field->type())); };
    cp::Expression closed = cp::less_equal(cp::field_ref(end_field->name()), bound(*watermark_));
    if (previous) closed = cp::and_(cp::greater(cp::field_ref(end_field->name()), bound(*previous)), closed);
    auto window = plan::WithInputs(*window_, {Values(window_input->schema, waiting_)});
    auto filter = std::make_shared<plan::FilterNode>();
    ARROW_ASSIGN_OR_RAISE(filter->predicate, closed.Bind(*window->schema));
    filter->schema = window->schema;
    filter->inputs = {window};
    replacements[window_] = filter;
    ARROW_ASSIGN_OR_RAISE(output, Evaluate(root_.node, replacements, root_.column_names));
    ARROW_RETURN_NOT_OK(Evict(*watermark_));
  } else {
    // Nothing closed: no rows, with the result's columns.
    arrow::FieldVector fields;
    for (int i = 0; i < root_.node->schema->num_fields(); ++i) {
      fields.push_back(root_.node->schema->field(i)->WithName(root_.column_names[static_cast<size_t>(i)]));
    }
    ARROW_ASSIGN_OR_RAISE(output, arrow::Table::MakeEmpty(arrow::schema(fields)));
  }
  return output;
}

arrow::Status IncrementalQuery::Evict(int64_t watermark) {
  const plan::TimeWindowSpec& spec = window_->spec;
  if (spec.kind == plan::TimeWindowKind::kSession) {
    // A row stays while its session is open: assign sessions and keep those ending later.
    auto assigned_schema = window_->schema;
    cp::ExecContext ctx(arrow::default_memory_pool());
    ARROW_ASSIGN_OR_RAISE(auto assigned, exec::AssignSessions(spec, waiting_, assigned_schema, &ctx));
    const int end = assigned->num_columns() - 1;
    ARROW_ASSIGN_OR_RAISE(
        auto open, cp::CallFunction("greater", {assigned->column(end),
                                                std::make_shared<arrow::TimestampScalar>(
                                                    watermark, assigned->column(end)->type())}));
    ARROW_ASSIGN_OR_RAISE(auto kept, cp::Filter(assigned, open));
    ARROW_ASSIGN_OR_RAISE(auto without_end, kept.table()->RemoveColumn(end));
    ARROW_ASSIGN_OR_RAISE(auto rows, without_end->RemoveColumn(end - 1));
    ARROW_ASSIGN_OR_RAISE(waiting_, WithSchema(rows, window_->inputs[0]->schema, "the waiting rows"));
    ARROW_ASSIGN_OR_RAISE(waiting_, waiting_->CombineChunks());
    return arrow::Status::OK();
  }
  arrow::BooleanBuilder keep;
  ARROW_RETURN_NOT_OK(keep.Reserve(waiting_->num_rows()));
  for (const auto& chunk : waiting_->GetColumnByName(spec.time_field)->chunks()) {
    const auto& times = static_cast<const arrow::TimestampArray&>(*chunk);
    for (int64_t i = 0; i < times.length(); ++i) {
      keep.UnsafeAppend(plan::LastWindowEnd(spec, times.Value(i)) > watermark);
    }
  }
  ARROW_ASSIGN_OR_RAISE(auto mask, keep.Finish());
  ARROW_ASSIGN_OR_RAISE(auto kept, cp::Filter(waiting_, mask));
  ARROW_ASSIGN_OR_RAISE(waiting_, kept.table()->CombineChunks());
  return arrow::Status::OK();
}

arrow::Result<std::string> IncrementalQuery::SaveState(const Checkpoint& checkpoint, int64_t batch_id) {
  if (window_ == nullptr) return std::string();
  nlohmann::json state{{"lateRows", late_rows_}};
  if (watermark_) state["watermark"] = *watermark_;
  if (max_event_time_) state["maxEventTime"] = *max_event_time_;
  std::string file;
  if (waiting_ && waiting_->num_rows() > 0) {
    ARROW_ASSIGN_OR_RAISE(file, checkpoint.WriteStateRows(batch_id, waiting_));
    state["rows"] = file;
  }
  // Every other file is unreachable once this batch commits, except the one the last commit
  // names (until it does). Older ones go now.
  if (!committed_file_.empty() || !file.empty()) {
    ARROW_RETURN_NOT_OK(checkpoint.DeleteStateRowsExcept({committed_file_, file}));
  }
  committed_file_ = file;
  return state.dump();
}

arrow::Status IncrementalQuery::RestoreState(const Checkpoint& checkpoint, const std::string& blob) {
  if (window_ == nullptr) return arrow::Status::OK();
  auto corrupt = [&](const std::string& what) {
    return arrow::Status::Invalid("the streaming checkpoint in ", checkpoint.dir(), " holds state this query cannot use (",
                                  what, "); was the query changed? Drop the checkpoint to start over");
  };
  nlohmann::json state = nlohmann::json::parse(blob, nullptr, /*allow_exceptions=*/false);
  if (state.is_discarded() || !state.is_object()) return corrupt("not a JSON object");
  auto number = [&](const char* key) -> std::optional<int64_t> {
    auto it = state.find(key);
    if (it == state.end() || !it->is_number_integer()) return std::nullopt;
    return it->get<int64_t>();
  };
  watermark_ = number("watermark");
  max_event_time_ = number("maxEventTime");
  late_rows_ = number("lateRows").value_or(0);
  waiting_ = nullptr;
  committed_file_.clear();
  if (auto rows = state.find("rows"); rows != state.end()) {
    if (!rows->is_string()) return corrupt("'rows' is not a file name");
    committed_file_ = rows->get<std::string>();
    ARROW_ASSIGN_OR_RAISE(auto table, checkpoint.ReadStateRows(committed_file_));
    auto typed = WithSchema(table, window_->inputs[0]->schema, "the saved rows");
    if (!typed.ok()) return corrupt(typed.status().message());
    waiting_ = *typed;
  }
  return arrow::Status::OK();
}

TransformMetrics IncrementalQuery::metrics() const {
  TransformMetrics m;
  m.watermark_us = watermark_;
  m.state_rows = waiting_ ? waiting_->num_rows() : 0;
  m.late_rows = late_rows_;
  return m;
}

}  // namespace tidelake::stream
