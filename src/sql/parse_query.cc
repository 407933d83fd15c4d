// Queries: WITH, set operations, SELECT cores, VALUES, GROUP BY, and the FROM clause
// (tables with time travel and TIMESTAMP BY, table functions, subqueries, joins).
#include <algorithm>

#include "sql/parser_internal.h"

namespace tidelake::sql::internal {
namespace {

template <typename T>
std::unique_ptr<T> NewNode(const SourcePos& pos) {
  auto node = std::make_unique<T>();
  node->pos = pos;
  return node;
}

}  // namespace

arrow::Result<QueryPtr> Parser::ParseQuery() {
  TIDELAKE_SQL_NEST();
  auto query = NewNode<Query>(Peek().pos);
  uint32_t h = 0;
  if (AtWord("WITH")) {
    ARROW_RETURN_NOT_OK(ParseWithClause(query.get()));
    for (const CommonTableExpr& cte : query->with) h = std::max(h, cte.query->height);
  }
  ARROW_ASSIGN_OR_RAISE(query->body, ParseSetUnion());
  h = std::max(h, query->body->height);
  if (AcceptWord("ORDER")) {
    ARROW_RETURN_NOT_OK(ExpectWord("BY"));
    ARROW_ASSIGN_OR_RAISE(query->order_by, ParseOrderItems());
    h = std::max(h, HeightOf(query->order_by));
  }
  if (AcceptWord("LIMIT")) {
    if (!AcceptWord("ALL")) {
      ARROW_ASSIGN_OR_RAISE(query->limit, ParseExpr());
      h = std::max(h, query->limit->height);
    }
  }
  if (AcceptWord("OFFSET")) {
    ARROW_ASSIGN_OR_RAISE(query->offset, ParseExpr());
    h = std::max(h, query->offset->height);
  }
  ARROW_RETURN_NOT_OK(Seal(query.get(), h));
  return query;
}

arrow::Status Parser::ParseWithClause(Query* query) {
  Advance();  // WITH
  if (AtWord("RECURSIVE")) return ErrorAt(Peek().pos, "WITH RECURSIVE is not supported");
  do {
    CommonTableExpr cte;
    cte.pos = Peek().pos;
    ARROW_ASSIGN_OR_RAISE(cte.name, ParseIdentifier("a common table expression name"));
    if (At(TokenKind::kLParen)) {
      ARROW_ASSIGN_OR_RAISE(cte.columns, ParseIdentifierList("a column name"));
    }
    ARROW_RETURN_NOT_OK(ExpectWord("AS"));
    ARROW_RETURN_NOT_OK(Expect(TokenKind::kLParen));
    ARROW_ASSIGN_OR_RAISE(cte.query, ParseQuery());
    ARROW_RETURN_NOT_OK(Expect(TokenKind::kRParen));
    query->with.push_back(std::move(cte));
  } while (Accept(TokenKind::kComma));
  return arrow::Status::OK();
}

arrow::Result<QueryBodyPtr> Parser::ParseSetUnion() {
  ARROW_ASSIGN_OR_RAISE(QueryBodyPtr left, ParseSetIntersect());
  while (AtWord("UNION") || AtWord("EXCEPT") || AtWord("MINUS")) {
    const Token& t = Advance();
    auto node = NewNode<SetOperationBody>(t.pos);
    node->op = t.IsWord("UNION") ? SetOpKind::kUnion : SetOpKind::kExcept;
    node->all = AcceptWord("ALL");
    if (!node->all) AcceptWord("DISTINCT");
    ARROW_ASSIGN_OR_RAISE(node->right, ParseSetIntersect());
    node->left = std::move(left);
    ARROW_RETURN_NOT_OK(Seal(node.get(), std::max(node->left->height, node->right->height)));
    left = std::move(node);
  }
  return left;
}

arrow::Result<QueryBodyPtr> Parser::ParseSetIntersect() {
  ARROW_ASSIGN_OR_RAISE(QueryBodyPtr left, ParseQueryPrimary());
  while (AtWord("INTERSECT")) {
    auto node = NewNode<SetOperationBody>(Advance().pos);
    node->op = SetOpKind::kIntersect;
    node->all = AcceptWord("ALL");
    if (!node->all) AcceptWord("DISTINCT");
    ARROW_ASSIGN_OR_RAISE(node->right, ParseQueryPrimary());
    node->left = std::move(left);
    ARROW_RETURN_NOT_OK(Seal(node.get(), std::max(node->left->height, node->right->height)));
    left = std::move(node);
  }
  return left;
}

arrow::Result<QueryBodyPtr> Parser::ParseQueryPrimary() {
  if (AtWord("SELECT")) return ParseSelect();
  if (AtWord("VALUES")) return ParseValues();
  if (At(TokenKind::kLParen)) {
    const SourcePos pos = Advance().pos;
    ARROW_ASSIGN_OR_RAISE(QueryPtr inner, ParseQuery());
    ARROW_RETURN_NOT_OK(Expect(TokenKind::kRParen));
    if (inner->with.empty() && inner->order_by.empty() && !inner->limit && !inner->offset) {
      return std::move(inner->body);
    }
    auto node = NewNode<NestedQueryBody>(pos);
    uint32_t h = inner->height;
    node->query = std::move(inner);
    ARROW_RETURN_NOT_OK(Seal(node.get(), h));
    return QueryBodyPtr(std::move(node));
  }
  return ErrorExpected("SELECT, VALUES or '('");
}

arrow::Result<QueryBodyPtr> Parser::ParseValues() {
  auto node = NewNode<ValuesBody>(Advance().pos);
  uint32_t h = 0;
  do {
    const SourcePos row_pos = Peek().pos;
    std::vector<ExprPtr> row;
    if (Accept(TokenKind::kLParen)) {
      ARROW_ASSIGN_OR_RAISE(row, ParseExprList());
      if (!Accept(TokenKind::kRParen)) return ErrorExpected("',' or ')'");
    } else {
      ARROW_ASSIGN_OR_RAISE(ExprPtr value, ParseExpr());
      row.push_back(std::move(value));
    }
    if (!node->rows.empty() && row.size() != node->rows.front().size()) {
      return ErrorAt(row_pos, "VALUES row " + std::to_string(node->rows.size() + 1) + " has " +
                                  std::to_string(row.size()) + " values, but row 1 has " +
                                  std::to_string(node->rows.front().size()));
    }
    h = std::max(h, HeightOf(row));
    node->rows.push_back(std::move(row));
  } while (Accept(TokenKind::kComma));
  ARROW_RETURN_NOT_OK(Seal(node.get(), h));
  return QueryBodyPtr(std::move(node));
}

arrow::Result<QueryBodyPtr> Parser::ParseSelect() {
  auto node = NewNode<SelectBody>(Advance().pos);
  if (AcceptWord("DISTINCT")) {
    node->distinct = true;
  } else {
    AcceptWord("ALL");
  }
  uint32_t h = 0;
  do {
    SelectItem item;
    item.pos = Peek().pos;
    ARROW_ASSIGN_OR_RAISE(item.expr, ParseExpr());
    if (item.expr->kind != ExprKind::kStar) {
      ARROW_ASSIGN_OR_RAISE(item.alias, ParseOptionalAlias());
    }
    h = std::max(h, item.expr->height);
    node->items.push_back(std::move(item));
  } while (Accept(TokenKind::kComma));
  if (AcceptWord("INTO")) {
    ARROW_ASSIGN_OR_RAISE(ObjectName into, ParseObjectName("an output name"));
    node->into = std::move(into);
  }
  if (AcceptWord("FROM")) {
    ARROW_ASSIGN_OR_RAISE(node->from, ParseFromList());
    h = std::max(h, node->from->height);
  }
  if (AcceptWord("WHERE")) {
    ARROW_ASSIGN_OR_RAISE(node->where, ParseExpr());
    h = std::max(h, node->where->height);
  }
  if (AcceptWord("GROUP")) {
    ARROW_RETURN_NOT_OK(ExpectWord("BY"));
    ARROW_ASSIGN_OR_RAISE(GroupBy group_by, ParseGroupBy());
    for (const GroupingElement& element : group_by.elements) {
      for (const auto& set : element.sets) h = std::max(h, HeightOf(set));
    }
    node->group_by = std::move(group_by);
  }
  if (AcceptWord("HAVING")) {
    ARROW_ASSIGN_OR_RAISE(node->having, ParseExpr());
    h = std::max(h, node->having->height);
  }
  // WINDOW and QUALIFY, in either order.
  for (int k = 0; k < 2; ++k) {
    if (node->windows.empty() && AcceptWord("WINDOW")) {
      do {
        NamedWindow window;
        window.pos = Peek().pos;
        ARROW_ASSIGN_OR_RAISE(window.name, ParseIdentifier("a window name"));
        ARROW_RETURN_NOT_OK(ExpectWord("AS"));
        ARROW_ASSIGN_OR_RAISE(window.spec, ParseWindowSpec());
        h = std::max(h, window.spec->height);
        node->windows.push_back(std::move(window));
      } while (Accept(TokenKind::kComma));
    }
    if (!node->qualify && AcceptWord("QUALIFY")) {
      ARROW_ASSIGN_OR_RAISE(node->qualify, ParseExpr());
      h = std::max(h, node->qualify->height);
    }
  }
  ARROW_RETURN_NOT_OK(Seal(node.get(), h));
  return QueryBodyPtr(std::move(node));
}

arrow::Result<std::vector<ExprPtr>> Parser::ParseGroupingSet() {
  std::vector<ExprPtr> set;
  if (Accept(TokenKind::kLParen)) {
    if (Accept(TokenKind::kRParen)) return set;
    ARROW_ASSIGN_OR_RAISE(set, ParseExprList());
    if (!Accept(TokenKind::kRParen)) return ErrorExpected("',' or ')'");
    return set;
  }
  ARROW_ASSIGN_OR_RAISE(ExprPtr e, ParseExpr());
  set.push_back(std::move(e));
  return set;
}

arrow::Result<GroupBy> Parser::ParseGroupBy() {
  GroupBy group_by;
  group_by.pos = Peek().pos;
  if (AcceptWord("ALL")) {
    group_by.all = true;
    return group_by;
  }
  do {
    GroupingElement element;
    element.pos = Peek().pos;
    const bool rollup = AtWord("ROLLUP") && At(TokenKind::kLParen, 1);
    const bool cube = AtWord("CUBE") && At(TokenKind::kLParen, 1);
    if (rollup || cube || (AtWord("GROUPING") && AtWord("SETS", 1))) {
      element.kind = rollup ? GroupingKind::kRollup : cube ? GroupingKind::kCube : GroupingKind::kGroupingSets;
      i_ += element.kind == GroupingKind::kGroupingSets ? 2 : 1;
      ARROW_RETURN_NOT_OK(Expect(TokenKind::kLParen));
      do {
        ARROW_ASSIGN_OR_RAISE(std::vector<ExprPtr> set, ParseGroupingSet());
        if (set.empty() && element.kind != GroupingKind::kGroupingSets) {
          return ErrorAt(Previous().pos, "expected an expression, found ')'");
        }
        element.sets.push_back(std::move(set));
      } while (Accept(TokenKind::kComma));
      if (!Accept(TokenKind::kRParen)) return ErrorExpected("',' or ')'");
    } else {
      ARROW_ASSIGN_OR_RAISE(ExprPtr e, ParseExpr());
      element.sets.emplace_back();
      element.sets.back().push_back(std::move(e));
    }
    group_by.elements.push_back(std::move(element));
  } while (Accept(TokenKind::kComma));
  return group_by;
}

arrow::Result<RelationPtr> Parser::ParseFromList() {
  ARROW_ASSIGN_OR_RAISE(RelationPtr left, ParseJoinChain());
  while (At(TokenKind::kComma)) {
    auto join = NewNode<JoinRelation>(Advance().pos);
    join->type = JoinType::kCross;
    join->comma = true;
    ARROW_ASSIGN_OR_RAISE(join->right, ParseJoinChain());
    join->left = std::move(left);
    ARROW_RETURN_NOT_OK(Seal(join.get(), std::max(join->left->height, join->right->height)));
    left = std::move(join);
  }
  return left;
}

arrow::Result<RelationPtr> Parser::ParseJoinChain() {
  ARROW_ASSIGN_OR_RAISE(RelationPtr left, ParseRelationPrimary());
  while (true) {
    const SourcePos pos = Peek().pos;
    const bool natural = AcceptWord("NATURAL");
    std::optional<JoinType> type;
    if (AcceptWord("JOIN")) {
      type = JoinType::kInner;
    } else if (AcceptWord("INNER")) {
      type = JoinType::kInner;
    } else if (AcceptWord("CROSS")) {
      type = JoinType::kCross;
    } else if (AcceptWord("LEFT")) {
      if (AcceptWord("SEMI")) {
        type = JoinType::kLeftSemi;
      } else if (AcceptWord("ANTI")) {
        type = JoinType::kLeftAnti;
      } else {
        AcceptWord("OUTER");
        type = JoinType::kLeft;
      }
    } else if (AcceptWord("RIGHT")) {
      AcceptWord("OUTER");
      type = JoinType::kRight;
    } else if (AcceptWord("FULL")) {
      AcceptWord("OUTER");
      type = JoinType::kFull;
    } else if (AcceptWord("SEMI")) {
      type = JoinType::kLeftSemi;
    } else if (AcceptWord("ANTI")) {
      type = JoinType::kLeftAnti;
    }
    if (!type) {
      if (natural) return ErrorExpected("JOIN after NATURAL");
      return left;
    }
    if (!Previous().IsWord("JOIN")) ARROW_RETURN_NOT_OK(ExpectWord("JOIN"));
    auto join = NewNode<JoinRelation>(pos);
    join->type = *type;
    join->natural = natural;
    ARROW_ASSIGN_OR_RAISE(join->right, ParseRelationPrimary());
    uint32_t h = std::max(left->height, join->right->height);
    if (AcceptWord("ON")) {
      ARROW_ASSIGN_OR_RAISE(join->condition, ParseExpr());
      h = std::max(h, join->condition->height);
    } else if (AcceptWord("USING")) {
      ARROW_ASSIGN_OR_RAISE(join->using_columns, ParseIdentifierList("a column name"));
    }
    join->left = std::move(left);
    ARROW_RETURN_NOT_OK(Seal(join.get(), h));
    left = std::move(join);
  }
}

arrow::Status Parser::ParseRelationAlias(Relation* relation, std::initializer_list<std::string_view> stop_words) {
  ARROW_ASSIGN_OR_RAISE(relation->alias, ParseOptionalAlias(stop_words));
  if (!relation->alias.empty() && At(TokenKind::kLParen)) {
    ARROW_ASSIGN_OR_RAISE(relation->column_aliases, ParseIdentifierList("a column alias"));
  }
  return arrow::Status::OK();
}

arrow::Result<RelationPtr> Parser::ParseRelationPrimary() {
  TIDELAKE_SQL_NEST();
  const SourcePos pos = Peek().pos;
  if (At(TokenKind::kLParen)) {
    size_t k = 1;
    while (At(TokenKind::kLParen, k)) ++k;
    if (!AtQueryStart(k) && !AtWord("VALUES", k)) {  // a parenthesised join: (a JOIN b ON ..)
      Advance();
      ARROW_ASSIGN_OR_RAISE(RelationPtr inner, ParseJoinChain());
      ARROW_RETURN_NOT_OK(Expect(TokenKind::kRParen));
      return inner;
    }
    Advance();
    auto node = NewNode<SubqueryRelation>(pos);
    ARROW_ASSIGN_OR_RAISE(node->query, ParseQuery());
    ARROW_RETURN_NOT_OK(Expect(TokenKind::kRParen));
    ARROW_RETURN_NOT_OK(ParseRelationAlias(node.get()));
    ARROW_RETURN_NOT_OK(Seal(node.get(), node->query->height));
    return RelationPtr(std::move(node));
  }
  if (AtWord("VALUES")) {  // FROM VALUES (1, 2), (3, 4) AS t(a, b)
    auto node = NewNode<SubqueryRelation>(pos);
    node->query = NewNode<Query>(pos);
    ARROW_ASSIGN_OR_RAISE(node->query->body, ParseValues());
    ARROW_RETURN_NOT_OK(Seal(node->query.get(), node->query->body->height));
    ARROW_RETURN_NOT_OK(ParseRelationAlias(node.get()));
    ARROW_RETURN_NOT_OK(Seal(node.get(), node->query->height));
    return RelationPtr(std::move(node));
  }
  if (AtWord("TABLE") && At(TokenKind::kLParen, 1)) return ParseWindowFunction();
  // STREAM(t) or STREAM t (a table named stream must be quoted: `stream`).
  bool streaming = false;
  if (AtWord("STREAM") && (At(TokenKind::kLParen, 1) || AtIdentifier(1))) {
    Advance();
    streaming = true;
  }
  const bool stream_parenthesised = streaming && Accept(TokenKind::kLParen);
  if (!AtIdentifier()) return ErrorExpected("a table name");
  ARROW_ASSIGN_OR_RAISE(ObjectName name, ParseObjectName("a table name"));
  if (stream_parenthesised) ARROW_RETURN_NOT_OK(Expect(TokenKind::kRParen));
  if (!streaming && At(TokenKind::kLParen)) {  // read_csv('path', header => true)
    auto node = NewNode<TableFunctionRelation>(pos);
    node->name = std::move(name.parts);
    ARROW_RETURN_NOT_OK(ParseCallArguments(&node->args, nullptr));
    ARROW_RETURN_NOT_OK(ParseRelationAlias(node.get()));
    ARROW_RETURN_NOT_OK(Seal(node.get(), HeightOf(node->args)));
    return RelationPtr(std::move(node));
  }
  auto node = NewNode<TableRelation>(pos);
  node->name = std::move(name);
  node->streaming = streaming;
  uint32_t h = 0;
  std::optional<TimeTravelKind> travel;
  if (AcceptWords({"VERSION", "AS", "OF"}) || AcceptWords({"FOR", "SYSTEM_VERSION", "AS", "OF"})) {
    travel = TimeTravelKind::kVersion;
  } else if (AcceptWords({"TIMESTAMP", "AS", "OF"}) || AcceptWords({"FOR", "SYSTEM_TIME", "AS", "OF"})) {
    travel = TimeTravelKind::kTimestamp;
  }
  if (travel) {
    ARROW_ASSIGN_OR_RAISE(TimeTravel time_travel, ParseTimeTravelValue(*travel));
    h = std::max(h, time_travel.value->height);
    node->time_travel = std::move(time_travel);
  }
  if (AtWord("WATERMARK") && AtIdentifier(1)) {  // WATERMARK ts DELAY OF INTERVAL 5 SECONDS
    WatermarkClause watermark;
    watermark.pos = Peek().pos;
    Advance();
    ARROW_ASSIGN_OR_RAISE(watermark.column, ParseNamePath("the event time column"));
    ARROW_RETURN_NOT_OK(ExpectWords({"DELAY", "OF"}));
    ARROW_ASSIGN_OR_RAISE(watermark.delay, ParseValueExpr());
    h = std::max(h, watermark.delay->height);
    node->watermark = std::move(watermark);
  }
  if (!(AtWord("TIMESTAMP") && AtWord("BY", 1))) {
    ARROW_RETURN_NOT_OK(ParseRelationAlias(node.get()));
  }
  if (AcceptWords({"TIMESTAMP", "BY"})) {
    ARROW_ASSIGN_OR_RAISE(node->timestamp_by, ParseValueExpr());
    h = std::max(h, node->timestamp_by->height);
  }
  ARROW_RETURN_NOT_OK(Seal(node.get(), h));
  return RelationPtr(std::move(node));
}

arrow::Result<RelationPtr> Parser::ParseWindowFunction() {
  const SourcePos pos = Peek().pos;
  ARROW_RETURN_NOT_OK(ExpectWord("TABLE"));
  ARROW_RETURN_NOT_OK(Expect(TokenKind::kLParen));
  auto node = NewNode<WindowFunctionRelation>(pos);
  for (const char* f : {"TUMBLE", "HOP", "CUMULATE", "SESSION"}) {
    if (AtWord(f)) node->function = f;
  }
  if (node->function.empty()) return ErrorExpected("TUMBLE, HOP, CUMULATE or SESSION inside TABLE(...)");
  Advance();
  ARROW_RETURN_NOT_OK(Expect(TokenKind::kLParen));
  // Optional `NAME =>` before an argument.
  auto accept_name = [&](std::string_view name) {
    if (AtWord(name) && At(TokenKind::kFatArrow, 1)) {
      Advance();
      Advance();
    }
  };
  accept_name("DATA");
  ARROW_RETURN_NOT_OK(ExpectWord("TABLE"));
  auto input = NewNode<TableRelation>(Peek().pos);
  ARROW_ASSIGN_OR_RAISE(input->name, ParseObjectName("a table name"));
  ARROW_RETURN_NOT_OK(Seal(input.get(), 0));
  node->input = std::move(input);
  uint32_t h = node->input->height;
  if (AcceptWords({"PARTITION", "BY"})) {  // PARTITION BY k or PARTITION BY (k1, k2)
    if (Accept(TokenKind::kLParen)) {
      ARROW_ASSIGN_OR_RAISE(node->partition_by, ParseExprList());
      ARROW_RETURN_NOT_OK(Expect(TokenKind::kRParen));
    } else {
      ARROW_ASSIGN_OR_RAISE(auto key, ParseValueExpr());
      node->partition_by.push_back(std::move(key));
    }
    h = std::max(h, HeightOf(node->partition_by));
  }
  ARROW_RETURN_NOT_OK(Expect(TokenKind::kComma));
  accept_name("TIMECOL");
  ARROW_RETURN_NOT_OK(ExpectWord("DESCRIPTOR"));
  ARROW_RETURN_NOT_OK(Expect(TokenKind::kLParen));
  ARROW_ASSIGN_OR_RAISE(node->time_column, ParseNamePath("the time column"));
  ARROW_RETURN_NOT_OK(Expect(TokenKind::kRParen));
  while (Accept(TokenKind::kComma)) {
    const SourcePos arg_pos = Peek().pos;
    if (AtIdentifier() && At(TokenKind::kFatArrow, 1)) {
      auto named = NewNode<NamedArgumentExpr>(arg_pos);
      ARROW_ASSIGN_OR_RAISE(named->name, ParseIdentifier("an argument name"));
      Advance();  // =>
      ARROW_ASSIGN_OR_RAISE(named->value, ParseValueExpr());
      ARROW_RETURN_NOT_OK(Seal(named.get(), named->value->height));
      node->args.push_back(std::move(named));
    } else {
      ARROW_ASSIGN_OR_RAISE(auto arg, ParseValueExpr());
      node->args.push_back(std::move(arg));
    }
  }
  h = std::max(h, HeightOf(node->args));
  ARROW_RETURN_NOT_OK(Expect(TokenKind::kRParen));
  ARROW_RETURN_NOT_OK(Expect(TokenKind::kRParen));
  ARROW_RETURN_NOT_OK(ParseRelationAlias(node.get()));
  ARROW_RETURN_NOT_OK(Seal(node.get(), h));
  return RelationPtr(std::move(node));
}

arrow::Result<TimeTravel> Parser::ParseTimeTravelValue(TimeTravelKind kind) {
  TimeTravel travel;
  travel.kind = kind;
  ARROW_ASSIGN_OR_RAISE(travel.value, ParseValueExpr());
  return travel;
}

}  // namespace tidelake::sql::internal
