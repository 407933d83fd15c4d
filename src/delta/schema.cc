#include "delta/schema.h"

#include <arrow/extension_type.h>
#include <arrow/type.h>
#include <arrow/util/key_value_metadata.h>
#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <nlohmann/json.hpp>
#include <set>
#include <unordered_map>
#include <vector>

#include "common/error.h"

namespace tidelake::delta {

namespace {

using simdjson::dom::element;
using simdjson::dom::object;
using Json = nlohmann::ordered_json;
using FieldVector = std::vector<std::shared_ptr<arrow::Field>>;

std::string ChildPath(std::string_view parent, std::string_view name) {
  if (parent.empty()) return std::string(name);
  std::string out(parent);
  out += '.';
  out += name;
  return out;
}

std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// Converts a parsed simdjson value into an nlohmann value (key order kept), so that metadata
// stored as JSON text can be re-emitted by the one JSON writer.
Json ToJson(element e) {
  switch (e.type()) {
    case simdjson::dom::element_type::ARRAY: {
      Json out = Json::array();
      for (element child : simdjson::dom::array(e)) out.push_back(ToJson(child));
      return out;
    }
    case simdjson::dom::element_type::OBJECT: {
      Json out = Json::object();
      for (auto [key, child] : object(e)) out[std::string(key)] = ToJson(child);
      return out;
    }
    case simdjson::dom::element_type::INT64:
      return Json(int64_t(e.get_int64()));
    case simdjson::dom::element_type::UINT64:
      return Json(uint64_t(e.get_uint64()));
    case simdjson::dom::element_type::DOUBLE:
      return Json(double(e.get_double()));
    case simdjson::dom::element_type::STRING:
      return Json(std::string(std::string_view(e.get_string())));
    case simdjson::dom::element_type::BOOL:
      return Json(bool(e.get_bool()));
    case simdjson::dom::element_type::NULL_VALUE:
      break;
  }
  return Json(nullptr);
}

// The keys a field's metadata marks as JSON text (kJsonMetadataKeys). Malformed lists are
// treated as empty: the values then round-trip as strings, which loses no text.
std::set<std::string, std::less<>> JsonKeys(const arrow::KeyValueMetadata& metadata) {
  std::set<std::string, std::less<>> keys;
  int index = metadata.FindKey(kJsonMetadataKeys);
  if (index < 0) return keys;
  simdjson::dom::parser parser;
  element list;
  if (parser.parse(simdjson::padded_string(metadata.value(index))).get(list) || !list.is_array()) {
    return keys;
  }
  for (element key : simdjson::dom::array(list)) {
    if (key.is_string()) keys.emplace(std::string_view(key.get_string()));
  }
  return keys;
}

// ---------------------------------------------------------------------------------------
// Delta JSON -> Arrow

arrow::Status SchemaError(std::string message) {
  return arrow::Status::Invalid("Delta schema: ", std::move(message));
}

std::string ForColumn(std::string_view path) {
  return path.empty() ? std::string() : " for column '" + std::string(path) + "'";
}

// "decimal(p,s)" (spaces allowed) or bare "decimal", which Spark reads as decimal(10,0).
arrow::Result<std::shared_ptr<arrow::DataType>> ParseDecimal(std::string_view name,
                                                             std::string_view path) {
  if (name == "decimal") return arrow::decimal128(10, 0);
  auto bad = [&]() {
    return SchemaError("malformed decimal type '" + std::string(name) + "'" + ForColumn(path));
  };
  std::string compact;
  for (char c : name) {
    if (c != ' ') compact += c;
  }
  std::string_view rest(compact);
  if (!rest.starts_with("decimal(") || !rest.ends_with(")")) return bad();
  rest = rest.substr(8, rest.size() - 9);
  size_t comma = rest.find(',');
  if (comma == std::string_view::npos) return bad();
  int precision = 0;
  int scale = 0;
  auto parse = [](std::string_view text, int* out) {
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
    return ec == std::errc() && end == text.data() + text.size() && !text.empty();
  };
  if (!parse(rest.substr(0, comma), &precision) || !parse(rest.substr(comma + 1), &scale)) {
    return bad();
  }
  if (precision < 1 || precision > 38 || scale < 0 || scale > precision) {
    return SchemaError("decimal(" + std::to_string(precision) + "," + std::to_string(scale) + ")" +
                       ForColumn(path) + " is out of range (precision 1..38, scale 0..precision)");
  }
  return arrow::decimal128(precision, scale);
}

arrow::Result<std::shared_ptr<arrow::DataType>> ParsePrimitive(std::string_view name,
                                                               std::string_view path) {
  static const std::unordered_map<std::string_view, std::shared_ptr<arrow::DataType>> kTypes = {
      {"boolean", arrow::boolean()},
      {"byte", arrow::int8()},
      {"short", arrow::int16()},
      {"integer", arrow::int32()},
      {"long", arrow::int64()},
      {"float", arrow::float32()},
      {"double", arrow::float64()},
      {"string", arrow::utf8()},
      {"binary", arrow::binary()},
      {"date", arrow::date32()},
      {"timestamp", arrow::timestamp(arrow::TimeUnit::MICRO, "UTC")},
      {"timestamp_ntz", arrow::timestamp(arrow::TimeUnit::MICRO)},
      {"void", arrow::null()},
  };
  auto it = kTypes.find(name);
  if (it != kTypes.end()) return it->second;
  if (name.starts_with("decimal")) return ParseDecimal(name, path);
  return SchemaError("unknown type '" + std::string(name) + "'" + ForColumn(path));
}

arrow::Result<std::shared_ptr<arrow::DataType>> ParseType(element type, const std::string& path);

arrow::Result<element> Member(object obj, std::string_view key, std::string_view what,
                              std::string_view path) {
  element value;
  if (obj[key].get(value)) {
    return SchemaError(std::string(what) + ForColumn(path) + " has no \"" + std::string(key) +
                       "\"");
  }
  return value;
}

arrow::Result<bool> OptionalBool(object obj, std::string_view key, std::string_view path) {
  element value;
  if (obj[key].get(value)) return true;  // Spark always writes these; default to nullable.
  if (!value.is_bool()) {
    return SchemaError("\"" + std::string(key) + "\"" + ForColumn(path) + " is not a boolean");
  }
  return bool(value.get_bool());
}

arrow::Result<std::shared_ptr<const arrow::KeyValueMetadata>> ParseMetadata(element metadata,
                                                                            std::string_view path) {
  if (!metadata.is_object()) {
    return SchemaError("\"metadata\"" + ForColumn(path) + " is not an object");
  }
  auto out = std::make_shared<arrow::KeyValueMetadata>();
  std::vector<std::string> json_keys;
  for (auto [key, value] : object(metadata)) {
    if (value.is_string()) {
      out->Append(std::string(key), std::string(std::string_view(value.get_string())));
    } else {
      out->Append(std::string(key), simdjson::minify(value));
      json_keys.emplace_back(key);
    }
  }
  if (!json_keys.empty()) out->Append(std::string(kJsonMetadataKeys), Json(json_keys).dump());
  if (out->size() == 0) return nullptr;
  return out;
}

arrow::Result<std::shared_ptr<arrow::Field>> ParseField(element field, std::string_view parent,
                                                        size_t index) {
  std::string where =
      "field " + std::to_string(index) +
      (parent.empty() ? std::string(" of the schema") : " of '" + std::string(parent) + "'");
  if (!field.is_object()) return SchemaError(where + " is not an object");
  object obj(field);
  element name_value;
  if (obj["name"].get(name_value) || !name_value.is_string()) {
    return SchemaError(where + " has no \"name\" string");
  }
  std::string name(std::string_view(name_value.get_string()));
  std::string path = ChildPath(parent, name);
  ARROW_ASSIGN_OR_RAISE(element type, Member(obj, "type", "field", path));
  ARROW_ASSIGN_OR_RAISE(auto arrow_type, ParseType(type, path));
  ARROW_ASSIGN_OR_RAISE(bool nullable, OptionalBool(obj, "nullable", path));
  std::shared_ptr<const arrow::KeyValueMetadata> metadata;
  element metadata_value;
  if (!obj["metadata"].get(metadata_value) && !metadata_value.is_null()) {
    ARROW_ASSIGN_OR_RAISE(metadata, ParseMetadata(metadata_value, path));
  }
  return arrow::field(std::move(name), std::move(arrow_type), nullable, std::move(metadata));
}

arrow::Result<FieldVector> ParseStructFields(object obj, const std::string& path) {
  ARROW_ASSIGN_OR_RAISE(element fields, Member(obj, "fields", "struct", path));
  if (!fields.is_array()) return SchemaError("\"fields\"" + ForColumn(path) + " is not an array");
  FieldVector out;
  size_t index = 0;
  for (element field : simdjson::dom::array(fields)) {
    ARROW_ASSIGN_OR_RAISE(auto parsed, ParseField(field, path, index++));
    out.push_back(std::move(parsed));
  }
  return out;
}

arrow::Result<std::shared_ptr<arrow::DataType>> ParseType(element type, const std::string& path) {
  if (type.is_string()) return ParsePrimitive(std::string_view(type.get_string()), path);
  if (!type.is_object()) {
    return SchemaError("\"type\"" + ForColumn(path) + " is neither a string nor an object");
  }
  object obj(type);
  element kind_value;
  if (obj["type"].get(kind_value) || !kind_value.is_string()) {
    return SchemaError("complex type" + ForColumn(path) + " has no \"type\" string");
  }
  std::string_view kind = kind_value.get_string();
  if (kind == "struct") {
    ARROW_ASSIGN_OR_RAISE(auto fields, ParseStructFields(obj, path));
    return arrow::struct_(std::move(fields));
  }
  if (kind == "array") {
    std::string element_path = ChildPath(path, "element");
    ARROW_ASSIGN_OR_RAISE(element element_type, Member(obj, "elementType", "array", path));
    ARROW_ASSIGN_OR_RAISE(auto arrow_element, ParseType(element_type, element_path));
    ARROW_ASSIGN_OR_RAISE(bool contains_null, OptionalBool(obj, "containsNull", path));
    return arrow::list(arrow::field("element", std::move(arrow_element), contains_null));
  }
  if (kind == "map") {
    ARROW_ASSIGN_OR_RAISE(element key_type, Member(obj, "keyType", "map", path));
    ARROW_ASSIGN_OR_RAISE(element value_type, Member(obj, "valueType", "map", path));
    ARROW_ASSIGN_OR_RAISE(auto arrow_key, ParseType(key_type, ChildPath(path, "key")));
    ARROW_ASSIGN_OR_RAISE(auto arrow_value, ParseType(value_type, ChildPath(path, "value")));
    ARROW_ASSIGN_OR_RAISE(bool value_nullable, OptionalBool(obj, "valueContainsNull", path));
    return arrow::map(std::move(arrow_key),
                      arrow::field("value", std::move(arrow_value), value_nullable));
  }
  return SchemaError("unknown type '" + std::string(kind) + "'" + ForColumn(path));
}

// ---------------------------------------------------------------------------------------
// Arrow -> Delta JSON

std::string PrimitiveName(const arrow::DataType& type) {
  switch (type.id()) {
    case arrow::Type::NA:
      return "void";
    case arrow::Type::BOOL:
      return "boolean";
    case arrow::Type::INT8:
      return "byte";
    case arrow::Type::INT16:
      return "short";
    case arrow::Type::INT32:
      return "integer";
    case arrow::Type::INT64:
      return "long";
    case arrow::Type::FLOAT:
      return "float";
    case arrow::Type::DOUBLE:
      return "double";
    case arrow::Type::STRING:
      return "string";
    case arrow::Type::BINARY:
      return "binary";
    case arrow::Type::DATE32:
      return "date";
    case arrow::Type::TIMESTAMP:
      return static_cast<const arrow::TimestampType&>(type).timezone().empty() ? "timestamp_ntz"
                                                                               : "timestamp";
    case arrow::Type::DECIMAL128: {
      const auto& decimal = static_cast<const arrow::DecimalType&>(type);
      return "decimal(" + std::to_string(decimal.precision()) + "," +
             std::to_string(decimal.scale()) + ")";
    }
    default:
      return std::string();
  }
}

arrow::Result<Json> MetadataToJson(const arrow::KeyValueMetadata* metadata, std::string_view path) {
  Json out = Json::object();
  if (metadata == nullptr) return out;
  auto json_keys = JsonKeys(*metadata);
  for (int64_t i = 0; i < metadata->size(); ++i) {
    const std::string& key = metadata->key(i);
    if (key == kJsonMetadataKeys || key.starts_with("PARQUET:") || key.starts_with("ARROW:")) {
      continue;
    }
    if (json_keys.contains(key)) {
      simdjson::dom::parser parser;
      element value;
      if (parser.parse(simdjson::padded_string(metadata->value(i))).get(value)) {
        return arrow::Status::Invalid(
            "column '", path, "': metadata key '", key,
            "' is marked as JSON but its value is not valid JSON: ", metadata->value(i));
      }
      out[key] = ToJson(value);
    } else {
      out[key] = metadata->value(i);
    }
  }
  return out;
}

arrow::Result<Json> TypeToJson(const arrow::DataType& type, const std::string& path);

arrow::Result<Json> FieldsToJson(const FieldVector& fields, const std::string& parent) {
  Json out = Json::array();
  std::unordered_map<std::string, std::string> seen;  // lower-case name -> name
  for (const auto& field : fields) {
    std::string path = ChildPath(parent, field->name());
    auto [it, inserted] = seen.emplace(AsciiLower(field->name()), field->name());
    if (!inserted) {
      return arrow::Status::Invalid("columns '", ChildPath(parent, it->second), "' and '", path,
                                    "' differ only in case; Delta column names must be unique "
                                    "regardless of case");
    }
    Json entry = Json::object();
    entry["name"] = field->name();
    ARROW_ASSIGN_OR_RAISE(entry["type"], TypeToJson(*field->type(), path));
    entry["nullable"] = field->nullable();
    ARROW_ASSIGN_OR_RAISE(entry["metadata"], MetadataToJson(field->metadata().get(), path));
    out.push_back(std::move(entry));
  }
  return out;
}

// `type` is canonical (CanonicalDeltaType).
arrow::Result<Json> TypeToJson(const arrow::DataType& type, const std::string& path) {
  switch (type.id()) {
    case arrow::Type::STRUCT: {
      Json out = Json::object();
      out["type"] = "struct";
      ARROW_ASSIGN_OR_RAISE(out["fields"], FieldsToJson(type.fields(), path));
      return out;
    }
    case arrow::Type::LIST: {
      const auto& element_field = *static_cast<const arrow::ListType&>(type).value_field();
      Json out = Json::object();
      out["type"] = "array";
      ARROW_ASSIGN_OR_RAISE(out["elementType"],
                            TypeToJson(*element_field.type(), ChildPath(path, "element")));
      out["containsNull"] = element_field.nullable();
      return out;
    }
    case arrow::Type::MAP: {
      const auto& map = static_cast<const arrow::MapType&>(type);
      Json out = Json::object();
      out["type"] = "map";
      ARROW_ASSIGN_OR_RAISE(out["keyType"], TypeToJson(*map.key_type(), ChildPath(path, "key")));
      ARROW_ASSIGN_OR_RAISE(out["valueType"],
                            TypeToJson(*map.item_type(), ChildPath(path, "value")));
      out["valueContainsNull"] = map.item_field()->nullable();
      return out;
    }
    default: {
      std::string name = PrimitiveName(type);
      if (name.empty()) {
        return arrow::Status::TypeError("column '", path, "': Arrow type ", type.ToString(),
                                        " has no Delta equivalent");
      }
      return Json(std::move(name));
    }
  }
}

// ---------------------------------------------------------------------------------------
// Column mapping

arrow::Result<std::shared_ptr<arrow::DataType>> PhysicalType(
    const std::shared_ptr<arrow::DataType>& type, ColumnMappingMode mode, const std::string& path);

// Returns nullptr for a void field, which data files never store.
arrow::Result<std::shared_ptr<arrow::Field>> PhysicalField(const arrow::Field& field,
                                                           ColumnMappingMode mode,
                                                           const std::string& parent) {
  std::string path = ChildPath(parent, field.name());
  if (field.type()->id() == arrow::Type::NA) return nullptr;
  ARROW_ASSIGN_OR_RAISE(auto type, PhysicalType(field.type(), mode, path));
  if (mode == ColumnMappingMode::kNone) {
    return arrow::field(field.name(), std::move(type), field.nullable());
  }
  auto physical_name = FieldMetadataValue(field, kPhysicalNameKey);
  if (!physical_name || physical_name->empty()) {
    return arrow::Status::Invalid("column '", path, "' has no ", kPhysicalNameKey,
                                  " although the table uses column mapping mode '",
                                  ColumnMappingModeName(mode), "'");
  }
  std::shared_ptr<const arrow::KeyValueMetadata> metadata;
  if (auto id = FieldId(field)) {
    metadata = arrow::key_value_metadata({std::string(kParquetFieldIdKey)}, {std::to_string(*id)});
  } else if (mode == ColumnMappingMode::kId) {
    return arrow::Status::Invalid("column '", path, "' has no valid ", kColumnMappingIdKey,
                                  " although the table uses column mapping mode 'id'");
  }
  return arrow::field(*physical_name, std::move(type), field.nullable(), std::move(metadata));
}

arrow::Result<std::shared_ptr<arrow::DataType>> PhysicalType(
    const std::shared_ptr<arrow::DataType>& type, ColumnMappingMode mode, const std::string& path) {
  switch (type->id()) {
    case arrow::Type::STRUCT: {
      FieldVector fields;
      for (const auto& child : type->fields()) {
        ARROW_ASSIGN_OR_RAISE(auto physical, PhysicalField(*child, mode, path));
        if (physical) fields.push_back(std::move(physical));
      }
      return arrow::struct_(std::move(fields));
    }
    case arrow::Type::LIST: {
      const auto& element_field = static_cast<const arrow::ListType&>(*type).value_field();
      ARROW_ASSIGN_OR_RAISE(auto element,
                            PhysicalType(element_field->type(), mode, ChildPath(path, "element")));
      return arrow::list(element_field->WithType(std::move(element))->WithMetadata(nullptr));
    }
    case arrow::Type::MAP: {
      const auto& map = static_cast<const arrow::MapType&>(*type);
      ARROW_ASSIGN_OR_RAISE(auto key, PhysicalType(map.key_type(), mode, ChildPath(path, "key")));
      ARROW_ASSIGN_OR_RAISE(auto value,
                            PhysicalType(map.item_type(), mode, ChildPath(path, "value")));
      return arrow::map(std::move(key),
                        map.item_field()->WithType(std::move(value))->WithMetadata(nullptr));
    }
    default:
      return type;
  }
}

}  // namespace

// ---------------------------------------------------------------------------------------
// Public API

arrow::Result<std::shared_ptr<arrow::Schema>> SchemaFromJson(std::string_view schema_string) {
  simdjson::dom::parser parser;
  element root;
  if (auto error = parser.parse(simdjson::padded_string(schema_string)).get(root)) {
    return SchemaError(std::string("malformed JSON (") + simdjson::error_message(error) + ")");
  }
  if (!root.is_object()) return SchemaError("the top level is not a JSON object");
  object obj(root);
  element kind;
  if (obj["type"].get(kind) || !kind.is_string() ||
      std::string_view(kind.get_string()) != "struct") {
    return SchemaError("the top level is not a struct type ({\"type\":\"struct\",...})");
  }
  ARROW_ASSIGN_OR_RAISE(auto fields, ParseStructFields(obj, ""));
  return arrow::schema(std::move(fields));
}

arrow::Result<std::string> SchemaToJson(const arrow::Schema& schema) {
  FieldVector fields;
  for (const auto& field : schema.fields()) {
    ARROW_ASSIGN_OR_RAISE(auto type, CanonicalDeltaType(field->type(), field->name()));
    fields.push_back(field->WithType(std::move(type)));
  }
  Json root = Json::object();
  root["type"] = "struct";
  ARROW_ASSIGN_OR_RAISE(root["fields"], FieldsToJson(fields, ""));
  try {
    return root.dump(-1, ' ', false, Json::error_handler_t::strict);
  } catch (const nlohmann::json::exception& e) {
    return arrow::Status::Invalid(
        "cannot serialize schema as JSON (is every name and metadata "
        "value valid UTF-8?): ",
        e.what());
  }
}

arrow::Result<std::shared_ptr<arrow::DataType>> CanonicalDeltaType(
    const std::shared_ptr<arrow::DataType>& type, std::string_view column) {
  auto unsupported = [&]() {
    return arrow::Status::TypeError("column '", column, "': Arrow type ", type->ToString(),
                                    " has no Delta equivalent");
  };
  switch (type->id()) {
    case arrow::Type::NA:
    case arrow::Type::BOOL:
    case arrow::Type::INT8:
    case arrow::Type::INT16:
    case arrow::Type::INT32:
    case arrow::Type::INT64:
    case arrow::Type::FLOAT:
    case arrow::Type::DOUBLE:
    case arrow::Type::STRING:
    case arrow::Type::BINARY:
    case arrow::Type::DATE32:
      return type;
    case arrow::Type::UINT8:
      return arrow::int16();
    case arrow::Type::UINT16:
      return arrow::int32();
    case arrow::Type::UINT32:
    case arrow::Type::UINT64:
      return arrow::int64();
    case arrow::Type::LARGE_STRING:
    case arrow::Type::STRING_VIEW:
      return arrow::utf8();
    case arrow::Type::LARGE_BINARY:
    case arrow::Type::BINARY_VIEW:
    case arrow::Type::FIXED_SIZE_BINARY:
      return arrow::binary();
    case arrow::Type::DATE64:
      return arrow::date32();
    case arrow::Type::TIMESTAMP: {
      bool has_zone = !static_cast<const arrow::TimestampType&>(*type).timezone().empty();
      // Arrow stores instants as UTC whatever the zone, so any zone is Delta's timestamp.
      return has_zone ? arrow::timestamp(arrow::TimeUnit::MICRO, "UTC")
                      : arrow::timestamp(arrow::TimeUnit::MICRO);
    }
    case arrow::Type::DECIMAL32:
    case arrow::Type::DECIMAL64:
    case arrow::Type::DECIMAL128:
    case arrow::Type::DECIMAL256: {
      const auto& decimal = static_cast<const arrow::DecimalType&>(*type);
      if (decimal.precision() > 38 || decimal.scale() < 0 ||
          decimal.scale() > decimal.precision()) {
        return unsupported();
      }
      if (type->id() == arrow::Type::DECIMAL128) return type;
      return arrow::decimal128(decimal.precision(), decimal.scale());
    }
    case arrow::Type::LIST:
    case arrow::Type::LARGE_LIST:
    case arrow::Type::FIXED_SIZE_LIST:
    case arrow::Type::LIST_VIEW:
    case arrow::Type::LARGE_LIST_VIEW: {
      const auto& element_field = static_cast<const arrow::BaseListType&>(*type).value_field();
      ARROW_ASSIGN_OR_RAISE(
          auto element, CanonicalDeltaType(element_field->type(), ChildPath(column, "element")));
      if (type->id() == arrow::Type::LIST && element_field->name() == "element" &&
          element == element_field->type()) {
        return type;
      }
      return arrow::list(arrow::field("element", std::move(element), element_field->nullable()));
    }
    case arrow::Type::MAP: {
      const auto& map = static_cast<const arrow::MapType&>(*type);
      ARROW_ASSIGN_OR_RAISE(auto key, CanonicalDeltaType(map.key_type(), ChildPath(column, "key")));
      ARROW_ASSIGN_OR_RAISE(auto value,
                            CanonicalDeltaType(map.item_type(), ChildPath(column, "value")));
      return arrow::map(std::move(key),
                        arrow::field("value", std::move(value), map.item_field()->nullable()));
    }
    case arrow::Type::STRUCT: {
      FieldVector fields;
      bool changed = false;
      for (const auto& child : type->fields()) {
        ARROW_ASSIGN_OR_RAISE(auto child_type,
                              CanonicalDeltaType(child->type(), ChildPath(column, child->name())));
        changed = changed || child_type != child->type();
        fields.push_back(child->WithType(std::move(child_type)));
      }
      if (!changed) return type;
      return arrow::struct_(std::move(fields));
    }
    case arrow::Type::DICTIONARY:
      return CanonicalDeltaType(static_cast<const arrow::DictionaryType&>(*type).value_type(),
                                column);
    case arrow::Type::EXTENSION:
      return CanonicalDeltaType(static_cast<const arrow::ExtensionType&>(*type).storage_type(),
                                column);
    default:
      return unsupported();
  }
}

std::string DeltaTypeName(const arrow::DataType& type) {
  switch (type.id()) {
    case arrow::Type::STRUCT: {
      std::string out = "struct<";
      for (int i = 0; i < type.num_fields(); ++i) {
        if (i > 0) out += ',';
        out += type.field(i)->name() + ":" + DeltaTypeName(*type.field(i)->type());
      }
      return out + ">";
    }
    case arrow::Type::MAP: {
      const auto& map = static_cast<const arrow::MapType&>(type);
      return "map<" + DeltaTypeName(*map.key_type()) + "," + DeltaTypeName(*map.item_type()) + ">";
    }
    case arrow::Type::LIST:
    case arrow::Type::LARGE_LIST:
    case arrow::Type::FIXED_SIZE_LIST:
    case arrow::Type::LIST_VIEW:
    case arrow::Type::LARGE_LIST_VIEW:
      return "array<" + DeltaTypeName(*static_cast<const arrow::BaseListType&>(type).value_type()) +
             ">";
    case arrow::Type::DICTIONARY:
      return DeltaTypeName(*static_cast<const arrow::DictionaryType&>(type).value_type());
    case arrow::Type::EXTENSION:
      return DeltaTypeName(*static_cast<const arrow::ExtensionType&>(type).storage_type());
    case arrow::Type::UINT8:
      return "short";
    case arrow::Type::UINT16:
      return "integer";
    case arrow::Type::UINT32:
    case arrow::Type::UINT64:
      return "long";
    case arrow::Type::LARGE_STRING:
    case arrow::Type::STRING_VIEW:
      return "string";
    case arrow::Type::LARGE_BINARY:
    case arrow::Type::BINARY_VIEW:
    case arrow::Type::FIXED_SIZE_BINARY:
      return "binary";
    case arrow::Type::DATE64:
      return "date";
    case arrow::Type::DECIMAL32:
    case arrow::Type::DECIMAL64:
    case arrow::Type::DECIMAL256: {
      const auto& decimal = static_cast<const arrow::DecimalType&>(type);
      if (decimal.precision() > 38) return type.ToString();
      return "decimal(" + std::to_string(decimal.precision()) + "," +
             std::to_string(decimal.scale()) + ")";
    }
    default: {
      std::string name = PrimitiveName(type);
      return name.empty() ? type.ToString() : name;
    }
  }
}

std::optional<std::string> FieldMetadataValue(const arrow::Field& field, std::string_view key) {
  const auto& metadata = field.metadata();
  if (!metadata) return std::nullopt;
  int index = metadata->FindKey(key);
  if (index < 0) return std::nullopt;
  return metadata->value(index);
}

std::shared_ptr<arrow::Field> WithJsonMetadata(const std::shared_ptr<arrow::Field>& field,
                                               std::string_view key, std::string json_text) {
  auto metadata =
      field->metadata() ? field->metadata()->Copy() : std::make_shared<arrow::KeyValueMetadata>();
  auto json_keys = JsonKeys(*metadata);
  json_keys.emplace(key);
  // Set() keeps the position of an existing key, so round trips keep their key order.
  IgnoreError(metadata->Set(std::string(key), std::move(json_text)));  // cannot fail
  if (metadata->Contains(kJsonMetadataKeys)) IgnoreError(metadata->Delete(kJsonMetadataKeys));
  metadata->Append(std::string(kJsonMetadataKeys),
                   Json(std::vector<std::string>(json_keys.begin(), json_keys.end())).dump());
  return field->WithMetadata(std::move(metadata));
}

ColumnMappingMode ColumnMappingModeFrom(
    const std::map<std::string, std::string>& table_configuration) {
  auto mode = ParseColumnMappingMode(table_configuration);
  return mode.ok() ? *mode : ColumnMappingMode::kNone;
}

arrow::Result<ColumnMappingMode> ParseColumnMappingMode(
    const std::map<std::string, std::string>& table_configuration) {
  auto it = table_configuration.find(std::string(kColumnMappingModeKey));
  if (it == table_configuration.end()) return ColumnMappingMode::kNone;
  std::string mode = AsciiLower(it->second);
  if (mode == "none") return ColumnMappingMode::kNone;
  if (mode == "name") return ColumnMappingMode::kName;
  if (mode == "id") return ColumnMappingMode::kId;
  return arrow::Status::Invalid("unknown column mapping mode '", it->second, "' in table property ",
                                kColumnMappingModeKey, " (expected none, name or id)");
}

std::string_view ColumnMappingModeName(ColumnMappingMode mode) {
  switch (mode) {
    case ColumnMappingMode::kName:
      return "name";
    case ColumnMappingMode::kId:
      return "id";
    case ColumnMappingMode::kNone:
      break;
  }
  return "none";
}

std::string PhysicalName(const arrow::Field& field) {
  auto physical = FieldMetadataValue(field, kPhysicalNameKey);
  return physical && !physical->empty() ? *physical : field.name();
}

std::optional<int32_t> FieldId(const arrow::Field& field) {
  auto text = FieldMetadataValue(field, kColumnMappingIdKey);
  if (!text) return std::nullopt;
  int32_t id = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), id);
  if (ec != std::errc() || end != text->data() + text->size() || text->empty()) return std::nullopt;
  return id;
}

arrow::Result<std::shared_ptr<arrow::Schema>> PhysicalSchema(const arrow::Schema& logical,
                                                             ColumnMappingMode mode) {
  FieldVector fields;
  for (const auto& field : logical.fields()) {
    ARROW_ASSIGN_OR_RAISE(auto type, CanonicalDeltaType(field->type(), field->name()));
    ARROW_ASSIGN_OR_RAISE(auto physical, PhysicalField(*field->WithType(type), mode, ""));
    if (physical) fields.push_back(std::move(physical));
  }
  return arrow::schema(std::move(fields));
}

}  // namespace tidelake::delta
