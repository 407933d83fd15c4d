// Common subexpressions of a projection, computed once. `SUM(price * (1 - discount))` next to
// `SUM(price * (1 - discount) * (1 + tax))` projects the product twice; Acero evaluates every
// expression on its own. Split in two projections, the lower one computes each repeated call
// once as a field of its own (next to all input fields), and the upper one reads that field
// where the call was.
//
// Arrow evaluates every argument of every call on every row (no short-circuit, CASE branches
// included), so computing a subexpression once, ahead, computes the same values and raises the
// same errors.
#pragma once

#include <arrow/compute/expression.h>
#include <arrow/type.h>

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace tidelake::exec {

struct SplitProjection {
  std::vector<arrow::compute::Expression> lower;  ///< the input fields, then each repeated call
  std::vector<std::string> lower_names;           ///< the input's names, then fresh names
  std::vector<arrow::compute::Expression> upper;  ///< the projection over `lower`'s output, unbound
};

/// `exprs` (bound to `input`) split as above, or nullopt when no call repeats. `fresh_name`
/// names the new fields.
std::optional<SplitProjection> HoistCommonSubexpressions(const std::vector<arrow::compute::Expression>& exprs,
                                                         const arrow::Schema& input,
                                                         const std::function<std::string()>& fresh_name);

}  // namespace tidelake::exec
