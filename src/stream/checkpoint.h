// The checkpoint of one streaming query: the durable record of how far it got, from which a
// restarted query resumes without losing or repeating output. It lives in a directory of its
// own (by convention `<lake>/_checkpoints/<query>/`):
//
//   metadata          {"id": "<query id>"}: written once; the id is the appId of the sink's
//                     Delta txn actions, so it must never change for the query
//   offsets/<N>       the plan of batch N, written before the batch runs: for each source the
//                     offset it starts after and the offset it ends at, and the sources that
//                     were idle when it was planned (so that a re-run batch decides as the
//                     first run did, not by the clock)
//   commits/<N>       batch N is complete (its sink commit exists): the operator state after it
//   sources           {"<source>": "<offset>"}: where each source started when the query first
//                     read it (recorded before its first batch, so that a source starting at
//                     its latest offsets starts there once, not again at every restart)
//   progress          one JSON line per batch, for people and monitors
//   state/<N>-<id>    operator state after batch N, named by commits/N: rows as Arrow IPC
//                     files (.arrow), keyed rows in RocksDB as RocksDB checkpoints (.rocksdb
//                     directories; stream/keyed_rows.h)
//   state-work/       RocksDB's working directories, one per process and operator (never read
//                     after a restart: a restarted query copies its state from state/)
//
// Order of truth for batch N: offsets/N, then the sink's Delta commit with txn(id, N), then
// commits/N. A restart after a crash re-runs the last planned batch with exactly its recorded
// offsets (so it reads the same rows), and the sink skips the write if its txn already holds
// N. Every file is published atomically (io::LogStore): a reader sees all of it or nothing;
// offsets/N and commits/N are never rewritten.
#pragma once

#include <arrow/filesystem/filesystem.h>
#include <arrow/result.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "io/log_store.h"

namespace tidelake::stream {

/// The planned range of one batch.
struct BatchPlan {
  int64_t batch_id = 0;
  /// Per source name: the offset the batch reads after.
  std::map<std::string, std::string> start;
  /// Per source name: the offset the batch reads up to, inclusive.
  std::map<std::string, std::string> end;
  /// The batch that closes every window because the inputs have ended (it reads nothing).
  bool end_of_input = false;
  /// The sources idle in this batch: no rows for longer than their idle timeout when it was
  /// planned. Their watermarks do not hold back those of the operators that read them.
  std::set<std::string> idle;
};

/// A completed batch.
struct BatchCommit {
  int64_t batch_id = 0;
  /// The operators' state after the batch (opaque to the checkpoint; empty when stateless).
  std::string state;
};

class Checkpoint {
 public:
  /// Opens the checkpoint in `dir`, creating it (with a fresh query id) when it does not exist.
  static arrow::Result<std::unique_ptr<Checkpoint>> Open(std::shared_ptr<arrow::fs::FileSystem> fs, std::string dir);

  const std::string& query_id() const { return query_id_; }
  const std::string& dir() const { return dir_; }

  /// The newest planned batch, if any.
  arrow::Result<std::optional<BatchPlan>> LatestPlan() const;
  /// The newest completed batch, if any.
  arrow::Result<std::optional<BatchCommit>> LatestCommit() const;

  /// Records the plan of a batch. Fails if that batch was planned already.
  arrow::Status WritePlan(const BatchPlan& plan) const;
  /// Records that a batch is complete. Fails unless it was planned, or if it was committed.
  arrow::Status WriteCommit(const BatchCommit& commit) const;
  /// Where each source started (see `sources` above); empty before any source started.
  arrow::Result<std::map<std::string, std::string>> InitialOffsets() const;
  /// Records where `source` starts. Fails if it is recorded already.
  arrow::Status WriteInitialOffset(const std::string& source, const std::string& offset) const;
  /// Appends one line (a JSON object) to the progress log.
  arrow::Status AppendProgress(const std::string& json_line) const;

  /// Writes rows of operator state after batch `batch_id` to a new file under state/ (each
  /// call its own name: a re-run batch never overwrites the file a commit names) and returns
  /// its name, for the commit record. A file no commit names is garbage, never read.
  arrow::Result<std::string> WriteStateRows(int64_t batch_id, const std::shared_ptr<arrow::Table>& rows) const;
  arrow::Result<std::shared_ptr<arrow::Table>> ReadStateRows(const std::string& name) const;
  /// Deletes every state file or directory not in `keep`.
  arrow::Status DeleteStateRowsExcept(const std::set<std::string>& keep) const;
  /// A new name for state written after batch `batch_id` (a file or directory under state/),
  /// ending in `suffix`.
  static std::string NewStateName(int64_t batch_id, const std::string& suffix);
  /// The checkpoint's directory as a path of this machine's filesystem, when it is on it.
  std::optional<std::string> LocalDir() const;

 private:
  Checkpoint(std::shared_ptr<arrow::fs::FileSystem> fs, std::string dir, std::string query_id);
  /// The highest N of the files named N in `subdir`, if any.
  arrow::Result<std::optional<int64_t>> LatestIn(const std::string& subdir) const;

  std::shared_ptr<arrow::fs::FileSystem> fs_;
  io::LogStore store_;
  std::string dir_;
  std::string query_id_;
};

}  // namespace tidelake::stream
