// SQL operators: arithmetic with Spark's result types (decimal precision rules, `/` always
// fractional, DIV integral), comparisons after Spark's widening, three-valued logic, IN,
// BETWEEN, LIKE/ILIKE/RLIKE, ||, bitwise operators and subscripts.

#include <arrow/array/builder_base.h>
#include <arrow/array/util.h>
#include <arrow/scalar.h>

#include <cmath>

#include "plan/functions_internal.h"

namespace tidelake::plan {

namespace {

using namespace internal;  // NOLINT(build/namespaces)

const char* OperatorSymbol(Operator op) {
  switch (op) {
    case Operator::kAdd: return "+";
    case Operator::kSubtract: return "-";
    case Operator::kMultiply: return "*";
    case Operator::kDivide: return "/";
    case Operator::kIntDivide: return "div";
    case Operator::kModulo: return "%";
    case Operator::kNegate: return "-";
    case Operator::kEq: return "=";
    case Operator::kNotEq: return "<>";
    case Operator::kLt: return "<";
    case Operator::kLtEq: return "<=";
    case Operator::kGt: return ">";
    case Operator::kGtEq: return ">=";
    case Operator::kNullSafeEq: return "<=>";
    case Operator::kAnd: return "AND";
    case Operator::kOr: return "OR";
    case Operator::kNot: return "NOT";
    case Operator::kIsNull: return "IS NULL";
    case Operator::kIsNotNull: return "IS NOT NULL";
    case Operator::kConcat: return "||";
    case Operator::kBitAnd: return "&";
    case Operator::kBitOr: return "|";
    case Operator::kBitXor: return "^";
    case Operator::kBitNot: return "~";
    case Operator::kLike: return "LIKE";
    case Operator::kILike: return "ILIKE";
    case Operator::kRLike: return "RLIKE";
    case Operator::kIn: return "IN";
    case Operator::kBetween: return "BETWEEN";
    case Operator::kSubscript: return "[]";
  }
  return "?";
}

arrow::Status OperandTypeError(std::string_view what, const arrow::DataType& a, const arrow::DataType* b) {
  if (b == nullptr) return arrow::Status::TypeError("operator ", what, " cannot be applied to ", SqlTypeName(a));
  return arrow::Status::TypeError("operator ", what, " cannot be applied to ", SqlTypeName(a), " and ",
                                  SqlTypeName(*b));
}

}  // namespace

namespace internal {

std::shared_ptr<arrow::DataType> OperandDecimal(const cp::Expression& e) {
  const auto t = TypeOf(e);
  if (IsDecimal(*t)) return t;
  if (auto v = IntLiteral(e)) {
    int digits = 1;
    for (__int128 x = *v < 0 ? -static_cast<__int128>(*v) : *v; x >= 10; x /= 10) ++digits;
    return arrow::decimal128(digits, 0);
  }
  return DecimalForIntegral(*t);
}

}  // namespace internal

namespace {

std::shared_ptr<arrow::DataType> DecimalResultType(Operator op, const arrow::DataType& a, const arrow::DataType& b) {
  const int p1 = DecimalPrecision(a), s1 = DecimalScale(a), p2 = DecimalPrecision(b), s2 = DecimalScale(b);
  switch (op) {
    case Operator::kAdd:
    case Operator::kSubtract: {
      const int scale = std::max(s1, s2);
      return AdjustedDecimal(std::max(p1 - s1, p2 - s2) + scale + 1, scale);
    }
    case Operator::kMultiply: return AdjustedDecimal(p1 + p2 + 1, s1 + s2);
    case Operator::kDivide: {
      const int scale = std::max(6, s1 + p2 + 1);
      return AdjustedDecimal(p1 - s1 + s2 + scale, scale);
    }
    default: {  // % and pmod
      const int scale = std::max(s1, s2);
      return AdjustedDecimal(std::min(p1 - s1, p2 - s2) + scale, scale);
    }
  }
}

// Strings in arithmetic: cast to bigint next to an integral, to double otherwise.
arrow::Result<cp::Expression> NumericOperand(cp::Expression e, const arrow::DataType& other, const arrow::Schema& input) {
  const auto t = TypeOf(e);
  if (IsString(*t)) {
    return Cast(std::move(e), IsIntegral(other) ? arrow::int64() : arrow::float64(), false, input);
  }
  if (IsNull(*t)) {
    std::shared_ptr<arrow::DataType> to = IsNumeric(other) ? other.GetSharedPtr() : arrow::float64();
    if (IsNull(other) || IsString(other)) to = IsString(other) ? arrow::float64() : arrow::int32();
    return Cast(std::move(e), to, false, input);
  }
  return e;
}

std::shared_ptr<cp::CastOptions> ResultOptions(std::shared_ptr<arrow::DataType> type) {
  return std::make_shared<cp::CastOptions>(cp::CastOptions::Safe(std::move(type)));
}

// True for a literal known not to be NaN (nor NULL).
bool IsNumberLiteral(const cp::Expression& e) {
  auto value = LiteralOf(e);
  if (value == nullptr || !value->is_valid) return false;
  auto d = value->CastTo(arrow::float64());
  return d.ok() && !std::isnan(static_cast<const arrow::DoubleScalar&>(**d).value);
}

// a < b with Spark's order of floating point values: NaN is larger than any number and equal
// to itself (NULL when either side is NULL).
arrow::Result<cp::Expression> FloatLess(const cp::Expression& a, const cp::Expression& b, const arrow::Schema& input) {
  ARROW_ASSIGN_OR_RAISE(auto less, BoundCall("less", {a, b}, input));
  if (IsNumberLiteral(b)) return less;  // x < 1.5: IEEE agrees (NaN < 1.5 is false)
  ARROW_ASSIGN_OR_RAISE(auto a_nan, BoundCall("is_nan", {a}, input));
  if (IsNumberLiteral(a)) {
    ARROW_ASSIGN_OR_RAISE(auto b_nan, BoundCall("is_nan", {b}, input));
    return BoundCall("or_kleene", {less, b_nan}, input);  // 1.5 < NaN
  }
  ARROW_ASSIGN_OR_RAISE(auto b_nan, BoundCall("is_nan", {b}, input));
  ARROW_ASSIGN_OR_RAISE(auto a_number, BoundCall("invert", {a_nan}, input));
  return BoundCall("if_else", {b_nan, a_number, less}, input);
}

// Comparisons of float / double values as Spark orders them (see FloatLess). Comparisons with
// a number literal stay plain Arrow calls where IEEE already agrees, so that filters such as
// `price < 10.0` remain recognisable for pushdown.
arrow::Result<cp::Expression> FloatComparison(Operator op, cp::Expression a, cp::Expression b, const arrow::Schema& input) {
  switch (op) {
    case Operator::kEq:
    case Operator::kNotEq: {
      const char* plain = op == Operator::kEq ? "equal" : "not_equal";
      ARROW_ASSIGN_OR_RAISE(auto cmp, BoundCall(plain, {a, b}, input));
      if (IsNumberLiteral(a) || IsNumberLiteral(b)) return cmp;
      ARROW_ASSIGN_OR_RAISE(auto a_nan, BoundCall("is_nan", {a}, input));
      ARROW_ASSIGN_OR_RAISE(auto b_nan, BoundCall("is_nan", {b}, input));
      ARROW_ASSIGN_OR_RAISE(auto both_nan, BoundCall("and_kleene", {a_nan, b_nan}, input));
      if (op == Operator::kEq) return BoundCall("or_kleene", {cmp, both_nan}, input);
      ARROW_ASSIGN_OR_RAISE(auto not_both, BoundCall("invert", {both_nan}, input));
      return BoundCall("and_kleene", {cmp, not_both}, input);
    }
    case Operator::kLt: return FloatLess(a, b, input);
    case Operator::kGt: return FloatLess(b, a, input);
    case Operator::kLtEq: {  // a <= b is NOT (b < a)
      if (IsNumberLiteral(b)) return BoundCall("less_equal", {a, b}, input);
      ARROW_ASSIGN_OR_RAISE(auto greater, FloatLess(b, a, input));
      return BoundCall("invert", {greater}, input);
    }
    case Operator::kGtEq: {
      if (IsNumberLiteral(a)) return BoundCall("greater_equal", {a, b}, input);
      ARROW_ASSIGN_OR_RAISE(auto less, FloatLess(a, b, input));
      return BoundCall("invert", {less}, input);
    }
    default: return arrow::Status::Invalid("not a comparison");
  }
}

arrow::Result<cp::Expression> Comparison(Operator op, cp::Expression a, cp::Expression b, const arrow::Schema& input) {
  auto common = CommonType(*TypeOf(a), *TypeOf(b));
  if (!common.ok()) {
    return arrow::Status::TypeError("cannot compare ", SqlTypeName(*TypeOf(a)), " and ", SqlTypeName(*TypeOf(b)),
                                    " with ", OperatorSymbol(op));
  }
  std::shared_ptr<arrow::DataType> type = *common;
  if (IsNull(*type)) type = arrow::boolean();
  if (IsNested(*type)) {
    return arrow::Status::NotImplemented("comparing ", SqlTypeName(*type), " values with ", OperatorSymbol(op),
                                         " is not supported");
  }
  ARROW_ASSIGN_OR_RAISE(a, ImplicitCastTo(std::move(a), type, input));
  ARROW_ASSIGN_OR_RAISE(b, ImplicitCastTo(std::move(b), type, input));
  if (IsFloating(*type) && op != Operator::kNullSafeEq) return FloatComparison(op, std::move(a), std::move(b), input);
  switch (op) {
    case Operator::kEq: return BoundCall("equal", {a, b}, input);
    case Operator::kNotEq: return BoundCall("not_equal", {a, b}, input);
    case Operator::kLt: return BoundCall("less", {a, b}, input);
    case Operator::kLtEq: return BoundCall("less_equal", {a, b}, input);
    case Operator::kGt: return BoundCall("greater", {a, b}, input);
    case Operator::kGtEq: return BoundCall("greater_equal", {a, b}, input);
    case Operator::kNullSafeEq: {
      ARROW_ASSIGN_OR_RAISE(auto eq, IsFloating(*type) ? FloatComparison(Operator::kEq, a, b, input)
                                                        : BoundCall("equal", {a, b}, input));
      ARROW_ASSIGN_OR_RAISE(auto a_null, BoundCall("is_null", {a}, input));
      ARROW_ASSIGN_OR_RAISE(auto b_null, BoundCall("is_null", {b}, input));
      ARROW_ASSIGN_OR_RAISE(auto both_null, BoundCall("and", {a_null, b_null}, input));
      return BoundCall("coalesce", {eq, both_null}, input);
    }
    default: return arrow::Status::Invalid("not a comparison");
  }
}

// LIKE pattern text with escape character `escape` rewritten to Arrow's match_like syntax
// (backslash escapes). Spark: the escape may precede only '_', '%' or itself.
arrow::Result<std::string> LikePatternForArrow(const std::string& pattern, char escape) {
  std::string out;
  for (size_t i = 0; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if (c == escape) {
      if (i + 1 == pattern.size()) {
        return arrow::Status::Invalid("the LIKE pattern '", pattern, "' ends with the escape character");
      }
      const char next = pattern[++i];
      if (next != '_' && next != '%' && next != escape) {
        return arrow::Status::Invalid("the LIKE pattern '", pattern, "' is invalid: the escape character is not "
                                      "allowed to precede '", std::string(1, next), "'");
      }
      out.push_back('\\');
      out.push_back(next);
    } else if (c == '\\') {
      out += "\\\\";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

arrow::Result<cp::Expression> Like(Operator op, std::vector<cp::Expression> args, const arrow::Schema& input) {
  const char* fn = op == Operator::kRLike ? "rlike" : op == Operator::kILike ? "ilike" : "like";
  ARROW_RETURN_NOT_OK(CheckArity(fn, args.size(), 2, op == Operator::kRLike ? 2 : 3));
  ARROW_ASSIGN_OR_RAISE(auto value, StringArg(fn, 0, args[0], input));
  char escape = '\\';
  if (args.size() == 3) {
    auto e = StringLiteral(args[2]);
    if (!e || e->size() != 1) {
      return arrow::Status::Invalid("the ESCAPE of ", fn, " must be a single character literal");
    }
    escape = (*e)[0];
  }
  if (IsNullLiteral(args[1])) return NullOf(arrow::boolean(), input);
  auto pattern = StringLiteral(args[1]);
  if (!pattern) {
    ARROW_ASSIGN_OR_RAISE(auto pattern_expr, StringArg(fn, 1, args[1], input));
    if (op == Operator::kRLike) {
      return arrow::Status::NotImplemented("rlike: the pattern must be a constant");
    }
    auto options = std::make_shared<cp::MatchSubstringOptions>(std::string(1, escape), op == Operator::kILike);
    return BoundCall("tidelake_like", {value, pattern_expr}, input, options);
  }
  if (op == Operator::kRLike) {
    ARROW_RETURN_NOT_OK(CheckRegex(fn, *pattern));
    return BoundCall("match_substring_regex", {value}, input, std::make_shared<cp::MatchSubstringOptions>(*pattern));
  }
  ARROW_ASSIGN_OR_RAISE(std::string arrow_pattern, LikePatternForArrow(*pattern, escape));
  return BoundCall("match_like", {value}, input,
                   std::make_shared<cp::MatchSubstringOptions>(arrow_pattern, op == Operator::kILike));
}

arrow::Result<cp::Expression> In(std::vector<cp::Expression> args, const arrow::Schema& input) {
  if (args.size() < 2) return arrow::Status::Invalid("IN needs a value and at least one list element");
  ARROW_ASSIGN_OR_RAISE(args, CoerceToCommonType("in", std::move(args), input));
  if (IsNested(*TypeOf(args[0]))) return arrow::Status::NotImplemented("IN over ", SqlTypeName(*TypeOf(args[0])));
  bool all_literals = !IsNull(*TypeOf(args[0]));
  for (size_t i = 1; i < args.size() && all_literals; ++i) all_literals = LiteralOf(args[i]) != nullptr;
  if (all_literals) {
    ARROW_ASSIGN_OR_RAISE(auto builder, arrow::MakeBuilder(TypeOf(args[0])));
    for (size_t i = 1; i < args.size(); ++i) ARROW_RETURN_NOT_OK(builder->AppendScalar(*LiteralOf(args[i])));
    ARROW_ASSIGN_OR_RAISE(auto value_set, builder->Finish());
    // INCONCLUSIVE: NULL when the value is NULL, or when nothing matched and the list has a
    // NULL -- SQL's three-valued IN.
    auto options = std::make_shared<cp::SetLookupOptions>(value_set, cp::SetLookupOptions::INCONCLUSIVE);
    return BoundCall("is_in", {args[0]}, input, options);
  }
  ARROW_ASSIGN_OR_RAISE(cp::Expression result, Comparison(Operator::kEq, args[0], args[1], input));
  for (size_t i = 2; i < args.size(); ++i) {
    ARROW_ASSIGN_OR_RAISE(auto eq, Comparison(Operator::kEq, args[0], args[i], input));
    ARROW_ASSIGN_OR_RAISE(result, BoundCall("or_kleene", {result, eq}, input));
  }
  return result;
}

arrow::Result<cp::Expression> Negate(cp::Expression a, const arrow::Schema& input) {
  ARROW_ASSIGN_OR_RAISE(a, NumericOperand(std::move(a), *arrow::float64(), input));
  const auto t = TypeOf(a);
  if (IsInterval(*t)) return BoundCall("negate", {a}, input);
  if (!IsNumeric(*t)) return OperandTypeError("-", *t, nullptr);
  if (arrow::is_signed_integer(t->id())) return BoundCall("tidelake_checked_negate", {a}, input);
  return BoundCall(IsIntegral(*t) ? "negate_checked" : "negate", {a}, input);
}

arrow::Result<cp::Expression> Bitwise(Operator op, std::vector<cp::Expression> args, const arrow::Schema& input) {
  const char* name = op == Operator::kBitAnd ? "bit_wise_and" : op == Operator::kBitOr ? "bit_wise_or"
                     : op == Operator::kBitXor ? "bit_wise_xor" : "bit_wise_not";
  for (auto& arg : args) {
    if (IsNull(*TypeOf(arg))) { ARROW_ASSIGN_OR_RAISE(arg, Cast(arg, arrow::int32(), false, input)); }
    if (!IsIntegral(*TypeOf(arg))) {
      return OperandTypeError(OperatorSymbol(op), *TypeOf(args[0]), args.size() > 1 ? TypeOf(args[1]).get() : nullptr);
    }
  }
  ARROW_ASSIGN_OR_RAISE(args, CoerceToCommonType(OperatorSymbol(op), std::move(args), input));
  return BoundCall(name, std::move(args), input);
}

arrow::Result<cp::Expression> Subscript(cp::Expression base, cp::Expression index, const arrow::Schema& input) {
  const auto t = TypeOf(base);
  if (t->id() == arrow::Type::LIST || t->id() == arrow::Type::LARGE_LIST) {
    ARROW_ASSIGN_OR_RAISE(index, IntArg("[]", 1, std::move(index), input));
    return BoundCall("tidelake_array_subscript", {base, index}, input);
  }
  if (t->id() == arrow::Type::MAP) {
    std::vector<cp::Expression> args{std::move(base), std::move(index)};
    return CallFunction("element_at", std::move(args), input, FunctionContext{});
  }
  return arrow::Status::TypeError("cannot subscript a value of type ", SqlTypeName(*t));
}

// interval +/- interval, and interval * integer (either way round), as Spark's calendar
// intervals: each field on its own.
arrow::Result<cp::Expression> IntervalArithmetic(Operator op, cp::Expression a, cp::Expression b,
                                                 const arrow::Schema& input, std::string_view fn) {
  auto ta = TypeOf(a);
  auto tb = TypeOf(b);
  if (IsNull(*ta)) {
    ARROW_ASSIGN_OR_RAISE(a, Cast(std::move(a), IsInterval(*tb) && op != Operator::kMultiply ? tb : arrow::int64(),
                                  false, input));
  }
  if (IsNull(*tb)) {
    ARROW_ASSIGN_OR_RAISE(b, Cast(std::move(b), IsInterval(*ta) && op != Operator::kMultiply ? ta : arrow::int64(),
                                  false, input));
  }
  ta = TypeOf(a);
  tb = TypeOf(b);
  if ((op == Operator::kAdd || op == Operator::kSubtract) && IsInterval(*ta) && IsInterval(*tb)) {
    return BoundCall(op == Operator::kAdd ? "tidelake_add_intervals" : "tidelake_subtract_intervals", {a, b}, input);
  }
  if (op == Operator::kMultiply && IsInterval(*ta) != IsInterval(*tb)) {
    cp::Expression interval = IsInterval(*ta) ? a : b;
    cp::Expression times = IsInterval(*ta) ? b : a;
    if (IsIntegral(*TypeOf(times))) {
      ARROW_ASSIGN_OR_RAISE(times, Cast(std::move(times), arrow::int64(), false, input));
      return BoundCall("tidelake_multiply_interval", {interval, times}, input);
    }
  }
  return OperandTypeError(fn, *ta, tb.get());
}

}  // namespace

namespace internal {

arrow::Result<cp::Expression> Arithmetic(Operator op, cp::Expression a, cp::Expression b, const arrow::Schema& input,
                                         std::string_view fn) {
  auto ta = TypeOf(a);
  auto tb = TypeOf(b);
  if (op == Operator::kAdd || op == Operator::kSubtract) {
    if (IsInterval(*tb) && IsDatetime(*ta)) return AddInterval(std::move(a), std::move(b), op == Operator::kSubtract, input);
    if (IsInterval(*ta) && IsDatetime(*tb) && op == Operator::kAdd) return AddInterval(std::move(b), std::move(a), false, input);
    if (IsDate(*ta) && (IsIntegral(*tb) || IsString(*tb) || IsNull(*tb))) {
      ARROW_ASSIGN_OR_RAISE(b, IntArg(op == Operator::kAdd ? "date_add" : "date_sub", 1, std::move(b), input));
      return DateAddDays(std::move(a), std::move(b), op == Operator::kSubtract, input);
    }
    if (IsIntegral(*ta) && IsDate(*tb) && op == Operator::kAdd) {
      ARROW_ASSIGN_OR_RAISE(a, IntArg("date_add", 1, std::move(a), input));
      return DateAddDays(std::move(b), std::move(a), false, input);
    }
    if (op == Operator::kSubtract && IsDatetime(*ta) && IsDatetime(*tb)) {
      return arrow::Status::NotImplemented("subtracting ", SqlTypeName(*tb), " from ", SqlTypeName(*ta),
                                           " (an interval) is not supported; use datediff(end, start) or "
                                           "unix_timestamp(end) - unix_timestamp(start)");
    }
  }
  if (IsInterval(*ta) || IsInterval(*tb)) return IntervalArithmetic(op, std::move(a), std::move(b), input, fn);
  if (IsString(*ta) && IsString(*tb)) return OperandTypeError(fn, *ta, tb.get());
  ARROW_ASSIGN_OR_RAISE(a, NumericOperand(std::move(a), *tb, input));
  ta = TypeOf(a);
  ARROW_ASSIGN_OR_RAISE(b, NumericOperand(std::move(b), *ta, input));
  tb = TypeOf(b);
  if (!IsNumeric(*ta) || !IsNumeric(*tb)) return OperandTypeError(fn, *ta, tb.get());

  const bool any_decimal = IsDecimal(*ta) || IsDecimal(*tb);
  const bool any_floating = IsFloating(*ta) || IsFloating(*tb);
  if (op == Operator::kIntDivide) {
    if (any_floating) return OperandTypeError(fn, *ta, tb.get());
    if (any_decimal) {
      auto da = OperandDecimal(a), db = OperandDecimal(b);
      ARROW_ASSIGN_OR_RAISE(a, Cast(std::move(a), da, false, input));
      ARROW_ASSIGN_OR_RAISE(b, Cast(std::move(b), db, false, input));
      return BoundCall("tidelake_decimal_int_divide", {a, b}, input, ResultOptions(arrow::int64()));
    }
    ARROW_ASSIGN_OR_RAISE(a, Cast(std::move(a), arrow::int64(), false, input));
    ARROW_ASSIGN_OR_RAISE(b, Cast(std::move(b), arrow::int64(), false, input));
    return BoundCall("tidelake_int_divide", {a, b}, input);
  }
  if (any_decimal && !any_floating) {
    auto da = OperandDecimal(a), db = OperandDecimal(b);
    ARROW_ASSIGN_OR_RAISE(a, Cast(std::move(a), da, false, input));
    ARROW_ASSIGN_OR_RAISE(b, Cast(std::move(b), db, false, input));
    auto result = DecimalResultType(op, *da, *db);
    const char* name = op == Operator::kAdd ? "tidelake_decimal_add"
                       : op == Operator::kSubtract ? "tidelake_decimal_subtract"
                       : op == Operator::kMultiply ? "tidelake_decimal_multiply"
                       : op == Operator::kDivide ? "tidelake_decimal_divide"
                       : fn == "pmod" ? "tidelake_decimal_pmod" : "tidelake_decimal_remainder";
    return BoundCall(name, {a, b}, input, ResultOptions(result));
  }
  if (op == Operator::kDivide) {
    ARROW_ASSIGN_OR_RAISE(a, Cast(std::move(a), arrow::float64(), false, input));
    ARROW_ASSIGN_OR_RAISE(b, Cast(std::move(b), arrow::float64(), false, input));
    return BoundCall("tidelake_divide", {a, b}, input);
  }
  ARROW_ASSIGN_OR_RAISE(auto common, CommonType(*ta, *tb));
  ARROW_ASSIGN_OR_RAISE(a, ImplicitCastTo(std::move(a), common, input));
  ARROW_ASSIGN_OR_RAISE(b, ImplicitCastTo(std::move(b), common, input));
  const bool signed_int = arrow::is_signed_integer(common->id());
  switch (op) {
    // Signed integers: our kernels, for Spark's overflow messages (Arrow's say "overflow").
    case Operator::kAdd: return BoundCall(signed_int ? "tidelake_checked_add" : "add_checked", {a, b}, input);
    case Operator::kSubtract:
      return BoundCall(signed_int ? "tidelake_checked_subtract" : "subtract_checked", {a, b}, input);
    case Operator::kMultiply:
      return BoundCall(signed_int ? "tidelake_checked_multiply" : "multiply_checked", {a, b}, input);
    case Operator::kModulo: return BoundCall(fn == "pmod" ? "tidelake_pmod" : "tidelake_remainder", {a, b}, input);
    default: return arrow::Status::Invalid("not an arithmetic operator");
  }
}

arrow::Result<cp::Expression> PositiveModulo(cp::Expression a, cp::Expression b, const arrow::Schema& input) {
  return Arithmetic(Operator::kModulo, std::move(a), std::move(b), input, "pmod");
}

}  // namespace internal

arrow::Result<cp::Expression> CallOperator(Operator op, std::vector<cp::Expression> args, const arrow::Schema& input) {
  ARROW_RETURN_NOT_OK(RegisterSqlFunctions());
  for (auto& arg : args) {
    if (!arg.IsBound()) { ARROW_ASSIGN_OR_RAISE(arg, arg.Bind(input)); }
  }
  auto arity = [&](size_t n) -> arrow::Status {
    if (args.size() != n) {
      return arrow::Status::Invalid("operator ", OperatorSymbol(op), " expects ", n, " operand", n == 1 ? "" : "s",
                                    ", got ", args.size());
    }
    return arrow::Status::OK();
  };
  switch (op) {
    case Operator::kAdd:
    case Operator::kSubtract:
    case Operator::kMultiply:
    case Operator::kDivide:
    case Operator::kIntDivide:
    case Operator::kModulo:
      ARROW_RETURN_NOT_OK(arity(2));
      return Arithmetic(op, args[0], args[1], input, OperatorSymbol(op));
    case Operator::kNegate:
      ARROW_RETURN_NOT_OK(arity(1));
      return Negate(args[0], input);
    case Operator::kEq:
    case Operator::kNotEq:
    case Operator::kLt:
    case Operator::kLtEq:
    case Operator::kGt:
    case Operator::kGtEq:
    case Operator::kNullSafeEq:
      ARROW_RETURN_NOT_OK(arity(2));
      return Comparison(op, args[0], args[1], input);
    case Operator::kAnd:
    case Operator::kOr: {
      ARROW_RETURN_NOT_OK(arity(2));
      const char* name = op == Operator::kAnd ? "and" : "or";
      ARROW_ASSIGN_OR_RAISE(auto a, BoolArg(name, 0, args[0], input));
      ARROW_ASSIGN_OR_RAISE(auto b, BoolArg(name, 1, args[1], input));
      return BoundCall(op == Operator::kAnd ? "and_kleene" : "or_kleene", {a, b}, input);
    }
    case Operator::kNot: {
      ARROW_RETURN_NOT_OK(arity(1));
      ARROW_ASSIGN_OR_RAISE(auto a, BoolArg("not", 0, args[0], input));
      return BoundCall("invert", {a}, input);
    }
    case Operator::kIsNull:
    case Operator::kIsNotNull:
      ARROW_RETURN_NOT_OK(arity(1));
      return BoundCall(op == Operator::kIsNull ? "is_null" : "is_valid", {args[0]}, input);
    case Operator::kConcat:
      ARROW_RETURN_NOT_OK(arity(2));
      return CallFunction("concat", std::move(args), input, FunctionContext{});
    case Operator::kBitAnd:
    case Operator::kBitOr:
    case Operator::kBitXor:
      ARROW_RETURN_NOT_OK(arity(2));
      return Bitwise(op, std::move(args), input);
    case Operator::kBitNot:
      ARROW_RETURN_NOT_OK(arity(1));
      return Bitwise(op, std::move(args), input);
    case Operator::kLike:
    case Operator::kILike:
    case Operator::kRLike:
      return Like(op, std::move(args), input);
    case Operator::kIn:
      return In(std::move(args), input);
    case Operator::kBetween: {
      ARROW_RETURN_NOT_OK(arity(3));
      ARROW_ASSIGN_OR_RAISE(args, CoerceToCommonType("between", std::move(args), input));
      ARROW_ASSIGN_OR_RAISE(auto low, Comparison(Operator::kGtEq, args[0], args[1], input));
      ARROW_ASSIGN_OR_RAISE(auto high, Comparison(Operator::kLtEq, args[0], args[2], input));
      return BoundCall("and_kleene", {low, high}, input);
    }
    case Operator::kSubscript:
      ARROW_RETURN_NOT_OK(arity(2));
      return Subscript(args[0], args[1], input);
  }
  return arrow::Status::Invalid("unknown operator");
}

}  // namespace tidelake::plan
