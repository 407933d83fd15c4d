#include "plan/time_window.h"

#include <algorithm>

namespace tidelake::plan {

namespace {

// End-inclusive windows (start, end] hold t exactly when [start, end) holds t - 1.
int64_t Normalised(const TimeWindowSpec& spec, int64_t time) { return spec.end_inclusive ? time - 1 : time; }

// The start of the last window of period `period` that starts at or before t.
int64_t AlignedStart(const TimeWindowSpec& spec, int64_t t, int64_t period) {
  return spec.offset + FloorDiv(t - spec.offset, period) * period;
}

}  // namespace

void WindowsOf(const TimeWindowSpec& spec, int64_t time, std::vector<TimeWindowBounds>* out) {
  const int64_t t = Normalised(spec, time);
  switch (spec.kind) {
    case TimeWindowKind::kTumble: {
      const int64_t start = AlignedStart(spec, t, spec.size);
      out->push_back({start, start + spec.size});
      return;
    }
    case TimeWindowKind::kHop: {
      // Starts s with s <= t < s + size, every `slide`, earliest first.
      const int64_t last = AlignedStart(spec, t, spec.slide);
      int64_t first = last;
      while (first - spec.slide > t - spec.size) first -= spec.slide;
      for (int64_t s = first; s <= last; s += spec.slide) out->push_back({s, s + spec.size});
      return;
    }
    case TimeWindowKind::kCumulate: {
      const int64_t base = AlignedStart(spec, t, spec.size);
      for (int64_t end = base + spec.slide; end <= base + spec.size; end += spec.slide) {
        if (end > t) out->push_back({base, end});
      }
      return;
    }
    case TimeWindowKind::kSession:
    case TimeWindowKind::kSliding:
      return;
  }
}

int64_t LastWindowEnd(const TimeWindowSpec& spec, int64_t time) {
  const int64_t t = Normalised(spec, time);
  switch (spec.kind) {
    case TimeWindowKind::kTumble:
    case TimeWindowKind::kCumulate:
      return AlignedStart(spec, t, spec.size) + spec.size;
    case TimeWindowKind::kHop:
      return AlignedStart(spec, t, spec.slide) + spec.size;
    case TimeWindowKind::kSession:
    case TimeWindowKind::kSliding:
      return time + spec.size;
  }
  return time;
}

// Where a row leaves its window, given end-inclusive windows (end - size, end]. Stream
// Analytics' documentation of the sliding window gives this example: events A at 34, B at 38
// and C at 42 in windows of 5 produce windows ending at 34 (A entered), 38 (B entered), 39 (A
// exited), 42 (C entered) and 43 (B exited), and none at 47 (C exited, leaving the window
// empty). A at 34 is in the windows (end - 5, end] with end in [34, 39): the window ending at
// 39 = 34 + 5 is the first without it, and holds B alone. So the row at t adds a window ending
// at t + size (not in it), output only when a later row is in (t, t + size].
std::vector<int64_t> SlidingWindowEnds(const TimeWindowSpec& spec, const std::vector<int64_t>& times) {
  std::vector<int64_t> ends;
  ends.reserve(times.size() * 2);
  for (int64_t t : times) {
    ends.push_back(t);
    int64_t exit = 0;
    if (!__builtin_add_overflow(t, spec.size, &exit)) ends.push_back(exit);
  }
  std::sort(ends.begin(), ends.end());
  ends.erase(std::unique(ends.begin(), ends.end()), ends.end());
  // Keep the ends whose window holds a time: the last time at or before the end is after its start.
  std::erase_if(ends, [&](int64_t end) {
    auto after = std::upper_bound(times.begin(), times.end(), end);
    return after == times.begin() || *(after - 1) <= end - spec.size;
  });
  return ends;
}

std::string ToString(const TimeWindowSpec& spec) {
  std::string s;
  switch (spec.kind) {
    case TimeWindowKind::kTumble: s = "Tumble(" + std::to_string(spec.size); break;
    case TimeWindowKind::kHop:
      s = "Hop(" + std::to_string(spec.size) + ", slide " + std::to_string(spec.slide);
      break;
    case TimeWindowKind::kCumulate:
      s = "Cumulate(" + std::to_string(spec.size) + ", step " + std::to_string(spec.slide);
      break;
    case TimeWindowKind::kSession: s = "Session(gap " + std::to_string(spec.size); break;
    case TimeWindowKind::kSliding: s = "Sliding(" + std::to_string(spec.size); break;
  }
  if (spec.offset != 0) s += ", offset " + std::to_string(spec.offset);
  if (spec.end_inclusive) s += ", end inclusive";
  return s + ") on " + spec.time_field;
}

}  // namespace tidelake::plan
