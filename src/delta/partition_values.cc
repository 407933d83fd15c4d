#include "delta/partition_values.h"

#include <arrow/scalar.h>
#include <arrow/type.h>
#include <arrow/util/checked_cast.h>
#include <arrow/util/decimal.h>

#include <charconv>
#include <cmath>

#include "delta/temporal_text.h"

namespace tidelake::delta {

namespace {

using arrow::internal::checked_cast;

// Shortest text that reads back to the same value, spelled the way Java's toString spells the
// special cases, with ".0" on integral values ("1.0") as Spark writes them.
template <typename Float>
std::string FormatFloating(Float value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value < 0 ? "-Infinity" : "Infinity";
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), value);
  std::string out(buf, end);
  if (out.find_first_of(".e") == std::string::npos) out += ".0";
  return out;
}

template <typename Int>
std::string FormatInteger(Int value) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), value);
  return std::string(buf, end);
}

arrow::Status CannotParse(std::string_view value, const arrow::DataType& type,
                          std::string_view detail) {
  return arrow::Status::Invalid("cannot read partition value '", value, "' as type ",
                                type.ToString(), ": ", detail);
}

template <typename ArrowType>
arrow::Result<std::shared_ptr<arrow::Scalar>> ParseInteger(
    const std::string& value, const std::shared_ptr<arrow::DataType>& type) {
  using CType = typename ArrowType::c_type;
  CType parsed{};
  const char* begin = value.data();
  const char* end = value.data() + value.size();
  if (begin != end && *begin == '+') ++begin;  // Java's Long.parseLong accepts a '+'
  auto [ptr, ec] = std::from_chars(begin, end, parsed);
  if (ec == std::errc::result_out_of_range) return CannotParse(value, *type, "out of range");
  if (ec != std::errc() || ptr != end) return CannotParse(value, *type, "not an integer");
  return std::make_shared<typename arrow::TypeTraits<ArrowType>::ScalarType>(parsed, type);
}

template <typename ArrowType>
arrow::Result<std::shared_ptr<arrow::Scalar>> ParseFloating(
    const std::string& value, const std::shared_ptr<arrow::DataType>& type) {
  using CType = typename ArrowType::c_type;
  CType parsed{};
  const char* begin = value.data();
  const char* end = value.data() + value.size();
  if (begin != end && *begin == '+') ++begin;
  auto [ptr, ec] = std::from_chars(begin, end, parsed);
  // from_chars reports overflow as out of range; "1e999" is not a usable partition value.
  if (ec != std::errc() || ptr != end) return CannotParse(value, *type, "not a number");
  return std::make_shared<typename arrow::TypeTraits<ArrowType>::ScalarType>(parsed, type);
}

template <typename ArrowType>
arrow::Result<std::shared_ptr<arrow::Scalar>> ParseDecimal(
    const std::string& value, const std::shared_ptr<arrow::DataType>& type) {
  using ValueType = typename arrow::TypeTraits<ArrowType>::ScalarType::ValueType;
  const auto& decimal_type = checked_cast<const arrow::DecimalType&>(*type);
  ValueType parsed;
  int32_t precision = 0;
  int32_t scale = 0;
  if (!ValueType::FromString(value, &parsed, &precision, &scale).ok()) {
    return CannotParse(value, *type, "not a decimal number");
  }
  auto rescaled = parsed.Rescale(scale, decimal_type.scale());
  if (!rescaled.ok()) {
    return CannotParse(value, *type, "it has more fractional digits than the scale allows");
  }
  if (!rescaled->FitsInPrecision(decimal_type.precision())) {
    return CannotParse(value, *type, "it has more digits than the precision allows");
  }
  return std::make_shared<typename arrow::TypeTraits<ArrowType>::ScalarType>(*rescaled, type);
}

template <typename DecimalScalar>
std::string DecimalText(const arrow::Scalar& value) {
  const auto& decimal_type = checked_cast<const arrow::DecimalType&>(*value.type);
  return checked_cast<const DecimalScalar&>(value).value.ToString(decimal_type.scale());
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i] >= 'A' && a[i] <= 'Z' ? static_cast<char>(a[i] - 'A' + 'a') : a[i];
    if (x != b[i]) return false;
  }
  return true;
}

bool NeedsEscaping(unsigned char c) {
  if (c < 0x20 || c == 0x7F) return true;
  switch (c) {
    case '"':
    case '#':
    case '%':
    case '\'':
    case '*':
    case '/':
    case ':':
    case '=':
    case '?':
    case '\\':
    case '{':
    case '[':
    case ']':
    case '^':
      return true;
    default:
      return false;
  }
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

arrow::Result<std::optional<std::string>> SerializePartitionValue(
    const arrow::Scalar& value, const PartitionValueOptions& options) {
  if (!value.is_valid) return std::nullopt;
  const arrow::DataType& type = *value.type;
  switch (type.id()) {
    case arrow::Type::BOOL:
      return std::string(checked_cast<const arrow::BooleanScalar&>(value).value ? "true" : "false");
    case arrow::Type::INT8:
      return FormatInteger(checked_cast<const arrow::Int8Scalar&>(value).value);
    case arrow::Type::INT16:
      return FormatInteger(checked_cast<const arrow::Int16Scalar&>(value).value);
    case arrow::Type::INT32:
      return FormatInteger(checked_cast<const arrow::Int32Scalar&>(value).value);
    case arrow::Type::INT64:
      return FormatInteger(checked_cast<const arrow::Int64Scalar&>(value).value);
    case arrow::Type::UINT8:
      return FormatInteger(checked_cast<const arrow::UInt8Scalar&>(value).value);
    case arrow::Type::UINT16:
      return FormatInteger(checked_cast<const arrow::UInt16Scalar&>(value).value);
    case arrow::Type::UINT32:
      return FormatInteger(checked_cast<const arrow::UInt32Scalar&>(value).value);
    case arrow::Type::UINT64:
      return FormatInteger(checked_cast<const arrow::UInt64Scalar&>(value).value);
    case arrow::Type::FLOAT:
      return FormatFloating(checked_cast<const arrow::FloatScalar&>(value).value);
    case arrow::Type::DOUBLE:
      return FormatFloating(checked_cast<const arrow::DoubleScalar&>(value).value);
    case arrow::Type::STRING:
    case arrow::Type::LARGE_STRING:
    case arrow::Type::STRING_VIEW:
    case arrow::Type::BINARY:
    case arrow::Type::LARGE_BINARY:
    case arrow::Type::BINARY_VIEW: {
      std::string_view bytes = checked_cast<const arrow::BaseBinaryScalar&>(value).view();
      if (bytes.empty()) return std::nullopt;  // "" reads back as null; write what it means
      return std::string(bytes);
    }
    case arrow::Type::DATE32: {
      ARROW_ASSIGN_OR_RAISE(std::string text,
                            FormatDate(checked_cast<const arrow::Date32Scalar&>(value).value));
      return text;
    }
    case arrow::Type::TIMESTAMP: {
      const auto& ts_type = checked_cast<const arrow::TimestampType&>(type);
      const int64_t ts = checked_cast<const arrow::TimestampScalar&>(value).value;
      const bool zoned = !ts_type.timezone().empty();
      const bool iso = zoned && options.timestamp_format == TimestampPartitionFormat::kIso8601Utc;
      ARROW_ASSIGN_OR_RAISE(std::string text, FormatTimestamp(ts, ts_type.unit(),
                                                              iso ? TimestampStyle::kIso8601Micros
                                                                  : TimestampStyle::kSpaceSeparated,
                                                              /*with_zone=*/iso));
      return text;
    }
    case arrow::Type::DECIMAL32:
      return DecimalText<arrow::Decimal32Scalar>(value);
    case arrow::Type::DECIMAL64:
      return DecimalText<arrow::Decimal64Scalar>(value);
    case arrow::Type::DECIMAL128:
      return DecimalText<arrow::Decimal128Scalar>(value);
    case arrow::Type::DECIMAL256:
      return DecimalText<arrow::Decimal256Scalar>(value);
    default:
      return arrow::Status::NotImplemented("a Delta partition value cannot have type ",
                                           type.ToString());
  }
}

arrow::Result<std::shared_ptr<arrow::Scalar>> ParsePartitionValue(
    const std::optional<std::string>& value, const std::shared_ptr<arrow::DataType>& type) {
  if (!value.has_value() || value->empty()) return arrow::MakeNullScalar(type);
  const std::string& text = *value;
  switch (type->id()) {
    case arrow::Type::BOOL:
      if (EqualsIgnoreCase(text, "true")) return std::make_shared<arrow::BooleanScalar>(true);
      if (EqualsIgnoreCase(text, "false")) return std::make_shared<arrow::BooleanScalar>(false);
      return CannotParse(text, *type, "expected true or false");
    case arrow::Type::INT8:
      return ParseInteger<arrow::Int8Type>(text, type);
    case arrow::Type::INT16:
      return ParseInteger<arrow::Int16Type>(text, type);
    case arrow::Type::INT32:
      return ParseInteger<arrow::Int32Type>(text, type);
    case arrow::Type::INT64:
      return ParseInteger<arrow::Int64Type>(text, type);
    case arrow::Type::UINT8:
      return ParseInteger<arrow::UInt8Type>(text, type);
    case arrow::Type::UINT16:
      return ParseInteger<arrow::UInt16Type>(text, type);
    case arrow::Type::UINT32:
      return ParseInteger<arrow::UInt32Type>(text, type);
    case arrow::Type::UINT64:
      return ParseInteger<arrow::UInt64Type>(text, type);
    case arrow::Type::FLOAT:
      return ParseFloating<arrow::FloatType>(text, type);
    case arrow::Type::DOUBLE:
      return ParseFloating<arrow::DoubleType>(text, type);
    case arrow::Type::STRING:
      return std::make_shared<arrow::StringScalar>(text);
    case arrow::Type::LARGE_STRING:
      return std::make_shared<arrow::LargeStringScalar>(text);
    case arrow::Type::STRING_VIEW:
      return std::make_shared<arrow::StringViewScalar>(text);
    case arrow::Type::BINARY:
      return std::make_shared<arrow::BinaryScalar>(arrow::Buffer::FromString(text));
    case arrow::Type::LARGE_BINARY:
      return std::make_shared<arrow::LargeBinaryScalar>(arrow::Buffer::FromString(text));
    case arrow::Type::BINARY_VIEW:
      return std::make_shared<arrow::BinaryViewScalar>(arrow::Buffer::FromString(text));
    case arrow::Type::DATE32: {
      auto days = ParseDate(text);
      if (!days.ok()) return CannotParse(text, *type, days.status().message());
      return std::make_shared<arrow::Date32Scalar>(*days);
    }
    case arrow::Type::TIMESTAMP: {
      const auto& ts_type = checked_cast<const arrow::TimestampType&>(*type);
      auto ts = ParseTimestamp(text, ts_type.unit(), /*allow_zone=*/!ts_type.timezone().empty(),
                               Rounding::kExact);
      if (!ts.ok()) return CannotParse(text, *type, ts.status().message());
      return std::make_shared<arrow::TimestampScalar>(*ts, type);
    }
    case arrow::Type::DECIMAL32:
      return ParseDecimal<arrow::Decimal32Type>(text, type);
    case arrow::Type::DECIMAL64:
      return ParseDecimal<arrow::Decimal64Type>(text, type);
    case arrow::Type::DECIMAL128:
      return ParseDecimal<arrow::Decimal128Type>(text, type);
    case arrow::Type::DECIMAL256:
      return ParseDecimal<arrow::Decimal256Type>(text, type);
    default:
      return arrow::Status::NotImplemented("cannot read partition value '", text,
                                           "': a Delta partition value cannot have type ",
                                           type->ToString());
  }
}

std::string EscapePathName(std::string_view name) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(name.size());
  for (char ch : name) {
    const auto c = static_cast<unsigned char>(ch);
    if (NeedsEscaping(c)) {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0x0F];
    } else {
      out += ch;
    }
  }
  return out;
}

std::string UnescapePathName(std::string_view name) {
  std::string out;
  out.reserve(name.size());
  for (size_t i = 0; i < name.size(); ++i) {
    if (name[i] == '%' && i + 2 < name.size()) {
      const int hi = HexValue(name[i + 1]);
      const int lo = HexValue(name[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
        continue;
      }
    }
    out += name[i];
  }
  return out;
}

std::string HivePartitionPath(
    const std::vector<std::pair<std::string, std::optional<std::string>>>& columns_and_values) {
  std::string out;
  for (const auto& [column, value] : columns_and_values) {
    out += EscapePathName(column);
    out += '=';
    if (!value.has_value() || value->empty()) {
      out += kHiveDefaultPartition;
    } else {
      out += EscapePathName(*value);
    }
    out += '/';
  }
  return out;
}

}  // namespace tidelake::delta
