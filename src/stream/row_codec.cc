#include "stream/row_codec.h"

#include <arrow/array/data.h>
#include <arrow/array/util.h>
#include <arrow/buffer_builder.h>
#include <arrow/type.h>
#include <arrow/type_traits.h>
#include <arrow/util/bit_util.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <optional>

namespace tidelake::stream {

namespace {

using Kind = ColumnCodec::Kind;

arrow::Result<ColumnCodec> CodecFor(const arrow::Field& field) {
  const auto& type = *field.type();
  switch (type.id()) {
    case arrow::Type::NA: return ColumnCodec{Kind::kNull};
    case arrow::Type::BOOL: return ColumnCodec{Kind::kBoolean};
    case arrow::Type::STRING:
    case arrow::Type::BINARY: return ColumnCodec{Kind::kBinary};
    case arrow::Type::LARGE_STRING:
    case arrow::Type::LARGE_BINARY: return ColumnCodec{Kind::kLargeBinary};
    case arrow::Type::HALF_FLOAT:
    case arrow::Type::FLOAT:
    case arrow::Type::DOUBLE: return ColumnCodec{Kind::kFixed, type.byte_width(), /*floating=*/true};
    default:
      break;
  }
  if (arrow::is_fixed_width(type.id()) && type.id() != arrow::Type::DICTIONARY &&
      type.id() != arrow::Type::EXTENSION && type.byte_width() > 0) {
    return ColumnCodec{Kind::kFixed, type.byte_width()};
  }
  return arrow::Status::NotImplemented("column '", field.name(), "' of type ", type.ToString(),
                                       " cannot be kept in the RocksDB state store (only flat types can)");
}

void PutVarint(uint64_t value, std::string* out) {
  while (value >= 0x80) {
    out->push_back(static_cast<char>((value & 0x7f) | 0x80));
    value >>= 7;
  }
  out->push_back(static_cast<char>(value));
}

bool GetVarint(std::string_view* in, uint64_t* value) {
  *value = 0;
  for (int shift = 0; shift < 64 && !in->empty(); shift += 7) {
    const auto byte = static_cast<uint8_t>(in->front());
    in->remove_prefix(1);
    *value |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) return true;
  }
  return false;
}

// A float's bytes with 0.0 for -0.0 and one NaN for all.
void PutCanonicalFloat(const uint8_t* bytes, int width, std::string* out) {
  if (width == 8) {
    double v;
    std::memcpy(&v, bytes, 8);
    if (v == 0) v = 0;
    if (std::isnan(v)) v = std::numeric_limits<double>::quiet_NaN();
    out->append(reinterpret_cast<const char*>(&v), 8);
  } else if (width == 4) {
    float v;
    std::memcpy(&v, bytes, 4);
    if (v == 0) v = 0;
    if (std::isnan(v)) v = std::numeric_limits<float>::quiet_NaN();
    out->append(reinterpret_cast<const char*>(&v), 4);
  } else {  // half floats: as they are
    out->append(reinterpret_cast<const char*>(bytes), width);
  }
}

}  // namespace

arrow::Result<RowEncoder> RowEncoder::Make(const arrow::Schema& schema, std::vector<int> columns, bool canonical) {
  std::vector<ColumnCodec> codecs;
  for (int column : columns) {
    if (column < 0 || column >= schema.num_fields()) {
      return arrow::Status::IndexError("column ", column, " of a row encoder is out of range");
    }
    ARROW_ASSIGN_OR_RAISE(auto codec, CodecFor(*schema.field(column)));
    codecs.push_back(codec);
  }
  return RowEncoder(std::move(columns), std::move(codecs), canonical);
}

void RowEncoder::Encode(const arrow::RecordBatch& batch, int64_t row, std::string* out) const {
  for (size_t i = 0; i < columns_.size(); ++i) {
    const arrow::ArrayData& data = *batch.column_data(columns_[i]);
    const ColumnCodec& codec = codecs_[i];
    const int64_t at = data.offset + row;
    if (codec.kind == Kind::kNull || data.IsNull(row)) {
      out->push_back('\0');
      continue;
    }
    out->push_back('\1');
    switch (codec.kind) {
      case Kind::kNull: break;
      case Kind::kBoolean:
        out->push_back(arrow::bit_util::GetBit(data.buffers[1]->data(), at) ? '\1' : '\0');
        break;
      case Kind::kFixed: {
        const uint8_t* value = data.buffers[1]->data() + at * codec.width;
        if (canonical_ && codec.floating) {
          PutCanonicalFloat(value, codec.width, out);
        } else {
          out->append(reinterpret_cast<const char*>(value), codec.width);
        }
        break;
      }
      case Kind::kBinary: {
        const auto* offsets = data.GetValues<int32_t>(1, 0);
        const int32_t begin = offsets[at], end = offsets[at + 1];
        PutVarint(static_cast<uint64_t>(end - begin), out);
        if (end > begin) out->append(reinterpret_cast<const char*>(data.buffers[2]->data()) + begin, end - begin);
        break;
      }
      case Kind::kLargeBinary: {
        const auto* offsets = data.GetValues<int64_t>(1, 0);
        const int64_t begin = offsets[at], end = offsets[at + 1];
        PutVarint(static_cast<uint64_t>(end - begin), out);
        if (end > begin) out->append(reinterpret_cast<const char*>(data.buffers[2]->data()) + begin, end - begin);
        break;
      }
    }
  }
}

/// The decoder's builders: per column its validity, values and (for binaries) offsets.
struct RowDecoder::Columns {
  struct Column {
    ColumnCodec codec;
    arrow::TypedBufferBuilder<bool> validity;
    arrow::TypedBufferBuilder<bool> bits;  // kBoolean's values
    arrow::BufferBuilder values;           // kFixed's values; the binaries' bytes
    arrow::TypedBufferBuilder<int32_t> offsets;
    arrow::TypedBufferBuilder<int64_t> large_offsets;
    int64_t nulls = 0;
  };
  std::vector<Column> columns;
  int64_t rows = 0;
  /// Per column of the row being added: null, or its value's bytes.
  std::vector<std::optional<std::string_view>> row;
};

RowDecoder::RowDecoder(std::shared_ptr<arrow::Schema> schema, std::unique_ptr<Columns> columns)
    : schema_(std::move(schema)), columns_(std::move(columns)) {}
RowDecoder::RowDecoder(RowDecoder&&) noexcept = default;
RowDecoder& RowDecoder::operator=(RowDecoder&&) noexcept = default;
RowDecoder::~RowDecoder() = default;

arrow::Result<RowDecoder> RowDecoder::Make(std::shared_ptr<arrow::Schema> schema) {
  auto columns = std::make_unique<Columns>();
  for (const auto& field : schema->fields()) {
    ARROW_ASSIGN_OR_RAISE(auto codec, CodecFor(*field));
    columns->columns.emplace_back();
    columns->columns.back().codec = codec;
  }
  columns->row.resize(columns->columns.size());
  RowDecoder decoder(std::move(schema), std::move(columns));
  ARROW_RETURN_NOT_OK(decoder.Finish().status());  // starts every binary's offsets at 0
  return decoder;
}

int64_t RowDecoder::num_rows() const { return columns_->rows; }

arrow::Status RowDecoder::Append(std::string_view bytes) {
  auto& row = columns_->row;
  // Parse the whole row first, so that a malformed one adds nothing.
  std::string_view in = bytes;
  for (size_t i = 0; i < columns_->columns.size(); ++i) {
    const ColumnCodec& codec = columns_->columns[i].codec;
    if (in.empty() || (in.front() != '\0' && in.front() != '\1')) {
      return arrow::Status::Invalid("a state row is corrupt at column ", schema_->field(i)->name());
    }
    const bool valid = in.front() == '\1';
    in.remove_prefix(1);
    if (!valid) {
      row[i] = std::nullopt;
      continue;
    }
    size_t size = 0;
    switch (codec.kind) {
      case Kind::kNull:
        return arrow::Status::Invalid("a state row has a value for null column ", schema_->field(i)->name());
      case Kind::kBoolean: size = 1; break;
      case Kind::kFixed: size = static_cast<size_t>(codec.width); break;
      case Kind::kBinary:
      case Kind::kLargeBinary: {
        uint64_t length = 0;
        if (!GetVarint(&in, &length)) {
          return arrow::Status::Invalid("a state row is corrupt at column ", schema_->field(i)->name());
        }
        size = static_cast<size_t>(length);
        break;
      }
    }
    if (in.size() < size) {
      return arrow::Status::Invalid("a state row is truncated at column ", schema_->field(i)->name());
    }
    row[i] = in.substr(0, size);
    in.remove_prefix(size);
  }
  if (!in.empty()) return arrow::Status::Invalid("a state row has ", in.size(), " bytes too many");

  for (size_t i = 0; i < columns_->columns.size(); ++i) {
    auto& column = columns_->columns[i];
    ARROW_RETURN_NOT_OK(column.validity.Append(row[i].has_value()));
    if (!row[i]) ++column.nulls;
    const std::string_view value = row[i].value_or(std::string_view());
    switch (column.codec.kind) {
      case Kind::kNull: break;
      case Kind::kBoolean:
        ARROW_RETURN_NOT_OK(column.bits.Append(!value.empty() && value.front() == '\1'));
        break;
      case Kind::kFixed:
        if (row[i]) {
          ARROW_RETURN_NOT_OK(column.values.Append(value.data(), static_cast<int64_t>(value.size())));
        } else {
          ARROW_RETURN_NOT_OK(column.values.Advance(column.codec.width));
          std::memset(column.values.mutable_data() + column.values.length() - column.codec.width, 0,
                      column.codec.width);
        }
        break;
      case Kind::kBinary:
        if (!value.empty()) ARROW_RETURN_NOT_OK(column.values.Append(value.data(), static_cast<int64_t>(value.size())));
        if (column.values.length() > std::numeric_limits<int32_t>::max()) {
          return arrow::Status::CapacityError("state column ", schema_->field(i)->name(),
                                              " holds more than 2 GiB of strings in one batch");
        }
        ARROW_RETURN_NOT_OK(column.offsets.Append(static_cast<int32_t>(column.values.length())));
        break;
      case Kind::kLargeBinary:
        if (!value.empty()) ARROW_RETURN_NOT_OK(column.values.Append(value.data(), static_cast<int64_t>(value.size())));
        ARROW_RETURN_NOT_OK(column.large_offsets.Append(column.values.length()));
        break;
    }
  }
  ++columns_->rows;
  return arrow::Status::OK();
}

arrow::Result<std::shared_ptr<arrow::Table>> RowDecoder::Finish() {
  const int64_t rows = columns_->rows;
  arrow::ArrayDataVector arrays;
  for (size_t i = 0; i < columns_->columns.size(); ++i) {
    auto& column = columns_->columns[i];
    const auto& type = schema_->field(static_cast<int>(i))->type();
    std::shared_ptr<arrow::Buffer> validity;
    ARROW_RETURN_NOT_OK(column.validity.Finish(&validity));
    const int64_t nulls = column.nulls;
    column.nulls = 0;
    if (nulls == 0) validity = nullptr;
    std::shared_ptr<arrow::Buffer> values, offsets;
    switch (column.codec.kind) {
      case Kind::kNull:
        arrays.push_back(arrow::ArrayData::Make(type, rows, {nullptr}, rows));
        continue;
      case Kind::kBoolean: ARROW_RETURN_NOT_OK(column.bits.Finish(&values)); break;
      case Kind::kFixed: ARROW_RETURN_NOT_OK(column.values.Finish(&values)); break;
      case Kind::kBinary:
        ARROW_RETURN_NOT_OK(column.offsets.Finish(&offsets));
        ARROW_RETURN_NOT_OK(column.values.Finish(&values));
        ARROW_RETURN_NOT_OK(column.offsets.Append(0));
        break;
      case Kind::kLargeBinary:
        ARROW_RETURN_NOT_OK(column.large_offsets.Finish(&offsets));
        ARROW_RETURN_NOT_OK(column.values.Finish(&values));
        ARROW_RETURN_NOT_OK(column.large_offsets.Append(0));
        break;
    }
    if (offsets) {
      arrays.push_back(arrow::ArrayData::Make(type, rows, {validity, offsets, values}, nulls));
    } else {
      arrays.push_back(arrow::ArrayData::Make(type, rows, {validity, values}, nulls));
    }
  }
  columns_->rows = 0;
  std::vector<std::shared_ptr<arrow::Array>> columns;
  for (auto& data : arrays) columns.push_back(arrow::MakeArray(data));
  return arrow::Table::Make(schema_, std::move(columns), rows);
}

}  // namespace tidelake::stream
