// The rule-based optimizer: rewrites a bound plan into an equivalent, cheaper one. Rules run in
// a fixed order, each a pure function from plan to plan:
//   1. constant folding in every expression (Arrow's FoldConstants);
//   2. predicate pushdown: filters move below projections, sorts and into the sides of joins
//      they only touch (not into the side an outer join pads with nulls), and finally into
//      table and file scans, where they prune partitions, skip files by statistics and filter
//      row groups;
//   3. join ordering (plan/join_order.h): clusters of inner joins become left-deep trees
//      chosen by estimated cardinality, small inputs on the hash join's build side;
//   4. limit pushdown (plan/limit_pushdown.h): below projections, into UNION ALL branches;
//   5. column pruning: every node produces only the fields something above it reads, so scans
//      read only the columns the query needs.
//
// Invariant: the optimized plan has the same output (fields, names, types, rows) as the input.
// Because expressions refer to fields by unique name, removing fields never invalidates a
// parent's references.
#pragma once

#include <arrow/result.h>

#include "plan/logical_plan.h"

namespace tidelake::plan {

arrow::Result<PlanRoot> Optimize(PlanRoot root);

}  // namespace tidelake::plan
