// The leaves of a query: Acero source declarations for a Delta table snapshot (TableScanNode,
// read through delta::Scan with its partition pruning, data skipping and exact row filter),
// for CSV / JSON / Parquet files (FileScanNode, read by file_reader.h; the filter is a filter
// node after the source) and for literal rows (ValuesNode).
//
// Sources are lazy: no file is opened until the plan pulls the first batch. They read a few
// batches ahead on the I/O thread pool and stop when the plan stops (LIMIT). Every batch
// they emit has exactly the plan node's schema: the node's unique field names, the node's
// types (files whose columns are stored as other types are cast, and a failed cast names the
// column and the file). Batches carry an implicit order (file order), so a LIMIT over a scan
// is the scan's first rows.
#pragma once

#include <arrow/acero/exec_plan.h>
#include <arrow/memory_pool.h>

#include <memory>

#include "plan/logical_plan.h"

namespace tidelake::exec {

struct SourceOptions {
  /// Allocations of the source (the query's pool). Kept alive by the source while it reads.
  std::shared_ptr<arrow::MemoryPool> pool;
  bool use_threads = true;
};

arrow::Result<arrow::acero::Declaration> TableScanSource(const plan::TableScanNode& node,
                                                         const SourceOptions& options);
arrow::Result<arrow::acero::Declaration> FileScanSource(const plan::FileScanNode& node,
                                                        const SourceOptions& options);
arrow::Result<arrow::acero::Declaration> ValuesSource(const plan::ValuesNode& node);

/// `expr` with every field reference named in `renames` (from -> to) renamed; unbound.
/// References by position are turned into names of `bound_schema` first (when given).
arrow::compute::Expression RenameFieldRefs(const arrow::compute::Expression& expr,
                                           const std::vector<std::pair<std::string, std::string>>& renames,
                                           const arrow::Schema* bound_schema = nullptr);

/// `expr` unbound, every field referenced by name (positions resolved in `bound_schema`), so
/// that Acero binds it against whatever schema its node sees. Acero uses an already bound
/// join filter as it is, against a schema of its own making.
arrow::compute::Expression Unbind(const arrow::compute::Expression& expr, const arrow::Schema& bound_schema);

}  // namespace tidelake::exec
