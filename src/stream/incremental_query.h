// A query's logical plan run incrementally over streams, batch after batch, so that the rows
// it writes over a whole stream are the rows the same plan gives in batch mode over all of it
// (except late rows, which are dropped and counted).
//
// The shapes it runs:
//  - stateless plans: operators that give the same rows batch by batch as all at once —
//    filters, projections, UNION ALL, window assignment (not sessions), joins of a stream (on
//    the left) with tables. Each batch runs the whole plan with the streaming scans replaced
//    by the rows the batch read. Tables (an enrichment join's dimension table) are read at
//    their newest version in every batch: a batch sees the table as it is when it runs.
//  - one windowed aggregation (append mode): an AggregateNode grouping by an event-time
//    window (a plan::TimeWindowNode under it, through projections and filters) over a stateless
//    input, under stateless operators. Rows wait in state until the watermark closes their
//    windows; then the plan above the window runs once over the rows of the windows that
//    closed, so every window's result is written once, complete. The watermark is the largest
//    event time seen minus the delay of the WatermarkNode on the window's time column, and
//    never moves back; a row that arrives when every window holding it has closed is late:
//    dropped and counted, and with a late sink (set_late_sink) also written there, with the
//    reason and the watermark it missed (late_schema()), exactly once per batch.
//  - one aggregation without a window (update mode): count, sum, min and max grouped by
//    columns, under projections only. Its state is the current result of every group; each
//    batch aggregates its rows, merges them into the state (counts and sums add, minima and
//    maxima compare) and writes the groups it changed, which the sink upserts on the GROUP BY
//    columns (output_mode() == kUpdate; upsert_keys() names them in the output).
// Anything else (sorting, limits, window functions, joins of two streams, aggregates that do
// not merge such as count(DISTINCT) or avg without a window) is refused by Make, naming what
// would need state.
//
// State (the waiting rows or the groups, the watermark, the late-row count) is saved with
// every commit and restored on restart, so a re-run batch computes what it computed the first
// time.
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
#include "stream/sink.h"

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

  enum class OutputMode { kAppend, kUpdate };
  OutputMode output_mode() const { return update_ ? OutputMode::kUpdate : OutputMode::kAppend; }
  /// Update mode: the output columns the sink upserts on (the GROUP BY columns).
  const std::vector<std::string>& upsert_keys() const { return upsert_keys_; }

  /// Window mode: the columns of late rows (the window's input, then late_reason and
  /// watermark); null for queries without a window.
  std::shared_ptr<arrow::Schema> late_schema() const;
  /// Where late rows go (besides being counted); none: they are dropped.
  void set_late_sink(std::unique_ptr<Sink> sink) { late_sink_ = std::move(sink); }

 private:
  IncrementalQuery(plan::PlanRoot root, std::map<const plan::LogicalNode*, std::string> streams,
                   exec::ExecOptions options)
      : root_(std::move(root)), streams_(std::move(streams)), options_(options) {}

  /// The plan's table scans at their newest versions, where they moved (by node).
  arrow::Status RefreshTables(std::map<const plan::LogicalNode*, plan::NodePtr>* replacements);
  /// Finds the windowed aggregation and checks every other operator is stateless.
  arrow::Status Analyze(const plan::NodePtr& node, bool* streams);
  /// The rows of `node`'s plan, with `replacements` substituted.
  arrow::Result<std::shared_ptr<arrow::Table>> Evaluate(
      const plan::NodePtr& node, const std::map<const plan::LogicalNode*, plan::NodePtr>& replacements,
      const std::vector<std::string>& names);
  /// Writes the rows of `fresh` that `kept` leaves out (and that have a time) to the late sink.
  arrow::Status WriteLate(const std::shared_ptr<arrow::Table>& fresh, const arrow::BooleanArray& kept,
                          const BatchContext& context);
  /// Drops the waiting rows whose windows have all closed at `watermark`.
  arrow::Status Evict(int64_t watermark);
  /// Windowed aggregation (append mode) and aggregation without a window (update mode).
  arrow::Result<std::shared_ptr<arrow::Table>> RunWindowed(std::map<const plan::LogicalNode*, plan::NodePtr> replacements,
                                                           const BatchContext& context);
  arrow::Result<std::shared_ptr<arrow::Table>> RunUpdate(std::map<const plan::LogicalNode*, plan::NodePtr> replacements);
  /// Checks an aggregation without a window can run in update mode; sets update_.
  arrow::Status PlanUpdate(const plan::NodePtr& aggregate);

  plan::PlanRoot root_;
  std::map<const plan::LogicalNode*, std::string> streams_;
  exec::ExecOptions options_;

  // The windowed aggregation, if any.
  const plan::TimeWindowNode* window_ = nullptr;
  int64_t delay_us_ = 0;
  // The aggregation in update mode, if any, and how its state merges.
  std::shared_ptr<const plan::LogicalNode> update_;
  std::shared_ptr<const plan::AggregateNode> merge_;  ///< merges state rows (over update_'s output)
  std::vector<std::string> upsert_keys_;
  std::unique_ptr<Sink> late_sink_;
  std::vector<const plan::TableScanNode*> tables_;  ///< scans of tables (not streams) in root_

  // State: window mode: rows of the window's input whose windows are open; update mode: the
  // current result of every group (update_'s output).
  std::shared_ptr<arrow::Table> waiting_;
  std::optional<int64_t> watermark_;
  std::optional<int64_t> max_event_time_;
  int64_t late_rows_ = 0;
  std::string committed_file_;  ///< the state file the last commit names
};

}  // namespace tidelake::stream
