// Keyed state in memory and in RocksDB: both answer lookups, upserts and group replacements
// alike (NULL keys match NULL), rows move to RocksDB when the query's budget is passed, RocksDB
// checkpoints restore the state they saved however the database changed since, and what cannot
// be kept is refused with a clear message.
#include "stream/keyed_rows.h"

#include <arrow/api.h>
#include <arrow/compute/api.h>
#include <arrow/filesystem/localfs.h>
#include <arrow/json/from_string.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "common/arrow_init.h"

namespace tidelake::stream {
namespace {

namespace fs = std::filesystem;

std::shared_ptr<arrow::Schema> Schema() {
  return arrow::schema({arrow::field("k", arrow::utf8()), arrow::field("t", arrow::timestamp(arrow::TimeUnit::MICRO)),
                        arrow::field("n", arrow::int64())});
}

std::shared_ptr<arrow::Table> Rows(const std::string& json) {
  auto array = arrow::json::ArrayFromJSONString(arrow::struct_(Schema()->fields()), json).ValueOrDie();
  auto batch = arrow::RecordBatch::FromStructArray(array).ValueOrDie();
  return arrow::Table::FromRecordBatches({batch}).ValueOrDie();
}

// "k t n" per row, sorted: the rows as a set.
std::vector<std::string> Lines(const std::shared_ptr<arrow::Table>& table) {
  std::vector<std::string> lines;
  auto combined = table->CombineChunksToBatch().ValueOrDie();
  for (int64_t row = 0; row < combined->num_rows(); ++row) {
    std::string line;
    for (int c = 0; c < combined->num_columns(); ++c) {
      auto scalar = combined->column(c)->GetScalar(row).ValueOrDie();
      line += (c ? " " : "") + (scalar->is_valid ? scalar->ToString() : std::string("null"));
    }
    lines.push_back(line);
  }
  std::sort(lines.begin(), lines.end());
  return lines;
}

class KeyedRowsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(EnsureArrowInitialized().ok());
    dir_ = fs::temp_directory_path() / ("tidelake_keyed_rows_" + std::to_string(::getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    checkpoint_ = Checkpoint::Open(std::make_shared<arrow::fs::LocalFileSystem>(), dir_.string()).ValueOrDie();
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::shared_ptr<StateBudget> Budget(int64_t memory_bytes) {
    auto budget = std::make_shared<StateBudget>();
    budget->memory_bytes = memory_bytes;
    budget->work_dir = (dir_ / "state-work").string();
    return budget;
  }

  fs::path dir_;
  std::unique_ptr<Checkpoint> checkpoint_;
};

TEST_F(KeyedRowsTest, MemoryAndRocksDbAnswerAlike) {
  KeyedRows memory(Schema(), {"k"}, Budget(-1), exec::ExecOptions{});
  KeyedRows rocks(Schema(), {"k"}, Budget(0), exec::ExecOptions{});
  for (KeyedRows* rows : {&memory, &rocks}) {
    ASSERT_TRUE(rows->Upsert(Rows(R"([{"k": "a", "t": 1, "n": 1}, {"k": null, "t": 2, "n": 2}])")).ok());
    ASSERT_TRUE(rows->Upsert(Rows(R"([{"k": "a", "t": 3, "n": 10}, {"k": "b", "t": 4, "n": 3}])")).ok());
    EXPECT_EQ(rows->num_rows(), 3);
    // A probe with repeated keys, a NULL key and an unknown key.
    auto found = rows->Lookup(Rows(R"([{"k": "a"}, {"k": "a"}, {"k": null}, {"k": "zz"}])"), {"k"});
    ASSERT_TRUE(found.ok()) << found.status().ToString();
    EXPECT_EQ(Lines(*found), (std::vector<std::string>{"a 1970-01-01 00:00:00.000003 10", "null 1970-01-01 00:00:00.000002 2"}))
        << (*found)->ToString();
  }
  EXPECT_FALSE(memory.in_rocksdb());
  EXPECT_TRUE(rocks.in_rocksdb());
  // Looked up by another table's column of the key's type; another type is refused.
  auto probe = arrow::Table::Make(arrow::schema({arrow::field("key", arrow::utf8())}),
                                  {arrow::json::ArrayFromJSONString(arrow::utf8(), R"(["b"])").ValueOrDie()});
  EXPECT_EQ(Lines(rocks.Lookup(probe, {"key"}).ValueOrDie()), (std::vector<std::string>{"b 1970-01-01 00:00:00.000004 3"}));
  auto wrong = arrow::Table::Make(arrow::schema({arrow::field("key", arrow::int32())}),
                                  {arrow::json::ArrayFromJSONString(arrow::int32(), "[1]").ValueOrDie()});
  EXPECT_FALSE(rocks.Lookup(wrong, {"key"}).ok());

  // Erasing by time: rows before t = 3 go; NULL times would stay.
  for (KeyedRows* rows : {&memory, &rocks}) {
    ASSERT_TRUE(rows->EraseBefore("t", 3).ok());
    EXPECT_EQ(rows->num_rows(), 2);
    EXPECT_EQ(Lines(rows->Lookup(Rows(R"([{"k": null}, {"k": "a"}, {"k": "b"}])"), {"k"}).ValueOrDie()).size(), 2u);
  }
}

TEST_F(KeyedRowsTest, RowsAreTakenInTheOrderOfTheirOrderColumn) {
  // Keyed by (k, t), ordered by t: an open window's groups, taken when the window closes.
  KeyedRows memory(Schema(), {"k", "t"}, Budget(-1), exec::ExecOptions{}, "t");
  KeyedRows rocks(Schema(), {"k", "t"}, Budget(0), exec::ExecOptions{}, "t");
  for (KeyedRows* rows : {&memory, &rocks}) {
    ASSERT_TRUE(rows->Upsert(Rows(R"([{"k": "a", "t": -5, "n": 1}, {"k": "b", "t": 3, "n": 2}, {"k": "a", "t": 3, "n": 3},
                                      {"k": "c", "t": null, "n": 4}, {"k": "a", "t": 9, "n": 5}])")).ok());
    ASSERT_TRUE(rows->Upsert(Rows(R"([{"k": "a", "t": 3, "n": 30}])")).ok());  // replaces (a, 3)
    EXPECT_EQ(rows->num_rows(), 5);
    auto first = rows->TakeThrough(-1);
    ASSERT_TRUE(first.ok()) << first.status().ToString();
    EXPECT_EQ(Lines(*first), (std::vector<std::string>{"a 1969-12-31 23:59:59.999995 1"}));
    EXPECT_EQ(Lines(rows->TakeThrough(3).ValueOrDie()),
              (std::vector<std::string>{"a 1970-01-01 00:00:00.000003 30", "b 1970-01-01 00:00:00.000003 2"}));
    EXPECT_EQ(rows->TakeThrough(3).ValueOrDie()->num_rows(), 0);
    EXPECT_EQ(rows->num_rows(), 2);  // (a, 9), and the null time, which no time reaches
    EXPECT_EQ(Lines(rows->TakeThrough(1000).ValueOrDie()), (std::vector<std::string>{"a 1970-01-01 00:00:00.000009 5"}));
    EXPECT_EQ(rows->num_rows(), 1);
  }
  // In memory the rows can be replaced whole; in RocksDB they cannot.
  ASSERT_TRUE(memory.ReplaceAll(Rows(R"([{"k": "z", "t": 1, "n": 1}])")).ok());
  EXPECT_EQ(memory.num_rows(), 1);
  EXPECT_FALSE(rocks.ReplaceAll(Rows(R"([{"k": "z", "t": 1, "n": 1}])")).ok());
  // Without an order column there is no order to take rows in.
  KeyedRows unordered(Schema(), {"k"}, Budget(-1), exec::ExecOptions{});
  EXPECT_FALSE(unordered.TakeThrough(0).ok());
}

TEST_F(KeyedRowsTest, SeveralRowsPerKeyAreAppendedAndLookedUpTogether) {
  // A join's rows, by join key.
  KeyedRows memory(Schema(), {"k"}, Budget(-1), exec::ExecOptions{}, "", /*unique=*/false);
  KeyedRows rocks(Schema(), {"k"}, Budget(0), exec::ExecOptions{}, "", /*unique=*/false);
  for (KeyedRows* rows : {&memory, &rocks}) {
    ASSERT_TRUE(rows->Append(Rows(R"([{"k": "a", "t": 1, "n": 1}, {"k": "a", "t": 1, "n": 1}, {"k": "ab", "t": 2, "n": 2}])")).ok());
    ASSERT_TRUE(rows->Append(Rows(R"([{"k": "a", "t": 3, "n": 3}, {"k": "b", "t": 4, "n": 4}])")).ok());
    EXPECT_EQ(rows->num_rows(), 5);
    EXPECT_FALSE(rows->Upsert(Rows(R"([{"k": "a", "t": 1, "n": 1}])")).ok());
  }
  // RocksDB gives exactly the probed keys' rows ("a" is not "ab"), duplicates included.
  EXPECT_EQ(Lines(rocks.Lookup(Rows(R"([{"k": "a"}, {"k": "a"}, {"k": "zz"}])"), {"k"}).ValueOrDie()),
            (std::vector<std::string>{"a 1970-01-01 00:00:00.000001 1", "a 1970-01-01 00:00:00.000001 1",
                                      "a 1970-01-01 00:00:00.000003 3"}));
  EXPECT_EQ(Lines(memory.Lookup(Rows(R"([{"k": "a"}, {"k": "a"}, {"k": "zz"}])"), {"k"}).ValueOrDie()),
            Lines(rocks.Lookup(Rows(R"([{"k": "a"}, {"k": "zz"}])"), {"k"}).ValueOrDie()));
  ASSERT_TRUE(rocks.EraseBefore("t", 2).ok());
  EXPECT_EQ(rocks.num_rows(), 3);

  // Restored, new rows do not overwrite old ones (the sequence numbers go on).
  nlohmann::json state = nlohmann::json::object();
  std::set<std::string> files;
  ASSERT_TRUE(rocks.Save(*checkpoint_, 0, "rows", &state, &files).ok());
  KeyedRows restored(Schema(), {"k"}, Budget(0), exec::ExecOptions{}, "", /*unique=*/false);
  ASSERT_TRUE(restored.Restore(*checkpoint_, state, "rows", &files).ok());
  ASSERT_TRUE(restored.Append(Rows(R"([{"k": "b", "t": 5, "n": 5}])")).ok());
  EXPECT_EQ(restored.num_rows(), 4);
  EXPECT_EQ(Lines(restored.AllRows().ValueOrDie()).size(), 4u);
  // Without keys, a lookup gives every row.
  KeyedRows unkeyed(Schema(), {}, Budget(0), exec::ExecOptions{}, "", /*unique=*/false);
  ASSERT_TRUE(unkeyed.Append(Rows(R"([{"k": "a", "t": 1, "n": 1}, {"k": "b", "t": 2, "n": 2}])")).ok());
  EXPECT_EQ(unkeyed.Lookup(Rows(R"([{"k": "x"}])"), {}).ValueOrDie()->num_rows(), 2);
}

TEST_F(KeyedRowsTest, GroupsOfSeveralRowsPerKeyAreReplacedWhole) {
  // A join's rows whose flags changed: the rows of the keys read, written back changed.
  KeyedRows memory(Schema(), {"k"}, Budget(-1), exec::ExecOptions{}, "", /*unique=*/false);
  KeyedRows rocks(Schema(), {"k"}, Budget(0), exec::ExecOptions{}, "", /*unique=*/false);
  for (KeyedRows* rows : {&memory, &rocks}) {
    ASSERT_TRUE(rows->Append(Rows(R"([{"k": "a", "t": 1, "n": 0}, {"k": "a", "t": 2, "n": 0}, {"k": "ab", "t": 3, "n": 0},
                                      {"k": null, "t": 4, "n": 0}])")).ok());
    auto group = rows->Lookup(Rows(R"([{"k": "a"}, {"k": null}])"), {"k"});
    ASSERT_TRUE(group.ok()) << group.status().ToString();
    EXPECT_EQ((*group)->num_rows(), 3);
    ASSERT_TRUE(rows->ReplaceGroups(Rows(R"([{"k": "a", "t": 1, "n": 1}, {"k": "a", "t": 2, "n": 1},
                                            {"k": null, "t": 4, "n": 1}])")).ok());
    EXPECT_EQ(rows->num_rows(), 4);
    // "ab" is another group: untouched.
    EXPECT_EQ(Lines(rows->AllRows().ValueOrDie()),
              (std::vector<std::string>{"a 1970-01-01 00:00:00.000001 1", "a 1970-01-01 00:00:00.000002 1",
                                        "ab 1970-01-01 00:00:00.000003 0", "null 1970-01-01 00:00:00.000004 1"}));
    // A group may shrink or grow.
    ASSERT_TRUE(rows->ReplaceGroups(Rows(R"([{"k": "ab", "t": 5, "n": 2}, {"k": "ab", "t": 6, "n": 2}])")).ok());
    ASSERT_TRUE(rows->ReplaceGroups(Rows(R"([{"k": "a", "t": 2, "n": 3}])")).ok());
    EXPECT_EQ(rows->num_rows(), 4);
    EXPECT_EQ(Lines(rows->Lookup(Rows(R"([{"k": "a"}, {"k": "ab"}])"), {"k"}).ValueOrDie()),
              (std::vector<std::string>{"a 1970-01-01 00:00:00.000002 3", "ab 1970-01-01 00:00:00.000005 2",
                                        "ab 1970-01-01 00:00:00.000006 2"}));
  }
  EXPECT_TRUE(rocks.in_rocksdb());
  // Without keys the rows are one group; with one row per key, rows are upserted instead.
  KeyedRows unkeyed(Schema(), {}, Budget(0), exec::ExecOptions{}, "", /*unique=*/false);
  ASSERT_TRUE(unkeyed.Append(Rows(R"([{"k": "a", "t": 1, "n": 1}, {"k": "b", "t": 2, "n": 2}])")).ok());
  ASSERT_TRUE(unkeyed.ReplaceGroups(Rows(R"([{"k": "c", "t": 3, "n": 3}])")).ok());
  EXPECT_EQ(Lines(unkeyed.AllRows().ValueOrDie()), (std::vector<std::string>{"c 1970-01-01 00:00:00.000003 3"}));
  KeyedRows unique(Schema(), {"k"}, Budget(-1), exec::ExecOptions{});
  EXPECT_FALSE(unique.ReplaceGroups(Rows(R"([{"k": "a", "t": 1, "n": 1}])")).ok());
}

TEST_F(KeyedRowsTest, RowsAppendedInMemoryAreNotCopiedEachTimeYetStayInFewChunks) {
  KeyedRows rows(Schema(), {"k"}, Budget(-1), exec::ExecOptions{}, "", /*unique=*/false);
  std::vector<std::string> expected;
  for (int i = 0; i < 100; ++i) {
    ASSERT_TRUE(rows.Append(Rows(R"([{"k": "a", "t": 1, "n": )" + std::to_string(i) + "}]")).ok());
    expected.push_back("a 1970-01-01 00:00:00.000001 " + std::to_string(i));
    // The first appends keep their chunks: the state is not copied for each.
    if (i == 9) {
      EXPECT_EQ(rows.memory_rows()->column(0)->num_chunks(), 10);
    }
  }
  EXPECT_LE(rows.memory_rows()->column(0)->num_chunks(), 64);
  EXPECT_EQ(rows.num_rows(), 100);
  std::sort(expected.begin(), expected.end());  // as Lines gives them
  EXPECT_EQ(Lines(rows.memory_rows()), expected);
}

TEST_F(KeyedRowsTest, RowsInTimeOrderAreReadAndTakenThroughATime) {
  // Rows waiting for their windows: several per time, read through the watermark, taken once
  // their windows have closed.
  KeyedRows memory(Schema(), {"t"}, Budget(-1), exec::ExecOptions{}, "t", /*unique=*/false);
  KeyedRows rocks(Schema(), {"t"}, Budget(0), exec::ExecOptions{}, "t", /*unique=*/false);
  for (KeyedRows* rows : {&memory, &rocks}) {
    ASSERT_TRUE(rows->Append(Rows(R"([{"k": "a", "t": 7, "n": 1}, {"k": "b", "t": 2, "n": 2}, {"k": "c", "t": 7, "n": 3}])")).ok());
    ASSERT_TRUE(rows->Append(Rows(R"([{"k": "d", "t": 4, "n": 4}, {"k": "e", "t": -3, "n": 5}])")).ok());
    auto read = rows->ReadThrough(4);
    ASSERT_TRUE(read.ok()) << read.status().ToString();
    EXPECT_EQ(Lines(*read), (std::vector<std::string>{"b 1970-01-01 00:00:00.000002 2", "d 1970-01-01 00:00:00.000004 4",
                                                      "e 1969-12-31 23:59:59.999997 5"}));
    EXPECT_EQ(rows->num_rows(), 5);  // reading leaves them
    EXPECT_EQ(rows->TakeThrough(2).ValueOrDie()->num_rows(), 2);
    EXPECT_EQ(Lines(rows->ReadThrough(7).ValueOrDie()),
              (std::vector<std::string>{"a 1970-01-01 00:00:00.000007 1", "c 1970-01-01 00:00:00.000007 3",
                                        "d 1970-01-01 00:00:00.000004 4"}));
    EXPECT_EQ(rows->num_rows(), 3);
  }
  EXPECT_TRUE(rocks.in_rocksdb());
}

TEST_F(KeyedRowsTest, RowsBehindATimeAreTakenByAnyTimestampColumn) {
  // A first-row deduplication's waiting rows: one per key, taken once the watermark passes them.
  KeyedRows memory(Schema(), {"k"}, Budget(-1), exec::ExecOptions{});
  KeyedRows rocks(Schema(), {"k"}, Budget(0), exec::ExecOptions{});
  for (KeyedRows* rows : {&memory, &rocks}) {
    ASSERT_TRUE(rows->Upsert(Rows(R"([{"k": "a", "t": 7, "n": 1}, {"k": "b", "t": 2, "n": 2}, {"k": "c", "t": null, "n": 3},
                                      {"k": "d", "t": 4, "n": 4}])")).ok());
    auto taken = rows->TakeBefore("t", 5);
    ASSERT_TRUE(taken.ok()) << taken.status().ToString();
    EXPECT_EQ(Lines(*taken), (std::vector<std::string>{"b 1970-01-01 00:00:00.000002 2", "d 1970-01-01 00:00:00.000004 4"}));
    EXPECT_EQ(rows->num_rows(), 2);  // a, and c (a null time is behind no time)
    EXPECT_EQ(rows->TakeBefore("t", 5).ValueOrDie()->num_rows(), 0);
    EXPECT_EQ(Lines(rows->TakeAll().ValueOrDie()),
              (std::vector<std::string>{"a 1970-01-01 00:00:00.000007 1", "c null 3"}));
    EXPECT_EQ(rows->num_rows(), 0);
    EXPECT_FALSE(rows->in_rocksdb());
    // What comes after starts again (in memory, then in RocksDB beyond the budget).
    ASSERT_TRUE(rows->Upsert(Rows(R"([{"k": "e", "t": 1, "n": 5}])")).ok());
    EXPECT_EQ(rows->num_rows(), 1);
  }
  EXPECT_TRUE(rocks.in_rocksdb());
}

TEST_F(KeyedRowsTest, RowsMoveToRocksDbBeyondTheSharedBudget) {
  auto budget = Budget(4096);
  KeyedRows first(Schema(), {"k"}, budget, exec::ExecOptions{});
  KeyedRows second(Schema(), {"k"}, budget, exec::ExecOptions{});
  ASSERT_TRUE(first.Upsert(Rows(R"([{"k": "a", "t": 1, "n": 1}])")).ok());
  EXPECT_FALSE(first.in_rocksdb());
  EXPECT_GT(budget->used_bytes, 0);
  // The second operator's rows take the query over its budget: they move, the first's stay.
  std::string many = "[";
  for (int i = 0; i < 2000; ++i) many += (i ? "," : "") + std::string(R"({"k": "key)") + std::to_string(i) + R"(", "t": 5, "n": 1})";
  ASSERT_TRUE(second.Upsert(Rows(many + "]")).ok());
  EXPECT_TRUE(second.in_rocksdb());
  EXPECT_FALSE(first.in_rocksdb());
  EXPECT_EQ(second.num_rows(), 2000);
  EXPECT_LE(budget->used_bytes, 4096);
  EXPECT_EQ(Lines(second.Lookup(Rows(R"([{"k": "key1999"}, {"k": "key0"}])"), {"k"}).ValueOrDie()).size(), 2u);
  // Updates count no new rows.
  ASSERT_TRUE(second.Upsert(Rows(R"([{"k": "key7", "t": 6, "n": 2}, {"k": "new", "t": 6, "n": 2}])")).ok());
  EXPECT_EQ(second.num_rows(), 2001);

  // Without a place for RocksDB, outgrowing the budget is an error that says what to do.
  auto nowhere = std::make_shared<StateBudget>();
  nowhere->memory_bytes = 0;
  KeyedRows stuck(Schema(), {"k"}, nowhere, exec::ExecOptions{});
  auto status = stuck.Upsert(Rows(R"([{"k": "a", "t": 1, "n": 1}])"));
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("tidelake.state.memory-budget"), std::string::npos) << status.ToString();
}

TEST_F(KeyedRowsTest, RocksDbCheckpointsRestoreWhatTheySaved) {
  auto budget = Budget(0);
  KeyedRows rows(Schema(), {"k"}, budget, exec::ExecOptions{});
  ASSERT_TRUE(rows.Upsert(Rows(R"([{"k": "a", "t": 1, "n": 1}, {"k": "b", "t": 2, "n": 2}])")).ok());
  nlohmann::json state = nlohmann::json::object();
  std::set<std::string> files;
  ASSERT_TRUE(rows.Save(*checkpoint_, 0, "rows", &state, &files).ok());
  ASSERT_EQ(files.size(), 1u);
  const std::string saved = *files.begin();
  EXPECT_TRUE(fs::is_directory(dir_ / "state" / saved));
  // Unchanged rows name the same checkpoint again.
  std::set<std::string> again;
  nlohmann::json same = nlohmann::json::object();
  ASSERT_TRUE(rows.Save(*checkpoint_, 1, "rows", &same, &again).ok());
  EXPECT_EQ(again, files);

  // The live database moves on (a batch that then crashes before its commit).
  ASSERT_TRUE(rows.Upsert(Rows(R"([{"k": "a", "t": 9, "n": 99}, {"k": "c", "t": 3, "n": 3}])")).ok());

  // A restored copy, twice over: each starts from the saved rows, whatever the others did.
  for (int i = 0; i < 2; ++i) {
    KeyedRows restored(Schema(), {"k"}, Budget(-1), exec::ExecOptions{});
    std::set<std::string> named;
    auto status = restored.Restore(*checkpoint_, state, "rows", &named);
    ASSERT_TRUE(status.ok()) << status.ToString();
    EXPECT_EQ(named, files);
    EXPECT_TRUE(restored.in_rocksdb());
    EXPECT_EQ(restored.num_rows(), 2);
    EXPECT_EQ(Lines(restored.Lookup(Rows(R"([{"k": "a"}, {"k": "b"}, {"k": "c"}])"), {"k"}).ValueOrDie()),
              (std::vector<std::string>{"a 1970-01-01 00:00:00.000001 1", "b 1970-01-01 00:00:00.000002 2"}));
    ASSERT_TRUE(restored.Upsert(Rows(R"([{"k": "a", "t": 5, "n": 5}])")).ok());
  }

  // Deleting the state the commit does not name keeps the checkpoint it names.
  ASSERT_TRUE(rows.Save(*checkpoint_, 2, "rows", &state, &files).ok());
  ASSERT_EQ(files.size(), 2u);
  ASSERT_TRUE(checkpoint_->DeleteStateRowsExcept({saved}).ok());
  EXPECT_TRUE(fs::is_directory(dir_ / "state" / saved));
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_ / "state"), fs::directory_iterator()), 1);

  // A missing checkpoint is a clear error.
  KeyedRows lost(Schema(), {"k"}, Budget(0), exec::ExecOptions{});
  std::set<std::string> named;
  auto missing = lost.Restore(*checkpoint_, nlohmann::json{{"rows", {{"rocksdb", "9-x.rocksdb"}, {"rows", 1}}}},
                              "rows", &named);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.message().find("9-x.rocksdb is missing"), std::string::npos) << missing.ToString();
}

TEST_F(KeyedRowsTest, WorkingDirectoriesOfDeadProcessesAreRemoved) {
  const fs::path stale = dir_ / "state-work" / "999999999-0-dead";
  fs::create_directories(stale);
  {
    KeyedRows rows(Schema(), {"k"}, Budget(0), exec::ExecOptions{});
    ASSERT_TRUE(rows.Upsert(Rows(R"([{"k": "a", "t": 1, "n": 1}])")).ok());
    EXPECT_FALSE(fs::exists(stale));
    EXPECT_EQ(std::distance(fs::directory_iterator(dir_ / "state-work"), fs::directory_iterator()), 1);
  }
  // Its own goes when it is destroyed.
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_ / "state-work"), fs::directory_iterator()), 0);
}

}  // namespace
}  // namespace tidelake::stream
