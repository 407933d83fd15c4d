// VACUUM: deletes the files under a table's root that no version within the retention period
// needs, following Delta's VACUUM semantics.
//
// A file is deleted when all of these hold:
//  - it lies under the table root, in no hidden directory and with no hidden name: names that
//    start with '_' or '.' are hidden (`_delta_log`, Hadoop `.crc` files, staging dirs), except
//    `_change_data` (change-data files are ordinary vacuum candidates), `_delta_index` and
//    partition directories named `<partition column>=...` (logical or physical name); a
//    UniForm table's Iceberg `metadata` directory is hidden too;
//  - it is neither a data file of the latest snapshot nor the deletion-vector file of one, nor
//    the data or DV file of a tombstone (remove) newer than now - retention;
//  - its modification time is older than now - retention (so files of a write still in
//    progress, not yet committed, are never taken).
// Directories left empty by the deletion are removed too. Files outside the table root
// (absolute paths in the log) are never touched.
//
// Safety: a retention shorter than the table's delta.deletedFileRetentionDuration (default
// 1 week) is refused unless `force` is set, because readers of older snapshots and writers
// still committing would lose files (Spark's spark.databricks.delta.retentionDurationCheck).
// Tables with the vacuumProtocolCheck feature get a writer-protocol check first (PROTOCOL.md,
// "VACUUM Protocol Check"): we refuse to vacuum a table whose writer features we do not know,
// since such a feature might reference files we would not see as live.
//
// Unless dry_run, the operation is logged as Spark does, with two commits holding only a
// commitInfo: "VACUUM START" (retention parameters, numFilesToDelete, sizeOfDataToDelete)
// before deleting, and "VACUUM END" (status COMPLETED or FAILED, numDeletedFiles,
// numVacuumedDirectories) after. Logging is skipped when tidelake may not write the table.
#pragma once

#include <arrow/result.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "delta/snapshot.h"

namespace tidelake::delta {

struct VacuumOptions {
  /// How long removed files are kept; unset means the table's delta.deletedFileRetentionDuration
  /// (default 168 hours), as VACUUM without RETAIN does.
  std::optional<int64_t> retention_hours;
  /// Allow a retention shorter than the table's delta.deletedFileRetentionDuration.
  bool force = false;
  /// Only list the files that would be deleted.
  bool dry_run = false;
  /// Commit the VACUUM START / VACUUM END commitInfo entries (ignored for dry runs).
  bool log_operation = true;
};

struct VacuumResult {
  int64_t files_deleted = 0;  ///< or, for a dry run, the files that would be deleted
  int64_t bytes = 0;          ///< their total size
  std::vector<std::string> paths;  ///< their filesystem paths, sorted
  int64_t directories_deleted = 0;
  int64_t retention_ms = 0;  ///< the retention used
};

/// Vacuums the table at `location`. `now_ms` is the current time in milliseconds since the
/// epoch (a parameter so that callers and tests control the clock).
arrow::Result<VacuumResult> Vacuum(const TableLocation& location, const VacuumOptions& options, int64_t now_ms);

/// The table's delta.deletedFileRetentionDuration in milliseconds (one week when unset).
/// Invalid, naming the value, when it is not a valid interval.
arrow::Result<int64_t> DeletedFileRetentionMillis(const Metadata& metadata);

}  // namespace tidelake::delta
