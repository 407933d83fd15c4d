// Partition values: the strings in `add.partitionValues`, and the Hive-style directories
// data files of a partitioned table are written under.
//
// PROTOCOL.md ("Partition Value Serialization") stores every partition value as a string, or
// JSON null. This file owns both directions of that mapping between strings and typed Arrow
// scalars, and the directory naming Spark uses ("letter=a/date=2024-01-01/").
//
// Three encodings are in play for one value, and only the first is this file's business for
// reading:
//   1. the partition value itself, e.g. "+ =%0" (what `add.partitionValues` holds; the truth);
//   2. the directory name, Hive-escaped by HivePartitionPath: "c2=+ %3D%250";
//   3. `add.path`, which is the directory name URI-encoded once more: "c2=+%20%253D%25250/…"
//      (that step is EncodePath/DecodePath in actions.h, not here).
// Readers must take partition values from the log, never from directory names: the
// directory layout is only a convention (PROTOCOL.md, "Data Files"), and writers differ:
// Spark on Windows also escapes ' ', '<', '>' and '|', and delta-0.8.0-special-partition has
// the directory "x=B%20B" for the value "B B" where Spark on Linux would write "x=B B".
//
// All functions are pure and thread-safe.
#pragma once

#include <arrow/result.h>
#include <arrow/type_fwd.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tidelake::delta {

/// The directory value Hive and Spark use for a null (or empty-string) partition value.
inline constexpr std::string_view kHiveDefaultPartition = "__HIVE_DEFAULT_PARTITION__";

/// How SerializePartitionValue writes values of a zoned `timestamp` column.
enum class TimestampPartitionFormat {
  /// "2024-01-01T10:00:00.000000Z": an ISO-8601 UTC instant. The protocol "highly recommends"
  /// this form because it does not depend on the writer's time zone; Delta 3.x writes it.
  kIso8601Utc,
  /// "2024-01-01 10:00:00[.fraction]", the instant rendered in UTC: what Spark writes when
  /// its session time zone is UTC. Readers must assume a time zone to interpret it.
  kSpaceSeparated,
};

struct PartitionValueOptions {
  TimestampPartitionFormat timestamp_format = TimestampPartitionFormat::kIso8601Utc;
};

/// The string stored in `add.partitionValues` for `value`; std::nullopt for a null value.
///
/// Forms: integers and decimals in plain decimal notation ("-12", "1.50"); floating point in
/// the shortest text that reads back to the same value, with ".0" on integral values the way
/// Java prints them ("1.0", "0.1", "NaN", "Infinity"); booleans "true"/"false"; dates
/// "2024-01-31"; timestamp_ntz "2024-01-01 10:00:00" with a fraction only when non-zero
/// (".123456"); zoned timestamps per `options`; strings and binary as their bytes.
/// An empty string or binary value serializes to std::nullopt: the protocol reads an empty
/// partition value as null, so Delta cannot keep "" apart from null (Spark behaves the same).
/// Types the protocol cannot partition by (nested, time, interval, ...) are NotImplemented.
arrow::Result<std::optional<std::string>> SerializePartitionValue(
    const arrow::Scalar& value, const PartitionValueOptions& options = {});

/// The inverse: a scalar of `type` for a partition value read from the log.
///
/// std::nullopt and "" give a null scalar (PROTOCOL.md: "An empty string for any type
/// translates to a null partition value"). Accepts every form the protocol and real writers
/// use: timestamps as "2021-09-08 11:11:11", with a fraction, or ISO-8601
/// "2024-01-01T10:00:00.000000Z" / with a "+01:00" offset (zone-less text in a zoned column is
/// read as UTC; see ParseTimestamp); floats also as "NaN", "Infinity", "-Infinity"; booleans
/// in any letter case. Errors are Invalid and name the value and the type.
arrow::Result<std::shared_ptr<arrow::Scalar>> ParsePartitionValue(
    const std::optional<std::string>& value, const std::shared_ptr<arrow::DataType>& type);

/// Hive/Spark path escaping (ExternalCatalogUtils.escapePathName): the bytes 0x01-0x1F, 0x7F
/// and `"#%'*/:=?\{[]^` become %XX with upper-case hex; everything else, including spaces and
/// non-ASCII UTF-8, is kept. NUL (which Spark leaves alone) is also escaped, since no file
/// system accepts it in a name.
std::string EscapePathName(std::string_view name);

/// Reverses EscapePathName: every %XX with two hex digits becomes that byte; other '%' are kept.
std::string UnescapePathName(std::string_view name);

/// The relative directory for a file's partition values, in partition-column order:
/// {{"letter","a"},{"date","2024-01-01"}} -> "letter=a/date=2024-01-01/". Column names and
/// values are escaped with EscapePathName; a null or empty value becomes
/// __HIVE_DEFAULT_PARTITION__. An empty list gives "" (an unpartitioned table's root).
std::string HivePartitionPath(
    const std::vector<std::pair<std::string, std::optional<std::string>>>& columns_and_values);

}  // namespace tidelake::delta
