// Window functions (plan::WindowNode): our own operator, since Acero has none.
//
// The operator materialises its input, sorts it by the PARTITION BY keys and then the ORDER BY
// keys (Spark's ordering, sort.h), finds the partitions and the peer groups (rows equal on
// every ORDER BY key) and computes each call over the sorted rows; the output is the sorted
// input followed by one column per call (the WindowNode leaves the row order unspecified).
//
// Functions: row_number, rank, dense_rank, percent_rank, cume_dist, ntile, lag, lead,
// first_value, last_value, nth_value (IGNORE NULLS for the last five), and aggregates over
// ROWS or RANGE frames: count (and count(*)), sum, avg, min, max in O(n) or O(n log n)
// (running frames accumulate; bounded integer/decimal sums use prefix sums; min/max use a
// monotonic deque), count_if, and stddev_samp/pop, var_samp/pop, bool_and/or, collect_list,
// collect_set and any other Arrow scalar aggregate evaluated frame by frame (frames shared by
// peers are evaluated once). RANGE frames with offsets need one numeric, date or timestamp ORDER BY key
// (the offset is in the key's unit: days for dates, microseconds for timestamps); rows whose
// key is NULL or NaN frame their own peer group. Spark semantics: ANSI overflow errors for
// integer sums, nulls skipped by aggregates, empty frames give NULL (count gives 0).
//
// Memory: the input and the result live in the query's pool; the per-row scratch arrays are
// charged to it too (QueryMemoryPool::Reserve), so a too-large window fails cleanly.
#pragma once

#include <arrow/compute/exec.h>
#include <arrow/table.h>

#include <memory>
#include <vector>

#include "exec/exec_nodes.h"
#include "plan/logical_plan.h"

namespace tidelake::exec {

/// Checks that every call of `node` names a supported function with the right arguments and
/// a usable frame, before anything runs.
arrow::Status ValidateWindowNode(const plan::WindowNode& node);

/// The input rows of `node` (reordered) followed by one column per call, with `node`'s schema.
arrow::Result<std::shared_ptr<arrow::Table>> ComputeWindows(const plan::WindowNode& node,
                                                            const std::shared_ptr<arrow::Table>& input,
                                                            cp::ExecContext* ctx);

class WindowOperator : public MaterializingOperator {
 public:
  WindowOperator(std::shared_ptr<const plan::WindowNode> node, std::shared_ptr<arrow::Schema> input_schema)
      : node_(std::move(node)), input_schema_(std::move(input_schema)) {}
  arrow::Status Add(std::shared_ptr<arrow::RecordBatch> batch, cp::ExecContext* ctx) override;
  arrow::Result<std::shared_ptr<arrow::Table>> Finish(cp::ExecContext* ctx) override;

 private:
  std::shared_ptr<const plan::WindowNode> node_;
  std::shared_ptr<arrow::Schema> input_schema_;
  std::vector<std::shared_ptr<arrow::RecordBatch>> batches_;
};

}  // namespace tidelake::exec
