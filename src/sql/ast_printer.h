// Prints syntax trees (ast.h) back as canonical SQL text: one line, upper-case keywords, single
// spaces, `AS` before every alias, names back-quoted only when they must be, parentheses only
// where precedence needs them, literals in a form that reads back to the same literal.
//
// The output parses back to the same tree (positions aside): for every statement S the parser
// accepts, ToString(Parse(ToString(Parse(S)))) == ToString(Parse(S)). EXPLAIN, error messages
// ("in expression a + b ...") and tests rely on this. Every field of every node is printed,
// except CreateViewStatement::query_text (the query itself is printed instead).
#pragma once

#include <string>
#include <string_view>

#include "sql/ast.h"

namespace tidelake::sql {

std::string ToString(const Expr& expr);
std::string ToString(const TypeName& type);
std::string ToString(const Query& query);
std::string ToString(const Relation& relation);
std::string ToString(const Statement& statement);
std::string ToString(const ObjectName& name);

/// `name` as SQL: bare when it is a plain word that is not reserved, else `back quoted`.
std::string QuoteIdentifier(std::string_view name);
/// `value` as a single-quoted SQL string literal (backslash escapes where needed).
std::string QuoteString(std::string_view value);

}  // namespace tidelake::sql
