#include "cli/column_list.h"

#include <arrow/api.h>
#include <gtest/gtest.h>

namespace tidelake::cli {
namespace {

TEST(ColumnList, ParsesDeltaAndSqlTypeNames) {
  auto schema = ParseColumnList("id bigint not null, name string, amount decimal(10, 2), day date, ts timestamp, ok bool");
  ASSERT_TRUE(schema.ok()) << schema.status().ToString();
  ASSERT_EQ((*schema)->num_fields(), 6);
  EXPECT_TRUE((*schema)->field(0)->type()->Equals(arrow::int64()));
  EXPECT_FALSE((*schema)->field(0)->nullable());
  EXPECT_TRUE((*schema)->field(2)->type()->Equals(arrow::decimal128(10, 2)));
  EXPECT_TRUE((*schema)->field(3)->type()->Equals(arrow::date32()));
  EXPECT_TRUE((*schema)->field(4)->type()->Equals(arrow::timestamp(arrow::TimeUnit::MICRO, "UTC")));
  EXPECT_TRUE((*schema)->field(5)->type()->Equals(arrow::boolean()));
}

TEST(ColumnList, ErrorsNameTheColumn) {
  auto unknown = ParseColumnList("id long, x blob");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("column 2 ('x blob'): unknown type 'blob'"), std::string::npos)
      << unknown.status().message();
  auto missing_type = ParseColumnList("id");
  ASSERT_FALSE(missing_type.ok());
  EXPECT_NE(missing_type.status().message().find("needs a name and a type"), std::string::npos);
  EXPECT_FALSE(ParseColumnList("a long,, b long").ok());
  EXPECT_FALSE(ParseColumnList("a array<long>").ok());
}

}  // namespace
}  // namespace tidelake::cli
