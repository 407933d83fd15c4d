#include "cli/predicate_parser.h"

#include <arrow/api.h>
#include <arrow/compute/api.h>
#include <gtest/gtest.h>

#include "common/arrow_init.h"

namespace tidelake::cli {
namespace {

namespace cp = arrow::compute;

std::shared_ptr<arrow::Schema> TestSchema() {
  return arrow::schema({arrow::field("id", arrow::int64()), arrow::field("name", arrow::utf8()),
                        arrow::field("day", arrow::date32()), arrow::field("Amount", arrow::float64())});
}

// Evaluates a predicate over a 4-row batch and returns which rows pass (nulls count as no).
std::vector<bool> Eval(const std::string& text) {
  EXPECT_TRUE(EnsureArrowInitialized().ok());
  auto schema = TestSchema();
  arrow::Int64Builder ids;
  EXPECT_TRUE(ids.AppendValues({1, 2, 3, 4}).ok());
  arrow::StringBuilder names;
  EXPECT_TRUE(names.AppendValues({"a", "b", "it's", "d"}).ok());
  EXPECT_TRUE(names.Append("x").ok());
  arrow::Date32Builder days;
  EXPECT_TRUE(days.AppendValues({19753, 19754, 19755}).ok());
  EXPECT_TRUE(days.AppendNull().ok());
  arrow::DoubleBuilder amounts;
  EXPECT_TRUE(amounts.AppendValues({1.5, 2.5, 3.5, 4.5}).ok());
  std::shared_ptr<arrow::Array> a, b, c, d;
  EXPECT_TRUE(ids.Finish(&a).ok());
  EXPECT_TRUE(names.Finish(&b).ok());
  EXPECT_TRUE(days.Finish(&c).ok());
  EXPECT_TRUE(amounts.Finish(&d).ok());
  auto batch = arrow::RecordBatch::Make(schema, 4, {a, b->Slice(0, 4), c, d});
  auto expr = ParsePredicate(text, *schema);
  EXPECT_TRUE(expr.ok()) << expr.status().ToString();
  auto bound = expr->Bind(*schema);
  EXPECT_TRUE(bound.ok()) << bound.status().ToString();
  auto result = cp::ExecuteScalarExpression(*bound, cp::ExecBatch(*batch));
  EXPECT_TRUE(result.ok()) << result.status().ToString();
  auto array = result->make_array();
  const auto& mask = static_cast<const arrow::BooleanArray&>(*array);
  std::vector<bool> out;
  for (int64_t i = 0; i < mask.length(); ++i) out.push_back(mask.IsValid(i) && mask.Value(i));
  return out;
}

TEST(PredicateParser, Comparisons) {
  EXPECT_EQ(Eval("id = 2"), (std::vector<bool>{false, true, false, false}));
  EXPECT_EQ(Eval("id >= 3"), (std::vector<bool>{false, false, true, true}));
  EXPECT_EQ(Eval("id <> 1 and amount < 3"), (std::vector<bool>{false, true, false, false}));
  EXPECT_EQ(Eval("name = 'it''s' OR id = 1"), (std::vector<bool>{true, false, true, false}));
  EXPECT_EQ(Eval("NOT (id > 1)"), (std::vector<bool>{true, false, false, false}));
}

TEST(PredicateParser, LiteralsTakeTheColumnType) {
  EXPECT_EQ(Eval("day = '2024-01-31'"), (std::vector<bool>{true, false, false, false}));  // day 19753
  EXPECT_EQ(Eval("`Amount` > 2"), (std::vector<bool>{false, true, true, true}));
}

TEST(PredicateParser, InAndNulls) {
  EXPECT_EQ(Eval("id IN (1, 4)"), (std::vector<bool>{true, false, false, true}));
  EXPECT_EQ(Eval("id NOT IN (1, 4)"), (std::vector<bool>{false, true, true, false}));
  EXPECT_EQ(Eval("day IS NULL"), (std::vector<bool>{false, false, false, true}));
  EXPECT_EQ(Eval("day is not null"), (std::vector<bool>{true, true, true, false}));
}

TEST(PredicateParser, ErrorsNameTheColumnOfTheText) {
  auto schema = TestSchema();
  auto unknown = ParsePredicate("idx = 1", *schema);
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("column 1: unknown column 'idx'"), std::string::npos);
  auto bad_literal = ParsePredicate("id = 'abc'", *schema);
  ASSERT_FALSE(bad_literal.ok());
  EXPECT_NE(bad_literal.status().message().find("column 6: 'abc' is not a valid int64"), std::string::npos)
      << bad_literal.status().message();
  auto dangling = ParsePredicate("id = 1 AND", *schema);
  ASSERT_FALSE(dangling.ok());
  EXPECT_NE(dangling.status().message().find("expected a column name, found the end"), std::string::npos);
  auto unterminated = ParsePredicate("name = 'x", *schema);
  ASSERT_FALSE(unterminated.ok());
  EXPECT_NE(unterminated.status().message().find("unterminated string"), std::string::npos);
  auto missing_op = ParsePredicate("id 3", *schema);
  ASSERT_FALSE(missing_op.ok());
  EXPECT_NE(missing_op.status().message().find("column 4: expected a comparison"), std::string::npos);
}

}  // namespace
}  // namespace tidelake::cli
