// SyncWrittenFiles: every file and directory synced, failures named by path.
#include "io/durable_file.h"

#include <arrow/filesystem/localfs.h>
#include <arrow/filesystem/mockfs.h>
#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <linux/magic.h>

namespace tidelake::io {
namespace {

namespace fs = std::filesystem;

class DurableFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("tidelake-durable-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "a");
    fs::create_directories(dir_ / "b");
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string File(const std::string& name) {
    std::ofstream(dir_ / name) << "rows of " << name;
    return (dir_ / name).string();
  }

  fs::path dir_;
  arrow::fs::LocalFileSystem local_;
};

TEST_F(DurableFileTest, SyncsFilesInSeveralDirectories) {
  std::vector<std::string> paths;
  for (int i = 0; i < 20; ++i) paths.push_back(File((i % 2 ? "a/" : "b/") + std::to_string(i) + ".parquet"));
  EXPECT_TRUE(SyncWrittenFiles(local_, paths).ok());
  EXPECT_TRUE(SyncWrittenFiles(local_, {}).ok());
}

// How many of the file's pages are in the page cache (mincore on a mapping of it).
size_t CachedPages(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  const size_t size = fs::file_size(path);
  void* map = ::mmap(nullptr, size, PROT_READ, MAP_SHARED, fd, 0);
  ::close(fd);
  const size_t page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  std::vector<unsigned char> resident((size + page - 1) / page);
  size_t cached = 0;
  if (map != MAP_FAILED && ::mincore(map, size, resident.data()) == 0) {
    for (unsigned char r : resident) cached += r & 1;
  }
  if (map != MAP_FAILED) ::munmap(map, size);
  return cached;
}

TEST_F(DurableFileTest, AContinuousWritersFilesLeaveThePageCacheOnceSynced) {
  struct statfs where;
  ASSERT_EQ(::statfs(dir_.c_str(), &where), 0);
  if (where.f_type == TMPFS_MAGIC) GTEST_SKIP() << "a tmpfs file lives in the page cache";
  const std::string kept = (dir_ / "a" / "kept.parquet").string();
  const std::string dropped = (dir_ / "b" / "dropped.parquet").string();
  for (const auto& path : {kept, dropped}) std::ofstream(path) << std::string(1 << 20, 'x');
  ASSERT_TRUE(SyncWrittenFiles(local_, {kept}).ok());
  ASSERT_TRUE(SyncWrittenFiles(local_, {dropped}, AfterSync::kDropCached).ok());
  EXPECT_GT(CachedPages(kept), 0u);
  EXPECT_EQ(CachedPages(dropped), 0u);
}

TEST_F(DurableFileTest, AMissingFileIsNamed) {
  auto status = SyncWrittenFiles(local_, {File("a/1.parquet"), (dir_ / "a" / "gone.parquet").string()});
  ASSERT_FALSE(status.ok());
  EXPECT_TRUE(status.IsIOError());
  EXPECT_NE(status.message().find("cannot open file '" + (dir_ / "a" / "gone.parquet").string() + "' to sync it"),
            std::string::npos)
      << status.message();
}

TEST_F(DurableFileTest, OtherFilesystemsNeedNoSync) {
  arrow::fs::internal::MockFileSystem mock(arrow::fs::kNoTime);
  EXPECT_TRUE(SyncWrittenFiles(mock, {"nowhere/1.parquet"}).ok());
}

}  // namespace
}  // namespace tidelake::io
