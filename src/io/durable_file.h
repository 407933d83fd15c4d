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

/// Fsyncs the closed files at `paths` and each of their directories (once each) on the local
/// filesystem; nothing on others. The fsyncs run concurrently, so their waits on the device
/// overlap: one file costs about one fsync, not two. Fails naming the first path that failed.
arrow::Status SyncWrittenFiles(const arrow::fs::FileSystem& fs, const std::vector<std::string>& paths);

}  // namespace tidelake::io
