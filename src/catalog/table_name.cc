#include "catalog/table_name.h"

#include <cctype>

namespace tidelake::catalog {

arrow::Status TableName::ValidatePart(std::string_view part, std::string_view what) {
  if (part.empty()) return arrow::Status::Invalid("invalid ", what, " name: it is empty");
  if (part.size() > 128) return arrow::Status::Invalid("invalid ", what, " name: longer than 128 characters");
  for (unsigned char c : part) {
    if (!(std::isalnum(c) || c == '_')) {
      std::string shown = c < 0x20 || c == 0x7f ? "a control character" : std::string("'") + static_cast<char>(c) + "'";
      return arrow::Status::Invalid("invalid ", what, " name '", part, "': ", shown,
                                    " is not allowed (use letters, digits and '_')");
    }
  }
  return arrow::Status::OK();
}

arrow::Result<TableName> TableName::Parse(std::string_view text) {
  auto dot = text.find('.');
  if (dot == std::string_view::npos) {
    return arrow::Status::Invalid("invalid table name '", text,
                                  "': expected zone.table (e.g. raw.transactions) or a path");
  }
  TableName name{std::string(text.substr(0, dot)), std::string(text.substr(dot + 1))};
  ARROW_RETURN_NOT_OK(ValidatePart(name.zone, "zone"));
  ARROW_RETURN_NOT_OK(ValidatePart(name.table, "table"));
  for (auto& c : name.zone) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (auto& c : name.table) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return name;
}

bool IsPathReference(std::string_view text) {
  return text.find('/') != std::string_view::npos || text.find("://") != std::string_view::npos ||
         text.rfind("delta.`", 0) == 0;
}

std::string PathOf(std::string_view text) {
  if (text.rfind("delta.`", 0) == 0 && text.size() > 8 && text.back() == '`') {
    return std::string(text.substr(7, text.size() - 8));
  }
  return std::string(text);
}

}  // namespace tidelake::catalog
