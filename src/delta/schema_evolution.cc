// MergeSchemas and CheckWriteSchema (declared in schema.h): schema enforcement on write and
// schema evolution in merge-schema mode. Both schemas are brought to canonical form first, so
// the rules below only ever see the Arrow types SchemaFromJson produces.
#include <arrow/type.h>
#include <arrow/util/key_value_metadata.h>
#include <simdjson.h>

#include <nlohmann/json.hpp>
#include <unordered_map>
#include <vector>

#include "delta/schema.h"

namespace tidelake::delta {

namespace {

using Json = nlohmann::ordered_json;
using FieldVector = std::vector<std::shared_ptr<arrow::Field>>;

std::string ChildPath(std::string_view parent, std::string_view name) {
  if (parent.empty()) return std::string(name);
  return std::string(parent) + "." + std::string(name);
}

std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// One type change to record in delta.typeChanges of the nearest enclosing struct field.
struct TypeChange {
  std::string field_path;  // "" for the field itself, else e.g. "element.value"
  std::string from_type;
  std::string to_type;
};

int IntegralRank(arrow::Type::type id) {
  switch (id) {
    case arrow::Type::INT8:
      return 1;
    case arrow::Type::INT16:
      return 2;
    case arrow::Type::INT32:
      return 3;
    case arrow::Type::INT64:
      return 4;
    default:
      return 0;
  }
}

bool IsDecimalWidening(const arrow::DataType& from, const arrow::DataType& to) {
  if (from.id() != arrow::Type::DECIMAL128 || to.id() != arrow::Type::DECIMAL128) return false;
  const auto& f = static_cast<const arrow::DecimalType&>(from);
  const auto& t = static_cast<const arrow::DecimalType&>(to);
  return t.scale() >= f.scale() && t.precision() - t.scale() >= f.precision() - f.scale();
}

bool IsTimestampNtz(const arrow::DataType& type) {
  return type.id() == arrow::Type::TIMESTAMP &&
         static_cast<const arrow::TimestampType&>(type).timezone().empty();
}

// The widenings a table column may undergo in merge-schema mode.
bool IsSchemaWidening(const arrow::DataType& from, const arrow::DataType& to) {
  int from_rank = IntegralRank(from.id());
  int to_rank = IntegralRank(to.id());
  if (from_rank > 0 && to_rank > 0) return from_rank < to_rank;
  if (from.id() == arrow::Type::FLOAT && to.id() == arrow::Type::DOUBLE) return true;
  if (from.id() == arrow::Type::DATE32 && IsTimestampNtz(to)) return true;
  return IsDecimalWidening(from, to);
}

// Every type change of PROTOCOL.md "Type Widening": all lossless, so data of type `from` may
// be cast into a column of type `to` on write.
bool IsLosslessConversion(const arrow::DataType& from, const arrow::DataType& to) {
  if (IsSchemaWidening(from, to)) return true;
  int from_rank = IntegralRank(from.id());
  if (from_rank == 0) return false;
  if (to.id() == arrow::Type::DOUBLE) return from_rank < 4;  // byte, short, integer -> double
  if (to.id() != arrow::Type::DECIMAL128) return false;
  const auto& decimal = static_cast<const arrow::DecimalType&>(to);
  return decimal.precision() - decimal.scale() >= (from_rank == 4 ? 20 : 10);
}

arrow::Status Mismatch(std::string_view path, const arrow::DataType& table,
                       const arrow::DataType& data) {
  return arrow::Status::Invalid("schema mismatch for column '", path, "': table has ",
                                DeltaTypeName(table), ", data has ", DeltaTypeName(data));
}

// A column that merge-schema mode adds: nullable all the way down, without metadata.
std::shared_ptr<arrow::DataType> AsNewType(const std::shared_ptr<arrow::DataType>& type);

std::shared_ptr<arrow::Field> AsNewField(const arrow::Field& field) {
  return arrow::field(field.name(), AsNewType(field.type()), /*nullable=*/true);
}

std::shared_ptr<arrow::DataType> AsNewType(const std::shared_ptr<arrow::DataType>& type) {
  switch (type->id()) {
    case arrow::Type::STRUCT: {
      FieldVector fields;
      for (const auto& child : type->fields()) fields.push_back(AsNewField(*child));
      return arrow::struct_(std::move(fields));
    }
    case arrow::Type::LIST: {
      const auto& element = static_cast<const arrow::ListType&>(*type).value_type();
      return arrow::list(arrow::field("element", AsNewType(element), true));
    }
    case arrow::Type::MAP: {
      const auto& map = static_cast<const arrow::MapType&>(*type);
      return arrow::map(AsNewType(map.key_type()),
                        arrow::field("value", AsNewType(map.item_type()), true));
    }
    default:
      return type;
  }
}

class SchemaMerger {
 public:
  explicit SchemaMerger(bool allow_new_columns) : allow_new_columns_(allow_new_columns) {}

  arrow::Result<FieldVector> MergeFields(const FieldVector& table, const FieldVector& data,
                                         const std::string& parent) {
    std::unordered_map<std::string, size_t> data_index;  // lower-case name -> index
    for (size_t i = 0; i < data.size(); ++i) {
      auto [it, inserted] = data_index.emplace(AsciiLower(data[i]->name()), i);
      if (!inserted) {
        return arrow::Status::Invalid(
            "the data has columns '", ChildPath(parent, data[it->second]->name()), "' and '",
            ChildPath(parent, data[i]->name()), "', whose names differ only in case");
      }
    }
    std::vector<bool> used(data.size(), false);
    FieldVector out;
    for (const auto& table_field : table) {
      std::string path = ChildPath(parent, table_field->name());
      auto it = data_index.find(AsciiLower(table_field->name()));
      if (it == data_index.end()) {
        if (!table_field->nullable()) {
          return arrow::Status::Invalid("column '", path,
                                        "' is NOT NULL in the table but missing from the data");
        }
        out.push_back(table_field);
        continue;
      }
      used[it->second] = true;
      ARROW_ASSIGN_OR_RAISE(auto merged, MergeField(table_field, *data[it->second], path));
      out.push_back(std::move(merged));
    }
    for (size_t i = 0; i < data.size(); ++i) {
      if (used[i]) continue;
      std::string path = ChildPath(parent, data[i]->name());
      if (!allow_new_columns_) {
        return arrow::Status::Invalid("column '", path,
                                      "' of the data is not in the table schema (enable schema "
                                      "merging to add it)");
      }
      out.push_back(AsNewField(*data[i]));
    }
    return out;
  }

 private:
  arrow::Result<std::shared_ptr<arrow::Field>> MergeField(
      const std::shared_ptr<arrow::Field>& table, const arrow::Field& data,
      const std::string& path) {
    std::vector<TypeChange> changes;
    ARROW_ASSIGN_OR_RAISE(auto type, MergeType(table->type(), data.type(), path, "", &changes));
    auto merged = type == table->type() ? table : table->WithType(type);
    if (changes.empty()) return merged;
    return WithTypeChanges(merged, changes);
  }

  // `relative` is the path from the nearest struct field, for typeChanges' fieldPath.
  arrow::Result<std::shared_ptr<arrow::DataType>> MergeType(
      const std::shared_ptr<arrow::DataType>& table, const std::shared_ptr<arrow::DataType>& data,
      const std::string& path, const std::string& relative, std::vector<TypeChange>* changes) {
    if (data->id() == arrow::Type::NA) return table;  // all nulls fit any column
    if (table->id() == arrow::Type::NA && allow_new_columns_) {
      // A void column may become any type without type widening (PROTOCOL.md, "Void Type").
      return AsNewType(data);
    }
    switch (table->id()) {
      case arrow::Type::STRUCT: {
        if (data->id() != arrow::Type::STRUCT) return Mismatch(path, *table, *data);
        ARROW_ASSIGN_OR_RAISE(auto fields, MergeFields(table->fields(), data->fields(), path));
        for (size_t i = 0; i < fields.size(); ++i) {
          if (i >= static_cast<size_t>(table->num_fields()) || fields[i] != table->field(i)) {
            return arrow::struct_(std::move(fields));
          }
        }
        return table;
      }
      case arrow::Type::LIST: {
        if (data->id() != arrow::Type::LIST) return Mismatch(path, *table, *data);
        const auto& element_field = static_cast<const arrow::ListType&>(*table).value_field();
        ARROW_ASSIGN_OR_RAISE(
            auto element,
            MergeType(element_field->type(),
                      static_cast<const arrow::ListType&>(*data).value_type(),
                      ChildPath(path, "element"), ChildPath(relative, "element"), changes));
        if (element == element_field->type()) return table;
        return arrow::list(element_field->WithType(std::move(element)));
      }
      case arrow::Type::MAP: {
        if (data->id() != arrow::Type::MAP) return Mismatch(path, *table, *data);
        const auto& table_map = static_cast<const arrow::MapType&>(*table);
        const auto& data_map = static_cast<const arrow::MapType&>(*data);
        ARROW_ASSIGN_OR_RAISE(
            auto key, MergeType(table_map.key_type(), data_map.key_type(), ChildPath(path, "key"),
                                ChildPath(relative, "key"), changes));
        ARROW_ASSIGN_OR_RAISE(
            auto value, MergeType(table_map.item_type(), data_map.item_type(),
                                  ChildPath(path, "value"), ChildPath(relative, "value"), changes));
        if (key == table_map.key_type() && value == table_map.item_type()) return table;
        return arrow::map(std::move(key), table_map.item_field()->WithType(std::move(value)));
      }
      default:
        break;
    }
    if (table->Equals(*data)) return table;
    if (IsLosslessConversion(*data, *table)) return table;  // the writer casts the data
    if (allow_new_columns_ && IsSchemaWidening(*table, *data)) {
      changes->push_back({relative, DeltaTypeName(*table), DeltaTypeName(*data)});
      return data;
    }
    return Mismatch(path, *table, *data);
  }

  // Appends `changes` to the field's delta.typeChanges list (PROTOCOL.md, "Type Change
  // Metadata"), keeping the entries already there.
  static std::shared_ptr<arrow::Field> WithTypeChanges(const std::shared_ptr<arrow::Field>& field,
                                                       const std::vector<TypeChange>& changes) {
    std::string entries;
    for (const auto& change : changes) {
      Json entry = Json::object();
      entry["fromType"] = change.from_type;
      entry["toType"] = change.to_type;
      if (!change.field_path.empty()) entry["fieldPath"] = change.field_path;
      if (!entries.empty()) entries += ',';
      entries += entry.dump();
    }
    // Splice into the existing list's compact text rather than re-encoding it, so entries we
    // do not understand are kept verbatim.
    std::string list = "[" + entries + "]";
    if (auto existing = FieldMetadataValue(*field, kTypeChangesKey)) {
      simdjson::dom::parser parser;
      simdjson::dom::element parsed;
      if (!parser.parse(simdjson::padded_string(*existing)).get(parsed) && parsed.is_array()) {
        std::string old_list = simdjson::minify(parsed);  // "[...]"
        if (old_list != "[]") list = old_list.substr(0, old_list.size() - 1) + "," + entries + "]";
      }
    }
    return WithJsonMetadata(field, kTypeChangesKey, std::move(list));
  }

  bool allow_new_columns_;
};

arrow::Result<FieldVector> CanonicalFields(const arrow::Schema& schema) {
  FieldVector out;
  for (const auto& field : schema.fields()) {
    ARROW_ASSIGN_OR_RAISE(auto type, CanonicalDeltaType(field->type(), field->name()));
    out.push_back(type == field->type() ? field : field->WithType(std::move(type)));
  }
  return out;
}

}  // namespace

arrow::Result<std::shared_ptr<arrow::Schema>> MergeSchemas(const arrow::Schema& table,
                                                           const arrow::Schema& incoming,
                                                           bool allow_new_columns) {
  ARROW_ASSIGN_OR_RAISE(auto table_fields, CanonicalFields(table));
  ARROW_ASSIGN_OR_RAISE(auto data_fields, CanonicalFields(incoming));
  SchemaMerger merger(allow_new_columns);
  ARROW_ASSIGN_OR_RAISE(auto fields, merger.MergeFields(table_fields, data_fields, ""));
  return arrow::schema(std::move(fields), table.metadata());
}

arrow::Status CheckWriteSchema(const arrow::Schema& table, const arrow::Schema& incoming) {
  return MergeSchemas(table, incoming, /*allow_new_columns=*/false).status();
}

}  // namespace tidelake::delta
