// Queries: SELECT clauses, FROM (tables, time travel, table functions, subqueries, joins),
// grouping, set operations, WITH, VALUES, and the seed document's queries verbatim.
#include <gtest/gtest.h>

#include <random>

#include "sql/parser_test_util.h"

namespace tidelake::sql {
namespace {

using testing::Canonical;
using testing::MustParse;

const Query& QueryOf(const StatementPtr& statement) { return *statement->As<QueryStatement>().query; }
const SelectBody& SelectOf(const StatementPtr& statement) { return QueryOf(statement).body->As<SelectBody>(); }

TEST(ParseQueryTest, SeedStreamAnalyticsQueryVerbatim) {
  const char* sql = R"(-- Azure Stream Analytics Query
WITH EnrichedEvents AS (
SELECT
event_id,
customer_id,
event_type,
event_timestamp,
System.Timestamp() AS processing_timestamp
FROM
EventHubInput TIMESTAMP BY event_timestamp
)
-- Real-time aggregation
SELECT
customer_id,
COUNT(*) as event_count,
System.Timestamp() AS window_end
INTO
CosmosDBOutput
FROM
EnrichedEvents
GROUP BY
customer_id,
TumblingWindow(minute, 5)
)";
  StatementPtr statement = MustParse(sql);
  ASSERT_TRUE(statement);
  ASSERT_EQ(statement->kind, StatementKind::kQuery);
  const Query& query = QueryOf(statement);
  ASSERT_EQ(query.with.size(), 1u);
  EXPECT_EQ(query.with[0].name, "EnrichedEvents");
  const auto& inner = query.with[0].query->body->As<SelectBody>();
  ASSERT_EQ(inner.items.size(), 5u);
  EXPECT_EQ(inner.items[4].alias, "processing_timestamp");
  const auto& input = inner.from->As<TableRelation>();
  EXPECT_EQ(input.name.parts, std::vector<std::string>{"EventHubInput"});
  ASSERT_TRUE(input.timestamp_by);
  EXPECT_EQ(input.timestamp_by->As<ColumnRefExpr>().parts, std::vector<std::string>{"event_timestamp"});
  EXPECT_TRUE(input.alias.empty());

  const auto& outer = query.body->As<SelectBody>();
  ASSERT_TRUE(outer.into);
  EXPECT_EQ(outer.into->parts, std::vector<std::string>{"CosmosDBOutput"});
  EXPECT_EQ(outer.items[1].alias, "event_count");
  ASSERT_TRUE(outer.group_by);
  ASSERT_EQ(outer.group_by->elements.size(), 2u);
  const auto& window = outer.group_by->elements[1].sets[0][0]->As<FunctionCallExpr>();
  EXPECT_EQ(window.name, std::vector<std::string>{"TumblingWindow"});
  EXPECT_EQ(window.args[0]->As<ColumnRefExpr>().parts, std::vector<std::string>{"minute"});
  EXPECT_EQ(outer.items[0].pos.line, 14u);

  EXPECT_EQ(Canonical(sql),
            "WITH EnrichedEvents AS (SELECT event_id, customer_id, event_type, event_timestamp, System.Timestamp() "
            "AS processing_timestamp FROM EventHubInput TIMESTAMP BY event_timestamp) SELECT customer_id, COUNT(*) "
            "AS event_count, System.Timestamp() AS window_end INTO CosmosDBOutput FROM EnrichedEvents GROUP BY "
            "customer_id, TumblingWindow(minute, 5)");
}

TEST(ParseQueryTest, SeedBatchMetricsQueryVerbatim) {
  const char* sql = R"(
SELECT MAX(processing_timestamp) as last_run,
COUNT(*) as records_processed
FROM delta.`/mnt/datalake/refined/batch/transactions`
WHERE date = current_date()
)";
  StatementPtr statement = MustParse(sql);
  ASSERT_TRUE(statement);
  const auto& select = SelectOf(statement);
  EXPECT_EQ(select.from->As<TableRelation>().name.parts,
            (std::vector<std::string>{"delta", "/mnt/datalake/refined/batch/transactions"}));
  EXPECT_EQ(Canonical(sql),
            "SELECT MAX(processing_timestamp) AS last_run, COUNT(*) AS records_processed FROM "
            "delta.`/mnt/datalake/refined/batch/transactions` WHERE date = current_date()");
}

TEST(ParseQueryTest, SelectClauses) {
  StatementPtr statement = MustParse(
      "select distinct a, b c, t.* from t where a > 1 group by a, b having count(*) > 2 "
      "window w as (partition by a) qualify row_number() over w = 1 order by a desc, b limit 10 offset 5");
  ASSERT_TRUE(statement);
  const auto& select = SelectOf(statement);
  EXPECT_TRUE(select.distinct);
  ASSERT_EQ(select.items.size(), 3u);
  EXPECT_EQ(select.items[1].alias, "c");
  EXPECT_EQ(select.items[2].expr->kind, ExprKind::kStar);
  ASSERT_TRUE(select.where);
  ASSERT_TRUE(select.having);
  ASSERT_EQ(select.windows.size(), 1u);
  EXPECT_EQ(select.windows[0].name, "w");
  ASSERT_TRUE(select.qualify);
  const Query& query = QueryOf(statement);
  EXPECT_EQ(query.order_by.size(), 2u);
  ASSERT_TRUE(query.limit);
  ASSERT_TRUE(query.offset);

  EXPECT_EQ(Canonical("select all 1, 'x' as y"), "SELECT 1, 'x' AS y");
  EXPECT_EQ(Canonical("SELECT a FROM t QUALIFY x = 1 WINDOW w AS (ORDER BY a)"),
            "SELECT a FROM t WINDOW w AS (ORDER BY a) QUALIFY x = 1");
  EXPECT_EQ(Canonical("SELECT a AS `select`, b AS date FROM t ORDER BY a ASC NULLS FIRST LIMIT ALL"),
            "SELECT a AS `select`, b AS date FROM t ORDER BY a ASC NULLS FIRST");
}

TEST(ParseQueryTest, StreamingColumnNamesAreNames) {
  // Kafka's columns and Spark's window() need no quotes; LIMIT, OFFSET, WINDOW and QUALIFY
  // still end a FROM clause or a select item that has no AS.
  StatementPtr kafka = MustParse(
      "SELECT key, value, topic, partition, offset, timestamp, timestampType FROM kafka_events k "
      "WHERE offset > 5 LIMIT 10 OFFSET 2");
  ASSERT_TRUE(kafka);
  const auto& select = SelectOf(kafka);
  EXPECT_EQ(select.items[4].expr->As<ColumnRefExpr>().parts, std::vector<std::string>{"offset"});
  EXPECT_EQ(select.from->alias, "k");
  ASSERT_TRUE(QueryOf(kafka).offset);
  EXPECT_EQ(Canonical("SELECT offset FROM t offset 2"), "SELECT offset FROM t OFFSET 2");
  EXPECT_EQ(Canonical("SELECT a AS limit FROM t AS window LIMIT 1"), "SELECT a AS limit FROM t AS window LIMIT 1");
  EXPECT_EQ(Canonical("SELECT window.start, window.end, count(*) FROM events GROUP BY window(ts, '5 minutes')"),
            "SELECT window.start, window.`end`, count(*) FROM events GROUP BY window(ts, '5 minutes')");
  EXPECT_EQ(Canonical("SELECT * FROM Input TIMESTAMP BY timestamp"), "SELECT * FROM Input TIMESTAMP BY timestamp");
  EXPECT_EQ(testing::ParseErrorOf("SELECT a window FROM t"), "line 1:17: expected a window name, found FROM");
}

TEST(ParseQueryTest, Grouping) {
  EXPECT_EQ(Canonical("SELECT a, sum(x) FROM t GROUP BY ALL"), "SELECT a, sum(x) FROM t GROUP BY ALL");
  EXPECT_EQ(Canonical("SELECT 1 FROM t GROUP BY rollup(a, (b, c)), cube(d)"),
            "SELECT 1 FROM t GROUP BY ROLLUP(a, (b, c)), CUBE(d)");
  EXPECT_EQ(Canonical("SELECT 1 FROM t GROUP BY GROUPING SETS ((a, b), (a), ())"),
            "SELECT 1 FROM t GROUP BY GROUPING SETS((a, b), (a), ())");
  StatementPtr statement = MustParse("SELECT 1 FROM t GROUP BY GROUPING SETS ((a, b), a, ())");
  ASSERT_TRUE(statement);
  const GroupBy& group_by = *SelectOf(statement).group_by;
  ASSERT_EQ(group_by.elements.size(), 1u);
  EXPECT_EQ(group_by.elements[0].kind, GroupingKind::kGroupingSets);
  ASSERT_EQ(group_by.elements[0].sets.size(), 3u);
  EXPECT_EQ(group_by.elements[0].sets[0].size(), 2u);
  EXPECT_EQ(group_by.elements[0].sets[1].size(), 1u);
  EXPECT_EQ(group_by.elements[0].sets[2].size(), 0u);
  // rollup is only a grouping keyword before '('.
  EXPECT_EQ(Canonical("SELECT rollup FROM t GROUP BY rollup"), "SELECT rollup FROM t GROUP BY rollup");
}

TEST(ParseQueryTest, TablesAliasesAndTimeTravel) {
  // Time travel comes before the alias.
  EXPECT_EQ(testing::ParseErrorOf("SELECT * FROM cat.zone.events AS e(a, b) VERSION AS OF 3"),
            "line 1:42: expected end of input, found VERSION");
  StatementPtr statement = MustParse("SELECT * FROM cat.zone.events VERSION AS OF 3 AS e(a, b)");
  ASSERT_TRUE(statement);
  const auto& table = SelectOf(statement).from->As<TableRelation>();
  EXPECT_EQ(table.name.parts, (std::vector<std::string>{"cat", "zone", "events"}));
  EXPECT_EQ(table.alias, "e");
  EXPECT_EQ(table.column_aliases, (std::vector<std::string>{"a", "b"}));
  ASSERT_TRUE(table.time_travel);
  EXPECT_EQ(table.time_travel->kind, TimeTravelKind::kVersion);
  EXPECT_EQ(table.time_travel->value->As<LiteralExpr>().int_value, 3);

  EXPECT_EQ(Canonical("SELECT * FROM t TIMESTAMP AS OF '2024-01-01' x"),
            "SELECT * FROM t TIMESTAMP AS OF '2024-01-01' AS x");
  EXPECT_EQ(Canonical("SELECT * FROM t FOR SYSTEM_TIME AS OF current_timestamp() - INTERVAL 1 DAY"),
            "SELECT * FROM t TIMESTAMP AS OF current_timestamp() - INTERVAL 1 DAY");
  EXPECT_EQ(Canonical("SELECT * FROM t FOR SYSTEM_VERSION AS OF 2"), "SELECT * FROM t VERSION AS OF 2");
  EXPECT_EQ(Canonical("SELECT * FROM Input i TIMESTAMP BY EntryTime"),
            "SELECT * FROM Input AS i TIMESTAMP BY EntryTime");
  EXPECT_EQ(Canonical("SELECT * FROM delta.`/data/my table` AS `weird``name`"),
            "SELECT * FROM delta.`/data/my table` AS `weird``name`");
  // A table named like a non-reserved keyword.
  EXPECT_EQ(Canonical("SELECT date.value FROM date"), "SELECT date.value FROM date");
}

TEST(ParseQueryTest, TableFunctionsSubqueriesAndValues) {
  StatementPtr statement =
      MustParse("SELECT * FROM read_csv('/data/in.csv', header => true, delimiter => ';') AS src");
  ASSERT_TRUE(statement);
  const auto& function = SelectOf(statement).from->As<TableFunctionRelation>();
  EXPECT_EQ(function.name, std::vector<std::string>{"read_csv"});
  ASSERT_EQ(function.args.size(), 3u);
  EXPECT_EQ(function.args[1]->As<NamedArgumentExpr>().name, "header");
  EXPECT_EQ(function.alias, "src");
  EXPECT_EQ(Canonical("select * from read_parquet('/a/*.parquet') p join read_json('/b.json') j on p.id = j.id"),
            "SELECT * FROM read_parquet('/a/*.parquet') AS p INNER JOIN read_json('/b.json') AS j ON p.id = j.id");

  EXPECT_EQ(Canonical("SELECT s.a FROM (SELECT a FROM t WHERE a > 0) s"),
            "SELECT s.a FROM (SELECT a FROM t WHERE a > 0) AS s");
  EXPECT_EQ(Canonical("SELECT * FROM (VALUES (1, 'a'), (2, 'b')) AS v(id, name)"),
            "SELECT * FROM (VALUES (1, 'a'), (2, 'b')) AS v(id, name)");
  EXPECT_EQ(Canonical("SELECT * FROM VALUES (1, 'a'), (2, 'b') AS v(id, name)"),
            "SELECT * FROM (VALUES (1, 'a'), (2, 'b')) AS v(id, name)");
  EXPECT_EQ(Canonical("VALUES (1, 2), (3, 4)"), "VALUES (1, 2), (3, 4)");
  EXPECT_EQ(Canonical("VALUES 1, 2"), "VALUES (1), (2)");
  EXPECT_EQ(Canonical("SELECT * FROM ((SELECT 1) UNION (SELECT 2)) u"), "SELECT * FROM (SELECT 1 UNION SELECT 2) AS u");
}

TEST(ParseQueryTest, Joins) {
  StatementPtr statement = MustParse(
      "SELECT * FROM a JOIN b ON a.id = b.id LEFT OUTER JOIN c USING (id, k) CROSS JOIN d "
      "LEFT SEMI JOIN e ON true ANTI JOIN f ON false");
  ASSERT_TRUE(statement);
  // Left-deep: (((((a JOIN b) LEFT c) CROSS d) SEMI e) ANTI f)
  const auto& anti = SelectOf(statement).from->As<JoinRelation>();
  EXPECT_EQ(anti.type, JoinType::kLeftAnti);
  const auto& semi = anti.left->As<JoinRelation>();
  EXPECT_EQ(semi.type, JoinType::kLeftSemi);
  const auto& cross = semi.left->As<JoinRelation>();
  EXPECT_EQ(cross.type, JoinType::kCross);
  EXPECT_FALSE(cross.condition);
  const auto& left = cross.left->As<JoinRelation>();
  EXPECT_EQ(left.type, JoinType::kLeft);
  EXPECT_EQ(left.using_columns, (std::vector<std::string>{"id", "k"}));
  const auto& inner = left.left->As<JoinRelation>();
  EXPECT_EQ(inner.type, JoinType::kInner);
  ASSERT_TRUE(inner.condition);
  EXPECT_EQ(inner.left->As<TableRelation>().name.parts, std::vector<std::string>{"a"});

  EXPECT_EQ(Canonical("SELECT * FROM a RIGHT JOIN b ON x FULL OUTER JOIN c ON y INNER JOIN d ON z"),
            "SELECT * FROM a RIGHT JOIN b ON x FULL JOIN c ON y INNER JOIN d ON z");
  EXPECT_EQ(Canonical("SELECT * FROM a SEMI JOIN b ON x LEFT ANTI JOIN c ON y NATURAL JOIN d natural left join e"),
            "SELECT * FROM a LEFT SEMI JOIN b ON x LEFT ANTI JOIN c ON y NATURAL INNER JOIN d NATURAL LEFT JOIN e");
  // Commas bind looser than JOIN.
  StatementPtr comma = MustParse("SELECT * FROM a, b JOIN c ON b.x = c.x, d");
  ASSERT_TRUE(comma);
  const auto& outer = SelectOf(comma).from->As<JoinRelation>();
  EXPECT_TRUE(outer.comma);
  EXPECT_EQ(outer.type, JoinType::kCross);
  const auto& first = outer.left->As<JoinRelation>();
  EXPECT_TRUE(first.comma);
  EXPECT_FALSE(first.right->As<JoinRelation>().comma);
  EXPECT_EQ(Canonical("SELECT * FROM a, b JOIN c ON b.x = c.x, d"), "SELECT * FROM a, b INNER JOIN c ON b.x = c.x, d");
  EXPECT_EQ(Canonical("SELECT * FROM a JOIN (b JOIN c ON b.x = c.x) ON a.y = b.y"),
            "SELECT * FROM a INNER JOIN (b INNER JOIN c ON b.x = c.x) ON a.y = b.y");
  EXPECT_EQ(Canonical("SELECT * FROM ((a JOIN b ON x)) JOIN c ON y"), "SELECT * FROM a INNER JOIN b ON x INNER JOIN c ON y");
  EXPECT_EQ(testing::ParseErrorOf("SELECT * FROM a CROSS JOIN (b, c)"), "line 1:30: expected ')', found ','");
}

TEST(ParseQueryTest, SetOperationPrecedence) {
  StatementPtr statement = MustParse("SELECT 1 UNION SELECT 2 INTERSECT SELECT 3 ORDER BY 1 LIMIT 2");
  ASSERT_TRUE(statement);
  const Query& query = QueryOf(statement);
  const auto& u = query.body->As<SetOperationBody>();
  EXPECT_EQ(u.op, SetOpKind::kUnion);
  EXPECT_FALSE(u.all);
  EXPECT_EQ(u.left->kind, QueryBodyKind::kSelect);
  EXPECT_EQ(u.right->As<SetOperationBody>().op, SetOpKind::kIntersect);
  EXPECT_EQ(query.order_by.size(), 1u);  // ORDER BY and LIMIT belong to the whole union
  ASSERT_TRUE(query.limit);

  StatementPtr left_assoc = MustParse("SELECT 1 EXCEPT SELECT 2 UNION ALL SELECT 3 MINUS SELECT 4");
  ASSERT_TRUE(left_assoc);
  const auto& minus = QueryOf(left_assoc).body->As<SetOperationBody>();
  EXPECT_EQ(minus.op, SetOpKind::kExcept);
  const auto& union_all = minus.left->As<SetOperationBody>();
  EXPECT_EQ(union_all.op, SetOpKind::kUnion);
  EXPECT_TRUE(union_all.all);
  EXPECT_EQ(union_all.left->As<SetOperationBody>().op, SetOpKind::kExcept);

  EXPECT_EQ(Canonical("SELECT 1 UNION DISTINCT SELECT 2 INTERSECT ALL SELECT 3"),
            "SELECT 1 UNION SELECT 2 INTERSECT ALL SELECT 3");
  EXPECT_EQ(Canonical("(SELECT 1 UNION SELECT 2) INTERSECT SELECT 3"), "(SELECT 1 UNION SELECT 2) INTERSECT SELECT 3");
  EXPECT_EQ(Canonical("SELECT 1 UNION (SELECT 2 UNION SELECT 3)"), "SELECT 1 UNION (SELECT 2 UNION SELECT 3)");
  EXPECT_EQ(Canonical("(SELECT a FROM t ORDER BY a LIMIT 1) UNION ALL (SELECT b FROM u)"),
            "(SELECT a FROM t ORDER BY a LIMIT 1) UNION ALL SELECT b FROM u");
  EXPECT_EQ(Canonical("((SELECT 1))"), "SELECT 1");
  EXPECT_EQ(Canonical("SELECT 1 UNION VALUES (2)"), "SELECT 1 UNION VALUES (2)");
}

TEST(ParseQueryTest, CommonTableExpressions) {
  StatementPtr statement =
      MustParse("WITH a (x, y) AS (SELECT 1, 2), b AS (WITH c AS (SELECT 3) SELECT * FROM c) SELECT * FROM a, b");
  ASSERT_TRUE(statement);
  const Query& query = QueryOf(statement);
  ASSERT_EQ(query.with.size(), 2u);
  EXPECT_EQ(query.with[0].columns, (std::vector<std::string>{"x", "y"}));
  EXPECT_EQ(query.with[1].query->with.size(), 1u);
  EXPECT_EQ(Canonical("WITH a (x, y) AS (SELECT 1, 2), b AS (WITH c AS (SELECT 3) SELECT * FROM c) SELECT * FROM a, b"),
            "WITH a (x, y) AS (SELECT 1, 2), b AS (WITH c AS (SELECT 3) SELECT * FROM c) SELECT * FROM a, b");
  EXPECT_EQ(Canonical("SELECT 1 UNION (WITH c AS (SELECT 2) SELECT * FROM c)"),
            "SELECT 1 UNION (WITH c AS (SELECT 2) SELECT * FROM c)");
}

TEST(ParseQueryTest, HeightOfLongChains) {
  std::string sql = "SELECT 1";
  for (int i = 0; i < 50; ++i) sql += " UNION ALL SELECT " + std::to_string(i);
  StatementPtr statement = MustParse(sql);
  ASSERT_TRUE(statement);
  EXPECT_EQ(QueryOf(statement).body->height, 52u);  // 50 unions over a select over a literal
}

// Random queries over set operations, nesting and FROM clauses (not all of them valid).
class RandomQuery {
 public:
  explicit RandomQuery(uint32_t seed) : rng_(seed) {}

  std::string Query(int d) {
    std::string q;
    if (d > 0 && Pick(5) == 0) q += "WITH c AS (" + Query(d - 1) + ") ";
    q += Body(d);
    if (Pick(4) == 0) q += " ORDER BY 1";
    if (Pick(4) == 0) q += " LIMIT 3";
    return q;
  }

 private:
  size_t Pick(size_t n) { return rng_() % n; }

  std::string Body(int d) {
    static const char* const kOps[] = {" UNION ", " UNION ALL ", " INTERSECT ", " EXCEPT ", " MINUS ", " UNION DISTINCT "};
    if (d <= 0 || Pick(3) == 0) return Primary(d);
    return Body(d - 1) + kOps[Pick(std::size(kOps))] + Body(d - 1);
  }

  std::string Primary(int d) {
    switch (Pick(d > 0 ? 5 : 2)) {
      case 0: return "SELECT a, b AS c FROM " + From(d);
      case 1: return "VALUES (1, 2), (3, 4)";
      case 2: return "(" + Query(d - 1) + ")";
      case 3: return "SELECT * FROM " + From(d) + " WHERE x IN (" + Query(d - 1) + ")";
      default: return "SELECT DISTINCT t.* INTO o FROM " + From(d) + " GROUP BY ALL";
    }
  }

  std::string From(int d) {
    static const char* const kJoins[] = {" JOIN ", " LEFT JOIN ", " RIGHT OUTER JOIN ", " FULL JOIN ", " CROSS JOIN ",
                                         " LEFT SEMI JOIN ", " ANTI JOIN ", " NATURAL JOIN ", ", "};
    std::string f = Relation(d);
    for (size_t n = Pick(3); n > 0; --n) {
      const char* join = kJoins[Pick(std::size(kJoins))];
      f += join + Relation(d);
      if (std::string_view(join) == ", " || std::string_view(join).find("NATURAL") != std::string_view::npos) continue;
      switch (Pick(3)) {
        case 0: f += " ON p = q"; break;
        case 1: f += " USING (k)"; break;
        default: break;
      }
    }
    return f;
  }

  std::string Relation(int d) {
    switch (Pick(d > 0 ? 7 : 4)) {
      case 0: return "t";
      case 1: return "z.t VERSION AS OF 2 AS v(x, y)";
      case 2: return "In1 i TIMESTAMP BY ts";
      case 3: return "read_csv('/x', header => true) r";
      case 4: return "(" + Query(d - 1) + ") s";
      case 5: return "(" + From(d - 1) + ")";
      default: return "VALUES (1) AS w(a)";
    }
  }

  std::mt19937 rng_;
};

TEST(ParseQueryTest, RandomQueriesPrintToAFixedPoint) {
  RandomQuery generator(11);
  int parsed = 0;
  for (int i = 0; i < 600; ++i) {
    const std::string sql = generator.Query(3);
    auto first = ParseStatement(sql);
    if (!first.ok()) continue;
    ++parsed;
    const std::string printed = ToString(**first);
    auto second = ParseStatement(printed);
    ASSERT_TRUE(second.ok()) << "from: " << sql << "\n  printed: " << printed << "\n  " << second.status().ToString();
    ASSERT_EQ(ToString(**second), printed) << "from: " << sql;
  }
  EXPECT_GT(parsed, 200);
}

}  // namespace
}  // namespace tidelake::sql
