// Wall-clock time as the Delta log records it: milliseconds since the Unix epoch.
#pragma once

#include <chrono>
#include <cstdint>

namespace tidelake {

inline int64_t NowMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace tidelake
