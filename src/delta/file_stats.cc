// The writing half of file_stats.h: StatsCollector and the stats JSON it renders.
// ParseStats, StatsGuarantee and MayMatch are in file_stats_read.cc.

#include "delta/file_stats.h"

#include <arrow/array.h>
#include <arrow/scalar.h>
#include <arrow/util/checked_cast.h>
#include <arrow/util/decimal.h>
#include <arrow/util/utf8.h>

#include <charconv>
#include <cmath>
#include <nlohmann/json.hpp>

#include "delta/temporal_text.h"

namespace tidelake::delta {

namespace cp = arrow::compute;
using arrow::internal::checked_cast;

namespace {

/// Types that get minValues/maxValues. Booleans, binary and nested types never do (as in
/// Spark); string_view has no min_max kernel in Arrow.
bool HasMinMax(const arrow::DataType& type) {
  switch (type.id()) {
    case arrow::Type::INT8:
    case arrow::Type::INT16:
    case arrow::Type::INT32:
    case arrow::Type::INT64:
    case arrow::Type::UINT8:
    case arrow::Type::UINT16:
    case arrow::Type::UINT32:
    case arrow::Type::UINT64:
    case arrow::Type::FLOAT:
    case arrow::Type::DOUBLE:
    case arrow::Type::DECIMAL32:
    case arrow::Type::DECIMAL64:
    case arrow::Type::DECIMAL128:
    case arrow::Type::DECIMAL256:
    case arrow::Type::DATE32:
    case arrow::Type::TIMESTAMP:
    case arrow::Type::STRING:
    case arrow::Type::LARGE_STRING:
      return true;
    default:
      return false;
  }
}

bool IsBinaryLike(const arrow::DataType& type) {
  return type.id() == arrow::Type::STRING || type.id() == arrow::Type::LARGE_STRING;
}

template <typename Number>
std::string NumberText(Number value) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), value);
  std::string out(buf, end);
  if constexpr (std::is_floating_point_v<Number>) {
    if (out.find_first_of(".e") == std::string::npos) out += ".0";  // 4.0, as Spark writes
  }
  return out;
}

std::string Quote(std::string_view text) {
  // Callers pass valid UTF-8 only, so the strict handler never throws.
  return nlohmann::json(std::string(text)).dump();
}

/// Byte length of the first `count` code points of valid UTF-8 `text` (all of it if shorter).
size_t PrefixBytes(std::string_view text, int count) {
  size_t pos = 0;
  for (int i = 0; i < count && pos < text.size(); ++i) {
    const auto lead = static_cast<unsigned char>(text[pos]);
    pos += lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
  }
  return std::min(pos, text.size());
}

/// An upper bound of `text` no longer than about `count` code points (see file_stats.h).
std::optional<std::string> TruncateMax(std::string_view text, int count) {
  size_t cut = PrefixBytes(text, count);
  // A code point >= U+E000 starts with a byte >= 0xEE (U+E000 is EE 80 80). Appending U+10FFFF
  // after the prefix only bounds the string if the next code point is below U+E000: in UTF-8
  // byte order anything below U+10FFFF would do, but in UTF-16 order U+E000..U+FFFF sort
  // above U+10FFFF's surrogate pair.
  int extended = 0;
  while (cut < text.size() && static_cast<unsigned char>(text[cut]) >= 0xEE) {
    cut = PrefixBytes(text, count + ++extended);
    if (extended > count) return std::nullopt;
  }
  if (cut >= text.size()) return std::string(text);
  return std::string(text.substr(0, cut)) + "\xF4\x8F\xBF\xBF";
}

template <typename DecimalScalar>
std::string DecimalText(const arrow::Scalar& scalar) {
  const auto& decimal_type = checked_cast<const arrow::DecimalType&>(*scalar.type);
  return checked_cast<const DecimalScalar&>(scalar).value.ToString(decimal_type.scale());
}

/// The JSON text of a min (is_max false) or max bound, or nullopt to leave it out.
std::optional<std::string> BoundJson(const arrow::Scalar& scalar, bool is_max,
                                     int string_prefix_length) {
  switch (scalar.type->id()) {
    case arrow::Type::INT8:
      return NumberText(checked_cast<const arrow::Int8Scalar&>(scalar).value);
    case arrow::Type::INT16:
      return NumberText(checked_cast<const arrow::Int16Scalar&>(scalar).value);
    case arrow::Type::INT32:
      return NumberText(checked_cast<const arrow::Int32Scalar&>(scalar).value);
    case arrow::Type::INT64:
      return NumberText(checked_cast<const arrow::Int64Scalar&>(scalar).value);
    case arrow::Type::UINT8:
      return NumberText(checked_cast<const arrow::UInt8Scalar&>(scalar).value);
    case arrow::Type::UINT16:
      return NumberText(checked_cast<const arrow::UInt16Scalar&>(scalar).value);
    case arrow::Type::UINT32:
      return NumberText(checked_cast<const arrow::UInt32Scalar&>(scalar).value);
    case arrow::Type::UINT64:
      return NumberText(checked_cast<const arrow::UInt64Scalar&>(scalar).value);
    case arrow::Type::FLOAT: {
      const float value = checked_cast<const arrow::FloatScalar&>(scalar).value;
      if (!std::isfinite(value)) return std::nullopt;
      return NumberText(value);
    }
    case arrow::Type::DOUBLE: {
      const double value = checked_cast<const arrow::DoubleScalar&>(scalar).value;
      if (!std::isfinite(value)) return std::nullopt;
      return NumberText(value);
    }
    case arrow::Type::DECIMAL32:
      return DecimalText<arrow::Decimal32Scalar>(scalar);
    case arrow::Type::DECIMAL64:
      return DecimalText<arrow::Decimal64Scalar>(scalar);
    case arrow::Type::DECIMAL128:
      return DecimalText<arrow::Decimal128Scalar>(scalar);
    case arrow::Type::DECIMAL256:
      return DecimalText<arrow::Decimal256Scalar>(scalar);
    case arrow::Type::DATE32: {
      auto text = FormatDate(checked_cast<const arrow::Date32Scalar&>(scalar).value);
      if (!text.ok()) return std::nullopt;
      return Quote(*text);
    }
    case arrow::Type::TIMESTAMP: {
      const auto& ts_type = checked_cast<const arrow::TimestampType&>(*scalar.type);
      // Truncated down to milliseconds for both bounds; readers widen the max.
      auto text = FormatTimestamp(checked_cast<const arrow::TimestampScalar&>(scalar).value,
                                  ts_type.unit(), TimestampStyle::kIso8601Millis,
                                  /*with_zone=*/!ts_type.timezone().empty());
      if (!text.ok()) return std::nullopt;
      return Quote(*text);
    }
    case arrow::Type::STRING:
    case arrow::Type::LARGE_STRING: {
      std::string_view text = checked_cast<const arrow::BaseBinaryScalar&>(scalar).view();
      if (string_prefix_length <= 0 || !arrow::util::ValidateUTF8(text)) return std::nullopt;
      if (!is_max) return Quote(text.substr(0, PrefixBytes(text, string_prefix_length)));
      auto bound = TruncateMax(text, string_prefix_length);
      if (!bound) return std::nullopt;
      return Quote(*bound);
    }
    default:
      return std::nullopt;
  }
}

}  // namespace

struct StatsCollector::Leaf {
  std::vector<int> indices;  ///< child index at each nesting level, from the batch's columns
  bool indexed = false;      ///< among the first num_indexed_cols leaves
  bool min_max = false;      ///< the type gets bounds
  bool saw_nan = false;      ///< a NaN was seen: no bounds for this file
  int64_t null_count = 0;
  std::shared_ptr<arrow::Scalar> min;
  std::shared_ptr<arrow::Scalar> max;
};

namespace {

void CollectLeaves(const arrow::FieldVector& fields, std::vector<int>* indices,
                   std::vector<std::vector<int>>* out) {
  for (int i = 0; i < static_cast<int>(fields.size()); ++i) {
    indices->push_back(i);
    if (fields[i]->type()->id() == arrow::Type::STRUCT) {
      CollectLeaves(fields[i]->type()->fields(), indices, out);
    } else {
      out->push_back(*indices);
    }
    indices->pop_back();
  }
}

/// Replaces *bound with `candidate` if it is smaller (keep_smaller) or larger.
arrow::Status MergeBound(const std::shared_ptr<arrow::Scalar>& candidate, bool keep_smaller,
                         std::shared_ptr<arrow::Scalar>* bound) {
  if (candidate == nullptr || !candidate->is_valid) return arrow::Status::OK();
  if (*bound != nullptr) {
    ARROW_ASSIGN_OR_RAISE(arrow::Datum better,
                          cp::CallFunction(keep_smaller ? "less" : "greater",
                                           {arrow::Datum(candidate), arrow::Datum(*bound)}));
    if (!better.scalar_as<arrow::BooleanScalar>().value) return arrow::Status::OK();
  }
  if (IsBinaryLike(*candidate->type)) {
    // A min_max result may point into the batch's buffers; copy so the batch can be freed.
    std::string_view text = checked_cast<const arrow::BaseBinaryScalar&>(*candidate).view();
    ARROW_ASSIGN_OR_RAISE(
        *bound, arrow::MakeScalar(candidate->type, arrow::Buffer::FromString(std::string(text))));
  } else {
    *bound = candidate;
  }
  return arrow::Status::OK();
}

using LeafJsonFn = std::function<std::optional<std::string>(size_t leaf)>;

/// Appends {"name":value,...} for `fields`, whose leaves are numbered from *next_leaf on in
/// depth-first order. Structs become nested objects; members without a value and nested
/// objects without members are left out. Returns whether any member was written.
bool AppendObject(const arrow::FieldVector& fields, const ColumnNameFn& column_name,
                  const LeafJsonFn& leaf_json, size_t* next_leaf, std::string* out) {
  *out += '{';
  bool any = false;
  for (const auto& field : fields) {
    std::string member = Quote(column_name ? column_name(*field) : field->name());
    member += ':';
    if (field->type()->id() == arrow::Type::STRUCT) {
      if (!AppendObject(field->type()->fields(), column_name, leaf_json, next_leaf, &member)) {
        continue;
      }
    } else {
      auto value = leaf_json((*next_leaf)++);
      if (!value) continue;
      member += *value;
    }
    if (any) *out += ',';
    *out += member;
    any = true;
  }
  *out += '}';
  return any;
}

}  // namespace

arrow::Result<int> NumIndexedColsFromConfig(
    const std::map<std::string, std::string>& configuration) {
  auto it = configuration.find(std::string(kNumIndexedColsKey));
  if (it == configuration.end()) return kDefaultNumIndexedCols;
  const std::string& text = it->second;
  int value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < -1) {
    return arrow::Status::Invalid("table property ", kNumIndexedColsKey,
                                  " must be an integer >= -1, not '", text, "'");
  }
  return value;
}

StatsCollector::StatsCollector(std::shared_ptr<arrow::Schema> schema, StatsOptions options)
    : schema_(std::move(schema)), options_(std::move(options)) {}

StatsCollector::~StatsCollector() = default;

arrow::Result<std::unique_ptr<StatsCollector>> StatsCollector::Make(
    std::shared_ptr<arrow::Schema> schema, StatsOptions options) {
  if (schema == nullptr) return arrow::Status::Invalid("StatsCollector needs a schema");
  if (options.num_indexed_cols < -1) {
    return arrow::Status::Invalid("num_indexed_cols must be >= -1, not ", options.num_indexed_cols);
  }
  std::unique_ptr<StatsCollector> collector(new StatsCollector(schema, std::move(options)));
  std::vector<int> indices;
  std::vector<std::vector<int>> paths;
  CollectLeaves(schema->fields(), &indices, &paths);
  const int limit = collector->options_.num_indexed_cols;
  for (size_t i = 0; i < paths.size(); ++i) {
    Leaf leaf;
    leaf.indices = std::move(paths[i]);
    leaf.indexed = limit < 0 || static_cast<int>(i) < limit;
    const arrow::DataType* type = schema->field(leaf.indices[0])->type().get();
    for (size_t d = 1; d < leaf.indices.size(); ++d) {
      type = type->field(leaf.indices[d])->type().get();
    }
    leaf.min_max = HasMinMax(*type);
    collector->leaves_.push_back(std::move(leaf));
  }
  arrow::util::InitializeUTF8();
  return collector;
}

arrow::Status StatsCollector::Update(const arrow::RecordBatch& batch) {
  if (batch.num_columns() != schema_->num_fields()) {
    return arrow::Status::Invalid("statistics: the batch has ", batch.num_columns(),
                                  " columns but the file's schema has ", schema_->num_fields());
  }
  for (int i = 0; i < batch.num_columns(); ++i) {
    const auto& expected = schema_->field(i)->type();
    if (!batch.column(i)->type()->Equals(*expected)) {
      return arrow::Status::Invalid("statistics: column '", schema_->field(i)->name(),
                                    "' has type ", batch.column(i)->type()->ToString(),
                                    " in the batch but ", expected->ToString(),
                                    " in the file's schema");
    }
  }
  // Leaves come depth-first, so consecutive leaves share struct prefixes: keep the flattened
  // arrays of the current path (null where an enclosing struct is null) and reuse them.
  std::vector<int> path;
  std::vector<std::shared_ptr<arrow::Array>> arrays;
  for (Leaf& leaf : leaves_) {
    if (!leaf.indexed) continue;
    size_t common = 0;
    while (common < path.size() && common < leaf.indices.size() &&
           path[common] == leaf.indices[common]) {
      ++common;
    }
    path.resize(common);
    arrays.resize(common);
    for (size_t d = common; d < leaf.indices.size(); ++d) {
      std::shared_ptr<arrow::Array> array;
      if (d == 0) {
        array = batch.column(leaf.indices[0]);
      } else {
        ARROW_ASSIGN_OR_RAISE(array, checked_cast<const arrow::StructArray&>(*arrays[d - 1])
                                         .GetFlattenedField(leaf.indices[d]));
      }
      path.push_back(leaf.indices[d]);
      arrays.push_back(std::move(array));
    }
    const arrow::Array& array = *arrays.back();
    leaf.null_count += array.null_count();
    if (!leaf.min_max || leaf.saw_nan || array.null_count() == array.length()) continue;

    const arrow::Type::type id = array.type_id();
    if (id == arrow::Type::FLOAT || id == arrow::Type::DOUBLE) {
      ARROW_ASSIGN_OR_RAISE(arrow::Datum is_nan, cp::CallFunction("is_nan", {arrays.back()}));
      ARROW_ASSIGN_OR_RAISE(arrow::Datum any_nan, cp::Any(is_nan));
      const auto& found = any_nan.scalar_as<arrow::BooleanScalar>();
      if (found.is_valid && found.value) {
        leaf.saw_nan = true;
        leaf.min = leaf.max = nullptr;
        continue;
      }
    }
    ARROW_ASSIGN_OR_RAISE(arrow::Datum min_max,
                          cp::MinMax(arrays.back(), cp::ScalarAggregateOptions(
                                                        /*skip_nulls=*/true, /*min_count=*/1)));
    const auto& bounds = min_max.scalar_as<arrow::StructScalar>();
    ARROW_RETURN_NOT_OK(MergeBound(bounds.value[0], /*keep_smaller=*/true, &leaf.min));
    ARROW_RETURN_NOT_OK(MergeBound(bounds.value[1], /*keep_smaller=*/false, &leaf.max));
  }
  num_records_ += batch.num_rows();
  return arrow::Status::OK();
}

std::string StatsCollector::ToJson() const {
  const int prefix = options_.string_prefix_length;
  std::string out = "{\"numRecords\":" + NumberText(num_records_);
  size_t next_leaf = 0;
  out += ",\"minValues\":";
  AppendObject(
      schema_->fields(), options_.column_name,
      [&](size_t i) -> std::optional<std::string> {
        const Leaf& leaf = leaves_[i];
        if (!leaf.indexed || leaf.min == nullptr) return std::nullopt;
        return BoundJson(*leaf.min, /*is_max=*/false, prefix);
      },
      &next_leaf, &out);
  next_leaf = 0;
  out += ",\"maxValues\":";
  AppendObject(
      schema_->fields(), options_.column_name,
      [&](size_t i) -> std::optional<std::string> {
        const Leaf& leaf = leaves_[i];
        if (!leaf.indexed || leaf.max == nullptr) return std::nullopt;
        return BoundJson(*leaf.max, /*is_max=*/true, prefix);
      },
      &next_leaf, &out);
  next_leaf = 0;
  out += ",\"nullCount\":";
  AppendObject(
      schema_->fields(), options_.column_name,
      [&](size_t i) -> std::optional<std::string> {
        const Leaf& leaf = leaves_[i];
        if (!leaf.indexed) return std::nullopt;
        return NumberText(leaf.null_count);
      },
      &next_leaf, &out);
  if (options_.write_tight_bounds) out += ",\"tightBounds\":true";
  out += '}';
  return out;
}

}  // namespace tidelake::delta
