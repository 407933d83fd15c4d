#include "delta/vacuum.h"

#include <arrow/api.h>
#include <arrow/compute/api.h>
#include <arrow/filesystem/localfs.h>
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>

#include "delta/delete.h"
#include "delta/deletion_vector.h"
#include "delta/history.h"
#include "delta/log_segment.h"
#include "delta/scan.h"
#include "delta/table.h"

namespace tidelake::delta {
namespace {

namespace cp = arrow::compute;
namespace stdfs = std::filesystem;

const std::string kDeltaData = std::string(TIDELAKE_TESTDATA_DIR) + "/delta";
constexpr int64_t kHourMs = 3600LL * 1000;
constexpr int64_t kDayMs = 24 * kHourMs;

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void SetMtime(const stdfs::path& path, int64_t ms_ago) {
  auto t = stdfs::file_time_type::clock::now() - std::chrono::milliseconds(ms_ago);
  stdfs::last_write_time(path, t);
}

void Touch(const stdfs::path& path, const std::string& content = "x") {
  stdfs::create_directories(path.parent_path());
  std::ofstream(path) << content;
}

class VacuumTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { ASSERT_TRUE(cp::Initialize().ok()); }
  void SetUp() override {
    std::random_device rd;
    dir_ = stdfs::temp_directory_path() / ("tidelake_vacuum_" + std::to_string(rd()) + std::to_string(rd()));
    stdfs::create_directories(dir_);
    root_ = dir_ / "t";
    location_ = TableLocation{std::make_shared<arrow::fs::LocalFileSystem>(), root_.string(), "t"};
  }
  void TearDown() override { stdfs::remove_all(dir_); }

  TableLocation CopyCorpus(const std::string& name) {
    stdfs::path dest = dir_ / "copy";
    stdfs::remove_all(dest);
    stdfs::copy(kDeltaData + "/" + name, dest, stdfs::copy_options::recursive);
    stdfs::permissions(dest, stdfs::perms::owner_all, stdfs::perm_options::add);
    for (auto& entry : stdfs::recursive_directory_iterator(dest)) {
      stdfs::permissions(entry.path(), stdfs::perms::owner_all, stdfs::perm_options::add);
    }
    return TableLocation{std::make_shared<arrow::fs::LocalFileSystem>(), dest.string(), name};
  }

  void Write(int64_t first, int64_t count, SaveMode mode = SaveMode::kAppend, WriteOptions options = {}) {
    auto schema = arrow::schema({arrow::field("id", arrow::int64()), arrow::field("_p", arrow::utf8())});
    arrow::Int64Builder ids;
    arrow::StringBuilder parts;
    for (int64_t i = 0; i < count; ++i) {
      ASSERT_TRUE(ids.Append(first + i).ok());
      ASSERT_TRUE(parts.Append((first + i) % 2 ? "odd" : "even").ok());
    }
    auto batch = arrow::RecordBatch::Make(schema, count, {*ids.Finish(), *parts.Finish()});
    auto reader = *arrow::RecordBatchReader::Make({batch}, schema);
    options.mode = mode;
    auto written = DeltaTable::Write(location_, *reader, options);
    ASSERT_TRUE(written.ok()) << written.status().ToString();
  }

  static int64_t CountRows(const TableLocation& location) {
    auto snapshot = Snapshot::Load(location);
    EXPECT_TRUE(snapshot.ok()) << snapshot.status().ToString();
    if (!snapshot.ok()) return -1;
    auto scan = Scan::Make(*snapshot, ScanOptions{});
    EXPECT_TRUE(scan.ok()) << scan.status().ToString();
    auto table = (*scan)->ToTable();
    EXPECT_TRUE(table.ok()) << table.status().ToString();
    return table.ok() ? (*table)->num_rows() : -1;
  }

  std::vector<std::string> DataPaths(int64_t version) {
    std::vector<std::string> out;
    auto snapshot = Snapshot::Load(location_, version);
    EXPECT_TRUE(snapshot.ok());
    for (const auto& f : (*snapshot)->files()) out.push_back(location_.DataPath(f.path));
    return out;
  }

  stdfs::path dir_;
  stdfs::path root_;
  TableLocation location_;
};

TEST_F(VacuumTest, DeletesExpiredTombstonesAndOrphansOnly) {
  Write(0, 10);                         // v0
  auto v0_files = DataPaths(0);
  Write(100, 10, SaveMode::kOverwrite);  // v1: v0's file becomes a tombstone
  auto live_files = DataPaths(1);
  Touch(root_ / "orphan.parquet");
  Touch(root_ / "_staging" / "tmp.parquet");  // hidden directory
  Touch(root_ / ".hidden.parquet");           // hidden file
  Touch(root_ / "_delta_log" / "junk.txt");
  int64_t now = NowMs();

  // Within the retention: nothing goes.
  auto early = Vacuum(location_, VacuumOptions{}, now);
  ASSERT_TRUE(early.ok()) << early.status().ToString();
  EXPECT_EQ(early->files_deleted, 0);
  EXPECT_EQ(early->retention_ms, 7 * kDayMs);

  // Eight days later the tombstone and the orphan have expired.
  auto later = Vacuum(location_, VacuumOptions{}, now + 8 * kDayMs);
  ASSERT_TRUE(later.ok()) << later.status().ToString();
  std::vector<std::string> expected = v0_files;
  expected.push_back((root_ / "orphan.parquet").string());
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(later->paths, expected);
  EXPECT_EQ(later->files_deleted, 2);
  EXPECT_GT(later->bytes, 0);
  for (const auto& p : expected) EXPECT_FALSE(stdfs::exists(p)) << p;
  for (const auto& p : live_files) EXPECT_TRUE(stdfs::exists(p)) << p;
  EXPECT_TRUE(stdfs::exists(root_ / "_staging" / "tmp.parquet"));
  EXPECT_TRUE(stdfs::exists(root_ / ".hidden.parquet"));
  EXPECT_TRUE(stdfs::exists(root_ / "_delta_log" / "junk.txt"));
  EXPECT_EQ(CountRows(location_), 10);

  // Logged as two commitInfo-only commits.
  auto history = History(location_, 2);
  ASSERT_TRUE(history.ok());
  EXPECT_EQ((*history)[0].operation, "VACUUM END");
  EXPECT_EQ((*history)[0].operation_parameters.at("status"), "COMPLETED");
  EXPECT_EQ((*history)[0].operation_metrics.at("numDeletedFiles"), "2");
  EXPECT_EQ((*history)[1].operation, "VACUUM START");
  EXPECT_EQ((*history)[1].operation_metrics.at("numFilesToDelete"), "2");
  EXPECT_EQ((*history)[1].operation_parameters.at("retentionCheckEnabled"), "true");
  EXPECT_EQ((*history)[1].operation_parameters.at("defaultRetentionMillis"), std::to_string(7 * kDayMs));
  auto log = ListLog(*location_.fs, location_.LogDir());
  ASSERT_TRUE(log.ok());
  {
    std::ifstream in(log->commits.back().path);
    std::string line;
    int lines = 0;
    while (std::getline(in, line)) ++lines;
    EXPECT_EQ(lines, 1);  // commitInfo only
  }
}

TEST_F(VacuumTest, ModificationTimeProtectsRecentOrphans) {
  Write(0, 4);
  Touch(root_ / "old_orphan.parquet");
  Touch(root_ / "new_orphan.parquet");
  SetMtime(root_ / "old_orphan.parquet", 10 * kDayMs);
  SetMtime(root_ / "new_orphan.parquet", 1 * kDayMs);
  auto result = Vacuum(location_, VacuumOptions{}, NowMs());
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->files_deleted, 1);
  EXPECT_FALSE(stdfs::exists(root_ / "old_orphan.parquet"));
  EXPECT_TRUE(stdfs::exists(root_ / "new_orphan.parquet"));
}

TEST_F(VacuumTest, RetentionCheck) {
  Write(0, 4);
  Write(10, 4, SaveMode::kOverwrite);
  VacuumOptions zero;
  zero.retention_hours = 0;
  auto refused = Vacuum(location_, zero, NowMs() + 1000);
  ASSERT_FALSE(refused.ok());
  EXPECT_TRUE(refused.status().IsInvalid());
  const std::string& message = refused.status().message();
  EXPECT_NE(message.find("delta.deletedFileRetentionDuration"), std::string::npos) << message;
  EXPECT_NE(message.find("force"), std::string::npos) << message;
  EXPECT_NE(message.find("168 hours"), std::string::npos) << message;

  VacuumOptions negative;
  negative.retention_hours = -1;
  negative.force = true;
  EXPECT_FALSE(Vacuum(location_, negative, NowMs()).ok());

  zero.force = true;
  auto forced = Vacuum(location_, zero, NowMs() + 1000);
  ASSERT_TRUE(forced.ok()) << forced.status().ToString();
  EXPECT_EQ(forced->files_deleted, 1);  // v0's one file
  EXPECT_EQ(CountRows(location_), 4);
  auto history = History(location_, 2);
  ASSERT_TRUE(history.ok());
  EXPECT_EQ((*history)[1].operation_parameters.at("retentionCheckEnabled"), "false");
  EXPECT_EQ((*history)[1].operation_parameters.at("specifiedRetentionMillis"), "0");
}

TEST_F(VacuumTest, TablePropertySetsDefaultRetention) {
  WriteOptions options;
  options.properties["delta.deletedFileRetentionDuration"] = "interval 1 hours";
  Write(0, 4, SaveMode::kAppend, options);
  Write(10, 4, SaveMode::kOverwrite);
  auto v0_gone = Vacuum(location_, VacuumOptions{}, NowMs() + 2 * kHourMs);
  ASSERT_TRUE(v0_gone.ok()) << v0_gone.status().ToString();
  EXPECT_EQ(v0_gone->retention_ms, kHourMs);
  EXPECT_GE(v0_gone->files_deleted, 1);
  VacuumOptions shorter;
  shorter.retention_hours = 0;
  EXPECT_FALSE(Vacuum(location_, shorter, NowMs()).ok());
}

TEST_F(VacuumTest, DryRunDeletesNothing) {
  Write(0, 4);
  Write(10, 4, SaveMode::kOverwrite);
  auto before = *Snapshot::Load(location_);
  VacuumOptions options;
  options.dry_run = true;
  auto result = Vacuum(location_, options, NowMs() + 8 * kDayMs);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_GE(result->files_deleted, 1);
  for (const auto& p : result->paths) EXPECT_TRUE(stdfs::exists(p)) << p;
  EXPECT_EQ((*Snapshot::Load(location_))->version(), before->version());  // no commits
}

TEST_F(VacuumTest, PartitionDirectoriesStartingWithUnderscore) {
  WriteOptions options;
  options.partition_columns = {"_p"};
  Write(0, 10, SaveMode::kAppend, options);
  ASSERT_TRUE(stdfs::exists(root_ / "_p=even"));
  // Replace only the odd partition: its old file becomes a tombstone.
  WriteOptions replace;
  replace.replace_where = cp::equal(cp::field_ref("_p"), cp::literal("odd"));
  Write(101, 1, SaveMode::kOverwrite, replace);
  auto result = Vacuum(location_, VacuumOptions{}, NowMs() + 8 * kDayMs);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ASSERT_EQ(result->files_deleted, 1);
  EXPECT_NE(result->paths[0].find("_p=odd"), std::string::npos);
  EXPECT_EQ(CountRows(location_), 6);
}

TEST_F(VacuumTest, EmptyPartitionDirectoriesAreRemoved) {
  WriteOptions options;
  options.partition_columns = {"_p"};
  Write(0, 10, SaveMode::kAppend, options);
  auto deleted = DeleteRows(location_, cp::equal(cp::field_ref("_p"), cp::literal("odd")));
  ASSERT_TRUE(deleted.ok()) << deleted.status().ToString();
  auto result = Vacuum(location_, VacuumOptions{}, NowMs() + 8 * kDayMs);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->files_deleted, 1);
  EXPECT_EQ(result->directories_deleted, 1);
  EXPECT_FALSE(stdfs::exists(root_ / "_p=odd"));
  EXPECT_TRUE(stdfs::exists(root_ / "_p=even"));
  EXPECT_EQ(CountRows(location_), 5);
}

TEST_F(VacuumTest, ChangeDataFilesExpireByAge) {
  WriteOptions options;
  options.properties["delta.enableChangeDataFeed"] = "true";
  Write(0, 10, SaveMode::kAppend, options);
  auto deleted = DeleteRows(location_, cp::less(cp::field_ref("id"), cp::literal(int64_t{3})));
  ASSERT_TRUE(deleted.ok()) << deleted.status().ToString();
  ASSERT_TRUE(stdfs::exists(root_ / "_change_data"));
  auto result = Vacuum(location_, VacuumOptions{}, NowMs() + 8 * kDayMs);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  bool took_cdc = false;
  for (const auto& p : result->paths) took_cdc |= p.find("/_change_data/") != std::string::npos;
  EXPECT_TRUE(took_cdc);
  EXPECT_FALSE(stdfs::exists(root_ / "_change_data"));
  EXPECT_EQ(CountRows(location_), 7);
}

TEST_F(VacuumTest, DeletionVectorFilesOfLiveFilesAreKept) {
  WriteOptions options;
  options.properties["delta.enableDeletionVectors"] = "true";
  Write(0, 20, SaveMode::kAppend, options);
  ASSERT_TRUE(DeleteRows(location_, cp::equal(cp::field_ref("id"), cp::literal(int64_t{1}))).ok());
  ASSERT_TRUE(DeleteRows(location_, cp::equal(cp::field_ref("id"), cp::literal(int64_t{2}))).ok());
  auto latest = *Snapshot::Load(location_);
  ASSERT_TRUE(latest->files()[0].deletion_vector.has_value());
  auto live_dv = *AbsolutePath(*latest->files()[0].deletion_vector, location_.root);
  auto result = Vacuum(location_, VacuumOptions{}, NowMs() + 8 * kDayMs);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ASSERT_EQ(result->files_deleted, 1);  // the first DV, referenced only by an expired tombstone
  EXPECT_NE(result->paths[0].find("deletion_vector_"), std::string::npos);
  EXPECT_TRUE(stdfs::exists(live_dv));
  EXPECT_EQ(CountRows(location_), 18);
}

TEST_F(VacuumTest, CorpusTablesStayReadable) {
  // With zero retention everything not live goes; the live files (escaped names, partition
  // directories with special characters, DVs, CDC) must all survive.
  for (const char* name : {"spark-golden/data-reader-escaped-chars", "delta-rs/delta-0.8.0-special-partition",
                           "dat/multi_partitioned/delta", "spark-golden/log-replay-dv-key-cases",
                           "spark-golden/dv-partitioned-with-checkpoint", "delta-rs/cdf-table",
                           "spark-golden/snapshot-vacuumed"}) {
    SCOPED_TRACE(name);
    auto location = CopyCorpus(name);
    auto before = *Snapshot::Load(location);
    int64_t rows = CountRows(location);
    ASSERT_GE(rows, 0);
    VacuumOptions options;
    options.retention_hours = 0;
    options.force = true;
    auto result = Vacuum(location, options, NowMs() + 365 * kDayMs);
    ASSERT_TRUE(result.ok()) << result.status().ToString();
    EXPECT_EQ(CountRows(location), rows);
    for (const auto& f : before->files()) EXPECT_TRUE(stdfs::exists(location.DataPath(f.path))) << f.path;
    EXPECT_TRUE(stdfs::exists(location.LogDir()));
  }
}

TEST_F(VacuumTest, VacuumProtocolCheckRefusesUnknownWriterFeature) {
  auto location = CopyCorpus("spark-golden/basic-with-vacuum-protocol-check-feature");
  VacuumOptions options;
  auto fine = Vacuum(location, options, NowMs());
  ASSERT_TRUE(fine.ok()) << fine.status().ToString();

  // A newer writer adds a writer feature we do not know.
  auto log = ListLog(*location.fs, location.LogDir());
  ASSERT_TRUE(log.ok());
  int64_t next = log->commits.back().version + 1;
  std::ofstream(CommitPath(location.LogDir(), next))
      << R"({"commitInfo":{"timestamp":1,"operation":"UPGRADE"}})" << "\n"
      << R"({"protocol":{"minReaderVersion":3,"minWriterVersion":7,"readerFeatures":["vacuumProtocolCheck"],)"
      << R"("writerFeatures":["appendOnly","invariants","vacuumProtocolCheck","someFutureFeature"]}})" << "\n";
  auto refused = Vacuum(location, options, NowMs());
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("someFutureFeature"), std::string::npos) << refused.status().ToString();
  EXPECT_NE(refused.status().message().find("vacuumProtocolCheck"), std::string::npos);
}

TEST_F(VacuumTest, WithoutProtocolCheckUnknownWriterFeatureOnlySkipsLogging) {
  Write(0, 4);
  auto log = ListLog(*location_.fs, location_.LogDir());
  ASSERT_TRUE(log.ok());
  int64_t next = log->commits.back().version + 1;
  std::ofstream(CommitPath(location_.LogDir(), next))
      << R"({"commitInfo":{"timestamp":1,"operation":"UPGRADE"}})" << "\n"
      << R"({"protocol":{"minReaderVersion":1,"minWriterVersion":7,"writerFeatures":["someFutureFeature"]}})" << "\n";
  Touch(root_ / "old_orphan.parquet");
  SetMtime(root_ / "old_orphan.parquet", 10 * kDayMs);
  auto result = Vacuum(location_, VacuumOptions{}, NowMs());
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->files_deleted, 1);
  EXPECT_EQ((*Snapshot::Load(location_))->version(), next);  // nothing logged
}

}  // namespace
}  // namespace tidelake::delta
