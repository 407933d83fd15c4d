// SQL operators: result types and values as Spark 4.0 (ANSI mode) gives them.
#ifndef TIDELAKE_TESTDATA_DIR
#define TIDELAKE_TESTDATA_DIR "/work/shared/testdata"
#endif

#include <gmock/gmock.h>
#include <cmath>
#include <gtest/gtest.h>

#include "plan/functions.h"
#include "plan/functions_test_util.h"

namespace tidelake::plan {
namespace {

using namespace fntest;  // NOLINT
using ::testing::HasSubstr;

TEST(ArithmeticTest, IntegerTypesAndOverflow) {
  EXPECT_EQ(Op(Operator::kAdd, {I(1), I(2)}), "3 :: int");
  EXPECT_EQ(Op(Operator::kAdd, {Tiny(1), Small(1)}), "2 :: smallint");
  EXPECT_EQ(Op(Operator::kMultiply, {Small(1), I(1)}), "1 :: int");
  EXPECT_EQ(Op(Operator::kAdd, {I(1), L(2)}), "3 :: bigint");
  EXPECT_EQ(Op(Operator::kAdd, {I(2147483647), I(1)}),
            "ERROR: [ARITHMETIC_OVERFLOW] integer overflow. Use 'try_add' to tolerate overflow and return NULL instead.");
  EXPECT_EQ(Op(Operator::kMultiply, {L(3037000500), L(3037000500)}),
            "ERROR: [ARITHMETIC_OVERFLOW] long overflow. Use 'try_multiply' to tolerate overflow and return NULL "
            "instead.");
  EXPECT_EQ(Op(Operator::kSubtract, {L(INT64_MIN), I(1)}),
            "ERROR: [ARITHMETIC_OVERFLOW] long overflow. Use 'try_subtract' to tolerate overflow and return NULL "
            "instead.");
  EXPECT_EQ(Op(Operator::kAdd, {Tiny(127), Tiny(1)}),
            "ERROR: [BINARY_ARITHMETIC_OVERFLOW] 127Y + 1Y caused overflow. Use 'try_add' to tolerate overflow and "
            "return NULL instead.");
  EXPECT_EQ(Op(Operator::kMultiply, {Small(300), Small(200)}),
            "ERROR: [BINARY_ARITHMETIC_OVERFLOW] 300S * 200S caused overflow. Use 'try_multiply' to tolerate overflow "
            "and return NULL instead.");
  EXPECT_EQ(Op(Operator::kNegate, {Tiny(-128)}), "ERROR: [ARITHMETIC_OVERFLOW] byte overflow.");
  EXPECT_EQ(Op(Operator::kNegate, {I(INT32_MIN)}), "ERROR: [ARITHMETIC_OVERFLOW] integer overflow.");
  EXPECT_EQ(Op(Operator::kSubtract, {Tiny(-100), Tiny(28)}), "-128 :: tinyint");
  EXPECT_EQ(Op(Operator::kAdd, {D(1e308), D(1e308)}), "Infinity :: double");
  EXPECT_EQ(Op(Operator::kNegate, {I(5)}), "-5 :: int");
  EXPECT_EQ(Op(Operator::kAdd, {I(1), Null()}), "NULL :: int");
}

TEST(ArithmeticTest, DivisionIsFractional) {
  EXPECT_EQ(Op(Operator::kDivide, {I(1), I(2)}), "0.5 :: double");
  EXPECT_EQ(Op(Operator::kDivide, {I(1), L(2)}), "0.5 :: double");
  EXPECT_EQ(Op(Operator::kDivide, {F32(1.5f), I(2)}), "0.75 :: double");
  EXPECT_EQ(Op(Operator::kDivide, {I(1), I(0)}),
            "ERROR: [DIVIDE_BY_ZERO] division by zero. Use `try_divide` to tolerate divisor being 0 and return NULL "
            "instead.");
  EXPECT_THAT(Op(Operator::kDivide, {D(1.0), D(0.0)}), HasSubstr("division by zero"));
  EXPECT_THAT(Op(Operator::kDivide, {Dec("2.5", 2, 1), I(0)}), HasSubstr("division by zero"));
  EXPECT_EQ(Op(Operator::kDivide, {Dec("1", 1, 0), Dec("1.5", 2, 1)}), "0.666667 :: decimal(8,6)");
}

TEST(ArithmeticTest, IntegralDivideAndRemainder) {
  EXPECT_EQ(Op(Operator::kIntDivide, {I(7), I(2)}), "3 :: bigint");
  EXPECT_EQ(Op(Operator::kIntDivide, {I(-7), I(2)}), "-3 :: bigint");
  EXPECT_THAT(Op(Operator::kIntDivide, {I(5), I(0)}), HasSubstr("DIVIDE_BY_ZERO"));
  EXPECT_EQ(Op(Operator::kIntDivide, {L(-9223372036854775807 - 1), L(-1)}),
            "ERROR: [ARITHMETIC_OVERFLOW] Overflow in integral divide.");
  EXPECT_EQ(Op(Operator::kIntDivide, {Dec("5", 1, 0), Dec("2.5", 2, 1)}), "2 :: bigint");
  EXPECT_EQ(Op(Operator::kIntDivide, {Dec("7.00", 10, 2), Dec("2.0", 5, 1)}), "3 :: bigint");
  EXPECT_THAT(Op(Operator::kIntDivide, {Dec("7.5", 2, 1), I(0)}), HasSubstr("DIVIDE_BY_ZERO"));
  EXPECT_EQ(Op(Operator::kIntDivide, {D(9.5), I(2)}), "ERROR: operator div cannot be applied to double and int");
  EXPECT_EQ(Op(Operator::kIntDivide, {S("7"), I(2)}), "3 :: bigint");

  EXPECT_EQ(Op(Operator::kModulo, {I(-7), I(3)}), "-1 :: int");
  EXPECT_EQ(Op(Operator::kModulo, {I(7), I(-3)}), "1 :: int");
  EXPECT_EQ(Op(Operator::kModulo, {D(-5.5), I(2)}), "-1.5 :: double");
  EXPECT_EQ(Op(Operator::kModulo, {F32(5.0f), I(2)}), "1.0 :: double");
  EXPECT_EQ(Op(Operator::kModulo, {I(1), I(0)}),
            "ERROR: [REMAINDER_BY_ZERO] remainder by zero. Use `try_mod` to tolerate divisor being 0 and return NULL "
            "instead.");
  EXPECT_THAT(Op(Operator::kModulo, {D(5.0), I(0)}), HasSubstr("REMAINDER_BY_ZERO"));
  EXPECT_EQ(Op(Operator::kModulo, {L(-9223372036854775807 - 1), L(-1)}), "0 :: bigint");
  EXPECT_EQ(Op(Operator::kModulo, {Dec("5.5", 2, 1), I(2)}), "1.5 :: decimal(2,1)");
  EXPECT_EQ(Op(Operator::kModulo, {Dec("10.00", 10, 2), Dec("3.0", 5, 1)}), "1.00 :: decimal(6,2)");
  EXPECT_EQ(Op(Operator::kModulo, {Dec("-10.00", 10, 2), Dec("3.0", 5, 1)}), "-1.00 :: decimal(6,2)");
}

TEST(ArithmeticTest, DecimalResultTypes) {
  // typeof(1.5 + 1): the integer literal counts as decimal(1,0).
  EXPECT_EQ(Op(Operator::kAdd, {Dec("1.5", 2, 1), I(1)}), "2.5 :: decimal(3,1)");
  EXPECT_EQ(Op(Operator::kMultiply, {Dec("1.5", 2, 1), L(2)}), "3.0 :: decimal(4,1)");
  EXPECT_EQ(Op(Operator::kMultiply, {Dec("1", 38, 10), Dec("1", 38, 10)}), "1.000000 :: decimal(38,6)");
  EXPECT_EQ(Op(Operator::kDivide, {Dec("1", 10, 2), Dec("3", 5, 1)}), "0.33333333 :: decimal(17,8)");
  EXPECT_EQ(Op(Operator::kDivide, {Dec("1", 38, 10), Dec("3", 38, 10)}), "0.333333 :: decimal(38,6)");
  EXPECT_EQ(Op(Operator::kDivide, {Dec("2", 10, 2), Dec("3", 5, 1)}), "0.66666667 :: decimal(17,8)");
  EXPECT_EQ(Op(Operator::kDivide, {Dec("-2", 10, 2), Dec("3", 5, 1)}), "-0.66666667 :: decimal(17,8)");
  EXPECT_EQ(Op(Operator::kAdd, {Dec("1", 38, 0), Dec("1", 38, 20)}), "2.000000 :: decimal(38,6)");
  EXPECT_EQ(Op(Operator::kMultiply, {Dec("1", 20, 2), Dec("3", 20, 5)}), "3.000000 :: decimal(38,6)");
  EXPECT_EQ(Op(Operator::kSubtract, {Dec("1", 5, 2), I(1)}), "0.00 :: decimal(6,2)");
  EXPECT_EQ(Op(Operator::kNegate, {Dec("1.00", 5, 2)}), "-1.00 :: decimal(5,2)");
  EXPECT_EQ(Op(Operator::kMultiply, {Dec("1.5", 2, 1), F32(1.5f)}), "2.25 :: double");
  EXPECT_EQ(Op(Operator::kAdd, {Dec("1.5", 2, 1), D(1.5)}), "3.0 :: double");
  EXPECT_EQ(Op(Operator::kAdd, {Dec("99999999999999999999999999999999999999", 38, 0), I(1)}),
            "ERROR: [NUMERIC_VALUE_OUT_OF_RANGE] 100000000000000000000000000000000000000 cannot be represented as "
            "Decimal(38, 0).");
  EXPECT_THAT(Op(Operator::kMultiply, {Dec("99999999999999999999999999999999999999", 38, 0), I(10)}),
              HasSubstr("999999999999999999999999999999999999990 cannot be represented as Decimal(38, 0)"));
}

TEST(ArithmeticTest, StringsInArithmetic) {
  EXPECT_EQ(Op(Operator::kAdd, {S("1"), I(1)}), "2 :: bigint");
  EXPECT_THAT(Op(Operator::kAdd, {S("1.5"), I(1)}), HasSubstr("The value '1.5' of the type \"STRING\" cannot be cast to \"BIGINT\""));
  EXPECT_EQ(Op(Operator::kAdd, {S("1.5"), Dec("1.5", 2, 1)}), "3.0 :: double");
  EXPECT_EQ(Op(Operator::kMultiply, {S("1"), Dec("1.5", 2, 1)}), "1.5 :: double");
  EXPECT_EQ(Op(Operator::kNegate, {S("1")}), "-1.0 :: double");
  EXPECT_EQ(Op(Operator::kDivide, {S("1"), I(2)}), "0.5 :: double");
  EXPECT_EQ(Op(Operator::kAdd, {S("1"), S("2")}), "ERROR: operator + cannot be applied to string and string");
  EXPECT_EQ(Op(Operator::kAdd, {B(true), I(1)}), "ERROR: operator + cannot be applied to boolean and int");
}

TEST(ArithmeticTest, DatesAndIntervals) {
  EXPECT_EQ(Op(Operator::kAdd, {Date("2024-01-31"), I(1)}), "2024-02-01 :: date");
  EXPECT_EQ(Op(Operator::kAdd, {I(1), Date("2024-01-31")}), "2024-02-01 :: date");
  EXPECT_EQ(Op(Operator::kSubtract, {Date("2024-01-31"), I(1)}), "2024-01-30 :: date");
  EXPECT_EQ(Op(Operator::kAdd, {Date("2024-01-31"), Interval(0, 1, 0)}), "2024-02-01 :: date");
  EXPECT_EQ(Op(Operator::kAdd, {Date("2024-01-31"), Interval(1, 0, 0)}), "2024-02-29 :: date");
  EXPECT_EQ(Op(Operator::kAdd, {Date("2024-01-31"), Interval(14, 0, 0)}), "2025-03-31 :: date");
  EXPECT_EQ(Op(Operator::kSubtract, {Date("2024-03-31"), Interval(1, 0, 0)}), "2024-02-29 :: date");
  EXPECT_EQ(Op(Operator::kAdd, {Date("2024-01-31"), Interval(0, 0, 36LL * 3600 * 1000000000)}),
            "2024-02-01 12:00:00 :: timestamp");
  EXPECT_EQ(Op(Operator::kAdd, {Ts("2024-01-31 10:00:00"), Interval(1, 0, 0)}), "2024-02-29 10:00:00 :: timestamp");
  EXPECT_EQ(Op(Operator::kAdd, {Ts("2024-01-31 10:00:00"), Interval(0, 1, 0)}), "2024-02-01 10:00:00 :: timestamp");
  EXPECT_EQ(Op(Operator::kSubtract, {Ts("2024-01-31 10:00:00"), Interval(0, 1, 2LL * 3600 * 1000000000)}),
            "2024-01-30 08:00:00 :: timestamp");
  EXPECT_EQ(Op(Operator::kAdd, {Ts("2024-03-31 10:00:00"), Interval(13, 0, 0)}), "2025-04-30 10:00:00 :: timestamp");
  EXPECT_EQ(Op(Operator::kAdd, {TsNtz("2024-01-31 10:00:00"), Interval(1, 0, 0)}),
            "2024-02-29 10:00:00 :: timestamp_ntz");
  EXPECT_EQ(Op(Operator::kAdd, {Interval(1, 0, 0), Ts("2024-01-31 10:00:00")}), "2024-02-29 10:00:00 :: timestamp");
  EXPECT_THAT(Op(Operator::kSubtract, {Date("2024-03-01"), Date("2024-02-01")}), HasSubstr("use datediff"));
}

TEST(ComparisonTest, SparkCoercion) {
  EXPECT_EQ(Op(Operator::kEq, {S("1"), I(1)}), "true :: boolean");
  EXPECT_THAT(Op(Operator::kEq, {S("1.5"), I(1)}), HasSubstr("cannot be cast to \"BIGINT\""));
  EXPECT_EQ(Op(Operator::kEq, {S("1.5"), Dec("1.5", 2, 1)}), "true :: boolean");
  EXPECT_EQ(Op(Operator::kLt, {S("10"), I(9)}), "false :: boolean");
  EXPECT_EQ(Op(Operator::kLt, {S("10"), S("9")}), "true :: boolean");
  EXPECT_EQ(Op(Operator::kEq, {S("2024-01-01"), Date("2024-01-01")}), "true :: boolean");
  EXPECT_EQ(Op(Operator::kGt, {S("2024-01-01 10:00:00"), Date("2024-01-01")}), "false :: boolean");
  EXPECT_EQ(Op(Operator::kEq, {S("2024-01-01"), Ts("2024-01-01 00:00:00")}), "true :: boolean");
  EXPECT_EQ(Op(Operator::kEq, {Date("2024-01-01"), Ts("2024-01-01 00:00:00")}), "true :: boolean");
  EXPECT_EQ(Op(Operator::kEq, {S("true"), B(true)}), "true :: boolean");
  EXPECT_EQ(Op(Operator::kEq, {I(1), Dec("1.0", 2, 1)}), "true :: boolean");
  EXPECT_EQ(Op(Operator::kEq, {L(1), D(1.5)}), "false :: boolean");
  EXPECT_EQ(Op(Operator::kEq, {I(1), B(true)}), "ERROR: cannot compare int and boolean with =");
  EXPECT_EQ(Op(Operator::kEq, {Date("2024-01-01"), I(1)}), "ERROR: cannot compare date and int with =");
  EXPECT_EQ(Op(Operator::kNotEq, {I(1), I(2)}), "true :: boolean");
  EXPECT_EQ(Op(Operator::kGtEq, {D(2.0), I(2)}), "true :: boolean");
  EXPECT_EQ(Op(Operator::kEq, {I(1), Null()}), "NULL :: boolean");
  EXPECT_EQ(Op(Operator::kEq, {Null(), Null()}), "NULL :: boolean");
}

TEST(ComparisonTest, NullSafeEquality) {
  EXPECT_EQ(Op(Operator::kNullSafeEq, {Null(), Null()}), "true :: boolean");
  EXPECT_EQ(Op(Operator::kNullSafeEq, {I(1), Null()}), "false :: boolean");
  EXPECT_EQ(Op(Operator::kNullSafeEq, {I(1), I(1)}), "true :: boolean");
  EXPECT_EQ(Op(Operator::kNullSafeEq, {Null(arrow::int32()), I(1)}), "false :: boolean");
}

TEST(ComparisonTest, NaNIsEqualToItselfAndLargest) {
  const double nan = std::nan("");
  EXPECT_EQ(Op(Operator::kEq, {D(nan), D(nan)}), "true :: boolean");
  EXPECT_EQ(Op(Operator::kNotEq, {D(nan), D(nan)}), "false :: boolean");
  EXPECT_EQ(Op(Operator::kEq, {D(nan), D(1.0)}), "false :: boolean");
  EXPECT_EQ(Op(Operator::kGt, {D(nan), D(1e308)}), "true :: boolean");
  EXPECT_EQ(Op(Operator::kGt, {D(nan), D(INFINITY)}), "true :: boolean");
  EXPECT_EQ(Op(Operator::kLt, {D(nan), D(1.0)}), "false :: boolean");
  EXPECT_EQ(Op(Operator::kLt, {D(1.0), D(nan)}), "true :: boolean");
  EXPECT_EQ(Op(Operator::kLtEq, {D(nan), D(nan)}), "true :: boolean");
  EXPECT_EQ(Op(Operator::kGtEq, {D(1.0), D(nan)}), "false :: boolean");
  EXPECT_EQ(Op(Operator::kGtEq, {D(nan), I(3)}), "true :: boolean");
  EXPECT_EQ(Op(Operator::kLt, {F32(1.0f), D(nan)}), "true :: boolean");
  EXPECT_EQ(Op(Operator::kNullSafeEq, {D(nan), D(nan)}), "true :: boolean");
  EXPECT_EQ(Op(Operator::kBetween, {D(nan), D(0), D(nan)}), "true :: boolean");
  EXPECT_EQ(Op(Operator::kGt, {D(nan), Null(arrow::float64())}), "NULL :: boolean");
  EXPECT_EQ(Op(Operator::kEq, {Null(arrow::float64()), D(nan)}), "NULL :: boolean");
  // Over columns, both sides unknown.
  auto schema = arrow::schema({arrow::field("a", arrow::float64()), arrow::field("b", arrow::float64())});
  auto batch = arrow::RecordBatch::Make(schema, 5,
                                        {Json(arrow::float64(), "[NaN, NaN, 1, 2, null]"),
                                         Json(arrow::float64(), "[NaN, 1, NaN, 1, NaN]")});
  auto rows = [&](Operator op) {
    return RunRows(CallOperator(op, {cp::field_ref("a"), cp::field_ref("b")}, *schema), *batch);
  };
  EXPECT_EQ(rows(Operator::kEq), "true, false, false, false, NULL");
  EXPECT_EQ(rows(Operator::kLt), "false, false, true, false, NULL");
  EXPECT_EQ(rows(Operator::kGt), "false, true, false, true, NULL");
  EXPECT_EQ(rows(Operator::kGtEq), "true, true, false, true, NULL");
  EXPECT_EQ(rows(Operator::kNotEq), "false, true, true, true, NULL");
}

TEST(LogicTest, ThreeValued) {
  EXPECT_EQ(Op(Operator::kAnd, {Null(), B(false)}), "false :: boolean");
  EXPECT_EQ(Op(Operator::kAnd, {Null(), B(true)}), "NULL :: boolean");
  EXPECT_EQ(Op(Operator::kOr, {Null(), B(true)}), "true :: boolean");
  EXPECT_EQ(Op(Operator::kOr, {Null(), B(false)}), "NULL :: boolean");
  EXPECT_EQ(Op(Operator::kNot, {Null(arrow::boolean())}), "NULL :: boolean");
  EXPECT_EQ(Op(Operator::kNot, {S("false")}), "true :: boolean");
  EXPECT_EQ(Op(Operator::kAnd, {I(1), B(true)}), "ERROR: function and: argument 1 must be a boolean, got int");
  EXPECT_EQ(Op(Operator::kIsNull, {Null()}), "true :: boolean");
  EXPECT_EQ(Op(Operator::kIsNotNull, {D(std::nan(""))}), "true :: boolean");
}

TEST(InTest, ThreeValuedIn) {
  EXPECT_EQ(Op(Operator::kIn, {I(1), I(1), Null()}), "true :: boolean");
  EXPECT_EQ(Op(Operator::kIn, {I(2), I(1), Null()}), "NULL :: boolean");
  EXPECT_EQ(Op(Operator::kIn, {Null(), I(1), I(2)}), "NULL :: boolean");
  EXPECT_EQ(Op(Operator::kIn, {I(3), I(1), I(2)}), "false :: boolean");
  EXPECT_EQ(Op(Operator::kIn, {I(1), Dec("1.0", 2, 1), I(2)}), "true :: boolean");
  EXPECT_EQ(Op(Operator::kIn, {S("b"), S("a"), S("b")}), "true :: boolean");
  EXPECT_EQ(Op(Operator::kIn, {D(1.5), D(0.5), D(1.5)}), "true :: boolean");
  EXPECT_EQ(Op(Operator::kIn, {I(1), Date("2024-01-01")}), "ERROR: function in: arguments must have a common type, got int, date");
}

TEST(InTest, OverColumnsUsesEqualities) {
  auto schema = arrow::schema({arrow::field("x", arrow::int32()), arrow::field("y", arrow::int32())});
  auto x = fntest::Json(arrow::int32(), "[1, 2, null, 4]");
  auto y = fntest::Json(arrow::int32(), "[1, null, 3, 5]");
  auto batch = arrow::RecordBatch::Make(schema, 4, {x, y});
  auto in = CallOperator(Operator::kIn, {cp::field_ref("x"), cp::field_ref("y"), I(4)}, *schema);
  EXPECT_EQ(RunRows(in, *batch), "true, NULL, NULL, true");
}

TEST(BetweenTest, Kleene) {
  EXPECT_EQ(Op(Operator::kBetween, {I(1), I(0), I(2)}), "true :: boolean");
  EXPECT_EQ(Op(Operator::kBetween, {I(1), I(2), I(0)}), "false :: boolean");
  EXPECT_EQ(Op(Operator::kBetween, {Null(), I(0), I(1)}), "NULL :: boolean");
  EXPECT_EQ(Op(Operator::kBetween, {I(1), Null(), I(2)}), "NULL :: boolean");
  EXPECT_EQ(Op(Operator::kBetween, {I(3), Null(), I(2)}), "false :: boolean");
  EXPECT_EQ(Op(Operator::kBetween, {S("b"), S("a"), S("c")}), "true :: boolean");
  EXPECT_EQ(Op(Operator::kBetween, {I(1), Dec("0.5", 1, 1), S("2")}), "true :: boolean");
}

TEST(LikeTest, PatternsAndEscapes) {
  EXPECT_EQ(Op(Operator::kLike, {S("abc"), S("a%")}), "true :: boolean");
  EXPECT_EQ(Op(Operator::kLike, {S("abc"), S("%")}), "true :: boolean");
  EXPECT_EQ(Op(Operator::kLike, {S("abc"), S("_b_")}), "true :: boolean");
  EXPECT_EQ(Op(Operator::kLike, {S("abc"), S("A%")}), "false :: boolean");
  EXPECT_EQ(Op(Operator::kLike, {S("abc"), S("ab")}), "false :: boolean");
  EXPECT_EQ(Op(Operator::kLike, {S("a_c"), S("a\\_c")}), "true :: boolean");
  EXPECT_EQ(Op(Operator::kLike, {S("abc"), S("a\\_c")}), "false :: boolean");
  EXPECT_EQ(Op(Operator::kLike, {S("a\\c"), S("a\\\\c")}), "true :: boolean");
  EXPECT_EQ(Op(Operator::kLike, {S("a.c"), S("a.c")}), "true :: boolean");
  EXPECT_EQ(Op(Operator::kLike, {S("a+c"), S("a+c")}), "true :: boolean");
  EXPECT_EQ(Op(Operator::kLike, {S("a\nc"), S("a_c")}), "true :: boolean");
  EXPECT_EQ(Op(Operator::kLike, {Null(), S("a")}), "NULL :: boolean");
  EXPECT_EQ(Op(Operator::kLike, {S("a"), Null()}), "NULL :: boolean");
  EXPECT_EQ(Op(Operator::kLike, {S("a%c"), S("a!%c"), S("!")}), "true :: boolean");
  EXPECT_EQ(Op(Operator::kLike, {S("a_c"), S("a__c"), S("_")}), "true :: boolean");
  EXPECT_EQ(Op(Operator::kLike, {S("abc"), S("a%"), S("a")}), "false :: boolean");
  EXPECT_THAT(Op(Operator::kLike, {S("aXc"), S("a_c"), S("_")}), HasSubstr("not allowed to precede 'c'"));
  EXPECT_EQ(Op(Operator::kILike, {S("ABC"), S("a%")}), "true :: boolean");
  EXPECT_EQ(Op(Operator::kRLike, {S("abc"), S("b")}), "true :: boolean");
  EXPECT_EQ(Op(Operator::kRLike, {S("abc"), S("^b")}), "false :: boolean");
  EXPECT_EQ(Op(Operator::kRLike, {S("ABC"), S("(?i)abc")}), "true :: boolean");
}

TEST(LikeTest, PatternFromAColumn) {
  auto schema = arrow::schema({arrow::field("s", arrow::utf8()), arrow::field("p", arrow::utf8())});
  auto s = fntest::Json(arrow::utf8(), R"(["abc", "héllo", "a_c", null, "xyz", "ABC"])");
  auto p = fntest::Json(arrow::utf8(), R"(["a%c", "h_llo", "a\\_c", "%", "%y", "a%"])");
  auto batch = arrow::RecordBatch::Make(schema, 6, {s, p});
  EXPECT_EQ(RunRows(CallOperator(Operator::kLike, {cp::field_ref("s"), cp::field_ref("p")}, *schema), *batch),
            "true, true, true, NULL, false, false");
  EXPECT_EQ(RunRows(CallOperator(Operator::kILike, {cp::field_ref("s"), cp::field_ref("p")}, *schema), *batch),
            "true, true, true, NULL, false, true");
}

TEST(OperatorTest, ConcatAndBitwise) {
  EXPECT_EQ(Op(Operator::kConcat, {S("a"), I(1)}), "a1 :: string");
  EXPECT_EQ(Op(Operator::kConcat, {I(1), I(2)}), "12 :: string");
  EXPECT_EQ(Op(Operator::kConcat, {S("a"), Null()}), "NULL :: string");
  EXPECT_EQ(Op(Operator::kBitAnd, {I(5), I(3)}), "1 :: int");
  EXPECT_EQ(Op(Operator::kBitOr, {I(5), I(3)}), "7 :: int");
  EXPECT_EQ(Op(Operator::kBitXor, {I(5), I(3)}), "6 :: int");
  EXPECT_EQ(Op(Operator::kBitNot, {I(5)}), "-6 :: int");
  EXPECT_EQ(Op(Operator::kBitAnd, {I(1), L(3)}), "1 :: bigint");
  EXPECT_EQ(Op(Operator::kBitAnd, {D(1), I(3)}), "ERROR: operator & cannot be applied to double and int");
}

TEST(OperatorTest, Subscript) {
  FunctionContext ctx = TestContext();
  auto array = CallFunction("array", {I(10), I(20), I(30)}, EmptySchema(), ctx);
  ASSERT_TRUE(array.ok());
  EXPECT_EQ(Op(Operator::kSubscript, {*array, I(0)}), "10 :: int");
  EXPECT_EQ(Op(Operator::kSubscript, {*array, I(2)}), "30 :: int");
  EXPECT_EQ(Op(Operator::kSubscript, {*array, I(5)}),
            "ERROR: [INVALID_ARRAY_INDEX] The index 5 is out of bounds. The array has 3 elements. Use the SQL "
            "function `get()` to tolerate accessing element at invalid index and return NULL instead.");
  auto map = CallFunction("map", {S("a"), I(1)}, EmptySchema(), ctx);
  ASSERT_TRUE(map.ok());
  EXPECT_EQ(Op(Operator::kSubscript, {*map, S("a")}), "1 :: int");
  EXPECT_EQ(Op(Operator::kSubscript, {*map, S("b")}), "NULL :: int");
  EXPECT_EQ(Op(Operator::kSubscript, {I(1), I(0)}), "ERROR: cannot subscript a value of type int");
}

TEST(OperatorTest, ArityErrors) {
  EXPECT_EQ(Op(Operator::kAdd, {I(1)}), "ERROR: operator + expects 2 operands, got 1");
  EXPECT_EQ(Op(Operator::kNot, {B(true), B(false)}), "ERROR: operator NOT expects 1 operand, got 2");
}

TEST(CaseWhenTest, NullConditionIsFalse) {
  auto run = [](std::vector<cp::Expression> conditions, std::vector<cp::Expression> results,
                std::optional<cp::Expression> otherwise) {
    return Eval(CaseWhen(std::move(conditions), std::move(results), std::move(otherwise), EmptySchema()));
  };
  EXPECT_EQ(run({B(false), B(true)}, {I(1), I(2)}, I(3)), "2 :: int");
  EXPECT_EQ(run({Null(arrow::boolean())}, {I(1)}, I(3)), "3 :: int");
  EXPECT_EQ(run({B(false)}, {I(1)}, std::nullopt), "NULL :: int");
  EXPECT_EQ(run({B(true)}, {I(1)}, Dec("2.5", 2, 1)), "1.0 :: decimal(11,1)");
  EXPECT_EQ(run({B(true)}, {L(1)}, Dec("2.5", 2, 1)), "1.0 :: decimal(21,1)");
  EXPECT_EQ(run({B(true)}, {S("5")}, I(1)), "5 :: bigint");
  EXPECT_EQ(run({B(true)}, {Date("2024-01-01")}, S("2024-01-02")), "2024-01-01 :: date");
  EXPECT_EQ(run({B(true)}, {I(1)}, Date("2024-01-01")),
            "ERROR: the results of CASE have no common type: cannot find a common type for int and date");
  EXPECT_THAT(run({I(1)}, {I(1)}, std::nullopt), HasSubstr("must be a boolean"));
}

// Spark evaluates a CASE result, a later WHEN, an IF branch or a later COALESCE argument only
// for the rows that reach it: none of these may raise an error for other rows.
TEST(CaseWhenTest, OnlyTheChosenBranchIsEvaluated) {
  auto schema = arrow::schema({arrow::field("x", arrow::int32()), arrow::field("s", arrow::utf8())});
  auto batch = arrow::RecordBatch::Make(schema, 4,
                                        {Json(arrow::int32(), "[0, 4, null, -2]"),
                                         Json(arrow::utf8(), R"(["a", "7", null, "x"])")});
  auto x = cp::field_ref("x");
  auto s = cp::field_ref("s");
  auto op = [&](Operator o, std::vector<cp::Expression> args) { return *CallOperator(o, std::move(args), *schema); };
  auto fn = [&](std::string_view name, std::vector<cp::Expression> args) {
    return CallFunction(name, std::move(args), *schema, TestContext());
  };
  // CASE WHEN x = 0 THEN NULL ELSE 8 / x END
  auto divide = op(Operator::kDivide, {I(8), x});
  EXPECT_EQ(RunRows(CaseWhen({op(Operator::kEq, {x, I(0)})}, {Null(arrow::float64())}, divide, *schema), *batch),
            "NULL, 2.0, NULL, -4.0");
  // A later WHEN condition: CASE WHEN s = 'a' THEN 0 WHEN CAST(s AS INT) > 5 THEN 1 ELSE 2 END
  auto cast = *Cast(s, arrow::int32(), false, *schema);
  // ('x' reaches the cast here, and fails naming the value; with a WHEN for it first, it does not.)
  EXPECT_THAT(RunRows(CaseWhen({op(Operator::kEq, {s, S("a")}), op(Operator::kGt, {cast, I(5)})}, {I(0), I(1)}, I(2),
                               *schema),
                      *batch),
              HasSubstr("'x'"));
  EXPECT_EQ(RunRows(CaseWhen({op(Operator::kEq, {s, S("a")}), op(Operator::kEq, {s, S("x")}), op(Operator::kGt, {cast, I(5)})},
                             {I(0), I(1), I(2)}, I(3), *schema),
                    *batch),
            "0, 2, 3, 1");
  // Still an error where the failing branch is chosen.
  EXPECT_THAT(RunRows(CaseWhen({op(Operator::kEq, {x, I(0)})}, {divide}, I(0), *schema), *batch),
              HasSubstr("DIVIDE_BY_ZERO"));
  // IF, NVL2, COALESCE
  EXPECT_EQ(RunRows(fn("if", {op(Operator::kNotEq, {x, I(0)}), op(Operator::kIntDivide, {I(8), x}), L(-1)}), *batch),
            "-1, 2, -1, -4");
  EXPECT_EQ(RunRows(fn("nvl2", {fn("nullif", {x, I(0)}).ValueOrDie(), op(Operator::kModulo, {I(9), x}), I(-1)}), *batch),
            "-1, 1, -1, 1");
  EXPECT_EQ(RunRows(fn("coalesce", {fn("nullif", {s, S("x")}).ValueOrDie(), Cast(s, arrow::utf8(), false, *schema).ValueOrDie(),
                                    fn("substring", {S("abc"), I(1), I(1)}).ValueOrDie()}),
                    *batch),
            "a, 7, a, x");
  EXPECT_THAT(RunRows(fn("coalesce", {x, op(Operator::kDivide, {I(1), I(0)})}), *batch), HasSubstr("DIVIDE_BY_ZERO"));
  EXPECT_EQ(RunRows(fn("coalesce", {op(Operator::kAdd, {x, I(1)}), op(Operator::kIntDivide, {I(1), x})}), *batch),
            "1, 5, NULL, -1");
}

// Operands that cannot fail are left alone, so the common shapes cost nothing extra.
TEST(CaseWhenTest, OperandsThatCannotFailAreNotGuarded) {
  auto schema = arrow::schema({arrow::field("price", arrow::decimal128(15, 2)),
                               arrow::field("discount", arrow::decimal128(15, 2)), arrow::field("n", arrow::int32()),
                               arrow::field("promo", arrow::boolean())});
  auto op = [&](Operator o, std::vector<cp::Expression> args) { return *CallOperator(o, std::move(args), *schema); };
  // TPC-H Q14: CASE WHEN promo THEN price * (1 - discount) ELSE 0 END
  auto revenue = op(Operator::kMultiply, {cp::field_ref("price"), op(Operator::kSubtract, {I(1), cp::field_ref("discount")})});
  auto q14 = CaseWhen({cp::field_ref("promo")}, {revenue}, I(0), *schema);
  ASSERT_TRUE(q14.ok()) << q14.status().ToString();
  EXPECT_THAT(q14->ToString(), ::testing::Not(HasSubstr("if_else")));
  // A division can fail: it is guarded.
  auto ratio = CaseWhen({cp::field_ref("promo")}, {op(Operator::kDivide, {cp::field_ref("price"), cp::field_ref("n")})},
                        std::nullopt, *schema);
  ASSERT_TRUE(ratio.ok());
  EXPECT_THAT(ratio->ToString(), HasSubstr("if_else"));
}

}  // namespace
}  // namespace tidelake::plan
