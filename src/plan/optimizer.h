// The rule-based optimizer: rewrites a bound plan into an equivalent, cheaper one. Rules run in
// a fixed order, each a pure function from plan to plan:
//   1. constant folding in every expression (Arrow's FoldConstants);
//   2. predicate pushdown: filters move below projections, sorts and into the sides of joins
//      they only touch (not into the side an outer join pads with nulls), and finally into
//      table and file scans, where they prune partitions, skip files by statistics and filter
//      row groups;
//      A disjunction whose branches share conjuncts is factored first ((a AND b) OR (a AND c)
//      -> a AND (b OR c)), so that a join key written inside every branch becomes a join key;
//      and a disjunction over both sides of an inner join also sends each side the disjunction
//      of that side's parts of the branches (implied, so pushed down; the whole stays above);
//   3. join ordering (plan/optimizer_joins.h): trees of inner joins are rebuilt in an order chosen
//      from cardinality estimates, the smaller input of each join on the build side;
//   4. aggregates joined on their group keys (decorrelated subqueries) compute only the keys
//      the other side holds (plan/aggregate_key_filter.h);
//   5. limit pushdown (plan/limit_pushdown.h): below projections, into UNION ALL branches;
//   6. column pruning: every node produces only the fields something above it reads, so scans
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

namespace internal {
/// A copy of `node` with the same inputs, for a rule to give new inputs or expressions.
std::shared_ptr<LogicalNode> CopyNode(const LogicalNode& node);
/// Appends the conjuncts of `e` (split at AND) to `out`.
void SplitConjuncts(const cp::Expression& e, std::vector<cp::Expression>* out);
}  // namespace internal

}  // namespace tidelake::plan
