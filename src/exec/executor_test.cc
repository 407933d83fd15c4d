#include "exec/executor.h"

#include <arrow/api.h>
#include <arrow/compute/api.h>
#include <gtest/gtest.h>

#include "exec/exec_test_util.h"

namespace tidelake::exec {
namespace {

using namespace testutil;  // NOLINT
using V = std::vector<std::string>;
namespace cp = arrow::compute;

NodePtr People() {
  return Values({{"id#1", arrow::int64(), "[1, 2, 3, 4, 5, 6]"},
                 {"dept#2", arrow::utf8(), R"(["a", "b", "a", null, "b", null])"},
                 {"salary#3", arrow::int32(), "[10, 20, 30, 40, null, 60]"}});
}

TEST(ExecutorTest, ReaderUsesDisplayNamesAndPlanTypes) {
  auto plan = Root(People());
  auto reader = Execute(plan, {});
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  EXPECT_EQ((*reader)->schema()->ToString(), "id: int64\ndept: string\nsalary: int32");
}

TEST(ExecutorTest, FilterAndProject) {
  auto input = People();
  auto filtered = Filter(input, cp::greater(cp::field_ref("salary#3"), cp::literal(15)));
  auto projected = Project(filtered, {{"id#4", cp::field_ref("id#1")},
                                      {"double#5", cp::call("multiply_checked", {cp::field_ref("salary#3"),
                                                                                 cp::literal(2)})}});
  EXPECT_EQ(RunOk(projected), (V{"2|40", "3|60", "4|80", "6|120"}));
}

TEST(ExecutorTest, FilterDropsNullPredicates) {
  // salary > 15 is null for the row with a null salary: dropped, like false.
  auto filtered = Filter(People(), cp::not_(cp::less_equal(cp::field_ref("salary#3"), cp::literal(15))));
  EXPECT_EQ(RunOk(filtered).size(), 4u);
}

TEST(ExecutorTest, SelectWithoutFrom) {
  auto one_row = std::make_shared<plan::ValuesNode>();
  one_row->schema = arrow::schema(arrow::FieldVector{});
  one_row->rows = arrow::Table::Make(one_row->schema, arrow::ArrayVector{}, 1);
  auto projected = Project(one_row, {{"x#1", cp::literal(int64_t{42})}, {"s#2", cp::literal("hi")}});
  EXPECT_EQ(RunOk(projected), (V{"42|hi"}));
}

TEST(ExecutorTest, DuplicateDisplayNames) {
  auto projected = Project(People(), {{"id#7", cp::field_ref("id#1")}, {"id#8", cp::field_ref("id#1")}});
  auto reader = Execute(Root(Limit(projected, 1)), {});
  ASSERT_TRUE(reader.ok());
  EXPECT_EQ((*reader)->schema()->field(0)->name(), "id");
  EXPECT_EQ((*reader)->schema()->field(1)->name(), "id");
}

TEST(ExecutorTest, GroupByWithNullKeysAndCasts) {
  auto agg = Aggregate(People(), {"dept#2"},
                       {{"sum#10", Agg("hash_sum", {"salary#3"}, arrow::int64())},
                        {"n#11", Agg("hash_count", {}, arrow::int64())},
                        {"nn#12", Agg("hash_count", {"salary#3"}, arrow::int64())},
                        {"avg#13", Agg("hash_mean", {"salary#3"}, arrow::float64())},
                        {"max#14", Agg("hash_max", {"salary#3"}, arrow::int32())}});
  EXPECT_EQ(RunOk(agg), (V{"a|40|2|2|20|30", "b|20|2|1|20|20", "null|100|2|2|50|60"}));
}

TEST(ExecutorTest, AggregateWithoutKeys) {
  auto agg = Aggregate(People(), {},
                       {{"sum#10", Agg("hash_sum", {"salary#3"}, arrow::int64())},
                        {"n#11", Agg("count", {}, arrow::int64())},
                        {"min#12", Agg("min", {"dept#2"}, arrow::utf8())}});
  EXPECT_EQ(RunOk(agg), (V{"160|6|a"}));
  // Over no rows: one row, count 0, sum null.
  auto none = Filter(People(), cp::literal(false));
  auto empty_agg = Aggregate(none, {},
                             {{"sum#10", Agg("sum", {"salary#3"}, arrow::int64())},
                              {"n#11", Agg("count", {}, arrow::int64())}});
  EXPECT_EQ(RunOk(empty_agg), (V{"null|0"}));
  // With keys, no rows: no groups.
  auto empty_groups = Aggregate(Filter(People(), cp::literal(false)), {"dept#2"},
                                {{"n#11", Agg("hash_count", {}, arrow::int64())}});
  EXPECT_EQ(RunOk(empty_groups), V{});
}

TEST(ExecutorTest, DecimalAverageIsSumOverCountRoundedHalfUp) {
  // avg(decimal(5,2)) is decimal(9,6): 1.00, 2.00, 2.00 average 1.6666666... -> 1.666667; a
  // group of nulls averages null; sum and avg of one column share their sum.
  auto input = Values({{"k#1", arrow::utf8(), R"(["a", "a", "a", "b", "c", "c"])"},
                       {"d#2", arrow::decimal128(5, 2), R"(["1.00", "2.00", "2.00", null, "-0.01", "-0.02"])"}});
  auto agg = Aggregate(input, {"k#1"},
                       {{"avg#3", Agg("hash_mean", {"d#2"}, arrow::decimal128(9, 6))},
                        {"sum#4", Agg("hash_sum", {"d#2"}, arrow::decimal128(15, 2))},
                        {"avg#5", Agg("hash_mean", {"d#2"}, arrow::decimal128(9, 6))}});
  EXPECT_EQ(RunOk(agg), (V{"a|1.666667|5.00|1.666667", "b|null|null|null", "c|-0.015000|-0.03|-0.015000"}));
  auto overall = Aggregate(input, {}, {{"avg#3", Agg("mean", {"d#2"}, arrow::decimal128(9, 6))}});
  EXPECT_EQ(RunOk(overall), (V{"0.994000"}));
  auto none = Aggregate(Filter(input, cp::literal(false)), {}, {{"avg#3", Agg("mean", {"d#2"}, arrow::decimal128(9, 6))}});
  EXPECT_EQ(RunOk(none), (V{"null"}));
}

TEST(ExecutorTest, DecimalSums) {
  auto input = Values({{"k#1", arrow::utf8(), R"(["a", "a", "b", "c", "c"])"},
                       {"d#2", arrow::decimal128(5, 2), R"(["1.25", "-2.50", null, "999.99", "999.99"])"}});
  auto grouped = Aggregate(input, {"k#1"}, {{"sum#3", Agg("hash_sum", {"d#2"}, arrow::decimal128(15, 2))}});
  EXPECT_EQ(RunOk(grouped), (V{"a|-1.25", "b|null", "c|1999.98"}));
  auto overall = Aggregate(input, {}, {{"sum#3", Agg("sum", {"d#2"}, arrow::decimal128(15, 2))}});
  EXPECT_EQ(RunOk(overall), (V{"1998.73"}));
  // Past 38 digits: an error, not a wrapped-around sum.
  auto big = Values({{"d#1", arrow::decimal128(38, 0),
                      R"(["90000000000000000000000000000000000000", "90000000000000000000000000000000000000"])"}});
  auto too_big = RunPlan(Root(Aggregate(big, {}, {{"sum#2", Agg("sum", {"d#1"}, arrow::decimal128(38, 0))}})), {});
  ASSERT_FALSE(too_big.ok());
  EXPECT_NE(too_big.status().message().find("Overflow"), std::string::npos) << too_big.status().ToString();
}

TEST(ExecutorTest, RepeatedSubexpressionsOfAProjection) {
  // a * (1 - b) in two outputs, one of them inside a larger expression, next to a plain field.
  auto input = Values({{"a#1", arrow::int64(), "[10, 20, null]"}, {"b#2", arrow::int64(), "[1, 3, 5]"}});
  auto a = cp::field_ref("a#1"), b = cp::field_ref("b#2");
  auto product = cp::call("multiply_checked", {a, cp::call("subtract_checked", {cp::literal(int64_t{1}), b})});
  auto projected = Project(input, {{"p#3", product},
                                   {"q#4", cp::call("add_checked", {product, cp::literal(int64_t{100})})},
                                   {"b#5", b}});
  EXPECT_EQ(RunOk(projected), (V{"-40|60|3", "0|100|1", "null|null|5"}));
}

TEST(ExecutorTest, AggregatesWithoutAScalarKernel) {
  // collect_list / any_value without GROUP BY: Arrow has only the grouped kernels.
  auto list_type = arrow::list(arrow::int64());
  auto agg = Aggregate(Filter(People(), cp::less(cp::field_ref("id#1"), cp::literal(int64_t{3}))), {},
                       {{"l#10", Agg("hash_list", {"id#1"}, list_type)},
                        {"o#11", Agg("hash_one", {"dept#2"}, arrow::utf8())},
                        {"n#12", Agg("hash_count", {}, arrow::int64())}});
  auto rows = RunOk(agg);
  ASSERT_EQ(rows.size(), 1u);
  const std::string list = "list<item: int64>";
  EXPECT_TRUE(rows[0] == list + "[1, 2]|a|2" || rows[0] == list + "[2, 1]|b|2" || rows[0] == list + "[1, 2]|b|2" ||
              rows[0] == list + "[2, 1]|a|2")
      << rows[0];
  // Over no rows: still one row, an empty list, a null and a zero count.
  auto empty = Aggregate(Filter(People(), cp::literal(false)), {},
                         {{"l#10", Agg("hash_list", {"id#1"}, list_type)},
                          {"o#11", Agg("hash_one", {"dept#2"}, arrow::utf8())},
                          {"n#12", Agg("hash_count", {}, arrow::int64())},
                          {"s#13", Agg("hash_sum", {"salary#3"}, arrow::int64())}});
  EXPECT_EQ(RunOk(empty), (V{"list<item: int64>[]|null|0|null"}));
}

TEST(ExecutorTest, IntegerSumOverflowIsAnError) {
  auto input = Values({{"g#1", arrow::int32(), "[1, 1, 2]"}, {"x#2", arrow::int64(), "[9223372036854775807, 1, 5]"}});
  for (std::vector<std::string> keys : {std::vector<std::string>{}, std::vector<std::string>{"g#1"}}) {
    auto agg = Aggregate(input, keys, {{"s#3", Agg("hash_sum", {"x#2"}, arrow::int64())}});
    auto rows = RunPlan(Root(agg));
    ASSERT_FALSE(rows.ok()) << "keys: " << keys.size();
  }
  // Sums that fit, and averages of large integers (as doubles, like Spark).
  auto fits = Aggregate(Filter(input, cp::equal(cp::field_ref("g#1"), cp::literal(2))), {},
                        {{"s#3", Agg("sum", {"x#2"}, arrow::int64())}});
  EXPECT_EQ(RunOk(fits), (V{"5"}));
  auto avg = Aggregate(input, {"g#1"}, {{"a#3", Agg("hash_mean", {"x#2"}, arrow::float64())}});
  EXPECT_EQ(RunOk(avg), (V{"1|4.611686018427388e+18", "2|5"}));
  auto small = Values({{"x#1", arrow::int8(), "[100, 100, 100]"}});
  EXPECT_EQ(RunOk(Aggregate(small, {}, {{"s#2", Agg("sum", {"x#1"}, arrow::int64())}})), (V{"300"}));
}

TEST(ExecutorTest, CountDistinct) {
  // count(DISTINCT dept) ignores nulls in Spark.
  auto options = std::make_shared<cp::CountOptions>(cp::CountOptions::ONLY_VALID);
  auto agg2 = Aggregate(People(), {}, {{"n#10", Agg("count_distinct", {"dept#2"}, arrow::int64(), options)}});
  EXPECT_EQ(RunOk(agg2), (V{"2"}));
}

TEST(ExecutorTest, RollupWithGroupingId) {
  auto input = Values({{"a#1", arrow::utf8(), R"(["x", "x", "y", null])"},
                       {"b#2", arrow::int32(), "[1, 2, 1, 1]"},
                       {"v#3", arrow::int64(), "[10, 20, 30, 40]"}});
  // GROUP BY ROLLUP(a, b): sets (a, b), (a), ().
  auto agg = Aggregate(input, {"a#1", "b#2"}, {{"s#4", Agg("hash_sum", {"v#3"}, arrow::int64())}},
                       {{0, 1}, {0}, {}});
  EXPECT_EQ(RunOk(agg), (V{"null|1|40|0", "null|null|100|3", "null|null|40|2", "x|1|10|0", "x|2|20|0",
                           "x|null|30|2", "y|1|30|0", "y|null|30|2"}));
}

TEST(ExecutorTest, GroupingSetsAggregateARolledUpKey) {
  auto input = Values({{"a#1", arrow::int64(), "[1, 1, 2]"}});
  // GROUP BY CUBE(a) with sum(a): the sum reads the real values even in the rolled-up set.
  auto agg = Aggregate(input, {"a#1"}, {{"s#2", Agg("hash_sum", {"a#1"}, arrow::int64())}}, {{0}, {}});
  EXPECT_EQ(RunOk(agg), (V{"1|2|0", "2|2|0", "null|4|1"}));
}

TEST(ExecutorTest, SortWithPerKeyNullPlacementAndNaN) {
  auto input = Values({{"k#1", arrow::float64(), "[2.0, null, NaN, -1.0, 2.0]"},
                       {"s#2", arrow::utf8(), R"(["b", "a", "c", null, "a"])"}});
  // ORDER BY k ASC NULLS FIRST, s DESC NULLS LAST: NaN is above every number (Spark).
  auto sorted = Sort(input, {{"k#1", true, true}, {"s#2", false, false}});
  EXPECT_EQ(RunOk(sorted, true), (V{"null|a", "-1|null", "2|b", "2|a", "nan|c"}));
  // ORDER BY k DESC NULLS LAST: NaN first.
  auto desc = Sort(input, {{"k#1", false, false}, {"s#2", true, true}});
  EXPECT_EQ(RunOk(desc, true), (V{"nan|c", "2|a", "2|b", "-1|null", "null|a"}));
}

TEST(ExecutorTest, SortKeepsOrderThroughAProjection) {
  // Many batches, several threads: the output must still come out sorted.
  arrow::Int64Builder b;
  for (int64_t i = 0; i < 200000; ++i) ASSERT_TRUE(b.Append((i * 7919) % 200000).ok());
  auto table = arrow::Table::Make(arrow::schema({arrow::field("k#1", arrow::int64())}), {*b.Finish()});
  auto sorted = Sort(ValuesOf(table), {{"k#1", false, false}});
  auto projected = Project(sorted, {{"k2#2", cp::call("add", {cp::field_ref("k#1"), cp::literal(int64_t{1})})}});
  auto rows = RunPlan(Root(projected, true));
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  ASSERT_EQ(rows->size(), 200000u);
  for (size_t i = 0; i < rows->size(); ++i) ASSERT_EQ((*rows)[i], std::to_string(200000 - i)) << i;
}

TEST(ExecutorTest, TopK) {
  arrow::Int64Builder b;
  for (int64_t i = 0; i < 100000; ++i) ASSERT_TRUE(b.Append((i * 7919) % 100000).ok());
  auto table = arrow::Table::Make(arrow::schema({arrow::field("k#1", arrow::int64())}), {*b.Finish()});
  auto top = Limit(Sort(ValuesOf(table), {{"k#1", false, false}}), 3, 2);
  EXPECT_EQ(RunOk(top, true), (V{"99997", "99996", "99995"}));
  auto nothing = Limit(Sort(ValuesOf(table), {{"k#1", true, true}}), 0);
  EXPECT_EQ(RunOk(nothing, true), V{});
  auto past_end = Limit(Sort(ValuesOf(table), {{"k#1", true, true}}), 5, 99998);
  EXPECT_EQ(RunOk(past_end, true), (V{"99998", "99999"}));
}

TEST(ExecutorTest, LimitOverOrderedAndUnorderedInput) {
  // Over literal rows (an implicit order): the first rows.
  EXPECT_EQ(RunOk(Limit(People(), 2), true), (V{"1|a|10", "2|b|20"}));
  EXPECT_EQ(RunOk(Limit(People(), std::nullopt, 4), true), (V{"5|b|null", "6|null|60"}));
  EXPECT_EQ(RunOk(Limit(People(), 0)), V{});
  // Over an aggregate (no order): any two groups.
  auto agg = Aggregate(People(), {"dept#2"}, {{"n#11", Agg("hash_count", {}, arrow::int64())}});
  EXPECT_EQ(RunOk(Limit(agg, 2)).size(), 2u);
  EXPECT_EQ(RunOk(Limit(agg, 10)).size(), 3u);
  EXPECT_EQ(RunOk(Limit(agg, 10, 2)).size(), 1u);
  EXPECT_EQ(RunOk(Limit(agg, 0)), V{});
  EXPECT_EQ(RunOk(Limit(agg, std::nullopt, 1)).size(), 2u);
}

TEST(ExecutorTest, OverflowErrorSurfacesFromReadNext) {
  auto input = Values({{"x#1", arrow::int64(), "[1, 9223372036854775807]"}});
  auto projected = Project(input, {{"y#2", cp::call("add_checked", {cp::field_ref("x#1"), cp::literal(int64_t{1})})}});
  auto reader = Execute(Root(projected), {});
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  arrow::Status status;
  for (int i = 0; i < 5 && status.ok(); ++i) {
    std::shared_ptr<arrow::RecordBatch> batch;
    status = (*reader)->ReadNext(&batch);
    if (status.ok() && !batch) break;
  }
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("overflow"), std::string::npos) << status.ToString();
  // The reader stays failed and closes cleanly.
  std::shared_ptr<arrow::RecordBatch> batch;
  EXPECT_FALSE((*reader)->ReadNext(&batch).ok());
  EXPECT_TRUE((*reader)->Close().ok());
}

TEST(ExecutorTest, ErrorBelowASortAndAJoin) {
  auto input = Values({{"x#1", arrow::int32(), "[1, 2147483647, 3]"}});
  auto bad = Project(input, {{"y#2", cp::call("multiply_checked", {cp::field_ref("x#1"), cp::literal(2)})}});
  auto sorted = Sort(bad, {{"y#2", true, true}});
  auto rows = RunPlan(Root(sorted, true));
  ASSERT_FALSE(rows.ok());
  EXPECT_NE(rows.status().message().find("overflow"), std::string::npos) << rows.status().ToString();
}

TEST(ExecutorTest, InvalidPlansFailInExecute) {
  auto bad = std::make_shared<plan::FilterNode>();
  bad->schema = arrow::schema({});
  auto status = Execute(Root(bad), {}).status();
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.message().find("filter node has 0 inputs"), std::string::npos) << status.ToString();
  plan::PlanRoot names_mismatch = Root(People());
  names_mismatch.column_names.pop_back();
  EXPECT_FALSE(Execute(names_mismatch, {}).ok());
}

TEST(ExecutorTest, MemoryLimitFailsCleanly) {
  arrow::Int64Builder b;
  for (int64_t i = 0; i < 300000; ++i) ASSERT_TRUE(b.Append(i % 1000).ok());
  auto table = arrow::Table::Make(arrow::schema({arrow::field("k#1", arrow::int64())}), {*b.Finish()});
  auto sorted = Sort(Project(ValuesOf(table), {{"v#2", cp::call("multiply", {cp::field_ref("k#1"), cp::literal(int64_t{3})})}}),
                     {{"v#2", true, true}});
  ExecOptions options;
  options.memory_limit_bytes = 256 << 10;
  options.memory_limit_source = "the test";
  auto rows = RunPlan(Root(sorted, true), options);
  ASSERT_FALSE(rows.ok());
  EXPECT_TRUE(rows.status().IsOutOfMemory()) << rows.status().ToString();
  EXPECT_NE(rows.status().message().find("the query needs more than the memory limit of 256.0 KiB (set by the test)"),
            std::string::npos)
      << rows.status().ToString();
  // The same query fits in a normal limit.
  EXPECT_EQ(RunOk(sorted, true).size(), 300000u);
}

TEST(ExecutorTest, MemoryLimitInAcerosOperators) {
  // A hash aggregate and a hash join over 200 K distinct keys under a 512 KiB limit.
  arrow::Int64Builder b;
  for (int64_t i = 0; i < 200000; ++i) ASSERT_TRUE(b.Append(i).ok());
  auto keys = *b.Finish();
  auto left = ValuesOf(arrow::Table::Make(arrow::schema({arrow::field("k#1", arrow::int64())}), {keys}));
  auto right = ValuesOf(arrow::Table::Make(arrow::schema({arrow::field("r#2", arrow::int64())}), {keys}));
  ExecOptions options;
  options.memory_limit_bytes = 512 << 10;
  auto agg = Aggregate(left, {"k#1"}, {{"n#3", Agg("hash_count", {}, arrow::int64())}});
  // Limits that run out at different points of the hash table's growth (a hash table that
  // failed to grow must not be fed again: that used to hang).
  for (int64_t limit : {256 << 10, 512 << 10, 1 << 20, 2 << 20, 3 << 20}) {
    ExecOptions small;
    small.memory_limit_bytes = limit;
    auto agg_rows = RunPlan(Root(agg), small);
    ASSERT_FALSE(agg_rows.ok()) << limit;
    EXPECT_TRUE(agg_rows.status().IsOutOfMemory()) << agg_rows.status().ToString();
  }

  auto join = std::make_shared<plan::JoinNode>();
  join->type = plan::JoinType::kInner;
  join->left_keys = {"k#1"};
  join->right_keys = {"r#2"};
  join->schema = arrow::schema({arrow::field("k#1", arrow::int64()), arrow::field("r#2", arrow::int64())});
  join->inputs = {left, right};
  auto join_rows = RunPlan(Root(join), options);
  ASSERT_FALSE(join_rows.ok());
  EXPECT_TRUE(join_rows.status().IsOutOfMemory()) << join_rows.status().ToString();
  // Both fit without the limit.
  EXPECT_EQ(RunOk(agg).size(), 200000u);
  EXPECT_EQ(RunOk(join).size(), 200000u);
}

TEST(ExecutorTest, SingleThreaded) {
  ExecOptions options;
  options.use_threads = false;
  auto agg = Aggregate(People(), {"dept#2"}, {{"sum#10", Agg("hash_sum", {"salary#3"}, arrow::int64())}});
  auto sorted = Sort(agg, {{"dept#2", true, false}});
  EXPECT_EQ(RunOk(sorted, true, options), (V{"a|40", "b|20", "null|100"}));
  auto input = Values({{"x#1", arrow::int64(), "[9223372036854775807]"}});
  auto bad = Project(input, {{"y#2", cp::call("add_checked", {cp::field_ref("x#1"), cp::literal(int64_t{1})})}});
  EXPECT_FALSE(RunPlan(Root(bad), options).ok());
}

TEST(ExecutorTest, CloseEarlyStopsThePlan) {
  arrow::Int64Builder b;
  for (int64_t i = 0; i < 1000000; ++i) ASSERT_TRUE(b.Append(i).ok());
  auto table = arrow::Table::Make(arrow::schema({arrow::field("k#1", arrow::int64())}), {*b.Finish()});
  auto projected = Project(ValuesOf(table), {{"v#2", cp::call("add", {cp::field_ref("k#1"), cp::literal(int64_t{1})})}});
  for (bool threads : {true, false}) {
    ExecOptions options;
    options.use_threads = threads;
    auto reader = Execute(Root(projected), options);
    ASSERT_TRUE(reader.ok());
    std::shared_ptr<arrow::RecordBatch> batch;
    ASSERT_TRUE((*reader)->ReadNext(&batch).ok());
    ASSERT_NE(batch, nullptr);
    EXPECT_TRUE((*reader)->Close().ok());
    reader->reset();  // destroying a closed reader is fine too
  }
}

}  // namespace
}  // namespace tidelake::exec
