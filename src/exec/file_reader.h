// Reading plain files for read_csv / read_json / read_parquet (plan::FileScanNode): one
// RecordBatchReader over the node's files, in order, returning the node's columns in the
// node's order (named as in the files; types as the node asks where the format lets us say
// so, otherwise as stored — the source casts).
//
// Files are read one at a time on the calling thread with Arrow's synchronous readers (CSV and
// JSON with use_threads off), so nothing keeps running once the reader is gone: the reader
// allocates from the query's pool, which must not be used after the query ends. Parquet row
// groups whose statistics rule the node's filter out are skipped; the filter itself is applied
// by the plan, exactly. Errors name the file.
#pragma once

#include <arrow/memory_pool.h>
#include <arrow/record_batch.h>

#include <map>
#include <memory>
#include <set>
#include <string>

#include "plan/logical_plan.h"

namespace tidelake::exec {

/// Of struct columns of a file scan (by the node's column name): the only fields to read.
using StructFieldSubsets = std::map<std::string, std::set<std::string>>;

/// A reader over the files of `node`. With no columns requested (count(*)), batches carry
/// the rows and any columns (the caller drops them). Parquet files: a struct column named in
/// `struct_fields` is read with only those of its fields the file has (matched by name as
/// columns are), in the file's order, so its type is not the declared one; when the file has
/// none of them, the struct is read whole. Other formats read every struct whole.
/// `decode_in_parallel`: Parquet columns are decoded on Arrow's CPU thread pool, the reader
/// waiting for them; only for a reader driven from a thread outside that pool (a stream's
/// batch thread), since a pool thread waiting for its own pool can deadlock it.
arrow::Result<std::shared_ptr<arrow::RecordBatchReader>> OpenFiles(const plan::FileScanNode& node,
                                                                   arrow::MemoryPool* pool,
                                                                   StructFieldSubsets struct_fields = {},
                                                                   bool decode_in_parallel = false);

/// The file column for a requested column name: exact, else case-insensitive; headerless CSV
/// columns are _c0, _c1, ... as in Spark (Arrow calls them f0, f1, ...). Empty if absent.
std::string FileColumnName(const std::vector<std::string>& file_columns, const std::string& requested);

}  // namespace tidelake::exec
