// The form in which a bound plan expression runs. Plans keep Arrow's own functions for what
// the optimizer and the scans reason about (comparisons for predicate pushdown, statistics,
// partition pruning and row-group skipping); just before an expression is evaluated, the
// executor swaps in equivalent kernels of ours that are faster on our data:
//  - comparisons of two decimal128 values of one scale become tidelake_decimal_<op>
//    (kernels_compare.cc), which compare unscaled integers in one loop;
//  - LIKE '%a%b%' (two or more literal segments) becomes tidelake_like_segments
//    (kernels_like_segments.cc): substring searches instead of a regular expression.
//
// The result computes the same values, nulls and errors as its input. Calls it replaces are
// left unbound (Acero and Scan bind them again); everything else is kept as it was.
#pragma once

#include <arrow/compute/expression.h>

namespace tidelake::plan {

/// `bound` with its calls replaced by faster equivalents (see above). An unbound expression,
/// or one without such calls, comes back unchanged.
arrow::compute::Expression ExecutionForm(const arrow::compute::Expression& bound);

}  // namespace tidelake::plan
