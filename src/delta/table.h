// DeltaTable: the library's handle on one Delta table, tying log replay, scans and writes
// together. Every operation reads a fresh snapshot, so a handle never goes stale; operations
// that change the table commit through a Transaction (optimistic concurrency).
//
// The table operations themselves live one per file (write, delete, update, merge, optimize,
// vacuum, restore, history, change data feed); this class is the front door to them.
#pragma once

#include <arrow/compute/expression.h>
#include <arrow/record_batch.h>
#include <arrow/result.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "delta/scan.h"
#include "delta/snapshot.h"
#include "delta/transaction.h"

namespace tidelake::delta {

enum class SaveMode {
  kAppend,         ///< add rows (create the table if it does not exist)
  kOverwrite,      ///< replace all rows, or those matching replace_where
  kErrorIfExists,  ///< create; fail if the table exists
  kIgnore,         ///< create; do nothing if the table exists
};

struct CreateOptions {
  std::shared_ptr<arrow::Schema> schema;
  std::vector<std::string> partition_columns;
  std::map<std::string, std::string> properties;  ///< table configuration (delta.*)
  std::optional<std::string> name;
  std::optional<std::string> description;
};

struct WriteOptions {
  SaveMode mode = SaveMode::kAppend;
  /// With kOverwrite: replace only the rows matching this predicate; every written row must
  /// match it too.
  std::optional<arrow::compute::Expression> replace_where;
  /// Add new columns of the data to the table schema and allow safe type widening.
  bool merge_schema = false;
  /// With kOverwrite: replace the schema (and partitioning) by the data's.
  bool overwrite_schema = false;
  /// For a table this write creates.
  std::vector<std::string> partition_columns;
  std::map<std::string, std::string> properties;
  /// Idempotent write: skip if `app_id` already committed `version` or later.
  std::optional<std::pair<std::string, int64_t>> txn;
  int64_t target_file_size = 0;  ///< 0: table property or 128 MiB
  /// Leave the post-commit checkpoint to BackgroundHousekeeping (Transaction's setting).
  bool background_housekeeping = false;
  /// Drop the written files from the OS page cache once durable (DataWriterOptions).
  bool drop_from_page_cache = false;
};

struct WriteResult {
  int64_t version = -1;      ///< the committed version; -1 if nothing was committed
  int64_t rows_written = 0;
  int64_t files_added = 0;
  int64_t files_removed = 0;
  bool skipped = false;      ///< an idempotent write that had already been committed
};

class DeltaTable {
 public:
  /// Opens an existing table (fails with a clear error when `location` holds none).
  static arrow::Result<std::shared_ptr<DeltaTable>> Open(TableLocation location);

  /// Creates an empty table (version 0); fails if one exists.
  static arrow::Result<std::shared_ptr<DeltaTable>> Create(TableLocation location, const CreateOptions& options);

  /// True when `location` holds a Delta table (a `_delta_log` with at least one commit).
  static arrow::Result<bool> Exists(const TableLocation& location);

  /// Writes rows; creates the table first when it does not exist (except kOverwrite with
  /// replace_where, which needs a table).
  static arrow::Result<WriteResult> Write(const TableLocation& location, arrow::RecordBatchReader& data,
                                          const WriteOptions& options);

  const TableLocation& location() const { return location_; }

  arrow::Result<std::shared_ptr<const Snapshot>> Latest() const;
  arrow::Result<std::shared_ptr<const Snapshot>> AtVersion(int64_t version) const;
  arrow::Result<std::shared_ptr<const Snapshot>> AtTimestamp(int64_t timestamp_ms) const;

  arrow::Result<WriteResult> Write(arrow::RecordBatchReader& data, const WriteOptions& options) const {
    return Write(location_, data, options);
  }

 private:
  explicit DeltaTable(TableLocation location) : location_(std::move(location)) {}
  TableLocation location_;
};

}  // namespace tidelake::delta
