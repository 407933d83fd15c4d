// The sinks on their own: BlackholeSink checks each batch as a table write would, counts its
// rows and keeps nothing.
#include <arrow/api.h>
#include <gtest/gtest.h>

#include <optional>
#include <vector>

#include "common/arrow_init.h"
#include "stream/sink.h"
#include "stream/sink_factory.h"

namespace tidelake::stream {
namespace {

std::shared_ptr<arrow::Table> Ints(const std::string& name, const std::shared_ptr<arrow::DataType>& type,
                                   const std::vector<std::optional<int64_t>>& values) {
  auto builder = arrow::MakeBuilder(type).ValueOrDie();
  for (const auto& v : values) {
    if (!v) {
      EXPECT_TRUE(builder->AppendNull().ok());
    } else if (type->id() == arrow::Type::INT32) {
      EXPECT_TRUE(static_cast<arrow::Int32Builder&>(*builder).Append(static_cast<int32_t>(*v)).ok());
    } else {
      EXPECT_TRUE(static_cast<arrow::Int64Builder&>(*builder).Append(*v).ok());
    }
  }
  return arrow::Table::Make(arrow::schema({arrow::field(name, type)}), {builder->Finish().ValueOrDie()});
}

class BlackholeSinkTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(EnsureArrowInitialized().ok()); }
};

TEST_F(BlackholeSinkTest, CountsTheRowsOfEachBatchAndKeepsNone) {
  BlackholeSink sink(arrow::schema({arrow::field("id", arrow::int64())}));
  auto first = sink.Write("query", 0, Ints("id", arrow::int64(), {1, 2, 3}));
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->rows_written, 3);
  EXPECT_FALSE(first->skipped);
  EXPECT_EQ(first->table_version, -1);  // no commit
  // Several chunks are one batch's rows.
  auto chunked = arrow::ConcatenateTables({Ints("id", arrow::int64(), {4}), Ints("id", arrow::int64(), {5, 6})});
  ASSERT_TRUE(chunked.ok());
  auto second = sink.Write("query", 1, *chunked);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(second->rows_written, 3);
  auto empty = sink.Write("query", 2, Ints("id", arrow::int64(), {}));
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->rows_written, 0);
}

TEST_F(BlackholeSinkTest, ChecksRowsAsATableWriteDoes) {
  BlackholeSink sink(arrow::schema({arrow::field("id", arrow::int64(), /*nullable=*/false)}));
  // A narrower integer fits.
  auto widened = sink.Write("query", 0, Ints("id", arrow::int32(), {1, 2}));
  ASSERT_TRUE(widened.ok()) << widened.status().ToString();
  EXPECT_EQ(widened->rows_written, 2);
  // A NULL in a NOT NULL column does not.
  auto nulls = sink.Write("query", 1, Ints("id", arrow::int64(), {1, std::nullopt}));
  ASSERT_FALSE(nulls.ok());
  EXPECT_EQ(nulls.status().message(), "column 'id' is NOT NULL but the data has 1 null value(s)");
  // Nor does a string.
  arrow::StringBuilder text;
  ASSERT_TRUE(text.Append("x").ok());
  auto strings = arrow::Table::Make(arrow::schema({arrow::field("id", arrow::utf8())}), {text.Finish().ValueOrDie()});
  auto mistyped = sink.Write("query", 2, strings);
  ASSERT_FALSE(mistyped.ok());
  EXPECT_EQ(mistyped.status().message(), "schema mismatch for column 'id': table has int64, data has string");
}

TEST(SinkFactoryTest, BlackholeIsTheSinkConnector) {
  EXPECT_TRUE(IsSinkConnector("blackhole"));
  EXPECT_TRUE(IsSinkConnector("BlackHole"));
  EXPECT_FALSE(IsSinkConnector("kafka"));
  EXPECT_EQ(SinkConnectorNames(), "'blackhole'");

  catalog::SourceDefinition table;
  table.name = catalog::TableName{"curated", "q0"};
  table.columns = arrow::schema({arrow::field("id", arrow::int64())});
  table.connector = "blackhole";
  EXPECT_TRUE(CheckSinkTable(table).ok());
  auto sink = MakeSink(table);
  ASSERT_TRUE(sink.ok()) << sink.status().ToString();
  EXPECT_NE(dynamic_cast<BlackholeSink*>(sink->get()), nullptr);

  table.options["rows-per-second"] = "5";
  std::string bad_option;
  auto with_option = CheckSinkTable(table, &bad_option);
  ASSERT_FALSE(with_option.ok());
  EXPECT_EQ(bad_option, "rows-per-second");

  table.options.clear();
  table.connector = "kafka";
  auto kafka = CheckSinkTable(table);
  ASSERT_FALSE(kafka.ok());
  EXPECT_NE(kafka.message().find("connector 'kafka' cannot be written"), std::string::npos) << kafka.message();
  EXPECT_FALSE(MakeSink(table).ok());
}

}  // namespace
}  // namespace tidelake::stream
