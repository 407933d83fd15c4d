#ifndef TIDELAKE_TESTDATA_DIR
#define TIDELAKE_TESTDATA_DIR "/work/shared/testdata"
#endif

// Tests of ParseStats, StatsGuarantee and MayMatch (the reading half of file_stats.h).

#include <arrow/api.h>
#include <arrow/compute/api.h>
#include <arrow/json/from_string.h>
#include <arrow/util/decimal.h>
#include <gtest/gtest.h>
#include <simdjson.h>

#include <filesystem>
#include <fstream>

#include "delta/file_stats.h"
#include "delta/file_stats_test_util.h"

namespace tidelake::delta {
namespace {

namespace cp = arrow::compute;
namespace fs = std::filesystem;

class FileStatsReadTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { ASSERT_TRUE(cp::Initialize().ok()); }
};

const auto kUtc = arrow::timestamp(arrow::TimeUnit::MICRO, "UTC");
const auto kNtz = arrow::timestamp(arrow::TimeUnit::MICRO);

FileStats Parse(std::string_view json, const arrow::Schema& schema,
                const ColumnNameFn& column_name = {}) {
  auto stats = ParseStats(json, schema, column_name);
  EXPECT_TRUE(stats.ok()) << stats.status().ToString() << "\n" << json;
  return stats.ok() ? *stats : FileStats{};
}

::testing::AssertionResult ScalarIs(const std::shared_ptr<arrow::Scalar>& actual,
                                    const arrow::Scalar& expected) {
  if (actual == nullptr) return ::testing::AssertionFailure() << "no value";
  if (!actual->Equals(expected)) {
    return ::testing::AssertionFailure()
           << actual->ToString() << " (" << actual->type->ToString()
           << ") != " << expected.ToString() << " (" << expected.type->ToString() << ")";
  }
  return ::testing::AssertionSuccess();
}

std::vector<std::string> ReadStatsStrings(const std::string& relative_table) {
  const std::string table = std::string(TIDELAKE_TESTDATA_DIR) + "/delta/" + relative_table;
  std::vector<std::string> commits;
  for (const auto& entry : fs::directory_iterator(table + "/_delta_log")) {
    if (entry.path().extension() == ".json") commits.push_back(entry.path().string());
  }
  std::sort(commits.begin(), commits.end());
  std::vector<std::string> out;
  simdjson::dom::parser parser;
  for (const auto& commit : commits) {
    std::ifstream in(commit);
    std::string line;
    while (std::getline(in, line)) {
      std::string_view stats;
      if (parser.parse(line)["add"]["stats"].get(stats) == simdjson::SUCCESS) {
        out.emplace_back(stats);
      }
    }
  }
  return out;
}

// --- ParseStats on real logs -------------------------------------------------------------

TEST_F(FileStatsReadTest, EdgeTimestampsOfDeltaRs) {
  arrow::Schema schema({arrow::field("BIG_DATE", kUtc), arrow::field("NORMAL_DATE", kUtc),
                        arrow::field("SOME_VALUE", arrow::int32())});
  auto strings = ReadStatsStrings("delta-rs/table_with_edge_timestamps");
  ASSERT_EQ(strings.size(), 2u);
  FileStats first = Parse(strings[0], schema);
  EXPECT_EQ(first.num_records, 1);
  EXPECT_TRUE(first.tight_bounds);
  ASSERT_EQ(first.columns.size(), 3u);
  const ColumnStats* big = first.Find({"BIG_DATE"});
  ASSERT_NE(big, nullptr);
  const int64_t year_9999 = 253402214400000000LL;  // 9999-12-31T00:00:00Z in microseconds
  EXPECT_TRUE(ScalarIs(big->min, arrow::TimestampScalar(year_9999, kUtc)));
  EXPECT_TRUE(ScalarIs(big->max, arrow::TimestampScalar(year_9999, kUtc)));
  EXPECT_EQ(big->null_count, 0);
  EXPECT_TRUE(ScalarIs(first.Find({"SOME_VALUE"})->max, arrow::Int32Scalar(1)));
}

TEST_F(FileStatsReadTest, TimestampNtzOfSpark) {
  arrow::Schema schema({arrow::field("id", arrow::int32()), arrow::field("tsNtz", kNtz),
                        arrow::field("tsNtzPartition", kNtz)});
  auto strings = ReadStatsStrings("spark-golden/data-reader-timestamp_ntz");
  ASSERT_FALSE(strings.empty());
  // {"numRecords":3,"minValues":{"id":0,"tsNtz":"2013-07-05T17:01:00.123"},...,
  //  "nullCount":{"id":0,"tsNtz":1}}
  FileStats stats = Parse(strings[1], schema);
  EXPECT_EQ(stats.num_records, 3);
  const ColumnStats* ts = stats.Find({"tsNtz"});
  ASSERT_NE(ts, nullptr);
  EXPECT_TRUE(ScalarIs(ts->min, arrow::TimestampScalar(1373043660123000LL, kNtz)));
  EXPECT_TRUE(ScalarIs(ts->max, arrow::TimestampScalar(1637202600123000LL, kNtz)));
  EXPECT_EQ(ts->null_count, 1);
  EXPECT_EQ(stats.Find({"tsNtzPartition"}), nullptr);  // partition columns have no stats
}

TEST_F(FileStatsReadTest, NestedStructsDecimalsAndNonMinMaxColumnsOfSpark) {
  arrow::Schema schema({
      arrow::field("integer", arrow::int32()),
      arrow::field("null", arrow::boolean()),
      arrow::field("boolean", arrow::boolean()),
      arrow::field("double", arrow::float64()),
      arrow::field("decimal", arrow::decimal128(8, 5)),
      arrow::field("string", arrow::utf8()),
      arrow::field("binary", arrow::binary()),
      arrow::field("date", arrow::date32()),
      arrow::field("timestamp", kUtc),
      arrow::field("struct", arrow::struct_({arrow::field("struct_element", arrow::utf8())})),
      arrow::field("map", arrow::map(arrow::utf8(), arrow::utf8())),
      arrow::field("array", arrow::list(arrow::utf8())),
      arrow::field("nested_struct",
                   arrow::struct_({arrow::field(
                       "struct_element",
                       arrow::struct_({arrow::field("nested_struct_element", arrow::utf8())}))})),
      arrow::field("struct_of_array_of_map",
                   arrow::struct_({arrow::field(
                       "struct_element", arrow::list(arrow::map(arrow::utf8(), arrow::utf8())))})),
  });
  auto strings = ReadStatsStrings("delta-rs/delta-1.2.1-only-struct-stats");
  ASSERT_GT(strings.size(), 2u);
  FileStats stats = Parse(strings[1], schema);
  EXPECT_TRUE(
      ScalarIs(stats.Find({"decimal"})->min,
               arrow::Decimal128Scalar(arrow::Decimal128(-567800), arrow::decimal128(8, 5))));
  EXPECT_TRUE(ScalarIs(stats.Find({"double"})->max, arrow::DoubleScalar(1.234)));
  EXPECT_TRUE(ScalarIs(stats.Find({"date"})->min, arrow::Date32Scalar(19289)));  // 2022-10-24
  EXPECT_TRUE(
      ScalarIs(stats.Find({"timestamp"})->min, arrow::TimestampScalar(1666652374067000LL, kUtc)));
  const ColumnStats* deep =
      stats.Find({"nested_struct", "struct_element", "nested_struct_element"});
  ASSERT_NE(deep, nullptr);
  EXPECT_TRUE(ScalarIs(deep->min, arrow::StringScalar("nested_struct_value")));
  EXPECT_EQ(deep->null_count, 0);
  const ColumnStats* null_column = stats.Find({"null"});
  ASSERT_NE(null_column, nullptr);
  EXPECT_EQ(null_column->null_count, 1);
  EXPECT_EQ(null_column->min, nullptr);
  EXPECT_EQ(stats.Find({"map"})->null_count, 0);
  EXPECT_EQ(stats.Find({"array"})->null_count, 0);
  EXPECT_EQ(stats.Find({"struct_of_array_of_map", "struct_element"})->null_count, 0);
  EXPECT_EQ(stats.Find({"binary"})->min, nullptr);
}

TEST_F(FileStatsReadTest, OldStatsUnderAWidenedSchema) {
  // The table's schema after type widening; the first files' stats were written before it.
  arrow::Schema schema({
      arrow::field("byte_long", arrow::int64()),
      arrow::field("float_double", arrow::float64()),
      arrow::field("decimal_decimal_greater_scale", arrow::decimal128(20, 5)),
      arrow::field("byte_decimal", arrow::decimal128(11, 1)),
      arrow::field("long_decimal", arrow::decimal128(21, 1)),
      arrow::field("date_timestamp_ntz", kNtz),
  });
  auto strings = ReadStatsStrings("spark-golden/type-widening");
  ASSERT_EQ(strings.size(), 2u);
  FileStats before = Parse(strings[0], schema);
  EXPECT_TRUE(ScalarIs(before.Find({"byte_long"})->min, arrow::Int64Scalar(1)));
  EXPECT_TRUE(
      ScalarIs(before.Find({"decimal_decimal_greater_scale"})->min,
               arrow::Decimal128Scalar(arrow::Decimal128(6789000), arrow::decimal128(20, 5))));
  EXPECT_TRUE(ScalarIs(before.Find({"byte_decimal"})->max,
                       arrow::Decimal128Scalar(arrow::Decimal128(10), arrow::decimal128(11, 1))));
  // A date bound read as a timestamp_ntz bound is midnight of that day.
  EXPECT_TRUE(ScalarIs(before.Find({"date_timestamp_ntz"})->min,
                       arrow::TimestampScalar(1725840000000000LL, kNtz)));
  FileStats after = Parse(strings[1], schema);
  EXPECT_TRUE(ScalarIs(after.Find({"byte_long"})->max, arrow::Int64Scalar(INT64_MAX)));
  EXPECT_TRUE(ScalarIs(
      after.Find({"long_decimal"})->min,
      arrow::Decimal128Scalar(arrow::Decimal128(1234567890123456789LL), arrow::decimal128(21, 1))));
  EXPECT_TRUE(ScalarIs(after.Find({"date_timestamp_ntz"})->max,
                       arrow::TimestampScalar(1725885296123000LL, kNtz)));
}

TEST_F(FileStatsReadTest, PhysicalNamesOfColumnMapping) {
  auto physical = [](const std::string& name) {
    return arrow::key_value_metadata({"delta.columnMapping.physicalName"}, {name});
  };
  arrow::Schema schema({
      arrow::field("LongType", arrow::int64(), true,
                   physical("col-f92689f0-399a-46e5-84b6-604670849d66")),
      arrow::field("nested_struct",
                   arrow::struct_({arrow::field(
                       "ac",
                       arrow::struct_({arrow::field("aca", arrow::int32(), true,
                                                    physical("col-562033a2-86d8-4eb3-83e6-"
                                                             "87eb2f27314f"))}),
                       true, physical("col-15ecbe5f-906d-4d64-a627-eb16eb4b4410"))}),
                   true, physical("col-e08b8668-6c8f-4081-aa77-357325212630")),
  });
  ColumnNameFn column_name = [](const arrow::Field& field) {
    return field.metadata()->Get("delta.columnMapping.physicalName").ValueOr(field.name());
  };
  auto strings = ReadStatsStrings("spark-golden/table-with-columnmapping-mode-name");
  ASSERT_EQ(strings.size(), 2u);
  FileStats stats = Parse(strings[0], schema, column_name);
  EXPECT_EQ(stats.num_records, 2);
  ASSERT_EQ(stats.columns.size(), 2u);
  EXPECT_TRUE(ScalarIs(stats.Find({"LongType"})->max, arrow::Int64Scalar(4)));
  EXPECT_TRUE(ScalarIs(stats.Find({"nested_struct", "ac", "aca"})->min, arrow::Int32Scalar(0)));
  // Without the naming function nothing matches: the keys are physical names.
  EXPECT_TRUE(Parse(strings[0], schema).columns.empty());
}

// --- ParseStats leniency and errors ------------------------------------------------------

TEST_F(FileStatsReadTest, BadValuesDropOnlyTheirStatistic) {
  arrow::Schema schema({
      arrow::field("i8", arrow::int8()),
      arrow::field("x", arrow::int64()),
      arrow::field("f", arrow::float64()),
      arrow::field("s", arrow::utf8()),
      arrow::field("d", arrow::date32()),
      arrow::field("st", arrow::struct_({arrow::field("y", arrow::int32())})),
  });
  FileStats stats = Parse(
      R"({"numRecords":"ten","unknownKey":[1,{"a":null}],"tightBounds":false,)"
      R"("minValues":{"i8":300,"x":"5","f":1e400,"s":7,"d":"2021-02-30","st":3,"gone":{"q":1},)"
      R"("y":1},)"
      R"("maxValues":{"i8":-3,"x":9,"f":"NaN","s":"zz","d":"2021-02-03","st":{"y":{"z":1}}},)"
      R"("nullCount":{"i8":-1,"x":0,"f":null,"s":"0","st":{"y":2}}})",
      schema);
  EXPECT_EQ(stats.num_records, std::nullopt);
  EXPECT_FALSE(stats.tight_bounds);
  const ColumnStats* i8 = stats.Find({"i8"});
  ASSERT_NE(i8, nullptr);
  EXPECT_EQ(i8->min, nullptr);  // 300 does not fit int8
  EXPECT_TRUE(ScalarIs(i8->max, arrow::Int8Scalar(-3)));
  EXPECT_EQ(i8->null_count, std::nullopt);
  EXPECT_EQ(stats.Find({"x"})->min, nullptr);
  EXPECT_TRUE(ScalarIs(stats.Find({"x"})->max, arrow::Int64Scalar(9)));
  EXPECT_EQ(stats.Find({"x"})->null_count, 0);
  EXPECT_EQ(stats.Find({"f"}), nullptr);
  EXPECT_EQ(stats.Find({"s"})->min, nullptr);
  EXPECT_EQ(stats.Find({"s"})->null_count, std::nullopt);
  EXPECT_EQ(stats.Find({"d"})->min, nullptr);
  EXPECT_TRUE(ScalarIs(stats.Find({"d"})->max, arrow::Date32Scalar(18661)));
  EXPECT_EQ(stats.Find({"st", "y"})->max, nullptr);
  EXPECT_EQ(stats.Find({"st", "y"})->null_count, 2);
}

TEST_F(FileStatsReadTest, BoundsAreRoundedOutward) {
  arrow::Schema schema({
      arrow::field("dec", arrow::decimal128(5, 2)),
      arrow::field("neg", arrow::decimal128(5, 2)),
      arrow::field("big", arrow::decimal128(38, 0)),
      arrow::field("tiny", arrow::decimal128(10, 2)),
      arrow::field("ts", kUtc),
      arrow::field("f", arrow::float32()),
      arrow::field("i", arrow::int32()),
  });
  FileStats stats = Parse(
      R"({"numRecords":2,)"
      R"("minValues":{"dec":1.234,"neg":-1.234,"big":12345678901234567890123456789012345678,)"
      R"("tiny":1E-7,"ts":"2021-01-01T00:00:00.0000005Z","f":0.1,"i":1.5},)"
      R"("maxValues":{"dec":1.234,"neg":-1.234,"big":-99999999999999999999999999999999999999,)"
      R"("tiny":-1E-7,"ts":"2021-01-01T01:00:00.0000005+01:00","f":0.1,"i":1.5}})",
      schema);
  auto dec = [](int64_t unscaled, int precision, int scale) {
    return arrow::Decimal128Scalar(arrow::Decimal128(unscaled),
                                   arrow::decimal128(precision, scale));
  };
  EXPECT_TRUE(ScalarIs(stats.Find({"dec"})->min, dec(123, 5, 2)));
  EXPECT_TRUE(ScalarIs(stats.Find({"dec"})->max, dec(124, 5, 2)));
  EXPECT_TRUE(ScalarIs(stats.Find({"neg"})->min, dec(-124, 5, 2)));
  EXPECT_TRUE(ScalarIs(stats.Find({"neg"})->max, dec(-123, 5, 2)));
  EXPECT_TRUE(ScalarIs(
      stats.Find({"big"})->min,
      arrow::Decimal128Scalar(
          arrow::Decimal128::FromString("12345678901234567890123456789012345678").ValueOrDie(),
          arrow::decimal128(38, 0))));
  EXPECT_TRUE(ScalarIs(
      stats.Find({"big"})->max,
      arrow::Decimal128Scalar(
          arrow::Decimal128::FromString("-99999999999999999999999999999999999999").ValueOrDie(),
          arrow::decimal128(38, 0))));
  EXPECT_TRUE(ScalarIs(stats.Find({"tiny"})->min, dec(0, 10, 2)));
  EXPECT_TRUE(ScalarIs(stats.Find({"tiny"})->max, dec(0, 10, 2)));
  EXPECT_TRUE(ScalarIs(stats.Find({"ts"})->min, arrow::TimestampScalar(1609459200000000LL, kUtc)));
  EXPECT_TRUE(ScalarIs(stats.Find({"ts"})->max, arrow::TimestampScalar(1609459200000001LL, kUtc)));
  const float f_min = std::static_pointer_cast<arrow::FloatScalar>(stats.Find({"f"})->min)->value;
  const float f_max = std::static_pointer_cast<arrow::FloatScalar>(stats.Find({"f"})->max)->value;
  EXPECT_LE(static_cast<double>(f_min), 0.1);
  EXPECT_GE(static_cast<double>(f_max), 0.1);
  EXPECT_TRUE(ScalarIs(stats.Find({"i"})->min, arrow::Int32Scalar(1)));
  EXPECT_TRUE(ScalarIs(stats.Find({"i"})->max, arrow::Int32Scalar(2)));
}

TEST_F(FileStatsReadTest, MalformedJsonIsAnError) {
  arrow::Schema schema({arrow::field("a", arrow::int32())});
  for (const char* json :
       {"", "not json", "{", R"({"numRecords":1)", "[1]", "7", R"({} x)",
        R"({"minValues":{"a":[1,2}}})", R"({"nullCount":{"zz":tru}})", R"({"minValues":{"a":01}})",
        R"({"other":"\x"})", R"({"minValues":{"a":1,}})"}) {
    auto stats = ParseStats(json, schema);
    EXPECT_TRUE(stats.status().IsInvalid()) << json;
    if (!stats.ok()) {
      EXPECT_NE(stats.status().message().find("statistics JSON"), std::string::npos) << json;
    }
  }
  EXPECT_TRUE(ParseStats("{}", schema).ok());
  EXPECT_TRUE(ParseStats(" {\"numRecords\": 0}\n", schema).ok());
}

TEST_F(FileStatsReadTest, CollectedStatsReadBack) {
  auto schema = arrow::schema({
      arrow::field("x", arrow::int64()),
      arrow::field("ts", kUtc),
      arrow::field("price", arrow::decimal128(10, 2)),
      arrow::field("name", arrow::utf8()),
      arrow::field("s", arrow::struct_({arrow::field("y", arrow::float64())})),
  });
  auto rows = arrow::json::ArrayFromJSONString(arrow::struct_(schema->fields()), R"([
    {"x": 3, "ts": "2020-05-05T10:00:00.654321", "price": "10.50", "name": "b", "s": {"y": 2.5}},
    {"x": -8, "ts": null, "price": "-0.01", "name": "a", "s": null}])")
                  .ValueOrDie();
  auto json = testing::StatsOfWrittenBatches(
      schema, {arrow::RecordBatch::FromStructArray(rows).ValueOrDie()});
  ASSERT_TRUE(json.ok()) << json.status().ToString();
  FileStats stats = Parse(*json, *schema);
  EXPECT_EQ(stats.num_records, 2);
  EXPECT_TRUE(ScalarIs(stats.Find({"x"})->min, arrow::Int64Scalar(-8)));
  EXPECT_TRUE(ScalarIs(stats.Find({"ts"})->max, arrow::TimestampScalar(1588672800654000LL, kUtc)));
  EXPECT_EQ(stats.Find({"ts"})->null_count, 1);
  EXPECT_TRUE(ScalarIs(stats.Find({"price"})->min,
                       arrow::Decimal128Scalar(arrow::Decimal128(-1), arrow::decimal128(10, 2))));
  EXPECT_TRUE(ScalarIs(stats.Find({"name"})->max, arrow::StringScalar("b")));
  EXPECT_TRUE(ScalarIs(stats.Find({"s", "y"})->min, arrow::DoubleScalar(2.5)));
  EXPECT_EQ(stats.Find({"s", "y"})->null_count, 1);
}

// --- data skipping -----------------------------------------------------------------------

class DataSkippingTest : public FileStatsReadTest {
 protected:
  DataSkippingTest()
      : schema_(arrow::schema({
            arrow::field("x", arrow::int64()),
            arrow::field("name", arrow::utf8()),
            arrow::field("ts", kUtc),
            arrow::field("s", arrow::struct_({arrow::field("y", arrow::int32())})),
        })) {}

  // MayMatch of `filter` for a file with these stats.
  bool May(const cp::Expression& filter, const std::string& stats_json) {
    auto bound = filter.Bind(*schema_);
    EXPECT_TRUE(bound.ok()) << bound.status().ToString();
    auto result = MayMatch(*bound, Parse(stats_json, *schema_));
    EXPECT_TRUE(result.ok()) << result.status().ToString();
    return result.ValueOr(true);
  }

  std::shared_ptr<arrow::Schema> schema_;
};

cp::Expression X() { return cp::field_ref("x"); }
cp::Expression Lit(int64_t v) { return cp::literal(v); }
cp::Expression IsIn(cp::Expression ref, const std::shared_ptr<arrow::DataType>& type,
                    const std::string& values) {
  return cp::call(
      "is_in", {std::move(ref)},
      cp::SetLookupOptions(arrow::json::ArrayFromJSONString(type, values).ValueOrDie()));
}

TEST_F(DataSkippingTest, RangeWithoutNulls) {
  const std::string file =
      R"({"numRecords":5,"minValues":{"x":10},"maxValues":{"x":20},"nullCount":{"x":0}})";
  // Skipped: no row can match.
  EXPECT_FALSE(May(cp::equal(X(), Lit(5)), file));
  EXPECT_FALSE(May(cp::greater(X(), Lit(25)), file));
  EXPECT_FALSE(May(cp::greater(X(), Lit(20)), file));
  EXPECT_FALSE(May(cp::less(X(), Lit(10)), file));
  EXPECT_FALSE(May(IsIn(X(), arrow::int64(), "[1, 2]"), file));
  EXPECT_FALSE(May(cp::is_null(X()), file));
  EXPECT_FALSE(May(cp::or_(cp::equal(X(), Lit(5)), cp::equal(X(), Lit(30))), file));
  EXPECT_FALSE(May(cp::and_(cp::equal(X(), Lit(15)), cp::equal(X(), Lit(30))), file));
  EXPECT_FALSE(May(cp::equal(X(), cp::literal(int32_t{5})), file));  // literal cast on Bind
  // Kept: some row may match.
  EXPECT_TRUE(May(cp::equal(X(), Lit(15)), file));
  EXPECT_TRUE(May(cp::equal(X(), Lit(10)), file));
  EXPECT_TRUE(May(cp::equal(X(), Lit(20)), file));
  EXPECT_TRUE(May(cp::less(X(), Lit(11)), file));
  EXPECT_TRUE(May(cp::greater_equal(X(), Lit(20)), file));
  EXPECT_TRUE(May(cp::not_equal(X(), Lit(15)), file));
  EXPECT_TRUE(May(IsIn(X(), arrow::int64(), "[1, 12]"), file));
  EXPECT_TRUE(May(cp::is_valid(X()), file));
  EXPECT_TRUE(May(cp::or_(cp::equal(X(), Lit(5)), cp::equal(X(), Lit(15))), file));
  EXPECT_TRUE(May(cp::not_(cp::equal(X(), Lit(5))), file));
  // A column without stats decides nothing.
  EXPECT_TRUE(May(
      cp::or_(cp::equal(X(), Lit(5)), cp::equal(cp::field_ref("name"), cp::literal("q"))), file));
  EXPECT_FALSE(May(
      cp::and_(cp::equal(X(), Lit(5)), cp::equal(cp::field_ref("name"), cp::literal("q"))), file));
}

TEST_F(DataSkippingTest, RangeWithSomeNulls) {
  const std::string file =
      R"({"numRecords":5,"minValues":{"x":10},"maxValues":{"x":20},"nullCount":{"x":2}})";
  EXPECT_FALSE(May(cp::equal(X(), Lit(5)), file));
  EXPECT_FALSE(May(cp::greater(X(), Lit(25)), file));
  EXPECT_FALSE(May(IsIn(X(), arrow::int64(), "[1, 2]"), file));
  EXPECT_FALSE(May(cp::or_(cp::equal(X(), Lit(5)), cp::equal(X(), Lit(30))), file));
  EXPECT_TRUE(May(cp::is_null(X()), file));  // the nulls may match
  EXPECT_TRUE(May(cp::is_valid(X()), file));
  EXPECT_TRUE(May(cp::equal(X(), Lit(15)), file));
  EXPECT_TRUE(May(cp::or_(cp::equal(X(), Lit(5)), cp::is_null(X())), file));
  // Unknown null count: same as "some nulls".
  const std::string unknown = R"({"numRecords":5,"minValues":{"x":10},"maxValues":{"x":20}})";
  EXPECT_TRUE(May(cp::is_null(X()), unknown));
  EXPECT_FALSE(May(cp::equal(X(), Lit(5)), unknown));
}

TEST_F(DataSkippingTest, AllNullsAndSingleValues) {
  const std::string all_null = R"({"numRecords":3,"minValues":{},"maxValues":{},)"
                               R"("nullCount":{"x":3}})";
  EXPECT_FALSE(May(cp::equal(X(), Lit(15)), all_null));
  EXPECT_FALSE(May(cp::is_valid(X()), all_null));
  EXPECT_FALSE(May(IsIn(X(), arrow::int64(), "[1, 2]"), all_null));
  EXPECT_TRUE(May(cp::is_null(X()), all_null));
  const std::string single = R"({"numRecords":3,"minValues":{"x":7},"maxValues":{"x":7},)"
                             R"("nullCount":{"x":0}})";
  EXPECT_FALSE(May(cp::not_equal(X(), Lit(7)), single));
  EXPECT_TRUE(May(cp::equal(X(), Lit(7)), single));
  const std::string empty = R"({"numRecords":0,"minValues":{},"maxValues":{},"nullCount":{}})";
  EXPECT_FALSE(May(cp::is_null(X()), empty));
  // No stats at all: everything may match.
  EXPECT_TRUE(May(cp::equal(X(), Lit(15)), "{}"));
}

TEST_F(DataSkippingTest, NestedColumns) {
  const std::string file = R"({"numRecords":4,"minValues":{"s":{"y":1}},)"
                           R"("maxValues":{"s":{"y":3}},"nullCount":{"s":{"y":0}}})";
  cp::Expression y = cp::field_ref(arrow::FieldRef("s", "y"));
  EXPECT_FALSE(May(cp::equal(y, cp::literal(int32_t{5})), file));
  EXPECT_TRUE(May(cp::equal(y, cp::literal(int32_t{2})), file));
  EXPECT_FALSE(May(cp::is_null(y), file));
}

TEST_F(DataSkippingTest, TimestampMaxIsWidenedForMillisecondTruncation) {
  // The file's true max may be up to 2021-01-01T00:00:00.123999.
  const std::string file = R"({"numRecords":2,"minValues":{"ts":"2021-01-01T00:00:00.100Z"},)"
                           R"("maxValues":{"ts":"2021-01-01T00:00:00.123Z"},"nullCount":{"ts":0}})";
  auto ts = [](int64_t micros_after_midnight) {
    return cp::literal(
        std::make_shared<arrow::TimestampScalar>(1609459200000000LL + micros_after_midnight, kUtc));
  };
  cp::Expression ref = cp::field_ref("ts");
  EXPECT_TRUE(May(cp::equal(ref, ts(123500)), file));
  EXPECT_TRUE(May(cp::greater_equal(ref, ts(123999)), file));
  EXPECT_FALSE(May(cp::greater(ref, ts(123999)), file));
  EXPECT_FALSE(May(cp::greater_equal(ref, ts(124000)), file));
  EXPECT_FALSE(May(cp::less(ref, ts(100000)), file));
  EXPECT_TRUE(May(cp::less_equal(ref, ts(100000)), file));
}

TEST_F(DataSkippingTest, TruncatedStringsStillBound) {
  // Stats from our collector with a 4-character prefix: max is "abcd" + U+10FFFF.
  StatsOptions options;
  options.string_prefix_length = 4;
  auto rows = arrow::json::ArrayFromJSONString(arrow::struct_(schema_->fields()), R"([
    {"x": 1, "name": "abcdxyz", "ts": null, "s": null},
    {"x": 2, "name": "abcaaaaa", "ts": null, "s": null}])")
                  .ValueOrDie();
  const std::string file =
      testing::StatsOfWrittenBatches(
          schema_, {arrow::RecordBatch::FromStructArray(rows).ValueOrDie()}, options)
          .ValueOrDie();
  cp::Expression name = cp::field_ref("name");
  EXPECT_TRUE(May(cp::equal(name, cp::literal("abcdxyz")), file));
  EXPECT_TRUE(May(cp::equal(name, cp::literal("abcaaaaa")), file));
  EXPECT_FALSE(May(cp::equal(name, cp::literal("abce")), file));
  EXPECT_FALSE(May(cp::less(name, cp::literal("abc")), file));
  EXPECT_TRUE(May(cp::greater(name, cp::literal("abcd\xF0\x9F\x98\x88")), file));
}

TEST_F(DataSkippingTest, RealFilesOfDeltaRs) {
  arrow::Schema schema({arrow::field("BIG_DATE", kUtc), arrow::field("NORMAL_DATE", kUtc),
                        arrow::field("SOME_VALUE", arrow::int32())});
  auto strings = ReadStatsStrings("delta-rs/table_with_edge_timestamps");
  ASSERT_EQ(strings.size(), 2u);
  auto count_kept = [&](const cp::Expression& filter) {
    auto bound = filter.Bind(schema).ValueOrDie();
    int kept = 0;
    for (const auto& json : strings) kept += MayMatch(bound, Parse(json, schema)).ValueOrDie();
    return kept;
  };
  auto at = [](const char* text) {
    return cp::literal(
        arrow::json::ScalarFromJSONString(kUtc, std::string("\"") + text + "\"").ValueOrDie());
  };
  EXPECT_EQ(count_kept(cp::less(cp::field_ref("BIG_DATE"), at("2000-01-01T00:00:00"))), 0);
  EXPECT_EQ(count_kept(cp::equal(cp::field_ref("NORMAL_DATE"), at("2022-01-01T00:00:00"))), 1);
  EXPECT_EQ(count_kept(cp::equal(cp::field_ref("SOME_VALUE"), cp::literal(int32_t{2}))), 1);
  EXPECT_EQ(count_kept(cp::greater(cp::field_ref("SOME_VALUE"), cp::literal(int32_t{0}))), 2);
}

TEST_F(DataSkippingTest, PartitionFactsWithStats) {
  // A scan combines a file's partition values with its stats into one guarantee.
  auto schema =
      arrow::schema({arrow::field("part", arrow::utf8()), arrow::field("x", arrow::int64()),
                     arrow::field("y", arrow::int64())});
  FileStats stats = Parse(R"({"numRecords":4,"minValues":{"x":10,"y":10},)"
                          R"("maxValues":{"x":20,"y":20},"nullCount":{"x":1,"y":1}})",
                          *schema);
  cp::Expression guarantee =
      cp::and_(cp::equal(cp::field_ref("part"), cp::literal("a")), StatsGuarantee(stats));
  auto may = [&](const cp::Expression& filter) {
    return MayMatch(filter.Bind(*schema).ValueOrDie(), guarantee).ValueOrDie();
  };
  EXPECT_FALSE(may(cp::equal(cp::field_ref("part"), cp::literal("b"))));
  EXPECT_TRUE(may(cp::equal(cp::field_ref("part"), cp::literal("a"))));
  EXPECT_FALSE(may(cp::and_(cp::equal(cp::field_ref("part"), cp::literal("a")),
                            cp::equal(cp::field_ref("x"), cp::literal(int64_t{5})))));
  // Both sides of the `or` are ruled out, on nullable columns.
  EXPECT_FALSE(may(cp::or_(cp::equal(cp::field_ref("x"), cp::literal(int64_t{5})),
                           cp::equal(cp::field_ref("y"), cp::literal(int64_t{7})))));
  EXPECT_TRUE(may(cp::or_(cp::equal(cp::field_ref("x"), cp::literal(int64_t{5})),
                          cp::equal(cp::field_ref("y"), cp::literal(int64_t{17})))));
}

TEST_F(DataSkippingTest, UnboundFilterIsAnError) {
  auto result = MayMatch(cp::equal(X(), Lit(1)), FileStats{});
  ASSERT_TRUE(result.status().IsInvalid());
  EXPECT_NE(result.status().message().find("bound"), std::string::npos);
  FileStats empty;
  empty.num_records = 0;
  EXPECT_TRUE(MayMatch(cp::equal(X(), Lit(1)), empty).status().IsInvalid());
  EXPECT_TRUE(MayMatch(cp::equal(X(), Lit(1)), cp::literal(true)).status().IsInvalid());
}

TEST_F(DataSkippingTest, GuaranteeShape) {
  FileStats stats = Parse(R"({"numRecords":5,"minValues":{"x":10},"maxValues":{"x":20},)"
                          R"("nullCount":{"x":2,"name":0}})",
                          *schema_);
  const std::string text = StatsGuarantee(stats).ToString();
  EXPECT_NE(text.find("(x >= 10) or is_null(x"), std::string::npos) << text;
  EXPECT_NE(text.find("(x <= 20) or is_null(x"), std::string::npos) << text;
  EXPECT_NE(text.find("is_valid(name)"), std::string::npos) << text;
  EXPECT_TRUE(StatsGuarantee(FileStats{}).Equals(cp::literal(true)));
}

}  // namespace
}  // namespace tidelake::delta
