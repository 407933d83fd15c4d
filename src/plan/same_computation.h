// Whether two plans compute the same rows: the same operators, expressions and sources, with
// only their column names (the ids the binder gives each use of a view or subquery) differing.
// A streaming query that reads one view twice (NEXMark q5's two equal hopping-window counts)
// runs such a subplan once and reads its rows in both places, as Flink's sub-plan reuse does.
//
// The comparison is structural and conservative: node kinds it does not know, and any
// difference it cannot see through (an expression's options, a type, a literal), make two plans
// different. Equal plans give equal rows for equal inputs, field by field in output order.
#pragma once

#include "plan/logical_plan.h"

namespace tidelake::plan {

/// True when `a` and `b` compute the same rows: reading the same sources, through nodes of the
/// same kinds with the same parameters, their expressions equal once `a`'s column names are
/// mapped to `b`'s, and their outputs of the same types.
bool SameComputation(const LogicalNode& a, const LogicalNode& b);

}  // namespace tidelake::plan
