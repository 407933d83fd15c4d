// Statements other than DML: the dispatcher, queries, EXPLAIN, CREATE TABLE (Delta, or Flink's
// connector table WITH ('connector' = ...)) / VIEW / SOURCE, DROP,
// ALTER TABLE, and the Delta and session utilities (OPTIMIZE, VACUUM, DESCRIBE, RESTORE,
// ANALYZE, SHOW, SET, RESET, USE).
#include <cstdlib>

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

arrow::Result<StatementPtr> Parser::ParseStatement() {
  TIDELAKE_SQL_NEST();
  const Token& t = Peek();
  const SourcePos pos = t.pos;
  if (t.IsWord("SELECT") || t.IsWord("WITH") || t.IsWord("VALUES") || t.kind == TokenKind::kLParen) {
    auto statement = NewStatement<QueryStatement>(pos);
    ARROW_ASSIGN_OR_RAISE(statement->query, ParseQuery());
    return StatementPtr(std::move(statement));
  }
  if (t.IsWord("EXPLAIN")) return ParseExplain();
  if (t.IsWord("CREATE")) return ParseCreate();
  if (t.IsWord("DROP")) return ParseDrop();
  if (t.IsWord("ALTER")) return ParseAlter();
  if (t.IsWord("INSERT")) return ParseInsert();
  if (t.IsWord("DELETE")) return ParseDelete();
  if (t.IsWord("UPDATE")) return ParseUpdate();
  if (t.IsWord("MERGE")) return ParseMerge();
  if (t.IsWord("OPTIMIZE")) return ParseOptimize();
  if (t.IsWord("VACUUM")) return ParseVacuum();
  if (t.IsWord("DESCRIBE") || t.IsWord("DESC")) return ParseDescribe();
  if (t.IsWord("RESTORE")) return ParseRestore();
  if (t.IsWord("ANALYZE")) return ParseAnalyze();
  if (t.IsWord("SHOW")) return ParseShow();
  if (t.IsWord("SET")) return ParseSet();
  if (t.IsWord("RESET")) return ParseReset();
  if (t.IsWord("USE")) return ParseUse();
  if (t.IsWord("REFRESH")) return ParseRefresh();
  return ErrorExpected("a statement");
}

arrow::Result<StatementPtr> Parser::ParseExplain() {
  auto statement = NewStatement<ExplainStatement>(Advance().pos);
  if (AcceptWord("EXTENDED")) {
    statement->mode = ExplainMode::kExtended;
  } else if (AcceptWord("FORMATTED")) {
    statement->mode = ExplainMode::kFormatted;
  }
  ARROW_ASSIGN_OR_RAISE(statement->statement, ParseStatement());
  return StatementPtr(std::move(statement));
}

arrow::Result<StatementPtr> Parser::ParseCreate() {
  const SourcePos pos = Advance().pos;
  if (AcceptWords({"OR", "REFRESH"})) {
    ARROW_RETURN_NOT_OK(ExpectWords({"STREAMING", "TABLE"}));
    return ParseCreateStreamingTable(/*or_refresh=*/true, pos);
  }
  if (AcceptWords({"STREAMING", "TABLE"})) return ParseCreateStreamingTable(/*or_refresh=*/false, pos);
  if (AcceptWord("SOURCE")) return ParseCreateSource(pos);
  const bool or_replace = AcceptWords({"OR", "REPLACE"});
  const bool temporary = AcceptWord("TEMP") || AcceptWord("TEMPORARY");
  if (!temporary && AcceptWord("TABLE")) return ParseCreateTable(or_replace, pos);
  if (AcceptWord("VIEW")) return ParseCreateView(or_replace, temporary, pos);
  return ErrorExpected(temporary ? "VIEW" : or_replace ? "TABLE or VIEW" : "TABLE, VIEW or SOURCE");
}

// CREATE SOURCE [IF NOT EXISTS] name (column type, ... [, WATERMARK FOR c AS expr]) WITH (options)
arrow::Result<StatementPtr> Parser::ParseCreateSource(const SourcePos& pos) {
  auto statement = NewStatement<CreateSourceStatement>(pos);
  if (AtWord("IF")) {
    ARROW_RETURN_NOT_OK(ExpectWords({"IF", "NOT", "EXISTS"}));
    statement->if_not_exists = true;
  }
  ARROW_ASSIGN_OR_RAISE(statement->name, ParseObjectName("a source name", 2));
  ARROW_RETURN_NOT_OK(Expect(TokenKind::kLParen));
  do {
    // `watermark` may also name a column; WATERMARK FOR starts the clause.
    if (AtWord("WATERMARK") && AtWord("FOR", 1)) {
      const SourcePos watermark_pos = Advance().pos;
      if (statement->watermark) return ErrorAt(watermark_pos, "WATERMARK is given twice");
      Advance();
      WatermarkDefinition watermark;
      watermark.pos = watermark_pos;
      ARROW_ASSIGN_OR_RAISE(watermark.column, ParseIdentifier("a column name"));
      ARROW_RETURN_NOT_OK(ExpectWord("AS"));
      ARROW_ASSIGN_OR_RAISE(watermark.expr, ParseExpr());
      statement->watermark = std::move(watermark);
      continue;
    }
    ARROW_ASSIGN_OR_RAISE(ColumnDefinition column, ParseColumnDefinition());
    statement->columns.push_back(std::move(column));
  } while (Accept(TokenKind::kComma));
  if (!Accept(TokenKind::kRParen)) return ErrorExpected("',' or ')'");
  if (statement->columns.empty()) return ErrorAt(statement->name.pos, "a source needs at least one column");
  statement->options_pos = Peek().pos;
  if (!AcceptWord("WITH")) return ErrorExpected("WITH (connector = ..., ...)");
  ARROW_ASSIGN_OR_RAISE(statement->options, ParseTableProperties());
  return StatementPtr(std::move(statement));
}

arrow::Result<StatementPtr> Parser::ParseCreateStreamingTable(bool or_refresh, const SourcePos& pos) {
  ARROW_ASSIGN_OR_RAISE(StatementPtr statement, ParseCreateTable(/*or_replace=*/false, pos, /*streaming=*/true));
  auto& create = static_cast<CreateTableStatement&>(*statement);
  create.streaming = true;
  create.or_refresh = or_refresh;
  if (!create.as_query) return ErrorAt(pos, "CREATE STREAMING TABLE needs AS followed by its streaming query");
  return statement;
}

arrow::Result<StatementPtr> Parser::ParseRefresh() {
  auto statement = NewStatement<RefreshStatement>(Advance().pos);
  ARROW_RETURN_NOT_OK(ExpectWords({"STREAMING", "TABLE"}));
  ARROW_ASSIGN_OR_RAISE(statement->table, ParseObjectName("a table name"));
  return StatementPtr(std::move(statement));
}

arrow::Result<ColumnDefinition> Parser::ParseColumnDefinition() {
  ColumnDefinition column;
  column.pos = Peek().pos;
  ARROW_ASSIGN_OR_RAISE(column.name, ParseIdentifier("a column name"));
  ARROW_ASSIGN_OR_RAISE(column.type, ParseType());
  while (true) {
    if (!column.not_null && AcceptWord("NOT")) {
      ARROW_RETURN_NOT_OK(ExpectWord("NULL"));
      column.not_null = true;
    } else if (!column.comment && AcceptWord("COMMENT")) {
      ARROW_ASSIGN_OR_RAISE(std::string comment, ParseStringLiteral("a comment string"));
      column.comment = std::move(comment);
    } else {
      return column;
    }
  }
}

arrow::Result<TableProperty> Parser::ParsePropertyKey() {
  TableProperty property;
  property.pos = Peek().pos;
  if (At(TokenKind::kString)) {
    ARROW_ASSIGN_OR_RAISE(property.key, ParseStringLiteral("a property key"));
  } else {
    ARROW_ASSIGN_OR_RAISE(std::vector<std::string> parts, ParseNamePath("a property key"));
    for (size_t k = 0; k < parts.size(); ++k) property.key += (k ? "." : "") + parts[k];
  }
  return property;
}

arrow::Result<std::vector<TableProperty>> Parser::ParseTableProperties() {
  ARROW_RETURN_NOT_OK(Expect(TokenKind::kLParen));
  std::vector<TableProperty> properties;
  do {
    ARROW_ASSIGN_OR_RAISE(TableProperty property, ParsePropertyKey());
    Accept(TokenKind::kEq);
    const Token& v = Peek();
    if (v.kind == TokenKind::kString) {
      ARROW_ASSIGN_OR_RAISE(property.value, ParseStringLiteral("a property value"));
    } else if (v.kind == TokenKind::kNumber) {
      property.value = std::string(Advance().text);
    } else if (v.kind == TokenKind::kMinus && At(TokenKind::kNumber, 1)) {
      Advance();
      property.value = "-" + std::string(Advance().text);
    } else if (v.IsWord("TRUE") || v.IsWord("FALSE")) {
      property.value = Advance().IsWord("TRUE") ? "true" : "false";
    } else {
      return ErrorExpected("a property value");
    }
    properties.push_back(std::move(property));
  } while (Accept(TokenKind::kComma));
  if (!Accept(TokenKind::kRParen)) return ErrorExpected("',' or ')'");
  return properties;
}

arrow::Result<StatementPtr> Parser::ParseCreateTable(bool or_replace, const SourcePos& pos, bool streaming) {
  auto statement = NewStatement<CreateTableStatement>(pos);
  statement->or_replace = or_replace;
  if (AtWord("IF")) {
    const SourcePos if_pos = Peek().pos;
    ARROW_RETURN_NOT_OK(ExpectWords({"IF", "NOT", "EXISTS"}));
    if (or_replace) return ErrorAt(if_pos, "CREATE OR REPLACE cannot be combined with IF NOT EXISTS");
    statement->if_not_exists = true;
  }
  ARROW_ASSIGN_OR_RAISE(statement->name, ParseObjectName("a table name"));
  if (At(TokenKind::kLParen) && !AtQueryStart(1)) {
    Advance();
    do {
      ARROW_ASSIGN_OR_RAISE(ColumnDefinition column, ParseColumnDefinition());
      statement->columns.push_back(std::move(column));
    } while (Accept(TokenKind::kComma));
    if (!Accept(TokenKind::kRParen)) return ErrorExpected("',' or ')'");
  }
  // The clauses come in any order, each at most once.
  auto duplicate = [this](const SourcePos& at, std::string_view clause) {
    return ErrorAt(at, std::string(clause) + " is given twice");
  };
  while (true) {
    const SourcePos clause_pos = Peek().pos;
    if (AcceptWord("USING")) {
      if (statement->using_format) return duplicate(clause_pos, "USING");
      ARROW_ASSIGN_OR_RAISE(std::string format, ParseIdentifier("a table format (DELTA, PARQUET, ...)"));
      statement->using_format = std::move(format);
    } else if (AcceptWords({"PARTITIONED", "BY"})) {
      if (!statement->partitioned_by.empty()) return duplicate(clause_pos, "PARTITIONED BY");
      ARROW_ASSIGN_OR_RAISE(statement->partitioned_by, ParseIdentifierList("a partition column name"));
    } else if (AcceptWord("LOCATION")) {
      if (statement->location) return duplicate(clause_pos, "LOCATION");
      ARROW_ASSIGN_OR_RAISE(std::string location, ParseStringLiteral("a location string"));
      statement->location = std::move(location);
    } else if (AcceptWord("COMMENT")) {
      if (statement->comment) return duplicate(clause_pos, "COMMENT");
      ARROW_ASSIGN_OR_RAISE(std::string comment, ParseStringLiteral("a comment string"));
      statement->comment = std::move(comment);
    } else if (AcceptWord("TBLPROPERTIES")) {
      if (!statement->properties.empty()) return duplicate(clause_pos, "TBLPROPERTIES");
      ARROW_ASSIGN_OR_RAISE(statement->properties, ParseTableProperties());
    } else if (AcceptWord("WITH")) {
      // Flink's connector options, parsed as CREATE SOURCE's are.
      if (statement->with_pos) return duplicate(clause_pos, "WITH");
      statement->with_pos = clause_pos;
      ARROW_ASSIGN_OR_RAISE(statement->with_options, ParseTableProperties());
    } else {
      break;
    }
  }
  if (AcceptWord("AS")) {
    ARROW_ASSIGN_OR_RAISE(statement->as_query, ParseQuery());
  }
  if (statement->with_pos) {
    // A connector table is no Delta table: the Delta clauses have nothing to apply to.
    const SourcePos& with = *statement->with_pos;
    auto refuse = [&](std::string_view what) {
      return ErrorAt(with, "a table WITH ('connector' = ...) is not a Delta table; it takes no " + std::string(what));
    };
    if (streaming) {
      return ErrorAt(with, "a streaming table is a Delta table; declare a connector table with CREATE TABLE");
    }
    if (or_replace) return refuse("OR REPLACE");
    if (statement->using_format) return refuse("USING");
    if (!statement->partitioned_by.empty()) return refuse("PARTITIONED BY");
    if (statement->location) return refuse("LOCATION");
    if (statement->comment) return refuse("COMMENT");
    if (!statement->properties.empty()) return refuse("TBLPROPERTIES");
    if (statement->as_query) return refuse("AS query (declare its columns, then INSERT INTO it)");
    if (statement->columns.empty()) {
      return ErrorAt(statement->name.pos, "a table WITH ('connector' = ...) needs its columns");
    }
  }
  return StatementPtr(std::move(statement));
}

arrow::Result<StatementPtr> Parser::ParseCreateView(bool or_replace, bool temporary, const SourcePos& pos) {
  auto statement = NewStatement<CreateViewStatement>(pos);
  statement->or_replace = or_replace;
  statement->temporary = temporary;
  if (AtWord("IF")) {
    const SourcePos if_pos = Peek().pos;
    ARROW_RETURN_NOT_OK(ExpectWords({"IF", "NOT", "EXISTS"}));
    if (or_replace) return ErrorAt(if_pos, "CREATE OR REPLACE cannot be combined with IF NOT EXISTS");
    statement->if_not_exists = true;
  }
  ARROW_ASSIGN_OR_RAISE(statement->name, ParseObjectName("a view name"));
  if (At(TokenKind::kLParen)) {
    ARROW_ASSIGN_OR_RAISE(statement->columns, ParseIdentifierList("a column name"));
  }
  ARROW_RETURN_NOT_OK(ExpectWord("AS"));
  const size_t start = Peek().pos.offset;
  ARROW_ASSIGN_OR_RAISE(statement->query, ParseQuery());
  const Token& last = Previous();
  statement->query_text = std::string(source_.substr(start, last.pos.offset + last.text.size() - start));
  return StatementPtr(std::move(statement));
}

arrow::Result<StatementPtr> Parser::ParseDrop() {
  auto statement = NewStatement<DropStatement>(Advance().pos);
  if (AcceptWord("TABLE")) {
    statement->object = DropObject::kTable;
  } else if (AcceptWord("VIEW")) {
    statement->object = DropObject::kView;
  } else if (AcceptWord("SOURCE")) {
    statement->object = DropObject::kSource;
  } else {
    return ErrorExpected("TABLE, VIEW or SOURCE");
  }
  if (AtWord("IF")) {
    ARROW_RETURN_NOT_OK(ExpectWords({"IF", "EXISTS"}));
    statement->if_exists = true;
  }
  ARROW_ASSIGN_OR_RAISE(statement->name, ParseObjectName(statement->object == DropObject::kTable  ? "a table name"
                                                         : statement->object == DropObject::kView ? "a view name"
                                                                                                  : "a source name"));
  return StatementPtr(std::move(statement));
}

arrow::Result<StatementPtr> Parser::ParseAlter() {
  auto statement = NewStatement<AlterTableStatement>(Advance().pos);
  ARROW_RETURN_NOT_OK(ExpectWord("TABLE"));
  ARROW_ASSIGN_OR_RAISE(statement->name, ParseObjectName("a table name"));
  if (AcceptWord("ADD")) {
    if (!AcceptWord("COLUMNS") && !AcceptWord("COLUMN")) return ErrorExpected("COLUMNS or COLUMN");
    statement->action = AlterTableAction::kAddColumns;
    const bool parenthesised = Accept(TokenKind::kLParen);
    do {
      ARROW_ASSIGN_OR_RAISE(ColumnDefinition column, ParseColumnDefinition());
      statement->columns.push_back(std::move(column));
    } while (Accept(TokenKind::kComma));
    if (parenthesised && !Accept(TokenKind::kRParen)) return ErrorExpected("',' or ')'");
  } else if (AcceptWord("SET")) {
    ARROW_RETURN_NOT_OK(ExpectWord("TBLPROPERTIES"));
    statement->action = AlterTableAction::kSetProperties;
    ARROW_ASSIGN_OR_RAISE(statement->properties, ParseTableProperties());
  } else if (AcceptWord("UNSET")) {
    ARROW_RETURN_NOT_OK(ExpectWord("TBLPROPERTIES"));
    statement->action = AlterTableAction::kUnsetProperties;
    statement->if_exists = AcceptWords({"IF", "EXISTS"});
    ARROW_ASSIGN_OR_RAISE(statement->properties, ParsePropertyKeys());
  } else if (AcceptWord("RENAME")) {
    ARROW_RETURN_NOT_OK(ExpectWord("COLUMN"));
    statement->action = AlterTableAction::kRenameColumn;
    ARROW_ASSIGN_OR_RAISE(ColumnPath column, ParseColumnPath());
    statement->targets.push_back(std::move(column));
    ARROW_RETURN_NOT_OK(ExpectWord("TO"));
    ARROW_ASSIGN_OR_RAISE(statement->new_name, ParseIdentifier("a column name"));
  } else if (AcceptWord("DROP")) {
    if (!AcceptWord("COLUMNS") && !AcceptWord("COLUMN")) return ErrorExpected("COLUMN or COLUMNS");
    statement->action = AlterTableAction::kDropColumns;
    statement->if_exists = AcceptWords({"IF", "EXISTS"});
    const bool parenthesised = Accept(TokenKind::kLParen);
    do {
      ARROW_ASSIGN_OR_RAISE(ColumnPath column, ParseColumnPath());
      statement->targets.push_back(std::move(column));
    } while (Accept(TokenKind::kComma));
    if (parenthesised && !Accept(TokenKind::kRParen)) return ErrorExpected("',' or ')'");
  } else {
    return ErrorExpected("ADD COLUMNS, SET TBLPROPERTIES, UNSET TBLPROPERTIES, RENAME COLUMN or DROP COLUMN");
  }
  return StatementPtr(std::move(statement));
}

arrow::Result<ColumnPath> Parser::ParseColumnPath() {
  ColumnPath column;
  column.pos = Peek().pos;
  ARROW_ASSIGN_OR_RAISE(column.parts, ParseNamePath("a column name"));
  return column;
}

arrow::Result<std::vector<TableProperty>> Parser::ParsePropertyKeys() {
  ARROW_RETURN_NOT_OK(Expect(TokenKind::kLParen));
  std::vector<TableProperty> keys;
  do {
    ARROW_ASSIGN_OR_RAISE(TableProperty key, ParsePropertyKey());
    keys.push_back(std::move(key));
  } while (Accept(TokenKind::kComma));
  if (!Accept(TokenKind::kRParen)) return ErrorExpected("',' or ')'");
  return keys;
}

arrow::Result<StatementPtr> Parser::ParseOptimize() {
  auto statement = NewStatement<OptimizeStatement>(Advance().pos);
  ARROW_ASSIGN_OR_RAISE(statement->table, ParseTableNameOrPath("a table name"));
  if (AcceptWord("WHERE")) {
    ARROW_ASSIGN_OR_RAISE(statement->where, ParseExpr());
  }
  if (AcceptWord("ZORDER")) {
    ARROW_RETURN_NOT_OK(ExpectWord("BY"));
    const bool parenthesised = Accept(TokenKind::kLParen);
    ARROW_ASSIGN_OR_RAISE(statement->zorder_by, ParseExprList());
    if (parenthesised && !Accept(TokenKind::kRParen)) return ErrorExpected("',' or ')'");
  }
  return StatementPtr(std::move(statement));
}

arrow::Result<StatementPtr> Parser::ParseVacuum() {
  auto statement = NewStatement<VacuumStatement>(Advance().pos);
  ARROW_ASSIGN_OR_RAISE(statement->table, ParseTableNameOrPath("a table name"));
  if (AcceptWord("RETAIN")) {
    const Token& n = Peek();
    if (n.kind != TokenKind::kNumber || n.number_suffix != NumberSuffix::kNone) {
      return ErrorExpected("a number of hours");
    }
    statement->retain_hours = std::strtod(Advance().value.c_str(), nullptr);
    ARROW_RETURN_NOT_OK(ExpectWord("HOURS"));
  }
  if (AcceptWord("DRY")) {
    ARROW_RETURN_NOT_OK(ExpectWord("RUN"));
    statement->dry_run = true;
  }
  return StatementPtr(std::move(statement));
}

arrow::Result<StatementPtr> Parser::ParseDescribe() {
  auto statement = NewStatement<DescribeStatement>(Advance().pos);
  // HISTORY and DETAIL are also valid table names: DESCRIBE history.
  const bool name_follows = AtIdentifier(1) || At(TokenKind::kString, 1);
  if (AtWord("HISTORY") && name_follows) {
    Advance();
    statement->what = DescribeKind::kHistory;
    ARROW_ASSIGN_OR_RAISE(statement->table, ParseTableNameOrPath("a table name"));
    if (AcceptWord("LIMIT")) {
      const SourcePos limit_pos = Peek().pos;
      ARROW_ASSIGN_OR_RAISE(int64_t limit, ParseIntegerLiteral("a number of versions"));
      if (limit < 0) return ErrorAt(limit_pos, "LIMIT must not be negative");
      statement->limit = limit;
    }
  } else if (AtWord("DETAIL") && name_follows) {
    Advance();
    statement->what = DescribeKind::kDetail;
    ARROW_ASSIGN_OR_RAISE(statement->table, ParseTableNameOrPath("a table name"));
  } else if (AtWord("SOURCE") && AtIdentifier(1)) {
    Advance();
    statement->what = DescribeKind::kSource;
    ARROW_ASSIGN_OR_RAISE(statement->table, ParseObjectName("a source name", 2));
  } else {
    AcceptWord("TABLE");
    if ((AtWord("EXTENDED") || AtWord("FORMATTED")) && (AtIdentifier(1) || At(TokenKind::kString, 1))) {
      Advance();
      statement->extended = true;
    }
    ARROW_ASSIGN_OR_RAISE(statement->table, ParseTableNameOrPath("a table name"));
    if (!AtStatementEnd()) {
      ARROW_ASSIGN_OR_RAISE(ColumnPath column, ParseColumnPath());
      statement->column = std::move(column);
    }
  }
  return StatementPtr(std::move(statement));
}

arrow::Result<StatementPtr> Parser::ParseRestore() {
  auto statement = NewStatement<RestoreStatement>(Advance().pos);
  AcceptWord("TABLE");
  ARROW_ASSIGN_OR_RAISE(statement->table, ParseTableNameOrPath("a table name"));
  ARROW_RETURN_NOT_OK(ExpectWord("TO"));
  if (AcceptWords({"VERSION", "AS", "OF"})) {
    ARROW_ASSIGN_OR_RAISE(statement->target, ParseTimeTravelValue(TimeTravelKind::kVersion));
  } else if (AcceptWords({"TIMESTAMP", "AS", "OF"})) {
    ARROW_ASSIGN_OR_RAISE(statement->target, ParseTimeTravelValue(TimeTravelKind::kTimestamp));
  } else {
    return ErrorExpected("VERSION AS OF or TIMESTAMP AS OF");
  }
  return StatementPtr(std::move(statement));
}

arrow::Result<StatementPtr> Parser::ParseAnalyze() {
  auto statement = NewStatement<AnalyzeStatement>(Advance().pos);
  ARROW_RETURN_NOT_OK(ExpectWord("TABLE"));
  ARROW_ASSIGN_OR_RAISE(statement->table, ParseObjectName("a table name"));
  ARROW_RETURN_NOT_OK(ExpectWords({"COMPUTE", "STATISTICS"}));
  if (AcceptWord("NOSCAN")) {
    statement->mode = AnalyzeMode::kNoScan;
  } else if (AcceptWord("FOR")) {
    if (AcceptWords({"ALL", "COLUMNS"})) {
      statement->mode = AnalyzeMode::kForAllColumns;
    } else if (AcceptWord("COLUMNS")) {
      statement->mode = AnalyzeMode::kForColumns;
      do {
        ARROW_ASSIGN_OR_RAISE(std::string column, ParseIdentifier("a column name"));
        statement->columns.push_back(std::move(column));
      } while (Accept(TokenKind::kComma));
    } else {
      return ErrorExpected("COLUMNS or ALL COLUMNS");
    }
  }
  return StatementPtr(std::move(statement));
}

arrow::Result<StatementPtr> Parser::ParseShow() {
  auto statement = NewStatement<ShowStatement>(Advance().pos);
  if (AcceptWord("TABLES") || AcceptWord("VIEWS") || AcceptWord("SOURCES")) {
    statement->what = Previous().IsWord("TABLES")  ? ShowKind::kTables
                      : Previous().IsWord("VIEWS") ? ShowKind::kViews
                                                   : ShowKind::kSources;
    if (AcceptWord("IN") || AcceptWord("FROM")) {
      ARROW_ASSIGN_OR_RAISE(statement->object, ParseObjectName("a zone name", 2));
    }
    if (AcceptWord("LIKE") || At(TokenKind::kString)) {
      ARROW_ASSIGN_OR_RAISE(std::string pattern, ParseStringLiteral("a pattern string"));
      statement->pattern = std::move(pattern);
    }
  } else if (AcceptWord("COLUMNS")) {
    statement->what = ShowKind::kColumns;
    if (!AcceptWord("IN") && !AcceptWord("FROM")) return ErrorExpected("IN or FROM");
    ARROW_ASSIGN_OR_RAISE(statement->object, ParseObjectName("a table name"));
    if (AcceptWord("IN") || AcceptWord("FROM")) {
      ARROW_ASSIGN_OR_RAISE(ObjectName zone, ParseObjectName("a zone name", 2));
      zone.parts.insert(zone.parts.end(), statement->object.parts.begin(), statement->object.parts.end());
      statement->object = std::move(zone);
    }
  } else if (AcceptWord("CREATE")) {
    ARROW_RETURN_NOT_OK(ExpectWord("TABLE"));
    statement->what = ShowKind::kCreateTable;
    ARROW_ASSIGN_OR_RAISE(statement->object, ParseObjectName("a table name"));
  } else if (AcceptWord("TBLPROPERTIES")) {
    statement->what = ShowKind::kTblProperties;
    ARROW_ASSIGN_OR_RAISE(statement->object, ParseTableNameOrPath("a table name"));
    if (Accept(TokenKind::kLParen)) {
      ARROW_ASSIGN_OR_RAISE(TableProperty key, ParsePropertyKey());
      statement->pattern = std::move(key.key);
      if (!Accept(TokenKind::kRParen)) return ErrorExpected("')'");
    }
  } else {
    return ErrorExpected("TABLES, VIEWS, SOURCES, COLUMNS, CREATE TABLE or TBLPROPERTIES");
  }
  return StatementPtr(std::move(statement));
}

arrow::Result<StatementPtr> Parser::ParseSet() {
  auto statement = NewStatement<SetStatement>(Advance().pos);
  if (AtStatementEnd()) return StatementPtr(std::move(statement));
  // The key is the raw text up to '=' (a dotted path such as spark.sql.shuffle.partitions).
  const size_t first = i_;
  while (!AtStatementEnd() && !At(TokenKind::kEq)) Advance();
  if (i_ == first) return ErrorExpected("a configuration key");
  if (i_ == first + 1 && tokens_[first].kind == TokenKind::kQuotedIdentifier) {
    statement->key = tokens_[first].value;
  } else {
    const Token& last = Previous();
    const size_t begin = tokens_[first].pos.offset;
    statement->key = std::string(source_.substr(begin, last.pos.offset + last.text.size() - begin));
  }
  if (Accept(TokenKind::kEq)) statement->value = RestOfStatementText();
  return StatementPtr(std::move(statement));
}

arrow::Result<StatementPtr> Parser::ParseReset() {
  auto statement = NewStatement<ResetStatement>(Advance().pos);
  statement->key = RestOfStatementText();
  return StatementPtr(std::move(statement));
}

arrow::Result<StatementPtr> Parser::ParseUse() {
  auto statement = NewStatement<UseStatement>(Advance().pos);
  ARROW_ASSIGN_OR_RAISE(statement->name, ParseObjectName("a zone name", 2));
  return StatementPtr(std::move(statement));
}

}  // namespace tidelake::sql::internal
