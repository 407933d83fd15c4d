#include "cli/query_progress.h"

#include <arrow/api.h>
#include <gtest/gtest.h>

namespace tidelake::cli {
namespace {

using namespace std::chrono_literals;

TEST(QueryProgressTest, DescribesElapsedTimeAndRows) {
  EXPECT_EQ(QueryProgress::Describe(1500ms, 0), "running 1.5 s");
  EXPECT_EQ(QueryProgress::Describe(2s, 1), "running 2.0 s, 1 row");
  EXPECT_EQ(QueryProgress::Describe(12340ms, 1234567), "running 12.3 s, 1,234,567 rows");
  EXPECT_EQ(QueryProgress::Describe(1s, 999), "running 1.0 s, 999 rows");
  EXPECT_EQ(QueryProgress::Describe(1s, 1000), "running 1.0 s, 1,000 rows");
}

TEST(QueryProgressTest, TrackedRowsPassThroughUnchanged) {
  auto schema = arrow::schema({arrow::field("x", arrow::int64())});
  arrow::Int64Builder builder;
  ASSERT_TRUE(builder.AppendValues({1, 2, 3}).ok());
  auto array = builder.Finish().ValueOrDie();
  auto batch = arrow::RecordBatch::Make(schema, 3, {array});
  auto inner = arrow::RecordBatchReader::Make({batch, batch}, schema).ValueOrDie();

  // Enabled: a thread is running; reading to the end stops it before the first draw.
  QueryProgress progress(/*enabled=*/true);
  auto tracked = progress.Track(inner);
  EXPECT_TRUE(tracked->schema()->Equals(*schema));
  auto table = arrow::Table::FromRecordBatchReader(tracked.get()).ValueOrDie();
  EXPECT_EQ(table->num_rows(), 6);
  progress.Stop();
  progress.Stop();  // idempotent
}

}  // namespace
}  // namespace tidelake::cli
