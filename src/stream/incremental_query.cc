#include "stream/incremental_query.h"

#include <arrow/api.h>
#include <arrow/compute/api.h>

#include <algorithm>
#include <functional>
#include <optional>
#include <set>

#include <nlohmann/json.hpp>

#include "delta/table.h"
#include "plan/optimizer.h"
#include "plan/struct_fields_read.h"
#include "stream/shared_subplans.h"
#include "stream/deduplication.h"
#include "stream/update_aggregation.h"
#include "stream/update_rollup.h"
#include "stream/windowed_aggregation.h"

namespace tidelake::stream {

namespace {

namespace cp = arrow::compute;
using plan::NodeKind;
using plan::NodePtr;

std::set<std::string> FieldsOf(const cp::Expression& e) {
  std::set<std::string> out;
  for (const auto& ref : cp::FieldsInExpression(e)) {
    if (const auto* name = ref.name()) out.insert(*name);
  }
  return out;
}

// The column `e` passes on unchanged, if it does: a column, or a part of a struct made of
// columns taken back out (Spark's window struct, rebuilt after a grouping, then window.end).
std::optional<std::string> PassedColumn(const cp::Expression& e, std::vector<int> path = {}) {
  if (const auto* ref = e.field_ref(); ref && ref->name()) {
    return path.empty() ? std::optional(*ref->name()) : std::nullopt;
  }
  const auto* call = e.call();
  if (call == nullptr) return std::nullopt;
  if (call->function_name == "make_struct" && !path.empty() &&
      static_cast<size_t>(path.front()) < call->arguments.size()) {
    return PassedColumn(call->arguments[static_cast<size_t>(path.front())], {path.begin() + 1, path.end()});
  }
  if (call->function_name == "struct_field" && call->arguments.size() == 1 && call->options) {
    const auto* indices = static_cast<const cp::StructFieldOptions*>(call->options.get())->field_ref.field_path();
    if (indices == nullptr) return std::nullopt;
    path.insert(path.begin(), indices->indices().begin(), indices->indices().end());
    return PassedColumn(call->arguments[0], std::move(path));
  }
  return std::nullopt;
}

// The window under an aggregation: below its input through projections and filters.
const plan::TimeWindowNode* WindowUnder(const plan::LogicalNode& aggregate) {
  const plan::LogicalNode* node = aggregate.inputs[0].get();
  while (node->kind == NodeKind::kProject || node->kind == NodeKind::kFilter) node = node->inputs[0].get();
  return node->kind == NodeKind::kTimeWindow ? &node->As<plan::TimeWindowNode>() : nullptr;
}

// True when some of `fields` (of `node`'s output) derive from the window's start or end, so
// that they tell its windows apart. CUMULATE's windows share their start: there only the end does.
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
  const bool start_tells = window.spec.kind != plan::TimeWindowKind::kCumulate;
  return (start_tells && fields.count(window.schema->field(n - 2)->name())) ||
         fields.count(window.schema->field(n - 1)->name());
}

// The fields of the first node under `node` (through projections, filters and window functions)
// that `stop` accepts whose values output `field` of `node` determines: equal values of `field`
// mean equal values of each (a column passed on, the columns a struct is made of, such as
// Spark's window, and the part of such a struct that a field access takes, window.end). Null
// when no such node is reached.
const plan::LogicalNode* DeterminedColumns(const plan::LogicalNode& node, const std::string& field,
                                           const std::function<bool(const plan::LogicalNode&)>& stop,
                                           std::set<std::string>* fields) {
  // A column, or the part of a struct column at a path of field indices.
  using Part = std::pair<std::string, std::vector<int>>;
  std::set<Part> parts{{field, {}}};
  const plan::LogicalNode* at = &node;
  while (!stop(*at)) {
    if (at->kind == NodeKind::kProject) {
      std::set<Part> below;
      std::function<void(const cp::Expression&, std::vector<int>)> add = [&](const cp::Expression& e,
                                                                              std::vector<int> path) {
        if (const auto* ref = e.field_ref(); ref && ref->name()) {
          below.insert({*ref->name(), std::move(path)});
          return;
        }
        const auto* call = e.call();
        if (call == nullptr) return;
        if (call->function_name == "make_struct") {
          if (path.empty()) {
            for (const auto& arg : call->arguments) add(arg, {});
          } else if (static_cast<size_t>(path.front()) < call->arguments.size()) {
            add(call->arguments[static_cast<size_t>(path.front())], {path.begin() + 1, path.end()});
          }
        } else if (call->function_name == "struct_field" && call->arguments.size() == 1) {
          const auto* indices =
              static_cast<const cp::StructFieldOptions*>(call->options.get())->field_ref.field_path();
          if (indices == nullptr) return;
          path.insert(path.begin(), indices->indices().begin(), indices->indices().end());
          add(call->arguments[0], std::move(path));
        }
      };
      for (const auto& [name, path] : parts) {
        const int i = at->schema->GetFieldIndex(name);
        if (i >= 0) add(at->As<plan::ProjectNode>().exprs[static_cast<size_t>(i)], path);
      }
      parts = std::move(below);
    } else if (at->kind != NodeKind::kFilter && at->kind != NodeKind::kWindow) {
      return nullptr;
    }
    if (parts.empty()) return nullptr;
    at = at->inputs[0].get();
  }
  fields->clear();
  for (const auto& [name, path] : parts) {
    if (path.empty()) fields->insert(name);
  }
  return at;
}

// The event-time window (not a session) under a WindowNode, through projections, filters and
// other WindowNodes, when each of them is partitioned by the window's end: each partition is
// complete when its window closes. Null otherwise.
const plan::TimeWindowNode* WindowEndPartitionsOver(const plan::LogicalNode& node) {
  const plan::LogicalNode* at = &node;
  std::vector<const plan::LogicalNode*> window_functions;
  while (at->kind == NodeKind::kProject || at->kind == NodeKind::kFilter || at->kind == NodeKind::kWindow) {
    if (at->kind == NodeKind::kWindow) window_functions.push_back(at);
    at = at->inputs[0].get();
  }
  if (at->kind != NodeKind::kTimeWindow) return nullptr;
  const auto& window = at->As<plan::TimeWindowNode>();
  if (plan::WindowsDependOnRows(window.spec)) return nullptr;
  const std::string& end = window.schema->field(window.schema->num_fields() - 1)->name();
  for (const plan::LogicalNode* function : window_functions) {
    bool by_end = false;
    for (const auto& key : function->As<plan::WindowNode>().partition_by) {
      std::set<std::string> fields;
      const auto* reached = DeterminedColumns(*function->inputs[0], key,
                                              [&](const plan::LogicalNode& n) { return &n == at; }, &fields);
      by_end = by_end || (reached != nullptr && fields.count(end) > 0);
    }
    if (!by_end) return nullptr;
  }
  return &window;
}

// A watermark delay (microseconds) in the unit of a timestamp type, rounded up: a longer delay
// only keeps rows longer.
int64_t DelayIn(int64_t delay_us, const arrow::DataType& type) {
  if (type.id() != arrow::Type::TIMESTAMP) return delay_us;
  switch (static_cast<const arrow::TimestampType&>(type).unit()) {
    case arrow::TimeUnit::SECOND: return (delay_us + 999'999) / 1'000'000;
    case arrow::TimeUnit::MILLI: return (delay_us + 999) / 1'000;
    case arrow::TimeUnit::MICRO: return delay_us;
    case arrow::TimeUnit::NANO: return delay_us * 1'000;
  }
  return delay_us;
}

// The sources whose rows reach `node` (by the names `streams` gives them).
std::set<std::string> SourcesUnder(const plan::LogicalNode& node,
                                   const std::map<const plan::LogicalNode*, std::string>& streams) {
  if (auto it = streams.find(&node); it != streams.end()) return {it->second};
  std::set<std::string> out;
  for (const auto& input : node.inputs) out.merge(SourcesUnder(*input, streams));
  return out;
}

}  // namespace

IncrementalQuery::IncrementalQuery(plan::PlanRoot root, std::map<const plan::LogicalNode*, std::string> streams,
                                   exec::ExecOptions options)
    : root_(std::move(root)),
      streams_(std::move(streams)),
      options_(options),
      budget_(std::make_shared<StateBudget>()) {}

IncrementalQuery::~IncrementalQuery() = default;

arrow::Result<std::unique_ptr<IncrementalQuery>> IncrementalQuery::Make(
    plan::PlanRoot root, std::map<const plan::LogicalNode*, std::string> streams, exec::ExecOptions options) {
  std::unique_ptr<IncrementalQuery> query(new IncrementalQuery(std::move(root), std::move(streams), options));
  // A repeated aggregation runs once; the scans only the copies read are left out.
  query->root_.node = ShareRepeatedAggregations(query->root_.node);
  std::set<const plan::LogicalNode*> reachable;
  std::function<void(const plan::LogicalNode&)> reach = [&](const plan::LogicalNode& node) {
    if (!reachable.insert(&node).second) return;
    for (const auto& input : node.inputs) reach(*input);
  };
  reach(*query->root_.node);
  std::erase_if(query->streams_, [&](const auto& stream) { return !reachable.count(stream.first); });
  std::function<void(const NodePtr&)> find_filters = [&](const NodePtr& node) {
    if (node->kind == NodeKind::kFilter && node->inputs[0]->kind == NodeKind::kJoin) {
      query->filter_over_[node->inputs[0].get()] = node;
    }
    for (const auto& input : node->inputs) find_filters(input);
  };
  find_filters(query->root_.node);
  query->first_rows_ = FirstRowsOnly(query->root_.node);
  bool streaming = false;
  ARROW_RETURN_NOT_OK(query->Analyze(query->root_.node, &streaming));
  std::function<void(const plan::LogicalNode&)> find_tables = [&](const plan::LogicalNode& node) {
    const auto& tables = query->tables_;
    if (node.kind == NodeKind::kTableScan && !query->streams_.count(&node) &&
        std::find(tables.begin(), tables.end(), &node) == tables.end()) {
      query->tables_.push_back(&node.As<plan::TableScanNode>());
    }
    for (const auto& input : node.inputs) find_tables(*input);
  };
  find_tables(*query->root_.node);
  if (query->update_) {
    // Upserts are keyed by the GROUP BY (or PARTITION BY) columns: each must be an output column
    // as it is.
    const plan::LogicalNode& update = *query->update_->node();
    const bool aggregation = update.kind == NodeKind::kAggregate;
    for (const auto& names : query->update_keys_) {
      std::optional<std::string> column;
      for (int i = 0; i < query->root_.node->schema->num_fields() && !column; ++i) {
        const std::string under = PassedThrough(*query->root_.node, query->root_.node->schema->field(i)->name(), update);
        if (std::find(names.begin(), names.end(), under) != names.end()) {
          column = query->root_.column_names[static_cast<size_t>(i)];
        }
      }
      if (!column) {
        return arrow::Status::Invalid(
            aggregation ? "an aggregation without a window writes each group's latest result, keyed by its GROUP BY "
                          "columns: select "
                        : "a deduplication in update mode writes each key's current row, keyed by its PARTITION BY "
                          "columns: select ",
            plan::DisplayName(names.back()), " as a column of the result");
      }
      query->upsert_keys_.push_back(*column);
    }
  }
  return query;
}

arrow::Status IncrementalQuery::AnalyzeAggregate(const NodePtr& node, bool* streams) {
  // Between the aggregation and its window there are only projections and filters, which
  // run on the rows of closed windows: the window's input is what must stream.
  const plan::TimeWindowNode* window = WindowUnder(*node);
  const size_t operators_below = operators_.size();
  bool below = false;
  ARROW_RETURN_NOT_OK(Analyze(window ? window->inputs[0] : node->inputs[0], &below));
  if (!below) return arrow::Status::OK();
  *streams = true;  // its results stream on to the operators above
  const auto& aggregate = node->As<plan::AggregateNode>();
  if (update_ != nullptr) {
    // Over an aggregation without a window, grouped by some of its keys: its groups regrouped.
    const auto* inner = dynamic_cast<const UpdateAggregation*>(update_);
    if (inner == nullptr || window != nullptr) return NeedsState("an aggregation over " + update_what_);
    ARROW_ASSIGN_OR_RAISE(auto rollup, UpdateRollup::Make(node, inner, options_));
    update_ = rollup.get();
    update_what_ = "an aggregation over an aggregation without a window (its results are upserts)";
    update_keys_.clear();
    for (const auto& key : aggregate.keys) update_keys_.push_back({key});
    operators_.push_back(std::move(rollup));
    return arrow::Status::OK();
  }
  if (window == nullptr && aggregate.grouping_sets.empty() && GroupsClosedWindows(*node)) return arrow::Status::OK();
  if (window == nullptr || !aggregate.grouping_sets.empty() ||
      !DerivesFromWindow({aggregate.keys.begin(), aggregate.keys.end()}, node->inputs[0].get(), *window)) {
    if (window != nullptr && plan::WindowsDependOnRows(window->spec)) {
      return NeedsState(window->spec.kind == plan::TimeWindowKind::kSession
                            ? "a session window outside an aggregation"
                            : "a sliding window outside an aggregation");
    }
    if (aggregate.aggregates.empty() && aggregate.grouping_sets.empty()) {
      // DISTINCT (a GROUP BY without aggregates): each row once, appended when first seen.
      ARROW_ASSIGN_OR_RAISE(auto distinct, Deduplication::Distinct(node, WatermarkFinder(), options_, budget_));
      if (distinct->HasLateRows()) deduplications_.push_back(distinct.get());
      operators_.push_back(std::move(distinct));
      return arrow::Status::OK();
    }
    ARROW_ASSIGN_OR_RAISE(auto update, UpdateAggregation::Make(node, options_, budget_));
    update_ = update.get();
    update_what_ = "an aggregation without a window (its results are upserts, updated as rows arrive)";
    for (const auto& key : aggregate.keys) update_keys_.push_back({key});
    operators_.push_back(std::move(update));
    return arrow::Status::OK();
  }
  return AddWindowed(node, window, operators_below);
}

arrow::Status IncrementalQuery::AddWindowed(const NodePtr& node, const plan::TimeWindowNode* window,
                                            size_t operators_below) {
  // The time column's watermark: a WatermarkNode's, or over another operator's rows that
  // operator's (a join bounding the column, a windowed aggregation's window end), if it has one.
  const bool aggregation = node->kind == NodeKind::kAggregate;
  auto time = WatermarkOf(*window->inputs[0], window->spec.time_field);
  if (operators_.size() != operators_below) {
    if (!time || time->from == nullptr) {
      return NeedsState(std::string(aggregation ? "an aggregation grouped by" : "a window function partitioned by") +
                        " an event-time window over a join of two streams or another aggregation whose rows have no "
                        "watermark on the window's time column (an interval or window join has one on the time "
                        "columns it bounds)");
    }
  } else if (!time) {
    return arrow::Status::Invalid(
        aggregation ? "a windowed aggregation" : "a window function partitioned by an event-time window",
        " over a stream needs a watermark on its time column ", plan::DisplayName(window->spec.time_field),
        ": declare one with TIMESTAMP BY, WATERMARK column DELAY OF INTERVAL ..., or WATERMARK FOR in CREATE "
        "SOURCE");
  }
  ARROW_ASSIGN_OR_RAISE(auto windowed, WindowedAggregation::Make(node, window, *time, options_, budget_));
  windowed_.push_back(windowed.get());
  operators_.push_back(std::move(windowed));
  return arrow::Status::OK();
}

arrow::Status IncrementalQuery::AnalyzeWindowFunction(const NodePtr& node, bool* streams) {
  // Partitioned by an event-time window's end over the window's rows (Top-N per window, window
  // deduplication): the rows wait for their window to close, as a windowed aggregation's do.
  const plan::TimeWindowNode* window = WindowEndPartitionsOver(*node);
  const size_t operators_below = operators_.size();
  bool below = false;
  ARROW_RETURN_NOT_OK(Analyze(window ? window->inputs[0] : node->inputs[0], &below));
  if (!below) return arrow::Status::OK();
  *streams = true;
  if (update_ != nullptr) return NeedsState("a window function over " + update_what_);
  if (window != nullptr) return AddWindowed(node, window, operators_below);
  // Over a windowed aggregation's results, partitioned by their window end: each partition
  // comes whole, in the batch that closes its window (NEXMark's top auctions per window).
  for (const auto& key : node->As<plan::WindowNode>().partition_by) {
    if (ComesWhole(*node->inputs[0], key)) return arrow::Status::OK();
  }
  ARROW_ASSIGN_OR_RAISE(auto deduplication,
                        DeduplicateRows(node, first_rows_.count(node.get()) > 0, WatermarkFinder(), options_,
                                        budget_));
  if (const auto* updates = dynamic_cast<const UpdateDeduplication*>(deduplication.get())) {
    update_ = deduplication.get();
    update_what_ =
        "a deduplication in update mode (ROW_NUMBER() = 1 not ordered by an event time with a watermark, ascending: "
        "its rows are upserts, updated as rows arrive)";
    update_keys_ = updates->KeyColumns();
  } else if (auto* first_rows = dynamic_cast<Deduplication*>(deduplication.get())) {
    deduplications_.push_back(first_rows);
  }
  operators_.push_back(std::move(deduplication));
  return arrow::Status::OK();
}

arrow::Status IncrementalQuery::Analyze(const NodePtr& node, bool* streams) {
  // A shared node (ShareRepeatedAggregations) is analyzed, and gets its operators, once.
  if (auto done = analyzed_.find(node.get()); done != analyzed_.end()) {
    *streams = done->second;
    return arrow::Status::OK();
  }
  ARROW_RETURN_NOT_OK(AnalyzeNode(node, streams));
  analyzed_[node.get()] = *streams;
  return arrow::Status::OK();
}

arrow::Status IncrementalQuery::AnalyzeNode(const NodePtr& node, bool* streams) {
  *streams = streams_.count(node.get()) > 0;
  if (*streams) return arrow::Status::OK();
  if (node->kind == NodeKind::kAggregate) return AnalyzeAggregate(node, streams);
  if (node->kind == NodeKind::kWindow) return AnalyzeWindowFunction(node, streams);
  std::vector<bool> input_streams;
  for (const auto& input : node->inputs) {
    bool s = false;
    ARROW_RETURN_NOT_OK(Analyze(input, &s));
    input_streams.push_back(s);
    *streams = *streams || s;
  }
  if (!*streams) return arrow::Status::OK();
  // Over upserts only projections, and the filter keeping a deduplication's row 1 (which its
  // rows all pass), keep their meaning.
  const bool keeps_row_one = node->kind == NodeKind::kFilter && update_ != nullptr &&
                             update_->node()->kind == NodeKind::kWindow && KeepsOnlyRowOne(*node, *update_->node());
  if (update_ != nullptr && node->kind != NodeKind::kProject && !keeps_row_one) {
    return NeedsState(std::string("a ") + (node->kind == NodeKind::kFilter ? "HAVING or WHERE" : "join, union or sort") +
                      " over " + update_what_);
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
      switch (node->As<plan::TimeWindowNode>().spec.kind) {
        case plan::TimeWindowKind::kSession: return NeedsState("a session window outside an aggregation");
        case plan::TimeWindowKind::kSliding: return NeedsState("a sliding window outside an aggregation");
        default: return arrow::Status::OK();
      }
    case NodeKind::kJoin: {
      const auto& join = node->As<plan::JoinNode>();
      if (input_streams[0] && input_streams[1]) {
        auto filter = filter_over_.find(node.get());
        ARROW_ASSIGN_OR_RAISE(auto stream_join,
                              StreamJoin::Make(node, filter == filter_over_.end() ? nullptr : filter->second,
                                               [this](const plan::LogicalNode& side, const std::string& field) {
                                                 return WatermarkOf(side, field);
                                               },
                                               options_, budget_));
        for (int s = 0; s < 2; ++s) {
          stream_join->set_side_sources(s, SourcesUnder(*node->inputs[static_cast<size_t>(s)], streams_));
        }
        joins_.push_back(stream_join.get());
        operators_.push_back(std::move(stream_join));
        return arrow::Status::OK();
      }
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
      break;  // handled above
  }
  return arrow::Status::OK();
}

arrow::Status IncrementalQuery::RefreshTables(Replacements* replacements) {
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

arrow::Result<std::shared_ptr<arrow::Table>> IncrementalQuery::Run(
    const std::map<std::string, std::shared_ptr<arrow::Table>>& inputs, const BatchContext& context) {
  Replacements replacements;
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
  // Bottom-up: each operator reads what the ones under it emitted in this batch.
  for (const auto& op : operators_) {
    ARROW_ASSIGN_OR_RAISE(auto rows, op->Run(replacements, context));
    replacements[op->node()] = Values(op->node()->schema, std::move(rows));
  }
  if (late_) ARROW_RETURN_NOT_OK(late_->Flush(context));
  return Evaluate(root_.node, replacements, root_.column_names, options_);
}

std::optional<ColumnWatermark> IncrementalQuery::WatermarkOf(const plan::LogicalNode& side, std::string field) const {
  const plan::LogicalNode* node = &side;
  while (true) {
    // An operator's output: a windowed aggregation's window ends, a time column a join bounds.
    for (const auto& op : operators_) {
      if (op->node() == node) {
        return op->HasOutputWatermark(field) ? std::optional(ColumnWatermark{0, op.get(), field}) : std::nullopt;
      }
    }
    // A stream has no watermark until a WatermarkNode above it declares one.
    if (streams_.count(node)) return std::nullopt;
    switch (node->kind) {
      case NodeKind::kWatermark: {
        const auto& watermark = node->As<plan::WatermarkNode>();
        if (watermark.time_field == field) {
          return ColumnWatermark{DelayIn(watermark.delay_us, *node->schema->GetFieldByName(field)->type())};
        }
        node = node->inputs[0].get();
        break;
      }
      case NodeKind::kFilter:
        node = node->inputs[0].get();
        break;
      case NodeKind::kProject: {
        const int i = node->schema->GetFieldIndex(field);
        if (i < 0) return std::nullopt;
        auto passed = PassedColumn(node->As<plan::ProjectNode>().exprs[static_cast<size_t>(i)]);
        if (!passed) return std::nullopt;
        field = *passed;
        node = node->inputs[0].get();
        break;
      }
      case NodeKind::kWindow:  // stateless (over whole windows): its input's columns pass on
        if (node->inputs[0]->schema->GetFieldIndex(field) < 0) return std::nullopt;
        node = node->inputs[0].get();
        break;
      case NodeKind::kJoin:  // with a table: the field comes from one side, unchanged
        node = node->inputs[0]->schema->GetFieldIndex(field) >= 0 ? node->inputs[0].get() : node->inputs[1].get();
        break;
      case NodeKind::kTimeWindow: {
        // A window ends at most `size` after the time it holds: the end's watermark trails its
        // largest value by the time's delay plus the size.
        const auto& window = node->As<plan::TimeWindowNode>();
        const int n = node->schema->num_fields();
        if (field == node->schema->field(n - 2)->name()) return std::nullopt;
        if (field == node->schema->field(n - 1)->name()) {
          auto time = WatermarkOf(*node->inputs[0], window.spec.time_field);
          if (!time || time->from != nullptr) return std::nullopt;
          return ColumnWatermark{time->delay + window.spec.size};
        }
        node = node->inputs[0].get();
        break;
      }
      case NodeKind::kAggregate: {
        // Grouping closed windows (GroupsClosedWindows): a key is complete when its input is.
        const auto& keys = node->As<plan::AggregateNode>().keys;
        const int i = node->schema->GetFieldIndex(field);
        if (i < 0 || static_cast<size_t>(i) >= keys.size() || !GroupsClosedWindows(*node)) return std::nullopt;
        field = keys[static_cast<size_t>(i)];
        node = node->inputs[0].get();
        break;
      }
      default:
        return std::nullopt;
    }
  }
}

bool IncrementalQuery::GroupsClosedWindows(const plan::LogicalNode& aggregate) const {
  for (const auto& key : aggregate.As<plan::AggregateNode>().keys) {
    if (ComesWhole(*aggregate.inputs[0], key)) return true;
  }
  return false;
}

bool IncrementalQuery::ComesWhole(const plan::LogicalNode& node, const std::string& field) const {
  // Down to the operator whose rows these are: only a windowed one emits windows whole.
  auto operator_node = [this](const plan::LogicalNode& n) {
    for (const auto& op : operators_) {
      if (op->node() == &n) return true;
    }
    return false;
  };
  std::set<std::string> fields;
  const plan::LogicalNode* reached = DeterminedColumns(node, field, operator_node, &fields);
  if (reached == nullptr) return false;
  for (const WindowedAggregation* windowed : windowed_) {
    if (windowed->node() != reached) continue;
    for (const auto& f : fields) {
      if (windowed->HasOutputWatermark(f)) return true;
    }
  }
  return false;
}

ColumnWatermarkOf IncrementalQuery::WatermarkFinder() const {
  return [this](const plan::LogicalNode& side, const std::string& field) { return WatermarkOf(side, field); };
}

std::shared_ptr<arrow::Schema> IncrementalQuery::late_schema() const {
  const bool others = !joins_.empty() || !deduplications_.empty();
  if (windowed_.size() == 1 && !others) return windowed_[0]->late_schema();
  if (windowed_.empty() && !others) return nullptr;
  return LateRowsTable::Schema();  // rows of several operators' inputs: each kept whole, as JSON
}

void IncrementalQuery::set_late_sink(std::unique_ptr<Sink> sink) {
  if (windowed_.size() == 1 && joins_.empty() && deduplications_.empty()) {
    windowed_[0]->set_late_sink(std::move(sink));
    return;
  }
  late_ = std::make_unique<LateRowsTable>(std::move(sink));
  for (WindowedAggregation* windowed : windowed_) windowed->set_late_sink(late_->AdapterSink());
  for (StreamJoin* join : joins_) join->set_late_rows(late_.get());
  for (Deduplication* deduplication : deduplications_) deduplication->set_late_rows(late_.get());
}

arrow::Result<std::string> IncrementalQuery::SaveState(const Checkpoint& checkpoint, int64_t batch_id) {
  if (operators_.empty()) return std::string();
  nlohmann::json states = nlohmann::json::array();
  std::set<std::string> files;
  for (const auto& op : operators_) {
    ARROW_ASSIGN_OR_RAISE(auto state, op->SaveState(checkpoint, batch_id, &files));
    states.push_back(std::move(state));
  }
  // Every other file is unreachable once this batch commits, except those the last commit
  // names (until it does). Older ones go now.
  if (!committed_files_.empty() || !files.empty()) {
    std::set<std::string> keep = committed_files_;
    keep.insert(files.begin(), files.end());
    ARROW_RETURN_NOT_OK(checkpoint.DeleteStateRowsExcept(keep));
  }
  committed_files_ = std::move(files);
  return nlohmann::json{{"operators", std::move(states)}}.dump();
}

arrow::Status IncrementalQuery::RestoreState(const Checkpoint& checkpoint, const std::string& blob) {
  if (operators_.empty()) return arrow::Status::OK();
  nlohmann::json state = nlohmann::json::parse(blob, nullptr, /*allow_exceptions=*/false);
  if (state.is_discarded() || !state.is_object()) return CorruptState(checkpoint, "not a JSON object");
  nlohmann::json states;
  if (auto it = state.find("operators"); it != state.end()) {
    states = *it;
  } else {
    states = nlohmann::json::array({state});  // written when a query had one operator at most
  }
  if (!states.is_array() || states.size() != operators_.size()) {
    return CorruptState(checkpoint, "it holds the state of " + std::to_string(states.is_array() ? states.size() : 0) +
                                        " operators, the query has " + std::to_string(operators_.size()));
  }
  committed_files_.clear();
  for (size_t i = 0; i < operators_.size(); ++i) {
    if (!states[i].is_object()) return CorruptState(checkpoint, "an operator's state is not a JSON object");
    ARROW_RETURN_NOT_OK(operators_[i]->RestoreState(checkpoint, states[i], &committed_files_));
  }
  return arrow::Status::OK();
}

arrow::Result<std::map<std::string, ColumnSubset>> IncrementalQuery::ColumnsRead() const {
  // The plan with every stream's scan replaced by literal rows, optimized: the columns of those
  // rows it keeps are the ones it reads (field names are unique in a plan), and of the struct
  // columns among them, the fields its field accesses read.
  Replacements empty;
  for (const auto& [scan, source] : streams_) {
    ARROW_ASSIGN_OR_RAISE(auto none, arrow::Table::MakeEmpty(scan->schema));
    empty[scan] = Values(scan->schema, none);
  }
  ARROW_ASSIGN_OR_RAISE(auto optimized, plan::Optimize(plan::PlanRoot{Replace(root_.node, empty), root_.column_names,
                                                                      root_.ordered}));
  std::set<std::string> read;
  std::set<std::string> structs;
  std::function<void(const plan::LogicalNode&)> collect = [&](const plan::LogicalNode& node) {
    if (node.kind == NodeKind::kValues) {
      for (const auto& field : node.schema->fields()) {
        read.insert(field->name());
        if (field->type()->id() == arrow::Type::STRUCT) structs.insert(field->name());
      }
    }
    for (const auto& input : node.inputs) collect(*input);
  };
  collect(*optimized.node);
  const auto struct_fields = plan::StructFieldsRead(*optimized.node, structs);
  std::map<std::string, ColumnSubset> out;
  // Per source, the struct columns some scan reads whole (a source read by several scans, as in
  // a self-join, gives each the same rows: they read what any of them reads).
  std::map<std::string, std::set<std::string>> whole;
  for (const auto& [scan, source] : streams_) {
    auto& subset = out[source];
    const auto* declared = scan->kind == NodeKind::kSourceScan ? &scan->As<plan::SourceScanNode>().columns : nullptr;
    for (int i = 0; i < scan->schema->num_fields(); ++i) {
      const auto& field = scan->schema->field(i);
      if (!read.count(field->name())) continue;
      const std::string column = declared ? (*declared)[static_cast<size_t>(i)] : plan::DisplayName(field->name());
      subset.columns.insert(column);
      auto fields = struct_fields.find(field->name());
      if (fields == struct_fields.end()) {
        whole[source].insert(column);
        continue;
      }
      for (int index : fields->second) subset.struct_fields[column].insert(field->type()->field(index)->name());
    }
  }
  for (const auto& [source, columns] : whole) {
    for (const auto& column : columns) out[source].struct_fields.erase(column);
  }
  return out;
}

TransformMetrics IncrementalQuery::metrics() const {
  // The query is complete up to the earliest of its operators' watermarks.
  TransformMetrics m;
  for (const auto& op : operators_) {
    if (auto w = op->watermark(); w && (!m.watermark_us || *w < *m.watermark_us)) m.watermark_us = w;
    m.state_rows += op->state_rows();
    m.late_rows += op->late_rows();
  }
  return m;
}

}  // namespace tidelake::stream
