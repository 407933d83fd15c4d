// What the binder needs to know about the world outside the query: which tables, views and
// streaming sources a name refers to. The session implements it over the lake (catalog::Lake) plus its temporary
// views; tests implement it over a map. It also answers, optionally, what is known about a
// table's size and values (TableStatistics), for cost-based planning.
//
// Names arrive as written (ObjectName parts, original case); implementations compare them
// case-insensitively. "Not found" is an empty optional, not an error: the binder reports it
// with the name's position.
#pragma once

#include <arrow/result.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "catalog/source_definition.h"
#include "delta/snapshot.h"
#include "plan/statistics.h"

namespace tidelake::sql {

/// A view: its query text, re-parsed and bound wherever the view is used, and the column
/// names given at CREATE VIEW v(a, b) time (empty when none were given).
struct ViewDefinition {
  std::string name;
  std::string sql;
  std::vector<std::string> columns;
};

/// A streaming source (CREATE SOURCE) and every column a query may read from it: the declared
/// columns, then the metadata columns its connector adds (Kafka's _key, _partition, ...), which
/// are read by name and left out of `*`.
struct SourceDescription {
  std::shared_ptr<const catalog::SourceDefinition> definition;
  arrow::FieldVector metadata_columns;
};

class BinderCatalog {
 public:
  virtual ~BinderCatalog() = default;

  /// The Delta table `name` refers to ("zone.table", "delta.`/path`", ...).
  virtual arrow::Result<std::optional<delta::TableLocation>> FindTable(const std::vector<std::string>& name) = 0;

  /// The view `name` refers to (temporary views first).
  virtual arrow::Result<std::optional<ViewDefinition>> FindView(const std::vector<std::string>& name) = 0;

  /// The streaming source `name` refers to. Optional: catalogs without sources find none.
  virtual arrow::Result<std::optional<SourceDescription>> FindSource(const std::vector<std::string>& name) {
    return std::nullopt;
  }

  /// What is known about the size and value distribution of the table `snapshot` belongs to
  /// (ANALYZE TABLE results, else the row count of the Delta log), for the snapshot's version.
  /// Optional: catalogs without statistics return nothing, and planning must work without.
  virtual arrow::Result<std::optional<plan::TableStatistics>> TableStatistics(const delta::Snapshot& snapshot) {
    return std::nullopt;
  }
};

}  // namespace tidelake::sql
