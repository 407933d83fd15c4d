#include "stream/update_rollup.h"

#include <arrow/api.h>

#include <algorithm>

namespace tidelake::stream {

arrow::Result<std::unique_ptr<UpdateRollup>> UpdateRollup::Make(plan::NodePtr node, const UpdateAggregation* inner,
                                                                exec::ExecOptions options) {
  const auto& aggregate = node->As<plan::AggregateNode>();
  const auto& inner_keys = inner->node()->As<plan::AggregateNode>().keys;
  if (!aggregate.grouping_sets.empty()) return NeedsState("ROLLUP, CUBE or GROUPING SETS over an aggregation");
  for (const auto& key : aggregate.keys) {
    const std::string under = PassedThrough(*node->inputs[0], key, *inner->node());
    if (under.empty() || std::find(inner_keys.begin(), inner_keys.end(), under) == inner_keys.end()) {
      return NeedsState("an aggregation over an aggregation without a window grouped by " + plan::DisplayName(key) +
                        ", which is not one of the inner GROUP BY columns (grouped by some of them, each inner group "
                        "stays in one group)");
    }
  }
  return std::unique_ptr<UpdateRollup>(new UpdateRollup(std::move(node), inner, options));
}

arrow::Result<std::shared_ptr<arrow::Table>> UpdateRollup::Run(const Replacements& below, const BatchContext&) {
  // The groups the batch touched: those of the inner groups it changed.
  const plan::NodePtr& input = aggregate_->inputs[0];
  ARROW_ASSIGN_OR_RAISE(auto touched, EvaluateNode(input, below, options_, "the changed groups' rows"));
  if (touched->num_rows() == 0) return arrow::Table::MakeEmpty(aggregate_->schema);
  // Those groups, computed again over every inner group.
  ARROW_ASSIGN_OR_RAISE(auto groups, inner_->AllGroups());
  Replacements all = below;
  all[inner_->node()] = Values(inner_->node()->schema, groups);
  ARROW_ASSIGN_OR_RAISE(auto results, EvaluateNode(aggregate_, all, options_, "the regrouped results"));
  const auto& keys = aggregate_->As<plan::AggregateNode>().keys;
  if (keys.empty()) return results;
  return RowsByKeys(results, aggregate_->schema, keys, touched, input->schema, keys, /*matching=*/true, options_);
}

arrow::Status UpdateRollup::RestoreState(const Checkpoint& checkpoint, const nlohmann::json& state,
                                         std::set<std::string>*) {
  if (!state.is_object() || !state.empty()) return CorruptState(checkpoint, "an aggregation over an aggregation keeps none");
  return arrow::Status::OK();
}

}  // namespace tidelake::stream
