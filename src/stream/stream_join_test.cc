// The join of two streams on its own: which conditions bound it in time, what each batch emits,
// which rows its state forgets and when a row is late, and that its state survives a restart.
// The sides are placeholder nodes that each batch replaces by literal rows, as the incremental
// query replaces a side by the rows it emitted.
#include "stream/stream_join.h"

#include <arrow/api.h>
#include <arrow/filesystem/localfs.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <limits>

#include "common/arrow_init.h"
#include "plan/functions.h"

namespace tidelake::stream {
namespace {

namespace cp = arrow::compute;
namespace fs = std::filesystem;

constexpr int64_t kSecond = 1'000'000;  // microseconds

std::shared_ptr<arrow::DataType> Ts() { return arrow::timestamp(arrow::TimeUnit::MICRO, "UTC"); }

cp::Expression Interval(int32_t months, int32_t days, int64_t nanos) {
  return cp::literal(std::make_shared<arrow::MonthDayNanoIntervalScalar>(
      arrow::MonthDayNanoIntervalType::MonthDayNanos{months, days, nanos}));
}

cp::Expression Plus(const std::string& field, int64_t seconds) {
  return cp::call(seconds >= 0 ? "tidelake_add_interval" : "tidelake_subtract_interval",
                  {cp::field_ref(field), Interval(0, 0, (seconds >= 0 ? seconds : -seconds) * 1'000'000'000)});
}

// t2 BETWEEN t AND t + 60 s: the interval most tests join on (t - t2 in [-60 s, 0]).
cp::Expression ClickWithinAMinute() {
  return cp::and_(cp::greater_equal(cp::field_ref("t2"), cp::field_ref("t")),
                  cp::less_equal(cp::field_ref("t2"), Plus("t", 60)));
}

// Impressions (ad, t) joined with clicks (ad2, t2) on the ad, `residual` bounding the times;
// with `same_time`, on t = t2 too (as a window join is on its window ends).
plan::NodePtr ClickJoin(std::optional<cp::Expression> residual, plan::JoinType type = plan::JoinType::kInner,
                        bool same_time = false) {
  auto left = std::make_shared<plan::ValuesNode>();
  left->schema = arrow::schema({arrow::field("ad", arrow::utf8()), arrow::field("t", Ts())});
  auto right = std::make_shared<plan::ValuesNode>();
  right->schema = arrow::schema({arrow::field("ad2", arrow::utf8()), arrow::field("t2", Ts())});
  auto join = std::make_shared<plan::JoinNode>();
  join->type = type;
  join->left_keys = {"ad"};
  join->right_keys = {"ad2"};
  join->null_safe = {false};
  if (same_time) {
    join->left_keys.push_back("t");
    join->right_keys.push_back("t2");
    join->null_safe.push_back(false);
  }
  auto both = arrow::schema({left->schema->field(0), left->schema->field(1), right->schema->field(0),
                             right->schema->field(1)});
  if (residual) join->residual = residual->Bind(*both).ValueOrDie();
  // A semi or anti join's rows are its left rows.
  const bool existence = type == plan::JoinType::kLeftSemi || type == plan::JoinType::kLeftAnti;
  join->schema = existence ? left->schema : both;
  join->inputs = {left, right};
  return join;
}

// A time that is NULL.
constexpr int64_t kNoTime = std::numeric_limits<int64_t>::min();

std::shared_ptr<arrow::Table> Rows(const std::shared_ptr<arrow::Schema>& schema,
                                   const std::vector<std::pair<std::string, int64_t>>& rows) {  // times in seconds
  arrow::StringBuilder ads;
  arrow::TimestampBuilder times(Ts(), arrow::default_memory_pool());
  for (const auto& [ad, t] : rows) {
    EXPECT_TRUE(ads.Append(ad).ok());
    EXPECT_TRUE((t == kNoTime ? times.AppendNull() : times.Append(t * kSecond)).ok());
  }
  return arrow::Table::Make(schema, {ads.Finish().ValueOrDie(), times.Finish().ValueOrDie()});
}

// Every side's column has a watermark trailing its largest value by `delay` seconds.
ColumnWatermarkOf Delay(int64_t delay) {
  return [delay](const plan::LogicalNode&, const std::string&) -> std::optional<ColumnWatermark> {
    return ColumnWatermark{delay * kSecond};
  };
}

class StreamJoinTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(EnsureArrowInitialized().ok());
    ASSERT_TRUE(plan::RegisterSqlFunctions().ok());  // tidelake_add_interval
    dir_ = fs::temp_directory_path() / ("tidelake-join-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Runs one batch: `left` and `right` are the rows each side emits in it. The joined pairs as
  // "ad t t2" strings (seconds), sorted; a row padded with NULLs has "-" for the missing time
  // (and its own side's ad). Checks that no row is below the output watermark its time column
  // had before the batch.
  std::vector<std::string> Batch(StreamJoin* join, const std::vector<std::pair<std::string, int64_t>>& left,
                                 const std::vector<std::pair<std::string, int64_t>>& right,
                                 std::set<std::string> idle = {}, bool end_of_input = false) {
    const auto& node = *join->node();
    Replacements below{{node.inputs[0].get(), Values(node.inputs[0]->schema, Rows(node.inputs[0]->schema, left))},
                       {node.inputs[1].get(), Values(node.inputs[1]->schema, Rows(node.inputs[1]->schema, right))}};
    BatchContext context;
    context.idle_inputs = std::move(idle);
    context.end_of_input = end_of_input;
    const std::optional<int64_t> watermarks[2] = {join->OutputWatermark("t"), join->OutputWatermark("t2")};
    auto out = join->Run(below, context);
    EXPECT_TRUE(out.ok()) << out.status().ToString();
    std::vector<std::string> pairs;
    if (!out.ok()) return pairs;
    auto table = (*out)->CombineChunks().ValueOrDie();
    for (int64_t i = 0; i < table->num_rows(); ++i) {
      auto ad = table->column(0)->GetScalar(i).ValueOrDie();
      if (!ad->is_valid) ad = table->column(2)->GetScalar(i).ValueOrDie();
      std::string line = ad->ToString();
      for (int c : {1, 3}) {
        if (c >= table->num_columns()) break;  // a semi or anti join's rows: the left columns
        auto t = std::static_pointer_cast<arrow::TimestampScalar>(table->column(c)->GetScalar(i).ValueOrDie());
        line += " " + (t->is_valid ? std::to_string(t->value / kSecond) : std::string("-"));
        const auto& watermark = watermarks[c == 1 ? 0 : 1];
        if (t->is_valid && watermark) {
          EXPECT_GE(t->value, *watermark) << "row " << line << " is behind the output watermark it had";
        }
      }
      pairs.push_back(line);
    }
    std::sort(pairs.begin(), pairs.end());
    return pairs;
  }
  std::vector<std::string> End(StreamJoin* join) { return Batch(join, {}, {}, {}, /*end_of_input=*/true); }

  // A budget that keeps the join's rows in memory (-1) or in RocksDB from the first row (0).
  std::shared_ptr<StateBudget> Budget(int64_t memory_bytes) {
    auto budget = std::make_shared<StateBudget>();
    budget->memory_bytes = memory_bytes;
    budget->work_dir = (dir_ / "state-work").string();
    return budget;
  }

  fs::path dir_;
};

TEST_F(StreamJoinTest, ReadsIntervalBoundsFromTheCondition) {
  // t2 BETWEEN t AND t + 60 s: t - t2 in [-60 s, 0].
  auto join = ClickJoin(ClickWithinAMinute());
  auto constraints = TimeConstraints(join->As<plan::JoinNode>());
  ASSERT_EQ(constraints.size(), 1u);
  EXPECT_EQ(constraints[0].left_field, "t");
  EXPECT_EQ(constraints[0].right_field, "t2");
  EXPECT_EQ(constraints[0].lo, -60 * kSecond);
  EXPECT_EQ(constraints[0].hi, 0);

  // Written from the other side, strict, with the interval on the left: t > t2 - 5 s and
  // t + 3 s < t2 + 10 s, so t - t2 in [-5 s, 7 s].
  join = ClickJoin(cp::and_(cp::greater(cp::field_ref("t"), Plus("t2", -5)),
                            cp::less(Plus("t", 3), Plus("t2", 10))));
  constraints = TimeConstraints(join->As<plan::JoinNode>());
  ASSERT_EQ(constraints.size(), 1u);
  EXPECT_EQ(constraints[0].lo, -5 * kSecond);
  EXPECT_EQ(constraints[0].hi, 7 * kSecond);
}

TEST_F(StreamJoinTest, ReadsBoundsFromAWhereOverTheJoin) {
  // ON ad = ad2 WHERE t2 >= t AND t2 <= t + 30 s (NEXMark q7 bounds its join so).
  auto join = ClickJoin(cp::greater_equal(cp::field_ref("t2"), cp::field_ref("t")));
  auto constraints = TimeConstraints(join->As<plan::JoinNode>(), cp::less_equal(cp::field_ref("t2"), Plus("t", 30)));
  ASSERT_EQ(constraints.size(), 1u);
  EXPECT_EQ(constraints[0].lo, -30 * kSecond);
  EXPECT_EQ(constraints[0].hi, 0);
}

TEST_F(StreamJoinTest, IgnoresWhatDoesNotBoundTime) {
  // Months have no fixed length; one side only; no condition at all.
  auto months = cp::call("tidelake_add_interval", {cp::field_ref("t"), Interval(1, 0, 0)});
  EXPECT_TRUE(TimeConstraints(ClickJoin(cp::less_equal(cp::field_ref("t2"), months))->As<plan::JoinNode>()).empty());
  EXPECT_TRUE(TimeConstraints(ClickJoin(cp::less_equal(cp::field_ref("t"), Plus("t", 1)))->As<plan::JoinNode>())
                  .empty());
  EXPECT_TRUE(TimeConstraints(ClickJoin(std::nullopt)->As<plan::JoinNode>()).empty());
  // An outer (semi, anti) join's condition bounds its pairs; a WHERE over it filters its padded
  // (or kept) rows too, so it is no part of the condition.
  auto left = ClickJoin(cp::greater_equal(cp::field_ref("t2"), cp::field_ref("t")), plan::JoinType::kLeft);
  EXPECT_EQ(TimeConstraints(left->As<plan::JoinNode>()).size(), 1u);
  auto semi = ClickJoin(cp::greater_equal(cp::field_ref("t2"), cp::field_ref("t")), plan::JoinType::kLeftSemi);
  EXPECT_EQ(TimeConstraints(semi->As<plan::JoinNode>()).size(), 1u);
  for (auto type : {plan::JoinType::kFull, plan::JoinType::kLeftAnti}) {
    auto unbounded = ClickJoin(std::nullopt, type);
    EXPECT_TRUE(TimeConstraints(unbounded->As<plan::JoinNode>(), cp::less_equal(cp::field_ref("t2"), Plus("t", 30)))
                    .empty());
  }
}

TEST_F(StreamJoinTest, RefusesOuterJoinsWithoutATimeBoundOnTheirPaddedSides) {
  auto message = [](plan::NodePtr node, ColumnWatermarkOf watermark_of = Delay(0)) {
    auto join = StreamJoin::Make(std::move(node), nullptr, watermark_of, exec::ExecOptions{});
    return join.ok() ? std::string("accepted") : join.status().message();
  };
  // No bound at all.
  EXPECT_NE(message(ClickJoin(std::nullopt, plan::JoinType::kLeft))
                .find("cannot use a LEFT OUTER join of two streams without a time bound on its left side: a left row "
                      "without a match is written, padded with NULLs, once the right side's watermark shows no match "
                      "can come any more"),
            std::string::npos)
      << message(ClickJoin(std::nullopt, plan::JoinType::kLeft));
  // t2 >= t bounds how early a click may be, not how late: right rows go once the impressions'
  // watermark passes them, left rows never. A RIGHT join may pad; a LEFT or FULL one may not.
  auto after = cp::greater_equal(cp::field_ref("t2"), cp::field_ref("t"));
  EXPECT_EQ(message(ClickJoin(after, plan::JoinType::kRight)), "accepted");
  EXPECT_NE(message(ClickJoin(after, plan::JoinType::kLeft)).find("without a time bound on its left side"),
            std::string::npos);
  EXPECT_NE(message(ClickJoin(after, plan::JoinType::kFull)).find("a FULL OUTER join of two streams without a time "
                                                                  "bound on its left side"),
            std::string::npos);
  // A bound needs a watermark on the column it is checked against.
  auto between = ClickWithinAMinute();
  ColumnWatermarkOf impressions_only = [](const plan::LogicalNode& side,
                                          const std::string& field) -> std::optional<ColumnWatermark> {
    if (field == "t") return ColumnWatermark{0};
    return std::nullopt;
  };
  EXPECT_EQ(message(ClickJoin(between, plan::JoinType::kRight), impressions_only), "accepted");
  EXPECT_NE(message(ClickJoin(between, plan::JoinType::kLeft), impressions_only).find("without a time bound"),
            std::string::npos);
  EXPECT_EQ(message(ClickJoin(between, plan::JoinType::kFull)), "accepted");
  // An anti join writes a row once no match can come: it must be bounded as a LEFT join is. A
  // semi join writes a row on its first match: unbounded, it keeps its rows (as an inner join).
  EXPECT_EQ(message(ClickJoin(between, plan::JoinType::kLeftAnti)), "accepted");
  EXPECT_NE(message(ClickJoin(after, plan::JoinType::kLeftAnti))
                .find("cannot use an anti join (NOT IN or NOT EXISTS) of two streams without a time bound: a row "
                      "without a match is written once the subquery's watermark shows no match can come any more"),
            std::string::npos)
      << message(ClickJoin(after, plan::JoinType::kLeftAnti));
  EXPECT_EQ(message(ClickJoin(std::nullopt, plan::JoinType::kLeftSemi)), "accepted");
  // A column named as the join's own is refused, not misread.
  auto node = std::make_shared<plan::JoinNode>(ClickJoin(between, plan::JoinType::kRight)->As<plan::JoinNode>());
  auto odd = std::make_shared<plan::ValuesNode>();
  odd->schema = arrow::schema({arrow::field("ad", arrow::utf8()), arrow::field("t", Ts()),
                               arrow::field("__tidelake_join_matched", arrow::boolean())});
  node->inputs[0] = odd;
  EXPECT_NE(message(node).find("has a column named __tidelake_join_matched, a name the join uses for itself"),
            std::string::npos)
      << message(node);
}

TEST_F(StreamJoinTest, LeftIntervalJoinPadsAnUnmatchedRowOnceWhenNoMatchCanComeAndAtTheEnd) {
  // t2 BETWEEN t AND t + 60 s (t - t2 in [-60 s, 0]); watermarks trail by 5 s.
  auto made = StreamJoin::Make(ClickJoin(ClickWithinAMinute(), plan::JoinType::kLeft),
                               nullptr, Delay(5), exec::ExecOptions{});
  ASSERT_TRUE(made.ok()) << made.status().ToString();
  StreamJoin& join = **made;
  // An impression without a time can match nothing: padded at once, not kept.
  EXPECT_EQ(Batch(&join, {{"x", 0}, {"y", 10}, {"n", kNoTime}}, {{"x", 30}}),
            (std::vector<std::string>{"n - -", "x 0 30"}));
  EXPECT_EQ(join.state_rows(), 3);
  // Clicks' watermark 45: impressions before -15 go; none.
  EXPECT_EQ(Batch(&join, {{"z", 100}}, {{"x", 50}}), (std::vector<std::string>{"x 0 50"}));
  // Clicks' watermark 125: x 0 (matched) and y 10 (never) go; y is written, padded, now.
  EXPECT_EQ(Batch(&join, {}, {{"w", 130}}), (std::vector<std::string>{"y 10 -"}));
  EXPECT_EQ(join.OutputWatermark("t"), 65 * kSecond);
  // z 100 finds its click before it goes: not padded when it does.
  EXPECT_EQ(Batch(&join, {}, {{"z", 150}}), (std::vector<std::string>{"z 100 150"}));
  EXPECT_EQ(Batch(&join, {{"u", 300}}, {{"q", 200}}), std::vector<std::string>{});
  // An impression behind the impressions' watermark (295) is late: dropped and counted, as an
  // inner join drops it, not padded. One without a time is not late: padded.
  EXPECT_EQ(Batch(&join, {{"v", 250}, {"m", kNoTime}}, {}), (std::vector<std::string>{"m - -"}));
  EXPECT_EQ(join.late_rows(), 1);
  // The inputs end: every impression still held without a click is written, once.
  EXPECT_EQ(End(&join), (std::vector<std::string>{"u 300 -"}));
  EXPECT_EQ(join.state_rows(), 0);
  EXPECT_EQ(End(&join), std::vector<std::string>{});
  // Rows that come after the end are late.
  EXPECT_EQ(Batch(&join, {{"a", 400}}, {{"a", 410}}), std::vector<std::string>{});
  EXPECT_EQ(join.late_rows(), 3);
}

TEST_F(StreamJoinTest, RightIntervalJoinPadsClicksNoImpressionCanMatch) {
  // t2 BETWEEN t AND t + 60 s: a click goes once the impressions' watermark passes it.
  auto made = StreamJoin::Make(ClickJoin(ClickWithinAMinute(), plan::JoinType::kRight),
                               nullptr, Delay(0), exec::ExecOptions{});
  ASSERT_TRUE(made.ok()) << made.status().ToString();
  StreamJoin& join = **made;
  EXPECT_EQ(Batch(&join, {{"x", 0}}, {{"x", 30}, {"y", 40}}), (std::vector<std::string>{"x 0 30"}));
  // Impressions' watermark 50: the clicks before 50 go, y 40 without an impression.
  EXPECT_EQ(Batch(&join, {{"x", 50}}, {}), (std::vector<std::string>{"y - 40"}));
  EXPECT_EQ(join.OutputWatermark("t2"), 40 * kSecond);
  EXPECT_EQ(Batch(&join, {}, {{"x", 100}, {"x", 120}}), (std::vector<std::string>{"x 50 100"}));
  EXPECT_EQ(End(&join), (std::vector<std::string>{"x - 120"}));
  EXPECT_EQ(End(&join), std::vector<std::string>{});
}

TEST_F(StreamJoinTest, FullOuterWindowJoinPadsEitherSide) {
  // On equal times (as on window ends): a row of either side goes once the other side's
  // watermark passes its time.
  for (int64_t budget : {-1, 0}) {
    SCOPED_TRACE(budget < 0 ? "in memory" : "in RocksDB");
    auto made = StreamJoin::Make(ClickJoin(std::nullopt, plan::JoinType::kFull, /*same_time=*/true), nullptr, Delay(0),
                                 exec::ExecOptions{}, Budget(budget));
    ASSERT_TRUE(made.ok()) << made.status().ToString();
    StreamJoin& join = **made;
    ASSERT_EQ(join.constraints().size(), 1u);
    EXPECT_EQ(Batch(&join, {{"a", 60}, {"b", 60}}, {{"a", 60}, {"c", 60}}), (std::vector<std::string>{"a 60 60"}));
    // b's partner comes in time (not behind the watermark 60); then both watermarks reach 120.
    EXPECT_EQ(Batch(&join, {{"a", 120}}, {{"b", 60}, {"d", 120}}), (std::vector<std::string>{"b 60 60", "c - 60"}));
    EXPECT_EQ(join.state_rows(), 2);
    EXPECT_EQ(End(&join), (std::vector<std::string>{"a 120 -", "d - 120"}));
    EXPECT_EQ(join.state_rows(), 0);
  }
}

TEST_F(StreamJoinTest, SemiJoinWritesARowOnItsFirstMatchAndAntiJoinWhenNoneCanCome) {
  // EXISTS / NOT EXISTS (a click within the minute after the impression); watermarks trail by 5
  // s. Over the stream, the two write every impression (not late) exactly once between them.
  auto condition = ClickWithinAMinute();
  for (int64_t budget : {-1, 0}) {
    SCOPED_TRACE(budget < 0 ? "in memory" : "in RocksDB");
    auto semi = StreamJoin::Make(ClickJoin(condition, plan::JoinType::kLeftSemi), nullptr, Delay(5),
                                 exec::ExecOptions{}, Budget(budget))
                    .ValueOrDie();
    auto anti = StreamJoin::Make(ClickJoin(condition, plan::JoinType::kLeftAnti), nullptr, Delay(5),
                                 exec::ExecOptions{}, Budget(budget))
                    .ValueOrDie();
    using Lines = std::vector<std::string>;
    auto both = [&](const std::vector<std::pair<std::string, int64_t>>& left,
                    const std::vector<std::pair<std::string, int64_t>>& right, bool end = false) {
      return std::pair(Batch(semi.get(), left, right, {}, end), Batch(anti.get(), left, right, {}, end));
    };
    // x 0 has two clicks: written once. An impression without a time is never clicked.
    EXPECT_EQ(both({{"x", 0}, {"y", 10}, {"n", kNoTime}}, {{"x", 30}, {"x", 40}}), std::pair(Lines{"x 0"}, Lines{"n -"}));
    EXPECT_FALSE(semi->HasOutputWatermark("t2"));  // not a column of its rows
    // A held impression finds its click.
    EXPECT_EQ(both({{"z", 100}}, {{"y", 50}}), std::pair(Lines{"y 10"}, Lines{}));
    EXPECT_EQ(both({}, {{"x", 65}, {"w", 130}}), std::pair(Lines{}, Lines{}));
    EXPECT_EQ(both({{"u", 200}}, {{"z", 150}}), std::pair(Lines{"z 100"}, Lines{}));
    // The clicks' watermark (295) passes u 200's minute: no click can come for it.
    EXPECT_EQ(both({}, {{"q", 300}}), std::pair(Lines{}, Lines{"u 200"}));
    EXPECT_EQ(both({{"v", 400}, {"s", 400}}, {{"v", 410}}), std::pair(Lines{"v 400"}, Lines{}));
    EXPECT_EQ(both({}, {}, /*end=*/true), std::pair(Lines{}, Lines{"s 400"}));
    EXPECT_EQ(semi->state_rows(), 0);
  }
}

TEST_F(StreamJoinTest, ARestartKeepsWhichRowsFoundAPartner) {
  // t2 BETWEEN t AND t + 60 s, watermarks 100 s behind; the state saved after the third batch
  // and restored into a new join, in memory and in RocksDB: the restored join pads exactly the
  // rows the first one would, none twice, none lost.
  auto node = ClickJoin(ClickWithinAMinute(), plan::JoinType::kFull);
  for (int64_t budget : {-1, 0}) {
    SCOPED_TRACE(budget < 0 ? "in memory" : "in RocksDB");
    fs::remove_all(dir_);
    auto first = StreamJoin::Make(node, nullptr, Delay(100), exec::ExecOptions{}, Budget(budget)).ValueOrDie();
    EXPECT_EQ(Batch(first.get(), {}, {{"q", 50}}), std::vector<std::string>{});
    EXPECT_EQ(Batch(first.get(), {{"x", 0}, {"x", 0}, {"y", 0}}, {}), std::vector<std::string>{});
    // Held rows of both sides find partners: the held click q 50, the held impressions x 0
    // (twice: equal rows are rows of their own).
    EXPECT_EQ(Batch(first.get(), {{"q", 20}}, {{"x", 10}}), (std::vector<std::string>{"q 20 50", "x 0 10", "x 0 10"}));
    auto checkpoint = Checkpoint::Open(std::make_shared<arrow::fs::LocalFileSystem>(), dir_.string()).ValueOrDie();
    std::set<std::string> files;
    auto state = first->SaveState(*checkpoint, 2, &files);
    ASSERT_TRUE(state.ok()) << state.status().ToString();

    auto second = StreamJoin::Make(node, nullptr, Delay(100), exec::ExecOptions{}, Budget(budget)).ValueOrDie();
    std::set<std::string> restored;
    ASSERT_TRUE(second->RestoreState(*checkpoint, *state, &restored).ok());
    EXPECT_EQ(second->state_rows(), first->state_rows());
    for (StreamJoin* join : {first.get(), second.get()}) {
      // The clicks' watermark (460) passes every impression but w 400, the impressions' (300)
      // every click but w 560: of those, only y 0 never found a partner.
      EXPECT_EQ(Batch(join, {{"w", 400}}, {{"w", 560}}), (std::vector<std::string>{"y 0 -"}));
      EXPECT_EQ(join->state_rows(), 2);
      EXPECT_EQ(End(join), (std::vector<std::string>{"w - 560", "w 400 -"}));
      EXPECT_EQ(End(join), std::vector<std::string>{});
    }
  }
}

TEST_F(StreamJoinTest, EmitsEachPairOnceWhicheverSideComesLast) {
  auto made = StreamJoin::Make(ClickJoin(std::nullopt), nullptr, Delay(0), exec::ExecOptions{});
  ASSERT_TRUE(made.ok()) << made.status().ToString();
  StreamJoin& join = **made;
  EXPECT_TRUE(join.constraints().empty());  // unbounded: every row stays
  EXPECT_EQ(Batch(&join, {{"x", 1}, {"y", 2}}, {{"x", 10}}), (std::vector<std::string>{"x 1 10"}));
  EXPECT_EQ(Batch(&join, {{"x", 3}}, {{"y", 20}, {"x", 30}}),
            (std::vector<std::string>{"x 1 30", "x 3 10", "x 3 30", "y 2 20"}));
  EXPECT_EQ(Batch(&join, {}, {}), std::vector<std::string>{});
  EXPECT_EQ(join.state_rows(), 6);
}

TEST_F(StreamJoinTest, IntervalJoinForgetsRowsNoLaterRowCanMatch) {
  // t2 BETWEEN t AND t + 60 s; watermarks trail by 5 s.
  auto made = StreamJoin::Make(ClickJoin(ClickWithinAMinute()),
                               nullptr, Delay(5), exec::ExecOptions{});
  ASSERT_TRUE(made.ok()) << made.status().ToString();
  StreamJoin& join = **made;
  ASSERT_EQ(join.constraints().size(), 1u);
  EXPECT_EQ(Batch(&join, {{"x", 0}, {"y", 10}}, {{"x", 30}}), (std::vector<std::string>{"x 0 30"}));
  // Watermarks: left 5, right 25. Left rows stay while t >= 25 - 60; right rows while t2 >= 5.
  EXPECT_EQ(join.state_rows(), 3);
  EXPECT_EQ(join.watermark(), 5 * kSecond);
  EXPECT_EQ(Batch(&join, {{"x", 120}}, {{"y", 50}, {"x", 130}, {"x", 40}}),
            (std::vector<std::string>{"x 0 40", "x 120 130", "y 10 50"}));
  // Watermarks: left 115, right 125: the left rows before 65 and the right rows before 115 go.
  EXPECT_EQ(join.state_rows(), 2);
  // A click at 20 is behind the clicks' watermark: late, dropped (y 10 is gone anyway). A click
  // at 170 still finds the impression at 120; one at 190 is past its minute.
  EXPECT_EQ(Batch(&join, {}, {{"y", 20}, {"x", 170}, {"x", 190}}), (std::vector<std::string>{"x 120 170"}));
  EXPECT_EQ(join.late_rows(), 1);
}

TEST_F(StreamJoinTest, StateSurvivesARestart) {
  auto condition = ClickWithinAMinute();
  auto node = ClickJoin(condition);
  // Watermarks 100 s behind: nothing is forgotten yet.
  auto first = StreamJoin::Make(node, nullptr, Delay(100), exec::ExecOptions{}).ValueOrDie();
  EXPECT_EQ(Batch(first.get(), {{"x", 0}, {"x", 100}}, {{"y", 30}}), std::vector<std::string>{});
  auto checkpoint = Checkpoint::Open(std::make_shared<arrow::fs::LocalFileSystem>(), dir_.string()).ValueOrDie();
  std::set<std::string> files;
  auto state = first->SaveState(*checkpoint, 0, &files);
  ASSERT_TRUE(state.ok()) << state.status().ToString();
  EXPECT_EQ(files.size(), 2u);

  auto second = StreamJoin::Make(node, nullptr, Delay(100), exec::ExecOptions{}).ValueOrDie();
  std::set<std::string> restored;
  ASSERT_TRUE(second->RestoreState(*checkpoint, *state, &restored).ok());
  EXPECT_EQ(restored, files);
  EXPECT_EQ(second->state_rows(), first->state_rows());
  EXPECT_EQ(second->watermark(), first->watermark());
  // Both answer the next batch alike.
  const std::vector<std::pair<std::string, int64_t>> clicks{{"x", 50}, {"x", 110}};
  EXPECT_EQ(Batch(second.get(), {}, clicks), (std::vector<std::string>{"x 0 50", "x 100 110"}));
  EXPECT_EQ(Batch(first.get(), {}, clicks), (std::vector<std::string>{"x 0 50", "x 100 110"}));
  EXPECT_EQ(Batch(first.get(), {}, {}), std::vector<std::string>{});

  // State written for another query is refused, not misread.
  auto unbounded = StreamJoin::Make(ClickJoin(std::nullopt), nullptr, Delay(5), exec::ExecOptions{}).ValueOrDie();
  EXPECT_FALSE(unbounded->RestoreState(*checkpoint, *state, &restored).ok());
}

// Keeps what it is asked to write.
class CapturingSink : public Sink {
 public:
  explicit CapturingSink(std::vector<std::shared_ptr<arrow::Table>>* written) : written_(written) {}
  arrow::Result<SinkResult> Write(const std::string&, int64_t, const std::shared_ptr<arrow::Table>& rows) override {
    written_->push_back(rows);
    return SinkResult{};
  }

 private:
  std::vector<std::shared_ptr<arrow::Table>>* written_;
};

TEST_F(StreamJoinTest, AnIdleSideStopsHoldingTheWatermarkBackAndItsLateRowsAreRouted) {
  // t2 BETWEEN t AND t + 60 s (t - t2 in [-60 s, 0]); impressions on the left, clicks on the
  // right; no delay. `held` never hears that the clicks are idle, `moving` does in batch 3.
  auto node = ClickJoin(ClickWithinAMinute());
  auto held = StreamJoin::Make(node, nullptr, Delay(0), exec::ExecOptions{}).ValueOrDie();
  auto moving = StreamJoin::Make(node, nullptr, Delay(0), exec::ExecOptions{}).ValueOrDie();
  std::vector<std::shared_ptr<arrow::Table>> written;
  LateRowsTable late(std::make_unique<CapturingSink>(&written));
  for (StreamJoin* join : {held.get(), moving.get()}) {
    join->set_side_sources(0, {"impressions"});
    join->set_side_sources(1, {"clicks"});
    join->set_late_rows(&late);
    EXPECT_EQ(Batch(join, {{"x", 0}}, {{"x", 30}}), (std::vector<std::string>{"x 0 30"}));
    // The clicks stop: their watermark stays at 30 s, so impressions from -30 s on must stay.
    EXPECT_EQ(Batch(join, {{"y", 100}}, {}), std::vector<std::string>{});
    EXPECT_EQ(join->OutputWatermark("t"), -30 * kSecond);
  }
  EXPECT_EQ(Batch(held.get(), {{"z", 200}}, {}), std::vector<std::string>{});
  EXPECT_EQ(held->OutputWatermark("t"), -30 * kSecond);  // held back for ever: windows above never close
  EXPECT_EQ(held->state_rows(), 3);

  // Idle clicks follow the impressions' watermark (200 s): the impressions before 140 s go, and
  // time moves on above the join.
  EXPECT_EQ(Batch(moving.get(), {{"z", 200}}, {}, {"clicks"}), std::vector<std::string>{});
  EXPECT_EQ(moving->OutputWatermark("t"), 140 * kSecond);
  EXPECT_EQ(moving->watermark(), 200 * kSecond);
  EXPECT_EQ(moving->state_rows(), 1);
  // Idleness of the other side alone, or of both, moves nothing.
  EXPECT_EQ(Batch(held.get(), {}, {}, {"clicks", "impressions"}), std::vector<std::string>{});
  EXPECT_EQ(held->OutputWatermark("t"), -30 * kSecond);

  // The clicks resume: one behind the watermark they now follow is late (counted and routed,
  // whole, with its side); one on time still finds its impression.
  EXPECT_EQ(Batch(moving.get(), {}, {{"y", 150}, {"z", 230}}), (std::vector<std::string>{"z 200 230"}));
  EXPECT_EQ(moving->late_rows(), 1);
  ASSERT_TRUE(late.Flush(BatchContext{4}).ok());
  ASSERT_EQ(written.size(), 1u);
  auto rows = written[0]->CombineChunks().ValueOrDie();
  ASSERT_EQ(rows->num_rows(), 1);
  EXPECT_TRUE(rows->schema()->Equals(*LateRowsTable::Schema()));
  const std::string row = rows->column(0)->GetScalar(0).ValueOrDie()->ToString();
  EXPECT_EQ(row, R"({"ad2":"y","t2":"1970-01-01T00:02:30.000Z"})");
  const std::string reason = rows->column(1)->GetScalar(0).ValueOrDie()->ToString();
  EXPECT_NE(reason.find("right side of a stream join"), std::string::npos) << reason;
  EXPECT_EQ(std::static_pointer_cast<arrow::TimestampScalar>(rows->column(2)->GetScalar(0).ValueOrDie())->value,
            200 * kSecond);
  // Nothing more to write: the next flush writes nothing.
  ASSERT_TRUE(late.Flush(BatchContext{5}).ok());
  EXPECT_EQ(written.size(), 1u);
}

}  // namespace
}  // namespace tidelake::stream
