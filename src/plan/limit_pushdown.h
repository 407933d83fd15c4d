// Limit pushdown: a LIMIT moves below the projections under it, down to the scan or join that
// produces its rows (so a scan stops reading once it has them), and a copy of it (limit +
// offset rows) goes into each branch of a UNION ALL. A LIMIT above a sort stays there: the
// executor runs the pair as a top-k.
//
// Invariant: the plan returns the same rows (for an unordered LIMIT, any `limit` rows of the
// input are a correct answer, as in Spark).
#pragma once

#include <arrow/result.h>

#include "plan/logical_plan.h"

namespace tidelake::plan {

arrow::Result<NodePtr> PushDownLimits(const NodePtr& node);

}  // namespace tidelake::plan
