#include "common/error.h"

#include <utility>

namespace tidelake {

std::string ErrorContext::Describe() const {
  std::string out;
  auto add = [&out](const std::string& part) {
    if (!out.empty()) out += ", ";
    out += part;
  };
  if (!table.empty()) add("table " + table);
  if (version.has_value()) add("version " + std::to_string(*version));
  if (!file.empty()) {
    std::string where = "file " + file;
    if (line > 0) where += ":" + std::to_string(line);
    if (line > 0 && column > 0) where += ":" + std::to_string(column);
    add(where);
  } else if (line > 0) {
    add("line " + std::to_string(line) + (column > 0 ? ":" + std::to_string(column) : ""));
  }
  return out;
}

arrow::Status ErrorAt(arrow::StatusCode code, const ErrorContext& context, std::string message) {
  std::string where = context.Describe();
  std::string text = where.empty() ? std::move(message) : where + ": " + message;
  return arrow::Status(code, std::move(text), std::make_shared<ErrorDetail>(context));
}

arrow::Status AddContext(arrow::Status status, const ErrorContext& context) {
  if (status.ok()) return status;
  ErrorContext merged = context;
  if (auto existing = GetErrorContext(status)) {
    if (!existing->table.empty()) merged.table = existing->table;
    if (existing->version) merged.version = existing->version;
    if (!existing->file.empty()) merged.file = existing->file;
    if (existing->line) merged.line = existing->line;
    if (existing->column) merged.column = existing->column;
  }
  // Only prefix the parts the message does not already name.
  ErrorContext prefix;
  const std::string& msg = status.message();
  if (!context.table.empty() && msg.find("table " + context.table) == std::string::npos)
    prefix.table = context.table;
  if (context.version && msg.find("version " + std::to_string(*context.version)) == std::string::npos)
    prefix.version = context.version;
  if (!context.file.empty() && msg.find(context.file) == std::string::npos) {
    prefix.file = context.file;
    prefix.line = context.line;
    prefix.column = context.column;
  }
  std::string where = prefix.Describe();
  std::string text = where.empty() ? msg : where + ": " + msg;
  return arrow::Status(status.code(), std::move(text), std::make_shared<ErrorDetail>(merged));
}

std::optional<ErrorContext> GetErrorContext(const arrow::Status& status) {
  const auto& detail = status.detail();
  if (detail && std::string(detail->type_id()) == ErrorDetail::kTypeId) {
    return static_cast<const ErrorDetail&>(*detail).context();
  }
  return std::nullopt;
}

}  // namespace tidelake
