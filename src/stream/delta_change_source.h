// A Delta table's Change Data Feed read as a stream (Spark's
// `readStream.format("delta").option("readChangeFeed", "true")`): every row-level change of
// every commit, in commit order, each exactly once, with the columns _change_type ('insert',
// 'delete', 'update_preimage', 'update_postimage'), _commit_version and _commit_timestamp after
// the table's own (delta/change_data_feed.h reads one range of versions).
//
// Where it starts: at `starting_version` (its changes and every later commit's), or, without
// one, with the table as it is when the query starts: that snapshot's rows as inserts of its
// version, then the changes of the commits after it (as Spark does).
//
// An offset is {"reservoirId": table id, "version": v, "snapshot": b}: the next commit to read
// is v; with b, the rows of the snapshot at v come first (as inserts), then the commits after v.
// Versions are immutable, so Read(start, end) returns the same rows every time, in any process.
// A version the log no longer holds (log retention) fails the read, naming it, as does a commit
// made while the feed was disabled.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "delta/snapshot.h"
#include "stream/source.h"

namespace tidelake::stream {

struct DeltaChangeSourceOptions {
  /// Read the changes from this version on, instead of the snapshot at the start.
  std::optional<int64_t> starting_version;
  /// At most this many commits per batch (at least one).
  int64_t max_versions_per_trigger = 100;
};

class DeltaChangeSource : public Source {
 public:
  /// A source over the change feed of the table at `location`, named `name` in its query.
  static arrow::Result<std::unique_ptr<DeltaChangeSource>> Make(std::string name, delta::TableLocation location,
                                                                DeltaChangeSourceOptions options);

  /// The columns the feed adds after the table's.
  static arrow::FieldVector ChangeColumns();

  const std::string& name() const override { return name_; }
  const std::shared_ptr<arrow::Schema>& schema() const override { return schema_; }
  arrow::Result<std::string> InitialOffset() override;
  arrow::Result<std::optional<std::string>> NextEnd(const std::string& start) override;
  arrow::Result<std::shared_ptr<arrow::Table>> Read(const std::string& start, const std::string& end) override;
  arrow::Status PrepareAvailableNow(const std::string& start) override;

 private:
  struct Position {
    int64_t version = 0;
    bool snapshot = false;
  };

  DeltaChangeSource(std::string name, delta::TableLocation location, DeltaChangeSourceOptions options,
                    std::shared_ptr<const delta::Snapshot> snapshot);

  arrow::Result<Position> Parse(const std::string& offset) const;
  std::string Format(const Position& position) const;
  /// Whether the log holds a commit with this version.
  arrow::Result<bool> CommitExists(int64_t version) const;
  /// The rows of the snapshot at `version`, as inserts of that version.
  arrow::Result<std::shared_ptr<arrow::Table>> SnapshotAsInserts(int64_t version) const;
  /// `table`'s columns in this source's order (older versions may lack newer columns: nulls).
  arrow::Result<std::shared_ptr<arrow::Table>> Conform(const std::shared_ptr<arrow::Table>& table) const;

  std::string name_;
  delta::TableLocation location_;
  DeltaChangeSourceOptions options_;
  std::shared_ptr<const delta::Snapshot> snapshot_;  ///< the table when the source was made
  std::shared_ptr<arrow::Schema> schema_;
  std::optional<int64_t> available_now_;  ///< available-now: no commit after this version
};

}  // namespace tidelake::stream
