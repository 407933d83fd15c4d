#include "delta/temporal_text.h"

#include <arrow/status.h>

#include <chrono>
#include <cstdio>
#include <optional>

namespace tidelake::delta {

namespace {

namespace ch = std::chrono;

constexpr int64_t kSecondsPerDay = 86400;
constexpr int64_t kNanosPerSecond = 1000000000;

// Days since the epoch of the first and last day std::chrono::year can represent.
const int64_t kMinDays = ch::sys_days{ch::year{-32767} / 1 / 1}.time_since_epoch().count();
const int64_t kMaxDays = ch::sys_days{ch::year{32767} / 12 / 31}.time_since_epoch().count();

int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

int64_t UnitsPerSecond(arrow::TimeUnit::type unit) {
  switch (unit) {
    case arrow::TimeUnit::SECOND:
      return 1;
    case arrow::TimeUnit::MILLI:
      return 1000;
    case arrow::TimeUnit::MICRO:
      return 1000000;
    case arrow::TimeUnit::NANO:
      return kNanosPerSecond;
  }
  return 1;
}

arrow::Result<std::string> FormatDays(int64_t days) {
  if (days < kMinDays || days > kMaxDays) {
    return arrow::Status::Invalid("date ", days,
                                  " days from 1970-01-01 is outside years -32767..32767");
  }
  ch::year_month_day ymd{ch::sys_days{ch::days{days}}};
  int year = static_cast<int>(ymd.year());
  char buf[32];
  if (year >= 0 && year <= 9999) {
    std::snprintf(buf, sizeof(buf), "%04d-%02u-%02u", year, static_cast<unsigned>(ymd.month()),
                  static_cast<unsigned>(ymd.day()));
  } else {
    // ISO-8601 expanded years carry an explicit sign.
    std::snprintf(buf, sizeof(buf), "%c%04d-%02u-%02u", year < 0 ? '-' : '+',
                  year < 0 ? -year : year, static_cast<unsigned>(ymd.month()),
                  static_cast<unsigned>(ymd.day()));
  }
  return std::string(buf);
}

// A small cursor over the text being parsed.
class Cursor {
 public:
  explicit Cursor(std::string_view text) : text_(text) {}
  bool AtEnd() const { return pos_ == text_.size(); }
  char Peek() const { return AtEnd() ? '\0' : text_[pos_]; }
  bool Consume(char c) {
    if (Peek() != c || AtEnd()) return false;
    ++pos_;
    return true;
  }
  // Reads between min_digits and max_digits decimal digits.
  std::optional<int64_t> Digits(int min_digits, int max_digits, int* count = nullptr) {
    int64_t value = 0;
    int n = 0;
    while (n < max_digits && !AtEnd() && text_[pos_] >= '0' && text_[pos_] <= '9') {
      value = value * 10 + (text_[pos_] - '0');
      ++pos_;
      ++n;
    }
    if (n < min_digits) return std::nullopt;
    if (count != nullptr) *count = n;
    return value;
  }

 private:
  std::string_view text_;
  size_t pos_ = 0;
};

// Parses the date part; leaves the cursor after the day.
std::optional<int64_t> ParseDatePart(Cursor* c) {
  bool negative = false;
  if (c->Consume('-')) {
    negative = true;
  } else {
    c->Consume('+');
  }
  auto year = c->Digits(4, 6);
  if (!year || !c->Consume('-')) return std::nullopt;
  auto month = c->Digits(1, 2);
  if (!month || !c->Consume('-')) return std::nullopt;
  auto day = c->Digits(1, 2);
  if (!day) return std::nullopt;
  int64_t y = negative ? -*year : *year;
  if (y < -32767 || y > 32767) return std::nullopt;
  ch::year_month_day ymd{ch::year{static_cast<int>(y)}, ch::month{static_cast<unsigned>(*month)},
                         ch::day{static_cast<unsigned>(*day)}};
  if (!ymd.ok()) return std::nullopt;
  return ch::sys_days{ymd}.time_since_epoch().count();
}

arrow::Status BadTimestamp(std::string_view text, std::string_view why) {
  return arrow::Status::Invalid("invalid timestamp '", text, "': ", why,
                                " (expected YYYY-MM-DD[ HH:MM:SS[.fraction]][Z|+HH:MM])");
}

}  // namespace

arrow::Result<std::string> FormatDate(int32_t days_since_epoch) {
  return FormatDays(days_since_epoch);
}

arrow::Result<int32_t> ParseDate(std::string_view text) {
  Cursor c(text);
  auto days = ParseDatePart(&c);
  if (!days || !c.AtEnd()) {
    return arrow::Status::Invalid("invalid date '", text, "' (expected YYYY-MM-DD)");
  }
  return static_cast<int32_t>(*days);
}

arrow::Result<std::string> FormatTimestamp(int64_t value, arrow::TimeUnit::type unit,
                                           TimestampStyle style, bool with_zone) {
  const int64_t per_second = UnitsPerSecond(unit);
  // Floor division without forming seconds * per_second, which overflows near INT64_MIN.
  int64_t seconds = value / per_second;
  int64_t remainder = value % per_second;
  if (remainder < 0) {
    seconds -= 1;
    remainder += per_second;
  }
  const int64_t nanos = remainder * (kNanosPerSecond / per_second);
  const int64_t days = FloorDiv(seconds, kSecondsPerDay);
  const int64_t second_of_day = seconds - days * kSecondsPerDay;
  ARROW_ASSIGN_OR_RAISE(std::string out, FormatDays(days));

  char buf[48];
  std::snprintf(buf, sizeof(buf), "%c%02d:%02d:%02d",
                style == TimestampStyle::kSpaceSeparated ? ' ' : 'T',
                static_cast<int>(second_of_day / 3600), static_cast<int>(second_of_day / 60 % 60),
                static_cast<int>(second_of_day % 60));
  out += buf;
  switch (style) {
    case TimestampStyle::kSpaceSeparated:
      if (nanos != 0) {
        std::snprintf(buf, sizeof(buf), ".%09lld", static_cast<long long>(nanos));
        std::string fraction(buf);
        while (fraction.back() == '0') fraction.pop_back();
        out += fraction;
      }
      return out;
    case TimestampStyle::kIso8601Micros:
      if (nanos % 1000 != 0) {
        std::snprintf(buf, sizeof(buf), ".%09lld", static_cast<long long>(nanos));
      } else {
        std::snprintf(buf, sizeof(buf), ".%06lld", static_cast<long long>(nanos / 1000));
      }
      out += buf;
      break;
    case TimestampStyle::kIso8601Millis:
      std::snprintf(buf, sizeof(buf), ".%03lld", static_cast<long long>(nanos / 1000000));
      out += buf;
      break;
  }
  if (with_zone) out += 'Z';
  return out;
}

arrow::Result<int64_t> ParseTimestamp(std::string_view text, arrow::TimeUnit::type unit,
                                      bool allow_zone, Rounding rounding) {
  Cursor c(text);
  auto days = ParseDatePart(&c);
  if (!days) return BadTimestamp(text, "bad date");
  int64_t second_of_day = 0;
  int64_t nanos = 0;
  int64_t offset_seconds = 0;
  if (!c.AtEnd()) {
    if (!c.Consume(' ') && !c.Consume('T')) return BadTimestamp(text, "bad date/time separator");
    auto hour = c.Digits(1, 2);
    if (!hour || *hour > 23 || !c.Consume(':')) return BadTimestamp(text, "bad hour");
    auto minute = c.Digits(2, 2);
    if (!minute || *minute > 59) return BadTimestamp(text, "bad minute");
    int64_t second = 0;
    if (c.Consume(':')) {
      auto s = c.Digits(2, 2);
      if (!s || *s > 59) return BadTimestamp(text, "bad second");
      second = *s;
      if (c.Consume('.')) {
        int count = 0;
        auto fraction = c.Digits(1, 9, &count);
        if (!fraction) return BadTimestamp(text, "bad fraction of a second");
        nanos = *fraction;
        for (int i = count; i < 9; ++i) nanos *= 10;
      }
    }
    second_of_day = *hour * 3600 + *minute * 60 + second;
    if (!c.AtEnd()) {
      if (!allow_zone) {
        return BadTimestamp(text, "a timestamp without time zone cannot carry a zone offset");
      }
      if (c.Consume('Z')) {
        // UTC
      } else if (c.Peek() == '+' || c.Peek() == '-') {
        const int64_t sign = c.Peek() == '-' ? -1 : 1;
        c.Consume(c.Peek());
        auto oh = c.Digits(2, 2);
        if (!oh || *oh > 18) return BadTimestamp(text, "bad zone offset");
        c.Consume(':');
        int64_t om = 0;
        if (!c.AtEnd()) {
          auto m = c.Digits(2, 2);
          if (!m || *m > 59) return BadTimestamp(text, "bad zone offset");
          om = *m;
        }
        offset_seconds = sign * (*oh * 3600 + om * 60);
      }
      if (!c.AtEnd()) return BadTimestamp(text, "unexpected trailing characters");
    }
  }

  const int64_t seconds = *days * kSecondsPerDay + second_of_day - offset_seconds;
  const int64_t per_second = UnitsPerSecond(unit);
  const int64_t nanos_per_unit = kNanosPerSecond / per_second;
  int64_t value = 0;
  if (__builtin_mul_overflow(seconds, per_second, &value) ||
      __builtin_add_overflow(value, nanos / nanos_per_unit, &value)) {
    return BadTimestamp(text, "out of range for a 64-bit timestamp of this unit");
  }
  if (nanos % nanos_per_unit != 0) {
    switch (rounding) {
      case Rounding::kExact:
        return BadTimestamp(text, "more fractional digits than the column's unit holds");
      case Rounding::kFloor:
        break;
      case Rounding::kCeil:
        if (__builtin_add_overflow(value, 1, &value)) {
          return BadTimestamp(text, "out of range for a 64-bit timestamp of this unit");
        }
        break;
    }
  }
  return value;
}

}  // namespace tidelake::delta
