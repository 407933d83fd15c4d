// Math functions: abs, round, floor, ceil, sqrt, pow, exp, logarithms, mod, pmod, sign,
// negative, positive and the try_ arithmetic (NULL instead of an error).

#include <arrow/scalar.h>

#include "plan/functions_internal.h"

namespace tidelake::plan::internal {

namespace {

// Numeric argument for a function that keeps the numeric type: strings and NULL become double.
arrow::Result<cp::Expression> NumberArg(std::string_view fn, size_t index, cp::Expression e, const arrow::Schema& input) {
  const auto t = TypeOf(e);
  if (IsNumeric(*t)) return e;
  if (IsString(*t) || IsNull(*t)) return Cast(std::move(e), arrow::float64(), false, input);
  return ArgTypeError(fn, index, "a number", *t);
}

// f(x) for x > 0, NULL otherwise (Spark's logarithms).
arrow::Result<cp::Expression> PositiveOnly(cp::Expression x, cp::Expression value, const arrow::Schema& input) {
  ARROW_ASSIGN_OR_RAISE(auto zero, Literal(arrow::MakeScalar(0.0), input));
  ARROW_ASSIGN_OR_RAISE(auto positive, BoundCall("greater", {std::move(x), zero}, input));
  ARROW_ASSIGN_OR_RAISE(auto null, NullOf(arrow::float64(), input));
  return BoundCall("if_else", {positive, std::move(value), null}, input);
}

arrow::Result<cp::Expression> Logarithm(std::string_view name, std::vector<cp::Expression>& args, const arrow::Schema& input) {
  if (name == "log" && args.size() == 2) {
    ARROW_ASSIGN_OR_RAISE(auto base, DoubleArg(name, 0, args[0], input));
    ARROW_ASSIGN_OR_RAISE(auto x, DoubleArg(name, 1, args[1], input));
    ARROW_ASSIGN_OR_RAISE(auto ln_x, BoundCall("ln", {x}, input));
    ARROW_ASSIGN_OR_RAISE(auto ln_base, BoundCall("ln", {base}, input));
    ARROW_ASSIGN_OR_RAISE(auto quotient, BoundCall("divide", {ln_x, ln_base}, input));
    ARROW_ASSIGN_OR_RAISE(auto inner, PositiveOnly(x, quotient, input));
    return PositiveOnly(base, inner, input);
  }
  ARROW_RETURN_NOT_OK(CheckArity(name, args.size(), 1, name == "log" ? 2 : 1));
  ARROW_ASSIGN_OR_RAISE(auto x, DoubleArg(name, 0, args[0], input));
  const char* kernel = name == "log10" ? "log10" : name == "log2" ? "log2" : "ln";
  ARROW_ASSIGN_OR_RAISE(auto value, BoundCall(kernel, {x}, input));
  return PositiveOnly(x, value, input);
}

arrow::Result<cp::Expression> Round(std::string_view name, std::vector<cp::Expression>& args, const arrow::Schema& input) {
  ARROW_RETURN_NOT_OK(CheckArity(name, args.size(), 1, 2));
  ARROW_ASSIGN_OR_RAISE(auto x, NumberArg(name, 0, args[0], input));
  int64_t ndigits = 0;
  if (args.size() == 2) {
    auto d = IntLiteral(args[1]);
    if (!d) return arrow::Status::TypeError("function ", name, ": argument 2 must be an integer literal");
    ndigits = *d;
  }
  auto options = std::make_shared<cp::RoundOptions>(ndigits, cp::RoundMode::HALF_TOWARDS_INFINITY);
  return BoundCall("tidelake_round", {x}, input, options);
}

arrow::Result<cp::Expression> FloorCeil(std::string_view name, std::vector<cp::Expression>& args, const arrow::Schema& input) {
  ARROW_RETURN_NOT_OK(CheckArity(name, args.size(), 1, 2));
  if (args.size() == 2) {
    // floor(x, scale) / ceil(x, scale): Spark's RoundFloor / RoundCeil, over decimals.
    auto scale = IntLiteral(args[1]);
    if (!scale) return arrow::Status::TypeError("function ", name, ": argument 2 must be an integer literal");
    const auto t = TypeOf(args[0]);
    std::shared_ptr<arrow::DataType> as;
    if (IsDecimal(*t)) as = t;
    else if (IsIntegral(*t)) as = DecimalForIntegral(*t);
    else if (t->id() == arrow::Type::FLOAT) as = arrow::decimal128(14, 7);
    else if (IsFloating(*t)) as = arrow::decimal128(30, 15);
    else if (IsString(*t) || IsNull(*t)) as = arrow::decimal128(38, 18);
    else return ArgTypeError(name, 0, "a number", *t);
    ARROW_ASSIGN_OR_RAISE(auto x, Cast(args[0], as, /*try_cast=*/false, input));
    auto options = std::make_shared<cp::RoundOptions>(*scale, name == "floor" ? cp::RoundMode::DOWN : cp::RoundMode::UP);
    return BoundCall("tidelake_round", {x}, input, options);
  }
  const auto t = TypeOf(args[0]);
  cp::Expression x = args[0];
  if (IsIntegral(*t)) return LongArg(name, 0, x, input);
  if (!IsDecimal(*t)) { ARROW_ASSIGN_OR_RAISE(x, DoubleArg(name, 0, x, input)); }
  return BoundCall(name == "floor" ? "tidelake_floor" : "tidelake_ceil", {x}, input);
}

// try_add / try_subtract / try_multiply: integral results are computed exactly in decimal and
// TRY_CAST back, so that an overflow gives NULL.
arrow::Result<cp::Expression> TryArithmetic(std::string_view name, std::vector<cp::Expression>& args,
                                            const arrow::Schema& input) {
  ARROW_RETURN_NOT_OK(CheckArity(name, args.size(), 2, 2));
  const Operator op = name == "try_add" ? Operator::kAdd : name == "try_subtract" ? Operator::kSubtract
                      : name == "try_multiply" ? Operator::kMultiply : Operator::kDivide;
  if (op == Operator::kDivide) {
    // NULL for a zero divisor: divide by NULLIF(b, 0).
    ARROW_ASSIGN_OR_RAISE(auto zero, Literal(arrow::MakeScalar(int32_t{0}), input));
    std::vector<cp::Expression> nullif_args{args[1], zero};
    ARROW_ASSIGN_OR_RAISE(auto divisor, CallFunction("nullif", std::move(nullif_args), input, FunctionContext{}));
    // Keep the divisor's decimal type as a literal would have it, so the result type is the
    // one `/` gives.
    if (IsIntegral(*TypeOf(args[1])) && IsDecimal(*TypeOf(args[0]))) {
      ARROW_ASSIGN_OR_RAISE(divisor, Cast(divisor, OperandDecimal(args[1]), false, input));
    }
    return Arithmetic(op, args[0], divisor, input, "try_divide");
  }
  // The type the plain operator gives.
  ARROW_ASSIGN_OR_RAISE(auto plain, Arithmetic(op, args[0], args[1], input, name));
  const auto result_type = TypeOf(plain);
  if (!IsIntegral(*result_type)) return plain;
  ARROW_ASSIGN_OR_RAISE(auto a, Cast(args[0], arrow::decimal128(19, 0), false, input));
  ARROW_ASSIGN_OR_RAISE(auto b, Cast(args[1], arrow::decimal128(19, 0), false, input));
  ARROW_ASSIGN_OR_RAISE(auto exact, Arithmetic(op, a, b, input, name));
  return Cast(exact, result_type, /*try_cast=*/true, input);
}

}  // namespace

MaybeExpression CallMathFunction(std::string_view name, std::vector<cp::Expression>& args, const arrow::Schema& input) {
  if (name == "abs") {
    ARROW_RETURN_NOT_OK(CheckArity(name, args.size(), 1, 1));
    ARROW_ASSIGN_OR_RAISE(auto x, NumberArg(name, 0, args[0], input));
    if (arrow::is_signed_integer(TypeOf(x)->id())) return BoundCall("tidelake_checked_abs", {x}, input);
    return BoundCall(IsIntegral(*TypeOf(x)) ? "abs_checked" : "abs", {x}, input);
  }
  if (name == "round") return Round(name, args, input);
  if (name == "floor" || name == "ceil" || name == "ceiling") return FloorCeil(name == "floor" ? "floor" : "ceil", args, input);
  if (name == "sqrt" || name == "exp") {
    ARROW_RETURN_NOT_OK(CheckArity(name, args.size(), 1, 1));
    ARROW_ASSIGN_OR_RAISE(auto x, DoubleArg(name, 0, args[0], input));
    return BoundCall(std::string(name), {x}, input);
  }
  if (name == "ln" || name == "log" || name == "log10" || name == "log2") return Logarithm(name, args, input);
  if (name == "pow" || name == "power") {
    ARROW_RETURN_NOT_OK(CheckArity(name, args.size(), 2, 2));
    ARROW_ASSIGN_OR_RAISE(auto x, DoubleArg(name, 0, args[0], input));
    ARROW_ASSIGN_OR_RAISE(auto y, DoubleArg(name, 1, args[1], input));
    return BoundCall("power", {x, y}, input);
  }
  if (name == "mod" || name == "pmod") {
    ARROW_RETURN_NOT_OK(CheckArity(name, args.size(), 2, 2));
    if (name == "pmod") return PositiveModulo(args[0], args[1], input);
    return Arithmetic(Operator::kModulo, args[0], args[1], input, "mod");
  }
  if (name == "sign" || name == "signum") {
    ARROW_RETURN_NOT_OK(CheckArity(name, args.size(), 1, 1));
    ARROW_ASSIGN_OR_RAISE(auto x, DoubleArg(name, 0, args[0], input));
    return BoundCall("sign", {x}, input);
  }
  if (name == "negative") {
    ARROW_RETURN_NOT_OK(CheckArity(name, args.size(), 1, 1));
    return CallOperator(Operator::kNegate, {args[0]}, input);
  }
  if (name == "positive") {
    ARROW_RETURN_NOT_OK(CheckArity(name, args.size(), 1, 1));
    return NumberArg(name, 0, args[0], input);
  }
  if (name == "try_add" || name == "try_subtract" || name == "try_multiply" || name == "try_divide") {
    return TryArithmetic(name, args, input);
  }
  return std::nullopt;
}

}  // namespace tidelake::plan::internal
