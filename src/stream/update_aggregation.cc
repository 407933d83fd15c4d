#include "stream/update_aggregation.h"

#include <arrow/api.h>

#include "stream/aggregate_merge.h"

namespace tidelake::stream {

UpdateAggregation::UpdateAggregation(plan::NodePtr aggregate, std::shared_ptr<const plan::AggregateNode> merge,
                                     exec::ExecOptions options, std::shared_ptr<StateBudget> budget)
    : aggregate_(std::move(aggregate)),
      merge_(std::move(merge)),
      options_(options),
      groups_(aggregate_->schema, aggregate_->As<plan::AggregateNode>().keys, std::move(budget), options) {}

arrow::Result<std::unique_ptr<UpdateAggregation>> UpdateAggregation::Make(plan::NodePtr node,
                                                                          exec::ExecOptions options,
                                                                          std::shared_ptr<StateBudget> budget) {
  const auto& aggregate = node->As<plan::AggregateNode>();
  if (!aggregate.grouping_sets.empty()) return NeedsState("ROLLUP, CUBE or GROUPING SETS");
  for (const auto& call : aggregate.aggregates) {
    if (!MergeCall(call, "")) {
      return NeedsState(call.function.substr(call.function.find('_') + 1) +
                        " in an aggregation without a window (count, sum, min and max merge across batches; "
                        "group by an event-time window for the others)");
    }
  }
  auto merge = MergeNode(node->schema, aggregate.keys, aggregate.aggregates);
  return std::unique_ptr<UpdateAggregation>(
      new UpdateAggregation(std::move(node), std::move(merge), options, std::move(budget)));
}

arrow::Result<std::shared_ptr<arrow::Table>> UpdateAggregation::Run(const Replacements& below, const BatchContext&) {
  // The batch's groups, merged into the state; the groups it touched are its output.
  const auto& input = aggregate_->inputs[0];
  const auto& schema = aggregate_->schema;
  ARROW_ASSIGN_OR_RAISE(auto fresh, EvaluateNode(input, below, options_, "the rows reaching the aggregation"));
  ARROW_ASSIGN_OR_RAISE(auto batch, EvaluateNode(plan::WithInputs(*aggregate_, {Values(input->schema, fresh)}), {},
                                                 options_, "the batch's groups"));
  if (batch->num_rows() == 0) return batch;
  // The batch's groups' stored results (NULL keys match NULL), merged with the batch's: the
  // groups the batch touched, with their new results.
  ARROW_ASSIGN_OR_RAISE(auto stored, groups_.Lookup(batch, aggregate_->As<plan::AggregateNode>().keys));
  std::shared_ptr<arrow::Table> merged = batch;
  if (stored->num_rows() > 0) {
    ARROW_ASSIGN_OR_RAISE(auto both, AppendRows(stored, batch));
    ARROW_ASSIGN_OR_RAISE(merged, EvaluateNode(plan::WithInputs(*merge_, {Values(schema, both)}), {}, options_,
                                               "the merged groups"));
  }
  ARROW_RETURN_NOT_OK(groups_.Upsert(merged, stored->num_rows()));
  return merged;
}

arrow::Result<nlohmann::json> UpdateAggregation::SaveState(const Checkpoint& checkpoint, int64_t batch_id,
                                                           std::set<std::string>* files) {
  nlohmann::json state = nlohmann::json::object();
  ARROW_RETURN_NOT_OK(groups_.Save(checkpoint, batch_id, "rows", &state, files));
  return state;
}

arrow::Status UpdateAggregation::RestoreState(const Checkpoint& checkpoint, const nlohmann::json& state,
                                              std::set<std::string>* files) {
  return groups_.Restore(checkpoint, state, "rows", files);
}

}  // namespace tidelake::stream
