// UPDATE t SET col = expr, ... WHERE predicate, as a library call.
//
// A row matches when the predicate is TRUE (NULL does not match, as in SQL); without a
// predicate every row matches. Assignment expressions are unbound Arrow expressions over the
// row's current logical columns (names resolved as Spark does: exact, else ignoring case), all
// evaluated against the old row; results are cast to the column's type (an impossible or lossy
// cast, or NULL into a NOT NULL column, fails naming the column).
//
// Files that cannot hold matching rows (partition values, stats) are not read. A file with
// matching rows is rewritten with the updated rows and its other rows copied (copy-on-write),
// or, when the table has deletion vectors enabled, keeps its data and gets a deletion vector
// marking the matched rows while only the updated rows go to new files. With the change data
// feed enabled, each updated row is also written to `_change_data` as an update_preimage and
// an update_postimage row. Nothing changes (and nothing is committed) when no row matches.
#pragma once

#include <arrow/compute/expression.h>
#include <arrow/result.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "delta/snapshot.h"
#include "delta/transaction.h"

namespace tidelake::delta {

struct UpdateMetrics {
  int64_t rows_updated = 0;
  int64_t rows_copied = 0;  ///< unchanged rows rewritten into new files (copy-on-write)
  int64_t files_removed = 0;
  int64_t files_added = 0;
  int64_t deletion_vectors_added = 0;
  int64_t change_files_added = 0;
};

/// Column name -> new value, an expression over the row's current logical columns.
using Assignments = std::vector<std::pair<std::string, arrow::compute::Expression>>;

/// Adds to `txn` the actions that update the rows of `snapshot` matching `predicate` (all rows
/// when unset) and records the read for conflict detection. Errors (Invalid / TypeError) name
/// the column: unknown or repeated column, an expression that does not bind, a value that
/// cannot be cast to the column's type.
arrow::Result<UpdateMetrics> PlanUpdate(const Snapshot& snapshot,
                                        const std::optional<arrow::compute::Expression>& predicate,
                                        const Assignments& assignments, Transaction* txn);

/// Updates the rows matching `predicate` and commits operation "UPDATE". Returns the metrics
/// and the new version (the read version when no row matched and nothing was committed).
arrow::Result<std::pair<UpdateMetrics, int64_t>> UpdateRows(const TableLocation& location,
                                                            const std::optional<arrow::compute::Expression>& predicate,
                                                            const Assignments& assignments);

}  // namespace tidelake::delta
