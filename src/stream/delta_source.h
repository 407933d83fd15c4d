// A Delta table read as a stream (Spark's `readStream.format("delta")`): the rows of the
// table's snapshot when the query starts, then the rows each later commit appends, in commit
// order, each exactly once.
//
// Offsets name a position in that sequence of data files, as Spark's DeltaSourceOffset does:
// {"reservoirId": table id, "reservoirVersion": v, "index": i, "isStartingVersion": b} means
// "every file up to file i of version v has been read" (i = -1: none of version v). The files
// of the starting version are its snapshot's, ordered by (modification time, path); those of a
// later version are the `add` actions of its commit with dataChange = true, in commit order.
// Commits that only rearrange data (OPTIMIZE: dataChange = false) contribute nothing.
//
// A commit that deletes or rewrites rows (remove actions with dataChange = true) cannot be
// expressed as appended rows: it fails the query with an error naming the version, unless
// `ignore_deletes` (skip commits that only remove files) or `ignore_changes` (also re-emit the
// files such commits add, so rows may repeat) is set. A schema change fails the query too.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "delta/scan.h"
#include "delta/snapshot.h"
#include "stream/source.h"

namespace tidelake::stream {

struct DeltaSourceOptions {
  /// Read the commits from this version on, instead of the snapshot at the start.
  std::optional<int64_t> starting_version;
  /// Read the commits made at or after this time (ms since the epoch), instead of the snapshot.
  std::optional<int64_t> starting_timestamp_ms;
  /// At most this many files per batch (at least one).
  int64_t max_files_per_trigger = 1000;
  /// About this many bytes of files per batch (soft: a batch takes at least one file).
  std::optional<int64_t> max_bytes_per_trigger;
  bool ignore_deletes = false;
  bool ignore_changes = false;
};

class DeltaSource : public Source {
 public:
  /// A source over the table at `location`, named `name` in its query.
  static arrow::Result<std::unique_ptr<DeltaSource>> Make(std::string name, delta::TableLocation location,
                                                          DeltaSourceOptions options);

  const std::string& name() const override { return name_; }
  const std::shared_ptr<arrow::Schema>& schema() const override { return schema_; }
  arrow::Result<std::string> InitialOffset() override;
  arrow::Result<std::optional<std::string>> NextEnd(const std::string& start) override;
  arrow::Result<std::shared_ptr<arrow::Table>> Read(const std::string& start, const std::string& end) override;
  arrow::Status PrepareAvailableNow(const std::string& start) override;

 private:
  struct Position {
    int64_t version = 0;
    int64_t index = -1;
    bool starting = false;
  };
  struct VersionFiles {
    std::vector<delta::AddFile> files;
    bool exists = true;  ///< false: no commit with that version (yet)
  };

  DeltaSource(std::string name, delta::TableLocation location, DeltaSourceOptions options,
              std::shared_ptr<const delta::Snapshot> snapshot);

  arrow::Result<Position> Parse(const std::string& offset) const;
  std::string Format(const Position& position) const;
  /// The data files of one version of the sequence.
  arrow::Result<VersionFiles> FilesOf(int64_t version, bool starting);
  /// Walks the files after `from` in order, up to version `last_version` (or while versions
  /// exist), calling `take(position, file)` until it returns false. Returns the position of the
  /// last file taken or, past it, of the last version passed over completely.
  arrow::Result<Position> Walk(const Position& from, std::optional<int64_t> last_version,
                               const std::function<bool(const Position&, const delta::AddFile&)>& take);

  std::string name_;
  delta::TableLocation location_;
  DeltaSourceOptions options_;
  std::shared_ptr<const delta::Snapshot> snapshot_;  ///< the table when the source was made
  std::shared_ptr<arrow::Schema> schema_;
  std::shared_ptr<delta::Scan> reader_;  ///< reads single files with the table's schema
  /// The starting snapshot's files, loaded once (it never changes).
  std::optional<std::pair<int64_t, std::vector<delta::AddFile>>> starting_files_;
  /// Available-now: the table's latest version when the run started.
  std::optional<int64_t> available_now_;
};

}  // namespace tidelake::stream
