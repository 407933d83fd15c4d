// SameComputation: plans that differ only in their column names compute the same rows; any
// other difference (a literal, a function, a key, an input) makes them different.
#include "plan/same_computation.h"

#include <arrow/compute/api.h>
#include <gtest/gtest.h>

#include "common/arrow_init.h"
#include "plan/plan_test_util.h"

namespace tidelake::plan {
namespace {

namespace cp = arrow::compute;

// Over `input`: WHERE x > `bound`, x AS `key`, then `function`(key) grouped by key, with its
// output columns named with `id`.
NodePtr CountsOf(const NodePtr& input, int64_t bound, const std::string& function, int id) {
  auto filter = std::make_shared<FilterNode>();
  filter->predicate = cp::greater(cp::field_ref("x"), cp::literal(bound)).Bind(*input->schema).ValueOrDie();
  filter->schema = input->schema;
  filter->inputs = {input};
  const std::string key = UniqueName("k", id);
  auto project = std::make_shared<ProjectNode>();
  project->exprs = {cp::field_ref("x").Bind(*input->schema).ValueOrDie()};
  project->schema = arrow::schema({arrow::field(key, arrow::int64())});
  project->inputs = {filter};
  auto aggregate = std::make_shared<AggregateNode>();
  aggregate->keys = {key};
  aggregate->aggregates = {AggregateCall{function, {key}, nullptr, arrow::int64()}};
  aggregate->schema =
      arrow::schema({arrow::field(key, arrow::int64()), arrow::field(UniqueName("n", id), arrow::int64())});
  aggregate->inputs = {project};
  return aggregate;
}

TEST(SameComputationTest, PlansDifferingOnlyInColumnNamesAreTheSame) {
  ASSERT_TRUE(EnsureArrowInitialized().ok());
  auto rows = plantest::Rows({"x"}, 10);
  EXPECT_TRUE(SameComputation(*CountsOf(rows, 3, "hash_count", 1), *CountsOf(rows, 3, "hash_count", 2)));
}

TEST(SameComputationTest, AnyOtherDifferenceMakesThemDifferent) {
  ASSERT_TRUE(EnsureArrowInitialized().ok());
  auto rows = plantest::Rows({"x"}, 10);
  auto counts = CountsOf(rows, 3, "hash_count", 1);
  EXPECT_FALSE(SameComputation(*counts, *CountsOf(rows, 4, "hash_count", 2)));  // a literal
  EXPECT_FALSE(SameComputation(*counts, *CountsOf(rows, 3, "hash_sum", 2)));    // a function
  // Other rows (literal rows are the same only as one node).
  EXPECT_FALSE(SameComputation(*counts, *CountsOf(plantest::Rows({"x"}, 10), 3, "hash_count", 2)));
  // A key that is not the same column.
  auto other = std::make_shared<AggregateNode>(counts->As<AggregateNode>());
  other->keys = {"n#1"};
  EXPECT_FALSE(SameComputation(*counts, *other));
}

}  // namespace
}  // namespace tidelake::plan
