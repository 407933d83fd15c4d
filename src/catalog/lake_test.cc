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

TEST_F(LakeTest, ACorruptViewIsReported) {
  fs::create_directories(dir_ / "raw" / ".views");
  std::ofstream(dir_ / "raw" / ".views" / "bad.json") << "{not json";
  auto view = lake_->FindView(Name("raw.bad"));
  ASSERT_FALSE(view.ok());
  EXPECT_NE(view.status().message().find("view 'raw.bad'"), std::string::npos);
}

}  // namespace
}  // namespace tidelake::catalog
