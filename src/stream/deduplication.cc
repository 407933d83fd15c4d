#include "stream/deduplication.h"

#include <arrow/api.h>
#include <arrow/compute/api.h>

#include <algorithm>
#include <functional>
#include <limits>
#include <map>

namespace tidelake::stream {

namespace {

namespace cp = arrow::compute;
using plan::NodeKind;

// `e`'s field when it is a field reference, under any casts the binder added.
const std::string* FieldUnderCasts(const cp::Expression& e) {
  const cp::Expression* at = &e;
  while (const auto* call = at->call()) {
    if (call->function_name != "cast" || call->arguments.size() != 1) return nullptr;
    at = &call->arguments[0];
  }
  const auto* ref = at->field_ref();
  return ref ? ref->name() : nullptr;
}

std::optional<int64_t> IntegerLiteral(const cp::Expression& e) {
  const auto* literal = e.literal();
  if (literal == nullptr || !literal->is_scalar() || !literal->scalar()->is_valid) return std::nullopt;
  if (!arrow::is_integer(literal->scalar()->type->id())) return std::nullopt;
  auto as_int = literal->scalar()->CastTo(arrow::int64());
  if (!as_int.ok()) return std::nullopt;
  return std::static_pointer_cast<arrow::Int64Scalar>(*as_int)->value;
}

// For a comparison of a field with an integer (either way round) that bounds the field from
// above: the field and the largest value it lets through.
std::optional<std::pair<std::string, int64_t>> UpperBound(const cp::Expression& conjunct) {
  const auto* call = conjunct.call();
  if (call == nullptr || call->arguments.size() != 2) return std::nullopt;
  std::string op = call->function_name;
  const std::string* field = FieldUnderCasts(call->arguments[0]);
  std::optional<int64_t> value = IntegerLiteral(call->arguments[1]);
  if (field == nullptr) {  // `1 = rn`, `2 > rn`: as `rn = 1`, `rn < 2`
    field = FieldUnderCasts(call->arguments[1]);
    value = IntegerLiteral(call->arguments[0]);
    static const std::map<std::string, std::string> kMirror{
        {"equal", "equal"}, {"greater", "less"}, {"greater_equal", "less_equal"}, {"less", "greater"},
        {"less_equal", "greater_equal"}};
    auto mirrored = kMirror.find(op);
    if (mirrored == kMirror.end()) return std::nullopt;
    op = mirrored->second;
  }
  if (field == nullptr || !value) return std::nullopt;
  if (op == "equal" || op == "less_equal") return std::pair(*field, *value);
  if (op == "less") return std::pair(*field, *value - 1);
  return std::nullopt;
}

// The operands of the ANDs at the top of `predicate`.
std::vector<cp::Expression> Conjuncts(const cp::Expression& predicate) {
  std::vector<cp::Expression> out, pending{predicate};
  while (!pending.empty()) {
    cp::Expression e = std::move(pending.back());
    pending.pop_back();
    if (const auto* call = e.call(); call && (call->function_name == "and_kleene" || call->function_name == "and")) {
      pending.insert(pending.end(), call->arguments.begin(), call->arguments.end());
    } else {
      out.push_back(std::move(e));
    }
  }
  return out;
}

// The WindowNode whose ROW_NUMBER() output `field` of `node` is (through projections).
const plan::LogicalNode* RowNumberOf(const plan::LogicalNode* node, std::string field) {
  while (node->kind == NodeKind::kProject) {
    const int i = node->schema->GetFieldIndex(field);
    const auto* ref = i < 0 ? nullptr : node->As<plan::ProjectNode>().exprs[static_cast<size_t>(i)].field_ref();
    if (ref == nullptr || ref->name() == nullptr) return nullptr;
    field = *ref->name();
    node = node->inputs[0].get();
  }
  if (node->kind != NodeKind::kWindow) return nullptr;
  const auto& window = node->As<plan::WindowNode>();
  const int i = node->schema->GetFieldIndex(field) - node->inputs[0]->schema->num_fields();
  if (i < 0 || window.calls[static_cast<size_t>(i)].function != "row_number") return nullptr;
  return node;
}

arrow::Result<std::shared_ptr<arrow::Table>> Keep(const std::shared_ptr<arrow::Table>& rows, const arrow::Datum& mask) {
  ARROW_ASSIGN_OR_RAISE(auto kept, cp::Filter(rows, mask));
  // The same table when nothing goes, so that unchanged state is not written again.
  if (kept.table()->num_rows() == rows->num_rows()) return rows;
  return kept.table()->CombineChunks();
}

// An error unless `state` has only `keys`: state another operator saved (an update-mode
// aggregation's, from before DISTINCT ran in append mode) must not be read as empty.
arrow::Status OnlyKeys(const Checkpoint& checkpoint, const nlohmann::json& state,
                       std::initializer_list<const char*> keys) {
  for (const auto& [key, value] : state.items()) {
    if (std::none_of(keys.begin(), keys.end(), [&](const char* k) { return key == k; })) {
      return CorruptState(checkpoint, "a deduplication's state has '" + key + "'");
    }
  }
  return arrow::Status::OK();
}

}  // namespace

std::set<const plan::LogicalNode*> FirstRowsOnly(const plan::NodePtr& root) {
  // A WindowNode qualifies when every visit of it in the tree (a CTE read twice is one node) is
  // under a filter keeping only its row 1.
  std::map<const plan::LogicalNode*, int> visits, filtered;
  std::function<void(const plan::LogicalNode&)> walk = [&](const plan::LogicalNode& node) {
    ++visits[&node];
    if (node.kind == NodeKind::kFilter) {
      std::set<const plan::LogicalNode*> bounded;
      for (const auto& conjunct : Conjuncts(node.As<plan::FilterNode>().predicate)) {
        auto bound = UpperBound(conjunct);
        if (!bound || bound->second > 1) continue;
        if (const auto* window = RowNumberOf(node.inputs[0].get(), bound->first)) bounded.insert(window);
      }
      for (const auto* window : bounded) ++filtered[window];
    }
    for (const auto& input : node.inputs) walk(*input);
  };
  walk(*root);
  std::set<const plan::LogicalNode*> out;
  for (const auto& [window, n] : filtered) {
    if (visits[window] == n) out.insert(window);
  }
  return out;
}

namespace {

// The columns of the keys a deduplication remembers: the first-row form's PARTITION BY columns
// (in its input), or DISTINCT's output.
std::shared_ptr<arrow::Schema> KeySchema(const plan::LogicalNode& node, const std::vector<std::string>& keys,
                                         bool first_row) {
  if (!first_row) return node.schema;
  arrow::FieldVector fields;
  for (const auto& key : keys) fields.push_back(node.inputs[0]->schema->GetFieldByName(key));
  return arrow::schema(std::move(fields));
}

}  // namespace

Deduplication::Deduplication(plan::NodePtr node, std::vector<std::string> keys, std::optional<Time> time,
                             bool first_row, exec::ExecOptions options, std::shared_ptr<StateBudget> budget)
    : node_(std::move(node)),
      keys_(std::move(keys)),
      key_schema_(KeySchema(*node_, keys_, first_row)),
      time_(std::move(time)),
      first_row_(first_row),
      options_(options),
      seen_(key_schema_, key_schema_->field_names(), budget, options) {
  if (first_row_) {
    waiting_ = std::make_unique<KeyedRows>(node_->inputs[0]->schema, keys_, std::move(budget), options);
  }
  const plan::LogicalNode& input = *node_->inputs[0];
  // Late rows show the columns the query read, without the copies the binder makes of the
  // window's PARTITION BY and ORDER BY expressions (the columns a projection passes on as they are).
  for (int i = 0; i < input.schema->num_fields(); ++i) {
    const std::string& name = input.schema->field(i)->name();
    const auto* ref = first_row_ && input.kind == NodeKind::kProject
                          ? input.As<plan::ProjectNode>().exprs[static_cast<size_t>(i)].field_ref()
                          : nullptr;
    if (!first_row_ || input.kind != NodeKind::kProject || (ref && ref->name() && *ref->name() == name)) {
      late_columns_.push_back(i);
    }
  }
}

arrow::Result<std::unique_ptr<Deduplication>> Deduplication::Distinct(plan::NodePtr node,
                                                                       const ColumnWatermarkOf& watermark_of,
                                                                       exec::ExecOptions options,
                                                                       std::shared_ptr<StateBudget> budget) {
  const auto& aggregate = node->As<plan::AggregateNode>();
  std::optional<Time> time;
  for (size_t i = 0; i < aggregate.keys.size() && !time; ++i) {
    if (auto source = watermark_of(*node->inputs[0], aggregate.keys[i])) {
      const std::string output = node->schema->field(static_cast<int>(i))->name();
      time = Time{aggregate.keys[i], *source, output, {output}, plan::DisplayName(output)};
    }
  }
  return std::unique_ptr<Deduplication>(
      new Deduplication(std::move(node), aggregate.keys, std::move(time), /*first_row=*/false, options,
                        std::move(budget)));
}

arrow::Result<std::unique_ptr<StatefulOperator>> DeduplicateRows(plan::NodePtr node, bool first_rows_only,
                                                                 const ColumnWatermarkOf& watermark_of,
                                                                 exec::ExecOptions options,
                                                                 std::shared_ptr<StateBudget> budget) {
  const auto& window = node->As<plan::WindowNode>();
  if (window.calls.size() != 1 || window.calls[0].function != "row_number") {
    std::string names;
    for (const auto& call : window.calls) names += (names.empty() ? "" : ", ") + call.function + "()";
    return NeedsState((window.calls.size() == 1 ? "the window function " : "the window functions ") + names +
                      " without an event-time window's end in its PARTITION BY (partitioned by window_end, it is "
                      "computed once, when the window closes)");
  }
  if (!first_rows_only) {
    return NeedsState("ROW_NUMBER() without an event-time window's end in its PARTITION BY, unless a WHERE or "
                      "QUALIFY keeps only row 1 of each key (rn = 1: deduplication)");
  }
  if (window.partition_by.empty()) {
    return NeedsState("ROW_NUMBER() ... = 1 without PARTITION BY (the first row of the whole stream); partition by "
                      "the columns that identify a duplicate");
  }
  // The first row by event time is final once the watermark passes it: append mode.
  if (window.order_by.size() == 1 && window.order_by[0].ascending) {
    if (auto time = watermark_of(*node->inputs[0], window.order_by[0].field)) {
      return Deduplication::FirstRow(std::move(node), *time, options, std::move(budget));
    }
  }
  return std::make_unique<UpdateDeduplication>(std::move(node), options, std::move(budget));
}

bool KeepsOnlyRowOne(const plan::LogicalNode& filter, const plan::LogicalNode& window) {
  for (const auto& conjunct : Conjuncts(filter.As<plan::FilterNode>().predicate)) {
    auto bound = UpperBound(conjunct);
    if (!bound || bound->second > 1 || RowNumberOf(filter.inputs[0].get(), bound->first) != &window) return false;
  }
  return true;
}

std::unique_ptr<Deduplication> Deduplication::FirstRow(plan::NodePtr node, ColumnWatermark source,
                                                       exec::ExecOptions options,
                                                       std::shared_ptr<StateBudget> budget) {
  const auto& window = node->As<plan::WindowNode>();
  const std::string& order = window.order_by[0].field;
  Time time{order, source, std::nullopt, {order}, plan::DisplayName(order)};
  // The columns equal to the time: the binder copies the ORDER BY and PARTITION BY expressions
  // into fields of their own, beside the columns they read.
  const plan::LogicalNode& input = *node->inputs[0];
  if (input.kind == NodeKind::kProject) {
    const auto& exprs = input.As<plan::ProjectNode>().exprs;
    const cp::Expression& time_expr = exprs[static_cast<size_t>(input.schema->GetFieldIndex(order))];
    for (int i = 0; i < input.schema->num_fields(); ++i) {
      if (exprs[static_cast<size_t>(i)].Equals(time_expr)) time.output_fields.insert(input.schema->field(i)->name());
    }
    if (const auto* ref = time_expr.field_ref(); ref && ref->name()) time.display = plan::DisplayName(*ref->name());
  }
  for (const auto& key : window.partition_by) {
    if (time.output_fields.count(key)) time.key_field = key;  // the time itself is a key
  }
  std::vector<std::string> keys = window.partition_by;
  return std::unique_ptr<Deduplication>(
      new Deduplication(std::move(node), std::move(keys), std::move(time), /*first_row=*/true, options,
                        std::move(budget)));
}

bool Deduplication::HasOutputWatermark(const std::string& field) const {
  if (!time_) return false;
  return time_->output_fields.count(field) > 0;
}

arrow::Result<std::shared_ptr<arrow::Table>> Deduplication::DropLate(const std::shared_ptr<arrow::Table>& fresh) {
  if (!time_ || fresh->num_rows() == 0) return fresh;
  auto column = fresh->GetColumnByName(time_->field);
  arrow::Datum keep;
  if (watermark_) {
    ARROW_ASSIGN_OR_RAISE(keep, cp::CallFunction("greater_equal", {column, std::make_shared<arrow::TimestampScalar>(
                                                                              *watermark_, column->type())}));
  } else {
    ARROW_ASSIGN_OR_RAISE(keep, cp::CallFunction("is_valid", {column}));
  }
  if (!first_row_) {
    // DISTINCT: a NULL time is a key like any other, never forgotten, so never late.
    ARROW_ASSIGN_OR_RAISE(auto null, cp::CallFunction("is_null", {column}));
    ARROW_ASSIGN_OR_RAISE(keep, cp::CallFunction("or_kleene", {keep, null}));
  }
  ARROW_ASSIGN_OR_RAISE(auto kept, Keep(fresh, keep));  // a NULL time in the first-row form: dropped
  late_rows_ += fresh->num_rows() - kept->num_rows();
  if (late_ != nullptr && kept->num_rows() < fresh->num_rows()) {
    // The late rows, with why: behind the watermark, or (the first-row form) without a time.
    ARROW_ASSIGN_OR_RAISE(auto is_null, cp::CallFunction("is_null", {column}));
    ARROW_ASSIGN_OR_RAISE(auto is_kept,
                          cp::CallFunction("coalesce", {keep, std::make_shared<arrow::BooleanScalar>(false)}));
    ARROW_ASSIGN_OR_RAISE(auto is_late, cp::CallFunction("invert", {is_kept}));
    ARROW_ASSIGN_OR_RAISE(auto behind, cp::CallFunction("and_not", {is_late, is_null}));
    const std::string what = first_row_ ? "a deduplication (each key's first row by " + time_->display + ")"
                                        : "DISTINCT";
    ARROW_ASSIGN_OR_RAISE(auto shown, fresh->SelectColumns(late_columns_));
    ARROW_ASSIGN_OR_RAISE(auto late_behind, cp::Filter(shown, behind));
    ARROW_RETURN_NOT_OK(late_->Add(*late_behind.table(),
                                   "late for " + what + ": its " + time_->display + " was behind the watermark, so " +
                                       (first_row_ ? "an earlier row of its key may have been written"
                                                   : "the same row may have been written and forgotten"),
                                   watermark_, *column->type()));
    if (first_row_) {
      ARROW_ASSIGN_OR_RAISE(auto late_null, cp::Filter(shown, is_null));
      ARROW_RETURN_NOT_OK(late_->Add(*late_null.table(),
                                     "late for " + what + ": it has no " + time_->display +
                                         ", which the watermark cannot place",
                                     watermark_, *column->type()));
    }
  }
  return kept;
}

arrow::Status Deduplication::Advance(const arrow::Table& fresh, const BatchContext& context) {
  if (!time_) return arrow::Status::OK();
  std::optional<int64_t> candidate;
  if (time_->source.from != nullptr) {
    candidate = time_->source.from->OutputWatermark(time_->source.field);
  } else {
    if (fresh.num_rows() > 0) {
      ARROW_ASSIGN_OR_RAISE(auto extremes, cp::MinMax(fresh.GetColumnByName(time_->field)));
      const auto& max = *extremes.scalar_as<arrow::StructScalar>().value[1];
      if (max.is_valid) {
        const int64_t t = static_cast<const arrow::TimestampScalar&>(max).value;
        if (!max_time_ || t > *max_time_) max_time_ = t;
      }
    }
    if (max_time_) candidate = *max_time_ - time_->source.delay;
  }
  if (candidate && (!watermark_ || *candidate > *watermark_)) watermark_ = candidate;
  if (context.end_of_input) watermark_ = std::numeric_limits<int64_t>::max();
  return arrow::Status::OK();
}

arrow::Result<std::shared_ptr<arrow::Table>> Deduplication::KeysOf(const std::shared_ptr<arrow::Table>& rows) const {
  const auto& input_schema = node_->inputs[0]->schema;
  if (!first_row_) {
    // DISTINCT's own aggregation gives the rows' distinct keys.
    return EvaluateNode(plan::WithInputs(*node_, {Values(input_schema, rows)}), {}, options_, "the batch's keys");
  }
  arrow::ChunkedArrayVector columns;
  for (const auto& key : keys_) columns.push_back(rows->GetColumnByName(key));
  return arrow::Table::Make(key_schema_, std::move(columns), rows->num_rows());
}

arrow::Status Deduplication::Remember(const std::shared_ptr<arrow::Table>& keys) {
  ARROW_RETURN_NOT_OK(seen_.Upsert(keys, /*stored=*/0));  // the keys not seen before
  if (!time_ || !time_->key_field || !watermark_) return arrow::Status::OK();
  // Keys behind the watermark: every row of theirs to come is late, so they need not be kept.
  return seen_.EraseBefore(*time_->key_field, *watermark_);
}

arrow::Result<std::shared_ptr<arrow::Table>> Deduplication::Run(const Replacements& below,
                                                                const BatchContext& context) {
  const plan::NodePtr& input = node_->inputs[0];
  ARROW_ASSIGN_OR_RAISE(auto fresh, EvaluateNode(input, below, options_,
                                                 first_row_ ? "the rows reaching the deduplication"
                                                            : "the rows reaching DISTINCT"));
  ARROW_ASSIGN_OR_RAISE(fresh, DropLate(fresh));
  ARROW_RETURN_NOT_OK(Advance(*fresh, context));
  if (first_row_) return RunFirstRow(fresh, context);
  // DISTINCT: the batch's keys not written before are written now.
  ARROW_ASSIGN_OR_RAISE(auto keys, KeysOf(fresh));
  ARROW_ASSIGN_OR_RAISE(auto seen, seen_.Lookup(keys, key_schema_->field_names()));
  if (seen->num_rows() > 0) {
    ARROW_ASSIGN_OR_RAISE(keys, RowsByKeys(keys, key_schema_, key_schema_->field_names(), seen, key_schema_,
                                           key_schema_->field_names(), /*matching=*/false, options_));
  }
  ARROW_RETURN_NOT_OK(Remember(keys));
  return keys;
}

arrow::Result<std::shared_ptr<arrow::Table>> Deduplication::RunFirstRow(const std::shared_ptr<arrow::Table>& fresh,
                                                                        const BatchContext& context) {
  const auto& input_schema = node_->inputs[0]->schema;
  // 1. A row of a key written before is not its first.
  std::shared_ptr<arrow::Table> candidates = fresh;
  ARROW_ASSIGN_OR_RAISE(auto seen, seen_.Lookup(fresh, keys_));
  if (seen->num_rows() > 0) {
    ARROW_ASSIGN_OR_RAISE(candidates, RowsByKeys(fresh, input_schema, keys_, seen, key_schema_,
                                                 key_schema_->field_names(), /*matching=*/false, options_));
  }
  // 2. Each new key's earliest row: the batch's own first row, unless a row waiting from an
  //    earlier batch comes before it. Both are ranked by the query's own ROW_NUMBER().
  auto first_rows = [&](const std::shared_ptr<arrow::Table>& rows) -> arrow::Result<std::shared_ptr<arrow::Table>> {
    ARROW_ASSIGN_OR_RAISE(auto numbered, EvaluateNode(plan::WithInputs(*node_, {Values(input_schema, rows)}), {},
                                                      options_, "each key's first row"));
    const int number = numbered->num_columns() - 1;
    ARROW_ASSIGN_OR_RAISE(auto is_first, cp::CallFunction("equal", {numbered->column(number),
                                                                    std::make_shared<arrow::Int64Scalar>(1)}));
    ARROW_ASSIGN_OR_RAISE(auto first, Keep(numbered, is_first));
    return first->RemoveColumn(number);
  };
  //    In memory the waiting rows are ranked with the batch's in one pass.
  if (candidates->num_rows() > 0) {
    ARROW_ASSIGN_OR_RAISE(auto times, cp::CallFunction("min", {candidates->GetColumnByName(time_->field)}));
    const auto& earliest = times.scalar_as<arrow::TimestampScalar>();
    if (earliest.is_valid && (!earliest_waiting_ || earliest.value < *earliest_waiting_)) {
      earliest_waiting_ = earliest.value;
    }
    if (!waiting_->in_rocksdb()) {
      ARROW_ASSIGN_OR_RAISE(auto all, AppendRows(waiting_->memory_rows(), candidates));
      ARROW_ASSIGN_OR_RAISE(auto first, first_rows(all));
      ARROW_RETURN_NOT_OK(waiting_->ReplaceAll(first));
    } else {
      ARROW_ASSIGN_OR_RAISE(auto first, first_rows(candidates));
      ARROW_ASSIGN_OR_RAISE(auto rivals, waiting_->Lookup(first, keys_));
      if (rivals->num_rows() > 0) {
        ARROW_ASSIGN_OR_RAISE(auto both, AppendRows(rivals, first));
        ARROW_ASSIGN_OR_RAISE(first, first_rows(both));
      }
      ARROW_RETURN_NOT_OK(waiting_->Upsert(first, rivals->num_rows()));
    }
  }

  // 3. The waiting rows the watermark has passed are final: no row of their key can come
  //    earlier. They are written with the number 1. (None has when the earliest waiting time
  //    is after the watermark: nothing is read then.)
  const int64_t before = context.end_of_input ? std::numeric_limits<int64_t>::max()
                         : watermark_             ? *watermark_ + 1
                                                  : std::numeric_limits<int64_t>::min();
  if (waiting_->num_rows() == 0 || (earliest_waiting_ && *earliest_waiting_ >= before) ||
      before == std::numeric_limits<int64_t>::min()) {
    return arrow::Table::MakeEmpty(node_->schema);
  }
  ARROW_ASSIGN_OR_RAISE(auto without_number, context.end_of_input ? waiting_->TakeAll()
                                                                  : waiting_->TakeBefore(time_->field, before));
  earliest_waiting_ = before;  // every row left is at or after it
  const auto& number_field = node_->schema->fields().back();
  ARROW_ASSIGN_OR_RAISE(auto one, arrow::MakeScalar(number_field->type(), 1));
  ARROW_ASSIGN_OR_RAISE(auto ones, arrow::MakeArrayFromScalar(*one, without_number->num_rows()));
  ARROW_ASSIGN_OR_RAISE(auto emitted, without_number->AddColumn(without_number->num_columns(), number_field,
                                                                std::make_shared<arrow::ChunkedArray>(ones)));
  ARROW_ASSIGN_OR_RAISE(auto keys, KeysOf(without_number));
  ARROW_RETURN_NOT_OK(Remember(keys));
  return emitted;
}

arrow::Result<nlohmann::json> Deduplication::SaveState(const Checkpoint& checkpoint, int64_t batch_id,
                                                       std::set<std::string>* files) {
  nlohmann::json state{{"lateRows", late_rows_}};
  if (watermark_) state["watermark"] = *watermark_;
  if (max_time_) state["maxTime"] = *max_time_;
  if (waiting_) ARROW_RETURN_NOT_OK(waiting_->Save(checkpoint, batch_id, "waiting", &state, files));
  ARROW_RETURN_NOT_OK(seen_.Save(checkpoint, batch_id, "keys", &state, files));
  return state;
}

arrow::Status Deduplication::RestoreState(const Checkpoint& checkpoint, const nlohmann::json& state,
                                          std::set<std::string>* files) {
  ARROW_RETURN_NOT_OK(OnlyKeys(checkpoint, state, {"lateRows", "watermark", "maxTime", "waiting", "keys"}));
  watermark_ = JsonInteger(state, "watermark");
  max_time_ = JsonInteger(state, "maxTime");
  earliest_waiting_.reset();
  late_rows_ = JsonInteger(state, "lateRows").value_or(0);
  if (waiting_) ARROW_RETURN_NOT_OK(waiting_->Restore(checkpoint, state, "waiting", files));
  return seen_.Restore(checkpoint, state, "keys", files);
}

std::vector<std::vector<std::string>> UpdateDeduplication::KeyColumns() const {
  std::vector<std::vector<std::string>> out;
  const plan::LogicalNode& input = *window_->inputs[0];
  for (const auto& key : window_->As<plan::WindowNode>().partition_by) {
    std::vector<std::string> names{key};
    if (input.kind == NodeKind::kProject) {
      const auto& e = input.As<plan::ProjectNode>().exprs[static_cast<size_t>(input.schema->GetFieldIndex(key))];
      if (const auto* ref = e.field_ref(); ref && ref->name()) names.push_back(*ref->name());
    }
    out.push_back(std::move(names));
  }
  return out;
}

arrow::Result<std::shared_ptr<arrow::Table>> UpdateDeduplication::Run(const Replacements& below,
                                                                      const BatchContext&) {
  const plan::NodePtr& input = window_->inputs[0];
  ARROW_ASSIGN_OR_RAISE(auto fresh, EvaluateNode(input, below, options_, "the rows reaching the deduplication"));
  if (fresh->num_rows() == 0) return arrow::Table::MakeEmpty(window_->schema);
  // The top row of each key the batch has among its top row so far and the batch's rows: the
  // rows the sink upserts, changed or not.
  const auto& keys = window_->As<plan::WindowNode>().partition_by;
  ARROW_ASSIGN_OR_RAISE(auto stored, top_.Lookup(fresh, keys));
  ARROW_ASSIGN_OR_RAISE(auto all, AppendRows(stored, fresh));
  ARROW_ASSIGN_OR_RAISE(auto numbered, EvaluateNode(plan::WithInputs(*window_, {Values(input->schema, all)}), {},
                                                    options_, "each key's top row"));
  const int number = numbered->num_columns() - 1;
  ARROW_ASSIGN_OR_RAISE(auto is_first, cp::CallFunction("equal", {numbered->column(number),
                                                                  std::make_shared<arrow::Int64Scalar>(1)}));
  ARROW_ASSIGN_OR_RAISE(auto first, Keep(numbered, is_first));
  ARROW_ASSIGN_OR_RAISE(auto top, first->RemoveColumn(number));
  ARROW_RETURN_NOT_OK(top_.Upsert(top));
  return first;
}

arrow::Result<nlohmann::json> UpdateDeduplication::SaveState(const Checkpoint& checkpoint, int64_t batch_id,
                                                             std::set<std::string>* files) {
  nlohmann::json state = nlohmann::json::object();
  ARROW_RETURN_NOT_OK(top_.Save(checkpoint, batch_id, "top", &state, files));
  return state;
}

arrow::Status UpdateDeduplication::RestoreState(const Checkpoint& checkpoint, const nlohmann::json& state,
                                                std::set<std::string>* files) {
  ARROW_RETURN_NOT_OK(OnlyKeys(checkpoint, state, {"top"}));
  return top_.Restore(checkpoint, state, "top", files);
}

}  // namespace tidelake::stream
