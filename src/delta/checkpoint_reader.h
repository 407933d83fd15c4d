// Reads a checkpoint (classic, multi-part, or V2 with sidecars) back into log actions.
//
// Each checkpoint row holds exactly one non-null action column (add, remove, metaData,
// protocol, txn, domainMetadata, sidecar, checkpointMetadata). add and remove columns are decoded
// directly (action_columns.h); other rows, and add/remove columns of an unexpected layout, are
// rendered to JSON and parsed by the same code as JSON commits. Columns the
// reader does not know are ignored. When a checkpoint carries only `add.stats_parsed` (struct
// statistics) and no JSON `add.stats`, the struct is turned into the JSON stats string.
#pragma once

#include <arrow/filesystem/filesystem.h>
#include <arrow/result.h>

#include <vector>

#include "delta/actions.h"
#include "delta/log_segment.h"

namespace tidelake::delta {

/// The actions of `checkpoint`, with V2 sidecar references replaced by the sidecars' actions.
arrow::Result<std::vector<Action>> ReadCheckpoint(arrow::fs::FileSystem& fs,
                                                  const Checkpoint& checkpoint,
                                                  const std::string& log_dir);

}  // namespace tidelake::delta
