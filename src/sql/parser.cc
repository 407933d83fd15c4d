// Parser core: the token cursor, names, literals, errors, and the public entry points.
#include "sql/parser.h"

#include <algorithm>
#include <charconv>

#if defined(__linux__)
#include <pthread.h>
#endif

#include "common/error.h"
#include "sql/lexer.h"
#include "sql/parser_internal.h"

namespace tidelake::sql {
namespace internal {
namespace {

uintptr_t CurrentFrameAddress() { return reinterpret_cast<uintptr_t>(__builtin_frame_address(0)); }

// The lowest address of the calling thread's stack (0 when unknown), looked up once per thread.
uintptr_t ThreadStackLow() {
  thread_local const uintptr_t low = [] {
    uintptr_t result = 0;
#if defined(__linux__)
    pthread_attr_t attr;
    if (pthread_getattr_np(pthread_self(), &attr) == 0) {
      void* addr = nullptr;
      size_t size = 0;
      if (pthread_attr_getstack(&attr, &addr, &size) == 0) result = reinterpret_cast<uintptr_t>(addr);
      pthread_attr_destroy(&attr);
    }
#endif
    return result;
  }();
  return low;
}

}  // namespace

Parser::Parser(std::string_view source, const std::vector<Token>& tokens, size_t start)
    : source_(source), tokens_(tokens), i_(start) {
  const uintptr_t here = CurrentFrameAddress();
  size_t budget = kParserStackBudget;
  const uintptr_t low = ThreadStackLow();
  // Leave at least half of the remaining stack to the caller (and to whoever walks the tree).
  if (low != 0 && here > low) budget = std::min(budget, (here - low) / 2);
  stack_floor_ = here > budget ? here - budget : 0;
}

uint32_t HeightOf(const std::vector<ExprPtr>& exprs) {
  uint32_t h = 0;
  for (const ExprPtr& e : exprs) h = std::max(h, HeightOf(e));
  return h;
}

uint32_t HeightOf(const std::vector<OrderItem>& items) {
  uint32_t h = 0;
  for (const OrderItem& item : items) h = std::max(h, HeightOf(item.expr));
  return h;
}

uint32_t HeightOf(const WindowFrame& frame) {
  uint32_t h = HeightOf(frame.start.offset);
  if (frame.end) h = std::max(h, HeightOf(frame.end->offset));
  return h;
}

const Token& Parser::Peek(size_t ahead) const {
  size_t k = std::min(i_ + ahead, tokens_.size() - 1);
  return tokens_[k];
}

const Token& Parser::Previous() const { return tokens_[i_ > 0 ? i_ - 1 : 0]; }

const Token& Parser::Advance() {
  const Token& t = tokens_[i_];
  if (t.kind != TokenKind::kEnd) ++i_;
  return t;
}

bool Parser::Accept(TokenKind kind) {
  if (!At(kind)) return false;
  Advance();
  return true;
}

bool Parser::AcceptWord(std::string_view word) {
  if (!AtWord(word)) return false;
  Advance();
  return true;
}

bool Parser::AcceptWords(std::initializer_list<std::string_view> words) {
  size_t k = 0;
  for (std::string_view w : words) {
    if (!AtWord(w, k++)) return false;
  }
  for (size_t n = 0; n < words.size(); ++n) Advance();
  return true;
}

arrow::Status Parser::Expect(TokenKind kind) {
  if (Accept(kind)) return arrow::Status::OK();
  return ErrorExpected("'" + std::string(TokenKindSpelling(kind)) + "'");
}

arrow::Status Parser::ExpectWord(std::string_view word) {
  if (AcceptWord(word)) return arrow::Status::OK();
  return ErrorExpected(word);
}

arrow::Status Parser::ExpectWords(std::initializer_list<std::string_view> words) {
  for (std::string_view w : words) ARROW_RETURN_NOT_OK(ExpectWord(w));
  return arrow::Status::OK();
}

arrow::Status Parser::ErrorAt(const SourcePos& pos, std::string message) const {
  return tidelake::ErrorAt(arrow::StatusCode::Invalid, ErrorContext{.line = pos.line, .column = pos.column},
                           std::move(message));
}

arrow::Status Parser::ErrorExpected(std::string_view what) const {
  return ErrorAt(Peek().pos, "expected " + std::string(what) + ", found " + DescribeToken(Peek()));
}

arrow::Status Parser::CheckNesting() const {
  if (depth_ <= kMaxSyntaxHeight && CurrentFrameAddress() >= stack_floor_) return arrow::Status::OK();
  return ErrorAt(Peek().pos, "statement is nested too deeply");
}

arrow::Status Parser::Seal(SyntaxNode* node, uint32_t child_height) const {
  node->height = child_height + 1;
  if (node->height <= kMaxSyntaxHeight) return arrow::Status::OK();
  return ErrorAt(node->pos, "statement is nested too deeply");
}

arrow::Status Parser::ExpectEndOfInput(bool allow_semicolon) {
  if (allow_semicolon) Accept(TokenKind::kSemicolon);
  if (At(TokenKind::kEnd)) return arrow::Status::OK();
  return ErrorExpected("end of input");
}

bool Parser::AtIdentifier(size_t ahead) const {
  const Token& t = Peek(ahead);
  return t.kind == TokenKind::kQuotedIdentifier || (t.kind == TokenKind::kIdentifier && !IsReservedWord(t.text));
}

arrow::Result<std::string> Parser::ParseIdentifier(std::string_view what) {
  if (!AtIdentifier()) return ErrorExpected(what);
  return Advance().value;
}

arrow::Result<std::vector<std::string>> Parser::ParseNamePath(std::string_view what) {
  std::vector<std::string> parts;
  ARROW_ASSIGN_OR_RAISE(std::string first, ParseIdentifier(what));
  parts.push_back(std::move(first));
  while (At(TokenKind::kDot)) {
    Advance();
    // After a dot any word names a part, reserved or not (t.order, delta.`/p`).
    if (!At(TokenKind::kIdentifier) && !At(TokenKind::kQuotedIdentifier)) return ErrorExpected("a name after '.'");
    parts.push_back(Advance().value);
  }
  return parts;
}

arrow::Result<ObjectName> Parser::ParseObjectName(std::string_view what, size_t max_parts) {
  ObjectName name;
  name.pos = Peek().pos;
  ARROW_ASSIGN_OR_RAISE(std::string first, ParseIdentifier(what));
  name.parts.push_back(std::move(first));
  while (At(TokenKind::kDot)) {
    if (name.parts.size() >= max_parts) {
      return ErrorAt(Peek().pos, std::string(what) + " has more than " + std::to_string(max_parts) + " parts");
    }
    Advance();
    if (!At(TokenKind::kIdentifier) && !At(TokenKind::kQuotedIdentifier)) return ErrorExpected("a name after '.'");
    name.parts.push_back(Advance().value);
  }
  return name;
}

arrow::Result<ObjectName> Parser::ParseTableNameOrPath(std::string_view what) {
  if (At(TokenKind::kString)) {
    ObjectName name;
    name.pos = Peek().pos;
    ARROW_ASSIGN_OR_RAISE(std::string path, ParseStringLiteral(what));
    name.parts = {"delta", std::move(path)};
    return name;
  }
  return ParseObjectName(what);
}

arrow::Result<std::vector<std::string>> Parser::ParseIdentifierList(std::string_view what) {
  ARROW_RETURN_NOT_OK(Expect(TokenKind::kLParen));
  std::vector<std::string> names;
  do {
    ARROW_ASSIGN_OR_RAISE(std::string name, ParseIdentifier(what));
    names.push_back(std::move(name));
  } while (Accept(TokenKind::kComma));
  ARROW_RETURN_NOT_OK(Expect(TokenKind::kRParen));
  return names;
}

arrow::Result<std::string> Parser::ParseStringLiteral(std::string_view what) {
  if (!At(TokenKind::kString)) return ErrorExpected(what);
  std::string value;
  while (At(TokenKind::kString)) value += Advance().value;
  return value;
}

arrow::Result<int64_t> Parser::ParseIntegerLiteral(std::string_view what) {
  const bool negative = At(TokenKind::kMinus) && At(TokenKind::kNumber, 1);
  if (negative) Advance();
  const Token& t = Peek();
  if (t.kind != TokenKind::kNumber || t.number_has_dot || t.number_has_exponent ||
      (t.number_suffix != NumberSuffix::kNone && t.number_suffix != NumberSuffix::kBigInt)) {
    return ErrorExpected(what);
  }
  std::string digits = (negative ? "-" : "") + t.value;
  int64_t value = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc() || end != digits.data() + digits.size()) {
    return ErrorAt(t.pos, "integer " + digits + " is out of range");
  }
  Advance();
  return value;
}

arrow::Result<std::string> Parser::ParseOptionalAlias(std::initializer_list<std::string_view> stop_words) {
  if (AcceptWord("AS")) {
    // SEMI, ANTI and MINUS are reserved only so that `FROM a SEMI JOIN b` is not read as an
    // alias; after AS they are names.
    if (AtWord("SEMI") || AtWord("ANTI") || AtWord("MINUS")) return Advance().value;
    return ParseIdentifier("an alias after AS");
  }
  if (!AtIdentifier()) return std::string();
  if (At(TokenKind::kIdentifier)) {
    if (IsClauseWord(Peek().text)) return std::string();
    for (std::string_view stop : stop_words) {
      if (AtWord(stop)) return std::string();
    }
  }
  return Advance().value;
}

std::string Parser::RestOfStatementText() {
  const size_t start = i_;
  size_t j = i_;
  while (tokens_[j].kind != TokenKind::kEnd && tokens_[j].kind != TokenKind::kSemicolon) ++j;
  i_ = j;
  if (j == start) return std::string();
  const Token& first = tokens_[start];
  const Token& last = tokens_[j - 1];
  size_t end = last.pos.offset + last.text.size();
  return std::string(source_.substr(first.pos.offset, end - first.pos.offset));
}

}  // namespace internal

namespace {

size_t EndOffset(const Token& token) { return token.pos.offset + token.text.size(); }

}  // namespace

arrow::Result<StatementPtr> ParseStatement(std::string_view sql) {
  ARROW_ASSIGN_OR_RAISE(std::vector<Token> tokens, Tokenize(sql));
  internal::Parser parser(sql, tokens);
  ARROW_ASSIGN_OR_RAISE(StatementPtr statement, parser.ParseStatement());
  ARROW_RETURN_NOT_OK(parser.ExpectEndOfInput(/*allow_semicolon=*/true));
  return statement;
}

arrow::Result<std::vector<ParsedStatement>> ParseScript(std::string_view sql) {
  ARROW_ASSIGN_OR_RAISE(std::vector<Token> tokens, Tokenize(sql));
  std::vector<ParsedStatement> out;
  size_t i = 0;
  while (true) {
    while (tokens[i].kind == TokenKind::kSemicolon) ++i;
    if (tokens[i].kind == TokenKind::kEnd) break;
    internal::Parser parser(sql, tokens, i);
    ParsedStatement parsed;
    parsed.begin = tokens[i].pos;
    ARROW_ASSIGN_OR_RAISE(parsed.statement, parser.ParseStatement());
    const Token& next = parser.Peek();
    if (next.kind != TokenKind::kSemicolon && next.kind != TokenKind::kEnd) {
      return tidelake::ErrorAt(arrow::StatusCode::Invalid,
                               ErrorContext{.line = next.pos.line, .column = next.pos.column},
                               "expected ';' or end of input, found " + DescribeToken(next));
    }
    parsed.end_offset = EndOffset(parser.Previous());
    parsed.text = std::string(sql.substr(parsed.begin.offset, parsed.end_offset - parsed.begin.offset));
    out.push_back(std::move(parsed));
    i = parser.index();
  }
  return out;
}

arrow::Result<std::vector<StatementText>> SplitStatements(std::string_view sql) {
  ARROW_ASSIGN_OR_RAISE(std::vector<Token> tokens, Tokenize(sql));
  std::vector<StatementText> out;
  size_t i = 0;
  while (tokens[i].kind != TokenKind::kEnd) {
    if (tokens[i].kind == TokenKind::kSemicolon) {
      ++i;
      continue;
    }
    size_t j = i;
    while (tokens[j].kind != TokenKind::kEnd && tokens[j].kind != TokenKind::kSemicolon) ++j;
    StatementText piece;
    piece.begin = tokens[i].pos;
    piece.end_offset = EndOffset(tokens[j - 1]);
    piece.text = std::string(sql.substr(piece.begin.offset, piece.end_offset - piece.begin.offset));
    out.push_back(std::move(piece));
    i = j;
  }
  return out;
}

arrow::Result<ExprPtr> ParseExpression(std::string_view sql) {
  ARROW_ASSIGN_OR_RAISE(std::vector<Token> tokens, Tokenize(sql));
  internal::Parser parser(sql, tokens);
  ARROW_ASSIGN_OR_RAISE(ExprPtr expr, parser.ParseExpr());
  ARROW_RETURN_NOT_OK(parser.ExpectEndOfInput(/*allow_semicolon=*/false));
  return expr;
}

arrow::Result<TypeNamePtr> ParseTypeName(std::string_view sql) {
  ARROW_ASSIGN_OR_RAISE(std::vector<Token> tokens, Tokenize(sql));
  internal::Parser parser(sql, tokens);
  ARROW_ASSIGN_OR_RAISE(TypeNamePtr type, parser.ParseType());
  ARROW_RETURN_NOT_OK(parser.ExpectEndOfInput(/*allow_semicolon=*/false));
  return type;
}

}  // namespace tidelake::sql
