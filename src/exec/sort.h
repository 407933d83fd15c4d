// ORDER BY with Spark's ordering, over materialised data: the sort and top-k operators of the
// executor and the row ordering of window functions.
//
// Spark orders NaN above every other floating-point value (ascending: ..., 2.0, NaN; nulls
// where NULLS FIRST/LAST puts them), while Arrow's sort kernels treat NaN like a null. So a
// floating-point key is sorted as two keys: is_nan(key), then key. Every key has its own null
// placement. Sorts are stable.
//
// TopK keeps only the best `offset + limit` rows while its input streams in: its memory is
// bounded by the limit, not the input.
#pragma once

#include <arrow/compute/exec.h>
#include <arrow/record_batch.h>
#include <arrow/table.h>

#include <memory>
#include <vector>

#include "exec/exec_nodes.h"
#include "plan/logical_plan.h"

namespace tidelake::exec {

/// Row indices (uint64) that order `columns` by `keys` (column i is the key keys[i]; the
/// keys' field names are not looked up).
arrow::Result<std::shared_ptr<arrow::Array>> SparkSortIndices(const std::vector<arrow::Datum>& columns,
                                                              const std::vector<plan::SortKey>& keys,
                                                              cp::ExecContext* ctx);

/// `table` sorted by `keys` (fields of `table`).
arrow::Result<std::shared_ptr<arrow::Table>> SortTable(const std::shared_ptr<arrow::Table>& table,
                                                       const std::vector<plan::SortKey>& keys, cp::ExecContext* ctx);

/// Sorts its whole input.
class SortOperator : public MaterializingOperator {
 public:
  SortOperator(std::shared_ptr<arrow::Schema> schema, std::vector<plan::SortKey> keys)
      : schema_(std::move(schema)), keys_(std::move(keys)) {}
  arrow::Status Add(std::shared_ptr<arrow::RecordBatch> batch, cp::ExecContext* ctx) override;
  arrow::Result<std::shared_ptr<arrow::Table>> Finish(cp::ExecContext* ctx) override;

 private:
  std::shared_ptr<arrow::Schema> schema_;
  std::vector<plan::SortKey> keys_;
  std::vector<std::shared_ptr<arrow::RecordBatch>> batches_;
};

/// Rows offset .. offset + limit - 1 of the input in order of `keys`, holding at most about
/// 2 * (offset + limit) rows (or 64 Ki rows) at any time.
class TopKOperator : public MaterializingOperator {
 public:
  TopKOperator(std::shared_ptr<arrow::Schema> schema, std::vector<plan::SortKey> keys, int64_t offset, int64_t limit)
      : schema_(std::move(schema)), keys_(std::move(keys)), offset_(offset), limit_(limit) {}
  arrow::Status Add(std::shared_ptr<arrow::RecordBatch> batch, cp::ExecContext* ctx) override;
  arrow::Result<std::shared_ptr<arrow::Table>> Finish(cp::ExecContext* ctx) override;

 private:
  arrow::Status Compact(cp::ExecContext* ctx);

  std::shared_ptr<arrow::Schema> schema_;
  std::vector<plan::SortKey> keys_;
  int64_t offset_;
  int64_t limit_;
  std::vector<std::shared_ptr<arrow::RecordBatch>> batches_;
  int64_t buffered_rows_ = 0;
};

}  // namespace tidelake::exec
