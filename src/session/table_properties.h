// Table properties given in SQL (CREATE TABLE .. TBLPROPERTIES, ALTER TABLE .. SET
// TBLPROPERTIES), checked as Delta checks them before they reach the log:
//  - a `delta.` key must be a property Delta defines (unless the session sets
//    spark.databricks.delta.allowArbitraryProperties.enabled = true), and its value must parse
//    as that property's type (boolean, integer, interval, size, enumeration);
//  - delta.minReaderVersion / delta.minWriterVersion are not stored: they ask for a protocol
//    upgrade, returned separately;
//  - keys are compared as written (Delta keys are case-sensitive), other keys are free-form.
// Column mapping (delta.columnMapping.mode) also lives here: a table that turns it on needs an
// id and a physical name on every column, at every depth.
#pragma once

#include <arrow/result.h>
#include <arrow/type_fwd.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "delta/actions.h"
#include "sql/ast.h"

namespace tidelake::session {

struct CheckedProperties {
  std::map<std::string, std::string> configuration;  ///< what goes into metaData.configuration
  std::optional<delta::Protocol> protocol_upgrade;    ///< from delta.minReader/WriterVersion
};

/// Checks `properties`; errors are positioned at the offending property.
arrow::Result<CheckedProperties> CheckTableProperties(const std::vector<sql::TableProperty>& properties,
                                                      bool allow_arbitrary);

/// Gives every field of `schema` without one (at any depth) a column-mapping id and physical
/// name, counting ids up from `*max_column_id` (updated). New columns get "col-<uuid>" names;
/// with `keep_names` (turning column mapping on for an existing table) the physical name is
/// the current name, as the data files already use it.
arrow::Result<std::shared_ptr<arrow::Schema>> AssignColumnMapping(const arrow::Schema& schema,
                                                                  int64_t* max_column_id, bool keep_names);

/// The table's delta.columnMapping.maxColumnId (0 when unset).
int64_t MaxColumnId(const std::map<std::string, std::string>& configuration);

}  // namespace tidelake::session
