// Helpers for the executor tests: plans built by hand over literal rows and small Delta
// tables, and results rendered as "a|b|null" rows for exact comparison.
#pragma once

#ifndef TIDELAKE_TESTDATA_DIR
#define TIDELAKE_TESTDATA_DIR "/work/shared/testdata"
#endif

#include <arrow/api.h>
#include <arrow/compute/api.h>
#include <arrow/json/from_string.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/arrow_init.h"
#include "exec/executor.h"
#include "plan/logical_plan.h"

namespace tidelake::exec::testutil {

namespace cp = arrow::compute;
using plan::NodePtr;

/// A column for Values: name, type, JSON array of values.
struct Col {
  std::string name;
  std::shared_ptr<arrow::DataType> type;
  std::string json;
};

inline std::shared_ptr<arrow::Array> Array(const std::shared_ptr<arrow::DataType>& type, const std::string& json) {
  auto array = arrow::json::ArrayFromJSONString(type, json);
  EXPECT_TRUE(array.ok()) << array.status().ToString();
  return *array;
}

inline std::shared_ptr<arrow::Table> TableOf(const std::vector<Col>& cols) {
  arrow::FieldVector fields;
  arrow::ArrayVector arrays;
  for (const auto& c : cols) {
    fields.push_back(arrow::field(c.name, c.type));
    arrays.push_back(Array(c.type, c.json));
  }
  int64_t rows = arrays.empty() ? 0 : arrays[0]->length();
  return arrow::Table::Make(arrow::schema(fields), arrays, rows);
}

inline NodePtr Values(const std::vector<Col>& cols) {
  auto node = std::make_shared<plan::ValuesNode>();
  node->rows = TableOf(cols);
  node->schema = node->rows->schema();
  return node;
}

inline NodePtr ValuesOf(std::shared_ptr<arrow::Table> table) {
  auto node = std::make_shared<plan::ValuesNode>();
  node->rows = std::move(table);
  node->schema = node->rows->schema();
  return node;
}

inline cp::Expression Bound(const cp::Expression& expr, const arrow::Schema& schema) {
  EXPECT_TRUE(EnsureArrowInitialized().ok());
  auto bound = expr.Bind(schema);
  EXPECT_TRUE(bound.ok()) << bound.status().ToString();
  return *bound;
}

inline NodePtr Filter(NodePtr input, const cp::Expression& predicate) {
  auto node = std::make_shared<plan::FilterNode>();
  node->predicate = Bound(predicate, *input->schema);
  node->schema = input->schema;
  node->inputs = {std::move(input)};
  return node;
}

inline NodePtr Project(NodePtr input, const std::vector<std::pair<std::string, cp::Expression>>& outputs) {
  auto node = std::make_shared<plan::ProjectNode>();
  arrow::FieldVector fields;
  for (const auto& [name, expr] : outputs) {
    node->exprs.push_back(Bound(expr, *input->schema));
    fields.push_back(arrow::field(name, node->exprs.back().type()->GetSharedPtr()));
  }
  node->schema = arrow::schema(fields);
  node->inputs = {std::move(input)};
  return node;
}

inline NodePtr Sort(NodePtr input, std::vector<plan::SortKey> keys) {
  auto node = std::make_shared<plan::SortNode>();
  node->keys = std::move(keys);
  node->schema = input->schema;
  node->inputs = {std::move(input)};
  return node;
}

inline NodePtr Limit(NodePtr input, std::optional<int64_t> limit, int64_t offset = 0) {
  auto node = std::make_shared<plan::LimitNode>();
  node->limit = limit;
  node->offset = offset;
  node->schema = input->schema;
  node->inputs = {std::move(input)};
  return node;
}

inline plan::PlanRoot Root(NodePtr node, bool ordered = false) {
  plan::PlanRoot root;
  for (const auto& f : node->schema->fields()) root.column_names.push_back(plan::DisplayName(f->name()));
  root.node = std::move(node);
  root.ordered = ordered;
  return root;
}

inline std::string Cell(const arrow::Array& array, int64_t row) {
  if (array.IsNull(row)) return "null";
  auto scalar = array.GetScalar(row);
  if (!scalar.ok()) return "?";
  return (*scalar)->ToString();
}

inline std::vector<std::string> RowsOf(const arrow::Table& table) {
  std::vector<std::string> rows;
  auto combined = table.CombineChunksToBatch();
  if (!combined.ok()) return {"<" + combined.status().ToString() + ">"};
  const auto& batch = **combined;
  for (int64_t r = 0; r < batch.num_rows(); ++r) {
    std::string row;
    for (int c = 0; c < batch.num_columns(); ++c) row += (c ? "|" : "") + Cell(*batch.column(c), r);
    rows.push_back(row);
  }
  return rows;
}

/// Runs the plan and collects every row, in the order the reader returns them.
inline arrow::Result<std::vector<std::string>> RunPlan(const plan::PlanRoot& root, ExecOptions options = {}) {
  ARROW_ASSIGN_OR_RAISE(auto reader, Execute(root, options));
  std::vector<std::shared_ptr<arrow::RecordBatch>> batches;
  while (true) {
    std::shared_ptr<arrow::RecordBatch> batch;
    ARROW_RETURN_NOT_OK(reader->ReadNext(&batch));
    if (!batch) break;
    EXPECT_TRUE(batch->schema()->Equals(*reader->schema()));
    batches.push_back(batch);
  }
  ARROW_ASSIGN_OR_RAISE(auto table, arrow::Table::FromRecordBatches(reader->schema(), batches));
  return RowsOf(*table);
}

inline std::vector<std::string> Sorted(std::vector<std::string> rows) {
  std::sort(rows.begin(), rows.end());
  return rows;
}

/// Runs a plan that must succeed; rows sorted unless `ordered`.
inline std::vector<std::string> RunOk(NodePtr node, bool ordered = false, ExecOptions options = {}) {
  auto rows = RunPlan(Root(std::move(node), ordered), options);
  EXPECT_TRUE(rows.ok()) << rows.status().ToString();
  if (!rows.ok()) return {"<error: " + rows.status().ToString() + ">"};
  return ordered ? *rows : Sorted(*rows);
}

inline plan::AggregateCall Agg(std::string function, std::vector<std::string> args,
                               std::shared_ptr<arrow::DataType> type,
                               std::shared_ptr<cp::FunctionOptions> options = nullptr) {
  plan::AggregateCall call;
  call.function = std::move(function);
  call.args = std::move(args);
  call.result_type = std::move(type);
  call.options = std::move(options);
  return call;
}

/// GROUP BY `keys` (output under the same names) with named aggregates.
inline NodePtr Aggregate(NodePtr input, std::vector<std::string> keys,
                         std::vector<std::pair<std::string, plan::AggregateCall>> aggregates,
                         std::vector<std::vector<int>> grouping_sets = {}) {
  auto node = std::make_shared<plan::AggregateNode>();
  arrow::FieldVector fields;
  for (const auto& k : keys) fields.push_back(input->schema->GetFieldByName(k));
  for (auto& [name, call] : aggregates) {
    fields.push_back(arrow::field(name, call.result_type));
    node->aggregates.push_back(call);
  }
  if (!grouping_sets.empty()) fields.push_back(arrow::field("gid", arrow::int64(), false));
  node->keys = std::move(keys);
  node->grouping_sets = std::move(grouping_sets);
  node->schema = arrow::schema(fields);
  node->inputs = {std::move(input)};
  return node;
}

/// A fresh directory removed at the end of the test.
class TempDir {
 public:
  TempDir() {
    static int counter = 0;
    path_ = std::filesystem::temp_directory_path() /
            ("tidelake_exec_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string path() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

}  // namespace tidelake::exec::testutil
