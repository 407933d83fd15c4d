// The NEXMark generator: deterministic under its seed and for any split of a range, the
// standard 1:3:46 mix, the reference generator's id and value semantics, and the per-kind views.
#include "stream/generators/nexmark_source.h"

#include <arrow/api.h>
#include <gtest/gtest.h>

#include <arrow/filesystem/localfs.h>

#include <filesystem>
#include <map>
#include <set>

#include "common/arrow_init.h"
#include "delta/scan.h"
#include "delta/snapshot.h"
#include "stream/checkpoint.h"
#include "stream/micro_batch.h"
#include "stream/sink.h"

namespace tidelake::stream {
namespace {

constexpr int64_t kBase = 1700000000000;  // event 0's time, ms

NexmarkOptions Options(uint64_t seed = 7, NexmarkTable table = NexmarkTable::kEvents) {
  NexmarkOptions options;
  options.table = table;
  options.generator.seed = seed;
  options.generator.events_per_second = 1000;  // one event per ms
  options.generator.event_count = int64_t{1} << 40;
  options.generator.base_time_ms = kBase;
  return options;
}

std::unique_ptr<NexmarkSource> Make(NexmarkOptions options) {
  auto source = NexmarkSource::Make("nexmark", std::move(options));
  EXPECT_TRUE(source.ok()) << source.status().ToString();
  return source.ok() ? std::move(*source) : nullptr;
}

// The offset before event n (as NextEnd would make it).
std::string At(GeneratorSource& source, int64_t n) {
  auto initial = source.InitialOffset();
  EXPECT_TRUE(initial.ok());
  auto offset = source.OffsetAt(*initial, n);
  EXPECT_TRUE(offset.ok());
  return *offset;
}

std::shared_ptr<arrow::Table> ReadRange(GeneratorSource& source, int64_t begin, int64_t end) {
  auto table = source.Read(At(source, begin), At(source, end));
  EXPECT_TRUE(table.ok()) << table.status().ToString();
  if (!table.ok()) return nullptr;
  EXPECT_TRUE((*table)->schema()->Equals(*source.schema()));
  auto combined = (*table)->CombineChunks();
  EXPECT_TRUE(combined.ok());
  EXPECT_TRUE((*combined)->ValidateFull().ok()) << (*combined)->ValidateFull().ToString();
  return *combined;
}

template <typename ArrayType>
const ArrayType& Column(const std::shared_ptr<arrow::Table>& table, const std::string& name) {
  return static_cast<const ArrayType&>(*table->GetColumnByName(name)->chunk(0));
}

template <typename ArrayType>
const ArrayType& Field(const std::shared_ptr<arrow::Table>& table, const std::string& column, const std::string& field) {
  const auto& s = static_cast<const arrow::StructArray&>(*table->GetColumnByName(column)->chunk(0));
  return static_cast<const ArrayType&>(*s.GetFieldByName(field));
}

class NexmarkSourceTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(EnsureArrowInitialized().ok()); }
};

TEST_F(NexmarkSourceTest, TheSameSeedAndRangeGiveTheSameRowsHoweverTheRangeIsSplit) {
  auto a = Make(Options());
  auto b = Make(Options());
  ASSERT_TRUE(a && b);
  auto whole = ReadRange(*a, 0, 100);
  auto again = ReadRange(*b, 0, 100);
  ASSERT_TRUE(whole && again);
  EXPECT_EQ(whole->num_rows(), 100);
  EXPECT_TRUE(whole->Equals(*again));

  auto head = ReadRange(*b, 0, 40);
  auto tail = ReadRange(*b, 40, 100);
  auto joined = arrow::ConcatenateTables({head, tail});
  ASSERT_TRUE(joined.ok());
  EXPECT_TRUE((*joined)->CombineChunks().ValueOrDie()->Equals(*whole));

  // Small chunks split the rows differently but not the values.
  auto options = Options();
  options.generator.rows_per_chunk = 7;
  auto chunked = Make(options);
  auto table = chunked->Read(At(*chunked, 0), At(*chunked, 100));
  ASSERT_TRUE(table.ok());
  EXPECT_EQ((*table)->column(0)->num_chunks(), 15);
  EXPECT_TRUE((*table)->CombineChunks().ValueOrDie()->Equals(*whole));

  // A range far into the stream, generated directly.
  auto far = ReadRange(*a, 123456789, 123456789 + 50);
  auto far_again = ReadRange(*b, 123456789 + 10, 123456789 + 50);
  ASSERT_TRUE(far && far_again);
  EXPECT_TRUE(far->Slice(10)->Equals(*far_again));

  auto other_seed = Make(Options(8));
  EXPECT_FALSE(ReadRange(*other_seed, 0, 100)->Equals(*whole));
}

TEST_F(NexmarkSourceTest, EventsComeInTheStandardMixWithTheirStructSet) {
  auto source = Make(Options());
  ASSERT_TRUE(source);
  auto table = ReadRange(*source, 0, 5000);
  ASSERT_TRUE(table);
  const auto& types = Column<arrow::Int32Array>(table, "event_type");
  const auto& person = static_cast<const arrow::StructArray&>(*table->GetColumnByName("person")->chunk(0));
  const auto& auction = static_cast<const arrow::StructArray&>(*table->GetColumnByName("auction")->chunk(0));
  const auto& bid = static_cast<const arrow::StructArray&>(*table->GetColumnByName("bid")->chunk(0));
  std::map<int32_t, int64_t> counts;
  for (int64_t i = 0; i < table->num_rows(); ++i) {
    const int32_t type = types.Value(i);
    ++counts[type];
    EXPECT_EQ(person.IsValid(i), type == 0);
    EXPECT_EQ(auction.IsValid(i), type == 1);
    EXPECT_EQ(bid.IsValid(i), type == 2);
    // Fields of the null structs read as null too.
    EXPECT_EQ(person.field(0)->IsValid(i), type == 0);
    EXPECT_EQ(bid.GetFieldByName("price")->IsValid(i), type == 2);
    EXPECT_EQ(static_cast<NexmarkSource::Kind>(type), source->KindOf(i));
  }
  EXPECT_EQ(counts[0], 100);
  EXPECT_EQ(counts[1], 300);
  EXPECT_EQ(counts[2], 4600);
  // Of every 50 events: 1 person, then 3 auctions, then 46 bids.
  EXPECT_EQ(types.Value(0), 0);
  EXPECT_EQ(types.Value(1), 1);
  EXPECT_EQ(types.Value(3), 1);
  EXPECT_EQ(types.Value(4), 2);
  EXPECT_EQ(types.Value(49), 2);
  EXPECT_EQ(types.Value(50), 0);
}

TEST_F(NexmarkSourceTest, IdsPricesAndTimesFollowTheReferenceGenerator) {
  auto source = Make(Options());
  ASSERT_TRUE(source);
  auto table = ReadRange(*source, 0, 50000);
  ASSERT_TRUE(table);
  const auto& types = Column<arrow::Int32Array>(table, "event_type");
  const auto& times = Column<arrow::TimestampArray>(table, "dateTime");
  const auto& person_id = Field<arrow::Int64Array>(table, "person", "id");
  const auto& person_time = Field<arrow::TimestampArray>(table, "person", "dateTime");
  const auto& card = Field<arrow::StringArray>(table, "person", "creditCard");
  const auto& email = Field<arrow::StringArray>(table, "person", "emailAddress");
  const auto& state = Field<arrow::StringArray>(table, "person", "state");
  const auto& auction_id = Field<arrow::Int64Array>(table, "auction", "id");
  const auto& seller = Field<arrow::Int64Array>(table, "auction", "seller");
  const auto& category = Field<arrow::Int64Array>(table, "auction", "category");
  const auto& initial_bid = Field<arrow::Int64Array>(table, "auction", "initialBid");
  const auto& reserve = Field<arrow::Int64Array>(table, "auction", "reserve");
  const auto& opened = Field<arrow::TimestampArray>(table, "auction", "dateTime");
  const auto& expires = Field<arrow::TimestampArray>(table, "auction", "expires");
  const auto& bid_auction = Field<arrow::Int64Array>(table, "bid", "auction");
  const auto& bidder = Field<arrow::Int64Array>(table, "bid", "bidder");
  const auto& price = Field<arrow::Int64Array>(table, "bid", "price");
  const auto& channel = Field<arrow::StringArray>(table, "bid", "channel");
  const auto& url = Field<arrow::StringArray>(table, "bid", "url");
  const auto& extra = Field<arrow::StringArray>(table, "bid", "extra");

  int64_t persons = 0, auctions = 0, bids = 0, hot_auction_bids = 0, hot_channel_bids = 0;
  int64_t extra_bytes = 0;
  std::set<std::string> channels;
  for (int64_t i = 0; i < table->num_rows(); ++i) {
    // One event per ms from the base time, in order.
    EXPECT_EQ(times.Value(i), (kBase + i) * 1000);
    switch (types.Value(i)) {
      case 0:
        EXPECT_EQ(person_id.Value(i), 1000 + persons);  // dense, from 1000
        EXPECT_EQ(person_time.Value(i), times.Value(i));
        EXPECT_EQ(card.GetView(i).size(), 19u);
        EXPECT_NE(email.GetView(i).find('@'), std::string_view::npos);
        EXPECT_EQ(state.GetView(i).size(), 2u);
        ++persons;
        break;
      case 1:
        EXPECT_EQ(auction_id.Value(i), 1000 + auctions);
        EXPECT_GE(seller.Value(i), 1000);
        EXPECT_LT(seller.Value(i), 1000 + persons + 10);  // a person registered, or about to be
        EXPECT_GE(category.Value(i), 10);
        EXPECT_LE(category.Value(i), 14);
        EXPECT_GE(initial_bid.Value(i), 100);
        EXPECT_LE(initial_bid.Value(i), 100000000);
        EXPECT_GT(reserve.Value(i), initial_bid.Value(i));
        EXPECT_GT(expires.Value(i), opened.Value(i));
        ++auctions;
        break;
      case 2: {
        const int64_t a = bid_auction.Value(i) - 1000;
        EXPECT_GE(a, 0);
        EXPECT_LT(a, auctions + 10);
        if (a == ((auctions - 1) / 100) * 100) ++hot_auction_bids;
        EXPECT_GE(bidder.Value(i), 1000);
        EXPECT_LT(bidder.Value(i), 1000 + persons + 10);
        EXPECT_GE(price.Value(i), 100);
        EXPECT_LE(price.Value(i), 100000000);
        const std::string c(channel.GetView(i));
        channels.insert(c);
        if (c == "Google" || c == "Facebook" || c == "Baidu" || c == "Apple") ++hot_channel_bids;
        EXPECT_EQ(url.GetView(i).rfind("https://www.nexmark.com/", 0), 0u);
        extra_bytes += static_cast<int64_t>(extra.GetView(i).size());
        ++bids;
        break;
      }
      default: ADD_FAILURE() << "event type " << types.Value(i);
    }
  }
  EXPECT_EQ(bids, 46000);
  // Half the bids go to the hot auction (hot_auction_ratio 2), half come from hot channels.
  EXPECT_NEAR(static_cast<double>(hot_auction_bids) / static_cast<double>(bids), 0.5, 0.03);
  EXPECT_NEAR(static_cast<double>(hot_channel_bids) / static_cast<double>(bids), 0.5, 0.03);
  EXPECT_GT(channels.size(), 1000u);
  // Bids are padded to 100 bytes on average: 32 bytes of numbers, about 68 of extra.
  EXPECT_NEAR(static_cast<double>(extra_bytes) / static_cast<double>(bids), 68, 2);
}

TEST_F(NexmarkSourceTest, ViewsHoldTheRowsOfOneKind) {
  auto events_source = Make(Options());
  auto bid_source = Make(Options(7, NexmarkTable::kBid));
  auto person_source = Make(Options(7, NexmarkTable::kPerson));
  auto auction_source = Make(Options(7, NexmarkTable::kAuction));
  ASSERT_TRUE(events_source && bid_source && person_source && auction_source);
  auto events = ReadRange(*events_source, 10, 1010);
  auto bids = ReadRange(*bid_source, 10, 1010);
  auto persons = ReadRange(*person_source, 10, 1010);
  auto auctions = ReadRange(*auction_source, 10, 1010);
  ASSERT_TRUE(events && bids && persons && auctions);
  EXPECT_EQ(persons->num_rows(), 20);
  EXPECT_EQ(auctions->num_rows(), 60);
  EXPECT_EQ(bids->num_rows(), 920);
  EXPECT_EQ(bids->schema()->field_names(),
            (std::vector<std::string>{"auction", "bidder", "price", "channel", "url", "dateTime", "extra"}));
  // The view's rows are the events table's bid structs.
  const auto& types = Column<arrow::Int32Array>(events, "event_type");
  const auto& bid = static_cast<const arrow::StructArray&>(*events->GetColumnByName("bid")->chunk(0));
  int64_t row = 0;
  for (int64_t i = 0; i < events->num_rows(); ++i) {
    if (types.Value(i) != 2) continue;
    for (int f = 0; f < bids->num_columns(); ++f) {
      auto expected = bid.field(f)->GetScalar(i).ValueOrDie();
      auto actual = bids->column(f)->GetScalar(row).ValueOrDie();
      EXPECT_TRUE(expected->Equals(*actual)) << "bid " << row << " field " << f;
    }
    ++row;
  }
  EXPECT_EQ(row, 920);
}

TEST_F(NexmarkSourceTest, BidStringsNoQueryReadsAreLeftNullAndTheRestIsUnchanged) {
  auto full = Make(Options(7, NexmarkTable::kBid));
  auto part = Make(Options(7, NexmarkTable::kBid));
  auto events_full = Make(Options());
  auto events_part = Make(Options());
  ASSERT_TRUE(full && part && events_full && events_part);
  part->ReadOnly(ColumnSubset{{"auction", "price", "url"}, {}});
  events_part->ReadOnly(ColumnSubset{{"event_type", "bid"}, {{"bid", {"auction", "extra"}}}});
  auto all = ReadRange(*full, 10, 3010);
  auto some = ReadRange(*part, 10, 3010);
  ASSERT_TRUE(all && some);
  ASSERT_EQ(all->num_rows(), some->num_rows());
  for (const std::string name : {"auction", "bidder", "price", "url", "dateTime"}) {
    EXPECT_TRUE(all->GetColumnByName(name)->Equals(*some->GetColumnByName(name))) << name;
  }
  for (const std::string name : {"channel", "extra"}) {
    EXPECT_EQ(some->GetColumnByName(name)->null_count(), some->num_rows()) << name;
  }
  // In the events table, the bid struct's fields alike.
  auto events = ReadRange(*events_full, 10, 3010);
  auto events_some = ReadRange(*events_part, 10, 3010);
  ASSERT_TRUE(events && events_some);
  EXPECT_TRUE(Field<arrow::Int64Array>(events, "bid", "auction").Equals(Field<arrow::Int64Array>(events_some, "bid", "auction")));
  EXPECT_TRUE(Field<arrow::StringArray>(events, "bid", "extra").Equals(Field<arrow::StringArray>(events_some, "bid", "extra")));
  EXPECT_EQ(Field<arrow::StringArray>(events_some, "bid", "url").null_count(), events_some->num_rows());
  EXPECT_TRUE(events->GetColumnByName("auction")->Equals(*events_some->GetColumnByName("auction")));
}

TEST_F(NexmarkSourceTest, DisorderMovesEveryKindsTimeTogether) {
  auto options = Options();
  options.generator.out_of_order_fraction = 0.3;
  options.generator.max_out_of_order_ms = 200;
  auto source = Make(options);
  ASSERT_TRUE(source);
  auto table = ReadRange(*source, 0, 5000);
  ASSERT_TRUE(table);
  auto clock = source->ClockOf(*source->InitialOffset());
  ASSERT_TRUE(clock.ok());
  const auto& types = Column<arrow::Int32Array>(table, "event_type");
  const auto& times = Column<arrow::TimestampArray>(table, "dateTime");
  const char* kinds[] = {"person", "auction", "bid"};
  int64_t moved = 0;
  for (int64_t i = 0; i < table->num_rows(); ++i) {
    EXPECT_EQ(times.Value(i), clock->TimeMs(i) * 1000);
    EXPECT_EQ(Field<arrow::TimestampArray>(table, kinds[types.Value(i)], "dateTime").Value(i), times.Value(i));
    if (clock->DelayMs(i) > 0) ++moved;
  }
  EXPECT_NEAR(moved / 5000.0, 0.3, 0.03);
  // Disorder moves times only: the events are otherwise those of the ordered stream.
  auto ordered = ReadRange(*Make(Options()), 0, 5000);
  EXPECT_FALSE(ordered->GetColumnByName("bid")->Equals(*table->GetColumnByName("bid")));
  const auto& price = Field<arrow::Int64Array>(table, "bid", "price");
  const auto& ordered_price = Field<arrow::Int64Array>(ordered, "bid", "price");
  EXPECT_TRUE(price.Equals(ordered_price));
}

// Flink's table shape, structs and all, through the micro-batch runner into a Delta table.
TEST_F(NexmarkSourceTest, TheEventsTableLandsInADeltaTable) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("tidelake-nexmark-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  auto local = std::make_shared<arrow::fs::LocalFileSystem>();
  delta::TableLocation sink{local, (dir / "sink").string(), "raw.nexmark"};
  auto options = Options();
  options.generator.event_count = 3000;
  std::vector<std::unique_ptr<Source>> sources;
  sources.push_back(Make(options));
  auto checkpoint = Checkpoint::Open(local, (dir / "checkpoint").string());
  ASSERT_TRUE(checkpoint.ok()) << checkpoint.status().ToString();
  auto runner = MicroBatchRunner::Make(
      std::move(sources),
      [](const std::map<std::string, std::shared_ptr<arrow::Table>>& in)
          -> arrow::Result<std::shared_ptr<arrow::Table>> { return in.at("nexmark"); },
      std::make_unique<DeltaAppendSink>(sink), std::move(*checkpoint));
  ASSERT_TRUE(runner.ok()) << runner.status().ToString();
  auto status = (*runner)->Run(Trigger{TriggerKind::kAvailableNow});
  ASSERT_TRUE(status.ok()) << status.ToString();

  auto snapshot = delta::Snapshot::Load(sink);
  ASSERT_TRUE(snapshot.ok()) << snapshot.status().ToString();
  auto scan = delta::Scan::Make(*snapshot, delta::ScanOptions{});
  ASSERT_TRUE(scan.ok());
  auto stored = (*scan)->ToTable();
  ASSERT_TRUE(stored.ok()) << stored.status().ToString();
  EXPECT_EQ((*stored)->num_rows(), 3000);
  // The same rows read back (one batch, one file: in order).
  auto generated = ReadRange(*Make(options), 0, 3000);
  for (const auto& field : generated->schema()->fields()) {
    auto column = (*stored)->GetColumnByName(field->name());
    ASSERT_TRUE(column) << field->name();
    EXPECT_TRUE(column->Equals(*generated->GetColumnByName(field->name()))) << field->name();
  }
  fs::remove_all(dir);
}

TEST_F(NexmarkSourceTest, RejectsBadOptions) {
  auto options = Options();
  options.bid_proportion = 0;
  EXPECT_FALSE(NexmarkSource::Make("n", options).ok());
  options = Options();
  options.generator.events_per_second = 0;
  EXPECT_FALSE(NexmarkSource::Make("n", options).ok());
  options = Options();
  options.hot_auction_ratio = 0;
  EXPECT_FALSE(NexmarkSource::Make("n", options).ok());
}

}  // namespace
}  // namespace tidelake::stream
