// Building blocks shared by the row-level DML operations UPDATE and MERGE (DELETE keeps its own
// copies in delete.cc): resolving the column names of user expressions, evaluating expressions
// into values of a table column, retiring a data file (remove action, or a deletion vector that
// marks rows of it deleted), and writing the change data feed (`_change_data` files with a
// `_change_type` column, announced by cdc actions).
//
// Everything here works on one thread and holds no state across calls except ChangeDataWriter,
// which owns the change files it wrote until Finish() hands them over (or its destructor
// deletes them, so a failed DML leaves no orphans).
#pragma once

#include <arrow/compute/expression.h>
#include <arrow/record_batch.h>
#include <arrow/result.h>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "delta/actions.h"
#include "delta/data_writer.h"
#include "delta/deletion_vector.h"
#include "delta/snapshot.h"

namespace tidelake::delta {

/// Change types of the change data feed (PROTOCOL.md, "Change Data Files").
inline constexpr std::string_view kChangeInsert = "insert";
inline constexpr std::string_view kChangeDelete = "delete";
inline constexpr std::string_view kChangeUpdatePreimage = "update_preimage";
inline constexpr std::string_view kChangeUpdatePostimage = "update_postimage";

/// Maps a column reference to the one to use, or fails naming the unknown column.
using ColumnResolver = std::function<arrow::Result<arrow::FieldRef>(const arrow::FieldRef&)>;

/// Rewrites every column reference of `expr` through `resolve` (other nodes are unchanged).
arrow::Result<arrow::compute::Expression> ResolveColumns(const arrow::compute::Expression& expr,
                                                         const ColumnResolver& resolve);

/// The field of `schema` called `name`: the exact name first, else the only one equal to it
/// ignoring case (as Spark resolves columns). Returns -1 when there is none; -2 when several
/// columns differ from `name` only in case.
int FindColumn(const arrow::Schema& schema, std::string_view name);

/// A ColumnResolver for plain column names of `schema` (nested paths keep their tail): exact,
/// then case-insensitive. The error names the column and lists the schema's columns.
ColumnResolver SchemaResolver(std::shared_ptr<arrow::Schema> schema);

/// Evaluates a bound expression over `batch`; a scalar result is broadcast to the batch length.
arrow::Result<std::shared_ptr<arrow::Array>> EvaluateArray(const arrow::compute::Expression& bound,
                                                           const arrow::RecordBatch& batch);

/// Evaluates a bound boolean expression over `batch` as a mask without nulls: NULL counts as
/// false (a row whose condition is unknown does not match, as in SQL).
arrow::Result<std::shared_ptr<arrow::BooleanArray>> EvaluateMatch(const arrow::compute::Expression& bound,
                                                                  const arrow::RecordBatch& batch);

/// Casts `values` to the type of `column` for assignment. `operation` ("UPDATE", "MERGE")
/// prefixes errors, which name the column and both types; NULLs into a NOT NULL column fail.
arrow::Result<std::shared_ptr<arrow::Array>> CastForColumn(const std::shared_ptr<arrow::Array>& values,
                                                           const arrow::Field& column, std::string_view operation);

/// The rows of `batch` where `mask` (no nulls) is true.
arrow::Result<std::shared_ptr<arrow::RecordBatch>> FilterRows(const std::shared_ptr<arrow::RecordBatch>& batch,
                                                              const std::shared_ptr<arrow::BooleanArray>& mask);

/// NOT mask, for a mask without nulls.
arrow::Result<std::shared_ptr<arrow::BooleanArray>> InvertMask(const std::shared_ptr<arrow::BooleanArray>& mask);

/// Number of true values of a mask without nulls.
int64_t CountTrue(const arrow::BooleanArray& mask);

/// The columns of `batch` named by `schema`'s fields, as a batch of `schema` (drops the scan's
/// row-position columns). Fails when a column is missing.
arrow::Result<std::shared_ptr<arrow::RecordBatch>> ProjectToSchema(const std::shared_ptr<arrow::RecordBatch>& batch,
                                                                   const std::shared_ptr<arrow::Schema>& schema);

/// The same columns under other names: `schema` must have as many fields as `batch`, of equal types.
std::shared_ptr<arrow::RecordBatch> Relabel(const std::shared_ptr<arrow::RecordBatch>& batch,
                                            const std::shared_ptr<arrow::Schema>& schema);

/// `file` with the rows of `rows` (row indexes of the file) marked deleted in addition to the
/// rows its current deletion vector already deletes: writes a new DV file and returns the
/// remove of the old (path, DV) pair and the add of the new one.
arrow::Result<std::pair<RemoveFile, AddFile>> AddDeletionVector(const TableLocation& location, const AddFile& file,
                                                                const DeletionVector& rows, int64_t now_ms);

/// Writes change data files: rows of the table schema plus `_change_type`, partitioned like
/// the table, under `_change_data/`.
class ChangeDataWriter {
 public:
  static arrow::Result<std::unique_ptr<ChangeDataWriter>> Make(const TableLocation& location,
                                                               std::shared_ptr<arrow::Schema> table_schema,
                                                               std::vector<std::string> partition_columns,
                                                               std::map<std::string, std::string> configuration);

  /// Writes `rows` (a batch of the table schema) with `_change_type` = change_type.
  arrow::Status Write(const std::shared_ptr<arrow::RecordBatch>& rows, std::string_view change_type);

  /// Closes the files and returns their cdc actions (dataChange = false).
  arrow::Result<std::vector<AddCDCFile>> Finish();

 private:
  ChangeDataWriter() = default;
  std::shared_ptr<arrow::Schema> table_schema_;
  std::shared_ptr<arrow::Schema> cdc_schema_;
  std::unique_ptr<DataWriter> writer_;
};

}  // namespace tidelake::delta
