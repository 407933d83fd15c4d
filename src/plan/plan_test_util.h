// Plans for the optimizer's tests: literal rows to put under the nodes a test builds.
#pragma once

#include <arrow/api.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "plan/logical_plan.h"

namespace tidelake::plan::plantest {

/// Literal rows: int64 columns named `names`, `rows` rows (values 0..rows-1).
inline NodePtr Rows(const std::vector<std::string>& names, int64_t rows) {
  arrow::FieldVector fields;
  arrow::ArrayVector arrays;
  for (const auto& name : names) {
    arrow::Int64Builder builder;
    for (int64_t i = 0; i < rows; ++i) EXPECT_TRUE(builder.Append(i).ok());
    fields.push_back(arrow::field(name, arrow::int64()));
    arrays.push_back(builder.Finish().ValueOrDie());
  }
  auto node = std::make_shared<ValuesNode>();
  node->rows = arrow::Table::Make(arrow::schema(fields), arrays, rows);
  node->schema = node->rows->schema();
  return node;
}

}  // namespace tidelake::plan::plantest
