// The names visible at one point of a query: the columns of the relations in FROM (and, for
// a correlated subquery, of the enclosing query through `outer`). Each column pairs what the
// user writes (qualifier + name, compared case-insensitively) with the unique field name the
// plan uses ("amount#12").
//
// Invariant: a Scope describes the output of one plan node; column i of `columns` need not be
// field i of the node, but every `field` exists in the node's schema.
#pragma once

#include <arrow/result.h>
#include <arrow/type.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "plan/logical_plan.h"

namespace tidelake::sql {

struct ScopeColumn {
  std::vector<std::string> qualifier;  ///< e.g. {"t"} or {"raw", "transactions"}; may be empty
  std::string name;                    ///< as the user refers to it
  std::string field;                   ///< the unique field name in the plan
  std::shared_ptr<arrow::DataType> type;
  bool hidden = false;  ///< not part of `*` (e.g. the right side's USING column)
};

struct Scope {
  std::vector<ScopeColumn> columns;
  const Scope* outer = nullptr;  ///< the enclosing query's scope, for correlated references
  /// The field holding the rows' event time (TIMESTAMP BY, WATERMARK, a window's end), which
  /// System.Timestamp() returns and Stream Analytics' windows group by; empty when none.
  std::string event_time;
  /// A GROUP BY window's start and end fields (Flink's TUMBLE_START(...), SESSION_END(...));
  /// empty when the query groups by no window.
  std::string window_start, window_end;
};

/// A bound FROM item or query: the plan and the names visible over its output.
struct BoundRelation {
  plan::NodePtr node;
  Scope scope;
};

/// How a column reference resolved: the column, how many outer scopes up it was found (0 = the
/// current one), and the struct fields that follow the column name ("a.b.c" -> fields {b, c}).
struct ResolvedColumn {
  const ScopeColumn* column = nullptr;
  int depth = 0;
  std::vector<std::string> fields;
};

bool NamesEqual(std::string_view a, std::string_view b);

/// Resolves `parts` (t.col, col, zone.t.col, col.field...) against `scope` and its outer scopes.
/// Errors: "column 'x' not found", "column 'x' is ambiguous (t1.x, t2.x)" — without position;
/// the caller adds it.
arrow::Result<ResolvedColumn> ResolveColumn(const Scope& scope, const std::vector<std::string>& parts);

/// The columns `qualifier.*` (or `*` when empty) expands to, in order.
arrow::Result<std::vector<const ScopeColumn*>> ExpandStar(const Scope& scope,
                                                          const std::vector<std::string>& qualifier);

/// Gives every column the qualifier `alias` (a FROM item's alias replaces the table's name).
void Requalify(Scope* scope, const std::string& alias);

}  // namespace tidelake::sql
