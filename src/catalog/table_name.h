// Table names in a lake: `zone.table` (zones raw, refined, curated, or any other valid name),
// or a path given as `delta.`/path`` / a plain path containing '/'.
//
// A name part is 1-128 characters of letters, digits and '_' (case-insensitive, stored lower
// case), so no name can escape the lake root: no '.', '/', '\\', empty or control characters.
#pragma once

#include <arrow/result.h>

#include <string>
#include <string_view>

namespace tidelake::catalog {

inline constexpr std::string_view kZones[] = {"raw", "refined", "curated"};

struct TableName {
  std::string zone;
  std::string table;

  /// Parses "zone.table"; a name without a zone is an error naming the expected form.
  static arrow::Result<TableName> Parse(std::string_view text);

  /// Validates one part (zone or table) of a name.
  static arrow::Status ValidatePart(std::string_view part, std::string_view what);

  std::string ToString() const { return zone + "." + table; }
  /// Path relative to the lake root: "zone/table".
  std::string RelativePath() const { return zone + "/" + table; }
};

/// True when `text` names a table by path rather than by zone.table: it contains '/' or
/// starts with a URI scheme, or is written delta.`path`.
bool IsPathReference(std::string_view text);

/// The path inside delta.`path`, or `text` itself.
std::string PathOf(std::string_view text);

}  // namespace tidelake::catalog
