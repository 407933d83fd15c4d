// Sources made from CREATE SOURCE definitions (source_factory.h): a declared generator passes
// what the query reads, and the time before its next trigger, on to the generator it wraps.
#include "stream/source_factory.h"

#include <arrow/api.h>
#include <gtest/gtest.h>

#include <chrono>

#include "common/arrow_init.h"

namespace tidelake::stream {
namespace {

catalog::SourceDefinition DeclaredBids() {
  catalog::SourceDefinition bids;
  bids.name = catalog::TableName{"raw", "bids"};
  // Declared in another case than the generator's names, and in another order.
  bids.columns = arrow::schema({arrow::field("PRICE", arrow::int64()), arrow::field("Url", arrow::utf8()),
                                arrow::field("extra", arrow::utf8())});
  bids.connector = "nexmark";
  bids.options = {{"table", "bid"}, {"events.num", "5000"}, {"seed", "3"}};
  return bids;
}

TEST(SourceFactoryTest, ADeclaredGeneratorBuildsOnlyTheStringsTheQueryReads) {
  ASSERT_TRUE(EnsureArrowInitialized().ok());
  auto all = MakeSource(DeclaredBids(), "bids");
  auto some = MakeSource(DeclaredBids(), "bids");
  ASSERT_TRUE(all.ok() && some.ok()) << all.status().ToString();
  (*some)->ReadOnly(ColumnSubset{{"PRICE", "Url"}, {}});
  const std::string start = *(*all)->InitialOffset();
  auto end = (*all)->NextEnd(start);
  ASSERT_TRUE(end.ok() && end->has_value());
  (*some)->ReadAhead(start, std::chrono::steady_clock::now() + std::chrono::hours(1));
  auto every = (*all)->Read(start, **end);
  auto read = (*some)->Read(start, **end);
  ASSERT_TRUE(every.ok() && read.ok()) << read.status().ToString();
  ASSERT_GT((*read)->num_rows(), 4000);
  EXPECT_TRUE((*read)->GetColumnByName("PRICE")->Equals(*(*every)->GetColumnByName("PRICE")));
  EXPECT_TRUE((*read)->GetColumnByName("Url")->Equals(*(*every)->GetColumnByName("Url")));
  EXPECT_EQ((*every)->GetColumnByName("extra")->null_count(), 0);
  EXPECT_EQ((*read)->GetColumnByName("extra")->null_count(), (*read)->num_rows());
}

}  // namespace
}  // namespace tidelake::stream
