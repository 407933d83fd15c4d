#ifndef TIDELAKE_TESTDATA_DIR
#define TIDELAKE_TESTDATA_DIR "/work/shared/testdata"
#endif

// Tests of StatsCollector (the writing half of file_stats.h), through batches written to
// Parquet the way DataWriter writes them (file_stats_test_util.h). Reading and skipping are
// tested in file_stats_read_test.cc.

#include "delta/file_stats.h"

#include <arrow/api.h>
#include <arrow/compute/api.h>
#include <arrow/io/file.h>
#include <arrow/io/memory.h>
#include <arrow/json/from_string.h>
#include <arrow/util/utf8.h>
#include <gtest/gtest.h>
#include <parquet/arrow/reader.h>
#include <parquet/arrow/writer.h>
#include <simdjson.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "delta/file_stats_test_util.h"

namespace tidelake::delta {
namespace {

namespace fs = std::filesystem;

class StatsCollectorTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { ASSERT_TRUE(arrow::compute::Initialize().ok()); }
};

std::shared_ptr<arrow::RecordBatch> Batch(const std::shared_ptr<arrow::Schema>& schema,
                                          const std::string& rows_json) {
  auto array = arrow::json::ArrayFromJSONString(arrow::struct_(schema->fields()), rows_json);
  EXPECT_TRUE(array.ok()) << array.status().ToString();
  auto batch = arrow::RecordBatch::FromStructArray(*array);
  EXPECT_TRUE(batch.ok()) << batch.status().ToString();
  return *batch;
}

/// The stats of a file holding `batches` (JSON rows each), at most `row_group_rows` rows per
/// row group.
std::string Collect(const std::shared_ptr<arrow::Schema>& schema,
                    const std::vector<std::string>& batches, StatsOptions options = {},
                    int64_t row_group_rows = 1024 * 1024) {
  std::vector<std::shared_ptr<arrow::RecordBatch>> written;
  for (const auto& rows : batches) written.push_back(Batch(schema, rows));
  auto json = testing::StatsOfWrittenBatches(schema, written, std::move(options), row_group_rows);
  EXPECT_TRUE(json.ok()) << json.status().ToString();
  return json.ok() ? *json : "";
}

TEST_F(StatsCollectorTest, EveryTypeOverTwoBatches) {
  auto schema = arrow::schema({
      arrow::field("i8", arrow::int8()),
      arrow::field("i16", arrow::int16()),
      arrow::field("i32", arrow::int32()),
      arrow::field("i64", arrow::int64()),
      arrow::field("f32", arrow::float32()),
      arrow::field("f64", arrow::float64()),
      arrow::field("dec", arrow::decimal128(8, 5)),
      arrow::field("d", arrow::date32()),
      arrow::field("ts", arrow::timestamp(arrow::TimeUnit::MICRO, "UTC")),
      arrow::field("ntz", arrow::timestamp(arrow::TimeUnit::MICRO)),
      arrow::field("s", arrow::utf8()),
      arrow::field("b", arrow::binary()),
      arrow::field("flag", arrow::boolean()),
      arrow::field("st", arrow::struct_({arrow::field("a", arrow::int32()),
                                         arrow::field("inner", arrow::struct_({arrow::field(
                                                                   "c", arrow::utf8())}))})),
      arrow::field("l", arrow::list(arrow::int32())),
      arrow::field("m", arrow::map(arrow::utf8(), arrow::int32())),
      arrow::field("v", arrow::null()),
  });
  const std::string batch1 = R"([
    {"i8": -1, "i16": 300, "i32": 10, "i64": -9000000000000000000, "f32": 1.5, "f64": 0.25,
     "dec": "-5.67800", "d": 18628, "ts": "2021-01-01T00:00:00.123456",
     "ntz": "2021-11-18T02:30:00.123999", "s": "banana", "b": "x", "flag": true,
     "st": {"a": 1, "inner": {"c": "z"}}, "l": [1], "m": [["k", 1]], "v": null},
    {"i8": null, "i16": null, "i32": 20, "i64": 5, "f32": null, "f64": -0.5, "dec": null,
     "d": null, "ts": null, "ntz": null, "s": null, "b": null, "flag": null, "st": null,
     "l": null, "m": null, "v": null}
  ])";
  const std::string batch2 = R"([
    {"i8": 7, "i16": -2, "i32": 15, "i64": null, "f32": -3.25, "f64": 1e300, "dec": "12.00001",
     "d": -1, "ts": "1969-12-31T23:59:59.999999", "ntz": null, "s": "apple", "b": "y",
     "flag": false, "st": {"a": null, "inner": null}, "l": [], "m": [], "v": null}
  ])";
  const std::string expected =
      R"({"numRecords":3,)"
      R"("minValues":{"i8":-1,"i16":-2,"i32":10,"i64":-9000000000000000000,"f32":-3.25,)"
      R"("f64":-0.5,"dec":-5.67800,"d":"1969-12-31","ts":"1969-12-31T23:59:59.999Z",)"
      R"("ntz":"2021-11-18T02:30:00.123","s":"apple","st":{"a":1,"inner":{"c":"z"}}},)"
      R"("maxValues":{"i8":7,"i16":300,"i32":20,"i64":5,"f32":1.5,"f64":1e+300,)"
      R"("dec":12.00001,"d":"2021-01-01","ts":"2021-01-01T00:00:00.123Z",)"
      R"("ntz":"2021-11-18T02:30:00.123","s":"banana","st":{"a":1,"inner":{"c":"z"}}},)"
      R"("nullCount":{"i8":1,"i16":1,"i32":0,"i64":1,"f32":1,"f64":0,"dec":1,"d":1,"ts":1,)"
      R"("ntz":2,"s":1,"b":1,"flag":1,"st":{"a":2,"inner":{"c":2}},"l":1,"m":1,"v":3}})";
  EXPECT_EQ(Collect(schema, {batch1, batch2}), expected);
}

TEST_F(StatsCollectorTest, NoRowsGivesEmptyObjects) {
  auto schema = arrow::schema({arrow::field("x", arrow::int64())});
  EXPECT_EQ(Collect(schema, {}),
            R"({"numRecords":0,"minValues":{},"maxValues":{},"nullCount":{"x":0}})");
  EXPECT_EQ(Collect(schema, {"[]"}),
            R"({"numRecords":0,"minValues":{},"maxValues":{},"nullCount":{"x":0}})");
  EXPECT_EQ(Collect(schema, {R"([{"x": null}])"}),
            R"({"numRecords":1,"minValues":{},"maxValues":{},"nullCount":{"x":1}})");
}

TEST_F(StatsCollectorTest, FloatingPointSpecialValues) {
  auto schema =
      arrow::schema({arrow::field("nan", arrow::float64()), arrow::field("inf", arrow::float64()),
                     arrow::field("whole", arrow::float32())});
  const std::string batch1 = R"([{"nan": 1.0, "inf": -Inf, "whole": 4}])";
  const std::string batch2 = R"([{"nan": NaN, "inf": 2.5, "whole": 0}])";
  const std::string batch3 = R"([{"nan": 3.0, "inf": null, "whole": -0.0}])";
  // A NaN anywhere removes the column's bounds for the whole file; an infinite bound is left
  // out (JSON has no spelling for it) but the other bound stays.
  EXPECT_EQ(Collect(schema, {batch1, batch2, batch3}),
            R"({"numRecords":3,"minValues":{"whole":0.0},"maxValues":{"inf":2.5,"whole":4.0},)"
            R"("nullCount":{"nan":0,"inf":1,"whole":0}})");
}

TEST_F(StatsCollectorTest, StringBoundsAreTruncatedSafely) {
  auto schema = arrow::schema({arrow::field("s", arrow::utf8())});
  StatsOptions options;
  options.string_prefix_length = 4;
  auto json = [&](const std::string& rows) { return Collect(schema, {rows}, options); };
  // Short strings are kept whole.
  EXPECT_EQ(json(R"([{"s": "abcd"}, {"s": "ab"}])"),
            R"({"numRecords":2,"minValues":{"s":"ab"},"maxValues":{"s":"abcd"},)"
            R"("nullCount":{"s":0}})");
  // A cut max gets U+10FFFF appended; the min is the plain prefix.
  EXPECT_EQ(json(R"([{"s": "abcdefgh"}, {"s": "abcdzzzzzz"}])"),
            "{\"numRecords\":2,\"minValues\":{\"s\":\"abcd\"},\"maxValues\":{\"s\":"
            "\"abcd\xF4\x8F\xBF\xBF\"},\"nullCount\":{\"s\":0}}");
  // Code points count, not bytes; and a next code point >= U+E000 is kept before the cut.
  EXPECT_EQ(json(R"([{"s": "äöüßé😈x"}])"),
            "{\"numRecords\":1,\"minValues\":{\"s\":\"äöüß\"},\"maxValues\":{\"s\":"
            "\"äöüß\xF4\x8F\xBF\xBF\"},\"nullCount\":{\"s\":0}}");
  EXPECT_EQ(json(R"([{"s": "abcd😈x"}])"),
            "{\"numRecords\":1,\"minValues\":{\"s\":\"abcd\"},\"maxValues\":{\"s\":"
            "\"abcd😈\xF4\x8F\xBF\xBF\"},\"nullCount\":{\"s\":0}}");
  // Too many such code points: no max at all rather than a long one.
  EXPECT_EQ(json(R"([{"s": "a😈😈😈😈😈😈😈😈😈"}])"),
            R"({"numRecords":1,"minValues":{"s":"a😈😈😈"},"maxValues":{},)"
            R"("nullCount":{"s":0}})");
  // JSON escaping of the bounds.
  EXPECT_EQ(json(R"([{"s": "a\"\\\n"}])"),
            R"({"numRecords":1,"minValues":{"s":"a\"\\\n"},"maxValues":{"s":"a\"\\\n"},)"
            R"("nullCount":{"s":0}})");
}

// The truncated max must be an upper bound in UTF-8 byte order and in UTF-16 order.
TEST_F(StatsCollectorTest, TruncatedMaxIsAnUpperBoundInBothOrders) {
  auto schema = arrow::schema({arrow::field("s", arrow::utf8())});
  StatsOptions options;
  options.string_prefix_length = 2;
  const std::vector<std::string> values = {"abc", "ab\xEF\xBF\xBD",  "ab\xEE\x80\x80z",
                                           "ab😈", "ab\xED\x9F\xBFq", "ab\xF4\x8F\xBF\xBF!"};
  for (const auto& value : values) {
    arrow::StringBuilder builder;
    ASSERT_TRUE(builder.Append(value).ok());
    auto batch = arrow::RecordBatch::Make(schema, 1, {builder.Finish().ValueOrDie()});
    simdjson::dom::parser parser;
    const std::string json = testing::StatsOfWrittenBatches(schema, {batch}, options).ValueOrDie();
    std::string_view max;
    if (parser.parse(json)["maxValues"]["s"].get(max) != simdjson::SUCCESS) continue;  // left out
    EXPECT_GE(max, std::string_view(value)) << value;
    auto max16 = arrow::util::UTF8StringToUTF16(max).ValueOrDie();
    auto value16 = arrow::util::UTF8StringToUTF16(value).ValueOrDie();
    EXPECT_GE(max16, value16) << value;
  }
}

TEST_F(StatsCollectorTest, OnlyTheFirstLeavesAreIndexed) {
  auto schema = arrow::schema({
      arrow::field("a", arrow::int32()),
      arrow::field("s", arrow::struct_({arrow::field("b", arrow::int32()),
                                        arrow::field("c", arrow::int32())})),
      arrow::field("l", arrow::list(arrow::int32())),
      arrow::field("d", arrow::int32()),
  });
  const std::string rows = R"([{"a": 1, "s": {"b": 2, "c": 3}, "l": [4], "d": 5}])";
  auto with_limit = [&](int limit) {
    StatsOptions options;
    options.num_indexed_cols = limit;
    return Collect(schema, {rows}, options);
  };
  EXPECT_EQ(with_limit(2),
            R"({"numRecords":1,"minValues":{"a":1,"s":{"b":2}},"maxValues":{"a":1,"s":{"b":2}},)"
            R"("nullCount":{"a":0,"s":{"b":0}}})");
  // The list is one leaf: the fourth leaf is l, the fifth d.
  EXPECT_EQ(
      with_limit(4),
      R"({"numRecords":1,"minValues":{"a":1,"s":{"b":2,"c":3}},)"
      R"("maxValues":{"a":1,"s":{"b":2,"c":3}},"nullCount":{"a":0,"s":{"b":0,"c":0},"l":0}})");
  EXPECT_EQ(with_limit(0), R"({"numRecords":1,"minValues":{},"maxValues":{},"nullCount":{}})");
  EXPECT_EQ(with_limit(-1), with_limit(32));
  EXPECT_NE(with_limit(-1).find("\"d\":5"), std::string::npos);
  EXPECT_FALSE(StatsCollector::Make(schema, StatsOptions{-2, 32, {}}).ok());
}

TEST_F(StatsCollectorTest, PhysicalNamesFromColumnMapping) {
  auto physical = [](const std::string& name) {
    return arrow::key_value_metadata({"delta.columnMapping.physicalName"}, {name});
  };
  auto schema = arrow::schema({
      arrow::field("Company Name", arrow::utf8(), true, physical("col-1")),
      arrow::field("nested",
                   arrow::struct_({arrow::field("x y", arrow::int64(), true, physical("col-3"))}),
                   true, physical("col-2")),
  });
  StatsOptions options;
  options.column_name = [](const arrow::Field& field) {
    auto name = field.metadata()->Get("delta.columnMapping.physicalName");
    return name.ok() ? *name : field.name();
  };
  EXPECT_EQ(Collect(schema, {R"([{"Company Name": "BME", "nested": {"x y": 4}}])"}, options),
            R"({"numRecords":1,"minValues":{"col-1":"BME","col-2":{"col-3":4}},)"
            R"("maxValues":{"col-1":"BME","col-2":{"col-3":4}},)"
            R"("nullCount":{"col-1":0,"col-2":{"col-3":0}}})");
}

// Data files store microseconds (DataFileArrowProperties), so nanosecond values are written
// without sub-microsecond digits (the Parquet writer refuses to drop them).
TEST_F(StatsCollectorTest, TimestampUnitsAndExtremes) {
  auto schema = arrow::schema({
      arrow::field("ns", arrow::timestamp(arrow::TimeUnit::NANO, "UTC")),
      arrow::field("s", arrow::timestamp(arrow::TimeUnit::SECOND)),
      arrow::field("d", arrow::date32()),
  });
  EXPECT_EQ(
      Collect(schema, {R"([{"ns": "1970-01-01T00:00:00.000999000", "s": "9999-12-31T23:59:59",)"
                       R"( "d": 2932896}, {"ns": "1969-12-31T23:59:59.999999000",)"
                       R"( "s": "0001-01-01T00:00:00", "d": -719162}])"}),
      R"({"numRecords":2,"minValues":{"ns":"1969-12-31T23:59:59.999Z",)"
      R"("s":"0001-01-01T00:00:00.000","d":"0001-01-01"},)"
      R"("maxValues":{"ns":"1970-01-01T00:00:00.000Z","s":"9999-12-31T23:59:59.000",)"
      R"("d":"9999-12-31"},"nullCount":{"ns":0,"s":0,"d":0}})");
}

TEST_F(StatsCollectorTest, MismatchedBatchNamesTheColumn) {
  auto schema = arrow::schema(
      {arrow::field("x", arrow::int64()), arrow::field("price", arrow::decimal128(10, 2))});
  auto collector = StatsCollector::Make(schema).ValueOrDie();
  auto other =
      arrow::schema({arrow::field("x", arrow::int64()), arrow::field("price", arrow::float64())});
  auto status = collector->Update(*Batch(other, R"([{"x": 1, "price": 1.5}])"));
  ASSERT_TRUE(status.IsInvalid());
  EXPECT_NE(status.message().find("'price'"), std::string::npos) << status.ToString();
  EXPECT_NE(status.message().find("decimal128(10, 2)"), std::string::npos) << status.ToString();
  auto narrow = arrow::schema({arrow::field("x", arrow::int64())});
  EXPECT_TRUE(collector->Update(*Batch(narrow, R"([{"x": 1}])")).IsInvalid());
  EXPECT_EQ(collector->num_records(), 0);
}

TEST_F(StatsCollectorTest, NumIndexedColsFromConfig) {
  EXPECT_EQ(NumIndexedColsFromConfig({}).ValueOrDie(), 32);
  EXPECT_EQ(NumIndexedColsFromConfig({{"delta.dataSkippingNumIndexedCols", "5"}}).ValueOrDie(), 5);
  EXPECT_EQ(NumIndexedColsFromConfig({{"delta.dataSkippingNumIndexedCols", "-1"}}).ValueOrDie(),
            -1);
  auto bad = NumIndexedColsFromConfig({{"delta.dataSkippingNumIndexedCols", "lots"}});
  ASSERT_TRUE(bad.status().IsInvalid());
  EXPECT_NE(bad.status().message().find("'lots'"), std::string::npos);
  EXPECT_FALSE(NumIndexedColsFromConfig({{"delta.dataSkippingNumIndexedCols", "-2"}}).ok());
}

// --- statistics read from the Parquet footer ---------------------------------------------

// One row per row group: every bound and count is merged over row groups, and must come out
// as it does from a single row group.
TEST_F(StatsCollectorTest, RowGroupsAreMerged) {
  auto schema = arrow::schema({
      arrow::field("i", arrow::int64()),
      arrow::field("s", arrow::utf8()),
      arrow::field("dec", arrow::decimal128(38, 2)),
      arrow::field("ts", arrow::timestamp(arrow::TimeUnit::MICRO, "UTC")),
      arrow::field("st", arrow::struct_({arrow::field("a", arrow::int32()),
                                         arrow::field("b", arrow::utf8())})),
      arrow::field("sparse", arrow::int32()),
  });
  const std::vector<std::string> batches = {
      R"([{"i": 5, "s": "m", "dec": "-1.50", "ts": "2021-06-01T00:00:00.000500", "st": {"a": 3, "b": "x"}, "sparse": null}])",
      R"([{"i": -7, "s": null, "dec": "99999999999999999999999999999999999.99", "ts": null, "st": null, "sparse": null}])",
      R"([{"i": null, "s": "zz", "dec": null, "ts": "2020-01-01T00:00:00.999999", "st": {"a": null, "b": "a"}, "sparse": 4}])",
      R"([{"i": 12, "s": "b", "dec": "-99999999999999999999999999999999999.99", "ts": "2022-01-01T23:59:59.999999", "st": {"a": -1, "b": null}, "sparse": null}])",
  };
  const std::string expected =
      R"({"numRecords":4,)"
      R"("minValues":{"i":-7,"s":"b","dec":-99999999999999999999999999999999999.99,)"
      R"("ts":"2020-01-01T00:00:00.999Z","st":{"a":-1,"b":"a"},"sparse":4},)"
      R"("maxValues":{"i":12,"s":"zz","dec":99999999999999999999999999999999999.99,)"
      R"("ts":"2022-01-01T23:59:59.999Z","st":{"a":3,"b":"x"},"sparse":4},)"
      R"("nullCount":{"i":1,"s":1,"dec":1,"ts":1,"st":{"a":2,"b":2},"sparse":3}})";
  EXPECT_EQ(Collect(schema, batches, {}, /*row_group_rows=*/1), expected);
  std::string one_batch = "[";
  for (const auto& rows : batches) {
    one_batch += (one_batch.size() > 1 ? "," : "") + rows.substr(1, rows.size() - 2);
  }
  one_batch += "]";
  EXPECT_EQ(Collect(schema, {one_batch}), expected);
  EXPECT_EQ(Collect(schema, {one_batch}, {}, /*row_group_rows=*/3), expected);
}

TEST_F(StatsCollectorTest, AllNullColumnsHaveOnlyNullCounts) {
  auto schema = arrow::schema({
      arrow::field("x", arrow::int64()),
      arrow::field("s", arrow::utf8()),
      arrow::field("st", arrow::struct_({arrow::field("a", arrow::float64())})),
      arrow::field("l", arrow::list(arrow::int32())),
  });
  const std::string rows = R"([{"x": null, "s": null, "st": null, "l": null},
                               {"x": null, "s": null, "st": {"a": null}, "l": null},
                               {"x": null, "s": null, "st": null, "l": null}])";
  const std::string expected =
      R"({"numRecords":3,"minValues":{},"maxValues":{},)"
      R"("nullCount":{"x":3,"s":3,"st":{"a":3},"l":3}})";
  EXPECT_EQ(Collect(schema, {rows}), expected);
  EXPECT_EQ(Collect(schema, {rows}, {}, /*row_group_rows=*/1), expected);
}

// The protocol's millisecond timestamps: both bounds are truncated down (readers widen the
// max by 999 us, see StatsGuarantee), also when the extreme value is in a later row group.
TEST_F(StatsCollectorTest, TimestampsAreTruncatedToMilliseconds) {
  auto schema = arrow::schema({arrow::field("ts", arrow::timestamp(arrow::TimeUnit::MICRO, "UTC")),
                               arrow::field("ntz", arrow::timestamp(arrow::TimeUnit::MICRO))});
  EXPECT_EQ(Collect(schema,
                    {R"([{"ts": "2021-01-01T00:00:00.000001", "ntz": "1969-12-31T23:59:59.999001"}])",
                     R"([{"ts": "2021-01-01T00:00:00.123999", "ntz": "1969-12-31T23:59:59.000999"}])"},
                    {}, /*row_group_rows=*/1),
            R"({"numRecords":2,"minValues":{"ts":"2021-01-01T00:00:00.000Z",)"
            R"("ntz":"1969-12-31T23:59:59.000"},"maxValues":{"ts":"2021-01-01T00:00:00.123Z",)"
            R"("ntz":"1969-12-31T23:59:59.999"},"nullCount":{"ts":0,"ntz":0}})");
}

// Parquet statistics leave NaN out of min/max; Delta bounds must not, so a NaN in any row
// group drops the column's bounds. A NaN in a slot that is null (or under a null struct) is
// no value and changes nothing.
TEST_F(StatsCollectorTest, NaNInAnyRowGroupDropsTheBounds) {
  auto schema = arrow::schema({
      arrow::field("d", arrow::float64()),
      arrow::field("f", arrow::float32()),
      arrow::field("st", arrow::struct_({arrow::field("g", arrow::float64())})),
      arrow::field("all", arrow::float64()),
  });
  EXPECT_EQ(Collect(schema,
                    {R"([{"d": 1.5, "f": 2.5, "st": {"g": -1.0}, "all": NaN}])",
                     R"([{"d": -2.0, "f": NaN, "st": {"g": NaN}, "all": NaN}])",
                     R"([{"d": null, "f": 0.5, "st": null, "all": null}])"},
                    {}, /*row_group_rows=*/1),
            R"({"numRecords":3,"minValues":{"d":-2.0},"maxValues":{"d":1.5},)"
            R"("nullCount":{"d":1,"f":0,"st":{"g":1},"all":1}})");

  // NaN hidden under nulls: in the leaf's own null slot, and in a child of a null struct.
  auto values = arrow::json::ArrayFromJSONString(arrow::float64(), "[1.0, NaN, 3.0]").ValueOrDie();
  auto validity = std::static_pointer_cast<arrow::BooleanArray>(
                      arrow::json::ArrayFromJSONString(arrow::boolean(), "[true, false, true]")
                          .ValueOrDie())
                      ->values();
  auto data = values->data()->Copy();
  data->buffers[0] = validity;
  data->null_count = 1;
  auto masked = arrow::MakeArray(data);
  auto st = std::make_shared<arrow::StructArray>(
      arrow::struct_({arrow::field("g", arrow::float64())}), 3, arrow::ArrayVector{values},
      validity, /*null_count=*/1);
  auto hidden_schema = arrow::schema({arrow::field("d", arrow::float64()),
                                      arrow::field("st", st->type())});
  auto batch = arrow::RecordBatch::Make(hidden_schema, 3, {masked, st});
  ASSERT_TRUE(masked->IsNull(1));
  EXPECT_TRUE(std::isnan(std::static_pointer_cast<arrow::DoubleArray>(masked)->Value(1)));
  EXPECT_EQ(testing::StatsOfWrittenBatches(hidden_schema, {batch}).ValueOrDie(),
            R"({"numRecords":3,"minValues":{"d":1.0,"st":{"g":1.0}},)"
            R"("maxValues":{"d":3.0,"st":{"g":3.0}},"nullCount":{"d":1,"st":{"g":1}}})");
}

// Strings longer than the prefix are cut as before. One longer than the Parquet writer's
// max_statistics_size (4096 bytes) has no Parquet min (or max): that bound is left out, the
// other kept, and a short value in another row group does not bring the lost bound back.
TEST_F(StatsCollectorTest, LongStrings) {
  auto schema = arrow::schema({arrow::field("s", arrow::utf8())});
  const std::string long_a(5000, 'a');
  const std::string long_z(5000, 'z');
  EXPECT_EQ(Collect(schema, {"[{\"s\": \"" + long_a + "\"}, {\"s\": \"m\"}]"}),
            R"({"numRecords":2,"minValues":{},"maxValues":{"s":"m"},"nullCount":{"s":0}})");
  EXPECT_EQ(Collect(schema, {"[{\"s\": \"" + long_z + "\"}, {\"s\": \"m\"}]"}),
            R"({"numRecords":2,"minValues":{"s":"m"},"maxValues":{},"nullCount":{"s":0}})");
  EXPECT_EQ(Collect(schema, {"[{\"s\": \"" + long_z + "\"}, {\"s\": \"c\"}]", R"([{"s": "m"}])"},
                    {}, /*row_group_rows=*/2),
            R"({"numRecords":3,"minValues":{"s":"c"},"maxValues":{},"nullCount":{"s":0}})");
  // A row group whose only value is too long has neither bound.
  EXPECT_EQ(Collect(schema, {"[{\"s\": \"" + long_z + "\"}]", R"([{"s": "m"}])"}, {},
                    /*row_group_rows=*/1),
            R"({"numRecords":2,"minValues":{},"maxValues":{},"nullCount":{"s":0}})");
  // 4096 bytes is still within the limit: cut to 32 code points.
  const std::string at_limit = std::string(4095, 'q') + "r";
  EXPECT_EQ(Collect(schema, {"[{\"s\": \"" + at_limit + "\"}]"}),
            "{\"numRecords\":1,\"minValues\":{\"s\":\"" + std::string(32, 'q') +
                "\"},\"maxValues\":{\"s\":\"" + std::string(32, 'q') +
                "\xF4\x8F\xBF\xBF\"},\"nullCount\":{\"s\":0}}");
}

// A list or map is one leaf whose nullCount counts null lists (or lists under a null struct),
// not empty lists or null elements.
TEST_F(StatsCollectorTest, NullCountsOfListsAndMaps) {
  auto schema = arrow::schema({
      arrow::field("l", arrow::list(arrow::int32())),
      arrow::field("req", arrow::list(arrow::int32()), /*nullable=*/false),
      arrow::field("st", arrow::struct_({arrow::field("m", arrow::map(arrow::utf8(), arrow::int32())),
                                         arrow::field("ll", arrow::list(arrow::list(arrow::utf8())))})),
      arrow::field("x", arrow::int32()),
  });
  const std::vector<std::string> batches = {
      R"([{"l": [1, null], "req": [], "st": {"m": [["k", null]], "ll": [[null], null, []]}, "x": 1},
          {"l": null, "req": [1], "st": null, "x": 2}])",
      R"([{"l": [], "req": [], "st": {"m": null, "ll": null}, "x": 3},
          {"l": [null], "req": [2, 3], "st": {"m": [], "ll": []}, "x": 4},
          {"l": null, "req": [], "st": null, "x": 5}])",
  };
  const std::string expected =
      R"({"numRecords":5,"minValues":{"x":1},"maxValues":{"x":5},)"
      R"("nullCount":{"l":2,"req":0,"st":{"m":3,"ll":3},"x":0}})";
  EXPECT_EQ(Collect(schema, batches), expected);
  EXPECT_EQ(Collect(schema, batches, {}, /*row_group_rows=*/2), expected);
}

TEST_F(StatsCollectorTest, NumbersOfEveryWidth) {
  auto schema = arrow::schema({
      arrow::field("u8", arrow::uint8()),
      arrow::field("u32", arrow::uint32()),
      arrow::field("u64", arrow::uint64()),
      arrow::field("d256", arrow::decimal256(50, 3)),
      arrow::field("d32", arrow::decimal32(5, 1)),
      arrow::field("d64", arrow::decimal64(12, 4)),
      arrow::field("zero", arrow::float64()),
  });
  EXPECT_EQ(Collect(schema,
                    {R"([{"u8": 255, "u32": 4294967295, "u64": 18446744073709551615,)"
                     R"( "d256": "-12345678901234567890123456789012345678901234.567",)"
                     R"( "d32": "-9.5", "d64": "12345678.1234", "zero": -0.0}])",
                     R"([{"u8": 0, "u32": 1, "u64": 2, "d256": "1.000", "d32": "9999.9",)"
                     R"( "d64": "-0.0001", "zero": 0.0}])"},
                    {}, /*row_group_rows=*/1),
            R"({"numRecords":2,"minValues":{"u8":0,"u32":1,"u64":2,)"
            R"("d256":-12345678901234567890123456789012345678901234.567,"d32":-9.5,"d64":-0.0001,)"
            R"("zero":0.0},"maxValues":{"u8":255,"u32":4294967295,"u64":18446744073709551615,)"
            R"("d256":1.000,"d32":9999.9,"d64":12345678.1234,"zero":0.0},)"
            R"("nullCount":{"u8":0,"u32":0,"u64":0,"d256":0,"d32":0,"d64":0,"zero":0}})");
}

TEST_F(StatsCollectorTest, FooterMustMatchTheBatches) {
  auto schema = arrow::schema({arrow::field("x", arrow::int64())});
  auto other = arrow::schema({arrow::field("x", arrow::struct_({arrow::field("y", arrow::int64())}))});
  auto footer_of = [](const std::shared_ptr<arrow::Schema>& file_schema,
                      const std::shared_ptr<arrow::RecordBatch>& batch) {
    auto sink = arrow::io::BufferOutputStream::Create().ValueOrDie();
    auto writer = parquet::arrow::FileWriter::Open(*file_schema, arrow::default_memory_pool(), sink,
                                                   DataFileProperties(1024),
                                                   DataFileArrowProperties(false))
                      .ValueOrDie();
    EXPECT_TRUE(writer->WriteRecordBatch(*batch).ok());
    EXPECT_TRUE(writer->Close().ok());
    return writer->metadata();
  };
  auto batch = Batch(schema, R"([{"x": 1}, {"x": 2}])");
  auto footer = footer_of(schema, batch);

  auto collector = StatsCollector::Make(schema).ValueOrDie();
  ASSERT_TRUE(collector->Update(*batch).ok());
  ASSERT_TRUE(collector->Update(*batch).ok());
  auto status = collector->AddParquetFooter(*footer);  // 2 rows in the file, 4 seen
  ASSERT_TRUE(status.IsInvalid());
  EXPECT_NE(status.message().find("2 rows but 4"), std::string::npos) << status.ToString();

  collector = StatsCollector::Make(schema).ValueOrDie();
  ASSERT_TRUE(collector->Update(*batch).ok());
  ASSERT_TRUE(collector->AddParquetFooter(*footer).ok());
  EXPECT_TRUE(collector->AddParquetFooter(*footer).IsInvalid());

  collector = StatsCollector::Make(schema).ValueOrDie();
  ASSERT_TRUE(collector->Update(*batch).ok());
  auto nested = footer_of(other, Batch(other, R"([{"x": {"y": 1}}, {"x": null}])"));
  EXPECT_TRUE(collector->AddParquetFooter(*nested).IsInvalid());
}

// --- parity with Spark on real files -----------------------------------------------------

std::string TableDir(const std::string& relative) {
  return std::string(TIDELAKE_TESTDATA_DIR) + "/delta/" + relative;
}

struct AddWithStats {
  std::string path;
  std::string stats;
};

std::vector<AddWithStats> ReadAddsWithStats(const std::string& table) {
  std::vector<std::string> commits;
  for (const auto& entry : fs::directory_iterator(table + "/_delta_log")) {
    if (entry.path().extension() == ".json") commits.push_back(entry.path().string());
  }
  std::sort(commits.begin(), commits.end());
  std::vector<AddWithStats> adds;
  simdjson::dom::parser parser;
  for (const auto& commit : commits) {
    std::ifstream in(commit);
    std::string line;
    while (std::getline(in, line)) {
      simdjson::dom::element action;
      if (parser.parse(line).get(action) != simdjson::SUCCESS) continue;
      std::string_view path;
      std::string_view stats;
      if (action["add"]["path"].get(path) != simdjson::SUCCESS) continue;
      if (action["add"]["stats"].get(stats) != simdjson::SUCCESS) continue;
      // A file re-added with a deletion vector keeps its old stats, now with wide bounds.
      simdjson::dom::object dv;
      if (action["add"]["deletionVector"].get(dv) == simdjson::SUCCESS) continue;
      adds.push_back({std::string(path), std::string(stats)});
    }
  }
  return adds;
}

// add.path is URI-encoded; these tables need only %XX decoding.
std::string UriDecode(std::string_view path) {
  std::string out;
  for (size_t i = 0; i < path.size(); ++i) {
    if (path[i] == '%' && i + 2 < path.size()) {
      out += static_cast<char>(std::stoi(std::string(path.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += path[i];
    }
  }
  return out;
}

// Reads a data file. With `int96_as_utc`, the INT96 timestamps older Spark versions and
// delta-rs wrote (read as timestamp[us] without a zone) become Delta's timestamp[us, UTC].
std::shared_ptr<arrow::Table> ReadDataFile(const std::string& path, bool int96_as_utc) {
  auto file = arrow::io::ReadableFile::Open(path).ValueOrDie();
  parquet::ArrowReaderProperties properties;
  // Read INT96 as microseconds: as nanoseconds, year 9999 overflows.
  properties.set_coerce_int96_timestamp_unit(arrow::TimeUnit::MICRO);
  parquet::arrow::FileReaderBuilder builder;
  EXPECT_TRUE(builder.Open(file).ok());
  std::unique_ptr<parquet::arrow::FileReader> reader;
  EXPECT_TRUE(builder.properties(properties)->Build(&reader).ok());
  std::shared_ptr<arrow::Table> table = reader->ReadTable().ValueOrDie();
  if (!int96_as_utc) return table;
  const auto utc = arrow::timestamp(arrow::TimeUnit::MICRO, "UTC");
  for (int i = 0; i < table->num_columns(); ++i) {
    if (!table->column(i)->type()->Equals(*arrow::timestamp(arrow::TimeUnit::MICRO))) continue;
    auto cast = arrow::compute::Cast(table->column(i), utc).ValueOrDie().chunked_array();
    table = table->SetColumn(i, arrow::field(table->field(i)->name(), utc), cast).ValueOrDie();
  }
  return table;
}

// Rewrites every data file of a Spark-written table as DataWriter would (two rows per batch
// and per row group, so the collector merges row groups) and expects the very stats string
// Spark put in the log.
void ExpectSparkStats(const std::string& relative_table, bool int96_as_utc = false,
                      bool tight_bounds = false) {
  const std::string table_dir = TableDir(relative_table);
  auto adds = ReadAddsWithStats(table_dir);
  ASSERT_FALSE(adds.empty()) << relative_table;
  for (const auto& add : adds) {
    auto table = ReadDataFile(table_dir + "/" + UriDecode(add.path), int96_as_utc);
    StatsOptions options;
    options.write_tight_bounds = tight_bounds;
    arrow::TableBatchReader batches(*table);
    batches.set_chunksize(2);
    std::vector<std::shared_ptr<arrow::RecordBatch>> written;
    std::shared_ptr<arrow::RecordBatch> batch;
    while (batches.ReadNext(&batch).ok() && batch != nullptr) written.push_back(batch);
    auto json = testing::StatsOfWrittenBatches(table->schema(), written, options,
                                               /*row_group_rows=*/2);
    ASSERT_TRUE(json.ok()) << json.status().ToString();
    EXPECT_EQ(*json, add.stats) << relative_table << "/" << add.path;
  }
}

TEST_F(StatsCollectorTest, MatchesSparkColumnMappingTable) {
  // Every primitive type plus nested structs, arrays and maps, keyed by physical names.
  ExpectSparkStats("spark-golden/table-with-columnmapping-mode-name");
}

TEST_F(StatsCollectorTest, MatchesSparkTimestampNtzTable) {
  ExpectSparkStats("spark-golden/data-reader-timestamp_ntz");
}

TEST_F(StatsCollectorTest, MatchesOtherWritersOnTheirFiles) {
  for (const char* table : {
           "dat/multi_partitioned/delta",         // Spark 3.3 / Delta 2.1
           "spark-golden/type-widening",          // before and after widening
           "delta-rs/table_with_column_mapping",  // Databricks, physical names
       }) {
    SCOPED_TRACE(table);
    ExpectSparkStats(table);
  }
  ExpectSparkStats("delta-rs/table_with_edge_timestamps", /*int96_as_utc=*/true);  // year 9999
  // A table with deletion vectors enabled: Spark adds "tightBounds":true to new files.
  ExpectSparkStats("spark-golden/dv-partitioned-with-checkpoint", /*int96_as_utc=*/false,
                   /*tight_bounds=*/true);
}

TEST_F(StatsCollectorTest, MatchesSparkOnStructsDecimalsAndInt96Timestamps) {
  ExpectSparkStats("delta-rs/delta-1.2.1-only-struct-stats", /*int96_as_utc=*/true);
}

}  // namespace
}  // namespace tidelake::delta
