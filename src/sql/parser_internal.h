// The recursive-descent Parser behind parser.h, shared by its implementation files:
// parser.cc (token cursor, names, errors, public entry points), parse_expression.cc,
// parse_literal.cc, parse_query.cc (queries and FROM), parse_type.cc, parse_statement.cc (DDL
// and utility statements) and parse_dml.cc (INSERT, DELETE, UPDATE, MERGE). Not a public
// header.
//
// A Parser reads one token vector (from Tokenize, ending in kEnd) starting at a given index.
// A statement ends at ';' or kEnd; AtStatementEnd() is the one test for it. Every function
// that can recurse takes a NestingGuard, so input nested deeper than kMaxSyntaxHeight fails
// with an error before the stack is at risk, and every node gets its height through Seal(),
// which fails when a tree grows taller than kMaxSyntaxHeight through left-deep chains
// (a + b + c ..., long join lists) that need no recursion to build. The guard also measures
// the stack actually used (at most kParserStackBudget bytes, and at most half of what the
// thread has left), because a frame's size depends on the build (sanitizers make frames
// several times larger): nesting fails cleanly at whichever limit comes first.
#pragma once

#include <arrow/result.h>
#include <arrow/status.h>

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sql/ast.h"
#include "sql/token.h"

namespace tidelake::sql::internal {

/// The most stack, in bytes, one parse may use.
inline constexpr size_t kParserStackBudget = size_t{4} << 20;

class Parser {
 public:
  Parser(std::string_view source, const std::vector<Token>& tokens, size_t start = 0);

  // Entry points.
  arrow::Result<StatementPtr> ParseStatement();
  arrow::Result<ExprPtr> ParseExpr();
  arrow::Result<QueryPtr> ParseQuery();
  arrow::Result<TypeNamePtr> ParseType();

  /// Fails unless the statement ends here (';' or end of input when `allow_semicolon`).
  arrow::Status ExpectEndOfInput(bool allow_semicolon);
  size_t index() const { return i_; }
  const Token& Peek(size_t ahead = 0) const;
  /// The token before the current one (the last one consumed).
  const Token& Previous() const;

 private:
  friend class NestingGuard;

  // ---- Token cursor (parser.cc)
  const Token& Advance();
  bool At(TokenKind kind, size_t ahead = 0) const { return Peek(ahead).kind == kind; }
  bool AtWord(std::string_view word, size_t ahead = 0) const { return Peek(ahead).IsWord(word); }
  bool AtStatementEnd() const { return At(TokenKind::kEnd) || At(TokenKind::kSemicolon); }
  bool Accept(TokenKind kind);
  bool AcceptWord(std::string_view word);
  /// Consumes the words in order if all are next (`NOT MATCHED BY SOURCE`).
  bool AcceptWords(std::initializer_list<std::string_view> words);
  arrow::Status Expect(TokenKind kind);
  arrow::Status ExpectWord(std::string_view word);
  arrow::Status ExpectWords(std::initializer_list<std::string_view> words);

  // ---- Errors
  arrow::Status ErrorAt(const SourcePos& pos, std::string message) const;
  /// "line L:C: expected <what>, found <current token>".
  arrow::Status ErrorExpected(std::string_view what) const;
  arrow::Status CheckNesting() const;
  /// Sets node->height to 1 + child_height; fails if that passes kMaxSyntaxHeight.
  arrow::Status Seal(SyntaxNode* node, uint32_t child_height) const;

  // ---- Names and literals (parser.cc)
  /// A quoted name, or a bare word that is not reserved.
  bool AtIdentifier(size_t ahead = 0) const;
  arrow::Result<std::string> ParseIdentifier(std::string_view what);
  /// name(.name)* with at most `max_parts` parts.
  arrow::Result<ObjectName> ParseObjectName(std::string_view what, size_t max_parts = 3);
  /// A table name, or a quoted path read as delta.`path` (OPTIMIZE '/p', VACUUM '/p', ...).
  arrow::Result<ObjectName> ParseTableNameOrPath(std::string_view what);
  /// ( name, name, ... )
  arrow::Result<std::vector<std::string>> ParseIdentifierList(std::string_view what);
  /// a.b.c (field paths in SET clauses and INSERT column lists).
  arrow::Result<std::vector<std::string>> ParseNamePath(std::string_view what);
  /// One or more adjacent string literals, concatenated (as Spark does).
  arrow::Result<std::string> ParseStringLiteral(std::string_view what);
  arrow::Result<int64_t> ParseIntegerLiteral(std::string_view what);
  /// [AS] alias: an identifier that is not reserved and not one of `stop_words`.
  arrow::Result<std::string> ParseOptionalAlias(std::initializer_list<std::string_view> stop_words = {});

  // ---- Expressions (parse_expression.cc; literals in parse_literal.cc)
  /// OR (op kOr, operands from ParseAnd) and AND (kAnd, from ParseNot) chains, built as
  /// balanced trees like Spark does, so that generated predicates with thousands of terms
  /// stay shallow. Operands that are themselves the same operator (written in parentheses)
  /// are flattened into the chain first, so printing and re-parsing give the same tree.
  arrow::Result<ExprPtr> ParseLogicalChain(BinaryOp op);
  arrow::Result<ExprPtr> BuildBalanced(BinaryOp op, std::vector<ExprPtr>* operands,
                                       const std::vector<SourcePos>& op_positions, size_t begin, size_t end);
  arrow::Result<ExprPtr> ParseNot();
  arrow::Result<ExprPtr> ParsePredicate();
  // The parts after an operand of ParsePredicate; kept apart so its stack frame stays small.
  arrow::Result<ExprPtr> ParseIsTail(ExprPtr left, const SourcePos& pos);
  arrow::Result<ExprPtr> ParseBetweenTail(ExprPtr left, bool negated, const SourcePos& pos);
  arrow::Result<ExprPtr> ParseInTail(ExprPtr left, bool negated, const SourcePos& pos);
  arrow::Result<ExprPtr> ParseLikeTail(ExprPtr left, LikeOp op, bool negated, const SourcePos& pos);
  arrow::Result<ExprPtr> ParsePostfixTail(ExprPtr base);
  arrow::Result<ExprPtr> ParseKeywordLiteral();
  arrow::Status ParseCallSuffixes(FunctionCallExpr* call);
  /// Arithmetic and bitwise operators binding at least as tight as `min_level` (see .cc).
  arrow::Result<ExprPtr> ParseBinary(int min_level);
  /// An operand of comparisons and predicates: everything tighter than comparison.
  arrow::Result<ExprPtr> ParseValueExpr();
  arrow::Result<ExprPtr> ParseUnary();
  arrow::Result<ExprPtr> ParsePostfix();
  arrow::Result<ExprPtr> ParsePrimary();
  arrow::Result<ExprPtr> MakeBinary(BinaryOp op, ExprPtr left, ExprPtr right, const SourcePos& pos);
  arrow::Result<ExprPtr> ParseNumber(bool negative, const SourcePos& pos);
  arrow::Result<ExprPtr> ParseStringExpr();
  arrow::Result<ExprPtr> ParseTypedLiteral();
  arrow::Result<ExprPtr> ParseInterval();
  arrow::Result<ExprPtr> ParseCase();
  arrow::Result<ExprPtr> ParseCast();
  arrow::Result<ExprPtr> ParseExtract();
  arrow::Result<ExprPtr> ParseSubstring();
  arrow::Result<ExprPtr> ParseExists();
  arrow::Result<ExprPtr> ParseParenthesized();
  arrow::Result<ExprPtr> ParseNameOrCall();
  arrow::Result<ExprPtr> ParseFunctionCall(std::vector<std::string> name, const SourcePos& pos);
  /// ( [arg [, arg]*] ) where an arg may be `name => value`; used for table functions too.
  arrow::Status ParseCallArguments(std::vector<ExprPtr>* args, bool* distinct);
  arrow::Result<std::unique_ptr<WindowSpec>> ParseWindowSpec();
  arrow::Result<FrameBound> ParseFrameBound();
  arrow::Result<std::vector<OrderItem>> ParseOrderItems();
  arrow::Result<std::vector<ExprPtr>> ParseExprList();
  /// The query inside ( ) after IN / EXISTS / a scalar subquery: SELECT, WITH, VALUES.
  bool AtQueryStart(size_t ahead = 0) const;
  std::optional<IntervalUnit> IntervalUnitAt(size_t ahead = 0) const;
  /// True when the tokens at `ahead` begin another INTERVAL field: [sign] value unit.
  bool AtIntervalField(size_t ahead = 0) const;

  // ---- Queries and relations (parse_query.cc)
  arrow::Result<QueryBodyPtr> ParseSetUnion();
  arrow::Result<QueryBodyPtr> ParseSetIntersect();
  arrow::Result<QueryBodyPtr> ParseQueryPrimary();
  arrow::Result<QueryBodyPtr> ParseSelect();
  arrow::Result<QueryBodyPtr> ParseValues();
  arrow::Status ParseWithClause(Query* query);
  arrow::Result<GroupBy> ParseGroupBy();
  arrow::Result<std::vector<ExprPtr>> ParseGroupingSet();
  arrow::Result<RelationPtr> ParseFromList();
  arrow::Result<RelationPtr> ParseJoinChain();
  arrow::Result<RelationPtr> ParseRelationPrimary();
  arrow::Result<RelationPtr> ParseTableRelation();
  /// TABLE(TUMBLE(...)) and the other windowing table-valued functions.
  arrow::Result<RelationPtr> ParseWindowFunction();
  arrow::Status ParseRelationAlias(Relation* relation, std::initializer_list<std::string_view> stop_words = {});
  arrow::Result<TimeTravel> ParseTimeTravelValue(TimeTravelKind kind);

  // ---- Statements (parse_statement.cc, parse_dml.cc)
  arrow::Result<StatementPtr> ParseExplain();
  arrow::Result<StatementPtr> ParseCreate();
  arrow::Result<StatementPtr> ParseCreateTable(bool or_replace, const SourcePos& pos, bool streaming = false);
  arrow::Result<StatementPtr> ParseCreateView(bool or_replace, bool temporary, const SourcePos& pos);
  arrow::Result<StatementPtr> ParseCreateStreamingTable(bool or_refresh, const SourcePos& pos);
  arrow::Result<StatementPtr> ParseCreateSource(const SourcePos& pos);
  arrow::Result<StatementPtr> ParseRefresh();
  arrow::Result<ColumnDefinition> ParseColumnDefinition();
  arrow::Result<std::vector<TableProperty>> ParseTableProperties();
  arrow::Result<TableProperty> ParsePropertyKey();                   ///< 'key' or a.dotted.key
  arrow::Result<std::vector<TableProperty>> ParsePropertyKeys();     ///< (key, ...), values empty
  arrow::Result<ColumnPath> ParseColumnPath();
  arrow::Result<StatementPtr> ParseDrop();
  arrow::Result<StatementPtr> ParseAlter();
  arrow::Result<StatementPtr> ParseOptimize();
  arrow::Result<StatementPtr> ParseVacuum();
  arrow::Result<StatementPtr> ParseDescribe();
  arrow::Result<StatementPtr> ParseRestore();
  arrow::Result<StatementPtr> ParseAnalyze();
  arrow::Result<StatementPtr> ParseShow();
  arrow::Result<StatementPtr> ParseSet();
  arrow::Result<StatementPtr> ParseReset();
  arrow::Result<StatementPtr> ParseUse();
  arrow::Result<StatementPtr> ParseInsert();
  arrow::Result<StatementPtr> ParseDelete();
  arrow::Result<StatementPtr> ParseUpdate();
  arrow::Result<StatementPtr> ParseMerge();
  arrow::Result<MergeClause> ParseMergeClause();
  arrow::Result<std::vector<Assignment>> ParseAssignments();
  /// The raw source text from the current token up to the statement's end, trimmed.
  std::string RestOfStatementText();

  std::string_view source_;
  const std::vector<Token>& tokens_;
  size_t i_ = 0;
  uint32_t depth_ = 0;
  /// The parser fails rather than let its stack reach below this address (see CheckNesting).
  uintptr_t stack_floor_ = 0;
};

/// Counts one level of parser recursion for as long as it lives.
class NestingGuard {
 public:
  explicit NestingGuard(Parser* parser) : parser_(parser) { ++parser_->depth_; }
  ~NestingGuard() { --parser_->depth_; }
  NestingGuard(const NestingGuard&) = delete;
  NestingGuard& operator=(const NestingGuard&) = delete;

 private:
  Parser* parser_;
};

/// Enters one level of nesting in a Parser member function, failing when too deep.
#define TIDELAKE_SQL_NEST()                 \
  ::tidelake::sql::internal::NestingGuard nesting_guard_(this); \
  ARROW_RETURN_NOT_OK(CheckNesting())

// Heights of optional children (0 when absent), for Seal().
inline uint32_t HeightOf(const SyntaxNode* node) { return node ? node->height : 0; }
template <typename T>
uint32_t HeightOf(const std::unique_ptr<T>& node) {
  return HeightOf(static_cast<const SyntaxNode*>(node.get()));
}
uint32_t HeightOf(const std::vector<ExprPtr>& exprs);
uint32_t HeightOf(const std::vector<OrderItem>& items);
uint32_t HeightOf(const WindowFrame& frame);

}  // namespace tidelake::sql::internal
