// A streaming source: an ordered, replayable sequence of rows, addressed by offsets.
//
// Offsets are opaque strings (each source's own JSON) that the checkpoint stores. The calls
// follow the micro-batch protocol: InitialOffset says where a new query starts, NextEnd how far
// the next batch may go (honouring the source's per-trigger limits), and Read returns the rows
// between two offsets. Read must
// return the same rows for the same offsets every time it is called, also in another process
// after a restart: that is what lets a crashed batch be re-run exactly.
#pragma once

#include <arrow/result.h>
#include <arrow/table.h>

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>

namespace tidelake::stream {

/// The part of a source's rows a query reads (Source::ReadOnly).
struct ColumnSubset {
  /// Names of the source's schema() the query reads.
  std::set<std::string> columns;
  /// Struct columns among `columns` that the query reads only through field accesses
  /// (bid.auction, bid.price): the names of the fields read, of the struct's own fields (a
  /// field that is itself a struct is read whole). A column not here is read whole.
  std::map<std::string, std::set<std::string>> struct_fields;

  bool operator==(const ColumnSubset&) const = default;
};

class Source {
 public:
  virtual ~Source() = default;

  /// A name that identifies the source within its query (the checkpoint keys offsets by it).
  virtual const std::string& name() const = 0;

  /// The schema of every table Read returns.
  virtual const std::shared_ptr<arrow::Schema>& schema() const = 0;

  /// The offset before the first row the query reads (decided once, when the query first
  /// starts; the checkpoint keeps it).
  virtual arrow::Result<std::string> InitialOffset() = 0;

  /// The end offset of the next batch after `start`, or nullopt when nothing new is available.
  virtual arrow::Result<std::optional<std::string>> NextEnd(const std::string& start) = 0;

  /// The rows after `start` up to and including `end`.
  virtual arrow::Result<std::shared_ptr<arrow::Table>> Read(const std::string& start, const std::string& end) = 0;

  /// An available-now run is starting at `start`: from now on NextEnd offers nothing the source
  /// did not hold at this moment, so that the run ends even while the source keeps growing (a
  /// live topic, a rate-limited generator), as Spark's Trigger.AvailableNow does.
  virtual arrow::Status PrepareAvailableNow(const std::string& start) = 0;

  /// The query reads only `read` of the rows: a source may leave the other columns, and the
  /// other fields of the struct columns it reads in part, null when that saves work (a columnar
  /// file's other columns go unread). Read still returns every column of schema(), of the
  /// declared types.
  virtual void ReadOnly(const ColumnSubset& read) {}

  /// The query has nothing to do until `until` (it waits for its next trigger) and its next
  /// batch starts at `start`. A source may spend the time reading rows after `start` that are
  /// available already, as a Kafka consumer fetches ahead, and return by about `until`; the
  /// next Read(start, end) then takes them instead of reading them again. It must not change
  /// what Read returns. An error is left for that Read to report.
  virtual void ReadAhead(const std::string& start, std::chrono::steady_clock::time_point until) {}
};

}  // namespace tidelake::stream
