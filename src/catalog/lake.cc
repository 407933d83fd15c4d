#include "catalog/lake.h"

#include <algorithm>

#include <nlohmann/json.hpp>
#include <simdjson.h>

#include "common/uuid.h"
#include "delta/table.h"

namespace tidelake::catalog {

arrow::Result<std::shared_ptr<Lake>> Lake::Open(const std::string& root_uri) {
  ARROW_ASSIGN_OR_RAISE(auto root, io::ResolveLocation(root_uri));
  for (auto zone : kZones) {
    ARROW_RETURN_NOT_OK(root.fs->CreateDir(root.Join(std::string(zone)), /*recursive=*/true));
  }
  return std::shared_ptr<Lake>(new Lake(std::move(root)));
}

arrow::Result<delta::TableLocation> Lake::Resolve(const std::string& name_or_path) const {
  delta::TableLocation location;
  if (IsPathReference(name_or_path)) {
    ARROW_ASSIGN_OR_RAISE(auto where, io::ResolveLocation(PathOf(name_or_path)));
    location.fs = where.fs;
    location.root = where.path;
    location.display_name = PathOf(name_or_path);
    return location;
  }
  ARROW_ASSIGN_OR_RAISE(auto name, TableName::Parse(name_or_path));
  ARROW_ASSIGN_OR_RAISE(auto external, ExternalLocation(name));
  if (external) {
    ARROW_ASSIGN_OR_RAISE(auto where, io::ResolveLocation(*external));
    location.fs = where.fs;
    location.root = where.path;
  } else {
    location.fs = root_.fs;
    location.root = root_.Join(name.RelativePath());
  }
  location.display_name = name.ToString();
  return location;
}

std::string Lake::ExternalPath(const TableName& name) const {
  return root_.Join(name.zone + "/.external/" + name.table + ".json");
}

arrow::Status Lake::RegisterExternalTable(const TableName& name, const std::string& location) {
  delta::TableLocation managed{root_.fs, root_.Join(name.RelativePath()), name.ToString()};
  ARROW_ASSIGN_OR_RAISE(bool is_table, delta::DeltaTable::Exists(managed));
  ARROW_ASSIGN_OR_RAISE(auto external, ExternalLocation(name));
  if (is_table || external) return arrow::Status::Invalid("table '", name.ToString(), "' already exists");
  ARROW_ASSIGN_OR_RAISE(auto view, FindView(name));
  if (view) return arrow::Status::Invalid("'", name.ToString(), "' is a view");
  ARROW_ASSIGN_OR_RAISE(bool source, IsSource(name));
  if (source) return arrow::Status::Invalid("'", name.ToString(), "' is a source");
  std::string path = ExternalPath(name);
  std::string temporary = path + "." + RandomUuid() + ".tmp";
  ARROW_RETURN_NOT_OK(io::WriteFile(*root_.fs, temporary, nlohmann::json{{"location", location}}.dump()));
  return root_.fs->Move(temporary, path);
}

arrow::Result<std::optional<std::string>> Lake::ExternalLocation(const TableName& name) const {
  std::string path = ExternalPath(name);
  ARROW_ASSIGN_OR_RAISE(auto info, root_.fs->GetFileInfo(path));
  if (!info.IsFile()) return std::nullopt;
  ARROW_ASSIGN_OR_RAISE(auto text, io::ReadFile(*root_.fs, path));
  auto doc = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object() || !doc.contains("location") || !doc["location"].is_string()) {
    return arrow::Status::Invalid("the registration of external table '", name.ToString(), "' (", path,
                                  ") is corrupt");
  }
  return doc["location"].get<std::string>();
}

arrow::Status Lake::UnregisterExternalTable(const TableName& name) {
  std::string path = ExternalPath(name);
  ARROW_ASSIGN_OR_RAISE(auto info, root_.fs->GetFileInfo(path));
  if (!info.IsFile()) return arrow::Status::KeyError("'", name.ToString(), "' is not an external table");
  return root_.fs->DeleteFile(path);
}

arrow::Result<std::vector<std::string>> Lake::Zones(const std::optional<std::string>& zone) const {
  std::vector<std::string> zones;
  if (zone) {
    ARROW_RETURN_NOT_OK(TableName::ValidatePart(*zone, "zone"));
    zones.push_back(*zone);
    return zones;
  }
  arrow::fs::FileSelector selector;
  selector.base_dir = root_.path;
  ARROW_ASSIGN_OR_RAISE(auto entries, root_.fs->GetFileInfo(selector));
  for (const auto& e : entries) {
    if (e.IsDirectory() && e.base_name()[0] != '_' && TableName::ValidatePart(e.base_name(), "zone").ok()) {
      zones.push_back(e.base_name());
    }
  }
  std::sort(zones.begin(), zones.end());
  return zones;
}

std::string Lake::ViewPath(const TableName& name) const {
  return root_.Join(name.zone + "/.views/" + name.table + ".json");
}

arrow::Status Lake::CreateView(const TableName& name, const std::string& sql, const std::vector<std::string>& columns,
                               bool replace) {
  delta::TableLocation table{root_.fs, root_.Join(name.RelativePath()), name.ToString()};
  ARROW_ASSIGN_OR_RAISE(bool is_table, delta::DeltaTable::Exists(table));
  ARROW_ASSIGN_OR_RAISE(auto external, ExternalLocation(name));
  if (is_table || external) return arrow::Status::Invalid("'", name.ToString(), "' is a table, not a view");
  ARROW_ASSIGN_OR_RAISE(bool source, IsSource(name));
  if (source) return arrow::Status::Invalid("'", name.ToString(), "' is a source, not a view");
  std::string path = ViewPath(name);
  ARROW_ASSIGN_OR_RAISE(auto info, root_.fs->GetFileInfo(path));
  if (info.IsFile() && !replace) {
    return arrow::Status::Invalid("view '", name.ToString(), "' already exists (use CREATE OR REPLACE VIEW)");
  }
  nlohmann::json doc{{"sql", sql}, {"columns", columns}};
  // Written beside, then renamed over: a reader sees the old or the new view, never half.
  std::string temporary = path + "." + RandomUuid() + ".tmp";
  ARROW_RETURN_NOT_OK(io::WriteFile(*root_.fs, temporary, doc.dump()));
  return root_.fs->Move(temporary, path);
}

arrow::Result<std::optional<Lake::View>> Lake::FindView(const TableName& name) const {
  std::string path = ViewPath(name);
  ARROW_ASSIGN_OR_RAISE(auto info, root_.fs->GetFileInfo(path));
  if (!info.IsFile()) return std::nullopt;
  ARROW_ASSIGN_OR_RAISE(auto text, io::ReadFile(*root_.fs, path));
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  std::string_view sql;
  simdjson::dom::array columns;
  if (parser.parse(text).get(doc) || doc["sql"].get(sql) || doc["columns"].get(columns)) {
    return arrow::Status::Invalid("the definition of view '", name.ToString(), "' (", path, ") is corrupt");
  }
  View view{name.ToString(), std::string(sql), {}};
  for (auto c : columns) {
    std::string_view column;
    if (c.get(column)) return arrow::Status::Invalid("the definition of view '", name.ToString(), "' is corrupt");
    view.columns.emplace_back(column);
  }
  return view;
}

arrow::Status Lake::DropView(const TableName& name) {
  std::string path = ViewPath(name);
  ARROW_ASSIGN_OR_RAISE(auto info, root_.fs->GetFileInfo(path));
  if (!info.IsFile()) return arrow::Status::KeyError("view '", name.ToString(), "' does not exist");
  return root_.fs->DeleteFile(path);
}

arrow::Result<std::vector<std::string>> Lake::ListViews(const std::optional<std::string>& zone) const {
  return ListDefinitions(".views", zone);
}

arrow::Result<std::vector<std::string>> Lake::ListDefinitions(const std::string& folder,
                                                              const std::optional<std::string>& zone) const {
  ARROW_ASSIGN_OR_RAISE(auto zones, Zones(zone));
  std::vector<std::string> names;
  for (const auto& z : zones) {
    arrow::fs::FileSelector selector;
    selector.base_dir = root_.Join(z + "/" + folder);
    selector.allow_not_found = true;
    ARROW_ASSIGN_OR_RAISE(auto entries, root_.fs->GetFileInfo(selector));
    for (const auto& e : entries) {
      const std::string file = e.base_name();
      if (e.IsFile() && file.size() > 5 && file.compare(file.size() - 5, 5, ".json") == 0) {
        names.push_back(z + "." + file.substr(0, file.size() - 5));
      }
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::string Lake::SourcePath(const TableName& name) const {
  return root_.Join(name.zone + "/.sources/" + name.table + ".json");
}

arrow::Result<bool> Lake::IsSource(const TableName& name) const {
  ARROW_ASSIGN_OR_RAISE(auto info, root_.fs->GetFileInfo(SourcePath(name)));
  return info.IsFile();
}

arrow::Status Lake::CreateSource(const SourceDefinition& source) {
  const TableName& name = source.name;
  ARROW_ASSIGN_OR_RAISE(bool exists, IsSource(name));
  if (exists) return arrow::Status::Invalid("source '", name.ToString(), "' already exists");
  delta::TableLocation table{root_.fs, root_.Join(name.RelativePath()), name.ToString()};
  ARROW_ASSIGN_OR_RAISE(bool is_table, delta::DeltaTable::Exists(table));
  ARROW_ASSIGN_OR_RAISE(auto external, ExternalLocation(name));
  if (is_table || external) return arrow::Status::Invalid("'", name.ToString(), "' is a table");
  ARROW_ASSIGN_OR_RAISE(auto view, FindView(name));
  if (view) return arrow::Status::Invalid("'", name.ToString(), "' is a view");
  ARROW_ASSIGN_OR_RAISE(std::string text, source.ToJson());
  const std::string path = SourcePath(name);
  ARROW_RETURN_NOT_OK(root_.fs->CreateDir(root_.Join(name.zone + "/.sources"), /*recursive=*/true));
  std::string temporary = path + "." + RandomUuid() + ".tmp";
  ARROW_RETURN_NOT_OK(io::WriteFile(*root_.fs, temporary, text));
  return root_.fs->Move(temporary, path);
}

arrow::Result<std::optional<SourceDefinition>> Lake::FindSource(const TableName& name) const {
  const std::string path = SourcePath(name);
  ARROW_ASSIGN_OR_RAISE(auto info, root_.fs->GetFileInfo(path));
  if (!info.IsFile()) return std::nullopt;
  ARROW_ASSIGN_OR_RAISE(auto text, io::ReadFile(*root_.fs, path));
  return SourceDefinition::FromJson(name, text, path);
}

arrow::Status Lake::DropSource(const TableName& name) {
  const std::string path = SourcePath(name);
  ARROW_ASSIGN_OR_RAISE(auto info, root_.fs->GetFileInfo(path));
  if (!info.IsFile()) return arrow::Status::KeyError("source '", name.ToString(), "' does not exist");
  return root_.fs->DeleteFile(path);
}

arrow::Result<std::vector<std::string>> Lake::ListSources(const std::optional<std::string>& zone) const {
  return ListDefinitions(".sources", zone);
}

std::string Lake::StreamingQueryPath(const TableName& name) const {
  return root_.Join(name.zone + "/.streams/" + name.table + ".json");
}

std::string Lake::CheckpointDir(const TableName& name) const {
  return root_.Join("_checkpoints/" + name.zone + "." + name.table);
}

arrow::Status Lake::WriteStreamingQuery(const TableName& name, const std::string& sql) {
  std::string path = StreamingQueryPath(name);
  ARROW_RETURN_NOT_OK(root_.fs->CreateDir(root_.Join(name.zone + "/.streams"), /*recursive=*/true));
  std::string temporary = path + "." + RandomUuid() + ".tmp";
  ARROW_RETURN_NOT_OK(io::WriteFile(*root_.fs, temporary, nlohmann::json{{"sql", sql}}.dump()));
  return root_.fs->Move(temporary, path);
}

arrow::Result<std::optional<std::string>> Lake::ReadStreamingQuery(const TableName& name) const {
  std::string path = StreamingQueryPath(name);
  ARROW_ASSIGN_OR_RAISE(auto info, root_.fs->GetFileInfo(path));
  if (!info.IsFile()) return std::nullopt;
  ARROW_ASSIGN_OR_RAISE(auto text, io::ReadFile(*root_.fs, path));
  auto doc = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object() || !doc.contains("sql") || !doc["sql"].is_string()) {
    return arrow::Status::Invalid("the query of streaming table '", name.ToString(), "' (", path, ") is corrupt");
  }
  return doc["sql"].get<std::string>();
}

arrow::Result<std::vector<std::string>> Lake::ListStreamingTables(const std::optional<std::string>& zone) const {
  return ListDefinitions(".streams", zone);
}

arrow::Status Lake::DropStreamingQuery(const TableName& name) {
  std::string path = StreamingQueryPath(name);
  ARROW_ASSIGN_OR_RAISE(auto info, root_.fs->GetFileInfo(path));
  if (info.IsFile()) ARROW_RETURN_NOT_OK(root_.fs->DeleteFile(path));
  ARROW_ASSIGN_OR_RAISE(auto checkpoint, root_.fs->GetFileInfo(CheckpointDir(name)));
  if (checkpoint.IsDirectory()) ARROW_RETURN_NOT_OK(root_.fs->DeleteDir(CheckpointDir(name)));
  return arrow::Status::OK();
}

std::string Lake::StatisticsPath(const TableName& name) const {
  return root_.Join(name.zone + "/.stats/" + name.table + ".json");
}

namespace {

constexpr int kStatisticsFormat = 1;

template <typename T>
void PutOptional(nlohmann::json* object, const char* key, const std::optional<T>& value) {
  if (value) (*object)[key] = *value;
}

// Reads an optional integer (or number, for doubles) member; false when present but mistyped.
bool GetOptional(const nlohmann::json& object, const char* key, std::optional<int64_t>* out) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return true;
  if (!it->is_number_integer()) return false;
  *out = it->get<int64_t>();
  return true;
}
bool GetOptional(const nlohmann::json& object, const char* key, std::optional<double>* out) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return true;
  if (!it->is_number()) return false;
  *out = it->get<double>();
  return true;
}
bool GetOptional(const nlohmann::json& object, const char* key, std::optional<std::string>* out) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return true;
  if (!it->is_string()) return false;
  *out = it->get<std::string>();
  return true;
}

}  // namespace

arrow::Status Lake::WriteStatistics(const TableName& name, const TableStatistics& statistics) {
  nlohmann::json doc{{"format", kStatisticsFormat},
                     {"tableVersion", statistics.table_version},
                     {"computedAt", statistics.computed_at_ms},
                     {"sizeInBytes", statistics.size_in_bytes},
                     {"numFiles", statistics.num_files}};
  PutOptional(&doc, "rowCount", statistics.row_count);
  nlohmann::json columns = nlohmann::json::array();
  for (const auto& c : statistics.columns) {
    nlohmann::json column{{"name", c.name}, {"dataType", c.data_type}};
    PutOptional(&column, "distinctCount", c.distinct_count);
    PutOptional(&column, "nullCount", c.null_count);
    PutOptional(&column, "min", c.min);
    PutOptional(&column, "max", c.max);
    PutOptional(&column, "avgLen", c.avg_length);
    PutOptional(&column, "maxLen", c.max_length);
    columns.push_back(std::move(column));
  }
  doc["columns"] = std::move(columns);
  std::string path = StatisticsPath(name);
  std::string temporary = path + "." + RandomUuid() + ".tmp";
  ARROW_RETURN_NOT_OK(io::WriteFile(*root_.fs, temporary, doc.dump()));
  return root_.fs->Move(temporary, path);
}

arrow::Result<std::optional<Lake::TableStatistics>> Lake::ReadStatistics(const TableName& name) const {
  std::string path = StatisticsPath(name);
  ARROW_ASSIGN_OR_RAISE(auto info, root_.fs->GetFileInfo(path));
  if (!info.IsFile()) return std::nullopt;
  ARROW_ASSIGN_OR_RAISE(auto text, io::ReadFile(*root_.fs, path));
  auto corrupt = [&](const std::string& why) {
    return arrow::Status::Invalid("the statistics of table '", name.ToString(), "' (", path, ") are corrupt: ", why,
                                  "; run ANALYZE TABLE again");
  };
  auto doc = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) return corrupt("not a JSON object");
  auto format = doc.find("format");
  if (format == doc.end() || !format->is_number_integer() || format->get<int64_t>() != kStatisticsFormat) {
    return corrupt("unknown format");
  }
  TableStatistics out;
  std::optional<int64_t> version, computed_at, size, files;
  if (!GetOptional(doc, "tableVersion", &version) || !version) return corrupt("no tableVersion");
  if (!GetOptional(doc, "computedAt", &computed_at) || !GetOptional(doc, "sizeInBytes", &size) ||
      !GetOptional(doc, "numFiles", &files) || !GetOptional(doc, "rowCount", &out.row_count)) {
    return corrupt("a count is not an integer");
  }
  out.table_version = *version;
  out.computed_at_ms = computed_at.value_or(0);
  out.size_in_bytes = size.value_or(0);
  out.num_files = files.value_or(0);
  auto columns = doc.find("columns");
  if (columns != doc.end()) {
    if (!columns->is_array()) return corrupt("columns is not an array");
    for (const auto& c : *columns) {
      ColumnStatistics column;
      if (!c.is_object() || !c.contains("name") || !c["name"].is_string()) return corrupt("a column has no name");
      column.name = c["name"].get<std::string>();
      std::optional<std::string> type;
      if (!GetOptional(c, "dataType", &type) || !GetOptional(c, "distinctCount", &column.distinct_count) ||
          !GetOptional(c, "nullCount", &column.null_count) || !GetOptional(c, "min", &column.min) ||
          !GetOptional(c, "max", &column.max) || !GetOptional(c, "avgLen", &column.avg_length) ||
          !GetOptional(c, "maxLen", &column.max_length)) {
        return corrupt("column '" + column.name + "' has a mistyped value");
      }
      column.data_type = type.value_or("");
      out.columns.push_back(std::move(column));
    }
  }
  return out;
}

arrow::Status Lake::DropStatistics(const TableName& name) {
  std::string path = StatisticsPath(name);
  ARROW_ASSIGN_OR_RAISE(auto info, root_.fs->GetFileInfo(path));
  if (!info.IsFile()) return arrow::Status::OK();
  return root_.fs->DeleteFile(path);
}

arrow::Result<std::vector<std::string>> Lake::ListTables(const std::optional<std::string>& zone) const {
  ARROW_ASSIGN_OR_RAISE(auto zones, Zones(zone));
  std::vector<std::string> names;
  for (const auto& z : zones) {
    arrow::fs::FileSelector selector;
    selector.base_dir = root_.Join(z);
    selector.allow_not_found = true;
    ARROW_ASSIGN_OR_RAISE(auto entries, root_.fs->GetFileInfo(selector));
    for (const auto& e : entries) {
      if (!e.IsDirectory()) continue;
      delta::TableLocation location{root_.fs, e.path(), z + "." + e.base_name()};
      auto exists = delta::DeltaTable::Exists(location);
      if (exists.ok() && *exists) names.push_back(location.display_name);
    }
    selector.base_dir = root_.Join(z + "/.external");
    ARROW_ASSIGN_OR_RAISE(auto external, root_.fs->GetFileInfo(selector));
    for (const auto& e : external) {
      std::string base = e.base_name();
      if (e.IsFile() && base.size() > 5 && base.substr(base.size() - 5) == ".json") {
        names.push_back(z + "." + base.substr(0, base.size() - 5));
      }
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace tidelake::catalog
