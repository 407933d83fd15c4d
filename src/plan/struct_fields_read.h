// Which fields of its struct columns a plan reads (nested column pruning): a struct column that
// the plan uses only through field accesses (`bid.auction`, bound as Arrow's "struct_field" with
// a path of field indices) needs only those fields; any other use (the column selected whole,
// passed on under another name, given to a function, compared, grouped or sorted by, a join or
// window key, an output column of the plan) needs it whole.
//
// The answer is at the first level: `bid.auction` reads field `auction` of `bid`; a field that is
// itself a struct counts as read whole (`a.b.c` reads all of `a.b`). Field names are unique in a
// plan (the binder's "name#id"), so every use of a column is found by its name, at any node, and
// a column passed on under its own name (by a projection, filter or join) is followed through;
// passed on under another name (`bid AS b`), it is read whole.
#pragma once

#include <map>
#include <set>
#include <string>

#include "plan/logical_plan.h"

namespace tidelake::plan {

/// For each of `columns` (names of struct fields output by nodes of the plan under `root`) that
/// the plan reads, and only through field accesses: the indices of the struct's fields it reads.
/// Columns read whole, or not read at all, are absent.
std::map<std::string, std::set<int>> StructFieldsRead(const LogicalNode& root, const std::set<std::string>& columns);

}  // namespace tidelake::plan
