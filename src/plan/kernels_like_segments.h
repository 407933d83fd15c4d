// LIKE '%a%b%...%' without a regular expression (tidelake_like_segments, see the .cc file).
#pragma once

#include <arrow/compute/registry.h>
#include <arrow/status.h>

#include <optional>
#include <string>
#include <vector>

namespace tidelake::plan::internal {

/// The literal segments of a LIKE pattern that starts and ends with '%' and has no '_' and no
/// escape ('%%' gives none); nullopt for any other pattern.
std::optional<std::vector<std::string>> LikeSegments(const std::string& pattern);

arrow::Status RegisterLikeSegmentsKernels(arrow::compute::FunctionRegistry* registry);

}  // namespace tidelake::plan::internal
