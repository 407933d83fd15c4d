#include "io/log_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>

#include "io/filesystem.h"

namespace tidelake::io {

namespace {

std::string TempNameFor(const std::string& path) {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  auto slash = path.rfind('/');
  std::string dir = slash == std::string::npos ? "" : path.substr(0, slash + 1);
  std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  char suffix[17];
  std::snprintf(suffix, sizeof(suffix), "%016llx", static_cast<unsigned long long>(rng()));
  return dir + "." + base + "." + suffix + ".tmp";
}

arrow::Status ErrnoStatus(const char* what, const std::string& path) {
  return arrow::Status::IOError(what, " '", path, "': ", std::strerror(errno));
}

// Writes and fsyncs a new file; the caller publishes it.
arrow::Status WriteDurable(const std::string& path, std::string_view data) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoStatus("cannot create", path);
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      auto st = ErrnoStatus("cannot write", path);
      ::close(fd);
      ::unlink(path.c_str());
      return st;
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) {
    auto st = ErrnoStatus("cannot fsync", path);
    ::close(fd);
    ::unlink(path.c_str());
    return st;
  }
  ::close(fd);
  return arrow::Status::OK();
}

void SyncDirectoryOf(const std::string& path) {
  auto slash = path.rfind('/');
  std::string dir = slash == std::string::npos ? "." : path.substr(0, slash);
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

}  // namespace

LogStore::LogStore(std::shared_ptr<arrow::fs::FileSystem> fs)
    : local_(fs->type_name() == "local"), fs_(std::move(fs)) {}

arrow::Status LogStore::PutIfAbsent(const std::string& path, std::string_view data) const {
  if (!local_) {
    ARROW_ASSIGN_OR_RAISE(auto info, fs_->GetFileInfo(path));
    if (info.type() != arrow::fs::FileType::NotFound) {
      return arrow::Status::AlreadyExists("'", path, "' already exists");
    }
    return WriteFile(*fs_, path, data);
  }
  std::string temp = TempNameFor(path);
  ARROW_RETURN_NOT_OK(WriteDurable(temp, data));
  int rc = ::link(temp.c_str(), path.c_str());
  int link_errno = errno;
  ::unlink(temp.c_str());
  if (rc != 0) {
    if (link_errno == EEXIST) return arrow::Status::AlreadyExists("'", path, "' already exists");
    errno = link_errno;
    return ErrnoStatus("cannot publish", path);
  }
  SyncDirectoryOf(path);
  return arrow::Status::OK();
}

arrow::Status LogStore::PutAtomic(const std::string& path, std::string_view data) const {
  if (!local_) return WriteFile(*fs_, path, data);
  std::string temp = TempNameFor(path);
  ARROW_RETURN_NOT_OK(WriteDurable(temp, data));
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    auto st = ErrnoStatus("cannot rename into", path);
    ::unlink(temp.c_str());
    return st;
  }
  SyncDirectoryOf(path);
  return arrow::Status::OK();
}

}  // namespace tidelake::io
