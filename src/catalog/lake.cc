#include "catalog/lake.h"

#include <algorithm>

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
  location.fs = root_.fs;
  location.root = root_.Join(name.RelativePath());
  location.display_name = name.ToString();
  return location;
}

arrow::Result<std::vector<std::string>> Lake::ListTables(const std::optional<std::string>& zone) const {
  std::vector<std::string> zones;
  if (zone) {
    ARROW_RETURN_NOT_OK(TableName::ValidatePart(*zone, "zone"));
    zones.push_back(*zone);
  } else {
    arrow::fs::FileSelector selector;
    selector.base_dir = root_.path;
    ARROW_ASSIGN_OR_RAISE(auto entries, root_.fs->GetFileInfo(selector));
    for (const auto& e : entries) {
      if (e.IsDirectory() && TableName::ValidatePart(e.base_name(), "zone").ok()) zones.push_back(e.base_name());
    }
  }
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
  }
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace tidelake::catalog
