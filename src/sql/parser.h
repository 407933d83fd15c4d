// The SQL parser: source text -> syntax tree (ast.h). Recursive descent over the lexer's
// tokens, Spark SQL dialect plus Azure Stream Analytics' `SELECT .. INTO`, `TIMESTAMP BY` and
// window-function group keys.
//
// Expression precedence, loosest first: OR; AND; NOT; comparisons, IS, [NOT] IN / LIKE /
// BETWEEN (left-associative, one level); |; ^; &; + - ||; * / % DIV; unary - + ~; postfix
// `::type`, `[i]`, `.field`. Set operations: UNION and EXCEPT/MINUS bind looser than INTERSECT;
// ORDER BY / LIMIT / OFFSET after a set operation apply to all of it.
//
// Errors are arrow::Status::Invalid with the position first: "line L:C: expected X, found Y"
// (Y is the token as written, or "end of input"), carrying an ErrorDetail (common/error.h)
// with the line and column. Input of any bytes gives a tree or an error, never a crash: a
// tree taller than kMaxSyntaxHeight, or nesting that would take the parser past 4 MB of stack
// (or past half of what the calling thread has left), is the error "line L:C: statement is
// nested too deeply". In a release build that allows several hundred levels of parentheses or
// subqueries; sanitizer builds have larger frames and allow fewer. Functions here are pure
// and safe to call from any thread.
#pragma once

#include <arrow/result.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sql/ast.h"

namespace tidelake::sql {

/// Parses one statement; one trailing ';' is allowed.
arrow::Result<StatementPtr> ParseStatement(std::string_view sql);

/// A statement of a script with the source it came from.
struct ParsedStatement {
  StatementPtr statement;
  std::string text;    ///< the statement's source, from its first to its last token
  SourcePos begin;     ///< where `text` starts in the script
  size_t end_offset = 0;  ///< byte offset just after `text` in the script
};

/// Parses a script of statements separated by ';' (empty statements are skipped). Positions
/// in errors and in the result are relative to the whole script.
arrow::Result<std::vector<ParsedStatement>> ParseScript(std::string_view sql);

/// A statement's source range, found without parsing it (for a shell that splits input).
struct StatementText {
  std::string text;
  SourcePos begin;
  size_t end_offset = 0;
};

/// Splits a script at top-level ';' (not inside strings, quoted names or comments). Fails only
/// on lexical errors (an unterminated string or comment, a stray character).
arrow::Result<std::vector<StatementText>> SplitStatements(std::string_view sql);

/// Parses a standalone expression, e.g. a `--where` filter or a replaceWhere predicate.
arrow::Result<ExprPtr> ParseExpression(std::string_view sql);

/// Parses a standalone data type, e.g. "decimal(10, 2)" or "array<struct<a: int>>".
arrow::Result<TypeNamePtr> ParseTypeName(std::string_view sql);

}  // namespace tidelake::sql
