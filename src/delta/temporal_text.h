// Text forms of dates and timestamps as they appear in the Delta log.
//
// Delta stores dates and timestamps as text in two places: partition values
// (PROTOCOL.md, "Partition Value Serialization") and per-file statistics ("Per-file
// Statistics"). Writers disagree on the exact form: Spark writes partition timestamps as
// "2021-09-08 11:11:11" (its cast to string, fraction without trailing zeros), newer Delta
// writes "2024-01-01T10:00:00.000000Z", and statistics carry "2021-01-01T00:00:00.000Z"
// (milliseconds; no "Z" for timestamp_ntz). This file owns formatting each of those forms
// and one lenient parser that accepts all of them, so partition_values and file_stats agree.
//
// Values are Arrow's: dates are days since 1970-01-01 (date32), timestamps are counts of
// `unit` since 1970-01-01T00:00:00 (UTC for zoned timestamps, wall clock for timestamp_ntz).
// Years outside [-32767, 32767] (the range of std::chrono::year) are rejected with Invalid.
// All functions are pure and thread-safe.
#pragma once

#include <arrow/result.h>
#include <arrow/type.h>
#include <arrow/type_fwd.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace tidelake::delta {

/// "YYYY-MM-DD" for a date32 value; years beyond 0000..9999 get a sign and more digits.
arrow::Result<std::string> FormatDate(int32_t days_since_epoch);

/// Parses "YYYY-MM-DD" (month and day may have one digit, the year a sign) into date32.
arrow::Result<int32_t> ParseDate(std::string_view text);

enum class TimestampStyle {
  /// "2024-01-01 10:00:00" or "2024-01-01 10:00:00.1234": Spark's cast to string, used for
  /// partition values; the fraction is printed only when non-zero, without trailing zeros.
  kSpaceSeparated,
  /// "2024-01-01T10:00:00.000000Z": ISO-8601 with microseconds (nine digits if a nanosecond
  /// timestamp has a sub-microsecond part), the form newer Delta writers use for partitions.
  kIso8601Micros,
  /// "2024-01-01T10:00:00.000Z": ISO-8601 truncated *down* to milliseconds, the statistics form.
  kIso8601Millis,
};

/// Formats a timestamp of `unit`. `with_zone` appends "Z" to the ISO styles (zoned timestamps
/// are UTC instants); kSpaceSeparated never carries a zone.
arrow::Result<std::string> FormatTimestamp(int64_t value, arrow::TimeUnit::type unit,
                                           TimestampStyle style, bool with_zone);

/// How to fit a parsed timestamp into a coarser unit.
enum class Rounding {
  kExact,  ///< digits finer than the unit are an error
  kFloor,  ///< round down (a valid lower bound)
  kCeil,   ///< round up (a valid upper bound)
};

/// Parses "YYYY-MM-DD[( |T)HH:MM[:SS[.fraction]]][Z|±HH[:MM]]" into a count of `unit`.
/// A zone designator shifts the value to UTC; it is an error unless `allow_zone` (pass false
/// for timestamp_ntz). Text without a zone is taken as UTC for zoned columns: the protocol
/// says such values are in the writer's time zone, which the log does not record, and UTC is
/// what Spark uses when its session time zone is UTC and what delta-rs assumes.
arrow::Result<int64_t> ParseTimestamp(std::string_view text, arrow::TimeUnit::type unit,
                                      bool allow_zone, Rounding rounding = Rounding::kExact);

}  // namespace tidelake::delta
