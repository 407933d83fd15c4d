// Dates and times as text, the way Spark reads and writes them: the proleptic Gregorian
// calendar arithmetic, the ISO-like forms CAST accepts ('2024-01-31', '2024-01-31 10:00:00',
// '2024-01-31T10:00:00.5+01:00'), the forms CAST writes, and Spark's datetime patterns
// ('yyyy-MM-dd HH:mm:ss', 'dd/MM/yyyy', 'MMM d, yyyy h:mm a', ...) used by to_date,
// to_timestamp, date_format, from_unixtime and unix_timestamp.
//
// Dates are days since 1970-01-01; timestamps are microseconds since 1970-01-01 00:00:00 UTC.
// The session time zone is UTC, so a timestamp's wall clock is its UTC time. Only zone
// offsets and the UTC names (Z, UTC, GMT, UT, Etc/UTC) are understood in text; other zone
// names are rejected. Everything here is pure computation and thread-safe.
#pragma once

#include <arrow/result.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tidelake::plan::internal {

inline constexpr int64_t kMicrosPerSecond = 1000000;
inline constexpr int64_t kMicrosPerDay = 86400LL * kMicrosPerSecond;

struct CivilDate {
  int64_t year = 1970;
  int month = 1;  ///< 1..12
  int day = 1;    ///< 1..31
};

int64_t FloorDiv(int64_t a, int64_t b);
int64_t FloorMod(int64_t a, int64_t b);
int64_t DaysFromCivil(int64_t year, int month, int day);
CivilDate CivilFromDays(int64_t days);
bool IsLeapYear(int64_t year);
int DaysInMonth(int64_t year, int month);
/// 1 = Monday .. 7 = Sunday (ISO).
int IsoDayOfWeek(int64_t days);
/// `months` added to a date, the day clamped to the target month's length (Spark add_months).
int64_t AddMonthsToDays(int64_t days, int64_t months);

/// CAST(string AS DATE): '[+-]yyyy[-m[m][-d[d][( |T)anything]]]' after trimming whitespace.
std::optional<int32_t> ParseDateText(std::string_view text);
/// CAST(string AS TIMESTAMP[_NTZ]): a date as above, then optionally ( |T)h[h][:m[m][:s[s][.fraction]]]
/// and a zone (Z, UTC, GMT, +hh[:mm], ...). For NTZ the zone is ignored.
std::optional<int64_t> ParseTimestampText(std::string_view text, bool ntz);

/// CAST(date AS STRING): "2024-01-31" ("-0044-03-15", "+10000-01-01").
std::string FormatDateText(int64_t days);
/// CAST(timestamp AS STRING): "2024-01-31 10:00:00", with ".12" style fractions (trailing
/// zeros dropped).
std::string FormatTimestampText(int64_t micros);

/// A compiled Spark datetime pattern.
class DatetimePattern {
 public:
  /// Errors name the pattern: "unsupported datetime pattern 'YYYY': week-based ...".
  static arrow::Result<DatetimePattern> Compile(std::string_view pattern);

  std::string Format(int64_t micros) const;
  /// Parses `text` completely. On failure returns false and sets `error` to Java's wording
  /// ("Text '2024-13-01' could not be parsed: Invalid value for MonthOfYear (valid values
  /// 1 - 12): 13").
  bool Parse(std::string_view text, int64_t* micros, std::string* error) const;

  const std::string& pattern() const { return pattern_; }

  struct Token {
    enum class Kind : uint8_t { kLiteral, kField, kOptionalStart, kOptionalEnd } kind = Kind::kLiteral;
    char letter = 0;
    int count = 0;
    std::string text;  ///< kLiteral
  };

 private:
  std::string pattern_;
  std::vector<Token> tokens_;
};

}  // namespace tidelake::plan::internal
