// EXPLAIN: a logical plan as indented text, one operator per line, children below their
// parent, expressions as Arrow prints them with the plan's unique column names ("amount#12").
#pragma once

#include <string>

#include "plan/logical_plan.h"

namespace tidelake::plan {

std::string Explain(const PlanRoot& root);
std::string Explain(const NodePtr& node);

}  // namespace tidelake::plan
