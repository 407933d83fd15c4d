#ifndef TIDELAKE_TESTDATA_DIR
#define TIDELAKE_TESTDATA_DIR "/work/shared/testdata"
#endif

#include "delta/schema.h"

#include <arrow/extension_type.h>
#include <arrow/type.h>
#include <arrow/util/key_value_metadata.h>
#include <gtest/gtest.h>
#include <simdjson.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace tidelake::delta {
namespace {

std::string TableDir(const std::string& table) {
  return std::string(TIDELAKE_TESTDATA_DIR) + "/delta/" + table;
}

// Every metaData.schemaString in the commits of a test table, in version order.
std::vector<std::string> SchemaStrings(const std::string& table) {
  std::vector<std::filesystem::path> commits;
  for (const auto& entry : std::filesystem::directory_iterator(TableDir(table) + "/_delta_log")) {
    if (entry.path().extension() == ".json" && entry.path().filename().string().size() == 25) {
      commits.push_back(entry.path());
    }
  }
  std::sort(commits.begin(), commits.end());
  std::vector<std::string> out;
  for (const auto& commit : commits) {
    std::ifstream in(commit);
    std::string line;
    while (std::getline(in, line)) {
      simdjson::dom::parser parser;
      simdjson::dom::element action;
      if (parser.parse(line).get(action)) continue;
      simdjson::dom::element schema;
      if (action["metaData"]["schemaString"].get(schema)) continue;
      out.emplace_back(std::string_view(schema.get_string()));
    }
  }
  return out;
}

std::shared_ptr<arrow::Schema> Parse(std::string_view json) {
  auto schema = SchemaFromJson(json);
  EXPECT_TRUE(schema.ok()) << schema.status().ToString();
  return schema.ok() ? *schema : arrow::schema({});
}

std::string Dump(const arrow::Schema& schema) {
  auto json = SchemaToJson(schema);
  EXPECT_TRUE(json.ok()) << json.status().ToString();
  return json.ok() ? *json : std::string();
}

std::string ErrorOf(std::string_view json) {
  auto schema = SchemaFromJson(json);
  EXPECT_FALSE(schema.ok()) << json;
  return schema.status().message();
}

std::string Field(std::string_view name, std::string_view type, bool nullable = true,
                  std::string_view metadata = "{}") {
  return "{\"name\":\"" + std::string(name) + "\",\"type\":" + std::string(type) +
         ",\"nullable\":" + (nullable ? "true" : "false") +
         ",\"metadata\":" + std::string(metadata) + "}";
}

std::string Struct(const std::vector<std::string>& fields) {
  std::string out = "{\"type\":\"struct\",\"fields\":[";
  for (size_t i = 0; i < fields.size(); ++i) out += (i ? "," : "") + fields[i];
  return out + "]}";
}

// ---------------------------------------------------------------------------------------
// Delta JSON -> Arrow

TEST(SchemaFromJson, PrimitiveTypes) {
  auto schema = Parse(Struct({
      Field("b", "\"boolean\""),
      Field("i8", "\"byte\""),
      Field("i16", "\"short\""),
      Field("i32", "\"integer\"", false),
      Field("i64", "\"long\""),
      Field("f", "\"float\""),
      Field("d", "\"double\""),
      Field("dec", "\"decimal(38,18)\""),
      Field("s", "\"string\""),
      Field("bin", "\"binary\""),
      Field("date", "\"date\""),
      Field("ts", "\"timestamp\""),
      Field("ntz", "\"timestamp_ntz\""),
      Field("v", "\"void\""),
      Field("spaced", "\"decimal(10, 4)\""),
      Field("bare", "\"decimal\""),
  }));
  ASSERT_EQ(schema->num_fields(), 16);
  std::vector<std::shared_ptr<arrow::DataType>> expected = {
      arrow::boolean(),
      arrow::int8(),
      arrow::int16(),
      arrow::int32(),
      arrow::int64(),
      arrow::float32(),
      arrow::float64(),
      arrow::decimal128(38, 18),
      arrow::utf8(),
      arrow::binary(),
      arrow::date32(),
      arrow::timestamp(arrow::TimeUnit::MICRO, "UTC"),
      arrow::timestamp(arrow::TimeUnit::MICRO),
      arrow::null(),
      arrow::decimal128(10, 4),
      arrow::decimal128(10, 0)};
  for (int i = 0; i < schema->num_fields(); ++i) {
    EXPECT_TRUE(schema->field(i)->type()->Equals(*expected[i]))
        << schema->field(i)->name() << ": " << schema->field(i)->type()->ToString();
  }
  EXPECT_FALSE(schema->field(3)->nullable());
  EXPECT_TRUE(schema->field(4)->nullable());
  EXPECT_EQ(schema->field(0)->metadata(), nullptr);
}

TEST(SchemaFromJson, NestedTypes) {
  std::string array = R"({"type":"array","elementType":"integer","containsNull":false})";
  std::string map =
      R"({"type":"map","keyType":"string","valueType":{"type":"array","elementType":)" +
      Struct({Field("x", "\"long\"", false)}) +
      R"(,"containsNull":true},"valueContainsNull":false})";
  auto schema =
      Parse(Struct({Field("a", array), Field("m", map, false),
                    Field("s", Struct({Field("inner", Struct({Field("z", "\"date\"")}))}))}));
  auto a = std::static_pointer_cast<arrow::ListType>(schema->field(0)->type());
  ASSERT_EQ(a->id(), arrow::Type::LIST);
  EXPECT_EQ(a->value_field()->name(), "element");
  EXPECT_FALSE(a->value_field()->nullable());
  EXPECT_TRUE(a->value_type()->Equals(arrow::int32()));

  auto m = std::static_pointer_cast<arrow::MapType>(schema->field(1)->type());
  ASSERT_EQ(m->id(), arrow::Type::MAP);
  EXPECT_FALSE(m->key_field()->nullable());
  EXPECT_FALSE(m->item_field()->nullable());
  EXPECT_TRUE(m->key_type()->Equals(arrow::utf8()));
  auto value = std::static_pointer_cast<arrow::ListType>(m->item_type());
  EXPECT_TRUE(value->value_field()->nullable());
  EXPECT_TRUE(
      value->value_type()->Equals(arrow::struct_({arrow::field("x", arrow::int64(), false)})));
  EXPECT_FALSE(schema->field(1)->nullable());

  EXPECT_TRUE(schema->field(2)->type()->Equals(arrow::struct_(
      {arrow::field("inner", arrow::struct_({arrow::field("z", arrow::date32())}))})));
}

TEST(SchemaFromJson, MetadataKeepsJsonTypes) {
  auto schema = Parse(Struct({Field(
      "c", "\"long\"", true,
      R"({"delta.columnMapping.id":5,"comment":"hello \"you\"","delta.identity.allowExplicitInsert":false,"delta.typeChanges":[{"toType":"long","fromType":"integer","tableVersion":2}],"nothing":null,"num":"7"})")}));
  const auto& md = *schema->field(0)->metadata();
  EXPECT_EQ(*md.Get("delta.columnMapping.id"), "5");
  EXPECT_EQ(*md.Get("comment"), "hello \"you\"");
  EXPECT_EQ(*md.Get("delta.identity.allowExplicitInsert"), "false");
  EXPECT_EQ(*md.Get("delta.typeChanges"),
            R"([{"toType":"long","fromType":"integer","tableVersion":2}])");
  EXPECT_EQ(*md.Get("nothing"), "null");
  EXPECT_EQ(*md.Get("num"), "7");  // a JSON string that looks like a number stays a string
  EXPECT_EQ(
      *md.Get(kJsonMetadataKeys),
      R"(["delta.columnMapping.id","delta.identity.allowExplicitInsert","delta.typeChanges","nothing"])");
  EXPECT_EQ(FieldId(*schema->field(0)), 5);
}

// ---------------------------------------------------------------------------------------
// Round trips

TEST(SchemaRoundTrip, JsonToArrowToJsonIsByteIdentical) {
  std::string json = Struct({
      Field("b", "\"boolean\"", false),
      Field("i8", "\"byte\""),
      Field("i16", "\"short\""),
      Field("i32", "\"integer\""),
      Field("i64", "\"long\""),
      Field("f", "\"float\""),
      Field("d", "\"double\""),
      Field("dec", "\"decimal(5,2)\""),
      Field("s", "\"string\""),
      Field("bin", "\"binary\""),
      Field("date", "\"date\""),
      Field("ts", "\"timestamp\""),
      Field("ntz", "\"timestamp_ntz\""),
      Field("v", "\"void\""),
      Field(
          "arr",
          R"({"type":"array","elementType":{"type":"array","elementType":"string","containsNull":false},"containsNull":true})"),
      Field(
          "map",
          R"({"type":"map","keyType":{"type":"struct","fields":[{"name":"k","type":"integer","nullable":false,"metadata":{}}]},"valueType":{"type":"map","keyType":"long","valueType":"double","valueContainsNull":false},"valueContainsNull":true})"),
      Field(
          "st",
          Struct(
              {Field("x", "\"integer\"", false,
                     R"({"delta.columnMapping.id":7,"delta.columnMapping.physicalName":"col-x"})"),
               Field("y", R"({"type":"array","elementType":)" +
                              Struct({Field("z", "\"string\"", true, R"({"comment":"deep"})")}) +
                              R"(,"containsNull":true})")}),
          false,
          R"({"delta.identity.start":-3,"delta.identity.step":2.5,"flag":true,"obj":{"b":[1,{"c":null}],"a":"x"},"delta.generationExpression":"i32 + 1","unicode":"h\u00e9\u6f22"})"),
  });
  auto schema = Parse(json);
  // simdjson decodes \u escapes; nlohmann writes UTF-8, as Spark does.
  std::string expected = json;
  expected.replace(expected.find("h\\u00e9\\u6f22"), 13, "h\xc3\xa9\xe6\xbc\xa2");
  EXPECT_EQ(Dump(*schema), expected);
  auto reparsed = Parse(Dump(*schema));
  EXPECT_TRUE(reparsed->Equals(*schema, /*check_metadata=*/true));
}

TEST(SchemaRoundTrip, ArrowToJsonToArrowIsEqual) {
  auto md = arrow::key_value_metadata({"comment"}, {"a column"});
  auto schema = arrow::schema({
      arrow::field("a", arrow::int32(), false, md),
      arrow::field("b", arrow::list(arrow::field("element", arrow::decimal128(20, 3), false))),
      arrow::field(
          "c", arrow::map(arrow::utf8(),
                          arrow::field("value", arrow::timestamp(arrow::TimeUnit::MICRO), true))),
      arrow::field("d", arrow::struct_({arrow::field("e", arrow::binary(), false, md),
                                        arrow::field("f", arrow::null())})),
      arrow::field("g", arrow::timestamp(arrow::TimeUnit::MICRO, "UTC")),
  });
  auto back = Parse(Dump(*schema));
  EXPECT_TRUE(back->Equals(*schema, /*check_metadata=*/true)) << back->ToString(true);
}

TEST(SchemaRoundTrip, RealTablesRoundTripExactly) {
  const char* tables[] = {"spark-golden/data-reader-primitives",
                          "spark-golden/data-reader-map",
                          "spark-golden/data-reader-partition-values",
                          "spark-golden/table-with-columnmapping-mode-name",
                          "spark-golden/type-widening",
                          "spark-golden/data-reader-timestamp_ntz-id-mode",
                          "delta-rs/checkpoint-v2-table",
                          "delta-rs/table_with_column_mapping",
                          "delta-rs/table_with_partitioning_mapping",
                          "delta-rs/partition-type-primitives",
                          "dat/with_schema_change/delta"};
  for (const char* table : tables) {
    auto schemas = SchemaStrings(table);
    ASSERT_FALSE(schemas.empty()) << table;
    for (const auto& json : schemas) {
      auto schema = SchemaFromJson(json);
      ASSERT_TRUE(schema.ok()) << table << ": " << schema.status().ToString();
      EXPECT_EQ(Dump(**schema), json) << table;
    }
  }
}

// ---------------------------------------------------------------------------------------
// Real tables: field types

TEST(SchemaFromJsonRealTables, Primitives) {
  auto schema = Parse(SchemaStrings("spark-golden/data-reader-primitives").front());
  EXPECT_EQ(schema->ToString(),
            "as_int: int32\nas_long: int64\nas_byte: int8\nas_short: int16\nas_boolean: bool\n"
            "as_float: float\nas_double: double\nas_string: string\nas_binary: binary\n"
            "as_big_decimal: decimal128(1, 0)");
}

TEST(SchemaFromJsonRealTables, Maps) {
  auto schema = Parse(SchemaStrings("spark-golden/data-reader-map").front());
  EXPECT_TRUE(schema->GetFieldByName("b")->type()->Equals(
      arrow::map(arrow::int64(), arrow::field("value", arrow::int8()))));
  EXPECT_TRUE(schema->GetFieldByName("e")->type()->Equals(
      arrow::map(arrow::utf8(), arrow::field("value", arrow::decimal128(1, 0)))));
  auto f = schema->GetFieldByName("f")->type();
  EXPECT_EQ(DeltaTypeName(*f), "map<integer,array<struct<val:integer>>>");
}

TEST(SchemaFromJsonRealTables, ColumnMappingAndTimestampNtz) {
  auto schema = Parse(SchemaStrings("spark-golden/table-with-columnmapping-mode-name").front());
  auto ts = schema->GetFieldByName("TimestampType");
  EXPECT_TRUE(ts->type()->Equals(arrow::timestamp(arrow::TimeUnit::MICRO, "UTC")));
  EXPECT_EQ(FieldId(*ts), 12);
  EXPECT_EQ(PhysicalName(*ts), "col-50ab9e52-7811-4057-96b0-cf61d5be358e");
  EXPECT_EQ(DeltaTypeName(*schema->GetFieldByName("array_of_map_of_arrays")->type()),
            "array<map<integer,array<integer>>>");

  auto ntz = Parse(SchemaStrings("spark-golden/data-reader-timestamp_ntz-id-mode").front());
  EXPECT_TRUE(
      ntz->GetFieldByName("tsNtz")->type()->Equals(arrow::timestamp(arrow::TimeUnit::MICRO)));
}

TEST(SchemaFromJsonRealTables, TypeWidening) {
  auto schema = Parse(SchemaStrings("spark-golden/type-widening").back());
  auto field = schema->GetFieldByName("decimal_decimal_greater_scale");
  EXPECT_TRUE(field->type()->Equals(arrow::decimal128(20, 5)));
  EXPECT_EQ(FieldMetadataValue(*field, kTypeChangesKey),
            R"j([{"toType":"decimal(20,5)","fromType":"decimal(10,2)","tableVersion":2}])j");
  EXPECT_TRUE(schema->GetFieldByName("date_timestamp_ntz")
                  ->type()
                  ->Equals(arrow::timestamp(arrow::TimeUnit::MICRO)));
}

// ---------------------------------------------------------------------------------------
// Errors

TEST(SchemaFromJsonErrors, UnknownTypesNameTypeAndColumn) {
  std::string message = ErrorOf(Struct({Field("s", Struct({Field("v", "\"variant\"")}))}));
  EXPECT_NE(message.find("unknown type 'variant'"), std::string::npos) << message;
  EXPECT_NE(message.find("column 's.v'"), std::string::npos) << message;

  message = ErrorOf(
      Struct({Field("a", R"({"type":"array","elementType":"interval","containsNull":true})")}));
  EXPECT_NE(message.find("unknown type 'interval' for column 'a.element'"), std::string::npos)
      << message;

  message = ErrorOf(Struct({Field("u", R"({"type":"udt","class":"x"})")}));
  EXPECT_NE(message.find("unknown type 'udt' for column 'u'"), std::string::npos) << message;
}

TEST(SchemaFromJsonErrors, MalformedInput) {
  EXPECT_NE(ErrorOf("{\"type\":\"struct\",\"fields\":[").find("malformed JSON"), std::string::npos);
  EXPECT_NE(ErrorOf("\"integer\"").find("not a JSON object"), std::string::npos);
  EXPECT_NE(ErrorOf(R"({"type":"array","elementType":"integer"})").find("not a struct"),
            std::string::npos);
  EXPECT_NE(ErrorOf(R"({"type":"struct"})").find("has no \"fields\""), std::string::npos);
  EXPECT_NE(ErrorOf(Struct({R"({"type":"long"})"})).find("field 0 of the schema has no \"name\""),
            std::string::npos);
  EXPECT_NE(ErrorOf(Struct({R"({"name":"x","nullable":true})"}))
                .find("field for column 'x' has no \"type\""),
            std::string::npos);
  EXPECT_NE(ErrorOf(Struct({Field("x", "\"long\"", true, "[]")}))
                .find("\"metadata\" for column 'x' is not an object"),
            std::string::npos);
  EXPECT_NE(ErrorOf(Struct({Field("m", R"({"type":"map","keyType":"string"})")}))
                .find("map for column 'm' has no \"valueType\""),
            std::string::npos);
  EXPECT_NE(ErrorOf(Struct({Field("d", "\"decimal(39,2)\"")}))
                .find("decimal(39,2) for column 'd' is out of range"),
            std::string::npos);
  EXPECT_NE(ErrorOf(Struct({Field("d", "\"decimal(5,6)\"")})).find("out of range"),
            std::string::npos);
  EXPECT_NE(ErrorOf(Struct({Field("d", "\"decimal(5;2)\"")}))
                .find("malformed decimal type 'decimal(5;2)'"),
            std::string::npos);
}

TEST(SchemaToJsonErrors, UnsupportedArrowTypesNameColumnAndType) {
  struct Case {
    std::shared_ptr<arrow::Schema> schema;
    std::string expected;
  };
  std::vector<Case> cases = {
      {arrow::schema({arrow::field("h", arrow::float16())}),
       "column 'h': Arrow type halffloat has no Delta equivalent"},
      {arrow::schema({arrow::field(
           "s", arrow::struct_({arrow::field("dur", arrow::duration(arrow::TimeUnit::SECOND))}))}),
       "column 's.dur': Arrow type duration[s] has no Delta equivalent"},
      {arrow::schema({arrow::field("u", arrow::sparse_union({arrow::field("a", arrow::int32())}))}),
       "column 'u': Arrow type sparse_union<a: int32=0> has no Delta equivalent"},
      {arrow::schema({arrow::field("l", arrow::list(arrow::time32(arrow::TimeUnit::MILLI)))}),
       "column 'l.element': Arrow type time32[ms] has no Delta equivalent"},
      {arrow::schema({arrow::field("big", arrow::decimal256(40, 2))}),
       "column 'big': Arrow type decimal256(40, 2) has no Delta equivalent"},
  };
  for (const auto& c : cases) {
    auto json = SchemaToJson(*c.schema);
    ASSERT_FALSE(json.ok()) << c.expected;
    EXPECT_TRUE(json.status().IsTypeError());
    EXPECT_EQ(json.status().message(), c.expected);
  }
}

TEST(SchemaToJsonErrors, CaseInsensitiveDuplicatesAndBadJsonMetadata) {
  auto dup = SchemaToJson(
      *arrow::schema({arrow::field("Id", arrow::int32()), arrow::field("iD", arrow::int64())}));
  ASSERT_FALSE(dup.ok());
  EXPECT_NE(dup.status().message().find("columns 'Id' and 'iD' differ only in case"),
            std::string::npos);

  auto md =
      arrow::key_value_metadata({"k", std::string(kJsonMetadataKeys)}, {"{not json", "[\"k\"]"});
  auto bad = SchemaToJson(*arrow::schema({arrow::field("c", arrow::int32(), true, md)}));
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("column 'c': metadata key 'k' is marked as JSON"),
            std::string::npos);
}

// ---------------------------------------------------------------------------------------
// Arrow types without an exact Delta type

TEST(SchemaToJson, MapsArrowOnlyTypesToDeltaTypes) {
  auto dict = arrow::dictionary(arrow::int8(), arrow::large_utf8());
  auto schema = arrow::schema({
      arrow::field("ls", arrow::large_utf8()),
      arrow::field("sv", arrow::utf8_view()),
      arrow::field("lb", arrow::large_binary()),
      arrow::field("fsb", arrow::fixed_size_binary(16)),
      arrow::field("u8", arrow::uint8()),
      arrow::field("u16", arrow::uint16()),
      arrow::field("u32", arrow::uint32()),
      arrow::field("u64", arrow::uint64()),
      arrow::field("ns", arrow::timestamp(arrow::TimeUnit::NANO, "America/New_York")),
      arrow::field("ms", arrow::timestamp(arrow::TimeUnit::MILLI)),
      arrow::field("d64", arrow::date64()),
      arrow::field("dict", dict),
      arrow::field("dec", arrow::decimal64(12, 2)),
      arrow::field("ll", arrow::large_list(arrow::field("item", arrow::int32(), false))),
      arrow::field("fsl", arrow::fixed_size_list(arrow::float32(), 3)),
  });
  EXPECT_EQ(
      Dump(*schema),
      Struct({Field("ls", "\"string\""), Field("sv", "\"string\""), Field("lb", "\"binary\""),
              Field("fsb", "\"binary\""), Field("u8", "\"short\""), Field("u16", "\"integer\""),
              Field("u32", "\"long\""), Field("u64", "\"long\""), Field("ns", "\"timestamp\""),
              Field("ms", "\"timestamp_ntz\""), Field("d64", "\"date\""),
              Field("dict", "\"string\""), Field("dec", "\"decimal(12,2)\""),
              Field("ll", R"({"type":"array","elementType":"integer","containsNull":false})"),
              Field("fsl", R"({"type":"array","elementType":"float","containsNull":true})")}));
}

TEST(SchemaToJson, ArrowOwnMetadataIsNotWritten) {
  auto md = arrow::key_value_metadata({"PARQUET:field_id", "comment", "ARROW:extension:name"},
                                      {"3", "42", "x"});
  // A plain Arrow metadata value is a string, even when it looks like a number.
  EXPECT_EQ(Dump(*arrow::schema({arrow::field("c", arrow::int32(), true, md)})),
            Struct({Field("c", "\"integer\"", true, R"({"comment":"42"})")}));
}

TEST(SchemaToJson, WithJsonMetadataWritesJsonValues) {
  auto field =
      arrow::field("c", arrow::int64(), true, arrow::key_value_metadata({"comment"}, {"x"}));
  field = WithJsonMetadata(field, "delta.columnMapping.id", "9");
  field =
      WithJsonMetadata(field, "delta.typeChanges", R"([{"fromType":"integer","toType":"long"}])");
  field = WithJsonMetadata(field, "delta.columnMapping.id", "10");  // replaces in place
  EXPECT_EQ(FieldId(*field), 10);
  EXPECT_EQ(
      Dump(*arrow::schema({field})),
      Struct({Field(
          "c", "\"long\"", true,
          R"({"comment":"x","delta.columnMapping.id":10,"delta.typeChanges":[{"fromType":"integer","toType":"long"}]})")}));
}

// ---------------------------------------------------------------------------------------
// Column mapping

TEST(ColumnMapping, Mode) {
  EXPECT_EQ(ColumnMappingModeFrom({}), ColumnMappingMode::kNone);
  EXPECT_EQ(ColumnMappingModeFrom({{"delta.columnMapping.mode", "name"}}),
            ColumnMappingMode::kName);
  EXPECT_EQ(ColumnMappingModeFrom({{"delta.columnMapping.mode", "ID"}}), ColumnMappingMode::kId);
  EXPECT_EQ(ColumnMappingModeFrom({{"delta.columnMapping.mode", "none"}}),
            ColumnMappingMode::kNone);
  EXPECT_EQ(ColumnMappingModeFrom({{"delta.columnMapping.mode", "bogus"}}),
            ColumnMappingMode::kNone);
  auto bad = ParseColumnMappingMode({{"delta.columnMapping.mode", "bogus"}});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("unknown column mapping mode 'bogus'"), std::string::npos);
  EXPECT_EQ(ColumnMappingModeName(ColumnMappingMode::kId), "id");
}

TEST(ColumnMapping, PhysicalNameAndFieldId) {
  auto plain = arrow::field("a", arrow::int32());
  EXPECT_EQ(PhysicalName(*plain), "a");
  EXPECT_EQ(FieldId(*plain), std::nullopt);
  auto bad_id =
      arrow::field("a", arrow::int32(), true,
                   arrow::key_value_metadata({"delta.columnMapping.id"}, {"99999999999"}));
  EXPECT_EQ(FieldId(*bad_id), std::nullopt);
}

TEST(ColumnMapping, PhysicalSchemaRenamesEveryLevel) {
  auto logical = Parse(SchemaStrings("spark-golden/table-with-columnmapping-mode-name").front());
  auto physical = PhysicalSchema(*logical, ColumnMappingMode::kName);
  ASSERT_TRUE(physical.ok()) << physical.status().ToString();
  ASSERT_EQ((*physical)->num_fields(), logical->num_fields());
  auto field_id = [](const arrow::Field& f) { return *f.metadata()->Get("PARQUET:field_id"); };

  auto top = (*physical)->field(0);
  EXPECT_EQ(top->name(), "col-33314a5e-7dc1-438a-8f4d-df8c417071d6");
  EXPECT_EQ(field_id(*top), "1");
  EXPECT_EQ(top->metadata()->size(), 1);

  // nested_struct.ac.aca
  auto nested = (*physical)->GetFieldByName("col-e08b8668-6c8f-4081-aa77-357325212630");
  ASSERT_NE(nested, nullptr);
  auto ac = nested->type()->field(1);
  EXPECT_EQ(ac->name(), "col-15ecbe5f-906d-4d64-a627-eb16eb4b4410");
  EXPECT_EQ(ac->type()->field(0)->name(), "col-562033a2-86d8-4eb3-83e6-87eb2f27314f");
  EXPECT_EQ(field_id(*ac->type()->field(0)), "16");

  // array_of_structs.element.ab
  auto array = (*physical)->GetFieldByName("col-5d038bad-e2b1-4fe7-a444-22fc3ac6e52a");
  ASSERT_NE(array, nullptr);
  auto element = std::static_pointer_cast<arrow::ListType>(array->type())->value_type();
  EXPECT_EQ(element->field(0)->name(), "col-93cac05c-2edd-409e-83f1-cebfd09bfc75");
  EXPECT_EQ(field_id(*element->field(0)), "21");

  // map_of_rows.value.ab and struct_of_arrays_maps_of_structs.ab.value.aca
  auto map = (*physical)->GetFieldByName("col-5e848aab-e51a-46f0-8650-eee8f46f1149");
  ASSERT_NE(map, nullptr);
  auto value = std::static_pointer_cast<arrow::MapType>(map->type())->item_type();
  EXPECT_EQ(value->field(0)->name(), "col-d8438cc9-31ef-4b23-ac1c-1dff3e0a5530");
  auto deep = (*physical)->GetFieldByName("col-d4888d0e-973f-486e-b345-d69a53dd193c");
  ASSERT_NE(deep, nullptr);
  auto deep_map = std::static_pointer_cast<arrow::MapType>(deep->type()->field(1)->type());
  EXPECT_EQ(deep->type()->field(1)->name(), "col-b816c867-4d4f-402f-85cf-786b58d14d05");
  EXPECT_EQ(deep_map->item_type()->field(0)->name(), "col-6cb288b5-d45e-46aa-98be-e2aa06665232");
}

TEST(ColumnMapping, PhysicalSchemaModesAndErrors) {
  auto md = [](const std::string& id, const std::string& name) {
    std::vector<std::string> keys, values;
    if (!id.empty()) keys.push_back("delta.columnMapping.id"), values.push_back(id);
    if (!name.empty()) keys.push_back("delta.columnMapping.physicalName"), values.push_back(name);
    return arrow::key_value_metadata(keys, values);
  };
  auto logical = arrow::schema({
      arrow::field("a", arrow::int32(), false, md("1", "col-a")),
      arrow::field("gone", arrow::null(), true, md("2", "col-gone")),
      arrow::field("s", arrow::struct_({arrow::field("b", arrow::utf8(), true, md("", "col-b"))}),
                   true, md("3", "col-s")),
  });
  // Name mode: ids are optional, the void column is dropped.
  auto by_name = PhysicalSchema(*logical, ColumnMappingMode::kName);
  ASSERT_TRUE(by_name.ok()) << by_name.status().ToString();
  EXPECT_EQ((*by_name)->ToString(), "col-a: int32 not null\ncol-s: struct<col-b: string>");
  EXPECT_EQ((*by_name)->field(1)->type()->field(0)->metadata(), nullptr);

  // Id mode: every field needs an id.
  auto by_id = PhysicalSchema(*logical, ColumnMappingMode::kId);
  ASSERT_FALSE(by_id.ok());
  EXPECT_EQ(by_id.status().message(),
            "column 's.b' has no valid delta.columnMapping.id although the table uses column "
            "mapping mode 'id'");

  // None mode: logical names, no Delta metadata.
  auto none = PhysicalSchema(*logical, ColumnMappingMode::kNone);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ((*none)->ToString(true), "a: int32 not null\ns: struct<b: string>");

  auto unnamed =
      PhysicalSchema(*arrow::schema({arrow::field("x", arrow::int64())}), ColumnMappingMode::kName);
  ASSERT_FALSE(unnamed.ok());
  EXPECT_NE(unnamed.status().message().find("column 'x' has no delta.columnMapping.physicalName"),
            std::string::npos);
}

}  // namespace
}  // namespace tidelake::delta
