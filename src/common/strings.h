// Small string helpers every layer uses. Pure functions; thread-safe.
#pragma once

#include <arrow/result.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace tidelake {

/// `s` with ASCII letters in lower case (SQL names and option keys match without regard to
/// case; other bytes, UTF-8 included, are kept as they are).
std::string Lower(std::string_view s);

/// Bytes from "4GB", "4G", "4GiB", "512MB", "1024" (decimal and binary units both mean powers
/// of 1024, as in DuckDB's memory_limit); an error names the text.
arrow::Result<int64_t> ParseByteSize(const std::string& text);

}  // namespace tidelake
