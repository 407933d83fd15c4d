// The batch executor: runs a bound, optimised plan (plan::PlanRoot) with Arrow Acero and
// streams its result.
//
// Execute translates the plan into one Acero ExecPlan (translate.h), starts it and returns a
// RecordBatchReader over its output. Results stream: sources read a few batches ahead and the
// output queue pauses the plan while the caller is not reading (backpressure), so a
// SELECT * over a big table never holds the table in memory. Only operators that need their
// whole input (sort, window, hash join build side, aggregate) hold data.
//
// Invariants of the returned reader:
//  - its schema has the names of root.column_names (duplicates allowed) and the types of
//    root.node->schema;
//  - when root.ordered, batches arrive in ORDER BY order;
//  - an operator's error (a checked-arithmetic overflow, a file that cannot be read, the
//    memory limit) is returned by ReadNext as the Status, after which the plan is torn
//    down; ReadNext never hangs on a failed plan;
//  - Close() (or destroying the reader) stops the plan early and waits for its threads.
//
// Memory: all allocations of the query go through one QueryMemoryPool limited to
// memory_limit_bytes (memory_limit.h). Threads: with use_threads, operators run on Arrow's
// CPU thread pool and sources on its I/O pool; without, all CPU work happens inside ReadNext
// on the calling thread. The reader itself must be used from one thread at a time.
#pragma once

#include <arrow/record_batch.h>
#include <arrow/result.h>

#include <cstdint>
#include <memory>
#include <string>

#include "plan/logical_plan.h"

namespace tidelake::exec {

struct ExecOptions {
  int64_t memory_limit_bytes = 4LL << 30;  ///< <= 0: no limit
  bool use_threads = true;
  /// Who set memory_limit_bytes, for the out-of-memory message.
  std::string memory_limit_source = "ExecOptions::memory_limit_bytes";
};

arrow::Result<std::unique_ptr<arrow::RecordBatchReader>> Execute(const plan::PlanRoot& root, const ExecOptions& options);

}  // namespace tidelake::exec
