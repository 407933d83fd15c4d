// Parses the interval strings of Delta table properties such as
// delta.deletedFileRetentionDuration, delta.logRetentionDuration,
// delta.checkpointRetentionDuration and delta.setTransactionRetentionDuration.
//
// These values are Spark calendar-interval strings: "interval 1 week", "interval 7 days",
// "interval 168 hours", "30 days", "interval 1 day 12 hours". Delta only accepts intervals
// of fixed length, so months and years are refused (their length in milliseconds varies), as
// are negative totals. The result is a duration in milliseconds; the parser is pure and
// thread-safe.
#pragma once

#include <arrow/result.h>

#include <cstdint>
#include <string_view>

namespace tidelake::delta {

/// "interval 1 week" -> 604800000. Grammar (case-insensitive, whitespace-separated):
///   ["interval"] (<number> <unit>)+
/// where <number> is an optionally signed integer (a decimal fraction is allowed for seconds
/// only, as in Spark) and <unit> is one of microsecond(s), millisecond(s), second(s),
/// minute(s), hour(s), day(s), week(s). Sub-millisecond remainders are truncated.
/// Errors (Invalid) quote the whole value and name the offending token.
arrow::Result<int64_t> ParseIntervalMillis(std::string_view text);

/// The same, in microseconds (Spark's window durations: window(ts, '5 minutes')).
arrow::Result<int64_t> ParseIntervalMicros(std::string_view text);

}  // namespace tidelake::delta
