// A query's logical plan run incrementally over streams, batch after batch, so that the rows
// it writes over a whole stream are the rows the same plan gives in batch mode over all of it
// (except late rows, which are dropped and counted).
//
// The shapes it runs:
//  - stateless plans: operators that give the same rows batch by batch as all at once —
//    filters, projections, UNION ALL, window assignment (not sessions), joins of a stream (on
//    the left) with tables. Each batch runs the whole plan with the streaming scans replaced
//    by the rows the batch read.
//  - one windowed aggregation (append mode): an AggregateNode grouping by an event-time
//    window (a plan::TimeWindowNode under it, through projections and filters) over a stateless
//    input, under stateless operators. Rows wait in state until the watermark closes their
//    windows; then the plan above the window runs once over the rows of the windows that
//    closed, so every window's result is written once, complete. The watermark is the largest
//    event time seen minus the delay of the WatermarkNode on the window's time column, and
//    never moves back; a row that arrives when every window holding it has closed is late.
// Anything else (aggregation without a window, sorting, limits, window functions, joins of
// two streams) is refused by Make, naming what would need state.
//
// State (the waiting rows, the watermark, the late-row count) is saved with every commit and
// restored on restart, so a re-run batch computes what it computed the first time.
#pragma once

#include <arrow/result.h>
#include <arrow/table.h>

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "exec/executor.h"
#include "plan/logical_plan.h"
#include "stream/micro_batch.h"

namespace tidelake::stream {

class IncrementalQuery : public Transform {
 public:
  /// `streams`: the streaming scan nodes of `root` (or any nodes a batch's rows replace), with
  /// the name of the source whose rows replace each. Errors say what cannot be streamed.
  static arrow::Result<std::unique_ptr<IncrementalQuery>> Make(
      plan::PlanRoot root, std::map<const plan::LogicalNode*, std::string> streams, exec::ExecOptions options);

  arrow::Result<std::shared_ptr<arrow::Table>> Run(const std::map<std::string, std::shared_ptr<arrow::Table>>& inputs,
                                                   const BatchContext& context) override;
  arrow::Result<std::string> SaveState(const Checkpoint& checkpoint, int64_t batch_id) override;
  arrow::Status RestoreState(const Checkpoint& checkpoint, const std::string& state) override;
  TransformMetrics metrics() const override;

  /// True when the query keeps state (a windowed aggregation).
  bool stateful() const { return window_ != nullptr; }

 private:
  IncrementalQuery(plan::PlanRoot root, std::map<const plan::LogicalNode*, std::string> streams,
                   exec::ExecOptions options)
      : root_(std::move(root)), streams_(std::move(streams)), options_(options) {}

  /// Finds the windowed aggregation and checks every other operator is stateless.
  arrow::Status Analyze(const plan::NodePtr& node, bool* streams);
  /// The rows of `node`'s plan, with `replacements` substituted.
  arrow::Result<std::shared_ptr<arrow::Table>> Evaluate(
      const plan::NodePtr& node, const std::map<const plan::LogicalNode*, plan::NodePtr>& replacements,
      const std::vector<std::string>& names);
  /// Drops the waiting rows whose windows have all closed at `watermark`.
  arrow::Status Evict(int64_t watermark);

  plan::PlanRoot root_;
  std::map<const plan::LogicalNode*, std::string> streams_;
  exec::ExecOptions options_;

  // The windowed aggregation, if any.
  const plan::TimeWindowNode* window_ = nullptr;
  int64_t delay_us_ = 0;

  // State.
  std::shared_ptr<arrow::Table> waiting_;  ///< rows of the window's input whose windows are open
  std::optional<int64_t> watermark_;
  std::optional<int64_t> max_event_time_;
  int64_t late_rows_ = 0;
  std::string committed_file_;  ///< the state file the last commit names
};

}  // namespace tidelake::stream
