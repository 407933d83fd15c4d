// Data-changing statements: INSERT, DELETE, UPDATE and MERGE.
#include <algorithm>

#include "sql/parser_internal.h"

namespace tidelake::sql::internal {
namespace {

template <typename T>
std::unique_ptr<T> NewStatement(const SourcePos& pos) {
  auto node = std::make_unique<T>();
  node->pos = pos;
  return node;
}

}  // namespace

arrow::Result<StatementPtr> Parser::ParseInsert() {
  auto statement = NewStatement<InsertStatement>(Advance().pos);
  if (AcceptWord("OVERWRITE")) {
    statement->overwrite = true;
  } else if (!AcceptWord("INTO")) {
    return ErrorExpected("INTO or OVERWRITE");
  }
  AcceptWord("TABLE");
  ARROW_ASSIGN_OR_RAISE(statement->table, ParseObjectName("a table name"));
  if (AcceptWord("PARTITION")) {
    ARROW_RETURN_NOT_OK(Expect(TokenKind::kLParen));
    do {
      PartitionValue value;
      value.pos = Peek().pos;
      ARROW_ASSIGN_OR_RAISE(value.column, ParseIdentifier("a partition column name"));
      if (Accept(TokenKind::kEq)) {
        ARROW_ASSIGN_OR_RAISE(value.value, ParseValueExpr());
      }
      statement->partition.push_back(std::move(value));
    } while (Accept(TokenKind::kComma));
    if (!Accept(TokenKind::kRParen)) return ErrorExpected("',' or ')'");
  }
  if (At(TokenKind::kLParen) && !AtQueryStart(1) && !At(TokenKind::kLParen, 1)) {
    ARROW_ASSIGN_OR_RAISE(statement->columns, ParseIdentifierList("a column name"));
  }
  if (AcceptWords({"REPLACE", "WHERE"})) {
    ARROW_ASSIGN_OR_RAISE(statement->replace_where, ParseExpr());
  }
  if (!AtWord("SELECT") && !AtWord("WITH") && !AtWord("VALUES") && !At(TokenKind::kLParen)) {
    return ErrorExpected(statement->columns.empty() && !statement->replace_where
                             ? "a column list or a query (SELECT, VALUES, ...)"
                             : "a query (SELECT, VALUES, ...)");
  }
  ARROW_ASSIGN_OR_RAISE(statement->query, ParseQuery());
  return StatementPtr(std::move(statement));
}

arrow::Result<StatementPtr> Parser::ParseDelete() {
  auto statement = NewStatement<DeleteStatement>(Advance().pos);
  ARROW_RETURN_NOT_OK(ExpectWord("FROM"));
  ARROW_ASSIGN_OR_RAISE(statement->table, ParseObjectName("a table name"));
  ARROW_ASSIGN_OR_RAISE(statement->alias, ParseOptionalAlias());
  if (AcceptWord("WHERE")) {
    ARROW_ASSIGN_OR_RAISE(statement->where, ParseExpr());
  }
  return StatementPtr(std::move(statement));
}

arrow::Result<std::vector<Assignment>> Parser::ParseAssignments() {
  std::vector<Assignment> assignments;
  do {
    Assignment assignment;
    assignment.pos = Peek().pos;
    ARROW_ASSIGN_OR_RAISE(assignment.column, ParseNamePath("a column name"));
    ARROW_RETURN_NOT_OK(Expect(TokenKind::kEq));
    ARROW_ASSIGN_OR_RAISE(assignment.value, ParseExpr());
    assignments.push_back(std::move(assignment));
  } while (Accept(TokenKind::kComma));
  return assignments;
}

arrow::Result<StatementPtr> Parser::ParseUpdate() {
  auto statement = NewStatement<UpdateStatement>(Advance().pos);
  ARROW_ASSIGN_OR_RAISE(statement->table, ParseObjectName("a table name"));
  ARROW_ASSIGN_OR_RAISE(statement->alias, ParseOptionalAlias({"SET"}));
  ARROW_RETURN_NOT_OK(ExpectWord("SET"));
  ARROW_ASSIGN_OR_RAISE(statement->assignments, ParseAssignments());
  if (AcceptWord("WHERE")) {
    ARROW_ASSIGN_OR_RAISE(statement->where, ParseExpr());
  }
  return StatementPtr(std::move(statement));
}

arrow::Result<StatementPtr> Parser::ParseMerge() {
  auto statement = NewStatement<MergeStatement>(Advance().pos);
  ARROW_RETURN_NOT_OK(ExpectWord("INTO"));
  ARROW_ASSIGN_OR_RAISE(statement->target, ParseObjectName("a table name"));
  ARROW_ASSIGN_OR_RAISE(statement->target_alias, ParseOptionalAlias());
  ARROW_RETURN_NOT_OK(ExpectWord("USING"));
  ARROW_ASSIGN_OR_RAISE(statement->source, ParseRelationPrimary());
  ARROW_RETURN_NOT_OK(ExpectWord("ON"));
  ARROW_ASSIGN_OR_RAISE(statement->condition, ParseExpr());
  while (AtWord("WHEN")) {
    ARROW_ASSIGN_OR_RAISE(MergeClause clause, ParseMergeClause());
    statement->clauses.push_back(std::move(clause));
  }
  if (statement->clauses.empty()) return ErrorExpected("WHEN MATCHED or WHEN NOT MATCHED");
  return StatementPtr(std::move(statement));
}

arrow::Result<MergeClause> Parser::ParseMergeClause() {
  MergeClause clause;
  clause.pos = Advance().pos;  // WHEN
  if (AcceptWord("MATCHED")) {
    clause.match = MergeMatch::kMatched;
  } else if (AcceptWords({"NOT", "MATCHED"})) {
    if (AcceptWords({"BY", "SOURCE"})) {
      clause.match = MergeMatch::kNotMatchedBySource;
    } else {
      AcceptWords({"BY", "TARGET"});
      clause.match = MergeMatch::kNotMatchedByTarget;
    }
  } else {
    return ErrorExpected("MATCHED or NOT MATCHED");
  }
  if (AcceptWord("AND")) {
    ARROW_ASSIGN_OR_RAISE(clause.condition, ParseExpr());
  }
  ARROW_RETURN_NOT_OK(ExpectWord("THEN"));
  if (clause.match != MergeMatch::kNotMatchedByTarget) {
    const SourcePos action_pos = Peek().pos;
    if (AcceptWord("UPDATE")) {
      ARROW_RETURN_NOT_OK(ExpectWord("SET"));
      if (At(TokenKind::kStar)) {
        if (clause.match == MergeMatch::kNotMatchedBySource) {
          return ErrorAt(action_pos, "UPDATE SET * is not allowed in WHEN NOT MATCHED BY SOURCE (there is no source row)");
        }
        Advance();
        clause.action = MergeAction::kUpdateAll;
      } else {
        clause.action = MergeAction::kUpdate;
        ARROW_ASSIGN_OR_RAISE(clause.assignments, ParseAssignments());
      }
    } else if (AcceptWord("DELETE")) {
      clause.action = MergeAction::kDelete;
    } else {
      return ErrorExpected(clause.match == MergeMatch::kMatched ? "UPDATE or DELETE after WHEN MATCHED THEN"
                                                                 : "UPDATE or DELETE after WHEN NOT MATCHED BY SOURCE THEN");
    }
    return clause;
  }
  if (!AcceptWord("INSERT")) return ErrorExpected("INSERT after WHEN NOT MATCHED THEN");
  if (Accept(TokenKind::kStar)) {
    clause.action = MergeAction::kInsertAll;
    return clause;
  }
  clause.action = MergeAction::kInsert;
  if (!Accept(TokenKind::kLParen)) return ErrorExpected("'*' or '(' after INSERT");
  do {
    ARROW_ASSIGN_OR_RAISE(std::vector<std::string> column, ParseNamePath("a column name"));
    clause.insert_columns.push_back(std::move(column));
  } while (Accept(TokenKind::kComma));
  if (!Accept(TokenKind::kRParen)) return ErrorExpected("',' or ')'");
  const SourcePos values_pos = Peek().pos;
  ARROW_RETURN_NOT_OK(ExpectWord("VALUES"));
  ARROW_RETURN_NOT_OK(Expect(TokenKind::kLParen));
  ARROW_ASSIGN_OR_RAISE(clause.insert_values, ParseExprList());
  if (!Accept(TokenKind::kRParen)) return ErrorExpected("',' or ')'");
  if (clause.insert_values.size() != clause.insert_columns.size()) {
    return ErrorAt(values_pos, "INSERT names " + std::to_string(clause.insert_columns.size()) + " columns but gives " +
                                   std::to_string(clause.insert_values.size()) + " values");
  }
  return clause;
}

}  // namespace tidelake::sql::internal
