// The writing half of file_stats.h: StatsCollector, which reads a written file's Parquet footer
// back into Delta statistics, and the stats JSON it renders. ParseStats, StatsGuarantee and
// MayMatch are in file_stats_read.cc.

#include "delta/file_stats.h"

#include <arrow/array.h>
#include <arrow/scalar.h>
#include <arrow/util/checked_cast.h>
#include <arrow/util/decimal.h>
#include <arrow/util/utf8.h>
#include <parquet/arrow/reader.h>
#include <parquet/arrow/schema.h>
#include <parquet/metadata.h>
#include <parquet/schema.h>
#include <parquet/size_statistics.h>
#include <parquet/statistics.h>

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
      float value = checked_cast<const arrow::FloatScalar&>(scalar).value;
      if (!std::isfinite(value)) return std::nullopt;
      if (value == 0) value = 0;  // Parquet keeps the min of zeros as -0.0
      return NumberText(value);
    }
    case arrow::Type::DOUBLE: {
      double value = checked_cast<const arrow::DoubleScalar&>(scalar).value;
      if (!std::isfinite(value)) return std::nullopt;
      if (value == 0) value = 0;
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
  std::shared_ptr<arrow::DataType> type;
  bool indexed = false;   ///< among the first num_indexed_cols leaves
  bool min_max = false;   ///< the type gets bounds
  bool saw_nan = false;   ///< Update saw a NaN: no bounds for this file
  std::optional<int64_t> null_count;  ///< unknown until the footer is read
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

/// Whether `values` holds a NaN. Branch-free over blocks so that the compiler vectorises it;
/// this is the only pass over the data the statistics make.
template <typename T>
bool AnyNaN(const T* values, int64_t length) {
  constexpr int64_t kBlock = 4096;
  for (int64_t start = 0; start < length; start += kBlock) {
    const int64_t stop = std::min(length, start + kBlock);
    int found = 0;
    for (int64_t i = start; i < stop; ++i) found |= values[i] != values[i];
    if (found) return true;
  }
  return false;
}

/// Whether a non-null slot of a float/double leaf holds NaN. `chain` is the leaf's top-level
/// column, then each struct child down to the leaf itself; a slot is null when any array of
/// the chain is null there.
template <typename T>
bool LeafHasNaN(const std::vector<const arrow::Array*>& chain) {
  const arrow::Array& leaf = *chain.back();
  const T* values = leaf.data()->GetValues<T>(1);
  if (values == nullptr || !AnyNaN(values, leaf.length())) return false;
  bool any_nulls = false;
  for (const arrow::Array* array : chain) any_nulls |= array->null_count() > 0;
  if (!any_nulls) return true;
  // Rare: a NaN somewhere, and nulls too. Null slots may hold anything, so look closer.
  for (int64_t i = 0; i < leaf.length(); ++i) {
    if (values[i] == values[i]) continue;
    bool valid = true;
    for (const arrow::Array* array : chain) valid = valid && array->IsValid(i);
    if (valid) return true;
  }
  return false;
}

/// Replaces *bound with `candidate` if it is smaller (keep_smaller) or larger.
arrow::Status MergeBound(const std::shared_ptr<arrow::Scalar>& candidate, bool keep_smaller,
                         std::shared_ptr<arrow::Scalar>* bound) {
  if (*bound != nullptr) {
    ARROW_ASSIGN_OR_RAISE(arrow::Datum better,
                          cp::CallFunction(keep_smaller ? "less" : "greater",
                                           {arrow::Datum(candidate), arrow::Datum(*bound)}));
    if (!better.scalar_as<arrow::BooleanScalar>().value) return arrow::Status::OK();
  }
  *bound = candidate;
  return arrow::Status::OK();
}

/// A footer bound as a scalar of the leaf's `type`, or nullptr if it cannot be one. The
/// Parquet types differ from the logical ones for timestamps (stored as microseconds: the
/// scalar keeps that unit, which only changes how precisely it could be printed, and takes
/// the leaf's time zone) and for some decimals (read back as decimal128/256).
std::shared_ptr<arrow::Scalar> AsLeafType(const std::shared_ptr<arrow::Scalar>& bound,
                                          const std::shared_ptr<arrow::DataType>& type) {
  if (bound == nullptr || !bound->is_valid) return nullptr;
  if (bound->type->Equals(*type)) return bound;
  if (type->id() == arrow::Type::TIMESTAMP) {
    if (bound->type->id() != arrow::Type::TIMESTAMP) return nullptr;
    const auto& unit = checked_cast<const arrow::TimestampType&>(*bound->type).unit();
    const auto& zone = checked_cast<const arrow::TimestampType&>(*type).timezone();
    return std::make_shared<arrow::TimestampScalar>(
        checked_cast<const arrow::TimestampScalar&>(*bound).value, arrow::timestamp(unit, zone));
  }
  // Compute's cast: Scalar::CastTo lacks some (decimal128 to decimal32, for one).
  auto cast = cp::Cast(arrow::Datum(bound), type);
  return cast.ok() && cast->is_scalar() ? cast->scalar() : nullptr;
}

/// The file's min and max of one primitive leaf over its row groups.
struct ColumnBounds {
  std::shared_ptr<arrow::Scalar> min;  ///< nullptr: unknown or no non-null value
  std::shared_ptr<arrow::Scalar> max;
};

/// Merges the min/max of column `column` over the row groups. A row group with non-null values
/// but no exact min (max) makes the file's min (max) unknown. Strings are read from the encoded
/// statistics so that min and max count separately (the writer drops only the one that is too
/// long); other types through parquet::arrow::StatisticsAsScalars.
arrow::Result<ColumnBounds> FooterBounds(const parquet::FileMetaData& footer, int column,
                                         const std::shared_ptr<arrow::DataType>& type) {
  const bool is_string = type->id() == arrow::Type::STRING || type->id() == arrow::Type::LARGE_STRING;
  ColumnBounds out;
  bool min_known = true;
  bool max_known = true;
  for (int rg = 0; rg < footer.num_row_groups() && (min_known || max_known); ++rg) {
    auto row_group = footer.RowGroup(rg);
    auto chunk = row_group->ColumnChunk(column);
    std::shared_ptr<parquet::EncodedStatistics> encoded = chunk->encoded_statistics();
    if (encoded == nullptr || !encoded->has_null_count) return ColumnBounds{};
    // A primitive leaf outside any list has one value (maybe null) per row.
    if (encoded->null_count >= row_group->num_rows()) continue;  // only nulls here
    std::shared_ptr<arrow::Scalar> min;
    std::shared_ptr<arrow::Scalar> max;
    if (is_string) {
      if (encoded->has_min && encoded->is_min_value_exact.value_or(true)) {
        ARROW_ASSIGN_OR_RAISE(min, arrow::MakeScalar(type, arrow::Buffer::FromString(encoded->min())));
      }
      if (encoded->has_max && encoded->is_max_value_exact.value_or(true)) {
        ARROW_ASSIGN_OR_RAISE(max, arrow::MakeScalar(type, arrow::Buffer::FromString(encoded->max())));
      }
    } else {
      std::shared_ptr<parquet::Statistics> stats = chunk->statistics();
      if (stats != nullptr && stats->HasMinMax() &&
          parquet::arrow::StatisticsAsScalars(*stats, &min, &max).ok()) {
        if (!stats->is_min_value_exact().value_or(true)) min = nullptr;
        if (!stats->is_max_value_exact().value_or(true)) max = nullptr;
        min = AsLeafType(min, type);
        max = AsLeafType(max, type);
      } else {
        min = max = nullptr;
      }
    }
    if (min == nullptr) min_known = false;
    if (max == nullptr) max_known = false;
    if (min_known) ARROW_RETURN_NOT_OK(MergeBound(min, /*keep_smaller=*/true, &out.min));
    if (max_known) ARROW_RETURN_NOT_OK(MergeBound(max, /*keep_smaller=*/false, &out.max));
  }
  if (!min_known) out.min = nullptr;
  if (!max_known) out.max = nullptr;
  return out;
}

/// Null count of a primitive leaf: the sum of its column chunks' null counts (which include
/// the slots where an enclosing struct is null). nullopt if a chunk lacks one.
std::optional<int64_t> PrimitiveNullCount(const parquet::FileMetaData& footer, int column) {
  int64_t total = 0;
  for (int rg = 0; rg < footer.num_row_groups(); ++rg) {
    std::shared_ptr<parquet::EncodedStatistics> encoded =
        footer.RowGroup(rg)->ColumnChunk(column)->encoded_statistics();
    if (encoded == nullptr || !encoded->has_null_count) return std::nullopt;
    total += encoded->null_count;
  }
  return total;
}

/// Null count of a list or map leaf (or any other leaf stored as several Parquet levels) at
/// nesting depth `depth`, from `column`, one of the Parquet columns under it. A row where the
/// leaf or an enclosing struct is null has exactly one entry in that column, with a definition
/// level below the number of optional nodes down to the leaf's node; every other entry is at
/// or above it (an empty list defines the list itself). So the count is the part of the
/// column chunks' definition-level histograms below that level.
std::optional<int64_t> NestedNullCount(const parquet::FileMetaData& footer, int column,
                                       size_t depth) {
  std::vector<const parquet::schema::Node*> path;  // root's children down to the column
  for (const parquet::schema::Node* node = footer.schema()->Column(column)->schema_node().get();
       node != nullptr && node->parent() != nullptr; node = node->parent()) {
    path.insert(path.begin(), node);
  }
  if (path.size() <= depth) return std::nullopt;
  int16_t defined_level = 0;
  for (size_t d = 0; d < depth; ++d) {
    if (path[d]->is_repeated()) return std::nullopt;  // not a shape this writer produces
    defined_level += path[d]->is_optional() ? 1 : 0;
  }
  int64_t total = 0;
  if (defined_level == 0) return total;  // neither the leaf nor an enclosing struct is nullable
  for (int rg = 0; rg < footer.num_row_groups(); ++rg) {
    std::shared_ptr<parquet::SizeStatistics> sizes =
        footer.RowGroup(rg)->ColumnChunk(column)->size_statistics();
    if (sizes == nullptr ||
        sizes->definition_level_histogram.size() < static_cast<size_t>(defined_level)) {
      return std::nullopt;
    }
    for (int16_t level = 0; level < defined_level; ++level) {
      total += sizes->definition_level_histogram[static_cast<size_t>(level)];
    }
  }
  return total;
}

/// The index of the first Parquet column under `field`.
int FirstColumn(const parquet::arrow::SchemaField& field) {
  if (field.is_leaf()) return field.column_index;
  return field.children.empty() ? -1 : FirstColumn(field.children.front());
}

/// Pairs each leaf of `fields` (depth-first, as CollectLeaves) with its node in the file's
/// schema manifest. False if the two do not have the same struct shape.
bool MatchLeaves(const arrow::FieldVector& fields,
                 const std::vector<parquet::arrow::SchemaField>& file_fields,
                 std::vector<const parquet::arrow::SchemaField*>* out) {
  if (fields.size() != file_fields.size()) return false;
  for (size_t i = 0; i < fields.size(); ++i) {
    const bool is_struct = fields[i]->type()->id() == arrow::Type::STRUCT;
    const auto& file_type = file_fields[i].field->type();
    if (is_struct != (file_type->id() == arrow::Type::STRUCT)) return false;
    if (is_struct) {
      if (!MatchLeaves(fields[i]->type()->fields(), file_fields[i].children, out)) return false;
    } else {
      out->push_back(&file_fields[i]);
    }
  }
  return true;
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
    leaf.type = type->GetSharedPtr();
    leaf.min_max = HasMinMax(*type);
    collector->leaves_.push_back(std::move(leaf));
  }
  arrow::util::InitializeUTF8();
  return collector;
}

void ConfigureParquetStatistics(parquet::WriterProperties::Builder* builder) {
  builder->enable_statistics();
  builder->max_statistics_size(parquet::DEFAULT_MAX_STATISTICS_SIZE);
  builder->set_size_statistics_level(parquet::SizeStatisticsLevel::PageAndColumnChunk);
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
  std::vector<const arrow::Array*> chain;
  for (Leaf& leaf : leaves_) {
    const arrow::Type::type id = leaf.type->id();
    if (!leaf.indexed || leaf.saw_nan || (id != arrow::Type::FLOAT && id != arrow::Type::DOUBLE)) {
      continue;
    }
    chain.clear();
    chain.push_back(batch.column(leaf.indices[0]).get());
    for (size_t d = 1; d < leaf.indices.size(); ++d) {
      // StructArray::field is the child sliced like its parent (and cached by it).
      chain.push_back(
          checked_cast<const arrow::StructArray&>(*chain.back()).field(leaf.indices[d]).get());
    }
    leaf.saw_nan = id == arrow::Type::FLOAT ? LeafHasNaN<float>(chain) : LeafHasNaN<double>(chain);
  }
  num_records_ += batch.num_rows();
  return arrow::Status::OK();
}

arrow::Status StatsCollector::AddParquetFooter(const parquet::FileMetaData& footer) {
  if (has_footer_) return arrow::Status::Invalid("statistics: the file's footer was added twice");
  if (footer.num_rows() != num_records_) {
    return arrow::Status::Invalid("statistics: the Parquet file has ", footer.num_rows(),
                                  " rows but ", num_records_, " were passed to Update");
  }
  // Without the file's stored Arrow schema: only the column tree is needed, and the logical
  // types come from schema_.
  parquet::arrow::SchemaManifest manifest;
  ARROW_RETURN_NOT_OK(parquet::arrow::SchemaManifest::Make(
      footer.schema(), /*metadata=*/nullptr, parquet::default_arrow_reader_properties(),
      &manifest));
  std::vector<const parquet::arrow::SchemaField*> file_leaves;
  if (!MatchLeaves(schema_->fields(), manifest.schema_fields, &file_leaves) ||
      file_leaves.size() != leaves_.size()) {
    return arrow::Status::Invalid("statistics: the Parquet file's columns do not have the shape of ",
                                  schema_->ToString());
  }
  for (size_t i = 0; i < leaves_.size(); ++i) {
    Leaf& leaf = leaves_[i];
    if (!leaf.indexed) continue;
    const parquet::arrow::SchemaField& file_leaf = *file_leaves[i];
    if (!file_leaf.is_leaf()) {
      const int column = FirstColumn(file_leaf);
      if (column >= 0) leaf.null_count = NestedNullCount(footer, column, leaf.indices.size());
      continue;
    }
    // The writer keeps no statistics for a column of Arrow's null type: all of it is null.
    leaf.null_count = leaf.type->id() == arrow::Type::NA
                          ? std::optional<int64_t>(footer.num_rows())
                          : PrimitiveNullCount(footer, file_leaf.column_index);
    if (!leaf.min_max || leaf.saw_nan) continue;
    ARROW_ASSIGN_OR_RAISE(ColumnBounds bounds,
                          FooterBounds(footer, file_leaf.column_index, leaf.type));
    leaf.min = std::move(bounds.min);
    leaf.max = std::move(bounds.max);
  }
  has_footer_ = true;
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
        if (!leaf.indexed || !leaf.null_count) return std::nullopt;
        return NumberText(*leaf.null_count);
      },
      &next_leaf, &out);
  if (options_.write_tight_bounds) out += ",\"tightBounds\":true";
  out += '}';
  return out;
}

}  // namespace tidelake::delta
