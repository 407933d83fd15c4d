// Decodes `add` and `remove` actions straight from the Arrow struct columns of a Parquet
// checkpoint, without rendering each row to JSON first. Checkpoints of large tables are mostly
// add rows, so this is the hot path of opening a table.
//
// The decoder accepts the layouts the protocol allows (string or large_string text, 32- or
// 64-bit integers, optional fields absent) and nothing else: for a column whose layout it does
// not know it returns false and decodes nothing, and the caller takes the JSON route, so both
// routes always agree. When `add.stats` is null but `add.stats_parsed` is present, the struct
// statistics are rendered into the JSON stats string the rest of the engine reads.
#pragma once

#include <arrow/array.h>
#include <arrow/result.h>

#include <vector>

#include "delta/actions.h"

namespace tidelake::delta {

/// Appends one AddFile per non-null row of `add`. Returns false, having appended nothing, when
/// the column's layout is not one this decoder knows.
arrow::Result<bool> DecodeAddColumn(const arrow::StructArray& add, std::vector<Action>* out);

/// Appends one RemoveFile per non-null row of `remove`; false as for DecodeAddColumn.
arrow::Result<bool> DecodeRemoveColumn(const arrow::StructArray& remove, std::vector<Action>* out);

}  // namespace tidelake::delta
