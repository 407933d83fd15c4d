#include "io/durable_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace tidelake::io {

namespace {

arrow::Status Fsync(const std::string& path, int flags, const char* what) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | flags);
  if (fd < 0) return arrow::Status::IOError("cannot open ", what, " '", path, "' to sync it: ", std::strerror(errno));
  const int synced = ::fsync(fd);
  const int error = errno;
  ::close(fd);
  if (synced != 0) return arrow::Status::IOError("cannot fsync ", what, " '", path, "': ", std::strerror(error));
  return arrow::Status::OK();
}

}  // namespace

arrow::Status SyncWrittenFile(const arrow::fs::FileSystem& fs, const std::string& path) {
  if (fs.type_name() != "local") return arrow::Status::OK();
  ARROW_RETURN_NOT_OK(Fsync(path, 0, "file"));
  const auto slash = path.rfind('/');
  return Fsync(slash == std::string::npos ? "." : path.substr(0, slash), O_DIRECTORY, "directory");
}

}  // namespace tidelake::io
