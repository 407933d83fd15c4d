// Where tables live: resolves a lake or table location (a local path, file:// URI, or any URI
// arrow::fs understands, such as s3:// or abfs://) to an arrow::fs::FileSystem and a path in it,
// and offers the few whole-file operations the layers above need.
//
// Paths handed to the filesystem are always '/'-separated and never end in '/'.
#pragma once

#include <arrow/filesystem/filesystem.h>
#include <arrow/result.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace tidelake::io {

struct Location {
  std::shared_ptr<arrow::fs::FileSystem> fs;
  std::string path;  ///< path within fs (absolute for the local filesystem)

  bool IsLocal() const;
  /// Joins a relative, already-decoded path onto this location.
  std::string Join(std::string_view relative) const;
};

/// Resolves "path", "file:///path", "s3://bucket/key", ... Local paths are made absolute.
arrow::Result<Location> ResolveLocation(const std::string& uri_or_path);

/// Reads a whole file into a string.
arrow::Result<std::string> ReadFile(arrow::fs::FileSystem& fs, const std::string& path);

/// Writes a whole file (replacing it), creating parent directories.
arrow::Status WriteFile(arrow::fs::FileSystem& fs, const std::string& path, std::string_view data);

/// A regular file found by ListFiles. Where the filesystem lists names without a metadata call
/// per entry (the local filesystem), `size` and `mtime_ms` are -1, meaning unknown: ask
/// FileModificationTimeMs (or fs.GetFileInfo) for the few entries that need them.
struct DirectoryEntry {
  std::string path;  ///< full path in the filesystem
  std::string name;  ///< the last path component
  int64_t size = -1;
  int64_t mtime_ms = -1;
};

/// The regular files directly inside `dir`, in no particular order. On the local filesystem
/// this reads names only, so listing a `_delta_log` of 20,000 files costs no 20,000 stat calls.
arrow::Result<std::vector<DirectoryEntry>> ListFiles(arrow::fs::FileSystem& fs, const std::string& dir);

/// `entry.mtime_ms` when known, else the file's modification time from the filesystem.
arrow::Result<int64_t> FileModificationTimeMs(arrow::fs::FileSystem& fs, const DirectoryEntry& entry);

/// Joins two '/'-separated path pieces.
std::string JoinPath(std::string_view base, std::string_view relative);

}  // namespace tidelake::io
