#include "exec/executor.h"

#include <arrow/acero/exec_plan.h>
#include <arrow/acero/options.h>
#include <arrow/compute/api.h>
#include <arrow/util/async_generator.h>
#include <arrow/util/thread_pool.h>

#include <algorithm>
#include <atomic>
#include <mutex>

#include "common/arrow_init.h"
#include "common/error.h"
#include "exec/exec_nodes.h"
#include "exec/memory_limit.h"
#include "exec/translate.h"
#include "plan/functions.h"

namespace tidelake::exec {

namespace acero = arrow::acero;
namespace cp = arrow::compute;

namespace {

// Output bytes queued for the caller before the plan pauses (and resumes below half of it).
int64_t BackpressureBytes(int64_t memory_limit) {
  constexpr int64_t kMax = 64LL << 20, kMin = 1LL << 20;
  if (memory_limit <= 0) return kMax;
  return std::clamp(memory_limit / 16, kMin, kMax);
}

struct PendingBatch;

// The plan and the sink it feeds; stops the plan and waits for it when dropped.
struct RunningPlan {
  std::shared_ptr<acero::ExecPlan> plan;
  std::function<arrow::Future<std::optional<cp::ExecBatch>>()> sink;
  std::shared_ptr<arrow::Schema> schema;  // what the caller sees
  arrow::MemoryPool* pool = nullptr;
  bool started = false;
  std::mutex mutex;
  std::optional<arrow::Status> failure;    // the plan finished with this error
  std::shared_ptr<PendingBatch> pending;   // the request in flight

  ~RunningPlan() {
    // A plan that never started has nothing to wait for (and would never finish).
    if (!plan || !started) return;
    if (!plan->finished().is_finished()) plan->StopProducing();
    IgnoreError(plan->finished().status());
  }
};

using BatchResult = arrow::Result<std::shared_ptr<arrow::RecordBatch>>;

// One request for the next batch; completed once, by the sink or by the plan's failure.
struct PendingBatch {
  arrow::Future<std::shared_ptr<arrow::RecordBatch>> future = arrow::Future<std::shared_ptr<arrow::RecordBatch>>::Make();
  std::atomic<bool> done{false};
  void Complete(BatchResult result) {
    if (!done.exchange(true)) future.MarkFinished(std::move(result));
  }
};

// A plan can fail without ever closing its sink (a node whose Init fails while the plan
// starts, say): its failure then completes the request in flight. The callbacks hold the
// plan weakly, so that a sink that never completes does not keep the plan alive.
void WatchForFailure(const std::shared_ptr<RunningPlan>& running) {
  std::weak_ptr<RunningPlan> weak = running;
  running->plan->finished().AddCallback([weak](const arrow::Status& status) {
    auto plan = weak.lock();
    if (!plan || status.ok()) return;
    std::shared_ptr<PendingBatch> pending;
    {
      std::lock_guard<std::mutex> lock(plan->mutex);
      plan->failure = status;
      pending = plan->pending;
    }
    if (pending) pending->Complete(status);
  });
}

arrow::Future<std::shared_ptr<arrow::RecordBatch>> NextBatch(const std::shared_ptr<RunningPlan>& running) {
  auto pending = std::make_shared<PendingBatch>();
  {
    std::lock_guard<std::mutex> lock(running->mutex);
    if (running->failure) return arrow::Future<std::shared_ptr<arrow::RecordBatch>>::MakeFinished(*running->failure);
    running->pending = pending;
  }
  std::weak_ptr<RunningPlan> weak = running;
  running->sink().AddCallback([weak, pending](const arrow::Result<std::optional<cp::ExecBatch>>& next) {
    auto running = weak.lock();
    if (!running) return pending->Complete(arrow::Status::Cancelled("the query was closed"));
    if (next.ok() && next->has_value()) return pending->Complete((*next)->ToRecordBatch(running->schema, running->pool));
    // The end, or the sink's error: report the plan's own status once it has finished.
    arrow::Status sink_status = next.status();
    running->plan->finished().AddCallback([pending, sink_status](const arrow::Status& plan_status) {
      if (!plan_status.ok()) return pending->Complete(plan_status);
      if (!sink_status.ok()) return pending->Complete(sink_status);
      pending->Complete(std::shared_ptr<arrow::RecordBatch>());
    });
  });
  return pending->future;
}

class PlanReader : public arrow::RecordBatchReader {
 public:
  PlanReader(std::shared_ptr<arrow::Schema> schema, std::shared_ptr<QueryMemoryPool> pool)
      : schema_(std::move(schema)), pool_(std::move(pool)) {}

  ~PlanReader() override { IgnoreError(Close()); }

  arrow::Status Start(acero::Declaration declaration, bool ordered, bool use_threads) {
    arrow::Status setup;
    std::shared_ptr<RunningPlan>* running_out = &running_;
    auto schema = schema_;
    auto* pool = pool_.get();
    int64_t pause_bytes = BackpressureBytes(pool_->limit());
    auto get_generator = [&, schema, pool](arrow::internal::Executor* executor)
        -> arrow::Result<std::function<arrow::Future<std::shared_ptr<arrow::RecordBatch>>()>> {
      auto running = std::make_shared<RunningPlan>();
      running->schema = schema;
      running->pool = pool;
      acero::QueryOptions query_options;
      query_options.memory_pool = pool;
      query_options.use_threads = use_threads;
      query_options.unaligned_buffer_handling = acero::UnalignedBufferHandling::kIgnore;
      cp::ExecContext exec_context(pool, executor);
      setup = [&]() -> arrow::Status {
        ARROW_ASSIGN_OR_RAISE(running->plan, acero::ExecPlan::Make(query_options, exec_context));
        std::shared_ptr<arrow::Schema> sink_schema;
        acero::BackpressureOptions backpressure(static_cast<uint64_t>(pause_bytes / 2),
                                                static_cast<uint64_t>(pause_bytes));
        auto with_sink = acero::Declaration::Sequence(
            {std::move(declaration),
             {"sink", acero::SinkNodeOptions(&running->sink, &sink_schema, backpressure, nullptr,
                                             ordered ? std::optional<bool>(true) : std::nullopt)}});
        ARROW_RETURN_NOT_OK(with_sink.AddToPlan(running->plan.get()));
        ARROW_RETURN_NOT_OK(running->plan->Validate());
        running->plan->StartProducing();
        running->started = true;
        WatchForFailure(running);
        return arrow::Status::OK();
      }();
      if (!setup.ok()) return setup;
      *running_out = running;
      return [running]() { return NextBatch(running); };
    };
    iterator_ = std::make_unique<arrow::Iterator<std::shared_ptr<arrow::RecordBatch>>>(
        arrow::internal::IterateSynchronously<std::shared_ptr<arrow::RecordBatch>>(std::move(get_generator),
                                                                                    use_threads));
    if (!setup.ok()) {
      iterator_.reset();
      running_.reset();
    }
    return setup;
  }

  std::shared_ptr<arrow::Schema> schema() const override { return schema_; }

  arrow::Status ReadNext(std::shared_ptr<arrow::RecordBatch>* batch) override {
    *batch = nullptr;
    if (!error_.ok()) return error_;
    if (!iterator_) return arrow::Status::OK();
    auto next = iterator_->Next();
    if (!next.ok()) {
      error_ = next.status();
      done_ = true;
      IgnoreError(Close());
      return error_;
    }
    *batch = std::move(*next);
    if (!*batch) {
      done_ = true;
      IgnoreError(Close());
    }
    return arrow::Status::OK();
  }

  arrow::Status Close() override {
    if (!iterator_) return arrow::Status::OK();
    if (!done_) {
      if (running_ && running_->plan) running_->plan->StopProducing();
      // Drain what is in flight so that no task outlives the reader.
      while (true) {
        auto next = iterator_->Next();
        if (!next.ok() || *next == nullptr) break;
      }
      done_ = true;
    }
    iterator_.reset();
    running_.reset();
    return arrow::Status::OK();
  }

 private:
  std::shared_ptr<arrow::Schema> schema_;
  std::shared_ptr<QueryMemoryPool> pool_;  // destroyed last: buffers of the plan point at it
  std::shared_ptr<RunningPlan> running_;
  std::unique_ptr<arrow::Iterator<std::shared_ptr<arrow::RecordBatch>>> iterator_;
  arrow::Status error_;
  bool done_ = false;  // the iterator returned its end or an error
};

}  // namespace

arrow::Result<std::unique_ptr<arrow::RecordBatchReader>> Execute(const plan::PlanRoot& root, const ExecOptions& options) {
  ARROW_RETURN_NOT_OK(EnsureArrowInitialized());
  ARROW_RETURN_NOT_OK(RegisterExecNodes());
  ARROW_RETURN_NOT_OK(plan::RegisterSqlFunctions());  // the executor's own expressions call them too
  if (!root.node || !root.node->schema) return arrow::Status::Invalid("internal error: the plan has no root");
  const auto& node_schema = *root.node->schema;
  if (static_cast<int>(root.column_names.size()) != node_schema.num_fields()) {
    return arrow::Status::Invalid("internal error: the plan names ", root.column_names.size(), " columns but returns ",
                                  node_schema.num_fields());
  }
  auto pool = QueryMemoryPool::Make(options.memory_limit_bytes, options.memory_limit_source);
  PlanTranslator translator(pool, options.use_threads);
  ARROW_ASSIGN_OR_RAISE(auto declaration, translator.Translate(root.node));

  // The declaration must produce the plan's types; where Acero typed a column differently
  // (an aggregate's natural type, say), cast it.
  ARROW_ASSIGN_OR_RAISE(auto produced, acero::DeclarationToSchema(declaration));
  if (produced->num_fields() != node_schema.num_fields()) {
    return arrow::Status::Invalid("internal error: the executor produces ", produced->num_fields(),
                                  " columns, the plan ", node_schema.num_fields());
  }
  bool conform = false;
  std::vector<cp::Expression> exprs;
  for (int i = 0; i < node_schema.num_fields(); ++i) {
    auto ref = cp::field_ref(i);
    const auto& want = node_schema.field(i)->type();
    if (produced->field(i)->type()->Equals(*want)) {
      exprs.push_back(ref);
    } else {
      conform = true;
      exprs.push_back(cp::call("cast", {ref}, cp::CastOptions::Safe(want)));
    }
  }
  if (conform) declaration = ProjectDeclaration(std::move(declaration), std::move(exprs), node_schema.field_names());

  arrow::FieldVector fields;
  for (int i = 0; i < node_schema.num_fields(); ++i) {
    fields.push_back(arrow::field(root.column_names[static_cast<size_t>(i)], node_schema.field(i)->type()));
  }
  auto reader = std::make_unique<PlanReader>(arrow::schema(std::move(fields)), pool);
  ARROW_RETURN_NOT_OK(reader->Start(std::move(declaration), root.ordered, options.use_threads));
  return reader;
}

}  // namespace tidelake::exec
