#include "stream/generators/nexmark_source.h"

#include <arrow/api.h>

#include <algorithm>
#include <cstring>
#include <cmath>
#include <string_view>

#include "stream/generators/column_writers.h"

namespace tidelake::stream {

namespace {

// The reference generator's constants.
constexpr int64_t kFirstPersonId = 1000;
constexpr int64_t kFirstAuctionId = 1000;
constexpr int64_t kFirstCategoryId = 10;
constexpr int kNumCategories = 5;
constexpr int kPersonIdLead = 10;   // a bid or auction may name this many people yet to register
constexpr int kAuctionIdLead = 10;  // a bid may name this many auctions yet to open
constexpr int64_t kHotGroup = 100;  // hot sellers / bidders / auctions: one per group of 100
constexpr int kMinStringLength = 3;
constexpr int kHotChannelsRatio = 2;
constexpr int kChannels = 10000;
constexpr std::string_view kHotChannels[] = {"Google", "Facebook", "Baidu", "Apple"};
constexpr std::string_view kStates[] = {"AZ", "CA", "ID", "OR", "WA", "WY"};
constexpr std::string_view kCities[] = {"Phoenix", "Los Angeles", "San Francisco", "Boise", "Portland",
                                        "Bend",    "Redmond",     "Seattle",       "Kent",  "Cheyenne"};
constexpr std::string_view kFirstNames[] = {"Peter", "Paul",  "Luke",  "John",   "Saul",  "Vicky",
                                            "Kate",  "Julie", "Sarah", "Deiter", "Walter"};
constexpr std::string_view kLastNames[] = {"Shultz", "Abrams", "Spencer", "White", "Bartels",
                                           "Walton", "Smith",  "Jones",   "Noris"};

// Random streams of a seed (see event_random.h).
constexpr uint64_t kEventStream = 0xE7E7;
constexpr uint64_t kPoolStream = 0x9001;
constexpr uint64_t kUrlStream = 0x0421;

// Strings are cut from pools this long: small enough to stay in a core's cache.
constexpr int64_t kPoolSize = 1 << 14;

constexpr std::string_view kUrlPrefix = "https://www.nexmark.com/";
constexpr std::string_view kUrlQuery = "item.htm?query=1";
constexpr std::string_view kChannelIdParameter = "&channel_id=";

const auto kTime = arrow::timestamp(arrow::TimeUnit::MICRO, "UTC");

// round(10^(6u) * 100) cents for u uniform in [0, 1): prices from $1 to $1M, log-uniform, as
// the reference draws them. With u = (a + (b + c / 2^16) / 2^8) / 2^8 for 32 random bits,
// 10^(6u) = A[a] * B[b] * 10^(6c / 2^32), the last factor within 2e-4 of 1 and so exact to
// 1e-12 as 1 + x + x^2 / 2: several times faster than pow, from tables of 4 KB.
int64_t Price(EventRandom& random) {
  struct Tables {
    double high[256], mid[256];
    Tables() {
      for (int k = 0; k < 256; ++k) {
        high[k] = std::pow(10.0, 6.0 * k / 256.0);
        mid[k] = std::pow(10.0, 6.0 * k / 65536.0);
      }
    }
  };
  static const Tables tables;
  const uint64_t u = random.Next() >> 32;
  const double x = static_cast<double>(u & 0xFFFF) * (6.0 * 2.302585092994046 / 4294967296.0);
  const double power = tables.high[u >> 24] * tables.mid[(u >> 16) & 255] * (1.0 + x + 0.5 * x * x);
  return static_cast<int64_t>(power * 100.0 + 0.5);
}

uint32_t ReverseBits(uint32_t x) {
  x = ((x >> 1) & 0x55555555u) | ((x & 0x55555555u) << 1);
  x = ((x >> 2) & 0x33333333u) | ((x & 0x33333333u) << 2);
  x = ((x >> 4) & 0x0F0F0F0Fu) | ((x & 0x0F0F0F0Fu) << 4);
  return __builtin_bswap32(x);
}

// The decimal digits of v >= 0 into `out` (room for 20); returns how many.
int Digits(int64_t v, char* out) {
  char reversed[20];
  int n = 0;
  do {
    reversed[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v > 0);
  for (int k = 0; k < n; ++k) out[k] = reversed[n - 1 - k];
  return n;
}

// The position of an event id in its group of `total` ids, as the reference derives everything.
struct Slot {
  int64_t epoch;   // id / total
  int64_t offset;  // id % total
};

// How many ids in [first, first + count) have (id % total) in [lo, hi).
int64_t CountInSlots(int64_t first, int64_t count, int64_t total, int64_t lo, int64_t hi) {
  auto upto = [&](int64_t x) {  // ids in [0, x)
    return (x / total) * (hi - lo) + std::clamp<int64_t>(x % total - lo, 0, hi - lo);
  };
  return upto(first + count) - upto(first);
}

// The columns of one struct kind (or of its flat view), with their fields.
struct PersonColumns {
  FixedColumn<int64_t> id;
  StringColumn name, email, credit_card, city, state;
  FixedColumn<int64_t> date_time;
  StringColumn extra;

  arrow::Status Init(int64_t rows, int64_t filled, int avg_bytes) {
    ARROW_RETURN_NOT_OK(id.Init(rows));
    ARROW_RETURN_NOT_OK(name.Init(rows, filled * 12));
    ARROW_RETURN_NOT_OK(email.Init(rows, filled * 16));
    ARROW_RETURN_NOT_OK(credit_card.Init(rows, filled * 19));
    ARROW_RETURN_NOT_OK(city.Init(rows, filled * 10));
    ARROW_RETURN_NOT_OK(state.Init(rows, filled * 2));
    ARROW_RETURN_NOT_OK(date_time.Init(rows));
    return extra.Init(rows, filled * avg_bytes);
  }
  arrow::Result<arrow::ArrayDataVector> Finish(const ValidityColumn* v) {
    arrow::ArrayDataVector out{id.Finish(arrow::int64(), v)};
    for (StringColumn* c : {&name, &email, &credit_card, &city, &state}) {
      ARROW_ASSIGN_OR_RAISE(auto data, c->Finish(v));
      out.push_back(std::move(data));
    }
    out.push_back(date_time.Finish(kTime, v));
    ARROW_ASSIGN_OR_RAISE(auto data, extra.Finish(v));
    out.push_back(std::move(data));
    return out;
  }
};

struct AuctionColumns {
  FixedColumn<int64_t> id;
  StringColumn item_name, description;
  FixedColumn<int64_t> initial_bid, reserve, date_time, expires, seller, category;
  StringColumn extra;

  arrow::Status Init(int64_t rows, int64_t filled, int avg_bytes) {
    for (FixedColumn<int64_t>* c : {&id, &initial_bid, &reserve, &date_time, &expires, &seller, &category}) {
      ARROW_RETURN_NOT_OK(c->Init(rows));
    }
    ARROW_RETURN_NOT_OK(item_name.Init(rows, filled * 11));
    ARROW_RETURN_NOT_OK(description.Init(rows, filled * 51));
    return extra.Init(rows, filled * avg_bytes);
  }
  arrow::Result<arrow::ArrayDataVector> Finish(const ValidityColumn* v) {
    arrow::ArrayDataVector out{id.Finish(arrow::int64(), v)};
    ARROW_ASSIGN_OR_RAISE(auto name_data, item_name.Finish(v));
    ARROW_ASSIGN_OR_RAISE(auto description_data, description.Finish(v));
    out.push_back(std::move(name_data));
    out.push_back(std::move(description_data));
    out.push_back(initial_bid.Finish(arrow::int64(), v));
    out.push_back(reserve.Finish(arrow::int64(), v));
    out.push_back(date_time.Finish(kTime, v));
    out.push_back(expires.Finish(kTime, v));
    out.push_back(seller.Finish(arrow::int64(), v));
    out.push_back(category.Finish(arrow::int64(), v));
    ARROW_ASSIGN_OR_RAISE(auto extra_data, extra.Finish(v));
    out.push_back(std::move(extra_data));
    return out;
  }
};

struct BidColumns {
  FixedColumn<int64_t> auction, bidder, price;
  StringColumn channel, url;
  FixedColumn<int64_t> date_time;
  StringColumn extra;
  NexmarkSource::BidStrings read;  // the string columns built; the others are all null

  arrow::Status Init(int64_t rows, int64_t filled, int avg_bytes, NexmarkSource::BidStrings strings) {
    read = strings;
    for (FixedColumn<int64_t>* c : {&auction, &bidder, &price, &date_time}) ARROW_RETURN_NOT_OK(c->Init(rows));
    if (read.channel) ARROW_RETURN_NOT_OK(channel.Init(rows, filled * 10));
    if (read.url) ARROW_RETURN_NOT_OK(url.Init(rows, filled * 72));
    if (read.extra) ARROW_RETURN_NOT_OK(extra.Init(rows, filled * avg_bytes));
    rows_ = rows;
    return arrow::Status::OK();
  }
  arrow::Result<arrow::ArrayDataVector> Finish(const ValidityColumn* v) {
    arrow::ArrayDataVector out{auction.Finish(arrow::int64(), v), bidder.Finish(arrow::int64(), v),
                               price.Finish(arrow::int64(), v)};
    auto strings = [&](StringColumn& column, bool built) -> arrow::Result<std::shared_ptr<arrow::ArrayData>> {
      if (built) return column.Finish(v);
      ARROW_ASSIGN_OR_RAISE(auto nulls, arrow::MakeArrayOfNull(arrow::utf8(), rows_));
      return nulls->data();
    };
    ARROW_ASSIGN_OR_RAISE(auto channel_data, strings(channel, read.channel));
    ARROW_ASSIGN_OR_RAISE(auto url_data, strings(url, read.url));
    out.push_back(std::move(channel_data));
    out.push_back(std::move(url_data));
    out.push_back(date_time.Finish(kTime, v));
    ARROW_ASSIGN_OR_RAISE(auto extra_data, strings(extra, read.extra));
    out.push_back(std::move(extra_data));
    return out;
  }

 private:
  int64_t rows_ = 0;
};

}  // namespace

// One chunk of events being generated: the columns of the table and the per-event logic.
class NexmarkSource::Chunk {
 public:
  Chunk(const NexmarkSource& source, const EventClock& clock) : source_(source), options_(source.nexmark_), clock_(clock) {}

  arrow::Result<std::shared_ptr<arrow::RecordBatch>> Generate(int64_t first, int64_t count) {
    const int64_t total = source_.total_proportion_;
    const int64_t p = options_.person_proportion;
    const int64_t a = options_.auction_proportion;
    const int64_t first_id = options_.first_event_id + first;
    const int64_t persons = CountInSlots(first_id, count, total, 0, p);
    const int64_t auctions = CountInSlots(first_id, count, total, p, p + a);
    const int64_t bids = count - persons - auctions;
    const NexmarkTable table = options_.table;
    const bool events = table == NexmarkTable::kEvents;
    // The events table has a row per event in every struct (null where another kind); a view
    // a row per event of its kind.
    if (events || table == NexmarkTable::kPerson) {
      ARROW_RETURN_NOT_OK(person_.Init(events ? count : persons, persons, options_.avg_person_bytes));
    }
    if (events || table == NexmarkTable::kAuction) {
      ARROW_RETURN_NOT_OK(auction_.Init(events ? count : auctions, auctions, options_.avg_auction_bytes));
    }
    if (events || table == NexmarkTable::kBid) {
      ARROW_RETURN_NOT_OK(bid_.Init(events ? count : bids, bids, options_.avg_bid_bytes, source_.bid_strings_));
    }
    if (events) {
      ARROW_RETURN_NOT_OK(event_type_.Init(count));
      ARROW_RETURN_NOT_OK(date_time_.Init(count));
      ARROW_RETURN_NOT_OK(person_valid_.Init(count));
      ARROW_RETURN_NOT_OK(auction_valid_.Init(count));
      ARROW_RETURN_NOT_OK(bid_valid_.Init(count));
    }

    Slot slot{first_id / total, first_id % total};
    int64_t row = 0;  // in a view: the next row of its kind
    for (int64_t i = first; i < first + count; ++i) {
      const Kind kind = slot.offset < p ? Kind::kPerson : slot.offset < p + a ? Kind::kAuction : Kind::kBid;
      const bool wanted = events || (table == NexmarkTable::kPerson && kind == Kind::kPerson) ||
                          (table == NexmarkTable::kAuction && kind == Kind::kAuction) ||
                          (table == NexmarkTable::kBid && kind == Kind::kBid);
      if (wanted) {
        const int64_t r = events ? i - first : row++;
        const int64_t time_ms = clock_.TimeMs(i);
        EventRandom random(source_.event_key_, static_cast<uint64_t>(options_.first_event_id + i));
        switch (kind) {
          case Kind::kPerson: ARROW_RETURN_NOT_OK(Person(random, slot, time_ms, r)); break;
          case Kind::kAuction: ARROW_RETURN_NOT_OK(Auction(random, slot, i, time_ms, r)); break;
          case Kind::kBid: ARROW_RETURN_NOT_OK(Bid(random, slot, time_ms, r)); break;
        }
        if (events) {
          event_type_.Set(r, static_cast<int32_t>(kind));
          date_time_.Set(r, time_ms * 1000);
          (kind == Kind::kPerson ? person_valid_ : kind == Kind::kAuction ? auction_valid_ : bid_valid_).SetValid(r);
        }
      }
      if (++slot.offset == total) {
        slot.offset = 0;
        ++slot.epoch;
      }
    }
    return Finish(count, row);
  }

 private:
  // The last person id (base 0) registered at or before this slot.
  int64_t LastPerson(const Slot& s) const {
    const int64_t p = options_.person_proportion;
    return s.epoch * p + std::min(s.offset, p - 1);
  }
  // The last auction id (base 0) opened at or before this slot (-1: none yet).
  int64_t LastAuction(const Slot& s) const {
    const int64_t p = options_.person_proportion;
    const int64_t a = options_.auction_proportion;
    if (s.offset < p) return (s.epoch - 1) * a + a - 1;
    if (s.offset >= p + a) return s.epoch * a + a - 1;
    return s.epoch * a + s.offset - p;
  }
  // One of the active people, or a few about to register.
  int64_t NextPerson(EventRandom& random, int64_t last_person) const {
    const int64_t people = last_person + 1;
    const int64_t active = std::min<int64_t>(people, options_.num_active_people);
    return people - active + random.Below(active + kPersonIdLead);
  }
  // One of the auctions likely still in flight, or a few about to open.
  int64_t NextAuction(EventRandom& random, int64_t last_auction) const {
    const int64_t low = std::max<int64_t>(last_auction - options_.num_in_flight_auctions, 0);
    return low + random.Below(last_auction - low + 1 + kAuctionIdLead);
  }
  // Up to max_length - 1 characters with spaces, trimmed (the reference's nextString).
  std::string_view String(EventRandom& random, int max_length) const {
    const int64_t length = kMinStringLength + random.Below(max_length - kMinStringLength);
    std::string_view s(source_.spaced_letters_.data() + random.Below(kPoolSize - length), static_cast<size_t>(length));
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
    return s;
  }
  // Letters making an event of `current_size` bytes `average_size` on average (nextExtra).
  std::string_view Extra(EventRandom& random, int64_t current_size, int64_t average_size) const {
    if (current_size > average_size) return {};
    const int64_t wanted = average_size - current_size;
    const int64_t delta = static_cast<int64_t>(std::llround(static_cast<double>(wanted) * 0.2));
    const int64_t length = wanted - delta + (delta == 0 ? 0 : random.Below(2 * delta));
    return {source_.letters_.data() + random.Below(kPoolSize - length), static_cast<size_t>(length)};
  }

  arrow::Status Person(EventRandom& random, const Slot& slot, int64_t time_ms, int64_t r) {
    const std::string_view name = source_.person_names_[static_cast<size_t>(random.Below(
        static_cast<int64_t>(source_.person_names_.size())))];
    char email[32];
    const std::string_view user = String(random, 7);
    const std::string_view domain = String(random, 5);
    size_t n = 0;
    for (std::string_view part : {user, std::string_view("@"), domain, std::string_view(".com")}) {
      std::memcpy(email + n, part.data(), part.size());
      n += part.size();
    }
    char card[19];
    for (int group = 0; group < 4; ++group) {
      int digits = random.Below(10000);
      char* at = card + group * 5;
      for (int d = 3; d >= 0; --d) {
        at[d] = static_cast<char>('0' + digits % 10);
        digits /= 10;
      }
      if (group < 3) at[4] = ' ';
    }
    const std::string_view city = kCities[random.Below(static_cast<int>(std::size(kCities)))];
    const std::string_view state = kStates[random.Below(static_cast<int>(std::size(kStates)))];
    const int64_t size = 8 + static_cast<int64_t>(name.size() + n + sizeof(card) + city.size() + state.size());
    person_.id.Set(r, LastPerson(slot) + kFirstPersonId);
    ARROW_RETURN_NOT_OK(person_.name.Set(r, name));
    ARROW_RETURN_NOT_OK(person_.email.Set(r, std::string_view(email, n)));
    ARROW_RETURN_NOT_OK(person_.credit_card.Set(r, std::string_view(card, sizeof(card))));
    ARROW_RETURN_NOT_OK(person_.city.Set(r, city));
    ARROW_RETURN_NOT_OK(person_.state.Set(r, state));
    person_.date_time.Set(r, time_ms * 1000);
    return person_.extra.Set(r, Extra(random, size, options_.avg_person_bytes));
  }

  arrow::Status Auction(EventRandom& random, const Slot& slot, int64_t i, int64_t time_ms, int64_t r) {
    const int64_t last_person = LastPerson(slot);
    const int64_t seller = random.Below(options_.hot_sellers_ratio) > 0 ? (last_person / kHotGroup) * kHotGroup
                                                                        : NextPerson(random, last_person);
    const int64_t category = kFirstCategoryId + random.Below(kNumCategories);
    const int64_t initial_bid = Price(random);
    // A length averaging the time it takes for num_in_flight_auctions more auctions to open.
    const int64_t events_per_horizon =
        static_cast<int64_t>(options_.num_in_flight_auctions) * source_.total_proportion_ / options_.auction_proportion;
    const int64_t horizon_ms = clock_.InOrderMs(i + events_per_horizon) - clock_.InOrderMs(i);
    const int64_t length_ms = 1 + random.Below(std::max<int64_t>(horizon_ms * 2, 1));
    const std::string_view item_name = String(random, 20);
    const std::string_view description = String(random, 100);
    const int64_t reserve = initial_bid + Price(random);
    const int64_t size = 8 + static_cast<int64_t>(item_name.size() + description.size()) + 40;
    auction_.id.Set(r, LastAuction(slot) + kFirstAuctionId);
    ARROW_RETURN_NOT_OK(auction_.item_name.Set(r, item_name));
    ARROW_RETURN_NOT_OK(auction_.description.Set(r, description));
    auction_.initial_bid.Set(r, initial_bid);
    auction_.reserve.Set(r, reserve);
    auction_.date_time.Set(r, time_ms * 1000);
    auction_.expires.Set(r, (time_ms + length_ms) * 1000);
    auction_.seller.Set(r, seller + kFirstPersonId);
    auction_.category.Set(r, category);
    return auction_.extra.Set(r, Extra(random, size, options_.avg_auction_bytes));
  }

  arrow::Status Bid(EventRandom& random, const Slot& slot, int64_t time_ms, int64_t r) {
    const int64_t last_auction = LastAuction(slot);
    const int64_t auction = random.Below(options_.hot_auction_ratio) > 0 ? (last_auction / kHotGroup) * kHotGroup
                                                                         : NextAuction(random, last_auction);
    const int64_t last_person = LastPerson(slot);
    // The second person of a group, so that hot bidders and hot sellers differ.
    const int64_t bidder = random.Below(options_.hot_bidders_ratio) > 0 ? (last_person / kHotGroup) * kHotGroup + 1
                                                                        : NextPerson(random, last_person);
    const int64_t price = Price(random);
    bid_.auction.Set(r, auction + kFirstAuctionId);
    bid_.bidder.Set(r, bidder + kFirstPersonId);
    bid_.price.Set(r, price);
    bid_.date_time.Set(r, time_ms * 1000);
    // Strings no query reads are not built; the random draws are made all the same, so that
    // every value read is the one a full read gives.
    int channel;
    if (random.Below(kHotChannelsRatio) > 0) {
      const int hot = random.Below(static_cast<int>(std::size(kHotChannels)));
      channel = kChannels + hot;
      if (bid_.read.channel) ARROW_RETURN_NOT_OK(bid_.channel.Set(r, kHotChannels[hot]));
    } else {
      channel = random.Below(kChannels);
    }
    if (bid_.read.channel && channel < kChannels) {
      constexpr std::string_view kPrefix = "channel-";
      ARROW_RETURN_NOT_OK(bid_.channel.Begin(r, static_cast<int64_t>(kPrefix.size()) + 20));
      char digits[20];
      bid_.channel.UncheckedAppend(kPrefix);
      bid_.channel.UncheckedAppend(std::string_view(digits, static_cast<size_t>(Digits(channel, digits))));
      bid_.channel.End(r);
    }
    const std::string_view extra = Extra(random, 32, options_.avg_bid_bytes);
    if (bid_.read.extra) ARROW_RETURN_NOT_OK(bid_.extra.Set(r, extra));
    if (!bid_.read.url) return arrow::Status::OK();
    const uint64_t url = source_.channel_urls_[static_cast<size_t>(channel)];
    ARROW_RETURN_NOT_OK(bid_.url.Begin(r, 80));
    char parts[16];
    int n = 0;
    uint64_t codes = url;
    for (int part = 0; part < 3; ++part) {
      const int length = 3 + static_cast<int>((url >> (60 + part)) & 1);
      for (int k = 0; k < length; ++k) {
        const auto code = static_cast<char>(codes & 31);
        parts[n++] = code == 26 ? '_' : static_cast<char>('a' + code);
        codes >>= 5;
      }
      parts[n++] = '/';
    }
    bid_.url.UncheckedAppend(kUrlPrefix);
    bid_.url.UncheckedAppend(std::string_view(parts, static_cast<size_t>(n)));
    bid_.url.UncheckedAppend(kUrlQuery);
    if ((url >> kChannelIdBit) & 1) {
      // The reference's channel_id: |Integer.reverse(c)|.
      char digits[20];
      const auto id = static_cast<int32_t>(ReverseBits(static_cast<uint32_t>(channel)));
      bid_.url.UncheckedAppend(kChannelIdParameter);
      bid_.url.UncheckedAppend(std::string_view(digits, static_cast<size_t>(Digits(std::llabs(int64_t{id}), digits))));
    }
    bid_.url.End(r);
    return arrow::Status::OK();
  }

  arrow::Result<std::shared_ptr<arrow::RecordBatch>> Finish(int64_t count, int64_t view_rows) {
    const auto& schema = source_.schema();
    auto columns_of = [](const arrow::ArrayDataVector& children) {
      arrow::ArrayVector out;
      for (const auto& c : children) out.push_back(arrow::MakeArray(c));
      return out;
    };
    switch (options_.table) {
      case NexmarkTable::kPerson: {
        ARROW_ASSIGN_OR_RAISE(auto children, person_.Finish(nullptr));
        return arrow::RecordBatch::Make(schema, view_rows, columns_of(children));
      }
      case NexmarkTable::kAuction: {
        ARROW_ASSIGN_OR_RAISE(auto children, auction_.Finish(nullptr));
        return arrow::RecordBatch::Make(schema, view_rows, columns_of(children));
      }
      case NexmarkTable::kBid: {
        ARROW_ASSIGN_OR_RAISE(auto children, bid_.Finish(nullptr));
        return arrow::RecordBatch::Make(schema, view_rows, columns_of(children));
      }
      case NexmarkTable::kEvents: break;
    }
    auto struct_of = [&](int field, const ValidityColumn& valid, arrow::ArrayDataVector children) {
      return arrow::MakeArray(arrow::ArrayData::Make(schema->field(field)->type(), count, {valid.buffer()},
                                                     std::move(children), valid.null_count()));
    };
    ARROW_ASSIGN_OR_RAISE(auto person, person_.Finish(&person_valid_));
    ARROW_ASSIGN_OR_RAISE(auto auction, auction_.Finish(&auction_valid_));
    ARROW_ASSIGN_OR_RAISE(auto bid, bid_.Finish(&bid_valid_));
    arrow::ArrayVector columns{arrow::MakeArray(event_type_.Finish(arrow::int32(), nullptr)),
                               struct_of(1, person_valid_, std::move(person)),
                               struct_of(2, auction_valid_, std::move(auction)), struct_of(3, bid_valid_, std::move(bid)),
                               arrow::MakeArray(date_time_.Finish(kTime, nullptr))};
    return arrow::RecordBatch::Make(schema, count, std::move(columns));
  }

  const NexmarkSource& source_;
  const NexmarkOptions& options_;
  const EventClock& clock_;
  PersonColumns person_;
  AuctionColumns auction_;
  BidColumns bid_;
  FixedColumn<int32_t> event_type_;
  FixedColumn<int64_t> date_time_;
  ValidityColumn person_valid_, auction_valid_, bid_valid_;
};

void NexmarkSource::ReadOnly(const ColumnSubset& read) {
  ForgetReadAhead();  // generated with the strings read before
  bid_strings_ = BidStrings{};
  auto is_read = [&](const char* name) {
    if (nexmark_.table == NexmarkTable::kBid) return read.columns.count(name) > 0;
    if (nexmark_.table != NexmarkTable::kEvents) return true;
    if (read.columns.count("bid") == 0) return false;
    auto fields = read.struct_fields.find("bid");
    return fields == read.struct_fields.end() || fields->second.count(name) > 0;
  };
  bid_strings_.channel = is_read("channel");
  bid_strings_.url = is_read("url");
  bid_strings_.extra = is_read("extra");
}

arrow::FieldVector NexmarkSource::PersonFields() {
  return {arrow::field("id", arrow::int64()),         arrow::field("name", arrow::utf8()),
          arrow::field("emailAddress", arrow::utf8()), arrow::field("creditCard", arrow::utf8()),
          arrow::field("city", arrow::utf8()),         arrow::field("state", arrow::utf8()),
          arrow::field("dateTime", kTime),             arrow::field("extra", arrow::utf8())};
}

arrow::FieldVector NexmarkSource::AuctionFields() {
  return {arrow::field("id", arrow::int64()),       arrow::field("itemName", arrow::utf8()),
          arrow::field("description", arrow::utf8()), arrow::field("initialBid", arrow::int64()),
          arrow::field("reserve", arrow::int64()),  arrow::field("dateTime", kTime),
          arrow::field("expires", kTime),           arrow::field("seller", arrow::int64()),
          arrow::field("category", arrow::int64()), arrow::field("extra", arrow::utf8())};
}

arrow::FieldVector NexmarkSource::BidFields() {
  return {arrow::field("auction", arrow::int64()), arrow::field("bidder", arrow::int64()),
          arrow::field("price", arrow::int64()),   arrow::field("channel", arrow::utf8()),
          arrow::field("url", arrow::utf8()),      arrow::field("dateTime", kTime),
          arrow::field("extra", arrow::utf8())};
}

std::shared_ptr<arrow::Schema> NexmarkSource::SchemaOf(NexmarkTable table) {
  switch (table) {
    case NexmarkTable::kPerson: return arrow::schema(PersonFields());
    case NexmarkTable::kAuction: return arrow::schema(AuctionFields());
    case NexmarkTable::kBid: return arrow::schema(BidFields());
    case NexmarkTable::kEvents: break;
  }
  return arrow::schema({arrow::field("event_type", arrow::int32(), /*nullable=*/false),
                        arrow::field("person", arrow::struct_(PersonFields())),
                        arrow::field("auction", arrow::struct_(AuctionFields())),
                        arrow::field("bid", arrow::struct_(BidFields())),
                        arrow::field("dateTime", kTime, /*nullable=*/false)});
}

NexmarkSource::NexmarkSource(std::string name, NexmarkOptions options)
    : GeneratorSource(std::move(name), "nexmark", options.generator, SchemaOf(options.table)),
      nexmark_(std::move(options)),
      total_proportion_(nexmark_.person_proportion + nexmark_.auction_proportion + nexmark_.bid_proportion),
      event_key_(StreamKey(nexmark_.generator.seed, kEventStream)) {}

arrow::Result<std::unique_ptr<NexmarkSource>> NexmarkSource::Make(std::string name, NexmarkOptions options) {
  ARROW_RETURN_NOT_OK(Validate(name, &options.generator));
  auto bad = [&](auto&&... why) { return arrow::Status::Invalid("NEXMark source '", name, "': ", why...); };
  if (options.person_proportion < 1 || options.auction_proportion < 1 || options.bid_proportion < 1) {
    return bad("the person, auction and bid proportions must be at least 1");
  }
  if (options.person_proportion + options.auction_proportion + options.bid_proportion > 1000000) {
    return bad("the proportions add up to more than 1000000");
  }
  if (options.first_event_id < 0) return bad("the first event id must not be negative");
  if (options.hot_auction_ratio < 1 || options.hot_bidders_ratio < 1 || options.hot_sellers_ratio < 1) {
    return bad("the hot auction, bidder and seller ratios must be at least 1");
  }
  if (options.num_active_people < 1 || options.num_in_flight_auctions < 1) {
    return bad("the numbers of active people and of auctions in flight must be at least 1");
  }
  if (options.avg_person_bytes < 0 || options.avg_auction_bytes < 0 || options.avg_bid_bytes < 0 ||
      std::max({options.avg_person_bytes, options.avg_auction_bytes, options.avg_bid_bytes}) > kPoolSize / 2) {
    return bad("the average event sizes must be between 0 and ", kPoolSize / 2, " bytes");
  }
  std::unique_ptr<NexmarkSource> source(new NexmarkSource(std::move(name), std::move(options)));
  source->Prepare();
  return source;
}

void NexmarkSource::Prepare() {
  const uint64_t seed = nexmark_.generator.seed;
  EventRandom pool(StreamKey(seed, kPoolStream), 0);
  letters_.resize(kPoolSize);
  spaced_letters_.resize(kPoolSize);
  for (int64_t k = 0; k < kPoolSize; ++k) {
    letters_[static_cast<size_t>(k)] = static_cast<char>('a' + pool.Below(26));
    spaced_letters_[static_cast<size_t>(k)] = pool.Below(13) == 0 ? ' ' : static_cast<char>('a' + pool.Below(26));
  }
  for (std::string_view first : kFirstNames) {
    for (std::string_view last : kLastNames) person_names_.push_back(std::string(first) + " " + std::string(last));
  }
  // Every channel has its own url, as the reference's cache gives it; here fixed by the seed.
  const uint64_t url_key = StreamKey(seed, kUrlStream);
  channel_urls_.resize(kChannels + std::size(kHotChannels));
  for (size_t c = 0; c < channel_urls_.size(); ++c) {
    EventRandom random(url_key, c);
    uint64_t packed = 0;
    int shift = 0;
    for (int part = 0; part < 3; ++part) {
      const int64_t length = kMinStringLength + random.Below(5 - kMinStringLength);
      if (length == 4) packed |= uint64_t{1} << (60 + part);
      for (int64_t k = 0; k < length; ++k) {
        const uint64_t code = random.Below(13) == 0 ? 26 : random.Below(uint64_t{26});
        packed |= code << shift;
        shift += 5;
      }
    }
    if (c < static_cast<size_t>(kChannels) && random.Below(10) > 0) packed |= uint64_t{1} << kChannelIdBit;
    channel_urls_[c] = packed;
  }
}

NexmarkSource::Kind NexmarkSource::KindOf(int64_t i) const {
  const int64_t offset = (nexmark_.first_event_id + i) % total_proportion_;
  if (offset < nexmark_.person_proportion) return Kind::kPerson;
  if (offset < nexmark_.person_proportion + nexmark_.auction_proportion) return Kind::kAuction;
  return Kind::kBid;
}

arrow::Result<std::shared_ptr<arrow::RecordBatch>> NexmarkSource::Generate(const EventClock& clock, int64_t first,
                                                                           int64_t count) {
  Chunk chunk(*this, clock);
  return chunk.Generate(first, count);
}

}  // namespace tidelake::stream
