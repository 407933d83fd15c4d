#include "stream/incremental_query.h"

#include <arrow/api.h>
#include <arrow/compute/api.h>

#include <functional>
#include <limits>
#include <set>

#include <nlohmann/json.hpp>

#include "delta/table.h"
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

// The field of `target`'s output that output `field` of `node` passes through unchanged
// (through projections), or "" when it is computed.
std::string OutputOf(const plan::LogicalNode& node, std::string field, const plan::LogicalNode& target) {
  const plan::LogicalNode* at = &node;
  while (at != &target) {
    if (at->kind != NodeKind::kProject) return "";
    const int i = at->schema->GetFieldIndex(field);
    if (i < 0) return "";
    const auto* ref = at->As<plan::ProjectNode>().exprs[static_cast<size_t>(i)].field_ref();
    if (ref == nullptr || ref->name() == nullptr) return "";
    field = *ref->name();
    at = at->inputs[0].get();
  }
  return field;
}

}  // namespace

arrow::Result<std::unique_ptr<IncrementalQuery>> IncrementalQuery::Make(
    plan::PlanRoot root, std::map<const plan::LogicalNode*, std::string> streams, exec::ExecOptions options) {
  std::unique_ptr<IncrementalQuery> query(new IncrementalQuery(std::move(root), std::move(streams), options));
  bool streaming = false;
  ARROW_RETURN_NOT_OK(query->Analyze(query->root_.node, &streaming));
  std::function<void(const plan::LogicalNode&)> find_tables = [&](const plan::LogicalNode& node) {
    if (node.kind == NodeKind::kTableScan && !query->streams_.count(&node)) {
      query->tables_.push_back(&node.As<plan::TableScanNode>());
    }
    for (const auto& input : node.inputs) find_tables(*input);
  };
  find_tables(*query->root_.node);
  if (query->update_) {
    // Upserts are keyed by the GROUP BY columns: each must be an output column as it is.
    const auto& aggregate = query->update_->As<plan::AggregateNode>();
    for (const auto& key : aggregate.keys) {
      std::optional<std::string> column;
      for (int i = 0; i < query->root_.node->schema->num_fields() && !column; ++i) {
        if (OutputOf(*query->root_.node, query->root_.node->schema->field(i)->name(), *query->update_) == key) {
          column = query->root_.column_names[static_cast<size_t>(i)];
        }
      }
      if (!column) {
        return arrow::Status::Invalid("an aggregation without a window writes each group's latest result, keyed by "
                                      "its GROUP BY columns: select ", plan::DisplayName(key),
                                      " as a column of the result");
      }
      query->upsert_keys_.push_back(*column);
    }
  }
  return query;
}

arrow::Status IncrementalQuery::PlanUpdate(const NodePtr& node) {
  const auto& aggregate = node->As<plan::AggregateNode>();
  if (!aggregate.grouping_sets.empty()) return NeedsState("ROLLUP, CUBE or GROUPING SETS");
  auto merge = std::make_shared<plan::AggregateNode>();
  merge->keys = aggregate.keys;
  merge->schema = node->schema;
  for (size_t i = 0; i < aggregate.aggregates.size(); ++i) {
    const plan::AggregateCall& call = aggregate.aggregates[i];
    plan::AggregateCall combine = call;
    combine.args = {node->schema->field(static_cast<int>(aggregate.keys.size() + i))->name()};
    if (call.function == "hash_count" || call.function == "hash_count_all") {
      combine.function = "hash_sum";
      combine.options = nullptr;
    } else if (call.function != "hash_sum" && call.function != "hash_min" && call.function != "hash_max") {
      return NeedsState(call.function.substr(call.function.find('_') + 1) +
                        " in an aggregation without a window (count, sum, min and max merge across batches; "
                        "group by an event-time window for the others)");
    }
    merge->aggregates.push_back(std::move(combine));
  }
  update_ = node;
  merge_ = merge;
  return arrow::Status::OK();
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
    if (window_ != nullptr || update_ != nullptr) return NeedsState("two aggregations");
    if (window == nullptr || !aggregate.grouping_sets.empty() ||
        !DerivesFromWindow({aggregate.keys.begin(), aggregate.keys.end()}, node->inputs[0].get(), *window)) {
      if (window != nullptr) ARROW_RETURN_NOT_OK(Analyze(node->inputs[0], &below));  // the window is stateless here
      ARROW_RETURN_NOT_OK(PlanUpdate(node));
      *streams = true;
      return arrow::Status::OK();
    }
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
  if (update_ != nullptr && node->kind != NodeKind::kProject) {
    return NeedsState(std::string("a ") + (node->kind == NodeKind::kFilter ? "HAVING or WHERE" : "join, union or sort") +
                      " over an aggregation without a window (its results are upserts, updated as rows arrive)");
  }
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

arrow::Status IncrementalQuery::RefreshTables(std::map<const plan::LogicalNode*, NodePtr>* replacements) {
  for (const plan::TableScanNode* scan : tables_) {
    if (!scan->snapshot) continue;
    ARROW_ASSIGN_OR_RAISE(auto table, delta::DeltaTable::Open(scan->snapshot->location()));
    ARROW_ASSIGN_OR_RAISE(auto latest, table->Latest());
    if (latest->version() == scan->snapshot->version()) continue;
    if (latest->metadata().schema_string != scan->snapshot->metadata().schema_string ||
        latest->metadata().partition_columns != scan->snapshot->metadata().partition_columns) {
      return arrow::Status::Invalid("table ", scan->table_name, " changed its columns at version ", latest->version(),
                                    " while a streaming query reads it; restart the query to read the new columns");
    }
    auto copy = std::make_shared<plan::TableScanNode>(*scan);
    copy->snapshot = latest;
    copy->statistics = nullptr;  // they described the old version
    (*replacements)[scan] = copy;
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
  ARROW_RETURN_NOT_OK(RefreshTables(&replacements));
  if (update_) return RunUpdate(std::move(replacements));
  if (window_ == nullptr) return Evaluate(root_.node, replacements, root_.column_names);
  return RunWindowed(std::move(replacements), context);
}

arrow::Result<std::shared_ptr<arrow::Table>> IncrementalQuery::RunUpdate(
    std::map<const plan::LogicalNode*, NodePtr> replacements) {
  // The batch's groups, merged into the state; the groups it touched are its output.
  const auto& input = update_->inputs[0];
  ARROW_ASSIGN_OR_RAISE(auto fresh, Evaluate(input, replacements, input->schema->field_names()));
  ARROW_ASSIGN_OR_RAISE(fresh, WithSchema(fresh, input->schema, "the rows reaching the aggregation"));
  const auto names = update_->schema->field_names();
  ARROW_ASSIGN_OR_RAISE(auto batch, Evaluate(plan::WithInputs(*update_, {Values(input->schema, fresh)}), {}, names));
  ARROW_ASSIGN_OR_RAISE(batch, WithSchema(batch, update_->schema, "the batch's groups"));
  if (batch->num_rows() == 0) {
    return Evaluate(root_.node, {{update_.get(), Values(update_->schema, batch)}}, root_.column_names);
  }
  std::shared_ptr<arrow::Table> merged = batch;
  if (waiting_ && waiting_->num_rows() > 0) {
    ARROW_ASSIGN_OR_RAISE(auto both, arrow::ConcatenateTables({waiting_, batch}));
    ARROW_ASSIGN_OR_RAISE(merged, Evaluate(plan::WithInputs(*merge_, {Values(update_->schema, both)}), {}, names));
    ARROW_ASSIGN_OR_RAISE(merged, WithSchema(merged, update_->schema, "the merged groups"));
  }
  ARROW_ASSIGN_OR_RAISE(waiting_, merged->CombineChunks());
  // The touched groups: the merged rows whose keys the batch has (NULL keys match NULL).
  std::shared_ptr<arrow::Table> touched = waiting_;
  const auto& keys = update_->As<plan::AggregateNode>().keys;
  if (!keys.empty()) {
    auto right = std::make_shared<plan::ProjectNode>();
    arrow::FieldVector right_fields;
    auto join = std::make_shared<plan::JoinNode>();
    join->type = plan::JoinType::kLeftSemi;
    for (const auto& key : keys) {
      const std::string renamed = key + "~batch";
      right->exprs.push_back(cp::field_ref(key));
      right_fields.push_back(update_->schema->GetFieldByName(key)->WithName(renamed));
      join->left_keys.push_back(key);
      join->right_keys.push_back(renamed);
      join->null_safe.push_back(true);
    }
    right->schema = arrow::schema(right_fields);
    right->inputs = {Values(update_->schema, batch)};
    for (auto& e : right->exprs) {
      ARROW_ASSIGN_OR_RAISE(e, e.Bind(*update_->schema));
    }
    join->schema = update_->schema;
    join->inputs = {Values(update_->schema, waiting_), right};
    ARROW_ASSIGN_OR_RAISE(touched, Evaluate(join, {}, names));
    ARROW_ASSIGN_OR_RAISE(touched, WithSchema(touched, update_->schema, "the changed groups"));
  }
  return Evaluate(root_.node, {{update_.get(), Values(update_->schema, touched)}}, root_.column_names);
}

arrow::Result<std::shared_ptr<arrow::Table>> IncrementalQuery::RunWindowed(
    std::map<const plan::LogicalNode*, NodePtr> replacements, const BatchContext& context) {
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
  if (late > 0 && late_sink_) {
    ARROW_RETURN_NOT_OK(WriteLate(fresh, static_cast<const arrow::BooleanArray&>(*mask), context));
  }
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

std::shared_ptr<arrow::Schema> IncrementalQuery::late_schema() const {
  if (window_ == nullptr) return nullptr;
  arrow::FieldVector fields;
  std::set<std::string> taken;
  for (const auto& field : window_->inputs[0]->schema->fields()) {
    // The names users know (a join may bring two of one name: the second gets a suffix).
    std::string name = plan::DisplayName(field->name());
    for (int n = 2; taken.count(name); ++n) name = plan::DisplayName(field->name()) + "_" + std::to_string(n);
    taken.insert(name);
    fields.push_back(field->WithName(name)->WithNullable(true));
  }
  const auto& time_type = window_->inputs[0]->schema->GetFieldByName(window_->spec.time_field)->type();
  fields.push_back(arrow::field("late_reason", arrow::utf8()));
  fields.push_back(arrow::field("watermark", time_type));
  return arrow::schema(fields);
}

arrow::Status IncrementalQuery::WriteLate(const std::shared_ptr<arrow::Table>& fresh, const arrow::BooleanArray& kept,
                                          const BatchContext& context) {
  // The late rows: not kept, with a time (rows without one are in no window, as in batch).
  const auto& times = *fresh->GetColumnByName(window_->spec.time_field);
  arrow::BooleanBuilder late;
  arrow::StringBuilder reasons;
  int64_t i = 0;
  for (const auto& chunk : times.chunks()) {
    for (int64_t j = 0; j < chunk->length(); ++j, ++i) {
      const bool is_late = !kept.Value(i) && chunk->IsValid(j);
      ARROW_RETURN_NOT_OK(late.Append(is_late));
      if (is_late) {
        ARROW_RETURN_NOT_OK(reasons.Append(window_->spec.kind == plan::TimeWindowKind::kSession
                                               ? "event time behind the watermark: its session has closed"
                                               : "every window holding its event time had closed"));
      }
    }
  }
  ARROW_ASSIGN_OR_RAISE(auto mask, late.Finish());
  ARROW_ASSIGN_OR_RAISE(auto rows, cp::Filter(fresh, mask));
  ARROW_ASSIGN_OR_RAISE(auto reason_array, reasons.Finish());
  const auto schema = late_schema();
  const auto& time_type = schema->field(schema->num_fields() - 1)->type();
  ARROW_ASSIGN_OR_RAISE(auto watermark, arrow::MakeArrayFromScalar(
                                            arrow::TimestampScalar(*watermark_, time_type), reason_array->length()));
  arrow::ChunkedArrayVector columns = rows.table()->columns();
  columns.push_back(std::make_shared<arrow::ChunkedArray>(reason_array));
  columns.push_back(std::make_shared<arrow::ChunkedArray>(watermark));
  auto table = arrow::Table::Make(schema, std::move(columns), reason_array->length());
  return late_sink_->Write(context.query_id, context.batch_id, table).status();
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
  if (window_ == nullptr && update_ == nullptr) return std::string();
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
  if (window_ == nullptr && update_ == nullptr) return arrow::Status::OK();
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
    auto typed = WithSchema(table, window_ ? window_->inputs[0]->schema : update_->schema, "the saved rows");
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
