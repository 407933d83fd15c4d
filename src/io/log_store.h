// The one storage primitive the Delta commit protocol needs beyond plain files: publishing a
// file atomically and only if no file of that name exists (mutual exclusion on a commit
// version). On the local filesystem this is a fully written, fsynced temporary file that is
// hard-linked to its final name (link(2) fails with EEXIST if the name is taken), so readers see
// either the whole commit or none of it, even if the writer is killed mid-write.
//
// Other filesystems (S3, ADLS through arrow::fs) get a check-then-write fallback, which is not
// safe against concurrent writers; the Lake refuses concurrent writers there (documented).
#pragma once

#include <arrow/filesystem/filesystem.h>
#include <arrow/result.h>

#include <memory>
#include <string>
#include <string_view>

namespace tidelake::io {

class LogStore {
 public:
  explicit LogStore(std::shared_ptr<arrow::fs::FileSystem> fs);

  /// Writes `data` to `path` if and only if no file exists there. Returns an AlreadyExists
  /// status when another writer got there first.
  arrow::Status PutIfAbsent(const std::string& path, std::string_view data) const;

  /// Replaces the file at `path` atomically (temporary file + rename).
  arrow::Status PutAtomic(const std::string& path, std::string_view data) const;

  const std::shared_ptr<arrow::fs::FileSystem>& fs() const { return fs_; }

 private:
  bool local_;
  std::shared_ptr<arrow::fs::FileSystem> fs_;
};

}  // namespace tidelake::io
