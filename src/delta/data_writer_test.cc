// Which columns of a data file DataWriter writes without a dictionary: those whose first values
// are mostly distinct. The others, and files too small to judge, keep Parquet's dictionary.
#include "delta/data_writer.h"

#include <arrow/api.h>
#include <arrow/filesystem/localfs.h>
#include <gtest/gtest.h>
#include <parquet/file_reader.h>
#include <parquet/metadata.h>

#include <filesystem>

#include "common/arrow_init.h"
#include "delta/table.h"

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
  EXPECT_EQ(ColumnsWithoutDictionary(*Rows(10000)), (std::vector<int>{0, 2}));  // id, text
  // Too few rows to judge: every column keeps its dictionary.
  EXPECT_TRUE(ColumnsWithoutDictionary(*Rows(500)).empty());
  auto properties = DataFileProperties(1024, {"id", "text"});
  EXPECT_FALSE(properties->dictionary_enabled(parquet::schema::ColumnPath::FromDotString("id")));
  EXPECT_FALSE(properties->dictionary_enabled(parquet::schema::ColumnPath::FromDotString("text")));
  EXPECT_TRUE(properties->dictionary_enabled(parquet::schema::ColumnPath::FromDotString("category")));
}

TEST(DataWriterTest, AWrittenFileHasDictionariesOnlyWhereTheyPay) {
  ASSERT_TRUE(EnsureArrowInitialized().ok());
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("tidelake-dictionary-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  TableLocation location{std::make_shared<arrow::fs::LocalFileSystem>(), dir.string(), "test.dictionary"};
  auto rows = arrow::Table::FromRecordBatches({Rows(10000)}).ValueOrDie();
  arrow::TableBatchReader reader(*rows);
  ASSERT_TRUE(DeltaTable::Write(location, reader, WriteOptions{}).ok());
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() == ".parquet") files.push_back(entry.path());
  }
  ASSERT_EQ(files.size(), 1u);
  auto metadata = parquet::ParquetFileReader::OpenFile(files[0].string())->metadata();
  std::map<std::string, bool> dictionary;
  for (int c = 0; c < metadata->num_columns(); ++c) {
    auto chunk = metadata->RowGroup(0)->ColumnChunk(c);
    dictionary[chunk->path_in_schema()->ToDotString()] = chunk->has_dictionary_page();
  }
  EXPECT_EQ(dictionary, (std::map<std::string, bool>{
                            {"id", false}, {"category", true}, {"text", false}, {"flag", false}, {"price", true}}));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace tidelake::delta
