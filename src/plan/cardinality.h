// Cardinality estimates for the optimizer's cost decisions (join order, build sides).
//
// An estimate is a guess, never a promise: plans chosen with it stay correct whatever the
// data. Base table sizes come from the Delta log (the sum of the files' numRecords statistics,
// or the data size at ~100 bytes a row when a file lacks them); filters, aggregations and
// semi joins shrink their input by fixed default selectivities, in the spirit of System R.
#pragma once

#include <string>

#include "plan/logical_plan.h"

namespace tidelake::plan {

/// Estimated rows `node` produces (at least 1).
double EstimateRows(const LogicalNode& node);

/// Estimated fraction of rows `predicate` keeps (in (0, 1]).
double EstimateSelectivity(const cp::Expression& predicate);

/// An upper bound on the distinct values of `field` in `node`'s output: the size of the
/// unfiltered table (or VALUES) it is read from when it traces back to a column of one, else the
/// node's own estimate. Used as the key's domain size in equi-join estimates.
double EstimateDistinct(const LogicalNode& node, const std::string& field);

}  // namespace tidelake::plan
