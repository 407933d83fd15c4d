// An aggregation over the groups of an aggregation in update mode, grouped by some of its GROUP
// BY columns (NEXMark q4: the average final price per category, over each auction's highest
// bid). Each batch the inner aggregation emits the groups it changed; the groups here that they
// belong to are computed again, whole, over every group the inner aggregation holds, and emitted,
// which the sink upserts on this aggregation's GROUP BY columns.
//
// Each GROUP BY column here is one of the inner aggregation's, passed through unchanged, so an
// inner group always belongs to the same group here and no group ever loses its last inner group:
// upserts suffice, and every aggregate computes as it does in batch mode (avg, min and max over
// changing values, count(DISTINCT) ...), since it runs over the inner aggregation's current
// groups, which are the batch answer of the inner query so far.
//
// It keeps no state of its own: its input is the inner aggregation's state, read whole each batch
// that changes it (from memory, or scanned from RocksDB).
#pragma once

#include <memory>

#include "exec/executor.h"
#include "stream/stateful_operator.h"
#include "stream/update_aggregation.h"

namespace tidelake::stream {

class UpdateRollup : public StatefulOperator {
 public:
  /// `aggregate` reads the output of `inner` through projections. Fails, naming what would need
  /// state, unless every GROUP BY column of `aggregate` is one of `inner`'s, passed through.
  static arrow::Result<std::unique_ptr<UpdateRollup>> Make(plan::NodePtr aggregate, const UpdateAggregation* inner,
                                                           exec::ExecOptions options);

  const plan::LogicalNode* node() const override { return aggregate_.get(); }
  arrow::Result<std::shared_ptr<arrow::Table>> Run(const Replacements& below, const BatchContext& context) override;
  std::optional<int64_t> watermark() const override { return std::nullopt; }
  int64_t state_rows() const override { return 0; }
  arrow::Result<nlohmann::json> SaveState(const Checkpoint& checkpoint, int64_t batch_id,
                                          std::set<std::string>* files) override {
    return nlohmann::json::object();
  }
  arrow::Status RestoreState(const Checkpoint& checkpoint, const nlohmann::json& state,
                             std::set<std::string>* files) override;

 private:
  UpdateRollup(plan::NodePtr aggregate, const UpdateAggregation* inner, exec::ExecOptions options)
      : aggregate_(std::move(aggregate)), inner_(inner), options_(options) {}

  plan::NodePtr aggregate_;
  const UpdateAggregation* inner_;
  exec::ExecOptions options_;
};

}  // namespace tidelake::stream
