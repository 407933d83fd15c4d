// Sub-plan reuse for streaming queries: a query that computes one aggregation twice (NEXMark
// q5 counts the bids per auction and hopping window once for its result and once for each
// window's maximum) runs it once and reads its rows in both places, as Flink does with
// `table.optimizer.reuse-sub-plan-enabled`. Each aggregation is a stateful operator, so this
// halves both its work per batch and its state.
#pragma once

#include "plan/logical_plan.h"

namespace tidelake::stream {

/// `root` with every aggregation that computes the same rows as one met before it (inputs
/// first, left to right; plan::SameComputation) replaced by a projection of that one's output
/// under its own column names. The result is a DAG when anything was shared: the earlier
/// aggregation is an input of both readers. Nodes not on a path to a replaced aggregation are
/// kept as they are (the same objects).
plan::NodePtr ShareRepeatedAggregations(const plan::NodePtr& root);

}  // namespace tidelake::stream
