// How partial results of aggregates combine, for the stateful aggregations that keep partial
// results instead of rows (an aggregation in update mode, a windowed aggregation): counts add
// up, sums add, minima and maxima compare, bool_and and bool_or combine, any_value takes any.
// Others (avg, count(DISTINCT), stddev, percentiles, collect_list, ...) do not merge this way.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "plan/logical_plan.h"

namespace tidelake::stream {

/// The call that combines partial results of `call` (in field `partial`), or nothing when the
/// aggregate does not merge.
std::optional<plan::AggregateCall> MergeCall(const plan::AggregateCall& call, const std::string& partial);

/// An aggregation of rows with `schema` (the keys, then one partial result per call of
/// `calls`) that merges the rows of each group into one; nullptr when a call does not merge.
/// Its input is left for the caller to set.
std::shared_ptr<plan::AggregateNode> MergeNode(const std::shared_ptr<arrow::Schema>& schema,
                                               const std::vector<std::string>& keys,
                                               const std::vector<plan::AggregateCall>& calls);

}  // namespace tidelake::stream
