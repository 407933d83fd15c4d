// A lake: one root directory (or URI) holding Delta tables in zones — raw/, refined/,
// curated/ — each table at <root>/<zone>/<table>. The lake resolves names to table locations
// and lists tables; the tables themselves are plain Delta tables that Spark or delta-rs can
// open by path. Opening a lake creates the root and the three zones when missing.
#pragma once

#include <arrow/result.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "catalog/table_name.h"
#include "delta/snapshot.h"
#include "io/filesystem.h"

namespace tidelake::catalog {

class Lake {
 public:
  static arrow::Result<std::shared_ptr<Lake>> Open(const std::string& root_uri);

  const io::Location& root() const { return root_; }

  /// The location of a table given as zone.table, delta.`path` or a path.
  arrow::Result<delta::TableLocation> Resolve(const std::string& name_or_path) const;

  /// "zone.table" names of the tables in `zone` (every zone when unset), sorted.
  arrow::Result<std::vector<std::string>> ListTables(const std::optional<std::string>& zone = std::nullopt) const;

 private:
  explicit Lake(io::Location root) : root_(std::move(root)) {}
  io::Location root_;
};

}  // namespace tidelake::catalog
