// Helpers shared by the two halves of the SQL printer (ast_printer.cc for expressions, types,
// queries and relations; statement_printer.cc for statements). Not a public header.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "sql/ast.h"

namespace tidelake::sql::printer_internal {

std::string Join(const std::vector<std::string>& parts, std::string_view sep);
/// a.b.c with each part quoted as needed.
std::string NamePath(const std::vector<std::string>& parts);
/// (a, b, c) with each name quoted as needed.
std::string NameList(const std::vector<std::string>& names);
/// e1, e2, e3
std::string ExprList(const std::vector<ExprPtr>& exprs);
/// A number that reads back as the same double ("168", "0.5").
std::string FormatDouble(double v);
/// `e` as an operand of a comparison (parenthesised unless it binds tighter).
std::string ValueOperand(const Expr& e);

}  // namespace tidelake::sql::printer_internal
