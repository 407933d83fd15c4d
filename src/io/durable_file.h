// Making a written data file durable before a commit names it. A write to an object store is
// durable once it completes; on the local filesystem a file's bytes, and its name in its
// directory, survive a crash only once fsynced (the Delta log's own files are fsynced by
// io::LogStore). Thread-safe.
#pragma once

#include <arrow/filesystem/filesystem.h>
#include <arrow/status.h>

#include <string>

namespace tidelake::io {

/// Fsyncs the closed file at `path` and its directory on the local filesystem; nothing on others.
arrow::Status SyncWrittenFile(const arrow::fs::FileSystem& fs, const std::string& path);

}  // namespace tidelake::io
