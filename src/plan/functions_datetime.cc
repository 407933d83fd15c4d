// Date and time functions. TIMESTAMP values are UTC micros and the session zone is UTC, so
// field extraction works on the naive wall clock: we relabel TIMESTAMP as TIMESTAMP_NTZ
// before Arrow's temporal kernels (no time zone database involved).

#include <arrow/scalar.h>

#include <algorithm>
#include <cctype>

#include "common/strings.h"
#include "plan/functions_internal.h"
#include "plan/kernels_datetime_text.h"

namespace tidelake::plan::internal {

namespace {

arrow::Result<std::string> FormatLiteral(std::string_view fn, size_t index, const cp::Expression& e) {
  auto v = StringLiteral(e);
  if (!v) return arrow::Status::NotImplemented("function ", fn, ": argument ", index + 1, " must be a string literal");
  return *v;
}

// Plain Arrow cast (no Spark rules): for relabelling and integer views of dates.
arrow::Result<cp::Expression> ArrowCast(cp::Expression e, std::shared_ptr<arrow::DataType> to, const arrow::Schema& input) {
  return BoundCall("cast", {std::move(e)}, input, std::make_shared<cp::CastOptions>(cp::CastOptions::Unsafe(std::move(to))));
}

// A timestamp argument relabelled as naive (the wall clock in UTC).
arrow::Result<cp::Expression> WallClock(std::string_view fn, size_t index, cp::Expression e, const arrow::Schema& input) {
  ARROW_ASSIGN_OR_RAISE(e, TimestampArg(fn, index, std::move(e), input));
  if (IsTimestampLtz(*TypeOf(e))) return ArrowCast(std::move(e), TimestampNtz(), input);
  return e;
}

arrow::Result<cp::Expression> ToInt32(arrow::Result<cp::Expression> e, const arrow::Schema& input) {
  ARROW_ASSIGN_OR_RAISE(auto value, std::move(e));
  return ArrowCast(std::move(value), arrow::int32(), input);
}

// Spark's unit names for date_trunc / trunc.
std::optional<cp::CalendarUnit> TruncUnit(const std::string& unit, bool date_only) {
  const std::string u = Lower(unit);
  if (u == "year" || u == "yyyy" || u == "yy") return cp::CalendarUnit::YEAR;
  if (u == "quarter") return cp::CalendarUnit::QUARTER;
  if (u == "month" || u == "mm" || u == "mon") return cp::CalendarUnit::MONTH;
  if (u == "week") return cp::CalendarUnit::WEEK;
  if (date_only) return std::nullopt;
  if (u == "day" || u == "dd") return cp::CalendarUnit::DAY;
  if (u == "hour") return cp::CalendarUnit::HOUR;
  if (u == "minute") return cp::CalendarUnit::MINUTE;
  if (u == "second") return cp::CalendarUnit::SECOND;
  if (u == "millisecond") return cp::CalendarUnit::MILLISECOND;
  if (u == "microsecond") return cp::CalendarUnit::MICROSECOND;
  return std::nullopt;
}

std::shared_ptr<cp::RoundTemporalOptions> TruncOptions(cp::CalendarUnit unit) {
  return std::make_shared<cp::RoundTemporalOptions>(1, unit, /*week_starts_monday=*/true);
}

arrow::Result<cp::Expression> DateTrunc(std::string_view name, std::vector<cp::Expression>& args, const arrow::Schema& input) {
  ARROW_RETURN_NOT_OK(CheckArity(name, args.size(), 2, 2));
  ARROW_ASSIGN_OR_RAISE(auto ts, TimestampArg(name, 1, args[1], input));
  const auto type = TypeOf(ts);
  ARROW_ASSIGN_OR_RAISE(std::string unit_text, FormatLiteral(name, 0, args[0]));
  auto unit = TruncUnit(unit_text, false);
  if (!unit) return NullOf(type, input);  // Spark: NULL for an unknown unit
  ARROW_ASSIGN_OR_RAISE(auto wall, WallClock(name, 1, ts, input));
  ARROW_ASSIGN_OR_RAISE(auto floored, BoundCall("floor_temporal", {wall}, input, TruncOptions(*unit)));
  return IsTimestampLtz(*type) ? ArrowCast(floored, type, input) : floored;
}

arrow::Result<cp::Expression> Trunc(std::string_view name, std::vector<cp::Expression>& args, const arrow::Schema& input) {
  ARROW_RETURN_NOT_OK(CheckArity(name, args.size(), 2, 2));
  ARROW_ASSIGN_OR_RAISE(auto date, DateArg(name, 0, args[0], input));
  ARROW_ASSIGN_OR_RAISE(std::string unit_text, FormatLiteral(name, 1, args[1]));
  auto unit = TruncUnit(unit_text, true);
  if (!unit) return NullOf(arrow::date32(), input);
  return BoundCall("floor_temporal", {date}, input, TruncOptions(*unit));
}

// to_date / to_timestamp / try_to_timestamp with an optional Spark pattern.
arrow::Result<cp::Expression> Parse(std::string_view name, std::vector<cp::Expression>& args, const arrow::Schema& input,
                                    bool to_date, bool try_parse) {
  ARROW_RETURN_NOT_OK(CheckArity(name, args.size(), 1, 2));
  const auto target = to_date ? arrow::date32() : TimestampLtz();
  const auto t = TypeOf(args[0]);
  if (args.size() == 1 || !IsString(*t)) {
    if (!IsString(*t) && !IsDatetime(*t) && !IsNull(*t)) return ArgTypeError(name, 0, "a string", *t);
    return Cast(args[0], target, try_parse, input);
  }
  ARROW_ASSIGN_OR_RAISE(std::string pattern, FormatLiteral(name, 1, args[1]));
  ARROW_RETURN_NOT_OK(DatetimePattern::Compile(pattern).status());
  ARROW_ASSIGN_OR_RAISE(auto str, StringArg(name, 0, args[0], input));
  auto options = std::make_shared<cp::StrptimeOptions>(pattern, arrow::TimeUnit::MICRO, try_parse);
  ARROW_ASSIGN_OR_RAISE(auto ts, BoundCall("tidelake_parse_timestamp", {str}, input, options));
  return to_date ? Cast(ts, target, false, input) : ts;
}

arrow::Result<cp::Expression> DateFormat(std::string_view name, std::vector<cp::Expression>& args, const arrow::Schema& input) {
  ARROW_RETURN_NOT_OK(CheckArity(name, args.size(), 2, 2));
  ARROW_ASSIGN_OR_RAISE(auto ts, TimestampArg(name, 0, args[0], input));
  ARROW_ASSIGN_OR_RAISE(std::string pattern, FormatLiteral(name, 1, args[1]));
  ARROW_RETURN_NOT_OK(DatetimePattern::Compile(pattern).status());
  return BoundCall("tidelake_format_timestamp", {ts}, input, std::make_shared<cp::StrftimeOptions>(pattern));
}

arrow::Result<cp::Expression> FromUnixtime(std::string_view name, std::vector<cp::Expression>& args, const arrow::Schema& input) {
  ARROW_RETURN_NOT_OK(CheckArity(name, args.size(), 1, 2));
  ARROW_ASSIGN_OR_RAISE(auto seconds, LongArg(name, 0, args[0], input));
  std::string pattern = "yyyy-MM-dd HH:mm:ss";
  if (args.size() == 2) { ARROW_ASSIGN_OR_RAISE(pattern, FormatLiteral(name, 1, args[1])); }
  ARROW_RETURN_NOT_OK(DatetimePattern::Compile(pattern).status());
  return BoundCall("tidelake_format_seconds", {seconds}, input, std::make_shared<cp::StrftimeOptions>(pattern));
}

arrow::Result<cp::Expression> UnixTimestamp(std::string_view name, std::vector<cp::Expression>& args,
                                            const arrow::Schema& input, const FunctionContext& ctx) {
  ARROW_RETURN_NOT_OK(CheckArity(name, args.size(), 0, 2));
  if (args.empty()) return Literal(arrow::MakeScalar(FloorDiv(ctx.now_us, kMicrosPerSecond)), input);
  cp::Expression ts = args[0];
  if (IsString(*TypeOf(ts))) {
    std::vector<cp::Expression> parse_args{args[0]};
    ARROW_ASSIGN_OR_RAISE(
        auto pattern, args.size() == 2 ? arrow::Result<cp::Expression>(args[1])
                                       : Literal(std::make_shared<arrow::StringScalar>("yyyy-MM-dd HH:mm:ss"), input));
    parse_args.push_back(pattern);
    ARROW_ASSIGN_OR_RAISE(ts, Parse(name, parse_args, input, false, false));
  } else {
    ARROW_ASSIGN_OR_RAISE(ts, TimestampArg(name, 0, ts, input));
  }
  return BoundCall("tidelake_unix_seconds", {ts}, input);
}

// EXTRACT(field FROM source) / date_part(field, source).
arrow::Result<cp::Expression> DatePart(std::string_view name, std::vector<cp::Expression>& args, const arrow::Schema& input,
                                       const FunctionContext& ctx) {
  ARROW_RETURN_NOT_OK(CheckArity(name, args.size(), 2, 2));
  ARROW_ASSIGN_OR_RAISE(std::string field_text, FormatLiteral(name, 0, args[0]));
  const std::string f = Lower(field_text);
  auto is = [&](std::initializer_list<std::string_view> names) {
    return std::find(names.begin(), names.end(), f) != names.end();
  };
  if (is({"second", "s", "sec", "seconds", "secs"})) {
    // Spark gives the seconds with their fraction, as decimal(8,6).
    ARROW_ASSIGN_OR_RAISE(auto ts, TimestampArg(name, 1, args[1], input));
    return BoundCall("tidelake_second_fraction", {ts}, input);
  }
  if (is({"dayofweek_iso", "dow_iso"})) {
    ARROW_ASSIGN_OR_RAISE(auto date, DateArg(name, 1, args[1], input));
    return ToInt32(BoundCall("day_of_week", {date}, input, std::make_shared<cp::DayOfWeekOptions>(false, 1)), input);
  }
  std::string_view fn;
  if (is({"year", "y", "years", "yr", "yrs"})) fn = "year";
  else if (is({"quarter", "qtr"})) fn = "quarter";
  else if (is({"month", "mon", "mons", "months"})) fn = "month";
  else if (is({"week", "w", "weeks"})) fn = "weekofyear";
  else if (is({"day", "d", "days"})) fn = "day";
  else if (is({"dayofweek", "dow"})) fn = "dayofweek";
  else if (is({"doy"})) fn = "dayofyear";
  else if (is({"hour", "h", "hours", "hr", "hrs"})) fn = "hour";
  else if (is({"minute", "m", "min", "mins", "minutes"})) fn = "minute";
  else return arrow::Status::Invalid("function ", name, ": unknown field '", field_text, "'");
  std::vector<cp::Expression> source{args[1]};
  ARROW_ASSIGN_OR_RAISE(auto out, CallDatetimeFunction(fn, source, input, ctx));
  return *out;
}

}  // namespace

arrow::Result<cp::Expression> DateAddDays(cp::Expression date, cp::Expression days, bool negate, const arrow::Schema& input) {
  ARROW_ASSIGN_OR_RAISE(auto as_int, ArrowCast(std::move(date), arrow::int32(), input));
  ARROW_ASSIGN_OR_RAISE(auto sum, BoundCall(negate ? "subtract_checked" : "add_checked", {as_int, std::move(days)}, input));
  return ArrowCast(sum, arrow::date32(), input);
}

arrow::Result<cp::Expression> AddInterval(cp::Expression datetime, cp::Expression interval, bool negate,
                                          const arrow::Schema& input) {
  // A date plus whole months and days stays a date; anything with a time part is a timestamp.
  bool date_result = IsDate(*TypeOf(datetime));
  if (date_result) {
    auto lit = LiteralOf(interval);
    if (lit == nullptr || (lit->is_valid && static_cast<const arrow::MonthDayNanoIntervalScalar&>(*lit).value.nanoseconds != 0)) {
      date_result = false;
    }
  }
  if (date_result) {
    ARROW_ASSIGN_OR_RAISE(datetime, DateArg("+", 0, std::move(datetime), input));
  } else {
    ARROW_ASSIGN_OR_RAISE(datetime, TimestampArg("+", 0, std::move(datetime), input));
  }
  return BoundCall(negate ? "tidelake_subtract_interval" : "tidelake_add_interval", {std::move(datetime), std::move(interval)},
                   input);
}

MaybeExpression CallDatetimeFunction(std::string_view name, std::vector<cp::Expression>& args, const arrow::Schema& input,
                                     const FunctionContext& ctx) {
  if (name == "current_timestamp" || name == "now") {
    ARROW_RETURN_NOT_OK(CheckArity(name, args.size(), 0, 0));
    return Literal(std::make_shared<arrow::TimestampScalar>(ctx.now_us, TimestampLtz()), input);
  }
  if (name == "current_date" || name == "curdate") {
    ARROW_RETURN_NOT_OK(CheckArity(name, args.size(), 0, 0));
    return Literal(std::make_shared<arrow::Date32Scalar>(static_cast<int32_t>(FloorDiv(ctx.now_us, kMicrosPerDay))), input);
  }
  if (name == "date_trunc") return DateTrunc(name, args, input);
  if (name == "trunc") return Trunc(name, args, input);
  if (name == "date_add" || name == "dateadd" || name == "date_sub") {
    ARROW_RETURN_NOT_OK(CheckArity(name, args.size(), 2, 2));
    ARROW_ASSIGN_OR_RAISE(auto date, DateArg(name, 0, args[0], input));
    ARROW_ASSIGN_OR_RAISE(auto days, IntArg(name, 1, args[1], input));
    return DateAddDays(date, days, name == "date_sub", input);
  }
  if (name == "datediff") {
    ARROW_RETURN_NOT_OK(CheckArity(name, args.size(), 2, 2));
    ARROW_ASSIGN_OR_RAISE(auto end, DateArg(name, 0, args[0], input));
    ARROW_ASSIGN_OR_RAISE(auto start, DateArg(name, 1, args[1], input));
    ARROW_ASSIGN_OR_RAISE(end, ArrowCast(end, arrow::int32(), input));
    ARROW_ASSIGN_OR_RAISE(start, ArrowCast(start, arrow::int32(), input));
    return BoundCall("subtract_checked", {end, start}, input);
  }
  if (name == "add_months") {
    ARROW_RETURN_NOT_OK(CheckArity(name, args.size(), 2, 2));
    ARROW_ASSIGN_OR_RAISE(auto date, DateArg(name, 0, args[0], input));
    ARROW_ASSIGN_OR_RAISE(auto months, IntArg(name, 1, args[1], input));
    return BoundCall("tidelake_add_months", {date, months}, input);
  }
  if (name == "months_between") {
    ARROW_RETURN_NOT_OK(CheckArity(name, args.size(), 2, 3));
    ARROW_ASSIGN_OR_RAISE(auto t1, WallClock(name, 0, args[0], input));
    ARROW_ASSIGN_OR_RAISE(auto t2, WallClock(name, 1, args[1], input));
    bool round_off = true;
    if (args.size() == 3) {
      auto lit = LiteralOf(args[2]);
      if (lit == nullptr || !lit->is_valid || lit->type->id() != arrow::Type::BOOL) {
        return arrow::Status::NotImplemented("function ", name, ": argument 3 must be a boolean literal");
      }
      round_off = static_cast<const arrow::BooleanScalar&>(*lit).value;
    }
    return BoundCall(round_off ? "tidelake_months_between" : "tidelake_months_between_exact", {t1, t2}, input);
  }
  auto date_field = [&](const char* kernel, std::shared_ptr<cp::FunctionOptions> options = nullptr) -> arrow::Result<cp::Expression> {
    ARROW_RETURN_NOT_OK(CheckArity(name, args.size(), 1, 1));
    ARROW_ASSIGN_OR_RAISE(auto date, DateArg(name, 0, args[0], input));
    return ToInt32(BoundCall(kernel, {date}, input, std::move(options)), input);
  };
  auto time_field = [&](const char* kernel) -> arrow::Result<cp::Expression> {
    ARROW_RETURN_NOT_OK(CheckArity(name, args.size(), 1, 1));
    ARROW_ASSIGN_OR_RAISE(auto ts, WallClock(name, 0, args[0], input));
    return ToInt32(BoundCall(kernel, {ts}, input), input);
  };
  if (name == "year") return date_field("year");
  if (name == "quarter") return date_field("quarter");
  if (name == "month") return date_field("month");
  if (name == "day" || name == "dayofmonth") return date_field("day");
  if (name == "dayofyear") return date_field("day_of_year");
  if (name == "weekofyear") return date_field("iso_week");
  if (name == "dayofweek") return date_field("day_of_week", std::make_shared<cp::DayOfWeekOptions>(false, 7));
  if (name == "weekday") return date_field("day_of_week", std::make_shared<cp::DayOfWeekOptions>(true, 1));
  if (name == "hour") return time_field("hour");
  if (name == "minute") return time_field("minute");
  if (name == "second") return time_field("second");
  if (name == "to_date") return Parse(name, args, input, true, false);
  if (name == "to_timestamp") return Parse(name, args, input, false, false);
  if (name == "try_to_timestamp") return Parse(name, args, input, false, true);
  if (name == "date_format") return DateFormat(name, args, input);
  if (name == "from_unixtime") return FromUnixtime(name, args, input);
  if (name == "unix_timestamp" || name == "to_unix_timestamp") return UnixTimestamp(name, args, input, ctx);
  if (name == "make_date") {
    ARROW_RETURN_NOT_OK(CheckArity(name, args.size(), 3, 3));
    for (size_t i = 0; i < 3; ++i) { ARROW_ASSIGN_OR_RAISE(args[i], IntArg(name, i, args[i], input)); }
    return BoundCall("tidelake_make_date", args, input);
  }
  if (name == "last_day") {
    ARROW_RETURN_NOT_OK(CheckArity(name, args.size(), 1, 1));
    ARROW_ASSIGN_OR_RAISE(auto date, DateArg(name, 0, args[0], input));
    return BoundCall("tidelake_last_day", {date}, input);
  }
  if (name == "date_part" || name == "extract") return DatePart(name, args, input, ctx);
  return std::nullopt;
}

}  // namespace tidelake::plan::internal
