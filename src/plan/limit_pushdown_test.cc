#include "plan/limit_pushdown.h"

#include <arrow/api.h>
#include <gtest/gtest.h>

namespace tidelake::plan {
namespace {

NodePtr Values(const std::string& name) {
  auto node = std::make_shared<ValuesNode>();
  node->schema = arrow::schema({arrow::field(name, arrow::int64())});
  arrow::Int64Builder builder;
  EXPECT_TRUE(builder.AppendValues({1, 2, 3}).ok());
  node->rows = arrow::Table::Make(node->schema, {builder.Finish().ValueOrDie()}, 3);
  return node;
}

NodePtr Project(NodePtr input, const std::string& out) {
  auto node = std::make_shared<ProjectNode>();
  node->exprs = {cp::field_ref(input->schema->field(0)->name()).Bind(*input->schema).ValueOrDie()};
  node->schema = arrow::schema({arrow::field(out, arrow::int64())});
  node->inputs = {std::move(input)};
  return node;
}

NodePtr Limit(NodePtr input, int64_t limit, int64_t offset = 0) {
  auto node = std::make_shared<LimitNode>();
  node->limit = limit;
  node->offset = offset;
  node->schema = input->schema;
  node->inputs = {std::move(input)};
  return node;
}

TEST(LimitPushdownTest, MovesBelowProjections) {
  auto values = Values("a#1");
  auto plan = Limit(Project(Project(values, "b#2"), "c#3"), 2, 1);
  auto pushed = PushDownLimits(plan).ValueOrDie();
  ASSERT_EQ(pushed->kind, NodeKind::kProject);
  ASSERT_EQ(pushed->inputs[0]->kind, NodeKind::kProject);
  const auto& limit = *pushed->inputs[0]->inputs[0];
  ASSERT_EQ(limit.kind, NodeKind::kLimit);
  EXPECT_EQ(limit.As<LimitNode>().limit, 2);
  EXPECT_EQ(limit.As<LimitNode>().offset, 1);
  EXPECT_EQ(limit.inputs[0], values);
  EXPECT_TRUE(pushed->schema->Equals(*plan->schema));
}

TEST(LimitPushdownTest, CopiesIntoUnionAllBranches) {
  auto setop = std::make_shared<SetOperationNode>();
  setop->op = SetOpKind::kUnion;
  setop->all = true;
  setop->inputs = {Values("a#1"), Values("b#2")};
  setop->schema = setop->inputs[0]->schema;
  auto pushed = PushDownLimits(Limit(setop, 2, 1)).ValueOrDie();
  ASSERT_EQ(pushed->kind, NodeKind::kLimit);
  EXPECT_EQ(pushed->As<LimitNode>().limit, 2);
  EXPECT_EQ(pushed->As<LimitNode>().offset, 1);
  const auto& union_all = *pushed->inputs[0];
  for (const auto& branch : union_all.inputs) {
    ASSERT_EQ(branch->kind, NodeKind::kLimit);
    EXPECT_EQ(branch->As<LimitNode>().limit, 3);  // limit + offset rows from each
    EXPECT_EQ(branch->As<LimitNode>().offset, 0);
  }
  // A distinct UNION is not split.
  setop->all = false;
  auto kept = PushDownLimits(Limit(setop, 2)).ValueOrDie();
  EXPECT_EQ(kept->inputs[0]->inputs[0]->kind, NodeKind::kValues);
}

TEST(LimitPushdownTest, KeepsTopKTogether) {
  auto sort = std::make_shared<SortNode>();
  auto values = Values("a#1");
  sort->keys = {{"a#1", true, true}};
  sort->schema = values->schema;
  sort->inputs = {values};
  auto pushed = PushDownLimits(Limit(sort, 1)).ValueOrDie();
  ASSERT_EQ(pushed->kind, NodeKind::kLimit);
  EXPECT_EQ(pushed->inputs[0]->kind, NodeKind::kSort);
}

}  // namespace
}  // namespace tidelake::plan
