// The reading half of file_stats.h: ParseStats, StatsGuarantee and MayMatch.
//
// ParseStats uses simdjson's On-Demand API rather than the DOM API used elsewhere: Delta
// writes decimal statistics as JSON numbers with every digit ("-5.67800", and up to 38 digits
// for decimal(38,0)), and the DOM parser both rounds such numbers to double and rejects the
// whole document when an integer does not fit in 64 bits. On-Demand hands us each number's
// exact text. Because On-Demand only checks what is visited, every value we do not use is
// still walked (ValidateValue), so malformed JSON is reported wherever it is.

#include <arrow/scalar.h>
#include <arrow/util/checked_cast.h>
#include <arrow/util/decimal.h>
#include <simdjson.h>

#include <charconv>
#include <cmath>
#include <limits>

#include "delta/file_stats.h"
#include "delta/temporal_text.h"

namespace tidelake::delta {

namespace cp = arrow::compute;
namespace od = simdjson::ondemand;
using arrow::internal::checked_cast;

namespace {

arrow::Status JsonError(simdjson::error_code error) {
  return arrow::Status::Invalid("invalid statistics JSON: ", simdjson::error_message(error));
}

#define TIDELAKE_SJ(expr)                                            \
  do {                                                               \
    simdjson::error_code _sj_error = (expr);                         \
    if (_sj_error != simdjson::SUCCESS) return JsonError(_sj_error); \
  } while (false)

std::string_view TrimRight(std::string_view text) {
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\n' ||
                           text.back() == '\r')) {
    text.remove_suffix(1);
  }
  return text;
}

/// Whether `token` is a JSON number: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
bool IsJsonNumber(std::string_view token) {
  size_t i = 0;
  auto digits = [&] {
    size_t start = i;
    while (i < token.size() && token[i] >= '0' && token[i] <= '9') ++i;
    return i - start;
  };
  if (i < token.size() && token[i] == '-') ++i;
  if (i < token.size() && token[i] == '0') {
    ++i;
  } else if (digits() == 0) {
    return false;
  }
  if (i < token.size() && token[i] == '.') {
    ++i;
    if (digits() == 0) return false;
  }
  if (i < token.size() && (token[i] == 'e' || token[i] == 'E')) {
    ++i;
    if (i < token.size() && (token[i] == '+' || token[i] == '-')) ++i;
    if (digits() == 0) return false;
  }
  return i == token.size();
}

/// Walks a value we do not use, so that malformed JSON inside it is still an error.
arrow::Status ValidateValue(od::value value) {
  od::json_type type;
  TIDELAKE_SJ(value.type().get(type));
  switch (type) {
    case od::json_type::object: {
      od::object object;
      TIDELAKE_SJ(value.get_object().get(object));
      for (auto field : object) {
        std::string_view key;
        TIDELAKE_SJ(field.unescaped_key().get(key));
        od::value child;
        TIDELAKE_SJ(field.value().get(child));
        ARROW_RETURN_NOT_OK(ValidateValue(child));
      }
      return arrow::Status::OK();
    }
    case od::json_type::array: {
      od::array array;
      TIDELAKE_SJ(value.get_array().get(array));
      for (auto element : array) {
        od::value child;
        TIDELAKE_SJ(element.get(child));
        ARROW_RETURN_NOT_OK(ValidateValue(child));
      }
      return arrow::Status::OK();
    }
    case od::json_type::string: {
      std::string_view text;
      TIDELAKE_SJ(value.get_string().get(text));
      return arrow::Status::OK();
    }
    case od::json_type::number:
      if (!IsJsonNumber(TrimRight(value.raw_json_token()))) {
        return arrow::Status::Invalid("invalid statistics JSON: malformed number '",
                                      TrimRight(value.raw_json_token()), "'");
      }
      return arrow::Status::OK();
    case od::json_type::boolean: {
      bool flag;
      TIDELAKE_SJ(value.get_bool().get(flag));
      return arrow::Status::OK();
    }
    case od::json_type::null: {
      bool is_null = false;
      TIDELAKE_SJ(value.is_null().get(is_null));
      if (!is_null) return JsonError(simdjson::N_ATOM_ERROR);
      return arrow::Status::OK();
    }
  }
  return arrow::Status::OK();
}

// --- numbers -----------------------------------------------------------------------------

std::optional<double> ParseDouble(std::string_view token) {
  double value = 0;
  auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), value);
  if (ec != std::errc() || end != token.data() + token.size()) return std::nullopt;
  return value;
}

/// An integer bound from a JSON number, rounded outward if it has a fraction.
template <typename CType>
std::optional<CType> IntegerBound(std::string_view token, bool is_max) {
  CType value{};
  auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), value);
  if (ec == std::errc() && end == token.data() + token.size()) return value;
  if (ec == std::errc::result_out_of_range && end == token.data() + token.size()) {
    return std::nullopt;
  }
  auto as_double = ParseDouble(token);
  if (!as_double || !std::isfinite(*as_double)) return std::nullopt;
  const double rounded = is_max ? std::ceil(*as_double) : std::floor(*as_double);
  // Doubles at the edges of the integer range are inexact; refuse rather than wrap.
  if (rounded < static_cast<double>(std::numeric_limits<CType>::lowest()) ||
      rounded >= static_cast<double>(std::numeric_limits<CType>::max())) {
    return std::nullopt;
  }
  return static_cast<CType>(rounded);
}

template <typename ArrowType>
std::shared_ptr<arrow::Scalar> IntegerScalar(std::string_view token, bool is_max,
                                             const std::shared_ptr<arrow::DataType>& type) {
  using CType = typename ArrowType::c_type;
  auto value = IntegerBound<CType>(token, is_max);
  if (!value) return nullptr;
  return std::make_shared<typename arrow::TypeTraits<ArrowType>::ScalarType>(*value, type);
}

/// Decimal text -> decimal of `type`, rounding outward when the text has more fraction digits
/// than the scale. nullptr if it is not a number or does not fit the precision.
template <typename ArrowType>
std::shared_ptr<arrow::Scalar> DecimalScalar(std::string_view token, bool is_max,
                                             const std::shared_ptr<arrow::DataType>& type) {
  using ScalarType = typename arrow::TypeTraits<ArrowType>::ScalarType;
  using Value = typename ScalarType::ValueType;
  const auto& decimal_type = checked_cast<const arrow::DecimalType&>(*type);
  const int32_t target_scale = decimal_type.scale();
  Value value;
  int32_t precision = 0;
  int32_t scale = 0;
  if (!Value::FromString(token, &value, &precision, &scale).ok()) return nullptr;
  Value result;
  if (scale <= target_scale) {
    auto rescaled = value.Rescale(scale, target_scale);
    if (!rescaled.ok()) return nullptr;
    result = *rescaled;
  } else {
    const int32_t drop = scale - target_scale;
    Value remainder;
    if (drop > ArrowType::kMaxPrecision) {
      result = Value(0);  // |value| < 10^kMaxPrecision: nothing is left of it
      remainder = value;
    } else {
      auto divided = value.Divide(Value::GetScaleMultiplier(drop));
      if (!divided.ok()) return nullptr;
      result = divided->first;  // truncated toward zero
      remainder = divided->second;
    }
    if (remainder != Value(0)) {
      if (is_max && !value.IsNegative()) result += Value(1);
      if (!is_max && value.IsNegative()) result -= Value(1);
    }
  }
  if (!result.FitsInPrecision(decimal_type.precision())) return nullptr;
  return std::make_shared<ScalarType>(result, type);
}

/// A min/max bound of `type` from a JSON number token, or nullptr.
std::shared_ptr<arrow::Scalar> NumberBound(std::string_view token, bool is_max,
                                           const std::shared_ptr<arrow::DataType>& type) {
  if (!IsJsonNumber(token)) return nullptr;
  switch (type->id()) {
    case arrow::Type::INT8:
      return IntegerScalar<arrow::Int8Type>(token, is_max, type);
    case arrow::Type::INT16:
      return IntegerScalar<arrow::Int16Type>(token, is_max, type);
    case arrow::Type::INT32:
      return IntegerScalar<arrow::Int32Type>(token, is_max, type);
    case arrow::Type::INT64:
      return IntegerScalar<arrow::Int64Type>(token, is_max, type);
    case arrow::Type::UINT8:
      return IntegerScalar<arrow::UInt8Type>(token, is_max, type);
    case arrow::Type::UINT16:
      return IntegerScalar<arrow::UInt16Type>(token, is_max, type);
    case arrow::Type::UINT32:
      return IntegerScalar<arrow::UInt32Type>(token, is_max, type);
    case arrow::Type::UINT64:
      return IntegerScalar<arrow::UInt64Type>(token, is_max, type);
    case arrow::Type::FLOAT: {
      auto value = ParseDouble(token);
      if (!value || !std::isfinite(*value)) return nullptr;
      // Round outward to the nearest float on the safe side.
      float narrowed = static_cast<float>(*value);
      if (!is_max && static_cast<double>(narrowed) > *value) {
        narrowed = std::nextafter(narrowed, -std::numeric_limits<float>::infinity());
      }
      if (is_max && static_cast<double>(narrowed) < *value) {
        narrowed = std::nextafter(narrowed, std::numeric_limits<float>::infinity());
      }
      return std::make_shared<arrow::FloatScalar>(narrowed);
    }
    case arrow::Type::DOUBLE: {
      auto value = ParseDouble(token);
      if (!value || !std::isfinite(*value)) return nullptr;
      return std::make_shared<arrow::DoubleScalar>(*value);
    }
    case arrow::Type::DECIMAL32:
      return DecimalScalar<arrow::Decimal32Type>(token, is_max, type);
    case arrow::Type::DECIMAL64:
      return DecimalScalar<arrow::Decimal64Type>(token, is_max, type);
    case arrow::Type::DECIMAL128:
      return DecimalScalar<arrow::Decimal128Type>(token, is_max, type);
    case arrow::Type::DECIMAL256:
      return DecimalScalar<arrow::Decimal256Type>(token, is_max, type);
    default:
      return nullptr;
  }
}

/// A min/max bound of `type` from a JSON string, or nullptr.
std::shared_ptr<arrow::Scalar> StringBound(std::string_view text, bool is_max,
                                           const std::shared_ptr<arrow::DataType>& type) {
  switch (type->id()) {
    case arrow::Type::STRING:
      return std::make_shared<arrow::StringScalar>(std::string(text));
    case arrow::Type::LARGE_STRING:
      return std::make_shared<arrow::LargeStringScalar>(std::string(text));
    case arrow::Type::STRING_VIEW:
      return std::make_shared<arrow::StringViewScalar>(std::string(text));
    case arrow::Type::DATE32: {
      auto days = ParseDate(text);
      if (!days.ok()) return nullptr;
      return std::make_shared<arrow::Date32Scalar>(*days);
    }
    case arrow::Type::TIMESTAMP: {
      const auto& ts_type = checked_cast<const arrow::TimestampType&>(*type);
      const bool zoned = !ts_type.timezone().empty();
      // A "Z" on a timestamp_ntz bound shifts nothing; tolerate writers that add one.
      if (!zoned && !text.empty() && text.back() == 'Z') text.remove_suffix(1);
      // Date-only text parses as midnight: type widening from date keeps old date stats.
      auto value = ParseTimestamp(text, ts_type.unit(), /*allow_zone=*/zoned,
                                  is_max ? Rounding::kCeil : Rounding::kFloor);
      if (!value.ok()) return nullptr;
      return std::make_shared<arrow::TimestampScalar>(*value, type);
    }
    case arrow::Type::FLOAT:
    case arrow::Type::DOUBLE: {
      // Jackson spells non-finite numbers as strings. Infinities are (useless but) valid
      // bounds; NaN is not a bound at all.
      double value;
      if (text == "Infinity") {
        value = std::numeric_limits<double>::infinity();
      } else if (text == "-Infinity") {
        value = -std::numeric_limits<double>::infinity();
      } else {
        return nullptr;
      }
      if (type->id() == arrow::Type::FLOAT) {
        return std::make_shared<arrow::FloatScalar>(static_cast<float>(value));
      }
      return std::make_shared<arrow::DoubleScalar>(value);
    }
    default:
      return nullptr;
  }
}

// --- walking the stats object ----------------------------------------------------------------

/// The statistics keys of the schema: a tree of physical names whose leaves are leaf columns.
struct NameNode {
  std::map<std::string, size_t, std::less<>> children;  ///< name -> index in nodes
  int leaf = -1;                                        ///< index in columns, for leaves
};

enum class StatKind { kMin, kMax, kNullCount };

struct StatsReader {
  std::vector<NameNode> nodes;
  std::vector<ColumnStats> columns;

  void AddFields(const arrow::FieldVector& fields, size_t node, const ColumnNameFn& column_name,
                 std::vector<std::string>* path) {
    for (const auto& field : fields) {
      const std::string name = column_name ? column_name(*field) : field->name();
      const size_t child = nodes.size();
      nodes.emplace_back();
      nodes[node].children.emplace(name, child);
      path->push_back(field->name());
      if (field->type()->id() == arrow::Type::STRUCT) {
        AddFields(field->type()->fields(), child, column_name, path);
      } else {
        nodes[child].leaf = static_cast<int>(columns.size());
        columns.push_back(ColumnStats{*path, field->type(), nullptr, nullptr, std::nullopt});
      }
      path->pop_back();
    }
  }

  arrow::Status ReadLeaf(od::value value, ColumnStats* column, StatKind kind) {
    od::json_type type;
    TIDELAKE_SJ(value.type().get(type));
    if (type == od::json_type::number) {
      std::string_view token = TrimRight(value.raw_json_token());
      if (!IsJsonNumber(token)) {
        return arrow::Status::Invalid("invalid statistics JSON: malformed number '", token, "'");
      }
      if (kind == StatKind::kNullCount) {
        int64_t count = 0;
        auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), count);
        if (ec == std::errc() && end == token.data() + token.size() && count >= 0) {
          column->null_count = count;
        }
      } else {
        const bool is_max = kind == StatKind::kMax;
        (is_max ? column->max : column->min) = NumberBound(token, is_max, column->type);
      }
      return arrow::Status::OK();
    }
    if (type == od::json_type::string && kind != StatKind::kNullCount) {
      std::string_view text;
      TIDELAKE_SJ(value.get_string().get(text));
      const bool is_max = kind == StatKind::kMax;
      (is_max ? column->max : column->min) = StringBound(text, is_max, column->type);
      return arrow::Status::OK();
    }
    return ValidateValue(value);  // null, or a shape this column cannot use
  }

  arrow::Status ReadObject(od::object object, size_t node, StatKind kind) {
    for (auto field : object) {
      std::string_view key;
      TIDELAKE_SJ(field.unescaped_key().get(key));
      od::value value;
      TIDELAKE_SJ(field.value().get(value));
      auto it = nodes[node].children.find(key);
      if (it == nodes[node].children.end()) {
        ARROW_RETURN_NOT_OK(ValidateValue(value));  // a column we do not know
        continue;
      }
      const NameNode& child = nodes[it->second];
      if (child.leaf >= 0) {
        ARROW_RETURN_NOT_OK(ReadLeaf(value, &columns[child.leaf], kind));
        continue;
      }
      od::json_type type;
      TIDELAKE_SJ(value.type().get(type));
      if (type != od::json_type::object) {
        ARROW_RETURN_NOT_OK(ValidateValue(value));
        continue;
      }
      od::object nested;
      TIDELAKE_SJ(value.get_object().get(nested));
      ARROW_RETURN_NOT_OK(ReadObject(nested, it->second, kind));
    }
    return arrow::Status::OK();
  }
};

arrow::Status ReadStatsObject(od::object root, StatsReader* reader, FileStats* stats) {
  for (auto field : root) {
    std::string_view key;
    TIDELAKE_SJ(field.unescaped_key().get(key));
    od::value value;
    TIDELAKE_SJ(field.value().get(value));
    od::json_type type;
    TIDELAKE_SJ(value.type().get(type));
    if (key == "numRecords" && type == od::json_type::number) {
      std::string_view token = TrimRight(value.raw_json_token());
      int64_t count = 0;
      auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), count);
      if (ec == std::errc() && end == token.data() + token.size() && count >= 0) {
        stats->num_records = count;
      } else {
        ARROW_RETURN_NOT_OK(ValidateValue(value));
      }
    } else if (key == "tightBounds" && type == od::json_type::boolean) {
      bool tight = true;
      TIDELAKE_SJ(value.get_bool().get(tight));
      stats->tight_bounds = tight;
    } else if ((key == "minValues" || key == "maxValues" || key == "nullCount") &&
               type == od::json_type::object) {
      const StatKind kind = key == "minValues"   ? StatKind::kMin
                            : key == "maxValues" ? StatKind::kMax
                                                 : StatKind::kNullCount;
      od::object object;
      TIDELAKE_SJ(value.get_object().get(object));
      ARROW_RETURN_NOT_OK(reader->ReadObject(object, 0, kind));
    } else {
      ARROW_RETURN_NOT_OK(ValidateValue(value));
    }
  }
  return arrow::Status::OK();
}

// --- skipping ----------------------------------------------------------------------------------

arrow::FieldRef RefFor(const std::vector<std::string>& path) {
  if (path.size() == 1) return arrow::FieldRef(path[0]);
  return arrow::FieldRef(std::vector<arrow::FieldRef>(path.begin(), path.end()));
}

/// Widens a timestamp max written truncated to milliseconds into a true upper bound.
std::shared_ptr<arrow::Scalar> UpperBound(const std::shared_ptr<arrow::Scalar>& max) {
  if (max->type->id() != arrow::Type::TIMESTAMP) return max;
  const auto unit = checked_cast<const arrow::TimestampType&>(*max->type).unit();
  const int64_t slack = unit == arrow::TimeUnit::MICRO  ? 999
                        : unit == arrow::TimeUnit::NANO ? 999999
                                                        : 0;
  int64_t value = checked_cast<const arrow::TimestampScalar&>(*max).value;
  if (__builtin_add_overflow(value, slack, &value)) value = std::numeric_limits<int64_t>::max();
  return std::make_shared<arrow::TimestampScalar>(value, max->type);
}

}  // namespace

const ColumnStats* FileStats::Find(const std::vector<std::string>& path) const {
  for (const auto& column : columns) {
    if (column.path == path) return &column;
  }
  return nullptr;
}

arrow::Result<FileStats> ParseStats(std::string_view json, const arrow::Schema& logical_schema,
                                    const ColumnNameFn& column_name) {
  StatsReader reader;
  reader.nodes.emplace_back();
  std::vector<std::string> path;
  reader.AddFields(logical_schema.fields(), 0, column_name, &path);

  FileStats stats;
  simdjson::padded_string padded(json);
  od::parser parser;
  od::document document;
  TIDELAKE_SJ(parser.iterate(padded).get(document));
  od::object root;
  TIDELAKE_SJ(document.get_object().get(root));
  ARROW_RETURN_NOT_OK(ReadStatsObject(root, &reader, &stats));
  const char* trailing = nullptr;
  if (document.current_location().get(trailing) == simdjson::SUCCESS) {
    return arrow::Status::Invalid("invalid statistics JSON: unexpected text after the object");
  }
  for (auto& column : reader.columns) {
    if (column.min || column.max || column.null_count) stats.columns.push_back(std::move(column));
  }
  return stats;
}

cp::Expression StatsGuarantee(const FileStats& stats) {
  std::vector<cp::Expression> conjuncts;
  for (const auto& column : stats.columns) {
    const cp::Expression ref = cp::field_ref(RefFor(column.path));
    const bool all_null = column.null_count && stats.num_records && *stats.num_records > 0 &&
                          *column.null_count == *stats.num_records;
    if (all_null) {
      // Every (valid) row is null here; the bounds carry no information.
      conjuncts.push_back(cp::is_null(ref));
      continue;
    }
    const bool no_nulls = column.null_count && *column.null_count == 0;
    std::shared_ptr<arrow::Scalar> max = column.max ? UpperBound(column.max) : nullptr;
    if (no_nulls && column.min && max && column.min->Equals(*max)) {
      conjuncts.push_back(cp::equal(ref, cp::literal(column.min)));
      continue;
    }
    // Arrow takes a bare `x >= min` guarantee to mean "x is not null" too, which would
    // wrongly rule out is_null(x); with nulls possible, say so with `or is_null(x)`.
    auto bound = [&](cp::Expression comparison) {
      return no_nulls ? comparison : cp::or_(std::move(comparison), cp::is_null(ref));
    };
    if (column.min) conjuncts.push_back(bound(cp::greater_equal(ref, cp::literal(column.min))));
    if (max) conjuncts.push_back(bound(cp::less_equal(ref, cp::literal(max))));
    if (no_nulls) conjuncts.push_back(cp::is_valid(ref));
  }
  if (conjuncts.empty()) return cp::literal(true);
  return cp::and_(conjuncts);
}

namespace {

arrow::Status RequireBound(const cp::Expression& filter) {
  if (filter.IsBound()) return arrow::Status::OK();
  return arrow::Status::Invalid("data skipping needs a filter bound to the table schema: ",
                                filter.ToString());
}

}  // namespace

arrow::Result<bool> MayMatch(const cp::Expression& bound_filter, const FileStats& stats) {
  ARROW_RETURN_NOT_OK(RequireBound(bound_filter));
  if (stats.num_records && *stats.num_records == 0) return false;
  return MayMatch(bound_filter, StatsGuarantee(stats));
}

arrow::Result<bool> MayMatch(const cp::Expression& bound_filter, const cp::Expression& guarantee) {
  ARROW_RETURN_NOT_OK(RequireBound(bound_filter));
  ARROW_ASSIGN_OR_RAISE(cp::Expression simplified,
                        cp::SimplifyWithGuarantee(bound_filter, guarantee));
  // IsSatisfiable is false for a false or null literal, and for and/or combinations that
  // cannot be true, such as the invert(true_unless_null(x)) left by a nullable guarantee.
  return simplified.IsSatisfiable();
}

#undef TIDELAKE_SJ

}  // namespace tidelake::delta
