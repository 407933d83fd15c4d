// A Snapshot is the state of a Delta table at one version, reconstructed by log replay:
// protocol, metadata (and its Arrow schema), the live data files, the tombstones, the
// application transaction versions and the domain metadata.
//
// Replay starts from the newest checkpoint at or before the version and applies the JSON
// commits after it in order. A logical file is keyed by (path, deletion-vector id), so a file
// that gets a new deletion vector is one remove and one add of different keys. A Snapshot is
// immutable once loaded and safe to share between threads.
#pragma once

#include <arrow/filesystem/filesystem.h>
#include <arrow/result.h>
#include <arrow/type_fwd.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "delta/actions.h"
#include "delta/log_segment.h"

namespace tidelake::delta {

/// Where a table lives: its filesystem and root path (the folder holding `_delta_log`).
struct TableLocation {
  std::shared_ptr<arrow::fs::FileSystem> fs;
  std::string root;
  std::string display_name;  ///< used in error messages (table name or path)

  std::string LogDir() const { return root + "/_delta_log"; }
  /// The filesystem path of a file named in the log (decoded, relative or absolute URI).
  std::string DataPath(const std::string& log_path) const;
};

struct VersionTimestamp {
  int64_t version = 0;
  int64_t timestamp_ms = 0;
};

class Snapshot {
 public:
  /// Loads the snapshot at `version` (the latest when unset).
  static arrow::Result<std::shared_ptr<Snapshot>> Load(const TableLocation& location,
                                                       std::optional<int64_t> version = std::nullopt);

  /// Loads the latest snapshot whose commit timestamp is <= `timestamp_ms` (time travel).
  static arrow::Result<std::shared_ptr<Snapshot>> LoadAtTimestamp(const TableLocation& location,
                                                                  int64_t timestamp_ms);

  /// The commit timestamps of every version still in the log, ascending and strictly
  /// increasing (a commit whose clock went backwards gets previous + 1 ms, as Spark does).
  /// The timestamp of a commit is its in-commit timestamp, else commitInfo.timestamp, else the
  /// commit file's modification time.
  static arrow::Result<std::vector<VersionTimestamp>> CommitTimestamps(const TableLocation& location);

  const TableLocation& location() const { return location_; }
  int64_t version() const { return version_; }
  const Protocol& protocol() const { return protocol_; }
  const Metadata& metadata() const { return metadata_; }
  /// The logical Arrow schema of the table (column-mapping metadata kept in field metadata).
  const std::shared_ptr<arrow::Schema>& schema() const { return schema_; }
  /// Partition columns, in table order.
  const std::vector<std::string>& partition_columns() const { return metadata_.partition_columns; }
  /// Live data files, sorted by path.
  const std::vector<AddFile>& files() const { return files_; }
  /// Removed files still in tombstone retention (for checkpoints and VACUUM).
  const std::vector<RemoveFile>& tombstones() const { return tombstones_; }
  const std::map<std::string, Txn>& transactions() const { return transactions_; }
  const std::map<std::string, DomainMetadata>& domains() const { return domains_; }
  const LogSegment& segment() const { return segment_; }
  /// Timestamp of this version's commit (see CommitTimestamps).
  int64_t timestamp_ms() const { return timestamp_ms_; }

  /// The version `app_id` last committed through a txn action, if any.
  std::optional<int64_t> TxnVersion(const std::string& app_id) const;

  int64_t NumRecords() const;  ///< sum of numRecords from stats minus DV cardinalities; -1 if unknown
  int64_t SizeInBytes() const;

 private:
  Snapshot() = default;
  arrow::Status Replay(std::vector<Action> checkpoint_actions,
                       std::vector<std::vector<Action>> commits);

  TableLocation location_;
  int64_t version_ = -1;
  int64_t timestamp_ms_ = 0;
  Protocol protocol_;
  Metadata metadata_;
  std::shared_ptr<arrow::Schema> schema_;
  std::vector<AddFile> files_;
  std::vector<RemoveFile> tombstones_;
  std::map<std::string, Txn> transactions_;
  std::map<std::string, DomainMetadata> domains_;
  LogSegment segment_;
};

/// Reads and parses one commit file; errors name the file and line.
arrow::Result<std::vector<Action>> ReadCommit(arrow::fs::FileSystem& fs, const std::string& path);

/// The timestamp a commit records for itself (in-commit timestamp, else commitInfo.timestamp).
std::optional<int64_t> CommitTimestampOf(const std::vector<Action>& actions);

}  // namespace tidelake::delta
