#include "plan/limit_pushdown.h"

namespace tidelake::plan {

namespace {

std::shared_ptr<LimitNode> MakeLimit(NodePtr input, std::optional<int64_t> limit, int64_t offset) {
  auto node = std::make_shared<LimitNode>();
  node->limit = limit;
  node->offset = offset;
  node->schema = input->schema;
  node->inputs = {std::move(input)};
  return node;
}

// `input` limited to `limit` rows after skipping `offset`, with the limit moved as far down
// as it may go.
arrow::Result<NodePtr> Limited(const NodePtr& input, std::optional<int64_t> limit, int64_t offset) {
  switch (input->kind) {
    case NodeKind::kProject: {
      // Projections keep rows one for one: limit first, project the few rows kept.
      ARROW_ASSIGN_OR_RAISE(auto below, Limited(input->inputs[0], limit, offset));
      auto project = std::make_shared<ProjectNode>(input->As<ProjectNode>());
      project->inputs = {below};
      return project;
    }
    case NodeKind::kSetOperation: {
      const auto& setop = input->As<SetOperationNode>();
      if (setop.op != SetOpKind::kUnion || !setop.all || !limit) break;
      // Each branch contributes at most limit + offset rows.
      int64_t each = *limit + offset;
      auto copy = std::make_shared<SetOperationNode>(setop);
      copy->inputs.clear();
      for (const auto& branch : input->inputs) {
        ARROW_ASSIGN_OR_RAISE(auto limited, Limited(branch, each, 0));
        copy->inputs.push_back(limited);
      }
      return MakeLimit(copy, limit, offset);
    }
    default:
      break;
  }
  ARROW_ASSIGN_OR_RAISE(auto below, PushDownLimits(input));
  return MakeLimit(below, limit, offset);
}

}  // namespace

arrow::Result<NodePtr> PushDownLimits(const NodePtr& node) {
  if (node->kind == NodeKind::kLimit) {
    const auto& limit = node->As<LimitNode>();
    const auto& input = node->inputs[0];
    // A sort below a limit is a top-k; keep the pair together.
    if (input->kind == NodeKind::kSort) {
      ARROW_ASSIGN_OR_RAISE(auto sorted_input, PushDownLimits(input->inputs[0]));
      auto sort = std::make_shared<SortNode>(input->As<SortNode>());
      sort->inputs = {sorted_input};
      return MakeLimit(sort, limit.limit, limit.offset);
    }
    return Limited(input, limit.limit, limit.offset);
  }
  if (node->inputs.empty()) return node;
  std::vector<NodePtr> inputs;
  bool changed = false;
  for (const auto& input : node->inputs) {
    ARROW_ASSIGN_OR_RAISE(auto pushed, PushDownLimits(input));
    changed = changed || pushed != input;
    inputs.push_back(std::move(pushed));
  }
  if (!changed) return node;
  return WithInputs(*node, std::move(inputs));
}

}  // namespace tidelake::plan
