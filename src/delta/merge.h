// MERGE INTO target USING source ON condition WHEN ... THEN ..., as Delta's DeltaTable.merge
// builder offers it, as a library call.
//
// Naming convention: every expression (the ON condition, clause conditions, assigned values)
// is evaluated over a row whose columns are named "<alias>.<column>", with the aliases of
// MergeOptions ("target" and "source" by default): `on` is typically
// equal(field_ref("target.id"), field_ref("source.id")). A nested reference
// FieldRef("target", "id") means the same; an unqualified column name is accepted when only
// one side has it. Column names match exactly, else ignoring case (as Spark does). Assignment
// keys are target column names, with or without the "<target alias>." prefix.
//
// What each clause list sees:
//   matched (kUpdate, kUpdateAll, kDelete)      target and source columns
//   not_matched (kInsert, kInsertAll)            source columns only
//   not_matched_by_source (kUpdate, kDelete)     target columns only
// Within a list, clauses are tried in order and the first whose condition is TRUE wins (NULL
// is not TRUE); only the last clause of a list may omit its condition. A kUpdate leaves the
// columns it does not assign unchanged; a kInsert sets them NULL. kUpdateAll / kInsertAll
// assign every target column from the source column of the same name; a target column the
// source lacks is an error, unless merge_schema is set (then an update keeps the old value and
// an insert writes NULL). With merge_schema, source columns missing from the target are added
// to the table schema (Delta schema evolution; only when a *All clause is present). Values
// are cast to the column type; a lossy or impossible cast fails naming the column.
//
// Semantics follow Delta/Spark: a target row that more than one source row matches, when a
// matched clause could act on it, fails the whole merge ("multiple source rows matched the
// same target row", Delta's DELTA_MULTIPLE_SOURCE_ROW_MATCHING_TARGET_ROW_IN_MERGE), except
// when the only matched clause is an unconditional delete. Only target files that hold a
// changed row are rewritten (copy-on-write), or, on tables with deletion vectors enabled, get a
// deletion vector while changed rows go to new files. With the change data feed enabled,
// updates, deletes and inserts are recorded in `_change_data`. Nothing is committed when no
// row changes. The source is held in memory; the target is streamed file by file.
#pragma once

#include <arrow/compute/expression.h>
#include <arrow/result.h>
#include <arrow/table.h>

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "delta/snapshot.h"
#include "delta/transaction.h"

namespace tidelake::delta {

struct MergeClause {
  enum Kind { kUpdate, kUpdateAll, kDelete, kInsert, kInsertAll } kind;
  std::optional<arrow::compute::Expression> condition;
  /// Target column -> value (kUpdate, kInsert only).
  std::vector<std::pair<std::string, arrow::compute::Expression>> assignments;

  static MergeClause Update(std::vector<std::pair<std::string, arrow::compute::Expression>> set,
                            std::optional<arrow::compute::Expression> condition = std::nullopt) {
    return {kUpdate, std::move(condition), std::move(set)};
  }
  static MergeClause UpdateAll(std::optional<arrow::compute::Expression> condition = std::nullopt) {
    return {kUpdateAll, std::move(condition), {}};
  }
  static MergeClause Delete(std::optional<arrow::compute::Expression> condition = std::nullopt) {
    return {kDelete, std::move(condition), {}};
  }
  static MergeClause Insert(std::vector<std::pair<std::string, arrow::compute::Expression>> values,
                            std::optional<arrow::compute::Expression> condition = std::nullopt) {
    return {kInsert, std::move(condition), std::move(values)};
  }
  static MergeClause InsertAll(std::optional<arrow::compute::Expression> condition = std::nullopt) {
    return {kInsertAll, std::move(condition), {}};
  }
};

struct MergeOptions {
  std::string target_alias = "target";
  std::string source_alias = "source";
  std::vector<MergeClause> matched;                ///< whenMatched...
  std::vector<MergeClause> not_matched;            ///< whenNotMatched... (insert)
  std::vector<MergeClause> not_matched_by_source;  ///< whenNotMatchedBySource...
  bool merge_schema = false;                       ///< schema evolution for *All clauses
};

/// Counts, named after Delta's MERGE metrics in commitInfo.operationMetrics.
struct MergeMetrics {
  int64_t source_rows = 0;                         ///< numSourceRows
  int64_t rows_inserted = 0;                       ///< numTargetRowsInserted
  int64_t rows_updated = 0;                        ///< numTargetRowsUpdated
  int64_t rows_deleted = 0;                        ///< numTargetRowsDeleted
  int64_t rows_copied = 0;                         ///< numTargetRowsCopied
  int64_t matched_rows_updated = 0;                ///< numTargetRowsMatchedUpdated
  int64_t matched_rows_deleted = 0;                ///< numTargetRowsMatchedDeleted
  int64_t not_matched_by_source_rows_updated = 0;  ///< numTargetRowsNotMatchedBySourceUpdated
  int64_t not_matched_by_source_rows_deleted = 0;  ///< numTargetRowsNotMatchedBySourceDeleted
  int64_t files_added = 0;                         ///< numTargetFilesAdded
  int64_t files_removed = 0;                       ///< numTargetFilesRemoved
  int64_t deletion_vectors_added = 0;              ///< numTargetDeletionVectorsAdded
  int64_t change_files_added = 0;                  ///< numTargetChangeFilesAdded
};

/// Adds to `txn` the actions of the merge against `snapshot` (and a metadata update when the
/// schema evolves) and records what it read for conflict detection. Errors (Invalid /
/// TypeError) name the clause and column at fault.
arrow::Result<MergeMetrics> PlanMerge(const Snapshot& snapshot, const std::shared_ptr<arrow::Table>& source,
                                      const arrow::compute::Expression& on, const MergeOptions& options,
                                      Transaction* txn);

/// Merges `source` into the table at `target` and commits operation "MERGE" with parameters
/// predicate, matchedPredicates, notMatchedPredicates and notMatchedBySourcePredicates (JSON
/// text, as Delta writes them). Returns the metrics and the new version (the read version when
/// nothing changed and nothing was committed).
arrow::Result<std::pair<MergeMetrics, int64_t>> Merge(const TableLocation& target,
                                                      std::shared_ptr<arrow::Table> source,
                                                      const arrow::compute::Expression& on,
                                                      const MergeOptions& options);

}  // namespace tidelake::delta
