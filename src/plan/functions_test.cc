// Scalar functions (conditional, math, string, collection): values, NULLs, result types and
// error messages, checked against what Spark 4.0 (ANSI mode) returns for the same calls.
#ifndef TIDELAKE_TESTDATA_DIR
#define TIDELAKE_TESTDATA_DIR "/work/shared/testdata"
#endif

#include "plan/functions.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <arrow/acero/exec_plan.h>
#include <arrow/acero/options.h>

#include <thread>

#include "plan/functions_test_util.h"

namespace tidelake::plan {
namespace {

using namespace fntest;  // NOLINT
using ::testing::HasSubstr;

TEST(FunctionsTest, UnknownFunctionsAndArity) {
  EXPECT_EQ(Fn("foo", {I(1)}), "ERROR: unknown function 'foo'");
  EXPECT_EQ(Fn("substring", {S("a")}), "ERROR: function substring expects 2 or 3 arguments, got 1");
  EXPECT_EQ(Fn("upper", {}), "ERROR: function upper expects 1 argument, got 0");
  EXPECT_EQ(Fn("coalesce", {}), "ERROR: function coalesce expects at least 1 argument, got 0");
  EXPECT_EQ(Fn("sum", {I(1)}), "ERROR: aggregate function 'sum' is not allowed here");
  EXPECT_EQ(Fn("row_number", {}), "ERROR: window function 'row_number' requires an OVER clause");
  EXPECT_TRUE(IsScalarFunction("date_trunc"));
  EXPECT_FALSE(IsScalarFunction("sum"));
}

TEST(FunctionsTest, RegistrationIsIdempotentAndThreadSafe) {
  std::vector<std::thread> threads;
  std::vector<arrow::Status> results(8);
  for (int i = 0; i < 8; ++i) threads.emplace_back([&, i] { results[i] = RegisterSqlFunctions(); });
  for (auto& t : threads) t.join();
  for (const auto& s : results) EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_TRUE(RegisterSqlFunctions().ok());
  EXPECT_TRUE(cp::GetFunctionRegistry()->GetFunction("tidelake_substring").ok());
}

// Our kernels inside an Acero plan: many batches, several threads, filter and project.
TEST(FunctionsTest, KernelsRunInAceroPlans) {
  auto schema = arrow::schema({arrow::field("s", arrow::utf8()), arrow::field("n", arrow::int32())});
  std::vector<std::shared_ptr<arrow::RecordBatch>> batches;
  for (int b = 0; b < 40; ++b) {
    arrow::StringBuilder s;
    arrow::Int32Builder n;
    for (int i = 0; i < 500; ++i) {
      const int v = b * 500 + i;
      ASSERT_TRUE(s.Append("row-" + std::to_string(v)).ok());
      ASSERT_TRUE(n.Append(v).ok());
    }
    batches.push_back(arrow::RecordBatch::Make(schema, 500, {*s.Finish(), *n.Finish()}));
  }
  auto table = *arrow::Table::FromRecordBatches(schema, batches);
  FunctionContext ctx = TestContext();
  // WHERE contains(s, '7') AND n % 3 = 0, SELECT substring(s, 5), CAST(n AS STRING) || 'x'
  auto contains = CallFunction("contains", {cp::field_ref("s"), S("7")}, *schema, ctx);
  auto mod = CallOperator(Operator::kModulo, {cp::field_ref("n"), I(3)}, *schema);
  ASSERT_TRUE(contains.ok() && mod.ok());
  auto is_zero = CallOperator(Operator::kEq, {*mod, I(0)}, *schema);
  ASSERT_TRUE(is_zero.ok());
  auto filter = CallOperator(Operator::kAnd, {*contains, *is_zero}, *schema);
  auto digits = CallFunction("substring", {cp::field_ref("s"), I(5)}, *schema, ctx);
  auto text = CallOperator(Operator::kConcat, {cp::field_ref("n"), S("x")}, *schema);
  ASSERT_TRUE(filter.ok() && digits.ok() && text.ok());
  arrow::acero::Declaration plan = arrow::acero::Declaration::Sequence(
      {{"table_source", arrow::acero::TableSourceNodeOptions(table, 500)},
       {"filter", arrow::acero::FilterNodeOptions(*filter)},
       {"project", arrow::acero::ProjectNodeOptions({*digits, *text}, {"digits", "text"})}});
  auto result = arrow::acero::DeclarationToTable(std::move(plan), /*use_threads=*/true);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  int64_t expected = 0;
  for (int v = 0; v < 20000; ++v) {
    if (v % 3 == 0 && std::to_string(v).find('7') != std::string::npos) ++expected;
  }
  EXPECT_EQ((*result)->num_rows(), expected);
  auto combined = (*result)->CombineChunksToBatch();
  ASSERT_TRUE(combined.ok());
  const auto& d = static_cast<const arrow::StringArray&>(*(*combined)->column(0));
  const auto& t = static_cast<const arrow::StringArray&>(*(*combined)->column(1));
  for (int64_t i = 0; i < d.length(); ++i) ASSERT_EQ(std::string(d.GetView(i)) + "x", std::string(t.GetView(i)));
}

// -------------------------------------------------------------------------------------------
// Conditional

TEST(ConditionalTest, CoalesceNvlNullifIf) {
  EXPECT_EQ(Fn("coalesce", {Null(), Null(), I(3)}), "3 :: int");
  EXPECT_EQ(Fn("coalesce", {Null(), Null()}), "NULL :: void");
  EXPECT_EQ(Fn("coalesce", {I(1), Dec("2.5", 2, 1), S("3")}), "1.0 :: double");
  EXPECT_EQ(Fn("coalesce", {I(1), Date("2024-01-01")}),
            "ERROR: function coalesce: arguments must have a common type, got int, date");
  EXPECT_EQ(Fn("nvl", {Null(), S("x")}), "x :: string");
  EXPECT_EQ(Fn("nvl", {I(1), Dec("2.5", 2, 1)}), "1.0 :: decimal(11,1)");
  EXPECT_EQ(Fn("ifnull", {Null(), I(2)}), "2 :: int");
  EXPECT_EQ(Fn("nullif", {I(1), I(1)}), "NULL :: int");
  EXPECT_EQ(Fn("nullif", {I(1), Null()}), "1 :: int");
  EXPECT_EQ(Fn("nullif", {I(1), Dec("1.5", 2, 1)}), "1 :: int");
  EXPECT_EQ(Fn("if", {Null(arrow::boolean()), I(1), I(2)}), "2 :: int");
  EXPECT_EQ(Fn("if", {B(true), I(1), Dec("2.5", 2, 1)}), "1.0 :: decimal(11,1)");
  EXPECT_EQ(Fn("if", {B(true), I(1), S("5")}), "1 :: bigint");
  // Spark evaluates only the chosen branch, so if(true, 1, 'a') is 1 although 'a' is no
  // bigint; where that branch is chosen, the cast fails.
  EXPECT_EQ(Fn("if", {B(true), I(1), S("a")}), "1 :: bigint");
  EXPECT_THAT(Fn("if", {B(false), I(1), S("a")}), HasSubstr("The value 'a'"));
  EXPECT_EQ(Fn("if", {I(1), I(2), I(3)}), "ERROR: function if: argument 1 must be a boolean, got int");
  // Unlike AND or NOT, IF does not cast a string condition (Spark: UNEXPECTED_INPUT_TYPE).
  EXPECT_EQ(Fn("if", {S("true"), I(2), I(3)}), "ERROR: function if: argument 1 must be a boolean, got string");
  EXPECT_EQ(Fn("nvl2", {Null(), I(1), I(2)}), "2 :: int");
  EXPECT_EQ(Fn("nvl2", {I(0), I(1), I(2)}), "1 :: int");
}

TEST(ConditionalTest, GreatestLeastSkipNulls) {
  EXPECT_EQ(Fn("greatest", {I(1), Null(), I(3)}), "3 :: int");
  EXPECT_EQ(Fn("least", {I(1), Null(), I(3)}), "1 :: int");
  EXPECT_EQ(Fn("greatest", {Null(), Null()}), "NULL :: void");
  EXPECT_EQ(Fn("greatest", {I(1), Dec("2.5", 2, 1)}), "2.5 :: decimal(11,1)");
  EXPECT_EQ(Fn("greatest", {I(1), L(2), Dec("3.5", 2, 1)}), "3.5 :: decimal(21,1)");
  EXPECT_EQ(Fn("greatest", {I(1), D(2.5)}), "2.5 :: double");
  EXPECT_EQ(Fn("least", {S("b"), S("a"), Null()}), "a :: string");
  EXPECT_EQ(Fn("greatest", {Date("2024-01-01"), Ts("2024-01-01 10:00:00")}), "2024-01-01 10:00:00 :: timestamp");
  EXPECT_EQ(Fn("greatest", {I(1)}), "ERROR: function greatest expects at least 2 arguments, got 1");
}

// -------------------------------------------------------------------------------------------
// Math

TEST(MathTest, RoundHalfUp) {
  EXPECT_EQ(Fn("round", {D(2.675), I(2)}), "2.68 :: double");
  EXPECT_EQ(Fn("round", {D(2.5)}), "3.0 :: double");
  EXPECT_EQ(Fn("round", {D(-2.5)}), "-3.0 :: double");
  EXPECT_EQ(Fn("round", {D(-0.5)}), "-1.0 :: double");
  EXPECT_EQ(Fn("round", {F32(1.45f), I(1)}), "1.5 :: float");
  EXPECT_EQ(Fn("round", {D(12.345), I(-1)}), "10.0 :: double");
  EXPECT_EQ(Fn("round", {D(0.4), I(0)}), "0.0 :: double");
  EXPECT_EQ(Fn("round", {D(9.96), I(1)}), "10.0 :: double");
  EXPECT_EQ(Fn("round", {D(1e300), I(2)}), "1.0E300 :: double");
  EXPECT_EQ(Fn("round", {D(std::nan(""))}), "NaN :: double");
  EXPECT_EQ(Fn("round", {I(125), I(-1)}), "130 :: int");
  EXPECT_EQ(Fn("round", {I(-125), I(-1)}), "-130 :: int");
  EXPECT_EQ(Fn("round", {Tiny(127), I(-2)}), "100 :: tinyint");
  EXPECT_THAT(Fn("round", {Tiny(127), I(-1)}), HasSubstr("ARITHMETIC_OVERFLOW"));
  EXPECT_THAT(Fn("round", {I(2147483647), I(-1)}), HasSubstr("ARITHMETIC_OVERFLOW"));
  EXPECT_EQ(Fn("round", {Dec("1.255", 4, 3), I(2)}), "1.26 :: decimal(4,2)");
  EXPECT_EQ(Fn("round", {Dec("1.255", 4, 3), I(-1)}), "0 :: decimal(2,0)");
  EXPECT_EQ(Fn("round", {Dec("9.99", 3, 2), I(1)}), "10.0 :: decimal(3,1)");
  EXPECT_EQ(Fn("round", {Dec("99.5", 3, 1)}), "100 :: decimal(3,0)");
  EXPECT_EQ(Fn("round", {Dec("99.5", 3, 1), I(-2)}), "100 :: decimal(3,0)");
  EXPECT_EQ(Fn("round", {Dec("1.5", 2, 1), I(3)}), "1.5 :: decimal(3,1)");
  EXPECT_EQ(Fn("round", {S("2.5")}), "3.0 :: double");
  EXPECT_EQ(Fn("round", {I(12), I(-1)}), "10 :: int");
  EXPECT_EQ(Fn("round", {D(1.5), cp::field_ref("x")}).substr(0, 6), "ERROR:");
}

TEST(MathTest, FloorCeil) {
  EXPECT_EQ(Fn("floor", {D(1.5)}), "1 :: bigint");
  EXPECT_EQ(Fn("floor", {D(-1.5)}), "-2 :: bigint");
  EXPECT_EQ(Fn("ceil", {D(-1.5)}), "-1 :: bigint");
  EXPECT_EQ(Fn("ceil", {D(-0.5)}), "0 :: bigint");
  EXPECT_EQ(Fn("ceiling", {D(1.2)}), "2 :: bigint");
  EXPECT_EQ(Fn("ceil", {D(1e30)}), "9223372036854775807 :: bigint");
  EXPECT_EQ(Fn("floor", {D(std::nan(""))}), "0 :: bigint");
  EXPECT_EQ(Fn("ceil", {Dec("1.2", 2, 1)}), "2 :: decimal(2,0)");
  EXPECT_EQ(Fn("floor", {Dec("-1.55", 4, 2)}), "-2 :: decimal(3,0)");
  EXPECT_EQ(Fn("floor", {Dec("1", 10, 3)}), "1 :: decimal(8,0)");
  EXPECT_EQ(Fn("floor", {I(5)}), "5 :: bigint");
  // With a scale: Spark's RoundFloor / RoundCeil over decimals.
  EXPECT_EQ(Fn("floor", {Dec("12.345", 5, 3), I(1)}), "12.3 :: decimal(4,1)");
  EXPECT_EQ(Fn("ceil", {Dec("12.345", 5, 3), I(1)}), "12.4 :: decimal(4,1)");
  EXPECT_EQ(Fn("floor", {Dec("-12.345", 5, 3), I(2)}), "-12.35 :: decimal(5,2)");
  EXPECT_EQ(Fn("ceil", {Dec("-12.345", 5, 3), I(2)}), "-12.34 :: decimal(5,2)");
  EXPECT_EQ(Fn("ceil", {I(1234), I(-2)}), "1300 :: decimal(11,0)");
  EXPECT_EQ(Fn("floor", {I(-1234), I(-2)}), "-1300 :: decimal(11,0)");
  EXPECT_EQ(Fn("floor", {Dec("1.5", 2, 1), I(3)}), "1.5 :: decimal(3,1)");
  EXPECT_EQ(Fn("floor", {D(2.5), cp::field_ref("x")}).substr(0, 6), "ERROR:");
}

TEST(MathTest, LogarithmsAndPowers) {
  EXPECT_EQ(Fn("ln", {I(0)}), "NULL :: double");
  EXPECT_EQ(Fn("ln", {I(-1)}), "NULL :: double");
  EXPECT_EQ(Fn("ln", {I(1)}), "0.0 :: double");
  EXPECT_EQ(Fn("ln", {Dec("2", 3, 0)}), "0.6931471805599453 :: double");
  EXPECT_EQ(Fn("log", {I(10), I(100)}), "2.0 :: double");
  EXPECT_EQ(Fn("log", {I(2), I(8)}), "3.0 :: double");
  EXPECT_EQ(Fn("log", {I(-1), I(8)}), "NULL :: double");
  EXPECT_EQ(Fn("log", {I(0), I(5)}), "NULL :: double");
  EXPECT_EQ(Fn("log", {I(1), I(5)}), "Infinity :: double");
  EXPECT_EQ(Fn("log", {I(100)}), "4.605170185988092 :: double");
  EXPECT_EQ(Fn("log10", {I(0)}), "NULL :: double");
  EXPECT_EQ(Fn("log10", {I(100)}), "2.0 :: double");
  EXPECT_EQ(Fn("log2", {I(8)}), "3.0 :: double");
  EXPECT_EQ(Fn("sqrt", {I(-1)}), "NaN :: double");
  EXPECT_EQ(Fn("sqrt", {S("4")}), "2.0 :: double");
  EXPECT_EQ(Fn("pow", {I(2), I(3)}), "8.0 :: double");
  EXPECT_EQ(Fn("power", {I(2), I(1024)}), "Infinity :: double");
  EXPECT_EQ(Fn("exp", {I(0)}), "1.0 :: double");
  EXPECT_THAT(Fn("ln", {S("abc")}), HasSubstr("The value 'abc' of the type \"STRING\" cannot be cast to \"DOUBLE\""));
  EXPECT_EQ(Fn("sqrt", {Date("2024-01-01")}), "ERROR: function sqrt: argument 1 must be a double, got date");
}

TEST(MathTest, AbsSignModPmod) {
  EXPECT_EQ(Fn("abs", {Dec("-1.5", 2, 1)}), "1.5 :: decimal(2,1)");
  EXPECT_EQ(Fn("abs", {F32(-1.5f)}), "1.5 :: float");
  EXPECT_EQ(Fn("abs", {L(-5)}), "5 :: bigint");
  EXPECT_EQ(Fn("abs", {Tiny(1)}), "1 :: tinyint");
  EXPECT_EQ(Fn("abs", {S("-1")}), "1.0 :: double");
  EXPECT_EQ(Fn("abs", {I(-2147483647 - 1)}), "ERROR: [ARITHMETIC_OVERFLOW] integer overflow.");
  EXPECT_EQ(Fn("abs", {L(-5)}), "5 :: bigint");
  EXPECT_EQ(Fn("sign", {I(-3)}), "-1.0 :: double");
  EXPECT_EQ(Fn("signum", {Dec("2.5", 2, 1)}), "1.0 :: double");
  EXPECT_EQ(Fn("sign", {I(0)}), "0.0 :: double");
  EXPECT_EQ(Fn("mod", {I(-7), I(3)}), "-1 :: int");
  EXPECT_EQ(Fn("mod", {Dec("5.5", 2, 1), Dec("2.5", 2, 1)}), "0.5 :: decimal(2,1)");
  EXPECT_EQ(Fn("pmod", {I(-7), I(3)}), "2 :: int");
  EXPECT_EQ(Fn("pmod", {I(7), I(-3)}), "1 :: int");
  EXPECT_EQ(Fn("pmod", {I(-7), I(-3)}), "-1 :: int");
  EXPECT_EQ(Fn("pmod", {L(5), I(2)}), "1 :: bigint");
  EXPECT_EQ(Fn("pmod", {D(-5.5), I(2)}), "0.5 :: double");
  EXPECT_EQ(Fn("pmod", {Dec("-5.5", 2, 1), I(2)}), "0.5 :: decimal(2,1)");
  EXPECT_EQ(Fn("pmod", {Dec("-10.00", 10, 2), Dec("3.0", 5, 1)}), "2.00 :: decimal(6,2)");
  EXPECT_EQ(Fn("pmod", {I(1), D(2.5)}), "1.0 :: double");
  EXPECT_THAT(Fn("pmod", {I(5), I(0)}), HasSubstr("REMAINDER_BY_ZERO"));
  EXPECT_EQ(Fn("negative", {I(3)}), "-3 :: int");
  EXPECT_EQ(Fn("positive", {I(3)}), "3 :: int");
}

TEST(MathTest, TryArithmeticGivesNull) {
  EXPECT_EQ(Fn("try_divide", {I(1), I(0)}), "NULL :: double");
  EXPECT_EQ(Fn("try_divide", {I(1), I(2)}), "0.5 :: double");
  EXPECT_EQ(Fn("try_divide", {Dec("1", 3, 0), I(0)}), "NULL :: decimal(9,6)");
  EXPECT_EQ(Fn("try_divide", {Dec("1", 3, 0), I(3)}), "0.333333 :: decimal(9,6)");
  EXPECT_EQ(Fn("try_add", {I(2147483647), I(1)}), "NULL :: int");
  EXPECT_EQ(Fn("try_add", {I(1), I(1)}), "2 :: int");
  EXPECT_EQ(Fn("try_subtract", {L(-9223372036854775807 - 1), I(1)}), "NULL :: bigint");
  EXPECT_EQ(Fn("try_multiply", {L(4611686018427387904), I(2)}), "NULL :: bigint");
  EXPECT_EQ(Fn("try_multiply", {I(3), I(4)}), "12 :: int");
  EXPECT_EQ(Fn("try_add", {D(1.5), I(1)}), "2.5 :: double");
}

// -------------------------------------------------------------------------------------------
// Strings

TEST(StringTest, CaseAndLength) {
  EXPECT_EQ(Fn("upper", {S("héllo")}), "HÉLLO :: string");
  EXPECT_EQ(Fn("lower", {S("ÀB")}), "àb :: string");
  EXPECT_EQ(Fn("ucase", {S("a")}), "A :: string");
  EXPECT_EQ(Fn("lcase", {S("B")}), "b :: string");
  EXPECT_EQ(Fn("upper", {I(1)}), "1 :: string");
  EXPECT_EQ(Fn("upper", {Date("2024-01-01")}), "2024-01-01 :: string");
  EXPECT_EQ(Fn("lower", {B(true)}), "true :: string");
  auto array = CallFunction("array", {I(1)}, EmptySchema(), TestContext());
  ASSERT_TRUE(array.ok());
  EXPECT_EQ(Fn("upper", {*array}), "ERROR: function upper: argument 1 must be a string, got array<int>");
  EXPECT_EQ(Fn("length", {S("héllo")}), "5 :: int");
  EXPECT_EQ(Fn("length", {S("")}), "0 :: int");
  EXPECT_EQ(Fn("length", {Null()}), "NULL :: int");
  EXPECT_EQ(Fn("length", {Dec("1.5", 2, 1)}), "3 :: int");
  EXPECT_EQ(Fn("char_length", {S("ab")}), "2 :: int");
  EXPECT_EQ(Fn("octet_length", {S("é")}), "2 :: int");
}

TEST(StringTest, SubstringLeftRight) {
  EXPECT_EQ(Fn("substring", {S("hello"), I(0), I(2)}), "he :: string");
  EXPECT_EQ(Fn("substring", {S("hello"), I(2)}), "ello :: string");
  EXPECT_EQ(Fn("substring", {S("hello"), I(-3)}), "llo :: string");
  EXPECT_EQ(Fn("substring", {S("hello"), I(-3), I(2)}), "ll :: string");
  EXPECT_EQ(Fn("substring", {S("hello"), I(2), I(-1)}), " :: string");
  EXPECT_EQ(Fn("substr", {S("hello"), I(10)}), " :: string");
  EXPECT_EQ(Fn("substring", {S("hello"), I(-10), I(3)}), " :: string");
  EXPECT_EQ(Fn("substr", {S("héllo"), I(2), I(2)}), "él :: string");
  EXPECT_EQ(Fn("substring", {I(12345), I(2), I(2)}), "23 :: string");
  EXPECT_EQ(Fn("substring", {S("hello"), Null(), I(2)}), "NULL :: string");
  EXPECT_EQ(Fn("substring", {S("hello"), L(1)}), "ERROR: function substring: argument 2 must be an int, got bigint");
  EXPECT_EQ(Fn("left", {S("hello"), I(2)}), "he :: string");
  EXPECT_EQ(Fn("left", {S("hello"), I(-1)}), " :: string");
  EXPECT_EQ(Fn("left", {S("hello"), I(10)}), "hello :: string");
  EXPECT_EQ(Fn("right", {S("hello"), I(2)}), "lo :: string");
  EXPECT_EQ(Fn("right", {S("hello"), I(0)}), " :: string");
  EXPECT_EQ(Fn("right", {S("hello"), I(10)}), "hello :: string");
  EXPECT_EQ(Fn("right", {S("hello"), I(-1)}), " :: string");
}

TEST(StringTest, SubstringOverColumns) {
  auto schema = arrow::schema({arrow::field("s", arrow::utf8()), arrow::field("p", arrow::int32()),
                               arrow::field("n", arrow::int32())});
  auto batch = arrow::RecordBatch::Make(
      schema, 4,
      {fntest::Json(arrow::utf8(), R"(["hello", "héllo", null, "abc"])"),
       fntest::Json(arrow::int32(), "[1, -4, 1, null]"), fntest::Json(arrow::int32(), "[3, 2, 1, 1]")});
  auto e = CallFunction("substring", {cp::field_ref("s"), cp::field_ref("p"), cp::field_ref("n")}, *schema,
                        TestContext());
  EXPECT_EQ(RunRows(e, *batch), "hel, él, NULL, NULL");
  // A sliced batch (offsets into the arrays) gives the same rows.
  EXPECT_EQ(RunRows(e, *batch->Slice(1, 2)), "él, NULL");
}

TEST(StringTest, ConcatAndConcatWs) {
  EXPECT_EQ(Fn("concat", {S("a"), Null()}), "NULL :: string");
  EXPECT_EQ(Fn("concat", {S("a"), I(1), Dec("2.5", 2, 1)}), "a12.5 :: string");
  EXPECT_EQ(Fn("concat", {}), " :: string");
  EXPECT_EQ(Fn("concat_ws", {S("-"), S("a"), Null(), S("b")}), "a-b :: string");
  EXPECT_EQ(Fn("concat_ws", {Null(), S("a")}), "NULL :: string");
  EXPECT_EQ(Fn("concat_ws", {S("-"), I(1), I(2)}), "1-2 :: string");
  EXPECT_EQ(Fn("concat_ws", {S(",")}), " :: string");
  auto array = CallFunction("array", {S("a"), Null(), S("b")}, EmptySchema(), TestContext());
  ASSERT_TRUE(array.ok());
  EXPECT_EQ(Fn("concat_ws", {S(","), *array, S("c")}), "a,b,c :: string");
}

TEST(StringTest, TrimAndPad) {
  EXPECT_EQ(Fn("trim", {S("  a  ")}), "a :: string");
  EXPECT_EQ(Fn("ltrim", {S("  a  ")}), "a   :: string");
  EXPECT_EQ(Fn("rtrim", {S("  a  ")}), "  a :: string");
  EXPECT_EQ(Fn("trim", {S("\ta ")}), "\ta :: string");
  EXPECT_EQ(Fn("trim", {S("xxaxx"), S("x")}), " :: string");  // trim(trimStr, str)
  EXPECT_EQ(Fn("trim", {S("x"), S("xxaxx")}), "a :: string");
  EXPECT_EQ(Fn("btrim", {S("xxaxx"), S("x")}), "a :: string");
  EXPECT_EQ(Fn("ltrim", {S("x"), S("xxaxx")}), "axx :: string");
  EXPECT_EQ(Fn("lpad", {S("hi"), I(5), S("ab")}), "abahi :: string");
  EXPECT_EQ(Fn("lpad", {S("hello"), I(3), S("x")}), "hel :: string");
  EXPECT_EQ(Fn("rpad", {S("hi"), I(5)}), "hi    :: string");
  EXPECT_EQ(Fn("lpad", {S("hi"), I(5), S("")}), "hi :: string");
  EXPECT_EQ(Fn("lpad", {S("hi"), I(-1), S("x")}), " :: string");
  EXPECT_EQ(Fn("lpad", {S("héllo"), I(7), S("é")}), "ééhéllo :: string");
  EXPECT_EQ(Fn("rpad", {S("hi"), I(5), S("xy")}), "hixyx :: string");
  EXPECT_EQ(Fn("rpad", {S("hello"), I(2)}), "he :: string");
  EXPECT_EQ(Fn("lpad", {S(""), I(3), S("a")}), "aaa :: string");
  EXPECT_EQ(Fn("rpad", {Null(), I(3), S("a")}), "NULL :: string");
}

TEST(StringTest, ReplaceInstrLocate) {
  EXPECT_EQ(Fn("replace", {S("abcabc"), S("b"), S("X")}), "aXcaXc :: string");
  EXPECT_EQ(Fn("replace", {S("abc"), S(""), S("X")}), "abc :: string");
  EXPECT_EQ(Fn("replace", {S("abc"), S("b")}), "ac :: string");
  EXPECT_EQ(Fn("instr", {S("hello"), S("l")}), "3 :: int");
  EXPECT_EQ(Fn("instr", {S("hello"), S("z")}), "0 :: int");
  EXPECT_EQ(Fn("instr", {S("héllo"), S("l")}), "3 :: int");
  EXPECT_EQ(Fn("instr", {Null(), S("a")}), "NULL :: int");
  EXPECT_EQ(Fn("locate", {S("l"), S("hello")}), "3 :: int");
  EXPECT_EQ(Fn("locate", {S("l"), S("hello"), I(4)}), "4 :: int");
  EXPECT_EQ(Fn("locate", {S("l"), S("hello"), I(0)}), "0 :: int");
  EXPECT_EQ(Fn("locate", {S(""), S("hello")}), "1 :: int");
  EXPECT_EQ(Fn("locate", {S("l"), S("héllo"), I(4)}), "4 :: int");
  EXPECT_EQ(Fn("locate", {Null(), S("a")}), "NULL :: int");

  auto schema = arrow::schema({arrow::field("s", arrow::utf8()), arrow::field("f", arrow::utf8()),
                               arrow::field("r", arrow::utf8())});
  auto batch = arrow::RecordBatch::Make(schema, 3,
                                        {fntest::Json(arrow::utf8(), R"(["aaa", "abc", null])"),
                                         fntest::Json(arrow::utf8(), R"(["a", "", "x"])"),
                                         fntest::Json(arrow::utf8(), R"(["bb", "z", "y"])")});
  EXPECT_EQ(RunRows(CallFunction("replace", {cp::field_ref("s"), cp::field_ref("f"), cp::field_ref("r")}, *schema,
                                 TestContext()),
                    *batch),
            "bbbbbb, abc, NULL");
}

TEST(StringTest, SplitAndRegex) {
  EXPECT_EQ(Fn("split", {S("a,b,,"), S(",")}), "[a, b, , ] :: array<string>");
  EXPECT_EQ(Fn("split", {S("abc"), S("")}), "[a, b, c] :: array<string>");
  EXPECT_EQ(Fn("split", {S("a1b2c"), S("[0-9]")}), "[a, b, c] :: array<string>");
  EXPECT_EQ(Fn("split", {S("a,b,c"), S(","), I(2)}), "[a, b,c] :: array<string>");
  EXPECT_EQ(Fn("split", {S("a,b,c"), S(","), I(0)}), "[a, b, c] :: array<string>");
  EXPECT_EQ(Fn("split", {S(",a,"), S(",")}), "[, a, ] :: array<string>");
  EXPECT_EQ(Fn("split", {S(""), S(",")}), "[] :: array<string>");
  EXPECT_EQ(Fn("split", {S("a.b"), S(".")}), "[, , , ] :: array<string>");
  EXPECT_THAT(Fn("split", {S("abc"), S("x*")}), HasSubstr("can match the empty string"));
  EXPECT_EQ(Fn("regexp_extract", {S("foo123bar"), S("([a-z]+)([0-9]+)"), I(2)}), "123 :: string");
  EXPECT_EQ(Fn("regexp_extract", {S("foo"), S("([0-9]+)"), I(1)}), " :: string");
  EXPECT_EQ(Fn("regexp_extract", {S("x"), S("(a)?x"), I(1)}), " :: string");
  EXPECT_EQ(Fn("regexp_extract", {S("abc"), S("b"), I(0)}), "b :: string");
  EXPECT_EQ(Fn("regexp_extract", {S("abc"), S("(?:a)(b)"), I(1)}), "b :: string");
  EXPECT_EQ(Fn("regexp_extract", {S("a(b"), S("[(](b)"), I(1)}), "b :: string");
  EXPECT_EQ(Fn("regexp_extract", {Null(), S("b"), I(0)}), "NULL :: string");
  EXPECT_EQ(Fn("regexp_extract", {S("abc"), S("(b)"), I(2)}),
            "ERROR: function regexp_extract: the group index must be between 0 and 1, got 2");
  EXPECT_EQ(Fn("regexp_replace", {S("a1b22"), S("[0-9]+"), S("<$0>")}), "a<1>b<22> :: string");
  EXPECT_EQ(Fn("regexp_replace", {S("abc"), S("(b)"), S("[$1]")}), "a[b]c :: string");
  EXPECT_EQ(Fn("regexp_replace", {S("a.b"), S("\\."), S("\\$")}), "a$b :: string");
  EXPECT_EQ(Fn("regexp_replace", {S("abc"), S("b"), S("\\\\")}), "a\\c :: string");
  EXPECT_EQ(Fn("rlike", {S("abc"), S("a.c")}), "true :: boolean");
  EXPECT_EQ(Fn("regexp_like", {S("a\nb"), S("a.b")}), "false :: boolean");
}

TEST(StringTest, InitcapReverseRepeatPredicates) {
  EXPECT_EQ(Fn("initcap", {S("hello wORLD-foo bar")}), "Hello World-foo Bar :: string");
  EXPECT_EQ(Fn("initcap", {S("ÀBC déf")}), "Àbc Déf :: string");
  EXPECT_EQ(Fn("initcap", {S("  a  b")}), "  A  B :: string");
  EXPECT_EQ(Fn("initcap", {S("")}), " :: string");
  EXPECT_EQ(Fn("reverse", {S("héllo")}), "olléh :: string");
  auto array = CallFunction("array", {I(1), I(2), I(3)}, EmptySchema(), TestContext());
  ASSERT_TRUE(array.ok());
  EXPECT_EQ(Fn("reverse", {*array}), "[3, 2, 1] :: array<int>");
  EXPECT_EQ(Fn("repeat", {S("ab"), I(3)}), "ababab :: string");
  EXPECT_EQ(Fn("repeat", {S("ab"), I(-1)}), " :: string");
  EXPECT_EQ(Fn("startswith", {S("abc"), S("a")}), "true :: boolean");
  EXPECT_EQ(Fn("starts_with", {S("abc"), S("b")}), "false :: boolean");
  EXPECT_EQ(Fn("endswith", {S("abc"), S("c")}), "true :: boolean");
  EXPECT_EQ(Fn("ends_with", {S("c"), S("abc")}), "false :: boolean");
  EXPECT_EQ(Fn("contains", {S("abc"), S("b")}), "true :: boolean");
  EXPECT_EQ(Fn("contains", {S("abc"), Null()}), "NULL :: boolean");
  EXPECT_EQ(Fn("contains", {S("abc"), S("")}), "true :: boolean");
}

// -------------------------------------------------------------------------------------------
// Collections

TEST(CollectionTest, ArraysMapsStructs) {
  auto ctx = TestContext();
  auto array = [&](std::vector<cp::Expression> items) {
    auto e = CallFunction("array", std::move(items), EmptySchema(), ctx);
    EXPECT_TRUE(e.ok()) << e.status().ToString();
    return *e;
  };
  EXPECT_EQ(Eval(CallFunction("array", {I(1), Dec("2.5", 2, 1)}, EmptySchema(), ctx)),
            "[1.0, 2.5] :: array<decimal(11,1)>");
  EXPECT_EQ(Eval(CallFunction("array", {I(1), L(1)}, EmptySchema(), ctx)), "[1, 1] :: array<bigint>");
  EXPECT_EQ(Eval(CallFunction("array", {}, EmptySchema(), ctx)), "[] :: array<void>");
  EXPECT_EQ(Fn("size", {array({I(1), I(2), Null()})}), "3 :: int");
  EXPECT_EQ(Fn("size", {Null()}), "NULL :: int");
  EXPECT_EQ(Fn("cardinality", {array({})}), "0 :: int");
  EXPECT_EQ(Fn("size", {I(1)}), "ERROR: function size: argument 1 must be an array, got int");
  EXPECT_EQ(Fn("array_contains", {array({I(1), I(2), Null()}), I(3)}), "NULL :: boolean");
  EXPECT_EQ(Fn("array_contains", {array({I(1), I(2), Null()}), I(2)}), "true :: boolean");
  EXPECT_EQ(Fn("array_contains", {array({I(1), I(2)}), I(3)}), "false :: boolean");
  EXPECT_EQ(Fn("array_contains", {array({I(1), I(2)}), Null(arrow::int32())}), "NULL :: boolean");
  EXPECT_EQ(Fn("array_contains", {array({I(1), I(2)}), L(2)}), "true :: boolean");
  EXPECT_EQ(Fn("array_contains", {array({S("a")}), S("a")}), "true :: boolean");
  EXPECT_EQ(Fn("element_at", {array({I(1), I(2), I(3)}), I(-1)}), "3 :: int");
  EXPECT_EQ(Fn("element_at", {array({I(1), I(2), I(3)}), I(2)}), "2 :: int");
  EXPECT_EQ(Fn("element_at", {array({I(1), I(2), I(3)}), I(5)}),
            "ERROR: [INVALID_ARRAY_INDEX_IN_ELEMENT_AT] The index 5 is out of bounds. The array has 3 elements. Use "
            "`try_element_at` to tolerate accessing element at invalid index and return NULL instead.");
  EXPECT_THAT(Fn("element_at", {array({I(1)}), I(0)}), HasSubstr("[INVALID_INDEX_OF_ZERO]"));
  EXPECT_EQ(Fn("try_element_at", {array({I(1)}), I(5)}), "NULL :: int");
  EXPECT_EQ(Fn("get", {array({I(1), I(2)}), I(1)}), "2 :: int");
  EXPECT_EQ(Fn("get", {array({I(1), I(2)}), I(2)}), "NULL :: int");
  auto map = CallFunction("map", {S("a"), I(1), S("b"), I(2)}, EmptySchema(), ctx);
  ASSERT_TRUE(map.ok()) << map.status().ToString();
  EXPECT_EQ(Fn("element_at", {*map, S("b")}), "2 :: int");
  EXPECT_EQ(Fn("element_at", {*map, S("c")}), "NULL :: int");
  EXPECT_EQ(Fn("size", {*map}), "2 :: int");
  EXPECT_EQ(Fn("map", {Null(), I(1)}), "ERROR: function map: a map key cannot be NULL");
  EXPECT_EQ(Fn("struct", {I(1), S("a")}), "{1, a} :: struct<col1:int,col2:string>");
  EXPECT_EQ(Fn("named_struct", {S("x"), I(1), S("y"), S("b")}), "{1, b} :: struct<x:int,y:string>");
  EXPECT_THAT(Fn("named_struct", {S("x")}), HasSubstr("name/value pairs"));
}

TEST(CollectionTest, SortArray) {
  auto a = [](const char* json) { return cp::literal(std::make_shared<arrow::ListScalar>(Json(arrow::int32(), json))); };
  EXPECT_EQ(Fn("sort_array", {a("[3, null, 1, 2]")}), "[null, 1, 2, 3] :: array<int>");
  EXPECT_EQ(Fn("sort_array", {a("[3, null, 1, 2]"), B(false)}), "[3, 2, 1, null] :: array<int>");
  EXPECT_EQ(Fn("array_sort", {a("[3, null, 1, 2]")}), "[1, 2, 3, null] :: array<int>");
  EXPECT_EQ(Fn("sort_array", {a("[]")}), "[] :: array<int>");
  EXPECT_EQ(Fn("sort_array", {a("[1]"), cp::field_ref("x")}).substr(0, 6), "ERROR:");
  EXPECT_EQ(Fn("sort_array", {I(1)}), "ERROR: function sort_array: argument 1 must be an array, got int");
  auto schema = arrow::schema({arrow::field("a", arrow::list(arrow::utf8()))});
  auto batch = arrow::RecordBatch::Make(
      schema, 4, {Json(arrow::list(arrow::utf8()), R"([["b", "a"], null, [], ["z", "y", "x"]])")});
  auto sorted = CallFunction("sort_array", {cp::field_ref("a")}, *schema, TestContext());
  EXPECT_EQ(RunRows(sorted, *batch), "[a, b], NULL, [], [x, y, z]");
  EXPECT_EQ(RunRows(sorted, *batch->Slice(2, 2)), "[], [x, y, z]");
}

TEST(FunctionsTest, TypeOf) {
  EXPECT_EQ(Fn("typeof", {I(1)}), "int :: string");
  EXPECT_EQ(Fn("typeof", {Dec("1.5", 2, 1)}), "decimal(2,1) :: string");
  EXPECT_EQ(Fn("typeof", {Null()}), "void :: string");
  EXPECT_EQ(Fn("typeof", {Ts("2024-01-01 00:00:00")}), "timestamp :: string");
  EXPECT_EQ(Fn("typeof", {TsNtz("2024-01-01 00:00:00")}), "timestamp_ntz :: string");
  EXPECT_EQ(Fn("typeof", {}), "ERROR: function typeof expects 1 argument, got 0");
}

TEST(StringTest, Digests) {
  EXPECT_EQ(Fn("md5", {S("Spark")}), "8cde774d6f7333752ed72cacddb05126 :: string");
  EXPECT_EQ(Fn("md5", {S("")}), "d41d8cd98f00b204e9800998ecf8427e :: string");
  EXPECT_EQ(Fn("sha1", {S("abc")}), "a9993e364706816aba3e25717850c26c9cd0d89d :: string");
  EXPECT_EQ(Fn("sha", {S("")}), "da39a3ee5e6b4b0d3255bfef95601890afd80709 :: string");
  EXPECT_EQ(Fn("sha2", {S("abc"), I(256)}), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad :: string");
  EXPECT_EQ(Fn("sha2", {S("abc"), I(0)}), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad :: string");
  EXPECT_EQ(Fn("sha2", {S("abc"), I(224)}), "23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7 :: string");
  EXPECT_EQ(Fn("sha2", {S("abc"), I(384)}),
            "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7 :: string");
  EXPECT_EQ(Fn("sha2", {S("abc"), I(512)}),
            "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f :: string");
  EXPECT_EQ(Fn("sha2", {S("abc"), I(7)}), "NULL :: string");
  EXPECT_EQ(Fn("md5", {Null(arrow::utf8())}), "NULL :: string");
  EXPECT_EQ(Fn("md5", {I(1)}), "ERROR: function md5: argument 1 must be a string or binary, got int");
  // Inputs longer than one block (55, 56 and 64 bytes straddle the padding boundary).
  EXPECT_EQ(Fn("md5", {S(std::string(56, 'a'))}), "3b0c8ac703f828b04c6c197006d17218 :: string");
  EXPECT_EQ(Fn("sha2", {S(std::string(64, 'a')), I(256)}),
            "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb :: string");
  EXPECT_EQ(Fn("sha2", {S(std::string(112, 'a')), I(512)}),
            "c01d080efd492776a1c43bd23dd99d0a2e626d481e16782e75d54c2503b5dc32bd05f0f1ba33e568b88fd2d970929b719ecbb152f58f130a407c8830604b70ca :: string");
  EXPECT_EQ(Fn("sha1", {S(std::string(55, 'a'))}), "c1c8bbdc22796e28c0e15163d20899b65621d65a :: string");
}

TEST(StringTest, InvalidRegexNamesThePattern) {
  EXPECT_EQ(Fn("regexp_extract", {S("abc"), S("("), I(1)}),
            "ERROR: function regexp_extract: invalid regular expression '(': missing )");
  EXPECT_EQ(Fn("regexp_replace", {S("abc"), S("[a"), S("x")}),
            "ERROR: function regexp_replace: invalid regular expression '[a': missing ]");
  EXPECT_EQ(Fn("rlike", {S("abc"), S("a(b")}), "ERROR: function rlike: invalid regular expression 'a(b': missing )");
}

TEST(CollectionTest, StructFieldNamesFromColumns) {
  auto schema = arrow::schema({arrow::field("amount#3", arrow::int64())});
  auto e = CallFunction("struct", {cp::field_ref("amount#3"), I(1)}, *schema, TestContext());
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(SqlTypeName(*e->type()), "struct<amount:bigint,col2:int>");
}

TEST(CollectionTest, ArraysOverColumns) {
  auto schema = arrow::schema({arrow::field("a", arrow::list(arrow::int32())), arrow::field("v", arrow::int32())});
  auto batch = arrow::RecordBatch::Make(
      schema, 4,
      {fntest::Json(arrow::list(arrow::int32()), "[[1, 2], [3, null], null, []]"),
       fntest::Json(arrow::int32(), "[2, 4, 1, 1]")});
  auto contains = CallFunction("array_contains", {cp::field_ref("a"), cp::field_ref("v")}, *schema, TestContext());
  EXPECT_EQ(RunRows(contains, *batch), "true, NULL, NULL, false");
  EXPECT_EQ(RunRows(contains, *batch->Slice(1, 3)), "NULL, NULL, false");
  auto get = CallFunction("try_element_at", {cp::field_ref("a"), cp::field_ref("v")}, *schema, TestContext());
  EXPECT_EQ(RunRows(get, *batch), "2, NULL, NULL, NULL");
  auto made = CallFunction("array", {cp::field_ref("v"), I(0)}, *schema, TestContext());
  EXPECT_EQ(RunRows(made, *batch), "[2, 0], [4, 0], [1, 0], [1, 0]");
}

}  // namespace
}  // namespace tidelake::plan
