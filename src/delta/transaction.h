// An optimistic transaction against one Delta table: collect actions, then commit them as the
// next version with mutual exclusion on the commit file (LogStore::PutIfAbsent).
//
// When another writer won the version we aimed for, the winning commits are read and checked
// against what this transaction read and wrote, following the protocol's conflict rules at the
// WriteSerializable level:
//   - a protocol or metadata change by the winner always conflicts;
//   - a winner's txn action for an application id this transaction also sets conflicts;
//   - files the winner removed that this transaction read or removes conflict (concurrent
//     delete);
//   - files the winner added that match what this transaction read (its read predicates or
//     whole-table read) conflict (concurrent append), unless this transaction is a blind
//     append, which only ever adds files and read nothing.
// Without a conflict the commit is retried at the next version. Conflicts are reported as
// arrow::Status::Invalid whose message names the conflicting version and the rule.
//
// After a successful commit, a checkpoint is written every `delta.checkpointInterval` commits
// (default 10) and expired log files are cleaned up: on the committing thread, or with
// set_background_housekeeping on BackgroundHousekeeping's worker. A Transaction is used from
// one thread.
#pragma once

#include <arrow/compute/expression.h>
#include <arrow/result.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "delta/actions.h"
#include "delta/snapshot.h"

namespace tidelake::delta {

struct CommitResult {
  int64_t version = -1;
  int attempts = 1;
};

class Transaction {
 public:
  /// A transaction on an existing table, reading `snapshot`.
  static std::unique_ptr<Transaction> ForSnapshot(std::shared_ptr<const Snapshot> snapshot);

  /// A transaction that creates the table at `location` (commits version 0).
  static std::unique_ptr<Transaction> ForNewTable(TableLocation location);

  const Snapshot* read_snapshot() const { return snapshot_.get(); }
  int64_t read_version() const { return snapshot_ ? snapshot_->version() : -1; }
  const TableLocation& location() const { return location_; }

  /// The metadata/protocol in effect for this transaction (updated, else the snapshot's).
  const Metadata& metadata() const;
  const Protocol& protocol() const;

  void UpdateMetadata(Metadata metadata);
  void UpdateProtocol(Protocol protocol);
  void Add(Action action);
  void Add(std::vector<AddFile> files);

  /// Records that the transaction read the rows matching `predicate` (over logical columns).
  void ReadPredicate(const arrow::compute::Expression& predicate);
  /// Records that the transaction read the whole table (e.g. an overwrite or full-table DML).
  void ReadWholeTable();
  /// Sets the application transaction version written with this commit (idempotent writes).
  void SetTxn(const std::string& app_id, int64_t version);

  /// Commits. `operation` and its parameters go into commitInfo, as does `metrics`.
  arrow::Result<CommitResult> Commit(const std::string& operation,
                                     std::map<std::string, std::string> parameters = {},
                                     std::map<std::string, std::string> metrics = {});

  /// Maximum number of retries after losing a race without a logical conflict.
  void set_max_retries(int n) { max_retries_ = n; }
  /// Leaves the post-commit checkpoint and log cleanup to BackgroundHousekeeping, so that
  /// Commit returns once the commit is durable.
  void set_background_housekeeping(bool on) { background_housekeeping_ = on; }

 private:
  Transaction() = default;
  arrow::Status CheckConflicts(int64_t winning_version, const std::vector<Action>& winning) const;
  arrow::Status CheckAppendOnly() const;
  std::vector<Action> BuildCommit(int64_t version, const std::string& operation,
                                  const std::map<std::string, std::string>& parameters,
                                  const std::map<std::string, std::string>& metrics,
                                  int64_t last_commit_timestamp) const;
  bool IsBlindAppend() const;

  TableLocation location_;
  std::shared_ptr<const Snapshot> snapshot_;
  std::optional<Metadata> new_metadata_;
  std::optional<Protocol> new_protocol_;
  std::vector<Action> actions_;
  std::vector<arrow::compute::Expression> read_predicates_;
  bool read_whole_table_ = false;
  std::optional<Txn> txn_;
  int max_retries_ = 100;
  bool background_housekeeping_ = false;
};

/// Writes a checkpoint for `version` if the table's checkpoint interval says so, then removes
/// expired log files. Failures here never undo a commit; they are returned for logging.
arrow::Status PostCommitHousekeeping(const TableLocation& location, int64_t version);

/// Removes commit and checkpoint files older than delta.logRetentionDuration (default 30 days)
/// that precede the newest checkpoint older than the cutoff, so every version newer than the
/// cutoff can still be reconstructed. Returns the number of files deleted.
arrow::Result<int64_t> CleanupExpiredLogs(const TableLocation& location, const Metadata& metadata, int64_t now_ms);

}  // namespace tidelake::delta
