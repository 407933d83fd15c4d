#include "exec/memory_limit.h"

#include <arrow/buffer.h>
#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace tidelake::exec {
namespace {

TEST(QueryMemoryPoolTest, FormatsSizes) {
  EXPECT_EQ(FormatBytes(17), "17 bytes");
  EXPECT_EQ(FormatBytes(1), "1 byte");
  EXPECT_EQ(FormatBytes(1536), "1.5 KiB");
  EXPECT_EQ(FormatBytes(4LL << 30), "4.0 GiB");
  EXPECT_EQ(FormatBytes(512LL << 20), "512.0 MiB");
}

TEST(QueryMemoryPoolTest, RefusesAllocationsPastTheLimit) {
  auto pool = QueryMemoryPool::Make(1 << 20, "the test");
  auto small = arrow::AllocateBuffer(512 << 10, pool.get());
  ASSERT_TRUE(small.ok());
  EXPECT_EQ(pool->bytes_allocated(), 512 << 10);
  auto big = arrow::AllocateBuffer(600 << 10, pool.get());
  ASSERT_FALSE(big.ok());
  EXPECT_TRUE(big.status().IsOutOfMemory());
  EXPECT_EQ(big.status().message(),
            "the query needs more than the memory limit of 1.0 MiB (set by the test): 512.0 KiB in use, "
            "600.0 KiB more requested");
  // The refused allocation is not counted; the refusal is remembered.
  EXPECT_EQ(pool->bytes_allocated(), 512 << 10);
  EXPECT_TRUE(pool->exhausted());
  EXPECT_EQ(pool->first_refusal().message(), big.status().message());
  small->reset();
  EXPECT_EQ(pool->bytes_allocated(), 0);
  auto again = arrow::AllocateBuffer(600 << 10, pool.get());
  EXPECT_TRUE(again.ok());
  EXPECT_EQ(pool->max_memory(), 600 << 10);
}

TEST(QueryMemoryPoolTest, ReallocateChargesTheDifference) {
  auto pool = QueryMemoryPool::Make(1000, "the test");
  auto buffer = arrow::AllocateResizableBuffer(100, pool.get());
  ASSERT_TRUE(buffer.ok());
  ASSERT_TRUE((*buffer)->Resize(900).ok());
  EXPECT_GE(pool->bytes_allocated(), 900);
  auto st = (*buffer)->Resize(5000);
  EXPECT_TRUE(st.IsOutOfMemory()) << st.ToString();
  ASSERT_TRUE((*buffer)->Resize(10, /*shrink_to_fit=*/true).ok());
  EXPECT_LT(pool->bytes_allocated(), 100);
}

TEST(QueryMemoryPoolTest, ReserveAndRelease) {
  auto pool = QueryMemoryPool::Make(1000, "the test");
  ASSERT_TRUE(pool->Reserve(800).ok());
  EXPECT_TRUE(pool->Reserve(300).IsOutOfMemory());
  pool->Release(800);
  EXPECT_TRUE(pool->Reserve(300).ok());
  pool->Release(300);
  EXPECT_EQ(pool->bytes_allocated(), 0);
}

TEST(QueryMemoryPoolTest, NoLimitWhenZero) {
  auto pool = QueryMemoryPool::Make(0, "the test");
  auto buffer = arrow::AllocateBuffer(64 << 20, pool.get());
  EXPECT_TRUE(buffer.ok());
}

TEST(QueryMemoryPoolTest, BuffersOutliveTheirOwner) {
  std::shared_ptr<arrow::Buffer> kept;
  {
    auto pool = QueryMemoryPool::Make(1 << 20, "the test");
    auto buffer = arrow::AllocateBuffer(1000, pool.get());
    ASSERT_TRUE(buffer.ok());
    kept = std::move(*buffer);
  }
  // The pool is still alive for the buffer (ASan would report a use after free otherwise).
  kept->mutable_data()[0] = 1;
  kept.reset();
}

TEST(QueryMemoryPoolTest, EmptyBuffersOutliveTheirOwner) {
  // Arrow frees a zero-sized buffer through its pool too; the pool must still be there.
  std::shared_ptr<arrow::Buffer> kept, resized;
  {
    auto pool = QueryMemoryPool::Make(1 << 20, "the test");
    auto empty = arrow::AllocateBuffer(0, pool.get());
    ASSERT_TRUE(empty.ok());
    kept = std::move(*empty);
    auto shrunk = arrow::AllocateResizableBuffer(100, pool.get());
    ASSERT_TRUE(shrunk.ok());
    ASSERT_TRUE((*shrunk)->Resize(0, /*shrink_to_fit=*/true).ok());
    resized = std::move(*shrunk);
  }
  kept.reset();
  resized.reset();
}

TEST(QueryMemoryPoolTest, ConcurrentAllocations) {
  auto pool = QueryMemoryPool::Make(1 << 30, "the test");
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) {
        auto buffer = arrow::AllocateBuffer(1000 + i, pool.get());
        ASSERT_TRUE(buffer.ok());
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(pool->bytes_allocated(), 0);
  EXPECT_EQ(pool->num_allocations(), 4000);
}

}  // namespace
}  // namespace tidelake::exec
