#include "stream/late_rows.h"

#include <arrow/api.h>

#include "io/arrow_json.h"
#include "plan/logical_plan.h"

namespace tidelake::stream {

namespace {

// A value of timestamp type `type` in microseconds (truncated toward minus infinity).
int64_t ToMicros(int64_t value, const arrow::DataType& type) {
  if (type.id() != arrow::Type::TIMESTAMP) return value;
  auto floor_div = [](int64_t a, int64_t b) {
    return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
  };
  switch (static_cast<const arrow::TimestampType&>(type).unit()) {
    case arrow::TimeUnit::SECOND:
      return value * 1'000'000;
    case arrow::TimeUnit::MILLI:
      return value * 1'000;
    case arrow::TimeUnit::MICRO:
      return value;
    case arrow::TimeUnit::NANO:
      return floor_div(value, 1'000);
  }
  return value;
}

// A windowed aggregation's late rows (its input's columns, late_reason, watermark), added to a
// LateRowsTable in its form.
class Adapter : public Sink {
 public:
  explicit Adapter(LateRowsTable* table) : table_(table) {}
  arrow::Result<SinkResult> Write(const std::string&, int64_t,
                                  const std::shared_ptr<arrow::Table>& rows) override {
    const int n = rows->num_columns();
    if (rows->num_rows() == 0 || n < 2) return SinkResult{};
    // One call holds one reason and one watermark (WindowedAggregation::WriteLate).
    ARROW_ASSIGN_OR_RAISE(auto reason, rows->column(n - 2)->GetScalar(0));
    ARROW_ASSIGN_OR_RAISE(auto watermark, rows->column(n - 1)->GetScalar(0));
    if (!reason->is_valid || !watermark->is_valid) {
      return arrow::Status::Invalid("internal error: late rows without a reason or a watermark");
    }
    ARROW_ASSIGN_OR_RAISE(auto columns, rows->RemoveColumn(n - 1));
    ARROW_ASSIGN_OR_RAISE(columns, columns->RemoveColumn(n - 2));
    ARROW_RETURN_NOT_OK(table_->Add(
        *columns, static_cast<const arrow::StringScalar&>(*reason).ToString(),
        static_cast<const arrow::TimestampScalar&>(*watermark).value, *watermark->type));
    return SinkResult{};
  }

 private:
  LateRowsTable* table_;
};

}  // namespace

std::shared_ptr<arrow::Schema> LateRowsTable::Schema() {
  return arrow::schema(
      {arrow::field("row", arrow::utf8()), arrow::field("late_reason", arrow::utf8()),
       arrow::field("watermark", arrow::timestamp(arrow::TimeUnit::MICRO, "UTC"))});
}

arrow::Status LateRowsTable::Add(const arrow::Table& rows, const std::string& reason,
                                 std::optional<int64_t> watermark, const arrow::DataType& time_type) {
  if (rows.num_rows() == 0) return arrow::Status::OK();
  ARROW_ASSIGN_OR_RAISE(auto combined, rows.CombineChunks());
  std::vector<std::string> keys;
  for (const auto& field : combined->schema()->fields()) {
    std::string key;
    io::AppendJsonString(plan::DisplayName(field->name()), &key);
    keys.push_back(std::move(key));
  }
  // A plain value and a flag, not an optional: GCC's -O2 takes the optional's value for unset.
  const bool has_watermark = watermark.has_value();
  const int64_t watermark_us = has_watermark ? ToMicros(*watermark, time_type) : 0;
  std::string text;
  for (int64_t i = 0; i < combined->num_rows(); ++i) {
    text = "{";
    for (int c = 0; c < combined->num_columns(); ++c) {
      if (c > 0) text += ",";
      text += keys[static_cast<size_t>(c)];
      text += ":";
      io::AppendJsonValue(*combined->column(c)->chunk(0), i, &text);
    }
    text += "}";
    ARROW_RETURN_NOT_OK(rows_.Append(text));
    ARROW_RETURN_NOT_OK(reasons_.Append(reason));
    ARROW_RETURN_NOT_OK(has_watermark ? watermarks_.Append(watermark_us) : watermarks_.AppendNull());
  }
  return arrow::Status::OK();
}

arrow::Status LateRowsTable::Flush(const BatchContext& context) {
  if (rows_.length() == 0) return arrow::Status::OK();
  ARROW_ASSIGN_OR_RAISE(auto rows, rows_.Finish());
  ARROW_ASSIGN_OR_RAISE(auto reasons, reasons_.Finish());
  ARROW_ASSIGN_OR_RAISE(auto watermarks, watermarks_.Finish());
  const int64_t n = rows->length();
  auto table = arrow::Table::Make(Schema(), {rows, reasons, watermarks}, n);
  return sink_->Write(context.query_id, context.batch_id, table).status();
}

std::unique_ptr<Sink> LateRowsTable::AdapterSink() { return std::make_unique<Adapter>(this); }

}  // namespace tidelake::stream
