// The micro-batch runner: drives one streaming query from its sources through its transform
// into its sink, one batch at a time, exactly once across crashes and restarts.
//
// A batch is: plan (each source's range: from where the previous batch ended to the source's
// NextEnd; recorded in the checkpoint before the sink writes anything: the plan's file is made
// durable while the batch reads and transforms its rows, so that its fsyncs add no latency),
// read, transform, write (the sink is idempotent per batch id), commit (recorded in the
// checkpoint). A batch planned but
// not committed when the process died is re-run first on restart, with exactly its recorded
// ranges. The runner owns no rows between batches: a stateful transform's state is saved with
// each commit (Transform::SaveState) and restored from the last commit on restart, so a re-run
// batch starts from the state it started from the first time.
//
// Idle inputs: a source given an idle timeout (set_idle_timeouts) that has had no new rows for
// at least that long (processing time, by the runner's clock) when a batch is planned is idle in
// that batch: the plan records it (BatchPlan::idle) and the transform is told (BatchContext), so
// that the source stops holding back the watermark of what reads it (a join's other side). A
// re-run batch uses the recorded decision, never the clock. A source counts as active when the
// runner starts (a restarted query waits a whole timeout again). Bounded runs (once,
// available-now) never call a source idle: they process what exists, and their results must
// not depend on the clock. No batch is planned when no source has rows, so an idle source alone
// never moves time on.
//
// A bounded run (Trigger::end_of_input) ends with one more batch that reads nothing and tells
// the transform the inputs have ended, so it closes every open window.
//
// Not thread-safe: one thread drives a runner; another may ask it to stop through Run's flag.
#pragma once

#include <arrow/result.h>
#include <arrow/table.h>
#include <arrow/util/future.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "stream/checkpoint.h"
#include "stream/sink.h"
#include "stream/source.h"

namespace tidelake::stream {

enum class TriggerKind {
  kProcessingTime,  ///< a batch every interval while data arrives, until stopped
  kOnce,            ///< one batch of what is available, then stop
  kAvailableNow,    ///< batches until everything available at the start is processed, then stop
};

struct Trigger {
  TriggerKind kind = TriggerKind::kProcessingTime;
  int64_t interval_ms = 1000;
  /// With kAvailableNow: the sources are complete; after the last batch, close every window
  /// (as Flink does at the end of bounded input). Later rows for those windows will be late.
  bool end_of_input = false;
};

struct BatchContext {
  int64_t batch_id = 0;
  bool end_of_input = false;  ///< the inputs have ended: emit everything still held
  std::string query_id;       ///< the checkpoint's query id (side outputs write their txn with it)
  std::set<std::string> idle_inputs;  ///< sources idle in this batch (BatchPlan::idle)
};

/// What a transform reports of its state after a batch.
struct TransformMetrics {
  std::optional<int64_t> watermark_us;  ///< event time the query is complete up to
  int64_t state_rows = 0;               ///< rows held for windows still open
  int64_t late_rows = 0;                ///< rows that arrived after their windows closed (total)
};

/// A streaming query's logic: the rows a batch writes, from the rows each source read in it
/// (keyed by source name). One thread calls it, batch after batch.
class Transform {
 public:
  virtual ~Transform() = default;
  virtual arrow::Result<std::shared_ptr<arrow::Table>> Run(
      const std::map<std::string, std::shared_ptr<arrow::Table>>& inputs, const BatchContext& context) = 0;
  /// The state after the batch that just ran, as the blob its commit records (large parts go
  /// to files through `checkpoint`); "" when stateless.
  virtual arrow::Result<std::string> SaveState(const Checkpoint& checkpoint, int64_t batch_id) { return ""; }
  /// Restores the state a commit recorded (called once, before the first batch after a
  /// restart; never when no batch was committed).
  virtual arrow::Status RestoreState(const Checkpoint& checkpoint, const std::string& state) { return arrow::Status::OK(); }
  virtual TransformMetrics metrics() const { return {}; }
};

/// A stateless transform as a function.
using BatchTransform = std::function<arrow::Result<std::shared_ptr<arrow::Table>>(
    const std::map<std::string, std::shared_ptr<arrow::Table>>& inputs)>;

/// What one batch did.
struct BatchProgress {
  int64_t batch_id = 0;
  bool recovered = false;  ///< a batch planned before a restart, re-run
  int64_t input_rows = 0;
  int64_t output_rows = 0;
  bool write_skipped = false;  ///< the sink held the batch already
  int64_t rows_written = 0;    ///< the rows the sink wrote (0 when it held the batch already)
  int64_t duration_ms = 0;
  int64_t timestamp_ms = 0;  ///< when the batch finished
  int64_t visible_ms = 0;    ///< when the sink's write returned: its rows are visible from then
  /// Where the batch's time went, in ms: "read" (the sources), "transform", "planWait" (for its
  /// plan to be durable), "write" (the sink), "checkpoint" (the state and the commit record).
  std::map<std::string, int64_t> phase_ms;
  TransformMetrics metrics;   ///< the transform's state after the batch
  std::set<std::string> idle_inputs;  ///< sources idle in this batch
};

class MicroBatchRunner {
 public:
  static arrow::Result<std::unique_ptr<MicroBatchRunner>> Make(std::vector<std::unique_ptr<Source>> sources,
                                                               std::unique_ptr<Transform> transform,
                                                               std::unique_ptr<Sink> sink,
                                                               std::unique_ptr<Checkpoint> checkpoint);
  static arrow::Result<std::unique_ptr<MicroBatchRunner>> Make(std::vector<std::unique_ptr<Source>> sources,
                                                               BatchTransform transform, std::unique_ptr<Sink> sink,
                                                               std::unique_ptr<Checkpoint> checkpoint);

  /// Runs the next batch: an unfinished one first, else a new one if a source has new rows.
  /// nullopt when there was nothing to do.
  arrow::Result<std::optional<BatchProgress>> RunBatch();
  /// Runs the batch that tells the transform the inputs have ended (it reads nothing).
  arrow::Result<BatchProgress> RunEndOfInputBatch();

  /// Runs batches by `trigger` until it says stop or `*stop` becomes true (checked between
  /// batches and while waiting for the next one); calls `on_batch` after each batch (for
  /// status lines). Errors stop the query and are returned. While a processing-time trigger
  /// waits, the sources read ahead from where the next batch starts (Source::ReadAhead).
  arrow::Status Run(const Trigger& trigger, const std::function<void(const BatchProgress&)>& on_batch = {},
                    const std::atomic<bool>* stop = nullptr);

  const Checkpoint& checkpoint() const { return *checkpoint_; }

  /// Idle timeouts in milliseconds, by source name; a source without one (or with 0, as in
  /// Flink) is never idle.
  void set_idle_timeouts(std::map<std::string, int64_t> timeouts_ms) { idle_timeouts_ms_ = std::move(timeouts_ms); }
  /// The processing-time clock idleness is measured by (ms; NowMillis by default). For tests.
  void set_clock(std::function<int64_t()> now_ms) { clock_ = std::move(now_ms); }

 private:
  MicroBatchRunner(std::vector<std::unique_ptr<Source>> sources, std::unique_ptr<Transform> transform,
                   std::unique_ptr<Sink> sink, std::unique_ptr<Checkpoint> checkpoint);

  /// Loads where the checkpoint left off (once).
  arrow::Status Recover();
  /// `plan_written` completes once the plan is durable (for a batch planned by this process,
  /// its offsets file is being written meanwhile); the sink writes only after it.
  arrow::Result<BatchProgress> Execute(const BatchPlan& plan, bool recovered, arrow::Future<> plan_written);

  std::vector<std::unique_ptr<Source>> sources_;
  std::unique_ptr<Transform> transform_;
  std::unique_ptr<Sink> sink_;
  std::unique_ptr<Checkpoint> checkpoint_;
  bool recovered_ = false;
  std::optional<BatchPlan> pending_;               ///< planned, not committed (after a crash)
  int64_t next_batch_ = 0;
  std::map<std::string, std::string> positions_;  ///< where each source's next batch starts
  std::map<std::string, int64_t> idle_timeouts_ms_;
  std::function<int64_t()> clock_;
  bool detect_idle_ = true;                    ///< false in bounded runs
  std::map<std::string, int64_t> rows_at_ms_;  ///< when each source last had new rows (or the start)
};

}  // namespace tidelake::stream
