// Statements: DDL, DML (MERGE in all its forms), Delta utilities, session commands, scripts.
#include <gtest/gtest.h>

#include "sql/parser_test_util.h"

namespace tidelake::sql {
namespace {

using testing::Canonical;
using testing::MustParse;

TEST(ParseStatementTest, SeedViewVerbatim) {
  const char* sql = R"(-- Create materialized views combining batch and stream
CREATE OR REPLACE VIEW unified_transactions AS
SELECT
t.*,
'batch' as source_layer
FROM delta.`/mnt/datalake/refined/batch/transactions` t
WHERE processing_timestamp < date_sub(current_timestamp(), 1)
UNION ALL
SELECT
t.*,
'stream' as source_layer
FROM delta.`/mnt/datalake/refined/stream/transactions` t
WHERE processing_timestamp >= date_sub(current_timestamp(), 1);)";
  StatementPtr statement = MustParse(sql);
  ASSERT_TRUE(statement);
  ASSERT_EQ(statement->kind, StatementKind::kCreateView);
  const auto& view = statement->As<CreateViewStatement>();
  EXPECT_TRUE(view.or_replace);
  EXPECT_FALSE(view.temporary);
  EXPECT_EQ(view.name.parts, std::vector<std::string>{"unified_transactions"});
  EXPECT_EQ(view.pos.line, 2u);
  const auto& union_all = view.query->body->As<SetOperationBody>();
  EXPECT_TRUE(union_all.all);
  const auto& batch = union_all.left->As<SelectBody>();
  EXPECT_EQ(batch.items[0].expr->As<StarExpr>().qualifier, std::vector<std::string>{"t"});
  EXPECT_EQ(batch.items[1].alias, "source_layer");
  const auto& table = batch.from->As<TableRelation>();
  EXPECT_EQ(table.name.parts, (std::vector<std::string>{"delta", "/mnt/datalake/refined/batch/transactions"}));
  EXPECT_EQ(table.alias, "t");
  EXPECT_EQ(view.query_text.substr(0, 6), "SELECT");
  EXPECT_EQ(view.query_text.substr(view.query_text.size() - 32), "date_sub(current_timestamp(), 1)");
  EXPECT_EQ(Canonical(sql),
            "CREATE OR REPLACE VIEW unified_transactions AS SELECT t.*, 'batch' AS source_layer FROM "
            "delta.`/mnt/datalake/refined/batch/transactions` AS t WHERE processing_timestamp < "
            "date_sub(current_timestamp(), 1) UNION ALL SELECT t.*, 'stream' AS source_layer FROM "
            "delta.`/mnt/datalake/refined/stream/transactions` AS t WHERE processing_timestamp >= "
            "date_sub(current_timestamp(), 1)");
}

TEST(ParseStatementTest, SeedAnalyzeVerbatim) {
  const char* sql = "ANALYZE TABLE delta.`/mnt/datalake/refined/batch/transactions` COMPUTE STATISTICS;";
  StatementPtr statement = MustParse(sql);
  ASSERT_TRUE(statement);
  const auto& analyze = statement->As<AnalyzeStatement>();
  EXPECT_EQ(analyze.mode, AnalyzeMode::kStatistics);
  EXPECT_EQ(analyze.table.parts[1], "/mnt/datalake/refined/batch/transactions");
  EXPECT_EQ(Canonical(sql), "ANALYZE TABLE delta.`/mnt/datalake/refined/batch/transactions` COMPUTE STATISTICS");
  EXPECT_EQ(Canonical("analyze table t compute statistics noscan"), "ANALYZE TABLE t COMPUTE STATISTICS NOSCAN");
  EXPECT_EQ(Canonical("analyze table t compute statistics for columns a, b"),
            "ANALYZE TABLE t COMPUTE STATISTICS FOR COLUMNS a, b");
  EXPECT_EQ(Canonical("analyze table t compute statistics for all columns"),
            "ANALYZE TABLE t COMPUTE STATISTICS FOR ALL COLUMNS");
}

TEST(ParseStatementTest, Explain) {
  StatementPtr statement = MustParse("EXPLAIN EXTENDED SELECT 1");
  ASSERT_TRUE(statement);
  EXPECT_EQ(statement->As<ExplainStatement>().mode, ExplainMode::kExtended);
  EXPECT_EQ(statement->As<ExplainStatement>().statement->kind, StatementKind::kQuery);
  EXPECT_EQ(Canonical("explain select 1"), "EXPLAIN SELECT 1");
  EXPECT_EQ(Canonical("explain formatted delete from t"), "EXPLAIN FORMATTED DELETE FROM t");
}

TEST(ParseStatementTest, CreateTable) {
  const char* sql =
      "CREATE TABLE IF NOT EXISTS refined.transactions (\n"
      "  id BIGINT NOT NULL COMMENT 'key',\n"
      "  amount DECIMAL(18, 2),\n"
      "  tags ARRAY<STRING>,\n"
      "  `date` DATE\n"
      ") USING DELTA PARTITIONED BY (date) LOCATION '/lake/refined/transactions' COMMENT 'money'\n"
      "TBLPROPERTIES ('delta.enableChangeDataFeed' = 'true', delta.appendOnly = false, 'x' 10)";
  StatementPtr statement = MustParse(sql);
  ASSERT_TRUE(statement);
  const auto& create = statement->As<CreateTableStatement>();
  EXPECT_TRUE(create.if_not_exists);
  EXPECT_FALSE(create.or_replace);
  EXPECT_EQ(create.name.parts, (std::vector<std::string>{"refined", "transactions"}));
  ASSERT_EQ(create.columns.size(), 4u);
  EXPECT_EQ(create.columns[0].name, "id");
  EXPECT_TRUE(create.columns[0].not_null);
  EXPECT_EQ(create.columns[0].comment, std::optional<std::string>("key"));
  EXPECT_EQ(create.columns[0].pos.line, 2u);
  EXPECT_EQ(create.columns[1].type->kind, TypeKind::kDecimal);
  EXPECT_EQ(create.columns[3].name, "date");
  EXPECT_EQ(create.using_format, std::optional<std::string>("DELTA"));
  EXPECT_EQ(create.partitioned_by, std::vector<std::string>{"date"});
  EXPECT_EQ(create.location, std::optional<std::string>("/lake/refined/transactions"));
  ASSERT_EQ(create.properties.size(), 3u);
  EXPECT_EQ(create.properties[1].key, "delta.appendOnly");
  EXPECT_EQ(create.properties[1].value, "false");
  EXPECT_EQ(create.properties[2].value, "10");
  EXPECT_EQ(Canonical(sql),
            "CREATE TABLE IF NOT EXISTS refined.transactions (id BIGINT NOT NULL COMMENT 'key', amount "
            "DECIMAL(18, 2), tags ARRAY<STRING>, date DATE) USING DELTA PARTITIONED BY (date) LOCATION "
            "'/lake/refined/transactions' COMMENT 'money' TBLPROPERTIES ('delta.enableChangeDataFeed' = 'true', "
            "'delta.appendOnly' = 'false', 'x' = '10')");
  EXPECT_EQ(Canonical("create or replace table t using parquet location '/x' as select * from u"),
            "CREATE OR REPLACE TABLE t USING parquet LOCATION '/x' AS SELECT * FROM u");
  EXPECT_EQ(Canonical("CREATE TABLE t (a INT) COMMENT 'c' USING delta"), "CREATE TABLE t (a INT) USING delta COMMENT 'c'");
  EXPECT_EQ(Canonical("CREATE TABLE t AS (SELECT 1 AS a)"), "CREATE TABLE t AS SELECT 1 AS a");
}

TEST(ParseStatementTest, ConnectorTable) {
  // Flink's form, as NEXMark writes it: keys and values quoted, or not (as CREATE SOURCE takes them).
  const char* sql =
      "CREATE TABLE IF NOT EXISTS nexmark_q0 (\n"
      "  auction BIGINT, bidder BIGINT NOT NULL, price BIGINT, `dateTime` TIMESTAMP, extra STRING\n"
      ") WITH (\n"
      "  'connector' = 'blackhole', sink.parallelism = 2\n"
      ")";
  StatementPtr statement = MustParse(sql);
  ASSERT_TRUE(statement);
  ASSERT_EQ(statement->kind, StatementKind::kCreateTable);
  const auto& create = statement->As<CreateTableStatement>();
  EXPECT_TRUE(create.if_not_exists);
  EXPECT_FALSE(create.streaming);
  EXPECT_EQ(create.name.parts, std::vector<std::string>{"nexmark_q0"});
  ASSERT_EQ(create.columns.size(), 5u);
  EXPECT_TRUE(create.columns[1].not_null);
  ASSERT_TRUE(create.with_pos);
  EXPECT_EQ(create.with_pos->line, 3u);
  EXPECT_EQ(create.with_pos->column, 3u);
  ASSERT_EQ(create.with_options.size(), 2u);
  EXPECT_EQ(create.with_options[0].key, "connector");
  EXPECT_EQ(create.with_options[0].value, "blackhole");
  EXPECT_EQ(create.with_options[1].key, "sink.parallelism");
  EXPECT_EQ(create.with_options[1].value, "2");
  EXPECT_EQ(create.with_options[1].pos.line, 4u);
  EXPECT_EQ(create.with_options[1].pos.column, 30u);
  EXPECT_FALSE(create.using_format);
  EXPECT_FALSE(create.as_query);
  EXPECT_EQ(Canonical(sql),
            "CREATE TABLE IF NOT EXISTS nexmark_q0 (auction BIGINT, bidder BIGINT NOT NULL, price BIGINT, dateTime "
            "TIMESTAMP, extra STRING) WITH ('connector' = 'blackhole', 'sink.parallelism' = '2')");
  EXPECT_EQ(Canonical("create table raw.b (a int) with (connector 'blackhole')"),
            "CREATE TABLE raw.b (a INT) WITH ('connector' = 'blackhole')");
  // A plain CREATE TABLE has no WITH.
  StatementPtr plain = MustParse("CREATE TABLE t (a INT) USING delta");
  ASSERT_TRUE(plain);
  EXPECT_FALSE(plain->As<CreateTableStatement>().with_pos);
  EXPECT_TRUE(plain->As<CreateTableStatement>().with_options.empty());
}

TEST(ParseStatementTest, CreateViewDropAlter) {
  StatementPtr view = MustParse("create temp view v (a, b) as select 1, 2");
  ASSERT_TRUE(view);
  EXPECT_TRUE(view->As<CreateViewStatement>().temporary);
  EXPECT_EQ(view->As<CreateViewStatement>().columns, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(view->As<CreateViewStatement>().query_text, "select 1, 2");
  EXPECT_EQ(Canonical("create temporary view if not exists v as select 1"),
            "CREATE TEMPORARY VIEW IF NOT EXISTS v AS SELECT 1");
  EXPECT_EQ(Canonical("drop table if exists zone.t"), "DROP TABLE IF EXISTS zone.t");
  EXPECT_EQ(Canonical("DROP VIEW v"), "DROP VIEW v");

  StatementPtr alter = MustParse("ALTER TABLE t ADD COLUMNS (a INT COMMENT 'x', b STRING)");
  ASSERT_TRUE(alter);
  EXPECT_EQ(alter->As<AlterTableStatement>().action, AlterTableAction::kAddColumns);
  EXPECT_EQ(alter->As<AlterTableStatement>().columns.size(), 2u);
  EXPECT_EQ(Canonical("ALTER TABLE t ADD COLUMNS (a INT COMMENT 'x', b STRING)"),
            "ALTER TABLE t ADD COLUMNS (a INT COMMENT 'x', b STRING)");
  EXPECT_EQ(Canonical("alter table t add column c double"), "ALTER TABLE t ADD COLUMNS (c DOUBLE)");
  EXPECT_EQ(Canonical("alter table t add columns c double, d date"), "ALTER TABLE t ADD COLUMNS (c DOUBLE, d DATE)");
  EXPECT_EQ(Canonical("alter table t set tblproperties ('delta.logRetentionDuration' = 'interval 30 days')"),
            "ALTER TABLE t SET TBLPROPERTIES ('delta.logRetentionDuration' = 'interval 30 days')");
  EXPECT_EQ(Canonical("alter table t unset tblproperties (a.b, 'c')"), "ALTER TABLE t UNSET TBLPROPERTIES ('a.b', 'c')");
  EXPECT_EQ(Canonical("alter table t unset tblproperties if exists ('c')"),
            "ALTER TABLE t UNSET TBLPROPERTIES IF EXISTS ('c')");
  StatementPtr rename = MustParse("ALTER TABLE t RENAME COLUMN info.`e mail` TO mail");
  ASSERT_TRUE(rename);
  const auto& r = rename->As<AlterTableStatement>();
  EXPECT_EQ(r.action, AlterTableAction::kRenameColumn);
  EXPECT_EQ(r.targets.at(0).parts, (std::vector<std::string>{"info", "e mail"}));
  EXPECT_EQ(r.targets.at(0).pos.column, 29u);
  EXPECT_EQ(r.new_name, "mail");
  EXPECT_EQ(Canonical("alter table t rename column info.`e mail` to mail"),
            "ALTER TABLE t RENAME COLUMN info.`e mail` TO mail");
  EXPECT_EQ(Canonical("alter table t drop column a"), "ALTER TABLE t DROP COLUMNS (a)");
  EXPECT_EQ(Canonical("alter table t drop columns if exists (a, s.b)"), "ALTER TABLE t DROP COLUMNS IF EXISTS (a, s.b)");
  EXPECT_EQ(Canonical("show tblproperties t"), "SHOW TBLPROPERTIES t");
  EXPECT_EQ(Canonical("show tblproperties delta.`/p` (delta.appendOnly)"),
            "SHOW TBLPROPERTIES delta.`/p` ('delta.appendOnly')");
  EXPECT_EQ(Canonical("describe t a.b"), "DESCRIBE TABLE t a.b");
  EXPECT_EQ(Canonical("desc extended t a"), "DESCRIBE TABLE EXTENDED t a");
  EXPECT_EQ(Canonical("describe history"), "DESCRIBE TABLE history");
}

TEST(ParseStatementTest, StreamingTables) {
  EXPECT_EQ(Canonical("create streaming table refined.c as select * from stream(raw.t) where x > 1"),
            "CREATE STREAMING TABLE refined.c AS SELECT * FROM STREAM(raw.t) WHERE x > 1");
  EXPECT_EQ(Canonical("create or refresh streaming table c as select a from stream raw.t s join d on s.a = d.a"),
            "CREATE OR REFRESH STREAMING TABLE c AS SELECT a FROM STREAM(raw.t) AS s INNER JOIN d ON s.a = d.a");
  EXPECT_EQ(Canonical("refresh streaming table refined.c"), "REFRESH STREAMING TABLE refined.c");
  // A table named stream is quoted; unquoted, `stream` followed by an alias-like word is a stream.
  EXPECT_EQ(Canonical("select * from `stream` s"), "SELECT * FROM stream AS s");
  StatementPtr select = MustParse("SELECT * FROM STREAM(raw.t) AS s");
  ASSERT_TRUE(select);
  const auto& from = *select->As<QueryStatement>().query->body->As<SelectBody>().from;
  EXPECT_TRUE(from.As<TableRelation>().streaming);
  EXPECT_EQ(from.alias, "s");
}

TEST(ParseStatementTest, Sources) {
  const char* sql =
      "CREATE SOURCE IF NOT EXISTS raw.events (id BIGINT NOT NULL, ts TIMESTAMP,\n"
      "  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND, kind STRING COMMENT 'what happened')\n"
      "WITH (connector = 'kafka', topic = 'events', 'properties.bootstrap.servers' = 'host:9092',\n"
      "  format = 'json', scan.startup.mode = 'earliest-offset', maxOffsetsPerTrigger = 100)";
  StatementPtr statement = MustParse(sql);
  ASSERT_TRUE(statement);
  ASSERT_EQ(statement->kind, StatementKind::kCreateSource);
  const auto& create = statement->As<CreateSourceStatement>();
  EXPECT_TRUE(create.if_not_exists);
  EXPECT_EQ(create.name.parts, (std::vector<std::string>{"raw", "events"}));
  ASSERT_EQ(create.columns.size(), 3u);
  EXPECT_EQ(create.columns[2].name, "kind");
  EXPECT_TRUE(create.columns[0].not_null);
  ASSERT_TRUE(create.watermark);
  EXPECT_EQ(create.watermark->column, "ts");
  EXPECT_EQ(create.watermark->pos.line, 2u);
  EXPECT_EQ(create.watermark->pos.column, 3u);
  EXPECT_EQ(create.watermark->expr->As<BinaryExpr>().op, BinaryOp::kSubtract);
  ASSERT_EQ(create.options.size(), 6u);
  EXPECT_EQ(create.options[2].key, "properties.bootstrap.servers");
  EXPECT_EQ(create.options[4].key, "scan.startup.mode");
  EXPECT_EQ(create.options[5].value, "100");
  EXPECT_EQ(create.options[1].pos.line, 3u);
  EXPECT_EQ(create.options[1].pos.column, 28u);
  EXPECT_EQ(create.options_pos.line, 3u);
  EXPECT_EQ(create.options_pos.column, 1u);
  EXPECT_EQ(Canonical(sql),
            "CREATE SOURCE IF NOT EXISTS raw.events (id BIGINT NOT NULL, ts TIMESTAMP, kind STRING COMMENT 'what "
            "happened', WATERMARK FOR ts AS ts - INTERVAL '5' SECOND) WITH ('connector' = 'kafka', 'topic' = 'events', "
            "'properties.bootstrap.servers' = 'host:9092', 'format' = 'json', 'scan.startup.mode' = 'earliest-offset', "
            "'maxOffsetsPerTrigger' = '100')");
  // Spark's option names, and a column that is called watermark.
  EXPECT_EQ(Canonical("create source s (watermark bigint) with (connector 'kafka', subscribe 'a', "
                      "kafka.bootstrap.servers 'h:1', startingOffsets 'latest')"),
            "CREATE SOURCE s (watermark BIGINT) WITH ('connector' = 'kafka', 'subscribe' = 'a', "
            "'kafka.bootstrap.servers' = 'h:1', 'startingOffsets' = 'latest')");
  EXPECT_EQ(Canonical("drop source if exists raw.events"), "DROP SOURCE IF EXISTS raw.events");
  EXPECT_EQ(Canonical("drop source e"), "DROP SOURCE e");
  EXPECT_EQ(Canonical("show sources"), "SHOW SOURCES");
  EXPECT_EQ(Canonical("show sources in raw like 'e*'"), "SHOW SOURCES IN raw LIKE 'e*'");
  EXPECT_EQ(Canonical("describe source raw.events"), "DESCRIBE SOURCE raw.events");
  // A table called source is still described as a table.
  StatementPtr table = MustParse("DESCRIBE source");
  ASSERT_TRUE(table);
  EXPECT_EQ(table->As<DescribeStatement>().what, DescribeKind::kTable);
  EXPECT_EQ(table->As<DescribeStatement>().table.parts, std::vector<std::string>{"source"});
}

TEST(ParseStatementTest, InsertDeleteUpdate) {
  StatementPtr insert = MustParse("INSERT INTO TABLE t (a, b) VALUES (1, 'x'), (2, 'y')");
  ASSERT_TRUE(insert);
  const auto& i = insert->As<InsertStatement>();
  EXPECT_FALSE(i.overwrite);
  EXPECT_EQ(i.columns, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(i.query->body->As<ValuesBody>().rows.size(), 2u);
  EXPECT_EQ(Canonical("INSERT INTO TABLE t (a, b) VALUES (1, 'x'), (2, 'y')"),
            "INSERT INTO t (a, b) VALUES (1, 'x'), (2, 'y')");
  EXPECT_EQ(Canonical("insert overwrite t partition (day = '2024-01-01', region) select * from s"),
            "INSERT OVERWRITE t PARTITION (day = '2024-01-01', region) SELECT * FROM s");
  EXPECT_EQ(Canonical("insert into t replace where day >= '2024-01-01' select * from s"),
            "INSERT INTO t REPLACE WHERE day >= '2024-01-01' SELECT * FROM s");
  EXPECT_EQ(Canonical("insert into t (select 1)"), "INSERT INTO t SELECT 1");
  EXPECT_EQ(Canonical("insert into t with c as (select 1) select * from c"),
            "INSERT INTO t WITH c AS (SELECT 1) SELECT * FROM c");

  StatementPtr del = MustParse("DELETE FROM events e WHERE e.ts < '2024-01-01'");
  ASSERT_TRUE(del);
  EXPECT_EQ(del->As<DeleteStatement>().alias, "e");
  EXPECT_EQ(Canonical("DELETE FROM events e WHERE e.ts < '2024-01-01'"),
            "DELETE FROM events AS e WHERE e.ts < '2024-01-01'");
  EXPECT_EQ(Canonical("delete from t"), "DELETE FROM t");

  StatementPtr update = MustParse("UPDATE t u SET a = a + 1, s.field = 'x' WHERE id = 3");
  ASSERT_TRUE(update);
  const auto& u = update->As<UpdateStatement>();
  EXPECT_EQ(u.alias, "u");
  ASSERT_EQ(u.assignments.size(), 2u);
  EXPECT_EQ(u.assignments[1].column, (std::vector<std::string>{"s", "field"}));
  EXPECT_EQ(Canonical("UPDATE t u SET a = a + 1, s.field = 'x' WHERE id = 3"),
            "UPDATE t AS u SET a = a + 1, s.field = 'x' WHERE id = 3");
  EXPECT_EQ(Canonical("update t set value = null"), "UPDATE t SET value = NULL");
}

TEST(ParseStatementTest, MergeForms) {
  const char* sql =
      "MERGE INTO refined.transactions AS t USING updates s ON t.id = s.id\n"
      "WHEN MATCHED AND s.ts > t.ts THEN UPDATE SET *\n"
      "WHEN MATCHED THEN UPDATE SET *\n"
      "WHEN NOT MATCHED THEN INSERT (id, source) VALUES (s.id, 'stream')";
  StatementPtr statement = MustParse(sql);
  ASSERT_TRUE(statement);
  const auto& merge = statement->As<MergeStatement>();
  EXPECT_EQ(merge.target.parts, (std::vector<std::string>{"refined", "transactions"}));
  EXPECT_EQ(merge.target_alias, "t");
  EXPECT_EQ(merge.source->As<TableRelation>().alias, "s");
  ASSERT_EQ(merge.clauses.size(), 3u);
  EXPECT_EQ(merge.clauses[0].match, MergeMatch::kMatched);
  ASSERT_TRUE(merge.clauses[0].condition);
  EXPECT_EQ(merge.clauses[0].action, MergeAction::kUpdateAll);
  EXPECT_EQ(merge.clauses[0].pos.line, 2u);
  EXPECT_FALSE(merge.clauses[1].condition);
  EXPECT_EQ(merge.clauses[2].match, MergeMatch::kNotMatchedByTarget);
  EXPECT_EQ(merge.clauses[2].action, MergeAction::kInsert);
  ASSERT_EQ(merge.clauses[2].insert_columns.size(), 2u);
  EXPECT_EQ(merge.clauses[2].insert_columns[1], std::vector<std::string>{"source"});
  EXPECT_EQ(merge.clauses[2].insert_values[1]->As<LiteralExpr>().text, "stream");
  EXPECT_EQ(Canonical(sql),
            "MERGE INTO refined.transactions AS t USING updates AS s ON t.id = s.id WHEN MATCHED AND s.ts > t.ts "
            "THEN UPDATE SET * WHEN MATCHED THEN UPDATE SET * WHEN NOT MATCHED THEN INSERT (id, source) VALUES "
            "(s.id, 'stream')");

  const char* full =
      "merge into t using (select * from s where s.ok) src on t.k = src.k "
      "when not matched by source and t.old then delete "
      "when matched and src.deleted then delete "
      "when matched then update set t.v = src.v, t.n = t.n + 1 "
      "when not matched by target then insert * "
      "when not matched by source then update set t.stale = true";
  StatementPtr all = MustParse(full);
  ASSERT_TRUE(all);
  const auto& m = all->As<MergeStatement>();
  EXPECT_EQ(m.source->kind, RelationKind::kSubquery);
  EXPECT_EQ(m.source->alias, "src");
  ASSERT_EQ(m.clauses.size(), 5u);
  EXPECT_EQ(m.clauses[0].match, MergeMatch::kNotMatchedBySource);
  EXPECT_EQ(m.clauses[0].action, MergeAction::kDelete);
  EXPECT_EQ(m.clauses[2].action, MergeAction::kUpdate);
  EXPECT_EQ(m.clauses[2].assignments[0].column, (std::vector<std::string>{"t", "v"}));
  EXPECT_EQ(m.clauses[3].action, MergeAction::kInsertAll);
  EXPECT_EQ(m.clauses[4].action, MergeAction::kUpdate);
  EXPECT_EQ(Canonical(full),
            "MERGE INTO t USING (SELECT * FROM s WHERE s.ok) AS src ON t.k = src.k WHEN NOT MATCHED BY SOURCE AND "
            "t.old THEN DELETE WHEN MATCHED AND src.deleted THEN DELETE WHEN MATCHED THEN UPDATE SET t.v = src.v, "
            "t.n = t.n + 1 WHEN NOT MATCHED THEN INSERT * WHEN NOT MATCHED BY SOURCE THEN UPDATE SET t.stale = TRUE");
  EXPECT_EQ(Canonical("MERGE INTO delta.`/lake/t` USING delta.`/lake/s` ON true WHEN NOT MATCHED THEN INSERT *"),
            "MERGE INTO delta.`/lake/t` USING delta.`/lake/s` ON TRUE WHEN NOT MATCHED THEN INSERT *");
}

TEST(ParseStatementTest, DeltaUtilities) {
  StatementPtr optimize = MustParse("OPTIMIZE events WHERE day >= '2024-01-01' ZORDER BY (customer_id, ts)");
  ASSERT_TRUE(optimize);
  EXPECT_EQ(optimize->As<OptimizeStatement>().zorder_by.size(), 2u);
  ASSERT_TRUE(optimize->As<OptimizeStatement>().where);
  EXPECT_EQ(Canonical("optimize events zorder by customer_id, ts"), "OPTIMIZE events ZORDER BY (customer_id, ts)");
  EXPECT_EQ(Canonical("OPTIMIZE '/lake/events'"), "OPTIMIZE delta.`/lake/events`");

  StatementPtr vacuum = MustParse("VACUUM events RETAIN 168 HOURS DRY RUN");
  ASSERT_TRUE(vacuum);
  EXPECT_EQ(vacuum->As<VacuumStatement>().retain_hours, std::optional<double>(168));
  EXPECT_TRUE(vacuum->As<VacuumStatement>().dry_run);
  EXPECT_EQ(Canonical("VACUUM events RETAIN 168 HOURS DRY RUN"), "VACUUM events RETAIN 168 HOURS DRY RUN");
  EXPECT_EQ(Canonical("vacuum delta.`/lake/x` retain 0.5 hours"), "VACUUM delta.`/lake/x` RETAIN 0.5 HOURS");
  EXPECT_EQ(Canonical("vacuum '/lake/x'"), "VACUUM delta.`/lake/x`");

  EXPECT_EQ(Canonical("describe t"), "DESCRIBE TABLE t");
  EXPECT_EQ(Canonical("DESC TABLE EXTENDED zone.t"), "DESCRIBE TABLE EXTENDED zone.t");
  EXPECT_EQ(Canonical("describe formatted t"), "DESCRIBE TABLE EXTENDED t");
  StatementPtr history = MustParse("DESCRIBE HISTORY events LIMIT 5");
  ASSERT_TRUE(history);
  EXPECT_EQ(history->As<DescribeStatement>().what, DescribeKind::kHistory);
  EXPECT_EQ(history->As<DescribeStatement>().limit, std::optional<int64_t>(5));
  EXPECT_EQ(Canonical("DESCRIBE HISTORY events LIMIT 5"), "DESCRIBE HISTORY events LIMIT 5");
  EXPECT_EQ(Canonical("describe history '/lake/t'"), "DESCRIBE HISTORY delta.`/lake/t`");
  EXPECT_EQ(Canonical("describe detail delta.`/lake/t`"), "DESCRIBE DETAIL delta.`/lake/t`");
  EXPECT_EQ(Canonical("describe history"), "DESCRIBE TABLE history");  // a table named history

  StatementPtr restore = MustParse("RESTORE TABLE t TO VERSION AS OF 3");
  ASSERT_TRUE(restore);
  EXPECT_EQ(restore->As<RestoreStatement>().target.kind, TimeTravelKind::kVersion);
  EXPECT_EQ(Canonical("restore t to timestamp as of '2024-01-01 00:00:00'"),
            "RESTORE TABLE t TO TIMESTAMP AS OF '2024-01-01 00:00:00'");
}

TEST(ParseStatementTest, ShowSetResetUse) {
  EXPECT_EQ(Canonical("show tables"), "SHOW TABLES");
  EXPECT_EQ(Canonical("SHOW TABLES IN refined LIKE 'trans*'"), "SHOW TABLES IN refined LIKE 'trans*'");
  EXPECT_EQ(Canonical("show views from curated"), "SHOW VIEWS IN curated");
  EXPECT_EQ(Canonical("show columns in t"), "SHOW COLUMNS IN t");
  EXPECT_EQ(Canonical("show columns from t in refined"), "SHOW COLUMNS IN refined.t");
  EXPECT_EQ(Canonical("show create table refined.t"), "SHOW CREATE TABLE refined.t");

  StatementPtr set = MustParse("SET spark.databricks.delta.schema.autoMerge.enabled = true");
  ASSERT_TRUE(set);
  EXPECT_EQ(set->As<SetStatement>().key, "spark.databricks.delta.schema.autoMerge.enabled");
  EXPECT_EQ(set->As<SetStatement>().value, std::optional<std::string>("true"));
  StatementPtr raw = MustParse("SET spark.sql.session.timeZone =  America/Los_Angeles -- comment\n ;");
  ASSERT_TRUE(raw);
  EXPECT_EQ(raw->As<SetStatement>().value, std::optional<std::string>("America/Los_Angeles"));
  StatementPtr show_one = MustParse("set spark.sql.shuffle.partitions");
  ASSERT_TRUE(show_one);
  EXPECT_FALSE(show_one->As<SetStatement>().value);
  EXPECT_EQ(Canonical("SET"), "SET");
  EXPECT_EQ(Canonical("set a.b = 'x y'"), "SET a.b = 'x y'");
  EXPECT_EQ(Canonical("set `a key` = 1"), "SET a key = 1");
  EXPECT_EQ(Canonical("reset"), "RESET");
  EXPECT_EQ(Canonical("reset spark.sql.shuffle.partitions"), "RESET spark.sql.shuffle.partitions");
  EXPECT_EQ(Canonical("use refined"), "USE refined");
}

TEST(ParseStatementTest, Scripts) {
  const char* script =
      "-- setup\n"
      "SET a.b = 1;;\n"
      "CREATE TABLE t (x INT); /* two */ INSERT INTO t VALUES (1);\n"
      "SELECT ';' AS semi FROM t  -- no trailing semicolon\n";
  auto parsed = ParseScript(script);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  ASSERT_EQ(parsed->size(), 4u);
  EXPECT_EQ((*parsed)[0].statement->kind, StatementKind::kSet);
  EXPECT_EQ((*parsed)[0].text, "SET a.b = 1");
  EXPECT_EQ((*parsed)[0].begin.line, 2u);
  EXPECT_EQ((*parsed)[1].text, "CREATE TABLE t (x INT)");
  EXPECT_EQ((*parsed)[2].text, "INSERT INTO t VALUES (1)");
  EXPECT_EQ((*parsed)[2].begin.line, 3u);
  EXPECT_EQ((*parsed)[2].begin.column, 35u);
  EXPECT_EQ((*parsed)[3].text, "SELECT ';' AS semi FROM t");
  EXPECT_EQ(std::string_view(script).substr((*parsed)[3].begin.offset,
                                            (*parsed)[3].end_offset - (*parsed)[3].begin.offset),
            "SELECT ';' AS semi FROM t");

  auto empty = ParseScript(" ;; -- nothing\n");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());

  // Errors are positioned within the whole script.
  auto bad = ParseScript("SELECT 1;\nSELECT 2;\nSELECT FROM t;");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "line 3:8: expected an expression, found FROM");
  auto missing = ParseScript("SELECT 1 SELECT 2");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().message(), "line 1:10: expected ';' or end of input, found SELECT");

  auto pieces = SplitStatements("select 'a;b'; /* ; */ drop table t -- ;\n; bogus (((");
  ASSERT_TRUE(pieces.ok());
  ASSERT_EQ(pieces->size(), 3u);
  EXPECT_EQ((*pieces)[0].text, "select 'a;b'");
  EXPECT_EQ((*pieces)[1].text, "drop table t");
  EXPECT_EQ((*pieces)[2].text, "bogus (((");
  EXPECT_FALSE(SplitStatements("select 'unterminated; select 1").ok());
}

}  // namespace
}  // namespace tidelake::sql
