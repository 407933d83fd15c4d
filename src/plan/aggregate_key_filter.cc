#include "plan/aggregate_key_filter.h"

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "plan/optimizer_stats.h"

namespace tidelake::plan {

namespace {

// A node and the name one traced field has in its output.
struct Step {
  NodePtr node;
  std::string name;
};

bool HasField(const LogicalNode& node, const std::string& name) { return node.schema->GetFieldIndex(name) >= 0; }

// Follows output field `name` of `node` down to where it is made, through projections that
// pass it on (renamed or not), filters, and joins into the side it comes from. The values of
// the field in each node passed are among those in the nodes below it (plus NULL out of the
// padded side of an outer join, where `padded` allows going). The first step is `node`.
std::vector<Step> Trace(NodePtr node, std::string name, bool padded) {
  std::vector<Step> steps;
  while (true) {
    steps.push_back({node, name});
    switch (node->kind) {
      case NodeKind::kProject: {
        int i = node->schema->GetFieldIndex(name);
        if (i < 0) return steps;
        const auto* ref = node->As<ProjectNode>().exprs[static_cast<size_t>(i)].field_ref();
        if (ref == nullptr || ref->name() == nullptr) return steps;
        name = *ref->name();
        node = node->inputs[0];
        break;
      }
      case NodeKind::kFilter:
        node = node->inputs[0];
        break;
      case NodeKind::kJoin: {
        const auto& join = node->As<JoinNode>();
        const bool in_left = HasField(*node->inputs[0], name);
        const bool in_right = !in_left && HasField(*node->inputs[1], name);
        bool ok = false;
        switch (join.type) {
          case JoinType::kInner:
          case JoinType::kCross: ok = in_left || in_right; break;
          case JoinType::kLeft: ok = in_left || (padded && in_right); break;
          case JoinType::kRight: ok = in_right || (padded && in_left); break;
          case JoinType::kFull: ok = padded && (in_left || in_right); break;
          case JoinType::kLeftSemi:
          case JoinType::kLeftAnti: ok = in_left; break;
        }
        if (!ok) return steps;
        node = node->inputs[in_left ? 0 : 1];
        break;
      }
      default:
        return steps;
    }
  }
}

// True when the subtree is a batch read of tables and files (no streams), which can be
// computed twice with the same result.
bool Repeatable(const LogicalNode& node) {
  switch (node.kind) {
    case NodeKind::kTableScan:
      if (node.As<TableScanNode>().streaming) return false;
      break;
    case NodeKind::kSourceScan:
    case NodeKind::kWatermark:
    case NodeKind::kTimeWindow:
      return false;
    default:
      break;
  }
  return std::all_of(node.inputs.begin(), node.inputs.end(), [](const NodePtr& in) { return Repeatable(*in); });
}

class KeyFilter {
 public:
  arrow::Result<NodePtr> Rewrite(const NodePtr& node) {
    std::vector<NodePtr> inputs;
    bool changed = false;
    for (const auto& input : node->inputs) {
      ARROW_ASSIGN_OR_RAISE(auto rewritten, Rewrite(input));
      changed = changed || rewritten != input;
      inputs.push_back(std::move(rewritten));
    }
    NodePtr current = changed ? WithInputs(*node, std::move(inputs)) : node;
    if (current->kind != NodeKind::kJoin) return current;
    ARROW_ASSIGN_OR_RAISE(auto filtered, FilterJoin(current));
    return filtered ? filtered : current;
  }

 private:
  // The join with its right input's aggregate filtered, or nullptr when the rule does not apply.
  arrow::Result<NodePtr> FilterJoin(const NodePtr& node) {
    const auto& join = node->As<JoinNode>();
    if (join.type != JoinType::kInner && join.type != JoinType::kLeft) return nullptr;
    if (join.left_keys.empty() || join.left_keys.size() != join.right_keys.size()) return nullptr;
    if (std::any_of(join.null_safe.begin(), join.null_safe.end(), [](bool b) { return b; })) return nullptr;
    if (!Repeatable(*node)) return nullptr;

    // The aggregate: under projections and filters of the right input, keyed by every join key.
    const size_t n = join.right_keys.size();
    std::vector<std::string> aggregate_keys;  // per join key, the aggregate's input key name
    NodePtr aggregate;
    for (size_t k = 0; k < n; ++k) {
      auto steps = Trace(node->inputs[1], join.right_keys[k], /*padded=*/false);
      const Step& last = steps.back();
      if (last.node->kind != NodeKind::kAggregate) return nullptr;
      if (aggregate && aggregate != last.node) return nullptr;
      aggregate = last.node;
      const auto& agg = aggregate->As<AggregateNode>();
      if (!agg.grouping_sets.empty()) return nullptr;
      int i = aggregate->schema->GetFieldIndex(last.name);
      if (i < 0 || static_cast<size_t>(i) >= agg.keys.size()) return nullptr;
      aggregate_keys.push_back(agg.keys[static_cast<size_t>(i)]);
    }

    // N: the deepest node under the aggregate that makes all its traced keys.
    std::vector<std::vector<Step>> below;
    for (const auto& key : aggregate_keys) below.push_back(Trace(aggregate->inputs[0], key, /*padded=*/false));
    size_t depth = 0;  // steps all traces share
    while (std::all_of(below.begin(), below.end(),
                       [&](const std::vector<Step>& s) { return depth < s.size() && s[depth].node == below[0][depth].node; })) {
      ++depth;
    }
    if (depth == 0) return nullptr;
    const NodePtr target = below[0][depth - 1].node;
    std::vector<std::string> target_keys;
    for (const auto& s : below) target_keys.push_back(s[depth - 1].name);

    // S: of the nodes of the left input that make all left keys, the one estimated smallest.
    std::vector<std::vector<Step>> left;
    for (const auto& key : join.left_keys) left.push_back(Trace(node->inputs[0], key, /*padded=*/true));
    const double budget = ScanRows(aggregate->inputs[0]);
    const double groups = estimator_.Of(aggregate).rows;
    NodePtr source;
    std::vector<std::string> source_keys;
    for (size_t d = 0; d < left[0].size(); ++d) {
      const NodePtr& candidate = left[0][d].node;
      std::vector<std::string> names;
      for (const auto& s : left) {
        auto at = std::find_if(s.begin(), s.end(), [&](const Step& step) { return step.node == candidate; });
        if (at == s.end()) break;
        names.push_back(at->name);
      }
      if (names.size() != n) continue;
      const double rows = estimator_.Of(candidate).rows;
      if (rows * 4 > groups || ScanRows(candidate) > budget) continue;
      if (source && estimator_.Of(source).rows < rows) continue;
      source = candidate;
      source_keys = std::move(names);
    }
    if (!source) return nullptr;

    // The semi join: N's rows whose keys S holds, S reduced to its key columns.
    auto keys_of_source = std::make_shared<ProjectNode>();
    arrow::FieldVector fields;
    std::set<std::string> seen;
    for (const auto& name : source_keys) {
      if (!seen.insert(name).second) continue;
      if (HasField(*target, name)) return nullptr;  // the same field on both sides
      ARROW_ASSIGN_OR_RAISE(auto ref, cp::field_ref(name).Bind(*source->schema));
      keys_of_source->exprs.push_back(std::move(ref));
      fields.push_back(source->schema->GetFieldByName(name));
    }
    keys_of_source->schema = arrow::schema(std::move(fields));
    keys_of_source->inputs = {source};
    auto semi = std::make_shared<JoinNode>();
    semi->type = JoinType::kLeftSemi;
    semi->left_keys = target_keys;
    semi->right_keys = source_keys;
    semi->null_safe.assign(n, false);
    semi->schema = target->schema;
    semi->inputs = {target, keys_of_source};

    // Rebuild the aggregate's input with N replaced, then the right input with the aggregate.
    NodePtr replaced = semi;
    for (size_t d = depth - 1; d-- > 0;) replaced = Replace(*below[0][d].node, below[0][d + 1].node, replaced);
    NodePtr new_aggregate = WithInputs(*aggregate, {replaced});
    auto right = Trace(node->inputs[1], join.right_keys[0], false);
    NodePtr rebuilt = new_aggregate;
    for (size_t d = right.size() - 1; d-- > 0;) rebuilt = Replace(*right[d].node, right[d + 1].node, rebuilt);
    return WithInputs(*node, {node->inputs[0], rebuilt});
  }

  // `parent` with its input `old_child` replaced by `new_child`.
  static NodePtr Replace(const LogicalNode& parent, const NodePtr& old_child, NodePtr new_child) {
    std::vector<NodePtr> inputs = parent.inputs;
    for (auto& in : inputs) {
      if (in == old_child) in = new_child;
    }
    return WithInputs(parent, std::move(inputs));
  }

  // Estimated rows the scans of a subtree read (before their filters), literal rows included.
  double ScanRows(const NodePtr& node) {
    if (node->kind == NodeKind::kValues) return estimator_.Of(node).rows;
    if (node->kind == NodeKind::kTableScan || node->kind == NodeKind::kFileScan) {
      std::shared_ptr<LogicalNode> unfiltered;
      if (node->kind == NodeKind::kTableScan) {
        auto copy = std::make_shared<TableScanNode>(node->As<TableScanNode>());
        copy->filter.reset();
        unfiltered = copy;
      } else {
        auto copy = std::make_shared<FileScanNode>(node->As<FileScanNode>());
        copy->filter.reset();
        unfiltered = copy;
      }
      keep_.push_back(unfiltered);  // the estimator caches by address
      return estimator_.Of(unfiltered).rows;
    }
    double rows = 0;
    for (const auto& input : node->inputs) rows += ScanRows(input);
    return rows;
  }

  Estimator estimator_;
  std::vector<NodePtr> keep_;
};

}  // namespace

arrow::Result<NodePtr> FilterAggregatesByJoinKeys(const NodePtr& node) { return KeyFilter().Rewrite(node); }

}  // namespace tidelake::plan
