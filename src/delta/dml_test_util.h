// Test helpers shared by the DML tests (update_test.cc, merge_test.cc): a table in a fresh
// temporary directory, batches written as JSON, and the table's rows read back as sorted text
// lines so expectations read like query results. Header-only; tests only.
#pragma once

#include <arrow/array.h>
#include <arrow/compute/api.h>
#include <arrow/compute/initialize.h>
#include <arrow/filesystem/localfs.h>
#include <arrow/json/from_string.h>
#include <arrow/record_batch.h>
#include <arrow/table.h>
#include <gtest/gtest.h>
#include <parquet/arrow/reader.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "delta/log_segment.h"
#include "delta/scan.h"
#include "delta/snapshot.h"
#include "delta/table.h"

namespace tidelake::delta::testing {

/// A directory removed at the end of the test, with a table location inside it.
class TempTableDir {
 public:
  explicit TempTableDir(const std::string& prefix) {
    std::random_device rd;
    dir_ = (std::filesystem::temp_directory_path() / (prefix + std::to_string(rd()) + std::to_string(rd()))).string();
    std::filesystem::create_directories(dir_);
  }
  ~TempTableDir() { std::filesystem::remove_all(dir_); }
  const std::string& path() const { return dir_; }

  TableLocation Location(const std::string& name = "t") const {
    return TableLocation{std::make_shared<arrow::fs::LocalFileSystem>(), dir_ + "/" + name, name};
  }

 private:
  std::string dir_;
};

/// A batch of `schema` from a JSON array of row objects.
inline std::shared_ptr<arrow::RecordBatch> Batch(const std::shared_ptr<arrow::Schema>& schema,
                                                 const std::string& json_rows) {
  auto array = arrow::json::ArrayFromJSONString(arrow::struct_(schema->fields()), json_rows);
  EXPECT_TRUE(array.ok()) << array.status().ToString();
  auto batch = arrow::RecordBatch::FromStructArray(*array);
  EXPECT_TRUE(batch.ok()) << batch.status().ToString();
  return arrow::RecordBatch::Make(schema, (*batch)->num_rows(), (*batch)->columns());
}

inline std::shared_ptr<arrow::Table> TableOf(const std::shared_ptr<arrow::Schema>& schema,
                                             const std::string& json_rows) {
  auto table = arrow::Table::FromRecordBatches(schema, {Batch(schema, json_rows)});
  EXPECT_TRUE(table.ok());
  return *table;
}

/// Appends `batch` as one commit (creating the table with `options` on first write).
inline void Append(const TableLocation& location, const std::shared_ptr<arrow::RecordBatch>& batch,
                   WriteOptions options = {}) {
  auto reader = arrow::RecordBatchReader::Make({batch}, batch->schema());
  ASSERT_TRUE(reader.ok());
  auto result = DeltaTable::Write(location, **reader, options);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
}

/// One line per row: the values' text joined by "|", sorted.
inline std::vector<std::string> Lines(const arrow::Table& table) {
  std::vector<std::string> lines;
  auto combined = table.CombineChunksToBatch();
  EXPECT_TRUE(combined.ok());
  const auto& batch = *combined;
  for (int64_t r = 0; r < batch->num_rows(); ++r) {
    std::string line;
    for (int c = 0; c < batch->num_columns(); ++c) {
      auto scalar = batch->column(c)->GetScalar(r);
      line += (c ? "|" : "") + ((*scalar)->is_valid ? (*scalar)->ToString() : std::string("null"));
    }
    lines.push_back(line);
  }
  std::sort(lines.begin(), lines.end());
  return lines;
}

/// The table's current rows (every column, or `columns`), as sorted lines.
inline std::vector<std::string> ReadLines(const TableLocation& location, std::vector<std::string> columns = {}) {
  auto snapshot = Snapshot::Load(location);
  EXPECT_TRUE(snapshot.ok()) << snapshot.status().ToString();
  if (!snapshot.ok()) return {};
  ScanOptions options;
  options.columns = std::move(columns);
  auto scan = Scan::Make(*snapshot, options);
  EXPECT_TRUE(scan.ok()) << scan.status().ToString();
  auto table = (*scan)->ToTable();
  EXPECT_TRUE(table.ok()) << table.status().ToString();
  return Lines(**table);
}

/// The actions of commit `version`.
inline std::vector<Action> CommitActions(const TableLocation& location, int64_t version) {
  auto actions = ReadCommit(*location.fs, CommitPath(location.LogDir(), version));
  EXPECT_TRUE(actions.ok()) << actions.status().ToString();
  return actions.ok() ? *actions : std::vector<Action>{};
}

/// The commitInfo of commit `version` as JSON.
inline nlohmann::json CommitInfoOf(const TableLocation& location, int64_t version) {
  for (const auto& a : CommitActions(location, version)) {
    if (const auto* info = std::get_if<CommitInfo>(&a)) return nlohmann::json::parse(info->json);
  }
  ADD_FAILURE() << "no commitInfo in version " << version;
  return {};
}

template <typename T>
std::vector<T> ActionsOf(const std::vector<Action>& actions) {
  std::vector<T> out;
  for (const auto& a : actions) {
    if (const auto* x = std::get_if<T>(&a)) out.push_back(*x);
  }
  return out;
}

/// The rows of the change data files of commit `version` (every column, `_change_type` last).
inline std::vector<std::string> ChangeLines(const TableLocation& location, int64_t version) {
  std::vector<std::string> lines;
  for (const auto& cdc : ActionsOf<AddCDCFile>(CommitActions(location, version))) {
    auto input = location.fs->OpenInputFile(location.DataPath(cdc.path));
    EXPECT_TRUE(input.ok()) << input.status().ToString();
    auto reader = parquet::arrow::OpenFile(*input, arrow::default_memory_pool());
    EXPECT_TRUE(reader.ok()) << reader.status().ToString();
    auto table = (*reader)->ReadTable();
    EXPECT_TRUE(table.ok()) << table.status().ToString();
    for (auto& l : Lines(**table)) lines.push_back(l);
  }
  std::sort(lines.begin(), lines.end());
  return lines;
}

inline void InitCompute() { ASSERT_TRUE(arrow::compute::Initialize().ok()); }

}  // namespace tidelake::delta::testing
