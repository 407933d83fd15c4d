#include "delta/action_columns.h"

#include <arrow/json/from_string.h>
#include <gtest/gtest.h>

namespace tidelake::delta {
namespace {

std::shared_ptr<arrow::StructArray> StructFromJson(const std::shared_ptr<arrow::DataType>& type,
                                                   const std::string& json) {
  auto array = arrow::json::ArrayFromJSONString(type, json);
  EXPECT_TRUE(array.ok()) << array.status().ToString();
  return std::static_pointer_cast<arrow::StructArray>(*array);
}

std::shared_ptr<arrow::DataType> DvType() {
  return arrow::struct_({arrow::field("storageType", arrow::utf8()),
                         arrow::field("pathOrInlineDv", arrow::utf8()),
                         arrow::field("offset", arrow::int32()),
                         arrow::field("sizeInBytes", arrow::int32()),
                         arrow::field("cardinality", arrow::int64())});
}

TEST(ActionColumnsTest, DecodesAddRowsWithEveryField) {
  auto type = arrow::struct_({
      arrow::field("path", arrow::large_utf8()),
      arrow::field("partitionValues", arrow::map(arrow::utf8(), arrow::utf8())),
      arrow::field("size", arrow::int64()),
      arrow::field("modificationTime", arrow::int64()),
      arrow::field("dataChange", arrow::boolean()),
      arrow::field("stats", arrow::utf8()),
      arrow::field("tags", arrow::map(arrow::utf8(), arrow::utf8())),
      arrow::field("deletionVector", DvType()),
      arrow::field("baseRowId", arrow::int32()),
      arrow::field("futureField", arrow::float64()),  // unknown fields are ignored
  });
  auto add = StructFromJson(type, R"([
    {"path": "p=1/a%20b.parquet", "partitionValues": [["p", "1"], ["q", null]], "size": 10,
     "modificationTime": 5, "dataChange": false, "stats": "{\"numRecords\":3}",
     "tags": [["t", "v"]],
     "deletionVector": {"storageType": "u", "pathOrInlineDv": "ab", "offset": 1,
                        "sizeInBytes": 36, "cardinality": 2},
     "baseRowId": 7, "futureField": 1.5},
    null,
    {"path": "b.parquet", "partitionValues": [], "size": 20, "modificationTime": null,
     "dataChange": null, "stats": null, "tags": null, "deletionVector": null, "baseRowId": null,
     "futureField": null}
  ])");
  std::vector<Action> out;
  ASSERT_TRUE(DecodeAddColumn(*add, &out).ValueOrDie());
  ASSERT_EQ(out.size(), 2u);
  const auto& a = std::get<AddFile>(out[0]);
  EXPECT_EQ(a.path, "p=1/a%20b.parquet");
  EXPECT_EQ(a.partition_values, (StringMap{{"p", "1"}, {"q", std::nullopt}}));
  EXPECT_EQ(a.size, 10);
  EXPECT_EQ(a.modification_time, 5);
  EXPECT_FALSE(a.data_change);
  EXPECT_EQ(a.stats, "{\"numRecords\":3}");
  EXPECT_EQ(a.tags, (StringMap{{"t", "v"}}));
  ASSERT_TRUE(a.deletion_vector);
  EXPECT_EQ(a.deletion_vector->UniqueId(), "uab@1");
  EXPECT_EQ(a.deletion_vector->size_in_bytes, 36);
  EXPECT_EQ(a.deletion_vector->cardinality, 2);
  EXPECT_EQ(a.base_row_id, 7);
  const auto& b = std::get<AddFile>(out[1]);
  EXPECT_EQ(b.path, "b.parquet");
  EXPECT_TRUE(b.partition_values.empty());
  EXPECT_TRUE(b.data_change);  // the protocol's default
  EXPECT_EQ(b.stats, std::nullopt);
  EXPECT_EQ(b.tags, std::nullopt);
  EXPECT_EQ(b.deletion_vector, std::nullopt);
}

TEST(ActionColumnsTest, RendersStatsParsedWhenTheJsonStatsAreMissing) {
  auto stats = arrow::struct_({arrow::field("numRecords", arrow::int64()),
                               arrow::field("minValues", arrow::struct_({arrow::field("id", arrow::int32())}))});
  auto type = arrow::struct_({arrow::field("path", arrow::utf8()), arrow::field("size", arrow::int64()),
                              arrow::field("stats", arrow::utf8()), arrow::field("stats_parsed", stats)});
  auto add = StructFromJson(type, R"([
    {"path": "a", "size": 1, "stats": null, "stats_parsed": {"numRecords": 4, "minValues": {"id": -2}}},
    {"path": "b", "size": 1, "stats": "{\"numRecords\":9}", "stats_parsed": {"numRecords": 4, "minValues": null}}
  ])");
  std::vector<Action> out;
  ASSERT_TRUE(DecodeAddColumn(*add, &out).ValueOrDie());
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(std::get<AddFile>(out[0]).stats, R"({"numRecords":4,"minValues":{"id":-2}})");
  EXPECT_EQ(std::get<AddFile>(out[1]).stats, R"({"numRecords":9})");  // the JSON form wins
}

TEST(ActionColumnsTest, DeclinesLayoutsItDoesNotKnow) {
  std::vector<Action> out;
  auto size_as_text = arrow::struct_({arrow::field("path", arrow::utf8()), arrow::field("size", arrow::utf8())});
  EXPECT_FALSE(DecodeAddColumn(*StructFromJson(size_as_text, R"([{"path": "a", "size": "1"}])"), &out).ValueOrDie());
  auto no_path = arrow::struct_({arrow::field("size", arrow::int64())});
  EXPECT_FALSE(DecodeAddColumn(*StructFromJson(no_path, R"([{"size": 1}])"), &out).ValueOrDie());
  auto dv_as_text = arrow::struct_({arrow::field("path", arrow::utf8()), arrow::field("deletionVector", arrow::utf8())});
  EXPECT_FALSE(DecodeRemoveColumn(*StructFromJson(dv_as_text, R"([{"path": "a", "deletionVector": "x"}])"), &out)
                   .ValueOrDie());
  EXPECT_TRUE(out.empty());
}

TEST(ActionColumnsTest, ReportsRowsMissingRequiredFields) {
  std::vector<Action> out;
  auto type = arrow::struct_({arrow::field("path", arrow::utf8()), arrow::field("size", arrow::int64())});
  auto status = DecodeAddColumn(*StructFromJson(type, R"([{"path": "a", "size": 1}, {"path": "b", "size": null}])"), &out)
                    .status();
  EXPECT_TRUE(status.IsInvalid());
  EXPECT_EQ(status.message(), "checkpoint row 1 (add): missing required field 'size'");
}

TEST(ActionColumnsTest, DecodesRemoveRows) {
  auto type = arrow::struct_({arrow::field("path", arrow::utf8()), arrow::field("deletionTimestamp", arrow::int64()),
                              arrow::field("dataChange", arrow::boolean()),
                              arrow::field("extendedFileMetadata", arrow::boolean()),
                              arrow::field("size", arrow::int64()), arrow::field("deletionVector", DvType())});
  auto remove = StructFromJson(type, R"([
    {"path": "a", "deletionTimestamp": 99, "dataChange": true, "extendedFileMetadata": true, "size": 3,
     "deletionVector": {"storageType": "i", "pathOrInlineDv": "wi5b=000010000siXQKl0rr91000f55c8Xg0@@D72lkbi5=-{L", "offset": null,
                        "sizeInBytes": 40, "cardinality": 6}}
  ])");
  std::vector<Action> out;
  ASSERT_TRUE(DecodeRemoveColumn(*remove, &out).ValueOrDie());
  ASSERT_EQ(out.size(), 1u);
  const auto& r = std::get<RemoveFile>(out[0]);
  EXPECT_EQ(r.path, "a");
  EXPECT_EQ(r.deletion_timestamp, 99);
  EXPECT_EQ(r.extended_file_metadata, true);
  EXPECT_EQ(r.size, 3);
  ASSERT_TRUE(r.deletion_vector);
  EXPECT_EQ(r.deletion_vector->storage_type, "i");
  EXPECT_EQ(r.deletion_vector->offset, std::nullopt);
  EXPECT_EQ(r.partition_values, std::nullopt);
}

}  // namespace
}  // namespace tidelake::delta
