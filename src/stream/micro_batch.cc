#include "stream/micro_batch.h"

#include <chrono>
#include <thread>

#include <arrow/io/interfaces.h>
#include <arrow/util/thread_pool.h>
#include <nlohmann/json.hpp>

#include "common/clock.h"

namespace tidelake::stream {

namespace {

// Between two triggers, how long the runner sleeps between two calls of Source::ReadAhead:
// a batch generates or fetches at most this long's arrivals itself.
constexpr std::chrono::milliseconds kReadAheadPause{5};

class FunctionTransform : public Transform {
 public:
  explicit FunctionTransform(BatchTransform function) : function_(std::move(function)) {}
  arrow::Result<std::shared_ptr<arrow::Table>> Run(const std::map<std::string, std::shared_ptr<arrow::Table>>& inputs,
                                                   const BatchContext&) override {
    return function_(inputs);
  }

 private:
  BatchTransform function_;
};

// Writes the plan of a batch on an I/O thread: it becomes durable while the batch runs.
arrow::Result<arrow::Future<>> WritePlanInBackground(const Checkpoint& checkpoint, BatchPlan plan) {
  return arrow::io::default_io_context().executor()->Submit(
      [&checkpoint, plan = std::move(plan)] { return checkpoint.WritePlan(plan); });
}

struct WaitOnReturn {
  const arrow::Future<>& future;
  ~WaitOnReturn() { future.Wait(); }
};

}  // namespace

MicroBatchRunner::MicroBatchRunner(std::vector<std::unique_ptr<Source>> sources, std::unique_ptr<Transform> transform,
                                   std::unique_ptr<Sink> sink, std::unique_ptr<Checkpoint> checkpoint)
    : sources_(std::move(sources)),
      transform_(std::move(transform)),
      sink_(std::move(sink)),
      checkpoint_(std::move(checkpoint)),
      clock_(NowMillis) {}

arrow::Result<std::unique_ptr<MicroBatchRunner>> MicroBatchRunner::Make(std::vector<std::unique_ptr<Source>> sources,
                                                                        BatchTransform transform,
                                                                        std::unique_ptr<Sink> sink,
                                                                        std::unique_ptr<Checkpoint> checkpoint) {
  if (!transform) return arrow::Status::Invalid("a streaming query needs a transform");
  return Make(std::move(sources), std::make_unique<FunctionTransform>(std::move(transform)), std::move(sink),
              std::move(checkpoint));
}

arrow::Result<std::unique_ptr<MicroBatchRunner>> MicroBatchRunner::Make(std::vector<std::unique_ptr<Source>> sources,
                                                                        std::unique_ptr<Transform> transform,
                                                                        std::unique_ptr<Sink> sink,
                                                                        std::unique_ptr<Checkpoint> checkpoint) {
  if (sources.empty()) return arrow::Status::Invalid("a streaming query needs at least one source");
  std::map<std::string, int> names;
  for (const auto& s : sources) {
    if (++names[s->name()] > 1) return arrow::Status::Invalid("two sources of one streaming query are named '", s->name(), "'");
  }
  if (!transform || !sink || !checkpoint) return arrow::Status::Invalid("a streaming query needs a transform, a sink and a checkpoint");
  return std::unique_ptr<MicroBatchRunner>(
      new MicroBatchRunner(std::move(sources), std::move(transform), std::move(sink), std::move(checkpoint)));
}

arrow::Status MicroBatchRunner::Recover() {
  if (recovered_) return arrow::Status::OK();
  ARROW_ASSIGN_OR_RAISE(auto plan, checkpoint_->LatestPlan());
  ARROW_ASSIGN_OR_RAISE(auto commit, checkpoint_->LatestCommit());
  if (commit && (!plan || commit->batch_id > plan->batch_id)) {
    return arrow::Status::Invalid("the streaming checkpoint in ", checkpoint_->dir(), " records batch ", commit->batch_id,
                                  " as done but never planned it; it is corrupt");
  }
  if (plan) {
    if (!commit || commit->batch_id < plan->batch_id) pending_ = *plan;
    if (commit && commit->batch_id < plan->batch_id - 1) {
      return arrow::Status::Invalid("the streaming checkpoint in ", checkpoint_->dir(), " is missing the commit of batch ",
                                    plan->batch_id - 1, "; it is corrupt");
    }
    next_batch_ = plan->batch_id + 1;
    positions_ = plan->end;
  }
  // The state the next batch starts from: after the last committed batch.
  if (commit) ARROW_RETURN_NOT_OK(transform_->RestoreState(*checkpoint_, commit->state));
  // A source no batch has read yet starts where it first started, decided once: a source that
  // starts at its newest message (Kafka's latest offsets) must not start anew at each restart.
  ARROW_ASSIGN_OR_RAISE(auto initial, checkpoint_->InitialOffsets());
  for (const auto& source : sources_) {
    if (positions_.count(source->name()) != 0) continue;
    auto it = initial.find(source->name());
    if (it != initial.end()) {
      positions_[source->name()] = it->second;
      continue;
    }
    ARROW_ASSIGN_OR_RAISE(std::string offset, source->InitialOffset());
    ARROW_RETURN_NOT_OK(checkpoint_->WriteInitialOffset(source->name(), offset));
    positions_[source->name()] = std::move(offset);
  }
  const int64_t now = clock_();
  for (const auto& source : sources_) rows_at_ms_[source->name()] = now;
  recovered_ = true;
  return arrow::Status::OK();
}

arrow::Result<std::optional<BatchProgress>> MicroBatchRunner::RunBatch() {
  ARROW_RETURN_NOT_OK(Recover());
  if (pending_) {
    BatchPlan plan = std::move(*pending_);
    pending_.reset();
    // A source added to the query since that batch was planned reads nothing in it.
    for (const auto& source : sources_) {
      if (plan.start.count(source->name()) == 0) {
        plan.start[source->name()] = positions_[source->name()];
        plan.end[source->name()] = positions_[source->name()];
      }
    }
    return Execute(plan, /*recovered=*/true, arrow::Future<>::MakeFinished());
  }
  BatchPlan plan;
  plan.batch_id = next_batch_;
  bool any = false;
  const int64_t now = clock_();
  for (const auto& source : sources_) {
    const std::string& start = positions_[source->name()];
    ARROW_ASSIGN_OR_RAISE(auto end, source->NextEnd(start));
    plan.start[source->name()] = start;
    plan.end[source->name()] = end ? *end : start;
    any = any || end.has_value();
    if (end) rows_at_ms_[source->name()] = now;
  }
  if (!any) return std::nullopt;
  for (const auto& source : sources_) {
    auto timeout = idle_timeouts_ms_.find(source->name());
    if (!detect_idle_ || timeout == idle_timeouts_ms_.end() || timeout->second <= 0) continue;
    const std::string& name = source->name();
    if (plan.start[name] == plan.end[name] && now - rows_at_ms_[name] >= timeout->second) plan.idle.insert(name);
  }
  ARROW_ASSIGN_OR_RAISE(auto plan_written, WritePlanInBackground(*checkpoint_, plan));
  next_batch_ = plan.batch_id + 1;
  positions_ = plan.end;
  return Execute(plan, /*recovered=*/false, std::move(plan_written));
}

arrow::Result<BatchProgress> MicroBatchRunner::RunEndOfInputBatch() {
  ARROW_RETURN_NOT_OK(Recover());
  if (pending_) return arrow::Status::Invalid("internal error: the end-of-input batch must follow the last batch");
  BatchPlan plan;
  plan.batch_id = next_batch_;
  plan.start = positions_;
  plan.end = positions_;
  plan.end_of_input = true;
  ARROW_ASSIGN_OR_RAISE(auto plan_written, WritePlanInBackground(*checkpoint_, plan));
  next_batch_ = plan.batch_id + 1;
  return Execute(plan, /*recovered=*/false, std::move(plan_written));
}

arrow::Result<BatchProgress> MicroBatchRunner::Execute(const BatchPlan& plan, bool recovered,
                                                      arrow::Future<> plan_written) {
  // Whatever happens below, the plan's write ends before this returns (it reads the checkpoint).
  WaitOnReturn wait{plan_written};
  const int64_t started = NowMillis();
  BatchProgress progress;
  int64_t phase_start = started;
  auto phase = [&](const char* name) {
    const int64_t now = NowMillis();
    progress.phase_ms[name] = now - phase_start;
    phase_start = now;
    return now;
  };
  progress.batch_id = plan.batch_id;
  progress.recovered = recovered;
  std::map<std::string, std::shared_ptr<arrow::Table>> inputs;
  for (const auto& source : sources_) {
    const std::string& start = plan.start.at(source->name());
    const std::string& end = plan.end.at(source->name());
    std::shared_ptr<arrow::Table> rows;
    if (start == end) {
      ARROW_ASSIGN_OR_RAISE(rows, arrow::Table::MakeEmpty(source->schema()));
    } else {
      ARROW_ASSIGN_OR_RAISE(rows, source->Read(start, end));
    }
    progress.input_rows += rows->num_rows();
    inputs[source->name()] = std::move(rows);
  }
  phase("read");
  ARROW_ASSIGN_OR_RAISE(auto output, transform_->Run(inputs, BatchContext{plan.batch_id, plan.end_of_input,
                                                                      checkpoint_->query_id(), plan.idle}));
  progress.output_rows = output->num_rows();
  phase("transform");
  ARROW_RETURN_NOT_OK(plan_written.status());
  phase("planWait");
  ARROW_ASSIGN_OR_RAISE(SinkResult written, sink_->Write(checkpoint_->query_id(), plan.batch_id, output));
  progress.visible_ms = phase("write");
  progress.write_skipped = written.skipped;
  progress.rows_written = written.skipped ? 0 : written.rows_written;
  ARROW_ASSIGN_OR_RAISE(std::string state, transform_->SaveState(*checkpoint_, plan.batch_id));
  ARROW_RETURN_NOT_OK(checkpoint_->WriteCommit(BatchCommit{plan.batch_id, state}));
  phase("checkpoint");
  progress.metrics = transform_->metrics();
  progress.idle_inputs = plan.idle;
  progress.timestamp_ms = NowMillis();
  progress.duration_ms = progress.timestamp_ms - started;
  nlohmann::json line{{"batchId", progress.batch_id},        {"timestamp", progress.timestamp_ms},
                      {"recovered", progress.recovered},     {"numInputRows", progress.input_rows},
                      {"numOutputRows", progress.output_rows}, {"writeSkipped", progress.write_skipped},
                      {"numRowsWritten", progress.rows_written},
                      {"durationMs", progress.duration_ms},  {"endOffsets", plan.end},
                      {"stateRows", progress.metrics.state_rows}, {"lateRows", progress.metrics.late_rows},
                      {"visibleAt", progress.visible_ms},     {"phaseMs", progress.phase_ms}};
  if (progress.metrics.watermark_us) line["watermarkUs"] = *progress.metrics.watermark_us;
  if (plan.end_of_input) line["endOfInput"] = true;
  if (!plan.idle.empty()) line["idleInputs"] = plan.idle;
  ARROW_RETURN_NOT_OK(checkpoint_->AppendProgress(line.dump()));
  return progress;
}

arrow::Status MicroBatchRunner::Run(const Trigger& trigger, const std::function<void(const BatchProgress&)>& on_batch,
                                    const std::atomic<bool>* stop) {
  auto stopped = [stop] { return stop != nullptr && stop->load(); };
  ARROW_RETURN_NOT_OK(Recover());
  if (trigger.kind == TriggerKind::kProcessingTime && trigger.interval_ms < 0) {
    return arrow::Status::Invalid("the trigger interval must not be negative, got ", trigger.interval_ms, " ms");
  }
  // Bounded runs never call a source idle (see the header); RunBatch on its own may again after.
  detect_idle_ = trigger.kind == TriggerKind::kProcessingTime;
  struct DetectIdleAgain {
    bool& flag;
    ~DetectIdleAgain() { flag = true; }
  } detect_idle_again{detect_idle_};
  if (trigger.kind == TriggerKind::kAvailableNow) {
    for (const auto& source : sources_) ARROW_RETURN_NOT_OK(source->PrepareAvailableNow(positions_[source->name()]));
  }
  bool ran_new = false;
  while (!stopped()) {
    const bool was_pending = pending_.has_value();
    const auto started = std::chrono::steady_clock::now();
    ARROW_ASSIGN_OR_RAISE(auto progress, RunBatch());
    if (progress && on_batch) on_batch(*progress);
    if (progress && !was_pending) ran_new = true;
    switch (trigger.kind) {
      case TriggerKind::kOnce:
        if (ran_new || !progress) return arrow::Status::OK();
        continue;
      case TriggerKind::kAvailableNow:
        // Everything available has been processed once a batch finds nothing new.
        if (!progress) {
          if (!trigger.end_of_input) return arrow::Status::OK();
          ARROW_ASSIGN_OR_RAISE(auto last, RunEndOfInputBatch());
          if (on_batch) on_batch(last);
          return arrow::Status::OK();
        }
        continue;
      case TriggerKind::kProcessingTime:
        break;
    }
    // Until the next trigger, the sources may read what arrives (Source::ReadAhead), so the
    // batch starts with most of its rows ready.
    const auto next = started + std::chrono::milliseconds(trigger.interval_ms);
    while (!stopped() && std::chrono::steady_clock::now() < next) {
      if (!pending_) {
        for (const auto& source : sources_) source->ReadAhead(positions_[source->name()], next);
      }
      std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(next - std::chrono::steady_clock::now(),
                                                                                 kReadAheadPause));
    }
  }
  return arrow::Status::OK();
}

}  // namespace tidelake::stream
