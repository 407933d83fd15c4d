// A lake: one root directory (or URI) holding Delta tables in zones — raw/, refined/,
// curated/ — each table at <root>/<zone>/<table>. The lake resolves names to table locations
// and lists tables; the tables themselves are plain Delta tables that Spark or delta-rs can
// open by path. Opening a lake creates the root and the three zones when missing.
//
// Views are SQL text kept beside the tables: <root>/<zone>/.views/<view>.json ({"sql": ...,
// "columns": [...]}). A '.' cannot occur in a table name, so a view file never shadows a table;
// a view and a table of the same name cannot both exist (creating either checks the other).
//
// External tables (CREATE TABLE zone.t .. LOCATION 'path') are Delta tables stored elsewhere that
// the lake knows by name: <root>/<zone>/.external/<table>.json ({"location": ...}). Resolve
// gives their location for their name, ListTables lists them, and dropping one forgets the name
// but keeps the data. A name is either a table directory or an external table, never both.
//
// Streaming tables (CREATE STREAMING TABLE) keep their query the same way:
// <root>/<zone>/.streams/<table>.json ({"sql": ...}), and the progress of that query in
// <root>/_checkpoints/<zone>.<table>/ (stream::Checkpoint). Directories whose names start
// with '_' are the lake's own, never zones.
//
// Streaming sources (CREATE SOURCE) are definitions only, kept the same way:
// <root>/<zone>/.sources/<name>.json (catalog::SourceDefinition). A source shares the names of
// its zone with tables and views: creating any of the three fails when one of the others has
// the name. Connector tables (CREATE TABLE t (..) WITH ('connector' = 'blackhole')) are the
// same definitions, kept in the same place; their connector, which the catalog does not
// interpret, says that they are written rather than read.
//
// Table statistics (ANALYZE TABLE) are kept the same way: <root>/<zone>/.stats/<table>.json,
// recording the table version they were computed at, so a reader can tell when they are stale.
// Writing replaces the file atomically (written beside, then renamed over).
#pragma once

#include <arrow/result.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "catalog/source_definition.h"
#include "catalog/table_name.h"
#include "delta/snapshot.h"
#include "io/filesystem.h"

namespace tidelake::catalog {

class Lake {
 public:
  static arrow::Result<std::shared_ptr<Lake>> Open(const std::string& root_uri);

  const io::Location& root() const { return root_; }

  /// The location of a table given as zone.table (an external table's registered location, else
  /// <root>/<zone>/<table>), delta.`path` or a path.
  arrow::Result<delta::TableLocation> Resolve(const std::string& name_or_path) const;

  /// Gives the Delta table at `location` (a path or URI) the lake name `name`. Fails when the
  /// name is taken by a table or a view.
  arrow::Status RegisterExternalTable(const TableName& name, const std::string& location);
  /// The location registered for `name`, if it is an external table.
  arrow::Result<std::optional<std::string>> ExternalLocation(const TableName& name) const;
  /// Forgets an external table's name (its data stays); KeyError when there is none.
  arrow::Status UnregisterExternalTable(const TableName& name);

  struct View {
    std::string name;  ///< zone.view
    std::string sql;
    std::vector<std::string> columns;
  };

  /// Stores a view (replacing an existing one only when `replace`). Fails if a table has the name.
  arrow::Status CreateView(const TableName& name, const std::string& sql, const std::vector<std::string>& columns,
                           bool replace);
  arrow::Result<std::optional<View>> FindView(const TableName& name) const;
  /// Removes a view; KeyError when there is none.
  arrow::Status DropView(const TableName& name);
  /// "zone.view" names of the views in `zone` (every zone when unset), sorted.
  arrow::Result<std::vector<std::string>> ListViews(const std::optional<std::string>& zone = std::nullopt) const;

  /// Stores the query of streaming table `name`, replacing an earlier one.
  arrow::Status WriteStreamingQuery(const TableName& name, const std::string& sql);
  /// The query of `name`, if it is a streaming table.
  arrow::Result<std::optional<std::string>> ReadStreamingQuery(const TableName& name) const;
  /// Forgets that `name` is a streaming table, and its checkpoint; OK when it is not one.
  arrow::Status DropStreamingQuery(const TableName& name);
  /// Where the streaming query of `name` keeps its checkpoint.
  std::string CheckpointDir(const TableName& name) const;
  /// "zone.table" names of the streaming tables in `zone` (every zone when unset), sorted.
  arrow::Result<std::vector<std::string>> ListStreamingTables(const std::optional<std::string>& zone = std::nullopt) const;

  /// Stores a new source. Fails when the name is taken by a source, a table or a view.
  arrow::Status CreateSource(const SourceDefinition& source);
  /// The source `name`, if there is one; Invalid naming the file when it is corrupt.
  arrow::Result<std::optional<SourceDefinition>> FindSource(const TableName& name) const;
  /// Removes a source; KeyError when there is none.
  arrow::Status DropSource(const TableName& name);
  /// "zone.source" names of the sources in `zone` (every zone when unset), sorted.
  arrow::Result<std::vector<std::string>> ListSources(const std::optional<std::string>& zone = std::nullopt) const;

  /// Statistics of one column, as ANALYZE TABLE computed them. Values are kept as text so the
  /// catalog needs no type system: min and max are written by the caller in a form it can
  /// read back (the session uses Arrow's scalar text, cast back to the column type).
  struct ColumnStatistics {
    std::string name;       ///< the table's spelling
    std::string data_type;  ///< the column's type when analyzed (Delta's name, e.g. "decimal(10,2)")
    std::optional<int64_t> distinct_count;
    std::optional<int64_t> null_count;
    std::optional<std::string> min, max;
    std::optional<double> avg_length;
    std::optional<int64_t> max_length;
  };
  struct TableStatistics {
    int64_t table_version = -1;   ///< the Delta version the numbers describe
    int64_t computed_at_ms = 0;   ///< when ANALYZE ran (ms since the epoch)
    std::optional<int64_t> row_count;  ///< unset after NOSCAN (which reads no rows)
    int64_t size_in_bytes = 0;
    int64_t num_files = 0;
    std::vector<ColumnStatistics> columns;
  };

  /// Stores the statistics of table `name`, replacing any earlier ones.
  arrow::Status WriteStatistics(const TableName& name, const TableStatistics& statistics);
  /// The stored statistics of `name`, if any; Invalid naming the file when it is corrupt.
  arrow::Result<std::optional<TableStatistics>> ReadStatistics(const TableName& name) const;
  /// Forgets the statistics of `name` (a dropped or replaced table); OK when there are none.
  arrow::Status DropStatistics(const TableName& name);

  /// "zone.table" names of the tables in `zone` (every zone when unset), sorted.
  arrow::Result<std::vector<std::string>> ListTables(const std::optional<std::string>& zone = std::nullopt) const;

 private:
  explicit Lake(io::Location root) : root_(std::move(root)) {}
  std::string ViewPath(const TableName& name) const;
  std::string StatisticsPath(const TableName& name) const;
  std::string StreamingQueryPath(const TableName& name) const;
  std::string ExternalPath(const TableName& name) const;
  std::string SourcePath(const TableName& name) const;
  /// Whether `name` is a source (checked before a table or view takes the name).
  arrow::Result<bool> IsSource(const TableName& name) const;
  /// "zone.name" of the files `<zone>/<folder>/<name>.json` (views, sources, ...), sorted.
  arrow::Result<std::vector<std::string>> ListDefinitions(const std::string& folder,
                                                          const std::optional<std::string>& zone) const;
  arrow::Result<std::vector<std::string>> Zones(const std::optional<std::string>& zone) const;
  io::Location root_;
};

}  // namespace tidelake::catalog
