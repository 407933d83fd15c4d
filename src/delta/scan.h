// Reading a snapshot: which files to read (partition pruning and data skipping from add.stats)
// and how to turn each Parquet data file into batches of the table's logical schema.
//
// A data file is read by physical column (column mapping by name or by Parquet field id),
// its columns cast to the table's current types (files written before a type widening hold
// narrower types; Spark's INT96 timestamps arrive as nanoseconds), columns the file lacks
// (added later by schema evolution) filled with nulls, partition columns filled from the
// file's partition values, deleted rows (deletion vectors) dropped, and finally the row
// filter applied exactly. Data skipping only ever removes files that cannot match; within a
// file, row groups whose Parquet column statistics rule the filter out are not read.
//
// The row filter runs on the columns as read (row_filter.h: dictionary-encoded strings are
// judged once per distinct value), before they are converted, so that only the rows it keeps
// are converted. With parallel_decode, each decoded batch is finished (filtered, converted) on
// Arrow's CPU pool while the next one decodes; batches still come out in file order.
#pragma once

#include <arrow/compute/expression.h>
#include <arrow/record_batch.h>
#include <arrow/result.h>
#include <arrow/table.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "delta/row_filter.h"
#include "delta/snapshot.h"

namespace tidelake::delta {

struct ScanOptions {
  /// Logical column names to return, in this order; empty means every column.
  std::vector<std::string> columns;
  /// Rows to return; an unbound expression over logical column names.
  std::optional<arrow::compute::Expression> filter;
  /// The same condition as `filter` in the form evaluated on each row (faster functions of the
  /// same meaning, see plan/execution_form.h); unset: `filter`. `filter` alone prunes files and
  /// row groups, which needs functions whose meaning Arrow's simplification knows.
  std::optional<arrow::compute::Expression> row_filter;
  /// Append a non-null int64 column "_tidelake_row_index": the row's position in its data file
  /// (before deletion vectors), and "_tidelake_file" (the file's log path). Used by DML.
  bool with_row_position = false;
  int64_t batch_size = 64 * 1024;
  /// Where the scan allocates (a query's memory-limited pool); null: Arrow's default pool.
  /// Must outlive the scan's readers and the batches they return.
  arrow::MemoryPool* memory_pool = nullptr;
  /// Execute() reads a few files at once, up to this many bytes of data files (at least one
  /// file); each streams a few batches ahead of the consumer.
  int64_t read_ahead_bytes = 256LL << 20;
  /// Decode a file's columns, and finish its batches, in parallel on Arrow's CPU thread pool
  /// (the caller must not itself be a CPU pool thread).
  bool parallel_decode = true;
};

inline constexpr const char* kRowIndexColumn = "_tidelake_row_index";
inline constexpr const char* kFilePathColumn = "_tidelake_file";

class Scan {
 public:
  static arrow::Result<std::shared_ptr<Scan>> Make(std::shared_ptr<const Snapshot> snapshot,
                                                   ScanOptions options);

  /// Files that survive partition pruning and data skipping.
  const std::vector<const AddFile*>& files() const { return files_; }
  const std::shared_ptr<arrow::Schema>& output_schema() const { return output_schema_; }
  const std::shared_ptr<const Snapshot>& snapshot() const { return snapshot_; }
  const ScanOptions& options() const { return options_; }

  /// Streams the rows in file order; files are read in the background a few at a time, each a
  /// few batches ahead.
  arrow::Result<std::shared_ptr<arrow::RecordBatchReader>> Execute() const;

  arrow::Result<std::shared_ptr<arrow::Table>> ToTable() const;

  /// Reads one data file with this scan's projection and filter.
  arrow::Result<std::vector<std::shared_ptr<arrow::RecordBatch>>> ReadFile(const AddFile& file) const;

  /// Reads one data file, handing each batch to `sink` as it is decoded; an error from the
  /// sink stops the reading and is returned (a Cancelled one as it is, without context).
  using BatchSink = std::function<arrow::Status(std::shared_ptr<arrow::RecordBatch>)>;
  arrow::Status ReadFileInto(const AddFile& file, const BatchSink& sink) const;

  /// True when the file may contain rows matching `filter` (partition values and stats).
  static arrow::Result<bool> FileMayMatch(const Snapshot& snapshot, const AddFile& file,
                                          const arrow::compute::Expression& bound_filter);

 private:
  Scan() = default;

  std::shared_ptr<const Snapshot> snapshot_;
  ScanOptions options_;
  std::shared_ptr<arrow::Schema> output_schema_;  // projected logical columns (+ row position)
  std::shared_ptr<arrow::Schema> read_schema_;    // projected columns plus those the filter needs
  std::optional<arrow::compute::Expression> bound_filter_;      // bound to read_schema_
  std::optional<RowFilter> row_filter_;                     // row_filter (or filter), bound likewise
  std::vector<const AddFile*> files_;
};

/// The logical value of every partition column of `file`, as a one-row-per-column map.
arrow::Result<std::vector<std::shared_ptr<arrow::Scalar>>> PartitionScalars(const Snapshot& snapshot,
                                                                            const AddFile& file);

}  // namespace tidelake::delta
