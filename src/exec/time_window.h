// Event-time window assignment (plan::TimeWindowNode) in batch execution.
//
// Tumbling, hopping and cumulating windows are assigned row by row as batches stream through
// (AssignWindows, run in a map node): each row is repeated once per window holding its time
// (plan/time_window.h decides which), followed by that window's start and end. Sessions and
// sliding windows depend on the rows around each row, so PartitionedWindowOperator materialises
// its input and sorts it by the partition fields and the time. Sessions cut each partition
// where the next time is a gap or more after the previous one, or where the session would
// outlast its maximum duration; a session runs from its first time to its last time plus the
// gap. Sliding windows end where the partition's rows enter or leave them
// (plan::SlidingWindowEnds); each row is repeated once per window holding it.
//
// Rows with a null time are in no window: they are dropped.
#pragma once

#include <arrow/compute/exec.h>
#include <arrow/record_batch.h>
#include <arrow/table.h>

#include <memory>
#include <vector>

#include "exec/exec_nodes.h"
#include "plan/time_window.h"

namespace tidelake::exec {

/// `batch` with its rows repeated per window, and the windows' start and end appended, as
/// `output_schema` (the batch's fields, then start and end). Not for sessions.
arrow::Result<std::shared_ptr<arrow::RecordBatch>> AssignWindows(const plan::TimeWindowSpec& spec,
                                                                 const std::shared_ptr<arrow::RecordBatch>& batch,
                                                                 const std::shared_ptr<arrow::Schema>& output_schema,
                                                                 arrow::MemoryPool* pool);

/// `input` sorted by partition and time, with each row's session start and end appended.
arrow::Result<std::shared_ptr<arrow::Table>> AssignSessions(const plan::TimeWindowSpec& spec,
                                                            const std::shared_ptr<arrow::Table>& input,
                                                            const std::shared_ptr<arrow::Schema>& output_schema,
                                                            cp::ExecContext* ctx);

/// `input` sorted by partition and time, each row repeated once per sliding window holding it,
/// with the window's start and end appended.
arrow::Result<std::shared_ptr<arrow::Table>> AssignSlidingWindows(const plan::TimeWindowSpec& spec,
                                                                  const std::shared_ptr<arrow::Table>& input,
                                                                  const std::shared_ptr<arrow::Schema>& output_schema,
                                                                  cp::ExecContext* ctx);

/// Sessions and sliding windows (plan::WindowsDependOnRows): assigned once all rows are in.
class PartitionedWindowOperator : public MaterializingOperator {
 public:
  PartitionedWindowOperator(plan::TimeWindowSpec spec, std::shared_ptr<arrow::Schema> input_schema,
                            std::shared_ptr<arrow::Schema> output_schema)
      : spec_(std::move(spec)), input_schema_(std::move(input_schema)), output_schema_(std::move(output_schema)) {}
  arrow::Status Add(std::shared_ptr<arrow::RecordBatch> batch, cp::ExecContext* ctx) override;
  arrow::Result<std::shared_ptr<arrow::Table>> Finish(cp::ExecContext* ctx) override;

 private:
  plan::TimeWindowSpec spec_;
  std::shared_ptr<arrow::Schema> input_schema_, output_schema_;
  std::vector<std::shared_ptr<arrow::RecordBatch>> batches_;
};

}  // namespace tidelake::exec
