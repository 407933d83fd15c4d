// The matching step of MERGE: which target rows can satisfy the ON condition with which
// source rows.
//
// The ON condition (over the joined row, whose columns are named "<alias>.<column>") is split
// into its conjuncts. Equalities between an expression over target columns only and one over
// source columns only become the hash-join keys (both sides cast to the common type that
// `equal` would compare them in); everything else is the residual, evaluated by the caller on
// the candidate pairs. Conjuncts that read only target columns also prune target files and
// rows before the join, and so do the ranges of the source's key values when a key is a plain
// target column. Without any equality the join degenerates to a cross join.
//
// The equi-join itself runs in Arrow Acero (hash join, the in-memory source on the build
// side), over a stream of target key columns read file by file, so only keys and row ids are
// ever held for the target. Rows with a NULL key never match (SQL equality).
#pragma once

#include <arrow/compute/expression.h>
#include <arrow/record_batch.h>
#include <arrow/result.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "delta/snapshot.h"

namespace tidelake::delta {

struct MergeJoinPlan {
  /// Join keys: target_keys[i] (over the aliased target schema) = source_keys[i] (over the
  /// aliased source schema), both of the same type.
  std::vector<arrow::compute::Expression> target_keys;
  std::vector<arrow::compute::Expression> source_keys;
  /// Per key: NULL matches NULL (`t = s OR (t IS NULL AND s IS NULL)`, as a streaming upsert
  /// writes its ON condition), instead of matching nothing.
  std::vector<bool> null_safe;
  /// The conjuncts that are not join keys (over the joined schema); unset when there are none.
  std::optional<arrow::compute::Expression> residual;
  /// The conjuncts that read target columns only (also part of `residual`).
  std::vector<arrow::compute::Expression> target_only;
};

/// Splits a resolved ON condition (every column reference a field of `aliased_target` or
/// `aliased_source`). Errors when the condition is not boolean or does not bind.
arrow::Result<MergeJoinPlan> PlanMergeJoin(const arrow::compute::Expression& on,
                                           const std::shared_ptr<arrow::Schema>& aliased_target,
                                           const std::shared_ptr<arrow::Schema>& aliased_source);

/// A filter over the target's logical columns that every target row able to match some
/// source row satisfies (target-only conjuncts and key ranges), or unset when nothing can be
/// said. `aliased_source` holds the source rows (schema: the aliased source schema).
arrow::Result<std::optional<arrow::compute::Expression>> TargetMatchFilter(
    const MergeJoinPlan& plan, const std::string& target_alias, const arrow::Schema& target_schema,
    const std::shared_ptr<arrow::RecordBatch>& aliased_source);

/// One pair of rows whose join keys are equal: row `row` (index in the data file, before
/// deletion vectors) of snapshot file number `file` (index into Snapshot::files()) and row
/// `source_row` of the source.
struct KeyMatch {
  int32_t file = 0;
  int64_t row = 0;
  int64_t source_row = 0;
  bool operator<(const KeyMatch& o) const {
    if (file != o.file) return file < o.file;
    if (row != o.row) return row < o.row;
    return source_row < o.source_row;
  }
};

/// Joins the target rows of `snapshot` matching `target_filter` (logical names; unset = all)
/// with `aliased_source` on the plan's keys. Returns the pairs sorted by (file, row, source_row).
arrow::Result<std::vector<KeyMatch>> FindKeyMatches(std::shared_ptr<const Snapshot> snapshot,
                                                    const std::optional<arrow::compute::Expression>& target_filter,
                                                    const std::string& target_alias, const MergeJoinPlan& plan,
                                                    const std::shared_ptr<arrow::RecordBatch>& aliased_source);

/// `schema` with every field renamed "<alias>.<name>".
std::shared_ptr<arrow::Schema> AliasSchema(const arrow::Schema& schema, const std::string& alias);

}  // namespace tidelake::delta
