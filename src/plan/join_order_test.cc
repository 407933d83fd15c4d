#include "plan/join_order.h"

#include <arrow/api.h>
#include <gtest/gtest.h>

#include "plan/cardinality.h"

namespace tidelake::plan {
namespace {

// A VALUES input of `rows` rows with int64 fields `names`.
NodePtr Values(const std::vector<std::string>& names, int64_t rows) {
  arrow::FieldVector fields;
  std::vector<std::shared_ptr<arrow::Array>> columns;
  for (const auto& name : names) {
    fields.push_back(arrow::field(name, arrow::int64()));
    arrow::Int64Builder builder;
    for (int64_t i = 0; i < rows; ++i) EXPECT_TRUE(builder.Append(i).ok());
    columns.push_back(builder.Finish().ValueOrDie());
  }
  auto node = std::make_shared<ValuesNode>();
  node->schema = arrow::schema(fields);
  node->rows = arrow::Table::Make(node->schema, columns, rows);
  return node;
}

NodePtr Join(NodePtr left, NodePtr right, std::vector<std::pair<std::string, std::string>> keys) {
  auto join = std::make_shared<JoinNode>();
  join->type = keys.empty() ? JoinType::kCross : JoinType::kInner;
  for (const auto& [l, r] : keys) {
    join->left_keys.push_back(l);
    join->right_keys.push_back(r);
    join->null_safe.push_back(false);
  }
  arrow::FieldVector fields = left->schema->fields();
  for (const auto& f : right->schema->fields()) fields.push_back(f);
  join->schema = arrow::schema(fields);
  join->inputs = {std::move(left), std::move(right)};
  return join;
}

const LogicalNode& Below(const NodePtr& node) {
  return node->kind == NodeKind::kProject ? *node->inputs[0] : *node;
}

TEST(JoinOrderTest, LargestInputProbesAndSmallInputsAreBuilt) {
  auto small = Values({"s_key#1"}, 5);
  auto big = Values({"b_skey#2", "b_mkey#3"}, 1000);
  auto mid = Values({"m_key#4"}, 50);
  // As written: (small ⋈ mid) first — a cross product — then big.
  auto plan = Join(Join(small, mid, {}), big, {});
  auto keyed = std::static_pointer_cast<const JoinNode>(plan);
  auto top = std::make_shared<JoinNode>(*keyed);
  top->type = JoinType::kInner;
  top->left_keys = {"s_key#1", "m_key#4"};
  top->right_keys = {"b_skey#2", "b_mkey#3"};
  top->null_safe = {false, false};

  auto reordered = ReorderJoins(top).ValueOrDie();
  // The output keeps its fields and their order.
  EXPECT_TRUE(reordered->schema->Equals(*top->schema));
  ASSERT_EQ(reordered->kind, NodeKind::kProject);
  // Left-deep: ((big ⋈ small) ⋈ mid), every join keyed, the smaller side on the right.
  const auto& outer = Below(reordered);
  ASSERT_EQ(outer.kind, NodeKind::kJoin);
  const auto& outer_join = outer.As<JoinNode>();
  EXPECT_EQ(outer_join.type, JoinType::kInner);
  EXPECT_EQ(outer_join.right_keys, std::vector<std::string>{"m_key#4"});
  const auto& inner = *outer.inputs[0];
  ASSERT_EQ(inner.kind, NodeKind::kJoin);
  EXPECT_EQ(inner.As<JoinNode>().left_keys, std::vector<std::string>{"b_skey#2"});
  EXPECT_EQ(inner.As<JoinNode>().right_keys, std::vector<std::string>{"s_key#1"});
  EXPECT_EQ(inner.inputs[0], big);
  EXPECT_EQ(inner.inputs[1], small);
}

TEST(JoinOrderTest, UnconnectedInputsAreCrossJoinedLast) {
  auto a = Values({"a#1"}, 100);
  auto b = Values({"b#2"}, 10);
  auto c = Values({"c#3"}, 2);
  auto plan = Join(Join(c, a, {}), b, {{"a#1", "b#2"}});
  auto reordered = ReorderJoins(plan).ValueOrDie();
  EXPECT_TRUE(reordered->schema->Equals(*plan->schema));
  const auto& outer = Below(reordered);
  ASSERT_EQ(outer.kind, NodeKind::kJoin);
  EXPECT_EQ(outer.As<JoinNode>().type, JoinType::kCross);
  EXPECT_EQ(outer.inputs[1], c);
  EXPECT_EQ(outer.inputs[0]->As<JoinNode>().type, JoinType::kInner);
}

TEST(JoinOrderTest, OuterJoinsAreLeftAlone) {
  auto a = Values({"a#1"}, 3);
  auto b = Values({"b#2"}, 300);
  auto left = std::make_shared<JoinNode>(Join(a, b, {{"a#1", "b#2"}})->As<JoinNode>());
  left->type = JoinType::kLeft;
  NodePtr plan = left;
  EXPECT_EQ(ReorderJoins(plan).ValueOrDie(), plan);
}

TEST(CardinalityTest, ForeignKeyJoinKeepsTheLargerSide) {
  auto orders = Values({"o_key#1"}, 100);
  auto lines = Values({"l_okey#2"}, 400);
  auto join = Join(lines, orders, {{"l_okey#2", "o_key#1"}});
  EXPECT_DOUBLE_EQ(EstimateRows(*join), 400);
  auto filter = std::make_shared<FilterNode>();
  filter->predicate = cp::equal(cp::field_ref("o_key#1"), cp::literal(int64_t{3}));
  filter->schema = orders->schema;
  filter->inputs = {orders};
  EXPECT_DOUBLE_EQ(EstimateRows(*filter), 10);
  EXPECT_DOUBLE_EQ(EstimateRows(*Join(lines, filter, {{"l_okey#2", "o_key#1"}})), 40);
}

}  // namespace
}  // namespace tidelake::plan
