// RESTORE TABLE t TO VERSION AS OF v / TIMESTAMP AS OF ts: a new commit that makes the latest
// version hold exactly the logical files of an older version.
//
// The commit removes every logical file (path + deletion vector) of the latest snapshot that the
// target snapshot lacks, and re-adds every logical file of the target that the latest lacks,
// both with dataChange = true (readers of the change feed see the restore as deletes and
// inserts). Metadata (schema, partitioning, properties) is set back to the target's when it
// differs. The protocol is never downgraded: the result is the union of the latest and the
// target protocols, so features a newer version turned on stay on.
//
// Before anything is committed, every data file and deletion-vector file to re-add is checked
// to exist; if VACUUM removed one, the restore fails with an error naming it and nothing is
// written. The transaction reads the whole table, so any concurrent data change makes it fail
// with a conflict rather than silently restoring a mix. History shows operation "RESTORE" with
// parameters {version, timestamp} and Spark's metrics (numRestoredFiles, numRemovedFiles,
// restoredFilesSize, removedFilesSize, numOfFilesAfterRestore, tableSizeAfterRestore).
#pragma once

#include <arrow/result.h>

#include <cstdint>

#include "delta/actions.h"
#include "delta/snapshot.h"

namespace tidelake::delta {

struct RestoreResult {
  int64_t version = -1;           ///< the RESTORE commit
  int64_t restored_version = -1;  ///< the version whose state was restored
  int64_t num_restored_files = 0;
  int64_t num_removed_files = 0;
  int64_t restored_files_size = 0;
  int64_t removed_files_size = 0;
  int64_t num_files_after = 0;
  int64_t table_size_after = 0;
  bool metadata_changed = false;
  bool protocol_changed = false;
};

/// Restores the table to `version`, which must be at most the latest version and still be
/// reconstructible from the log.
arrow::Result<RestoreResult> RestoreToVersion(const TableLocation& location, int64_t version);

/// Restores the table to the latest version committed at or before `timestamp_ms` (the same
/// version TIMESTAMP AS OF time travel reads).
arrow::Result<RestoreResult> RestoreToTimestamp(const TableLocation& location, int64_t timestamp_ms);

}  // namespace tidelake::delta
