// One-time process setup of Arrow: since Arrow 21 the compute kernels (used by scans,
// filters, casts and writers) live in libarrow_compute and must be registered once before
// use. Every library entry point that evaluates expressions calls EnsureArrowInitialized();
// it is cheap after the first call and safe from any thread.
#pragma once

#include <arrow/status.h>

namespace tidelake {

arrow::Status EnsureArrowInitialized();

}  // namespace tidelake
