#include "exec/sort.h"

#include <arrow/api.h>
#include <arrow/compute/api.h>

#include <algorithm>

namespace tidelake::exec {

namespace {

bool IsFloating(const arrow::DataType& type) {
  return type.id() == arrow::Type::HALF_FLOAT || type.id() == arrow::Type::FLOAT ||
         type.id() == arrow::Type::DOUBLE;
}

arrow::Result<std::shared_ptr<arrow::Table>> Concat(const std::shared_ptr<arrow::Schema>& schema,
                                                    std::vector<std::shared_ptr<arrow::RecordBatch>> batches) {
  return arrow::Table::FromRecordBatches(schema, std::move(batches));
}

}  // namespace

arrow::Result<std::shared_ptr<arrow::Array>> SparkSortIndices(const std::vector<arrow::Datum>& columns,
                                                              const std::vector<plan::SortKey>& keys,
                                                              cp::ExecContext* ctx) {
  if (columns.size() != keys.size()) return arrow::Status::Invalid("internal error: one column per sort key expected");
  int64_t rows = columns.empty() ? 0 : columns[0].length();
  arrow::FieldVector fields;
  std::vector<std::shared_ptr<arrow::ChunkedArray>> key_columns;
  std::vector<cp::SortKey> sort_keys;
  auto add = [&](std::shared_ptr<arrow::ChunkedArray> column, const plan::SortKey& key) {
    int index = static_cast<int>(key_columns.size());
    fields.push_back(arrow::field("k" + std::to_string(index), column->type()));
    key_columns.push_back(std::move(column));
    sort_keys.emplace_back(arrow::FieldRef(index), key.ascending ? cp::SortOrder::Ascending : cp::SortOrder::Descending,
                           key.nulls_first ? cp::NullPlacement::AtStart : cp::NullPlacement::AtEnd);
  };
  for (size_t i = 0; i < keys.size(); ++i) {
    std::shared_ptr<arrow::ChunkedArray> column;
    if (columns[i].is_chunked_array()) {
      column = columns[i].chunked_array();
    } else if (columns[i].is_array()) {
      column = std::make_shared<arrow::ChunkedArray>(columns[i].make_array());
    } else {
      return arrow::Status::Invalid("internal error: sort key ", i, " is not an array");
    }
    if (IsFloating(*column->type())) {
      // NaN is the largest value in Spark; Arrow puts it with the nulls.
      ARROW_ASSIGN_OR_RAISE(auto is_nan, cp::CallFunction("is_nan", {column}, ctx));
      add(is_nan.chunked_array(), keys[i]);
    }
    add(column, keys[i]);
  }
  if (key_columns.empty()) {
    arrow::UInt64Builder builder(ctx->memory_pool());
    ARROW_RETURN_NOT_OK(builder.Reserve(rows));
    for (int64_t i = 0; i < rows; ++i) builder.UnsafeAppend(static_cast<uint64_t>(i));
    return builder.Finish();
  }
  auto table = arrow::Table::Make(arrow::schema(fields), key_columns, rows);
  cp::SortOptions options(sort_keys);
  ARROW_ASSIGN_OR_RAISE(auto indices, cp::SortIndices(arrow::Datum(table), options, ctx));
  return indices;
}

arrow::Result<std::shared_ptr<arrow::Table>> SortTable(const std::shared_ptr<arrow::Table>& table,
                                                       const std::vector<plan::SortKey>& keys, cp::ExecContext* ctx) {
  std::vector<arrow::Datum> columns;
  for (const auto& key : keys) {
    auto column = table->GetColumnByName(key.field);
    if (!column) return arrow::Status::Invalid("ORDER BY column '", key.field, "' is not in the input");
    columns.emplace_back(column);
  }
  ARROW_ASSIGN_OR_RAISE(auto indices, SparkSortIndices(columns, keys, ctx));
  ARROW_ASSIGN_OR_RAISE(auto sorted, cp::Take(table, indices, cp::TakeOptions::NoBoundsCheck(), ctx));
  return sorted.table();
}

arrow::Status SortOperator::Add(std::shared_ptr<arrow::RecordBatch> batch, cp::ExecContext* ctx) {
  if (batch->num_rows() > 0) batches_.push_back(std::move(batch));
  return arrow::Status::OK();
}

arrow::Result<std::shared_ptr<arrow::Table>> SortOperator::Finish(cp::ExecContext* ctx) {
  ARROW_ASSIGN_OR_RAISE(auto table, Concat(schema_, std::move(batches_)));
  batches_.clear();
  if (table->num_rows() <= 1) return table;
  return SortTable(table, keys_, ctx);
}

arrow::Status TopKOperator::Add(std::shared_ptr<arrow::RecordBatch> batch, cp::ExecContext* ctx) {
  if (batch->num_rows() == 0 || limit_ == 0) return arrow::Status::OK();
  buffered_rows_ += batch->num_rows();
  batches_.push_back(std::move(batch));
  int64_t keep = offset_ + limit_;
  if (buffered_rows_ >= std::max<int64_t>(2 * keep, 64 * 1024)) return Compact(ctx);
  return arrow::Status::OK();
}

arrow::Status TopKOperator::Compact(cp::ExecContext* ctx) {
  ARROW_ASSIGN_OR_RAISE(auto table, Concat(schema_, std::move(batches_)));
  batches_.clear();
  ARROW_ASSIGN_OR_RAISE(auto sorted, SortTable(table, keys_, ctx));
  sorted = sorted->Slice(0, offset_ + limit_);
  ARROW_ASSIGN_OR_RAISE(auto combined, sorted->CombineChunksToBatch(ctx->memory_pool()));
  buffered_rows_ = combined->num_rows();
  batches_.push_back(std::move(combined));
  return arrow::Status::OK();
}

arrow::Result<std::shared_ptr<arrow::Table>> TopKOperator::Finish(cp::ExecContext* ctx) {
  ARROW_ASSIGN_OR_RAISE(auto table, Concat(schema_, std::move(batches_)));
  batches_.clear();
  ARROW_ASSIGN_OR_RAISE(auto sorted, SortTable(table, keys_, ctx));
  if (offset_ >= sorted->num_rows()) return sorted->Slice(0, 0);
  return sorted->Slice(offset_, limit_);
}

}  // namespace tidelake::exec
