#include "cli/long_run_memory.h"

#include <limits.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <iostream>

namespace tidelake::cli {

void KeepFreedMemory(char** argv) {
  if (std::getenv("MIMALLOC_PURGE_DELAY") != nullptr) return;  // set by the user, or already started again
  if (const char* pool = std::getenv("ARROW_DEFAULT_MEMORY_POOL"); pool != nullptr && std::strcmp(pool, "mimalloc")) {
    return;
  }
  // The executable's own path (not /proc/self/exe), so that the process keeps its name.
  char path[PATH_MAX];
  const ssize_t length = ::readlink("/proc/self/exe", path, sizeof(path) - 1);
  if (length <= 0) return;
  path[length] = '\0';
  if (::setenv("MIMALLOC_PURGE_DELAY", "-1", /*overwrite=*/1) != 0) return;
  std::cout.flush();
  std::cerr.flush();
  ::execv(path, argv);
  // Not started again: go on as we are, with the variable set for any child.
}

}  // namespace tidelake::cli
