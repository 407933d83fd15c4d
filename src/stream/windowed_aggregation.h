// An aggregation grouped by an event-time window, run over a stream in append mode: every
// window's result is emitted once, complete, in the batch whose watermark closes the window.
//
// State, by what the aggregates allow:
//  - partial results (when every aggregate merges, see aggregate_merge.h, and the windows are
//    neither sessions nor sliding windows, which rows arriving later make or change): each
//    batch assigns its rows to their windows, runs the projections and filters between the
//    window and the aggregation, and aggregates them by the GROUP BY keys and the window's
//    end; the state merges these partial results, one row per group and window. When windows
//    close, their rows leave the state and are merged by the GROUP BY keys alone: the result
//    the aggregation gives over the closed windows' rows. The state is as large as the open
//    groups, not the rows. Overlapping windows (HOP, CUMULATE) are cut into slices, the
//    tumbling windows of the greatest common divisor of their size and slide, as Flink does:
//    a row is aggregated once, into its slice, instead of once per window holding it, and a
//    closing window merges the partial results of its slices. This needs the window's start
//    and end to reach the aggregation only as GROUP BY keys, passed on unchanged (else each
//    row is aggregated per window); a slice leaves the state when the last window holding it
//    closes;
//  - rows (otherwise): the rows reaching the window (plan::TimeWindowNode) wait until the
//    watermark closes their windows; then the aggregation (and the projections and filters
//    between it and its window) runs once over the rows of the windows that closed.
// Either way a window closing in a batch gets the rows of every batch up to that one, so the
// result equals the batch answer over the same rows.
//
// The watermark is the largest event time seen minus the delay of the WatermarkNode on the
// window's time column or, when the window reads another operator's output (a join bounding the
// time column), that operator's watermark on the column; it never moves back. It is also the operator's output watermark: every
// window emitted later ends after it. A row that arrives when every window holding it has closed
// is late: dropped and counted, and with a late sink also written there, with the reason and the
// watermark it missed (late_schema()); for the windows of a row that have closed while others
// are open (hopping windows), it only counts in the open ones. A sliding window ends at each
// row's time, so a row at or before the watermark is late. At the end of input every open
// window closes.
//
// The same operator runs window functions partitioned by an event-time window's end (Flink's
// Window Top-N and Window Deduplication: ROW_NUMBER(), RANK() ... OVER (PARTITION BY
// window_start, window_end ... ORDER BY ...) under a WHERE or QUALIFY on the rank), with rows
// waiting: a window's partitions are complete when it closes, so the WindowNode (and the
// projections, filters and other such window functions between it and the window) runs once
// over the closed windows' rows, exactly as in batch mode. Its output passes the window's
// columns on, with the watermark.
#pragma once

#include <memory>
#include <optional>

#include "exec/executor.h"
#include "stream/keyed_rows.h"
#include "stream/sink.h"
#include "stream/stateful_operator.h"

namespace tidelake::stream {

class WindowedAggregation : public StatefulOperator {
 public:
  /// `aggregate`: an AggregateNode over `window` (through projections and filters), or a
  /// WindowNode partitioned by its end (through projections, filters and such WindowNodes);
  /// `time`: the watermark of the window's time column.
  static arrow::Result<std::unique_ptr<WindowedAggregation>> Make(plan::NodePtr aggregate,
                                                                  const plan::TimeWindowNode* window,
                                                                  ColumnWatermark time, exec::ExecOptions options,
                                                                  std::shared_ptr<StateBudget> budget = nullptr);

  const plan::LogicalNode* node() const override { return aggregate_.get(); }
  const plan::TimeWindowNode& window() const { return *window_; }
  arrow::Result<std::shared_ptr<arrow::Table>> Run(const Replacements& below, const BatchContext& context) override;
  std::optional<int64_t> watermark() const override { return watermark_; }
  /// The window ends among the output (GROUP BY keys, or a window function's input columns,
  /// passed through unchanged) carry the watermark.
  bool HasOutputWatermark(const std::string& field) const override;
  std::optional<int64_t> OutputWatermark(const std::string& field) const override {
    return HasOutputWatermark(field) ? watermark_ : std::nullopt;
  }
  int64_t state_rows() const override { return groups_ ? groups_->num_rows() : waiting_->num_rows(); }
  int64_t late_rows() const override { return late_rows_; }
  arrow::Result<nlohmann::json> SaveState(const Checkpoint& checkpoint, int64_t batch_id,
                                          std::set<std::string>* files) override;
  arrow::Status RestoreState(const Checkpoint& checkpoint, const nlohmann::json& state,
                             std::set<std::string>* files) override;

  /// The columns of late rows: the window's input, then late_reason and watermark.
  std::shared_ptr<arrow::Schema> late_schema() const;
  /// Where late rows go (besides being counted); none: they are dropped.
  void set_late_sink(std::unique_ptr<Sink> sink) { late_sink_ = std::move(sink); }

 private:
  WindowedAggregation(plan::NodePtr aggregate, const plan::TimeWindowNode* window, ColumnWatermark time,
                      exec::ExecOptions options)
      : aggregate_(std::move(aggregate)), window_(window), time_(std::move(time)), options_(options) {}

  /// Sets up partial results (partial_, merge_groups_, merge_closed_, groups_) when the
  /// aggregates merge.
  arrow::Status PlanPartialResults(std::shared_ptr<StateBudget> budget);
  /// Merges the batch's partial results `fresh` into groups_.
  arrow::Status MergeIntoGroups(const std::shared_ptr<arrow::Table>& fresh);
  /// Sets up slices_ when the windows overlap and their bounds reach the aggregation only as
  /// keys (start_keys_, end_keys_).
  void PlanSlices();
  /// The partial results of the windows ending in (after, through], from `slices` (partial_'s
  /// schema, by slice end): each slice's row once per such window holding it, with the
  /// window's bounds as its keys, then merged by the keys (aggregate_'s schema).
  arrow::Result<std::shared_ptr<arrow::Table>> WindowsFromSlices(const std::shared_ptr<arrow::Table>& slices,
                                                                 int64_t after, int64_t through);
  /// The time that stands for the slice ending at `end` (one it holds): every time of a slice
  /// is in the same windows.
  int64_t SliceTime(int64_t end) const;
  /// Run with partial results, or with rows waiting.
  arrow::Result<std::shared_ptr<arrow::Table>> RunPartial(const Replacements& below, const BatchContext& context);
  arrow::Result<std::shared_ptr<arrow::Table>> RunRows(const Replacements& below, const BatchContext& context);
  /// Which of the batch's rows (by event time) are not late; counts the late ones (into `late`
  /// and late_rows_) and follows the largest event time.
  arrow::Result<std::shared_ptr<arrow::BooleanArray>> SortOutLate(const arrow::ChunkedArray& times, int64_t* late);
  /// Moves the watermark on after a batch's rows; returns the one before.
  std::optional<int64_t> AdvanceWatermark(const BatchContext& context);
  /// Sets up the rows waiting (waiting_columns_, waiting_) when there are no partial results.
  arrow::Status PlanWaitingColumns(std::shared_ptr<StateBudget> budget);
  /// The window over `rows`, some of the waiting rows (only the columns they keep).
  plan::NodePtr WindowOverWaiting(std::shared_ptr<arrow::Table> rows) const;
  /// Whether a row of event time `t` is late, by the watermark before the batch.
  bool IsLate(int64_t t) const;
  /// Writes the batch's late rows (with all the window input's columns) to the late sink.
  arrow::Status WriteLate(const Replacements& below, const BatchContext& context);
  /// Drops the waiting rows whose windows have all closed at `watermark`. Sessions: `taken` are
  /// the rows at or before it, taken out of waiting_; those of sessions still open go back.
  arrow::Status Evict(int64_t watermark, const std::shared_ptr<arrow::Table>& taken);

  plan::NodePtr aggregate_;
  const plan::TimeWindowNode* window_;
  ColumnWatermark time_;
  exec::ExecOptions options_;
  std::unique_ptr<Sink> late_sink_;

  // Partial results, when the aggregates merge (else null):
  plan::NodePtr partial_;        ///< the aggregation by keys and window end (kWindowEnd, after the keys)
  plan::NodePtr merge_groups_;   ///< merges rows of partial_'s schema by keys and window end
  plan::NodePtr merge_closed_;   ///< merges closed windows' rows (aggregate_'s schema) by the keys
  /// Partial results of the open windows (partial_'s schema), keyed by keys and window end,
  /// taken in window-end order as windows close; in RocksDB beyond the state budget.
  std::unique_ptr<KeyedRows> groups_;
  /// Overlapping windows: the window cut into tumbling slices (partial_ then runs over it, and
  /// groups_ holds one row per group and slice, by the slice's end), else null; the positions
  /// of the GROUP BY keys that are the window's start and its end.
  std::shared_ptr<plan::TimeWindowNode> slices_;
  std::vector<int> start_keys_, end_keys_;

  /// Without partial results: the window's input rows whose windows are open, with only the
  /// columns the aggregation reads (waiting_columns_, a projection of the window's input), in
  /// event-time order (several per time); in RocksDB beyond the state budget, where closing
  /// windows reads only the rows at or before the watermark.
  plan::NodePtr waiting_columns_;
  std::unique_ptr<KeyedRows> waiting_;
  std::optional<int64_t> watermark_;
  std::optional<int64_t> max_event_time_;
  int64_t late_rows_ = 0;
};

}  // namespace tidelake::stream
