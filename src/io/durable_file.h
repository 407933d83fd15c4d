// Making written data files durable before a commit names them. A write to an object store is
// durable once it completes; on the local filesystem a file's bytes, and its name in its
// directory, survive a crash only once fsynced (the Delta log's own files are fsynced by
// io::LogStore). Thread-safe.
#pragma once

#include <arrow/filesystem/filesystem.h>
#include <arrow/status.h>

#include <string>
#include <vector>

namespace tidelake::io {

/// What becomes of a synced file's pages in the OS page cache.
enum class AfterSync {
  kKeepCached,
  /// Dropped (POSIX_FADV_DONTNEED): for a continuous writer, whose files are seldom read back
  /// soon. The cache pages it frees serve its next files, where fresh pages would each cost
  /// the kernel an allocation and, on a VM whose host reclaims free guest memory, a host fault.
  kDropCached,
};

/// Fsyncs the closed files at `paths` and each of their directories (once each) on the local
/// filesystem; nothing on others. The fsyncs run concurrently, so their waits on the device
/// overlap: one file costs about one fsync, not two. Fails naming the first path that failed.
arrow::Status SyncWrittenFiles(const arrow::fs::FileSystem& fs, const std::vector<std::string>& paths,
                               AfterSync after = AfterSync::kKeepCached);

}  // namespace tidelake::io
