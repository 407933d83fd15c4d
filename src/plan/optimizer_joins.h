// Join ordering, a rule of the optimizer (optimizer.h) that runs after predicate pushdown.
//
// A tree of inner and cross joins (as the binder builds `FROM a, b, c WHERE ...`: cross joins
// in FROM order, whose WHERE equalities pushdown turned into join keys) is flattened into its
// relations (the subtrees that are not inner joins, themselves reordered) and its conditions
// (key pairs and residual conjuncts), then rebuilt greedily as a tree of hash joins:
//   - start from the relation with the most estimated rows (optimizer_stats.h);
//   - repeatedly join the relation, connected to what is joined so far by a key, that gives
//     the fewest estimated rows (ties: the smaller relation); a relation connected by no key
//     is cross-joined last, smallest first;
//   - the smaller input of each join is its right input, the side the executor builds its
//     hash table from;
//   - a residual conjunct is evaluated by the first join that has all the relations it reads.
// A projection on top restores the original field order, so the rewrite is invisible to the
// nodes above. Outer joins keep their place; their inputs are reordered. A semi or anti join
// over a tree of inner joins whose condition reads (on its left side) one relation of the
// tree only moves onto that relation, when that relation is estimated smaller than the tree's
// result: it then filters the relation before the joins instead of their result.
#pragma once

#include <arrow/result.h>

#include "plan/logical_plan.h"

namespace tidelake::plan {

arrow::Result<NodePtr> ReorderJoins(const NodePtr& node);

}  // namespace tidelake::plan
