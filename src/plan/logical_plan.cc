#include "plan/logical_plan.h"

namespace tidelake::plan {

NodePtr WithInputs(const LogicalNode& node, std::vector<NodePtr> inputs) {
  std::shared_ptr<LogicalNode> copy;
  switch (node.kind) {
    case NodeKind::kTableScan: copy = std::make_shared<TableScanNode>(node.As<TableScanNode>()); break;
    case NodeKind::kFileScan: copy = std::make_shared<FileScanNode>(node.As<FileScanNode>()); break;
    case NodeKind::kSourceScan: copy = std::make_shared<SourceScanNode>(node.As<SourceScanNode>()); break;
    case NodeKind::kValues: copy = std::make_shared<ValuesNode>(node.As<ValuesNode>()); break;
    case NodeKind::kFilter: copy = std::make_shared<FilterNode>(node.As<FilterNode>()); break;
    case NodeKind::kProject: copy = std::make_shared<ProjectNode>(node.As<ProjectNode>()); break;
    case NodeKind::kAggregate: copy = std::make_shared<AggregateNode>(node.As<AggregateNode>()); break;
    case NodeKind::kJoin: copy = std::make_shared<JoinNode>(node.As<JoinNode>()); break;
    case NodeKind::kSort: copy = std::make_shared<SortNode>(node.As<SortNode>()); break;
    case NodeKind::kLimit: copy = std::make_shared<LimitNode>(node.As<LimitNode>()); break;
    case NodeKind::kSetOperation: copy = std::make_shared<SetOperationNode>(node.As<SetOperationNode>()); break;
    case NodeKind::kWindow: copy = std::make_shared<WindowNode>(node.As<WindowNode>()); break;
    case NodeKind::kWatermark: copy = std::make_shared<WatermarkNode>(node.As<WatermarkNode>()); break;
    case NodeKind::kTimeWindow: copy = std::make_shared<TimeWindowNode>(node.As<TimeWindowNode>()); break;
  }
  copy->inputs = std::move(inputs);
  return copy;
}

std::string UniqueName(const std::string& name, int64_t id) { return name + "#" + std::to_string(id); }

std::string DisplayName(const std::string& unique_name) {
  auto hash = unique_name.rfind('#');
  if (hash == std::string::npos) return unique_name;
  return unique_name.substr(0, hash);
}

}  // namespace tidelake::plan
