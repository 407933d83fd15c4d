// What the planner may know about the size and value distribution of a table, for cost-based
// decisions such as join ordering. Plain data: the session fills it (sql::BinderCatalog::
// TableStatistics) from the catalog's ANALYZE TABLE results and the Delta log, and a TableScan
// node may carry it. Every number is optional, because a table that was never analyzed still
// has a row count (from its Delta log's per-file stats) but no column statistics.
//
// Invariant: `row_count` and `size_in_bytes` describe the snapshot at `table_version`. Column
// statistics were computed at `analyzed_version`; when that differs from `table_version` they
// are stale (still a fair estimate of the distribution, not of the counts).
#pragma once

#include <arrow/scalar.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

namespace tidelake::plan {

struct ColumnStatistics {
  std::optional<int64_t> distinct_count;  ///< exact number of distinct non-null values
  std::optional<int64_t> null_count;
  /// Smallest and largest non-null value, typed as the column; null when unknown (strings,
  /// binaries and nested types have none, as in Spark).
  std::shared_ptr<arrow::Scalar> min, max;
  std::optional<double> avg_length;   ///< strings and binaries: mean length in bytes
  std::optional<int64_t> max_length;  ///< strings and binaries: longest value in bytes
};

struct TableStatistics {
  int64_t table_version = -1;
  std::optional<int64_t> row_count;
  std::optional<int64_t> size_in_bytes;
  /// The version ANALYZE TABLE computed the column statistics at; -1 when never analyzed.
  int64_t analyzed_version = -1;
  /// Keyed by the table's spelling of the column name.
  std::map<std::string, ColumnStatistics> columns;
};

}  // namespace tidelake::plan
