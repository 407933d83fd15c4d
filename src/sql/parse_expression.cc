// Expressions: operators by precedence (see parser.h), names and calls, CASE, CAST, EXTRACT,
// subqueries and window specifications. Literals are in parse_literal.cc.
#include <algorithm>

#include "sql/parser_internal.h"

namespace tidelake::sql::internal {
namespace {

// Binding levels of the arithmetic and bitwise operators; higher binds tighter.
constexpr int kLevelBitOr = 1;
constexpr int kLevelBitXor = 2;
constexpr int kLevelBitAnd = 3;
constexpr int kLevelAdditive = 4;
constexpr int kLevelMultiplicative = 5;

struct BinaryOpInfo {
  BinaryOp op;
  int level;
};

std::optional<BinaryOpInfo> ArithmeticOpAt(const Token& t) {
  switch (t.kind) {
    case TokenKind::kPipe: return BinaryOpInfo{BinaryOp::kBitOr, kLevelBitOr};
    case TokenKind::kCaret: return BinaryOpInfo{BinaryOp::kBitXor, kLevelBitXor};
    case TokenKind::kAmpersand: return BinaryOpInfo{BinaryOp::kBitAnd, kLevelBitAnd};
    case TokenKind::kPlus: return BinaryOpInfo{BinaryOp::kAdd, kLevelAdditive};
    case TokenKind::kMinus: return BinaryOpInfo{BinaryOp::kSubtract, kLevelAdditive};
    case TokenKind::kConcat: return BinaryOpInfo{BinaryOp::kConcat, kLevelAdditive};
    case TokenKind::kStar: return BinaryOpInfo{BinaryOp::kMultiply, kLevelMultiplicative};
    case TokenKind::kSlash: return BinaryOpInfo{BinaryOp::kDivide, kLevelMultiplicative};
    case TokenKind::kPercent: return BinaryOpInfo{BinaryOp::kModulo, kLevelMultiplicative};
    default: break;
  }
  if (t.IsWord("DIV")) return BinaryOpInfo{BinaryOp::kIntDivide, kLevelMultiplicative};
  return std::nullopt;
}

std::optional<BinaryOp> ComparisonOpAt(const Token& t) {
  switch (t.kind) {
    case TokenKind::kEq:
    case TokenKind::kEqEq: return BinaryOp::kEq;
    case TokenKind::kNotEq:
    case TokenKind::kBangEq: return BinaryOp::kNotEq;
    case TokenKind::kLt: return BinaryOp::kLt;
    case TokenKind::kLtEq: return BinaryOp::kLtEq;
    case TokenKind::kGt: return BinaryOp::kGt;
    case TokenKind::kGtEq: return BinaryOp::kGtEq;
    case TokenKind::kNullSafeEq: return BinaryOp::kNullSafeEq;
    default: return std::nullopt;
  }
}

template <typename T>
std::unique_ptr<T> NewNode(const SourcePos& pos) {
  auto node = std::make_unique<T>();
  node->pos = pos;
  return node;
}

size_t Utf8Length(std::string_view s) {
  return static_cast<size_t>(std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

}  // namespace

arrow::Result<ExprPtr> Parser::MakeBinary(BinaryOp op, ExprPtr left, ExprPtr right, const SourcePos& pos) {
  auto node = NewNode<BinaryExpr>(pos);
  node->op = op;
  uint32_t h = std::max(left->height, right->height);
  node->left = std::move(left);
  node->right = std::move(right);
  ARROW_RETURN_NOT_OK(Seal(node.get(), h));
  return ExprPtr(std::move(node));
}

arrow::Result<ExprPtr> Parser::ParseExpr() {
  TIDELAKE_SQL_NEST();
  return ParseLogicalChain(BinaryOp::kOr);
}

namespace {

// Appends the operands of a chain of `op` (a OR b OR c) to `operands`, taking apart operands
// that are themselves `op` nodes; op_positions[i] is where the operator before operands[i]
// stands. The recursion follows balanced trees only, so it stays shallow.
void FlattenChain(BinaryOp op, ExprPtr e, const SourcePos& op_pos, std::vector<ExprPtr>* operands,
                  std::vector<SourcePos>* op_positions) {
  if (e->kind == ExprKind::kBinary && e->As<BinaryExpr>().op == op) {
    auto& node = e->As<BinaryExpr>();
    ExprPtr left = std::move(node.left);
    ExprPtr right = std::move(node.right);
    const SourcePos node_pos = e->pos;
    e.reset();
    FlattenChain(op, std::move(left), op_pos, operands, op_positions);
    FlattenChain(op, std::move(right), node_pos, operands, op_positions);
    return;
  }
  operands->push_back(std::move(e));
  op_positions->push_back(op_pos);
}

}  // namespace

arrow::Result<ExprPtr> Parser::BuildBalanced(BinaryOp op, std::vector<ExprPtr>* operands,
                                             const std::vector<SourcePos>& op_positions, size_t begin, size_t end) {
  if (end - begin == 1) return std::move((*operands)[begin]);
  const size_t mid = begin + (end - begin) / 2;
  ARROW_ASSIGN_OR_RAISE(ExprPtr left, BuildBalanced(op, operands, op_positions, begin, mid));
  ARROW_ASSIGN_OR_RAISE(ExprPtr right, BuildBalanced(op, operands, op_positions, mid, end));
  return MakeBinary(op, std::move(left), std::move(right), op_positions[mid]);
}

arrow::Result<ExprPtr> Parser::ParseLogicalChain(BinaryOp op) {
  const std::string_view word = op == BinaryOp::kOr ? "OR" : "AND";
  ARROW_ASSIGN_OR_RAISE(ExprPtr first, op == BinaryOp::kOr ? ParseLogicalChain(BinaryOp::kAnd) : ParseNot());
  if (!AtWord(word)) return first;
  std::vector<ExprPtr> operands;
  std::vector<SourcePos> op_positions;
  FlattenChain(op, std::move(first), SourcePos{}, &operands, &op_positions);
  while (AtWord(word)) {
    const SourcePos pos = Advance().pos;
    ARROW_ASSIGN_OR_RAISE(ExprPtr next, op == BinaryOp::kOr ? ParseLogicalChain(BinaryOp::kAnd) : ParseNot());
    FlattenChain(op, std::move(next), pos, &operands, &op_positions);
  }
  return BuildBalanced(op, &operands, op_positions, 0, operands.size());
}

arrow::Result<ExprPtr> Parser::ParseNot() {
  if (!AtWord("NOT")) return ParsePredicate();
  TIDELAKE_SQL_NEST();
  SourcePos pos = Advance().pos;
  ARROW_ASSIGN_OR_RAISE(ExprPtr operand, ParseNot());
  // NOT EXISTS (q) becomes one node; NOT EXISTS (q) = x stays NOT applied to a comparison.
  if (operand->kind == ExprKind::kExists && !operand->As<ExistsExpr>().negated) {
    operand->As<ExistsExpr>().negated = true;
    operand->pos = pos;
    return operand;
  }
  auto node = NewNode<UnaryExpr>(pos);
  node->op = UnaryOp::kNot;
  uint32_t h = operand->height;
  node->operand = std::move(operand);
  ARROW_RETURN_NOT_OK(Seal(node.get(), h));
  return ExprPtr(std::move(node));
}

arrow::Result<ExprPtr> Parser::ParsePredicate() {
  ARROW_ASSIGN_OR_RAISE(ExprPtr left, ParseValueExpr());
  while (true) {
    const SourcePos pos = Peek().pos;
    if (std::optional<BinaryOp> op = ComparisonOpAt(Peek())) {
      Advance();
      ARROW_ASSIGN_OR_RAISE(ExprPtr right, ParseValueExpr());
      ARROW_ASSIGN_OR_RAISE(left, MakeBinary(*op, std::move(left), std::move(right), pos));
      continue;
    }
    if (AtWord("IS")) {
      ARROW_ASSIGN_OR_RAISE(left, ParseIsTail(std::move(left), pos));
      continue;
    }
    // [NOT] BETWEEN / IN / LIKE / ILIKE / RLIKE / REGEXP
    const bool negated = AtWord("NOT");
    const Token& word = Peek(negated ? 1 : 0);
    if (word.IsWord("BETWEEN")) {
      ARROW_ASSIGN_OR_RAISE(left, ParseBetweenTail(std::move(left), negated, pos));
    } else if (word.IsWord("IN")) {
      ARROW_ASSIGN_OR_RAISE(left, ParseInTail(std::move(left), negated, pos));
    } else if (word.IsWord("LIKE")) {
      ARROW_ASSIGN_OR_RAISE(left, ParseLikeTail(std::move(left), LikeOp::kLike, negated, pos));
    } else if (word.IsWord("ILIKE")) {
      ARROW_ASSIGN_OR_RAISE(left, ParseLikeTail(std::move(left), LikeOp::kILike, negated, pos));
    } else if (word.IsWord("RLIKE") || word.IsWord("REGEXP")) {
      ARROW_ASSIGN_OR_RAISE(left, ParseLikeTail(std::move(left), LikeOp::kRLike, negated, pos));
    } else if (negated) {
      return ErrorAt(word.pos, "expected BETWEEN, IN, LIKE, ILIKE or RLIKE after NOT, found " + DescribeToken(word));
    } else {
      return left;
    }
  }
}

arrow::Result<ExprPtr> Parser::ParseIsTail(ExprPtr left, const SourcePos& pos) {
  Advance();  // IS
  const bool negated = AcceptWord("NOT");
  if (AcceptWords({"DISTINCT", "FROM"})) {
    auto node = NewNode<IsDistinctFromExpr>(pos);
    ARROW_ASSIGN_OR_RAISE(node->right, ParseValueExpr());
    node->left = std::move(left);
    node->negated = negated;
    ARROW_RETURN_NOT_OK(Seal(node.get(), std::max(node->left->height, node->right->height)));
    return ExprPtr(std::move(node));
  }
  auto node = NewNode<IsExpr>(pos);
  if (AcceptWord("NULL")) {
    node->test = IsTest::kNull;
  } else if (AcceptWord("TRUE")) {
    node->test = IsTest::kTrue;
  } else if (AcceptWord("FALSE")) {
    node->test = IsTest::kFalse;
  } else if (AcceptWord("UNKNOWN")) {
    node->test = IsTest::kUnknown;
  } else {
    return ErrorExpected(negated ? "NULL, TRUE, FALSE, UNKNOWN or DISTINCT FROM after IS NOT"
                                 : "NULL, TRUE, FALSE, UNKNOWN or DISTINCT FROM after IS");
  }
  node->negated = negated;
  node->operand = std::move(left);
  ARROW_RETURN_NOT_OK(Seal(node.get(), node->operand->height));
  return ExprPtr(std::move(node));
}

arrow::Result<ExprPtr> Parser::ParseBetweenTail(ExprPtr left, bool negated, const SourcePos& pos) {
  i_ += negated ? 2 : 1;
  auto node = NewNode<BetweenExpr>(pos);
  ARROW_ASSIGN_OR_RAISE(node->low, ParseValueExpr());
  ARROW_RETURN_NOT_OK(ExpectWord("AND"));
  ARROW_ASSIGN_OR_RAISE(node->high, ParseValueExpr());
  node->operand = std::move(left);
  node->negated = negated;
  ARROW_RETURN_NOT_OK(Seal(node.get(), std::max({node->operand->height, node->low->height, node->high->height})));
  return ExprPtr(std::move(node));
}

arrow::Result<ExprPtr> Parser::ParseInTail(ExprPtr left, bool negated, const SourcePos& pos) {
  i_ += negated ? 2 : 1;
  ARROW_RETURN_NOT_OK(Expect(TokenKind::kLParen));
  if (AtQueryStart()) {
    auto node = NewNode<InSubqueryExpr>(pos);
    ARROW_ASSIGN_OR_RAISE(node->query, ParseQuery());
    ARROW_RETURN_NOT_OK(Expect(TokenKind::kRParen));
    node->operand = std::move(left);
    node->negated = negated;
    ARROW_RETURN_NOT_OK(Seal(node.get(), std::max(node->operand->height, node->query->height)));
    return ExprPtr(std::move(node));
  }
  auto node = NewNode<InListExpr>(pos);
  ARROW_ASSIGN_OR_RAISE(node->list, ParseExprList());
  if (!Accept(TokenKind::kRParen)) return ErrorExpected("',' or ')'");
  node->operand = std::move(left);
  node->negated = negated;
  ARROW_RETURN_NOT_OK(Seal(node.get(), std::max(node->operand->height, HeightOf(node->list))));
  return ExprPtr(std::move(node));
}

arrow::Result<ExprPtr> Parser::ParseLikeTail(ExprPtr left, LikeOp op, bool negated, const SourcePos& pos) {
  i_ += negated ? 2 : 1;
  auto node = NewNode<LikeExpr>(pos);
  node->op = op;
  ARROW_ASSIGN_OR_RAISE(node->pattern, ParseValueExpr());
  if (AcceptWord("ESCAPE")) {
    const SourcePos escape_pos = Peek().pos;
    ARROW_ASSIGN_OR_RAISE(std::string escape, ParseStringLiteral("an escape character string"));
    if (Utf8Length(escape) != 1) {
      return ErrorAt(escape_pos, "the ESCAPE string must be one character, found '" + escape + "'");
    }
    node->escape = std::move(escape);
  }
  node->operand = std::move(left);
  node->negated = negated;
  ARROW_RETURN_NOT_OK(Seal(node.get(), std::max(node->operand->height, node->pattern->height)));
  return ExprPtr(std::move(node));
}

arrow::Result<ExprPtr> Parser::ParseValueExpr() { return ParseBinary(kLevelBitOr); }

arrow::Result<ExprPtr> Parser::ParseBinary(int min_level) {
  ARROW_ASSIGN_OR_RAISE(ExprPtr left, ParseUnary());
  while (true) {
    std::optional<BinaryOpInfo> info = ArithmeticOpAt(Peek());
    if (!info || info->level < min_level) return left;
    SourcePos pos = Advance().pos;
    ARROW_ASSIGN_OR_RAISE(ExprPtr right, ParseBinary(info->level + 1));
    ARROW_ASSIGN_OR_RAISE(left, MakeBinary(info->op, std::move(left), std::move(right), pos));
  }
}

arrow::Result<ExprPtr> Parser::ParseUnary() {
  UnaryOp op;
  if (At(TokenKind::kMinus)) {
    op = UnaryOp::kNegate;
  } else if (At(TokenKind::kPlus)) {
    op = UnaryOp::kPlus;
  } else if (At(TokenKind::kTilde)) {
    op = UnaryOp::kBitNot;
  } else {
    return ParsePostfix();
  }
  TIDELAKE_SQL_NEST();
  SourcePos pos = Advance().pos;
  // -5 is a negative literal (so -9223372036854775808 fits), unless a postfix operator
  // applies to the number first (-5::string is -(5::string)).
  if (op == UnaryOp::kNegate && At(TokenKind::kNumber) && !At(TokenKind::kColonColon, 1) &&
      !At(TokenKind::kLBracket, 1) && !At(TokenKind::kDot, 1)) {
    return ParseNumber(/*negative=*/true, pos);
  }
  ARROW_ASSIGN_OR_RAISE(ExprPtr operand, ParseUnary());
  auto node = NewNode<UnaryExpr>(pos);
  node->op = op;
  uint32_t h = operand->height;
  node->operand = std::move(operand);
  ARROW_RETURN_NOT_OK(Seal(node.get(), h));
  return ExprPtr(std::move(node));
}

arrow::Result<ExprPtr> Parser::ParsePostfix() {
  ARROW_ASSIGN_OR_RAISE(ExprPtr expr, ParsePrimary());
  if (expr->kind == ExprKind::kStar) return expr;
  if (!At(TokenKind::kLBracket) && !At(TokenKind::kColonColon) && !At(TokenKind::kDot)) return expr;
  return ParsePostfixTail(std::move(expr));
}

arrow::Result<ExprPtr> Parser::ParsePostfixTail(ExprPtr expr) {
  while (true) {
    const SourcePos pos = Peek().pos;
    if (Accept(TokenKind::kLBracket)) {
      auto node = NewNode<SubscriptExpr>(pos);
      ARROW_ASSIGN_OR_RAISE(node->index, ParseExpr());
      ARROW_RETURN_NOT_OK(Expect(TokenKind::kRBracket));
      node->base = std::move(expr);
      ARROW_RETURN_NOT_OK(Seal(node.get(), std::max(node->base->height, node->index->height)));
      expr = std::move(node);
    } else if (Accept(TokenKind::kColonColon)) {
      auto node = NewNode<CastExpr>(pos);
      node->syntax = CastSyntax::kDoubleColon;
      ARROW_ASSIGN_OR_RAISE(node->type, ParseType());
      node->operand = std::move(expr);
      ARROW_RETURN_NOT_OK(Seal(node.get(), std::max(node->operand->height, node->type->height)));
      expr = std::move(node);
    } else if (At(TokenKind::kDot)) {
      Advance();
      if (!At(TokenKind::kIdentifier) && !At(TokenKind::kQuotedIdentifier)) return ErrorExpected("a field name after '.'");
      auto node = NewNode<FieldAccessExpr>(pos);
      node->field = Advance().value;
      node->base = std::move(expr);
      ARROW_RETURN_NOT_OK(Seal(node.get(), node->base->height));
      expr = std::move(node);
    } else {
      return expr;
    }
  }
}

bool Parser::AtQueryStart(size_t ahead) const {
  return AtWord("SELECT", ahead) || AtWord("WITH", ahead) ||
         (AtWord("VALUES", ahead) && At(TokenKind::kLParen, ahead + 1));
}

arrow::Result<ExprPtr> Parser::ParsePrimary() {
  const Token& t = Peek();
  const SourcePos pos = t.pos;
  switch (t.kind) {
    case TokenKind::kNumber:
      return ParseNumber(/*negative=*/false, pos);
    case TokenKind::kString:
      return ParseStringExpr();
    case TokenKind::kLParen:
      return ParseParenthesized();
    case TokenKind::kStar: {
      Advance();
      return ExprPtr(NewNode<StarExpr>(pos));
    }
    case TokenKind::kQuotedIdentifier:
      return ParseNameOrCall();
    case TokenKind::kIdentifier:
      break;
    default:
      return ErrorExpected("an expression");
  }
  if (t.IsWord("NULL") || t.IsWord("TRUE") || t.IsWord("FALSE")) return ParseKeywordLiteral();
  const bool call = At(TokenKind::kLParen, 1);
  if (t.IsWord("CASE")) return ParseCase();
  if ((t.IsWord("CAST") || t.IsWord("TRY_CAST")) && call) return ParseCast();
  if (t.IsWord("EXTRACT") && call) return ParseExtract();
  if ((t.IsWord("SUBSTRING") || t.IsWord("SUBSTR")) && call) return ParseSubstring();
  if (t.IsWord("EXISTS") && call && AtQueryStart(2)) return ParseExists();
  // INTERVAL 5 ..., INTERVAL '5' ..., INTERVAL -5 MINUTES; but `interval - 5` is a column.
  if (t.IsWord("INTERVAL") && (At(TokenKind::kNumber, 1) || At(TokenKind::kString, 1) || AtIntervalField(1))) {
    return ParseInterval();
  }
  if ((t.IsWord("DATE") || t.IsWord("TIMESTAMP") || t.IsWord("TIMESTAMP_NTZ") || t.IsWord("TIMESTAMP_LTZ") ||
       t.IsWord("X")) &&
      At(TokenKind::kString, 1)) {
    return ParseTypedLiteral();
  }
  // A few reserved words are also function names: left(s, 2), right(s, 2), exists(arr, f).
  if (IsReservedWord(t.text) && !(call && (t.IsWord("LEFT") || t.IsWord("RIGHT") || t.IsWord("EXISTS")))) {
    return ErrorExpected("an expression");
  }
  return ParseNameOrCall();
}

arrow::Result<ExprPtr> Parser::ParseCase() {
  auto node = NewNode<CaseExpr>(Advance().pos);
  uint32_t h = 0;
  if (!AtWord("WHEN")) {
    ARROW_ASSIGN_OR_RAISE(node->operand, ParseExpr());
    h = node->operand->height;
  }
  while (AcceptWord("WHEN")) {
    CaseWhen when;
    ARROW_ASSIGN_OR_RAISE(when.condition, ParseExpr());
    ARROW_RETURN_NOT_OK(ExpectWord("THEN"));
    ARROW_ASSIGN_OR_RAISE(when.result, ParseExpr());
    h = std::max({h, when.condition->height, when.result->height});
    node->whens.push_back(std::move(when));
  }
  if (node->whens.empty()) return ErrorExpected("WHEN");
  if (AcceptWord("ELSE")) {
    ARROW_ASSIGN_OR_RAISE(node->else_result, ParseExpr());
    h = std::max(h, node->else_result->height);
    if (!AtWord("END")) return ErrorExpected("END");
  }
  if (!AcceptWord("END")) return ErrorExpected("WHEN, ELSE or END");
  ARROW_RETURN_NOT_OK(Seal(node.get(), h));
  return ExprPtr(std::move(node));
}

arrow::Result<ExprPtr> Parser::ParseCast() {
  const Token& t = Advance();
  auto node = NewNode<CastExpr>(t.pos);
  node->syntax = t.IsWord("TRY_CAST") ? CastSyntax::kTryCast : CastSyntax::kCast;
  ARROW_RETURN_NOT_OK(Expect(TokenKind::kLParen));
  ARROW_ASSIGN_OR_RAISE(node->operand, ParseExpr());
  ARROW_RETURN_NOT_OK(ExpectWord("AS"));
  ARROW_ASSIGN_OR_RAISE(node->type, ParseType());
  ARROW_RETURN_NOT_OK(Expect(TokenKind::kRParen));
  ARROW_RETURN_NOT_OK(Seal(node.get(), std::max(node->operand->height, node->type->height)));
  return ExprPtr(std::move(node));
}

arrow::Result<ExprPtr> Parser::ParseExtract() {
  auto node = NewNode<ExtractExpr>(Advance().pos);
  ARROW_RETURN_NOT_OK(Expect(TokenKind::kLParen));
  if (!At(TokenKind::kIdentifier) && !At(TokenKind::kQuotedIdentifier)) {
    return ErrorExpected("a field name (YEAR, MONTH, DAY, ...)");
  }
  node->field = Advance().value;
  ARROW_RETURN_NOT_OK(ExpectWord("FROM"));
  ARROW_ASSIGN_OR_RAISE(node->source, ParseExpr());
  ARROW_RETURN_NOT_OK(Expect(TokenKind::kRParen));
  ARROW_RETURN_NOT_OK(Seal(node.get(), node->source->height));
  return ExprPtr(std::move(node));
}

// SUBSTRING(str FROM pos [FOR len]) is substring(str, pos[, len]); the comma form is an
// ordinary call.
arrow::Result<ExprPtr> Parser::ParseSubstring() {
  const Token& t = Advance();
  auto node = NewNode<FunctionCallExpr>(t.pos);
  node->name = {t.value};
  ARROW_RETURN_NOT_OK(Expect(TokenKind::kLParen));
  if (!At(TokenKind::kRParen)) {
    ARROW_ASSIGN_OR_RAISE(ExprPtr str, ParseExpr());
    node->args.push_back(std::move(str));
    if (AcceptWord("FROM")) {
      ARROW_ASSIGN_OR_RAISE(ExprPtr pos, ParseExpr());
      node->args.push_back(std::move(pos));
      if (AcceptWord("FOR")) {
        ARROW_ASSIGN_OR_RAISE(ExprPtr len, ParseExpr());
        node->args.push_back(std::move(len));
      }
    } else {
      while (Accept(TokenKind::kComma)) {
        ARROW_ASSIGN_OR_RAISE(ExprPtr arg, ParseExpr());
        node->args.push_back(std::move(arg));
      }
    }
  }
  if (!Accept(TokenKind::kRParen)) return ErrorExpected(node->args.size() == 1 ? "FROM, ',' or ')'" : "',' or ')'");
  ARROW_RETURN_NOT_OK(Seal(node.get(), HeightOf(node->args)));
  return ExprPtr(std::move(node));
}

arrow::Result<ExprPtr> Parser::ParseExists() {
  auto node = NewNode<ExistsExpr>(Advance().pos);
  ARROW_RETURN_NOT_OK(Expect(TokenKind::kLParen));
  ARROW_ASSIGN_OR_RAISE(node->query, ParseQuery());
  ARROW_RETURN_NOT_OK(Expect(TokenKind::kRParen));
  ARROW_RETURN_NOT_OK(Seal(node.get(), node->query->height));
  return ExprPtr(std::move(node));
}

arrow::Result<ExprPtr> Parser::ParseParenthesized() {
  const SourcePos pos = Advance().pos;  // (
  if (AtQueryStart()) {
    auto node = NewNode<ScalarSubqueryExpr>(pos);
    ARROW_ASSIGN_OR_RAISE(node->query, ParseQuery());
    ARROW_RETURN_NOT_OK(Expect(TokenKind::kRParen));
    ARROW_RETURN_NOT_OK(Seal(node.get(), node->query->height));
    return ExprPtr(std::move(node));
  }
  ARROW_ASSIGN_OR_RAISE(ExprPtr inner, ParseExpr());
  ARROW_RETURN_NOT_OK(Expect(TokenKind::kRParen));
  return inner;
}

arrow::Result<ExprPtr> Parser::ParseNameOrCall() {
  const SourcePos pos = Peek().pos;
  std::vector<std::string> parts;
  parts.push_back(Advance().value);
  while (At(TokenKind::kDot)) {
    if (At(TokenKind::kStar, 1)) {
      i_ += 2;
      auto star = NewNode<StarExpr>(pos);
      star->qualifier = std::move(parts);
      return ExprPtr(std::move(star));
    }
    Advance();
    if (!At(TokenKind::kIdentifier) && !At(TokenKind::kQuotedIdentifier)) return ErrorExpected("a name after '.'");
    parts.push_back(Advance().value);
  }
  if (At(TokenKind::kLParen)) return ParseFunctionCall(std::move(parts), pos);
  auto node = NewNode<ColumnRefExpr>(pos);
  node->parts = std::move(parts);
  return ExprPtr(std::move(node));
}

arrow::Status Parser::ParseCallArguments(std::vector<ExprPtr>* args, bool* distinct) {
  ARROW_RETURN_NOT_OK(Expect(TokenKind::kLParen));
  if (Accept(TokenKind::kRParen)) return arrow::Status::OK();
  if (distinct != nullptr && AcceptWord("DISTINCT")) {
    *distinct = true;
  } else if (distinct != nullptr) {
    AcceptWord("ALL");
  }
  do {
    if ((At(TokenKind::kIdentifier) || At(TokenKind::kQuotedIdentifier)) && At(TokenKind::kFatArrow, 1)) {
      auto named = NewNode<NamedArgumentExpr>(Peek().pos);
      named->name = Advance().value;
      Advance();  // =>
      ARROW_ASSIGN_OR_RAISE(named->value, ParseExpr());
      ARROW_RETURN_NOT_OK(Seal(named.get(), named->value->height));
      args->push_back(std::move(named));
    } else {
      ARROW_ASSIGN_OR_RAISE(ExprPtr arg, ParseExpr());
      args->push_back(std::move(arg));
    }
  } while (Accept(TokenKind::kComma));
  if (!Accept(TokenKind::kRParen)) return ErrorExpected("',' or ')'");
  return arrow::Status::OK();
}

arrow::Result<ExprPtr> Parser::ParseFunctionCall(std::vector<std::string> name, const SourcePos& pos) {
  auto node = NewNode<FunctionCallExpr>(pos);
  node->name = std::move(name);
  ARROW_RETURN_NOT_OK(ParseCallArguments(&node->args, &node->distinct));
  if (AtWord("FILTER") || AtWord("IGNORE") || AtWord("RESPECT") || AtWord("OVER")) {
    ARROW_RETURN_NOT_OK(ParseCallSuffixes(node.get()));
  }
  uint32_t h = std::max({HeightOf(node->args), HeightOf(node->filter), HeightOf(node->over)});
  ARROW_RETURN_NOT_OK(Seal(node.get(), h));
  return ExprPtr(std::move(node));
}

arrow::Status Parser::ParseCallSuffixes(FunctionCallExpr* call) {
  if (AtWord("FILTER") && At(TokenKind::kLParen, 1)) {
    i_ += 2;
    ARROW_RETURN_NOT_OK(ExpectWord("WHERE"));
    ARROW_ASSIGN_OR_RAISE(call->filter, ParseExpr());
    ARROW_RETURN_NOT_OK(Expect(TokenKind::kRParen));
  }
  if (AcceptWords({"IGNORE", "NULLS"})) {
    call->null_treatment = NullTreatment::kIgnoreNulls;
  } else if (AcceptWords({"RESPECT", "NULLS"})) {
    call->null_treatment = NullTreatment::kRespectNulls;
  }
  if (AtWord("OVER")) {
    Advance();
    if (At(TokenKind::kLParen)) {
      ARROW_ASSIGN_OR_RAISE(call->over, ParseWindowSpec());
    } else if (AtIdentifier()) {
      call->over = std::make_unique<WindowSpec>();
      call->over->pos = Peek().pos;
      call->over->base_window = Advance().value;
    } else {
      return ErrorExpected("a window name or '(' after OVER");
    }
  }
  return arrow::Status::OK();
}

arrow::Result<std::unique_ptr<WindowSpec>> Parser::ParseWindowSpec() {
  TIDELAKE_SQL_NEST();
  auto spec = std::make_unique<WindowSpec>();
  spec->pos = Peek().pos;
  ARROW_RETURN_NOT_OK(Expect(TokenKind::kLParen));
  if (AtIdentifier() && !AtWord("PARTITION") && !AtWord("ROWS") && !AtWord("RANGE")) {
    spec->base_window = Advance().value;
  }
  if (AcceptWords({"PARTITION", "BY"})) {
    ARROW_ASSIGN_OR_RAISE(spec->partition_by, ParseExprList());
  }
  if (AcceptWords({"ORDER", "BY"})) {
    ARROW_ASSIGN_OR_RAISE(spec->order_by, ParseOrderItems());
  }
  if (AtWord("ROWS") || AtWord("RANGE")) {
    WindowFrame frame;
    frame.unit = Advance().IsWord("ROWS") ? FrameUnit::kRows : FrameUnit::kRange;
    if (AcceptWord("BETWEEN")) {
      ARROW_ASSIGN_OR_RAISE(frame.start, ParseFrameBound());
      ARROW_RETURN_NOT_OK(ExpectWord("AND"));
      ARROW_ASSIGN_OR_RAISE(FrameBound end, ParseFrameBound());
      frame.end = std::move(end);
    } else {
      ARROW_ASSIGN_OR_RAISE(frame.start, ParseFrameBound());
    }
    spec->frame = std::move(frame);
  }
  if (!Accept(TokenKind::kRParen)) {
    if (spec->frame) return ErrorExpected("')'");
    if (!spec->order_by.empty()) return ErrorExpected("ROWS, RANGE or ')'");
    return ErrorExpected("PARTITION BY, ORDER BY, ROWS, RANGE or ')'");
  }
  uint32_t h = std::max(HeightOf(spec->partition_by), HeightOf(spec->order_by));
  if (spec->frame) h = std::max(h, HeightOf(*spec->frame));
  ARROW_RETURN_NOT_OK(Seal(spec.get(), h));
  return spec;
}

arrow::Result<FrameBound> Parser::ParseFrameBound() {
  FrameBound bound;
  if (AcceptWord("UNBOUNDED")) {
    if (AcceptWord("PRECEDING")) {
      bound.kind = FrameBoundKind::kUnboundedPreceding;
    } else if (AcceptWord("FOLLOWING")) {
      bound.kind = FrameBoundKind::kUnboundedFollowing;
    } else {
      return ErrorExpected("PRECEDING or FOLLOWING");
    }
    return bound;
  }
  if (AcceptWords({"CURRENT", "ROW"})) {
    bound.kind = FrameBoundKind::kCurrentRow;
    return bound;
  }
  ARROW_ASSIGN_OR_RAISE(bound.offset, ParseValueExpr());
  if (AcceptWord("PRECEDING")) {
    bound.kind = FrameBoundKind::kPreceding;
  } else if (AcceptWord("FOLLOWING")) {
    bound.kind = FrameBoundKind::kFollowing;
  } else {
    return ErrorExpected("PRECEDING or FOLLOWING");
  }
  return bound;
}

arrow::Result<std::vector<OrderItem>> Parser::ParseOrderItems() {
  std::vector<OrderItem> items;
  do {
    OrderItem item;
    ARROW_ASSIGN_OR_RAISE(item.expr, ParseExpr());
    if (AcceptWord("ASC")) {
      item.direction = SortDirection::kAscending;
    } else if (AcceptWord("DESC")) {
      item.direction = SortDirection::kDescending;
    }
    if (AcceptWord("NULLS")) {
      if (AcceptWord("FIRST")) {
        item.nulls = NullOrder::kNullsFirst;
      } else if (AcceptWord("LAST")) {
        item.nulls = NullOrder::kNullsLast;
      } else {
        return ErrorExpected("FIRST or LAST after NULLS");
      }
    }
    items.push_back(std::move(item));
  } while (Accept(TokenKind::kComma));
  return items;
}

arrow::Result<std::vector<ExprPtr>> Parser::ParseExprList() {
  std::vector<ExprPtr> exprs;
  do {
    ARROW_ASSIGN_OR_RAISE(ExprPtr e, ParseExpr());
    exprs.push_back(std::move(e));
  } while (Accept(TokenKind::kComma));
  return exprs;
}

}  // namespace tidelake::sql::internal
