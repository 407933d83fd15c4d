// Reading the Change Data Feed: the row-level changes between two versions of a table.
//
// For each commit in [start, end]: if the commit wrote change data files (`cdc` actions, as
// DELETE/UPDATE/MERGE do when delta.enableChangeDataFeed is set), those files are the
// changes; otherwise the commit's data-changing `add` files are inserts and its data-changing
// `remove` files are deletes (Delta's rule for commits that only add or remove whole files).
// Every row carries _change_type ('insert', 'delete', 'update_preimage', 'update_postimage'),
// _commit_version and _commit_timestamp, as Spark's table_changes() returns them.
#pragma once

#include <arrow/result.h>
#include <arrow/table.h>

#include <optional>

#include "delta/snapshot.h"

namespace tidelake::delta {

/// The changes committed in versions start..end (end defaults to the latest). Fails with a
/// clear error when the feed was not enabled for one of those versions.
arrow::Result<std::shared_ptr<arrow::Table>> ReadChanges(const TableLocation& location, int64_t start_version,
                                                         std::optional<int64_t> end_version = std::nullopt);

}  // namespace tidelake::delta
