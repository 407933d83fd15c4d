// Printing query results: aligned tables for people, CSV or JSON lines for machines, Parquet
// to a file.
#pragma once

#include <arrow/record_batch.h>
#include <arrow/result.h>

#include <cstddef>
#include <ostream>
#include <string>

namespace tidelake::cli {

enum class OutputFormat { kTable, kCsv, kJson, kParquet };

arrow::Result<OutputFormat> ParseOutputFormat(const std::string& name);

/// Writes every batch of `reader` to `out` (or, for Parquet, to `path`), streaming. An aligned
/// table shows at most `max_table_rows` rows (0: all), the first and last halves around an
/// ellipsis row, and counts them all; numbers are right-aligned.
arrow::Status WriteResult(arrow::RecordBatchReader& reader, OutputFormat format, std::ostream& out,
                          const std::string& path, size_t max_table_rows = 0);

}  // namespace tidelake::cli
