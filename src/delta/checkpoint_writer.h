// Writes classic V1 Delta checkpoints (PROTOCOL.md, "Checkpoints", "V1 Spec", "Classic
// checkpoint", "Checkpoint Schema", "Last Checkpoint File Schema").
//
// A checkpoint is one Parquet file, `<log_dir>/<20-digit version>.checkpoint.parquet`, whose
// rows are actions: each row has exactly one non-null top-level struct column (txn, add,
// remove, metaData, protocol, domainMetadata), laid out with the field names and Parquet types
// Spark uses, so Spark, delta-rs and Delta Kernel read it. `add.stats` is written as the JSON
// string; struct statistics (`stats_parsed`, `partitionValues_parsed`) are not written.
//
// Invariants: the checkpoint file appears under its final name only when complete (it is
// serialized in memory and published by an atomic, fsynced rename through io::LogStore), and
// `_last_checkpoint` is replaced atomically only after the checkpoint is in place, so a crash
// never leaves a partial checkpoint or a pointer to a missing one. Rewriting an existing
// checkpoint replaces it (the protocol says two writers of the same checkpoint may race and
// the last one wins; both hold the same state). The caller passes the reconciled state at
// `version` (see CheckpointActions) and must only checkpoint a version whose commit exists.
#pragma once

#include <arrow/filesystem/filesystem.h>
#include <arrow/result.h>
#include <arrow/type_fwd.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "delta/actions.h"

namespace tidelake::delta {

/// The default of delta.deletedFileRetentionDuration.
inline constexpr const char* kDefaultDeletedFileRetention = "interval 1 week";

/// The Parquet (Arrow) schema of a V1 checkpoint holding `actions`: nullable struct columns
/// txn, add, remove, metaData, protocol, plus domainMetadata when any action is one. `add.stats`
/// is left out when the metadata sets delta.checkpoint.writeStatsAsJson=false. Fails when the
/// metadata has an unparsable boolean for that property.
arrow::Result<std::shared_ptr<arrow::Schema>> CheckpointSchema(const std::vector<Action>& actions);

/// One row per action, in order, with the schema of CheckpointSchema(actions). Actions that a V1
/// checkpoint must not hold (commitInfo, cdc, sidecar, checkpointMetadata) are an Invalid error.
arrow::Result<std::shared_ptr<arrow::Table>> CheckpointTable(const std::vector<Action>& actions);

struct CheckpointResult {
  int64_t version = 0;
  int64_t num_actions = 0;    ///< rows in the checkpoint ("size" in _last_checkpoint)
  int64_t num_add_files = 0;  ///< "numOfAddFiles"
  int64_t size_in_bytes = 0;  ///< bytes of the Parquet file ("sizeInBytes")
};

/// Writes the classic checkpoint of `version` into `log_dir` (Parquet, snappy) and then points
/// `<log_dir>/_last_checkpoint` at it. `actions` must hold exactly one protocol and one metaData
/// action. Errors name the version and the file.
arrow::Result<CheckpointResult> WriteCheckpoint(arrow::fs::FileSystem& fs,
                                                const std::string& log_dir, int64_t version,
                                                const std::vector<Action>& actions);

/// The `_last_checkpoint` JSON for a checkpoint: {"version":..,"size":..,"sizeInBytes":..,
/// "numOfAddFiles":..}.
std::string LastCheckpointJson(const CheckpointResult& result);

/// Assembles the rows of a checkpoint from reconciled table state, in the order protocol,
/// metaData, txns, domain metadata, adds, removes. It drops:
///  - tombstones whose deletionTimestamp (0 when absent) is not newer than
///    now_ms - delta.deletedFileRetentionDuration (default "interval 1 week");
///  - when delta.setTransactionRetentionDuration is set, txns whose lastUpdated is not newer
///    than now_ms - that duration, and txns with no lastUpdated (nothing shows they are recent;
///    Spark drops them too). Without the property every txn is kept;
///  - removed domain metadata (removed=true tombstones).
/// Adds and removes are written with dataChange=false: a checkpoint is state, not a change, and
/// this is what Spark writes. An unparsable retention property falls back to its default (a
/// table with a bad property must still be checkpointable); use ParseIntervalMillis to validate
/// properties when they are set.
std::vector<Action> CheckpointActions(const Protocol& protocol, const Metadata& metadata,
                                      const std::vector<AddFile>& adds,
                                      const std::vector<RemoveFile>& tombstones,
                                      const std::map<std::string, Txn>& txns,
                                      const std::map<std::string, DomainMetadata>& domains,
                                      int64_t now_ms);

}  // namespace tidelake::delta
