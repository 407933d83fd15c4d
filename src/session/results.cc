#include "session/results.h"

#include <arrow/api.h>

#include <cctype>

#include "common/error.h"
#include "common/strings.h"

namespace tidelake::session {

arrow::Status At(const sql::SourcePos& pos, arrow::Status status) {
  if (status.ok()) return status;
  auto existing = GetErrorContext(status);
  if (existing && existing->line > 0) return status;
  return ErrorAt(status.code(), ErrorContext{.line = pos.line, .column = pos.column}, status.message());
}

std::string DottedPath(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : ".") + p;
  return out;
}

arrow::Result<std::shared_ptr<arrow::RecordBatchReader>> MakeRows(const std::shared_ptr<arrow::Schema>& schema,
                                                                  const std::vector<ScalarRow>& rows) {
  arrow::ArrayVector arrays;
  for (int c = 0; c < schema->num_fields(); ++c) {
    const auto& type = schema->field(c)->type();
    std::unique_ptr<arrow::ArrayBuilder> builder;
    ARROW_RETURN_NOT_OK(arrow::MakeBuilder(arrow::default_memory_pool(), type, &builder));
    for (const auto& row : rows) {
      const auto& value = row[static_cast<size_t>(c)];
      if (!value || !value->is_valid) {
        ARROW_RETURN_NOT_OK(builder->AppendNull());
      } else {
        ARROW_RETURN_NOT_OK(builder->AppendScalar(*value));
      }
    }
    ARROW_ASSIGN_OR_RAISE(auto array, builder->Finish());
    arrays.push_back(std::move(array));
  }
  auto batch = arrow::RecordBatch::Make(schema, static_cast<int64_t>(rows.size()), std::move(arrays));
  return arrow::RecordBatchReader::Make({batch}, schema);
}

arrow::Result<std::shared_ptr<arrow::RecordBatchReader>> StringRows(const std::vector<std::string>& columns,
                                                                    const std::vector<std::vector<std::string>>& rows) {
  arrow::FieldVector fields;
  for (const auto& c : columns) fields.push_back(arrow::field(c, arrow::utf8()));
  std::vector<ScalarRow> scalars;
  for (const auto& row : rows) {
    ScalarRow out;
    for (const auto& v : row) out.push_back(StringValue(v));
    scalars.push_back(std::move(out));
  }
  return MakeRows(arrow::schema(fields), scalars);
}

std::shared_ptr<arrow::Scalar> StringValue(std::string value) {
  return std::make_shared<arrow::StringScalar>(std::move(value));
}
std::shared_ptr<arrow::Scalar> Int64Value(int64_t value) { return std::make_shared<arrow::Int64Scalar>(value); }
std::shared_ptr<arrow::Scalar> Int32Value(int32_t value) { return std::make_shared<arrow::Int32Scalar>(value); }
std::shared_ptr<arrow::Scalar> TimestampValue(int64_t ms) {
  return std::make_shared<arrow::TimestampScalar>(ms * 1000, TimestampType());
}

std::shared_ptr<arrow::Scalar> StringListValue(const std::vector<std::string>& values) {
  arrow::StringBuilder builder;
  for (const auto& v : values) {
    if (!builder.Append(v).ok()) return NullValue(StringListType());
  }
  auto array = builder.Finish();
  if (!array.ok()) return NullValue(StringListType());
  return std::make_shared<arrow::ListScalar>(*array, StringListType());
}

std::shared_ptr<arrow::Scalar> StringMapValue(const std::map<std::string, std::string>& values) {
  arrow::StringBuilder keys, items;
  for (const auto& [k, v] : values) {
    if (!keys.Append(k).ok() || !items.Append(v).ok()) return NullValue(StringMapType());
  }
  auto k = keys.Finish();
  auto v = items.Finish();
  if (!k.ok() || !v.ok()) return NullValue(StringMapType());
  auto entries = arrow::StructArray::Make({*k, *v}, {arrow::field("key", arrow::utf8(), false),
                                                     arrow::field("value", arrow::utf8())});
  if (!entries.ok()) return NullValue(StringMapType());
  return std::make_shared<arrow::MapScalar>(*entries, StringMapType());
}

std::shared_ptr<arrow::Scalar> NullValue(const std::shared_ptr<arrow::DataType>& type) {
  return arrow::MakeNullScalar(type);
}

}  // namespace tidelake::session
