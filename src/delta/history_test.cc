#include "delta/history.h"

#include <arrow/api.h>
#include <arrow/compute/api.h>
#include <arrow/filesystem/localfs.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include "delta/delete.h"
#include "delta/table.h"

namespace tidelake::delta {
namespace {

namespace cp = arrow::compute;

const std::string kDeltaData = std::string(TIDELAKE_TESTDATA_DIR) + "/delta";

TableLocation CorpusTable(const std::string& name) {
  return TableLocation{std::make_shared<arrow::fs::LocalFileSystem>(), kDeltaData + "/" + name, name};
}

TEST(HistoryTest, SparkTableWithRestore) {
  auto location = CorpusTable("spark-golden/basic-with-inserts-overwrite-restore");
  auto history = History(location);
  ASSERT_TRUE(history.ok()) << history.status().ToString();
  ASSERT_EQ(history->size(), 4u);
  const auto& restore = (*history)[0];
  EXPECT_EQ(restore.version, 3);
  EXPECT_EQ(restore.timestamp_ms, 1697588691204);
  EXPECT_EQ(restore.operation, "RESTORE");
  // Spark writes these two parameters as a JSON number and null, not as strings.
  EXPECT_EQ(restore.operation_parameters.at("version"), "1");
  EXPECT_EQ(restore.operation_parameters.at("timestamp"), "null");
  EXPECT_EQ(restore.operation_metrics.at("numRestoredFiles"), "4");
  EXPECT_EQ(restore.operation_metrics.at("tableSizeAfterRestore"), "2834");
  EXPECT_EQ(restore.read_version, 2);
  EXPECT_EQ(restore.isolation_level, "Serializable");
  EXPECT_EQ(restore.is_blind_append, false);
  EXPECT_EQ(restore.engine_info, "Apache-Spark/3.5.0 Delta-Lake/3.0.0-SNAPSHOT");
  EXPECT_NE(restore.commit_info_json.find("ec6a69f9-8721-4043-ae13-84e1c26c1e1d"), std::string::npos);

  const auto& overwrite = (*history)[1];
  EXPECT_EQ(overwrite.version, 2);
  EXPECT_EQ(overwrite.operation, "WRITE");
  EXPECT_EQ(overwrite.operation_parameters.at("mode"), "Overwrite");
  EXPECT_EQ(overwrite.operation_parameters.at("partitionBy"), "[]");
  EXPECT_EQ(overwrite.operation_metrics.at("numOutputRows"), "500");

  const auto& create = (*history)[3];
  EXPECT_EQ(create.version, 0);
  EXPECT_EQ(create.operation_parameters.at("mode"), "ErrorIfExists");
  EXPECT_FALSE(create.read_version.has_value());
  EXPECT_EQ(create.is_blind_append, true);
}

TEST(HistoryTest, DeltaRsNonStringMetricsAreRenderedAsJson) {
  auto history = History(CorpusTable("delta-rs/partition-type-primitives"));
  ASSERT_TRUE(history.ok()) << history.status().ToString();
  ASSERT_EQ(history->size(), 1u);
  const auto& entry = (*history)[0];
  EXPECT_EQ(entry.operation, "WRITE");
  EXPECT_EQ(entry.operation_metrics.at("num_added_files"), "16");
  EXPECT_EQ(entry.operation_metrics.at("execution_time_ms"), "10");
  EXPECT_EQ(entry.operation_parameters.at("partitionBy"), R"(["year","is_active","event_date","category"])");
  EXPECT_EQ(entry.engine_info, "delta-rs:py-1.1.0");
  EXPECT_FALSE(entry.read_version.has_value());
  EXPECT_FALSE(entry.is_blind_append.has_value());
}

TEST(HistoryTest, ParseCommitInfoFallbacksAndErrors) {
  HistoryEntry entry;
  ASSERT_TRUE(ParseCommitInfo(R"({"clientVersion":"delta-rs.0.17.0","operationParameters":{"n":null,"l":[1,2]}})",
                              &entry)
                  .ok());
  EXPECT_EQ(entry.engine_info, "delta-rs.0.17.0");
  EXPECT_EQ(entry.operation_parameters.at("n"), "null");
  EXPECT_EQ(entry.operation_parameters.at("l"), "[1,2]");
  EXPECT_TRUE(entry.operation.empty());
  HistoryEntry bad;
  EXPECT_FALSE(ParseCommitInfo("[1]", &bad).ok());
  EXPECT_FALSE(ParseCommitInfo("{", &bad).ok());
}

TEST(HistoryTest, CommitWithoutCommitInfoStillListed) {
  // Version 4 of this table has no commitInfo (it holds an unknown action type).
  auto history = History(CorpusTable("spark-golden/transaction_log_schema_evolvability"));
  ASSERT_TRUE(history.ok()) << history.status().ToString();
  bool found = false;
  for (const auto& e : *history) {
    if (e.version != 4) continue;
    found = true;
    EXPECT_TRUE(e.operation.empty());
    EXPECT_TRUE(e.commit_info_json.empty());
    EXPECT_TRUE(e.operation_parameters.empty());
  }
  EXPECT_TRUE(found);
}

TEST(HistoryTest, TimestampsMatchCommitTimestampsAcrossCorpus) {
  for (const char* name : {"spark-golden/basic-with-inserts-overwrite-restore", "delta-rs/simple_table",
                           "delta-rs/cdc_ict_table", "delta-rs/table_with_deletion_logs",
                           "spark-golden/time-travel-start-start20-start40", "delta-rs/cdf-table-with-cdc-and-dvs"}) {
    SCOPED_TRACE(name);
    auto location = CorpusTable(name);
    auto history = History(location);
    ASSERT_TRUE(history.ok()) << history.status().ToString();
    auto timestamps = Snapshot::CommitTimestamps(location);
    ASSERT_TRUE(timestamps.ok()) << timestamps.status().ToString();
    ASSERT_EQ(history->size(), timestamps->size());
    for (size_t i = 0; i < history->size(); ++i) {
      const auto& expected = (*timestamps)[timestamps->size() - 1 - i];
      EXPECT_EQ((*history)[i].version, expected.version);
      EXPECT_EQ((*history)[i].timestamp_ms, expected.timestamp_ms);
      if (i > 0) {
        EXPECT_LT((*history)[i].version, (*history)[i - 1].version);
      }
    }
  }
}

TEST(HistoryTest, LimitKeepsNewest) {
  auto location = CorpusTable("spark-golden/basic-with-inserts-overwrite-restore");
  auto two = History(location, 2);
  ASSERT_TRUE(two.ok()) << two.status().ToString();
  ASSERT_EQ(two->size(), 2u);
  EXPECT_EQ((*two)[0].version, 3);
  EXPECT_EQ((*two)[1].version, 2);
  auto none = History(location, 0);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  auto many = History(location, 100);
  ASSERT_TRUE(many.ok());
  EXPECT_EQ(many->size(), 4u);
  auto negative = History(location, -1);
  ASSERT_FALSE(negative.ok());
  EXPECT_NE(negative.status().message().find("must not be negative"), std::string::npos);
}

TEST(HistoryTest, NotATable) {
  auto history = History(CorpusTable("spark-golden/no-delta-log-folder"));
  ASSERT_FALSE(history.ok());
  EXPECT_NE(history.status().message().find("no-delta-log-folder"), std::string::npos);
}

TEST(HistoryTest, OwnTableRecordsOperations) {
  ASSERT_TRUE(cp::Initialize().ok());
  std::random_device rd;
  auto dir = std::filesystem::temp_directory_path() / ("tidelake_history_" + std::to_string(rd()) + std::to_string(rd()));
  TableLocation location{std::make_shared<arrow::fs::LocalFileSystem>(), dir.string(), "t"};
  auto schema = arrow::schema({arrow::field("id", arrow::int64())});
  for (int round = 0; round < 2; ++round) {
    arrow::Int64Builder b;
    for (int64_t i = 0; i < 10; ++i) ASSERT_TRUE(b.Append(round * 10 + i).ok());
    auto batch = arrow::RecordBatch::Make(schema, 10, {*b.Finish()});
    auto reader = *arrow::RecordBatchReader::Make({batch}, schema);
    auto written = DeltaTable::Write(location, *reader, WriteOptions{});
    ASSERT_TRUE(written.ok()) << written.status().ToString();
  }
  auto deleted = DeleteRows(location, cp::less(cp::field_ref("id"), cp::literal(int64_t{5})));
  ASSERT_TRUE(deleted.ok()) << deleted.status().ToString();

  auto history = History(location);
  ASSERT_TRUE(history.ok()) << history.status().ToString();
  ASSERT_EQ(history->size(), 3u);
  EXPECT_EQ((*history)[0].operation, "DELETE");
  EXPECT_EQ((*history)[0].operation_metrics.at("numDeletedRows"), "5");
  EXPECT_EQ((*history)[0].read_version, 1);
  EXPECT_EQ((*history)[0].is_blind_append, false);
  EXPECT_EQ((*history)[1].operation, "WRITE");
  EXPECT_EQ((*history)[1].operation_parameters.at("mode"), "Append");
  EXPECT_EQ((*history)[1].is_blind_append, true);
  EXPECT_EQ((*history)[1].isolation_level, "WriteSerializable");
  EXPECT_EQ((*history)[2].version, 0);
  EXPECT_EQ((*history)[2].engine_info.rfind("tidelake/", 0), 0u);
  EXPECT_LT((*history)[1].timestamp_ms, (*history)[0].timestamp_ms);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace tidelake::delta
