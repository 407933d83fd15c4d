// Date and time functions and Spark datetime patterns; expected values are Spark 4.0's
// (session time zone UTC).
#ifndef TIDELAKE_TESTDATA_DIR
#define TIDELAKE_TESTDATA_DIR "/work/shared/testdata"
#endif

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "plan/functions.h"
#include "plan/functions_test_util.h"
#include "plan/kernels_datetime_text.h"

namespace tidelake::plan {
namespace {

using namespace fntest;  // NOLINT
using ::testing::HasSubstr;

TEST(CalendarTest, CivilRoundTrip) {
  using internal::CivilFromDays;
  using internal::DaysFromCivil;
  EXPECT_EQ(DaysFromCivil(1970, 1, 1), 0);
  EXPECT_EQ(DaysFromCivil(2024, 1, 31), 19753);
  EXPECT_EQ(DaysFromCivil(1969, 12, 31), -1);
  for (int64_t d = -800000; d <= 800000; d += 997) {
    const auto c = CivilFromDays(d);
    ASSERT_EQ(DaysFromCivil(c.year, c.month, c.day), d);
  }
  EXPECT_EQ(internal::IsoDayOfWeek(0), 4);  // a Thursday
  EXPECT_EQ(internal::AddMonthsToDays(DaysFromCivil(2024, 1, 31), 1), DaysFromCivil(2024, 2, 29));
  EXPECT_EQ(internal::AddMonthsToDays(DaysFromCivil(2024, 3, 31), -13), DaysFromCivil(2023, 2, 28));
}

TEST(DatetimePatternTest, CompileErrors) {
  using internal::DatetimePattern;
  EXPECT_TRUE(DatetimePattern::Compile("yyyy-MM-dd'T'HH:mm:ss.SSSXXX").ok());
  EXPECT_THAT(DatetimePattern::Compile("YYYY").status().message(), HasSubstr("week-based"));
  EXPECT_THAT(DatetimePattern::Compile("MMMMM").status().message(), HasSubstr("too many pattern letters"));
  EXPECT_THAT(DatetimePattern::Compile("aa").status().message(), HasSubstr("too many"));
  EXPECT_THAT(DatetimePattern::Compile("yyyy 'x").status().message(), HasSubstr("unterminated quote"));
  EXPECT_THAT(DatetimePattern::Compile("yyyy]").status().message(), HasSubstr("']' without '['"));
}

TEST(DatetimeTest, CurrentValues) {
  EXPECT_EQ(Fn("current_timestamp", {}), "2024-05-17 10:11:12.123456 :: timestamp");
  EXPECT_EQ(Fn("now", {}), "2024-05-17 10:11:12.123456 :: timestamp");
  EXPECT_EQ(Fn("current_date", {}), "2024-05-17 :: date");
  EXPECT_EQ(Fn("unix_timestamp", {}), "1715940672 :: bigint");
}

TEST(DatetimeTest, DateTruncAndTrunc) {
  auto ts = Ts("2024-05-17 10:11:12.5678");
  EXPECT_EQ(Fn("date_trunc", {S("month"), ts}), "2024-05-01 00:00:00 :: timestamp");
  EXPECT_EQ(Fn("date_trunc", {S("YYYY"), ts}), "2024-01-01 00:00:00 :: timestamp");
  EXPECT_EQ(Fn("date_trunc", {S("yy"), ts}), "2024-01-01 00:00:00 :: timestamp");
  EXPECT_EQ(Fn("date_trunc", {S("mon"), ts}), "2024-05-01 00:00:00 :: timestamp");
  EXPECT_EQ(Fn("date_trunc", {S("week"), ts}), "2024-05-13 00:00:00 :: timestamp");
  EXPECT_EQ(Fn("date_trunc", {S("week"), Ts("2024-05-19 10:11:12")}), "2024-05-13 00:00:00 :: timestamp");
  EXPECT_EQ(Fn("date_trunc", {S("quarter"), Date("2024-05-17")}), "2024-04-01 00:00:00 :: timestamp");
  EXPECT_EQ(Fn("date_trunc", {S("dd"), ts}), "2024-05-17 00:00:00 :: timestamp");
  EXPECT_EQ(Fn("date_trunc", {S("hour"), ts}), "2024-05-17 10:00:00 :: timestamp");
  EXPECT_EQ(Fn("date_trunc", {S("minute"), ts}), "2024-05-17 10:11:00 :: timestamp");
  EXPECT_EQ(Fn("date_trunc", {S("second"), ts}), "2024-05-17 10:11:12 :: timestamp");
  EXPECT_EQ(Fn("date_trunc", {S("millisecond"), ts}), "2024-05-17 10:11:12.567 :: timestamp");
  EXPECT_EQ(Fn("date_trunc", {S("microsecond"), ts}), "2024-05-17 10:11:12.5678 :: timestamp");
  EXPECT_EQ(Fn("date_trunc", {S("bogus"), ts}), "NULL :: timestamp");
  EXPECT_EQ(Fn("date_trunc", {S("month"), S("2024-05-17 10:00:00")}), "2024-05-01 00:00:00 :: timestamp");
  EXPECT_EQ(Fn("date_trunc", {S("month"), TsNtz("2024-05-17 10:00:00")}), "2024-05-01 00:00:00 :: timestamp_ntz");
  EXPECT_EQ(Fn("date_trunc", {S("year"), Ts("1969-07-20 20:17:00")}), "1969-01-01 00:00:00 :: timestamp");
  EXPECT_EQ(Fn("trunc", {Date("2024-05-17"), S("MM")}), "2024-05-01 :: date");
  EXPECT_EQ(Fn("trunc", {Date("2024-05-17"), S("week")}), "2024-05-13 :: date");
  EXPECT_EQ(Fn("trunc", {Date("2024-05-17"), S("year")}), "2024-01-01 :: date");
  EXPECT_EQ(Fn("trunc", {Date("2024-05-17"), S("quarter")}), "2024-04-01 :: date");
  EXPECT_EQ(Fn("trunc", {Ts("2024-05-17 10:00:00"), S("MM")}), "2024-05-01 :: date");
  EXPECT_EQ(Fn("trunc", {S("2024-05-17"), S("MM")}), "2024-05-01 :: date");
  EXPECT_EQ(Fn("trunc", {Date("2024-05-17"), S("day")}), "NULL :: date");
  EXPECT_EQ(Fn("trunc", {Date("2024-05-17"), S("Q")}), "NULL :: date");
}

TEST(DatetimeTest, DateArithmetic) {
  EXPECT_EQ(Fn("date_add", {Date("2024-01-31"), I(1)}), "2024-02-01 :: date");
  EXPECT_EQ(Fn("date_add", {Date("2024-01-31"), I(-1)}), "2024-01-30 :: date");
  EXPECT_EQ(Fn("date_add", {S("2024-01-31"), I(1)}), "2024-02-01 :: date");
  EXPECT_EQ(Fn("date_add", {Ts("2024-01-31 23:00:00"), I(1)}), "2024-02-01 :: date");
  EXPECT_EQ(Fn("date_add", {Date("2024-01-31"), S("3")}), "2024-02-03 :: date");
  EXPECT_EQ(Fn("date_add", {Date("2024-01-31"), L(1)}), "ERROR: function date_add: argument 2 must be an int, got bigint");
  EXPECT_EQ(Fn("date_add", {Date("2024-01-31"), Dec("1.5", 2, 1)}),
            "ERROR: function date_add: argument 2 must be an int, got decimal(2,1)");
  EXPECT_EQ(Fn("date_sub", {Date("2024-01-01"), I(1)}), "2023-12-31 :: date");
  EXPECT_EQ(Fn("datediff", {Date("2024-03-01"), Date("2024-02-01")}), "29 :: int");
  EXPECT_EQ(Fn("datediff", {S("2024-03-01"), S("2024-02-01 23:00:00")}), "29 :: int");
  EXPECT_EQ(Fn("datediff", {Ts("2024-03-01 01:00:00"), Ts("2024-02-28 23:00:00")}), "2 :: int");
  EXPECT_EQ(Fn("add_months", {Date("2024-01-31"), I(1)}), "2024-02-29 :: date");
  EXPECT_EQ(Fn("add_months", {Date("2024-03-31"), I(-1)}), "2024-02-29 :: date");
  EXPECT_EQ(Fn("add_months", {Ts("2024-01-31 10:00:00"), I(1)}), "2024-02-29 :: date");
  EXPECT_EQ(Fn("add_months", {S("2024-01-31"), I(13)}), "2025-02-28 :: date");
  EXPECT_EQ(Fn("add_months", {Date("2024-02-29"), I(12)}), "2025-02-28 :: date");
  EXPECT_EQ(Fn("months_between", {Ts("2024-03-31 00:00:00"), Ts("2024-02-29 00:00:00")}), "1.0 :: double");
  EXPECT_EQ(Fn("months_between", {Date("2024-03-15"), Date("2024-02-01")}), "1.4516129 :: double");
  EXPECT_EQ(Fn("months_between", {S("1997-02-28 10:30:00"), S("1996-10-30")}), "3.94959677 :: double");
  EXPECT_EQ(Fn("months_between", {S("1997-02-28 10:30:00"), S("1996-10-30"), B(false)}),
            "3.9495967741935485 :: double");
  EXPECT_EQ(Fn("months_between", {Date("2024-02-29"), Date("2024-01-31")}), "1.0 :: double");
  EXPECT_EQ(Fn("months_between", {Date("2024-01-15"), Date("2024-03-15")}), "-2.0 :: double");
  EXPECT_EQ(Fn("make_date", {I(2024), I(2), I(29)}), "2024-02-29 :: date");
  EXPECT_EQ(Fn("make_date", {Null(), I(1), I(1)}), "NULL :: date");
  EXPECT_THAT(Fn("make_date", {I(2023), I(2), I(29)}), HasSubstr("DATETIME_FIELD_OUT_OF_BOUNDS"));
  EXPECT_THAT(Fn("make_date", {I(2024), I(13), I(1)}),
              HasSubstr("Invalid value for MonthOfYear (valid values 1 - 12): 13"));
  EXPECT_EQ(Fn("last_day", {Date("2024-02-10")}), "2024-02-29 :: date");
  EXPECT_EQ(Fn("last_day", {S("2024-02-01")}), "2024-02-29 :: date");
  EXPECT_EQ(Fn("last_day", {Ts("2023-02-10 10:00:00")}), "2023-02-28 :: date");
}

TEST(DatetimeTest, Fields) {
  auto d = Date("2024-05-17");
  EXPECT_EQ(Fn("year", {d}), "2024 :: int");
  EXPECT_EQ(Fn("quarter", {d}), "2 :: int");
  EXPECT_EQ(Fn("month", {d}), "5 :: int");
  EXPECT_EQ(Fn("day", {d}), "17 :: int");
  EXPECT_EQ(Fn("dayofmonth", {Date("2024-02-29")}), "29 :: int");
  EXPECT_EQ(Fn("dayofweek", {Date("2024-05-19")}), "1 :: int");
  EXPECT_EQ(Fn("dayofweek", {S("2024-05-18")}), "7 :: int");
  EXPECT_EQ(Fn("weekday", {Date("2024-05-19")}), "6 :: int");
  EXPECT_EQ(Fn("dayofyear", {d}), "138 :: int");
  EXPECT_EQ(Fn("weekofyear", {Date("2024-01-01")}), "1 :: int");
  EXPECT_EQ(Fn("weekofyear", {Date("2024-12-30")}), "1 :: int");
  EXPECT_EQ(Fn("weekofyear", {Date("2021-01-03")}), "53 :: int");
  EXPECT_EQ(Fn("year", {Ts("2024-12-31 23:59:59")}), "2024 :: int");
  EXPECT_EQ(Fn("year", {S("2024-05-17")}), "2024 :: int");
  EXPECT_EQ(Fn("month", {S("2024-05-17 10:00:00")}), "5 :: int");
  EXPECT_EQ(Fn("year", {I(1)}), "ERROR: function year: argument 1 must be a date, got int");
  auto ts = Ts("2024-05-17 10:11:12.5");
  EXPECT_EQ(Fn("hour", {ts}), "10 :: int");
  EXPECT_EQ(Fn("minute", {ts}), "11 :: int");
  EXPECT_EQ(Fn("second", {ts}), "12 :: int");
  EXPECT_EQ(Fn("second", {Ts("2024-05-17 10:11:59.999")}), "59 :: int");
  EXPECT_EQ(Fn("hour", {S("2024-05-17 10:11:12")}), "10 :: int");
  EXPECT_EQ(Fn("hour", {Date("2024-05-17")}), "0 :: int");
  EXPECT_EQ(Fn("hour", {Ts("1969-12-31 23:59:59")}), "23 :: int");
  EXPECT_EQ(Fn("date_part", {S("YEAR"), d}), "2024 :: int");
  EXPECT_EQ(Fn("extract", {S("dow"), Date("2024-05-19")}), "1 :: int");
  EXPECT_EQ(Fn("extract", {S("dow_iso"), Date("2024-05-19")}), "7 :: int");
  EXPECT_EQ(Fn("extract", {S("second"), ts}), "12.500000 :: decimal(8,6)");
  EXPECT_EQ(Fn("date_part", {S("fortnight"), d}), "ERROR: function date_part: unknown field 'fortnight'");
}

TEST(DatetimeTest, ParsingWithPatterns) {
  EXPECT_EQ(Fn("to_date", {S("2024-05-17")}), "2024-05-17 :: date");
  EXPECT_EQ(Fn("to_date", {S("2024-05-17 10:11:12")}), "2024-05-17 :: date");
  EXPECT_EQ(Fn("to_date", {Ts("2024-05-17 23:11:12")}), "2024-05-17 :: date");
  EXPECT_EQ(Fn("to_date", {S("17/05/2024"), S("dd/MM/yyyy")}), "2024-05-17 :: date");
  EXPECT_EQ(Fn("to_date", {S("5/7/2024"), S("M/d/yyyy")}), "2024-05-07 :: date");
  EXPECT_EQ(Fn("to_date", {S("2024-05-17T10:00"), S("yyyy-MM-dd'T'HH:mm")}), "2024-05-17 :: date");
  EXPECT_EQ(Fn("to_date", {S("24-05-07"), S("yy-MM-dd")}), "2024-05-07 :: date");
  EXPECT_EQ(Fn("to_date", {S("01/02/99"), S("MM/dd/yy")}), "2099-01-02 :: date");
  EXPECT_EQ(Fn("to_date", {S("May 17 2024"), S("MMMM d yyyy")}), "2024-05-17 :: date");
  EXPECT_EQ(Fn("to_date", {S("may 17 2024"), S("MMM d yyyy")}), "2024-05-17 :: date");
  EXPECT_EQ(Fn("to_date", {S("2024 138"), S("yyyy D")}), "2024-05-17 :: date");
  EXPECT_EQ(Fn("to_date", {S("20240101"), S("yyyyMMdd")}), "2024-01-01 :: date");
  EXPECT_EQ(Fn("to_date", {S("2024/1/1"), S("yyyy/M/d")}), "2024-01-01 :: date");
  EXPECT_EQ(Fn("to_date", {S("2024/01/01"), S("yyyy/M/d")}), "2024-01-01 :: date");
  EXPECT_EQ(Fn("to_date", {Null(), S("yyyy")}), "NULL :: date");
  EXPECT_THAT(Fn("to_date", {S("abc")}), HasSubstr("The value 'abc' of the type \"STRING\" cannot be cast to \"DATE\""));
  EXPECT_THAT(Fn("to_date", {S("2024-13-01"), S("yyyy-MM-dd")}),
              HasSubstr("[CANNOT_PARSE_TIMESTAMP] Text '2024-13-01' could not be parsed: Invalid value for "
                        "MonthOfYear (valid values 1 - 12): 13"));
  EXPECT_THAT(Fn("to_date", {S("2024-5-7"), S("yyyy-MM-dd")}), HasSubstr("could not be parsed at index 5"));
  EXPECT_THAT(Fn("to_date", {S("2024-05-17 extra"), S("yyyy-MM-dd")}),
              HasSubstr("could not be parsed, unparsed text found at index 10"));
  EXPECT_THAT(Fn("to_date", {S(" 2024-01-01"), S("yyyy-MM-dd")}), HasSubstr("could not be parsed at index 0"));
  EXPECT_THAT(Fn("to_date", {S("2023-02-29"), S("yyyy-MM-dd")}), HasSubstr("'2023' is not a leap year"));
  EXPECT_THAT(Fn("to_date", {S("2024-01-01"), S("YYYY-MM-dd")}), HasSubstr("week-based"));

  EXPECT_EQ(Fn("to_timestamp", {S("2024-05-17 10:11:12")}), "2024-05-17 10:11:12 :: timestamp");
  EXPECT_EQ(Fn("to_timestamp", {S("2024-05-17T10:11:12.345Z")}), "2024-05-17 10:11:12.345 :: timestamp");
  EXPECT_EQ(Fn("to_timestamp", {S("17/05/2024 10:11"), S("dd/MM/yyyy HH:mm")}), "2024-05-17 10:11:00 :: timestamp");
  EXPECT_EQ(Fn("to_timestamp", {S("20240517101112"), S("yyyyMMddHHmmss")}), "2024-05-17 10:11:12 :: timestamp");
  EXPECT_EQ(Fn("to_timestamp", {S("17-May-2024 10:11:12 PM"), S("dd-MMM-yyyy hh:mm:ss a")}),
            "2024-05-17 22:11:12 :: timestamp");
  EXPECT_EQ(Fn("to_timestamp", {S("2024-05-17 10:11:12.123456"), S("yyyy-MM-dd HH:mm:ss.SSSSSS")}),
            "2024-05-17 10:11:12.123456 :: timestamp");
  EXPECT_EQ(Fn("to_timestamp", {S("2024-05-17 10:11:12.5"), S("yyyy-MM-dd HH:mm:ss.SSS")}),
            "2024-05-17 10:11:12.5 :: timestamp");
  EXPECT_EQ(Fn("to_timestamp", {S("2024-05-17 10:11:12+02:00"), S("yyyy-MM-dd HH:mm:ssXXX")}),
            "2024-05-17 08:11:12 :: timestamp");
  EXPECT_EQ(Fn("to_timestamp", {S("2024-05-17 10:11:12 +0200"), S("yyyy-MM-dd HH:mm:ss Z")}),
            "2024-05-17 08:11:12 :: timestamp");
  EXPECT_EQ(Fn("to_timestamp", {S("2024-05-17"), S("yyyy-MM-dd")}), "2024-05-17 00:00:00 :: timestamp");
  EXPECT_EQ(Fn("to_timestamp", {S("2024-5-7"), S("yyyy-M-d")}), "2024-05-07 00:00:00 :: timestamp");
  EXPECT_EQ(Fn("to_timestamp", {S("12:30 AM 2024-01-01"), S("hh:mm a yyyy-MM-dd")}), "2024-01-01 00:30:00 :: timestamp");
  EXPECT_EQ(Fn("to_timestamp", {S("12:30 PM 2024-01-01"), S("hh:mm a yyyy-MM-dd")}), "2024-01-01 12:30:00 :: timestamp");
  EXPECT_EQ(Fn("to_timestamp", {S("2024-05-17 10"), S("yyyy-MM-dd[ HH]")}), "2024-05-17 10:00:00 :: timestamp");
  EXPECT_EQ(Fn("to_timestamp", {S("2024-05-17"), S("yyyy-MM-dd[ HH]")}), "2024-05-17 00:00:00 :: timestamp");
  EXPECT_THAT(Fn("to_timestamp", {S("2024-05-17 10:11"), S("yyyy-MM-dd HH:mm:ss")}),
              HasSubstr("could not be parsed at index 16"));
  EXPECT_THAT(Fn("to_timestamp", {S("2024-01-01 13"), S("yyyy-MM-dd hh")}),
              HasSubstr("Invalid value for ClockHourOfAmPm (valid values 1 - 12): 13"));
  EXPECT_THAT(Fn("to_timestamp", {S("")}), HasSubstr("CAST_INVALID_INPUT"));
  EXPECT_EQ(Fn("try_to_timestamp", {S("abc")}), "NULL :: timestamp");
  EXPECT_EQ(Fn("try_to_timestamp", {S("2024-13-01"), S("yyyy-MM-dd")}), "NULL :: timestamp");
  EXPECT_EQ(Fn("to_timestamp", {S("2024-05-17"), cp::field_ref("x")}).substr(0, 6), "ERROR:");
}

TEST(DatetimeTest, Formatting) {
  EXPECT_EQ(Fn("date_format", {Ts("2024-05-17 10:11:12"), S("yyyy/MM/dd HH:mm:ss EEE MMM a")}),
            "2024/05/17 10:11:12 Fri May AM :: string");
  EXPECT_EQ(Fn("date_format", {Ts("2024-05-17 10:11:12.123456"),
                               S("yyyy-MM-dd HH:mm:ss.SSS SSSSSS D h hh a EEEE MMMM M d H m s yy Q")}),
            "2024-05-17 10:11:12.123 123456 138 10 10 AM Friday May 5 17 10 11 12 24 2 :: string");
  EXPECT_EQ(Fn("date_format", {Date("2024-05-07"), S("d M yyyy")}), "7 5 2024 :: string");
  EXPECT_EQ(Fn("date_format", {S("2024-05-07 01:02:03"), S("HH:mm")}), "01:02 :: string");
  EXPECT_EQ(Fn("date_format", {Ts("2024-05-17 13:11:12"), S("h a K k")}), "1 PM 1 13 :: string");
  EXPECT_EQ(Fn("date_format", {Ts("2024-05-17 00:11:12"), S("h K k H")}), "12 0 24 0 :: string");
  EXPECT_EQ(Fn("date_format", {Ts("2024-05-17 10:11:12"), S("E EE EEE MMM LLL")}), "Fri Fri Fri May May :: string");
  EXPECT_EQ(Fn("date_format", {Ts("2024-05-17 10:11:12"), S("'T' yyyy ''")}), "T 2024 ' :: string");
  EXPECT_EQ(Fn("date_format", {Ts("2024-05-17 10:11:12"), S("yyyy-MM-dd'T'HH:mm:ssXXX")}),
            "2024-05-17T10:11:12Z :: string");
  EXPECT_EQ(Fn("date_format", {Ts("2024-05-17 10:11:12"), S("Z z VV x")}), "+0000 UTC UTC +00 :: string");
  EXPECT_EQ(Fn("date_format", {Ts("2024-05-17 10:11:12"), S("y yyy yyyyy")}), "2024 2024 02024 :: string");
  EXPECT_EQ(Fn("date_format", {Ts("2024-05-17 10:11:12"), S("yyyy-MM-dd HH:mm:ss.SSSS S")}),
            "2024-05-17 10:11:12.0000 0 :: string");
  EXPECT_EQ(Fn("date_format", {Ts("2024-05-17 10:11:12"), S("yyyy-MM-dd[ HH]")}), "2024-05-17 10 :: string");
  EXPECT_EQ(Fn("date_format", {Ts("-0044-03-15 10:11:12"), S("yyyy-MM-dd")}), "-0044-03-15 :: string");
  EXPECT_EQ(Fn("date_format", {Ts("0001-03-15 10:11:12"), S("y yy")}), "1 01 :: string");
  EXPECT_EQ(Fn("date_format", {Null(arrow::timestamp(arrow::TimeUnit::MICRO, "UTC")), S("yyyy")}), "NULL :: string");
  EXPECT_THAT(Fn("date_format", {Ts("2024-05-17 10:11:12"), S("G uuuu e")}), HasSubstr("week-based"));
  EXPECT_EQ(Fn("from_unixtime", {I(0)}), "1970-01-01 00:00:00 :: string");
  EXPECT_EQ(Fn("from_unixtime", {I(86400), S("yyyy-MM-dd")}), "1970-01-02 :: string");
  EXPECT_EQ(Fn("from_unixtime", {L(1715940672)}), "2024-05-17 10:11:12 :: string");
  EXPECT_EQ(Fn("from_unixtime", {Null()}), "NULL :: string");
  EXPECT_EQ(Fn("unix_timestamp", {Ts("1970-01-02 00:00:00")}), "86400 :: bigint");
  EXPECT_EQ(Fn("unix_timestamp", {S("1970-01-02"), S("yyyy-MM-dd")}), "86400 :: bigint");
  EXPECT_EQ(Fn("unix_timestamp", {S("2024-05-17 10:11:12")}), "1715940672 :: bigint");
  EXPECT_EQ(Fn("unix_timestamp", {Date("2024-05-17")}), "1715904000 :: bigint");
  EXPECT_EQ(Fn("unix_timestamp", {Ts("1969-12-31 23:59:59.5")}), "-1 :: bigint");
  EXPECT_THAT(Fn("unix_timestamp", {S("abc")}), HasSubstr("Text 'abc' could not be parsed at index 0"));
}

TEST(DatetimeTest, OverColumns) {
  auto schema = arrow::schema({arrow::field("d", arrow::date32()), arrow::field("n", arrow::int32())});
  auto batch = arrow::RecordBatch::Make(schema, 3,
                                        {fntest::Json(arrow::date32(), "[19753, null, 0]"),
                                         fntest::Json(arrow::int32(), "[1, 1, -1]")});
  EXPECT_EQ(RunRows(CallFunction("add_months", {cp::field_ref("d"), cp::field_ref("n")}, *schema, TestContext()),
                    *batch),
            "2024-02-29, NULL, 1969-12-01");
  EXPECT_EQ(RunRows(CallFunction("date_format", {cp::field_ref("d"), S("dd.MM.yyyy")}, *schema, TestContext()),
                    *batch),
            "31.01.2024, NULL, 01.01.1970");
}

}  // namespace
}  // namespace tidelake::plan
