#include "exec/window.h"

#include <arrow/api.h>
#include <arrow/compute/api.h>
#include <gtest/gtest.h>

#include "exec/exec_test_util.h"

namespace tidelake::exec {
namespace {

using namespace testutil;  // NOLINT
using V = std::vector<std::string>;
using Kind = plan::FrameBound::Kind;

plan::WindowFrame Frame(plan::FrameUnit unit, Kind start, int64_t start_offset, Kind end, int64_t end_offset) {
  plan::WindowFrame frame;
  frame.unit = unit;
  frame.start = {start, start_offset};
  frame.end = {end, end_offset};
  return frame;
}
const plan::WindowFrame kDefault;  // RANGE UNBOUNDED PRECEDING .. CURRENT ROW
const plan::WindowFrame kWhole =
    Frame(plan::FrameUnit::kRows, Kind::kUnboundedPreceding, 0, Kind::kUnboundedFollowing, 0);
const plan::WindowFrame kRunningRows =
    Frame(plan::FrameUnit::kRows, Kind::kUnboundedPreceding, 0, Kind::kCurrentRow, 0);

plan::WindowCall Call(std::string function, std::vector<std::string> args, std::shared_ptr<arrow::DataType> type,
                      plan::WindowFrame frame = kDefault, std::optional<int64_t> offset = std::nullopt,
                      bool ignore_nulls = false, std::shared_ptr<arrow::Scalar> default_value = nullptr) {
  plan::WindowCall call;
  call.function = std::move(function);
  call.args = std::move(args);
  call.result_type = std::move(type);
  call.frame = frame;
  call.offset = offset;
  call.ignore_nulls = ignore_nulls;
  call.default_value = std::move(default_value);
  return call;
}

std::shared_ptr<plan::WindowNode> Window(NodePtr input, std::vector<std::string> partition_by,
                                         std::vector<plan::SortKey> order_by, std::vector<plan::WindowCall> calls) {
  auto node = std::make_shared<plan::WindowNode>();
  arrow::FieldVector fields = input->schema->fields();
  for (size_t i = 0; i < calls.size(); ++i) fields.push_back(arrow::field("w" + std::to_string(i), calls[i].result_type));
  node->partition_by = std::move(partition_by);
  node->order_by = std::move(order_by);
  node->calls = std::move(calls);
  node->schema = arrow::schema(fields);
  node->inputs = {std::move(input)};
  return node;
}

NodePtr Data() {
  return Values({{"p#1", arrow::utf8(), R"(["a", "a", "a", "b", "b", null])"},
                 {"o#2", arrow::int32(), "[1, 2, 2, 5, 3, 1]"},
                 {"v#3", arrow::int64(), "[10, null, 30, 40, 50, 60]"}});
}

// Runs one window function over Data() partitioned by p, ordered by o; returns the call's
// column in output order (null partition, then a's rows by o, then b's).
V Compute(plan::WindowCall call, std::vector<plan::SortKey> order = {{"o#2", true, true}}) {
  auto input = Data();
  auto node = Window(input, {"p#1"}, std::move(order), {std::move(call)});
  auto result = ComputeWindows(*node, input->As<plan::ValuesNode>().rows, arrow::compute::default_exec_context());
  EXPECT_TRUE(result.ok()) << result.status().ToString();
  if (!result.ok()) return {result.status().ToString()};
  V out;
  for (const auto& row : RowsOf(**result)) out.push_back(row.substr(row.rfind('|') + 1));
  return out;
}

TEST(WindowTest, OutputsSortedRowsThenCalls) {
  auto input = Data();
  auto node = Window(input, {"p#1"}, {{"o#2", true, true}}, {Call("row_number", {}, arrow::int32())});
  auto result = ComputeWindows(*node, input->As<plan::ValuesNode>().rows, arrow::compute::default_exec_context());
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ((*result)->schema()->ToString(), "p#1: string\no#2: int32\nv#3: int64\nw0: int32");
  EXPECT_EQ(RowsOf(**result), (V{"null|1|60|1", "a|1|10|1", "a|2|null|2", "a|2|30|3", "b|3|50|1", "b|5|40|2"}));
}

TEST(WindowTest, Ranking) {
  EXPECT_EQ(Compute(Call("row_number", {}, arrow::int32())), (V{"1", "1", "2", "3", "1", "2"}));
  EXPECT_EQ(Compute(Call("rank", {}, arrow::int32())), (V{"1", "1", "2", "2", "1", "2"}));
  EXPECT_EQ(Compute(Call("dense_rank", {}, arrow::int32())), (V{"1", "1", "2", "2", "1", "2"}));
  EXPECT_EQ(Compute(Call("percent_rank", {}, arrow::float64())), (V{"0", "0", "0.5", "0.5", "0", "1"}));
  EXPECT_EQ(Compute(Call("cume_dist", {}, arrow::float64())), (V{"1", "0.3333333333333333", "1", "1", "0.5", "1"}));
  EXPECT_EQ(Compute(Call("ntile", {}, arrow::int32(), kDefault, 2)), (V{"1", "1", "1", "2", "1", "2"}));
  EXPECT_EQ(Compute(Call("ntile", {}, arrow::int32(), kDefault, 5)), (V{"1", "1", "2", "3", "1", "2"}));
}

TEST(WindowTest, NtileSpreadsTheRemainderOverTheFirstBuckets) {
  arrow::Int64Builder b;
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(b.Append(i).ok());
  auto input = ValuesOf(arrow::Table::Make(arrow::schema({arrow::field("x#1", arrow::int64())}), {*b.Finish()}));
  auto node = Window(input, {}, {{"x#1", true, true}}, {Call("ntile", {}, arrow::int32(), kDefault, 4)});
  auto result = ComputeWindows(*node, input->As<plan::ValuesNode>().rows, arrow::compute::default_exec_context());
  ASSERT_TRUE(result.ok());
  V buckets;
  for (const auto& row : RowsOf(**result)) buckets.push_back(row.substr(row.find('|') + 1));
  EXPECT_EQ(buckets, (V{"1", "1", "1", "2", "2", "2", "3", "3", "4", "4"}));
}

TEST(WindowTest, LagAndLead) {
  EXPECT_EQ(Compute(Call("lag", {"v#3"}, arrow::int64())), (V{"null", "null", "10", "null", "null", "50"}));
  EXPECT_EQ(Compute(Call("lead", {"v#3"}, arrow::int64())), (V{"null", "null", "30", "null", "40", "null"}));
  EXPECT_EQ(Compute(Call("lead", {"v#3"}, arrow::int64(), kDefault, 2)), (V{"null", "30", "null", "null", "null", "null"}));
  // The default fills rows outside the partition, not NULL values.
  auto zero = std::make_shared<arrow::Int64Scalar>(0);
  EXPECT_EQ(Compute(Call("lag", {"v#3"}, arrow::int64(), kDefault, 1, false, zero)),
            (V{"0", "0", "10", "null", "0", "50"}));
  EXPECT_EQ(Compute(Call("lag", {"v#3"}, arrow::int64(), kDefault, 1, true)), (V{"null", "null", "10", "10", "null", "50"}));
  EXPECT_EQ(Compute(Call("lead", {"v#3"}, arrow::int64(), kDefault, 1, true)), (V{"null", "30", "30", "null", "40", "null"}));
  EXPECT_EQ(Compute(Call("lag", {"v#3"}, arrow::int64(), kDefault, 0)), (V{"60", "10", "null", "30", "50", "40"}));
  // A default of another type is cast to the argument's.
  auto small = std::make_shared<arrow::Int32Scalar>(-1);
  EXPECT_EQ(Compute(Call("lead", {"v#3"}, arrow::int64(), kDefault, 1, false, small)),
            (V{"-1", "null", "30", "-1", "40", "-1"}));
}

TEST(WindowTest, RunningAggregatesWithPeers) {
  // RANGE UNBOUNDED PRECEDING .. CURRENT ROW includes the current row's peers (o = 2 twice).
  EXPECT_EQ(Compute(Call("sum", {"v#3"}, arrow::int64())), (V{"60", "10", "40", "40", "50", "90"}));
  EXPECT_EQ(Compute(Call("sum", {"v#3"}, arrow::int64(), kRunningRows)), (V{"60", "10", "10", "40", "50", "90"}));
  EXPECT_EQ(Compute(Call("count", {"v#3"}, arrow::int64())), (V{"1", "1", "2", "2", "1", "2"}));
  EXPECT_EQ(Compute(Call("count", {}, arrow::int64())), (V{"1", "1", "3", "3", "1", "2"}));
  EXPECT_EQ(Compute(Call("avg", {"v#3"}, arrow::float64())), (V{"60", "10", "20", "20", "50", "45"}));
  EXPECT_EQ(Compute(Call("max", {"v#3"}, arrow::int64())), (V{"60", "10", "30", "30", "50", "50"}));
  EXPECT_EQ(Compute(Call("min", {"v#3"}, arrow::int64(), kRunningRows)), (V{"60", "10", "10", "10", "50", "40"}));
}

TEST(WindowTest, WholePartitionAndNoOrder) {
  EXPECT_EQ(Compute(Call("count", {"v#3"}, arrow::int64(), kWhole)), (V{"1", "2", "2", "2", "2", "2"}));
  EXPECT_EQ(Compute(Call("sum", {"v#3"}, arrow::int64(), kWhole)), (V{"60", "40", "40", "40", "90", "90"}));
  // Without ORDER BY every row is a peer: the default frame is the whole partition.
  EXPECT_EQ(Compute(Call("sum", {"v#3"}, arrow::int64()), {}), (V{"60", "40", "40", "40", "90", "90"}));
  EXPECT_EQ(Compute(Call("stddev_pop", {"v#3"}, arrow::float64(), kWhole)),
            (V{"0", "10", "10", "10", "5", "5"}));
  // Sample standard deviation: NULL for a single value (Spark).
  EXPECT_EQ(Compute(Call("stddev_samp", {"v#3"}, arrow::float64(), kWhole)),
            (V{"null", "14.142135623730951", "14.142135623730951", "14.142135623730951", "7.0710678118654755",
               "7.0710678118654755"}));
  EXPECT_EQ(Compute(Call("collect_list", {"v#3"}, arrow::list(arrow::int64()), kRunningRows)),
            (V{"list<item: int64>[60]", "list<item: int64>[10]", "list<item: int64>[10]", "list<item: int64>[10, 30]",
               "list<item: int64>[50]", "list<item: int64>[50, 40]"}));
  auto big = Values({{"b#1", arrow::boolean(), "[true, null, false, true]"}});
  auto node = Window(big, {}, {},
                     {Call("count_if", {"b#1"}, arrow::int64(), kRunningRows),
                      Call("bool_and", {"b#1"}, arrow::boolean(), kRunningRows),
                      Call("bool_or", {"b#1"}, arrow::boolean(), kWhole)});
  auto result = ComputeWindows(*node, big->As<plan::ValuesNode>().rows, arrow::compute::default_exec_context());
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(RowsOf(**result), (V{"true|1|true|true", "null|1|true|true", "false|1|false|true", "true|2|false|true"}));
}

TEST(WindowTest, SlidingRowsFrames) {
  auto around = Frame(plan::FrameUnit::kRows, Kind::kPreceding, 1, Kind::kFollowing, 1);
  EXPECT_EQ(Compute(Call("avg", {"v#3"}, arrow::float64(), around)), (V{"60", "10", "20", "30", "45", "45"}));
  EXPECT_EQ(Compute(Call("sum", {"v#3"}, arrow::int64(), around)), (V{"60", "10", "40", "30", "90", "90"}));
  auto behind = Frame(plan::FrameUnit::kRows, Kind::kPreceding, 1, Kind::kCurrentRow, 0);
  EXPECT_EQ(Compute(Call("max", {"v#3"}, arrow::int64(), behind)), (V{"60", "10", "10", "30", "50", "50"}));
  EXPECT_EQ(Compute(Call("min", {"v#3"}, arrow::int64(), behind)), (V{"60", "10", "10", "30", "50", "40"}));
  // Frames entirely before the row: empty at the partition start.
  auto before = Frame(plan::FrameUnit::kRows, Kind::kPreceding, 2, Kind::kPreceding, 1);
  EXPECT_EQ(Compute(Call("sum", {"v#3"}, arrow::int64(), before)), (V{"null", "null", "10", "10", "null", "50"}));
  EXPECT_EQ(Compute(Call("count", {}, arrow::int64(), before)), (V{"0", "0", "1", "2", "0", "1"}));
  auto ahead = Frame(plan::FrameUnit::kRows, Kind::kFollowing, 1, Kind::kUnboundedFollowing, 0);
  EXPECT_EQ(Compute(Call("sum", {"v#3"}, arrow::int64(), ahead)), (V{"null", "30", "30", "null", "40", "null"}));
  EXPECT_EQ(Compute(Call("max", {"v#3"}, arrow::int64(), ahead)), (V{"null", "30", "30", "null", "40", "null"}));
}

TEST(WindowTest, ValueFunctions) {
  EXPECT_EQ(Compute(Call("first_value", {"v#3"}, arrow::int64())), (V{"60", "10", "10", "10", "50", "50"}));
  EXPECT_EQ(Compute(Call("last_value", {"v#3"}, arrow::int64())), (V{"60", "10", "30", "30", "50", "40"}));
  EXPECT_EQ(Compute(Call("last_value", {"v#3"}, arrow::int64(), kRunningRows)), (V{"60", "10", "null", "30", "50", "40"}));
  EXPECT_EQ(Compute(Call("last_value", {"v#3"}, arrow::int64(), kRunningRows, std::nullopt, true)),
            (V{"60", "10", "10", "30", "50", "40"}));
  EXPECT_EQ(Compute(Call("nth_value", {"v#3"}, arrow::int64(), kDefault, 2)), (V{"null", "null", "null", "null", "null", "40"}));
  EXPECT_EQ(Compute(Call("nth_value", {"v#3"}, arrow::int64(), kDefault, 2, true)),
            (V{"null", "null", "30", "30", "null", "40"}));
  auto rest = Frame(plan::FrameUnit::kRows, Kind::kCurrentRow, 0, Kind::kUnboundedFollowing, 0);
  EXPECT_EQ(Compute(Call("first_value", {"v#3"}, arrow::int64(), rest, std::nullopt, true)),
            (V{"60", "10", "30", "30", "50", "40"}));
  EXPECT_EQ(Compute(Call("first_value", {"v#3"}, arrow::int64(), rest)), (V{"60", "10", "null", "30", "50", "40"}));
}

V RangeSums(plan::WindowFrame frame, bool ascending, std::shared_ptr<arrow::DataType> key_type = arrow::int32(),
            std::string keys = "[1, 2, 4, 7, null]") {
  auto input = Values({{"o#1", key_type, keys}, {"v#2", arrow::int64(), "[1, 2, 3, 4, 5]"}});
  auto node = Window(input, {}, {{"o#1", ascending, ascending}}, {Call("sum", {"v#2"}, arrow::int64(), frame)});
  auto result = ComputeWindows(*node, input->As<plan::ValuesNode>().rows, arrow::compute::default_exec_context());
  EXPECT_TRUE(result.ok()) << result.status().ToString();
  if (!result.ok()) return {};
  V out;
  for (const auto& row : RowsOf(**result)) {
    auto first = row.find('|'), last = row.rfind('|');
    out.push_back(row.substr(0, first) + "=" + row.substr(last + 1));
  }
  return out;
}

TEST(WindowTest, RangeFramesWithOffsets) {
  auto two_before = Frame(plan::FrameUnit::kRange, Kind::kPreceding, 2, Kind::kCurrentRow, 0);
  EXPECT_EQ(RangeSums(two_before, true), (V{"null=5", "1=1", "2=3", "4=5", "7=4"}));
  auto ahead = Frame(plan::FrameUnit::kRange, Kind::kFollowing, 1, Kind::kFollowing, 3);
  EXPECT_EQ(RangeSums(ahead, true), (V{"null=5", "1=5", "2=3", "4=4", "7=null"}));
  // Descending: PRECEDING means larger values.
  EXPECT_EQ(RangeSums(two_before, false), (V{"7=4", "4=3", "2=5", "1=3", "null=5"}));
  // Dates count days.
  EXPECT_EQ(RangeSums(two_before, true, arrow::date32(), "[1, 2, 4, 7, null]"),
            (V{"null=5", "1970-01-02=1", "1970-01-03=3", "1970-01-05=5", "1970-01-08=4"}));
  // Doubles, with NaN framing its own peers.
  EXPECT_EQ(RangeSums(two_before, true, arrow::float64(), "[1.5, 2, 3.5, NaN, null]"),
            (V{"null=5", "1.5=1", "2=3", "3.5=6", "nan=4"}));
}

TEST(WindowTest, SumOverflowIsAnError) {
  auto input = Values({{"v#1", arrow::int64(), "[9223372036854775807, 1]"}});
  auto node = Window(input, {}, {}, {Call("sum", {"v#1"}, arrow::int64(), kWhole)});
  auto result = ComputeWindows(*node, input->As<plan::ValuesNode>().rows, arrow::compute::default_exec_context());
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.status().message().find("overflow"), std::string::npos) << result.status().ToString();
  EXPECT_NE(result.status().message().find("window function sum"), std::string::npos) << result.status().ToString();
}

TEST(WindowTest, DecimalAndDoubleSums) {
  auto input = Values({{"d#1", arrow::decimal128(5, 2), R"(["1.25", "2.50", null, "0.01"])"},
                       {"f#2", arrow::float64(), "[0.5, 1.5, 2, null]"}});
  auto node = Window(input, {}, {},
                     {Call("sum", {"d#1"}, arrow::decimal128(15, 2), kWhole),
                      Call("avg", {"d#1"}, arrow::decimal128(9, 6), kWhole),
                      Call("sum", {"f#2"}, arrow::float64(), kRunningRows)});
  auto result = ComputeWindows(*node, input->As<plan::ValuesNode>().rows, arrow::compute::default_exec_context());
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(RowsOf(**result), (V{"1.25|0.5|3.76|1.253333|0.5", "2.50|1.5|3.76|1.253333|2", "null|2|3.76|1.253333|4",
                                 "0.01|null|3.76|1.253333|4"}));
}

TEST(WindowTest, EmptyInputAndValidation) {
  auto input = Filter(Data(), cp::literal(false));
  auto node = Window(input, {"p#1"}, {{"o#2", true, true}}, {Call("rank", {}, arrow::int32())});
  EXPECT_EQ(RunOk(node), V{});
  auto bad = Window(Data(), {}, {}, {Call("no_such_function", {"v#3"}, arrow::int64())});
  EXPECT_TRUE(ValidateWindowNode(*bad).IsNotImplemented());
  auto bad_range = Window(Data(), {}, {{"p#1", true, true}},
                          {Call("sum", {"v#3"}, arrow::int64(),
                                Frame(plan::FrameUnit::kRange, Kind::kPreceding, 1, Kind::kCurrentRow, 0))});
  auto status = ValidateWindowNode(*bad_range);
  EXPECT_NE(status.message().find("numeric, date or timestamp"), std::string::npos) << status.ToString();
}

TEST(WindowTest, ThroughTheExecutor) {
  auto node = Window(Data(), {"p#1"}, {{"o#2", false, false}},
                     {Call("row_number", {}, arrow::int32()), Call("sum", {"v#3"}, arrow::int64(), kWhole)});
  auto sorted = Sort(node, {{"v#3", true, false}});
  EXPECT_EQ(RunOk(sorted, true), (V{"a|1|10|3|40", "a|2|30|2|40", "b|5|40|1|90", "b|3|50|2|90", "null|1|60|1|60",
                                    "a|2|null|1|40"}));
}

TEST(WindowTest, MemoryLimit) {
  arrow::Int64Builder b;
  for (int64_t i = 0; i < 100000; ++i) ASSERT_TRUE(b.Append(i % 7).ok());
  auto input = ValuesOf(arrow::Table::Make(arrow::schema({arrow::field("x#1", arrow::int64())}), {*b.Finish()}));
  auto node = Window(input, {}, {{"x#1", true, true}}, {Call("rank", {}, arrow::int32())});
  ExecOptions options;
  options.memory_limit_bytes = 1 << 20;
  auto rows = RunPlan(Root(node), options);
  ASSERT_FALSE(rows.ok());
  EXPECT_TRUE(rows.status().IsOutOfMemory()) << rows.status().ToString();
  EXPECT_EQ(RunOk(node).size(), 100000u);
}

TEST(WindowTest, LargeInputMatchesANaiveComputation) {
  // 20 partitions of 5000 rows; sliding sums and maxima checked against a direct loop.
  constexpr int kRows = 100000;
  arrow::Int64Builder p, o, v;
  for (int i = 0; i < kRows; ++i) {
    ASSERT_TRUE(p.Append(i % 20).ok());
    ASSERT_TRUE(o.Append(i).ok());
    ASSERT_TRUE(v.Append((i * 7919) % 1000).ok());
  }
  auto table = arrow::Table::Make(arrow::schema({arrow::field("p#1", arrow::int64()), arrow::field("o#2", arrow::int64()),
                                                 arrow::field("v#3", arrow::int64())}),
                                  {*p.Finish(), *o.Finish(), *v.Finish()});
  auto input = ValuesOf(table);
  auto frame = Frame(plan::FrameUnit::kRows, Kind::kPreceding, 3, Kind::kFollowing, 2);
  auto node = Window(input, {"p#1"}, {{"o#2", true, true}},
                     {Call("sum", {"v#3"}, arrow::int64(), frame), Call("max", {"v#3"}, arrow::int64(), frame)});
  auto result = ComputeWindows(*node, table, arrow::compute::default_exec_context());
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  auto batch = *(*result)->CombineChunksToBatch();
  const auto& os = static_cast<const arrow::Int64Array&>(*batch->column(1));
  const auto& sums = static_cast<const arrow::Int64Array&>(*batch->column(3));
  const auto& maxes = static_cast<const arrow::Int64Array&>(*batch->column(4));
  for (int64_t r = 0; r < batch->num_rows(); ++r) {
    int64_t i = os.Value(r), expect_sum = 0, expect_max = -1;
    for (int64_t j = i - 3 * 20; j <= i + 2 * 20; j += 20) {
      if (j < 0 || j >= kRows) continue;
      int64_t value = (j * 7919) % 1000;
      expect_sum += value;
      expect_max = std::max(expect_max, value);
    }
    ASSERT_EQ(sums.Value(r), expect_sum) << "row " << i;
    ASSERT_EQ(maxes.Value(r), expect_max) << "row " << i;
  }
}

}  // namespace
}  // namespace tidelake::exec
