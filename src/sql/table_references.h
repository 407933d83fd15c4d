// The tables a query names in its FROM clauses, as written: what can be told of a statement
// before it is bound (whether it reads STREAM(...), which names it reads). The walk goes
// through WITH, set operations, nested queries, subqueries in FROM, joins and the TABLE
// argument of window table functions; subqueries inside expressions (IN, EXISTS, scalar) are
// not visited. A CTE's name read in FROM is listed like a table: the caller tells them apart.
#pragma once

#include <vector>

#include "sql/ast.h"

namespace tidelake::sql {

/// Every TableRelation in the FROM clauses of `query`, in the order written.
std::vector<const TableRelation*> FromTables(const Query& query);

}  // namespace tidelake::sql
