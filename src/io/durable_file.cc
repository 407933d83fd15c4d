#include "io/durable_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <set>
#include <thread>

namespace tidelake::io {

namespace {

// At most this many fsyncs in flight: enough to keep a device's queue busy, few threads.
constexpr size_t kMaxConcurrentSyncs = 8;

struct SyncTarget {
  std::string path;
  bool directory = false;
  bool drop_cached = false;
};

arrow::Status Fsync(const SyncTarget& target) {
  const char* what = target.directory ? "directory" : "file";
  const int fd = ::open(target.path.c_str(), O_RDONLY | O_CLOEXEC | (target.directory ? O_DIRECTORY : 0));
  if (fd < 0) {
    return arrow::Status::IOError("cannot open ", what, " '", target.path, "' to sync it: ", std::strerror(errno));
  }
  const int synced = ::fsync(fd);
  const int error = errno;
  // Only clean pages can be dropped, so this follows the fsync; it is advice, never an error.
  if (synced == 0 && target.drop_cached) ::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
  ::close(fd);
  if (synced != 0) return arrow::Status::IOError("cannot fsync ", what, " '", target.path, "': ", std::strerror(error));
  return arrow::Status::OK();
}

}  // namespace

arrow::Status SyncWrittenFiles(const arrow::fs::FileSystem& fs, const std::vector<std::string>& paths,
                               AfterSync after) {
  if (fs.type_name() != "local" || paths.empty()) return arrow::Status::OK();
  std::vector<SyncTarget> targets;
  std::set<std::string> directories;
  for (const auto& path : paths) {
    targets.push_back({path, false, after == AfterSync::kDropCached});
    const auto slash = path.rfind('/');
    directories.insert(slash == std::string::npos ? "." : path.substr(0, slash));
  }
  for (const auto& dir : directories) targets.push_back({dir, true, false});

  // Workers take targets in order; the calling thread is one of them.
  std::vector<arrow::Status> results(targets.size());
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next++; i < targets.size(); i = next++) results[i] = Fsync(targets[i]);
  };
  std::vector<std::thread> helpers;
  const size_t workers = std::min(targets.size(), kMaxConcurrentSyncs);
  for (size_t i = 1; i < workers; ++i) helpers.emplace_back(work);
  work();
  for (auto& t : helpers) t.join();
  for (const auto& st : results) ARROW_RETURN_NOT_OK(st);
  return arrow::Status::OK();
}

}  // namespace tidelake::io
