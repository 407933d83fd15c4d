// Writes rows of a table's logical schema into new Parquet data files and describes each file
// as an `add` action: Hive-style partition directories, per-file statistics in `add.stats`
// (read from each file's Parquet footer, see file_stats.h), files rolled at the target size,
// physical column names and field ids under column mapping.
//
// Nothing written here is visible until a Transaction commits the returned AddFiles; Abort()
// (or destruction without Finish) deletes the files written so far, so a failed write leaves
// no orphans beyond what VACUUM would remove anyway.
#pragma once

#include <arrow/record_batch.h>
#include <arrow/result.h>
#include <parquet/properties.h>

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "delta/actions.h"
#include "delta/snapshot.h"

namespace tidelake::delta {

struct DataWriterOptions {
  int64_t target_file_size = 128LL * 1024 * 1024;  ///< bytes; delta.targetFileSize overrides
  int64_t max_row_group_rows = 1024 * 1024;
  int num_indexed_columns = 32;  ///< delta.dataSkippingNumIndexedCols overrides
  std::string directory;         ///< sub-directory under the table root ("" or "_change_data")
  bool data_change = true;
  /// Encode the columns of a row group on Arrow's CPU thread pool. Leave it on when writing from
  /// an ordinary thread; turn it off when the writer itself runs as a task on that pool (the
  /// waits inside the Parquet writer could otherwise deadlock a busy pool).
  bool parallel_column_encoding = true;
  /// Once durable, the files leave the OS page cache (io::AfterSync::kDropCached): for
  /// continuous writers such as a streaming query's sink.
  bool drop_from_page_cache = false;
};

/// The Parquet settings of every data file DataWriter writes: snappy, row groups of at most
/// `max_row_group_rows`, the statistics StatsCollector reads back (ConfigureParquetStatistics),
/// dictionary encoding except for `plain_columns` (top-level columns, by stored name).
std::shared_ptr<parquet::WriterProperties> DataFileProperties(int64_t max_row_group_rows,
                                                              const std::vector<std::string>& plain_columns = {});

/// The top-level columns of `batch` (a file's first rows, by position) not worth dictionary
/// encoding: of their first 4,096 values, more than 3 in 4 are distinct (ids, prices, random
/// text), so the dictionary would cost more to build, and usually to store, than it saves.
std::vector<int> ColumnsWithoutDictionary(const arrow::RecordBatch& batch);

/// The Arrow side of those settings: the Arrow schema stored in the file, microsecond
/// timestamps (as Spark reads them), columns encoded in parallel when `use_threads`.
std::shared_ptr<parquet::ArrowWriterProperties> DataFileArrowProperties(bool use_threads);

/// delta.targetFileSize's value in bytes: a number, optionally with b, kb, mb or gb (any case;
/// powers of 1024) as Databricks accepts it. Anything else is an error naming the property.
arrow::Result<int64_t> ParseTargetFileSize(std::string_view text);

class DataWriter {
 public:
  /// `schema` is the table's logical schema (every column, partition columns included).
  static arrow::Result<std::unique_ptr<DataWriter>> Make(TableLocation location,
                                                         std::shared_ptr<arrow::Schema> schema,
                                                         std::vector<std::string> partition_columns,
                                                         std::map<std::string, std::string> configuration,
                                                         DataWriterOptions options = {});
  ~DataWriter();

  /// Writes a batch whose schema equals the table schema given to Make.
  arrow::Status Write(const std::shared_ptr<arrow::RecordBatch>& batch);

  /// Closes every open file and returns their add actions (modification time = now).
  arrow::Result<std::vector<AddFile>> Finish();

  /// Deletes every file written so far.
  void Abort();

  int64_t rows_written() const { return rows_written_; }
  int64_t bytes_written() const { return bytes_written_; }

 private:
  struct OpenFile;
  DataWriter() = default;
  /// The open file of a partition, opened for `first` (its first rows, in the data schema)
  /// if there is none.
  arrow::Result<OpenFile*> FileFor(const std::string& partition_key, const StringMap& values,
                                   const std::string& directory, const std::shared_ptr<arrow::RecordBatch>& first);
  arrow::Status WriteToFile(OpenFile* file, const std::shared_ptr<arrow::RecordBatch>& data_batch);
  arrow::Status CloseFile(OpenFile* file);
  arrow::Result<std::shared_ptr<arrow::RecordBatch>> ToPhysical(const std::shared_ptr<arrow::RecordBatch>& batch) const;

  TableLocation location_;
  std::shared_ptr<arrow::Schema> schema_;
  std::vector<std::string> partition_columns_;
  std::vector<int> partition_indices_;
  std::vector<int> data_indices_;
  std::shared_ptr<arrow::Schema> data_schema_;      // logical, without partition columns
  std::shared_ptr<arrow::Schema> physical_schema_;  // as stored in files
  std::map<std::string, std::string> configuration_;
  DataWriterOptions options_;
  bool column_mapping_ = false;
  std::map<std::string, std::unique_ptr<OpenFile>> open_;
  std::vector<AddFile> finished_;
  std::vector<std::string> written_paths_;
  std::vector<std::string> unsynced_paths_;  // closed, not yet fsynced (Finish syncs them)
  int64_t rows_written_ = 0;
  int64_t bytes_written_ = 0;
  int file_counter_ = 0;
};

/// Reorders, casts and null-fills `batch` to `table_schema` (column names matched without
/// regard to case, as Spark does). Fails, naming the column and both types, when a column is
/// missing but not nullable, is unknown to the table, or cannot be cast without loss.
arrow::Result<std::shared_ptr<arrow::RecordBatch>> ConformToTableSchema(
    const std::shared_ptr<arrow::RecordBatch>& batch, const std::shared_ptr<arrow::Schema>& table_schema);

}  // namespace tidelake::delta
