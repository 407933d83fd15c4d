#include "common/arrow_init.h"

#include <arrow/compute/initialize.h>

#include <mutex>

namespace tidelake {

arrow::Status EnsureArrowInitialized() {
  static std::once_flag once;
  static arrow::Status status;
  std::call_once(once, [] { status = arrow::compute::Initialize(); });
  return status;
}

}  // namespace tidelake
