// Event-time windows: which windows hold a time, for every window kind. The batch executor
// assigns rows to windows with it and the streaming engine decides with it when a window is
// closed and whether a row is late, so the two modes agree on every boundary.
//
// Sessions and sliding windows depend on the other rows of their partition: which windows
// there are is only known from all of them (WindowsDependOnRows).
//
// Times and lengths are integers in the time field's unit (microseconds for TIMESTAMP). A
// window holds the times in [start, end), or in (start, end] when `end_inclusive` (Stream
// Analytics' convention), and windows are aligned to `offset` after the epoch: tumbling windows
// of size s start at offset + k*s for every integer k, also before 1970.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace tidelake::plan {

enum class TimeWindowKind : uint8_t {
  kTumble,    ///< windows of `size`, back to back
  kHop,       ///< windows of `size` starting every `slide` (they overlap when slide < size)
  kCumulate,  ///< from each `size`-aligned start, windows growing by `slide` up to `size`
  kSession,   ///< per `partition_by` group, runs of times less than `size` (the gap) apart
  kSliding,   ///< per `partition_by` group, a window of `size` ending at each time a row enters
              ///< or leaves it, when it holds a row (Stream Analytics' SlidingWindow)
};

struct TimeWindowSpec {
  TimeWindowKind kind = TimeWindowKind::kTumble;
  std::string time_field;  ///< a timestamp field of the node's input
  int64_t size = 0;        ///< window length; for sessions the gap. > 0
  int64_t slide = 0;       ///< hop: the distance between starts; cumulate: the step. > 0
  int64_t offset = 0;
  bool end_inclusive = false;
  /// Sessions: longest a session may last (Stream Analytics' maximum duration); 0 = no limit.
  int64_t max_duration = 0;
  std::vector<std::string> partition_by;  ///< sessions and sliding windows: field names of the input
};

/// Sessions and sliding windows: a row's windows depend on the other rows of its partition, so
/// rows are assigned once all are there (batch) or once the watermark closes their windows
/// (streaming), never row by row; predicates may only move below them on the partition fields.
inline bool WindowsDependOnRows(const TimeWindowSpec& spec) {
  return spec.kind == TimeWindowKind::kSession || spec.kind == TimeWindowKind::kSliding;
}

struct TimeWindowBounds {
  int64_t start = 0;
  int64_t end = 0;
  bool operator==(const TimeWindowBounds& o) const { return start == o.start && end == o.end; }
};

/// Appends the windows holding `time` to `out`, by start (tumble: one; hop: about size/slide;
/// cumulate: one per step still ahead of the time). Sessions and sliding windows depend on
/// other rows: none here.
void WindowsOf(const TimeWindowSpec& spec, int64_t time, std::vector<TimeWindowBounds>* out);

/// The end of the last window that can hold `time`: once the watermark reaches it, no window
/// holding `time` is still open. Sessions: time + gap (the earliest its session can end).
/// Sliding windows: time + size, the end of the window its leaving makes (which the row
/// decides, though it is not in it).
int64_t LastWindowEnd(const TimeWindowSpec& spec, int64_t time);

/// The ends of the sliding windows (kSliding, end-inclusive) over the times of one partition,
/// `times` sorted ascending: every time (a row enters the window ending there) and every time
/// + size (it has left the window ending there), when the window (end - size, end] holds one of
/// `times`; ascending, each once. The row at t is in the windows ending in [t, t + size).
std::vector<int64_t> SlidingWindowEnds(const TimeWindowSpec& spec, const std::vector<int64_t>& times);

/// floor(a / b) for b > 0, also for negative a.
inline int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && (a < 0)); }

/// "TUMBLE(size)" and the like, for EXPLAIN.
std::string ToString(const TimeWindowSpec& spec);

}  // namespace tidelake::plan
