#include "stream/aggregate_merge.h"

namespace tidelake::stream {

std::optional<plan::AggregateCall> MergeCall(const plan::AggregateCall& call, const std::string& partial) {
  plan::AggregateCall combine = call;
  combine.args = {partial};
  const std::string& f = call.function;
  if (f == "hash_count" || f == "hash_count_all" || f == "hash_tidelake_count_all_valid") {
    combine.function = "hash_sum";  // of the partial counts, which are never null
    combine.options = nullptr;
  } else if (f == "hash_sum" || f == "hash_min" || f == "hash_max" || f == "hash_tidelake_min" ||
             f == "hash_tidelake_max" || f == "hash_all" || f == "hash_any" || f == "hash_one") {
    // The same function over the partial results (a sum of partial sums, ...).
  } else {
    return std::nullopt;
  }
  return combine;
}

std::shared_ptr<plan::AggregateNode> MergeNode(const std::shared_ptr<arrow::Schema>& schema,
                                               const std::vector<std::string>& keys,
                                               const std::vector<plan::AggregateCall>& calls) {
  auto merge = std::make_shared<plan::AggregateNode>();
  merge->keys = keys;
  merge->schema = schema;
  for (size_t i = 0; i < calls.size(); ++i) {
    auto combine = MergeCall(calls[i], schema->field(static_cast<int>(keys.size() + i))->name());
    if (!combine) return nullptr;
    merge->aggregates.push_back(std::move(*combine));
  }
  return merge;
}

}  // namespace tidelake::stream
