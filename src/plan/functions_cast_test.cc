// CAST / TRY_CAST and Spark's type widening. Expected values are what Spark 4.0 (ANSI mode,
// session time zone UTC) returns for the same SQL.
#ifndef TIDELAKE_TESTDATA_DIR
#define TIDELAKE_TESTDATA_DIR "/work/shared/testdata"
#endif

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "plan/functions.h"
#include "plan/functions_test_util.h"

namespace tidelake::plan {
namespace {

using namespace fntest;  // NOLINT
using ::testing::HasSubstr;
using ::testing::StartsWith;

TEST(CastTest, StringToIntegers) {
  EXPECT_EQ(CastText(S(" 12 "), arrow::int32()), "12 :: int");
  EXPECT_EQ(CastText(S("+5"), arrow::int32()), "5 :: int");
  EXPECT_EQ(CastText(S("-0"), arrow::int32()), "0 :: int");
  EXPECT_EQ(CastText(S(" 127 "), arrow::int8()), "127 :: tinyint");
  EXPECT_EQ(CastText(S("-9223372036854775808"), arrow::int64()), "-9223372036854775808 :: bigint");
  EXPECT_EQ(CastText(S("abc"), arrow::int32()),
            "ERROR: [CAST_INVALID_INPUT] The value 'abc' of the type \"STRING\" cannot be cast to \"INT\" because it "
            "is malformed. Use `try_cast` to tolerate malformed input and return NULL instead.");
  // Spark reports an out-of-range string as malformed too.
  EXPECT_THAT(CastText(S("128"), arrow::int8()), HasSubstr("The value '128' of the type \"STRING\" cannot be cast to \"TINYINT\""));
  EXPECT_THAT(CastText(S("1.5"), arrow::int32()), HasSubstr("CAST_INVALID_INPUT"));
  EXPECT_THAT(CastText(S("1e3"), arrow::int32()), HasSubstr("CAST_INVALID_INPUT"));
  EXPECT_THAT(CastText(S(""), arrow::int32()), HasSubstr("CAST_INVALID_INPUT"));
  EXPECT_THAT(CastText(S("0x10"), arrow::int32()), HasSubstr("CAST_INVALID_INPUT"));
  EXPECT_EQ(CastText(S("abc"), arrow::int32(), /*try_cast=*/true), "NULL :: int");
  EXPECT_EQ(CastText(S("99999999999"), arrow::int32(), true), "NULL :: int");
  EXPECT_EQ(CastText(Null(arrow::utf8()), arrow::int32()), "NULL :: int");
}

TEST(CastTest, StringToFloatingPoint) {
  EXPECT_EQ(CastText(S("1."), arrow::float64()), "1.0 :: double");
  EXPECT_EQ(CastText(S(".5"), arrow::float64()), "0.5 :: double");
  EXPECT_EQ(CastText(S("1d"), arrow::float64()), "1.0 :: double");
  EXPECT_EQ(CastText(S("  1.5e2  "), arrow::float32()), "150.0 :: float");
  EXPECT_EQ(CastText(S("NaN"), arrow::float64()), "NaN :: double");
  EXPECT_EQ(CastText(S(" inf "), arrow::float64()), "Infinity :: double");
  EXPECT_EQ(CastText(S("-infinity"), arrow::float32()), "-Infinity :: float");
  EXPECT_EQ(CastText(S("1e400"), arrow::float64()), "Infinity :: double");
  EXPECT_THAT(CastText(S("1e"), arrow::float64()), HasSubstr("The value '1e' of the type \"STRING\" cannot be cast to \"DOUBLE\""));
  EXPECT_EQ(CastText(S("abc"), arrow::float64(), true), "NULL :: double");
}

TEST(CastTest, StringToDecimalRoundsHalfUp) {
  EXPECT_EQ(CastText(S(" 12.5 "), arrow::decimal128(4, 1)), "12.5 :: decimal(4,1)");
  EXPECT_EQ(CastText(S("1.23e2"), arrow::decimal128(10, 2)), "123.00 :: decimal(10,2)");
  EXPECT_EQ(CastText(S("-.5"), arrow::decimal128(3, 1)), "-0.5 :: decimal(3,1)");
  EXPECT_EQ(CastText(S("1.255"), arrow::decimal128(10, 2)), "1.26 :: decimal(10,2)");
  EXPECT_EQ(CastText(S("-1.255"), arrow::decimal128(10, 2)), "-1.26 :: decimal(10,2)");
  EXPECT_EQ(CastText(S("1e-2"), arrow::decimal128(5, 3)), "0.010 :: decimal(5,3)");
  EXPECT_EQ(CastText(S("0.004"), arrow::decimal128(5, 2)), "0.00 :: decimal(5,2)");
  EXPECT_EQ(CastText(S("9.995"), arrow::decimal128(4, 2)), "10.00 :: decimal(4,2)");
  EXPECT_EQ(CastText(S("9.995"), arrow::decimal128(3, 2)), "ERROR: [NUMERIC_VALUE_OUT_OF_RANGE] 9.995 cannot be represented as Decimal(3, 2).");
  EXPECT_EQ(CastText(S("12345.6"), arrow::decimal128(4, 1)),
            "ERROR: [NUMERIC_VALUE_OUT_OF_RANGE] 12345.6 cannot be represented as Decimal(4, 1).");
  EXPECT_THAT(CastText(S("1.2.3"), arrow::decimal128(4, 1)), HasSubstr("CAST_INVALID_INPUT"));
  EXPECT_EQ(CastText(S("12345.6"), arrow::decimal128(4, 1), true), "NULL :: decimal(4,1)");
}

TEST(CastTest, StringToBoolean) {
  EXPECT_EQ(CastText(S("t"), arrow::boolean()), "true :: boolean");
  EXPECT_EQ(CastText(S("yes"), arrow::boolean()), "true :: boolean");
  EXPECT_EQ(CastText(S(" TRUE "), arrow::boolean()), "true :: boolean");
  EXPECT_EQ(CastText(S("0"), arrow::boolean()), "false :: boolean");
  EXPECT_EQ(CastText(S("n"), arrow::boolean()), "false :: boolean");
  EXPECT_THAT(CastText(S("2"), arrow::boolean()), HasSubstr("cannot be cast to \"BOOLEAN\""));
}

TEST(CastTest, StringToDateAndTimestamp) {
  EXPECT_EQ(CastText(S("2024-1-3"), arrow::date32()), "2024-01-03 :: date");
  EXPECT_EQ(CastText(S("2024"), arrow::date32()), "2024-01-01 :: date");
  EXPECT_EQ(CastText(S("2024-02"), arrow::date32()), "2024-02-01 :: date");
  EXPECT_EQ(CastText(S("2024-01-31 xyz"), arrow::date32()), "2024-01-31 :: date");
  EXPECT_EQ(CastText(S("2024-01-31T10"), arrow::date32()), "2024-01-31 :: date");
  EXPECT_EQ(CastText(S(" 2024-01-31 "), arrow::date32()), "2024-01-31 :: date");
  EXPECT_EQ(CastText(S("+2024-01-31"), arrow::date32()), "2024-01-31 :: date");
  EXPECT_EQ(CastText(S("-0044-03-15"), arrow::date32()), "-0044-03-15 :: date");
  EXPECT_THAT(CastText(S("2024-02-30"), arrow::date32()),
              HasSubstr("The value '2024-02-30' of the type \"STRING\" cannot be cast to \"DATE\""));
  EXPECT_EQ(CastText(S("24-01-31"), arrow::date32(), true), "NULL :: date");

  const auto ts = arrow::timestamp(arrow::TimeUnit::MICRO, "UTC");
  EXPECT_EQ(CastText(S("2024-01-31T10:00:00Z"), ts), "2024-01-31 10:00:00 :: timestamp");
  EXPECT_EQ(CastText(S("2024-01-31 10:00"), ts), "2024-01-31 10:00:00 :: timestamp");
  EXPECT_EQ(CastText(S("2024-01-31 10"), ts), "2024-01-31 10:00:00 :: timestamp");
  EXPECT_EQ(CastText(S("2024-01-31"), ts), "2024-01-31 00:00:00 :: timestamp");
  EXPECT_EQ(CastText(S("2024-01"), ts), "2024-01-01 00:00:00 :: timestamp");
  EXPECT_EQ(CastText(S("2024-01-31 1:2:3"), ts), "2024-01-31 01:02:03 :: timestamp");
  EXPECT_EQ(CastText(S("2024-01-31 10:00:00+02:00"), ts), "2024-01-31 08:00:00 :: timestamp");
  EXPECT_EQ(CastText(S("2024-01-31T10:00:00.5+01:00"), ts), "2024-01-31 09:00:00.5 :: timestamp");
  EXPECT_EQ(CastText(S("2024-01-31 10:00:00 -08:00"), ts), "2024-01-31 18:00:00 :: timestamp");
  EXPECT_EQ(CastText(S("2024-01-31 10:00:00 UTC"), ts), "2024-01-31 10:00:00 :: timestamp");
  EXPECT_EQ(CastText(S("2024-01-31 10:00:00.123456789"), ts), "2024-01-31 10:00:00.123456 :: timestamp");
  EXPECT_EQ(CastText(S("  2024-01-31 10:00:00  "), ts), "2024-01-31 10:00:00 :: timestamp");
  EXPECT_THAT(CastText(S("2024-01-31 25:00:00"), ts), HasSubstr("cannot be cast to \"TIMESTAMP\""));
  EXPECT_THAT(CastText(S("2024-01-31 10:00:00 Mars/Olympus"), ts), HasSubstr("CAST_INVALID_INPUT"));
  // TIMESTAMP_NTZ ignores a zone.
  EXPECT_EQ(CastText(S("2024-01-31T10:00:00+02:00"), arrow::timestamp(arrow::TimeUnit::MICRO)),
            "2024-01-31 10:00:00 :: timestamp_ntz");
}

TEST(CastTest, NumericNarrowingChecksOverflow) {
  EXPECT_EQ(CastText(I(300), arrow::int8()),
            "ERROR: [CAST_OVERFLOW] The value 300 of the type \"INT\" cannot be cast to \"TINYINT\" due to an "
            "overflow. Use `try_cast` to tolerate overflow and return NULL instead.");
  EXPECT_THAT(CastText(L(12345678901), arrow::int32()), HasSubstr("The value 12345678901L of the type \"BIGINT\""));
  EXPECT_THAT(CastText(D(1e20), arrow::int32()), HasSubstr("The value 1.0E20D of the type \"DOUBLE\""));
  EXPECT_THAT(CastText(D(9.3e18), arrow::int64()), HasSubstr("CAST_OVERFLOW"));
  EXPECT_THAT(CastText(D(std::nan("")), arrow::int32()), HasSubstr("The value NaND"));
  EXPECT_EQ(CastText(D(-9.2e18), arrow::int64()), "-9200000000000000000 :: bigint");
  EXPECT_EQ(CastText(D(2.7), arrow::int32()), "2 :: int");
  EXPECT_EQ(CastText(D(-2.7), arrow::int32()), "-2 :: int");
  EXPECT_EQ(CastText(Dec("127.9", 4, 1), arrow::int8()), "127 :: tinyint");
  EXPECT_EQ(CastText(Dec("-128.9", 4, 1), arrow::int8()), "-128 :: tinyint");
  EXPECT_THAT(CastText(Dec("128.1", 4, 1), arrow::int8()), HasSubstr("The value 128.1BD of the type \"DECIMAL(4,1)\""));
  EXPECT_EQ(CastText(I(300), arrow::int8(), true), "NULL :: tinyint");
  EXPECT_EQ(CastText(I(7), arrow::int64()), "7 :: bigint");
  EXPECT_EQ(CastText(L(9007199254740993), arrow::float64()), "9.007199254740992E15 :: double");
  EXPECT_EQ(CastText(I(16777217), arrow::float32()), "1.6777216E7 :: float");
  EXPECT_EQ(CastText(D(1e39), arrow::float32()), "Infinity :: float");
}

TEST(CastTest, ToDecimal) {
  EXPECT_EQ(CastText(Dec("1.255", 4, 3), arrow::decimal128(3, 2)), "1.26 :: decimal(3,2)");
  EXPECT_EQ(CastText(Dec("-1.255", 4, 3), arrow::decimal128(3, 2)), "-1.26 :: decimal(3,2)");
  EXPECT_EQ(CastText(D(1.255), arrow::decimal128(3, 2)), "1.26 :: decimal(3,2)");
  EXPECT_EQ(CastText(Dec("123.4", 4, 1), arrow::decimal128(3, 2)),
            "ERROR: [NUMERIC_VALUE_OUT_OF_RANGE] 123.4 cannot be represented as Decimal(3, 2).");
  EXPECT_THAT(CastText(I(12345), arrow::decimal128(4, 1)), HasSubstr("12345 cannot be represented as Decimal(4, 1)"));
  EXPECT_THAT(CastText(D(1e40), arrow::decimal128(38, 0)), HasSubstr("cannot be represented as Decimal(38, 0)"));
  EXPECT_EQ(CastText(D(std::nan("")), arrow::decimal128(10, 2)), "NULL :: decimal(10,2)");
  EXPECT_EQ(CastText(B(false), arrow::decimal128(3, 1)), "0.0 :: decimal(3,1)");
  EXPECT_EQ(CastText(L(-9223372036854775807 - 1), arrow::decimal128(20, 0)), "-9223372036854775808 :: decimal(20,0)");
  EXPECT_EQ(CastText(Dec("123.4", 4, 1), arrow::decimal128(3, 2), true), "NULL :: decimal(3,2)");
}

TEST(CastTest, ToStringLikeSpark) {
  EXPECT_EQ(CastText(D(1.0), arrow::utf8()), "1.0 :: string");
  EXPECT_EQ(CastText(D(1e10), arrow::utf8()), "1.0E10 :: string");
  EXPECT_EQ(CastText(D(1.0e-5), arrow::utf8()), "1.0E-5 :: string");
  EXPECT_EQ(CastText(D(123456789.0), arrow::utf8()), "1.23456789E8 :: string");
  EXPECT_EQ(CastText(D(1e7), arrow::utf8()), "1.0E7 :: string");
  EXPECT_EQ(CastText(D(1e6), arrow::utf8()), "1000000.0 :: string");
  EXPECT_EQ(CastText(D(0.001), arrow::utf8()), "0.001 :: string");
  EXPECT_EQ(CastText(D(0.0001), arrow::utf8()), "1.0E-4 :: string");
  EXPECT_EQ(CastText(D(-0.0), arrow::utf8()), "-0.0 :: string");
  EXPECT_EQ(CastText(D(1e21), arrow::utf8()), "1.0E21 :: string");
  EXPECT_EQ(CastText(F32(1.5f), arrow::utf8()), "1.5 :: string");
  EXPECT_EQ(CastText(Dec("1.000", 10, 3), arrow::utf8()), "1.000 :: string");
  EXPECT_EQ(CastText(Dec("0.0000001000", 20, 10), arrow::utf8()), "0.0000001000 :: string");
  EXPECT_EQ(CastText(Dec("-12.50", 5, 2), arrow::utf8()), "-12.50 :: string");
  EXPECT_EQ(CastText(B(true), arrow::utf8()), "true :: string");
  EXPECT_EQ(CastText(L(-42), arrow::utf8()), "-42 :: string");
  EXPECT_EQ(CastText(Date("2024-01-31"), arrow::utf8()), "2024-01-31 :: string");
  EXPECT_EQ(CastText(Ts("2024-01-31 10:00:00.120"), arrow::utf8()), "2024-01-31 10:00:00.12 :: string");
  EXPECT_EQ(CastText(Ts("1969-12-31 23:59:59.5"), arrow::utf8()), "1969-12-31 23:59:59.5 :: string");
  EXPECT_EQ(CastText(TsNtz("2024-01-31 10:00:00.123456"), arrow::utf8()), "2024-01-31 10:00:00.123456 :: string");
}

TEST(CastTest, NestedToString) {
  FunctionContext ctx = TestContext();
  auto array = CallFunction("array", {I(1), I(2)}, EmptySchema(), ctx);
  ASSERT_TRUE(array.ok()) << array.status().ToString();
  EXPECT_EQ(CastText(*array, arrow::utf8()), "[1, 2] :: string");
  auto with_null = CallFunction("array", {Null(), I(1)}, EmptySchema(), ctx);
  ASSERT_TRUE(with_null.ok());
  EXPECT_EQ(CastText(*with_null, arrow::utf8()), "[null, 1] :: string");
  auto st = CallFunction("struct", {I(1), S("a")}, EmptySchema(), ctx);
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(CastText(*st, arrow::utf8()), "{1, a} :: string");
  auto map = CallFunction("map", {S("a"), I(1), S("b"), I(2)}, EmptySchema(), ctx);
  ASSERT_TRUE(map.ok()) << map.status().ToString();
  EXPECT_EQ(CastText(*map, arrow::utf8()), "{a -> 1, b -> 2} :: string");
  auto doubles = CallFunction("array", {D(1.5)}, EmptySchema(), ctx);
  ASSERT_TRUE(doubles.ok());
  EXPECT_EQ(CastText(*doubles, arrow::utf8()), "[1.5] :: string");
}

TEST(CastTest, NestedToNested) {
  FunctionContext ctx = TestContext();
  auto strings = CallFunction("array", {S("1"), S(" 2 "), Null()}, EmptySchema(), ctx);
  ASSERT_TRUE(strings.ok());
  EXPECT_EQ(CastText(*strings, arrow::list(arrow::int32())), "[1, 2, null] :: array<int>");
  auto bad = CallFunction("array", {S("1"), S("x")}, EmptySchema(), ctx);
  ASSERT_TRUE(bad.ok());
  EXPECT_THAT(CastText(*bad, arrow::list(arrow::int32())), HasSubstr("The value 'x'"));
  EXPECT_EQ(CastText(*bad, arrow::list(arrow::int32()), true), "[1, null] :: array<int>");
  auto st = CallFunction("named_struct", {S("a"), S("5"), S("b"), D(1.5)}, EmptySchema(), ctx);
  ASSERT_TRUE(st.ok());
  auto to = arrow::struct_({arrow::field("x", arrow::int64()), arrow::field("y", arrow::utf8())});
  EXPECT_EQ(CastText(*st, to), "{5, 1.5} :: struct<x:bigint,y:string>");
}

TEST(CastTest, DatetimeConversions) {
  EXPECT_EQ(CastText(Date("2024-01-31"), arrow::timestamp(arrow::TimeUnit::MICRO, "UTC")),
            "2024-01-31 00:00:00 :: timestamp");
  EXPECT_EQ(CastText(Ts("2024-01-31 23:59:59"), arrow::date32()), "2024-01-31 :: date");
  EXPECT_EQ(CastText(Ts("1969-12-31 23:00:00"), arrow::date32()), "1969-12-31 :: date");
  EXPECT_EQ(CastText(Ts("2024-01-31 23:59:59"), arrow::timestamp(arrow::TimeUnit::MICRO)),
            "2024-01-31 23:59:59 :: timestamp_ntz");
  EXPECT_EQ(CastText(Ts("2024-01-31 23:59:59"), arrow::int64()), "1706745599 :: bigint");
  EXPECT_EQ(CastText(Ts("1969-12-31 23:59:59.5"), arrow::int64()), "-1 :: bigint");
  EXPECT_EQ(CastText(Ts("2024-01-31 23:59:59.5"), arrow::float64()), "1.7067455995E9 :: double");
  EXPECT_EQ(CastText(I(1), arrow::timestamp(arrow::TimeUnit::MICRO, "UTC")), "1970-01-01 00:00:01 :: timestamp");
  EXPECT_EQ(CastText(Dec("1.5", 2, 1), arrow::timestamp(arrow::TimeUnit::MICRO, "UTC")),
            "1970-01-01 00:00:01.5 :: timestamp");
  // A nanosecond timestamp (e.g. from Parquet INT96) becomes our microseconds.
  auto ns = cp::literal(std::make_shared<arrow::TimestampScalar>(1500, arrow::timestamp(arrow::TimeUnit::NANO)));
  EXPECT_EQ(CastText(ns, arrow::timestamp(arrow::TimeUnit::MICRO)), "1970-01-01 00:00:00.000001 :: timestamp_ntz");
}

TEST(CastTest, DisallowedCasts) {
  EXPECT_EQ(CastText(I(1), arrow::date32()), "ERROR: cannot cast int to date");
  EXPECT_EQ(CastText(Date("2024-01-01"), arrow::int32()), "ERROR: cannot cast date to int");
  EXPECT_EQ(CastText(I(1), arrow::binary()), "ERROR: cannot cast int to binary");
  EXPECT_EQ(CastText(S("ab"), arrow::binary()), "ab :: binary");
}

TEST(CommonTypeTest, SparkWidening) {
  auto common = [](const std::shared_ptr<arrow::DataType>& a, const std::shared_ptr<arrow::DataType>& b) {
    auto r = CommonType(*a, *b);
    return r.ok() ? SqlTypeName(**r) : "ERROR: " + r.status().message();
  };
  // Expected: typeof(coalesce(a, b)) in Spark 4.
  EXPECT_EQ(common(arrow::utf8(), arrow::int32()), "bigint");
  EXPECT_EQ(common(arrow::utf8(), arrow::decimal128(2, 1)), "double");
  EXPECT_EQ(common(arrow::int32(), arrow::float64()), "double");
  EXPECT_EQ(common(arrow::int64(), arrow::decimal128(2, 1)), "decimal(21,1)");
  EXPECT_EQ(common(arrow::int32(), arrow::decimal128(2, 1)), "decimal(11,1)");
  EXPECT_EQ(common(arrow::decimal128(2, 1), arrow::float32()), "double");
  EXPECT_EQ(common(arrow::decimal128(10, 2), arrow::int64()), "decimal(22,2)");
  EXPECT_EQ(common(arrow::float32(), arrow::int64()), "double");
  EXPECT_EQ(common(arrow::int8(), arrow::int16()), "smallint");
  EXPECT_EQ(common(arrow::decimal128(38, 0), arrow::decimal128(38, 37)), "decimal(38,0)");
  EXPECT_EQ(common(arrow::date32(), arrow::timestamp(arrow::TimeUnit::MICRO, "UTC")), "timestamp");
  EXPECT_EQ(common(arrow::timestamp(arrow::TimeUnit::MICRO), arrow::timestamp(arrow::TimeUnit::MICRO, "UTC")),
            "timestamp");
  EXPECT_EQ(common(arrow::date32(), arrow::timestamp(arrow::TimeUnit::MICRO)), "timestamp_ntz");
  EXPECT_EQ(common(arrow::utf8(), arrow::date32()), "date");
  EXPECT_EQ(common(arrow::utf8(), arrow::binary()), "binary");
  EXPECT_EQ(common(arrow::boolean(), arrow::utf8()), "boolean");
  EXPECT_EQ(common(arrow::null(), arrow::int16()), "smallint");
  EXPECT_EQ(common(arrow::list(arrow::int32()), arrow::list(arrow::int64())), "array<bigint>");
  EXPECT_EQ(common(arrow::int32(), arrow::date32()), "ERROR: cannot find a common type for int and date");
  EXPECT_EQ(common(arrow::int32(), arrow::boolean()), "ERROR: cannot find a common type for int and boolean");
}

TEST(CommonTypeTest, ImplicitCastTo) {
  auto cast = [](cp::Expression e, std::shared_ptr<arrow::DataType> to) {
    return Eval(ImplicitCastTo(std::move(e), to, EmptySchema()));
  };
  EXPECT_EQ(cast(I(5), arrow::int64()), "5 :: bigint");
  EXPECT_EQ(cast(S("5"), arrow::int32()), "5 :: int");
  EXPECT_EQ(cast(I(5), arrow::utf8()), "5 :: string");
  EXPECT_EQ(cast(Date("2024-01-31"), arrow::timestamp(arrow::TimeUnit::MICRO, "UTC")),
            "2024-01-31 00:00:00 :: timestamp");
  EXPECT_EQ(cast(L(5), arrow::int32()), "ERROR: cannot implicitly cast bigint to int");
  EXPECT_EQ(cast(Date("2024-01-31"), arrow::int32()), "ERROR: cannot implicitly cast date to int");
}

TEST(TypeNameTest, SparkNames) {
  EXPECT_EQ(SqlTypeName(*arrow::int8()), "tinyint");
  EXPECT_EQ(SqlTypeName(*arrow::decimal128(10, 2)), "decimal(10,2)");
  EXPECT_EQ(SqlTypeName(*arrow::large_utf8()), "string");
  EXPECT_EQ(SqlTypeName(*arrow::timestamp(arrow::TimeUnit::MICRO, "UTC")), "timestamp");
  EXPECT_EQ(SqlTypeName(*arrow::timestamp(arrow::TimeUnit::MICRO)), "timestamp_ntz");
  EXPECT_EQ(SqlTypeName(*arrow::map(arrow::utf8(), arrow::list(arrow::int32()))), "map<string,array<int>>");
  EXPECT_EQ(SqlTypeName(*arrow::struct_({arrow::field("a", arrow::int32()), arrow::field("b", arrow::utf8())})),
            "struct<a:int,b:string>");
  EXPECT_EQ(SqlTypeName(*arrow::null()), "void");
}

}  // namespace
}  // namespace tidelake::plan
