#include "plan/time_window.h"

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
      return time + spec.size;
  }
  return time;
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
  }
  if (spec.offset != 0) s += ", offset " + std::to_string(spec.offset);
  if (spec.end_inclusive) s += ", end inclusive";
  return s + ") on " + spec.time_field;
}

}  // namespace tidelake::plan
