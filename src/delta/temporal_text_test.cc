#include "delta/temporal_text.h"

#include <gtest/gtest.h>

namespace tidelake::delta {
namespace {

using arrow::TimeUnit;

TEST(TemporalTextTest, DatesAcrossTheYearRange) {
  EXPECT_EQ(FormatDate(0).ValueOrDie(), "1970-01-01");
  EXPECT_EQ(FormatDate(-719162).ValueOrDie(), "0001-01-01");
  EXPECT_EQ(FormatDate(2932896).ValueOrDie(), "9999-12-31");
  EXPECT_EQ(FormatDate(2932897).ValueOrDie(), "+10000-01-01");
  EXPECT_EQ(FormatDate(-719163).ValueOrDie(), "0000-12-31");
  EXPECT_EQ(FormatDate(-719529).ValueOrDie(), "-0001-12-31");
  EXPECT_TRUE(FormatDate(2000000000).status().IsInvalid());
  for (int32_t days : {0, -1, 18628, -719529, 2932897, 11000000}) {
    EXPECT_EQ(ParseDate(FormatDate(days).ValueOrDie()).ValueOrDie(), days) << days;
  }
  EXPECT_EQ(ParseDate("2021-9-8").ValueOrDie(), 18878);
  for (const char* bad : {"", "2021", "2021-13-01", "2021-02-29", "21-01-01", "2021-01-01x",
                          "2021/01/01", "2021-01-01 00:00:00"}) {
    EXPECT_TRUE(ParseDate(bad).status().IsInvalid()) << bad;
  }
}

TEST(TemporalTextTest, TimestampStyles) {
  const int64_t micros = 1609459200123456LL;  // 2021-01-01T00:00:00.123456
  EXPECT_EQ(
      FormatTimestamp(micros, TimeUnit::MICRO, TimestampStyle::kSpaceSeparated, true).ValueOrDie(),
      "2021-01-01 00:00:00.123456");
  EXPECT_EQ(
      FormatTimestamp(micros, TimeUnit::MICRO, TimestampStyle::kIso8601Micros, true).ValueOrDie(),
      "2021-01-01T00:00:00.123456Z");
  EXPECT_EQ(
      FormatTimestamp(micros, TimeUnit::MICRO, TimestampStyle::kIso8601Millis, false).ValueOrDie(),
      "2021-01-01T00:00:00.123");
  EXPECT_EQ(FormatTimestamp(-1, TimeUnit::MILLI, TimestampStyle::kIso8601Millis, true).ValueOrDie(),
            "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(
      FormatTimestamp(5, TimeUnit::SECOND, TimestampStyle::kSpaceSeparated, false).ValueOrDie(),
      "1970-01-01 00:00:05");
  EXPECT_EQ(
      FormatTimestamp(INT64_MIN, TimeUnit::NANO, TimestampStyle::kIso8601Micros, true).ValueOrDie(),
      "1677-09-21T00:12:43.145224192Z");
  EXPECT_TRUE(FormatTimestamp(INT64_MAX, TimeUnit::MICRO, TimestampStyle::kIso8601Micros, true)
                  .status()
                  .IsInvalid());
}

TEST(TemporalTextTest, ParseRoundingAndRange) {
  EXPECT_EQ(ParseTimestamp("1970-01-01T00:00:00.0015", TimeUnit::MILLI, true, Rounding::kFloor)
                .ValueOrDie(),
            1);
  EXPECT_EQ(ParseTimestamp("1970-01-01T00:00:00.0015", TimeUnit::MILLI, true, Rounding::kCeil)
                .ValueOrDie(),
            2);
  EXPECT_EQ(ParseTimestamp("1969-12-31T23:59:59.9995", TimeUnit::MILLI, true, Rounding::kFloor)
                .ValueOrDie(),
            -1);
  EXPECT_TRUE(
      ParseTimestamp("1970-01-01T00:00:00.0015", TimeUnit::MILLI, true).status().IsInvalid());
  // Nanosecond timestamps end in 2262.
  EXPECT_TRUE(ParseTimestamp("2300-01-01 00:00:00", TimeUnit::NANO, true).status().IsInvalid());
  EXPECT_EQ(ParseTimestamp("2300-01-01 00:00:00", TimeUnit::MICRO, true).ValueOrDie(),
            10413792000000000LL);
  EXPECT_EQ(ParseTimestamp("+10000-01-01T00:00:00Z", TimeUnit::SECOND, true).ValueOrDie(),
            253402300800LL);
  for (const char* bad :
       {"2021-01-01 24:00:00", "2021-01-01 10:60", "2021-01-01 10:00:61", "2021-01-01T10:00:00.",
        "2021-01-01T10:00:00.1234567890", "2021-01-01T10:00:00+25:00", "2021-01-01T10:00:00Zx",
        "2021-01-01X10:00"}) {
    EXPECT_TRUE(ParseTimestamp(bad, TimeUnit::MICRO, true).status().IsInvalid()) << bad;
  }
}

}  // namespace
}  // namespace tidelake::delta
