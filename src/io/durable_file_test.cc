// SyncWrittenFiles: every file and directory synced, failures named by path.
#include "io/durable_file.h"

#include <arrow/filesystem/localfs.h>
#include <arrow/filesystem/mockfs.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

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
