#include "delta/action_columns.h"

#include "io/arrow_json.h"

namespace tidelake::delta {

namespace {

// One field of a struct column, typed once so that reading a row is a switch on a small enum.
class Field {
 public:
  enum class Kind { kAbsent, kString, kLargeString, kInt32, kInt64, kBool, kStringMap, kStruct, kOther };

  Field() = default;
  Field(const arrow::StructArray& parent, const std::string& name) {
    int i = parent.struct_type()->GetFieldIndex(name);
    if (i < 0) return;
    array_ = parent.field(i);
    switch (array_->type_id()) {
      case arrow::Type::STRING: kind_ = Kind::kString; break;
      case arrow::Type::LARGE_STRING: kind_ = Kind::kLargeString; break;
      case arrow::Type::INT32: kind_ = Kind::kInt32; break;
      case arrow::Type::INT64: kind_ = Kind::kInt64; break;
      case arrow::Type::BOOL: kind_ = Kind::kBool; break;
      case arrow::Type::STRUCT: kind_ = Kind::kStruct; break;
      case arrow::Type::MAP: {
        const auto& map = static_cast<const arrow::MapArray&>(*array_);
        bool text = IsText(*map.keys()) && IsText(*map.items());
        kind_ = text ? Kind::kStringMap : Kind::kOther;
        break;
      }
      default: kind_ = Kind::kOther;
    }
  }

  bool absent() const { return kind_ == Kind::kAbsent; }
  bool IsText() const { return kind_ == Kind::kString || kind_ == Kind::kLargeString; }
  bool IsInt() const { return kind_ == Kind::kInt32 || kind_ == Kind::kInt64; }
  /// Absent, or present with one of the accepted kinds.
  bool AbsentOr(std::initializer_list<Kind> kinds) const {
    if (absent()) return true;
    for (Kind k : kinds) {
      if (k == kind_) return true;
    }
    return false;
  }
  bool IsNull(int64_t row) const { return absent() || array_->IsNull(row); }
  const arrow::Array& array() const { return *array_; }

  std::optional<std::string> String(int64_t row) const {
    if (IsNull(row)) return std::nullopt;
    return std::string(TextAt(*array_, row));
  }
  std::optional<int64_t> Int(int64_t row) const {
    if (IsNull(row)) return std::nullopt;
    if (kind_ == Kind::kInt32) return static_cast<const arrow::Int32Array&>(*array_).Value(row);
    return static_cast<const arrow::Int64Array&>(*array_).Value(row);
  }
  std::optional<bool> Bool(int64_t row) const {
    if (IsNull(row)) return std::nullopt;
    return static_cast<const arrow::BooleanArray&>(*array_).Value(row);
  }
  std::optional<StringMap> Map(int64_t row) const {
    if (IsNull(row)) return std::nullopt;
    const auto& map = static_cast<const arrow::MapArray&>(*array_);
    StringMap out;
    const arrow::Array& keys = *map.keys();
    const arrow::Array& items = *map.items();
    for (int64_t i = map.value_offset(row); i < map.value_offset(row) + map.value_length(row); ++i) {
      std::optional<std::string> value;
      if (!items.IsNull(i)) value = std::string(TextAt(items, i));
      out.emplace(std::string(TextAt(keys, i)), std::move(value));
    }
    return out;
  }

 private:
  static bool IsText(const arrow::Array& a) {
    return a.type_id() == arrow::Type::STRING || a.type_id() == arrow::Type::LARGE_STRING;
  }
  static std::string_view TextAt(const arrow::Array& a, int64_t row) {
    if (a.type_id() == arrow::Type::STRING) return static_cast<const arrow::StringArray&>(a).GetView(row);
    return static_cast<const arrow::LargeStringArray&>(a).GetView(row);
  }

  std::shared_ptr<arrow::Array> array_;
  Kind kind_ = Kind::kAbsent;
};

using Kind = Field::Kind;
constexpr std::initializer_list<Kind> kText = {Kind::kString, Kind::kLargeString};
constexpr std::initializer_list<Kind> kInt = {Kind::kInt32, Kind::kInt64};

// The deletionVector struct, shared by add and remove.
class DvFields {
 public:
  explicit DvFields(const arrow::StructArray& parent) : field_(parent, "deletionVector") {
    if (field_.absent()) {
      ok_ = true;  // a table without deletion vectors
      return;
    }
    if (!field_.AbsentOr({Kind::kStruct})) return;
    const auto& dv = static_cast<const arrow::StructArray&>(field_.array());
    storage_type_ = Field(dv, "storageType");
    path_ = Field(dv, "pathOrInlineDv");
    offset_ = Field(dv, "offset");
    size_ = Field(dv, "sizeInBytes");
    cardinality_ = Field(dv, "cardinality");
    ok_ = storage_type_.IsText() && path_.IsText() && offset_.AbsentOr(kInt) && size_.IsInt() &&
          cardinality_.IsInt();
  }

  bool ok() const { return ok_; }

  std::optional<DeletionVectorDescriptor> At(int64_t row) const {
    if (field_.IsNull(row)) return std::nullopt;
    DeletionVectorDescriptor d;
    d.storage_type = storage_type_.String(row).value_or("");
    d.path_or_inline_dv = path_.String(row).value_or("");
    if (auto offset = offset_.Int(row)) d.offset = static_cast<int32_t>(*offset);
    d.size_in_bytes = static_cast<int32_t>(size_.Int(row).value_or(0));
    d.cardinality = cardinality_.Int(row).value_or(0);
    return d;
  }

 private:
  Field field_;
  Field storage_type_, path_, offset_, size_, cardinality_;
  bool ok_ = false;
};

}  // namespace

arrow::Result<bool> DecodeAddColumn(const arrow::StructArray& add, std::vector<Action>* out) {
  Field path(add, "path"), partition_values(add, "partitionValues"), size(add, "size"),
      modification_time(add, "modificationTime"), data_change(add, "dataChange"),
      stats(add, "stats"), stats_parsed(add, "stats_parsed"), tags(add, "tags"),
      base_row_id(add, "baseRowId"), default_row_commit_version(add, "defaultRowCommitVersion"),
      clustering_provider(add, "clusteringProvider");
  DvFields dv(add);
  bool known = path.IsText() && partition_values.AbsentOr({Kind::kStringMap}) && size.IsInt() &&
               modification_time.AbsentOr(kInt) && data_change.AbsentOr({Kind::kBool}) &&
               stats.AbsentOr(kText) && tags.AbsentOr({Kind::kStringMap}) && dv.ok() &&
               base_row_id.AbsentOr(kInt) && default_row_commit_version.AbsentOr(kInt) &&
               clustering_provider.AbsentOr(kText);
  if (!known) return false;

  out->reserve(out->size() + static_cast<size_t>(add.length() - add.null_count()));
  for (int64_t row = 0; row < add.length(); ++row) {
    if (add.IsNull(row)) continue;
    if (path.IsNull(row) || size.IsNull(row)) {
      return arrow::Status::Invalid("checkpoint row ", row, " (add): missing required field '",
                                    path.IsNull(row) ? "path" : "size", "'");
    }
    AddFile a;
    a.path = *path.String(row);
    if (auto pv = partition_values.Map(row)) a.partition_values = std::move(*pv);
    a.size = *size.Int(row);
    a.modification_time = modification_time.Int(row).value_or(0);
    a.data_change = data_change.Bool(row).value_or(true);
    a.stats = stats.String(row);
    if (!a.stats && !stats_parsed.IsNull(row)) {
      std::string json;
      io::AppendJsonValue(stats_parsed.array(), row, &json);
      a.stats = std::move(json);
    }
    a.tags = tags.Map(row);
    a.deletion_vector = dv.At(row);
    a.base_row_id = base_row_id.Int(row);
    a.default_row_commit_version = default_row_commit_version.Int(row);
    a.clustering_provider = clustering_provider.String(row);
    out->push_back(std::move(a));
  }
  return true;
}

arrow::Result<bool> DecodeRemoveColumn(const arrow::StructArray& remove, std::vector<Action>* out) {
  Field path(remove, "path"), deletion_timestamp(remove, "deletionTimestamp"),
      data_change(remove, "dataChange"), extended(remove, "extendedFileMetadata"),
      partition_values(remove, "partitionValues"), size(remove, "size"), stats(remove, "stats"),
      tags(remove, "tags"), base_row_id(remove, "baseRowId"),
      default_row_commit_version(remove, "defaultRowCommitVersion");
  DvFields dv(remove);
  bool known = path.IsText() && deletion_timestamp.AbsentOr(kInt) &&
               data_change.AbsentOr({Kind::kBool}) && extended.AbsentOr({Kind::kBool}) &&
               partition_values.AbsentOr({Kind::kStringMap}) && size.AbsentOr(kInt) &&
               stats.AbsentOr(kText) && tags.AbsentOr({Kind::kStringMap}) && dv.ok() &&
               base_row_id.AbsentOr(kInt) && default_row_commit_version.AbsentOr(kInt);
  if (!known) return false;

  for (int64_t row = 0; row < remove.length(); ++row) {
    if (remove.IsNull(row)) continue;
    if (path.IsNull(row)) {
      return arrow::Status::Invalid("checkpoint row ", row, " (remove): missing required field 'path'");
    }
    RemoveFile r;
    r.path = *path.String(row);
    r.deletion_timestamp = deletion_timestamp.Int(row);
    r.data_change = data_change.Bool(row).value_or(true);
    r.extended_file_metadata = extended.Bool(row);
    r.partition_values = partition_values.Map(row);
    r.size = size.Int(row);
    r.stats = stats.String(row);
    r.tags = tags.Map(row);
    r.deletion_vector = dv.At(row);
    r.base_row_id = base_row_id.Int(row);
    r.default_row_commit_version = default_row_commit_version.Int(row);
    out->push_back(std::move(r));
  }
  return true;
}

}  // namespace tidelake::delta
