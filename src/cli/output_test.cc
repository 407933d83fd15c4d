#include "cli/output.h"

#include <arrow/api.h>
#include <gtest/gtest.h>

#include <sstream>

namespace tidelake::cli {
namespace {

std::shared_ptr<arrow::RecordBatchReader> Rows(int64_t n) {
  auto schema = arrow::schema({arrow::field("id", arrow::int64()), arrow::field("name", arrow::utf8())});
  arrow::Int64Builder ids;
  arrow::StringBuilder names;
  for (int64_t i = 1; i <= n; ++i) {
    EXPECT_TRUE(ids.Append(i * 10).ok());
    EXPECT_TRUE(names.Append(i == 1 ? "Zoë" : "r" + std::to_string(i)).ok());
  }
  auto batch = arrow::RecordBatch::Make(schema, n, {ids.Finish().ValueOrDie(), names.Finish().ValueOrDie()});
  // Two batches, so rows are counted across them.
  return arrow::RecordBatchReader::Make({batch->Slice(0, n / 2), batch->Slice(n / 2)}, schema).ValueOrDie();
}

std::string Table(int64_t n, size_t max_rows) {
  std::ostringstream out;
  EXPECT_TRUE(WriteResult(*Rows(n), OutputFormat::kTable, out, "", max_rows).ok());
  return out.str();
}

TEST(OutputTest, TableAlignsNumbersRightAndCountsCodePoints) {
  EXPECT_EQ(Table(2, 0),
            "+----+------+\n"
            "| id | name |\n"
            "+----+------+\n"
            "| 10 | Zoë  |\n"
            "| 20 | r2   |\n"
            "+----+------+\n"
            "2 rows\n");
}

TEST(OutputTest, TableShowsFirstAndLastRowsOfALongResult) {
  EXPECT_EQ(Table(7, 4),
            "+----+------+\n"
            "| id | name |\n"
            "+----+------+\n"
            "| 10 | Zoë  |\n"
            "| 20 | r2   |\n"
            "|  … | …    |\n"
            "| 60 | r6   |\n"
            "| 70 | r7   |\n"
            "+----+------+\n"
            "7 rows (4 shown)\n");
  // A result that fits is shown whole.
  EXPECT_EQ(Table(4, 4).find("…"), std::string::npos);
}

TEST(OutputTest, CsvAndJsonStreamEveryRow) {
  std::ostringstream csv, json;
  ASSERT_TRUE(WriteResult(*Rows(3), OutputFormat::kCsv, csv, "").ok());
  EXPECT_EQ(csv.str(), "\"id\",\"name\"\n10,\"Zoë\"\n20,\"r2\"\n30,\"r3\"\n");
  ASSERT_TRUE(WriteResult(*Rows(2), OutputFormat::kJson, json, "").ok());
  EXPECT_EQ(json.str(), "{\"id\":10,\"name\":\"Zoë\"}\n{\"id\":20,\"name\":\"r2\"}\n");
}

}  // namespace
}  // namespace tidelake::cli
