// Joins and set operations.
#include <arrow/api.h>
#include <arrow/compute/api.h>
#include <gtest/gtest.h>

#include "exec/exec_test_util.h"

namespace tidelake::exec {
namespace {

using namespace testutil;  // NOLINT
using V = std::vector<std::string>;
using plan::JoinType;

NodePtr Left() {
  return Values({{"id#1", arrow::int64(), "[1, 2, 2, null, 5]"},
                 {"lv#2", arrow::utf8(), R"(["a", "b", "c", "d", "e"])"}});
}
NodePtr Right() {
  return Values({{"rid#3", arrow::int64(), "[2, 2, 3, null, 5]"},
                 {"rv#4", arrow::utf8(), R"(["x", "y", "z", "w", "v"])"}});
}

NodePtr Join(NodePtr left, NodePtr right, JoinType type, std::vector<std::string> left_keys,
             std::vector<std::string> right_keys, std::vector<bool> null_safe = {},
             std::optional<cp::Expression> residual = std::nullopt) {
  auto node = std::make_shared<plan::JoinNode>();
  node->type = type;
  node->left_keys = std::move(left_keys);
  node->right_keys = std::move(right_keys);
  node->null_safe = std::move(null_safe);
  arrow::FieldVector both = left->schema->fields();
  for (const auto& f : right->schema->fields()) both.push_back(f);
  if (residual) node->residual = Bound(*residual, *arrow::schema(both));
  bool semi = type == JoinType::kLeftSemi || type == JoinType::kLeftAnti;
  node->schema = semi ? left->schema : arrow::schema(both);
  node->inputs = {std::move(left), std::move(right)};
  return node;
}

TEST(JoinTest, Inner) {
  EXPECT_EQ(RunOk(Join(Left(), Right(), JoinType::kInner, {"id#1"}, {"rid#3"})),
            (V{"2|b|2|x", "2|b|2|y", "2|c|2|x", "2|c|2|y", "5|e|5|v"}));
}

TEST(JoinTest, LeftRightFull) {
  EXPECT_EQ(RunOk(Join(Left(), Right(), JoinType::kLeft, {"id#1"}, {"rid#3"})),
            (V{"1|a|null|null", "2|b|2|x", "2|b|2|y", "2|c|2|x", "2|c|2|y", "5|e|5|v", "null|d|null|null"}));
  EXPECT_EQ(RunOk(Join(Left(), Right(), JoinType::kRight, {"id#1"}, {"rid#3"})),
            (V{"2|b|2|x", "2|b|2|y", "2|c|2|x", "2|c|2|y", "5|e|5|v", "null|null|3|z", "null|null|null|w"}));
  EXPECT_EQ(RunOk(Join(Left(), Right(), JoinType::kFull, {"id#1"}, {"rid#3"})),
            (V{"1|a|null|null", "2|b|2|x", "2|b|2|y", "2|c|2|x", "2|c|2|y", "5|e|5|v", "null|d|null|null",
               "null|null|3|z", "null|null|null|w"}));
}

TEST(JoinTest, SemiAndAnti) {
  EXPECT_EQ(RunOk(Join(Left(), Right(), JoinType::kLeftSemi, {"id#1"}, {"rid#3"})), (V{"2|b", "2|c", "5|e"}));
  // NULL keys never match with `=`: the NULL row is kept by the anti join.
  EXPECT_EQ(RunOk(Join(Left(), Right(), JoinType::kLeftAnti, {"id#1"}, {"rid#3"})), (V{"1|a", "null|d"}));
}

TEST(JoinTest, NullSafeKeys) {
  EXPECT_EQ(RunOk(Join(Left(), Right(), JoinType::kInner, {"id#1"}, {"rid#3"}, {true})),
            (V{"2|b|2|x", "2|b|2|y", "2|c|2|x", "2|c|2|y", "5|e|5|v", "null|d|null|w"}));
  EXPECT_EQ(RunOk(Join(Left(), Right(), JoinType::kLeftAnti, {"id#1"}, {"rid#3"}, {true})), (V{"1|a"}));
}

TEST(JoinTest, Residual) {
  auto residual = cp::and_(cp::less(cp::field_ref("lv#2"), cp::literal("c")),
                           cp::not_equal(cp::field_ref("rv#4"), cp::literal("y")));
  EXPECT_EQ(RunOk(Join(Left(), Right(), JoinType::kInner, {"id#1"}, {"rid#3"}, {}, residual)), (V{"2|b|2|x"}));
  // A left join keeps the rows whose matches all fail the residual.
  auto only_x = cp::equal(cp::field_ref("rv#4"), cp::literal("x"));
  EXPECT_EQ(RunOk(Join(Left(), Right(), JoinType::kLeft, {"id#1"}, {"rid#3"}, {}, only_x)),
            (V{"1|a|null|null", "2|b|2|x", "2|c|2|x", "5|e|null|null", "null|d|null|null"}));
  EXPECT_EQ(RunOk(Join(Left(), Right(), JoinType::kLeftAnti, {"id#1"}, {"rid#3"}, {}, only_x)),
            (V{"1|a", "5|e", "null|d"}));
  EXPECT_EQ(RunOk(Join(Left(), Right(), JoinType::kLeftSemi, {"id#1"}, {"rid#3"}, {}, only_x)), (V{"2|b", "2|c"}));
}

TEST(JoinTest, CrossAndKeyless) {
  auto small_left = Limit(Left(), 2);
  auto small_right = Limit(Right(), 3);
  EXPECT_EQ(RunOk(Join(small_left, small_right, JoinType::kCross, {}, {})),
            (V{"1|a|2|x", "1|a|2|y", "1|a|3|z", "2|b|2|x", "2|b|2|y", "2|b|3|z"}));
  // LEFT JOIN ... ON l.id > r.rid (no equality): a nested-loop join.
  auto greater = cp::greater(cp::field_ref("id#1"), cp::field_ref("rid#3"));
  EXPECT_EQ(RunOk(Join(Left(), Right(), JoinType::kLeft, {}, {}, {}, greater)),
            (V{"1|a|null|null", "2|b|null|null", "2|c|null|null", "5|e|2|x", "5|e|2|y", "5|e|3|z", "null|d|null|null"}));
  // Uncorrelated EXISTS / NOT EXISTS.
  EXPECT_EQ(RunOk(Join(Left(), Right(), JoinType::kLeftSemi, {}, {})).size(), 5u);
  auto empty = Filter(Right(), cp::literal(false));
  EXPECT_EQ(RunOk(Join(Left(), empty, JoinType::kLeftAnti, {}, {})).size(), 5u);
}

TEST(JoinTest, EmptySides) {
  auto empty_right = Filter(Right(), cp::literal(false));
  EXPECT_EQ(RunOk(Join(Left(), empty_right, JoinType::kInner, {"id#1"}, {"rid#3"})), V{});
  EXPECT_EQ(RunOk(Join(Left(), empty_right, JoinType::kLeft, {"id#1"}, {"rid#3"})).size(), 5u);
  auto empty_left = Filter(Left(), cp::literal(false));
  EXPECT_EQ(RunOk(Join(empty_left, Right(), JoinType::kFull, {"id#1"}, {"rid#3"})).size(), 5u);
  EXPECT_EQ(RunOk(Join(empty_left, Right(), JoinType::kCross, {}, {})), V{});
}

TEST(JoinTest, MultipleKeys) {
  auto l = Values({{"a#1", arrow::int32(), "[1, 1, 2, null]"}, {"b#2", arrow::utf8(), R"(["x", "y", "x", "x"])"}});
  auto r = Values({{"c#3", arrow::int32(), "[1, 1, null]"}, {"d#4", arrow::utf8(), R"(["x", "z", "x"])"}});
  EXPECT_EQ(RunOk(Join(l, r, JoinType::kInner, {"a#1", "b#2"}, {"c#3", "d#4"})), (V{"1|x|1|x"}));
  EXPECT_EQ(RunOk(Join(l, r, JoinType::kInner, {"a#1", "b#2"}, {"c#3", "d#4"}, {true, false})),
            (V{"1|x|1|x", "null|x|null|x"}));
}

NodePtr SetOp(NodePtr left, NodePtr right, plan::SetOpKind op, bool all) {
  auto node = std::make_shared<plan::SetOperationNode>();
  node->op = op;
  node->all = all;
  node->schema = left->schema;
  node->inputs = {std::move(left), std::move(right)};
  return node;
}

NodePtr SetLeft() {
  return Values({{"x#1", arrow::int64(), "[1, 1, 2, null, null, 3]"}, {"t#2", arrow::utf8(), R"(["a", "a", "b", null, null, "c"])"}});
}
NodePtr SetRight() {
  return Values({{"y#3", arrow::int64(), "[1, 2, 2, null, 4]"}, {"u#4", arrow::utf8(), R"(["a", "b", "b", null, "d"])"}});
}

TEST(SetOperationTest, Union) {
  EXPECT_EQ(RunOk(SetOp(SetLeft(), SetRight(), plan::SetOpKind::kUnion, true)).size(), 11u);
  EXPECT_EQ(RunOk(SetOp(SetLeft(), SetRight(), plan::SetOpKind::kUnion, false)),
            (V{"1|a", "2|b", "3|c", "4|d", "null|null"}));
}

TEST(SetOperationTest, IntersectAndExcept) {
  EXPECT_EQ(RunOk(SetOp(SetLeft(), SetRight(), plan::SetOpKind::kIntersect, false)), (V{"1|a", "2|b", "null|null"}));
  EXPECT_EQ(RunOk(SetOp(SetLeft(), SetRight(), plan::SetOpKind::kExcept, false)), (V{"3|c"}));
  EXPECT_EQ(RunOk(SetOp(SetRight(), SetLeft(), plan::SetOpKind::kExcept, false)), (V{"4|d"}));
}

TEST(SetOperationTest, AllVariantsCountDuplicates) {
  // Left has 1 twice, NULL twice; right has 2 twice.
  EXPECT_EQ(RunOk(SetOp(SetLeft(), SetRight(), plan::SetOpKind::kIntersect, true)), (V{"1|a", "2|b", "null|null"}));
  EXPECT_EQ(RunOk(SetOp(SetLeft(), SetRight(), plan::SetOpKind::kExcept, true)), (V{"1|a", "3|c", "null|null"}));
  EXPECT_EQ(RunOk(SetOp(SetRight(), SetLeft(), plan::SetOpKind::kExcept, true)), (V{"2|b", "4|d"}));
  EXPECT_EQ(RunOk(SetOp(SetLeft(), SetLeft(), plan::SetOpKind::kIntersect, true)).size(), 6u);
  EXPECT_EQ(RunOk(SetOp(SetLeft(), SetLeft(), plan::SetOpKind::kExcept, true)), V{});
}

TEST(SetOperationTest, EmptySides) {
  auto empty = Filter(SetRight(), cp::literal(false));
  EXPECT_EQ(RunOk(SetOp(SetLeft(), empty, plan::SetOpKind::kIntersect, false)), V{});
  EXPECT_EQ(RunOk(SetOp(SetLeft(), empty, plan::SetOpKind::kExcept, true)).size(), 6u);
  EXPECT_EQ(RunOk(SetOp(empty, SetLeft(), plan::SetOpKind::kUnion, false)).size(), 4u);
}

}  // namespace
}  // namespace tidelake::exec
