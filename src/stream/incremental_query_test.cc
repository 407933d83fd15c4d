// What a streaming query reads of its sources (IncrementalQuery::ColumnsRead), for queries bound
// from SQL over a source with struct columns (NEXMark's events) and views over it: the columns,
// and the fields of the struct columns it reads only through field accesses.
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

  // What `sql` reads of source `events`: "column" for a column read whole, "column.field" for
  // each field of a struct column read in part.
  std::set<std::string> Read(const std::string& sql) {
    auto statement = sql::ParseStatement(sql);
    EXPECT_TRUE(statement.ok()) << statement.status().ToString();
    if (!statement.ok()) return {};
    sql::Binder binder(&catalog_, plan::FunctionContext{});
    auto root = binder.BindQuery(*(*statement)->As<sql::QueryStatement>().query);
    EXPECT_TRUE(root.ok()) << root.status().ToString();
    if (!root.ok()) return {};
    std::map<const plan::LogicalNode*, std::string> streams;
    std::function<void(const plan::LogicalNode&)> find = [&](const plan::LogicalNode& node) {
      if (node.kind == plan::NodeKind::kSourceScan) streams[&node] = "events";
      for (const auto& input : node.inputs) find(*input);
    };
    find(*root->node);
    auto query = IncrementalQuery::Make(*root, streams, exec::ExecOptions{});
    EXPECT_TRUE(query.ok()) << query.status().ToString();
    if (!query.ok()) return {};
    auto read = (*query)->ColumnsRead();
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

}  // namespace
}  // namespace tidelake::stream
