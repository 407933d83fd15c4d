#include "exec/common_subexpressions.h"

#include <arrow/api.h>
#include <arrow/compute/api.h>
#include <gtest/gtest.h>

#include "common/arrow_init.h"

namespace tidelake::exec {
namespace {

namespace cp = arrow::compute;

TEST(CommonSubexpressionsTest, RepeatedCallsAreHoistedLargestFirst) {
  ASSERT_TRUE(EnsureArrowInitialized().ok());
  auto schema = arrow::schema({arrow::field("a", arrow::int64()), arrow::field("b", arrow::int64()),
                               arrow::field("c", arrow::int64())});
  auto a = cp::field_ref("a"), b = cp::field_ref("b"), c = cp::field_ref("c");
  auto diff = cp::call("subtract", {cp::literal(int64_t{1}), b});
  auto product = cp::call("multiply", {a, diff});
  std::vector<cp::Expression> exprs;
  for (const auto& e : {product, cp::call("multiply", {product, c}), diff, a}) {
    auto bound = e.Bind(*schema);
    ASSERT_TRUE(bound.ok());
    exprs.push_back(*bound);
  }
  int n = 0;
  auto split = HoistCommonSubexpressions(exprs, *schema, [&] { return "cse" + std::to_string(n++); });
  ASSERT_TRUE(split.has_value());
  // The product, then 1 - b (still repeated: inside nothing hoisted, and on its own).
  EXPECT_EQ(split->lower_names, (std::vector<std::string>{"a", "b", "c", "cse0"}));
  ASSERT_EQ(split->upper.size(), 4u);
  EXPECT_EQ(split->upper[0].ToString(), "cse0");
  EXPECT_EQ(split->upper[1].ToString(), "multiply(cse0, c)");
  EXPECT_EQ(split->upper[2].ToString(), "subtract(1, b)");
  EXPECT_EQ(split->upper[3].ToString(), "a");

  // Nothing repeats: nothing to split.
  std::vector<cp::Expression> distinct = {exprs[0], exprs[3]};
  EXPECT_FALSE(HoistCommonSubexpressions(distinct, *schema, [] { return std::string("x"); }).has_value());
}

}  // namespace
}  // namespace tidelake::exec
