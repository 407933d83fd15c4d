// The memory of one query. Every allocation a query makes through Arrow (Acero's operators,
// the table scans, our own operators and their scratch space) goes through one
// QueryMemoryPool, which refuses an allocation that would take the query past its limit with
// a clean arrow::Status::OutOfMemory naming the limit and who set it. A query that needs too
// much memory fails; the process is never OOM-killed for it. (Spilling to disk, when it
// comes, hooks in where an operator gets this error: the sort and window operators and
// Acero's hash join / aggregate accumulators.)
//
// Lifetime: result batches handed to the caller keep pointers to the pool that allocated
// them, and callers may keep batches after the query's reader is gone. So the pool is owned
// through a shared_ptr whose deleter only *releases* the owner's reference: the object frees
// itself when the owner is gone and the last buffer it allocated has been freed.
//
// Thread safety: every method may be called from any thread (counters are atomics).
#pragma once

#include <arrow/memory_pool.h>
#include <arrow/status.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

namespace tidelake::exec {

class QueryMemoryPool final : public arrow::MemoryPool {
 public:
  /// `limit_bytes` <= 0 means no limit. `limit_source` says where the limit came from
  /// ("the session setting memory_limit"); it appears in the error message.
  static std::shared_ptr<QueryMemoryPool> Make(int64_t limit_bytes, std::string limit_source,
                                               arrow::MemoryPool* base = arrow::default_memory_pool());

  arrow::Status Allocate(int64_t size, int64_t alignment, uint8_t** out) override;
  arrow::Status Reallocate(int64_t old_size, int64_t new_size, int64_t alignment, uint8_t** ptr) override;
  void Free(uint8_t* buffer, int64_t size, int64_t alignment) override;

  int64_t bytes_allocated() const override { return bytes_.load(); }
  int64_t max_memory() const override { return max_.load(); }
  int64_t total_bytes_allocated() const override { return total_.load(); }
  int64_t num_allocations() const override { return num_allocations_.load(); }
  std::string backend_name() const override { return base_->backend_name(); }

  /// Accounts for `bytes` an operator holds outside Arrow buffers (std containers); fails
  /// like an allocation would. Pair with Release.
  arrow::Status Reserve(int64_t bytes);
  void Release(int64_t bytes);

  int64_t limit() const { return limit_; }
  /// True once an allocation has been refused: the query is failing.
  bool exhausted() const { return exhausted_.load(); }
  /// The error of the first refused allocation (OK while none was).
  arrow::Status first_refusal() const;

 private:
  QueryMemoryPool(int64_t limit, std::string source, arrow::MemoryPool* base)
      : limit_(limit), source_(std::move(source)), base_(base) {}
  ~QueryMemoryPool() override = default;

  // Adds `delta` bytes if that stays within the limit.
  arrow::Status Charge(int64_t delta);
  // Drops one reference (the owner's, or a live allocation's); the last one deletes.
  void Unref();

  const int64_t limit_;
  const std::string source_;
  arrow::MemoryPool* const base_;
  std::atomic<int64_t> bytes_{0};
  std::atomic<int64_t> max_{0};
  std::atomic<int64_t> total_{0};
  std::atomic<int64_t> num_allocations_{0};
  std::atomic<bool> exhausted_{false};
  mutable std::mutex refusal_mutex_;
  arrow::Status first_refusal_;
  // Live non-empty allocations plus one for the owner.
  std::atomic<int64_t> refs_{1};
};

/// "4.0 GiB", "512.0 MiB", "17 bytes".
std::string FormatBytes(int64_t bytes);

}  // namespace tidelake::exec
