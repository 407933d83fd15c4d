// Errors: tidelake reports every failure as an arrow::Status (one idiom across the library).
//
// A user-facing error says who is at fault and where: the table, the Delta version, the file
// and line, the SQL line:column. That context travels as an ErrorContext detail attached to the
// Status, and is also spelled out in the message so a plain `status.ToString()` reads well.
// Internal invariants use ARROW_DCHECK; a user's bad input never surfaces as an internal error.
#pragma once

#include <arrow/result.h>
#include <arrow/status.h>

#include <cstdint>
#include <optional>
#include <string>

namespace tidelake {

/// Where an error happened. Every field is optional; unset fields are left out of messages.
struct ErrorContext {
  std::string table;               ///< table name or path
  std::optional<int64_t> version;  ///< Delta table version
  std::string file;                ///< file being read or written
  int64_t line = 0;                ///< 1-based line in `file` (0 = unknown)
  int64_t column = 0;              ///< 1-based column (0 = unknown)

  /// "table t, version 3, file f:12:4" (only the parts that are set).
  std::string Describe() const;
};

/// The StatusDetail that carries an ErrorContext on a Status.
class ErrorDetail : public arrow::StatusDetail {
 public:
  static constexpr const char* kTypeId = "tidelake::ErrorDetail";
  explicit ErrorDetail(ErrorContext context) : context_(std::move(context)) {}
  const char* type_id() const override { return kTypeId; }
  std::string ToString() const override { return context_.Describe(); }
  const ErrorContext& context() const { return context_; }

 private:
  ErrorContext context_;
};

/// A Status of `code` whose message is prefixed with the context ("table t, version 3: msg").
arrow::Status ErrorAt(arrow::StatusCode code, const ErrorContext& context, std::string message);

/// Adds context to a failed status (keeping its code); returns OK statuses unchanged.
/// Fields already present in the status's own ErrorDetail are kept.
arrow::Status AddContext(arrow::Status status, const ErrorContext& context);

/// Adds context to a failed result; passes a successful one through.
template <typename T>
arrow::Result<T> AddContext(arrow::Result<T> result, const ErrorContext& context) {
  if (result.ok()) return result;
  return AddContext(result.status(), context);
}

/// The ErrorContext attached to `status`, if any.
std::optional<ErrorContext> GetErrorContext(const arrow::Status& status);

/// The one greppable way to drop a Status on purpose (best-effort cleanup paths).
inline void IgnoreError(const arrow::Status& /*status*/) {}

}  // namespace tidelake
