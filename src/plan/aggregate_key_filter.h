// An optimizer rule: an aggregate joined on its group keys computes only the groups the join
// can use. A decorrelated subquery (`x < (SELECT avg(y) FROM t WHERE t.k = outer.k)` becomes
// `outer LEFT JOIN (SELECT k, avg(y) FROM t GROUP BY k) ON outer.k = k`) aggregates every key
// of t, when the outer query holds only a few keys. DuckDB and Umbra pass the outer keys into
// the subquery; so does this rule, as a semi join:
//
//     Join [L.k = A.k]                        Join [L.k = A.k]
//       L (... S ...)               ->          L
//       Aggregate keys [k]                      Aggregate keys [k]
//         ... N ...                               ... (N SEMI JOIN S [N.k = S.k]) ...
//
// S is a part of L whose key values include every key value L outputs (a scan under inner
// joins, filters and projections of L), N the node under the aggregate where its key columns
// are made. Only groups whose key S holds survive, and those are computed from all their rows,
// so the join sees the same matches. The join must be inner or left outer (its right-side
// rows are never kept on their own), with plain equality keys.
//
// S is computed twice (in L and in the semi join), so the rule applies only when that is cheap
// next to what it saves: S reads at most the rows the aggregate's input reads, and is
// estimated to output at most a quarter as many rows as the aggregate has groups. It runs
// after join ordering.
#pragma once

#include <arrow/result.h>

#include "plan/logical_plan.h"

namespace tidelake::plan {

/// `node` with every aggregate joined on its group keys filtered as above.
arrow::Result<NodePtr> FilterAggregatesByJoinKeys(const NodePtr& node);

}  // namespace tidelake::plan
