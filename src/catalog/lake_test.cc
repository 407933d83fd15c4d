#include "catalog/lake.h"

#include <arrow/api.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "delta/table.h"

namespace tidelake::catalog {
namespace {

namespace fs = std::filesystem;

class LakeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("tidelake-lake-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    lake_ = Lake::Open(dir_.string()).ValueOrDie();
  }
  void TearDown() override { fs::remove_all(dir_); }

  void MakeTable(const std::string& name) {
    auto location = lake_->Resolve(name).ValueOrDie();
    auto schema = arrow::schema({arrow::field("id", arrow::int64())});
    arrow::Int64Builder ids;
    ASSERT_TRUE(ids.Append(1).ok());
    auto batch = arrow::RecordBatch::Make(schema, 1, {ids.Finish().ValueOrDie()});
    auto reader = arrow::RecordBatchReader::Make({batch}, schema).ValueOrDie();
    ASSERT_TRUE(delta::DeltaTable::Write(location, *reader, {}).ok());
  }

  static TableName Name(const std::string& text) { return TableName::Parse(text).ValueOrDie(); }

  fs::path dir_;
  std::shared_ptr<Lake> lake_;
};

TEST_F(LakeTest, OpenCreatesZonesAndListsTables) {
  for (auto zone : kZones) EXPECT_TRUE(fs::is_directory(dir_ / zone));
  MakeTable("refined.b");
  MakeTable("raw.a");
  EXPECT_EQ(lake_->ListTables().ValueOrDie(), (std::vector<std::string>{"raw.a", "refined.b"}));
  EXPECT_EQ(lake_->ListTables("raw").ValueOrDie(), (std::vector<std::string>{"raw.a"}));
  EXPECT_FALSE(lake_->ListTables("../etc").ok());
}

TEST_F(LakeTest, ViewsAreStoredListedReplacedAndDropped) {
  ASSERT_TRUE(lake_->CreateView(Name("curated.v"), "SELECT 1 AS one", {"x"}, false).ok());
  auto view = lake_->FindView(Name("curated.v")).ValueOrDie();
  ASSERT_TRUE(view);
  EXPECT_EQ(view->name, "curated.v");
  EXPECT_EQ(view->sql, "SELECT 1 AS one");
  EXPECT_EQ(view->columns, (std::vector<std::string>{"x"}));
  auto again = lake_->CreateView(Name("curated.v"), "SELECT 2", {}, false);
  EXPECT_EQ(again.message(), "view 'curated.v' already exists (use CREATE OR REPLACE VIEW)");
  ASSERT_TRUE(lake_->CreateView(Name("curated.v"), "SELECT 2", {}, true).ok());
  EXPECT_EQ(lake_->FindView(Name("curated.v")).ValueOrDie()->sql, "SELECT 2");
  EXPECT_EQ(lake_->ListViews().ValueOrDie(), (std::vector<std::string>{"curated.v"}));
  EXPECT_TRUE(lake_->ListTables().ValueOrDie().empty());  // a view is not a table
  ASSERT_TRUE(lake_->DropView(Name("curated.v")).ok());
  EXPECT_FALSE(lake_->FindView(Name("curated.v")).ValueOrDie());
  EXPECT_TRUE(lake_->DropView(Name("curated.v")).IsKeyError());
}

TEST_F(LakeTest, AViewCannotTakeATablesName) {
  MakeTable("raw.t");
  auto status = lake_->CreateView(Name("raw.t"), "SELECT 1", {}, true);
  EXPECT_EQ(status.message(), "'raw.t' is a table, not a view");
}

TEST_F(LakeTest, SourcesAreStoredListedAndDroppedAndShareNamesWithTablesAndViews) {
  SourceDefinition source;
  source.name = Name("raw.events");
  source.columns = arrow::schema({arrow::field("id", arrow::int64(), /*nullable=*/false),
                                  arrow::field("ts", arrow::timestamp(arrow::TimeUnit::MICRO, "UTC")),
                                  arrow::field("amount", arrow::decimal128(10, 2))});
  source.connector = "kafka";
  source.options = {{"topic", "events"}, {"properties.bootstrap.servers", "h:9092"}};
  source.watermark = SourceWatermark{"ts", 5000000};
  ASSERT_TRUE(lake_->CreateSource(source).ok());
  auto found = lake_->FindSource(Name("raw.events")).ValueOrDie();
  ASSERT_TRUE(found);
  EXPECT_EQ(found->name.ToString(), "raw.events");
  EXPECT_TRUE(found->columns->Equals(*source.columns));
  EXPECT_EQ(found->connector, "kafka");
  EXPECT_EQ(found->options, source.options);
  ASSERT_TRUE(found->watermark);
  EXPECT_EQ(found->watermark->column, "ts");
  EXPECT_EQ(found->watermark->delay_us, 5000000);
  EXPECT_FALSE(lake_->FindSource(Name("raw.other")).ValueOrDie());
  EXPECT_EQ(lake_->CreateSource(source).message(), "source 'raw.events' already exists");

  // One name, one object in a zone: sources, tables and views.
  EXPECT_EQ(lake_->CreateView(Name("raw.events"), "SELECT 1", {}, true).message(),
            "'raw.events' is a source, not a view");
  EXPECT_EQ(lake_->RegisterExternalTable(Name("raw.events"), (dir_ / "elsewhere").string()).message(),
            "'raw.events' is a source");
  MakeTable("raw.t");
  source.name = Name("raw.t");
  EXPECT_EQ(lake_->CreateSource(source).message(), "'raw.t' is a table");
  ASSERT_TRUE(lake_->CreateView(Name("curated.v"), "SELECT 1", {}, false).ok());
  source.name = Name("curated.v");
  EXPECT_EQ(lake_->CreateSource(source).message(), "'curated.v' is a view");

  source.name = Name("curated.clicks");
  source.watermark.reset();
  ASSERT_TRUE(lake_->CreateSource(source).ok());
  EXPECT_FALSE(lake_->FindSource(Name("curated.clicks")).ValueOrDie()->watermark);
  EXPECT_EQ(lake_->ListSources().ValueOrDie(), (std::vector<std::string>{"curated.clicks", "raw.events"}));
  EXPECT_EQ(lake_->ListSources("raw").ValueOrDie(), (std::vector<std::string>{"raw.events"}));
  EXPECT_EQ(lake_->ListTables().ValueOrDie(), (std::vector<std::string>{"raw.t"}));
  ASSERT_TRUE(lake_->DropSource(Name("raw.events")).ok());
  EXPECT_TRUE(lake_->DropSource(Name("raw.events")).IsKeyError());
  EXPECT_EQ(lake_->ListSources().ValueOrDie(), (std::vector<std::string>{"curated.clicks"}));

  std::ofstream(dir_ / "curated" / ".sources" / "clicks.json") << R"({"format": 1, "connector": "kafka"})";
  auto corrupt = lake_->FindSource(Name("curated.clicks"));
  ASSERT_FALSE(corrupt.ok());
  EXPECT_NE(corrupt.status().message().find("the definition of source 'curated.clicks' ("), std::string::npos);
  EXPECT_NE(corrupt.status().message().find(") is corrupt: no columns"), std::string::npos);
}

TEST_F(LakeTest, ACorruptViewIsReported) {
  fs::create_directories(dir_ / "raw" / ".views");
  std::ofstream(dir_ / "raw" / ".views" / "bad.json") << "{not json";
  auto view = lake_->FindView(Name("raw.bad"));
  ASSERT_FALSE(view.ok());
  EXPECT_NE(view.status().message().find("view 'raw.bad'"), std::string::npos);
}

TEST_F(LakeTest, ExternalTablesResolveToTheirLocationAndAreListed) {
  fs::path elsewhere = dir_.string() + "-elsewhere";
  fs::remove_all(elsewhere);
  MakeTable("delta.`" + elsewhere.string() + "`");
  ASSERT_TRUE(lake_->RegisterExternalTable(Name("refined.ext"), elsewhere.string()).ok());
  EXPECT_EQ(lake_->ExternalLocation(Name("refined.ext")).ValueOrDie(), elsewhere.string());
  EXPECT_FALSE(lake_->ExternalLocation(Name("refined.other")).ValueOrDie());

  auto location = lake_->Resolve("refined.ext").ValueOrDie();
  EXPECT_EQ(location.root, elsewhere.string());
  EXPECT_EQ(location.display_name, "refined.ext");
  EXPECT_TRUE(delta::DeltaTable::Exists(location).ValueOrDie());
  MakeTable("raw.a");
  EXPECT_EQ(lake_->ListTables().ValueOrDie(), (std::vector<std::string>{"raw.a", "refined.ext"}));

  // A name is one thing: a managed table, an external table or a view.
  EXPECT_EQ(lake_->RegisterExternalTable(Name("refined.ext"), "/x").message(), "table 'refined.ext' already exists");
  EXPECT_EQ(lake_->RegisterExternalTable(Name("raw.a"), "/x").message(), "table 'raw.a' already exists");
  EXPECT_EQ(lake_->CreateView(Name("refined.ext"), "SELECT 1", {}, true).message(),
            "'refined.ext' is a table, not a view");
  ASSERT_TRUE(lake_->CreateView(Name("raw.v"), "SELECT 1", {}, false).ok());
  EXPECT_EQ(lake_->RegisterExternalTable(Name("raw.v"), "/x").message(), "'raw.v' is a view");

  // Forgetting the name keeps the data.
  ASSERT_TRUE(lake_->UnregisterExternalTable(Name("refined.ext")).ok());
  EXPECT_EQ(lake_->Resolve("refined.ext").ValueOrDie().root, (dir_ / "refined" / "ext").string());
  EXPECT_TRUE(fs::exists(elsewhere / "_delta_log"));
  EXPECT_TRUE(lake_->UnregisterExternalTable(Name("refined.ext")).IsKeyError());
  EXPECT_EQ(lake_->ListTables().ValueOrDie(), (std::vector<std::string>{"raw.a"}));

  fs::create_directories(dir_ / "raw" / ".external");
  std::ofstream(dir_ / "raw" / ".external" / "bad.json") << "[1]";
  auto bad = lake_->Resolve("raw.bad");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("external table 'raw.bad'"), std::string::npos);
  fs::remove_all(elsewhere);
}

TEST_F(LakeTest, StatisticsAreStoredReadBackReplacedAndDropped) {
  MakeTable("raw.t");
  EXPECT_FALSE(lake_->ReadStatistics(Name("raw.t")).ValueOrDie());

  Lake::TableStatistics stats;
  stats.table_version = 3;
  stats.computed_at_ms = 1700000000123;
  stats.row_count = 42;
  stats.size_in_bytes = 4096;
  stats.num_files = 2;
  Lake::ColumnStatistics id{.name = "Id", .data_type = "long"};
  id.distinct_count = 40;
  id.null_count = 2;
  id.min = "-7";
  id.max = "9000000000";
  Lake::ColumnStatistics name{.name = "name", .data_type = "string"};
  name.null_count = 0;
  name.avg_length = 4.25;
  name.max_length = 11;
  stats.columns = {id, name};
  ASSERT_TRUE(lake_->WriteStatistics(Name("raw.t"), stats).ok());
  EXPECT_TRUE(fs::is_regular_file(dir_ / "raw" / ".stats" / "t.json"));

  auto read = lake_->ReadStatistics(Name("raw.t")).ValueOrDie();
  ASSERT_TRUE(read);
  EXPECT_EQ(read->table_version, 3);
  EXPECT_EQ(read->computed_at_ms, 1700000000123);
  EXPECT_EQ(read->row_count, 42);
  EXPECT_EQ(read->size_in_bytes, 4096);
  EXPECT_EQ(read->num_files, 2);
  ASSERT_EQ(read->columns.size(), 2u);
  EXPECT_EQ(read->columns[0].name, "Id");
  EXPECT_EQ(read->columns[0].data_type, "long");
  EXPECT_EQ(read->columns[0].distinct_count, 40);
  EXPECT_EQ(read->columns[0].null_count, 2);
  EXPECT_EQ(read->columns[0].min, "-7");
  EXPECT_EQ(read->columns[0].max, "9000000000");
  EXPECT_FALSE(read->columns[0].avg_length);
  EXPECT_FALSE(read->columns[1].distinct_count);
  EXPECT_FALSE(read->columns[1].min);
  EXPECT_DOUBLE_EQ(*read->columns[1].avg_length, 4.25);
  EXPECT_EQ(read->columns[1].max_length, 11);

  // NOSCAN statistics have no row count; writing replaces what was there.
  Lake::TableStatistics noscan;
  noscan.table_version = 4;
  noscan.size_in_bytes = 10;
  ASSERT_TRUE(lake_->WriteStatistics(Name("raw.t"), noscan).ok());
  read = lake_->ReadStatistics(Name("raw.t")).ValueOrDie();
  EXPECT_EQ(read->table_version, 4);
  EXPECT_FALSE(read->row_count);
  EXPECT_TRUE(read->columns.empty());

  // Statistics are not tables or views.
  EXPECT_EQ(lake_->ListTables().ValueOrDie(), (std::vector<std::string>{"raw.t"}));
  EXPECT_TRUE(lake_->ListViews().ValueOrDie().empty());

  ASSERT_TRUE(lake_->DropStatistics(Name("raw.t")).ok());
  EXPECT_FALSE(lake_->ReadStatistics(Name("raw.t")).ValueOrDie());
  EXPECT_TRUE(lake_->DropStatistics(Name("raw.t")).ok());  // nothing to drop is fine
}

TEST_F(LakeTest, CorruptStatisticsNameTheTableAndTheFix) {
  fs::create_directories(dir_ / "raw" / ".stats");
  for (std::string text : {"{not json", "[]", R"({"format": 1})", R"({"format": 99, "tableVersion": 1})",
                           R"({"format": 1, "tableVersion": 1, "rowCount": "many"})",
                           R"({"format": 1, "tableVersion": 1, "columns": [{"name": "a", "nullCount": 1.5}]})",
                           R"({"format": 1, "tableVersion": 1, "columns": [{"nullCount": 1}]})"}) {
    std::ofstream(dir_ / "raw" / ".stats" / "bad.json", std::ios::trunc) << text;
    auto read = lake_->ReadStatistics(Name("raw.bad"));
    ASSERT_FALSE(read.ok()) << text;
    EXPECT_NE(read.status().message().find("the statistics of table 'raw.bad'"), std::string::npos) << text;
    EXPECT_NE(read.status().message().find("run ANALYZE TABLE again"), std::string::npos) << text;
  }
}

}  // namespace
}  // namespace tidelake::catalog
