#ifndef TIDELAKE_TESTDATA_DIR
#define TIDELAKE_TESTDATA_DIR "/work/shared/testdata"
#endif

#include "delta/partition_values.h"

#include <arrow/array.h>
#include <arrow/scalar.h>
#include <arrow/type.h>
#include <arrow/util/decimal.h>
#include <gtest/gtest.h>
#include <simdjson.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

namespace tidelake::delta {
namespace {

namespace fs = std::filesystem;

std::string TableDir(const std::string& relative) {
  return std::string(TIDELAKE_TESTDATA_DIR) + "/delta/" + relative;
}

struct LoggedAdd {
  std::string path;
  std::map<std::string, std::optional<std::string>> partition_values;
};

// Every add action in the table's JSON commits, in version order.
std::vector<LoggedAdd> ReadAdds(const std::string& table) {
  std::vector<std::string> commits;
  for (const auto& entry : fs::directory_iterator(table + "/_delta_log")) {
    if (entry.path().extension() == ".json") commits.push_back(entry.path().string());
  }
  std::sort(commits.begin(), commits.end());
  std::vector<LoggedAdd> adds;
  simdjson::dom::parser parser;
  for (const auto& commit : commits) {
    std::ifstream in(commit);
    std::string line;
    while (std::getline(in, line)) {
      simdjson::dom::element action;
      EXPECT_EQ(parser.parse(line).get(action), simdjson::SUCCESS) << commit;
      simdjson::dom::object add;
      if (action["add"].get_object().get(add) != simdjson::SUCCESS) continue;
      LoggedAdd logged;
      logged.path = std::string(add["path"].get_string().value());
      simdjson::dom::object partition_values;
      EXPECT_EQ(add["partitionValues"].get_object().get(partition_values), simdjson::SUCCESS);
      for (auto [key, value] : partition_values) {
        if (value.is_null()) {
          logged.partition_values[std::string(key)] = std::nullopt;
        } else {
          logged.partition_values[std::string(key)] = std::string(value.get_string().value());
        }
      }
      adds.push_back(std::move(logged));
    }
  }
  return adds;
}

std::optional<std::string> Serialize(const arrow::Scalar& scalar,
                                     const PartitionValueOptions& options = {}) {
  auto result = SerializePartitionValue(scalar, options);
  EXPECT_TRUE(result.ok()) << result.status().ToString();
  return result.ok() ? *result : std::nullopt;
}

std::shared_ptr<arrow::Scalar> Parse(const std::optional<std::string>& text,
                                     const std::shared_ptr<arrow::DataType>& type) {
  auto result = ParsePartitionValue(text, type);
  EXPECT_TRUE(result.ok()) << result.status().ToString();
  return result.ok() ? *result : nullptr;
}

const auto kTimestampUtc = arrow::timestamp(arrow::TimeUnit::MICRO, "UTC");
const auto kTimestampNtz = arrow::timestamp(arrow::TimeUnit::MICRO);

// 2021-09-08 11:11:11 UTC in microseconds.
constexpr int64_t kSep8Micros = 1631099471LL * 1000000;

TEST(SerializePartitionValueTest, EveryPrimitiveType) {
  EXPECT_EQ(Serialize(arrow::BooleanScalar(true)), "true");
  EXPECT_EQ(Serialize(arrow::BooleanScalar(false)), "false");
  EXPECT_EQ(Serialize(arrow::Int8Scalar(-128)), "-128");
  EXPECT_EQ(Serialize(arrow::Int16Scalar(300)), "300");
  EXPECT_EQ(Serialize(arrow::Int32Scalar(0)), "0");
  EXPECT_EQ(Serialize(arrow::Int64Scalar(INT64_MAX)), "9223372036854775807");
  EXPECT_EQ(Serialize(arrow::FloatScalar(0.0f)), "0.0");
  EXPECT_EQ(Serialize(arrow::FloatScalar(0.1f)), "0.1");
  EXPECT_EQ(Serialize(arrow::DoubleScalar(1.0)), "1.0");
  EXPECT_EQ(Serialize(arrow::DoubleScalar(-2.5)), "-2.5");
  EXPECT_EQ(Serialize(arrow::DoubleScalar(0.1 + 0.2)), "0.30000000000000004");
  EXPECT_EQ(Serialize(arrow::DoubleScalar(std::nan(""))), "NaN");
  EXPECT_EQ(Serialize(arrow::DoubleScalar(-INFINITY)), "-Infinity");
  EXPECT_EQ(Serialize(arrow::StringScalar("a/b c")), "a/b c");
  EXPECT_EQ(Serialize(arrow::BinaryScalar(arrow::Buffer::FromString("\x01\x02"))), "\x01\x02");
  EXPECT_EQ(Serialize(arrow::Date32Scalar(18878)), "2021-09-08");
  EXPECT_EQ(Serialize(arrow::Date32Scalar(-1)), "1969-12-31");
  EXPECT_EQ(Serialize(arrow::Decimal128Scalar(arrow::Decimal128(150), arrow::decimal128(5, 2))),
            "1.50");
  EXPECT_EQ(Serialize(arrow::Decimal128Scalar(arrow::Decimal128(-7), arrow::decimal128(1, 0))),
            "-7");
  EXPECT_EQ(Serialize(arrow::Decimal64Scalar(arrow::Decimal64(5), arrow::decimal64(10, 3))),
            "0.005");
}

TEST(SerializePartitionValueTest, NullAndEmptyAreNull) {
  EXPECT_EQ(Serialize(*arrow::MakeNullScalar(arrow::int32())), std::nullopt);
  EXPECT_EQ(Serialize(arrow::NullScalar()), std::nullopt);
  // PROTOCOL.md reads "" as null for every type, so an empty string is written as null.
  EXPECT_EQ(Serialize(arrow::StringScalar("")), std::nullopt);
}

TEST(SerializePartitionValueTest, Timestamps) {
  arrow::TimestampScalar utc(kSep8Micros, kTimestampUtc);
  EXPECT_EQ(Serialize(utc), "2021-09-08T11:11:11.000000Z");
  PartitionValueOptions spark_form{TimestampPartitionFormat::kSpaceSeparated};
  EXPECT_EQ(Serialize(utc, spark_form), "2021-09-08 11:11:11");
  arrow::TimestampScalar with_fraction(kSep8Micros + 123400, kTimestampUtc);
  EXPECT_EQ(Serialize(with_fraction), "2021-09-08T11:11:11.123400Z");
  EXPECT_EQ(Serialize(with_fraction, spark_form), "2021-09-08 11:11:11.1234");
  // timestamp_ntz never carries a zone, whatever the option.
  arrow::TimestampScalar ntz(kSep8Micros + 123456, kTimestampNtz);
  EXPECT_EQ(Serialize(ntz), "2021-09-08 11:11:11.123456");
  // Before the epoch: the fraction counts forward from the earlier second.
  arrow::TimestampScalar before_epoch(-1, kTimestampNtz);
  EXPECT_EQ(Serialize(before_epoch), "1969-12-31 23:59:59.999999");
  arrow::TimestampScalar nanos(1, arrow::timestamp(arrow::TimeUnit::NANO, "UTC"));
  EXPECT_EQ(Serialize(nanos), "1970-01-01T00:00:00.000000001Z");
}

TEST(SerializePartitionValueTest, UnsupportedTypeIsNotImplemented) {
  auto list = arrow::MakeNullScalar(arrow::list(arrow::int32()));
  list->is_valid = true;  // the type alone decides; the value is never looked at
  auto result = SerializePartitionValue(*list);
  ASSERT_TRUE(result.status().IsNotImplemented());
  EXPECT_NE(result.status().message().find("list"), std::string::npos);
}

TEST(ParsePartitionValueTest, EveryPrimitiveType) {
  EXPECT_TRUE(Parse("true", arrow::boolean())->Equals(arrow::BooleanScalar(true)));
  EXPECT_TRUE(Parse("FALSE", arrow::boolean())->Equals(arrow::BooleanScalar(false)));
  EXPECT_TRUE(Parse("-128", arrow::int8())->Equals(arrow::Int8Scalar(-128)));
  EXPECT_TRUE(Parse("+7", arrow::int16())->Equals(arrow::Int16Scalar(7)));
  EXPECT_TRUE(Parse("2147483647", arrow::int32())->Equals(arrow::Int32Scalar(INT32_MAX)));
  EXPECT_TRUE(Parse("-9223372036854775808", arrow::int64())->Equals(arrow::Int64Scalar(INT64_MIN)));
  EXPECT_TRUE(Parse("1.0", arrow::float32())->Equals(arrow::FloatScalar(1.0f)));
  EXPECT_TRUE(
      Parse("0.30000000000000004", arrow::float64())->Equals(arrow::DoubleScalar(0.1 + 0.2)));
  EXPECT_TRUE(Parse("-Infinity", arrow::float64())->Equals(arrow::DoubleScalar(-INFINITY)));
  auto nan = Parse("NaN", arrow::float64());
  EXPECT_TRUE(std::isnan(std::static_pointer_cast<arrow::DoubleScalar>(nan)->value));
  EXPECT_TRUE(Parse("2021.0", arrow::utf8())->Equals(arrow::StringScalar("2021.0")));
  EXPECT_TRUE(Parse("null", arrow::utf8())->Equals(arrow::StringScalar("null")));
  EXPECT_TRUE(Parse("x", arrow::large_utf8())->Equals(arrow::LargeStringScalar("x")));
  EXPECT_TRUE(Parse("hello", arrow::binary())
                  ->Equals(arrow::BinaryScalar(arrow::Buffer::FromString("hello"))));
  EXPECT_TRUE(Parse("2021-09-08", arrow::date32())->Equals(arrow::Date32Scalar(18878)));
  EXPECT_TRUE(
      Parse("1.5", arrow::decimal128(5, 2))
          ->Equals(arrow::Decimal128Scalar(arrow::Decimal128(150), arrow::decimal128(5, 2))));
  EXPECT_TRUE(
      Parse("1E+2", arrow::decimal128(5, 0))
          ->Equals(arrow::Decimal128Scalar(arrow::Decimal128(100), arrow::decimal128(5, 0))));
}

TEST(ParsePartitionValueTest, NullAndEmptyStringAreNullForEveryType) {
  for (const auto& type : {arrow::int32(), arrow::utf8(), arrow::date32(), kTimestampUtc}) {
    auto from_null = Parse(std::nullopt, type);
    ASSERT_NE(from_null, nullptr);
    EXPECT_FALSE(from_null->is_valid) << type->ToString();
    EXPECT_TRUE(from_null->type->Equals(*type));
    auto from_empty = Parse("", type);
    ASSERT_NE(from_empty, nullptr);
    EXPECT_FALSE(from_empty->is_valid) << type->ToString();
  }
}

TEST(ParsePartitionValueTest, EveryTimestampForm) {
  const std::vector<std::pair<std::string, int64_t>> utc_forms = {
      {"2021-09-08 11:11:11", kSep8Micros},
      {"2021-09-08T11:11:11", kSep8Micros},
      {"2021-09-08 11:11:11.5", kSep8Micros + 500000},
      {"2021-09-08 11:11:11.123456", kSep8Micros + 123456},
      {"2021-09-08T11:11:11.000000Z", kSep8Micros},
      {"2021-09-08T12:11:11+01:00", kSep8Micros},
      {"2021-09-08T10:41:11-0030", kSep8Micros},
      {"2021-09-08 11:11", kSep8Micros - 11000000},
      {"2021-09-08", kSep8Micros - (11 * 3600 + 11 * 60 + 11) * 1000000LL},
  };
  for (const auto& [text, micros] : utc_forms) {
    auto parsed = Parse(text, kTimestampUtc);
    ASSERT_NE(parsed, nullptr) << text;
    EXPECT_TRUE(parsed->Equals(arrow::TimestampScalar(micros, kTimestampUtc))) << text;
  }
  auto ntz = Parse("2013-07-05 17:01:00.123456", kTimestampNtz);
  EXPECT_TRUE(ntz->Equals(arrow::TimestampScalar(1373043660123456LL, kTimestampNtz)));
  auto millis = Parse("1970-01-01 00:00:01.5", arrow::timestamp(arrow::TimeUnit::MILLI));
  EXPECT_TRUE(
      millis->Equals(arrow::TimestampScalar(1500, arrow::timestamp(arrow::TimeUnit::MILLI))));
}

TEST(ParsePartitionValueTest, ErrorsNameTheValueAndType) {
  struct Case {
    std::string text;
    std::shared_ptr<arrow::DataType> type;
    std::string detail;
  };
  const std::vector<Case> cases = {
      {"abc", arrow::int32(), "not an integer"},
      {"2021.0", arrow::int64(), "not an integer"},
      {"300", arrow::int8(), "out of range"},
      {"1.5x", arrow::float64(), "not a number"},
      {"yes", arrow::boolean(), "true or false"},
      {"2021-02-30", arrow::date32(), "invalid date"},
      {"2021-09-08 25:00:00", kTimestampUtc, "bad hour"},
      {"2021-09-08T11:11:11Z", kTimestampNtz, "zone"},
      {"2021-09-08 11:11:11.1234567", kTimestampUtc, "fractional digits"},
      {"1.234", arrow::decimal128(5, 2), "scale"},
      {"12345", arrow::decimal128(5, 2), "precision"},
  };
  for (const auto& c : cases) {
    auto result = ParsePartitionValue(c.text, c.type);
    ASSERT_FALSE(result.ok()) << c.text << " as " << c.type->ToString();
    const std::string& message = result.status().message();
    EXPECT_NE(message.find("'" + c.text + "'"), std::string::npos) << message;
    EXPECT_NE(message.find(c.type->ToString()), std::string::npos) << message;
    EXPECT_NE(message.find(c.detail), std::string::npos) << message;
  }
}

TEST(ParsePartitionValueTest, RoundTripsThroughSerialize) {
  const std::vector<std::shared_ptr<arrow::Scalar>> values = {
      std::make_shared<arrow::Int64Scalar>(-42),
      std::make_shared<arrow::DoubleScalar>(1e-300),
      std::make_shared<arrow::FloatScalar>(3.4028235e38f),
      std::make_shared<arrow::StringScalar>("😈 /%20%f"),
      std::make_shared<arrow::Date32Scalar>(2932896),  // 9999-12-31
      std::make_shared<arrow::TimestampScalar>(253402300799999999LL, kTimestampUtc),
      std::make_shared<arrow::TimestampScalar>(-62135596800000000LL, kTimestampNtz),  // 0001
      std::make_shared<arrow::Decimal128Scalar>(
          arrow::Decimal128::FromString("-12345678901234567890.123456789012345678").ValueOrDie(),
          arrow::decimal128(38, 18)),
  };
  for (const auto& value : values) {
    auto text = Serialize(*value);
    ASSERT_TRUE(text.has_value()) << value->ToString();
    auto back = Parse(text, value->type);
    ASSERT_NE(back, nullptr) << *text;
    EXPECT_TRUE(back->Equals(*value)) << *text << " read back as " << back->ToString();
  }
}

// Spark wrote these partition values (12 types, including nulls and the string "null").
TEST(PartitionValuesOnRealTables, SparkGoldenPartitionValues) {
  const std::map<std::string, std::shared_ptr<arrow::DataType>> types = {
      {"as_int", arrow::int32()},
      {"as_long", arrow::int64()},
      {"as_byte", arrow::int8()},
      {"as_short", arrow::int16()},
      {"as_boolean", arrow::boolean()},
      {"as_float", arrow::float32()},
      {"as_double", arrow::float64()},
      {"as_string", arrow::utf8()},
      {"as_string_lit_null", arrow::utf8()},
      {"as_date", arrow::date32()},
      {"as_timestamp", kTimestampUtc},
      {"as_big_decimal", arrow::decimal128(1, 0)},
  };
  auto adds = ReadAdds(TableDir("spark-golden/data-reader-partition-values"));
  ASSERT_EQ(adds.size(), 3u);
  int null_files = 0;
  for (const auto& add : adds) {
    ASSERT_EQ(add.partition_values.size(), types.size());
    const auto& as_int = add.partition_values.at("as_int");
    if (!as_int.has_value()) {
      ++null_files;
      for (const auto& [column, text] : add.partition_values) {
        EXPECT_FALSE(Parse(text, types.at(column))->is_valid) << column;
      }
      continue;
    }
    const int i = std::stoi(*as_int);
    EXPECT_TRUE(
        Parse(add.partition_values.at("as_long"), arrow::int64())->Equals(arrow::Int64Scalar(i)));
    EXPECT_TRUE(Parse(add.partition_values.at("as_boolean"), arrow::boolean())
                    ->Equals(arrow::BooleanScalar(i % 2 == 0)));
    EXPECT_TRUE(Parse(add.partition_values.at("as_double"), arrow::float64())
                    ->Equals(arrow::DoubleScalar(i)));
    EXPECT_TRUE(Parse(add.partition_values.at("as_string_lit_null"), arrow::utf8())
                    ->Equals(arrow::StringScalar("null")));
    EXPECT_TRUE(Parse(add.partition_values.at("as_date"), arrow::date32())
                    ->Equals(arrow::Date32Scalar(18878)));
    EXPECT_TRUE(Parse(add.partition_values.at("as_timestamp"), kTimestampUtc)
                    ->Equals(arrow::TimestampScalar(kSep8Micros, kTimestampUtc)));
    // Writing the parsed value back in Spark's form reproduces the log byte for byte.
    PartitionValueOptions spark_form{TimestampPartitionFormat::kSpaceSeparated};
    for (const auto& [column, text] : add.partition_values) {
      auto scalar = Parse(text, types.at(column));
      ASSERT_NE(scalar, nullptr) << column;
      EXPECT_EQ(Serialize(*scalar, spark_form), text) << column;
    }
  }
  EXPECT_EQ(null_files, 1);
}

TEST(PartitionValuesOnRealTables, Iso8601TimestampsAndTheirDirectories) {
  const std::string table = TableDir("spark-golden/kernel-timestamp-partition-col-ISO8601");
  auto adds = ReadAdds(table);
  ASSERT_EQ(adds.size(), 2u);
  for (const auto& add : adds) {
    const auto& text = add.partition_values.at("ts");
    auto scalar = Parse(text, kTimestampUtc);
    ASSERT_NE(scalar, nullptr);
    // Our default form is exactly the one this (Delta 3.4) writer used in the log ...
    EXPECT_EQ(Serialize(*scalar), text);
    // ... while its directories use the space-separated form, with ':' escaped.
    auto spark_text = Serialize(*scalar, {TimestampPartitionFormat::kSpaceSeparated});
    std::string dir = HivePartitionPath({{"ts", spark_text}});
    EXPECT_TRUE(fs::is_directory(table + "/" + dir)) << dir;
  }
  EXPECT_EQ(HivePartitionPath({{"ts", "2024-01-01 10:00:00"}}), "ts=2024-01-01 10%3A00%3A00/");
}

TEST(PartitionValuesOnRealTables, TimestampNtzPartitions) {
  auto adds = ReadAdds(TableDir("spark-golden/data-reader-timestamp_ntz"));
  int seen = 0;
  for (const auto& add : adds) {
    const auto& text = add.partition_values.at("tsNtzPartition");
    auto scalar = Parse(text, kTimestampNtz);
    ASSERT_NE(scalar, nullptr);
    EXPECT_EQ(Serialize(*scalar), text);
    if (text == "2013-07-05 17:01:00.123456") {
      EXPECT_TRUE(scalar->Equals(arrow::TimestampScalar(1373043660123456LL, kTimestampNtz)));
      ++seen;
    }
  }
  EXPECT_GT(seen, 0);
}

// The directory each add lives in must be what HivePartitionPath computes from the logged
// partition values (for tables written by Spark on Linux).
void ExpectDirectoriesMatch(const std::string& relative_table,
                            const std::vector<std::string>& partition_columns) {
  const std::string table = TableDir(relative_table);
  auto adds = ReadAdds(table);
  ASSERT_FALSE(adds.empty());
  for (const auto& add : adds) {
    std::vector<std::pair<std::string, std::optional<std::string>>> values;
    for (const auto& column : partition_columns) {
      values.emplace_back(column, add.partition_values.at(column));
    }
    const std::string dir = HivePartitionPath(values);
    EXPECT_TRUE(fs::is_directory(table + "/" + dir)) << relative_table << ": " << dir;
  }
}

TEST(PartitionValuesOnRealTables, HiveDirectoriesMatchSpark) {
  ExpectDirectoriesMatch("dat/multi_partitioned/delta", {"letter", "date", "data"});
  ExpectDirectoriesMatch("spark-golden/data-reader-escaped-chars", {"_2"});
  ExpectDirectoriesMatch("spark-golden/deltatbl-special-chars-in-partition-column", {"c2"});
  ExpectDirectoriesMatch("spark-golden/data-reader-partition-values", {"as_int"});
  ExpectDirectoriesMatch("dat/basic_partitioned/delta", {"letter"});

  EXPECT_EQ(HivePartitionPath({{"letter", "/%20%f"}, {"date", "1970-01-01"}, {"data", "hello"}}),
            "letter=%2F%2520%25f/date=1970-01-01/data=hello/");
  EXPECT_EQ(HivePartitionPath({{"letter", std::nullopt}, {"date", ""}}),
            "letter=__HIVE_DEFAULT_PARTITION__/date=__HIVE_DEFAULT_PARTITION__/");
  EXPECT_EQ(HivePartitionPath({{"_2", "bar+%21"}}), "_2=bar+%2521/");
  EXPECT_EQ(HivePartitionPath({{"c2", "+ =%0"}}), "c2=+ %3D%250/");
  EXPECT_EQ(HivePartitionPath({{"data", "😈"}}), "data=😈/");
  EXPECT_EQ(HivePartitionPath({}), "");
}

TEST(PartitionValuesOnRealTables, DirectoriesOfAnotherWriter) {
  // delta-0.8.0-special-partition's writer also escaped the space: its directory is x=B%20B.
  // The log value is what counts; unescaping the directory gives the same value back.
  const std::string table = TableDir("delta-rs/delta-0.8.0-special-partition");
  std::map<std::string, std::string> by_value;
  for (const auto& add : ReadAdds(table)) by_value[*add.partition_values.at("x")] = add.path;
  ASSERT_EQ(by_value.size(), 2u);
  EXPECT_EQ(HivePartitionPath({{"x", "A/A"}}), "x=A%2FA/");
  EXPECT_TRUE(fs::is_directory(table + "/x=A%2FA"));
  EXPECT_EQ(HivePartitionPath({{"x", "B B"}}), "x=B B/");
  EXPECT_TRUE(fs::is_directory(table + "/x=B%20B"));
  EXPECT_EQ(UnescapePathName("B%20B"), "B B");
}

TEST(EscapePathNameTest, EscapesExactlySparksSet) {
  std::string escaped_set;
  for (int c = 0; c < 128; ++c) {
    std::string one(1, static_cast<char>(c));
    if (EscapePathName(one) != one) escaped_set += one;
  }
  std::string expected;
  for (int c = 0; c < 0x20; ++c) expected += static_cast<char>(c);
  expected += "\"#%'*/:=?[\\]^{";
  expected += '\x7F';
  EXPECT_EQ(escaped_set, expected);
  EXPECT_EQ(EscapePathName("a\nb\x1F"), "a%0Ab%1F");
  EXPECT_EQ(EscapePathName("{x}[y]^'\"*?\\"), "%7Bx}%5By%5D%5E%27%22%2A%3F%5C");
  EXPECT_EQ(EscapePathName("ü ,+&<>|"), "ü ,+&<>|");
}

TEST(EscapePathNameTest, UnescapeReversesEscape) {
  const std::string nasty = "a=b/c:%d#e?f\x01g\x7Fh😈";
  EXPECT_EQ(UnescapePathName(EscapePathName(nasty)), nasty);
  EXPECT_EQ(UnescapePathName("%2f%2F"), "//");  // either hex case
  EXPECT_EQ(UnescapePathName("100%"), "100%");  // a stray '%' stays
  EXPECT_EQ(UnescapePathName("%zz%4"), "%zz%4");
}

}  // namespace
}  // namespace tidelake::delta
