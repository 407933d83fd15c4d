#ifndef TIDELAKE_TESTDATA_DIR
#define TIDELAKE_TESTDATA_DIR "/work/shared/testdata"
#endif

#include "delta/checkpoint_writer.h"

#include <arrow/array.h>
#include <arrow/filesystem/localfs.h>
#include <arrow/io/file.h>
#include <arrow/table.h>
#include <gtest/gtest.h>
#include <parquet/arrow/reader.h>
#include <parquet/file_reader.h>
#include <simdjson.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "delta/checkpoint_reader.h"
#include "delta/interval.h"
#include "delta/log_segment.h"

namespace tidelake::delta {
namespace {

const std::string kDeltaData = std::string(TIDELAKE_TESTDATA_DIR) + "/delta";
constexpr int64_t kDayMs = 86400LL * 1000;

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

class CheckpointWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    dir_ = (std::filesystem::temp_directory_path() /
            ("tidelake_checkpoint_writer_" + std::to_string(rd()) + std::to_string(rd())))
               .string();
    log_dir_ = dir_ + "/_delta_log";
    std::filesystem::create_directories(log_dir_);
    fs_ = std::make_shared<arrow::fs::LocalFileSystem>();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::vector<Action> ReadBack(int64_t version) {
    std::string path = ClassicCheckpointPath(log_dir_, version);
    Checkpoint checkpoint{version,
                          CheckpointKind::kClassic,
                          {LogFile{path, version, static_cast<int64_t>(std::filesystem::file_size(path)), 0}}};
    auto actions = ReadCheckpoint(*fs_, checkpoint, log_dir_);
    EXPECT_TRUE(actions.ok()) << actions.status().ToString();
    return actions.ok() ? *actions : std::vector<Action>{};
  }

  std::shared_ptr<arrow::Schema> ParquetSchema(int64_t version) {
    auto input = arrow::io::ReadableFile::Open(ClassicCheckpointPath(log_dir_, version));
    EXPECT_TRUE(input.ok());
    auto reader = parquet::arrow::OpenFile(*input, arrow::default_memory_pool());
    EXPECT_TRUE(reader.ok()) << reader.status().ToString();
    std::shared_ptr<arrow::Schema> schema;
    EXPECT_TRUE((*reader)->GetSchema(&schema).ok());
    return schema;
  }

  std::string dir_;
  std::string log_dir_;
  std::shared_ptr<arrow::fs::LocalFileSystem> fs_;
};

Protocol FeatureProtocol() {
  Protocol p;
  p.min_reader_version = 3;
  p.min_writer_version = 7;
  p.reader_features = std::vector<std::string>{"deletionVectors"};
  p.writer_features = std::vector<std::string>{"deletionVectors", "domainMetadata", "appendOnly"};
  return p;
}

Metadata TableMetadata() {
  Metadata m;
  m.id = "5f1e7a0c-9a5a-4a7e-8b1c-0123456789ab";
  m.name = "events";
  m.format.options = {{"compression", "snappy"}};
  m.schema_string =
      R"({"type":"struct","fields":[{"name":"id","type":"long","nullable":true,"metadata":{}},)"
      R"({"name":"day","type":"string","nullable":true,"metadata":{}}]})";
  m.partition_columns = {"day"};
  m.configuration = {{"delta.enableDeletionVectors", "true"},
                     {"delta.checkpointInterval", "10"}};
  m.created_time = 1700000000000;
  return m;
}

AddFile PartitionedAdd() {
  AddFile a;
  a.path = "day=2024-01-01/part-00000-a%20b.snappy.parquet";
  a.partition_values = {{"day", "2024-01-01"}, {"hour", std::nullopt}};
  a.size = 1234;
  a.modification_time = 1700000001000;
  a.data_change = false;
  a.stats = R"({"numRecords":10,"minValues":{"id":1},"maxValues":{"id":10},"nullCount":{"id":0}})";
  a.tags = StringMap{{"INSERTION_TIME", "1700000001000000"}, {"empty", std::nullopt}};
  DeletionVectorDescriptor dv;
  dv.storage_type = "u";
  dv.path_or_inline_dv = "ab^-aqEH.-t@S}K{vb[*k^";
  dv.offset = 4;
  dv.size_in_bytes = 40;
  dv.cardinality = 3;
  a.deletion_vector = dv;
  a.base_row_id = 100;
  a.default_row_commit_version = 2;
  return a;
}

AddFile PlainAdd() {
  AddFile a;
  a.path = "day=2024-01-02/part-00001.snappy.parquet";
  a.partition_values = {{"day", "2024-01-02"}};
  a.size = 99;
  a.modification_time = 1700000002000;
  DeletionVectorDescriptor dv;  // inline DV: no offset
  dv.storage_type = "i";
  dv.path_or_inline_dv = "wi5b=000010000siXQKl0rr91000f55c8Xg0@@D72lkbi5=-{L";
  dv.size_in_bytes = 36;
  dv.cardinality = 6;
  a.deletion_vector = dv;
  return a;
}

RemoveFile Tombstone() {
  RemoveFile r;
  r.path = "day=2023-12-31/part-00002.snappy.parquet";
  r.deletion_timestamp = 1700000003000;
  r.data_change = true;
  r.extended_file_metadata = true;
  r.partition_values = StringMap{{"day", "2023-12-31"}};
  r.size = 77;
  r.stats = R"({"numRecords":1})";  // not kept in checkpoints
  r.tags = StringMap{{"k", "v"}};     // not kept in checkpoints
  r.base_row_id = 7;
  r.default_row_commit_version = 1;
  return r;
}

std::vector<Action> SampleActions() {
  Txn txn;
  txn.app_id = "stream-1";
  txn.version = 42;
  txn.last_updated = 1700000004000;
  Txn txn2;
  txn2.app_id = "batch";
  txn2.version = 3;
  DomainMetadata domain;
  domain.domain = "delta.clustering";
  domain.configuration = R"({"clusteringColumns":[["id"]]})";
  return {FeatureProtocol(), TableMetadata(), txn,     txn2,     domain,
          PartitionedAdd(),  PlainAdd(),      Tombstone()};
}

// The field `name` of the add struct, or null.
std::shared_ptr<arrow::Field> AddField(const arrow::Schema& schema, const std::string& name) {
  return static_cast<const arrow::StructType&>(*schema.GetFieldByName("add")->type())
      .GetFieldByName(name);
}

template <typename T>
std::vector<T> OfType(const std::vector<Action>& actions) {
  std::vector<T> out;
  for (const auto& a : actions) {
    if (const auto* t = std::get_if<T>(&a)) out.push_back(*t);
  }
  return out;
}

std::vector<std::string> SortedJson(const std::vector<Action>& actions) {
  std::vector<std::string> out;
  for (const auto& a : actions) out.push_back(ToJson(a));
  std::sort(out.begin(), out.end());
  return out;
}

void ExpectSameAdd(const AddFile& want, const AddFile& got) {
  EXPECT_EQ(got.path, want.path);
  EXPECT_EQ(got.partition_values, want.partition_values);
  EXPECT_EQ(got.size, want.size);
  EXPECT_EQ(got.modification_time, want.modification_time);
  EXPECT_EQ(got.data_change, want.data_change);
  EXPECT_EQ(got.stats, want.stats);
  EXPECT_EQ(got.tags, want.tags);
  EXPECT_EQ(got.deletion_vector, want.deletion_vector);
  EXPECT_EQ(got.base_row_id, want.base_row_id);
  EXPECT_EQ(got.default_row_commit_version, want.default_row_commit_version);
  EXPECT_EQ(got.clustering_provider, want.clustering_provider);
}

TEST_F(CheckpointWriterTest, RoundTripsEveryFieldThroughReadCheckpoint) {
  std::vector<Action> actions = SampleActions();
  auto result = WriteCheckpoint(*fs_, log_dir_, 5, actions);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->version, 5);
  EXPECT_EQ(result->num_actions, 8);
  EXPECT_EQ(result->num_add_files, 2);
  EXPECT_EQ(result->size_in_bytes,
            static_cast<int64_t>(std::filesystem::file_size(ClassicCheckpointPath(log_dir_, 5))));

  std::vector<Action> back = ReadBack(5);
  ASSERT_EQ(back.size(), actions.size());

  auto protocols = OfType<Protocol>(back);
  ASSERT_EQ(protocols.size(), 1u);
  EXPECT_EQ(protocols[0].min_reader_version, 3);
  EXPECT_EQ(protocols[0].min_writer_version, 7);
  EXPECT_EQ(protocols[0].reader_features, FeatureProtocol().reader_features);
  EXPECT_EQ(protocols[0].writer_features, FeatureProtocol().writer_features);

  auto metadata = OfType<Metadata>(back);
  ASSERT_EQ(metadata.size(), 1u);
  Metadata want_m = TableMetadata();
  EXPECT_EQ(metadata[0].id, want_m.id);
  EXPECT_EQ(metadata[0].name, want_m.name);
  EXPECT_EQ(metadata[0].description, std::nullopt);
  EXPECT_EQ(metadata[0].format.provider, "parquet");
  EXPECT_EQ(metadata[0].format.options, want_m.format.options);
  EXPECT_EQ(metadata[0].schema_string, want_m.schema_string);
  EXPECT_EQ(metadata[0].partition_columns, want_m.partition_columns);
  EXPECT_EQ(metadata[0].configuration, want_m.configuration);
  EXPECT_EQ(metadata[0].created_time, want_m.created_time);

  auto txns = OfType<Txn>(back);
  ASSERT_EQ(txns.size(), 2u);
  std::sort(txns.begin(), txns.end(), [](auto& a, auto& b) { return a.app_id < b.app_id; });
  EXPECT_EQ(txns[0].app_id, "batch");
  EXPECT_EQ(txns[0].version, 3);
  EXPECT_EQ(txns[0].last_updated, std::nullopt);
  EXPECT_EQ(txns[1].app_id, "stream-1");
  EXPECT_EQ(txns[1].version, 42);
  EXPECT_EQ(txns[1].last_updated, 1700000004000);

  auto domains = OfType<DomainMetadata>(back);
  ASSERT_EQ(domains.size(), 1u);
  EXPECT_EQ(domains[0].domain, "delta.clustering");
  EXPECT_EQ(domains[0].configuration, R"({"clusteringColumns":[["id"]]})");
  EXPECT_FALSE(domains[0].removed);

  auto adds = OfType<AddFile>(back);
  ASSERT_EQ(adds.size(), 2u);
  ExpectSameAdd(PartitionedAdd(), adds[0]);
  ExpectSameAdd(PlainAdd(), adds[1]);
  ASSERT_TRUE(adds[0].partition_values.count("hour"));
  EXPECT_EQ(adds[0].partition_values.at("hour"), std::nullopt);  // null partition value survives
  EXPECT_EQ(adds[1].tags, std::nullopt);
  EXPECT_EQ(adds[1].deletion_vector->offset, std::nullopt);

  auto removes = OfType<RemoveFile>(back);
  ASSERT_EQ(removes.size(), 1u);
  RemoveFile want_r = Tombstone();
  EXPECT_EQ(removes[0].path, want_r.path);
  EXPECT_EQ(removes[0].deletion_timestamp, want_r.deletion_timestamp);
  EXPECT_EQ(removes[0].data_change, want_r.data_change);
  EXPECT_EQ(removes[0].extended_file_metadata, want_r.extended_file_metadata);
  EXPECT_EQ(removes[0].partition_values, want_r.partition_values);
  EXPECT_EQ(removes[0].size, want_r.size);
  EXPECT_EQ(removes[0].base_row_id, want_r.base_row_id);
  EXPECT_EQ(removes[0].default_row_commit_version, want_r.default_row_commit_version);
  EXPECT_EQ(removes[0].deletion_vector, std::nullopt);
  // The protocol: tombstones in a checkpoint carry neither stats nor tags.
  EXPECT_EQ(removes[0].stats, std::nullopt);
  EXPECT_EQ(removes[0].tags, std::nullopt);
}

TEST_F(CheckpointWriterTest, WritesLastCheckpointAndLeavesNoTemporaryFiles) {
  auto result = WriteCheckpoint(*fs_, log_dir_, 12, SampleActions());
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  std::string text = ReadAll(log_dir_ + "/_last_checkpoint");
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  ASSERT_EQ(parser.parse(text).get(root), simdjson::SUCCESS) << text;
  EXPECT_EQ(int64_t(root["version"]), 12);
  EXPECT_EQ(int64_t(root["size"]), 8);
  EXPECT_EQ(int64_t(root["numOfAddFiles"]), 2);
  EXPECT_EQ(int64_t(root["sizeInBytes"]),
            static_cast<int64_t>(std::filesystem::file_size(ClassicCheckpointPath(log_dir_, 12))));
  EXPECT_EQ(text, LastCheckpointJson(*result));

  // A second checkpoint replaces the pointer; only final names remain in the log.
  ASSERT_TRUE(WriteCheckpoint(*fs_, log_dir_, 13, SampleActions()).ok());
  ASSERT_TRUE(parser.parse(ReadAll(log_dir_ + "/_last_checkpoint")).get(root) == simdjson::SUCCESS);
  EXPECT_EQ(int64_t(root["version"]), 13);
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(log_dir_)) {
    names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"00000000000000000012.checkpoint.parquet",
                                             "00000000000000000013.checkpoint.parquet",
                                             "_last_checkpoint"}));
  // The listing sees both as complete classic checkpoints.
  auto listing = ListLog(*fs_, log_dir_);
  ASSERT_TRUE(listing.ok());
  ASSERT_EQ(listing->checkpoints.size(), 2u);
  EXPECT_EQ(listing->checkpoints[1].version, 13);
  EXPECT_EQ(listing->checkpoints[1].kind, CheckpointKind::kClassic);
}

TEST_F(CheckpointWriterTest, ParquetSchemaHasSparkFieldNamesAndTypes) {
  ASSERT_TRUE(WriteCheckpoint(*fs_, log_dir_, 1, SampleActions()).ok());
  auto schema = ParquetSchema(1);
  ASSERT_NE(schema, nullptr);
  std::vector<std::string> top;
  for (const auto& f : schema->fields()) {
    top.push_back(f->name());
    EXPECT_TRUE(f->nullable()) << f->name();
    EXPECT_EQ(f->type()->id(), arrow::Type::STRUCT) << f->name();
  }
  EXPECT_EQ(top, (std::vector<std::string>{"txn", "add", "remove", "metaData", "protocol",
                                           "domainMetadata"}));
  auto string_map = arrow::map(arrow::utf8(), arrow::utf8());
  auto string_list = arrow::list(arrow::field("element", arrow::utf8()));
  auto type_of = [&](const std::string& column, const std::string& dotted) {
    auto f = schema->GetFieldByName(column);
    std::shared_ptr<arrow::DataType> type = f->type();
    std::stringstream path(dotted);
    std::string part;
    while (std::getline(path, part, '.')) {
      auto child = static_cast<const arrow::StructType&>(*type).GetFieldByName(part);
      if (child == nullptr) return std::shared_ptr<arrow::DataType>();
      type = child->type();
    }
    return type;
  };
  auto expect_type = [&](const std::string& column, const std::string& dotted,
                         const std::shared_ptr<arrow::DataType>& want) {
    auto got = type_of(column, dotted);
    ASSERT_NE(got, nullptr) << column << "." << dotted << " is missing";
    // Map entry names differ between writers and Arrow versions; compare the shape.
    if (want->id() == arrow::Type::MAP) {
      ASSERT_EQ(got->id(), arrow::Type::MAP) << column << "." << dotted;
      const auto& map = static_cast<const arrow::MapType&>(*got);
      EXPECT_TRUE(map.key_type()->Equals(arrow::utf8()));
      EXPECT_TRUE(map.item_type()->Equals(arrow::utf8()));
      EXPECT_TRUE(map.item_field()->nullable());
      return;
    }
    EXPECT_TRUE(got->Equals(want)) << column << "." << dotted << ": " << got->ToString();
  };
  expect_type("txn", "appId", arrow::utf8());
  expect_type("txn", "version", arrow::int64());
  expect_type("txn", "lastUpdated", arrow::int64());
  expect_type("add", "path", arrow::utf8());
  expect_type("add", "partitionValues", string_map);
  expect_type("add", "size", arrow::int64());
  expect_type("add", "modificationTime", arrow::int64());
  expect_type("add", "dataChange", arrow::boolean());
  expect_type("add", "stats", arrow::utf8());
  expect_type("add", "tags", string_map);
  expect_type("add", "deletionVector.storageType", arrow::utf8());
  expect_type("add", "deletionVector.pathOrInlineDv", arrow::utf8());
  expect_type("add", "deletionVector.offset", arrow::int32());
  expect_type("add", "deletionVector.sizeInBytes", arrow::int32());
  expect_type("add", "deletionVector.cardinality", arrow::int64());
  expect_type("add", "baseRowId", arrow::int64());
  expect_type("add", "defaultRowCommitVersion", arrow::int64());
  expect_type("remove", "path", arrow::utf8());
  expect_type("remove", "deletionTimestamp", arrow::int64());
  expect_type("remove", "dataChange", arrow::boolean());
  expect_type("remove", "extendedFileMetadata", arrow::boolean());
  expect_type("remove", "partitionValues", string_map);
  expect_type("remove", "size", arrow::int64());
  expect_type("remove", "deletionVector.offset", arrow::int32());
  EXPECT_EQ(type_of("remove", "stats"), nullptr);
  EXPECT_EQ(type_of("remove", "tags"), nullptr);
  EXPECT_EQ(type_of("add", "stats_parsed"), nullptr);
  expect_type("metaData", "id", arrow::utf8());
  expect_type("metaData", "name", arrow::utf8());
  expect_type("metaData", "description", arrow::utf8());
  expect_type("metaData", "format.provider", arrow::utf8());
  expect_type("metaData", "format.options", string_map);
  expect_type("metaData", "schemaString", arrow::utf8());
  expect_type("metaData", "partitionColumns", string_list);
  expect_type("metaData", "configuration", string_map);
  expect_type("metaData", "createdTime", arrow::int64());
  expect_type("protocol", "minReaderVersion", arrow::int32());
  expect_type("protocol", "minWriterVersion", arrow::int32());
  expect_type("protocol", "readerFeatures", string_list);
  expect_type("protocol", "writerFeatures", string_list);
  expect_type("domainMetadata", "domain", arrow::utf8());
  expect_type("domainMetadata", "configuration", arrow::utf8());
  expect_type("domainMetadata", "removed", arrow::boolean());

  // What the file holds is what CheckpointSchema promised.
  auto promised = CheckpointSchema(SampleActions());
  ASSERT_TRUE(promised.ok());
  EXPECT_TRUE(schema->Equals(**promised, /*check_metadata=*/false))
      << schema->ToString() << "\nvs\n" << (*promised)->ToString();

  // The file is snappy-compressed.
  auto file = parquet::ParquetFileReader::OpenFile(ClassicCheckpointPath(log_dir_, 1));
  auto meta = file->metadata();
  ASSERT_GE(meta->num_row_groups(), 1);
  EXPECT_EQ(meta->RowGroup(0)->ColumnChunk(0)->compression(), parquet::Compression::SNAPPY);
}

TEST_F(CheckpointWriterTest, SchemaDependsOnActionsAndTableProperties) {
  Protocol legacy;  // 1/2: no table features
  std::vector<Action> actions = {legacy, TableMetadata(), PlainAdd()};
  auto schema = CheckpointSchema(actions);
  ASSERT_TRUE(schema.ok());
  EXPECT_EQ((*schema)->GetFieldIndex("domainMetadata"), -1);
  EXPECT_NE(AddField(**schema, "stats"), nullptr);

  Metadata no_stats = TableMetadata();
  no_stats.configuration["delta.checkpoint.writeStatsAsJson"] = "FALSE";
  schema = CheckpointSchema({legacy, no_stats});
  ASSERT_TRUE(schema.ok());
  EXPECT_EQ(AddField(**schema, "stats"), nullptr);

  Metadata bad = TableMetadata();
  bad.configuration["delta.checkpoint.writeStatsAsJson"] = "maybe";
  schema = CheckpointSchema({legacy, bad});
  ASSERT_FALSE(schema.ok());
  EXPECT_NE(schema.status().message().find("delta.checkpoint.writeStatsAsJson"), std::string::npos);
  EXPECT_NE(schema.status().message().find("maybe"), std::string::npos);
}

TEST_F(CheckpointWriterTest, FeatureListsAreNullUnlessTheProtocolUsesTableFeatures) {
  Protocol legacy;  // 1/2, and a stray feature list that must not be written
  legacy.writer_features = std::vector<std::string>{"appendOnly"};
  auto table = CheckpointTable({legacy});
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  auto protocol = std::static_pointer_cast<arrow::StructArray>(
      (*table)->GetColumnByName("protocol")->chunk(0));
  EXPECT_TRUE(protocol->GetFieldByName("readerFeatures")->IsNull(0));
  EXPECT_TRUE(protocol->GetFieldByName("writerFeatures")->IsNull(0));

  Protocol v3;  // 3/7 without lists: the lists must be present (empty)
  v3.min_reader_version = 3;
  v3.min_writer_version = 7;
  table = CheckpointTable({v3});
  ASSERT_TRUE(table.ok());
  protocol = std::static_pointer_cast<arrow::StructArray>(
      (*table)->GetColumnByName("protocol")->chunk(0));
  EXPECT_FALSE(protocol->GetFieldByName("readerFeatures")->IsNull(0));
  EXPECT_FALSE(protocol->GetFieldByName("writerFeatures")->IsNull(0));
}

TEST_F(CheckpointWriterTest, TableHasOneNonNullColumnPerRow) {
  std::vector<Action> actions = SampleActions();
  auto table = CheckpointTable(actions);
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  ASSERT_TRUE((*table)->ValidateFull().ok());
  ASSERT_EQ((*table)->num_rows(), static_cast<int64_t>(actions.size()));
  const std::vector<std::string> expected = {"protocol", "metaData",       "txn", "txn",
                                             "domainMetadata", "add", "add", "remove"};
  for (int64_t row = 0; row < (*table)->num_rows(); ++row) {
    std::vector<std::string> non_null;
    for (int c = 0; c < (*table)->num_columns(); ++c) {
      if (!(*table)->column(c)->chunk(0)->IsNull(row)) non_null.push_back((*table)->field(c)->name());
    }
    EXPECT_EQ(non_null, std::vector<std::string>{expected[row]}) << "row " << row;
  }
}

TEST_F(CheckpointWriterTest, RefusesActionsAV1CheckpointCannotHold) {
  std::vector<Action> actions = SampleActions();
  CommitInfo info;
  info.json = R"({"operation":"WRITE"})";
  actions.push_back(info);
  auto table = CheckpointTable(actions);
  ASSERT_FALSE(table.ok());
  EXPECT_NE(table.status().message().find("commitInfo"), std::string::npos);

  actions = SampleActions();
  actions.push_back(AddCDCFile{});
  auto written = WriteCheckpoint(*fs_, log_dir_, 4, actions);
  ASSERT_FALSE(written.ok());
  EXPECT_NE(written.status().message().find("cdc"), std::string::npos);
  EXPECT_NE(written.status().message().find("version 4"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(ClassicCheckpointPath(log_dir_, 4)));
}

TEST_F(CheckpointWriterTest, RequiresExactlyOneProtocolAndMetadata) {
  auto written = WriteCheckpoint(*fs_, log_dir_, 9, {TableMetadata(), PlainAdd()});
  ASSERT_FALSE(written.ok());
  EXPECT_EQ(written.status().code(), arrow::StatusCode::Invalid);
  EXPECT_NE(written.status().message().find("version 9"), std::string::npos);
  EXPECT_NE(written.status().message().find("protocol"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(ClassicCheckpointPath(log_dir_, 9)));
  EXPECT_FALSE(std::filesystem::exists(log_dir_ + "/_last_checkpoint"));

  written = WriteCheckpoint(*fs_, log_dir_, -1, SampleActions());
  ASSERT_FALSE(written.ok());
}

TEST_F(CheckpointWriterTest, ReportsTheFileWhenTheLogDirectoryIsMissing) {
  auto written = WriteCheckpoint(*fs_, dir_ + "/nowhere/_delta_log", 3, SampleActions());
  ASSERT_FALSE(written.ok());
  EXPECT_NE(written.status().message().find("00000000000000000003.checkpoint.parquet"),
            std::string::npos)
      << written.status().ToString();
}

// A Spark checkpoint (partitioned, with deletion vectors) read, rewritten by us and read again
// gives the same actions.
TEST_F(CheckpointWriterTest, RewritesASparkCheckpointWithoutLoss) {
  const std::string table = kDeltaData + "/spark-golden/dv-partitioned-with-checkpoint";
  auto listing = ListLog(*fs_, table + "/_delta_log");
  ASSERT_TRUE(listing.ok()) << listing.status().ToString();
  ASSERT_FALSE(listing->checkpoints.empty());
  const Checkpoint& spark = listing->checkpoints.back();
  auto original = ReadCheckpoint(*fs_, spark, table + "/_delta_log");
  ASSERT_TRUE(original.ok()) << original.status().ToString();
  ASSERT_GT(original->size(), 3u);

  auto result = WriteCheckpoint(*fs_, log_dir_, spark.version, *original);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->num_actions, static_cast<int64_t>(original->size()));
  std::vector<Action> back = ReadBack(spark.version);
  EXPECT_EQ(SortedJson(back), SortedJson(*original));

  // Spark's _last_checkpoint for this checkpoint agrees on the counts.
  simdjson::dom::parser parser;
  simdjson::dom::element theirs;
  ASSERT_EQ(parser.parse(ReadAll(table + "/_delta_log/_last_checkpoint")).get(theirs),
            simdjson::SUCCESS);
  EXPECT_EQ(int64_t(theirs["size"]), result->num_actions);
  EXPECT_EQ(int64_t(theirs["numOfAddFiles"]), result->num_add_files);
}

// --- CheckpointActions ------------------------------------------------------------------------

TEST(CheckpointActionsTest, OrdersActionsAndMarksFilesAsNoDataChange) {
  Metadata metadata = TableMetadata();
  const int64_t now = 1700000000000;
  RemoveFile fresh = Tombstone();
  fresh.deletion_timestamp = now - kDayMs;
  std::map<std::string, Txn> txns = {{"app", Txn{"app", 5, std::nullopt}}};
  std::map<std::string, DomainMetadata> domains = {
      {"kept", DomainMetadata{"kept", "{}", false}},
      {"gone", DomainMetadata{"gone", "{}", true}}};
  AddFile add = PlainAdd();
  add.data_change = true;
  auto actions = CheckpointActions(FeatureProtocol(), metadata, {add}, {fresh}, txns, domains, now);
  ASSERT_EQ(actions.size(), 6u);
  EXPECT_TRUE(std::holds_alternative<Protocol>(actions[0]));
  EXPECT_TRUE(std::holds_alternative<Metadata>(actions[1]));
  EXPECT_TRUE(std::holds_alternative<Txn>(actions[2]));
  ASSERT_TRUE(std::holds_alternative<DomainMetadata>(actions[3]));
  EXPECT_EQ(std::get<DomainMetadata>(actions[3]).domain, "kept");  // removed domain dropped
  ASSERT_TRUE(std::holds_alternative<AddFile>(actions[4]));
  EXPECT_FALSE(std::get<AddFile>(actions[4]).data_change);
  EXPECT_EQ(std::get<AddFile>(actions[4]).path, add.path);
  ASSERT_TRUE(std::holds_alternative<RemoveFile>(actions[5]));
  EXPECT_FALSE(std::get<RemoveFile>(actions[5]).data_change);
}

std::vector<std::string> TombstonePaths(const std::vector<Action>& actions) {
  std::vector<std::string> paths;
  for (const auto& r : OfType<RemoveFile>(actions)) paths.push_back(r.path);
  return paths;
}

TEST(CheckpointActionsTest, DropsTombstonesPastTheDefaultOneWeekRetention) {
  const int64_t now = 1700000000000;
  auto tombstone = [](std::string path, std::optional<int64_t> ts) {
    RemoveFile r;
    r.path = std::move(path);
    r.deletion_timestamp = ts;
    return r;
  };
  std::vector<RemoveFile> tombstones = {
      tombstone("six-days", now - 6 * kDayMs), tombstone("eight-days", now - 8 * kDayMs),
      tombstone("exactly-a-week", now - 7 * kDayMs),
      tombstone("a-week-minus-1ms", now - 7 * kDayMs + 1), tombstone("no-timestamp", std::nullopt)};
  auto actions =
      CheckpointActions(Protocol{}, TableMetadata(), {}, tombstones, {}, {}, now);
  EXPECT_EQ(TombstonePaths(actions), (std::vector<std::string>{"six-days", "a-week-minus-1ms"}));

  Metadata longer = TableMetadata();
  longer.configuration["delta.deletedFileRetentionDuration"] = "interval 30 days";
  actions = CheckpointActions(Protocol{}, longer, {}, tombstones, {}, {}, now);
  EXPECT_EQ(TombstonePaths(actions),
            (std::vector<std::string>{"six-days", "eight-days", "exactly-a-week",
                                      "a-week-minus-1ms"}));

  Metadata hours = TableMetadata();
  hours.configuration["delta.deletedFileRetentionDuration"] = "interval 168 hours";
  actions = CheckpointActions(Protocol{}, hours, {}, tombstones, {}, {}, now);
  EXPECT_EQ(TombstonePaths(actions), (std::vector<std::string>{"six-days", "a-week-minus-1ms"}));

  Metadata bad = TableMetadata();  // unparsable: the one-week default applies
  bad.configuration["delta.deletedFileRetentionDuration"] = "interval 1 fortnight";
  actions = CheckpointActions(Protocol{}, bad, {}, tombstones, {}, {}, now);
  EXPECT_EQ(TombstonePaths(actions), (std::vector<std::string>{"six-days", "a-week-minus-1ms"}));
}

TEST(CheckpointActionsTest, DropsExpiredTxnsOnlyWhenARetentionIsSet) {
  const int64_t now = 1700000000000;
  std::map<std::string, Txn> txns = {{"old", Txn{"old", 1, now - 3 * kDayMs}},
                                     {"new", Txn{"new", 2, now - kDayMs}},
                                     {"undated", Txn{"undated", 3, std::nullopt}}};
  auto app_ids = [](const std::vector<Action>& actions) {
    std::vector<std::string> ids;
    for (const auto& t : OfType<Txn>(actions)) ids.push_back(t.app_id);
    return ids;
  };
  auto actions = CheckpointActions(Protocol{}, TableMetadata(), {}, {}, txns, {}, now);
  EXPECT_EQ(app_ids(actions), (std::vector<std::string>{"new", "old", "undated"}));

  Metadata metadata = TableMetadata();
  metadata.configuration["delta.setTransactionRetentionDuration"] = "interval 2 days";
  actions = CheckpointActions(Protocol{}, metadata, {}, {}, txns, {}, now);
  // Expired, and undated ones (nothing shows they are recent), are dropped, as Spark does.
  EXPECT_EQ(app_ids(actions), (std::vector<std::string>{"new"}));

  metadata.configuration["delta.setTransactionRetentionDuration"] = "interval 3 days";
  actions = CheckpointActions(Protocol{}, metadata, {}, {}, txns, {}, now);
  EXPECT_EQ(app_ids(actions), (std::vector<std::string>{"new"}));  // exactly 3 days: expired

  metadata.configuration["delta.setTransactionRetentionDuration"] = "interval 73 hours";
  actions = CheckpointActions(Protocol{}, metadata, {}, {}, txns, {}, now);
  EXPECT_EQ(app_ids(actions), (std::vector<std::string>{"new", "old"}));
}

// --- ParseIntervalMillis ----------------------------------------------------------------------

TEST(IntervalTest, ParsesSparkIntervalStrings) {
  auto ms = [](std::string_view text) {
    auto r = ParseIntervalMillis(text);
    EXPECT_TRUE(r.ok()) << text << ": " << r.status().ToString();
    return r.ok() ? *r : -1;
  };
  EXPECT_EQ(ms("interval 1 week"), 7 * kDayMs);
  EXPECT_EQ(ms("interval 7 days"), 7 * kDayMs);
  EXPECT_EQ(ms("interval 30 days"), 30 * kDayMs);
  EXPECT_EQ(ms("interval 168 hours"), 7 * kDayMs);
  EXPECT_EQ(ms("INTERVAL 2 Weeks"), 14 * kDayMs);
  EXPECT_EQ(ms("  interval   1 day  "), kDayMs);
  EXPECT_EQ(ms("1 day"), kDayMs);
  EXPECT_EQ(ms("interval 1 day 12 hours"), kDayMs + kDayMs / 2);
  EXPECT_EQ(ms("interval 90 minutes"), 90 * 60 * 1000);
  EXPECT_EQ(ms("interval 1.5 seconds"), 1500);
  EXPECT_EQ(ms("interval 250 milliseconds"), 250);
  EXPECT_EQ(ms("interval 2500 microseconds"), 2);
  EXPECT_EQ(ms("interval 0 days"), 0);
  EXPECT_EQ(ms("interval 1 day -1 hour"), 23 * 3600 * 1000);
  EXPECT_EQ(ms("interval +3 hours"), 3 * 3600 * 1000);
}

TEST(IntervalTest, RejectsMalformedIntervalsWithPreciseMessages) {
  auto error = [](std::string_view text) {
    auto r = ParseIntervalMillis(text);
    EXPECT_FALSE(r.ok()) << text << " parsed as " << (r.ok() ? *r : 0);
    EXPECT_EQ(r.status().code(), arrow::StatusCode::Invalid);
    return r.ok() ? std::string() : r.status().message();
  };
  EXPECT_NE(error("").find("expected"), std::string::npos);
  EXPECT_NE(error("interval").find("expected"), std::string::npos);
  EXPECT_NE(error("interval 7").find("no unit"), std::string::npos);
  EXPECT_NE(error("interval seven days").find("'seven' is not a number"), std::string::npos);
  EXPECT_NE(error("interval 1 fortnight").find("unknown unit 'fortnight'"), std::string::npos);
  EXPECT_NE(error("interval 1 month").find("months and years"), std::string::npos);
  EXPECT_NE(error("interval 2 years").find("months and years"), std::string::npos);
  EXPECT_NE(error("interval -1 day").find("negative"), std::string::npos);
  EXPECT_NE(error("interval 1.5 days").find("fraction"), std::string::npos);
  EXPECT_NE(error("interval 99999999999999999 weeks").find("too large"), std::string::npos);
  EXPECT_NE(error("interval 1 day 2").find("no unit"), std::string::npos);
  EXPECT_NE(error("interval 1x days").find("is not a number"), std::string::npos);
  // The whole value is quoted so the user can find the property.
  EXPECT_NE(error("interval 1 fortnight").find("'interval 1 fortnight'"), std::string::npos);
}

}  // namespace
}  // namespace tidelake::delta
