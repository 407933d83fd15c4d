#ifndef TIDELAKE_TESTDATA_DIR
#define TIDELAKE_TESTDATA_DIR "/work/shared/testdata"
#endif

#include <arrow/type.h>
#include <arrow/util/key_value_metadata.h>
#include <gtest/gtest.h>

#include "delta/schema.h"

namespace tidelake::delta {
namespace {

using arrow::field;

std::shared_ptr<arrow::Schema> Merge(const arrow::Schema& table, const arrow::Schema& data,
                                     bool allow_new_columns) {
  auto merged = MergeSchemas(table, data, allow_new_columns);
  EXPECT_TRUE(merged.ok()) << merged.status().ToString();
  return merged.ok() ? *merged : nullptr;
}

std::string MergeError(const arrow::Schema& table, const arrow::Schema& data,
                       bool allow_new_columns) {
  auto merged = MergeSchemas(table, data, allow_new_columns);
  EXPECT_FALSE(merged.ok());
  return merged.status().message();
}

auto Ntz() { return arrow::timestamp(arrow::TimeUnit::MICRO); }

TEST(MergeSchemas, SameSchemaIsUnchanged) {
  auto table = arrow::schema({field("id", arrow::int64(), false), field("name", arrow::utf8())});
  auto merged = Merge(*table, *table, true);
  ASSERT_NE(merged, nullptr);
  EXPECT_TRUE(merged->Equals(*table, /*check_metadata=*/true));
  EXPECT_TRUE(CheckWriteSchema(*table, *table).ok());
}

TEST(MergeSchemas, MismatchMessageNamesColumnAndBothTypes) {
  auto table = arrow::schema({field("id", arrow::int64()), field("amount", arrow::float64())});
  auto data = arrow::schema({field("id", arrow::int64()), field("amount", arrow::utf8())});
  EXPECT_EQ(MergeError(*table, *data, true),
            "schema mismatch for column 'amount': table has double, data has string");
  EXPECT_EQ(CheckWriteSchema(*table, *data).message(),
            "schema mismatch for column 'amount': table has double, data has string");

  auto nested_table = arrow::schema({field("s", arrow::struct_({field("a", arrow::int32())}))});
  auto nested_data = arrow::schema({field("s", arrow::struct_({field("a", arrow::boolean())}))});
  EXPECT_EQ(MergeError(*nested_table, *nested_data, true),
            "schema mismatch for column 's.a': table has integer, data has boolean");

  auto list_table = arrow::schema({field("l", arrow::list(arrow::int32()))});
  auto list_data = arrow::schema({field("l", arrow::list(arrow::utf8()))});
  EXPECT_EQ(MergeError(*list_table, *list_data, true),
            "schema mismatch for column 'l.element': table has integer, data has string");

  auto kind_data = arrow::schema({field("l", arrow::int32())});
  EXPECT_EQ(MergeError(*list_table, *kind_data, true),
            "schema mismatch for column 'l': table has array<integer>, data has integer");
}

TEST(MergeSchemas, NewColumnsOnlyInMergeMode) {
  auto table = arrow::schema({field("id", arrow::int64(), false)});
  auto data = arrow::schema({field("id", arrow::int64(), false),
                             field("extra", arrow::large_utf8(), false,
                                   arrow::key_value_metadata({"delta.columnMapping.id"}, {"7"}))});
  auto merged = Merge(*table, *data, true);
  ASSERT_NE(merged, nullptr);
  ASSERT_EQ(merged->num_fields(), 2);
  // Appended as a nullable canonical string, without the data's metadata.
  EXPECT_TRUE(merged->field(1)->Equals(*field("extra", arrow::utf8(), true), true));
  EXPECT_FALSE(merged->field(0)->nullable());

  EXPECT_EQ(MergeError(*table, *data, false),
            "column 'extra' of the data is not in the table schema (enable schema merging to "
            "add it)");
  EXPECT_EQ(CheckWriteSchema(*table, *data).message(), MergeError(*table, *data, false));
}

TEST(MergeSchemas, NestedStructsMergeRecursively) {
  auto table = arrow::schema({field(
      "s",
      arrow::struct_({field("a", arrow::int32()),
                      field("l", arrow::list(arrow::struct_({field("x", arrow::utf8())})))}))});
  auto data = arrow::schema({field(
      "S",
      arrow::struct_({field("A", arrow::int32()),
                      field("b", arrow::struct_({field("c", arrow::int8(), false)}), false),
                      field("l", arrow::list(arrow::struct_({field("x", arrow::utf8()),
                                                             field("y", arrow::float64())})))}))});
  auto merged = Merge(*table, *data, true);
  ASSERT_NE(merged, nullptr);
  // The table's spelling wins; new nested fields are appended, nullable all the way down.
  EXPECT_EQ(
      merged->ToString(),
      "s: struct<a: int32, l: list<element: struct<x: string, y: double>>, b: struct<c: int8>>");
  EXPECT_EQ(MergeError(*table, *data, false),
            "column 's.l.element.y' of the data is not in the table schema (enable schema merging "
            "to add it)");
}

TEST(MergeSchemas, MissingColumns) {
  auto table = arrow::schema({field("id", arrow::int64(), false), field("note", arrow::utf8()),
                              field("s", arrow::struct_({field("must", arrow::int32(), false)}))});
  auto data = arrow::schema({field("id", arrow::int64())});
  auto merged = Merge(*table, *data, false);  // nullable 'note' and 's' are filled with nulls
  ASSERT_NE(merged, nullptr);
  EXPECT_TRUE(merged->Equals(*table));

  auto no_id = arrow::schema({field("note", arrow::utf8())});
  EXPECT_EQ(MergeError(*table, *no_id, true),
            "column 'id' is NOT NULL in the table but missing from the data");
  auto partial_struct =
      arrow::schema({field("id", arrow::int64()), field("s", arrow::struct_({}))});
  EXPECT_EQ(MergeError(*table, *partial_struct, true),
            "column 's.must' is NOT NULL in the table but missing from the data");
}

TEST(MergeSchemas, CaseInsensitiveDuplicatesInDataAreRejected) {
  auto table = arrow::schema({field("id", arrow::int64())});
  auto data = arrow::schema({field("ID", arrow::int64()), field("id", arrow::int64())});
  EXPECT_EQ(MergeError(*table, *data, true),
            "the data has columns 'ID' and 'id', whose names differ only in case");
}

TEST(MergeSchemas, LosslessDataConversionsAreAcceptedInBothModes) {
  struct Case {
    std::shared_ptr<arrow::DataType> table, data;
  };
  std::vector<Case> cases = {
      {arrow::int64(), arrow::int32()},
      {arrow::int64(), arrow::int8()},
      {arrow::int32(), arrow::int16()},
      {arrow::float64(), arrow::float32()},
      {arrow::float64(), arrow::int32()},
      {Ntz(), arrow::date32()},
      {arrow::decimal128(12, 4), arrow::decimal128(10, 2)},
      {arrow::decimal128(10, 0), arrow::int32()},
      {arrow::decimal128(21, 1), arrow::int64()},
      {arrow::int64(), arrow::uint32()},
      {arrow::utf8(), arrow::large_utf8()},
      {arrow::utf8(), arrow::dictionary(arrow::int32(), arrow::utf8())},
      {arrow::timestamp(arrow::TimeUnit::MICRO, "UTC"),
       arrow::timestamp(arrow::TimeUnit::NANO, "Europe/Paris")},
      {arrow::int32(), arrow::null()},
      {arrow::list(arrow::int64()), arrow::large_list(arrow::int32())},
  };
  for (const auto& c : cases) {
    auto table = arrow::schema({field("c", c.table)});
    auto data = arrow::schema({field("c", c.data)});
    EXPECT_TRUE(CheckWriteSchema(*table, *data).ok())
        << c.table->ToString() << " <- " << c.data->ToString();
    auto merged = Merge(*table, *data, true);
    ASSERT_NE(merged, nullptr);
    EXPECT_TRUE(merged->Equals(*table)) << merged->ToString();  // the table type is kept
  }
}

TEST(MergeSchemas, NarrowingAndLossyConversionsAreRejected) {
  struct Case {
    std::shared_ptr<arrow::DataType> table, data;
    std::string message;
  };
  std::vector<Case> cases = {
      {arrow::int32(), arrow::int64(), "table has integer, data has long"},
      {arrow::float64(), arrow::int64(), "table has double, data has long"},
      {arrow::decimal128(10, 3), arrow::decimal128(10, 2),
       "table has decimal(10,3), data has decimal(10,2)"},
      {arrow::decimal128(9, 0), arrow::int32(), "table has decimal(9,0), data has integer"},
      {arrow::timestamp(arrow::TimeUnit::MICRO, "UTC"), Ntz(),
       "table has timestamp, data has timestamp_ntz"},
      {arrow::null(), arrow::int32(), "table has void, data has integer"},
  };
  for (const auto& c : cases) {
    auto table = arrow::schema({field("c", c.table)});
    auto data = arrow::schema({field("c", c.data)});
    EXPECT_EQ(CheckWriteSchema(*table, *data).message(),
              "schema mismatch for column 'c': " + c.message);
  }
}

TEST(MergeSchemas, WideningInMergeModeRecordsTypeChanges) {
  auto table = arrow::schema({
      field("i", arrow::int32(), true, arrow::key_value_metadata({"comment"}, {"kept"})),
      field("f", arrow::float32()),
      field("d", arrow::date32()),
      field("dec", arrow::decimal128(10, 2)),
      field("m", arrow::map(arrow::utf8(), arrow::list(arrow::int8()))),
  });
  auto data = arrow::schema({
      field("i", arrow::int64()),
      field("f", arrow::float64()),
      field("d", arrow::timestamp(arrow::TimeUnit::MILLI)),
      field("dec", arrow::decimal128(20, 5)),
      field("m", arrow::map(arrow::utf8(), arrow::list(arrow::int16()))),
  });
  auto merged = Merge(*table, *data, true);
  ASSERT_NE(merged, nullptr);
  EXPECT_TRUE(merged->field(0)->type()->Equals(arrow::int64()));
  EXPECT_TRUE(merged->field(1)->type()->Equals(arrow::float64()));
  EXPECT_TRUE(merged->field(2)->type()->Equals(Ntz()));
  EXPECT_TRUE(merged->field(3)->type()->Equals(arrow::decimal128(20, 5)));
  EXPECT_EQ(DeltaTypeName(*merged->field(4)->type()), "map<string,array<short>>");

  auto json = SchemaToJson(*merged);
  ASSERT_TRUE(json.ok()) << json.status().ToString();
  EXPECT_NE(
      json->find(
          R"("metadata":{"comment":"kept","delta.typeChanges":[{"fromType":"integer","toType":"long"}]})"),
      std::string::npos)
      << *json;
  EXPECT_NE(json->find(
                R"j("delta.typeChanges":[{"fromType":"decimal(10,2)","toType":"decimal(20,5)"}])j"),
            std::string::npos)
      << *json;
  EXPECT_NE(json->find(R"("delta.typeChanges":[{"fromType":"date","toType":"timestamp_ntz"}])"),
            std::string::npos)
      << *json;
  EXPECT_NE(
      json->find(
          R"("delta.typeChanges":[{"fromType":"byte","toType":"short","fieldPath":"value.element"}])"),
      std::string::npos)
      << *json;

  // The strict check refuses the same widening.
  EXPECT_EQ(CheckWriteSchema(*table, *data).message(),
            "schema mismatch for column 'i': table has integer, data has long");
  // integer -> double is a lossless write conversion but not a schema widening.
  auto to_double = arrow::schema({field("i", arrow::float64())});
  EXPECT_EQ(MergeError(*arrow::schema({table->field(0)}), *to_double, true),
            "schema mismatch for column 'i': table has integer, data has double");
}

TEST(MergeSchemas, WideningAppendsToExistingTypeChanges) {
  auto parsed = SchemaFromJson(
      R"({"type":"struct","fields":[{"name":"c","type":"short","nullable":true,"metadata":{"delta.typeChanges":[{"toType":"short","fromType":"byte","tableVersion":1}]}}]})");
  ASSERT_TRUE(parsed.ok());
  auto merged = Merge(**parsed, *arrow::schema({field("c", arrow::int32())}), true);
  ASSERT_NE(merged, nullptr);
  auto json = SchemaToJson(*merged);
  ASSERT_TRUE(json.ok());
  EXPECT_EQ(
      *json,
      R"({"type":"struct","fields":[{"name":"c","type":"integer","nullable":true,"metadata":{"delta.typeChanges":[{"toType":"short","fromType":"byte","tableVersion":1},{"fromType":"short","toType":"integer"}]}}]})");
}

TEST(MergeSchemas, VoidColumnsTakeTheDataTypeInMergeMode) {
  auto table = arrow::schema({field("v", arrow::null())});
  auto data =
      arrow::schema({field("v", arrow::struct_({field("x", arrow::int32(), false)}), false)});
  auto merged = Merge(*table, *data, true);
  ASSERT_NE(merged, nullptr);
  EXPECT_EQ(merged->ToString(), "v: struct<x: int32>");
  EXPECT_EQ(FieldMetadataValue(*merged->field(0), kTypeChangesKey), std::nullopt);
}

TEST(MergeSchemas, UnsupportedDataTypesAreTypeErrors) {
  auto table = arrow::schema({field("a", arrow::int32())});
  auto data = arrow::schema(
      {field("a", arrow::int32()), field("d", arrow::duration(arrow::TimeUnit::MILLI))});
  auto merged = MergeSchemas(*table, *data, true);
  ASSERT_FALSE(merged.ok());
  EXPECT_TRUE(merged.status().IsTypeError());
  EXPECT_EQ(merged.status().message(),
            "column 'd': Arrow type duration[ms] has no Delta equivalent");
}

TEST(MergeSchemas, RealTableSchemaAcceptsNarrowerLegacyData) {
  // type-widening's table at v2 widened byte->long, float->double, date->timestamp_ntz, ...;
  // its v0 files hold the narrower types, which must still be writable into the table.
  auto widened = SchemaFromJson(
      R"j({"type":"struct","fields":[{"name":"byte_long","type":"long","nullable":true,"metadata":{}},{"name":"float_double","type":"double","nullable":true,"metadata":{}},{"name":"long_decimal","type":"decimal(21,1)","nullable":true,"metadata":{}},{"name":"date_timestamp_ntz","type":"timestamp_ntz","nullable":true,"metadata":{}}]})j");
  ASSERT_TRUE(widened.ok());
  auto old_data = arrow::schema(
      {field("byte_long", arrow::int8()), field("float_double", arrow::float32()),
       field("long_decimal", arrow::int64()), field("date_timestamp_ntz", arrow::date32())});
  EXPECT_TRUE(CheckWriteSchema(**widened, *old_data).ok());
}

}  // namespace
}  // namespace tidelake::delta
