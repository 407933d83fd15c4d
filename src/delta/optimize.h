// OPTIMIZE [WHERE partition predicate] [ZORDER BY (columns)]: rewrites the data files of a
// table into fewer, larger (and, with ZORDER BY, clustered) files without changing its rows.
//
// Bin-packing (no ZORDER BY): within each partition, the files smaller than the target size
// are sorted by size and packed greedily into bins of at most the target size; each bin with
// at least `min_files` files is rewritten into one new file. Files with a deletion vector are
// always rewritten (even alone), which purges the deleted rows for good.
//
// Z-ordering: within each partition, every file is read, the rows are sorted by the z-value of
// the ZORDER BY columns (see zorder.h) and cut into files of about the target size, so each
// new file covers a small region of the z-ordered columns and data skipping prunes well. The
// rows of one partition are held in memory while it is sorted.
//
// The commit removes the old files and adds the new ones with dataChange = false on both (the
// rows are the same, so streaming readers of the table skip the commit) and records operation
// "OPTIMIZE" with parameters {predicate, zOrderBy} and Spark's metrics. Concurrency: OPTIMIZE
// records no read predicate, so appends committed meanwhile (even into the partitions being
// rewritten) never conflict with it, as at Spark's WriteSerializable level; a concurrent commit
// that removes one of the files being rewritten (DELETE, UPDATE, MERGE, another OPTIMIZE) does.
#pragma once

#include <arrow/compute/expression.h>
#include <arrow/result.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "delta/snapshot.h"
#include "delta/transaction.h"

namespace tidelake::delta {

inline constexpr int64_t kDefaultOptimizeTargetFileSize = 128LL * 1024 * 1024;

struct OptimizeOptions {
  /// Bytes; 0 means the table's delta.targetFileSize, else 128 MiB. Files of at least this size
  /// are left alone by bin-packing; new files are cut near it.
  int64_t target_file_size = 0;
  /// Z-order by these columns (non-partition columns of an orderable type).
  std::vector<std::string> zorder_by;
  /// Only optimize the partitions matching this predicate, which may reference partition
  /// columns only (logical names).
  std::optional<arrow::compute::Expression> partition_filter;
  /// Bin-packing: a bin of fewer files is not rewritten (unless one has a deletion vector).
  int64_t min_files = 2;
};

struct OptimizeMetrics {
  int64_t files_added = 0;
  int64_t files_removed = 0;
  int64_t bytes_added = 0;
  int64_t bytes_removed = 0;
  int64_t partitions_optimized = 0;
  int64_t num_bins = 0;
  int64_t total_considered_files = 0;  ///< files in the selected partitions
  int64_t total_files_skipped = 0;     ///< of those, files left as they are
  int64_t deletion_vectors_removed = 0;
  int64_t rows_rewritten = 0;
  std::vector<int64_t> added_file_sizes;  ///< ascending
  std::vector<std::string> new_files;     ///< log paths of the files written
};

struct OptimizeResult {
  int64_t version = -1;  ///< the OPTIMIZE commit; -1 when there was nothing to rewrite
  OptimizeMetrics metrics;
};

/// Writes the new files for OPTIMIZE of `snapshot` and adds the remove/add actions to `txn`
/// (which must be a transaction on `snapshot`). Nothing is visible until `txn` commits; on
/// error the files written so far are deleted.
arrow::Result<OptimizeMetrics> PlanOptimize(const Snapshot& snapshot, const OptimizeOptions& options,
                                            Transaction* txn);

/// Optimizes the latest version of the table and commits.
arrow::Result<OptimizeResult> Optimize(const TableLocation& location, const OptimizeOptions& options);

/// The commitInfo operationParameters and operationMetrics of an OPTIMIZE (Spark's names).
std::map<std::string, std::string> OptimizeParameters(const OptimizeOptions& options);
std::map<std::string, std::string> OptimizeCommitMetrics(const OptimizeMetrics& metrics);

}  // namespace tidelake::delta
