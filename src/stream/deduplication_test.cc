// Deduplication on its own: which filters make a ROW_NUMBER() a deduplication and which form runs
// it, when a key's first row is final, which rows count as late (a row behind the watermark; not
// a later row of a key already written), that keys behind the watermark are forgotten when the
// time is a key column, what update mode emits, and that the state survives a restart. The
// input is a placeholder node that each batch replaces by literal rows, as the incremental query
// replaces a stream's scan.
#include "stream/deduplication.h"

#include <arrow/api.h>
#include <arrow/filesystem/localfs.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "common/arrow_init.h"

namespace tidelake::stream {
namespace {

namespace cp = arrow::compute;
namespace fs = std::filesystem;

constexpr int64_t kSecond = 1'000'000;  // microseconds

std::shared_ptr<arrow::Schema> Input() {
  return arrow::schema({arrow::field("key", arrow::utf8()),
                        arrow::field("t", arrow::timestamp(arrow::TimeUnit::MICRO, "UTC")),
                        arrow::field("v", arrow::int64())});
}

plan::NodePtr Placeholder() {
  auto values = std::make_shared<plan::ValuesNode>();
  values->schema = Input();
  return values;
}

// ROW_NUMBER() OVER (PARTITION BY `partition` ORDER BY t [DESC]) over the placeholder.
plan::NodePtr RowNumber(std::vector<std::string> partition, bool ascending = true) {
  auto window = std::make_shared<plan::WindowNode>();
  window->partition_by = std::move(partition);
  window->order_by = {plan::SortKey{"t", ascending, ascending}};
  plan::WindowCall call;
  call.function = "row_number";
  call.result_type = arrow::int32();
  call.frame.unit = plan::FrameUnit::kRows;
  window->calls = {call};
  arrow::FieldVector fields = Input()->fields();
  fields.push_back(arrow::field("rn", arrow::int32()));
  window->schema = arrow::schema(fields);
  window->inputs = {Placeholder()};
  return window;
}

// `cmp(rn, value)` over `input`, e.g. WHERE rn = 1.
plan::NodePtr Where(plan::NodePtr input, cp::Expression predicate) {
  auto filter = std::make_shared<plan::FilterNode>();
  filter->predicate = predicate.Bind(*input->schema).ValueOrDie();
  filter->schema = input->schema;
  filter->inputs = {std::move(input)};
  return filter;
}

// SELECT DISTINCT over the placeholder's `keys`.
plan::NodePtr Distinct(std::vector<std::string> keys) {
  auto aggregate = std::make_shared<plan::AggregateNode>();
  arrow::FieldVector fields;
  for (const auto& key : keys) fields.push_back(Input()->GetFieldByName(key));
  aggregate->keys = std::move(keys);
  aggregate->schema = arrow::schema(fields);
  aggregate->inputs = {Placeholder()};
  return aggregate;
}

// The time column trails its largest value by `delay` seconds; other columns have no watermark.
ColumnWatermarkOf Delay(int64_t delay) {
  return [delay](const plan::LogicalNode&, const std::string& field) -> std::optional<ColumnWatermark> {
    if (field != "t") return std::nullopt;
    return ColumnWatermark{delay * kSecond};
  };
}

struct Row {
  std::string key;
  std::optional<int64_t> t;  // seconds; nullopt: NULL
  int64_t v = 0;
};

class DeduplicationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(EnsureArrowInitialized().ok());
    dir_ = fs::temp_directory_path() / ("tidelake-dedup-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Runs one batch over `rows`; what it emits as "key t v" strings (seconds), sorted.
  std::vector<std::string> Batch(StatefulOperator* op, const std::vector<Row>& rows, bool end_of_input = false) {
    arrow::StringBuilder keys;
    arrow::TimestampBuilder times(Input()->field(1)->type(), arrow::default_memory_pool());
    arrow::Int64Builder values;
    for (const auto& row : rows) {
      EXPECT_TRUE(keys.Append(row.key).ok());
      EXPECT_TRUE((row.t ? times.Append(*row.t * kSecond) : times.AppendNull()).ok());
      EXPECT_TRUE(values.Append(row.v).ok());
    }
    auto table = arrow::Table::Make(Input(), {keys.Finish().ValueOrDie(), times.Finish().ValueOrDie(),
                                              values.Finish().ValueOrDie()});
    const auto* placeholder = op->node()->inputs[0].get();
    BatchContext context;
    context.end_of_input = end_of_input;
    auto out = op->Run({{placeholder, Values(Input(), table)}}, context);
    EXPECT_TRUE(out.ok()) << out.status().ToString();
    std::vector<std::string> emitted;
    if (!out.ok()) return emitted;
    auto rows_out = (*out)->CombineChunks().ValueOrDie();
    for (int64_t i = 0; i < rows_out->num_rows(); ++i) {
      std::string line;
      for (int c = 0; c < rows_out->num_columns(); ++c) {
        auto scalar = rows_out->column(c)->GetScalar(i).ValueOrDie();
        if (scalar->type->id() == arrow::Type::TIMESTAMP && scalar->is_valid) {
          line += (c ? " " : "") + std::to_string(static_cast<const arrow::TimestampScalar&>(*scalar).value / kSecond);
        } else {
          line += (c ? " " : "") + scalar->ToString();
        }
      }
      emitted.push_back(line);
    }
    std::sort(emitted.begin(), emitted.end());
    return emitted;
  }

  fs::path dir_;
};

using Lines = std::vector<std::string>;

TEST_F(DeduplicationTest, FindsTheFiltersThatKeepOnlyRowOne) {
  auto rn = [] { return cp::field_ref("rn"); };
  auto one = cp::literal(int64_t{1});
  auto two = cp::literal(int64_t{2});
  for (const auto& predicate : {cp::equal(rn(), one), cp::less_equal(rn(), one), cp::less(rn(), two),
                                cp::equal(one, rn()), cp::greater(two, rn()),
                                cp::and_(cp::greater(cp::field_ref("v"), one), cp::equal(rn(), one))}) {
    auto window = RowNumber({"key"});
    EXPECT_EQ(FirstRowsOnly(Where(window, predicate)).count(window.get()), 1u) << predicate.ToString();
  }
  for (const auto& predicate : {cp::less_equal(rn(), two), cp::greater_equal(rn(), one), cp::equal(rn(), two),
                                cp::or_(cp::equal(rn(), one), cp::greater(cp::field_ref("v"), one)),
                                cp::equal(cp::field_ref("v"), one)}) {
    auto window = RowNumber({"key"});
    EXPECT_TRUE(FirstRowsOnly(Where(window, predicate)).empty()) << predicate.ToString();
  }
  // Read twice (a CTE), once without the filter: every row is needed there.
  auto window = RowNumber({"key"});
  auto both = std::make_shared<plan::SetOperationNode>();
  both->all = true;
  both->schema = window->schema;
  both->inputs = {Where(window, cp::equal(rn(), one)), window};
  EXPECT_TRUE(FirstRowsOnly(both).empty());
}

TEST_F(DeduplicationTest, ChoosesAppendOrUpdateModeOrRefuses) {
  // "append", "update", or the error.
  auto mode = [](plan::NodePtr window, bool first_only, ColumnWatermarkOf watermark_of) -> std::string {
    auto made = DeduplicateRows(window, first_only, watermark_of, exec::ExecOptions{});
    if (!made.ok()) return made.status().message();
    return dynamic_cast<UpdateDeduplication*>(made->get()) ? "update" : "append";
  };
  auto none = [](const plan::LogicalNode&, const std::string&) { return std::optional<ColumnWatermark>(); };
  EXPECT_EQ(mode(RowNumber({"key"}), true, Delay(0)), "append");
  // The last row of a key, or the first without a watermark, is never final: update mode.
  EXPECT_EQ(mode(RowNumber({"key"}, /*ascending=*/false), true, Delay(0)), "update");
  EXPECT_EQ(mode(RowNumber({"key"}), true, none), "update");
  EXPECT_NE(mode(RowNumber({"key"}), false, Delay(0)).find("unless a WHERE or QUALIFY keeps only row 1"),
            std::string::npos);
  EXPECT_NE(mode(RowNumber({}), true, Delay(0)).find("without PARTITION BY"), std::string::npos);
}

TEST_F(DeduplicationTest, WritesEachKeysFirstRowOnceTheWatermarkPassesIt) {
  auto op = Deduplication::FirstRow(RowNumber({"key"}), ColumnWatermark{10 * kSecond}, exec::ExecOptions{});
  // Watermark 20: a's first row (10) is final; b's (25) may still be beaten.
  EXPECT_EQ(Batch(op.get(), {{"a", 12, 1}, {"a", 10, 2}, {"b", 25, 3}, {"b", 30, 4}}), (Lines{"a 10 2 1"}));
  EXPECT_EQ(op->watermark(), 20 * kSecond);
  EXPECT_EQ(op->state_rows(), 2);  // b's row waiting, a's key
  // b at 22 comes earlier and wins; a at 28 is not a's first (not late: a's first was earlier).
  // A row at 15 is behind the watermark: late, even for a key never seen.
  EXPECT_EQ(Batch(op.get(), {{"b", 22, 5}, {"a", 28, 6}, {"c", 15, 7}, {"c", 29, 8}}), (Lines{}));
  EXPECT_EQ(op->late_rows(), 1);
  EXPECT_EQ(op->state_rows(), 3);  // b at 22 and c at 29 waiting, a's key
  // Watermark 40 (from 50): b's 22 and c's 29 are final; d's 50 waits. A row without a time is
  // late: the watermark cannot place it.
  EXPECT_EQ(Batch(op.get(), {{"d", 50, 9}, {"d", std::nullopt, 10}}), (Lines{"b 22 5 1", "c 29 8 1"}));
  EXPECT_EQ(op->late_rows(), 2);
  EXPECT_EQ(op->OutputWatermark("t"), 40 * kSecond);
  // The end of input makes every waiting row final.
  EXPECT_EQ(Batch(op.get(), {}, /*end_of_input=*/true), (Lines{"d 50 9 1"}));
  EXPECT_EQ(op->state_rows(), 4);  // plain keys are kept forever
}

TEST_F(DeduplicationTest, ForgetsKeysBehindTheWatermarkWhenTheTimeIsAKey) {
  // PARTITION BY key, t ORDER BY t: a duplicate is an equal key at an equal time.
  auto op = Deduplication::FirstRow(RowNumber({"key", "t"}), ColumnWatermark{5 * kSecond}, exec::ExecOptions{});
  EXPECT_EQ(Batch(op.get(), {{"a", 10, 1}, {"a", 10, 1}, {"a", 20, 3}}), (Lines{"a 10 1 1"}));  // watermark 15
  EXPECT_EQ(op->state_rows(), 1);  // a at 20 waits; a at 10 was written and is already behind: forgotten
  // A copy of a at 10 is behind the watermark, so late; a at 20 again is a duplicate.
  EXPECT_EQ(Batch(op.get(), {{"a", 10, 1}, {"a", 20, 3}, {"a", 40, 6}}), (Lines{"a 20 3 1"}));
  EXPECT_EQ(op->late_rows(), 1);
  EXPECT_EQ(op->state_rows(), 1);  // only a at 40, waiting
}

TEST_F(DeduplicationTest, DistinctWritesEachRowWhenFirstSeen) {
  auto op = Deduplication::Distinct(Distinct({"key", "v"}), Delay(0), exec::ExecOptions{}).ValueOrDie();
  EXPECT_EQ(op->watermark(), std::nullopt);  // no key column has a watermark
  EXPECT_EQ(Batch(op.get(), {{"a", 1, 1}, {"a", 2, 1}, {"b", 3, 1}}), (Lines{"a 1", "b 1"}));
  EXPECT_EQ(Batch(op.get(), {{"a", 9, 1}, {"a", 9, 2}, {"", std::nullopt, 0}}), (Lines{" 0", "a 2"}));
  EXPECT_EQ(op->state_rows(), 4);
  EXPECT_EQ(op->late_rows(), 0);

  // With the event time among the keys, keys behind its watermark go, and their rows are late;
  // a NULL time is an ordinary key.
  auto timed = Deduplication::Distinct(Distinct({"key", "t"}), Delay(10), exec::ExecOptions{}).ValueOrDie();
  EXPECT_EQ(Batch(timed.get(), {{"a", 10}, {"a", 10}, {"a", 30}, {"b", std::nullopt}}),
            (Lines{"a 10", "a 30", "b null"}));
  EXPECT_EQ(timed->state_rows(), 2);  // watermark 20: a at 10 is forgotten
  EXPECT_TRUE(timed->HasOutputWatermark("t"));
  EXPECT_EQ(Batch(timed.get(), {{"a", 10}, {"a", 30}, {"b", std::nullopt}, {"a", 25}}), (Lines{"a 25"}));
  EXPECT_EQ(timed->late_rows(), 1);
}

TEST_F(DeduplicationTest, UpdateModeEmitsTheTopRowOfEveryKeyABatchTouches) {
  // ORDER BY t DESC: each key's last row, rewritten whenever a later one arrives.
  auto window = RowNumber({"key"}, /*ascending=*/false);
  UpdateDeduplication op(window, exec::ExecOptions{});
  EXPECT_EQ(op.KeyColumns(), (std::vector<std::vector<std::string>>{{"key"}}));
  EXPECT_EQ(Batch(&op, {{"a", 10, 1}, {"a", 30, 2}, {"b", 5, 3}}), (Lines{"a 30 2 1", "b 5 3 1"}));
  // a at 20 is older than a's last row: a's row is emitted again, unchanged; c is new.
  EXPECT_EQ(Batch(&op, {{"a", 20, 4}, {"c", 1, 5}}), (Lines{"a 30 2 1", "c 1 5 1"}));
  EXPECT_EQ(Batch(&op, {{"b", 50, 6}}), (Lines{"b 50 6 1"}));
  EXPECT_EQ(Batch(&op, {}), (Lines{}));
  EXPECT_EQ(op.state_rows(), 3);
  EXPECT_EQ(op.late_rows(), 0);

  // Only a filter that keeps row 1 alone may read its upserts.
  EXPECT_TRUE(KeepsOnlyRowOne(*Where(window, cp::equal(cp::field_ref("rn"), cp::literal(int64_t{1}))), *window));
  EXPECT_FALSE(KeepsOnlyRowOne(*Where(window, cp::and_(cp::equal(cp::field_ref("rn"), cp::literal(int64_t{1})),
                                                       cp::greater(cp::field_ref("v"), cp::literal(int64_t{1})))),
                               *window));
}

TEST_F(DeduplicationTest, StateSurvivesARestart) {
  auto node = RowNumber({"key"});
  auto first = Deduplication::FirstRow(node, ColumnWatermark{10 * kSecond}, exec::ExecOptions{});
  EXPECT_EQ(Batch(first.get(), {{"a", 10, 1}, {"b", 25, 2}}), (Lines{"a 10 1 1"}));
  auto checkpoint = Checkpoint::Open(std::make_shared<arrow::fs::LocalFileSystem>(), dir_.string()).ValueOrDie();
  std::set<std::string> files;
  auto state = first->SaveState(*checkpoint, 0, &files);
  ASSERT_TRUE(state.ok()) << state.status().ToString();
  EXPECT_EQ(files.size(), 2u);  // the waiting row, the written key

  auto second = Deduplication::FirstRow(node, ColumnWatermark{10 * kSecond}, exec::ExecOptions{});
  std::set<std::string> restored;
  ASSERT_TRUE(second->RestoreState(*checkpoint, *state, &restored).ok());
  EXPECT_EQ(restored, files);
  EXPECT_EQ(second->state_rows(), first->state_rows());
  EXPECT_EQ(second->watermark(), first->watermark());
  // Both answer the next batch alike.
  const std::vector<Row> next{{"a", 20, 3}, {"b", 21, 4}, {"c", 5, 5}, {"c", 60, 6}};
  EXPECT_EQ(Batch(second.get(), next), (Lines{"b 21 4 1"}));
  EXPECT_EQ(Batch(first.get(), next), (Lines{"b 21 4 1"}));
  EXPECT_EQ(second->late_rows(), 1);
  EXPECT_EQ(first->late_rows(), 1);

  // State written for another query is refused, not misread: DISTINCT's keys are other columns;
  // an update-mode aggregation's rows are no deduplication's.
  auto distinct = Deduplication::Distinct(Distinct({"v"}), Delay(0), exec::ExecOptions{}).ValueOrDie();
  EXPECT_FALSE(distinct->RestoreState(*checkpoint, *state, &restored).ok());
  auto aggregation_state = distinct->RestoreState(*checkpoint, nlohmann::json{{"rows", "x.parquet"}}, &restored);
  EXPECT_NE(aggregation_state.message().find("a deduplication's state has 'rows'"), std::string::npos)
      << aggregation_state.ToString();
}

}  // namespace
}  // namespace tidelake::stream
