// What every generator source shares (generator_source.h), exercised through the e-commerce
// orders stream: offsets and how far NextEnd goes (bounded, or paced by a fake wall clock),
// event time at the configured rate, out-of-order and late events within their bounds, and a
// whole query through the micro-batch runner.
#include "stream/generators/generator_source.h"

#include <arrow/api.h>
#include <arrow/filesystem/localfs.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <limits>

#include "common/arrow_init.h"
#include "delta/scan.h"
#include "delta/snapshot.h"
#include "stream/checkpoint.h"
#include "stream/generators/ecommerce_source.h"
#include "stream/micro_batch.h"
#include "stream/sink.h"

namespace tidelake::stream {
namespace {

constexpr int64_t kBase = 1700000000000;  // event 0's time, ms

class GeneratorSourceTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(EnsureArrowInitialized().ok()); }

  static EcommerceOptions Options() {
    EcommerceOptions options;
    options.generator.seed = 42;
    options.generator.events_per_second = 1000;
    options.generator.event_count = 1000000;
    options.generator.base_time_ms = kBase;
    return options;
  }

  // Unbounded, paced by `*now` (the wall clock, ms) at `rate` events/s, event 0 happening when
  // the query starts.
  static EcommerceOptions LiveOptions(const int64_t* now, double rate) {
    auto options = Options();
    options.generator.event_count.reset();
    options.generator.events_per_second = rate;
    options.generator.base_time_ms.reset();
    options.generator.now_ms = [now] { return *now; };
    return options;
  }

  static std::unique_ptr<EcommerceSource> Make(EcommerceOptions options) {
    auto source = EcommerceSource::Make("orders", std::move(options));
    EXPECT_TRUE(source.ok()) << source.status().ToString();
    return source.ok() ? std::move(*source) : nullptr;
  }

  // NextEnd's event, or -1 when nothing is offered.
  static int64_t NextEvent(GeneratorSource& source, const std::string& start, std::string* end = nullptr) {
    auto next = source.NextEnd(start);
    EXPECT_TRUE(next.ok()) << next.status().ToString();
    if (!next.ok() || !next->has_value()) return -1;
    if (end != nullptr) *end = **next;
    return *source.EventOf(**next);
  }

  // The event timestamps (ms) of events [begin, end).
  static std::vector<int64_t> Times(GeneratorSource& source, const std::string& initial, int64_t begin, int64_t end) {
    auto table = source.Read(*source.OffsetAt(initial, begin), *source.OffsetAt(initial, end));
    EXPECT_TRUE(table.ok()) << table.status().ToString();
    std::vector<int64_t> times;
    if (!table.ok()) return times;
    for (const auto& chunk : (*table)->GetColumnByName("event_timestamp")->chunks()) {
      const auto& values = static_cast<const arrow::TimestampArray&>(*chunk);
      for (int64_t i = 0; i < values.length(); ++i) times.push_back(values.Value(i) / 1000);
    }
    return times;
  }
};

TEST_F(GeneratorSourceTest, ABoundedGeneratorOffersEverythingUpToItsCount) {
  auto options = Options();
  options.generator.event_count = 1000;
  options.generator.max_events_per_trigger = 300;
  auto source = Make(options);
  ASSERT_TRUE(source);
  std::string offset = *source->InitialOffset();
  std::vector<int64_t> ends;
  for (std::string end; NextEvent(*source, offset, &end) >= 0; offset = end) ends.push_back(*source->EventOf(end));
  EXPECT_EQ(ends, (std::vector<int64_t>{300, 600, 900, 1000}));

  std::string initial = *source->InitialOffset();
  auto all = source->Read(initial, *source->OffsetAt(initial, 1000));
  ASSERT_TRUE(all.ok());
  EXPECT_EQ((*all)->num_rows(), 1000);
  auto past = source->Read(initial, *source->OffsetAt(initial, 1001));
  ASSERT_FALSE(past.ok());
  EXPECT_NE(past.status().ToString().find("has 1000 events"), std::string::npos) << past.status().ToString();
}

TEST_F(GeneratorSourceTest, AnUnboundedGeneratorFollowsTheWallClockAndCatchesUpAfterARestart) {
  int64_t now = 5000000;
  auto options = LiveOptions(&now, 100);
  auto source = Make(options);
  ASSERT_TRUE(source);
  const std::string initial = *source->InitialOffset();
  std::string first;
  EXPECT_EQ(NextEvent(*source, initial, &first), 1);  // event 0 is due at once
  now += 1000;
  std::string second;
  EXPECT_EQ(NextEvent(*source, first, &second), 101);  // 100 more a second
  EXPECT_EQ(NextEvent(*source, second), -1);
  now += 5;
  EXPECT_EQ(NextEvent(*source, second), -1);  // the next is due at 10 ms

  // Event time starts at the query's start, and stays there in another process later.
  EXPECT_EQ(Times(*source, initial, 0, 3), (std::vector<int64_t>{5000000, 5000010, 5000020}));
  int64_t later = now + 60000;
  options.generator.now_ms = [&later] { return later; };
  auto restarted = Make(options);
  ASSERT_TRUE(restarted);
  EXPECT_EQ(Times(*restarted, initial, 0, 3), (std::vector<int64_t>{5000000, 5000010, 5000020}));
  EXPECT_EQ(NextEvent(*restarted, second), 6101);  // what fell due while it was down
}

TEST_F(GeneratorSourceTest, AnAvailableNowRunEndsAtWhatWasDueWhenItStarted) {
  int64_t now = 5000000;
  auto options = LiveOptions(&now, 100);
  auto source = Make(options);
  ASSERT_TRUE(source);
  const std::string initial = *source->InitialOffset();
  now += 1000;  // 101 events are due
  ASSERT_TRUE(source->PrepareAvailableNow(initial).ok());
  now += 1000;  // 100 more fall due while the run goes on: not for it
  std::string end;
  EXPECT_EQ(NextEvent(*source, initial, &end), 101);
  EXPECT_EQ(NextEvent(*source, end), -1);
}

TEST_F(GeneratorSourceTest, EventsReadAheadWhileWaitingGiveTheSameRows) {
  int64_t now = 5000000;
  auto options = LiveOptions(&now, 1000);
  options.generator.max_events_per_trigger = 700;
  options.generator.rows_per_chunk = 64;
  auto ahead = Make(options);
  auto plain = Make(options);
  ASSERT_TRUE(ahead && plain);
  const std::string initial = *ahead->InitialOffset();
  const auto later = std::chrono::steady_clock::now() + std::chrono::hours(1);
  // Both read the same rows; returns how many chunks the read-ahead source's rows came in.
  auto same = [&](const std::string& start, const std::string& end) -> int {
    auto read = ahead->Read(start, end);
    auto expected = plain->Read(start, end);
    EXPECT_TRUE(read.ok() && expected.ok());
    if (!read.ok() || !expected.ok()) return -1;
    EXPECT_TRUE((*read)->Equals(**expected));
    return (*read)->column(0)->num_chunks();
  };

  // Half a second's events fall due while the query waits: it reads them ahead in two steps
  // (events 0-200 and 201-500, in chunks of 64), and the batch takes those chunks.
  now += 200;
  ahead->ReadAhead(initial, later);
  now += 300;
  ahead->ReadAhead(initial, later);
  std::string end;
  EXPECT_EQ(NextEvent(*ahead, initial, &end), 501);
  EXPECT_EQ(same(initial, end), 4 + 5);

  // A batch that ends before what was read ahead (a later clock) takes the chunks within it.
  now += 1000;
  ahead->ReadAhead(end, later);
  EXPECT_EQ(same(end, *ahead->OffsetAt(initial, 600)), 2);  // 501-564 read ahead, 565-599 not
  // Read ahead from another start: unused.
  ahead->ReadAhead(*ahead->OffsetAt(initial, 700), later);
  same(*ahead->OffsetAt(initial, 600), *ahead->OffsetAt(initial, 900));
  // Nothing is read once the time is up.
  ahead->ReadAhead(*ahead->OffsetAt(initial, 900), std::chrono::steady_clock::now());
  same(*ahead->OffsetAt(initial, 900), *ahead->OffsetAt(initial, 1400));
}

TEST_F(GeneratorSourceTest, TimestampsAdvanceByOneOverTheRateAndAreMonotoneWithoutDisorder) {
  auto options = Options();
  options.generator.events_per_second = 7777;
  auto source = Make(options);
  ASSERT_TRUE(source);
  const std::string initial = *source->InitialOffset();
  auto times = Times(*source, initial, 0, 100000);
  ASSERT_EQ(times.size(), 100000u);
  EXPECT_TRUE(std::is_sorted(times.begin(), times.end()));
  EXPECT_EQ(times.front(), kBase);
  for (int64_t i : {1, 7777, 99999}) EXPECT_EQ(times[static_cast<size_t>(i)], kBase + i * 1000 / 7777) << i;
}

TEST_F(GeneratorSourceTest, OutOfOrderAndLateEventsComeAtTheirRatesWithinTheirBounds) {
  auto options = Options();
  options.generator.events_per_second = 2000;
  options.generator.out_of_order_fraction = 0.2;
  options.generator.max_out_of_order_ms = 500;
  options.generator.late_fraction = 0.05;
  options.generator.lateness_ms = 1000;
  options.generator.max_late_delay_ms = 3000;
  auto source = Make(options);
  ASSERT_TRUE(source);
  const std::string initial = *source->InitialOffset();
  const int64_t n = 200000;
  auto times = Times(*source, initial, 0, n);
  ASSERT_EQ(times.size(), static_cast<size_t>(n));
  EXPECT_EQ(Times(*source, initial, 0, n), times);  // the disorder is part of the stream

  auto clock = source->ClockOf(initial);
  ASSERT_TRUE(clock.ok());
  int64_t out_of_order = 0, late = 0, behind_watermark = 0, behind_allowed_disorder = 0;
  int64_t max_seen = std::numeric_limits<int64_t>::min() / 2;
  for (int64_t i = 0; i < n; ++i) {
    const int64_t delay = clock->InOrderMs(i) - times[static_cast<size_t>(i)];
    ASSERT_EQ(delay, clock->DelayMs(i));
    ASSERT_GE(delay, 0);
    ASSERT_LE(delay, 3000);
    ASSERT_FALSE(delay > 500 && delay <= 1000) << "event " << i << " delayed " << delay << " ms";
    if (delay > 1000) ++late;
    if (delay > 0 && delay <= 500) ++out_of_order;
    // Against the watermarks of a query allowing 500 ms of disorder, or 1000 ms of lateness.
    if (times[static_cast<size_t>(i)] < max_seen - 1000) ++behind_watermark;
    if (times[static_cast<size_t>(i)] < max_seen - 500) {
      ++behind_allowed_disorder;
      EXPECT_GT(delay, 1000) << "an out-of-order event " << i << " is late";
    }
    max_seen = std::max(max_seen, times[static_cast<size_t>(i)]);
  }
  EXPECT_NEAR(static_cast<double>(out_of_order) / n, 0.2, 0.01);
  EXPECT_NEAR(static_cast<double>(late) / n, 0.05, 0.005);
  // Late events are late (a few fall on an in-order neighbour's boundary).
  EXPECT_NEAR(static_cast<double>(behind_watermark) / n, 0.05, 0.005);
  EXPECT_EQ(behind_allowed_disorder, late);
}

TEST_F(GeneratorSourceTest, RejectsBadOptionsAndOffsetsOfAnotherStream) {
  auto options = Options();
  options.generator.out_of_order_fraction = 0.7;
  options.generator.late_fraction = 0.4;
  options.generator.max_out_of_order_ms = 10;
  options.generator.lateness_ms = 100;
  EXPECT_FALSE(EcommerceSource::Make("orders", options).ok());  // fractions add up to more than 1
  options = Options();
  options.generator.out_of_order_fraction = 0.1;
  options.generator.max_out_of_order_ms = 2000;
  options.generator.late_fraction = 0.1;
  options.generator.lateness_ms = 1000;
  auto overlapping = EcommerceSource::Make("orders", options);
  ASSERT_FALSE(overlapping.ok());
  EXPECT_NE(overlapping.status().ToString().find("must not exceed the lateness"), std::string::npos);
  options = Options();
  options.generator.out_of_order_fraction = 0.1;  // without a maximum delay
  EXPECT_FALSE(EcommerceSource::Make("orders", options).ok());
  options = Options();
  options.generator.rows_per_chunk = 0;
  EXPECT_FALSE(EcommerceSource::Make("orders", options).ok());
  options = Options();
  options.generator.event_count.reset();
  options.generator.rate_limited = false;  // as fast as possible, forever: batches need a bound
  EXPECT_FALSE(EcommerceSource::Make("orders", options).ok());
  options.generator.max_events_per_trigger = 100000;
  EXPECT_TRUE(EcommerceSource::Make("orders", options).ok());

  auto source = Make(Options());
  auto other_options = Options();
  other_options.generator.seed = 43;
  auto other = Make(other_options);
  ASSERT_TRUE(source && other);
  auto refused = other->NextEnd(*source->InitialOffset());
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().ToString().find("with seed 42"), std::string::npos) << refused.status().ToString();
  auto clicks_options = Options();
  clicks_options.stream = EcommerceStream::kClickstream;
  auto clicks = Make(clicks_options);
  EXPECT_FALSE(clicks->Read(*source->InitialOffset(), *source->OffsetAt(*source->InitialOffset(), 5)).ok());
}

// A bounded stream through the micro-batch runner into a Delta table, with a restart between
// batches: every event lands once.
TEST_F(GeneratorSourceTest, AQueryWritesEveryEventOnceAcrossRestarts) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("tidelake-generator-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  auto local = std::make_shared<arrow::fs::LocalFileSystem>();
  delta::TableLocation sink{local, (dir / "sink").string(), "raw.orders"};
  auto run = [&](TriggerKind kind) {
    auto options = Options();
    options.generator.event_count = 2500;
    options.generator.max_events_per_trigger = 1000;
    std::vector<std::unique_ptr<Source>> sources;
    sources.push_back(Make(options));
    auto checkpoint = Checkpoint::Open(local, (dir / "checkpoint").string());
    ASSERT_TRUE(checkpoint.ok()) << checkpoint.status().ToString();
    auto runner = MicroBatchRunner::Make(
        std::move(sources),
        [](const std::map<std::string, std::shared_ptr<arrow::Table>>& in)
            -> arrow::Result<std::shared_ptr<arrow::Table>> { return in.at("orders"); },
        std::make_unique<DeltaAppendSink>(sink), std::move(*checkpoint));
    ASSERT_TRUE(runner.ok()) << runner.status().ToString();
    auto status = (*runner)->Run(Trigger{kind});
    ASSERT_TRUE(status.ok()) << status.ToString();
  };
  run(TriggerKind::kOnce);
  run(TriggerKind::kAvailableNow);
  run(TriggerKind::kAvailableNow);

  auto snapshot = delta::Snapshot::Load(sink);
  ASSERT_TRUE(snapshot.ok()) << snapshot.status().ToString();
  auto scan = delta::Scan::Make(*snapshot, delta::ScanOptions{});
  ASSERT_TRUE(scan.ok());
  auto table = (*scan)->ToTable();
  ASSERT_TRUE(table.ok());
  std::vector<int64_t> ids;
  for (const auto& chunk : (*table)->GetColumnByName("event_id")->chunks()) {
    const auto& values = static_cast<const arrow::Int64Array&>(*chunk);
    for (int64_t i = 0; i < values.length(); ++i) ids.push_back(values.Value(i));
  }
  std::sort(ids.begin(), ids.end());
  ASSERT_EQ(ids.size(), 2500u);
  for (int64_t i = 0; i < 2500; ++i) ASSERT_EQ(ids[static_cast<size_t>(i)], i);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace tidelake::stream
