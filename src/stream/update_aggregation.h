// An aggregation without a window run over a stream in update mode: count, sum, min and max
// (and the other aggregates that merge, see aggregate_merge.h) grouped by columns. Its state is
// the current result of every group, keyed by the GROUP BY columns (in memory, or in RocksDB
// beyond the query's state budget: keyed_rows.h); each batch aggregates its rows, merges them
// with the stored results of its groups (counts and sums add, minima and maxima compare), stores
// them back and emits them, the groups it changed, which the sink upserts on the GROUP BY
// columns. Its output is upserts, not appends, so only projections may read it.
#pragma once

#include <memory>

#include "exec/executor.h"
#include "stream/keyed_rows.h"
#include "stream/stateful_operator.h"

namespace tidelake::stream {

class UpdateAggregation : public StatefulOperator {
 public:
  /// Fails, naming what needs state, unless every aggregate of `aggregate` merges.
  static arrow::Result<std::unique_ptr<UpdateAggregation>> Make(plan::NodePtr aggregate, exec::ExecOptions options,
                                                                std::shared_ptr<StateBudget> budget = nullptr);

  const plan::LogicalNode* node() const override { return aggregate_.get(); }
  arrow::Result<std::shared_ptr<arrow::Table>> Run(const Replacements& below, const BatchContext& context) override;
  std::optional<int64_t> watermark() const override { return std::nullopt; }
  int64_t state_rows() const override { return groups_.num_rows(); }
  /// Every group's current result (read whole, from RocksDB too).
  arrow::Result<std::shared_ptr<arrow::Table>> AllGroups() const { return groups_.AllRows(); }
  arrow::Result<nlohmann::json> SaveState(const Checkpoint& checkpoint, int64_t batch_id,
                                          std::set<std::string>* files) override;
  arrow::Status RestoreState(const Checkpoint& checkpoint, const nlohmann::json& state,
                             std::set<std::string>* files) override;

 private:
  UpdateAggregation(plan::NodePtr aggregate, std::shared_ptr<const plan::AggregateNode> merge,
                    exec::ExecOptions options, std::shared_ptr<StateBudget> budget);

  plan::NodePtr aggregate_;
  std::shared_ptr<const plan::AggregateNode> merge_;  ///< merges state rows (over aggregate_'s output)
  exec::ExecOptions options_;
  KeyedRows groups_;  ///< the current result of every group (aggregate_'s output)
};

}  // namespace tidelake::stream
