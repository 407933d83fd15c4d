#include "exec/time_window.h"

#include <arrow/api.h>
#include <gtest/gtest.h>

#include "exec/exec_test_util.h"

namespace tidelake::exec {
namespace {

using namespace testutil;  // NOLINT

// "name@start..end" for each row of windows assigned over (toll, name, t) in seconds.
std::vector<std::string> Assigned(const plan::TimeWindowSpec& spec, const std::shared_ptr<arrow::Table>& input) {
  EXPECT_TRUE(EnsureArrowInitialized().ok());
  const auto time_type = input->GetColumnByName("t")->type();
  auto output = input->schema()
                    ->AddField(input->num_columns(), arrow::field("start", time_type))
                    .ValueOrDie()
                    ->AddField(input->num_columns() + 1, arrow::field("end", time_type))
                    .ValueOrDie();
  cp::ExecContext ctx;
  auto assigned = AssignSlidingWindows(spec, input, output, &ctx);
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

}  // namespace
}  // namespace tidelake::exec
