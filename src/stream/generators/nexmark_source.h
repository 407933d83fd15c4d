// The NEXMark benchmark's online auction events as a streaming source: people registering,
// auctions opening and bids, in the standard 1 : 3 : 46 mix, with the fields and the value
// semantics of the reference generator of the nexmark project (github.com/nexmark/nexmark, the
// generator Flink's NEXMark runs on), reimplemented so that event i depends on (seed, i) only.
//
// What follows the reference:
//  - event id = first_event_id + i; of every 50 ids (by id mod 50) the first is a person, the
//    next 3 auctions, the other 46 bids (the proportions are options);
//  - ids are dense: person ids from 1000 and auction ids from 1000 count the people and auctions
//    generated so far; a bid's auction is, with probability 1 - 1/hot_auction_ratio, the first
//    of the last 100 auctions (a hot auction), otherwise one of the ~100 auctions in flight or a
//    few not yet opened; its bidder is likewise a hot bidder (the second of the last 100 people)
//    or one of the last 1000 active people; an auction's seller is a hot seller (the first of
//    the last 100 people) or an active person;
//  - prices are round(10^(6u) * 100) cents for u uniform in [0, 1); an auction's reserve is its
//    initial bid plus such a price; categories are 10..14; an auction expires after a random
//    length averaging the time for 100 auctions to open;
//  - strings: item names, descriptions, email addresses with 1 in 13 characters a space (then
//    trimmed), `extra` padding each event to its average size (person 200, auction 500,
//    bid 100 bytes); bid channels are Google/Facebook/Baidu/Apple half of the time, else one of
//    10,000 `channel-N`, each with its own nexmark.com url;
//  - timestamps follow the event number (GeneratorOptions: events_per_second).
// What differs: the reference draws from java.util.Random sequentially and builds the channel
// urls from an unseeded Random; here every value is a pure function of (seed, event), the
// urls included, and strings are cut from per-seed pools of random characters rather than
// drawn character by character (which would cost more than all the rest of an event).
// Disorder (out-of-order and late events) comes from GeneratorOptions instead of the
// reference's out-of-order groups.
//
// Tables. kEvents is Flink's `nexmark` datagen table: event_type INT (0 person, 1 auction,
// 2 bid), person / auction / bid structs (the one matching event_type set, the others null) and
// dateTime (a computed column in Flink's DDL, a stored one here), so the NEXMark SQL queries
// run unchanged. kPerson, kAuction and kBid are the views
// over it (Flink's ddl_views.sql): one flat row per event of that kind, the offsets still
// counting all events. Times are timestamp[us, UTC] holding whole milliseconds (TIMESTAMP(3)).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "stream/generators/generator_source.h"

namespace tidelake::stream {

enum class NexmarkTable { kEvents, kPerson, kAuction, kBid };

struct NexmarkOptions {
  GeneratorOptions generator;
  NexmarkTable table = NexmarkTable::kEvents;
  /// The id of event 0. Ids decide each event's kind and the ids it refers to.
  int64_t first_event_id = 0;
  int person_proportion = 1;
  int auction_proportion = 3;
  int bid_proportion = 46;
  /// A bid goes to a hot auction with probability 1 - 1 / hot_auction_ratio (likewise bidders,
  /// sellers).
  int hot_auction_ratio = 2;
  int hot_bidders_ratio = 4;
  int hot_sellers_ratio = 4;
  int num_active_people = 1000;
  int num_in_flight_auctions = 100;
  int avg_person_bytes = 200;
  int avg_auction_bytes = 500;
  int avg_bid_bytes = 100;
};

class NexmarkSource : public GeneratorSource {
 public:
  static arrow::Result<std::unique_ptr<NexmarkSource>> Make(std::string name, NexmarkOptions options);

  /// The schema of a table: kEvents is (event_type, person, auction, bid, dateTime).
  static std::shared_ptr<arrow::Schema> SchemaOf(NexmarkTable table);
  /// The fields of the person, auction and bid structs.
  static arrow::FieldVector PersonFields();
  static arrow::FieldVector AuctionFields();
  static arrow::FieldVector BidFields();

  enum class Kind : int32_t { kPerson = 0, kAuction = 1, kBid = 2 };
  /// The kind of event number i.
  Kind KindOf(int64_t i) const;

  /// Which of a bid's string columns are built (the bid table's, or the events table's bid
  /// struct's): the others are left null. Building them is most of the cost of a bid.
  struct BidStrings {
    bool channel = true;
    bool url = true;
    bool extra = true;
  };
  /// Leaves null the bid strings `read` does not name. Every other value is the same either
  /// way: a string left out still makes its random draws.
  void ReadOnly(const ColumnSubset& read) override;

 protected:
  arrow::Result<std::shared_ptr<arrow::RecordBatch>> Generate(const EventClock& clock, int64_t first,
                                                               int64_t count) override;

 private:
  class Chunk;
  NexmarkSource(std::string name, NexmarkOptions options);
  BidStrings bid_strings_;
  /// Builds the string pools and channel urls of the seed.
  void Prepare();

  /// Channel c's url is "https://www.nexmark.com/" + three path parts + "item.htm?query=1",
  /// and for 9 in 10 channels "&channel_id=" + |c's 32 bits reversed|. The parts (3 or 4
  /// characters each, a-z or '_') are packed in 64 bits, 5 bits a character: bits 0-59 the
  /// characters, 60-62 whether each part has 4, 63 whether the url has a channel_id. An 80 KB
  /// table stays in a core's cache; one string per channel would not.
  static constexpr int kChannelIdBit = 63;

  NexmarkOptions nexmark_;
  int total_proportion_;
  uint64_t event_key_;
  std::string letters_;         ///< random a-z, for `extra`
  std::string spaced_letters_;  ///< random a-z with 1 in 13 a space, for names and descriptions
  std::vector<std::string> person_names_;
  std::vector<uint64_t> channel_urls_;  ///< the 10,000 channels, then the 4 hot ones
};

}  // namespace tidelake::stream
