// Join ordering: rebuilds each cluster of inner joins (the joins of a FROM list, once predicate
// pushdown has turned its WHERE equalities into join keys) as a left-deep tree chosen greedily
// by estimated cardinality (plan/cardinality.h).
//
// The largest input is the probe side at the bottom; each step joins the connected input that
// gives the smallest estimated result, putting the smaller side on the right, which the
// executor's hash join builds its table from. Inputs with no join condition to the others are
// joined last (cross products). Every key and residual condition of the cluster is applied at
// the first join that has its columns.
//
// Invariant: the cluster's output keeps its fields and their order (a projection restores it
// when the order changed), so nothing above the cluster notices the rewrite.
#pragma once

#include <arrow/result.h>

#include "plan/logical_plan.h"

namespace tidelake::plan {

arrow::Result<NodePtr> ReorderJoins(const NodePtr& node);

}  // namespace tidelake::plan
