#include "session/statistics.h"

#include <arrow/api.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "tidelake/session.h"

namespace tidelake::session {
namespace {

namespace fs = std::filesystem;

TEST(StatisticText, RoundTripsEveryOrderedType) {
  std::vector<std::shared_ptr<arrow::Scalar>> values = {
      arrow::MakeScalar(int64_t{-9000000000}),
      arrow::MakeScalar(int32_t{7}),
      std::make_shared<arrow::Int8Scalar>(-128),
      arrow::MakeScalar(2.5),
      arrow::MakeScalar(-1e-300),
      std::make_shared<arrow::FloatScalar>(0.1f),
      std::make_shared<arrow::BooleanScalar>(false),
      std::make_shared<arrow::Decimal128Scalar>(arrow::Decimal128(-325), arrow::decimal128(12, 2)),
      std::make_shared<arrow::Date32Scalar>(19753),
      std::make_shared<arrow::TimestampScalar>(1704103200500000, arrow::timestamp(arrow::TimeUnit::MICRO, "UTC")),
      std::make_shared<arrow::TimestampScalar>(-1, arrow::timestamp(arrow::TimeUnit::MICRO)),
  };
  for (const auto& value : values) {
    auto text = StatisticText(value);
    ASSERT_TRUE(text) << value->ToString();
    auto back = StatisticValue(*text, value->type);
    ASSERT_TRUE(back) << *text << " as " << value->type->ToString();
    EXPECT_TRUE(back->Equals(*value)) << *text << " read back as " << back->ToString();
  }
  EXPECT_FALSE(StatisticText(arrow::MakeNullScalar(arrow::int32())));
  EXPECT_FALSE(StatisticText(nullptr));
  EXPECT_EQ(StatisticValue("not a number", arrow::int64()), nullptr);
}

class PlannerStatisticsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("tidelake-stats-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    session_ = Session::Open(dir_.string()).ValueOrDie();
    lake_ = catalog::Lake::Open(dir_.string()).ValueOrDie();
  }
  void TearDown() override { fs::remove_all(dir_); }

  void Run(const std::string& sql) {
    auto result = session_->Execute(sql);
    ASSERT_TRUE(result.ok()) << sql << ": " << result.status().ToString();
    if (result->rows) {
      ASSERT_TRUE(result->rows->ToTable().ok());
    }
  }

  std::shared_ptr<delta::Snapshot> Snapshot(std::optional<int64_t> version = std::nullopt) {
    return delta::Snapshot::Load(lake_->Resolve("raw.t").ValueOrDie(), version).ValueOrDie();
  }

  std::optional<catalog::Lake::TableStatistics> Stored() {
    return lake_->ReadStatistics(catalog::TableName::Parse("raw.t").ValueOrDie()).ValueOrDie();
  }

  fs::path dir_;
  std::unique_ptr<Session> session_;
  std::shared_ptr<catalog::Lake> lake_;
};

TEST_F(PlannerStatisticsTest, UnanalyzedTablesGetTheLogsRowCount) {
  Run("CREATE TABLE raw.t (id BIGINT, name STRING)");
  Run("INSERT INTO raw.t VALUES (1, 'a'), (2, 'b'), (3, NULL)");
  Run("INSERT INTO raw.t VALUES (4, 'd')");
  auto snapshot = Snapshot();
  auto stats = PlannerStatistics(*snapshot, nullptr);
  EXPECT_EQ(stats.table_version, 2);
  EXPECT_EQ(stats.row_count, 4);
  EXPECT_EQ(stats.size_in_bytes, snapshot->SizeInBytes());
  EXPECT_GT(*stats.size_in_bytes, 0);
  EXPECT_EQ(stats.analyzed_version, -1);
  EXPECT_TRUE(stats.columns.empty());
}

TEST_F(PlannerStatisticsTest, AnalyzedColumnsAreTypedAndGoStaleWithTheTable) {
  Run("CREATE TABLE raw.t (id BIGINT, amount DECIMAL(10,2), day DATE, at TIMESTAMP, name STRING, tags ARRAY<INT>)");
  Run("INSERT INTO raw.t VALUES (5, 12.50, DATE '2024-01-31', TIMESTAMP '2024-01-01 10:00:00', 'ann', array(1)),"
      " (-2, -0.25, DATE '2023-12-01', TIMESTAMP '2023-01-01 00:00:00.25', NULL, NULL),"
      " (5, NULL, NULL, NULL, 'bobby', array())");
  Run("ANALYZE TABLE raw.t COMPUTE STATISTICS FOR ALL COLUMNS");
  auto stored = Stored();
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->table_version, 1);

  auto stats = PlannerStatistics(*Snapshot(), &*stored);
  EXPECT_EQ(stats.analyzed_version, 1);
  EXPECT_EQ(stats.row_count, 3);
  const auto& id = stats.columns.at("id");
  EXPECT_EQ(id.distinct_count, 2);
  EXPECT_EQ(id.null_count, 0);
  ASSERT_TRUE(id.min && id.max);
  EXPECT_TRUE(id.min->Equals(arrow::Int64Scalar(-2)));
  EXPECT_TRUE(id.max->Equals(arrow::Int64Scalar(5)));
  const auto& amount = stats.columns.at("amount");
  EXPECT_EQ(amount.null_count, 1);
  EXPECT_TRUE(amount.min->Equals(arrow::Decimal128Scalar(arrow::Decimal128(-25), arrow::decimal128(10, 2))));
  EXPECT_TRUE(amount.max->Equals(arrow::Decimal128Scalar(arrow::Decimal128(1250), arrow::decimal128(10, 2))));
  EXPECT_TRUE(stats.columns.at("day").max->Equals(arrow::Date32Scalar(19753)));
  EXPECT_TRUE(stats.columns.at("at").min->Equals(
      arrow::TimestampScalar(1672531200250000, arrow::timestamp(arrow::TimeUnit::MICRO, "UTC"))));
  const auto& name = stats.columns.at("name");
  EXPECT_EQ(name.distinct_count, 2);
  EXPECT_EQ(name.null_count, 1);
  EXPECT_EQ(name.min, nullptr);  // no min/max for strings, as in Spark
  EXPECT_DOUBLE_EQ(*name.avg_length, 4.0);
  EXPECT_EQ(name.max_length, 5);
  const auto& tags = stats.columns.at("tags");
  EXPECT_EQ(tags.null_count, 1);
  EXPECT_FALSE(tags.distinct_count);

  // A write: the row count follows the log; the column statistics stay, marked by their version.
  Run("INSERT INTO raw.t (id) VALUES (9), (10)");
  stats = PlannerStatistics(*Snapshot(), &*stored);
  EXPECT_EQ(stats.table_version, 2);
  EXPECT_EQ(stats.analyzed_version, 1);
  EXPECT_EQ(stats.row_count, 5);
  EXPECT_EQ(stats.columns.at("id").distinct_count, 2);

  // Time travel to the analyzed version sees the analyzed numbers.
  stats = PlannerStatistics(*Snapshot(1), &*stored);
  EXPECT_EQ(stats.table_version, 1);
  EXPECT_EQ(stats.row_count, 3);
}

TEST_F(PlannerStatisticsTest, ColumnsDroppedOrRetypedSinceAnalyzeAreLeftOut) {
  Run("CREATE TABLE raw.t (id BIGINT, name STRING)");
  Run("INSERT INTO raw.t VALUES (1, 'a')");
  catalog::Lake::TableStatistics stored;
  stored.table_version = 1;
  stored.row_count = 1;
  catalog::Lake::ColumnStatistics id{.name = "id", .data_type = "integer"};  // was int, now long
  id.min = "1";
  catalog::Lake::ColumnStatistics gone{.name = "gone", .data_type = "string"};
  catalog::Lake::ColumnStatistics name{.name = "name", .data_type = "string"};
  name.null_count = 0;
  stored.columns = {id, gone, name};
  auto stats = PlannerStatistics(*Snapshot(), &stored);
  EXPECT_EQ(stats.columns.size(), 1u);
  EXPECT_EQ(stats.columns.count("name"), 1u);
  EXPECT_EQ(stats.columns.at("name").null_count, 0);
}

}  // namespace
}  // namespace tidelake::session
