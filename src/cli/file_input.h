// Reading input files for `tidelake table load`: CSV, JSON lines and Parquet files, or a
// directory of them, as one stream of Arrow batches. Errors name the file (and, for CSV and
// JSON, the row Arrow's reader reports).
#pragma once

#include <arrow/record_batch.h>
#include <arrow/result.h>

#include <memory>
#include <string>
#include <vector>

namespace tidelake::cli {

enum class InputFormat { kAuto, kCsv, kJson, kParquet };

arrow::Result<InputFormat> ParseInputFormat(const std::string& name);

/// Every input file under `paths` (files, or directories searched recursively), sorted.
arrow::Result<std::vector<std::string>> ExpandInputs(const std::vector<std::string>& paths);

/// A malformed input row: where it is, its text and why it was rejected.
struct BadRow {
  std::string file;
  int64_t line = 0;  ///< 1-based line in the file
  std::string text;
  std::string reason;
};

/// What to do with malformed CSV/JSON rows: fail the load naming the first one (file:line),
/// or set them aside (the caller writes them to a quarantine table) and load the rest.
enum class BadRowPolicy { kFail, kQuarantine };

/// Reads all files into one table (columns unified by name; a file whose schema conflicts is
/// an error naming it). Under kQuarantine, malformed rows are appended to `bad_rows`.
arrow::Result<std::shared_ptr<arrow::Table>> ReadInputs(const std::vector<std::string>& files, InputFormat format,
                                                        BadRowPolicy policy, std::vector<BadRow>* bad_rows);

}  // namespace tidelake::cli
