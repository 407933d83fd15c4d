// DELETE FROM t WHERE predicate, and the file-level planning it shares with replaceWhere
// overwrites.
//
// Files that cannot hold matching rows (partition values, stats) are untouched. A file whose
// every row matches is removed whole. Otherwise the file is either rewritten without the
// matching rows (copy-on-write), or, when the table has deletion vectors enabled, keeps its
// data and gets a deletion vector marking the matching rows (the old DV's rows stay deleted).
// Rows where the predicate is NULL are kept, as in SQL. With the change data feed enabled,
// deleted rows are also written to `_change_data` with _change_type = 'delete'.
#pragma once

#include <arrow/compute/expression.h>
#include <arrow/result.h>

#include <optional>
#include <vector>

#include "delta/snapshot.h"
#include "delta/transaction.h"

namespace tidelake::delta {

struct DeleteMetrics {
  int64_t rows_deleted = 0;
  int64_t files_removed = 0;
  int64_t files_added = 0;
  int64_t deletion_vectors_added = 0;
};

/// Adds to `txn` the actions that delete the rows of `snapshot` matching `predicate` (all rows
/// when unset) and records the read for conflict detection.
arrow::Result<DeleteMetrics> PlanDelete(const Snapshot& snapshot,
                                        const std::optional<arrow::compute::Expression>& predicate,
                                        Transaction* txn);

/// Deletes rows matching `predicate` and commits. Returns the metrics and the new version.
arrow::Result<std::pair<DeleteMetrics, int64_t>> DeleteRows(const TableLocation& location,
                                                            const std::optional<arrow::compute::Expression>& predicate);

/// True when the table's configuration asks for deletion vectors on DML.
bool UsesDeletionVectors(const Snapshot& snapshot);

/// True when the table's configuration enables the change data feed.
bool ChangeDataFeedEnabled(const Metadata& metadata);

}  // namespace tidelake::delta
