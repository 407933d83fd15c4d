#include "io/arrow_json.h"

#include <arrow/array/array_nested.h>
#include <arrow/util/decimal.h>
#include <arrow/visit_type_inline.h>

#include <chrono>
#include <cmath>
#include <cstdio>

namespace tidelake::io {

namespace {

int64_t ToMicros(int64_t value, arrow::TimeUnit::type unit) {
  switch (unit) {
    case arrow::TimeUnit::SECOND: return value * 1000000;
    case arrow::TimeUnit::MILLI: return value * 1000;
    case arrow::TimeUnit::MICRO: return value;
    case arrow::TimeUnit::NANO: return value >= 0 ? value / 1000 : -((-value + 999) / 1000);
  }
  return value;
}

void AppendDouble(double v, std::string* out) {
  if (std::isnan(v)) {
    *out += "\"NaN\"";
  } else if (std::isinf(v)) {
    *out += v > 0 ? "\"Infinity\"" : "\"-Infinity\"";
  } else {
    char buf[32];
    int n = std::snprintf(buf, sizeof(buf), "%.17g", v);
    // Prefer the shortest representation that round-trips.
    for (int precision = 1; precision <= 17; ++precision) {
      char shorter[32];
      int m = std::snprintf(shorter, sizeof(shorter), "%.*g", precision, v);
      if (std::strtod(shorter, nullptr) == v) {
        out->append(shorter, static_cast<size_t>(m));
        return;
      }
    }
    out->append(buf, static_cast<size_t>(n));
  }
}

struct ValueWriter {
  const arrow::Array& array;
  int64_t row;
  std::string* out;

  template <typename T>
  arrow::Status Visit(const T& type) {
    using ArrayType = typename arrow::TypeTraits<T>::ArrayType;
    const auto& a = static_cast<const ArrayType&>(array);
    if constexpr (std::is_same_v<T, arrow::BooleanType>) {
      *out += a.Value(row) ? "true" : "false";
    } else if constexpr (std::is_same_v<T, arrow::FloatType> || std::is_same_v<T, arrow::DoubleType>) {
      AppendDouble(static_cast<double>(a.Value(row)), out);
    } else if constexpr (std::is_same_v<T, arrow::HalfFloatType>) {
      *out += "null";
    } else if constexpr (std::is_same_v<T, arrow::Date32Type>) {
      *out += '"' + FormatDate(a.Value(row)) + '"';
    } else if constexpr (std::is_same_v<T, arrow::Date64Type>) {
      *out += '"' + FormatDate(static_cast<int32_t>(a.Value(row) / 86400000)) + '"';
    } else if constexpr (std::is_same_v<T, arrow::TimestampType>) {
      *out += '"' + FormatTimestampMicros(ToMicros(a.Value(row), type.unit()), !type.timezone().empty()) + '"';
    } else if constexpr (arrow::is_integer_type<T>::value) {
      *out += std::to_string(a.Value(row));
    } else if constexpr (std::is_same_v<T, arrow::Decimal128Type>) {
      *out += arrow::Decimal128(a.GetValue(row)).ToString(type.scale());
    } else if constexpr (std::is_same_v<T, arrow::Decimal256Type>) {
      *out += arrow::Decimal256(a.GetValue(row)).ToString(type.scale());
    } else if constexpr (arrow::is_base_binary_type<T>::value || arrow::is_binary_view_like_type<T>::value ||
                         std::is_same_v<T, arrow::FixedSizeBinaryType>) {
      AppendJsonString(a.GetView(row), out);
    } else if constexpr (std::is_same_v<T, arrow::StructType>) {
      *out += '{';
      bool first = true;
      for (int i = 0; i < type.num_fields(); ++i) {
        const auto& child = *a.field(i);
        if (!first) *out += ',';
        first = false;
        AppendJsonString(type.field(i)->name(), out);
        *out += ':';
        AppendJsonValue(child, row, out);
      }
      *out += '}';
    } else if constexpr (std::is_same_v<T, arrow::MapType>) {
      const auto& keys = *a.keys();
      const auto& items = *a.items();
      *out += '{';
      for (int64_t i = a.value_offset(row); i < a.value_offset(row) + a.value_length(row); ++i) {
        if (i != a.value_offset(row)) *out += ',';
        std::string key;
        AppendJsonValue(keys, i, &key);
        if (key.empty() || key.front() != '"') key = '"' + key + '"';
        *out += key;
        *out += ':';
        AppendJsonValue(items, i, out);
      }
      *out += '}';
    } else if constexpr (std::is_same_v<T, arrow::ListType> || std::is_same_v<T, arrow::LargeListType>) {
      const auto& values = *a.values();
      *out += '[';
      for (int64_t i = a.value_offset(row); i < a.value_offset(row) + a.value_length(row); ++i) {
        if (i != a.value_offset(row)) *out += ',';
        AppendJsonValue(values, i, out);
      }
      *out += ']';
    } else if constexpr (std::is_same_v<T, arrow::DictionaryType>) {
      const auto& d = static_cast<const arrow::DictionaryArray&>(array);
      AppendJsonValue(*d.dictionary(), d.GetValueIndex(row), out);
    } else {
      *out += "null";
    }
    return arrow::Status::OK();
  }
};

}  // namespace

void AppendJsonString(std::string_view text, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->push_back('"');
  for (unsigned char c : text) {
    switch (c) {
      case '"': *out += "\\\""; break;
      case '\\': *out += "\\\\"; break;
      case '\n': *out += "\\n"; break;
      case '\r': *out += "\\r"; break;
      case '\t': *out += "\\t"; break;
      case '\b': *out += "\\b"; break;
      case '\f': *out += "\\f"; break;
      default:
        if (c < 0x20) {
          *out += "\\u00";
          out->push_back(kHex[c >> 4]);
          out->push_back(kHex[c & 15]);
        } else {
          out->push_back(static_cast<char>(c));
        }
    }
  }
  out->push_back('"');
}

std::string FormatDate(int32_t days) {
  std::chrono::sys_days d{std::chrono::days{days}};
  std::chrono::year_month_day ymd{d};
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return buf;
}

std::string FormatTimestampMicros(int64_t micros, bool zoned) {
  int64_t days = micros >= 0 ? micros / 86400000000LL : -((-micros + 86400000000LL - 1) / 86400000000LL);
  int64_t rem = micros - days * 86400000000LL;
  int64_t secs = rem / 1000000, frac = rem % 1000000;
  char buf[64];
  std::string date = FormatDate(static_cast<int32_t>(days));
  if (frac % 1000 == 0) {
    std::snprintf(buf, sizeof(buf), "%sT%02lld:%02lld:%02lld.%03lld%s", date.c_str(),
                  static_cast<long long>(secs / 3600), static_cast<long long>(secs / 60 % 60),
                  static_cast<long long>(secs % 60), static_cast<long long>(frac / 1000), zoned ? "Z" : "");
  } else {
    std::snprintf(buf, sizeof(buf), "%sT%02lld:%02lld:%02lld.%06lld%s", date.c_str(),
                  static_cast<long long>(secs / 3600), static_cast<long long>(secs / 60 % 60),
                  static_cast<long long>(secs % 60), static_cast<long long>(frac), zoned ? "Z" : "");
  }
  return buf;
}

void AppendJsonValue(const arrow::Array& array, int64_t row, std::string* out) {
  if (array.IsNull(row)) {
    *out += "null";
    return;
  }
  ValueWriter writer{array, row, out};
  auto st = arrow::VisitTypeInline(*array.type(), &writer);
  if (!st.ok()) *out += "null";
}

}  // namespace tidelake::io
