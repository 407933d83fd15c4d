#include "exec/time_window.h"

#include <arrow/api.h>
#include <gtest/gtest.h>

#include "exec/exec_test_util.h"

namespace tidelake::exec {
namespace {

using namespace testutil;  // NOLINT

// "name@start..end" for each row of windows assigned over (toll, name, t) in seconds.
std::vector<std::string> Assigned(const plan::TimeWindowSpec& spec, const std::shared_ptr<arrow::Table>& input) {
  const bool sessions = spec.kind == plan::TimeWindowKind::kSession;
  EXPECT_TRUE(EnsureArrowInitialized().ok());
  const auto time_type = input->GetColumnByName("t")->type();
  auto output = input->schema()
                    ->AddField(input->num_columns(), arrow::field("start", time_type))
                    .ValueOrDie()
                    ->AddField(input->num_columns() + 1, arrow::field("end", time_type))
                    .ValueOrDie();
  cp::ExecContext ctx;
  auto assigned = sessions ? AssignSessions(spec, input, output, &ctx) : AssignSlidingWindows(spec, input, output, &ctx);
  EXPECT_TRUE(assigned.ok()) << assigned.status().ToString();
  if (!assigned.ok()) return {};
  auto table = (*assigned)->CombineChunks().ValueOrDie();
  std::vector<std::string> rows;
  if (table->num_rows() == 0) return rows;
  const auto& names = static_cast<const arrow::StringArray&>(*table->GetColumnByName("name")->chunk(0));
  const auto& starts = static_cast<const arrow::TimestampArray&>(*table->GetColumnByName("start")->chunk(0));
  const auto& ends = static_cast<const arrow::TimestampArray&>(*table->GetColumnByName("end")->chunk(0));
  for (int64_t i = 0; i < table->num_rows(); ++i) {
    rows.push_back(names.GetString(i) + "@" + std::to_string(starts.Value(i)) + ".." + std::to_string(ends.Value(i)));
  }
  std::sort(rows.begin(), rows.end());
  return rows;
}

plan::TimeWindowSpec Sliding(int64_t size, std::vector<std::string> partition_by) {
  plan::TimeWindowSpec spec{plan::TimeWindowKind::kSliding, "t", size};
  spec.end_inclusive = true;
  spec.partition_by = std::move(partition_by);
  return spec;
}

TEST(TimeWindowTest, SlidingWindowsOfTheDocumentationsExample) {
  // Stream Analytics' documentation: A at 34, B at 38 and C at 42 in windows of 5 give windows
  // ending at 34, 38, 39 (A left), 42 and 43 (B left); none at 47 (C left it empty). Toll 2's
  // row is a partition of its own; a row without a time is in no window.
  auto input = TableOf({{"toll", arrow::int32(), "[1, 2, 1, 1, 2]"},
                        {"name", arrow::utf8(), R"(["C", "D", "A", "B", "E"])"},
                        {"t", arrow::timestamp(arrow::TimeUnit::SECOND), "[42, 36, 34, 38, null]"}});
  EXPECT_EQ(Assigned(Sliding(5, {"toll"}), input),
            (std::vector<std::string>{"A@29..34", "A@33..38", "B@33..38", "B@34..39", "B@37..42", "C@37..42",
                                      "C@38..43", "D@31..36"}));
  // One partition: D's entry (36) and exit (41) make windows for the others too.
  EXPECT_EQ(Assigned(Sliding(5, {}), input),
            (std::vector<std::string>{"A@29..34", "A@31..36", "A@33..38", "B@33..38", "B@34..39", "B@36..41",
                                      "B@37..42", "C@37..42", "C@38..43", "D@31..36", "D@33..38", "D@34..39"}));
}

TEST(TimeWindowTest, SlidingWindowsOverNoRows) {
  auto input = TableOf({{"toll", arrow::int32(), "[1]"},
                        {"name", arrow::utf8(), R"(["A"])"},
                        {"t", arrow::timestamp(arrow::TimeUnit::SECOND), "[null]"}});
  EXPECT_TRUE(Assigned(Sliding(5, {"toll"}), input).empty());
}

TEST(TimeWindowTest, SessionsOfRowsInTimeOrderOrNot) {
  // Rows in time order (over two chunks, partitions interleaved) are only sorted by partition;
  // the same rows out of order are sorted by partition and time: the sessions are the same.
  plan::TimeWindowSpec spec{plan::TimeWindowKind::kSession, "t", 10};
  spec.partition_by = {"toll"};
  const auto time = arrow::timestamp(arrow::TimeUnit::SECOND);
  auto first = TableOf({{"toll", arrow::int32(), "[2, 1, 2, 1]"},
                        {"name", arrow::utf8(), R"(["A", "B", "C", "D"])"},
                        {"t", time, "[1, 2, 5, 9]"}});
  auto second = TableOf({{"toll", arrow::int32(), "[1, 2, 2, 1]"},
                         {"name", arrow::utf8(), R"(["E", "F", "H", "G"])"},
                         {"t", time, "[18, 20, 29, 30]"}});
  const std::vector<std::string> expected{"A@1..15", "B@2..28", "C@1..15", "D@2..28",
                                          "E@2..28", "F@20..39", "G@30..40", "H@20..39"};
  EXPECT_EQ(Assigned(spec, arrow::ConcatenateTables({first, second}).ValueOrDie()), expected);
  auto shuffled = TableOf({{"toll", arrow::int32(), "[1, 2, 1, 2, 1, 2, 1, 2]"},
                           {"name", arrow::utf8(), R"(["G", "A", "D", "H", "B", "C", "E", "F"])"},
                           {"t", time, "[30, 1, 9, 29, 2, 5, 18, 20]"}});
  EXPECT_EQ(Assigned(spec, shuffled), expected);
}

}  // namespace
}  // namespace tidelake::exec
