#include "exec/exec_nodes.h"

#include <arrow/acero/query_context.h>
#include <arrow/acero/util.h>
#include <arrow/api.h>
#include <arrow/compute/api.h>

#include <atomic>
#include <mutex>

#include "exec/memory_limit.h"

namespace tidelake::exec {

namespace acero = arrow::acero;

namespace {

constexpr int64_t kMaxBatchRows = acero::ExecPlan::kMaxBatchSize;

// ---------------------------------------------------------------------------------------
// Materializing node

class MaterializeNode : public acero::ExecNode {
 public:
  MaterializeNode(acero::ExecPlan* plan, std::vector<acero::ExecNode*> inputs, const MaterializeNodeOptions& options,
                  std::unique_ptr<MaterializingOperator> op)
      : ExecNode(plan, std::move(inputs), {"input"}, options.output_schema),
        kind_(options.kind),
        ordering_(options.ordering.value_or(cp::Ordering::Implicit())),
        op_(std::move(op)) {}

  static arrow::Result<acero::ExecNode*> Make(acero::ExecPlan* plan, std::vector<acero::ExecNode*> inputs,
                                              const acero::ExecNodeOptions& options) {
    if (inputs.size() != 1) return arrow::Status::Invalid("the materializing node takes one input");
    const auto& opts = static_cast<const MaterializeNodeOptions&>(options);
    ARROW_ASSIGN_OR_RAISE(auto op, opts.make(inputs[0]->output_schema()));
    return plan->EmplaceNode<MaterializeNode>(plan, std::move(inputs), opts, std::move(op));
  }

  const char* kind_name() const override { return "MaterializeNode"; }
  const cp::Ordering& ordering() const override { return ordering_; }

  arrow::Status InputReceived(acero::ExecNode* input, cp::ExecBatch batch) override {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (failed_) return arrow::Status::OK();
      auto record_batch = batch.ToRecordBatch(inputs_[0]->output_schema(), plan_->query_context()->memory_pool());
      arrow::Status st = record_batch.ok() ? op_->Add(*record_batch, plan_->query_context()->exec_context())
                                           : record_batch.status();
      if (!st.ok()) {
        failed_ = true;
        return st;
      }
    }
    if (counter_.Increment()) return Finish();
    return arrow::Status::OK();
  }

  arrow::Status InputFinished(acero::ExecNode* input, int total_batches) override {
    if (counter_.SetTotal(total_batches)) return Finish();
    return arrow::Status::OK();
  }

  arrow::Status StartProducing() override { return arrow::Status::OK(); }
  void PauseProducing(acero::ExecNode* output, int32_t counter) override { inputs_[0]->PauseProducing(this, counter); }
  void ResumeProducing(acero::ExecNode* output, int32_t counter) override {
    inputs_[0]->ResumeProducing(this, counter);
  }

 protected:
  arrow::Status StopProducingImpl() override { return arrow::Status::OK(); }
  std::string ToStringExtra(int indent) const override { return kind_; }

 private:
  arrow::Status Finish() {
    std::shared_ptr<arrow::Table> table;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (failed_) return arrow::Status::OK();
      ARROW_ASSIGN_OR_RAISE(table, op_->Finish(plan_->query_context()->exec_context()));
      op_.reset();  // free the operator's state before the output is consumed
    }
    if (!table->schema()->Equals(*output_schema_, /*check_metadata=*/false)) {
      // The operator built its own names; only the types must agree.
      if (table->num_columns() != output_schema_->num_fields()) {
        return arrow::Status::Invalid("internal error: ", kind_, " produced ", table->num_columns(),
                                      " columns, expected ", output_schema_->num_fields());
      }
      for (int i = 0; i < table->num_columns(); ++i) {
        if (!table->schema()->field(i)->type()->Equals(*output_schema_->field(i)->type())) {
          return arrow::Status::Invalid("internal error: ", kind_, " produced column ",
                                        output_schema_->field(i)->name(), " as ",
                                        table->schema()->field(i)->type()->ToString(), ", expected ",
                                        output_schema_->field(i)->type()->ToString());
        }
      }
    }
    int index = 0;
    int64_t rows = table->num_rows();
    for (int64_t offset = 0; offset < rows; offset += kMaxBatchRows) {
      auto slice = table->Slice(offset, std::min<int64_t>(kMaxBatchRows, rows - offset));
      std::vector<arrow::Datum> values;
      for (const auto& column : slice->columns()) {
        if (column->num_chunks() == 1) {
          values.emplace_back(column->chunk(0));
        } else {
          ARROW_ASSIGN_OR_RAISE(auto combined,
                                arrow::Concatenate(column->chunks(), plan_->query_context()->memory_pool()));
          values.emplace_back(combined);
        }
      }
      cp::ExecBatch batch(std::move(values), slice->num_rows());
      batch.index = index++;
      plan_->query_context()->ScheduleTask(
          [this, batch = std::move(batch)]() mutable { return output_->InputReceived(this, std::move(batch)); },
          "MaterializeNode::Emit");
    }
    return output_->InputFinished(this, index);
  }

  std::string kind_;
  cp::Ordering ordering_;
  std::mutex mutex_;
  bool failed_ = false;
  std::unique_ptr<MaterializingOperator> op_;
  acero::AtomicCounter counter_;
};

// ---------------------------------------------------------------------------------------
// Streaming nodes: each input batch becomes zero or more output batches.

class StreamingNode : public acero::ExecNode {
 public:
  StreamingNode(acero::ExecPlan* plan, std::vector<acero::ExecNode*> inputs, std::shared_ptr<arrow::Schema> schema)
      : ExecNode(plan, std::move(inputs), {"input"}, std::move(schema)) {}

  arrow::Status InputReceived(acero::ExecNode* input, cp::ExecBatch batch) override {
    ARROW_ASSIGN_OR_RAISE(auto outputs, Process(std::move(batch)));
    for (auto& out : outputs) {
      out_count_.fetch_add(1);
      ARROW_RETURN_NOT_OK(output_->InputReceived(this, std::move(out)));
    }
    if (counter_.Increment()) return FinishOutput();
    return arrow::Status::OK();
  }

  arrow::Status InputFinished(acero::ExecNode* input, int total_batches) override {
    if (counter_.SetTotal(total_batches)) return FinishOutput();
    return arrow::Status::OK();
  }

  arrow::Status StartProducing() override { return arrow::Status::OK(); }
  void PauseProducing(acero::ExecNode* output, int32_t counter) override { inputs_[0]->PauseProducing(this, counter); }
  void ResumeProducing(acero::ExecNode* output, int32_t counter) override {
    inputs_[0]->ResumeProducing(this, counter);
  }

 protected:
  virtual arrow::Result<std::vector<cp::ExecBatch>> Process(cp::ExecBatch batch) = 0;
  arrow::Status StopProducingImpl() override { return arrow::Status::OK(); }

  arrow::Status FinishOutput() {
    if (finished_.exchange(true)) return arrow::Status::OK();
    return output_->InputFinished(this, out_count_.load());
  }

  arrow::MemoryPool* pool() { return plan_->query_context()->memory_pool(); }

  acero::AtomicCounter counter_;
  std::atomic<int> out_count_{0};
  std::atomic<bool> finished_{false};
};

class ExpandNode : public StreamingNode {
 public:
  ExpandNode(acero::ExecPlan* plan, std::vector<acero::ExecNode*> inputs, std::shared_ptr<arrow::Schema> schema,
             ExpandNodeOptions options)
      : StreamingNode(plan, std::move(inputs), std::move(schema)), options_(std::move(options)) {}

  static arrow::Result<acero::ExecNode*> Make(acero::ExecPlan* plan, std::vector<acero::ExecNode*> inputs,
                                              const acero::ExecNodeOptions& options) {
    if (inputs.size() != 1) return arrow::Status::Invalid("the expand node takes one input");
    const auto& opts = static_cast<const ExpandNodeOptions&>(options);
    const auto& in = inputs[0]->output_schema();
    arrow::FieldVector fields = in->fields();
    if (opts.key_copy_names.size() != opts.key_fields.size()) {
      return arrow::Status::Invalid("expand: one copy name per key expected");
    }
    for (size_t k = 0; k < opts.key_fields.size(); ++k) {
      int f = opts.key_fields[k];
      if (f < 0 || f >= in->num_fields()) return arrow::Status::Invalid("expand: key field out of range");
      fields.push_back(arrow::field(opts.key_copy_names[k], in->field(f)->type()));
    }
    fields.push_back(arrow::field(opts.grouping_id_name, arrow::int64(), false));
    return plan->EmplaceNode<ExpandNode>(plan, std::move(inputs), arrow::schema(std::move(fields)), opts);
  }

  const char* kind_name() const override { return "ExpandNode"; }

 protected:
  arrow::Result<std::vector<cp::ExecBatch>> Process(cp::ExecBatch batch) override {
    std::vector<cp::ExecBatch> out;
    const auto& in = inputs_[0]->output_schema();
    for (const auto& set : options_.sets) {
      std::vector<bool> grouped(options_.key_fields.size(), false);
      for (int k : set) grouped[static_cast<size_t>(k)] = true;
      std::vector<arrow::Datum> values = batch.values;
      int64_t gid = 0;
      for (size_t k = 0; k < options_.key_fields.size(); ++k) {
        int f = options_.key_fields[k];
        if (grouped[k]) {
          values.push_back(batch.values[static_cast<size_t>(f)]);
        } else {
          values.emplace_back(arrow::MakeNullScalar(in->field(f)->type()));
          gid |= int64_t{1} << k;
        }
      }
      values.emplace_back(std::make_shared<arrow::Int64Scalar>(gid));
      out.emplace_back(std::move(values), batch.length);
    }
    return out;
  }

 private:
  ExpandNodeOptions options_;
};

class ReplicateNode : public StreamingNode {
 public:
  using StreamingNode::StreamingNode;

  static arrow::Result<acero::ExecNode*> Make(acero::ExecPlan* plan, std::vector<acero::ExecNode*> inputs,
                                              const acero::ExecNodeOptions& options) {
    if (inputs.size() != 1) return arrow::Status::Invalid("the replicate node takes one input");
    const auto& in = inputs[0]->output_schema();
    if (in->num_fields() < 1 || in->field(in->num_fields() - 1)->type()->id() != arrow::Type::INT64) {
      return arrow::Status::Invalid("replicate: the last input column must be an int64 count");
    }
    ARROW_ASSIGN_OR_RAISE(auto schema, in->RemoveField(in->num_fields() - 1));
    return plan->EmplaceNode<ReplicateNode>(plan, std::move(inputs), std::move(schema));
  }

  const char* kind_name() const override { return "ReplicateNode"; }

 protected:
  arrow::Result<std::vector<cp::ExecBatch>> Process(cp::ExecBatch batch) override {
    ARROW_ASSIGN_OR_RAISE(auto rb, batch.ToRecordBatch(inputs_[0]->output_schema(), pool()));
    const auto& counts = static_cast<const arrow::Int64Array&>(*rb->column(rb->num_columns() - 1));
    ARROW_ASSIGN_OR_RAISE(auto rows, rb->RemoveColumn(rb->num_columns() - 1));
    std::vector<cp::ExecBatch> out;
    arrow::Int64Builder indices(pool());
    auto flush = [&]() -> arrow::Status {
      if (indices.length() == 0) return arrow::Status::OK();
      ARROW_ASSIGN_OR_RAISE(auto idx, indices.Finish());
      cp::ExecContext ctx(pool());
      ARROW_ASSIGN_OR_RAISE(auto taken, cp::Take(rows, idx, cp::TakeOptions::NoBoundsCheck(), &ctx));
      out.emplace_back(*taken.record_batch());
      return arrow::Status::OK();
    };
    for (int64_t i = 0; i < counts.length(); ++i) {
      if (counts.IsNull(i)) continue;
      for (int64_t n = counts.Value(i); n > 0; --n) {
        ARROW_RETURN_NOT_OK(indices.Append(i));
        if (indices.length() == kMaxBatchRows) ARROW_RETURN_NOT_OK(flush());
      }
    }
    ARROW_RETURN_NOT_OK(flush());
    return out;
  }
};

class MapNode : public StreamingNode {
 public:
  MapNode(acero::ExecPlan* plan, std::vector<acero::ExecNode*> inputs, MapNodeOptions options)
      : StreamingNode(plan, std::move(inputs), options.output_schema), options_(std::move(options)) {}

  static arrow::Result<acero::ExecNode*> Make(acero::ExecPlan* plan, std::vector<acero::ExecNode*> inputs,
                                              const acero::ExecNodeOptions& options) {
    if (inputs.size() != 1) return arrow::Status::Invalid("the map node takes one input");
    return plan->EmplaceNode<MapNode>(plan, std::move(inputs), static_cast<const MapNodeOptions&>(options));
  }

  const char* kind_name() const override { return "MapNode"; }

 protected:
  arrow::Result<std::vector<cp::ExecBatch>> Process(cp::ExecBatch batch) override {
    ARROW_ASSIGN_OR_RAISE(auto rb, batch.ToRecordBatch(inputs_[0]->output_schema(), pool()));
    ARROW_ASSIGN_OR_RAISE(auto mapped, options_.function(rb, pool()));
    std::vector<cp::ExecBatch> out;
    for (const auto& m : mapped) {
      if (m->num_rows() > 0) out.emplace_back(*m);
    }
    return out;
  }

 private:
  MapNodeOptions options_;
};

class GateNode : public StreamingNode {
 public:
  GateNode(acero::ExecPlan* plan, std::vector<acero::ExecNode*> inputs, std::shared_ptr<arrow::Schema> schema)
      : StreamingNode(plan, std::move(inputs), std::move(schema)),
        pool_(dynamic_cast<QueryMemoryPool*>(plan->query_context()->memory_pool())) {}

  static arrow::Result<acero::ExecNode*> Make(acero::ExecPlan* plan, std::vector<acero::ExecNode*> inputs,
                                              const acero::ExecNodeOptions& options) {
    if (inputs.size() != 1) return arrow::Status::Invalid("the gate node takes one input");
    auto schema = inputs[0]->output_schema();
    return plan->EmplaceNode<GateNode>(plan, std::move(inputs), std::move(schema));
  }

  const char* kind_name() const override { return "GateNode"; }
  const cp::Ordering& ordering() const override { return inputs_[0]->ordering(); }

 protected:
  arrow::Result<std::vector<cp::ExecBatch>> Process(cp::ExecBatch batch) override {
    // The same error as the refusal, whichever of the two the plan reports.
    if (pool_ && pool_->exhausted()) return pool_->first_refusal();
    std::vector<cp::ExecBatch> out;
    out.push_back(std::move(batch));
    return out;
  }

 private:
  QueryMemoryPool* pool_;
};

// LIMIT over input without a meaningful order: the first rows to arrive win.
class UnorderedLimitNode : public acero::ExecNode {
 public:
  UnorderedLimitNode(acero::ExecPlan* plan, std::vector<acero::ExecNode*> inputs, std::shared_ptr<arrow::Schema> schema,
                     int64_t offset, int64_t count)
      : ExecNode(plan, std::move(inputs), {"input"}, std::move(schema)), to_skip_(offset), to_send_(count) {}

  static arrow::Result<acero::ExecNode*> Make(acero::ExecPlan* plan, std::vector<acero::ExecNode*> inputs,
                                              const acero::ExecNodeOptions& options) {
    if (inputs.size() != 1) return arrow::Status::Invalid("the limit node takes one input");
    const auto& opts = static_cast<const LimitNodeOptions&>(options);
    if (opts.offset < 0 || opts.count < 0) return arrow::Status::Invalid("LIMIT and OFFSET must not be negative");
    if (!inputs[0]->ordering().is_unordered()) {
      return acero::MakeExecNode("fetch", plan, std::move(inputs), acero::FetchNodeOptions(opts.offset, opts.count));
    }
    auto schema = inputs[0]->output_schema();
    return plan->EmplaceNode<UnorderedLimitNode>(plan, std::move(inputs), std::move(schema), opts.offset,
                                                 opts.count);
  }

  const char* kind_name() const override { return "UnorderedLimitNode"; }

  arrow::Status InputReceived(acero::ExecNode* input, cp::ExecBatch batch) override {
    std::lock_guard<std::mutex> lock(mutex_);
    if (done_) return arrow::Status::OK();
    int64_t skip = std::min(to_skip_, batch.length);
    to_skip_ -= skip;
    int64_t send = std::min(to_send_, batch.length - skip);
    to_send_ -= send;
    if (send > 0) {
      ++out_count_;
      ARROW_RETURN_NOT_OK(output_->InputReceived(this, batch.Slice(skip, send)));
    }
    ++received_;
    if (to_send_ == 0 || (total_ >= 0 && received_ == total_)) return Done();
    return arrow::Status::OK();
  }

  arrow::Status InputFinished(acero::ExecNode* input, int total_batches) override {
    std::lock_guard<std::mutex> lock(mutex_);
    total_ = total_batches;
    if (!done_ && (received_ == total_ || to_send_ == 0)) return Done();
    return arrow::Status::OK();
  }

  arrow::Status StartProducing() override {
    if (to_send_ == 0) {
      // LIMIT 0 needs no input at all.
      std::lock_guard<std::mutex> lock(mutex_);
      return Done();
    }
    return arrow::Status::OK();
  }
  void PauseProducing(acero::ExecNode* output, int32_t counter) override { inputs_[0]->PauseProducing(this, counter); }
  void ResumeProducing(acero::ExecNode* output, int32_t counter) override {
    inputs_[0]->ResumeProducing(this, counter);
  }

 protected:
  arrow::Status StopProducingImpl() override { return arrow::Status::OK(); }

 private:
  arrow::Status Done() {
    done_ = true;
    ARROW_RETURN_NOT_OK(inputs_[0]->StopProducing());
    return output_->InputFinished(this, out_count_);
  }

  std::mutex mutex_;
  bool done_ = false;
  int64_t to_skip_;
  int64_t to_send_;
  int received_ = 0;
  int total_ = -1;
  int out_count_ = 0;
};

}  // namespace

arrow::Status RegisterExecNodes() {
  static const arrow::Status status = [] {
    auto* registry = acero::default_exec_factory_registry();
    ARROW_RETURN_NOT_OK(registry->AddFactory(kMaterializeNode, MaterializeNode::Make));
    ARROW_RETURN_NOT_OK(registry->AddFactory(kExpandNode, ExpandNode::Make));
    ARROW_RETURN_NOT_OK(registry->AddFactory(kReplicateNode, ReplicateNode::Make));
    ARROW_RETURN_NOT_OK(registry->AddFactory(kLimitNode, UnorderedLimitNode::Make));
    ARROW_RETURN_NOT_OK(registry->AddFactory(kGateNode, GateNode::Make));
    ARROW_RETURN_NOT_OK(registry->AddFactory(kMapNode, MapNode::Make));
    return arrow::Status::OK();
  }();
  return status;
}

}  // namespace tidelake::exec
