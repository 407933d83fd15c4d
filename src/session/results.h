// What every statement runner of the session shares: errors positioned at a SQL node
// ("line L:C: ..."), and the small result tables that SHOW, DESCRIBE and the maintenance
// statements return (a handful of rows built from scalars).
#pragma once

#include <arrow/record_batch.h>
#include <arrow/result.h>
#include <arrow/scalar.h>

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/strings.h"
#include "sql/token.h"

namespace tidelake::session {

/// `status` with "line L:C: " in front, unless it already carries a position.
arrow::Status At(const sql::SourcePos& pos, arrow::Status status);

template <typename T>
arrow::Result<T> At(const sql::SourcePos& pos, arrow::Result<T> result) {
  if (result.ok()) return result;
  return At(pos, result.status());
}

/// An Invalid status positioned at `pos`.
template <typename... Args>
arrow::Status InvalidAt(const sql::SourcePos& pos, Args&&... args) {
  return At(pos, arrow::Status::Invalid(std::forward<Args>(args)...));
}

using tidelake::Lower;

/// A column path as messages and commit parameters spell it: a.b.c (no quoting).
std::string DottedPath(const std::vector<std::string>& parts);

/// Rows of one result: every row has one scalar per field of `schema`, of the field's type
/// (or a null scalar).
using ScalarRow = std::vector<std::shared_ptr<arrow::Scalar>>;
arrow::Result<std::shared_ptr<arrow::RecordBatchReader>> MakeRows(const std::shared_ptr<arrow::Schema>& schema,
                                                                  const std::vector<ScalarRow>& rows);

/// A result whose columns are all strings.
arrow::Result<std::shared_ptr<arrow::RecordBatchReader>> StringRows(const std::vector<std::string>& columns,
                                                                    const std::vector<std::vector<std::string>>& rows);

// Scalars for result rows.
std::shared_ptr<arrow::Scalar> StringValue(std::string value);
std::shared_ptr<arrow::Scalar> Int64Value(int64_t value);
std::shared_ptr<arrow::Scalar> Int32Value(int32_t value);
/// Milliseconds since the epoch as timestamp(us, UTC).
std::shared_ptr<arrow::Scalar> TimestampValue(int64_t ms);
std::shared_ptr<arrow::Scalar> StringListValue(const std::vector<std::string>& values);
std::shared_ptr<arrow::Scalar> StringMapValue(const std::map<std::string, std::string>& values);
std::shared_ptr<arrow::Scalar> NullValue(const std::shared_ptr<arrow::DataType>& type);

inline std::shared_ptr<arrow::DataType> StringListType() { return arrow::list(arrow::utf8()); }
inline std::shared_ptr<arrow::DataType> StringMapType() { return arrow::map(arrow::utf8(), arrow::utf8()); }
inline std::shared_ptr<arrow::DataType> TimestampType() { return arrow::timestamp(arrow::TimeUnit::MICRO, "UTC"); }

}  // namespace tidelake::session
