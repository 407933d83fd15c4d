// Errors: exact messages for bad input, nesting limits, and a fuzz-style test that feeds
// truncated and mutated statements and requires a Status (never a crash or a hang).
#include <gtest/gtest.h>

#include <random>

#if defined(__linux__)
#include <pthread.h>
#endif

#include "common/error.h"
#include "sql/parser_test_util.h"

namespace tidelake::sql {
namespace {

using testing::ParseErrorOf;

struct ErrorCase {
  const char* sql;
  const char* message;
};

TEST(ParseErrorTest, MessagesNameThePlaceAndTheToken) {
  const ErrorCase cases[] = {
      {"SELECT a FROM", "line 1:14: expected a table name, found end of input"},
      {"SELECT (a + b FROM t", "line 1:15: expected ')', found FROM"},
      {"SELECT FROM t", "line 1:8: expected an expression, found FROM"},
      {"SELECT a, FROM t", "line 1:11: expected an expression, found FROM"},
      {"SELECT a FROM t WHERE", "line 1:22: expected an expression, found end of input"},
      {"SELECT a FROM t GROUP a", "line 1:23: expected BY, found a"},
      {"SELECT a FROM t ORDER a", "line 1:23: expected BY, found a"},
      {"SELECT a FROM t JOIN", "line 1:21: expected a table name, found end of input"},
      {"SELECT a FROM t LEFT u ON x", "line 1:22: expected JOIN, found u"},
      {"SELECT * FROM a NATURAL b", "line 1:25: expected JOIN after NATURAL, found b"},
      {"SELECT * FROM a.b.c.d", "line 1:20: a table name has more than 3 parts"},
      {"SELECT CASE WHEN a THEN 1", "line 1:26: expected WHEN, ELSE or END, found end of input"},
      {"SELECT CASE x END", "line 1:15: expected WHEN, found END"},
      {"SELECT CASE WHEN a THEN 1 ELSE 2", "line 1:33: expected END, found end of input"},
      {"SELECT CAST(a AS)", "line 1:17: expected a data type, found ')'"},
      {"SELECT CAST(a AS foo)", "line 1:18: expected a data type, found foo"},
      {"SELECT CAST(a AS varchar)", "line 1:25: expected '(', found ')'"},
      {"SELECT CAST(a AS decimal(40, 2))", "line 1:26: DECIMAL precision 40 is out of range (1 to 38)"},
      {"SELECT CAST(a AS decimal(5, 6))", "line 1:29: DECIMAL scale 6 is out of range (0 to precision 5)"},
      {"SELECT CAST(a AS array<int)", "line 1:27: expected '>', found ')'"},
      {"SELECT CAST(a AS struct<x int y int>)", "line 1:31: expected ',' or '>', found y"},
      {"SELECT x::", "line 1:11: expected a data type, found end of input"},
      {"SELECT 300Y", "line 1:8: numeric literal 300Y is out of range for TINYINT"},
      {"SELECT -32769S", "line 1:8: numeric literal -32769S is out of range for SMALLINT"},
      {"SELECT 99999999999999999999L", "line 1:8: numeric literal 99999999999999999999L is out of range for BIGINT"},
      {"SELECT 1e999", "line 1:8: numeric literal 1e999 is out of range for DOUBLE"},
      {"SELECT 1e39F", "line 1:8: numeric literal 1e39F is out of range for FLOAT"},
      {"SELECT X'0G'", "line 1:9: binary literal X'0G' must contain only hex digits"},
      {"SELECT a IS b", "line 1:13: expected NULL, TRUE, FALSE, UNKNOWN or DISTINCT FROM after IS, found b"},
      {"SELECT a IS NOT 5", "line 1:17: expected NULL, TRUE, FALSE, UNKNOWN or DISTINCT FROM after IS NOT, found 5"},
      {"SELECT a NOT 5", "line 1:14: expected BETWEEN, IN, LIKE, ILIKE or RLIKE after NOT, found 5"},
      {"SELECT a BETWEEN 1 OR 2", "line 1:20: expected AND, found OR"},
      {"SELECT a IN ()", "line 1:14: expected an expression, found ')'"},
      {"SELECT a IN (1, 2", "line 1:18: expected ',' or ')', found end of input"},
      {"SELECT a LIKE 'x' ESCAPE 'ab'", "line 1:26: the ESCAPE string must be one character, found 'ab'"},
      {"SELECT INTERVAL 5", "line 1:18: expected an interval unit (YEAR, MONTH, WEEK, DAY, HOUR, MINUTE, SECOND, ...), "
                            "found end of input"},
      {"SELECT INTERVAL '1' DAY TO", "line 1:27: expected an interval unit after TO, found end of input"},
      {"SELECT f(a b)", "line 1:12: expected ',' or ')', found b"},
      {"SELECT a.)", "line 1:10: expected a name after '.', found ')'"},
      {"SELECT a[1", "line 1:11: expected ']', found end of input"},
      {"SELECT EXTRACT(YEAR ts)", "line 1:21: expected FROM, found ts"},
      {"SELECT count(*) FILTER (a > 1)", "line 1:25: expected WHERE, found a"},
      {"SELECT sum(x) OVER (PARTITION BY a ROWS 5)", "line 1:42: expected PRECEDING or FOLLOWING, found ')'"},
      {"SELECT sum(x) OVER (ORDER BY a foo)", "line 1:32: expected ROWS, RANGE or ')', found foo"},
      {"SELECT sum(x) OVER", "line 1:19: expected a window name or '(' after OVER, found end of input"},
      {"SELECT x FROM t ORDER BY", "line 1:25: expected an expression, found end of input"},
      {"SELECT x FROM t ORDER BY x NULLS", "line 1:33: expected FIRST or LAST after NULLS, found end of input"},
      {"SELECT x FROM t LIMIT", "line 1:22: expected an expression, found end of input"},
      {"SELECT 1 UNION", "line 1:15: expected SELECT, VALUES or '(', found end of input"},
      {"SELECT a FROM t GROUP BY ROLLUP()", "line 1:33: expected an expression, found ')'"},
      {"SELECT * FROM t VERSION AS OF", "line 1:30: expected an expression, found end of input"},
      {"SELECT * FROM t TIMESTAMP BY", "line 1:29: expected an expression, found end of input"},
      {"SELECT a FROM t WHERE x = 1 2", "line 1:29: expected end of input, found 2"},
      {"SELECT 1; SELECT 2", "line 1:11: expected end of input, found SELECT"},
      {"SELECT a,\n       b\nFROM t\nWHERE a = = 1", "line 4:11: expected an expression, found '='"},
      {"SELECT 'abc", "line 1:8: unterminated string literal"},
      {"VALUES (1, 2), (3)", "line 1:16: VALUES row 2 has 1 values, but row 1 has 2"},
      {"WITH a AS SELECT 1 SELECT 2", "line 1:11: expected '(', found SELECT"},
      {"WITH RECURSIVE r AS (SELECT 1) SELECT 1", "line 1:6: WITH RECURSIVE is not supported"},
      {"FROB x", "line 1:1: expected a statement, found FROB"},
      {"", "line 1:1: expected a statement, found end of input"},
      {"CREATE TABLE t (a)", "line 1:18: expected a data type, found ')'"},
      {"CREATE TABLE t (a INT", "line 1:22: expected ',' or ')', found end of input"},
      {"CREATE TABLE t (a INT NOT)", "line 1:26: expected NULL, found ')'"},
      {"CREATE OR REPLACE TABLE IF NOT EXISTS t (a INT)",
       "line 1:25: CREATE OR REPLACE cannot be combined with IF NOT EXISTS"},
      {"CREATE TABLE t (a INT) LOCATION '/a' LOCATION '/b'", "line 1:38: LOCATION is given twice"},
      {"CREATE TABLE t (a INT) TBLPROPERTIES ('k' = )", "line 1:45: expected a property value, found ')'"},
      {"CREATE TABLE t (a INT) WITH", "line 1:28: expected '(', found end of input"},
      {"CREATE TABLE t (a INT) WITH ('connector' = )", "line 1:44: expected a property value, found ')'"},
      {"CREATE TABLE t (a INT) WITH ('connector' = 'blackhole') WITH (x = 1)", "line 1:57: WITH is given twice"},
      {"CREATE TABLE t WITH ('connector' = 'blackhole')",
       "line 1:14: a table WITH ('connector' = ...) needs its columns"},
      {"CREATE TABLE t (a INT) USING delta WITH ('connector' = 'blackhole')",
       "line 1:36: a table WITH ('connector' = ...) is not a Delta table; it takes no USING"},
      {"CREATE TABLE t (a INT) WITH ('connector' = 'blackhole') PARTITIONED BY (a)",
       "line 1:24: a table WITH ('connector' = ...) is not a Delta table; it takes no PARTITIONED BY"},
      {"CREATE TABLE t (a INT) WITH ('connector' = 'blackhole') LOCATION '/x'",
       "line 1:24: a table WITH ('connector' = ...) is not a Delta table; it takes no LOCATION"},
      {"CREATE TABLE t (a INT) WITH ('connector' = 'blackhole') TBLPROPERTIES (k = 1)",
       "line 1:24: a table WITH ('connector' = ...) is not a Delta table; it takes no TBLPROPERTIES"},
      {"CREATE TABLE t (a INT) COMMENT 'c' WITH ('connector' = 'blackhole')",
       "line 1:36: a table WITH ('connector' = ...) is not a Delta table; it takes no COMMENT"},
      {"CREATE OR REPLACE TABLE t (a INT) WITH ('connector' = 'blackhole')",
       "line 1:35: a table WITH ('connector' = ...) is not a Delta table; it takes no OR REPLACE"},
      {"CREATE TABLE t (a INT) WITH ('connector' = 'blackhole') AS SELECT 1",
       "line 1:24: a table WITH ('connector' = ...) is not a Delta table; it takes no AS query (declare its "
       "columns, then INSERT INTO it)"},
      {"CREATE STREAMING TABLE t WITH ('connector' = 'blackhole') AS SELECT 1",
       "line 1:26: a streaming table is a Delta table; declare a connector table with CREATE TABLE"},
      {"CREATE INDEX i", "line 1:8: expected TABLE, VIEW or SOURCE, found INDEX"},
      {"CREATE OR REPLACE SOURCE s", "line 1:19: expected TABLE or VIEW, found SOURCE"},
      {"CREATE SOURCE s (a INT)", "line 1:24: expected WITH (connector = ..., ...), found end of input"},
      {"CREATE SOURCE s WITH (connector = 'kafka')", "line 1:17: expected '(', found WITH"},
      {"CREATE SOURCE s () WITH (connector = 'kafka')", "line 1:18: expected a column name, found ')'"},
      {"CREATE SOURCE s (a INT WITH (x = 'y')", "line 1:24: expected ',' or ')', found WITH"},
      {"CREATE SOURCE s (ts TIMESTAMP, WATERMARK FOR ts ts) WITH (connector = 'kafka')",
       "line 1:49: expected AS, found ts"},
      {"CREATE SOURCE s (ts TIMESTAMP, WATERMARK FOR ts AS ts, WATERMARK FOR ts AS ts) WITH (connector = 'kafka')",
       "line 1:56: WATERMARK is given twice"},
      {"CREATE SOURCE s (WATERMARK FOR ts AS ts) WITH (connector = 'kafka')",
       "line 1:15: a source needs at least one column"},
      {"CREATE SOURCE s (a INT) WITH (connector = )", "line 1:43: expected a property value, found ')'"},
      {"CREATE SOURCE a.b.c (x INT) WITH (connector = 'kafka')", "line 1:18: a source name has more than 2 parts"},
      {"DROP SOURCE", "line 1:12: expected a source name, found end of input"},
      {"CREATE TEMP TABLE t", "line 1:13: expected VIEW, found TABLE"},
      {"CREATE VIEW v SELECT 1", "line 1:15: expected AS, found SELECT"},
      {"DROP t", "line 1:6: expected TABLE, VIEW or SOURCE, found t"},
      {"DROP TABLE IF t", "line 1:15: expected EXISTS, found t"},
      {"ALTER TABLE t CHANGE COLUMN a", "line 1:15: expected ADD COLUMNS, SET TBLPROPERTIES, UNSET TBLPROPERTIES, "
                                        "RENAME COLUMN or DROP COLUMN, found CHANGE"},
      {"ALTER TABLE t RENAME COLUMN a b", "line 1:31: expected TO, found b"},
      {"ALTER TABLE t UNSET TBLPROPERTIES 'a'", "line 1:35: expected '(', found 'a'"},
      {"SHOW TBLPROPERTIES t ('a'", "line 1:26: expected ')', found end of input"},
      {"CREATE STREAMING TABLE t (a INT)", "line 1:1: CREATE STREAMING TABLE needs AS followed by its streaming query"},
      {"CREATE OR REFRESH TABLE t AS SELECT 1", "line 1:19: expected STREAMING, found TABLE"},
      {"REFRESH TABLE t", "line 1:9: expected STREAMING, found TABLE"},
      {"SELECT * FROM STREAM(raw.t", "line 1:27: expected ')', found end of input"},
      {"ALTER TABLE t ADD x INT", "line 1:19: expected COLUMNS or COLUMN, found x"},
      {"INSERT t VALUES (1)", "line 1:8: expected INTO or OVERWRITE, found t"},
      {"INSERT INTO t", "line 1:14: expected a column list or a query (SELECT, VALUES, ...), found end of input"},
      {"INSERT INTO t (a) 5", "line 1:19: expected a query (SELECT, VALUES, ...), found 5"},
      {"DELETE t", "line 1:8: expected FROM, found t"},
      {"UPDATE t a = 1", "line 1:12: expected SET, found '='"},
      {"UPDATE t SET a 1", "line 1:16: expected '=', found 1"},
      {"MERGE INTO t USING s ON a = b", "line 1:30: expected WHEN MATCHED or WHEN NOT MATCHED, found end of input"},
      {"MERGE INTO t USING s WHEN MATCHED THEN DELETE", "line 1:22: expected ON, found WHEN"},
      {"MERGE INTO t USING s ON c WHEN x", "line 1:32: expected MATCHED or NOT MATCHED, found x"},
      {"MERGE INTO t USING s ON a = b WHEN MATCHED THEN INSERT *",
       "line 1:49: expected UPDATE or DELETE after WHEN MATCHED THEN, found INSERT"},
      {"MERGE INTO t USING s ON a = b WHEN NOT MATCHED THEN UPDATE SET *",
       "line 1:53: expected INSERT after WHEN NOT MATCHED THEN, found UPDATE"},
      {"MERGE INTO t USING s ON c WHEN NOT MATCHED BY SOURCE THEN UPDATE SET *",
       "line 1:59: UPDATE SET * is not allowed in WHEN NOT MATCHED BY SOURCE (there is no source row)"},
      {"MERGE INTO t USING s ON c WHEN NOT MATCHED THEN INSERT (a, b) VALUES (1)",
       "line 1:63: INSERT names 2 columns but gives 1 values"},
      {"MERGE INTO t USING s ON c WHEN MATCHED UPDATE SET *", "line 1:40: expected THEN, found UPDATE"},
      {"OPTIMIZE t ZORDER (a)", "line 1:19: expected BY, found '('"},
      {"VACUUM t RETAIN 5", "line 1:18: expected HOURS, found end of input"},
      {"VACUUM t RETAIN x HOURS", "line 1:17: expected a number of hours, found x"},
      {"VACUUM t DRY", "line 1:13: expected RUN, found end of input"},
      {"DESCRIBE HISTORY t LIMIT -1", "line 1:26: LIMIT must not be negative"},
      {"RESTORE t TO 5", "line 1:14: expected VERSION AS OF or TIMESTAMP AS OF, found 5"},
      {"ANALYZE TABLE t COMPUTE", "line 1:24: expected STATISTICS, found end of input"},
      {"ANALYZE TABLE t COMPUTE STATISTICS FOR x", "line 1:40: expected COLUMNS or ALL COLUMNS, found x"},
      {"SHOW DATABASES",
       "line 1:6: expected TABLES, VIEWS, SOURCES, COLUMNS, CREATE TABLE or TBLPROPERTIES, found DATABASES"},
      {"SHOW COLUMNS t", "line 1:14: expected IN or FROM, found t"},
      {"SET = 1", "line 1:5: expected a configuration key, found '='"},
      {"USE", "line 1:4: expected a zone name, found end of input"},
  };
  for (const ErrorCase& c : cases) {
    EXPECT_EQ(ParseErrorOf(c.sql), c.message) << "for: " << c.sql;
  }
  EXPECT_GE(std::size(cases), 30u);
}

TEST(ParseErrorTest, ErrorsCarryAnErrorDetail) {
  auto result = ParseStatement("SELECT a\nFROM t\nWHERE (x");
  ASSERT_FALSE(result.ok());
  EXPECT_TRUE(result.status().IsInvalid());
  auto context = GetErrorContext(result.status());
  ASSERT_TRUE(context.has_value());
  EXPECT_EQ(context->line, 3);
  EXPECT_EQ(context->column, 9);
  EXPECT_EQ(result.status().message(), "line 3:9: expected ')', found end of input");
}

TEST(ParseErrorTest, StandaloneExpressionsAndTypes) {
  auto expr = ParseExpression("a = 1;");
  ASSERT_FALSE(expr.ok());
  EXPECT_EQ(expr.status().message(), "line 1:6: expected end of input, found ';'");
  auto type = ParseTypeName("map<string>");
  ASSERT_FALSE(type.ok());
  EXPECT_EQ(type.status().message(), "line 1:11: expected ',', found '>'");
  auto ok = ParseExpression("day >= '2024-01-01' AND region IN ('eu', 'us')");
  EXPECT_TRUE(ok.ok()) << ok.status().ToString();
}

std::string Repeat(std::string_view piece, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += piece;
  return out;
}

bool IsTooDeep(const arrow::Status& status) {
  return status.IsInvalid() && status.message().find(": statement is nested too deeply") != std::string::npos &&
         status.message().rfind("line ", 0) == 0;
}

TEST(ParseErrorTest, DeepNestingIsAnErrorNotACrash) {
  const int kDeep = 5000;
  const std::string deep_inputs[] = {
      "SELECT " + Repeat("(", kDeep) + "1" + Repeat(")", kDeep),
      "SELECT " + Repeat("1 + ", kDeep) + "1",
      "SELECT " + Repeat("NOT ", kDeep) + "x",
      "SELECT " + Repeat("- ", kDeep) + "x",
      "SELECT x" + Repeat("[0]", kDeep),
      "SELECT x" + Repeat("::int", kDeep),
      "SELECT " + Repeat("f(", kDeep) + Repeat(")", kDeep),
      "SELECT " + Repeat("(SELECT ", kDeep) + "1" + Repeat(")", kDeep),
      "SELECT CAST(x AS " + Repeat("array<", kDeep) + "int" + Repeat(">", kDeep) + ")",
      "SELECT 1" + Repeat(" UNION SELECT 1", kDeep),
      "SELECT * FROM t" + Repeat(" JOIN t", kDeep),
      "SELECT * FROM t" + Repeat(", t", kDeep),
      "SELECT * FROM " + Repeat("(", kDeep) + "t" + Repeat(")", kDeep),
      "SELECT " + Repeat("CASE WHEN ", kDeep) + "x",
      Repeat("EXPLAIN ", kDeep) + "SELECT 1",
      // Tall on the left and on the right at once: (1 + 1 + ... ) + 1 + 1 + ...
      "SELECT " + Repeat("(", 600) + Repeat("1 + ", 600) + "1" + Repeat(")", 600) + Repeat(" + 1", 600),
  };
  for (const std::string& sql : deep_inputs) {
    auto result = ParseStatement(sql);
    ASSERT_FALSE(result.ok()) << sql.substr(0, 60);
    EXPECT_TRUE(IsTooDeep(result.status())) << result.status().ToString().substr(0, 200);
  }
  auto deep_type = ParseTypeName(Repeat("array<", kDeep) + "int" + Repeat(">", kDeep));
  ASSERT_FALSE(deep_type.ok());
  EXPECT_TRUE(IsTooDeep(deep_type.status()));
}

#if defined(__linux__)
// The parser measures its stack: on a thread with a small stack, deep nesting is refused
// sooner, but still cleanly.
TEST(ParseErrorTest, SmallThreadStacksAreRespected) {
  struct Job {
    std::string sql;
    arrow::Status status;
  } job{"SELECT " + Repeat("(", 5000) + "1" + Repeat(")", 5000), arrow::Status::OK()};
  pthread_attr_t attr;
  ASSERT_EQ(pthread_attr_init(&attr), 0);
  ASSERT_EQ(pthread_attr_setstacksize(&attr, 512 * 1024), 0);
  pthread_t thread;
  auto run = [](void* arg) -> void* {
    auto* j = static_cast<Job*>(arg);
    j->status = ParseStatement(j->sql).status();
    return nullptr;
  };
  ASSERT_EQ(pthread_create(&thread, &attr, run, &job), 0);
  ASSERT_EQ(pthread_join(thread, nullptr), 0);
  pthread_attr_destroy(&attr);
  EXPECT_TRUE(IsTooDeep(job.status)) << job.status.ToString();
}
#endif

TEST(ParseErrorTest, ModeratelyDeepInputIsFine) {
  const int kFine = 300;
  const std::string inputs[] = {
      "SELECT " + Repeat("(", kFine) + "1" + Repeat(")", kFine),
      "SELECT " + Repeat("1 + ", kFine) + "1",
      "SELECT " + Repeat("(SELECT ", 100) + "1" + Repeat(")", 100),
      "SELECT * FROM t" + Repeat(" JOIN t ON true", kFine),
      "SELECT x" + Repeat("[0]", kFine),
      // Trees close to kMaxSyntaxHeight print and re-parse without trouble.
      "SELECT " + Repeat("1 + ", 990) + "1",
      "SELECT x" + Repeat("::int", 990),
      "SELECT 1" + Repeat(" UNION SELECT 1", 990),
  };
  for (const std::string& sql : inputs) {
    auto result = ParseStatement(sql);
    ASSERT_TRUE(result.ok()) << result.status().ToString().substr(0, 200);
    std::string printed = ToString(**result);
    auto again = ParseStatement(printed);
    ASSERT_TRUE(again.ok()) << again.status().ToString().substr(0, 200);
    EXPECT_EQ(ToString(**again), printed);
  }
  // Many siblings are not depth: a 20000-item IN list, 5000 select items and a 20000-term
  // AND chain (a balanced tree) parse.
  EXPECT_TRUE(ParseStatement("SELECT " + Repeat("a AND ", 20000) + "b").ok());
  std::string in_list = "SELECT a IN (" + Repeat("1, ", 20000) + "1)";
  EXPECT_TRUE(ParseStatement(in_list).ok());
  EXPECT_TRUE(ParseStatement("SELECT " + Repeat("a, ", 5000) + "a FROM t").ok());
}

// Valid statements the fuzz test starts from.
const char* const kFuzzSeeds[] = {
    "SELECT a, b + 1 AS c, t.* FROM zone.t VERSION AS OF 3 AS t(a, b) WHERE a > 1 AND b IS NOT NULL",
    "WITH x AS (SELECT 1 AS a) SELECT a FROM x UNION ALL SELECT 2 INTERSECT SELECT 3 ORDER BY 1 DESC LIMIT 5",
    "SELECT customer_id, COUNT(*) AS n, System.Timestamp() AS w INTO out FROM Input TIMESTAMP BY ts "
    "GROUP BY customer_id, TumblingWindow(minute, 5)",
    "SELECT CASE WHEN a BETWEEN 1 AND 2 THEN 'x' ELSE \"y\" END, CAST(b AS decimal(10, 2)), c::array<int>, "
    "INTERVAL 1 DAY 2 HOURS, DATE '2024-01-01', x'0A', -5L, 1.5e3, d[0].e",
    "SELECT sum(x) FILTER (WHERE y) OVER (PARTITION BY a ORDER BY b ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) "
    "FROM t LEFT SEMI JOIN u USING (k), v NATURAL JOIN w GROUP BY GROUPING SETS ((a), ()) HAVING count(*) > 1",
    "SELECT * FROM read_csv('/x.csv', header => true) r WHERE r.a NOT IN (SELECT a FROM s) AND EXISTS (SELECT 1) "
    "AND name NOT LIKE 'a%' ESCAPE '!' QUALIFY row_number() OVER w = 1 WINDOW w AS (ORDER BY a)",
    "CREATE OR REPLACE TABLE t (a INT NOT NULL COMMENT 'c', b STRUCT<x: STRING>) USING DELTA PARTITIONED BY (a) "
    "LOCATION '/l' TBLPROPERTIES ('k' = 'v', delta.x = true)",
    "CREATE TEMP VIEW v (a) AS SELECT 1 FROM VALUES (1), (2) AS t(x)",
    "MERGE INTO t AS t USING (SELECT * FROM s) s ON t.id = s.id WHEN MATCHED AND s.ts > t.ts THEN UPDATE SET * "
    "WHEN NOT MATCHED THEN INSERT (id, source) VALUES (s.id, 'stream') WHEN NOT MATCHED BY SOURCE THEN DELETE",
    "INSERT OVERWRITE TABLE t PARTITION (d = '2024') (a, b) SELECT a, b FROM s",
    "UPDATE t AS x SET a = a + 1, s.f = 'z' WHERE id = 3",
    "DELETE FROM t WHERE ts < current_timestamp() - INTERVAL '7' DAY",
    "OPTIMIZE t WHERE d > '2024' ZORDER BY (a, b); VACUUM t RETAIN 168 HOURS DRY RUN",
    "DESCRIBE HISTORY delta.`/p` LIMIT 3; RESTORE TABLE t TO VERSION AS OF 1; ANALYZE TABLE t COMPUTE STATISTICS",
    "SHOW TABLES IN refined LIKE 'x*'; SET spark.sql.x = 1; RESET; USE refined; EXPLAIN EXTENDED SELECT 1",
    "ALTER TABLE t ADD COLUMNS (a INT, b MAP<STRING, INT>); ALTER TABLE t SET TBLPROPERTIES ('a' = 'b')",
    "ALTER TABLE t UNSET TBLPROPERTIES IF EXISTS ('a', b.c); ALTER TABLE t RENAME COLUMN s.a TO b",
    "ALTER TABLE t DROP COLUMNS IF EXISTS (a, s.b); SHOW TBLPROPERTIES t ('k'); DESCRIBE EXTENDED t s.a",
    "SELECT 'it''s', `we``ird`, a <=> b, ~c | d ^ e & f, g || h, i DIV 2 -- comment\n /* block */",
};

// Parses `sql` as a script; it must either succeed or fail with a positioned Invalid error,
// and what succeeds must print to a fixed point. Counts the outcomes in `ok` / `failed`.
void CheckNoCrash(const std::string& sql, int* ok, int* failed) {
  auto result = ParseScript(sql);
  ++*(result.ok() ? ok : failed);
  if (!result.ok()) {
    ASSERT_TRUE(result.status().IsInvalid()) << result.status().ToString();
    ASSERT_EQ(result.status().message().rfind("line ", 0), 0u) << result.status().ToString();
    return;
  }
  for (const ParsedStatement& parsed : *result) {
    std::string printed = ToString(*parsed.statement);
    auto again = ParseStatement(printed);
    ASSERT_TRUE(again.ok()) << "printed: " << printed << "\n  error: " << again.status().ToString()
                            << "\n  from: " << sql;
    ASSERT_EQ(ToString(**again), printed) << "from: " << sql;
  }
}

TEST(ParseFuzzTest, TruncationsAndMutationsNeverCrash) {
  std::mt19937 rng(20240131);
  const std::string kAlphabet = "()[],;.:'\"`*=<>!-+/%|&^~ \n0123456789aeSELECTFROMWHEREAND";
  for (const char* seed : kFuzzSeeds) {
    const std::string base(seed);
    int ok = 0;
    int failed = 0;
    CheckNoCrash(base, &ok, &failed);
    ASSERT_EQ(ok, 1) << "the seed must parse: " << base << "\n  " << ParseScript(base).status().ToString();
    for (size_t n = 0; n <= base.size(); ++n) CheckNoCrash(base.substr(0, n), &ok, &failed);
    for (int round = 0; round < 300; ++round) {
      std::string mutated = base;
      const int edits = 1 + static_cast<int>(rng() % 3);
      for (int e = 0; e < edits && !mutated.empty(); ++e) {
        const size_t at = rng() % mutated.size();
        switch (rng() % 5) {
          case 0: mutated[at] = static_cast<char>(rng() % 256); break;                // random byte
          case 1: mutated[at] = kAlphabet[rng() % kAlphabet.size()]; break;           // SQL-ish byte
          case 2: mutated.erase(at, 1 + rng() % 8); break;                            // delete a run
          case 3: mutated.insert(at, 1, kAlphabet[rng() % kAlphabet.size()]); break;  // insert
          case 4: {                                                                   // duplicate a run
            const size_t len = std::min<size_t>(1 + rng() % 20, mutated.size() - at);
            mutated.insert(rng() % mutated.size(), mutated.substr(at, len));
            break;
          }
        }
      }
      CheckNoCrash(mutated, &ok, &failed);
      if (::testing::Test::HasFatalFailure()) return;
    }
    // Both outcomes happen, so the printing property is exercised too.
    EXPECT_GT(ok, 10) << base;
    EXPECT_GT(failed, 100) << base;
  }
}

}  // namespace
}  // namespace tidelake::sql
