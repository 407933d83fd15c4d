// An aggregation grouped by an event-time window, run over a stream in append mode: the rows
// reaching the window (plan::TimeWindowNode) wait in state until the watermark closes their
// windows; then the aggregation (and the projections and filters between it and its window)
// runs once over the rows of the windows that closed, so every window's result is emitted once,
// complete.
//
// The watermark is the largest event time seen minus the delay of the WatermarkNode on the
// window's time column or, when the window reads another operator's output (a join bounding the
// time column), that operator's watermark on the column; it never moves back. It is also the operator's output watermark: every
// window emitted later ends after it. A row that arrives when every window holding it has closed
// is late: dropped and counted, and with a late sink also written there, with the reason and the
// watermark it missed (late_schema()). At the end of input every open window closes.
#pragma once

#include <memory>
#include <optional>

#include "exec/executor.h"
#include "stream/sink.h"
#include "stream/stateful_operator.h"

namespace tidelake::stream {

class WindowedAggregation : public StatefulOperator {
 public:
  /// `aggregate`: an AggregateNode over `window` (through projections and filters); `time`: the
  /// watermark of the window's time column.
  WindowedAggregation(plan::NodePtr aggregate, const plan::TimeWindowNode* window, ColumnWatermark time,
                      exec::ExecOptions options)
      : aggregate_(std::move(aggregate)), window_(window), time_(std::move(time)), options_(options) {}

  const plan::LogicalNode* node() const override { return aggregate_.get(); }
  const plan::TimeWindowNode& window() const { return *window_; }
  arrow::Result<std::shared_ptr<arrow::Table>> Run(const Replacements& below, const BatchContext& context) override;
  std::optional<int64_t> watermark() const override { return watermark_; }
  /// The window ends among the output (GROUP BY keys passed through unchanged) carry the watermark.
  bool HasOutputWatermark(const std::string& field) const override;
  std::optional<int64_t> OutputWatermark(const std::string& field) const override {
    return HasOutputWatermark(field) ? watermark_ : std::nullopt;
  }
  int64_t state_rows() const override { return waiting_.num_rows(); }
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
  /// Writes the rows of `fresh` that `kept` leaves out (and that have a time) to the late sink.
  arrow::Status WriteLate(const std::shared_ptr<arrow::Table>& fresh, const arrow::BooleanArray& kept,
                          const BatchContext& context);
  /// Drops the waiting rows whose windows have all closed at `watermark`.
  arrow::Status Evict(int64_t watermark);

  plan::NodePtr aggregate_;
  const plan::TimeWindowNode* window_;
  ColumnWatermark time_;
  exec::ExecOptions options_;
  std::unique_ptr<Sink> late_sink_;

  StateRows waiting_;  ///< rows of the window's input whose windows are open
  std::optional<int64_t> watermark_;
  std::optional<int64_t> max_event_time_;
  int64_t late_rows_ = 0;
};

}  // namespace tidelake::stream
