#include "delta/update.h"

#include <arrow/compute/api.h>
#include <gtest/gtest.h>

#include <set>

#include "delta/dml_test_util.h"

namespace tidelake::delta {
namespace {

namespace cp = arrow::compute;
using testing::Append;
using testing::Batch;
using testing::ReadLines;

class UpdateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::InitCompute();
    location_ = dir_.Location();
  }

  // Two files: ids 1-3 and ids 4-5.
  void CreateTable(WriteOptions options = {}) {
    Append(location_, Batch(schema_, R"([{"id":1,"name":"a","value":10},{"id":2,"name":"b","value":20},
                                         {"id":3,"name":"c","value":null}])"),
           options);
    Append(location_, Batch(schema_, R"([{"id":4,"name":"d","value":40},{"id":5,"name":"e","value":50}])"));
  }

  testing::TempTableDir dir_{"tidelake_update_"};
  TableLocation location_;
  std::shared_ptr<arrow::Schema> schema_ = arrow::schema({arrow::field("id", arrow::int64()),
                                                          arrow::field("name", arrow::utf8()),
                                                          arrow::field("value", arrow::int64())});
};

TEST_F(UpdateTest, CopyOnWriteRewritesOnlyFilesWithMatches) {
  CreateTable();
  auto before = Snapshot::Load(location_);
  ASSERT_TRUE(before.ok());
  auto result = UpdateRows(location_, cp::greater_equal(cp::field_ref("id"), cp::literal(int64_t{2})),
                           {{"value", cp::call("multiply", {cp::field_ref("value"), cp::literal(int64_t{10})})},
                            {"name", cp::literal("x")}});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  auto [metrics, version] = *result;
  EXPECT_EQ(version, 2);
  EXPECT_EQ(metrics.rows_updated, 4);
  EXPECT_EQ(metrics.rows_copied, 1);  // id 1 shares a file with ids 2 and 3
  EXPECT_EQ(metrics.files_removed, 2);
  EXPECT_EQ(metrics.deletion_vectors_added, 0);
  EXPECT_EQ(ReadLines(location_),
            (std::vector<std::string>{"1|a|10", "2|x|200", "3|x|null", "4|x|400", "5|x|500"}));

  auto info = testing::CommitInfoOf(location_, 2);
  EXPECT_EQ(info["operation"], "UPDATE");
  EXPECT_EQ(info["operationMetrics"]["numUpdatedRows"], "4");
  EXPECT_EQ(info["operationMetrics"]["numCopiedRows"], "1");
  EXPECT_EQ(info["operationMetrics"]["numRemovedFiles"], "2");
  EXPECT_NE(info["operationParameters"]["predicate"].get<std::string>().find("id"), std::string::npos);
}

TEST_F(UpdateTest, UntouchedFileIsKept) {
  CreateTable();
  auto before = Snapshot::Load(location_);
  ASSERT_TRUE(before.ok());
  auto result = UpdateRows(location_, cp::equal(cp::field_ref("id"), cp::literal(int64_t{5})),
                           {{"value", cp::literal(int64_t{0})}});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->first.files_removed, 1);
  auto removes = testing::ActionsOf<RemoveFile>(testing::CommitActions(location_, 2));
  ASSERT_EQ(removes.size(), 1u);
  ASSERT_TRUE(removes[0].stats.has_value());
  EXPECT_NE(removes[0].stats->find("\"numRecords\":2"), std::string::npos) << *removes[0].stats;
  // The file with ids 1-3 is still live, unchanged.
  auto after = Snapshot::Load(location_);
  ASSERT_TRUE(after.ok());
  int kept = 0;
  for (const auto& f : (*after)->files()) {
    for (const auto& g : (*before)->files()) kept += f.path == g.path;
  }
  EXPECT_EQ(kept, 1);
  EXPECT_EQ(ReadLines(location_, {"id", "value"}),
            (std::vector<std::string>{"1|10", "2|20", "3|null", "4|40", "5|0"}));
}

TEST_F(UpdateTest, NullPredicateDoesNotMatchAndValuesComeFromTheOldRow) {
  CreateTable();
  // value > 15 is NULL for id 3: that row must stay. Swapping name and a cast id reads the
  // old row for both assignments.
  auto result = UpdateRows(location_, cp::greater(cp::field_ref("value"), cp::literal(int64_t{15})),
                           {{"name", cp::call("cast", {cp::field_ref("id")}, cp::CastOptions::Safe(arrow::utf8()))},
                            {"id", cp::call("add", {cp::field_ref("id"), cp::literal(int64_t{100})})}});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->first.rows_updated, 3);
  EXPECT_EQ(ReadLines(location_),
            (std::vector<std::string>{"102|2|20", "104|4|40", "105|5|50", "1|a|10", "3|c|null"}));
}

TEST_F(UpdateTest, NoPredicateUpdatesEveryRowAndLiteralsAreCast) {
  CreateTable();
  // An int32 literal into a long column is cast.
  auto result = UpdateRows(location_, std::nullopt, {{"VALUE", cp::literal(int32_t{7})}});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->first.rows_updated, 5);
  EXPECT_EQ(result->first.rows_copied, 0);
  EXPECT_EQ(ReadLines(location_, {"value"}), (std::vector<std::string>{"7", "7", "7", "7", "7"}));
}

TEST_F(UpdateTest, NoMatchCommitsNothing) {
  CreateTable();
  auto result = UpdateRows(location_, cp::equal(cp::field_ref("id"), cp::literal(int64_t{99})),
                           {{"value", cp::literal(int64_t{0})}});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->second, 1);
  EXPECT_EQ(result->first.rows_updated, 0);
  auto snapshot = Snapshot::Load(location_);
  ASSERT_TRUE(snapshot.ok());
  EXPECT_EQ((*snapshot)->version(), 1);
}

TEST_F(UpdateTest, ErrorsNameTheColumn) {
  CreateTable();
  auto unknown = UpdateRows(location_, std::nullopt, {{"nope", cp::literal(int64_t{1})}});
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("'nope'"), std::string::npos) << unknown.status().ToString();

  auto twice = UpdateRows(location_, std::nullopt, {{"value", cp::literal(int64_t{1})}, {"Value", cp::literal(int64_t{2})}});
  ASSERT_FALSE(twice.ok());
  EXPECT_NE(twice.status().message().find("more than once"), std::string::npos) << twice.status().ToString();

  auto bad_cast = UpdateRows(location_, std::nullopt, {{"value", cp::field_ref("name")}});
  ASSERT_FALSE(bad_cast.ok());
  EXPECT_NE(bad_cast.status().message().find("column 'value'"), std::string::npos) << bad_cast.status().ToString();

  auto bad_ref = UpdateRows(location_, std::nullopt, {{"value", cp::field_ref("missing")}});
  ASSERT_FALSE(bad_ref.ok());
  EXPECT_NE(bad_ref.status().message().find("'missing'"), std::string::npos) << bad_ref.status().ToString();

  auto bad_predicate = UpdateRows(location_, cp::field_ref("id"), {{"value", cp::literal(int64_t{1})}});
  ASSERT_FALSE(bad_predicate.ok());
  // Nothing was committed by the failed updates.
  auto snapshot = Snapshot::Load(location_);
  ASSERT_TRUE(snapshot.ok());
  EXPECT_EQ((*snapshot)->version(), 1);
  EXPECT_EQ(ReadLines(location_, {"value"}), (std::vector<std::string>{"10", "20", "40", "50", "null"}));
}

TEST_F(UpdateTest, DeletionVectorsMarkOldRowsAndWriteOnlyUpdatedRows) {
  WriteOptions options;
  options.properties = {{"delta.enableDeletionVectors", "true"}};
  CreateTable(options);
  auto result = UpdateRows(location_, cp::equal(cp::field_ref("id"), cp::literal(int64_t{2})),
                           {{"value", cp::literal(int64_t{-2})}});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  auto [metrics, version] = *result;
  EXPECT_EQ(metrics.rows_updated, 1);
  EXPECT_EQ(metrics.rows_copied, 0);
  EXPECT_EQ(metrics.deletion_vectors_added, 1);
  auto actions = testing::CommitActions(location_, version);
  auto adds = testing::ActionsOf<AddFile>(actions);
  auto removes = testing::ActionsOf<RemoveFile>(actions);
  ASSERT_EQ(removes.size(), 1u);
  ASSERT_EQ(adds.size(), 2u);
  int with_dv = 0;
  for (const auto& a : adds) {
    if (a.deletion_vector) {
      ++with_dv;
      EXPECT_EQ(a.path, removes[0].path);
      EXPECT_EQ(a.deletion_vector->cardinality, 1);
    } else {
      EXPECT_NE(a.stats->find("\"numRecords\":1"), std::string::npos) << *a.stats;
    }
  }
  EXPECT_EQ(with_dv, 1);
  EXPECT_EQ(ReadLines(location_, {"id", "value"}),
            (std::vector<std::string>{"1|10", "2|-2", "3|null", "4|40", "5|50"}));

  // A second update of the same file adds to its deletion vector.
  auto again = UpdateRows(location_, cp::equal(cp::field_ref("id"), cp::literal(int64_t{1})),
                          {{"value", cp::literal(int64_t{-1})}});
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  auto snapshot = Snapshot::Load(location_);
  ASSERT_TRUE(snapshot.ok());
  int64_t max_cardinality = 0;
  for (const auto& f : (*snapshot)->files()) {
    if (f.deletion_vector) max_cardinality = std::max(max_cardinality, f.deletion_vector->cardinality);
  }
  EXPECT_EQ(max_cardinality, 2);
  EXPECT_EQ(ReadLines(location_, {"id", "value"}),
            (std::vector<std::string>{"1|-1", "2|-2", "3|null", "4|40", "5|50"}));
}

TEST_F(UpdateTest, ChangeDataFeedRecordsPreAndPostImages) {
  WriteOptions options;
  options.properties = {{"delta.enableChangeDataFeed", "true"}};
  CreateTable(options);
  auto result = UpdateRows(location_, cp::less(cp::field_ref("id"), cp::literal(int64_t{3})),
                           {{"value", cp::call("add", {cp::field_ref("value"), cp::literal(int64_t{1})})}});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_GE(result->first.change_files_added, 1);
  EXPECT_EQ(testing::ChangeLines(location_, result->second),
            (std::vector<std::string>{"1|a|10|update_preimage", "1|a|11|update_postimage",
                                      "2|b|20|update_preimage", "2|b|21|update_postimage"}));
}

TEST_F(UpdateTest, UpdatingAPartitionColumnMovesTheRow) {
  auto schema = arrow::schema({arrow::field("id", arrow::int64()), arrow::field("region", arrow::utf8())});
  WriteOptions options;
  options.partition_columns = {"region"};
  Append(location_, Batch(schema, R"([{"id":1,"region":"eu"},{"id":2,"region":"eu"},{"id":3,"region":"us"}])"),
         options);
  auto result = UpdateRows(location_, cp::equal(cp::field_ref("id"), cp::literal(int64_t{2})),
                           {{"region", cp::literal("us")}});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->first.files_removed, 1);  // only the eu file
  EXPECT_EQ(ReadLines(location_), (std::vector<std::string>{"1|eu", "2|us", "3|us"}));
  auto adds = testing::ActionsOf<AddFile>(testing::CommitActions(location_, result->second));
  std::set<std::string> regions;
  for (const auto& a : adds) regions.insert(a.partition_values.at("region").value_or("null"));
  EXPECT_EQ(regions, (std::set<std::string>{"eu", "us"}));
}

}  // namespace
}  // namespace tidelake::delta
