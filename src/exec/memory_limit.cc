#include "exec/memory_limit.h"

#include <cstdio>

namespace tidelake::exec {

std::string FormatBytes(int64_t bytes) {
  static const char* kUnits[] = {"KiB", "MiB", "GiB", "TiB", "PiB"};
  if (bytes < 1024) return std::to_string(bytes) + (bytes == 1 ? " byte" : " bytes");
  double value = static_cast<double>(bytes);
  int unit = -1;
  while (value >= 1024.0 && unit < 4) {
    value /= 1024.0;
    ++unit;
  }
  char text[64];
  std::snprintf(text, sizeof(text), "%.1f %s", value, kUnits[unit]);
  return text;
}

std::shared_ptr<QueryMemoryPool> QueryMemoryPool::Make(int64_t limit_bytes, std::string limit_source,
                                                       arrow::MemoryPool* base) {
  auto* pool = new QueryMemoryPool(limit_bytes, std::move(limit_source), base);
  return std::shared_ptr<QueryMemoryPool>(pool, [](QueryMemoryPool* p) { p->Unref(); });
}

void QueryMemoryPool::Unref() {
  if (refs_.fetch_sub(1) == 1) delete this;
}

arrow::Status QueryMemoryPool::Charge(int64_t delta) {
  int64_t now = bytes_.fetch_add(delta) + delta;
  if (limit_ > 0 && delta > 0 && now > limit_) {
    bytes_.fetch_sub(delta);
    auto refusal = arrow::Status::OutOfMemory("the query needs more than the memory limit of ", FormatBytes(limit_),
                                              " (set by ", source_, "): ", FormatBytes(now - delta), " in use, ",
                                              FormatBytes(delta), " more requested");
    {
      std::lock_guard<std::mutex> lock(refusal_mutex_);
      if (first_refusal_.ok()) first_refusal_ = refusal;
    }
    exhausted_.store(true);
    return refusal;
  }
  int64_t seen = max_.load();
  while (now > seen && !max_.compare_exchange_weak(seen, now)) {
  }
  return arrow::Status::OK();
}

arrow::Status QueryMemoryPool::Allocate(int64_t size, int64_t alignment, uint8_t** out) {
  ARROW_RETURN_NOT_OK(Charge(size));
  arrow::Status st = base_->Allocate(size, alignment, out);
  if (!st.ok()) {
    bytes_.fetch_sub(size);
    return st;
  }
  total_.fetch_add(size);
  num_allocations_.fetch_add(1);
  // Every allocation holds a reference, zero-sized ones too: Arrow frees those through the
  // pool as well (Free(ptr, 0)), possibly after the query's owner let go.
  refs_.fetch_add(1);
  return st;
}

arrow::Status QueryMemoryPool::Reallocate(int64_t old_size, int64_t new_size, int64_t alignment, uint8_t** ptr) {
  int64_t delta = new_size - old_size;
  ARROW_RETURN_NOT_OK(Charge(delta));
  arrow::Status st = base_->Reallocate(old_size, new_size, alignment, ptr);
  if (!st.ok()) {
    bytes_.fetch_sub(delta);
    return st;
  }
  if (delta > 0) total_.fetch_add(delta);
  num_allocations_.fetch_add(1);
  // The buffer lives on (whatever its size) and keeps its reference until Free.
  return st;
}

void QueryMemoryPool::Free(uint8_t* buffer, int64_t size, int64_t alignment) {
  base_->Free(buffer, size, alignment);
  bytes_.fetch_sub(size);
  Unref();
}

arrow::Status QueryMemoryPool::first_refusal() const {
  std::lock_guard<std::mutex> lock(refusal_mutex_);
  return first_refusal_;
}

arrow::Status QueryMemoryPool::Reserve(int64_t bytes) {
  if (bytes <= 0) return arrow::Status::OK();
  return Charge(bytes);
}

void QueryMemoryPool::Release(int64_t bytes) {
  if (bytes > 0) bytes_.fetch_sub(bytes);
}

}  // namespace tidelake::exec
