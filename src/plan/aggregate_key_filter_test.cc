#include "plan/aggregate_key_filter.h"

#include <arrow/api.h>
#include <gtest/gtest.h>

#include <functional>

#include "common/arrow_init.h"
#include "plan/plan_test_util.h"

namespace tidelake::plan {
namespace {

using plantest::Rows;

NodePtr Join(JoinType type, NodePtr left, NodePtr right, std::vector<std::string> left_keys,
             std::vector<std::string> right_keys) {
  auto join = std::make_shared<JoinNode>();
  join->type = type;
  join->left_keys = std::move(left_keys);
  join->right_keys = std::move(right_keys);
  arrow::FieldVector fields = left->schema->fields();
  if (type != JoinType::kLeftSemi && type != JoinType::kLeftAnti) {
    for (const auto& f : right->schema->fields()) fields.push_back(f);
  }
  join->schema = arrow::schema(fields);
  join->inputs = {std::move(left), std::move(right)};
  return join;
}

// sum(value) grouped by `keys` of `input`, the output key renamed as `renamed` above it.
NodePtr SumBy(NodePtr input, const std::vector<std::string>& keys, const std::string& value,
              const std::vector<std::string>& renamed) {
  EXPECT_TRUE(EnsureArrowInitialized().ok());
  auto agg = std::make_shared<AggregateNode>();
  agg->keys = keys;
  agg->aggregates.push_back({"hash_sum", {value}, nullptr, arrow::int64()});
  arrow::FieldVector fields;
  for (const auto& k : keys) fields.push_back(arrow::field(k, arrow::int64()));
  fields.push_back(arrow::field("sum", arrow::int64()));
  agg->schema = arrow::schema(fields);
  agg->inputs = {std::move(input)};
  auto project = std::make_shared<ProjectNode>();
  arrow::FieldVector out;
  for (size_t i = 0; i < keys.size(); ++i) {
    project->exprs.push_back(*cp::field_ref(keys[i]).Bind(*agg->schema));
    out.push_back(arrow::field(renamed[i], arrow::int64()));
  }
  project->exprs.push_back(*cp::field_ref("sum").Bind(*agg->schema));
  out.push_back(arrow::field("sum", arrow::int64()));
  project->schema = arrow::schema(out);
  project->inputs = {agg};
  return project;
}

std::vector<const LogicalNode*> All(const NodePtr& node, NodeKind kind) {
  std::vector<const LogicalNode*> out;
  std::function<void(const NodePtr&)> visit = [&](const NodePtr& n) {
    if (n->kind == kind) out.push_back(n.get());
    for (const auto& input : n->inputs) visit(input);
  };
  visit(node);
  return out;
}

const LogicalNode* SemiJoinUnderAggregate(const NodePtr& plan) {
  for (const auto* agg : All(plan, NodeKind::kAggregate)) {
    const auto& input = agg->inputs[0];
    if (input->kind == NodeKind::kJoin && input->As<JoinNode>().type == JoinType::kLeftSemi) return input.get();
  }
  return nullptr;
}

TEST(AggregateKeyFilterTest, AggregateJoinedOnItsKeysReadsOnlyTheOuterKeys) {
  // outer: a big table joined with a small one; the subquery sums t.v by t.k.
  auto big = Rows({"l_k", "l_v"}, 10000);
  auto small = Rows({"s_k"}, 10);
  auto outer = Join(JoinType::kInner, big, small, {"l_k"}, {"s_k"});
  auto t = Rows({"t_k", "t_v"}, 10000);
  for (JoinType type : {JoinType::kLeft, JoinType::kInner}) {
    auto plan = Join(type, outer, SumBy(t, {"t_k"}, "t_v", {"corr"}), {"s_k"}, {"corr"});
    auto filtered = FilterAggregatesByJoinKeys(plan);
    ASSERT_TRUE(filtered.ok()) << filtered.status().ToString();
    EXPECT_TRUE((*filtered)->schema->Equals(*plan->schema));
    const LogicalNode* semi = SemiJoinUnderAggregate(*filtered);
    ASSERT_NE(semi, nullptr);
    EXPECT_EQ(semi->As<JoinNode>().left_keys, std::vector<std::string>{"t_k"});
    EXPECT_EQ(semi->As<JoinNode>().right_keys, std::vector<std::string>{"s_k"});
    EXPECT_EQ(semi->inputs[0], t);
    // The keys come from the small input alone, reduced to the key column.
    ASSERT_EQ(semi->inputs[1]->kind, NodeKind::kProject);
    EXPECT_EQ(semi->inputs[1]->inputs[0], small);
    EXPECT_EQ(semi->inputs[1]->schema->field_names(), std::vector<std::string>{"s_k"});
    EXPECT_TRUE(semi->schema->Equals(*t->schema));
  }
}

TEST(AggregateKeyFilterTest, TwoKeysFromOneInput) {
  auto small = Rows({"s_a", "s_b"}, 10);
  auto t = Rows({"t_a", "t_b", "t_v"}, 10000);
  auto plan = Join(JoinType::kLeft, small, SumBy(t, {"t_a", "t_b"}, "t_v", {"ca", "cb"}), {"s_a", "s_b"}, {"ca", "cb"});
  auto filtered = FilterAggregatesByJoinKeys(plan);
  ASSERT_TRUE(filtered.ok());
  const LogicalNode* semi = SemiJoinUnderAggregate(*filtered);
  ASSERT_NE(semi, nullptr);
  EXPECT_EQ(semi->As<JoinNode>().left_keys, (std::vector<std::string>{"t_a", "t_b"}));
  EXPECT_EQ(semi->As<JoinNode>().right_keys, (std::vector<std::string>{"s_a", "s_b"}));
}

TEST(AggregateKeyFilterTest, LeftAloneWhenItCannotHelpOrWouldChangeTheResult) {
  auto small = Rows({"s_k"}, 10);
  auto t = Rows({"t_k", "t_v"}, 10000);
  // A right or full join keeps the aggregate's unmatched groups.
  for (JoinType type : {JoinType::kRight, JoinType::kFull}) {
    auto plan = Join(type, small, SumBy(t, {"t_k"}, "t_v", {"corr"}), {"s_k"}, {"corr"});
    auto out = FilterAggregatesByJoinKeys(plan);
    ASSERT_TRUE(out.ok());
    EXPECT_EQ(SemiJoinUnderAggregate(*out), nullptr);
  }
  // Not joined on the group key.
  auto on_sum = Join(JoinType::kLeft, small, SumBy(t, {"t_k"}, "t_v", {"corr"}), {"s_k"}, {"sum"});
  auto out = FilterAggregatesByJoinKeys(on_sum);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(SemiJoinUnderAggregate(*out), nullptr);
  // The outer keys are as many as the aggregate's input rows: nothing to save.
  auto as_big = Rows({"s_k"}, 10000);
  auto no_gain = Join(JoinType::kLeft, as_big, SumBy(t, {"t_k"}, "t_v", {"corr"}), {"s_k"}, {"corr"});
  out = FilterAggregatesByJoinKeys(no_gain);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(SemiJoinUnderAggregate(*out), nullptr);
  // Null-safe keys.
  auto null_safe = std::const_pointer_cast<LogicalNode>(
      Join(JoinType::kLeft, small, SumBy(t, {"t_k"}, "t_v", {"corr"}), {"s_k"}, {"corr"}));
  std::static_pointer_cast<JoinNode>(null_safe)->null_safe = {true};
  out = FilterAggregatesByJoinKeys(null_safe);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(SemiJoinUnderAggregate(*out), nullptr);
}

}  // namespace
}  // namespace tidelake::plan
