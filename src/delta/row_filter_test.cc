// RowFilter: conjuncts over one dictionary-encoded string column are answered on the
// dictionary, and every filter gives the answer of the whole expression on the converted batch.
#include "delta/row_filter.h"

#include <arrow/api.h>
#include <arrow/compute/api.h>
#include <arrow/json/from_string.h>
#include <gtest/gtest.h>

#include "common/arrow_init.h"

namespace tidelake::delta {
namespace {

namespace cp = arrow::compute;

std::shared_ptr<arrow::Array> Json(const std::shared_ptr<arrow::DataType>& type, const std::string& text) {
  auto array = arrow::json::ArrayFromJSONString(type, text);
  EXPECT_TRUE(array.ok()) << array.status().ToString();
  return *array;
}

std::shared_ptr<arrow::Array> Encoded(const std::string& indices, const std::string& dictionary) {
  auto made = arrow::DictionaryArray::FromArrays(arrow::dictionary(arrow::int32(), arrow::utf8()),
                                                 Json(arrow::int32(), indices), Json(arrow::utf8(), dictionary));
  EXPECT_TRUE(made.ok()) << made.status().ToString();
  return *made;
}

struct Evaluation {
  std::string mask;           // "1 0 1 ..." with "n" for null
  int conformed_string = 0;   // how often the string column was asked for converted
};

// Evaluates `filter` over s (string, given encoded) and k (int64).
Evaluation Filtered(const cp::Expression& filter, const std::shared_ptr<arrow::Array>& s_raw,
               const std::shared_ptr<arrow::Array>& k) {
  EXPECT_TRUE(EnsureArrowInitialized().ok());
  auto schema = arrow::schema({arrow::field("s", arrow::utf8()), arrow::field("k", arrow::int64())});
  auto bound = filter.Bind(*schema);
  EXPECT_TRUE(bound.ok()) << bound.status().ToString();
  auto row_filter = RowFilter::Make(*bound, schema);
  EXPECT_TRUE(row_filter.ok()) << row_filter.status().ToString();
  Evaluation out;
  auto decoded = cp::Cast(*s_raw, arrow::utf8());
  EXPECT_TRUE(decoded.ok());
  RowFilter::Column raw = [&](int i) -> arrow::Result<std::shared_ptr<arrow::Array>> { return i == 0 ? s_raw : k; };
  RowFilter::Column conformed = [&](int i) -> arrow::Result<std::shared_ptr<arrow::Array>> {
    if (i == 0) {
      ++out.conformed_string;
      return *decoded;
    }
    return k;
  };
  cp::ExecContext ctx;
  auto mask = row_filter->Evaluate(k->length(), raw, conformed, &ctx);
  EXPECT_TRUE(mask.ok()) << mask.status().ToString();
  // The reference: the whole filter over the converted batch.
  auto want = cp::ExecuteScalarExpression(*bound, cp::ExecBatch({*decoded, k}, k->length()), &ctx);
  EXPECT_TRUE(want.ok());
  auto as_array = [&](const arrow::Datum& d) {
    return d.is_array() ? d.make_array() : *arrow::MakeArrayFromScalar(*d.scalar(), k->length());
  };
  auto got = as_array(*mask);
  auto expected = as_array(*want);
  // Filters drop null rows: compare null as false.
  for (int64_t r = 0; r < k->length(); ++r) {
    auto g = *got->GetScalar(r), w = *expected->GetScalar(r);
    bool g_true = g->is_valid && static_cast<const arrow::BooleanScalar&>(*g).value;
    bool w_true = w->is_valid && static_cast<const arrow::BooleanScalar&>(*w).value;
    EXPECT_EQ(g_true, w_true) << filter.ToString() << " row " << r;
    out.mask += std::string(r ? " " : "") + (g_true ? "1" : "0");
  }
  return out;
}

TEST(RowFilterTest, ConjunctsOverOneStringColumnRunOnTheDictionary) {
  auto s = Encoded("[0, 1, 2, 1, 0, 2]", R"(["AIR", "MAIL", "SHIP"])");
  auto k = Json(arrow::int64(), "[1, 2, 3, 4, 5, null]");
  auto s_ref = cp::field_ref("s"), k_ref = cp::field_ref("k");
  auto is_in = cp::call("is_in", {s_ref}, cp::SetLookupOptions(Json(arrow::utf8(), R"(["AIR", "SHIP"])")));

  auto both = Filtered(cp::and_(cp::equal(s_ref, cp::literal("MAIL")), cp::greater(k_ref, cp::literal(int64_t{1}))), s, k);
  EXPECT_EQ(both.mask, "0 1 0 1 0 0");
  EXPECT_EQ(both.conformed_string, 0);

  auto in = Filtered(cp::and_(is_in, cp::not_(cp::equal(s_ref, cp::literal("SHIP")))), s, k);
  EXPECT_EQ(in.mask, "1 0 0 0 1 0");
  EXPECT_EQ(in.conformed_string, 0);

  auto like = Filtered(cp::call("match_like", {s_ref}, cp::MatchSubstringOptions("%AI%")), s, k);
  EXPECT_EQ(like.mask, "1 1 0 1 1 0");
  EXPECT_EQ(like.conformed_string, 0);

  // A conjunct over two columns sees them converted.
  auto two = Filtered(cp::or_(cp::equal(s_ref, cp::literal("AIR")), cp::equal(k_ref, cp::literal(int64_t{3}))), s, k);
  EXPECT_EQ(two.mask, "1 0 1 0 1 0");
  EXPECT_EQ(two.conformed_string, 1);

  // A function outside the known safe ones runs on the converted column.
  auto length = Filtered(cp::greater(cp::call("utf8_length", {s_ref}), cp::literal(int32_t{3})), s, k);
  EXPECT_EQ(length.mask, "0 1 1 1 0 1");
  EXPECT_EQ(length.conformed_string, 1);
}

TEST(RowFilterTest, NullsAndLargeDictionariesUseTheConvertedColumn) {
  auto k = Json(arrow::int64(), "[1, 2, 3]");
  auto s_ref = cp::field_ref("s");
  // IS NULL is true for null rows, which the dictionary cannot answer.
  auto with_nulls = Encoded("[0, null, 1]", R"(["a", "b"])");
  auto is_null = Filtered(cp::or_(cp::is_null(s_ref), cp::equal(s_ref, cp::literal("b"))), with_nulls, k);
  EXPECT_EQ(is_null.mask, "0 1 1");
  EXPECT_EQ(is_null.conformed_string, 1);
  // More distinct values than rows: cheaper on the rows.
  auto large = Encoded("[0, 3, 4]", R"(["a", "b", "c", "d", "e"])");
  auto eq = Filtered(cp::equal(s_ref, cp::literal("d")), large, k);
  EXPECT_EQ(eq.mask, "0 1 0");
  EXPECT_EQ(eq.conformed_string, 1);
  // Not encoded at all.
  auto plain = Json(arrow::utf8(), R"(["x", "y", "x"])");
  auto direct = Filtered(cp::equal(s_ref, cp::literal("x")), plain, k);
  EXPECT_EQ(direct.mask, "1 0 1");
}

TEST(RowFilterTest, CountsPerValueConjuncts) {
  ASSERT_TRUE(EnsureArrowInitialized().ok());
  auto schema = arrow::schema({arrow::field("s", arrow::utf8()), arrow::field("k", arrow::int64())});
  auto filter = cp::and_({cp::equal(cp::field_ref("s"), cp::literal("a")),
                          cp::greater(cp::field_ref("k"), cp::literal(int64_t{0})),
                          cp::greater(cp::call("utf8_length", {cp::field_ref("s")}), cp::literal(int32_t{1}))});
  auto bound = filter.Bind(*schema);
  ASSERT_TRUE(bound.ok());
  auto row_filter = RowFilter::Make(*bound, schema);
  ASSERT_TRUE(row_filter.ok());
  EXPECT_EQ(row_filter->per_value_conjuncts(), 2);  // s = 'a' and k > 0 (one column each)
}

}  // namespace
}  // namespace tidelake::delta
