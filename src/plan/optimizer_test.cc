#include "plan/optimizer.h"

#include <arrow/api.h>
#include <gtest/gtest.h>

#include <functional>

#include "common/arrow_init.h"
#include "plan/plan_test_util.h"
#include "plan/optimizer_stats.h"

namespace tidelake::plan {
namespace {

using plantest::Rows;

NodePtr Cross(NodePtr left, NodePtr right) {
  auto join = std::make_shared<JoinNode>();
  join->type = JoinType::kCross;
  arrow::FieldVector fields = left->schema->fields();
  for (const auto& f : right->schema->fields()) fields.push_back(f);
  join->schema = arrow::schema(fields);
  join->inputs = {std::move(left), std::move(right)};
  return join;
}

NodePtr Where(NodePtr input, const cp::Expression& predicate) {
  EXPECT_TRUE(EnsureArrowInitialized().ok());
  auto filter = std::make_shared<FilterNode>();
  auto bound = predicate.Bind(*input->schema);
  EXPECT_TRUE(bound.ok()) << bound.status().ToString();
  filter->predicate = *bound;
  filter->schema = input->schema;
  filter->inputs = {std::move(input)};
  return filter;
}

NodePtr Optimized(const NodePtr& node) {
  PlanRoot root{node, node->schema->field_names(), false};
  auto optimized = Optimize(root);
  EXPECT_TRUE(optimized.ok()) << optimized.status().ToString();
  EXPECT_TRUE(optimized->node->schema->Equals(*node->schema)) << optimized->node->schema->ToString();
  return optimized->node;
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

// Field names read by the filters directly above the Values node that has `field`.
std::string FilterOver(const NodePtr& node, const std::string& field) {
  for (const auto* f : All(node, NodeKind::kFilter)) {
    const auto& input = f->inputs[0];
    if (input->kind == NodeKind::kValues && input->schema->GetFieldIndex(field) >= 0) {
      return f->As<FilterNode>().predicate.ToString();
    }
  }
  return "";
}

cp::Expression Eq(const std::string& a, const std::string& b) { return cp::equal(cp::field_ref(a), cp::field_ref(b)); }
cp::Expression EqValue(const std::string& a, int64_t v) { return cp::equal(cp::field_ref(a), cp::literal(v)); }

TEST(OptimizerTest, JoinKeyInEveryBranchOfAnOrBecomesAJoinKey) {
  // (a = b AND x = 1) OR (a = b AND y = 2), as in TPC-H Q19: without factoring, a cross join.
  auto plan = Where(Cross(Rows({"a", "x"}, 5), Rows({"b", "y"}, 5)),
                    cp::or_(cp::and_(Eq("a", "b"), EqValue("x", 1)), cp::and_(Eq("a", "b"), EqValue("y", 2))));
  auto optimized = Optimized(plan);
  auto joins = All(optimized, NodeKind::kJoin);
  ASSERT_EQ(joins.size(), 1u);
  const auto& join = joins[0]->As<JoinNode>();
  EXPECT_EQ(join.type, JoinType::kInner);
  ASSERT_EQ(join.left_keys.size(), 1u);
  EXPECT_TRUE((join.left_keys[0] == "a" && join.right_keys[0] == "b") ||
              (join.left_keys[0] == "b" && join.right_keys[0] == "a"));
  ASSERT_TRUE(join.residual.has_value());  // the rest of the OR
  EXPECT_NE(join.residual->ToString().find("or"), std::string::npos);
}

TEST(OptimizerTest, OrOverTwoTablesSendsEachTheDisjunctionOfItsParts) {
  // (x = 1 AND y = 2) OR (x = 3 AND y = 4) implies x IN (1, 3) and y IN (2, 4).
  auto plan = Where(Cross(Rows({"a", "x"}, 5), Rows({"b", "y"}, 5)),
                    cp::and_(Eq("a", "b"), cp::or_(cp::and_(EqValue("x", 1), EqValue("y", 2)),
                                                   cp::and_(EqValue("x", 3), EqValue("y", 4)))));
  auto optimized = Optimized(plan);
  std::string left = FilterOver(optimized, "x");
  std::string right = FilterOver(optimized, "y");
  EXPECT_NE(left.find("(x == 1) or (x == 3)"), std::string::npos) << left;
  EXPECT_EQ(left.find('y'), std::string::npos) << left;
  EXPECT_NE(right.find("(y == 2) or (y == 4)"), std::string::npos) << right;
  // The whole condition still holds on the join.
  auto joins = All(optimized, NodeKind::kJoin);
  ASSERT_EQ(joins.size(), 1u);
  ASSERT_TRUE(joins[0]->As<JoinNode>().residual.has_value());
}

TEST(OptimizerTest, OrWhoseBranchIsTheCommonPartIsDropped) {
  // (x = 1) OR (x = 1 AND y = 2) is x = 1.
  auto plan = Where(Rows({"x", "y"}, 5), cp::or_(EqValue("x", 1), cp::and_(EqValue("x", 1), EqValue("y", 2))));
  auto filters_plan = Optimized(plan);
  auto filters = All(filters_plan, NodeKind::kFilter);
  ASSERT_EQ(filters.size(), 1u);
  EXPECT_EQ(filters[0]->As<FilterNode>().predicate.ToString(), "(x == 1)");
}

TEST(OptimizerTest, JoinsStartFromTheLargestRelationAndBuildOnTheSmallerSide) {
  // FROM small, big, mid WHERE s = b_s AND b_m = m: the written order starts with a cross
  // join of small and big.
  auto plan = Where(Cross(Cross(Rows({"s"}, 3), Rows({"b_s", "b_m"}, 50)), Rows({"m"}, 10)),
                    cp::and_(Eq("s", "b_s"), Eq("b_m", "m")));
  auto optimized = Optimized(plan);
  auto joins = All(optimized, NodeKind::kJoin);
  ASSERT_EQ(joins.size(), 2u);
  Estimator estimator;
  for (const auto* j : joins) {
    EXPECT_EQ(j->As<JoinNode>().type, JoinType::kInner);
    EXPECT_EQ(j->As<JoinNode>().left_keys.size(), 1u);
    EXPECT_LE(estimator.Of(j->inputs[1]).rows, estimator.Of(j->inputs[0]).rows);
  }
  // The first join (the deepest) is the big relation's, with the relation it shrinks most.
  const auto& first = *joins[1];
  EXPECT_GE(first.schema->GetFieldIndex("b_s"), 0);
  EXPECT_GE(first.schema->GetFieldIndex("s"), 0);
}

TEST(OptimizerTest, UnconnectedRelationIsCrossJoinedLast) {
  auto plan = Where(Cross(Cross(Rows({"c"}, 2), Rows({"a"}, 10)), Rows({"b"}, 20)), Eq("a", "b"));
  auto joins_plan = Optimized(plan);
  auto joins = All(joins_plan, NodeKind::kJoin);
  ASSERT_EQ(joins.size(), 2u);
  const auto& top = joins[0]->As<JoinNode>();
  EXPECT_EQ(top.type, JoinType::kCross);
  EXPECT_GE(top.inputs[1]->schema->GetFieldIndex("c"), 0);
  EXPECT_EQ(joins[1]->As<JoinNode>().type, JoinType::kInner);
}

TEST(OptimizerTest, ResidualOverThreeRelationsWaitsForAllOfThem) {
  auto plan = Where(Cross(Cross(Rows({"a"}, 10), Rows({"b"}, 20)), Rows({"c"}, 30)),
                    cp::and_({Eq("a", "b"), Eq("b", "c"),
                              cp::less(cp::call("add", {cp::field_ref("a"), cp::field_ref("c")}), cp::field_ref("b"))}));
  auto joins_plan = Optimized(plan);
  auto joins = All(joins_plan, NodeKind::kJoin);
  ASSERT_EQ(joins.size(), 2u);
  ASSERT_TRUE(joins[0]->As<JoinNode>().residual.has_value());
  EXPECT_FALSE(joins[1]->As<JoinNode>().residual.has_value());
}

TEST(OptimizerStatsTest, RangeSelectivityFromMinAndMax) {
  Estimate input;
  input.rows = 1000;
  input.fields["d"].min = 0;
  input.fields["d"].max = 100;
  input.fields["d"].distinct = 101;
  auto lt = cp::less(cp::field_ref("d"), cp::literal(int64_t{25}));
  EXPECT_NEAR(Estimator::Selectivity(lt, input), 0.25, 1e-9);
  auto ge_flipped = cp::greater_equal(cp::literal(int64_t{25}), cp::field_ref("d"));
  EXPECT_NEAR(Estimator::Selectivity(ge_flipped, input), 0.25, 1e-9);
  EXPECT_NEAR(Estimator::Selectivity(EqValue("d", 3), input), 1.0 / 101, 1e-9);
  // Unknown columns get fixed guesses, and a conjunction multiplies.
  auto both = cp::and_(EqValue("s", 1), lt);
  EXPECT_NEAR(Estimator::Selectivity(both, input), 0.1 * 0.25, 1e-9);
}

TEST(OptimizerStatsTest, ForeignKeyJoinKeepsTheFractionThePrimaryKeySideKept) {
  // 6,000 lines of 1,500 orders (order keys 1..1,500); a filter kept 150 orders.
  Estimate lines, orders;
  lines.rows = 6000;
  lines.fields["l_order"].distinct = 1500;
  lines.fields["l_order"].domain = 6000;  // what a value range can say: at most 6,000
  orders.rows = 150;
  orders.fields["o_key"].distinct = 150;
  orders.fields["o_key"].domain = 1500;
  auto joined = Estimator::Join(lines, orders, {{"l_order", "o_key"}});
  EXPECT_NEAR(joined.rows, 600, 1e-6);
  EXPECT_NEAR(*joined.Distinct("l_order"), 150, 1e-6);
  EXPECT_NEAR(Estimator::Join(lines, orders, {}).rows, 6000.0 * 150, 1e-6);
}

}  // namespace
}  // namespace tidelake::plan
