#include "delta/change_data_feed.h"

#include <arrow/api.h>
#include <arrow/compute/api.h>
#include <arrow/filesystem/localfs.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <map>

#include "delta/delete.h"
#include "delta/table.h"

namespace tidelake::delta {
namespace {

namespace cp = arrow::compute;

std::map<std::pair<int64_t, std::string>, int> CountByVersionAndType(const arrow::Table& changes) {
  std::map<std::pair<int64_t, std::string>, int> counts;
  auto versions = changes.GetColumnByName("_commit_version");
  auto types = changes.GetColumnByName("_change_type");
  for (int64_t i = 0; i < changes.num_rows(); ++i) {
    auto v = versions->GetScalar(i);
    auto t = types->GetScalar(i);
    ++counts[{std::static_pointer_cast<arrow::Int64Scalar>(*v)->value,
              std::static_pointer_cast<arrow::StringScalar>(*t)->ToString()}];
  }
  return counts;
}

TEST(ChangeDataFeed, ReadsSparkChangeDataFiles) {
  std::string root = std::string(TIDELAKE_TESTDATA_DIR) + "/delta/delta-rs/cdf-table";
  TableLocation location{std::make_shared<arrow::fs::LocalFileSystem>(), root, "cdf-table"};
  auto changes = ReadChanges(location, 0);
  ASSERT_TRUE(changes.ok()) << changes.status().ToString();
  // The same counts delta-rs's load_cdf gives for this table.
  std::map<std::pair<int64_t, std::string>, int> expected{
      {{0, "insert"}, 10},         {{1, "update_preimage"}, 3}, {{1, "update_postimage"}, 3},
      {{2, "update_preimage"}, 3}, {{2, "update_postimage"}, 3}, {{3, "delete"}, 1}};
  EXPECT_EQ(CountByVersionAndType(**changes), expected);
  EXPECT_NE((*changes)->schema()->GetFieldByName("birthday"), nullptr);
}

TEST(ChangeDataFeed, OurDeletesAndAppendsAppearInTheFeed) {
  auto dir = std::filesystem::temp_directory_path() / ("tidelake-cdf-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  TableLocation location{std::make_shared<arrow::fs::LocalFileSystem>(), dir.string(), "cdf"};
  arrow::Int64Builder ids;
  for (int64_t i = 0; i < 10; ++i) ASSERT_TRUE(ids.Append(i).ok());
  std::shared_ptr<arrow::Array> id_array;
  ASSERT_TRUE(ids.Finish(&id_array).ok());
  auto table = arrow::Table::Make(arrow::schema({arrow::field("id", arrow::int64())}), {id_array});
  arrow::TableBatchReader reader(table);
  WriteOptions options;
  options.properties = {{"delta.enableChangeDataFeed", "true"}};
  ASSERT_TRUE(DeltaTable::Write(location, reader, options).ok());
  auto deleted = DeleteRows(location, cp::less(cp::field_ref("id"), cp::literal(int64_t{3})));
  ASSERT_TRUE(deleted.ok()) << deleted.status().ToString();
  auto changes = ReadChanges(location, 0);
  ASSERT_TRUE(changes.ok()) << changes.status().ToString();
  std::map<std::pair<int64_t, std::string>, int> expected{{{0, "insert"}, 10}, {{1, "delete"}, 3}};
  EXPECT_EQ(CountByVersionAndType(**changes), expected);
  auto out_of_range = ReadChanges(location, 5);
  EXPECT_FALSE(out_of_range.ok());
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace tidelake::delta
