// CallFunction's dispatch, the conditional functions (coalesce, nullif, if, nvl, nvl2,
// greatest, least, CASE), typeof and kernel registration.
//
// Conditional evaluation: Spark evaluates a CASE / IF branch, a later COALESCE argument or a
// later WHEN condition only for the rows that reach it, so `CASE WHEN x = 0 THEN NULL ELSE 1 / x
// END` never divides by zero. Arrow evaluates every argument of a call on every row, so each
// such operand is rewritten by OnlyWhere(operand, mask): every call in it that can raise an
// error gets its arguments replaced by NULL on the rows outside the mask (our kernels and
// Arrow's checked kernels answer NULL for NULL input without an error). Operands without
// such calls are left as they are.

#include "plan/functions.h"

#include <mutex>

#include "common/arrow_init.h"
#include "plan/functions_internal.h"
#include "plan/kernels_like_segments.h"

namespace tidelake::plan {

using namespace internal;  // NOLINT(build/namespaces)

arrow::Status RegisterSqlFunctions() {
  static std::once_flag once;
  static arrow::Status status;
  std::call_once(once, [] {
    status = EnsureArrowInitialized();
    if (!status.ok()) return;
    cp::FunctionRegistry* registry = cp::GetFunctionRegistry();
    for (auto reg : {RegisterCastKernels, RegisterArithmeticKernels, RegisterCompareKernels, RegisterStringKernels,
                     RegisterDatetimeKernels, RegisterCollectionKernels, RegisterAggregateKernels,
                     RegisterDecimalSumKernels, RegisterLikeSegmentsKernels}) {
      status = reg(registry);
      if (!status.ok()) return;
    }
  });
  return status;
}

namespace {

// The condition of IF or CASE WHEN: a boolean (or NULL); unlike AND / NOT, Spark does not cast
// a string here ("The first parameter requires the BOOLEAN type").
arrow::Result<cp::Expression> ConditionArg(std::string_view fn, size_t index, cp::Expression e,
                                           const arrow::Schema& input) {
  const auto t = TypeOf(e);
  if (t->id() == arrow::Type::BOOL) return e;
  if (IsNull(*t)) return Cast(std::move(e), arrow::boolean(), false, input);
  return ArgTypeError(fn, index, "a boolean", *t);
}

// A NULL condition counts as false (Spark's IF and CASE; Arrow's if_else would give NULL).
arrow::Result<cp::Expression> DefinitelyTrue(cp::Expression condition, const arrow::Schema& input) {
  ARROW_ASSIGN_OR_RAISE(auto false_literal, Literal(arrow::MakeScalar(false), input));
  return BoundCall("coalesce", {std::move(condition), false_literal}, input);
}

// Digits before the decimal point a value of type `t` may need (integers, decimals).
int IntegerDigits(const arrow::DataType& t) {
  if (IsDecimal(t)) return DecimalPrecision(t) - DecimalScale(t);
  if (IsIntegral(t)) return DecimalPrecision(*DecimalForIntegral(t));
  return 1000;
}

// Calls of our failing kernels that cannot fail for their types: exact decimal + - * whose
// result type was not capped at 38 digits, and casts that widen. (TPC-H's CASE WHEN ... THEN
// price * (1 - discount) ELSE 0 END stays unguarded.)
bool CannotFail(const cp::Expression::Call& call, const arrow::DataType& out) {
  const std::string& n = call.function_name;
  if (n == "tidelake_decimal_add" || n == "tidelake_decimal_subtract" || n == "tidelake_decimal_multiply") {
    const auto a = TypeOf(call.arguments[0]), b = TypeOf(call.arguments[1]);
    if (!IsDecimal(*a) || !IsDecimal(*b) || !IsDecimal(out)) return false;
    const int s1 = DecimalScale(*a), s2 = DecimalScale(*b);
    if (n == "tidelake_decimal_multiply") {
      return DecimalScale(out) == s1 + s2 && DecimalPrecision(out) >= DecimalPrecision(*a) + DecimalPrecision(*b);
    }
    return DecimalScale(out) == std::max(s1, s2) &&
           IntegerDigits(out) >= std::max(IntegerDigits(*a), IntegerDigits(*b)) + 1;
  }
  if (n == "tidelake_cast") {
    const auto from = TypeOf(call.arguments[0]);
    if (IsString(out)) return IsNumeric(*from) || from->id() == arrow::Type::BOOL || IsDatetime(*from);
    if (IsDecimal(out) && (IsIntegral(*from) || IsDecimal(*from))) {
      const int from_scale = IsDecimal(*from) ? DecimalScale(*from) : 0;
      return DecimalScale(out) >= from_scale && IntegerDigits(out) >= IntegerDigits(*from);
    }
  }
  return false;
}

// A call that may fail at run time (ANSI casts and arithmetic, subscripts, parsing, ...).
bool MayFail(const cp::Expression& e) {
  const auto* call = e.call();
  if (call == nullptr) return false;
  const std::string& n = call->function_name;
  if (n.rfind("tidelake_", 0) == 0) {
    if (n.rfind("tidelake_try_", 0) == 0 || CannotFail(*call, *TypeOf(e))) return false;
    // Over literals only (the 1 in 1 - discount cast to decimal(1,0)): it fails on every row
    // or on none; find out now.
    bool constant = !call->arguments.empty();
    for (const auto& arg : call->arguments) constant = constant && arg.literal() != nullptr;
    return !(constant && cp::ExecuteScalarExpression(e, cp::ExecBatch({}, 1)).ok());
  }
  if (n == "cast") {  // Cast() uses Arrow's only unsafe, where it cannot fail; others check
    const auto* options = static_cast<const cp::CastOptions*>(call->options.get());
    return options == nullptr || !options->allow_int_overflow;
  }
  constexpr std::string_view kChecked = "_checked";
  return n.size() > kChecked.size() && n.compare(n.size() - kChecked.size(), kChecked.size(), kChecked) == 0;
}

bool HasCallThatMayFail(const cp::Expression& e) {
  const auto* call = e.call();
  if (call == nullptr) return false;
  if (MayFail(e)) return true;
  for (const auto& arg : call->arguments) {
    if (HasCallThatMayFail(arg)) return true;
  }
  return false;
}

// `e` with the arguments of its failing calls NULL outside `mask` (a boolean without NULLs).
arrow::Result<cp::Expression> OnlyWhere(const cp::Expression& e, const cp::Expression& mask, const arrow::Schema& input) {
  const auto* call = e.call();
  if (call == nullptr || !HasCallThatMayFail(e)) return e;
  std::vector<cp::Expression> args;
  for (const auto& arg : call->arguments) {
    ARROW_ASSIGN_OR_RAISE(auto guarded, OnlyWhere(arg, mask, input));
    args.push_back(std::move(guarded));
  }
  if (MayFail(e)) {
    for (auto& arg : args) {
      auto null = NullOf(TypeOf(arg), input);
      if (!null.ok()) continue;
      // Types if_else cannot select (a map, say) stay as they are: nulling any one argument
      // of a strict kernel is enough.
      auto masked = BoundCall("if_else", {mask, arg, *null}, input);
      if (masked.ok()) arg = std::move(*masked);
    }
  }
  return BoundCall(call->function_name, std::move(args), input, call->options);
}

arrow::Result<cp::Expression> Not(cp::Expression e, const arrow::Schema& input) {
  return BoundCall("invert", {std::move(e)}, input);
}

arrow::Result<cp::Expression> And(cp::Expression a, cp::Expression b, const arrow::Schema& input) {
  return BoundCall("and", {std::move(a), std::move(b)}, input);
}

// COALESCE / NVL / IFNULL: argument i is evaluated only where arguments 0..i-1 are NULL.
arrow::Result<std::vector<cp::Expression>> CoalesceLazily(std::vector<cp::Expression> args, const arrow::Schema& input) {
  bool any = false;
  for (size_t i = 1; i < args.size(); ++i) any = any || HasCallThatMayFail(args[i]);
  if (!any) return args;
  std::optional<cp::Expression> all_null;
  for (size_t i = 0; i + 1 < args.size(); ++i) {
    ARROW_ASSIGN_OR_RAISE(auto is_null, BoundCall("is_null", {args[i]}, input));
    if (all_null) {
      ARROW_ASSIGN_OR_RAISE(all_null, And(*all_null, is_null, input));
    } else {
      all_null = is_null;
    }
    ARROW_ASSIGN_OR_RAISE(args[i + 1], OnlyWhere(args[i + 1], *all_null, input));
  }
  return args;
}

arrow::Result<cp::Expression> Conditional(std::string_view name, std::vector<cp::Expression>& args,
                                          const arrow::Schema& input) {
  if (name == "coalesce" || name == "nvl" || name == "ifnull") {
    if (name == "coalesce") ARROW_RETURN_NOT_OK(CheckArity(name, args.size(), 1, SIZE_MAX));
    else ARROW_RETURN_NOT_OK(CheckArity(name, args.size(), 2, 2));
    ARROW_ASSIGN_OR_RAISE(args, CoerceToCommonType(name, std::move(args), input));
    if (args.size() == 1) return args[0];
    ARROW_ASSIGN_OR_RAISE(args, CoalesceLazily(std::move(args), input));
    return BoundCall("coalesce", std::move(args), input);
  }
  if (name == "nullif") {
    ARROW_RETURN_NOT_OK(CheckArity(name, args.size(), 2, 2));
    ARROW_ASSIGN_OR_RAISE(auto equal, CallOperator(Operator::kEq, {args[0], args[1]}, input));
    ARROW_ASSIGN_OR_RAISE(auto condition, DefinitelyTrue(equal, input));
    ARROW_ASSIGN_OR_RAISE(auto null, NullOf(TypeOf(args[0]), input));
    return BoundCall("if_else", {condition, null, args[0]}, input);
  }
  if (name == "if" || name == "iff") {
    ARROW_RETURN_NOT_OK(CheckArity(name, args.size(), 3, 3));
    ARROW_ASSIGN_OR_RAISE(auto condition, ConditionArg(name, 0, args[0], input));
    std::vector<cp::Expression> branches{args[1], args[2]};
    ARROW_ASSIGN_OR_RAISE(branches, CoerceToCommonType(name, std::move(branches), input));
    ARROW_ASSIGN_OR_RAISE(condition, DefinitelyTrue(condition, input));
    if (HasCallThatMayFail(branches[0]) || HasCallThatMayFail(branches[1])) {
      ARROW_ASSIGN_OR_RAISE(auto otherwise, Not(condition, input));
      ARROW_ASSIGN_OR_RAISE(branches[0], OnlyWhere(branches[0], condition, input));
      ARROW_ASSIGN_OR_RAISE(branches[1], OnlyWhere(branches[1], otherwise, input));
    }
    return BoundCall("if_else", {condition, branches[0], branches[1]}, input);
  }
  if (name == "nvl2") {
    ARROW_RETURN_NOT_OK(CheckArity(name, args.size(), 3, 3));
    ARROW_ASSIGN_OR_RAISE(auto condition, BoundCall("is_valid", {args[0]}, input));
    std::vector<cp::Expression> branches{args[1], args[2]};
    ARROW_ASSIGN_OR_RAISE(branches, CoerceToCommonType(name, std::move(branches), input));
    if (HasCallThatMayFail(branches[0]) || HasCallThatMayFail(branches[1])) {
      ARROW_ASSIGN_OR_RAISE(auto otherwise, BoundCall("is_null", {args[0]}, input));
      ARROW_ASSIGN_OR_RAISE(branches[0], OnlyWhere(branches[0], condition, input));
      ARROW_ASSIGN_OR_RAISE(branches[1], OnlyWhere(branches[1], otherwise, input));
    }
    return BoundCall("if_else", {condition, branches[0], branches[1]}, input);
  }
  if (name == "greatest" || name == "least") {
    ARROW_RETURN_NOT_OK(CheckArity(name, args.size(), 2, SIZE_MAX));
    ARROW_ASSIGN_OR_RAISE(args, CoerceToCommonType(name, std::move(args), input));
    const auto type = TypeOf(args[0]);
    if (IsNull(*type)) return args[0];
    if (IsNested(*type)) return ArgTypeError(name, 0, "an atomic value", *type);
    // Spark skips NULLs: the result is NULL only when every argument is.
    auto options = std::make_shared<cp::ElementWiseAggregateOptions>(/*skip_nulls=*/true);
    const char* kernel = name == "greatest" ? "max_element_wise" : "min_element_wise";
    if (!IsDatetime(*type)) return BoundCall(kernel, std::move(args), input, options);
    // Arrow has no element-wise min/max of dates and timestamps: compare their integer forms.
    auto as_int = std::make_shared<cp::CastOptions>(cp::CastOptions::Unsafe(IsDate(*type) ? arrow::int32() : arrow::int64()));
    for (auto& arg : args) {
      ARROW_ASSIGN_OR_RAISE(arg, BoundCall("cast", {arg}, input, as_int));
    }
    ARROW_ASSIGN_OR_RAISE(auto result, BoundCall(kernel, std::move(args), input, options));
    return BoundCall("cast", {result}, input, std::make_shared<cp::CastOptions>(cp::CastOptions::Unsafe(type)));
  }
  return arrow::Status::Invalid("unknown function '", name, "'");
}

// typeof(x): Spark's name of x's type, a constant.
arrow::Result<cp::Expression> TypeOfFunction(std::vector<cp::Expression>& args, const arrow::Schema& input) {
  ARROW_RETURN_NOT_OK(CheckArity("typeof", args.size(), 1, 1));
  return Literal(std::make_shared<arrow::StringScalar>(SqlTypeName(*TypeOf(args[0]))), input);
}

bool IsConditional(std::string_view name) {
  for (std::string_view n : {"coalesce", "nvl", "ifnull", "nullif", "if", "iff", "nvl2", "greatest", "least"}) {
    if (n == name) return true;
  }
  return false;
}

// The function names each topic file answers (for IsScalarFunction and error messages).
constexpr std::string_view kScalarFunctions[] = {
    // conditional
    "coalesce", "nvl", "ifnull", "nullif", "if", "iff", "nvl2", "greatest", "least", "typeof",
    // math
    "abs", "round", "floor", "ceil", "ceiling", "sqrt", "pow", "power", "exp", "ln", "log", "log10", "log2", "mod",
    "pmod", "sign", "signum", "negative", "positive", "try_divide", "try_add", "try_subtract", "try_multiply",
    // strings
    "lower", "lcase", "upper", "ucase", "length", "char_length", "character_length", "octet_length", "substring",
    "substr", "concat", "concat_ws", "trim", "btrim", "ltrim", "rtrim", "lpad", "rpad", "replace", "instr", "locate",
    "position", "split", "regexp_extract", "regexp_replace", "rlike", "regexp", "regexp_like", "like", "ilike",
    "initcap", "reverse", "repeat", "left", "right", "starts_with", "startswith", "ends_with", "endswith", "contains",
    "md5", "sha1", "sha", "sha2",
    // datetime
    "current_timestamp", "now", "current_date", "curdate", "date_trunc", "trunc", "date_add", "dateadd", "date_sub",
    "datediff", "add_months", "months_between", "year", "quarter", "month", "day", "dayofmonth", "dayofweek",
    "weekday", "dayofyear", "weekofyear", "hour", "minute", "second", "to_date", "to_timestamp", "try_to_timestamp",
    "date_format", "from_unixtime", "unix_timestamp", "to_unix_timestamp", "make_date", "last_day", "date_part",
    "extract",
    // collections
    "size", "cardinality", "array_contains", "element_at", "try_element_at", "struct", "named_struct", "array", "map",
    "get", "sort_array", "array_sort",
};

}  // namespace

bool IsScalarFunction(std::string_view name) {
  for (std::string_view n : kScalarFunctions) {
    if (n == name) return true;
  }
  return false;
}

arrow::Result<cp::Expression> CallFunction(std::string_view name, std::vector<cp::Expression> args,
                                           const arrow::Schema& input, const FunctionContext& ctx) {
  ARROW_RETURN_NOT_OK(RegisterSqlFunctions());
  for (auto& arg : args) {
    if (!arg.IsBound()) { ARROW_ASSIGN_OR_RAISE(arg, arg.Bind(input)); }
  }
  if (IsConditional(name)) return Conditional(name, args, input);
  if (name == "typeof") return TypeOfFunction(args, input);
  std::optional<cp::Expression> result;
  ARROW_ASSIGN_OR_RAISE(result, CallMathFunction(name, args, input));
  if (result) return *result;
  ARROW_ASSIGN_OR_RAISE(result, CallStringFunction(name, args, input));
  if (result) return *result;
  ARROW_ASSIGN_OR_RAISE(result, CallDatetimeFunction(name, args, input, ctx));
  if (result) return *result;
  ARROW_ASSIGN_OR_RAISE(result, CallCollectionFunction(name, args, input));
  if (result) return *result;
  if (IsAggregateFunction(name)) {
    return arrow::Status::Invalid("aggregate function '", name, "' is not allowed here");
  }
  if (IsWindowFunction(name)) {
    return arrow::Status::Invalid("window function '", name, "' requires an OVER clause");
  }
  return arrow::Status::Invalid("unknown function '", name, "'");
}

arrow::Result<cp::Expression> CaseWhen(std::vector<cp::Expression> conditions, std::vector<cp::Expression> results,
                                       std::optional<cp::Expression> else_result, const arrow::Schema& input) {
  ARROW_RETURN_NOT_OK(RegisterSqlFunctions());
  if (conditions.empty() || conditions.size() != results.size()) {
    return arrow::Status::Invalid("CASE needs as many THEN results as WHEN conditions, and at least one");
  }
  for (auto& e : conditions) {
    if (!e.IsBound()) { ARROW_ASSIGN_OR_RAISE(e, e.Bind(input)); }
    ARROW_ASSIGN_OR_RAISE(e, ConditionArg("case", 0, e, input));
  }
  std::vector<cp::Expression> values = std::move(results);
  if (else_result) values.push_back(std::move(*else_result));
  for (auto& e : values) {
    if (!e.IsBound()) { ARROW_ASSIGN_OR_RAISE(e, e.Bind(input)); }
  }
  std::vector<std::shared_ptr<arrow::DataType>> types;
  for (const auto& v : values) types.push_back(TypeOf(v));
  auto common = CommonType(types);
  if (!common.ok()) {
    return arrow::Status::TypeError("the results of CASE have no common type: ", common.status().message());
  }
  for (auto& v : values) {
    ARROW_ASSIGN_OR_RAISE(v, ImplicitCastTo(std::move(v), *common, input));
  }
  // Condition i is evaluated only where no earlier one holds; result i only where condition i
  // is the first to hold; ELSE only where none does.
  bool lazy = false;
  for (size_t i = 1; i < conditions.size(); ++i) lazy = lazy || HasCallThatMayFail(conditions[i]);
  for (const auto& v : values) lazy = lazy || HasCallThatMayFail(v);
  if (lazy) {
    std::optional<cp::Expression> none_before;
    for (size_t i = 0; i < conditions.size(); ++i) {
      if (none_before) {
        ARROW_ASSIGN_OR_RAISE(conditions[i], OnlyWhere(conditions[i], *none_before, input));
      }
      ARROW_ASSIGN_OR_RAISE(auto holds, DefinitelyTrue(conditions[i], input));
      cp::Expression chosen = holds;
      if (none_before) {
        ARROW_ASSIGN_OR_RAISE(chosen, And(*none_before, holds, input));
      }
      ARROW_ASSIGN_OR_RAISE(values[i], OnlyWhere(values[i], chosen, input));
      ARROW_ASSIGN_OR_RAISE(auto fails, Not(holds, input));
      if (none_before) {
        ARROW_ASSIGN_OR_RAISE(none_before, And(*none_before, fails, input));
      } else {
        none_before = fails;
      }
    }
    if (values.size() > conditions.size()) {
      ARROW_ASSIGN_OR_RAISE(values.back(), OnlyWhere(values.back(), *none_before, input));
    }
  }
  // case_when takes a struct of booleans (NULL counts as false) and the values; without ELSE
  // unmatched rows are NULL.
  std::vector<std::string> names;
  for (size_t i = 0; i < conditions.size(); ++i) names.push_back("c" + std::to_string(i));
  ARROW_ASSIGN_OR_RAISE(auto conds,
                        BoundCall("make_struct", std::move(conditions), input,
                                  std::make_shared<cp::MakeStructOptions>(names)));
  std::vector<cp::Expression> call_args{std::move(conds)};
  for (auto& v : values) call_args.push_back(std::move(v));
  return BoundCall("case_when", std::move(call_args), input);
}

}  // namespace tidelake::plan
