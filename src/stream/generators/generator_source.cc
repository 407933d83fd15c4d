#include "stream/generators/generator_source.h"

#include <arrow/api.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/clock.h"

namespace tidelake::stream {

namespace {

using nlohmann::json;

constexpr uint64_t kDisorderStream = 0xD150;
constexpr int64_t kMaxRowsPerChunk = 1 << 20;

}  // namespace

EventClock::EventClock(const GeneratorOptions& options, int64_t base_time_ms)
    : base_ms_(base_time_ms),
      ms_per_event_(1000.0 / options.events_per_second),
      disorder_(options.late_fraction > 0 || options.out_of_order_fraction > 0),
      key_(StreamKey(options.seed, kDisorderStream)),
      late_fraction_(options.late_fraction),
      disorder_fraction_(options.late_fraction + options.out_of_order_fraction),
      max_out_of_order_ms_(options.max_out_of_order_ms),
      lateness_ms_(options.lateness_ms),
      max_late_delay_ms_(options.max_late_delay_ms) {}

int64_t EventClock::Delay(int64_t i) const {
  EventRandom random(key_, static_cast<uint64_t>(i));
  const double u = random.Uniform();
  if (u < late_fraction_) return lateness_ms_ + 1 + random.Below(max_late_delay_ms_ - lateness_ms_);
  if (u < disorder_fraction_) return 1 + random.Below(max_out_of_order_ms_);
  return 0;
}

GeneratorSource::GeneratorSource(std::string name, std::string generator, GeneratorOptions options,
                                 std::shared_ptr<arrow::Schema> schema)
    : name_(std::move(name)),
      generator_(std::move(generator)),
      options_(std::move(options)),
      schema_(std::move(schema)) {}

arrow::Status GeneratorSource::Validate(const std::string& name, GeneratorOptions* options) {
  auto bad = [&](auto&&... why) { return arrow::Status::Invalid("generator source '", name, "': ", why...); };
  if (!(options->events_per_second > 0) || !std::isfinite(options->events_per_second)) {
    return bad("events per second must be positive, got ", options->events_per_second);
  }
  if (options->event_count && *options->event_count < 0) return bad("the event count must not be negative");
  if (options->max_events_per_trigger && *options->max_events_per_trigger < 1) {
    return bad("at most N events per trigger needs N >= 1, got ", *options->max_events_per_trigger);
  }
  if (options->rows_per_chunk < 1 || options->rows_per_chunk > kMaxRowsPerChunk) {
    return bad("rows per chunk must be between 1 and ", kMaxRowsPerChunk, ", got ", options->rows_per_chunk);
  }
  const double ooo = options->out_of_order_fraction;
  const double late = options->late_fraction;
  if (!(ooo >= 0 && ooo <= 1) || !(late >= 0 && late <= 1) || ooo + late > 1) {
    return bad("the out-of-order and late fractions must be between 0 and 1 and add up to at most 1, got ", ooo,
               " and ", late);
  }
  if (ooo > 0 && options->max_out_of_order_ms < 1) {
    return bad("out-of-order events need a maximum delay of at least 1 ms");
  }
  if (late > 0) {
    if (options->lateness_ms < 0) return bad("the lateness must not be negative");
    if (options->max_late_delay_ms == 0) options->max_late_delay_ms = std::max<int64_t>(2 * options->lateness_ms, 1);
    if (options->max_late_delay_ms <= options->lateness_ms) {
      return bad("late events are moved back by more than the lateness (", options->lateness_ms,
                 " ms), so their maximum delay must exceed it, got ", options->max_late_delay_ms, " ms");
    }
    if (ooo > 0 && options->max_out_of_order_ms > options->lateness_ms) {
      return bad("out-of-order delays (up to ", options->max_out_of_order_ms,
                 " ms) must not exceed the lateness (", options->lateness_ms,
                 " ms), or out-of-order events would be late too");
    }
  }
  if (!options->event_count && options->rate_limited == false && !options->max_events_per_trigger) {
    return bad("an unbounded generator that does not follow the wall clock needs at most N events per trigger");
  }
  if (!options->now_ms) options->now_ms = NowMillis;
  return arrow::Status::OK();
}

std::string GeneratorSource::Format(const Position& position) const {
  return json{{"generator", generator_},
              {"seed", options_.seed},
              {"event", position.event},
              {"baseTimeMs", position.base_time_ms},
              {"startedAtMs", position.started_at_ms}}
      .dump();
}

arrow::Result<GeneratorSource::Position> GeneratorSource::Parse(const std::string& offset) const {
  json j = json::parse(offset, nullptr, /*allow_exceptions=*/false);
  auto bad = [&](const std::string& why) {
    return arrow::Status::Invalid("offset ", offset, " of generator source '", name_, "' is not valid: ", why);
  };
  if (j.is_discarded() || !j.is_object()) return bad("not a JSON object");
  auto generator = j.find("generator");
  auto seed = j.find("seed");
  if (generator == j.end() || !generator->is_string() || seed == j.end() || !seed->is_number_unsigned()) {
    return bad("generator and seed are required");
  }
  if (generator->get<std::string>() != generator_ || seed->get<uint64_t>() != options_.seed) {
    return arrow::Status::Invalid("the checkpoint of generator source '", name_, "' is for the ",
                                  generator->get<std::string>(), " generator with seed ", seed->get<uint64_t>(),
                                  ", not the ", generator_, " generator with seed ", options_.seed,
                                  "; restart the query from a new checkpoint to generate another stream");
  }
  auto event = j.find("event");
  auto base = j.find("baseTimeMs");
  auto started = j.find("startedAtMs");
  if (event == j.end() || !event->is_number_integer() || base == j.end() || !base->is_number_integer() ||
      started == j.end() || !started->is_number_integer()) {
    return bad("event, baseTimeMs and startedAtMs are required");
  }
  Position position{event->get<int64_t>(), base->get<int64_t>(), started->get<int64_t>()};
  if (position.event < 0) return bad("negative event");
  if (options_.base_time_ms && *options_.base_time_ms != position.base_time_ms) {
    return arrow::Status::Invalid("the checkpoint of generator source '", name_, "' has event 0 at ",
                                  position.base_time_ms, " ms, but the source is configured with ",
                                  *options_.base_time_ms, " ms; restart the query from a new checkpoint");
  }
  return position;
}

arrow::Result<int64_t> GeneratorSource::EventOf(const std::string& offset) const {
  ARROW_ASSIGN_OR_RAISE(Position position, Parse(offset));
  return position.event;
}

arrow::Result<std::string> GeneratorSource::OffsetAt(const std::string& offset, int64_t event) const {
  ARROW_ASSIGN_OR_RAISE(Position position, Parse(offset));
  if (event < 0) return arrow::Status::Invalid("generator source '", name_, "' has no event ", event);
  position.event = event;
  return Format(position);
}

arrow::Result<EventClock> GeneratorSource::ClockOf(const std::string& offset) const {
  ARROW_ASSIGN_OR_RAISE(Position position, Parse(offset));
  return EventClock(options_, position.base_time_ms);
}

arrow::Result<std::string> GeneratorSource::InitialOffset() {
  const int64_t now = options_.now_ms();
  return Format(Position{0, options_.base_time_ms.value_or(now), now});
}

int64_t GeneratorSource::AvailableAt(const Position& position) const {
  constexpr int64_t kNoEnd = std::numeric_limits<int64_t>::max();
  int64_t end = options_.event_count.value_or(kNoEnd);
  if (options_.rate_limited.value_or(!options_.event_count.has_value())) {
    // Event i falls due once i / rate seconds have passed since the query started.
    const double elapsed_ms = static_cast<double>(std::max<int64_t>(0, options_.now_ms() - position.started_at_ms));
    const double due = std::floor(elapsed_ms * options_.events_per_second / 1000.0) + 1;
    if (due < static_cast<double>(end)) end = static_cast<int64_t>(due);
  }
  return end;
}

arrow::Status GeneratorSource::PrepareAvailableNow(const std::string& start) {
  ARROW_ASSIGN_OR_RAISE(Position position, Parse(start));
  available_now_ = AvailableAt(position);
  return arrow::Status::OK();
}

int64_t GeneratorSource::BatchEnd(const Position& position) const {
  int64_t end = AvailableAt(position);
  if (available_now_) end = std::min(end, *available_now_);
  if (options_.max_events_per_trigger && end - position.event > *options_.max_events_per_trigger) {
    end = position.event + *options_.max_events_per_trigger;
  }
  return end;
}

arrow::Result<std::optional<std::string>> GeneratorSource::NextEnd(const std::string& start) {
  ARROW_ASSIGN_OR_RAISE(Position position, Parse(start));
  const int64_t end = BatchEnd(position);
  if (end <= position.event) return std::nullopt;
  position.event = end;
  return Format(position);
}

void GeneratorSource::ReadAhead(const std::string& start, std::chrono::steady_clock::time_point until) {
  auto position = Parse(start);
  if (!position.ok()) return;  // Read reports it
  if (!ahead_ || ahead_->base_time_ms != position->base_time_ms || ahead_->first != position->event) {
    ahead_ = Ahead{position->base_time_ms, position->event, position->event, {}, {}};
  }
  const int64_t end = BatchEnd(*position);
  const EventClock clock(options_, position->base_time_ms);
  while (ahead_->end < end && std::chrono::steady_clock::now() < until) {
    const int64_t count = std::min(options_.rows_per_chunk, end - ahead_->end);
    auto chunk = Generate(clock, ahead_->end, count);
    if (!chunk.ok()) {
      ahead_.reset();
      return;
    }
    ahead_->end += count;
    ahead_->chunks.push_back(std::move(*chunk));
    ahead_->ends.push_back(ahead_->end);
  }
}

arrow::Result<std::shared_ptr<arrow::Table>> GeneratorSource::Read(const std::string& start, const std::string& end) {
  ARROW_ASSIGN_OR_RAISE(Position from, Parse(start));
  ARROW_ASSIGN_OR_RAISE(Position to, Parse(end));
  if (from.base_time_ms != to.base_time_ms) {
    return arrow::Status::Invalid("generator source '", name_, "' cannot read from ", start, " to ", end,
                                  ": they put event 0 at different times");
  }
  if (to.event < from.event) {
    return arrow::Status::Invalid("generator source '", name_, "' cannot read back from event ", from.event,
                                  " to event ", to.event);
  }
  if (options_.event_count && to.event > *options_.event_count) {
    return arrow::Status::Invalid("generator source '", name_, "' has ", *options_.event_count,
                                  " events; it cannot read up to event ", to.event);
  }
  std::vector<std::shared_ptr<arrow::RecordBatch>> batches;
  int64_t next = from.event;
  // The chunks read ahead from here that end within the range; the rest is generated now.
  if (ahead_ && ahead_->base_time_ms == from.base_time_ms && ahead_->first == from.event) {
    for (size_t k = 0; k < ahead_->chunks.size() && ahead_->ends[k] <= to.event; ++k) {
      if (ahead_->chunks[k]->num_rows() > 0) batches.push_back(std::move(ahead_->chunks[k]));
      next = ahead_->ends[k];
    }
  }
  ahead_.reset();
  EventClock clock(options_, from.base_time_ms);
  for (int64_t first = next; first < to.event; first += options_.rows_per_chunk) {
    ARROW_ASSIGN_OR_RAISE(auto batch, Generate(clock, first, std::min(options_.rows_per_chunk, to.event - first)));
    if (batch->num_rows() > 0) batches.push_back(std::move(batch));
  }
  return arrow::Table::FromRecordBatches(schema_, std::move(batches));
}

}  // namespace tidelake::stream
