// Aggregate and window function binding: Spark's result types (typeof(...) in Spark 4.0), and
// the AggregateCalls actually running as Arrow hash aggregates through Acero.
#ifndef TIDELAKE_TESTDATA_DIR
#define TIDELAKE_TESTDATA_DIR "/work/shared/testdata"
#endif

#include <arrow/acero/exec_plan.h>
#include <arrow/acero/options.h>
#include <arrow/api.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "plan/functions.h"
#include "plan/functions_test_util.h"

namespace tidelake::plan {
namespace {

using ::testing::HasSubstr;

std::string ResultType(std::string_view name, std::vector<arrow::TypeHolder> args,
                       std::vector<std::shared_ptr<arrow::Scalar>> literals = {}, bool distinct = false) {
  literals.resize(args.size());
  auto call = BindAggregate(name, args, literals, distinct);
  if (!call.ok()) return "ERROR: " + call.status().message();
  return call->function + " -> " + SqlTypeName(*call->result_type);
}

TEST(AggregateBindTest, SparkResultTypes) {
  EXPECT_TRUE(IsAggregateFunction("avg"));
  EXPECT_TRUE(IsAggregateFunction("every"));
  EXPECT_FALSE(IsAggregateFunction("upper"));
  EXPECT_EQ(ResultType("count", {}), "hash_count_all -> bigint");
  EXPECT_EQ(ResultType("count", {arrow::utf8()}), "hash_count -> bigint");
  EXPECT_EQ(ResultType("count", {arrow::utf8()}, {}, true), "hash_count_distinct -> bigint");
  EXPECT_EQ(ResultType("sum", {arrow::int32()}), "hash_sum -> bigint");
  EXPECT_EQ(ResultType("sum", {arrow::int16()}), "hash_sum -> bigint");
  EXPECT_EQ(ResultType("sum", {arrow::decimal128(2, 1)}), "hash_sum -> decimal(12,1)");
  EXPECT_EQ(ResultType("sum", {arrow::decimal128(38, 2)}), "hash_sum -> decimal(38,2)");
  EXPECT_EQ(ResultType("sum", {arrow::float32()}), "hash_sum -> double");
  EXPECT_EQ(ResultType("avg", {arrow::int32()}), "hash_mean -> double");
  EXPECT_EQ(ResultType("mean", {arrow::int8()}), "hash_mean -> double");
  EXPECT_EQ(ResultType("avg", {arrow::decimal128(2, 1)}), "hash_mean -> decimal(6,5)");
  EXPECT_EQ(ResultType("avg", {arrow::decimal128(10, 2)}), "hash_mean -> decimal(14,6)");
  EXPECT_EQ(ResultType("avg", {arrow::decimal128(38, 2)}), "hash_mean -> decimal(38,6)");
  EXPECT_EQ(ResultType("min", {arrow::decimal128(2, 1)}), "hash_min -> decimal(2,1)");
  EXPECT_EQ(ResultType("max", {arrow::utf8()}), "hash_max -> string");
  EXPECT_EQ(ResultType("stddev", {arrow::int32()}), "hash_stddev -> double");
  EXPECT_EQ(ResultType("stddev_pop", {arrow::int32()}), "hash_stddev -> double");
  EXPECT_EQ(ResultType("variance", {arrow::decimal128(2, 1)}), "hash_variance -> double");
  EXPECT_EQ(ResultType("var_pop", {arrow::int32()}), "hash_variance -> double");
  EXPECT_EQ(ResultType("approx_count_distinct", {arrow::int32()}), "hash_count_distinct -> bigint");
  EXPECT_EQ(ResultType("percentile_approx", {arrow::decimal128(2, 1), arrow::float64()}, {nullptr, arrow::MakeScalar(0.5)}),
            "hash_tidelake_percentile_approx -> decimal(2,1)");
  EXPECT_EQ(ResultType("percentile_approx", {arrow::int32(), arrow::float64()}, {nullptr, arrow::MakeScalar(0.5)}),
            "hash_tidelake_percentile_approx -> int");
  auto percentages = std::make_shared<arrow::ListScalar>(fntest::Json(arrow::float64(), "[0.1, 0.75]"));
  EXPECT_EQ(ResultType("percentile_approx", {arrow::int32(), arrow::list(arrow::float64())}, {nullptr, percentages}),
            "hash_tidelake_percentile_approx_list -> array<int>");
  EXPECT_EQ(ResultType("percentile", {arrow::int32(), arrow::list(arrow::float64())}, {nullptr, percentages}),
            "hash_tidelake_percentile_list -> array<double>");
  EXPECT_EQ(ResultType("percentile", {arrow::int32(), arrow::float64()}, {nullptr, arrow::MakeScalar(0.25)}),
            "hash_tidelake_percentile -> double");
  EXPECT_EQ(ResultType("percentile_approx", {arrow::int32(), arrow::float64()}, {nullptr, arrow::MakeScalar(1.5)}),
            "ERROR: function percentile_approx: the percentage must be a literal between 0.0 and 1.0 or an array "
            "of them");
  EXPECT_EQ(ResultType("median", {arrow::int32()}), "hash_tidelake_percentile -> double");
  EXPECT_EQ(ResultType("collect_list", {arrow::int32()}), "hash_tidelake_collect_list -> array<int>");
  EXPECT_EQ(ResultType("collect_set", {arrow::int32()}), "hash_distinct -> array<int>");
  EXPECT_EQ(ResultType("first", {arrow::int32()}), "hash_tidelake_first -> int");
  EXPECT_EQ(ResultType("last_value", {arrow::int32()}), "hash_tidelake_last -> int");
  EXPECT_EQ(ResultType("any_value", {arrow::int32()}), "hash_one -> int");
  EXPECT_EQ(ResultType("count_if", {arrow::boolean()}), "hash_sum -> bigint");
  EXPECT_EQ(ResultType("count_if", {arrow::int32()}), "ERROR: function count_if: argument 1 must be a boolean, got int");
  EXPECT_EQ(ResultType("bool_and", {arrow::boolean()}), "hash_all -> boolean");
  EXPECT_EQ(ResultType("some", {arrow::boolean()}), "hash_any -> boolean");
  EXPECT_EQ(ResultType("sum", {arrow::date32()}), "ERROR: function sum: argument 1 must be a number, got date");
  EXPECT_EQ(ResultType("sum", {arrow::int32()}, {}, true), "hash_tidelake_sum_distinct -> bigint");
  EXPECT_EQ(ResultType("sum", {arrow::decimal128(5, 2)}, {}, true), "hash_tidelake_sum_distinct -> decimal(15,2)");
  EXPECT_EQ(ResultType("avg", {arrow::int32()}, {}, true), "hash_tidelake_avg_distinct -> double");
  EXPECT_EQ(ResultType("max_by", {arrow::utf8(), arrow::float64()}), "hash_tidelake_max_by -> string");
  EXPECT_EQ(ResultType("min_by", {arrow::int32(), arrow::date32()}), "hash_tidelake_min_by -> int");
  EXPECT_EQ(ResultType("max_by", {arrow::int32(), arrow::list(arrow::int32())}),
            "ERROR: function max_by: argument 2 must be an orderable value, got array<int>");
  EXPECT_EQ(ResultType("max_by", {arrow::int32()}), "ERROR: function max_by expects 2 arguments, got 1");
  EXPECT_EQ(ResultType("max", {arrow::float64()}), "hash_tidelake_max -> double");
  EXPECT_EQ(ResultType("min", {arrow::float32()}), "hash_tidelake_min -> float");
  EXPECT_EQ(ResultType("nosuch", {arrow::int32()}), "ERROR: unknown aggregate function 'nosuch'");
  EXPECT_EQ(ResultType("sum", {arrow::int32(), arrow::int32()}), "ERROR: function sum expects 1 argument, got 2");
}

TEST(AggregateBindTest, ArgumentTypes) {
  auto types = [](std::string_view name, std::vector<arrow::TypeHolder> args) {
    auto r = AggregateArgumentTypes(name, args, false);
    if (!r.ok()) return "ERROR: " + r.status().message();
    std::string out;
    for (const auto& t : *r) out += (out.empty() ? "" : ", ") + SqlTypeName(*t);
    return out;
  };
  EXPECT_EQ(types("avg", {arrow::decimal128(10, 2)}), "decimal(10,2)");
  EXPECT_EQ(types("avg", {arrow::int32()}), "int");
  EXPECT_EQ(types("sum", {arrow::utf8()}), "double");
  EXPECT_EQ(types("sum", {arrow::float32()}), "double");
  EXPECT_EQ(types("stddev", {arrow::decimal128(10, 2)}), "double");
  EXPECT_EQ(types("percentile_approx", {arrow::int32(), arrow::float64()}), "int, double");
  EXPECT_EQ(types("percentile_approx", {arrow::utf8(), arrow::float64()}), "double, double");
  EXPECT_EQ(types("median", {arrow::decimal128(5, 2)}), "double");
  EXPECT_EQ(types("min", {arrow::utf8()}), "string");
  EXPECT_EQ(types("count", {}), "");
}

// Runs `calls` (over column "v") grouped by column "k" through Acero; renders each row.
std::string GroupBy(const std::shared_ptr<arrow::Table>& table, const std::vector<AggregateCall>& calls,
                    bool grouped = true, bool use_threads = false) {
  std::vector<arrow::compute::Aggregate> aggregates;
  for (size_t i = 0; i < calls.size(); ++i) {
    std::vector<arrow::FieldRef> target;
    for (const auto& a : calls[i].args) target.emplace_back(a);
    // Without keys the executor runs the scalar form: the name without "hash_".
    std::string function = grouped ? calls[i].function : calls[i].function.substr(5);
    aggregates.emplace_back(function, calls[i].options, target, "out" + std::to_string(i));
  }
  std::vector<arrow::acero::Declaration> nodes = {{"table_source", arrow::acero::TableSourceNodeOptions(table)}};
  if (grouped) {
    nodes.push_back({"aggregate", arrow::acero::AggregateNodeOptions(aggregates, {arrow::FieldRef("k")})});
    nodes.push_back(
        {"order_by", arrow::acero::OrderByNodeOptions(arrow::compute::Ordering({arrow::compute::SortKey("k")}))});
  } else {
    nodes.push_back({"aggregate", arrow::acero::AggregateNodeOptions(aggregates)});
  }
  arrow::acero::Declaration plan = arrow::acero::Declaration::Sequence(std::move(nodes));
  auto result = arrow::acero::DeclarationToTable(std::move(plan), use_threads);
  if (!result.ok()) return "ERROR: " + result.status().ToString();
  auto combined = (*result)->CombineChunksToBatch();
  if (!combined.ok()) return "ERROR: " + combined.status().ToString();
  std::string out;
  for (int64_t row = 0; row < (*combined)->num_rows(); ++row) {
    if (row) out += " | ";
    for (int c = 0; c < (*combined)->num_columns(); ++c) {
      auto scalar = *(*combined)->column(c)->GetScalar(row);
      if (c) out += ", ";
      out += fntest::Render(scalar);
    }
  }
  return out;
}

TEST(AggregateRunTest, CallsRunAsArrowHashAggregates) {
  ASSERT_TRUE(RegisterSqlFunctions().ok());
  auto schema = arrow::schema({arrow::field("k", arrow::int32()), arrow::field("v", arrow::int32()),
                               arrow::field("b", arrow::boolean()), arrow::field("d", arrow::float64())});
  auto table = arrow::Table::Make(
      schema, {arrow::ChunkedArray::Make({fntest::Json(arrow::int32(), "[1, 1, 1, 2, 2, 3]")}).ValueOrDie(),
               arrow::ChunkedArray::Make({fntest::Json(arrow::int32(), "[5, null, 5, 7, 1, null]")}).ValueOrDie(),
               arrow::ChunkedArray::Make({fntest::Json(arrow::boolean(), "[true, null, false, true, true, null]")}).ValueOrDie(),
               arrow::ChunkedArray::Make({fntest::Json(arrow::float64(), "[1, 2, 3, 4, 5, 6]")}).ValueOrDie()});
  auto bind = [](std::string_view name, std::vector<std::string> args, std::vector<arrow::TypeHolder> types,
                 bool distinct = false, std::vector<std::shared_ptr<arrow::Scalar>> literals = {}) {
    literals.resize(types.size());
    auto call = BindAggregate(name, types, literals, distinct);
    EXPECT_TRUE(call.ok()) << call.status().ToString();
    call->args = std::move(args);
    return *call;
  };
  EXPECT_EQ(GroupBy(table, {bind("count", {}, {}), bind("count", {"v"}, {arrow::int32()}),
                            bind("count", {"v"}, {arrow::int32()}, true), bind("sum", {"v"}, {arrow::int32()})}),
            "1, 3, 2, 1, 10 | 2, 2, 2, 2, 8 | 3, 1, 0, 0, NULL");
  EXPECT_EQ(GroupBy(table, {bind("min", {"v"}, {arrow::int32()}), bind("max", {"v"}, {arrow::int32()}),
                            bind("avg", {"v"}, {arrow::int32()}), bind("collect_set", {"v"}, {arrow::int32()})}),
            "1, 5, 5, 5.0, [5] | 2, 1, 7, 4.0, [7, 1] | 3, NULL, NULL, NULL, []");
  EXPECT_EQ(GroupBy(table, {bind("count_if", {"b"}, {arrow::boolean()}), bind("bool_and", {"b"}, {arrow::boolean()}),
                            bind("bool_or", {"b"}, {arrow::boolean()})}),
            "1, 1, false, true | 2, 2, true, true | 3, 0, NULL, NULL");
  EXPECT_EQ(GroupBy(table, {bind("stddev_samp", {"d"}, {arrow::float64()}), bind("var_pop", {"d"}, {arrow::float64()}),
                            bind("median", {"d"}, {arrow::float64()})}),
            "1, 1.0, 0.6666666666666666, 2.0 | 2, 0.7071067811865476, 0.25, 4.5 | 3, NULL, 0.0, 6.0");
  auto half = arrow::MakeScalar(0.5);
  auto percentages = std::make_shared<arrow::ListScalar>(fntest::Json(arrow::float64(), "[0.0, 1.0]"));
  EXPECT_EQ(GroupBy(table, {bind("collect_list", {"v"}, {arrow::int32()}),
                            bind("percentile_approx", {"v"}, {arrow::int32(), arrow::float64()}, false, {nullptr, half}),
                            bind("percentile_approx", {"v"}, {arrow::int32(), arrow::float64()}, false, {nullptr, percentages}),
                            bind("percentile", {"d"}, {arrow::float64(), arrow::float64()}, false, {nullptr, percentages})}),
            "1, [5, 5], 5, [5, 5], [1.0, 3.0] | 2, [7, 1], 1, [1, 7], [4.0, 5.0] | 3, [], NULL, NULL, [6.0, 6.0]");
  EXPECT_EQ(GroupBy(table, {bind("first", {"v"}, {arrow::int32()}), bind("last", {"v"}, {arrow::int32()}),
                            bind("first", {"v"}, {arrow::int32(), arrow::boolean()}, false, {nullptr, arrow::MakeScalar(true)}),
                            bind("any_value", {"v"}, {arrow::int32()})}),
            "1, 5, 5, 5, 5 | 2, 7, 1, 7, 7 | 3, NULL, NULL, NULL, NULL");
  // No GROUP BY: the scalar forms of the same calls.
  EXPECT_EQ(GroupBy(table, {bind("collect_list", {"v"}, {arrow::int32()}), bind("median", {"d"}, {arrow::float64()}),
                            bind("percentile_approx", {"d"}, {arrow::float64(), arrow::float64()}, false, {nullptr, half}),
                            bind("count", {}, {}), bind("sum", {"v"}, {arrow::int32()})},
                    /*grouped=*/false),
            "[5, 5, 7, 1], 3.5, 3.0, 6, 18");
}

std::shared_ptr<arrow::ChunkedArray> Chunks(const std::shared_ptr<arrow::DataType>& type,
                                            const std::vector<std::string>& chunks) {
  arrow::ArrayVector arrays;
  for (const auto& c : chunks) arrays.push_back(fntest::Json(type, c));
  return arrow::ChunkedArray::Make(arrays, type).ValueOrDie();
}

AggregateCall Bound(std::string_view name, std::vector<std::string> args, std::vector<arrow::TypeHolder> types,
                    bool distinct = false, std::vector<std::shared_ptr<arrow::Scalar>> literals = {}) {
  literals.resize(types.size());
  auto call = BindAggregate(name, types, literals, distinct);
  EXPECT_TRUE(call.ok()) << call.status().ToString();
  call->args = std::move(args);
  return *call;
}

TEST(AggregateRunTest, PickOneRowPerGroup) {
  ASSERT_TRUE(RegisterSqlFunctions().ok());
  // Several chunks, so that choices are carried from batch to batch.
  auto schema = arrow::schema({arrow::field("k", arrow::int32()), arrow::field("v", arrow::utf8()),
                               arrow::field("o", arrow::float64())});
  auto table = arrow::Table::Make(
      schema, {Chunks(arrow::int32(), {"[1, 1, 2]", "[1, 2, 3]", "[2, 3]"}),
               Chunks(arrow::utf8(), {R"([null, "a", "b"])", R"(["c", null, "d"])", R"(["e", null])"}),
               Chunks(arrow::float64(), {"[1, 5, 2]", "[3, NaN, null]", "[-1, 4]"})});
  auto ignore_nulls = arrow::MakeScalar(true);
  EXPECT_EQ(GroupBy(table, {Bound("first", {"v"}, {arrow::utf8()}), Bound("last", {"v"}, {arrow::utf8()}),
                            Bound("first", {"v"}, {arrow::utf8(), arrow::boolean()}, false, {nullptr, ignore_nulls}),
                            Bound("last", {"v"}, {arrow::utf8(), arrow::boolean()}, false, {nullptr, ignore_nulls})}),
            "1, NULL, c, a, c | 2, b, e, b, e | 3, d, NULL, d, d");
  // max_by / min_by skip NULL orderings; NaN orders above every number (as max does).
  EXPECT_EQ(GroupBy(table, {Bound("max_by", {"v", "o"}, {arrow::utf8(), arrow::float64()}),
                            Bound("min_by", {"v", "o"}, {arrow::utf8(), arrow::float64()}),
                            Bound("max", {"o"}, {arrow::float64()}), Bound("min", {"o"}, {arrow::float64()})}),
            "1, a, NULL, 5.0, 1.0 | 2, NULL, e, NaN, -1.0 | 3, NULL, NULL, 4.0, 4.0");
  // Without GROUP BY, and on several threads (Arrow's hash_first is refused there).
  EXPECT_EQ(GroupBy(table, {Bound("max_by", {"v", "o"}, {arrow::utf8(), arrow::float64()}),
                            Bound("min_by", {"k", "o"}, {arrow::int32(), arrow::float64()}),
                            Bound("max", {"o"}, {arrow::float64()})},
                    /*grouped=*/false),
            "NULL, 2, NaN");
  EXPECT_EQ(GroupBy(table, {Bound("first", {"k"}, {arrow::int32()}), Bound("count", {}, {})}, true,
                    /*use_threads=*/true),
            "1, 1, 3 | 2, 2, 3 | 3, 3, 2");
  // Over no rows: NULL.
  auto empty = arrow::Table::Make(schema, {Chunks(arrow::int32(), {"[]"}), Chunks(arrow::utf8(), {"[]"}),
                                           Chunks(arrow::float64(), {"[]"})});
  EXPECT_EQ(GroupBy(empty, {Bound("max_by", {"v", "o"}, {arrow::utf8(), arrow::float64()}),
                            Bound("first", {"v"}, {arrow::utf8()})},
                    /*grouped=*/false),
            "NULL, NULL");
}

TEST(AggregateRunTest, DistinctSumAndAverage) {
  ASSERT_TRUE(RegisterSqlFunctions().ok());
  auto schema = arrow::schema({arrow::field("k", arrow::int32()), arrow::field("v", arrow::int64()),
                               arrow::field("d", arrow::decimal128(5, 2))});
  auto table = arrow::Table::Make(
      schema, {Chunks(arrow::int32(), {"[1, 1, 1, 2]", "[2, 2, 3]"}),
               Chunks(arrow::int64(), {"[5, 5, 3, null]", "[7, 7, null]"}),
               Chunks(arrow::decimal128(5, 2), {R"(["1.50", "1.50", "2.25", "1.00"])", R"(["1.00", "3.00", null])"})});
  EXPECT_EQ(GroupBy(table, {Bound("sum", {"v"}, {arrow::int64()}, true), Bound("avg", {"v"}, {arrow::int64()}, true),
                            Bound("sum", {"d"}, {arrow::decimal128(5, 2)}, true)}),
            "1, 8, 4.0, 3.75 | 2, 7, 7.0, 4.00 | 3, NULL, NULL, NULL");
  EXPECT_EQ(GroupBy(table, {Bound("sum", {"v"}, {arrow::int64()}, true), Bound("count", {"v"}, {arrow::int64()}, true)},
                    /*grouped=*/false),
            "15, 3");
}

TEST(AggregateRunTest, CountOverSeveralArguments) {
  ASSERT_TRUE(RegisterSqlFunctions().ok());
  auto schema = arrow::schema({arrow::field("k", arrow::int32()), arrow::field("s", arrow::utf8()),
                               arrow::field("d", arrow::float64()), arrow::field("m", arrow::decimal128(5, 2))});
  auto table = arrow::Table::Make(
      schema, {Chunks(arrow::int32(), {"[1, 1, 1, 1]", "[1, 2, 2]"}),
               Chunks(arrow::utf8(), {R"(["a", "a", "b", null])", R"(["a", "x", "x"])"}),
               Chunks(arrow::float64(), {"[0.0, -0.0, 1, 2]", "[0, NaN, NaN]"}),
               Chunks(arrow::decimal128(5, 2), {R"(["1.00", "1.00", "1.00", "1.00"])", R"(["1.00", "2.00", "2.00"])"})});
  auto types = std::vector<arrow::TypeHolder>{arrow::utf8(), arrow::float64(), arrow::decimal128(5, 2)};
  // Group 1: (a, 0, 1.00) three times (-0.0 is 0.0), (b, 1, 1.00), and a row with a NULL;
  // group 2: (x, NaN, 2.00) twice (one NaN).
  EXPECT_EQ(GroupBy(table, {Bound("count", {"s", "d", "m"}, types), Bound("count", {"s", "d", "m"}, types, true)}),
            "1, 4, 2 | 2, 2, 1");
  EXPECT_EQ(GroupBy(table, {Bound("count", {"s", "d"}, {arrow::utf8(), arrow::float64()}),
                            Bound("count", {"s", "d"}, {arrow::utf8(), arrow::float64()}, true)},
                    /*grouped=*/false, /*use_threads=*/true),
            "6, 3");
  EXPECT_EQ(ResultType("count", {arrow::utf8(), arrow::list(arrow::int32())}),
            "ERROR: function count: argument 2 must be an atomic value, got array<int>");
}

TEST(AggregateBindTest, DecimalAverageHasSparksType) {
  // avg(decimal(10,2)) is decimal(14,6) in Spark, also when bound with the argument types
  // AggregateArgumentTypes gave (the binder's path; it once made this decimal(38,10)). The
  // executor averages at scale 6 (tests/sql/tpch_shapes.test checks the values).
  auto types = AggregateArgumentTypes("avg", {arrow::decimal128(10, 2)}, false);
  ASSERT_TRUE(types.ok());
  for (const auto& type : {arrow::decimal128(10, 2), (*types)[0]}) {
    auto call = BindAggregate("avg", {type}, {nullptr}, false);
    ASSERT_TRUE(call.ok());
    EXPECT_EQ(SqlTypeName(*call->result_type), "decimal(14,6)");
  }
}

TEST(WindowBindTest, ResultTypes) {
  auto bind = [](std::string_view name, std::vector<arrow::TypeHolder> args,
                 std::vector<std::shared_ptr<arrow::Scalar>> literals = {}) -> std::string {
    literals.resize(args.size());
    auto call = BindWindowFunction(name, args, literals);
    if (!call.ok()) return "ERROR: " + call.status().message();
    std::string out = call->function + " -> " + SqlTypeName(*call->result_type);
    if (call->offset) out += " offset " + std::to_string(*call->offset);
    if (call->default_value) out += " default " + call->default_value->ToString();
    return out;
  };
  EXPECT_TRUE(IsWindowFunction("lag"));
  EXPECT_FALSE(IsWindowFunction("sum"));
  EXPECT_EQ(bind("row_number", {}), "row_number -> int");
  EXPECT_EQ(bind("rank", {}), "rank -> int");
  EXPECT_EQ(bind("dense_rank", {}), "dense_rank -> int");
  EXPECT_EQ(bind("percent_rank", {}), "percent_rank -> double");
  EXPECT_EQ(bind("cume_dist", {}), "cume_dist -> double");
  EXPECT_EQ(bind("ntile", {arrow::int32()}, {arrow::MakeScalar(int32_t{4})}), "ntile -> int offset 4");
  EXPECT_EQ(bind("ntile", {arrow::int32()}, {arrow::MakeScalar(int32_t{0})}),
            "ERROR: function ntile: the number of buckets must be positive, got 0");
  EXPECT_EQ(bind("ntile", {arrow::int32()}, {nullptr}), "ERROR: function ntile: the number of buckets must be an integer literal");
  EXPECT_EQ(bind("lag", {arrow::utf8()}), "lag -> string offset 1");
  EXPECT_EQ(bind("lead", {arrow::int64(), arrow::int32(), arrow::int32()},
                 {nullptr, arrow::MakeScalar(int32_t{2}), arrow::MakeScalar(int32_t{0})}),
            "lead -> bigint offset 2 default 0");
  EXPECT_EQ(bind("nth_value", {arrow::float64(), arrow::int32()}, {nullptr, arrow::MakeScalar(int32_t{3})}),
            "nth_value -> double offset 3");
  EXPECT_EQ(bind("first_value", {arrow::date32()}), "first_value -> date");
  EXPECT_EQ(bind("sum", {arrow::int32()}), "sum -> bigint");
  EXPECT_EQ(bind("mean", {arrow::decimal128(10, 2)}), "avg -> decimal(14,6)");
  EXPECT_EQ(bind("count", {}), "count -> bigint");
  EXPECT_EQ(bind("row_number", {arrow::int32()}), "ERROR: function row_number expects 0 arguments, got 1");
  EXPECT_EQ(bind("bogus", {}), "ERROR: unknown window function 'bogus'");
}

}  // namespace
}  // namespace tidelake::plan
