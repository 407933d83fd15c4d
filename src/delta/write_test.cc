// Writes through DeltaTable::Write and Transaction: append/overwrite/replaceWhere, schema
// enforcement and merging, idempotent txn writes, optimistic concurrency, checkpoints and log
// cleanup — each checked by reading the table back.
#include <arrow/api.h>
#include <arrow/compute/api.h>
#include <arrow/filesystem/localfs.h>
#include <arrow/json/from_string.h>
#include <gtest/gtest.h>
#include <parquet/file_reader.h>
#include <parquet/metadata.h>

#include <filesystem>
#include <thread>

#include "delta/background_housekeeping.h"
#include "delta/delete.h"
#include "delta/log_segment.h"
#include "delta/scan.h"
#include "delta/table.h"

namespace tidelake::delta {
namespace {

namespace cp = arrow::compute;
namespace fs = std::filesystem;

std::shared_ptr<arrow::Array> FromJson(const std::shared_ptr<arrow::DataType>& type, const std::string& json) {
  return arrow::json::ArrayFromJSONString(type, json).ValueOrDie();
}

class WriteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("tidelake-write-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    location_ = TableLocation{std::make_shared<arrow::fs::LocalFileSystem>(), dir_.string(), "test.table"};
  }
  void TearDown() override { fs::remove_all(dir_); }

  static std::shared_ptr<arrow::Table> Rows(int64_t first, int64_t n, const std::string& region = "eu") {
    arrow::Int64Builder ids;
    arrow::StringBuilder regions;
    arrow::DoubleBuilder amounts;
    for (int64_t i = first; i < first + n; ++i) {
      EXPECT_TRUE(ids.Append(i).ok());
      EXPECT_TRUE(regions.Append(region).ok());
      EXPECT_TRUE(amounts.Append(static_cast<double>(i) * 1.5).ok());
    }
    std::shared_ptr<arrow::Array> a, b, c;
    EXPECT_TRUE(ids.Finish(&a).ok());
    EXPECT_TRUE(regions.Finish(&b).ok());
    EXPECT_TRUE(amounts.Finish(&c).ok());
    auto schema = arrow::schema({arrow::field("id", arrow::int64()), arrow::field("region", arrow::utf8()),
                                 arrow::field("amount", arrow::float64())});
    return arrow::Table::Make(schema, {a, b, c});
  }

  arrow::Result<WriteResult> Write(const std::shared_ptr<arrow::Table>& table, WriteOptions options = {}) {
    arrow::TableBatchReader reader(table);
    return DeltaTable::Write(location_, reader, options);
  }

  int64_t Count(std::optional<cp::Expression> filter = std::nullopt, std::optional<int64_t> version = std::nullopt) {
    auto snapshot = Snapshot::Load(location_, version);
    EXPECT_TRUE(snapshot.ok()) << snapshot.status().ToString();
    ScanOptions options;
    options.filter = filter;
    auto scan = Scan::Make(*snapshot, options);
    EXPECT_TRUE(scan.ok()) << scan.status().ToString();
    auto table = (*scan)->ToTable();
    EXPECT_TRUE(table.ok()) << table.status().ToString();
    return (*table)->num_rows();
  }

  fs::path dir_;
  TableLocation location_;
};

TEST_F(WriteTest, StringsAndDecimalsReadBackExactly) {
  // A low-cardinality string with nulls (its pages are all dictionary-encoded: read as a
  // dictionary and expanded), a string too varied for Parquet's dictionary (read plainly), and
  // decimals (up to 18 digits stored as INT64), read back through the streaming scan.
  const int64_t n = 200000;
  arrow::StringBuilder codes, texts;
  arrow::Decimal128Builder prices(arrow::decimal128(15, 2)), big(arrow::decimal128(38, 4));
  const char* kCodes[] = {"a", "bb", nullptr, "ccc"};
  for (int64_t i = 0; i < n; ++i) {
    ASSERT_TRUE((kCodes[i % 4] ? codes.Append(kCodes[i % 4]) : codes.AppendNull()).ok());
    ASSERT_TRUE(texts.Append("row-" + std::to_string(i) + "-" + std::to_string(i * 7919 % 1000003)).ok());
    ASSERT_TRUE(prices.Append(arrow::Decimal128(i * 37 - 5000)).ok());
    ASSERT_TRUE(big.Append(arrow::Decimal128(i % 3 == 0 ? -i : i, static_cast<uint64_t>(i) * 7)).ok());
  }
  auto schema = arrow::schema({arrow::field("code", arrow::utf8()), arrow::field("text", arrow::utf8()),
                               arrow::field("price", arrow::decimal128(15, 2)),
                               arrow::field("big", arrow::decimal128(38, 4))});
  auto data = arrow::Table::Make(schema, {codes.Finish().ValueOrDie(), texts.Finish().ValueOrDie(),
                                          prices.Finish().ValueOrDie(), big.Finish().ValueOrDie()});
  ASSERT_TRUE(Write(data).ok());

  auto snapshot = Snapshot::Load(location_);
  ASSERT_TRUE(snapshot.ok());
  ASSERT_EQ((*snapshot)->files().size(), 1u);
  auto file = parquet::ParquetFileReader::OpenFile(location_.DataPath((*snapshot)->files()[0].path));
  EXPECT_EQ(file->metadata()->schema()->Column(2)->physical_type(), parquet::Type::INT64);
  EXPECT_EQ(file->metadata()->schema()->Column(3)->physical_type(), parquet::Type::FIXED_LEN_BYTE_ARRAY);

  ScanOptions options;
  options.batch_size = 1000;
  auto scan = Scan::Make(*snapshot, options);
  ASSERT_TRUE(scan.ok());
  auto read = (*scan)->ToTable();
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_TRUE((*read)->schema()->Equals(*schema)) << (*read)->schema()->ToString();
  EXPECT_TRUE((*read)->Equals(*data));

  EXPECT_EQ(Count(cp::equal(cp::field_ref("code"), cp::literal("bb"))), n / 4);
  EXPECT_EQ(Count(cp::is_null(cp::field_ref("code"))), n / 4);
}

TEST_F(WriteTest, SizeAndIndexedColumnPropertiesAreParsedStrictly) {
  WriteOptions options;
  options.properties = {{"delta.dataSkippingNumIndexedCols", "12abc"}};
  auto bad = Write(Rows(0, 10), options);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(),
            "table test.table: table property delta.dataSkippingNumIndexedCols must be an integer from -1 to 1048576, "
            "got '12abc'");
  EXPECT_FALSE(*DeltaTable::Exists(location_));  // nothing half-written

  options.properties = {{"delta.targetFileSize", "64 mb"}};
  auto spaced = Write(Rows(0, 10), options);
  ASSERT_FALSE(spaced.ok());
  EXPECT_NE(spaced.status().message().find("must be a positive size in bytes (e.g. 134217728 or 128mb), got '64 mb'"),
            std::string::npos);

  // Databricks' size syntax and -1 (index every column) are accepted.
  options.properties = {{"delta.targetFileSize", "64MB"}, {"delta.dataSkippingNumIndexedCols", "-1"}};
  auto sized = Write(Rows(0, 2000), options);
  ASSERT_TRUE(sized.ok()) << sized.status().ToString();
  EXPECT_EQ(Count(), 2000);
}

TEST_F(WriteTest, AppendCreatesThenAddsVersions) {
  ASSERT_TRUE(Write(Rows(0, 100)).ok());
  auto second = Write(Rows(100, 50));
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(second->version, 1);
  EXPECT_EQ(second->rows_written, 50);
  EXPECT_EQ(Count(), 150);
  EXPECT_EQ(Count(std::nullopt, 0), 100);
  auto snapshot = Snapshot::Load(location_);
  ASSERT_TRUE(snapshot.ok());
  EXPECT_EQ((*snapshot)->NumRecords(), 150);  // stats written for every file
}

TEST_F(WriteTest, PartitionedWriteAndPruning) {
  WriteOptions options;
  options.partition_columns = {"region"};
  ASSERT_TRUE(Write(Rows(0, 10, "eu"), options).ok());
  ASSERT_TRUE(Write(Rows(10, 20, "us west/1"), options).ok());
  auto snapshot = Snapshot::Load(location_);
  ASSERT_TRUE(snapshot.ok());
  ASSERT_EQ((*snapshot)->files().size(), 2u);
  ScanOptions scan_options;
  scan_options.filter = cp::equal(cp::field_ref("region"), cp::literal("us west/1"));
  auto scan = Scan::Make(*snapshot, scan_options);
  ASSERT_TRUE(scan.ok());
  EXPECT_EQ((*scan)->files().size(), 1u);  // the other partition is pruned
  auto table = (*scan)->ToTable();
  ASSERT_TRUE(table.ok());
  EXPECT_EQ((*table)->num_rows(), 20);
  // The special characters are escaped in the directory and URI-encoded in the log.
  bool found = false;
  for (const auto& f : (*snapshot)->files()) found |= f.path.find("region=us%20west%252F1/") == 0;
  EXPECT_TRUE(found);
}

TEST_F(WriteTest, StatsSkipFilesThatCannotMatch) {
  ASSERT_TRUE(Write(Rows(0, 100)).ok());
  ASSERT_TRUE(Write(Rows(1000, 100)).ok());
  auto snapshot = Snapshot::Load(location_);
  ASSERT_TRUE(snapshot.ok());
  ScanOptions options;
  options.filter = cp::greater(cp::field_ref("id"), cp::literal(int64_t{1050}));
  auto scan = Scan::Make(*snapshot, options);
  ASSERT_TRUE(scan.ok());
  EXPECT_EQ((*scan)->files().size(), 1u);
  EXPECT_EQ(Count(options.filter), 49);
}

TEST_F(WriteTest, OverwriteAndReplaceWhere) {
  WriteOptions partitioned;
  partitioned.partition_columns = {"region"};
  ASSERT_TRUE(Write(Rows(0, 10, "eu"), partitioned).ok());
  ASSERT_TRUE(Write(Rows(10, 10, "us"), partitioned).ok());
  WriteOptions replace;
  replace.mode = SaveMode::kOverwrite;
  replace.replace_where = cp::equal(cp::field_ref("region"), cp::literal("eu"));
  auto result = Write(Rows(100, 3, "eu"), replace);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(Count(), 13);
  // Data outside the replaced range is refused and nothing is committed.
  auto bad = Write(Rows(200, 3, "us"), replace);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("replaceWhere"), std::string::npos);
  EXPECT_EQ(Count(), 13);
  WriteOptions overwrite;
  overwrite.mode = SaveMode::kOverwrite;
  ASSERT_TRUE(Write(Rows(0, 5, "eu"), overwrite).ok());
  EXPECT_EQ(Count(), 5);
}

TEST_F(WriteTest, SchemaMismatchNamesColumnAndTypes) {
  ASSERT_TRUE(Write(Rows(0, 10)).ok());
  auto schema = arrow::schema({arrow::field("id", arrow::int64()), arrow::field("amount", arrow::utf8())});
  arrow::Int64Builder ids;
  ASSERT_TRUE(ids.Append(1).ok());
  arrow::StringBuilder amounts;
  ASSERT_TRUE(amounts.Append("x").ok());
  std::shared_ptr<arrow::Array> id_array, amount_array;
  ASSERT_TRUE(ids.Finish(&id_array).ok());
  ASSERT_TRUE(amounts.Finish(&amount_array).ok());
  auto bad = Write(arrow::Table::Make(schema, {id_array, amount_array}));
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("amount"), std::string::npos) << bad.status().message();
  EXPECT_NE(bad.status().message().find("double"), std::string::npos) << bad.status().message();
  EXPECT_NE(bad.status().message().find("string"), std::string::npos) << bad.status().message();
  EXPECT_EQ(Count(), 10);
}

TEST_F(WriteTest, MergeSchemaAddsColumns) {
  ASSERT_TRUE(Write(Rows(0, 10)).ok());
  auto wide = Rows(10, 5);
  arrow::StringBuilder notes;
  ASSERT_TRUE(notes.AppendValues({"a", "b", "c", "d", "e"}).ok());
  std::shared_ptr<arrow::Array> extra;
  ASSERT_TRUE(notes.Finish(&extra).ok());
  auto with_extra = wide->AddColumn(3, arrow::field("note", arrow::utf8()), std::make_shared<arrow::ChunkedArray>(extra));
  ASSERT_TRUE(with_extra.ok());
  auto refused = Write(*with_extra);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("note"), std::string::npos);
  WriteOptions merge;
  merge.merge_schema = true;
  ASSERT_TRUE(Write(*with_extra, merge).ok());
  auto snapshot = Snapshot::Load(location_);
  ASSERT_TRUE(snapshot.ok());
  EXPECT_EQ((*snapshot)->schema()->num_fields(), 4);
  EXPECT_EQ(Count(cp::is_null(cp::field_ref("note"))), 10);  // old files read the new column as null
}

TEST_F(WriteTest, MergeSchemaUpgradesTheProtocolForWideningAndNewFeatures) {
  auto narrow = arrow::Table::Make(arrow::schema({arrow::field("n", arrow::int32())}),
                                   {FromJson(arrow::int32(), "[1, 2]")});
  ASSERT_TRUE(Write(narrow).ok());
  auto before = Snapshot::Load(location_);
  ASSERT_TRUE(before.ok());
  EXPECT_EQ((*before)->protocol().min_reader_version, 1);  // nothing special yet

  // int -> long plus a new timestamp_ntz column, in one merge-schema append.
  auto wide = arrow::Table::Make(
      arrow::schema({arrow::field("n", arrow::int64()), arrow::field("at", arrow::timestamp(arrow::TimeUnit::MICRO))}),
      {FromJson(arrow::int64(), "[5000000000]"),
       FromJson(arrow::timestamp(arrow::TimeUnit::MICRO), "[0]")});
  WriteOptions merge;
  merge.merge_schema = true;
  ASSERT_TRUE(Write(wide, merge).ok());

  auto after = Snapshot::Load(location_);
  ASSERT_TRUE(after.ok()) << after.status().ToString();
  const Protocol& p = (*after)->protocol();
  EXPECT_EQ(p.min_reader_version, 3);
  EXPECT_EQ(p.min_writer_version, 7);
  auto has = [](const std::optional<std::vector<std::string>>& list, const std::string& f) {
    return list && std::find(list->begin(), list->end(), f) != list->end();
  };
  EXPECT_TRUE(has(p.reader_features, "typeWidening"));
  EXPECT_TRUE(has(p.writer_features, "typeWidening"));
  EXPECT_TRUE(has(p.reader_features, "timestampNtz"));
  EXPECT_TRUE(has(p.writer_features, "appendOnly"));  // implied by the old writer version 2
  EXPECT_EQ((*after)->metadata().Config("delta.enableTypeWidening"), "true");
  EXPECT_TRUE((*after)->schema()->field(0)->type()->Equals(arrow::int64()));
  EXPECT_EQ(Count(), 3);
  EXPECT_EQ(Count(cp::greater(cp::field_ref("n"), cp::literal(int64_t{4000000000}))), 1);
}

TEST_F(WriteTest, IdempotentTxnWritesOnce) {
  WriteOptions options;
  options.txn = std::make_pair(std::string("stream-1"), int64_t{7});
  ASSERT_TRUE(Write(Rows(0, 10), options).ok());
  auto again = Write(Rows(0, 10), options);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->skipped);
  EXPECT_EQ(Count(), 10);
  auto snapshot = Snapshot::Load(location_);
  ASSERT_TRUE(snapshot.ok());
  EXPECT_EQ((*snapshot)->TxnVersion("stream-1"), 7);
}

TEST_F(WriteTest, ConcurrentBlindAppendsAllLand) {
  ASSERT_TRUE(Write(Rows(0, 1)).ok());
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 5; ++i) {
        if (!Write(Rows(1000 * (t + 1) + i * 10, 10)).ok()) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(Count(), 1 + 4 * 5 * 10);
  auto snapshot = Snapshot::Load(location_);
  ASSERT_TRUE(snapshot.ok());
  EXPECT_EQ((*snapshot)->version(), 20);
}

TEST_F(WriteTest, ConflictingDeleteNamesTheWinningVersion) {
  ASSERT_TRUE(Write(Rows(0, 10)).ok());
  auto snapshot = Snapshot::Load(location_);
  ASSERT_TRUE(snapshot.ok());
  // Transaction A plans a delete on the snapshot at version 0 ...
  auto txn = Transaction::ForSnapshot(*snapshot);
  auto plan = PlanDelete(**snapshot, cp::less(cp::field_ref("id"), cp::literal(int64_t{5})), txn.get());
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  // ... while B deletes too and commits first.
  auto other = DeleteRows(location_, cp::greater(cp::field_ref("id"), cp::literal(int64_t{7})));
  ASSERT_TRUE(other.ok()) << other.status().ToString();
  auto commit = txn->Commit("DELETE");
  ASSERT_FALSE(commit.ok());
  EXPECT_NE(commit.status().message().find("version 1"), std::string::npos) << commit.status().message();
  EXPECT_EQ(Count(), 8);
}

TEST_F(WriteTest, CheckpointEveryTenCommitsAndReplayFromIt) {
  for (int i = 0; i < 12; ++i) ASSERT_TRUE(Write(Rows(i * 10, 10)).ok());
  ASSERT_TRUE(fs::exists(dir_ / "_delta_log" / "00000000000000000010.checkpoint.parquet"));
  ASSERT_TRUE(fs::exists(dir_ / "_delta_log" / "_last_checkpoint"));
  auto snapshot = Snapshot::Load(location_);
  ASSERT_TRUE(snapshot.ok());
  ASSERT_TRUE((*snapshot)->segment().checkpoint.has_value());
  EXPECT_EQ((*snapshot)->segment().checkpoint->version, 10);
  EXPECT_EQ((*snapshot)->segment().commits.size(), 1u);
  EXPECT_EQ(Count(), 120);
}

TEST_F(WriteTest, BackgroundHousekeepingWritesTheDueCheckpointsOffTheCommit) {
  WriteOptions options;
  options.background_housekeeping = true;
  for (int i = 0; i < 21; ++i) ASSERT_TRUE(Write(Rows(i * 10, 10), options).ok());
  BackgroundHousekeeping::Instance().Drain();
  // Version 20's checkpoint is there (version 10's too, unless 20 was asked for before the
  // worker got to 10: only the newest is kept).
  ASSERT_TRUE(fs::exists(dir_ / "_delta_log" / "00000000000000000020.checkpoint.parquet"));
  auto snapshot = Snapshot::Load(location_);
  ASSERT_TRUE(snapshot.ok()) << snapshot.status().ToString();
  ASSERT_TRUE((*snapshot)->segment().checkpoint.has_value());
  EXPECT_EQ((*snapshot)->segment().checkpoint->version, 20);
  EXPECT_EQ(Count(), 210);
  // Draining with nothing scheduled returns at once.
  BackgroundHousekeeping::Instance().Drain();
}

TEST_F(WriteTest, ExpiredLogsAreCleanedAfterCheckpoints) {
  WriteOptions options;
  options.properties = {{"delta.logRetentionDuration", "interval 0 seconds"}, {"delta.checkpointInterval", "5"}};
  ASSERT_TRUE(Write(Rows(0, 1), options).ok());
  for (int i = 1; i < 23; ++i) ASSERT_TRUE(Write(Rows(i, 1)).ok());
  auto listing = ListLog(*location_.fs, location_.LogDir());
  ASSERT_TRUE(listing.ok());
  EXPECT_LT(listing->commits.size(), 10u);
  EXPECT_EQ(listing->commits.front().version, 20);
  EXPECT_EQ(Count(), 23);
}

TEST_F(WriteTest, AppendOnlyTableRefusesDeletes) {
  WriteOptions options;
  options.properties = {{"delta.appendOnly", "true"}};
  ASSERT_TRUE(Write(Rows(0, 10), options).ok());
  auto deleted = DeleteRows(location_, cp::equal(cp::field_ref("id"), cp::literal(int64_t{1})));
  ASSERT_FALSE(deleted.ok());
  EXPECT_NE(deleted.status().message().find("append-only"), std::string::npos);
}

TEST_F(WriteTest, DeleteWithDeletionVectors) {
  WriteOptions options;
  options.properties = {{"delta.enableDeletionVectors", "true"}};
  ASSERT_TRUE(Write(Rows(0, 100), options).ok());
  auto deleted = DeleteRows(location_, cp::less(cp::field_ref("id"), cp::literal(int64_t{30})));
  ASSERT_TRUE(deleted.ok()) << deleted.status().ToString();
  EXPECT_EQ(deleted->first.rows_deleted, 30);
  EXPECT_EQ(deleted->first.deletion_vectors_added, 1);
  EXPECT_EQ(Count(), 70);
  auto again = DeleteRows(location_, cp::greater_equal(cp::field_ref("id"), cp::literal(int64_t{90})));
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(Count(), 60);
  auto snapshot = Snapshot::Load(location_);
  ASSERT_TRUE(snapshot.ok());
  ASSERT_EQ((*snapshot)->files().size(), 1u);
  ASSERT_TRUE((*snapshot)->files()[0].deletion_vector.has_value());
  EXPECT_EQ((*snapshot)->files()[0].deletion_vector->cardinality, 40);
  EXPECT_EQ((*snapshot)->NumRecords(), 60);
}

TEST_F(WriteTest, CopyOnWriteDeleteKeepsNullPredicateRows) {
  ASSERT_TRUE(Write(Rows(0, 10)).ok());
  auto deleted = DeleteRows(location_, cp::equal(cp::field_ref("id"), cp::literal(int64_t{3})));
  ASSERT_TRUE(deleted.ok()) << deleted.status().ToString();
  EXPECT_EQ(deleted->first.rows_deleted, 1);
  EXPECT_EQ(Count(), 9);
  EXPECT_EQ(Count(cp::equal(cp::field_ref("id"), cp::literal(int64_t{3}))), 0);
}

}  // namespace
}  // namespace tidelake::delta
