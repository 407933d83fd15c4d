#include "plan/time_window.h"

#include <gtest/gtest.h>

namespace tidelake::plan {
namespace {

constexpr int64_t kMinute = 60 * 1000000LL;

std::vector<TimeWindowBounds> Windows(const TimeWindowSpec& spec, int64_t t) {
  std::vector<TimeWindowBounds> out;
  WindowsOf(spec, t, &out);
  return out;
}

TEST(TimeWindowTest, TumblingWindowsAreHalfOpenAndAlignedToTheEpoch) {
  TimeWindowSpec spec{TimeWindowKind::kTumble, "t", 5 * kMinute};
  EXPECT_EQ(Windows(spec, 0), (std::vector<TimeWindowBounds>{{0, 5 * kMinute}}));
  EXPECT_EQ(Windows(spec, 5 * kMinute - 1), (std::vector<TimeWindowBounds>{{0, 5 * kMinute}}));
  EXPECT_EQ(Windows(spec, 5 * kMinute), (std::vector<TimeWindowBounds>{{5 * kMinute, 10 * kMinute}}));
  // Before 1970 too: floor, not truncation.
  EXPECT_EQ(Windows(spec, -1), (std::vector<TimeWindowBounds>{{-5 * kMinute, 0}}));
  EXPECT_EQ(LastWindowEnd(spec, 7 * kMinute), 10 * kMinute);
}

TEST(TimeWindowTest, EndInclusiveWindowsHoldTheirEnd) {
  TimeWindowSpec spec{TimeWindowKind::kTumble, "t", 5 * kMinute};
  spec.end_inclusive = true;  // Stream Analytics: (start, end]
  EXPECT_EQ(Windows(spec, 5 * kMinute), (std::vector<TimeWindowBounds>{{0, 5 * kMinute}}));
  EXPECT_EQ(Windows(spec, 5 * kMinute + 1), (std::vector<TimeWindowBounds>{{5 * kMinute, 10 * kMinute}}));
  EXPECT_EQ(LastWindowEnd(spec, 5 * kMinute), 5 * kMinute);
}

TEST(TimeWindowTest, HoppingWindowsOverlap) {
  TimeWindowSpec spec{TimeWindowKind::kHop, "t", 10 * kMinute, 5 * kMinute};
  EXPECT_EQ(Windows(spec, 7 * kMinute),
            (std::vector<TimeWindowBounds>{{0, 10 * kMinute}, {5 * kMinute, 15 * kMinute}}));
  EXPECT_EQ(LastWindowEnd(spec, 7 * kMinute), 15 * kMinute);
  // A slide that does not divide the size (Spark allows it): windows of 10 every 3.
  TimeWindowSpec odd{TimeWindowKind::kHop, "t", 10 * kMinute, 3 * kMinute};
  EXPECT_EQ(Windows(odd, 10 * kMinute),
            (std::vector<TimeWindowBounds>{{3 * kMinute, 13 * kMinute}, {6 * kMinute, 16 * kMinute},
                                           {9 * kMinute, 19 * kMinute}}));
}

TEST(TimeWindowTest, CumulatingWindowsGrowFromTheirStart) {
  TimeWindowSpec spec{TimeWindowKind::kCumulate, "t", 10 * kMinute, 5 * kMinute};
  EXPECT_EQ(Windows(spec, 2 * kMinute), (std::vector<TimeWindowBounds>{{0, 5 * kMinute}, {0, 10 * kMinute}}));
  EXPECT_EQ(Windows(spec, 5 * kMinute), (std::vector<TimeWindowBounds>{{0, 10 * kMinute}}));
  EXPECT_EQ(LastWindowEnd(spec, 5 * kMinute), 10 * kMinute);
}

TEST(TimeWindowTest, OffsetsShiftTheAlignment) {
  TimeWindowSpec spec{TimeWindowKind::kTumble, "t", 10 * kMinute};
  spec.offset = 5 * kMinute;
  EXPECT_EQ(Windows(spec, 0), (std::vector<TimeWindowBounds>{{-5 * kMinute, 5 * kMinute}}));
  EXPECT_EQ(Windows(spec, 5 * kMinute), (std::vector<TimeWindowBounds>{{5 * kMinute, 15 * kMinute}}));
}

TEST(TimeWindowTest, SessionsAreNotAssignedRowByRow) {
  TimeWindowSpec spec{TimeWindowKind::kSession, "t", 5 * kMinute};
  EXPECT_TRUE(Windows(spec, 0).empty());
  EXPECT_EQ(LastWindowEnd(spec, kMinute), 6 * kMinute);
}

TimeWindowSpec Sliding(int64_t size) {
  TimeWindowSpec spec{TimeWindowKind::kSliding, "t", size};
  spec.end_inclusive = true;
  return spec;
}

TEST(TimeWindowTest, SlidingWindowsEndWhereARowEntersOrLeaves) {
  // Stream Analytics' documentation: A at 34, B at 38 and C at 42 in windows of 5 give windows
  // ending at 34 (A enters), 38 (B enters), 39 (A leaves), 42 (C enters) and 43 (B leaves); none
  // at 47, where C leaves the window empty.
  const TimeWindowSpec spec = Sliding(5);
  EXPECT_EQ(SlidingWindowEnds(spec, {34, 38, 42}), (std::vector<int64_t>{34, 38, 39, 42, 43}));
  EXPECT_TRUE(Windows(spec, 34).empty());  // not assigned row by row
  // The rows kept for the window their leaving makes: up to t + size.
  EXPECT_EQ(LastWindowEnd(spec, 34), 39);
}

TEST(TimeWindowTest, SlidingWindowsAreEachOnceAndNeverEmpty) {
  const TimeWindowSpec spec = Sliding(10);
  EXPECT_TRUE(SlidingWindowEnds(spec, {}).empty());
  // One row: only the window it enters; the one it leaves is empty.
  EXPECT_EQ(SlidingWindowEnds(spec, {7}), (std::vector<int64_t>{7}));
  // Equal times make one window; a row entering where another leaves makes one window too
  // (the rows at 0 leave the window ending at 10, which holds 10 alone; 10 leaves it empty).
  EXPECT_EQ(SlidingWindowEnds(spec, {0, 0, 10}), (std::vector<int64_t>{0, 10}));
  // 0 leaves the window ending at 10, which still holds 4; 4 leaves it empty at 14.
  EXPECT_EQ(SlidingWindowEnds(spec, {0, 4}), (std::vector<int64_t>{0, 4, 10}));
}

}  // namespace
}  // namespace tidelake::plan
