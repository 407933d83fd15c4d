// Rows to bytes and back: every flat type survives the round trip with its nulls, keys are
// canonical (0.0 = -0.0, one NaN) while values keep their bits, and corrupt bytes or nested
// types are refused with the column named.
#include "stream/row_codec.h"

#include <arrow/api.h>
#include <arrow/json/from_string.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace tidelake::stream {
namespace {

std::shared_ptr<arrow::Array> Json(const std::shared_ptr<arrow::DataType>& type, const std::string& json) {
  return arrow::json::ArrayFromJSONString(type, json).ValueOrDie();
}

std::shared_ptr<arrow::RecordBatch> AllTypes() {
  auto schema = arrow::schema({
      arrow::field("b", arrow::boolean()),
      arrow::field("i8", arrow::int8()),
      arrow::field("i64", arrow::int64()),
      arrow::field("f", arrow::float32()),
      arrow::field("d", arrow::float64()),
      arrow::field("s", arrow::utf8()),
      arrow::field("ls", arrow::large_utf8()),
      arrow::field("bin", arrow::binary()),
      arrow::field("date", arrow::date32()),
      arrow::field("ts", arrow::timestamp(arrow::TimeUnit::MICRO, "UTC")),
      arrow::field("dec", arrow::decimal128(20, 3)),
      arrow::field("n", arrow::null()),
  });
  return arrow::RecordBatch::Make(
      schema, 3,
      {Json(arrow::boolean(), "[true, null, false]"), Json(arrow::int8(), "[-128, 127, null]"),
       Json(arrow::int64(), "[null, -9223372036854775808, 42]"), Json(arrow::float32(), "[1.5, null, -0.0]"),
       Json(arrow::float64(), "[2.25, -1e300, null]"), Json(arrow::utf8(), R"(["", null, "héllo wörld"])"),
       Json(arrow::large_utf8(), R"([null, "x", ""])"), Json(arrow::binary(), R"(["AAEC", "", null])"),
       Json(arrow::date32(), "[0, null, 19000]"), Json(arrow::timestamp(arrow::TimeUnit::MICRO, "UTC"), "[1, 2, null]"),
       Json(arrow::decimal128(20, 3), R"(["12345678901234567.891", null, "-0.001"])"),
       Json(arrow::null(), "[null, null, null]")});
}

std::vector<int> AllColumns(const arrow::Schema& schema) {
  std::vector<int> columns(schema.num_fields());
  for (int i = 0; i < schema.num_fields(); ++i) columns[i] = i;
  return columns;
}

TEST(RowCodecTest, RowsRoundTripWithTheirNulls) {
  auto batch = AllTypes();
  auto encoder = RowEncoder::Make(*batch->schema(), AllColumns(*batch->schema()), /*canonical=*/false).ValueOrDie();
  auto decoder = RowDecoder::Make(batch->schema()).ValueOrDie();
  // Twice over, and decoded in two rounds, so that a Finish resets the builders.
  for (int round = 0; round < 2; ++round) {
    for (int64_t row = 0; row < batch->num_rows(); ++row) {
      std::string bytes;
      encoder.Encode(*batch, row, &bytes);
      ASSERT_TRUE(decoder.Append(bytes).ok());
    }
    EXPECT_EQ(decoder.num_rows(), 3);
    auto table = decoder.Finish().ValueOrDie();
    ASSERT_TRUE(table->ValidateFull().ok());
    auto expected = arrow::Table::FromRecordBatches({batch}).ValueOrDie();
    EXPECT_TRUE(table->Equals(*expected)) << table->ToString();
  }
  // A slice's rows are its own (offsets are honoured).
  auto slice = batch->Slice(1, 2);
  std::string bytes;
  encoder.Encode(*slice, 0, &bytes);
  ASSERT_TRUE(decoder.Append(bytes).ok());
  auto table = decoder.Finish().ValueOrDie();
  EXPECT_TRUE(table->Equals(*arrow::Table::FromRecordBatches({batch->Slice(1, 1)}).ValueOrDie()));
}

TEST(RowCodecTest, KeysAreCanonicalValuesKeepTheirBits) {
  auto schema = arrow::schema({arrow::field("d", arrow::float64()), arrow::field("s", arrow::utf8())});
  const double nan_a = std::numeric_limits<double>::quiet_NaN();
  const double nan_b = -std::numeric_limits<double>::quiet_NaN();
  arrow::DoubleBuilder doubles;
  ASSERT_TRUE(doubles.AppendValues({0.0, -0.0, nan_a, nan_b}).ok());
  auto batch = arrow::RecordBatch::Make(schema, 4, {doubles.Finish().ValueOrDie(),
                                                    Json(arrow::utf8(), R"(["a", "a", "a", "a"])")});
  auto key = RowEncoder::Make(*schema, {0, 1}, /*canonical=*/true).ValueOrDie();
  auto value = RowEncoder::Make(*schema, {0, 1}, /*canonical=*/false).ValueOrDie();
  auto encode = [&](const RowEncoder& encoder, int64_t row) {
    std::string bytes;
    encoder.Encode(*batch, row, &bytes);
    return bytes;
  };
  EXPECT_EQ(encode(key, 0), encode(key, 1));
  EXPECT_EQ(encode(key, 2), encode(key, 3));
  EXPECT_NE(encode(value, 0), encode(value, 1));
  // Lengths keep rows apart that concatenation would merge: ("ab", "c") is not ("a", "bc").
  auto strings = arrow::schema({arrow::field("x", arrow::utf8()), arrow::field("y", arrow::utf8())});
  auto pairs = arrow::RecordBatch::Make(strings, 2, {Json(arrow::utf8(), R"(["ab", "a"])"),
                                                     Json(arrow::utf8(), R"(["c", "bc"])")});
  auto pair_key = RowEncoder::Make(*strings, {0, 1}, /*canonical=*/true).ValueOrDie();
  std::string first, second;
  pair_key.Encode(*pairs, 0, &first);
  pair_key.Encode(*pairs, 1, &second);
  EXPECT_NE(first, second);
}

TEST(RowCodecTest, CorruptRowsAndNestedTypesAreRefused) {
  auto schema = arrow::schema({arrow::field("i", arrow::int32()), arrow::field("s", arrow::utf8())});
  auto decoder = RowDecoder::Make(schema).ValueOrDie();
  std::string good("\1\7\0\0\0\1\2hi", 9);
  ASSERT_TRUE(decoder.Append(good).ok());
  EXPECT_FALSE(decoder.Append(good.substr(0, 7)).ok());          // truncated string
  EXPECT_FALSE(decoder.Append(good + "x").ok());                 // bytes too many
  EXPECT_FALSE(decoder.Append(std::string("\2", 1)).ok());       // not a validity byte
  EXPECT_EQ(decoder.num_rows(), 1);                              // the refused rows added nothing
  auto table = decoder.Finish().ValueOrDie();
  ASSERT_TRUE(table->ValidateFull().ok());
  EXPECT_EQ(table->num_rows(), 1);

  auto nested = arrow::schema({arrow::field("ok", arrow::int32()), arrow::field("tags", arrow::list(arrow::utf8()))});
  auto refused = RowDecoder::Make(nested);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("column 'tags'"), std::string::npos) << refused.status().ToString();
  EXPECT_FALSE(RowEncoder::Make(*nested, {1}, true).ok());
  EXPECT_TRUE(RowEncoder::Make(*nested, {0}, true).ok());
}

}  // namespace
}  // namespace tidelake::stream
