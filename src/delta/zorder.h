// Z-order (Morton order) of rows by several columns, for OPTIMIZE ZORDER BY.
//
// Each column's values are first mapped to order-preserving unsigned 32-bit keys: the dense
// rank of the value among the column's distinct values (nulls first, so null < every value),
// scaled to span the whole 32-bit range. Scaling makes every column contribute equally to the
// high bits of the z-value whatever its number of distinct values; ranking (through Arrow's
// "rank" kernel) makes any orderable type work: numbers, decimals, dates, timestamps, strings,
// binary, booleans. Nested types (struct, list, map) have no order and are refused.
//
// The z-value of a row interleaves the bits of its keys, most significant first: bit 31 of
// column 0, bit 31 of column 1, ..., bit 31 of column n-1, bit 30 of column 0, ... Sorting rows
// by z-value keeps rows that are close in every column close together, so files cut from the
// sorted rows have narrow min/max ranges in all the z-ordered columns at once.
//
// These functions are pure and thread-safe.
#pragma once

#include <arrow/array.h>
#include <arrow/chunked_array.h>
#include <arrow/result.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace tidelake::delta {

/// OK when values of `type` can be z-ordered; Invalid naming `column` and the type otherwise.
arrow::Status CheckZOrderable(const std::string& column, const arrow::DataType& type);

/// The order-preserving 32-bit key of every value of `values` (see the file comment): equal
/// values get equal keys, a < b gives key(a) < key(b), nulls get key 0 and sort first.
arrow::Result<std::vector<uint32_t>> OrderPreservingKeys(const arrow::ChunkedArray& values);

/// The z-values of `num_rows` rows whose per-column keys are `keys` (one vector per column,
/// each num_rows long): row r's z-value is the `keys.size()` 32-bit words at
/// [r * keys.size(), (r + 1) * keys.size()), most significant word first.
std::vector<uint32_t> InterleaveBits(const std::vector<std::vector<uint32_t>>& keys, int64_t num_rows);

/// The row order that sorts rows by the z-value of `columns` (all the same length; stable for
/// equal z-values), ready for arrow::compute::Take.
arrow::Result<std::shared_ptr<arrow::UInt64Array>> ZOrderSortIndices(
    const std::vector<std::shared_ptr<arrow::ChunkedArray>>& columns);

}  // namespace tidelake::delta
