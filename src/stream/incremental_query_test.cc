// Streaming queries bound from SQL over a source with struct columns (NEXMark's events) and
// views over it: what they read of their sources (IncrementalQuery::ColumnsRead: the columns,
// and the fields of the struct columns read only through field accesses), and the state their
// hopping-window aggregations keep (one row per group and slice, one operator for an
// aggregation the query computes twice).
#include "stream/incremental_query.h"

#include <arrow/api.h>
#include <gtest/gtest.h>

#include <functional>
#include <map>

#include "common/arrow_init.h"
#include "sql/binder.h"
#include "sql/parser.h"

namespace tidelake::stream {
namespace {

class SourceCatalog : public sql::BinderCatalog {
 public:
  std::map<std::string, sql::SourceDescription> sources;
  std::map<std::string, sql::ViewDefinition> views;

  arrow::Result<std::optional<delta::TableLocation>> FindTable(const std::vector<std::string>&) override {
    return std::nullopt;
  }
  arrow::Result<std::optional<sql::ViewDefinition>> FindView(const std::vector<std::string>& name) override {
    auto it = views.find(name.back());
    if (name.size() != 1 || it == views.end()) return std::nullopt;
    return it->second;
  }
  arrow::Result<std::optional<sql::SourceDescription>> FindSource(const std::vector<std::string>& name) override {
    auto it = sources.find(name.back());
    if (name.size() != 1 || it == sources.end()) return std::nullopt;
    return it->second;
  }
};

class ColumnsReadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(EnsureArrowInitialized().ok());
    auto definition = std::make_shared<catalog::SourceDefinition>();
    definition->name = catalog::TableName::Parse("nexmark.events").ValueOrDie();
    definition->connector = "files";
    auto bid = arrow::struct_({arrow::field("auction", arrow::int64()), arrow::field("bidder", arrow::int64()),
                               arrow::field("price", arrow::int64()), arrow::field("url", arrow::utf8())});
    auto person = arrow::struct_({arrow::field("id", arrow::int64()), arrow::field("name", arrow::utf8())});
    definition->columns = arrow::schema({arrow::field("event_type", arrow::int32()), arrow::field("person", person),
                                         arrow::field("bid", bid), arrow::field("dateTime", arrow::timestamp(arrow::TimeUnit::MICRO))});
    catalog_.sources["events"] = sql::SourceDescription{definition, {}};
    catalog_.views["bid"] = sql::ViewDefinition{
        "bid", "SELECT bid.auction, bid.bidder, bid.price, bid.url, dateTime FROM events WHERE event_type = 2", {}};
  }

  // `sql` as a streaming query over source `events` (null on error, which fails the test).
  std::unique_ptr<IncrementalQuery> Query(const std::string& sql) {
    auto statement = sql::ParseStatement(sql);
    EXPECT_TRUE(statement.ok()) << statement.status().ToString();
    if (!statement.ok()) return nullptr;
    sql::Binder binder(&catalog_, plan::FunctionContext{});
    auto root = binder.BindQuery(*(*statement)->As<sql::QueryStatement>().query);
    EXPECT_TRUE(root.ok()) << root.status().ToString();
    if (!root.ok()) return nullptr;
    std::map<const plan::LogicalNode*, std::string> streams;
    std::function<void(const plan::LogicalNode&)> find = [&](const plan::LogicalNode& node) {
      if (node.kind == plan::NodeKind::kSourceScan) streams[&node] = "events";
      for (const auto& input : node.inputs) find(*input);
    };
    find(*root->node);
    auto query = IncrementalQuery::Make(*root, streams, exec::ExecOptions{});
    EXPECT_TRUE(query.ok()) << query.status().ToString();
    return query.ok() ? std::move(*query) : nullptr;
  }

  // What `sql` reads of source `events`: "column" for a column read whole, "column.field" for
  // each field of a struct column read in part.
  std::set<std::string> Read(const std::string& sql) {
    auto query = Query(sql);
    if (!query) return {};
    auto read = query->ColumnsRead();
    EXPECT_TRUE(read.ok()) << read.status().ToString();
    if (!read.ok()) return {};
    const ColumnSubset& subset = (*read)["events"];
    std::set<std::string> out;
    for (const auto& column : subset.columns) {
      auto fields = subset.struct_fields.find(column);
      if (fields == subset.struct_fields.end()) {
        out.insert(column);
        continue;
      }
      for (const auto& field : fields->second) out.insert(column + "." + field);
    }
    for (const auto& [column, fields] : subset.struct_fields) {
      EXPECT_TRUE(subset.columns.count(column)) << column << " has fields read but is not read";
    }
    return out;
  }

  SourceCatalog catalog_;
};

using Names = std::set<std::string>;

TEST_F(ColumnsReadTest, OneFieldOfAStruct) {
  EXPECT_EQ(Read("SELECT bid.price FROM events"), (Names{"bid.price"}));
}

TEST_F(ColumnsReadTest, TwoFieldsOfAStructAndAFilter) {
  EXPECT_EQ(Read("SELECT bid.auction, bid.price FROM events WHERE event_type = 2 AND bid.bidder > 5"),
            (Names{"event_type", "bid.auction", "bid.bidder", "bid.price"}));
}

TEST_F(ColumnsReadTest, FieldsOfTwoStructs) {
  EXPECT_EQ(Read("SELECT person.name, bid.url FROM events"), (Names{"person.name", "bid.url"}));
}

TEST_F(ColumnsReadTest, AStructSelectedWholeIsReadWhole) {
  EXPECT_EQ(Read("SELECT bid FROM events"), (Names{"bid"}));
  // Also when another expression reads only a field of it.
  EXPECT_EQ(Read("SELECT bid, bid.price AS price FROM events"), (Names{"bid"}));
}

TEST_F(ColumnsReadTest, AStructUsedOtherwiseIsReadWhole) {
  EXPECT_EQ(Read("SELECT count(*) FROM events WHERE bid IS NOT NULL"), (Names{"bid"}));
  EXPECT_EQ(Read("SELECT DISTINCT bid, event_type FROM events"), (Names{"bid", "event_type"}));
}

TEST_F(ColumnsReadTest, ThroughAView) {
  // NEXMark q2 over the view `bid` (bid.auction AS auction, ...).
  EXPECT_EQ(Read("SELECT auction, price FROM bid WHERE MOD(auction, 123) = 0"),
            (Names{"event_type", "bid.auction", "bid.price"}));
  EXPECT_EQ(Read("SELECT DISTINCT auction, bidder FROM bid"), (Names{"event_type", "bid.auction", "bid.bidder"}));
}

TEST_F(ColumnsReadTest, ASelfJoinReadsWhatEitherSideReads) {
  EXPECT_EQ(Read("SELECT a.bid.price, b.person.name FROM events a JOIN events b ON a.bid.bidder = b.person.id"),
            (Names{"bid.bidder", "bid.price", "person.id", "person.name"}));
  EXPECT_EQ(Read("SELECT a.bid.price, b.bid FROM events a JOIN events b ON a.bid.bidder = b.person.id"),
            (Names{"bid", "person.id"}));
}

// Bids (event_type 2) on auctions first, first + 1, ... (`auctions` of them), `per_auction`
// each, at `base_us` + i ms.
std::shared_ptr<arrow::Table> Bids(const arrow::Schema& schema, int first, int auctions, int per_auction,
                                   int64_t base_us) {
  arrow::Int32Builder types;
  arrow::TimestampBuilder times(arrow::timestamp(arrow::TimeUnit::MICRO), arrow::default_memory_pool());
  auto bid_type = std::static_pointer_cast<arrow::StructType>(schema.GetFieldByName("bid")->type());
  arrow::StructBuilder bids(bid_type, arrow::default_memory_pool(),
                            {std::make_shared<arrow::Int64Builder>(), std::make_shared<arrow::Int64Builder>(),
                             std::make_shared<arrow::Int64Builder>(), std::make_shared<arrow::StringBuilder>()});
  int64_t i = 0;
  for (int a = 0; a < auctions; ++a) {
    for (int k = 0; k < per_auction; ++k, ++i) {
      EXPECT_TRUE(types.Append(2).ok());
      EXPECT_TRUE(times.Append(base_us + i * 1000).ok());
      EXPECT_TRUE(bids.Append().ok());
      EXPECT_TRUE(static_cast<arrow::Int64Builder*>(bids.field_builder(0))->Append(first + a).ok());
      EXPECT_TRUE(static_cast<arrow::Int64Builder*>(bids.field_builder(1))->Append(k).ok());
      EXPECT_TRUE(static_cast<arrow::Int64Builder*>(bids.field_builder(2))->Append(100).ok());
      EXPECT_TRUE(static_cast<arrow::StringBuilder*>(bids.field_builder(3))->Append("u").ok());
    }
  }
  auto person = arrow::MakeArrayOfNull(schema.GetFieldByName("person")->type(), i).ValueOrDie();
  return arrow::Table::Make(std::make_shared<arrow::Schema>(schema),
                            {std::make_shared<arrow::ChunkedArray>(types.Finish().ValueOrDie()),
                             std::make_shared<arrow::ChunkedArray>(person),
                             std::make_shared<arrow::ChunkedArray>(bids.Finish().ValueOrDie()),
                             std::make_shared<arrow::ChunkedArray>(times.Finish().ValueOrDie())});
}

class HoppingStateTest : public ColumnsReadTest {
 protected:
  void SetUp() override {
    ColumnsReadTest::SetUp();
    auto definition = std::make_shared<catalog::SourceDefinition>(*catalog_.sources["events"].definition);
    definition->watermark = catalog::SourceWatermark{"dateTime", 0};
    catalog_.sources["events"].definition = definition;
  }

  const arrow::Schema& events() { return *catalog_.sources["events"].definition->columns; }
};

// Bids per auction in 10-second windows sliding by 2 seconds.
constexpr const char* kHoppingCounts =
    "SELECT auction, count(*) AS num, window_start, window_end FROM TABLE(HOP(TABLE bid, DESCRIPTOR(dateTime), "
    "INTERVAL '2' SECOND, INTERVAL '10' SECOND)) GROUP BY auction, window_start, window_end";

TEST_F(HoppingStateTest, HoppingWindowsKeepOneRowPerGroupAndSlice) {
  auto query = Query(kHoppingCounts);
  ASSERT_NE(query, nullptr);
  // 30 auctions' bids within one second (one 2-second slice): each bid is in 5 windows, but
  // the state holds one row per auction.
  auto rows = query->Run({{"events", Bids(events(), 0, 30, 4, 1'700'000'000'000'000)}}, BatchContext{.batch_id = 0});
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_EQ((*rows)->num_rows(), 0);
  EXPECT_EQ(query->metrics().state_rows, 30);
  // At the end every window closes: 5 per auction, each with its 4 bids.
  rows = query->Run({{"events", Bids(events(), 0, 0, 0, 0)}}, BatchContext{.batch_id = 1, .end_of_input = true});
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  ASSERT_EQ((*rows)->num_rows(), 150);
  auto total = arrow::compute::Sum((*rows)->GetColumnByName("num")).ValueOrDie();
  EXPECT_EQ(total.scalar_as<arrow::Int64Scalar>().value, 600);
  EXPECT_EQ(query->metrics().state_rows, 0);
}

TEST_F(HoppingStateTest, AnAggregationComputedTwiceRunsOnce) {
  // NEXMark q5's shape: the counts, joined with each window's maximum of the same counts.
  auto query = Query(std::string("SELECT c.auction, c.num FROM (") + kHoppingCounts + ") c JOIN (SELECT max(num) AS maxn, " +
                     "window_start, window_end FROM (" + kHoppingCounts + ") GROUP BY window_start, window_end) m " +
                     "ON c.window_start = m.window_start AND c.window_end = m.window_end AND c.num >= m.maxn");
  ASSERT_NE(query, nullptr);
  // Auction a has a + 1 bids, all in one slice: auction 9 has the most in each of its 5 windows.
  std::vector<std::shared_ptr<arrow::Table>> parts;
  for (int a = 0; a < 10; ++a) parts.push_back(Bids(events(), a, 1, a + 1, 1'700'000'000'000'000 + a * 20'000));
  auto input = arrow::ConcatenateTables(parts).ValueOrDie();
  auto rows = query->Run({{"events", input}}, BatchContext{.batch_id = 0});
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  // Ten auctions' counts in one slice, held once, not once per aggregation.
  EXPECT_EQ(query->metrics().state_rows, 10);
  rows = query->Run({{"events", Bids(events(), 0, 0, 0, 0)}}, BatchContext{.batch_id = 1, .end_of_input = true});
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  ASSERT_EQ((*rows)->num_rows(), 5);
  for (const auto& chunk : (*rows)->GetColumnByName("num")->chunks()) {
    const auto& nums = static_cast<const arrow::Int64Array&>(*chunk);
    for (int64_t i = 0; i < nums.length(); ++i) EXPECT_EQ(nums.Value(i), 10);
  }
  for (const auto& chunk : (*rows)->GetColumnByName("auction")->chunks()) {
    const auto& auctions = static_cast<const arrow::Int64Array&>(*chunk);
    for (int64_t i = 0; i < auctions.length(); ++i) EXPECT_EQ(auctions.Value(i), 9);
  }
}

}  // namespace
}  // namespace tidelake::stream
