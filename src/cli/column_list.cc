#include "cli/column_list.h"

#include <nlohmann/json.hpp>

#include <cctype>
#include <map>
#include <string>
#include <vector>

#include "common/strings.h"
#include "delta/schema.h"

namespace tidelake::cli {

namespace {

std::string Trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t\n");
  size_t e = s.find_last_not_of(" \t\n");
  return b == std::string_view::npos ? "" : std::string(s.substr(b, e - b + 1));
}

// Splits on commas that are not inside parentheses (decimal(10,2)).
std::vector<std::string> SplitColumns(std::string_view text) {
  std::vector<std::string> parts;
  int depth = 0;
  size_t start = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '(') ++depth;
    if (text[i] == ')') --depth;
    if (text[i] == ',' && depth == 0) {
      parts.push_back(Trim(text.substr(start, i - start)));
      start = i + 1;
    }
  }
  parts.push_back(Trim(text.substr(start)));
  return parts;
}

}  // namespace

arrow::Result<std::shared_ptr<arrow::Schema>> ParseColumnList(std::string_view text) {
  static const std::map<std::string, std::string> kAliases = {
      {"boolean", "boolean"}, {"bool", "boolean"},     {"byte", "byte"},      {"tinyint", "byte"},
      {"short", "short"},     {"smallint", "short"},   {"integer", "integer"}, {"int", "integer"},
      {"long", "long"},       {"bigint", "long"},      {"float", "float"},    {"real", "float"},
      {"double", "double"},   {"string", "string"},    {"varchar", "string"}, {"char", "string"},
      {"text", "string"},     {"binary", "binary"},    {"date", "date"},      {"timestamp", "timestamp"},
      {"timestamp_ntz", "timestamp_ntz"}};
  nlohmann::ordered_json fields = nlohmann::ordered_json::array();
  auto columns = SplitColumns(text);
  for (size_t i = 0; i < columns.size(); ++i) {
    const auto& column = columns[i];
    auto where = [&] { return "column " + std::to_string(i + 1) + " ('" + column + "')"; };
    if (column.empty()) return arrow::Status::Invalid("--columns: ", where(), " is empty");
    size_t space = column.find_first_of(" \t");
    if (space == std::string::npos) return arrow::Status::Invalid("--columns: ", where(), " needs a name and a type");
    std::string name = column.substr(0, space);
    if (name.size() >= 2 && name.front() == '`' && name.back() == '`') name = name.substr(1, name.size() - 2);
    std::string rest = Lower(Trim(column.substr(space)));
    bool nullable = true;
    if (rest.size() > 9 && rest.substr(rest.size() - 9) == " not null") {
      nullable = false;
      rest = Trim(rest.substr(0, rest.size() - 9));
    }
    std::string type;
    if (rest.rfind("decimal", 0) == 0 || rest.rfind("numeric", 0) == 0) {
      type = "decimal" + rest.substr(7);
      if (type == "decimal") type = "decimal(10,0)";
      std::string compact;
      for (char c : type) {
        if (c != ' ') compact += c;
      }
      type = compact;
    } else if (rest.rfind("varchar(", 0) == 0 || rest.rfind("char(", 0) == 0) {
      type = "string";
    } else if (auto it = kAliases.find(rest); it != kAliases.end()) {
      type = it->second;
    } else if (rest.find('<') != std::string::npos) {
      return arrow::Status::NotImplemented("--columns: ", where(),
                                           ": nested types need SQL CREATE TABLE; load a file with that schema instead");
    } else {
      return arrow::Status::Invalid("--columns: ", where(), ": unknown type '", rest, "'");
    }
    fields.push_back({{"name", name}, {"type", type}, {"nullable", nullable}, {"metadata", nlohmann::ordered_json::object()}});
  }
  nlohmann::ordered_json schema{{"type", "struct"}, {"fields", fields}};
  return delta::SchemaFromJson(schema.dump());
}

}  // namespace tidelake::cli
