// Date and time kernels with Spark's semantics:
//   tidelake_add_months(date32, int32) -> date32 (day clamped to the month's length),
//   tidelake_months_between[_exact](ts, ts) -> double, tidelake_make_date(y, m, d) -> date32
//   (error on an invalid date), tidelake_last_day(date32) -> date32,
//   tidelake_parse_timestamp(str) -> timestamp(us, UTC) (StrptimeOptions: format is a Spark
//   pattern, error_is_null for the try_ variants), tidelake_format_timestamp(ts) and
//   tidelake_format_seconds(int64 seconds) -> string (StrftimeOptions: format is a Spark
//   pattern), tidelake_unix_seconds(ts) -> int64, tidelake_second_fraction(ts) ->
//   decimal(8,6), tidelake_add_interval / tidelake_subtract_interval(date|ts,
//   month_day_nano_interval) -> the first argument's type, tidelake_add_intervals /
//   tidelake_subtract_intervals(interval, interval) and tidelake_multiply_interval(interval,
//   int64) -> month_day_nano_interval, each field on its own (an error when one overflows).

#include <arrow/array/builder_decimal.h>
#include <arrow/array/builder_primitive.h>
#include <arrow/array/builder_time.h>
#include <arrow/util/checked_cast.h>

#include <cmath>

#include "plan/functions_internal.h"
#include "plan/kernels_common.h"
#include "plan/kernels_datetime_text.h"

namespace tidelake::plan::internal {

namespace {

using arrow::internal::checked_cast;

bool AnyNull(const KernelCall& call, int64_t row) {
  for (const auto& a : call.args) {
    if (a->IsNull(row)) return true;
  }
  return false;
}

int64_t MicrosAt(const arrow::Array& a, int64_t i) {
  const int64_t v = checked_cast<const arrow::TimestampArray&>(a).Value(i);
  switch (checked_cast<const arrow::TimestampType&>(*a.type()).unit()) {
    case arrow::TimeUnit::SECOND: return v * kMicrosPerSecond;
    case arrow::TimeUnit::MILLI: return v * 1000;
    case arrow::TimeUnit::MICRO: return v;
    case arrow::TimeUnit::NANO: return FloorDiv(v, 1000);
  }
  return v;
}

int32_t DaysAt(const arrow::Array& a, int64_t i) { return checked_cast<const arrow::Date32Array&>(a).Value(i); }
int32_t IntAt(const arrow::Array& a, int64_t i) { return checked_cast<const arrow::Int32Array&>(a).Value(i); }

arrow::Status CheckDateRange(int64_t days) {
  if (days < std::numeric_limits<int32_t>::min() || days > std::numeric_limits<int32_t>::max()) {
    return arrow::Status::Invalid("[DATETIME_OVERFLOW] the date is out of range");
  }
  return arrow::Status::OK();
}

arrow::Result<std::shared_ptr<arrow::Array>> AddMonths(const KernelCall& call) {
  arrow::Date32Builder builder(call.pool);
  ARROW_RETURN_NOT_OK(builder.Reserve(call.length));
  for (int64_t i = 0; i < call.length; ++i) {
    if (AnyNull(call, i)) {
      builder.UnsafeAppendNull();
      continue;
    }
    const int64_t days = AddMonthsToDays(DaysAt(*call.args[0], i), IntAt(*call.args[1], i));
    ARROW_RETURN_NOT_OK(CheckDateRange(days));
    builder.UnsafeAppend(static_cast<int32_t>(days));
  }
  return builder.Finish();
}

// DateTimeUtils.monthsBetween.
double MonthsBetween(int64_t t1, int64_t t2, bool round_off) {
  const int64_t d1 = FloorDiv(t1, kMicrosPerDay), d2 = FloorDiv(t2, kMicrosPerDay);
  const CivilDate c1 = CivilFromDays(d1), c2 = CivilFromDays(d2);
  const double month_diff = static_cast<double>((c1.year * 12 + c1.month) - (c2.year * 12 + c2.month));
  const bool end1 = c1.day == DaysInMonth(c1.year, c1.month);
  const bool end2 = c2.day == DaysInMonth(c2.year, c2.month);
  if (c1.day == c2.day || (end1 && end2)) return month_diff;
  const int64_t seconds1 = (t1 - d1 * kMicrosPerDay) / kMicrosPerSecond;
  const int64_t seconds2 = (t2 - d2 * kMicrosPerDay) / kMicrosPerSecond;
  const int64_t seconds_diff = static_cast<int64_t>(c1.day - c2.day) * 86400 + seconds1 - seconds2;
  const double diff = month_diff + static_cast<double>(seconds_diff) / (31.0 * 86400);
  return round_off ? std::floor(diff * 1e8 + 0.5) / 1e8 : diff;
}

arrow::Result<std::shared_ptr<arrow::Array>> MonthsBetweenKernel(const KernelCall& call, bool round_off) {
  arrow::DoubleBuilder builder(call.pool);
  ARROW_RETURN_NOT_OK(builder.Reserve(call.length));
  for (int64_t i = 0; i < call.length; ++i) {
    if (AnyNull(call, i)) builder.UnsafeAppendNull();
    else builder.UnsafeAppend(MonthsBetween(MicrosAt(*call.args[0], i), MicrosAt(*call.args[1], i), round_off));
  }
  return builder.Finish();
}

arrow::Result<std::shared_ptr<arrow::Array>> MakeDate(const KernelCall& call) {
  arrow::Date32Builder builder(call.pool);
  ARROW_RETURN_NOT_OK(builder.Reserve(call.length));
  for (int64_t i = 0; i < call.length; ++i) {
    if (AnyNull(call, i)) {
      builder.UnsafeAppendNull();
      continue;
    }
    const int64_t y = IntAt(*call.args[0], i), m = IntAt(*call.args[1], i), d = IntAt(*call.args[2], i);
    if (m < 1 || m > 12) {
      return arrow::Status::Invalid("[DATETIME_FIELD_OUT_OF_BOUNDS] Invalid value for MonthOfYear (valid values 1 - 12): ", m);
    }
    if (d < 1 || d > 31) {
      return arrow::Status::Invalid("[DATETIME_FIELD_OUT_OF_BOUNDS] Invalid value for DayOfMonth (valid values 1 - 28/31): ", d);
    }
    if (d > DaysInMonth(y, static_cast<int>(m))) {
      return arrow::Status::Invalid("[DATETIME_FIELD_OUT_OF_BOUNDS] Invalid date ", y, "-", m, "-", d);
    }
    const int64_t days = DaysFromCivil(y, static_cast<int>(m), static_cast<int>(d));
    ARROW_RETURN_NOT_OK(CheckDateRange(days));
    builder.UnsafeAppend(static_cast<int32_t>(days));
  }
  return builder.Finish();
}

arrow::Result<std::shared_ptr<arrow::Array>> LastDay(const KernelCall& call) {
  arrow::Date32Builder builder(call.pool);
  ARROW_RETURN_NOT_OK(builder.Reserve(call.length));
  for (int64_t i = 0; i < call.length; ++i) {
    if (AnyNull(call, i)) {
      builder.UnsafeAppendNull();
      continue;
    }
    const CivilDate c = CivilFromDays(DaysAt(*call.args[0], i));
    builder.UnsafeAppend(static_cast<int32_t>(DaysFromCivil(c.year, c.month, DaysInMonth(c.year, c.month))));
  }
  return builder.Finish();
}

arrow::Result<std::shared_ptr<arrow::Array>> ParseTimestamp(const KernelCall& call) {
  if (call.options == nullptr || std::string_view(call.options->type_name()) != "StrptimeOptions") {
    return arrow::Status::Invalid("internal error: tidelake_parse_timestamp needs StrptimeOptions");
  }
  const auto* options = static_cast<const cp::StrptimeOptions*>(call.options);
  ARROW_ASSIGN_OR_RAISE(DatetimePattern pattern, DatetimePattern::Compile(options->format));
  const auto& str = checked_cast<const arrow::StringArray&>(*call.args[0]);
  arrow::TimestampBuilder builder(call.out_type, call.pool);
  ARROW_RETURN_NOT_OK(builder.Reserve(call.length));
  std::string error;
  for (int64_t i = 0; i < call.length; ++i) {
    int64_t micros = 0;
    if (str.IsNull(i)) {
      builder.UnsafeAppendNull();
    } else if (pattern.Parse(str.GetView(i), &micros, &error)) {
      builder.UnsafeAppend(micros);
    } else if (options->error_is_null) {
      builder.UnsafeAppendNull();
    } else {
      return arrow::Status::Invalid("[CANNOT_PARSE_TIMESTAMP] ", error, " (pattern '", options->format,
                                    "'). Use `try_to_timestamp` to tolerate invalid input string and return NULL "
                                    "instead.");
    }
  }
  return builder.Finish();
}

arrow::Result<std::shared_ptr<arrow::Array>> FormatKernel(const KernelCall& call, bool from_seconds) {
  if (call.options == nullptr || std::string_view(call.options->type_name()) != "StrftimeOptions") {
    return arrow::Status::Invalid("internal error: tidelake_format needs StrftimeOptions");
  }
  ARROW_ASSIGN_OR_RAISE(DatetimePattern pattern,
                        DatetimePattern::Compile(static_cast<const cp::StrftimeOptions*>(call.options)->format));
  arrow::StringBuilder builder(call.pool);
  ARROW_RETURN_NOT_OK(builder.Reserve(call.length));
  const arrow::Array& in = *call.args[0];
  for (int64_t i = 0; i < call.length; ++i) {
    if (in.IsNull(i)) {
      ARROW_RETURN_NOT_OK(builder.AppendNull());
      continue;
    }
    int64_t micros = 0;
    if (from_seconds) {
      const int64_t seconds = checked_cast<const arrow::Int64Array&>(in).Value(i);
      if (__builtin_mul_overflow(seconds, kMicrosPerSecond, &micros)) {
        return arrow::Status::Invalid("[DATETIME_OVERFLOW] ", seconds, " seconds is out of the timestamp range");
      }
    } else {
      micros = MicrosAt(in, i);
    }
    ARROW_RETURN_NOT_OK(builder.Append(pattern.Format(micros)));
  }
  return builder.Finish();
}

arrow::Result<std::shared_ptr<arrow::Array>> UnixSeconds(const KernelCall& call) {
  arrow::Int64Builder builder(call.pool);
  ARROW_RETURN_NOT_OK(builder.Reserve(call.length));
  for (int64_t i = 0; i < call.length; ++i) {
    if (AnyNull(call, i)) builder.UnsafeAppendNull();
    else builder.UnsafeAppend(FloorDiv(MicrosAt(*call.args[0], i), kMicrosPerSecond));
  }
  return builder.Finish();
}

arrow::Result<std::shared_ptr<arrow::Array>> SecondFraction(const KernelCall& call) {
  arrow::Decimal128Builder builder(call.out_type, call.pool);
  ARROW_RETURN_NOT_OK(builder.Reserve(call.length));
  for (int64_t i = 0; i < call.length; ++i) {
    if (AnyNull(call, i)) {
      builder.UnsafeAppendNull();
      continue;
    }
    const int64_t in_minute = FloorMod(MicrosAt(*call.args[0], i), 60 * kMicrosPerSecond);
    builder.UnsafeAppend(arrow::Decimal128(in_minute));
  }
  return builder.Finish();
}

// date/timestamp +/- interval: months first (clamping the day), then days, then the time part.
arrow::Result<std::shared_ptr<arrow::Array>> AddInterval(const KernelCall& call, bool negate) {
  const arrow::Array& in = *call.args[0];
  const auto& iv = checked_cast<const arrow::MonthDayNanoIntervalArray&>(*call.args[1]);
  const bool is_date = in.type_id() == arrow::Type::DATE32;
  std::unique_ptr<arrow::ArrayBuilder> builder;
  ARROW_RETURN_NOT_OK(arrow::MakeBuilder(call.pool, call.out_type, &builder));
  ARROW_RETURN_NOT_OK(builder->Reserve(call.length));
  const int64_t sign = negate ? -1 : 1;
  for (int64_t i = 0; i < call.length; ++i) {
    if (AnyNull(call, i)) {
      ARROW_RETURN_NOT_OK(builder->AppendNull());
      continue;
    }
    const auto v = iv.GetValue(i);
    if (is_date) {
      const int64_t days = AddMonthsToDays(DaysAt(in, i), sign * v.months) + sign * v.days;
      ARROW_RETURN_NOT_OK(CheckDateRange(days));
      ARROW_RETURN_NOT_OK(checked_cast<arrow::Date32Builder*>(builder.get())->Append(static_cast<int32_t>(days)));
      continue;
    }
    const int64_t micros = MicrosAt(in, i);
    const int64_t day = FloorDiv(micros, kMicrosPerDay);
    const int64_t in_day = micros - day * kMicrosPerDay;
    const int64_t new_day = AddMonthsToDays(day, sign * v.months) + sign * v.days;
    int64_t out = 0;
    if (__builtin_mul_overflow(new_day, kMicrosPerDay, &out) || __builtin_add_overflow(out, in_day, &out) ||
        __builtin_add_overflow(out, sign * (v.nanoseconds / 1000), &out)) {
      return arrow::Status::Invalid("[DATETIME_OVERFLOW] the timestamp is out of range");
    }
    ARROW_RETURN_NOT_OK(checked_cast<arrow::TimestampBuilder*>(builder.get())->Append(out));
  }
  return builder->Finish();
}

// interval +/- interval, or interval * n: months, days and nanoseconds each on their own, as
// Spark's calendar intervals.
arrow::Result<std::shared_ptr<arrow::Array>> IntervalArithmetic(const KernelCall& call, char op) {
  using Value = arrow::MonthDayNanoIntervalType::MonthDayNanos;
  const auto& a = checked_cast<const arrow::MonthDayNanoIntervalArray&>(*call.args[0]);
  arrow::MonthDayNanoIntervalBuilder builder(call.pool);
  ARROW_RETURN_NOT_OK(builder.Reserve(call.length));
  for (int64_t i = 0; i < call.length; ++i) {
    if (AnyNull(call, i)) {
      builder.UnsafeAppendNull();
      continue;
    }
    const Value x = a.GetValue(i);
    Value out{};
    bool overflow = false;
    if (op == '*') {
      const int64_t n = checked_cast<const arrow::Int64Array&>(*call.args[1]).Value(i);
      // The builtins compute exactly and say whether the result fits its (32-bit) field.
      overflow = __builtin_mul_overflow(x.months, n, &out.months) || __builtin_mul_overflow(x.days, n, &out.days) ||
                 __builtin_mul_overflow(x.nanoseconds, n, &out.nanoseconds);
    } else {
      Value y = checked_cast<const arrow::MonthDayNanoIntervalArray&>(*call.args[1]).GetValue(i);
      if (op == '-') {
        overflow = __builtin_sub_overflow(x.months, y.months, &out.months) ||
                   __builtin_sub_overflow(x.days, y.days, &out.days) ||
                   __builtin_sub_overflow(x.nanoseconds, y.nanoseconds, &out.nanoseconds);
      } else {
        overflow = __builtin_add_overflow(x.months, y.months, &out.months) ||
                   __builtin_add_overflow(x.days, y.days, &out.days) ||
                   __builtin_add_overflow(x.nanoseconds, y.nanoseconds, &out.nanoseconds);
      }
    }
    if (overflow) return arrow::Status::Invalid("[INTERVAL_ARITHMETIC_OVERFLOW] the interval is out of range");
    builder.UnsafeAppend(out);
  }
  return builder.Finish();
}

arrow::Result<arrow::TypeHolder> FirstArgType(const std::vector<arrow::TypeHolder>& types, const cp::FunctionOptions*) {
  return types[0];
}

}  // namespace

arrow::Status RegisterDatetimeKernels(cp::FunctionRegistry* registry) {
  const auto date = FixedOutput(arrow::date32());
  ARROW_RETURN_NOT_OK(RegisterKernel(registry, "tidelake_add_months", cp::Arity::Binary(), date, AddMonths));
  ARROW_RETURN_NOT_OK(RegisterKernel(registry, "tidelake_months_between", cp::Arity::Binary(),
                                     FixedOutput(arrow::float64()),
                                     [](const KernelCall& c) { return MonthsBetweenKernel(c, true); }));
  ARROW_RETURN_NOT_OK(RegisterKernel(registry, "tidelake_months_between_exact", cp::Arity::Binary(),
                                     FixedOutput(arrow::float64()),
                                     [](const KernelCall& c) { return MonthsBetweenKernel(c, false); }));
  ARROW_RETURN_NOT_OK(RegisterKernel(registry, "tidelake_make_date", cp::Arity::Ternary(), date, MakeDate));
  ARROW_RETURN_NOT_OK(RegisterKernel(registry, "tidelake_last_day", cp::Arity::Unary(), date, LastDay));
  ARROW_RETURN_NOT_OK(RegisterKernel(registry, "tidelake_parse_timestamp", cp::Arity::Unary(),
                                     FixedOutput(TimestampLtz()), ParseTimestamp));
  ARROW_RETURN_NOT_OK(RegisterKernel(registry, "tidelake_format_timestamp", cp::Arity::Unary(),
                                     FixedOutput(arrow::utf8()), [](const KernelCall& c) { return FormatKernel(c, false); }));
  ARROW_RETURN_NOT_OK(RegisterKernel(registry, "tidelake_format_seconds", cp::Arity::Unary(),
                                     FixedOutput(arrow::utf8()), [](const KernelCall& c) { return FormatKernel(c, true); }));
  ARROW_RETURN_NOT_OK(RegisterKernel(registry, "tidelake_unix_seconds", cp::Arity::Unary(), FixedOutput(arrow::int64()),
                                     UnixSeconds));
  ARROW_RETURN_NOT_OK(RegisterKernel(registry, "tidelake_second_fraction", cp::Arity::Unary(),
                                     FixedOutput(arrow::decimal128(8, 6)), SecondFraction));
  ARROW_RETURN_NOT_OK(RegisterKernel(registry, "tidelake_add_interval", cp::Arity::Binary(), FirstArgType,
                                     [](const KernelCall& c) { return AddInterval(c, false); }));
  ARROW_RETURN_NOT_OK(RegisterKernel(registry, "tidelake_subtract_interval", cp::Arity::Binary(), FirstArgType,
                                     [](const KernelCall& c) { return AddInterval(c, true); }));
  const auto interval = FixedOutput(arrow::month_day_nano_interval());
  ARROW_RETURN_NOT_OK(RegisterKernel(registry, "tidelake_add_intervals", cp::Arity::Binary(), interval,
                                     [](const KernelCall& c) { return IntervalArithmetic(c, '+'); }));
  ARROW_RETURN_NOT_OK(RegisterKernel(registry, "tidelake_subtract_intervals", cp::Arity::Binary(), interval,
                                     [](const KernelCall& c) { return IntervalArithmetic(c, '-'); }));
  return RegisterKernel(registry, "tidelake_multiply_interval", cp::Arity::Binary(), interval,
                        [](const KernelCall& c) { return IntervalArithmetic(c, '*'); });
}

}  // namespace tidelake::plan::internal
