#include "plan/cardinality.h"

#include <algorithm>

namespace tidelake::plan {

namespace {

constexpr double kBytesPerRowGuess = 100;
constexpr double kUnknownRows = 1e6;
constexpr double kEqualitySelectivity = 0.1;
constexpr double kRangeSelectivity = 0.3;
constexpr double kOtherSelectivity = 0.5;
constexpr double kGroupsPerRow = 0.1;
constexpr double kSemiJoinSelectivity = 0.5;

double TableRows(const TableScanNode& scan) {
  if (!scan.snapshot) return kUnknownRows;
  int64_t records = scan.snapshot->NumRecords();
  if (records >= 0) return static_cast<double>(records);
  return static_cast<double>(scan.snapshot->SizeInBytes()) / kBytesPerRowGuess;
}

// The input field `field` of `node`'s output is a plain copy of, if any.
const LogicalNode* ChildHolding(const LogicalNode& node, std::string* field) {
  switch (node.kind) {
    case NodeKind::kFilter:
    case NodeKind::kSort:
    case NodeKind::kLimit:
    case NodeKind::kWindow:
      return node.inputs[0]->schema->GetFieldIndex(*field) >= 0 ? node.inputs[0].get() : nullptr;
    case NodeKind::kProject: {
      const auto& project = node.As<ProjectNode>();
      int i = project.schema->GetFieldIndex(*field);
      if (i < 0) return nullptr;
      const auto* ref = project.exprs[static_cast<size_t>(i)].field_ref();
      if (ref == nullptr || ref->name() == nullptr) return nullptr;
      *field = *ref->name();
      return node.inputs[0].get();
    }
    case NodeKind::kJoin:
      for (const auto& input : node.inputs) {
        if (input->schema->GetFieldIndex(*field) >= 0) return input.get();
      }
      return nullptr;
    case NodeKind::kAggregate: {
      const auto& aggregate = node.As<AggregateNode>();
      bool key = std::find(aggregate.keys.begin(), aggregate.keys.end(), *field) != aggregate.keys.end();
      return key ? node.inputs[0].get() : nullptr;
    }
    default:
      return nullptr;
  }
}

}  // namespace

double EstimateSelectivity(const cp::Expression& predicate) {
  const auto* call = predicate.call();
  if (call == nullptr) return kOtherSelectivity;
  const std::string& name = call->function_name;
  if (name == "and_kleene" || name == "and") {
    double s = 1;
    for (const auto& a : call->arguments) s *= EstimateSelectivity(a);
    return s;
  }
  if (name == "or_kleene" || name == "or") {
    double keep_none = 1;
    for (const auto& a : call->arguments) keep_none *= 1 - EstimateSelectivity(a);
    return std::max(1 - keep_none, 1e-6);
  }
  if (name == "invert") return std::max(1 - EstimateSelectivity(call->arguments[0]), 0.05);
  if (name == "equal" || name == "is_in") return kEqualitySelectivity;
  if (name == "less" || name == "less_equal" || name == "greater" || name == "greater_equal") {
    return kRangeSelectivity;
  }
  return kOtherSelectivity;
}

double EstimateRows(const LogicalNode& node) {
  double rows = kUnknownRows;
  switch (node.kind) {
    case NodeKind::kTableScan: {
      const auto& scan = node.As<TableScanNode>();
      rows = TableRows(scan) * (scan.filter ? EstimateSelectivity(*scan.filter) : 1);
      break;
    }
    case NodeKind::kFileScan: {
      const auto& scan = node.As<FileScanNode>();
      rows = kUnknownRows * (scan.filter ? EstimateSelectivity(*scan.filter) : 1);
      break;
    }
    case NodeKind::kValues:
      rows = static_cast<double>(node.As<ValuesNode>().rows->num_rows());
      break;
    case NodeKind::kFilter:
      rows = EstimateRows(*node.inputs[0]) * EstimateSelectivity(node.As<FilterNode>().predicate);
      break;
    case NodeKind::kProject:
    case NodeKind::kSort:
    case NodeKind::kWindow:
      rows = EstimateRows(*node.inputs[0]);
      break;
    case NodeKind::kLimit: {
      const auto& limit = node.As<LimitNode>();
      rows = EstimateRows(*node.inputs[0]);
      if (limit.limit) rows = std::min(rows, static_cast<double>(*limit.limit));
      break;
    }
    case NodeKind::kAggregate: {
      const auto& aggregate = node.As<AggregateNode>();
      rows = aggregate.keys.empty() ? 1 : EstimateRows(*node.inputs[0]) * kGroupsPerRow;
      break;
    }
    case NodeKind::kSetOperation:
      rows = EstimateRows(*node.inputs[0]) + EstimateRows(*node.inputs[1]);
      break;
    case NodeKind::kJoin: {
      const auto& join = node.As<JoinNode>();
      double left = EstimateRows(*node.inputs[0]);
      double right = EstimateRows(*node.inputs[1]);
      switch (join.type) {
        case JoinType::kLeftSemi:
        case JoinType::kLeftAnti:
          rows = left * kSemiJoinSelectivity;
          break;
        case JoinType::kCross:
          rows = left * right;
          break;
        default: {
          if (join.left_keys.empty()) {
            rows = left * right;
          } else {
            // Keys join a foreign key to a primary key: each row of the larger domain finds
            // at most one partner.
            double domain = 1;
            for (size_t i = 0; i < join.left_keys.size(); ++i) {
              domain = std::max({domain, std::min(EstimateDistinct(*node.inputs[0], join.left_keys[i]),
                                                  EstimateDistinct(*node.inputs[1], join.right_keys[i]))});
            }
            rows = left * right / domain;
          }
          if (join.residual) rows *= EstimateSelectivity(*join.residual);
          if (join.type == JoinType::kLeft || join.type == JoinType::kFull) rows = std::max(rows, left);
          if (join.type == JoinType::kRight || join.type == JoinType::kFull) rows = std::max(rows, right);
          break;
        }
      }
      break;
    }
  }
  return std::max(rows, 1.0);
}

double EstimateDistinct(const LogicalNode& node, const std::string& field) {
  std::string name = field;
  const LogicalNode* at = &node;
  while (true) {
    switch (at->kind) {
      case NodeKind::kTableScan:
        return TableRows(at->As<TableScanNode>());
      case NodeKind::kValues:
        return std::max(static_cast<double>(at->As<ValuesNode>().rows->num_rows()), 1.0);
      case NodeKind::kFileScan:
        return kUnknownRows;
      default:
        break;
    }
    const LogicalNode* next = ChildHolding(*at, &name);
    if (next == nullptr) return EstimateRows(node);
    at = next;
  }
}

}  // namespace tidelake::plan
