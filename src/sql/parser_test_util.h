// Helpers shared by the SQL parser tests: parse, print, re-parse.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "sql/ast_printer.h"
#include "sql/parser.h"

namespace tidelake::sql::testing {

/// Parses `sql` as a statement; fails the test (and returns null) on error.
inline StatementPtr MustParse(std::string_view sql) {
  auto result = ParseStatement(sql);
  EXPECT_TRUE(result.ok()) << result.status().ToString() << "\n  in: " << sql;
  return result.ok() ? std::move(result).ValueUnsafe() : nullptr;
}

/// Parses `sql`, prints it, parses the print and prints again: the two prints must agree
/// (the canonical form is a fixed point, i.e. the print parses back to the same tree).
/// Returns the canonical form ("" on failure).
inline std::string Canonical(std::string_view sql) {
  StatementPtr first = MustParse(sql);
  if (!first) return "";
  std::string printed = ToString(*first);
  auto second = ParseStatement(printed);
  EXPECT_TRUE(second.ok()) << second.status().ToString() << "\n  printed: " << printed << "\n  from: " << sql;
  if (!second.ok()) return "";
  EXPECT_EQ(ToString(**second), printed) << "from: " << sql;
  return printed;
}

inline ExprPtr MustParseExpr(std::string_view sql) {
  auto result = ParseExpression(sql);
  EXPECT_TRUE(result.ok()) << result.status().ToString() << "\n  in: " << sql;
  return result.ok() ? std::move(result).ValueUnsafe() : nullptr;
}

/// Like Canonical() for a standalone expression.
inline std::string CanonicalExpr(std::string_view sql) {
  ExprPtr first = MustParseExpr(sql);
  if (!first) return "";
  std::string printed = ToString(*first);
  auto second = ParseExpression(printed);
  EXPECT_TRUE(second.ok()) << second.status().ToString() << "\n  printed: " << printed << "\n  from: " << sql;
  if (!second.ok()) return "";
  EXPECT_EQ(ToString(**second), printed) << "from: " << sql;
  return printed;
}

/// The error message of a statement that must fail to parse.
inline std::string ParseErrorOf(std::string_view sql) {
  auto result = ParseStatement(sql);
  EXPECT_FALSE(result.ok()) << "parsed without error: " << sql;
  return result.ok() ? std::string("<no error>") : result.status().message();
}

}  // namespace tidelake::sql::testing
