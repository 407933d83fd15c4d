// Renders one value of an Arrow array as JSON text: used to read Delta checkpoints (whose rows
// are actions) through the same parser as JSON commits, and to print query results as JSON.
//
// Mapping: null -> null; booleans and numbers as JSON literals (non-finite floats as strings
// "NaN"/"Infinity"); strings escaped; binary as a string of its bytes (escaped); decimals as
// numbers; dates "YYYY-MM-DD"; timestamps ISO-8601 ("2024-01-01T10:00:00.000Z" for zoned,
// without "Z" for naive; microsecond digits only when non-zero); structs as objects; lists as
// arrays; maps as objects keyed by the key's text.
#pragma once

#include <arrow/array.h>

#include <string>

namespace tidelake::io {

void AppendJsonValue(const arrow::Array& array, int64_t row, std::string* out);

/// Appends `text` as a JSON string literal (quoted and escaped).
void AppendJsonString(std::string_view text, std::string* out);

/// Formats microseconds since the epoch as ISO-8601 ("2024-01-01T10:00:00.000" + "Z" if zoned).
std::string FormatTimestampMicros(int64_t micros, bool zoned);

/// Formats days since the epoch as "YYYY-MM-DD".
std::string FormatDate(int32_t days);

}  // namespace tidelake::io
