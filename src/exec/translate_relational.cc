// PlanTranslator: aggregates (with grouping sets), joins and set operations.
#include <arrow/acero/options.h>
#include <arrow/api.h>
#include <arrow/compute/api.h>
#include <arrow/compute/registry.h>

#include "exec/exec_nodes.h"
#include "exec/scan_source.h"
#include "exec/translate.h"
#include "plan/execution_form.h"

namespace tidelake::exec {

namespace acero = arrow::acero;
namespace cp = arrow::compute;

namespace {

bool StartsWith(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

cp::Expression CastTo(cp::Expression expr, const std::shared_ptr<arrow::DataType>& type) {
  return cp::call("cast", {std::move(expr)}, cp::CastOptions::Safe(type));
}

std::vector<cp::Expression> FieldRefs(const arrow::Schema& schema) {
  std::vector<cp::Expression> refs;
  for (const auto& f : schema.fields()) refs.push_back(cp::field_ref(f->name()));
  return refs;
}

std::shared_ptr<arrow::Schema> JoinInputSchema(const arrow::Schema& left, const arrow::Schema& right) {
  arrow::FieldVector fields = left.fields();
  for (const auto& f : right.fields()) fields.push_back(f);
  return arrow::schema(std::move(fields));
}

// The scalar form of an aggregate: "hash_sum" -> "sum", count(*) -> "count_all".
std::string ScalarAggregateName(const plan::AggregateCall& call) {
  std::string function = StartsWith(call.function, "hash_") ? call.function.substr(5) : call.function;
  if (call.args.empty() && function == "count") function = "count_all";
  return function;
}

// What an aggregate returns over no rows, as `type`: the scalar kernel's answer where there
// is one (count: 0, sum: null, ...), an empty list for list aggregates, else null.
arrow::Result<std::shared_ptr<arrow::Scalar>> AggregateOfNothing(const plan::AggregateCall& call,
                                                                 const std::shared_ptr<arrow::DataType>& arg_type,
                                                                 const std::shared_ptr<arrow::DataType>& type) {
  std::string function = ScalarAggregateName(call);
  std::shared_ptr<arrow::Scalar> value;
  if (function == "count_all") {
    value = std::make_shared<arrow::Int64Scalar>(0);
  } else if (cp::GetFunctionRegistry()->GetFunction(function).ok()) {
    ARROW_ASSIGN_OR_RAISE(auto empty, arrow::MakeEmptyArray(arg_type));
    ARROW_ASSIGN_OR_RAISE(auto result, cp::CallFunction(function, {empty}, call.options.get()));
    value = result.scalar();
  } else if (type->id() == arrow::Type::LIST || type->id() == arrow::Type::LARGE_LIST) {
    ARROW_ASSIGN_OR_RAISE(auto values, arrow::MakeEmptyArray(type->field(0)->type()));
    ARROW_ASSIGN_OR_RAISE(value, arrow::MakeScalar(type, values));
    return value;
  } else {
    return arrow::MakeNullScalar(type);
  }
  if (value->type->Equals(*type)) return value;
  return value->CastTo(type);
}

// Passes its input through; when there was none, emits one given row.
class AtLeastOneRow : public MaterializingOperator {
 public:
  AtLeastOneRow(std::shared_ptr<arrow::Schema> schema, std::vector<std::shared_ptr<arrow::Scalar>> row)
      : schema_(std::move(schema)), row_(std::move(row)) {}
  arrow::Status Add(std::shared_ptr<arrow::RecordBatch> batch, cp::ExecContext* ctx) override {
    if (batch->num_rows() > 0) batches_.push_back(std::move(batch));
    return arrow::Status::OK();
  }
  arrow::Result<std::shared_ptr<arrow::Table>> Finish(cp::ExecContext* ctx) override {
    if (!batches_.empty()) return arrow::Table::FromRecordBatches(schema_, std::move(batches_));
    arrow::ArrayVector columns;
    for (const auto& value : row_) {
      ARROW_ASSIGN_OR_RAISE(auto column, arrow::MakeArrayFromScalar(*value, 1, ctx->memory_pool()));
      columns.push_back(std::move(column));
    }
    return arrow::Table::Make(schema_, columns, 1);
  }

 private:
  std::shared_ptr<arrow::Schema> schema_;
  std::vector<std::shared_ptr<arrow::Scalar>> row_;
  std::vector<std::shared_ptr<arrow::RecordBatch>> batches_;
};

acero::JoinType AceroJoinType(plan::JoinType type) {
  switch (type) {
    case plan::JoinType::kInner: return acero::JoinType::INNER;
    case plan::JoinType::kLeft: return acero::JoinType::LEFT_OUTER;
    case plan::JoinType::kRight: return acero::JoinType::RIGHT_OUTER;
    case plan::JoinType::kFull: return acero::JoinType::FULL_OUTER;
    case plan::JoinType::kLeftSemi: return acero::JoinType::LEFT_SEMI;
    case plan::JoinType::kLeftAnti: return acero::JoinType::LEFT_ANTI;
    case plan::JoinType::kCross: return acero::JoinType::INNER;
  }
  return acero::JoinType::INNER;
}

}  // namespace

arrow::Result<acero::Declaration> PlanTranslator::Aggregate(const plan::AggregateNode& node) {
  const auto& plan_input = *node.inputs[0]->schema;
  const size_t num_keys = node.keys.size();
  const bool grouping_sets = !node.grouping_sets.empty();
  size_t expected = num_keys + node.aggregates.size() + (grouping_sets ? 1 : 0);
  if (static_cast<size_t>(node.schema->num_fields()) != expected) {
    return arrow::Status::Invalid("internal error: aggregate outputs ", node.schema->num_fields(), " fields, expected ",
                                  expected);
  }
  ARROW_ASSIGN_OR_RAISE(auto input, Translate(node.inputs[0]));

  // ANSI semantics Arrow's kernels lack: sum of integers must fail on overflow (hash_sum
  // wraps), so integers are summed as DECIMAL(38, 0) and cast back with a check; avg of
  // integers averages doubles, as Spark does (hash_mean sums in int64); avg of decimals is
  // sum / count at the result's scale, rounded HALF_UP (Spark's Average), so the values are
  // never rescaled and a sum of the same column is computed once.
  std::vector<std::vector<std::string>> call_args;
  std::vector<bool> sum_over_count;  // per call: avg of decimals
  std::vector<cp::Expression> pre_exprs = FieldRefs(plan_input);
  std::vector<std::string> pre_names = plan_input.field_names();
  for (const auto& call : node.aggregates) {
    call_args.push_back(call.args);
    sum_over_count.push_back(false);
    for (const auto& arg : call.args) {
      if (plan_input.GetFieldIndex(arg) < 0) {
        return arrow::Status::Invalid("internal error: aggregate argument '", arg, "' is not in the input");
      }
    }
    std::string name = StartsWith(call.function, "hash_") ? call.function.substr(5) : call.function;
    if (call.args.size() != 1) continue;
    const auto& arg_type = *plan_input.GetFieldByName(call.args[0])->type();
    std::shared_ptr<arrow::DataType> wide;
    if (arrow::is_integer(arg_type.id())) {
      if (name == "sum") wide = arrow::decimal128(38, 0);
      if (name == "mean") wide = arrow::float64();
    } else if (arrow::is_decimal(arg_type.id()) && name == "mean" && call.result_type &&
               arrow::is_decimal(call.result_type->id())) {
      const auto* options = dynamic_cast<const cp::ScalarAggregateOptions*>(call.options.get());
      if (call.options == nullptr || (options != nullptr && options->skip_nulls)) {
        sum_over_count.back() = true;
        continue;
      }
      // Arrow's mean of decimals keeps the input's scale: average at the result's scale
      // (Spark's avg(decimal(p, s)) is decimal(p + 4, s + 4)).
      int scale = static_cast<const arrow::DecimalType&>(*call.result_type).scale();
      if (scale > static_cast<const arrow::DecimalType&>(arg_type).scale()) wide = arrow::decimal128(38, scale);
    }
    if (!wide) continue;
    pre_names.push_back(Internal("arg"));
    // Large integers lose precision as doubles, as in Spark (an unsafe cast, not an error).
    // Decimals widen with our cast, which rescales decimal128 in 128-bit integers.
    if (arrow::is_decimal(arg_type.id())) {
      pre_exprs.push_back(cp::call("tidelake_cast", {cp::field_ref(call.args[0])}, cp::CastOptions::Safe(wide)));
    } else {
      pre_exprs.push_back(cp::call("cast", {cp::field_ref(call.args[0])},
                                   name == "sum" ? cp::CastOptions::Safe(wide) : cp::CastOptions::Unsafe(wide)));
    }
    call_args.back() = {pre_names.back()};
  }
  std::shared_ptr<arrow::Schema> widened;
  if (pre_names.size() > static_cast<size_t>(plan_input.num_fields())) {
    arrow::FieldVector fields = plan_input.fields();
    for (size_t i = fields.size(); i < pre_names.size(); ++i) {
      const auto& cast = pre_exprs[i].call()->options;
      fields.push_back(arrow::field(pre_names[i], static_cast<const cp::CastOptions&>(*cast).to_type.GetSharedPtr()));
    }
    widened = arrow::schema(std::move(fields));
    input = ProjectDeclaration(std::move(input), std::move(pre_exprs), std::move(pre_names));
  }
  const auto& in_schema = widened ? *widened : plan_input;

  std::vector<std::string> key_names;  // the aggregate's key columns
  std::string grouping_id;
  if (grouping_sets) {
    if (num_keys > 62) return arrow::Status::Invalid("GROUPING SETS over more than 62 keys");
    std::vector<int> key_fields;
    for (const auto& key : node.keys) {
      int index = in_schema.GetFieldIndex(key);
      if (index < 0) return arrow::Status::Invalid("internal error: GROUP BY column '", key, "' is not in the input");
      key_fields.push_back(index);
      key_names.push_back(Internal("gk"));
    }
    for (const auto& set : node.grouping_sets) {
      for (int k : set) {
        if (k < 0 || static_cast<size_t>(k) >= num_keys) {
          return arrow::Status::Invalid("internal error: grouping set refers to key ", k);
        }
      }
    }
    grouping_id = Internal("gid");
    input = acero::Declaration::Sequence(
        {std::move(input), {kExpandNode, ExpandNodeOptions(key_fields, node.grouping_sets, key_names, grouping_id)}});
  } else {
    key_names = node.keys;
  }
  std::vector<arrow::FieldRef> keys;
  for (const auto& k : key_names) keys.emplace_back(k);
  if (grouping_sets) keys.emplace_back(grouping_id);
  bool scalar = keys.empty();
  // Without GROUP BY, Arrow's scalar aggregates; hash_list, hash_one and hash_distinct have
  // none, so then every aggregate groups by a constant and an empty input still gets its row.
  bool one_row_fallback = false;
  if (scalar) {
    for (const auto& call : node.aggregates) {
      if (!cp::GetFunctionRegistry()->GetFunction(ScalarAggregateName(call)).ok()) one_row_fallback = true;
    }
  }
  if (one_row_fallback) {
    std::string constant = Internal("ck");
    auto exprs = FieldRefs(in_schema);
    auto names = in_schema.field_names();
    exprs.push_back(cp::literal(int8_t{0}));
    names.push_back(constant);
    input = ProjectDeclaration(std::move(input), std::move(exprs), std::move(names));
    keys.emplace_back(constant);
    scalar = false;
  }

  // The aggregates Acero computes, each once however often the query asks for it.
  std::vector<cp::Aggregate> aggregates;
  auto add_aggregate = [&](std::string function, std::shared_ptr<cp::FunctionOptions> options,
                           const std::vector<std::string>& args) -> std::string {
    // Sums of decimals add 128-bit integers (kernels_aggregate_decimal_sum.cc); the result's
    // cast below checks the precision, as after Arrow's sum.
    const auto arg_field = args.size() == 1 ? in_schema.GetFieldByName(args[0]) : nullptr;
    if ((function == "sum" || function == "hash_sum") && arg_field &&
        arg_field->type()->id() == arrow::Type::DECIMAL128) {
      const auto* sum_options = dynamic_cast<const cp::ScalarAggregateOptions*>(options.get());
      if (options == nullptr || (sum_options != nullptr && sum_options->skip_nulls && sum_options->min_count <= 1)) {
        function = function == "sum" ? "tidelake_decimal_sum" : "hash_tidelake_decimal_sum";
      }
    }
    for (const auto& a : aggregates) {
      bool same_args = a.target.size() == args.size();
      for (size_t i = 0; same_args && i < args.size(); ++i) same_args = *a.target[i].name() == args[i];
      bool same_options = a.options == options || (a.options && options && a.options->Equals(*options));
      if (a.function == function && same_args && same_options) return a.name;
    }
    std::vector<arrow::FieldRef> targets;
    for (const auto& arg : args) targets.emplace_back(arg);
    aggregates.emplace_back(function, std::move(options), std::move(targets), Internal("agg"));
    return aggregates.back().name;
  };
  std::vector<std::string> aggregate_names;  // per call (the sum, for sum / count)
  std::vector<std::string> count_names;      // per call: the count, for sum / count
  for (size_t c = 0; c < node.aggregates.size(); ++c) {
    const auto& call = node.aggregates[c];
    if (sum_over_count[c]) {
      // Nulls are skipped; a sum of no values is null, so is the average.
      auto sum_options = std::make_shared<cp::ScalarAggregateOptions>(/*skip_nulls=*/true, /*min_count=*/1);
      aggregate_names.push_back(add_aggregate(scalar ? "sum" : "hash_sum", sum_options, call_args[c]));
      count_names.push_back(add_aggregate(scalar ? "count" : "hash_count",
                                          std::make_shared<cp::CountOptions>(cp::CountOptions::ONLY_VALID), call_args[c]));
      continue;
    }
    std::string function = scalar ? ScalarAggregateName(call) : call.function;
    if (!scalar && !StartsWith(function, "hash_")) function = "hash_" + function;
    if (!scalar && call.args.empty() && function == "hash_count") function += "_all";
    if (!cp::GetFunctionRegistry()->GetFunction(function).ok()) {
      return arrow::Status::NotImplemented("aggregate function '", call.function, "' ",
                                           scalar ? "without GROUP BY" : "with GROUP BY", " (no Arrow kernel '",
                                           function, "')");
    }
    aggregate_names.push_back(add_aggregate(function, call.options, call_args[c]));
    count_names.emplace_back();
  }
  auto aggregated = acero::Declaration::Sequence({std::move(input),
                                                  {kGateNode, GateNodeOptions{}},
                                                  {"aggregate", acero::AggregateNodeOptions(std::move(aggregates), std::move(keys))}});

  // Give the output the node's names and the binder's result types.
  std::vector<cp::Expression> exprs;
  for (const auto& k : key_names) exprs.push_back(cp::field_ref(k));
  for (size_t i = 0; i < node.aggregates.size(); ++i) {
    const auto& type = node.schema->field(static_cast<int>(num_keys + i))->type();
    if (sum_over_count[i]) {
      auto count = CastTo(cp::field_ref(count_names[i]), arrow::decimal128(19, 0));
      exprs.push_back(cp::call("tidelake_decimal_divide", {cp::field_ref(aggregate_names[i]), std::move(count)},
                               cp::CastOptions::Safe(type)));
      continue;
    }
    exprs.push_back(CastTo(cp::field_ref(aggregate_names[i]), type));
  }
  if (grouping_sets) exprs.push_back(cp::field_ref(grouping_id));
  auto projected = ProjectDeclaration(std::move(aggregated), std::move(exprs), node.schema->field_names());
  if (!one_row_fallback) return projected;
  // No input rows: the one row of each aggregate's value over nothing.
  std::vector<std::shared_ptr<arrow::Scalar>> empty_row;
  for (size_t i = 0; i < node.aggregates.size(); ++i) {
    const auto& call = node.aggregates[i];
    std::shared_ptr<arrow::DataType> arg_type =
        call_args[i].empty() ? arrow::null() : in_schema.GetFieldByName(call_args[i][0])->type();
    ARROW_ASSIGN_OR_RAISE(auto value, AggregateOfNothing(call, arg_type,
                                                         node.schema->field(static_cast<int>(num_keys + i))->type()));
    empty_row.push_back(std::move(value));
  }
  MaterializeNodeOptions options(
      "at least one row", node.schema,
      [empty_row](const std::shared_ptr<arrow::Schema>& schema) -> arrow::Result<std::unique_ptr<MaterializingOperator>> {
        return std::make_unique<AtLeastOneRow>(schema, empty_row);
      });
  return acero::Declaration::Sequence({std::move(projected), {kMaterializeNode, std::move(options)}});
}

arrow::Result<acero::Declaration> PlanTranslator::Join(const plan::JoinNode& node) {
  const auto& left_schema = *node.inputs[0]->schema;
  const auto& right_schema = *node.inputs[1]->schema;
  if (node.left_keys.size() != node.right_keys.size()) {
    return arrow::Status::Invalid("internal error: join with ", node.left_keys.size(), " left keys and ",
                                  node.right_keys.size(), " right keys");
  }
  if (!node.null_safe.empty() && node.null_safe.size() != node.left_keys.size()) {
    return arrow::Status::Invalid("internal error: join null_safe flags do not match its keys");
  }
  const bool semi = node.type == plan::JoinType::kLeftSemi || node.type == plan::JoinType::kLeftAnti;
  int expected = left_schema.num_fields() + (semi ? 0 : right_schema.num_fields());
  if (node.schema->num_fields() != expected) {
    return arrow::Status::Invalid("internal error: join outputs ", node.schema->num_fields(), " fields, expected ",
                                  expected);
  }
  ARROW_ASSIGN_OR_RAISE(auto left, Translate(node.inputs[0]));
  ARROW_ASSIGN_OR_RAISE(auto right, Translate(node.inputs[1]));

  std::vector<arrow::FieldRef> left_keys, right_keys;
  std::vector<acero::JoinKeyCmp> key_cmp;
  for (size_t i = 0; i < node.left_keys.size(); ++i) {
    left_keys.emplace_back(node.left_keys[i]);
    right_keys.emplace_back(node.right_keys[i]);
    bool null_safe = !node.null_safe.empty() && node.null_safe[i];
    key_cmp.push_back(null_safe ? acero::JoinKeyCmp::IS : acero::JoinKeyCmp::EQ);
  }
  if (node.type == plan::JoinType::kCross || left_keys.empty()) {
    // Every row pairs with every row: join on a constant.
    left_keys.clear();
    right_keys.clear();
    key_cmp = {acero::JoinKeyCmp::EQ};
    std::string left_constant = Internal("cl"), right_constant = Internal("cr");
    auto with_constant = [](acero::Declaration decl, const arrow::Schema& schema, const std::string& name) {
      auto exprs = FieldRefs(schema);
      auto names = schema.field_names();
      exprs.push_back(cp::literal(int32_t{0}));
      names.push_back(name);
      return ProjectDeclaration(std::move(decl), std::move(exprs), std::move(names));
    };
    left = with_constant(std::move(left), left_schema, left_constant);
    right = with_constant(std::move(right), right_schema, right_constant);
    left_keys.emplace_back(left_constant);
    right_keys.emplace_back(right_constant);
  }
  // Acero builds its hash table from the right input. A semi, anti or left outer join whose
  // left input is much smaller runs as the mirrored right join, so that the small side is
  // built and the large one streams through.
  const bool mirrored = BuildsOnLeft(node);
  std::vector<arrow::FieldRef> left_output, right_output;
  for (const auto& f : left_schema.fields()) left_output.emplace_back(f->name());
  if (!semi) {
    for (const auto& f : right_schema.fields()) right_output.emplace_back(f->name());
  }
  acero::JoinType type = AceroJoinType(node.type);
  if (mirrored) {
    type = node.type == plan::JoinType::kLeftSemi   ? acero::JoinType::RIGHT_SEMI
           : node.type == plan::JoinType::kLeftAnti ? acero::JoinType::RIGHT_ANTI
                                                    : acero::JoinType::RIGHT_OUTER;
    std::swap(left, right);
    std::swap(left_keys, right_keys);
    std::swap(left_output, right_output);
  }
  acero::HashJoinNodeOptions options(type, std::move(left_keys), std::move(right_keys), left_output, right_output,
                                     std::move(key_cmp),
                                     node.residual ? Unbind(plan::ExecutionForm(*node.residual), *JoinInputSchema(left_schema, right_schema))
                                                   : cp::literal(true));
  left = acero::Declaration::Sequence({std::move(left), {kGateNode, GateNodeOptions{}}});
  right = acero::Declaration::Sequence({std::move(right), {kGateNode, GateNodeOptions{}}});
  acero::Declaration join("hashjoin", {std::move(left), std::move(right)}, std::move(options));

  // The plan names the output fields (left fields, then right fields); they are normally the
  // input names already, in Acero's order (its left outputs, then its right outputs).
  std::vector<std::string> produced;
  for (const auto* outputs : {&left_output, &right_output}) {
    for (const auto& ref : *outputs) produced.push_back(*ref.name());
  }
  std::vector<std::string> input_names = left_schema.field_names();
  if (!semi) {
    for (const auto& n : right_schema.field_names()) input_names.push_back(n);
  }
  if (produced == node.schema->field_names()) return join;
  std::vector<cp::Expression> exprs;
  for (const auto& n : input_names) exprs.push_back(cp::field_ref(n));
  return ProjectDeclaration(std::move(join), std::move(exprs), node.schema->field_names());
}

bool PlanTranslator::BuildsOnLeft(const plan::JoinNode& node) {
  if (node.type != plan::JoinType::kLeftSemi && node.type != plan::JoinType::kLeftAnti &&
      node.type != plan::JoinType::kLeft) {
    return false;
  }
  if (node.left_keys.empty()) return false;  // joins on a constant: nothing to gain
  // Estimates are rough: mirror only when the left side is clearly the smaller.
  constexpr double kMargin = 2.0;
  return estimator_.Of(node.inputs[0]).rows * kMargin < estimator_.Of(node.inputs[1]).rows;
}

arrow::Result<acero::Declaration> PlanTranslator::SetOperation(const plan::SetOperationNode& node) {
  const auto& left_schema = *node.inputs[0]->schema;
  const auto& right_schema = *node.inputs[1]->schema;
  const int width = node.schema->num_fields();
  if (left_schema.num_fields() != width || right_schema.num_fields() != width) {
    return arrow::Status::Invalid("internal error: set operation over inputs of ", left_schema.num_fields(), " and ",
                                  right_schema.num_fields(), " columns into ", width);
  }
  for (int i = 0; i < width; ++i) {
    if (!left_schema.field(i)->type()->Equals(*right_schema.field(i)->type())) {
      return arrow::Status::Invalid("internal error: set operation column ", i + 1, " is ",
                                    left_schema.field(i)->type()->ToString(), " on the left and ",
                                    right_schema.field(i)->type()->ToString(), " on the right");
    }
  }
  ARROW_ASSIGN_OR_RAISE(auto left, Translate(node.inputs[0]));
  ARROW_ASSIGN_OR_RAISE(auto right, Translate(node.inputs[1]));
  auto names = node.schema->field_names();
  // Both sides under the output names (and types), plus `extra` constant columns.
  auto conform = [&](acero::Declaration decl, const arrow::Schema& schema,
                     std::vector<std::pair<std::string, int64_t>> extra) {
    std::vector<cp::Expression> exprs;
    for (int i = 0; i < width; ++i) {
      exprs.push_back(CastTo(cp::field_ref(schema.field(i)->name()), node.schema->field(i)->type()));
    }
    auto out_names = names;
    for (const auto& [name, value] : extra) {
      exprs.push_back(cp::literal(value));
      out_names.push_back(name);
    }
    return ProjectDeclaration(std::move(decl), std::move(exprs), std::move(out_names));
  };
  std::vector<arrow::FieldRef> all_keys;
  for (const auto& n : names) all_keys.emplace_back(n);

  if (node.op == plan::SetOpKind::kUnion) {
    acero::Declaration u("union", {conform(std::move(left), left_schema, {}), conform(std::move(right), right_schema, {})},
                         acero::ExecNodeOptions{});
    if (node.all) return u;
    return acero::Declaration::Sequence(
        {std::move(u), {kGateNode, GateNodeOptions{}}, {"aggregate", acero::AggregateNodeOptions({}, all_keys)}});
  }
  // INTERSECT / EXCEPT: count each distinct row on each side (grouping makes NULLs equal).
  std::string in_left = Internal("l"), in_right = Internal("r");
  std::string left_count = Internal("lc"), right_count = Internal("rc");
  acero::Declaration u("union",
                       {conform(std::move(left), left_schema, {{in_left, 1}, {in_right, 0}}),
                        conform(std::move(right), right_schema, {{in_left, 0}, {in_right, 1}})},
                       acero::ExecNodeOptions{});
  std::vector<cp::Aggregate> counts;
  counts.emplace_back("hash_sum", nullptr, arrow::FieldRef(in_left), left_count);
  counts.emplace_back("hash_sum", nullptr, arrow::FieldRef(in_right), right_count);
  auto counted = acero::Declaration::Sequence({std::move(u),
                                               {kGateNode, GateNodeOptions{}},
                                               {"aggregate", acero::AggregateNodeOptions(std::move(counts), all_keys)}});
  auto lc = cp::field_ref(left_count), rc = cp::field_ref(right_count);
  auto zero = cp::literal(int64_t{0});
  std::vector<cp::Expression> outputs;
  for (const auto& n : names) outputs.push_back(cp::field_ref(n));
  if (!node.all) {
    cp::Expression keep = node.op == plan::SetOpKind::kIntersect
                              ? cp::and_(cp::greater(lc, zero), cp::greater(rc, zero))
                              : cp::and_(cp::greater(lc, zero), cp::equal(rc, zero));
    auto filtered = acero::Declaration::Sequence({std::move(counted), {"filter", acero::FilterNodeOptions(keep)}});
    return ProjectDeclaration(std::move(filtered), std::move(outputs), names);
  }
  // ALL: a row appears min(l, r) times (INTERSECT ALL) or l - r times (EXCEPT ALL).
  cp::Expression times = node.op == plan::SetOpKind::kIntersect ? cp::call("min_element_wise", {lc, rc})
                                                                  : cp::call("subtract", {lc, rc});
  outputs.push_back(times);
  auto out_names = names;
  out_names.push_back(Internal("n"));
  auto with_times = ProjectDeclaration(std::move(counted), std::move(outputs), std::move(out_names));
  return acero::Declaration::Sequence({std::move(with_times), {kReplicateNode, ReplicateNodeOptions{}}});
}

}  // namespace tidelake::exec
