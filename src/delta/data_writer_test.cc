// Which columns of a data file DataWriter writes without a dictionary: those whose first values
// are mostly distinct. The others, and files too small to judge, keep Parquet's dictionary.
#include "delta/data_writer.h"

#include <arrow/api.h>
#include <gtest/gtest.h>

#include "common/arrow_init.h"

namespace tidelake::delta {
namespace {

// `rows` rows: id (all distinct), category (8 values), text (all distinct), flag (bool), and
// price (distinct but for one value in 3).
std::shared_ptr<arrow::RecordBatch> Rows(int64_t rows) {
  arrow::Int64Builder id, category, price;
  arrow::StringBuilder text;
  arrow::BooleanBuilder flag;
  for (int64_t i = 0; i < rows; ++i) {
    EXPECT_TRUE(id.Append(i).ok());
    EXPECT_TRUE(category.Append(i % 8).ok());
    EXPECT_TRUE(text.Append("row " + std::to_string(i * 7919)).ok());
    EXPECT_TRUE(flag.Append(i % 2 == 0).ok());
    EXPECT_TRUE(price.Append(i % 3 == 0 ? 100 : i).ok());
  }
  auto schema = arrow::schema({arrow::field("id", arrow::int64()), arrow::field("category", arrow::int64()),
                               arrow::field("text", arrow::utf8()), arrow::field("flag", arrow::boolean()),
                               arrow::field("price", arrow::int64())});
  return arrow::RecordBatch::Make(schema, rows,
                                  {id.Finish().ValueOrDie(), category.Finish().ValueOrDie(),
                                   text.Finish().ValueOrDie(), flag.Finish().ValueOrDie(),
                                   price.Finish().ValueOrDie()});
}

TEST(DataWriterTest, MostlyDistinctColumnsAreWrittenWithoutADictionary) {
  ASSERT_TRUE(EnsureArrowInitialized().ok());
  // price: 2 in 3 distinct, under the 3 in 4 that makes a dictionary not worth it.
  EXPECT_EQ(ColumnsWithoutDictionary(*Rows(10000)), (std::vector<std::string>{"id", "text"}));
  // Too few rows to judge: every column keeps its dictionary.
  EXPECT_TRUE(ColumnsWithoutDictionary(*Rows(500)).empty());
  auto properties = DataFileProperties(1024, {"id", "text"});
  EXPECT_FALSE(properties->dictionary_enabled(parquet::schema::ColumnPath::FromDotString("id")));
  EXPECT_FALSE(properties->dictionary_enabled(parquet::schema::ColumnPath::FromDotString("text")));
  EXPECT_TRUE(properties->dictionary_enabled(parquet::schema::ColumnPath::FromDotString("category")));
}

}  // namespace
}  // namespace tidelake::delta
