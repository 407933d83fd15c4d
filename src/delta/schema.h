// Delta table schemas as Arrow schemas (PROTOCOL.md, "Schema Serialization Format", "Column
// Mapping", "Type Widening", "Void Type").
//
// A table's schema lives in the log as Spark's JSON schema (metaData.schemaString). This header
// owns its conversion to and from arrow::Schema, the physical (Parquet) form of a schema under
// column mapping, and the checks that decide whether data of one schema may be written into a
// table of another (schema enforcement and evolution). All functions are pure and thread-safe.
//
// Type mapping (Delta <-> Arrow; the Arrow side is the *canonical* form SchemaFromJson returns):
//   boolean bool | byte int8 | short int16 | integer int32 | long int64 | float float32 |
//   double float64 | decimal(p,s) decimal128(p,s) | string utf8 | binary binary | date date32 |
//   timestamp timestamp(us, "UTC") | timestamp_ntz timestamp(us) | void null |
//   array list<element> | map map<key, value> (keys non-null) | struct struct.
// SchemaToJson also accepts Arrow types with an obvious Delta equivalent (large/view strings
// and binaries, fixed_size_binary, other timestamp units and zones, date64, large/fixed-size/
// view lists, dictionaries (as their value type), extension types (as their storage type),
// uint8/16/32 as the next wider signed type and uint64 as long (values above INT64_MAX fail
// when the data is cast), decimal32/64/256 with precision <= 38). Anything else is an error
// naming the column.
//
// Column metadata invariant: Delta column metadata is a JSON object whose values may be any
// JSON value; Arrow field metadata is string -> string. SchemaFromJson stores a string value
// as its raw text and any other value (number, bool, null, object, array) as compact JSON
// text, and lists the keys of the latter, as a JSON array of strings, under the reserved key
// kJsonMetadataKeys ("tidelake.json_keys"). SchemaToJson reverses this exactly, so
// SchemaToJson(SchemaFromJson(s)) reproduces a compact schemaString as Spark writes it byte
// for byte, key order included (tested on the real tables in testdata). Metadata added by
// Arrow itself (keys starting with "PARQUET:" or "ARROW:") and the reserved key are never
// written to the Delta schema; every other key is written as a JSON string unless
// kJsonMetadataKeys lists it.
//
// Column paths in error messages are dot-joined field names, with "element", "key" and
// "value" for array elements and map keys/values (PROTOCOL.md, "Field Path").
#pragma once

#include <arrow/result.h>
#include <arrow/status.h>
#include <arrow/type_fwd.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace tidelake::delta {

/// Reserved Arrow field-metadata key: a JSON array naming the keys whose values are JSON text
/// rather than plain strings (see the header comment). Never written to the Delta log.
inline constexpr std::string_view kJsonMetadataKeys = "tidelake.json_keys";
/// Delta column-metadata keys this header interprets.
inline constexpr std::string_view kColumnMappingIdKey = "delta.columnMapping.id";
inline constexpr std::string_view kPhysicalNameKey = "delta.columnMapping.physicalName";
inline constexpr std::string_view kTypeChangesKey = "delta.typeChanges";
/// Table property that selects the column mapping mode.
inline constexpr std::string_view kColumnMappingModeKey = "delta.columnMapping.mode";
/// Arrow's Parquet field-id metadata key: the Parquet writer emits it as the field_id.
inline constexpr std::string_view kParquetFieldIdKey = "PARQUET:field_id";

// ---------------------------------------------------------------------------------------
// JSON <-> Arrow

/// Parses a Delta schema (the schemaString of a metaData action) into its canonical Arrow
/// schema. Errors (Invalid): malformed JSON, a missing "type"/"name", an unknown type name
/// (e.g. "variant"; the message names the type and the column path), decimal precision
/// outside 1..38 or scale outside 0..precision.
arrow::Result<std::shared_ptr<arrow::Schema>> SchemaFromJson(std::string_view schema_string);

/// Serializes an Arrow schema as a Delta schema, in the compact form Spark writes:
/// {"type":"struct","fields":[{"name":..,"type":..,"nullable":..,"metadata":{..}},..]}.
/// Errors (TypeError): an Arrow type without a Delta equivalent (float16, time, duration,
/// interval, union, run-end encoded, decimal precision > 38, ...), naming column and type.
/// Errors (Invalid): two columns of one struct whose names differ only in case, or a
/// metadata key listed in kJsonMetadataKeys whose value is not valid JSON.
arrow::Result<std::string> SchemaToJson(const arrow::Schema& schema);

/// The canonical Arrow form of `type` (see the table above): what SchemaFromJson would return
/// for SchemaToJson of it. Field names, nullability and metadata of nested fields are kept;
/// list elements are named "element". `column` only names the column in errors.
arrow::Result<std::shared_ptr<arrow::DataType>> CanonicalDeltaType(
    const std::shared_ptr<arrow::DataType>& type, std::string_view column);

/// The Delta name of a type as used in schemas and type-change metadata: "integer",
/// "decimal(10,2)", "timestamp_ntz"; for nested types a readable form such as
/// "array<integer>", "map<string,long>", "struct<a:integer,b:string>". Types without a Delta
/// equivalent give Arrow's own name (e.g. "halffloat"); meant for messages.
std::string DeltaTypeName(const arrow::DataType& type);

// ---------------------------------------------------------------------------------------
// Column metadata

/// The value of `key` in a field's metadata, if present (the raw stored text).
std::optional<std::string> FieldMetadataValue(const arrow::Field& field, std::string_view key);

/// A copy of `field` whose metadata has `key` set to `json_text`, recorded as a non-string
/// JSON value (added to kJsonMetadataKeys). `json_text` must be valid JSON.
std::shared_ptr<arrow::Field> WithJsonMetadata(const std::shared_ptr<arrow::Field>& field,
                                               std::string_view key, std::string json_text);

// ---------------------------------------------------------------------------------------
// Column mapping

enum class ColumnMappingMode { kNone, kName, kId };

/// The mode named by delta.columnMapping.mode in a table's configuration (case-insensitive).
/// Absent, "none" and unrecognised values give kNone; use ParseColumnMappingMode to reject
/// unrecognised values. The caller checks that the protocol supports column mapping.
ColumnMappingMode ColumnMappingModeFrom(
    const std::map<std::string, std::string>& table_configuration);

/// Like ColumnMappingModeFrom, but an unrecognised mode is an Invalid error naming it.
arrow::Result<ColumnMappingMode> ParseColumnMappingMode(
    const std::map<std::string, std::string>& table_configuration);

/// "none", "name" or "id".
std::string_view ColumnMappingModeName(ColumnMappingMode mode);

/// delta.columnMapping.physicalName of the field, else the field's name.
std::string PhysicalName(const arrow::Field& field);

/// delta.columnMapping.id of the field, if present and a valid 32-bit integer.
std::optional<int32_t> FieldId(const arrow::Field& field);

/// The schema as stored in Parquet data files. In kName/kId mode every struct field, at any
/// depth (through struct fields, list elements and map keys/values), is renamed to its
/// physical name and carries only the metadata kParquetFieldIdKey = its column-mapping id, so
/// the Parquet writer emits field ids. In kNone mode names are unchanged and Delta metadata
/// is dropped. In every mode void (null-typed) struct fields are left out, because writers
/// must not store them (PROTOCOL.md, "Void Type").
/// Errors (Invalid): in kName/kId mode a field without a physical name; in kId mode a field
/// without a column-mapping id.
arrow::Result<std::shared_ptr<arrow::Schema>> PhysicalSchema(const arrow::Schema& logical,
                                                             ColumnMappingMode mode);

// ---------------------------------------------------------------------------------------
// Schema enforcement and evolution
//
// Columns match by name, case-insensitively (as Spark does); the table's spelling is kept.
// Nullability is not compared: data typed nullable may be written into a NOT NULL column, and
// the writer checks the values. A table column absent from the data is allowed only if it
// is nullable (it is written as nulls). Incoming data may be of a type that converts
// losslessly into the table's type (a Delta type widening: byte->short->integer->long,
// float->double, byte/short/integer->double, date->timestamp_ntz, decimal(p,s) to
// decimal(p+k1,s+k2) with k1>=k2>=0, byte/short/integer->decimal(10+k1,k2),
// long->decimal(20+k1,k2)); the writer casts it. Both schemas are first brought to their
// canonical form, so e.g. large_utf8 data matches a string column.

/// Merges `incoming` into `table` and returns the new table schema. With allow_new_columns
/// (merge-schema mode): incoming columns absent from the table are appended, nullable and
/// without metadata (the caller assigns column-mapping ids and names), also inside structs;
/// a table column may widen to the incoming type (byte->short->integer->long, float->double,
/// date->timestamp_ntz, decimal(p,s)->decimal(p',s') with p'-s' >= p-s and s' >= s, or void
/// to any type), and the widened field gets a delta.typeChanges entry (PROTOCOL.md, "Type
/// Change Metadata"; the caller must make sure the table supports type widening).
/// Errors (Invalid): "schema mismatch for column 'amount': table has double, data has
/// string"; a new column when !allow_new_columns; a missing NOT NULL column; incoming
/// column names that differ only in case. TypeError: a type without a Delta equivalent.
arrow::Result<std::shared_ptr<arrow::Schema>> MergeSchemas(const arrow::Schema& table,
                                                           const arrow::Schema& incoming,
                                                           bool allow_new_columns);

/// The strict check for a plain append: MergeSchemas(table, incoming, false) without the
/// result (no new columns, no table widening; lossless conversions of the data are fine).
arrow::Status CheckWriteSchema(const arrow::Schema& table, const arrow::Schema& incoming);

}  // namespace tidelake::delta
