#include "io/filesystem.h"

#include <arrow/filesystem/localfs.h>
#include <arrow/io/interfaces.h>

#include <dirent.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>

namespace tidelake::io {

bool Location::IsLocal() const { return fs && fs->type_name() == "local"; }

std::string Location::Join(std::string_view relative) const { return JoinPath(path, relative); }

std::string JoinPath(std::string_view base, std::string_view relative) {
  if (base.empty()) return std::string(relative);
  if (relative.empty()) return std::string(base);
  std::string out(base);
  if (out.back() != '/') out += '/';
  while (!relative.empty() && relative.front() == '/') relative.remove_prefix(1);
  out += relative;
  return out;
}

arrow::Result<Location> ResolveLocation(const std::string& uri_or_path) {
  if (uri_or_path.empty()) return arrow::Status::Invalid("empty table or lake location");
  Location loc;
  if (uri_or_path.find("://") != std::string::npos || uri_or_path.rfind("file:", 0) == 0) {
    ARROW_ASSIGN_OR_RAISE(loc.fs, arrow::fs::FileSystemFromUri(uri_or_path, &loc.path));
  } else {
    std::error_code ec;
    auto absolute = std::filesystem::absolute(uri_or_path, ec);
    if (ec) return arrow::Status::IOError("cannot resolve path '", uri_or_path, "': ", ec.message());
    loc.fs = std::make_shared<arrow::fs::LocalFileSystem>();
    loc.path = absolute.lexically_normal().generic_string();
  }
  while (loc.path.size() > 1 && loc.path.back() == '/') loc.path.pop_back();
  return loc;
}

namespace {

int64_t ToMillis(arrow::fs::TimePoint time) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count();
}

}  // namespace

arrow::Result<std::vector<DirectoryEntry>> ListFiles(arrow::fs::FileSystem& fs, const std::string& dir) {
  std::vector<DirectoryEntry> out;
  if (fs.type_name() == "local") {
    DIR* handle = opendir(dir.c_str());
    if (handle == nullptr) {
      return arrow::Status::IOError("cannot list '", dir, "': ", std::strerror(errno));
    }
    std::unique_ptr<DIR, int (*)(DIR*)> closer(handle, closedir);
    errno = 0;
    while (const dirent* entry = readdir(handle)) {
      std::string_view name = entry->d_name;
      if (name == "." || name == "..") continue;
      std::string path = JoinPath(dir, name);
      bool regular = entry->d_type == DT_REG;
      if (entry->d_type == DT_UNKNOWN || entry->d_type == DT_LNK) {  // the filesystem did not say
        std::error_code ec;
        regular = std::filesystem::is_regular_file(path, ec);
      }
      if (regular) out.push_back({std::move(path), std::string(name)});
      errno = 0;
    }
    if (errno != 0) return arrow::Status::IOError("cannot list '", dir, "': ", std::strerror(errno));
    return out;
  }
  arrow::fs::FileSelector selector;
  selector.base_dir = dir;
  ARROW_ASSIGN_OR_RAISE(auto infos, fs.GetFileInfo(selector));
  for (const auto& info : infos) {
    if (info.type() != arrow::fs::FileType::File) continue;
    out.push_back({info.path(), info.base_name(), info.size(), ToMillis(info.mtime())});
  }
  return out;
}

arrow::Result<int64_t> FileModificationTimeMs(arrow::fs::FileSystem& fs, const DirectoryEntry& entry) {
  if (entry.mtime_ms >= 0) return entry.mtime_ms;
  ARROW_ASSIGN_OR_RAISE(auto info, fs.GetFileInfo(entry.path));
  if (info.type() != arrow::fs::FileType::File) {
    return arrow::Status::IOError("file '", entry.path, "' disappeared");
  }
  return ToMillis(info.mtime());
}

arrow::Result<std::string> ReadFile(arrow::fs::FileSystem& fs, const std::string& path) {
  ARROW_ASSIGN_OR_RAISE(auto file, fs.OpenInputFile(path));
  ARROW_ASSIGN_OR_RAISE(int64_t size, file->GetSize());
  std::string out(static_cast<size_t>(size), '\0');
  ARROW_ASSIGN_OR_RAISE(int64_t read, file->ReadAt(0, size, out.data()));
  out.resize(static_cast<size_t>(read));
  ARROW_RETURN_NOT_OK(file->Close());
  return out;
}

arrow::Status WriteFile(arrow::fs::FileSystem& fs, const std::string& path, std::string_view data) {
  auto slash = path.rfind('/');
  if (slash != std::string::npos && slash > 0) {
    ARROW_RETURN_NOT_OK(fs.CreateDir(path.substr(0, slash), /*recursive=*/true));
  }
  ARROW_ASSIGN_OR_RAISE(auto out, fs.OpenOutputStream(path));
  ARROW_RETURN_NOT_OK(out->Write(data.data(), static_cast<int64_t>(data.size())));
  return out->Close();
}

}  // namespace tidelake::io
