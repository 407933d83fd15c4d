#include "stream/windowed_aggregation.h"

#include <arrow/api.h>
#include <arrow/compute/api.h>

#include <limits>
#include <map>
#include <numeric>

#include "exec/time_window.h"
#include "stream/aggregate_merge.h"

namespace tidelake::stream {

namespace cp = arrow::compute;
using plan::NodeKind;

namespace {

// The window end's column in partial results: after the GROUP BY keys.
constexpr const char* kWindowEnd = "~window_end";

// `node`, on the path from an aggregation down to `window`, copied so that its output also
// carries the window's end, as its last field kWindowEnd. Fields are only added at the end, so
// the bound expressions of the nodes copied stay valid.
arrow::Result<plan::NodePtr> WithWindowEnd(const plan::NodePtr& node, const plan::TimeWindowNode* window) {
  if (node.get() == window) {
    auto project = std::make_shared<plan::ProjectNode>();
    arrow::FieldVector fields = node->schema->fields();
    for (const auto& field : fields) project->exprs.push_back(cp::field_ref(field->name()));
    project->exprs.push_back(cp::field_ref(fields.back()->name()));  // the window's end
    fields.push_back(fields.back()->WithName(kWindowEnd));
    for (auto& e : project->exprs) {
      ARROW_ASSIGN_OR_RAISE(e, e.Bind(*node->schema));
    }
    project->schema = arrow::schema(std::move(fields));
    project->inputs = {node};
    return project;
  }
  ARROW_ASSIGN_OR_RAISE(auto input, WithWindowEnd(node->inputs[0], window));
  const auto end = input->schema->field(input->schema->num_fields() - 1);
  if (node->kind == NodeKind::kFilter) {
    auto filter = std::make_shared<plan::FilterNode>();
    filter->predicate = node->As<plan::FilterNode>().predicate;
    filter->schema = input->schema;
    filter->inputs = {input};
    return filter;
  }
  if (node->kind != NodeKind::kProject) {
    return arrow::Status::Invalid("internal error: a node other than a projection or a filter between a windowed "
                                  "aggregation and its window");
  }
  auto project = std::make_shared<plan::ProjectNode>();
  project->exprs = node->As<plan::ProjectNode>().exprs;
  ARROW_ASSIGN_OR_RAISE(auto end_ref, cp::field_ref(kWindowEnd).Bind(*input->schema));
  project->exprs.push_back(std::move(end_ref));
  ARROW_ASSIGN_OR_RAISE(project->schema, node->schema->AddField(node->schema->num_fields(), end));
  project->inputs = {input};
  return project;
}

// The rows of `node` for which `predicate` (over its fields) holds.
arrow::Result<plan::NodePtr> Filtered(plan::NodePtr node, const cp::Expression& predicate) {
  auto filter = std::make_shared<plan::FilterNode>();
  ARROW_ASSIGN_OR_RAISE(filter->predicate, predicate.Bind(*node->schema));
  filter->schema = node->schema;
  filter->inputs = {std::move(node)};
  return filter;
}

// The aggregation `node` with the window's end as one more key, after its own.
std::shared_ptr<plan::AggregateNode> AlsoByWindowEnd(const plan::AggregateNode& node,
                                                     const std::shared_ptr<arrow::Field>& end) {
  auto partial = std::make_shared<plan::AggregateNode>(node);
  partial->keys.push_back(kWindowEnd);
  const int keys = static_cast<int>(node.keys.size());
  partial->schema = node.schema->AddField(keys, end).ValueOrDie();  // keys < num_fields: cannot fail
  return partial;
}

// The latest time all of whose windows have closed when the watermark is at `watermark`; not
// for sessions. LastWindowEnd(t) grows with t and is at most t + size, so it is found by
// bisection between watermark - size (closed) and the watermark.
int64_t LatestClosedTime(const plan::TimeWindowSpec& spec, int64_t watermark) {
  auto closed = [&](int64_t t) { return plan::LastWindowEnd(spec, t) <= watermark; };
  int64_t lo = watermark - spec.size;
  int64_t hi = watermark;
  if (closed(hi)) return hi;
  while (hi - lo > 1) {  // closed(lo), !closed(hi)
    const int64_t mid = lo + (hi - lo) / 2;
    (closed(mid) ? lo : hi) = mid;
  }
  return lo;
}

// Why a row was late, as the late rows' table says.
const char* LateReason(plan::TimeWindowKind kind) {
  switch (kind) {
    case plan::TimeWindowKind::kSession:
      return "event time behind the watermark: its session has closed";
    case plan::TimeWindowKind::kSliding:
      return "event time not after the watermark: the sliding window ending at it had closed";
    default:
      return "every window holding its event time had closed";
  }
}

}  // namespace

arrow::Result<std::unique_ptr<WindowedAggregation>> WindowedAggregation::Make(plan::NodePtr aggregate,
                                                                              const plan::TimeWindowNode* window,
                                                                              ColumnWatermark time,
                                                                              exec::ExecOptions options,
                                                                              std::shared_ptr<StateBudget> budget) {
  std::unique_ptr<WindowedAggregation> op(
      new WindowedAggregation(std::move(aggregate), window, std::move(time), options));
  ARROW_RETURN_NOT_OK(op->PlanPartialResults(budget));
  if (!op->partial_) ARROW_RETURN_NOT_OK(op->PlanWaitingColumns(std::move(budget)));
  return op;
}

arrow::Status WindowedAggregation::PlanWaitingColumns(std::shared_ptr<StateBudget> budget) {
  // The columns the aggregation reads: its keys and arguments, through the projections and
  // filters (and window functions) down to the window; then the window's time and partition
  // columns for its start and end. Window functions pass every input column on.
  std::set<std::string> needed;
  if (aggregate_->kind == NodeKind::kAggregate) {
    const auto& aggregate = aggregate_->As<plan::AggregateNode>();
    needed.insert(aggregate.keys.begin(), aggregate.keys.end());
    for (const auto& call : aggregate.aggregates) needed.insert(call.args.begin(), call.args.end());
  } else {
    for (const auto& field : aggregate_->inputs[0]->schema->fields()) needed.insert(field->name());
  }
  auto add_fields = [](const cp::Expression& e, std::set<std::string>* out) {
    for (const auto& ref : cp::FieldsInExpression(e)) {
      if (const auto* name = ref.name()) out->insert(*name);
    }
  };
  for (const plan::LogicalNode* node = aggregate_->inputs[0].get(); node != window_; node = node->inputs[0].get()) {
    if (node->kind == NodeKind::kWindow) {
      for (const auto& field : node->inputs[0]->schema->fields()) needed.insert(field->name());
    } else if (node->kind == NodeKind::kProject) {
      std::set<std::string> below;
      for (int i = 0; i < node->schema->num_fields(); ++i) {
        if (needed.count(node->schema->field(i)->name())) {
          add_fields(node->As<plan::ProjectNode>().exprs[static_cast<size_t>(i)], &below);
        }
      }
      needed = std::move(below);
    } else if (node->kind == NodeKind::kFilter) {
      add_fields(node->As<plan::FilterNode>().predicate, &needed);
    }
  }
  needed.insert(window_->spec.time_field);
  needed.insert(window_->spec.partition_by.begin(), window_->spec.partition_by.end());
  const auto& input = window_->inputs[0];
  auto project = std::make_shared<plan::ProjectNode>();
  arrow::FieldVector fields;
  for (const auto& field : input->schema->fields()) {
    if (!needed.count(field->name())) continue;
    ARROW_ASSIGN_OR_RAISE(auto ref, cp::field_ref(field->name()).Bind(*input->schema));
    project->exprs.push_back(std::move(ref));
    fields.push_back(field);
  }
  project->schema = arrow::schema(std::move(fields));
  project->inputs = {input};
  waiting_columns_ = project;
  const std::string& time = window_->spec.time_field;
  waiting_ = std::make_unique<KeyedRows>(waiting_columns_->schema, std::vector<std::string>{time}, std::move(budget),
                                         options_, time, /*unique=*/false);
  return arrow::Status::OK();
}

plan::NodePtr WindowedAggregation::WindowOverWaiting(std::shared_ptr<arrow::Table> rows) const {
  auto window = std::make_shared<plan::TimeWindowNode>();
  window->spec = window_->spec;
  arrow::FieldVector fields = waiting_columns_->schema->fields();
  const int n = window_->schema->num_fields();
  fields.push_back(window_->schema->field(n - 2));  // start
  fields.push_back(window_->schema->field(n - 1));  // end
  window->schema = arrow::schema(std::move(fields));
  window->inputs = {Values(waiting_columns_->schema, std::move(rows))};
  return window;
}

arrow::Status WindowedAggregation::PlanPartialResults(std::shared_ptr<StateBudget> budget) {
  if (aggregate_->kind != NodeKind::kAggregate) return arrow::Status::OK();  // window functions: rows wait
  const auto& aggregate = aggregate_->As<plan::AggregateNode>();
  // Sessions grow and merge as rows arrive, and a sliding window's end is made by rows that
  // may arrive later: their rows wait. So do aggregates that do not merge.
  if (plan::WindowsDependOnRows(window_->spec) || !aggregate.grouping_sets.empty()) {
    return arrow::Status::OK();
  }
  auto merge_closed = MergeNode(aggregate_->schema, aggregate.keys, aggregate.aggregates);
  if (!merge_closed) return arrow::Status::OK();
  ARROW_ASSIGN_OR_RAISE(auto input, WithWindowEnd(aggregate_->inputs[0], window_));
  auto partial = AlsoByWindowEnd(aggregate, input->schema->field(input->schema->num_fields() - 1));
  partial->inputs = {input};
  auto keys = partial->keys;
  merge_groups_ = MergeNode(partial->schema, keys, aggregate.aggregates);
  merge_closed_ = merge_closed;
  const std::string end = partial->schema->field(static_cast<int>(aggregate.keys.size()))->name();
  groups_ = std::make_unique<KeyedRows>(partial->schema, keys, std::move(budget), options_, end);
  partial_ = partial;
  PlanSlices();
  return arrow::Status::OK();
}

void WindowedAggregation::PlanSlices() {
  const plan::TimeWindowSpec& spec = window_->spec;
  if (spec.kind != plan::TimeWindowKind::kHop && spec.kind != plan::TimeWindowKind::kCumulate) return;
  if (spec.kind == plan::TimeWindowKind::kHop && spec.slide >= spec.size) return;  // no overlap
  const int64_t width = std::gcd(spec.size, spec.slide);
  if (width <= 0 || width == spec.size) return;

  // Follow the window's start and end up to the aggregation: projections may pass them on by
  // name, and compute columns from them (Flink's window_time) that nothing reads later; filters,
  // aggregate arguments and other keys must not read them.
  enum class Bound { kStart, kEnd, kDerived };
  std::vector<const plan::LogicalNode*> path;  // from the window's parent up to the aggregation's input
  for (const plan::LogicalNode* node = aggregate_->inputs[0].get(); node != window_; node = node->inputs[0].get()) {
    path.insert(path.begin(), node);
  }
  const int n = window_->schema->num_fields();
  std::map<std::string, Bound> bounds{{window_->schema->field(n - 2)->name(), Bound::kStart},
                                      {window_->schema->field(n - 1)->name(), Bound::kEnd}};
  auto reads_bound = [&](const cp::Expression& e) {
    for (const auto& ref : cp::FieldsInExpression(e)) {
      if (ref.name() && bounds.count(*ref.name())) return true;
    }
    return false;
  };
  for (const plan::LogicalNode* node : path) {
    if (node->kind == NodeKind::kFilter) {
      if (reads_bound(node->As<plan::FilterNode>().predicate)) return;
    } else if (node->kind == NodeKind::kProject) {
      std::map<std::string, Bound> passed;
      const auto& exprs = node->As<plan::ProjectNode>().exprs;
      for (size_t i = 0; i < exprs.size(); ++i) {
        const auto& name = node->schema->field(static_cast<int>(i))->name();
        const auto* ref = exprs[i].field_ref();
        if (ref && ref->name() && bounds.count(*ref->name())) {
          passed[name] = bounds.at(*ref->name());
        } else if (reads_bound(exprs[i])) {
          passed[name] = Bound::kDerived;
        }
      }
      bounds = std::move(passed);
    } else {
      return;
    }
  }
  const auto& aggregate = aggregate_->As<plan::AggregateNode>();
  for (const auto& call : aggregate.aggregates) {
    for (const auto& arg : call.args) {
      if (bounds.count(arg)) return;
    }
  }
  std::vector<int> starts, ends;
  for (size_t i = 0; i < aggregate.keys.size(); ++i) {
    auto bound = bounds.find(aggregate.keys[i]);
    if (bound == bounds.end()) continue;
    if (bound->second == Bound::kDerived) return;
    (bound->second == Bound::kEnd ? ends : starts).push_back(static_cast<int>(i));
  }
  start_keys_ = std::move(starts);
  end_keys_ = std::move(ends);
  slices_ = std::make_shared<plan::TimeWindowNode>(*window_);
  slices_->spec.kind = plan::TimeWindowKind::kTumble;
  slices_->spec.size = width;
  slices_->spec.slide = width;
}

int64_t WindowedAggregation::SliceTime(int64_t end) const {
  return slices_->spec.end_inclusive ? end : end - slices_->spec.size;
}

arrow::Result<std::shared_ptr<arrow::Table>> WindowedAggregation::WindowsFromSlices(
    const std::shared_ptr<arrow::Table>& slices, int64_t after, int64_t through) {
  const int end_column = static_cast<int>(aggregate_->As<plan::AggregateNode>().keys.size());
  arrow::Int64Builder rows;
  std::vector<int64_t> starts, ends;
  std::vector<plan::TimeWindowBounds> windows;
  int64_t row = 0;
  for (const auto& chunk : slices->column(end_column)->chunks()) {
    const auto& slice_ends = static_cast<const arrow::TimestampArray&>(*chunk);
    for (int64_t i = 0; i < slice_ends.length(); ++i, ++row) {
      windows.clear();
      plan::WindowsOf(window_->spec, SliceTime(slice_ends.Value(i)), &windows);
      for (const auto& w : windows) {
        if (w.end <= after || w.end > through) continue;
        ARROW_RETURN_NOT_OK(rows.Append(row));
        starts.push_back(w.start);
        ends.push_back(w.end);
      }
    }
  }
  ARROW_ASSIGN_OR_RAISE(auto indices, rows.Finish());
  ARROW_ASSIGN_OR_RAISE(auto taken, cp::Take(slices, indices));
  ARROW_ASSIGN_OR_RAISE(auto results, taken.table()->RemoveColumn(end_column));
  auto bound_column = [&](int key, const std::vector<int64_t>& values) -> arrow::Status {
    const auto field = aggregate_->schema->field(key);
    arrow::TimestampBuilder builder(field->type(), arrow::default_memory_pool());
    ARROW_RETURN_NOT_OK(builder.AppendValues(values));
    ARROW_ASSIGN_OR_RAISE(auto array, builder.Finish());
    ARROW_ASSIGN_OR_RAISE(results, results->SetColumn(key, field, std::make_shared<arrow::ChunkedArray>(array)));
    return arrow::Status::OK();
  };
  for (int key : start_keys_) ARROW_RETURN_NOT_OK(bound_column(key, starts));
  for (int key : end_keys_) ARROW_RETURN_NOT_OK(bound_column(key, ends));
  return WithSchema(results, aggregate_->schema, "the closed windows' partial results");
}

arrow::Status WindowedAggregation::MergeIntoGroups(const std::shared_ptr<arrow::Table>& fresh) {
  auto merge = [&](const std::shared_ptr<arrow::Table>& both) {
    return EvaluateNode(plan::WithInputs(*merge_groups_, {Values(partial_->schema, both)}), {}, options_,
                        "the merged partial results");
  };
  if (groups_->in_rocksdb()) {
    // Only the batch's groups are read, merged and written back.
    ARROW_ASSIGN_OR_RAISE(auto stored, groups_->Lookup(fresh, partial_->As<plan::AggregateNode>().keys));
    if (stored->num_rows() == 0) return groups_->Upsert(fresh, /*stored=*/0);
    ARROW_ASSIGN_OR_RAISE(auto both, AppendRows(stored, fresh));
    ARROW_ASSIGN_OR_RAISE(auto merged, merge(both));
    return groups_->Upsert(merged, stored->num_rows());
  }
  // In memory, one aggregation over every open group and the batch's is cheaper than lookups.
  const auto& rows = groups_->memory_rows();
  if (!rows || rows->num_rows() == 0) return groups_->ReplaceAll(fresh);
  ARROW_ASSIGN_OR_RAISE(auto both, arrow::ConcatenateTables({rows, fresh}));
  ARROW_ASSIGN_OR_RAISE(auto merged, merge(both));
  return groups_->ReplaceAll(merged);
}

arrow::Result<std::shared_ptr<arrow::BooleanArray>> WindowedAggregation::SortOutLate(const arrow::ChunkedArray& times,
                                                                                     int64_t* late) {
  arrow::BooleanBuilder keep;
  ARROW_RETURN_NOT_OK(keep.Reserve(times.length()));
  *late = 0;
  for (const auto& chunk : times.chunks()) {
    const auto& values = static_cast<const arrow::TimestampArray&>(*chunk);
    for (int64_t i = 0; i < values.length(); ++i) {
      if (values.IsNull(i)) {  // in no window, in batch mode too
        keep.UnsafeAppend(false);
        continue;
      }
      const int64_t t = values.Value(i);
      const bool is_late = IsLate(t);
      keep.UnsafeAppend(!is_late);
      *late += is_late;
      if (!max_event_time_ || t > *max_event_time_) max_event_time_ = t;
    }
  }
  late_rows_ += *late;
  std::shared_ptr<arrow::BooleanArray> mask;
  ARROW_RETURN_NOT_OK(keep.Finish(&mask));
  return mask;
}

bool WindowedAggregation::IsLate(int64_t t) const {
  if (!watermark_) return false;
  switch (window_->spec.kind) {
    case plan::TimeWindowKind::kSession:  // older than the watermark: it could only join a closed session
      return t < *watermark_;
    case plan::TimeWindowKind::kSliding:  // the window its entry makes, ending at t, has closed
      return t <= *watermark_;
    default:
      return plan::LastWindowEnd(window_->spec, t) <= *watermark_;
  }
}

std::optional<int64_t> WindowedAggregation::AdvanceWatermark(const BatchContext& context) {
  const std::optional<int64_t> previous = watermark_;
  std::optional<int64_t> candidate;
  if (time_.from != nullptr) {
    candidate = time_.from->OutputWatermark(time_.field);
  } else if (max_event_time_) {
    candidate = *max_event_time_ - time_.delay;
  }
  if (candidate && (!watermark_ || *candidate > *watermark_)) watermark_ = candidate;
  if (context.end_of_input) watermark_ = std::numeric_limits<int64_t>::max();
  return previous;
}

arrow::Result<std::shared_ptr<arrow::Table>> WindowedAggregation::Run(const Replacements& below,
                                                                      const BatchContext& context) {
  return partial_ ? RunPartial(below, context) : RunRows(below, context);
}

arrow::Result<std::shared_ptr<arrow::Table>> WindowedAggregation::RunPartial(const Replacements& below,
                                                                             const BatchContext& context) {
  const plan::NodePtr& window_input = window_->inputs[0];
  const int end_column = static_cast<int>(aggregate_->As<plan::AggregateNode>().keys.size());

  // 1. The batch's event times: late rows are counted (and written to the late sink), the
  //    watermark follows the largest. Only the time column is computed for this.
  auto time_only = std::make_shared<plan::ProjectNode>();
  const auto time_field = window_input->schema->GetFieldByName(window_->spec.time_field);
  ARROW_ASSIGN_OR_RAISE(auto time_ref, cp::field_ref(time_field->name()).Bind(*window_input->schema));
  time_only->exprs = {time_ref};
  time_only->schema = arrow::schema({time_field});
  time_only->inputs = {window_input};
  ARROW_ASSIGN_OR_RAISE(auto times, EvaluateNode(time_only, below, options_, "the batch's event times"));
  int64_t late = 0;
  ARROW_RETURN_NOT_OK(SortOutLate(*times->column(0), &late).status());
  if (late > 0 && late_sink_) ARROW_RETURN_NOT_OK(WriteLate(below, context));
  const std::optional<int64_t> previous = AdvanceWatermark(context);

  // 2. The batch's rows into the partial results of the windows still open: the windows that
  //    closed before this batch take no rows (a late row is in none of those that remain; a
  //    hopping window's row behind the watermark only in those still open).
  if (times->num_rows() > late) {
    plan::NodePtr windowed;
    if (slices_) {
      // Each row into its slice, the late ones left out: a row counts in the windows still
      // open holding it, and its slice stays until the last of them closes.
      windowed = Replace(window_input, below);
      if (previous) {
        auto after = std::make_shared<arrow::TimestampScalar>(LatestClosedTime(window_->spec, *previous),
                                                              time_field->type());
        ARROW_ASSIGN_OR_RAISE(windowed, Filtered(windowed, cp::greater(cp::field_ref(time_field->name()),
                                                                       cp::literal(std::move(after)))));
      }
      windowed = plan::WithInputs(*slices_, {windowed});
    } else {
      windowed = plan::WithInputs(*window_, {Replace(window_input, below)});
      if (previous) {
        const auto& end = *window_->schema->field(window_->schema->num_fields() - 1);
        auto after = std::make_shared<arrow::TimestampScalar>(*previous, end.type());
        ARROW_ASSIGN_OR_RAISE(windowed,
                              Filtered(windowed, cp::greater(cp::field_ref(end.name()), cp::literal(std::move(after)))));
      }
    }
    Replacements replacements = below;
    replacements[window_] = windowed;
    ARROW_ASSIGN_OR_RAISE(auto fresh, EvaluateNode(partial_, replacements, options_, "the batch's partial results"));
    if (fresh->num_rows() > 0) ARROW_RETURN_NOT_OK(MergeIntoGroups(fresh));
  }

  // 3. The windows the watermark closed: their groups leave, merged by the keys alone.
  if (!watermark_ || watermark_ == previous || groups_->num_rows() == 0) {
    return arrow::Table::MakeEmpty(aggregate_->schema);
  }
  std::shared_ptr<arrow::Table> results;
  if (slices_) {
    // The windows ending in (previous, watermark] are made of slices ending by the watermark;
    // the slices whose every window has now closed leave.
    const int64_t after = previous.value_or(std::numeric_limits<int64_t>::min());
    ARROW_ASSIGN_OR_RAISE(auto slices, groups_->ReadThrough(*watermark_));
    ARROW_ASSIGN_OR_RAISE(results, WindowsFromSlices(slices, after, *watermark_));
    const bool all = *watermark_ == std::numeric_limits<int64_t>::max();
    const int64_t closed_time = all ? *watermark_ : LatestClosedTime(window_->spec, *watermark_);
    // The latest slice end whose time (SliceTime) is at or before closed_time.
    const int64_t last_closed_end =
        all || slices_->spec.end_inclusive ? closed_time : closed_time + slices_->spec.size;
    ARROW_RETURN_NOT_OK(groups_->TakeThrough(last_closed_end).status());
  } else {
    ARROW_ASSIGN_OR_RAISE(auto closed, groups_->TakeThrough(*watermark_));
    ARROW_ASSIGN_OR_RAISE(results, closed->RemoveColumn(end_column));
    ARROW_ASSIGN_OR_RAISE(results, WithSchema(results, aggregate_->schema, "the closed windows' partial results"));
  }
  if (results->num_rows() == 0) return arrow::Table::MakeEmpty(aggregate_->schema);
  return EvaluateNode(plan::WithInputs(*merge_closed_, {Values(aggregate_->schema, results)}), {}, options_,
                      "the closed windows' results");
}

arrow::Result<std::shared_ptr<arrow::Table>> WindowedAggregation::RunRows(const Replacements& below,
                                                                          const BatchContext& context) {
  // 1. The batch's rows reaching the window; late rows leave; the watermark follows the largest
  //    event time.
  ARROW_ASSIGN_OR_RAISE(auto fresh, EvaluateNode(waiting_columns_, below, options_, "the rows reaching the window"));
  int64_t late = 0;
  ARROW_ASSIGN_OR_RAISE(auto mask, SortOutLate(*fresh->GetColumnByName(window_->spec.time_field), &late));
  ARROW_ASSIGN_OR_RAISE(auto kept, cp::Filter(fresh, mask));
  if (late > 0 && late_sink_) ARROW_RETURN_NOT_OK(WriteLate(below, context));
  const std::optional<int64_t> previous = AdvanceWatermark(context);

  ARROW_RETURN_NOT_OK(waiting_->Append(kept.table()));

  // 2. The windows that closed in this batch: ends in (previous, watermark]. Every row of such
  //    a window is at or before the watermark, and so is every row that decides which windows
  //    there are: a sliding window's entry and exit points, and a session's next row within
  //    the gap (a row after the watermark can only join a session still open). Sessions take
  //    those rows, and give back the ones of sessions still open (Evict).
  if (!watermark_ || watermark_ == previous || waiting_->num_rows() == 0) {
    return arrow::Table::MakeEmpty(aggregate_->schema);  // nothing closed
  }
  const bool sessions = window_->spec.kind == plan::TimeWindowKind::kSession;
  ARROW_ASSIGN_OR_RAISE(auto rows,
                        sessions ? waiting_->TakeThrough(*watermark_) : waiting_->ReadThrough(*watermark_));
  if (rows->num_rows() == 0) return arrow::Table::MakeEmpty(aggregate_->schema);
  const auto& end_field = window_->schema->field(window_->schema->num_fields() - 1);
  auto bound = [&](int64_t v) { return cp::literal(std::make_shared<arrow::TimestampScalar>(v, end_field->type())); };
  cp::Expression closed = cp::less_equal(cp::field_ref(end_field->name()), bound(*watermark_));
  if (previous) closed = cp::and_(cp::greater(cp::field_ref(end_field->name()), bound(*previous)), closed);
  ARROW_ASSIGN_OR_RAISE(auto filter, Filtered(WindowOverWaiting(rows), closed));
  ARROW_ASSIGN_OR_RAISE(auto output,
                        EvaluateNode(aggregate_, {{window_, filter}}, options_, "the closed windows' results"));
  ARROW_RETURN_NOT_OK(Evict(*watermark_, rows));
  return output;
}

bool WindowedAggregation::HasOutputWatermark(const std::string& field) const {
  std::string name = field;  // a window function's output passes its input's columns on by name
  if (aggregate_->kind == NodeKind::kAggregate) {
    const auto& keys = aggregate_->As<plan::AggregateNode>().keys;
    const int i = aggregate_->schema->GetFieldIndex(field);
    if (i < 0 || static_cast<size_t>(i) >= keys.size()) return false;
    name = keys[static_cast<size_t>(i)];
  }
  for (const plan::LogicalNode* node = aggregate_->inputs[0].get(); node != window_; node = node->inputs[0].get()) {
    if (node->kind == plan::NodeKind::kProject) {
      const int j = node->schema->GetFieldIndex(name);
      const auto* ref = j < 0 ? nullptr : node->As<plan::ProjectNode>().exprs[static_cast<size_t>(j)].field_ref();
      if (ref == nullptr || ref->name() == nullptr) return false;
      name = *ref->name();
    } else if (node->kind != plan::NodeKind::kFilter && node->kind != plan::NodeKind::kWindow) {
      return false;
    }
  }
  return name == window_->schema->field(window_->schema->num_fields() - 1)->name();
}

std::shared_ptr<arrow::Schema> WindowedAggregation::late_schema() const {
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

arrow::Status WindowedAggregation::WriteLate(const Replacements& below, const BatchContext& context) {
  // The batch's rows with all their columns, and of those the late ones: with a time (rows
  // without one are in no window, as in batch) behind the watermark the batch started with.
  ARROW_ASSIGN_OR_RAISE(auto fresh, EvaluateNode(window_->inputs[0], below, options_, "the late rows"));
  const auto& times = *fresh->GetColumnByName(window_->spec.time_field);
  arrow::BooleanBuilder late;
  arrow::StringBuilder reasons;
  for (const auto& chunk : times.chunks()) {
    const auto& values = static_cast<const arrow::TimestampArray&>(*chunk);
    for (int64_t j = 0; j < values.length(); ++j) {
      const bool is_late = values.IsValid(j) && IsLate(values.Value(j));
      ARROW_RETURN_NOT_OK(late.Append(is_late));
      if (is_late) {
        ARROW_RETURN_NOT_OK(reasons.Append(LateReason(window_->spec.kind)));
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

arrow::Status WindowedAggregation::Evict(int64_t watermark, const std::shared_ptr<arrow::Table>& taken) {
  const plan::TimeWindowSpec& spec = window_->spec;
  if (spec.kind == plan::TimeWindowKind::kSession) {
    // A row stays while its session is open: assign sessions and give back those ending later.
    cp::ExecContext ctx(arrow::default_memory_pool());
    ARROW_ASSIGN_OR_RAISE(auto assigned, exec::AssignSessions(spec, taken, WindowOverWaiting(taken)->schema, &ctx));
    const int end = assigned->num_columns() - 1;
    ARROW_ASSIGN_OR_RAISE(
        auto open, cp::CallFunction("greater", {assigned->column(end),
                                                std::make_shared<arrow::TimestampScalar>(
                                                    watermark, assigned->column(end)->type())}));
    ARROW_ASSIGN_OR_RAISE(auto kept, cp::Filter(assigned, open));
    ARROW_ASSIGN_OR_RAISE(auto without_end, kept.table()->RemoveColumn(end));
    ARROW_ASSIGN_OR_RAISE(auto rows, without_end->RemoveColumn(end - 1));
    ARROW_ASSIGN_OR_RAISE(rows, WithSchema(rows, waiting_columns_->schema, "the waiting rows"));
    return waiting_->Append(rows);
  }
  // The other windows end later the later their rows are (LastWindowEnd grows with the time),
  // so the rows whose windows have all closed come first in time order.
  return waiting_->TakeThrough(LatestClosedTime(spec, watermark)).status();
}

arrow::Result<nlohmann::json> WindowedAggregation::SaveState(const Checkpoint& checkpoint, int64_t batch_id,
                                                             std::set<std::string>* files) {
  nlohmann::json state{{"lateRows", late_rows_}};
  if (watermark_) state["watermark"] = *watermark_;
  if (max_event_time_) state["maxEventTime"] = *max_event_time_;
  if (partial_) {
    if (slices_) state["sliceWidth"] = slices_->spec.size;
    ARROW_RETURN_NOT_OK(groups_->Save(checkpoint, batch_id, "groups", &state, files));
  } else {
    ARROW_RETURN_NOT_OK(waiting_->Save(checkpoint, batch_id, "rows", &state, files));
  }
  return state;
}

arrow::Status WindowedAggregation::RestoreState(const Checkpoint& checkpoint, const nlohmann::json& state,
                                                std::set<std::string>* files) {
  watermark_ = JsonInteger(state, "watermark");
  max_event_time_ = JsonInteger(state, "maxEventTime");
  late_rows_ = JsonInteger(state, "lateRows").value_or(0);
  if (partial_) {
    // Partial results by window and by slice are not interchangeable.
    const int64_t width = slices_ ? slices_->spec.size : 0;
    if (JsonInteger(state, "sliceWidth").value_or(0) != width) {
      return arrow::Status::Invalid("the checkpoint keeps the windows' partial results ",
                                    width ? "whole, not by slice" : "by slice, not whole",
                                    ": it was written by another version of tidelake; start the query afresh");
    }
    return groups_->Restore(checkpoint, state, "groups", files);
  }
  return waiting_->Restore(checkpoint, state, "rows", files);
}

}  // namespace tidelake::stream
