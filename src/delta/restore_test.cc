#include "delta/restore.h"

#include <arrow/api.h>
#include <arrow/compute/api.h>
#include <arrow/filesystem/localfs.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <random>

#include "delta/delete.h"
#include "delta/history.h"
#include "delta/scan.h"
#include "delta/table.h"
#include "delta/table_features.h"
#include "delta/transaction.h"

namespace tidelake::delta {
namespace {

namespace cp = arrow::compute;
namespace stdfs = std::filesystem;

const std::string kDeltaData = std::string(TIDELAKE_TESTDATA_DIR) + "/delta";

class RestoreTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { ASSERT_TRUE(cp::Initialize().ok()); }
  void SetUp() override {
    std::random_device rd;
    dir_ = stdfs::temp_directory_path() / ("tidelake_restore_" + std::to_string(rd()) + std::to_string(rd()));
    stdfs::create_directories(dir_);
    location_ = TableLocation{std::make_shared<arrow::fs::LocalFileSystem>(), (dir_ / "t").string(), "t"};
  }
  void TearDown() override { stdfs::remove_all(dir_); }

  // Copies a corpus table (read-only files) into the temp dir and makes it writable.
  TableLocation CopyCorpus(const std::string& name) {
    stdfs::path dest = dir_ / "copy";
    stdfs::copy(kDeltaData + "/" + name, dest, stdfs::copy_options::recursive);
    for (auto& entry : stdfs::recursive_directory_iterator(dest)) {
      stdfs::permissions(entry.path(), stdfs::perms::owner_all, stdfs::perm_options::add);
    }
    stdfs::permissions(dest, stdfs::perms::owner_all, stdfs::perm_options::add);
    return TableLocation{std::make_shared<arrow::fs::LocalFileSystem>(), dest.string(), name};
  }

  WriteResult WriteIds(int64_t first, int64_t count, SaveMode mode = SaveMode::kAppend) {
    auto schema = arrow::schema({arrow::field("id", arrow::int64())});
    arrow::Int64Builder b;
    for (int64_t i = 0; i < count; ++i) EXPECT_TRUE(b.Append(first + i).ok());
    auto batch = arrow::RecordBatch::Make(schema, count, {*b.Finish()});
    auto reader = *arrow::RecordBatchReader::Make({batch}, schema);
    WriteOptions options;
    options.mode = mode;
    auto written = DeltaTable::Write(location_, *reader, options);
    EXPECT_TRUE(written.ok()) << written.status().ToString();
    return written.ok() ? *written : WriteResult{};
  }

  static std::vector<int64_t> ReadIds(const TableLocation& location) {
    auto snapshot = Snapshot::Load(location);
    EXPECT_TRUE(snapshot.ok()) << snapshot.status().ToString();
    if (!snapshot.ok()) return {};
    ScanOptions options;
    options.columns = {"id"};
    auto scan = Scan::Make(*snapshot, options);
    EXPECT_TRUE(scan.ok()) << scan.status().ToString();
    auto table = (*scan)->ToTable();
    EXPECT_TRUE(table.ok()) << table.status().ToString();
    std::vector<int64_t> ids;
    for (const auto& chunk : (*table)->column(0)->chunks()) {
      const auto& a = static_cast<const arrow::Int64Array&>(*chunk);
      for (int64_t i = 0; i < a.length(); ++i) ids.push_back(a.Value(i));
    }
    std::sort(ids.begin(), ids.end());
    return ids;
  }

  static std::vector<int64_t> Range(int64_t first, int64_t count) {
    std::vector<int64_t> out;
    for (int64_t i = 0; i < count; ++i) out.push_back(first + i);
    return out;
  }

  stdfs::path dir_;
  TableLocation location_;
};

TEST_F(RestoreTest, RestoresFilesOfOlderVersion) {
  WriteIds(0, 10);                                       // v0
  WriteIds(10, 10);                                      // v1
  auto deleted = DeleteRows(location_, cp::less(cp::field_ref("id"), cp::literal(int64_t{5})));  // v2
  ASSERT_TRUE(deleted.ok()) << deleted.status().ToString();
  WriteIds(100, 5, SaveMode::kOverwrite);                // v3
  ASSERT_EQ(ReadIds(location_), Range(100, 5));

  auto v3 = *Snapshot::Load(location_);
  auto restored = RestoreToVersion(location_, 1);
  ASSERT_TRUE(restored.ok()) << restored.status().ToString();
  EXPECT_EQ(restored->version, 4);
  EXPECT_EQ(restored->restored_version, 1);
  EXPECT_EQ(restored->num_restored_files, 2);
  EXPECT_EQ(restored->num_removed_files, static_cast<int64_t>(v3->files().size()));
  EXPECT_EQ(restored->num_files_after, 2);
  EXPECT_FALSE(restored->metadata_changed);
  EXPECT_FALSE(restored->protocol_changed);
  EXPECT_EQ(ReadIds(location_), Range(0, 20));

  // The commit re-adds with dataChange = true and records Spark's parameters and metrics.
  auto latest = *Snapshot::Load(location_);
  for (const auto& f : latest->files()) EXPECT_TRUE(f.data_change);
  auto history = History(location_, 1);
  ASSERT_TRUE(history.ok());
  const auto& entry = (*history)[0];
  EXPECT_EQ(entry.operation, "RESTORE");
  EXPECT_EQ(entry.operation_parameters.at("version"), "1");
  EXPECT_EQ(entry.operation_metrics.at("numRestoredFiles"), "2");
  EXPECT_EQ(entry.operation_metrics.at("numRemovedFiles"), std::to_string(v3->files().size()));
  EXPECT_EQ(entry.operation_metrics.at("tableSizeAfterRestore"), std::to_string(restored->table_size_after));
  EXPECT_EQ(entry.read_version, 3);

  // And back again to the state after the delete.
  auto again = RestoreToVersion(location_, 2);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(ReadIds(location_), Range(5, 15));
}

TEST_F(RestoreTest, RestoreToTimestamp) {
  WriteIds(0, 3);
  WriteIds(3, 3);
  WriteIds(6, 3);
  auto timestamps = Snapshot::CommitTimestamps(location_);
  ASSERT_TRUE(timestamps.ok());
  auto restored = RestoreToTimestamp(location_, (*timestamps)[1].timestamp_ms);
  ASSERT_TRUE(restored.ok()) << restored.status().ToString();
  EXPECT_EQ(restored->restored_version, 1);
  EXPECT_EQ(ReadIds(location_), Range(0, 6));
  auto history = History(location_, 1);
  ASSERT_TRUE(history.ok());
  EXPECT_EQ((*history)[0].operation_parameters.at("timestamp"), std::to_string((*timestamps)[1].timestamp_ms));

  auto too_early = RestoreToTimestamp(location_, (*timestamps)[0].timestamp_ms - 1000);
  ASSERT_FALSE(too_early.ok());
}

TEST_F(RestoreTest, MetadataRestoredProtocolNotDowngraded) {
  WriteIds(0, 4);  // v0: protocol 1/2, no properties
  auto v0 = *Snapshot::Load(location_);
  {
    // v1: turn on deletion vectors (protocol 3/7) and a property.
    auto txn = Transaction::ForSnapshot(v0);
    Metadata m = v0->metadata();
    m.configuration["delta.enableDeletionVectors"] = "true";
    txn->UpdateMetadata(m);
    txn->UpdateProtocol(UnionProtocol(v0->protocol(), ProtocolFor(m)));
    ASSERT_TRUE(txn->Commit("SET TBLPROPERTIES").ok());
  }
  auto v1 = *Snapshot::Load(location_);
  ASSERT_TRUE(FeatureEnabled(v1->protocol(), "deletionVectors"));

  auto restored = RestoreToVersion(location_, 0);
  ASSERT_TRUE(restored.ok()) << restored.status().ToString();
  EXPECT_TRUE(restored->metadata_changed);
  EXPECT_FALSE(restored->protocol_changed);
  auto latest = *Snapshot::Load(location_);
  EXPECT_FALSE(latest->metadata().Config("delta.enableDeletionVectors").has_value());
  EXPECT_TRUE(FeatureEnabled(latest->protocol(), "deletionVectors"));
  EXPECT_EQ(latest->protocol().min_writer_version, 7);
  EXPECT_EQ(ReadIds(location_), Range(0, 4));
}

TEST_F(RestoreTest, SchemaChangeIsUndone) {
  WriteIds(0, 2);  // v0: (id)
  auto schema = arrow::schema({arrow::field("id", arrow::int64()), arrow::field("name", arrow::utf8())});
  arrow::Int64Builder ids;
  arrow::StringBuilder names;
  ASSERT_TRUE(ids.Append(7).ok());
  ASSERT_TRUE(names.Append("seven").ok());
  auto batch = arrow::RecordBatch::Make(schema, 1, {*ids.Finish(), *names.Finish()});
  auto reader = *arrow::RecordBatchReader::Make({batch}, schema);
  WriteOptions options;
  options.merge_schema = true;
  ASSERT_TRUE(DeltaTable::Write(location_, *reader, options).ok());  // v1: (id, name)
  ASSERT_EQ((*Snapshot::Load(location_))->schema()->num_fields(), 2);

  auto restored = RestoreToVersion(location_, 0);
  ASSERT_TRUE(restored.ok()) << restored.status().ToString();
  EXPECT_TRUE(restored->metadata_changed);
  auto latest = *Snapshot::Load(location_);
  EXPECT_EQ(latest->schema()->num_fields(), 1);
  EXPECT_EQ(ReadIds(location_), Range(0, 2));
}

TEST_F(RestoreTest, FailsNamingVacuumedFile) {
  WriteIds(0, 5);                           // v0
  WriteIds(10, 5, SaveMode::kOverwrite);    // v1
  auto v0 = *Snapshot::Load(location_, 0);
  ASSERT_EQ(v0->files().size(), 1u);
  std::string gone = location_.DataPath(v0->files()[0].path);
  stdfs::remove(gone);  // what VACUUM would do after the overwrite

  auto restored = RestoreToVersion(location_, 0);
  ASSERT_FALSE(restored.ok());
  EXPECT_TRUE(restored.status().IsIOError());
  EXPECT_NE(restored.status().message().find(gone), std::string::npos) << restored.status().ToString();
  EXPECT_NE(restored.status().message().find("VACUUM"), std::string::npos);
  EXPECT_EQ((*Snapshot::Load(location_))->version(), 1);  // nothing committed
  EXPECT_EQ(ReadIds(location_), Range(10, 5));
}

TEST_F(RestoreTest, RejectsVersionsOutOfRange) {
  WriteIds(0, 1);
  WriteIds(1, 1);
  auto future = RestoreToVersion(location_, 5);
  ASSERT_FALSE(future.ok());
  EXPECT_NE(future.status().message().find("versions up to 1"), std::string::npos) << future.status().ToString();
  auto negative = RestoreToVersion(location_, -1);
  ASSERT_FALSE(negative.ok());
  EXPECT_EQ((*Snapshot::Load(location_))->version(), 1);
}

TEST_F(RestoreTest, SparkTableBackToOverwrite) {
  // v2 overwrote with ids 500..999; v3 (a Spark RESTORE) went back to v1.
  auto location = CopyCorpus("spark-golden/basic-with-inserts-overwrite-restore");
  auto restored = RestoreToVersion(location, 2);
  ASSERT_TRUE(restored.ok()) << restored.status().ToString();
  EXPECT_EQ(restored->version, 4);
  EXPECT_EQ(restored->num_restored_files, 2);
  EXPECT_EQ(restored->num_removed_files, 4);
  EXPECT_EQ(ReadIds(location), Range(500, 500));
}

TEST_F(RestoreTest, DeletionVectorsOfSamePath) {
  // One data file whose DV changes at v1, v2, v3: restoring swaps (path, dv) pairs.
  auto location = CopyCorpus("spark-golden/log-replay-dv-key-cases");
  auto v1 = *Snapshot::Load(location, 1);
  auto restored = RestoreToVersion(location, 1);
  ASSERT_TRUE(restored.ok()) << restored.status().ToString();
  EXPECT_EQ(restored->num_restored_files, 1);
  EXPECT_EQ(restored->num_removed_files, 1);
  auto latest = *Snapshot::Load(location);
  ASSERT_EQ(latest->files().size(), 1u);
  ASSERT_TRUE(latest->files()[0].deletion_vector.has_value());
  EXPECT_EQ(latest->files()[0].deletion_vector->UniqueId(), v1->files()[0].deletion_vector->UniqueId());
  EXPECT_EQ(ReadIds(location).size(), 49u);

  auto to_v0 = RestoreToVersion(location, 0);
  ASSERT_TRUE(to_v0.ok()) << to_v0.status().ToString();
  EXPECT_EQ(ReadIds(location), Range(0, 50));
}

TEST(UnionProtocolTest, Cases) {
  Protocol legacy;  // 1/2
  Protocol dv;
  dv.min_reader_version = 3;
  dv.min_writer_version = 7;
  dv.reader_features = std::vector<std::string>{"deletionVectors"};
  dv.writer_features = std::vector<std::string>{"deletionVectors"};
  Protocol u = UnionProtocol(dv, legacy);
  EXPECT_EQ(u.min_reader_version, 3);
  EXPECT_EQ(u.min_writer_version, 7);
  EXPECT_TRUE(u.HasReaderFeature("deletionVectors"));
  EXPECT_TRUE(u.HasWriterFeature("deletionVectors"));
  EXPECT_TRUE(u.HasWriterFeature("appendOnly"));
  EXPECT_TRUE(u.HasWriterFeature("invariants"));
  EXPECT_FALSE(u.HasWriterFeature("changeDataFeed"));

  Protocol mapping;  // 2/5: column mapping by legacy versions
  mapping.min_reader_version = 2;
  mapping.min_writer_version = 5;
  Protocol both = UnionProtocol(mapping, dv);
  EXPECT_EQ(both.min_reader_version, 3);
  EXPECT_TRUE(both.HasReaderFeature("columnMapping"));
  EXPECT_TRUE(both.HasWriterFeature("columnMapping"));
  EXPECT_TRUE(both.HasWriterFeature("changeDataFeed"));
  EXPECT_TRUE(FeatureEnabled(both, "deletionVectors"));

  Protocol cdf;
  cdf.min_writer_version = 4;
  Protocol legacy_union = UnionProtocol(cdf, mapping);
  EXPECT_EQ(legacy_union.min_reader_version, 2);
  EXPECT_EQ(legacy_union.min_writer_version, 5);
  EXPECT_FALSE(legacy_union.reader_features.has_value());
  EXPECT_FALSE(legacy_union.writer_features.has_value());
}

}  // namespace
}  // namespace tidelake::delta
