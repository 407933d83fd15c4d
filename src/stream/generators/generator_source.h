// Built-in event generators as streaming sources (NEXMark, e-commerce): what they share.
//
// A generator's stream is the sequence of events 0, 1, 2, ...; event i is computed from
// (seed, i) alone (see event_random.h), so a batch can start anywhere and Read(start, end)
// returns exactly the same rows every time, in any process.
//
// Offsets are event sequence numbers: {"generator": g, "seed": s, "event": n, "baseTimeMs": b,
// "startedAtMs": w} means "events before n have been read". A batch reads events [start, end).
// The offset also carries what the rows depend on beyond the options: the event time of event 0
// (b) and the wall-clock time the query started (w), both fixed by InitialOffset, so a restart
// regenerates the same timestamps and keeps its pace. An offset made with another generator or
// seed is refused.
//
// Event time: event i happens at b + i / events_per_second (ms, truncated), so timestamps
// advance by 1 / rate per event and are monotone unless disorder is asked for:
//  - out of order: a fraction of events has its timestamp moved back by a delay drawn from
//    [1, max_out_of_order_ms]; against a watermark of (max time seen - max_out_of_order_ms) none
//    of them is late;
//  - late: a fraction of events is moved back by a delay drawn from (lateness_ms,
//    max_late_delay_ms], further than a query allowing `lateness_ms` waits for.
// Disorder only moves timestamps: which events exist, in which order, and their other fields do
// not change with it.
//
// How far NextEnd goes: a bounded generator (event_count set) offers every event up to the
// count at once (at most max_events_per_trigger per batch), so a benchmark runs as fast as the
// query can go. An unbounded one is rate limited: it offers the events whose time has come on
// the wall clock, events_per_second of them per second since the query started (w), like a live
// feed; rate_limited overrides either default. After a restart a rate-limited generator catches
// up on the events that fell due while it was down.
//
// Not thread-safe: one thread drives a source.
#pragma once

#include <arrow/record_batch.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "stream/generators/event_random.h"
#include "stream/source.h"

namespace tidelake::stream {

struct GeneratorOptions {
  uint64_t seed = 0;
  /// Events per second of event time (timestamps advance by 1 / rate per event); also the pace
  /// of a rate-limited generator on the wall clock.
  double events_per_second = 10000;
  /// Bounded: events [0, count). Unset: unbounded.
  std::optional<int64_t> event_count;
  /// Offer only the events whose time has come on the wall clock. Default: when unbounded.
  std::optional<bool> rate_limited;
  /// At most this many events (rows) per batch. Also bounds the batches of a rate-limited
  /// generator catching up after a restart. Required when unbounded and not rate limited.
  std::optional<int64_t> max_events_per_trigger;
  /// Rows per Arrow record batch in the tables Read returns (at most 1,048,576).
  int64_t rows_per_chunk = 64 * 1024;
  /// The event time of event 0, ms since the epoch. Unset: the wall clock when the query starts.
  std::optional<int64_t> base_time_ms;
  /// Out-of-order events: this fraction is moved back by up to max_out_of_order_ms.
  double out_of_order_fraction = 0;
  int64_t max_out_of_order_ms = 0;
  /// Late events: this fraction is moved back by more than lateness_ms, up to max_late_delay_ms
  /// (0: twice the lateness).
  double late_fraction = 0;
  int64_t lateness_ms = 0;
  int64_t max_late_delay_ms = 0;
  /// The wall clock (ms since the epoch); tests replace it.
  std::function<int64_t()> now_ms;
};

/// The event times of a generator's events, for one base time.
class EventClock {
 public:
  EventClock(const GeneratorOptions& options, int64_t base_time_ms);

  /// Event i's time before disorder, ms since the epoch.
  int64_t InOrderMs(int64_t i) const {
    return base_ms_ + static_cast<int64_t>(static_cast<double>(i) * ms_per_event_);
  }
  /// How far event i is moved back, ms (0 for events in order).
  int64_t DelayMs(int64_t i) const {
    if (!disorder_) return 0;
    return Delay(i);
  }
  /// Event i's timestamp, ms since the epoch.
  int64_t TimeMs(int64_t i) const { return InOrderMs(i) - DelayMs(i); }

 private:
  int64_t Delay(int64_t i) const;

  int64_t base_ms_;
  double ms_per_event_;
  bool disorder_;
  uint64_t key_;
  double late_fraction_;
  double disorder_fraction_;  ///< late + out of order
  int64_t max_out_of_order_ms_;
  int64_t lateness_ms_;
  int64_t max_late_delay_ms_;
};

class GeneratorSource : public Source {
 public:
  const std::string& name() const override { return name_; }
  const std::shared_ptr<arrow::Schema>& schema() const override { return schema_; }
  arrow::Result<std::string> InitialOffset() override;
  arrow::Result<std::optional<std::string>> NextEnd(const std::string& start) override;
  arrow::Result<std::shared_ptr<arrow::Table>> Read(const std::string& start, const std::string& end) override;
  arrow::Status PrepareAvailableNow(const std::string& start) override;
  /// Generates the events after `start` already due, in chunks, until `until` (see Source).
  void ReadAhead(const std::string& start, std::chrono::steady_clock::time_point until) override;

  const GeneratorOptions& options() const { return options_; }
  /// The event an offset is at: how many events come before it.
  arrow::Result<int64_t> EventOf(const std::string& offset) const;
  /// The offset of the same stream (same run) at event `event`: to read a chosen range.
  arrow::Result<std::string> OffsetAt(const std::string& offset, int64_t event) const;
  /// The event clock of the stream an offset belongs to.
  arrow::Result<EventClock> ClockOf(const std::string& offset) const;

 protected:
  /// `generator` names the kind of stream in offsets ("nexmark", "ecommerce.orders").
  GeneratorSource(std::string name, std::string generator, GeneratorOptions options,
                  std::shared_ptr<arrow::Schema> schema);

  /// Drops the events generated ahead: what Generate returns has changed.
  void ForgetReadAhead() { ahead_.reset(); }

  /// Checks the options and fills in defaults.
  static arrow::Status Validate(const std::string& name, GeneratorOptions* options);

  /// The rows of events [first, first + count), count <= rows_per_chunk.
  virtual arrow::Result<std::shared_ptr<arrow::RecordBatch>> Generate(const EventClock& clock, int64_t first,
                                                                       int64_t count) = 0;

 private:
  struct Position {
    int64_t event = 0;
    int64_t base_time_ms = 0;
    int64_t started_at_ms = 0;
  };
  arrow::Result<Position> Parse(const std::string& offset) const;
  std::string Format(const Position& position) const;
  /// How many events exist at `position` (all of them, or those due on the wall clock).
  int64_t AvailableAt(const Position& position) const;
  /// The most events the batch starting at `position` may read (NextEnd's end).
  int64_t BatchEnd(const Position& position) const;

  /// Events [first, end) of the stream whose event 0 is at base_time_ms, generated ahead of
  /// the Read that starts at `first`: chunk k holds the events before ends[k].
  struct Ahead {
    int64_t base_time_ms = 0;
    int64_t first = 0;
    int64_t end = 0;
    std::vector<std::shared_ptr<arrow::RecordBatch>> chunks;
    std::vector<int64_t> ends;
  };

  std::string name_;
  std::string generator_;
  GeneratorOptions options_;
  std::shared_ptr<arrow::Schema> schema_;
  std::optional<int64_t> available_now_;  ///< available-now: no event at or past this
  std::optional<Ahead> ahead_;
};

}  // namespace tidelake::stream
