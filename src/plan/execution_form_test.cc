// ExecutionForm and the kernels it puts in: the rewritten expression computes exactly what the
// plan's expression computes (values, nulls, errors), over arrays, scalars and slices.
#include "plan/execution_form.h"

#include <arrow/compute/api.h>
#include <gtest/gtest.h>

#include "plan/functions.h"
#include "plan/functions_test_util.h"

namespace tidelake::plan {
namespace {

using namespace fntest;  // NOLINT

// Decimals of 18 digits and beyond (the 128-bit range), negatives, equal values and nulls.
const char* kLeft = R"(["1.00", "-2.50", "3.00", null, "123456789012345678901234.56", "-0.01", "7.77", "0.00"])";
const char* kRight = R"(["1.00", "-2.49", "2.99", "4.00", "123456789012345678901234.57", null, "-7.77", "0.00"])";

std::shared_ptr<arrow::RecordBatch> DecimalBatch(int64_t offset = 0) {
  auto schema = arrow::schema({arrow::field("a", arrow::decimal128(30, 2)), arrow::field("b", arrow::decimal128(30, 2)),
                               arrow::field("i", arrow::int32())});
  auto a = Json(arrow::decimal128(30, 2), kLeft);
  auto b = Json(arrow::decimal128(30, 2), kRight);
  auto i = Json(arrow::int32(), "[1, 2, 3, 4, 5, 6, 7, 8]");
  auto batch = arrow::RecordBatch::Make(schema, 8, {a, b, i});
  return batch->Slice(offset);
}

// Each test may run alone (ctest runs one per process): Arrow's kernels and ours are registered
// before the first.
class ExecutionFormTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ASSERT_TRUE(arrow::compute::Initialize().ok());
    ASSERT_TRUE(RegisterSqlFunctions().ok());
  }
};

std::string Evaluated(const cp::Expression& e, const arrow::RecordBatch& batch) {
  auto bound = e.Bind(*batch.schema());
  return RunRows(bound, batch);
}

TEST_F(ExecutionFormTest, DecimalComparisonsUseTheDecimalKernels) {
  auto schema = DecimalBatch()->schema();
  auto bound = cp::call("and", {cp::call("less", {cp::field_ref("a"), cp::field_ref("b")}),
                                cp::call("greater", {cp::field_ref("i"), cp::literal(1)})})
                   .Bind(*schema);
  ASSERT_TRUE(bound.ok()) << bound.status().ToString();
  cp::Expression form = ExecutionForm(*bound);
  const auto* call = form.call();
  ASSERT_NE(call, nullptr);
  EXPECT_EQ(call->function_name, "and");
  EXPECT_EQ(call->arguments[0].call()->function_name, "tidelake_decimal_less");
  EXPECT_EQ(call->arguments[1].call()->function_name, "greater");  // integers stay with Arrow

  // Unbound expressions have no types: nothing to rewrite.
  auto unbound = cp::call("less", {cp::field_ref("a"), cp::field_ref("b")});
  EXPECT_TRUE(ExecutionForm(unbound).Equals(unbound));
}

TEST_F(ExecutionFormTest, DecimalComparisonsGiveArrowsAnswers) {
  for (int64_t offset : {0, 3}) {
    auto batch = DecimalBatch(offset);
    for (const char* op : {"equal", "not_equal", "less", "less_equal", "greater", "greater_equal"}) {
      std::vector<cp::Expression> cases = {
          cp::call(op, {cp::field_ref("a"), cp::field_ref("b")}),
          cp::call(op, {cp::field_ref("a"), Dec("3.00", 30, 2)}),
          cp::call(op, {Dec("-2.50", 30, 2), cp::field_ref("b")}),
          cp::call(op, {cp::field_ref("a"), Null(arrow::decimal128(30, 2))}),
          // Different precisions: Arrow casts to a common type when binding.
          cp::call(op, {cp::field_ref("a"), Dec("7.77", 3, 2)}),
      };
      for (const auto& e : cases) {
        auto bound = e.Bind(*batch->schema());
        ASSERT_TRUE(bound.ok()) << bound.status().ToString();
        std::string want = RunRows(*bound, *batch);
        std::string got = Evaluated(ExecutionForm(*bound), *batch);
        EXPECT_EQ(got, want) << e.ToString() << " at offset " << offset;
      }
    }
  }
}

TEST_F(ExecutionFormTest, DifferentScalesAreLeftToArrow) {
  auto schema = arrow::schema({arrow::field("a", arrow::decimal128(10, 2)), arrow::field("b", arrow::decimal128(10, 3))});
  // Bound by hand so that the arguments keep their scales (no implicit cast).
  auto bound = cp::call("less", {cp::field_ref("a"), cp::field_ref("b")}).Bind(*schema);
  ASSERT_TRUE(bound.ok());
  const auto& args = bound->call()->arguments;
  bool same_scale = static_cast<const arrow::DecimalType&>(*args[0].type()).scale() ==
                    static_cast<const arrow::DecimalType&>(*args[1].type()).scale();
  EXPECT_EQ(ExecutionForm(*bound).call()->function_name, same_scale ? "tidelake_decimal_less" : "less");
}

TEST_F(ExecutionFormTest, LikeWithSeveralSegmentsGivesArrowsAnswers) {
  auto schema = arrow::schema({arrow::field("s", arrow::utf8())});
  auto values = Json(arrow::utf8(), R"(["special requests", "requests special", "xspecialyrequestsz", null, "",
                                        "specialrequests", "special", "a%b", "ababab", "aab", "line\nspecial\nrequests"])");
  for (int64_t offset : {0, 2}) {
    auto batch = arrow::RecordBatch::Make(schema, values->length(), {values})->Slice(offset);
    for (const char* pattern : {"%special%requests%", "%ab%ab%", "%a%%b%", "%requests%special%", "%%", "%a%b%a%b%"}) {
      auto e = cp::call("match_like", {cp::field_ref("s")}, cp::MatchSubstringOptions(pattern));
      auto bound = e.Bind(*schema);
      ASSERT_TRUE(bound.ok()) << bound.status().ToString();
      auto form = ExecutionForm(*bound);
      EXPECT_EQ(RunRows(*bound, *batch), Evaluated(form, *batch)) << pattern << " at offset " << offset;
    }
  }
  // Rewritten: two or more segments; left to Arrow: '_', escapes, anchored ends, one segment.
  auto name_of = [&](const std::string& pattern, bool ignore_case = false) {
    auto bound = cp::call("match_like", {cp::field_ref("s")}, cp::MatchSubstringOptions(pattern, ignore_case)).Bind(*schema);
    return ExecutionForm(*bound).call()->function_name;
  };
  EXPECT_EQ(name_of("%special%requests%"), "tidelake_like_segments");
  EXPECT_EQ(name_of("%a_b%c%"), "match_like");
  EXPECT_EQ(name_of("%a\\%b%c%"), "match_like");
  EXPECT_EQ(name_of("a%b%"), "match_like");
  EXPECT_EQ(name_of("%ab%"), "match_like");
  EXPECT_EQ(name_of("%a%b%", /*ignore_case=*/true), "match_like");
}

// The 64-bit fast path of decimal + - * agrees with the exact path, with nulls, slices and
// values beyond 64 bits in the same batch, and still reports results that do not fit.
TEST(DecimalArithmeticTest, ArraysAgreeWithTheExactPath) {
  for (int64_t offset : {0, 3}) {
    auto batch = DecimalBatch(offset);
    const auto& schema = *batch->schema();
    // (The product of the two largest values would not fit 38 digits: + and - only.)
    for (Operator op : {Operator::kAdd, Operator::kSubtract}) {
      auto columns = CallOperator(op, {cp::field_ref("a"), cp::field_ref("b")}, schema);
      ASSERT_TRUE(columns.ok()) << columns.status().ToString();
      // Row by row as literals: one value per call, the reference.
      std::string want;
      for (int64_t r = 0; r < batch->num_rows(); ++r) {
        auto a = *batch->column(0)->GetScalar(r);
        auto b = *batch->column(1)->GetScalar(r);
        auto one = CallOperator(op, {cp::literal(a), cp::literal(b)}, EmptySchema());
        ASSERT_TRUE(one.ok());
        auto value = cp::ExecuteScalarExpression(*one, cp::ExecBatch({}, 1));
        ASSERT_TRUE(value.ok()) << value.status().ToString() << " row " << r;
        if (r > 0) want += ", ";
        want += Render(value->is_scalar() ? value->scalar() : *value->make_array()->GetScalar(0));
      }
      EXPECT_EQ(RunRows(columns, *batch), want) << static_cast<int>(op) << " at offset " << offset;
    }
  }
  // Prices and discounts as TPC-H has them: 64-bit unscaled values, with nulls and a slice.
  auto schema15 = arrow::schema({arrow::field("p", arrow::decimal128(15, 2)), arrow::field("d", arrow::decimal128(15, 2))});
  auto prices = arrow::RecordBatch::Make(
      schema15, 6,
      {Json(arrow::decimal128(15, 2), R"(["5.00", "10.50", null, "-3.25", "999999999999.99", "0.01"])"),
       Json(arrow::decimal128(15, 2), R"(["0.00", "0.05", "0.10", null, "0.99", "-0.01"])")})->Slice(1);
  auto p = cp::field_ref("p"), d = cp::field_ref("d");
  auto one_minus = CallOperator(Operator::kSubtract, {I(1), d}, *schema15);
  ASSERT_TRUE(one_minus.ok());
  EXPECT_EQ(RunRows(one_minus, *prices), "0.95, 0.90, NULL, 0.01, 1.01");
  EXPECT_EQ(RunRows(CallOperator(Operator::kMultiply, {p, *one_minus}, *schema15), *prices),
            "9.9750, NULL, NULL, 9999999999.9999, 0.0101");
  EXPECT_EQ(RunRows(CallOperator(Operator::kAdd, {p, d}, *schema15), *prices),
            "10.55, NULL, NULL, 1000000000000.98, 0.00");
  EXPECT_EQ(RunRows(CallOperator(Operator::kSubtract, {p, d}, *schema15), *prices),
            "10.45, NULL, NULL, 999999999999.00, 0.02");
  EXPECT_EQ(RunRows(CallOperator(Operator::kAdd, {p, Dec("0.001", 4, 3)}, *schema15), *prices),
            "10.501, NULL, -3.249, 999999999999.991, 0.011");
  auto schema = arrow::schema({arrow::field("a", arrow::decimal128(18, 0))});
  auto batch = arrow::RecordBatch::Make(
      schema, 2, {Json(arrow::decimal128(18, 0), R"(["1", "999999999999999999"])")});
  auto big = CallOperator(Operator::kMultiply, {cp::field_ref("a"), cp::field_ref("a")}, *schema);
  EXPECT_EQ(RunRows(big, *batch), "1, 999999999999999998000000000000000001");
  auto sum = CallOperator(Operator::kAdd, {cp::field_ref("a"), Dec("99999999999999999999999999999999999999", 38, 0)},
                          *schema);
  EXPECT_NE(RunRows(sum, *batch).find("cannot be represented as Decimal(38, 0)"), std::string::npos);
}

}  // namespace
}  // namespace tidelake::plan
