// Per-file statistics (PROTOCOL.md, "Per-file Statistics") and data skipping with them.
//
// Writers: a StatsCollector renders the `add.stats` JSON of one data file,
// {"numRecords":N,"minValues":{..},"maxValues":{..},"nullCount":{..}}, from the statistics the
// Parquet writer already computed for each column chunk: the caller passes every batch to
// Update before writing it, then the closed file's footer (parquet::FileMetaData) to
// AddParquetFooter. The data is not read a second time; Update only scans float and double
// leaves for NaN, the one fact Parquet statistics do not record. ConfigureParquetStatistics
// sets what the writer must compute. Readers: ParseStats turns that JSON back into typed bounds
// per leaf column, and MayMatch decides with Arrow's expression simplification whether a filter
// can select any row of the file. One StatsCollector is used by one thread at a time;
// everything else is pure.
//
// What is collected (the same choices as Spark's Delta writer, so either reads the other's):
//   * Leaf columns are counted depth-first through structs; a list or map column is one leaf.
//     Only the first `num_indexed_cols` leaves (table property delta.dataSkippingNumIndexedCols,
//     default 32, -1 = all) get statistics. Stats objects nest like the schema and use the
//     physical column names (column mapping), so keys are what the Parquet file calls them.
//   * nullCount for every indexed leaf, lists and maps included. A value counts as null when it
//     or any enclosing struct is null (Spark's `a.b IS NULL`): the column chunk's null count for
//     a primitive leaf; for a list or map, the rows whose definition level says the list (or an
//     enclosing struct) is null, from the chunk's definition-level histogram. A leaf whose footer
//     lacks these gets no nullCount.
//   * minValues/maxValues for numbers, decimals, dates, timestamps and strings; never for
//     booleans, binary, lists or maps. A bound is written only when every row group holding a
//     non-null value has an exact Parquet min (max) for the column: the writer leaves out a
//     min or max longer than its max_statistics_size (4096 bytes), and then so do we, rather
//     than write a bound that does not hold. A float/double column holding NaN gets no bounds
//     (NaN has no place in min/max, and Parquet statistics skip it silently), nor does a bound
//     that is infinite (JSON cannot spell it). Zero is written as 0.0, whatever its sign.
//   * Strings are cut to `string_prefix_length` (32) code points. The min is the prefix, a valid
//     lower bound. A cut max gets U+10FFFF appended, after first extending the prefix over any
//     following code points >= U+E000, so the result is greater than the real max in UTF-8
//     byte order (Spark, Arrow) and in UTF-16 order (Java strings) alike; if that would need
//     more than twice the prefix length the max is left out.
//   * Timestamps are written to the millisecond as Spark does ("2021-01-01T00:00:00.000Z"; no
//     "Z" for timestamp_ntz), truncated *down*, as the protocol's footnote says. So a written
//     max may be below the true max by up to 999 microseconds; StatsGuarantee (not ParseStats)
//     adds that back, the way Spark's reader adds 1 ms.
//   * Decimals are JSON numbers with all scale digits ("-5.67800"); dates are "2021-01-01".
//
// Reading is lenient per column and strict for the whole: a missing key, an unknown column or a
// value that does not fit the column's type drops that one statistic; text that is not JSON is
// an Invalid error. Min/max are parsed into scalars of the column's type, rounding outward when
// the text is finer than the type (more decimal digits than the scale, sub-unit timestamps).
#pragma once

#include <arrow/compute/api.h>
#include <arrow/compute/expression.h>
#include <arrow/record_batch.h>
#include <arrow/result.h>
#include <arrow/type.h>
#include <parquet/properties.h>
#include <parquet/type_fwd.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tidelake::delta {

/// Names a column in statistics JSON. Column mapping passes the field's physical name
/// (metadata "delta.columnMapping.physicalName"); an empty function means Field::name().
using ColumnNameFn = std::function<std::string(const arrow::Field&)>;

inline constexpr int kDefaultNumIndexedCols = 32;
inline constexpr int kDefaultStringPrefixLength = 32;
inline constexpr std::string_view kNumIndexedColsKey = "delta.dataSkippingNumIndexedCols";

/// delta.dataSkippingNumIndexedCols from a table's configuration: the default when absent,
/// Invalid (naming the value) unless an integer >= -1.
arrow::Result<int> NumIndexedColsFromConfig(
    const std::map<std::string, std::string>& configuration);

struct StatsOptions {
  int num_indexed_cols = kDefaultNumIndexedCols;  ///< -1 = every leaf column
  int string_prefix_length = kDefaultStringPrefixLength;
  ColumnNameFn column_name;  ///< empty = logical field names
  /// Append "tightBounds":true, as Spark does for tables with deletion vectors enabled (the
  /// flag tells readers the bounds hold for the file's rows before any rows are deleted).
  bool write_tight_bounds = false;
};

/// Sets on `builder` what StatsCollector::AddParquetFooter relies on: statistics for every
/// column (not size-limited beyond the default 4096 bytes, past which Arrow leaves a min or max
/// out rather than truncate it), and column-chunk definition-level histograms (the null counts
/// of list and map leaves).
void ConfigureParquetStatistics(parquet::WriterProperties::Builder* builder);

/// The statistics of one data file, from the batches written to it and its Parquet footer.
class StatsCollector {
 public:
  /// `schema` is the logical schema of the columns stored in the file (a partitioned table's
  /// partition columns are not in its data files and so not in `schema`).
  static arrow::Result<std::unique_ptr<StatsCollector>> Make(std::shared_ptr<arrow::Schema> schema,
                                                             StatsOptions options = {});

  ~StatsCollector();
  StatsCollector(const StatsCollector&) = delete;
  StatsCollector& operator=(const StatsCollector&) = delete;

  /// Notes a batch about to be written to the file. Its columns must have the schema's types
  /// (Invalid naming the column if not). Reads only the values of indexed float/double leaves.
  arrow::Status Update(const arrow::RecordBatch& batch);

  /// Takes numRecords, the bounds and the null counts from the footer of the file, once it is
  /// closed. The file must hold exactly the batches passed to Update, written with `schema`'s
  /// shape (column mapping may rename): Invalid otherwise, and if called twice.
  arrow::Status AddParquetFooter(const parquet::FileMetaData& footer);

  /// Rows passed to Update so far.
  int64_t num_records() const { return num_records_; }

  /// The `add.stats` JSON: the footer's statistics, or before AddParquetFooter only numRecords
  /// and empty objects.
  std::string ToJson() const;

 private:
  struct Leaf;
  StatsCollector(std::shared_ptr<arrow::Schema> schema, StatsOptions options);

  std::shared_ptr<arrow::Schema> schema_;
  StatsOptions options_;
  std::vector<Leaf> leaves_;  ///< every leaf column, depth-first
  int64_t num_records_ = 0;
  bool has_footer_ = false;
};

/// The statistics of one leaf column, as read from the log.
struct ColumnStats {
  std::vector<std::string> path;  ///< logical field names, outermost first
  std::shared_ptr<arrow::DataType> type;
  std::shared_ptr<arrow::Scalar> min;  ///< nullptr when unknown; else a lower bound of `type`
  std::shared_ptr<arrow::Scalar> max;  ///< nullptr when unknown; timestamps: see header comment
  std::optional<int64_t> null_count;
};

/// Parsed `add.stats`.
struct FileStats {
  std::optional<int64_t> num_records;
  bool tight_bounds = true;          ///< absent in the JSON means true (PROTOCOL.md)
  std::vector<ColumnStats> columns;  ///< leaves with at least one statistic, in schema order

  /// The statistics of the leaf at `path` (logical names), or nullptr.
  const ColumnStats* Find(const std::vector<std::string>& path) const;
};

/// Parses `add.stats` against the table's logical schema; `column_name` as in StatsOptions.
arrow::Result<FileStats> ParseStats(std::string_view json, const arrow::Schema& logical_schema,
                                    const ColumnNameFn& column_name = {});

/// A predicate every row of the file satisfies, as a conjunction over its leaf columns:
/// `x >= min`, `x <= max` (ORed with `is_null(x)` unless the column has no nulls, because
/// Arrow reads a bare inequality guarantee as "and not null"), `is_valid(x)` when nullCount is
/// 0, `x == v` when min == max == v and there are no nulls, `is_null(x)` when every row is
/// null. Timestamp maxima are widened by 999 us (see header comment). Columns are
/// field_ref(FieldRef(path...)) by logical name.
arrow::compute::Expression StatsGuarantee(const FileStats& stats);

/// Whether some row of the file may satisfy `bound_filter` (an Expression already Bind()-ed to
/// the table's logical schema, referring to columns by name; nested columns as
/// FieldRef("a", "b")). False only when the statistics prove that no row can: the filter
/// simplifies under StatsGuarantee to false or null (or to a combination that cannot be true),
/// or the file has no records. Invalid if the filter is not bound.
arrow::Result<bool> MayMatch(const arrow::compute::Expression& bound_filter,
                             const FileStats& stats);

/// The same test against any guarantee, e.g. and_(partition-value facts, StatsGuarantee(..)).
/// The guarantee need not be bound.
arrow::Result<bool> MayMatch(const arrow::compute::Expression& bound_filter,
                             const arrow::compute::Expression& guarantee);

}  // namespace tidelake::delta
