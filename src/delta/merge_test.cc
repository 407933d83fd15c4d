#include "delta/merge.h"

#include <arrow/compute/api.h>
#include <gtest/gtest.h>

#include <set>

#include "delta/dml_test_util.h"
#include "delta/merge_join.h"

namespace tidelake::delta {
namespace {

namespace cp = arrow::compute;
using testing::Append;
using testing::Batch;
using testing::ReadLines;
using testing::TableOf;

cp::Expression Col(const std::string& name) { return cp::field_ref(name); }

class MergeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::InitCompute();
    location_ = dir_.Location();
  }

  int64_t Version() {
    auto snapshot = Snapshot::Load(location_);
    EXPECT_TRUE(snapshot.ok()) << snapshot.status().ToString();
    return snapshot.ok() ? (*snapshot)->version() : -1;
  }

  testing::TempTableDir dir_{"tidelake_merge_"};
  TableLocation location_;
};

// --- The seed document's shapes --------------------------------------------------------------

// (a) Upsert: whenMatchedUpdateAll + whenNotMatchedInsertAll on transaction_id.
TEST_F(MergeTest, UpsertOnTransactionId) {
  auto schema = arrow::schema({arrow::field("transaction_id", arrow::utf8()), arrow::field("amount", arrow::float64()),
                               arrow::field("status", arrow::utf8())});
  Append(location_, Batch(schema, R"([{"transaction_id":"T1","amount":100.0,"status":"pending"},
                                      {"transaction_id":"T2","amount":200.0,"status":"pending"},
                                      {"transaction_id":"T3","amount":300.0,"status":"settled"}])"));
  auto source = TableOf(schema, R"([{"transaction_id":"T2","amount":250.0,"status":"settled"},
                                    {"transaction_id":"T4","amount":400.0,"status":"pending"}])");
  MergeOptions options;
  options.matched = {MergeClause::UpdateAll()};
  options.not_matched = {MergeClause::InsertAll()};
  auto result = Merge(location_, source, cp::equal(Col("target.transaction_id"), Col("source.transaction_id")), options);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  auto [metrics, version] = *result;
  EXPECT_EQ(version, 1);
  EXPECT_EQ(metrics.source_rows, 2);
  EXPECT_EQ(metrics.rows_updated, 1);
  EXPECT_EQ(metrics.rows_inserted, 1);
  EXPECT_EQ(metrics.rows_deleted, 0);
  EXPECT_EQ(metrics.rows_copied, 2);
  EXPECT_EQ(metrics.files_removed, 1);
  EXPECT_EQ(ReadLines(location_), (std::vector<std::string>{"T1|100|pending", "T2|250|settled", "T3|300|settled",
                                                            "T4|400|pending"}));

  auto info = testing::CommitInfoOf(location_, version);
  EXPECT_EQ(info["operation"], "MERGE");
  const auto& params = info["operationParameters"];
  auto predicate = nlohmann::json::parse(params["predicate"].get<std::string>());
  ASSERT_TRUE(predicate.is_array());
  EXPECT_NE(predicate[0].get<std::string>().find("transaction_id"), std::string::npos);
  EXPECT_EQ(nlohmann::json::parse(params["matchedPredicates"].get<std::string>()),
            nlohmann::json::parse(R"([{"actionType":"update"}])"));
  EXPECT_EQ(nlohmann::json::parse(params["notMatchedPredicates"].get<std::string>()),
            nlohmann::json::parse(R"([{"actionType":"insert"}])"));
  const auto& m = info["operationMetrics"];
  EXPECT_EQ(m["numSourceRows"], "2");
  EXPECT_EQ(m["numTargetRowsInserted"], "1");
  EXPECT_EQ(m["numTargetRowsUpdated"], "1");
  EXPECT_EQ(m["numTargetRowsDeleted"], "0");
  EXPECT_EQ(m["numTargetRowsCopied"], "2");
  EXPECT_EQ(m["numTargetFilesRemoved"], "1");
  EXPECT_EQ(m["numTargetFilesAdded"], std::to_string(metrics.files_added));
}

// (b) whenMatchedUpdate(condition = "source.timestamp > target.timestamp", set = {...}) plus
// whenNotMatchedInsert(values = {... literal columns ...}).
TEST_F(MergeTest, ConditionalUpdateAndInsertWithLiterals) {
  auto ts = arrow::timestamp(arrow::TimeUnit::MICRO, "UTC");
  auto target_schema = arrow::schema({arrow::field("device_id", arrow::utf8()), arrow::field("reading", arrow::float64()),
                                      arrow::field("timestamp", ts), arrow::field("source_system", arrow::utf8())});
  Append(location_, Batch(target_schema, R"([{"device_id":"d1","reading":1.5,"timestamp":1000,"source_system":"old"},
                                             {"device_id":"d2","reading":2.5,"timestamp":3000,"source_system":"old"}])"));
  auto source_schema = arrow::schema({arrow::field("device_id", arrow::utf8()), arrow::field("reading", arrow::float64()),
                                      arrow::field("timestamp", ts)});
  auto source = TableOf(source_schema, R"([{"device_id":"d1","reading":9.5,"timestamp":2000},
                                           {"device_id":"d2","reading":8.5,"timestamp":2500},
                                           {"device_id":"d3","reading":7.5,"timestamp":4000}])");
  MergeOptions options;
  options.matched = {MergeClause::Update({{"reading", Col("source.reading")}, {"timestamp", Col("source.timestamp")}},
                                         cp::greater(Col("source.timestamp"), Col("target.timestamp")))};
  options.not_matched = {MergeClause::Insert({{"device_id", Col("source.device_id")},
                                              {"reading", Col("source.reading")},
                                              {"timestamp", Col("source.timestamp")},
                                              {"source_system", cp::literal("iot-hub")}})};
  auto result = Merge(location_, source, cp::equal(Col("target.device_id"), Col("source.device_id")), options);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->first.rows_updated, 1);  // d2's source reading is older than the target's
  EXPECT_EQ(result->first.rows_inserted, 1);
  EXPECT_EQ(ReadLines(location_, {"device_id", "reading", "source_system"}),
            (std::vector<std::string>{"d1|9.5|old", "d2|2.5|old", "d3|7.5|iot-hub"}));
  auto snapshot = Snapshot::Load(location_);
  ASSERT_TRUE(snapshot.ok());
  auto scan = Scan::Make(*snapshot, ScanOptions{.columns = {"timestamp"},
                                                .filter = cp::equal(Col("device_id"), cp::literal("d1"))});
  ASSERT_TRUE(scan.ok());
  auto table = (*scan)->ToTable();
  ASSERT_TRUE(table.ok());
  ASSERT_EQ((*table)->num_rows(), 1);
  auto value = (*table)->column(0)->GetScalar(0);
  EXPECT_EQ(std::static_pointer_cast<arrow::TimestampScalar>(*value)->value, 2000);

  auto info = testing::CommitInfoOf(location_, result->second);
  auto matched = nlohmann::json::parse(info["operationParameters"]["matchedPredicates"].get<std::string>());
  ASSERT_EQ(matched.size(), 1u);
  EXPECT_EQ(matched[0]["actionType"], "update");
  EXPECT_NE(matched[0]["predicate"].get<std::string>().find("source.timestamp"), std::string::npos);
}

// --- Clauses ---------------------------------------------------------------------------------

class MergeClauseTest : public MergeTest {
 protected:
  void CreateTable(WriteOptions options = {}) {
    Append(location_, Batch(schema_, R"([{"id":1,"name":"a","value":10},{"id":2,"name":"b","value":20},
                                         {"id":3,"name":"c","value":30}])"),
           options);
    Append(location_, Batch(schema_, R"([{"id":4,"name":"d","value":40},{"id":5,"name":"e","value":50}])"));
  }
  cp::Expression OnId() const { return cp::equal(Col("target.id"), Col("source.id")); }

  std::shared_ptr<arrow::Schema> schema_ = arrow::schema({arrow::field("id", arrow::int64()),
                                                          arrow::field("name", arrow::utf8()),
                                                          arrow::field("value", arrow::int64())});
};

TEST_F(MergeClauseTest, DeleteClauseAndFirstMatchingClauseWins) {
  CreateTable();
  auto source_schema = arrow::schema({arrow::field("id", arrow::int64()), arrow::field("op", arrow::utf8()),
                                      arrow::field("value", arrow::int64())});
  auto source = TableOf(source_schema, R"([{"id":2,"op":"D","value":0},{"id":3,"op":"U","value":33},
                                          {"id":4,"op":"D","value":0},{"id":6,"op":"U","value":66},
                                          {"id":7,"op":"D","value":77}])");
  MergeOptions options;
  options.matched = {MergeClause::Delete(cp::equal(Col("source.op"), cp::literal("D"))),
                     MergeClause::Update({{"value", Col("source.value")}})};
  // Unqualified names resolve when only one side has them ("op" is a source column).
  options.not_matched = {MergeClause::Insert({{"id", Col("source.id")}, {"value", Col("source.value")}},
                                             cp::not_equal(Col("op"), cp::literal("D")))};
  auto result = Merge(location_, source, OnId(), options);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->first.rows_deleted, 2);
  EXPECT_EQ(result->first.matched_rows_deleted, 2);
  EXPECT_EQ(result->first.rows_updated, 1);
  EXPECT_EQ(result->first.rows_inserted, 1);  // id 7 is a delete of a row that does not exist
  EXPECT_EQ(result->first.files_removed, 2);
  EXPECT_EQ(result->first.rows_copied, 2);  // ids 1 and 5
  EXPECT_EQ(ReadLines(location_), (std::vector<std::string>{"1|a|10", "3|c|33", "5|e|50", "6|null|66"}));
}

TEST_F(MergeClauseTest, MultipleSourceRowsMatchingOneTargetRowFail) {
  CreateTable();
  auto source = TableOf(schema_, R"([{"id":2,"name":"x","value":1},{"id":2,"name":"y","value":2}])");
  MergeOptions options;
  options.matched = {MergeClause::UpdateAll()};
  auto result = Merge(location_, source, OnId(), options);
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.status().message().find("multiple source rows matched the same target row"), std::string::npos)
      << result.status().ToString();
  EXPECT_NE(result.status().message().find("target.id = 2"), std::string::npos) << result.status().ToString();
  EXPECT_EQ(Version(), 1);
  EXPECT_EQ(ReadLines(location_, {"value"}), (std::vector<std::string>{"10", "20", "30", "40", "50"}));

  // With only an unconditional delete the result is unambiguous: the row goes once.
  MergeOptions delete_only;
  delete_only.matched = {MergeClause::Delete()};
  auto deleted = Merge(location_, source, OnId(), delete_only);
  ASSERT_TRUE(deleted.ok()) << deleted.status().ToString();
  EXPECT_EQ(deleted->first.rows_deleted, 1);
  EXPECT_EQ(ReadLines(location_, {"id"}), (std::vector<std::string>{"1", "3", "4", "5"}));

  // A matched-only merge counts a pair only when some clause condition holds for it.
  auto source2 = TableOf(schema_, R"([{"id":3,"name":"x","value":1},{"id":3,"name":"y","value":2}])");
  MergeOptions conditional;
  conditional.matched = {MergeClause::Update({{"name", Col("source.name")}}, cp::equal(Col("source.value"), cp::literal(int64_t{2})))};
  auto updated = Merge(location_, source2, OnId(), conditional);
  ASSERT_TRUE(updated.ok()) << updated.status().ToString();
  EXPECT_EQ(ReadLines(location_, {"id", "name"}), (std::vector<std::string>{"1|a", "3|y", "4|d", "5|e"}));
  // ... but with an insert clause every pair counts, as in Delta.
  conditional.not_matched = {MergeClause::InsertAll()};
  auto ambiguous = Merge(location_, source2, OnId(), conditional);
  ASSERT_FALSE(ambiguous.ok());
  EXPECT_NE(ambiguous.status().message().find("multiple source rows"), std::string::npos);
}

TEST_F(MergeClauseTest, NotMatchedBySourceDeleteAndUpdate) {
  CreateTable();
  auto source = TableOf(schema_, R"([{"id":1,"name":"a","value":11},{"id":4,"name":"d","value":44}])");
  MergeOptions options;
  options.matched = {MergeClause::UpdateAll()};
  options.not_matched_by_source = {
      MergeClause::Update({{"name", cp::literal("stale")}}, cp::greater(Col("target.value"), cp::literal(int64_t{40}))),
      MergeClause::Delete()};
  auto result = Merge(location_, source, OnId(), options);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  const auto& m = result->first;
  EXPECT_EQ(m.matched_rows_updated, 2);
  EXPECT_EQ(m.not_matched_by_source_rows_updated, 1);  // id 5
  EXPECT_EQ(m.not_matched_by_source_rows_deleted, 2);  // ids 2, 3
  EXPECT_EQ(m.rows_updated, 3);
  EXPECT_EQ(m.rows_deleted, 2);
  EXPECT_EQ(m.rows_copied, 0);
  EXPECT_EQ(ReadLines(location_), (std::vector<std::string>{"1|a|11", "4|d|44", "5|stale|50"}));
  auto info = testing::CommitInfoOf(location_, result->second);
  EXPECT_EQ(info["operationMetrics"]["numTargetRowsNotMatchedBySourceDeleted"], "2");
  auto nmbs = nlohmann::json::parse(info["operationParameters"]["notMatchedBySourcePredicates"].get<std::string>());
  ASSERT_EQ(nmbs.size(), 2u);
  EXPECT_EQ(nmbs[1]["actionType"], "delete");
}

TEST_F(MergeClauseTest, NonEquiConditionsAndMixedKeyTypes) {
  CreateTable();
  // The source key is int32; the target's is long. A source-only conjunct of ON makes rows
  // that fail it "not matched" (they are inserted), as in SQL.
  auto source_schema = arrow::schema({arrow::field("id", arrow::int32()), arrow::field("active", arrow::boolean()),
                                      arrow::field("value", arrow::int64())});
  auto source = TableOf(source_schema, R"([{"id":1,"active":true,"value":100},{"id":2,"active":false,"value":200},
                                          {"id":9,"active":true,"value":900}])");
  MergeOptions options;
  options.matched = {MergeClause::Update({{"value", Col("source.value")}})};
  options.not_matched = {MergeClause::Insert({{"id", Col("source.id")}, {"value", Col("source.value")}})};
  auto on = cp::and_(cp::equal(Col("target.id"), Col("source.id")), Col("source.active"));
  auto result = Merge(location_, source, on, options);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(ReadLines(location_, {"id", "value"}),
            (std::vector<std::string>{"1|100", "2|20", "2|200", "3|30", "4|40", "5|50", "9|900"}));

  // No equality at all: a (small) cross join, still correct.
  auto source2 = TableOf(source_schema, R"([{"id":3,"active":true,"value":-1}])");
  MergeOptions by_range;
  by_range.matched = {MergeClause::Delete()};
  auto range_on = cp::or_(cp::less(Col("target.id"), cp::literal(int64_t{2})), cp::equal(Col("target.value"), cp::literal(int64_t{200})));
  auto deleted = Merge(location_, source2, range_on, by_range);
  ASSERT_TRUE(deleted.ok()) << deleted.status().ToString();
  EXPECT_EQ(ReadLines(location_, {"id", "value"}),
            (std::vector<std::string>{"2|20", "3|30", "4|40", "5|50", "9|900"}));
}

TEST_F(MergeClauseTest, SchemaEvolution) {
  CreateTable();
  auto source_schema = arrow::schema({arrow::field("id", arrow::int64()), arrow::field("name", arrow::utf8()),
                                      arrow::field("value", arrow::int64()), arrow::field("category", arrow::utf8())});
  auto source = TableOf(source_schema, R"([{"id":2,"name":"B","value":22,"category":"x"},
                                          {"id":8,"name":"h","value":88,"category":"y"}])");
  MergeOptions options;
  options.matched = {MergeClause::UpdateAll()};
  options.not_matched = {MergeClause::InsertAll()};

  // Without merge_schema the extra source column is ignored.
  auto plain = Merge(location_, source, OnId(), options);
  ASSERT_TRUE(plain.ok()) << plain.status().ToString();
  auto snapshot = Snapshot::Load(location_);
  ASSERT_TRUE(snapshot.ok());
  EXPECT_EQ((*snapshot)->schema()->num_fields(), 3);

  options.merge_schema = true;
  auto source2 = TableOf(source_schema, R"([{"id":3,"name":"C","value":33,"category":"z"},
                                           {"id":9,"name":"i","value":99,"category":"w"}])");
  auto evolved = Merge(location_, source2, OnId(), options);
  ASSERT_TRUE(evolved.ok()) << evolved.status().ToString();
  snapshot = Snapshot::Load(location_);
  ASSERT_TRUE(snapshot.ok());
  ASSERT_EQ((*snapshot)->schema()->num_fields(), 4);
  EXPECT_EQ((*snapshot)->schema()->field(3)->name(), "category");
  bool has_metadata = false;
  for (const auto& a : testing::CommitActions(location_, evolved->second)) has_metadata |= std::holds_alternative<Metadata>(a);
  EXPECT_TRUE(has_metadata);
  EXPECT_EQ(ReadLines(location_), (std::vector<std::string>{"1|a|10|null", "2|B|22|null", "3|C|33|z", "4|d|40|null",
                                                            "5|e|50|null", "8|h|88|null", "9|i|99|w"}));

  // A source lacking a target column: an error without merge_schema; with it, the update keeps
  // the old value and the insert writes NULL.
  auto narrow = arrow::schema({arrow::field("id", arrow::int64()), arrow::field("value", arrow::int64())});
  auto source3 = TableOf(narrow, R"([{"id":1,"value":-1},{"id":10,"value":-10}])");
  MergeOptions strict;
  strict.matched = {MergeClause::UpdateAll()};
  strict.not_matched = {MergeClause::InsertAll()};
  auto missing = Merge(location_, source3, OnId(), strict);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("no column 'name'"), std::string::npos) << missing.status().ToString();
  strict.merge_schema = true;
  auto lenient = Merge(location_, source3, OnId(), strict);
  ASSERT_TRUE(lenient.ok()) << lenient.status().ToString();
  EXPECT_EQ(ReadLines(location_, {"id", "name", "value"}),
            (std::vector<std::string>{"10|null|-10", "1|a|-1", "2|B|22", "3|C|33", "4|d|40", "5|e|50", "8|h|88",
                                      "9|i|99"}));
}

TEST_F(MergeClauseTest, PartitionedTargetRewritesOnlyTouchedPartition) {
  auto schema = arrow::schema({arrow::field("id", arrow::int64()), arrow::field("region", arrow::utf8()),
                               arrow::field("value", arrow::int64())});
  WriteOptions options;
  options.partition_columns = {"region"};
  Append(location_, Batch(schema, R"([{"id":1,"region":"eu","value":1},{"id":2,"region":"eu","value":2},
                                     {"id":3,"region":"us","value":3},{"id":4,"region":"us","value":4}])"),
         options);
  auto source = TableOf(schema, R"([{"id":2,"region":"eu","value":20},{"id":5,"region":"eu","value":50},
                                    {"id":3,"region":"us","value":30}])");
  MergeOptions merge;
  merge.matched = {MergeClause::UpdateAll()};
  merge.not_matched = {MergeClause::InsertAll()};
  // The target-only conjunct restricts the merge to the eu partition: us row 3 is not matched
  // and is inserted again, as the ON condition says.
  auto on = cp::and_({cp::equal(Col("target.id"), Col("source.id")),
                      cp::equal(Col("target.region"), Col("source.region")),
                      cp::equal(Col("target.region"), cp::literal("eu"))});
  auto result = Merge(location_, source, on, merge);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->first.files_removed, 1);
  auto actions = testing::CommitActions(location_, result->second);
  for (const auto& rm : testing::ActionsOf<RemoveFile>(actions)) {
    EXPECT_EQ(rm.partition_values->at("region"), "eu");
  }
  EXPECT_EQ(ReadLines(location_, {"id", "region", "value"}),
            (std::vector<std::string>{"1|eu|1", "2|eu|20", "3|us|3", "3|us|30", "4|us|4", "5|eu|50"}));
}

TEST_F(MergeClauseTest, DeletionVectorTarget) {
  WriteOptions options;
  options.properties = {{"delta.enableDeletionVectors", "true"}};
  CreateTable(options);
  auto source_schema = arrow::schema({arrow::field("id", arrow::int64()), arrow::field("value", arrow::int64())});
  auto source = TableOf(source_schema, R"([{"id":2,"value":-2},{"id":3,"value":-3},{"id":6,"value":-6}])");
  MergeOptions merge;
  merge.matched = {MergeClause::Delete(cp::equal(Col("source.id"), cp::literal(int64_t{3}))),
                   MergeClause::Update({{"value", Col("source.value")}})};
  merge.not_matched = {MergeClause::Insert({{"id", Col("source.id")}, {"value", Col("source.value")}})};
  auto result = Merge(location_, source, cp::equal(Col("target.id"), Col("source.id")), merge);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  const auto& m = result->first;
  EXPECT_EQ(m.rows_updated, 1);
  EXPECT_EQ(m.rows_deleted, 1);
  EXPECT_EQ(m.rows_inserted, 1);
  EXPECT_EQ(m.rows_copied, 0);
  EXPECT_EQ(m.deletion_vectors_added, 1);
  auto actions = testing::CommitActions(location_, result->second);
  auto removes = testing::ActionsOf<RemoveFile>(actions);
  ASSERT_EQ(removes.size(), 1u);
  int with_dv = 0;
  for (const auto& a : testing::ActionsOf<AddFile>(actions)) {
    if (!a.deletion_vector) continue;
    ++with_dv;
    EXPECT_EQ(a.path, removes[0].path);
    EXPECT_EQ(a.deletion_vector->cardinality, 2);  // ids 2 (updated) and 3 (deleted)
  }
  EXPECT_EQ(with_dv, 1);
  EXPECT_EQ(ReadLines(location_), (std::vector<std::string>{"1|a|10", "2|b|-2", "4|d|40", "5|e|50", "6|null|-6"}));

  // Once every row of that file has changed, the file is removed rather than given a DV
  // that deletes all of it.
  auto source2 = TableOf(source_schema, R"([{"id":1,"value":-1}])");
  MergeOptions update;
  update.matched = {MergeClause::Update({{"value", Col("source.value")}})};
  auto again = Merge(location_, source2, cp::equal(Col("target.id"), Col("source.id")), update);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->first.deletion_vectors_added, 0);
  auto snapshot = Snapshot::Load(location_);
  ASSERT_TRUE(snapshot.ok());
  for (const auto& f : (*snapshot)->files()) EXPECT_NE(f.path, removes[0].path);
  EXPECT_EQ(ReadLines(location_), (std::vector<std::string>{"1|a|-1", "2|b|-2", "4|d|40", "5|e|50", "6|null|-6"}));
}

TEST_F(MergeClauseTest, ChangeDataFeed) {
  WriteOptions options;
  options.properties = {{"delta.enableChangeDataFeed", "true"}};
  CreateTable(options);
  auto source = TableOf(schema_, R"([{"id":1,"name":"A","value":11},{"id":7,"name":"g","value":70}])");
  MergeOptions merge;
  merge.matched = {MergeClause::UpdateAll()};
  merge.not_matched = {MergeClause::InsertAll()};
  merge.not_matched_by_source = {MergeClause::Delete(cp::equal(Col("target.id"), cp::literal(int64_t{5})))};
  auto result = Merge(location_, source, cp::equal(Col("target.id"), Col("source.id")), merge);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_GE(result->first.change_files_added, 1);
  EXPECT_EQ(testing::ChangeLines(location_, result->second),
            (std::vector<std::string>{"1|A|11|update_postimage", "1|a|10|update_preimage", "5|e|50|delete",
                                      "7|g|70|insert"}));
  EXPECT_EQ(ReadLines(location_, {"id"}), (std::vector<std::string>{"1", "2", "3", "4", "7"}));
}

TEST_F(MergeClauseTest, ReadPredicateCoversOnlyTheSourceKeyRange) {
  CreateTable();
  auto source = TableOf(schema_, R"([{"id":2,"name":"x","value":0},{"id":7,"name":"y","value":0}])");
  MergeOptions options;
  options.matched = {MergeClause::UpdateAll()};
  options.not_matched = {MergeClause::InsertAll()};
  // Between planning and committing, another writer inserts a row through an insert-only
  // MERGE (not a blind append: it read the table).
  auto plan_and_commit_after = [&](const std::string& concurrent_rows) -> arrow::Status {
    ARROW_ASSIGN_OR_RAISE(auto snapshot, Snapshot::Load(location_));
    auto txn = Transaction::ForSnapshot(snapshot);
    ARROW_RETURN_NOT_OK(PlanMerge(*snapshot, source, OnId(), options, txn.get()).status());
    MergeOptions insert_only;
    insert_only.not_matched = {MergeClause::InsertAll()};
    ARROW_RETURN_NOT_OK(Merge(location_, TableOf(schema_, concurrent_rows), OnId(), insert_only).status());
    return txn->Commit("MERGE").status();
  };
  // A row outside the source's key range [2, 7] cannot change what the merge saw.
  auto outside = plan_and_commit_after(R"([{"id":100,"name":"z","value":0}])");
  EXPECT_TRUE(outside.ok()) << outside.ToString();
  // One inside it could have matched a source row: the merge must not commit.
  auto inside = plan_and_commit_after(R"([{"id":6,"name":"z","value":0}])");
  ASSERT_FALSE(inside.ok());
  EXPECT_NE(inside.message().find("concurrent"), std::string::npos) << inside.ToString();
}

// The ON condition a streaming upsert writes, `t.k = s.k OR (t.k IS NULL AND s.k IS NULL)`, is a
// join key on which NULL matches NULL: the merge hashes it (a cross join of a large batch with a
// large table would not end), and a NULL-keyed source row updates the NULL-keyed target row.
TEST_F(MergeClauseTest, NullSafeEqualityIsAJoinKeyOnWhichNullMatchesNull) {
  auto t = Col("target.name"), s = Col("source.name");
  const cp::Expression on = cp::or_(cp::equal(t, s), cp::and_(cp::is_null(t), cp::is_null(s)));
  auto aliased_target = AliasSchema(*schema_, "target"), aliased_source = AliasSchema(*schema_, "source");
  auto plan = PlanMergeJoin(on, aliased_target, aliased_source);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_EQ(plan->target_keys.size(), 1u);
  EXPECT_EQ(plan->null_safe, std::vector<bool>{true});
  EXPECT_FALSE(plan->residual.has_value());
  // Plain equality stays a key on which NULL matches nothing.
  auto plain = PlanMergeJoin(cp::equal(t, s), aliased_target, aliased_source);
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->null_safe, std::vector<bool>{false});

  Append(location_, Batch(schema_, R"([{"id":1,"name":null,"value":1},{"id":2,"name":"a","value":2},
                                       {"id":3,"name":"b","value":3}])"));
  auto source = TableOf(schema_, R"([{"id":10,"name":null,"value":10},{"id":20,"name":"a","value":20},
                                     {"id":30,"name":"c","value":30}])");
  MergeOptions options;
  options.matched = {MergeClause::UpdateAll()};
  options.not_matched = {MergeClause::InsertAll()};
  auto result = Merge(location_, source, on, options);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->first.rows_updated, 2);
  EXPECT_EQ(result->first.rows_inserted, 1);
  EXPECT_EQ(ReadLines(location_), (std::vector<std::string>{"10|null|10", "20|a|20", "30|c|30", "3|b|3"}));
}

TEST_F(MergeClauseTest, NothingToDoCommitsNothing) {
  CreateTable();
  auto source = TableOf(schema_, R"([{"id":42,"name":"z","value":0}])");
  MergeOptions options;
  options.matched = {MergeClause::UpdateAll()};
  auto result = Merge(location_, source, cp::equal(Col("target.id"), Col("source.id")), options);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->second, 1);
  EXPECT_EQ(Version(), 1);
}

TEST_F(MergeClauseTest, ErrorsNameTheClauseAndColumn) {
  CreateTable();
  auto source = TableOf(schema_, R"([{"id":1,"name":"a","value":1}])");
  auto on = cp::equal(Col("target.id"), Col("source.id"));
  auto expect_error = [&](const MergeOptions& options, const std::string& needle, const cp::Expression& condition) {
    auto result = Merge(location_, source, condition, options);
    ASSERT_FALSE(result.ok()) << "expected an error containing: " << needle;
    EXPECT_NE(result.status().message().find(needle), std::string::npos) << result.status().ToString();
  };
  MergeOptions insert_reads_target;
  insert_reads_target.not_matched = {MergeClause::Insert({{"id", Col("target.id")}})};
  expect_error(insert_reads_target, "cannot reference target columns", on);

  MergeOptions early_unconditional;
  early_unconditional.matched = {MergeClause::Delete(), MergeClause::UpdateAll()};
  expect_error(early_unconditional, "only the last one can omit the condition", on);

  MergeOptions unknown_column;
  unknown_column.matched = {MergeClause::Update({{"value", Col("source.nope")}})};
  expect_error(unknown_column, "'source.nope' does not exist", on);

  MergeOptions unknown_target;
  unknown_target.matched = {MergeClause::Update({{"nope", Col("source.value")}})};
  expect_error(unknown_target, "no column 'nope'", on);

  MergeOptions ambiguous;
  ambiguous.matched = {MergeClause::Update({{"value", Col("value")}})};
  expect_error(ambiguous, "ambiguous", on);

  MergeOptions bad_cast;
  bad_cast.matched = {MergeClause::Update({{"value", Col("source.name")}})};
  expect_error(bad_cast, "column 'value'", on);

  MergeOptions fine;
  fine.matched = {MergeClause::UpdateAll()};
  expect_error(fine, "ON condition", cp::equal(Col("target.id"), Col("source.missing")));
  EXPECT_EQ(Version(), 1);
}

}  // namespace
}  // namespace tidelake::delta
