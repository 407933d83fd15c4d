#include "session/statistics.h"

#include <arrow/api.h>

#include "delta/schema.h"

namespace tidelake::session {

plan::TableStatistics PlannerStatistics(const delta::Snapshot& snapshot,
                                        const catalog::Lake::TableStatistics* stored) {
  plan::TableStatistics out;
  out.table_version = snapshot.version();
  out.size_in_bytes = snapshot.SizeInBytes();
  int64_t from_log = snapshot.NumRecords();
  if (from_log >= 0) out.row_count = from_log;
  if (!stored) return out;
  out.analyzed_version = stored->table_version;
  if (stored->table_version == snapshot.version() && stored->row_count) out.row_count = stored->row_count;
  for (const auto& c : stored->columns) {
    auto field = snapshot.schema()->GetFieldByName(c.name);
    if (!field || delta::DeltaTypeName(*field->type()) != c.data_type) continue;
    plan::ColumnStatistics column;
    column.distinct_count = c.distinct_count;
    column.null_count = c.null_count;
    if (c.min) column.min = StatisticValue(*c.min, field->type());
    if (c.max) column.max = StatisticValue(*c.max, field->type());
    column.avg_length = c.avg_length;
    column.max_length = c.max_length;
    out.columns[field->name()] = std::move(column);
  }
  return out;
}

std::optional<std::string> StatisticText(const std::shared_ptr<arrow::Scalar>& value) {
  if (!value || !value->is_valid) return std::nullopt;
  return value->ToString();
}

std::shared_ptr<arrow::Scalar> StatisticValue(const std::string& text, const std::shared_ptr<arrow::DataType>& type) {
  if (type->id() == arrow::Type::DECIMAL128) {
    // Arrow casts no strings to decimals; parse and bring to the column's scale.
    const auto& decimal = static_cast<const arrow::Decimal128Type&>(*type);
    arrow::Decimal128 value;
    int32_t precision = 0, scale = 0;
    if (!arrow::Decimal128::FromString(text, &value, &precision, &scale).ok()) return nullptr;
    auto rescaled = value.Rescale(scale, decimal.scale());
    if (!rescaled.ok() || !rescaled->FitsInPrecision(decimal.precision())) return nullptr;
    return std::make_shared<arrow::Decimal128Scalar>(*rescaled, type);
  }
  auto value = arrow::StringScalar(text).CastTo(type);
  if (!value.ok()) return nullptr;
  return *value;
}

}  // namespace tidelake::session
