// The files of `_delta_log` that define one version of a table: the newest complete checkpoint
// at or before that version, and the contiguous JSON commits after it.
//
// Invariants of a LogSegment: `commits` are ascending and contiguous, start right after the
// checkpoint (or at version 0 when there is none) and end at `version`. A listing that cannot
// give such a segment (a gap in the versions, a missing version 0, an incomplete multi-part
// checkpoint with nothing older) is an error that names the missing version.
#pragma once

#include <arrow/filesystem/filesystem.h>
#include <arrow/result.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace tidelake::delta {

struct LogFile {
  std::string path;  ///< full path in the filesystem
  int64_t version = 0;
  int64_t size = -1;                  ///< -1: not known from the listing
  int64_t modification_time_ms = -1;  ///< -1: not known from the listing; see ModificationTimeMs
};

/// The file's modification time: from the listing when it had it, else from the filesystem
/// (local listings read names only, so opening a table does not stat every log file).
arrow::Result<int64_t> ModificationTimeMs(arrow::fs::FileSystem& fs, const LogFile& file);

enum class CheckpointKind {
  kClassic,    ///< NNN.checkpoint.parquet
  kMultiPart,  ///< NNN.checkpoint.PPPPPPPPPP.TTTTTTTTTT.parquet
  kV2,         ///< NNN.checkpoint.<uuid>.json|parquet (may reference sidecars)
};

struct Checkpoint {
  int64_t version = 0;
  CheckpointKind kind = CheckpointKind::kClassic;
  std::vector<LogFile> parts;  ///< one file, or every part of a multi-part checkpoint in order
};

struct LogSegment {
  std::string log_dir;
  int64_t version = -1;
  std::optional<Checkpoint> checkpoint;
  std::vector<LogFile> commits;
};

/// Everything in a `_delta_log` listing that log replay cares about, sorted by version.
struct LogListing {
  std::vector<LogFile> commits;
  std::vector<Checkpoint> checkpoints;  ///< complete checkpoints only
};

/// Lists `log_dir`. A missing directory is a NotFound error saying this is not a Delta table.
arrow::Result<LogListing> ListLog(arrow::fs::FileSystem& fs, const std::string& log_dir);

/// Chooses the segment for `version` (the latest when unset) from a listing.
arrow::Result<LogSegment> SegmentFor(const LogListing& listing, const std::string& log_dir,
                                     std::optional<int64_t> version);

/// "<log_dir>/00000000000000000042.json"
std::string CommitPath(const std::string& log_dir, int64_t version);

/// "<log_dir>/00000000000000000042.checkpoint.parquet"
std::string ClassicCheckpointPath(const std::string& log_dir, int64_t version);

}  // namespace tidelake::delta
