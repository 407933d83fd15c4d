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

}  // namespace
}  // namespace tidelake::plan
