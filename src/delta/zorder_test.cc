#include "delta/zorder.h"

#include <arrow/api.h>
#include <arrow/compute/api.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

namespace tidelake::delta {
namespace {

class ZOrderTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { ASSERT_TRUE(arrow::compute::Initialize().ok()); }
};

std::shared_ptr<arrow::ChunkedArray> Int64s(const std::vector<std::optional<int64_t>>& values) {
  arrow::Int64Builder b;
  for (const auto& v : values) EXPECT_TRUE((v ? b.Append(*v) : b.AppendNull()).ok());
  return std::make_shared<arrow::ChunkedArray>(*b.Finish());
}

TEST_F(ZOrderTest, KeysPreserveOrderNullsFirstTiesEqual) {
  auto keys = OrderPreservingKeys(*Int64s({3, std::nullopt, 1, 3, 2}));
  ASSERT_TRUE(keys.ok()) << keys.status().ToString();
  const auto& k = *keys;
  EXPECT_EQ(k[1], 0u);  // null is the smallest
  EXPECT_LT(k[1], k[2]);
  EXPECT_LT(k[2], k[4]);
  EXPECT_LT(k[4], k[0]);
  EXPECT_EQ(k[0], k[3]);
  // Four distinct values (null counts as one) spread over the whole 32-bit range.
  EXPECT_EQ(k[2], 1u << 30);
  EXPECT_EQ(k[4], 2u << 30);
  EXPECT_EQ(k[0], 3u << 30);
}

TEST_F(ZOrderTest, KeysForOtherTypesAndChunks) {
  arrow::StringBuilder s;
  ASSERT_TRUE(s.AppendValues({"pear", "apple", "zebra", "apple"}).ok());
  auto strings = std::make_shared<arrow::ChunkedArray>(*s.Finish());
  auto k = *OrderPreservingKeys(*strings);
  EXPECT_EQ(k[1], k[3]);
  EXPECT_LT(k[1], k[0]);
  EXPECT_LT(k[0], k[2]);

  arrow::DoubleBuilder d;
  ASSERT_TRUE(d.AppendValues({2.5, -1.0, 1e9}).ok());
  auto doubles = *OrderPreservingKeys(arrow::ChunkedArray(*d.Finish()));
  EXPECT_LT(doubles[1], doubles[0]);
  EXPECT_LT(doubles[0], doubles[2]);

  arrow::BooleanBuilder bo;
  ASSERT_TRUE(bo.AppendValues(std::vector<bool>{true, false}).ok());
  auto bools = *OrderPreservingKeys(arrow::ChunkedArray(*bo.Finish()));
  EXPECT_LT(bools[1], bools[0]);

  arrow::TimestampBuilder ts(arrow::timestamp(arrow::TimeUnit::MICRO, "UTC"), arrow::default_memory_pool());
  ASSERT_TRUE(ts.AppendValues({300, 100, 200}).ok());
  auto times = *OrderPreservingKeys(arrow::ChunkedArray(*ts.Finish()));
  EXPECT_LT(times[1], times[2]);
  EXPECT_LT(times[2], times[0]);

  // Several chunks are ranked together.
  arrow::Int64Builder a, b;
  ASSERT_TRUE(a.AppendValues({5, 1}).ok());
  ASSERT_TRUE(b.AppendValues({3}).ok());
  arrow::ChunkedArray chunked({*a.Finish(), *b.Finish()});
  auto ck = *OrderPreservingKeys(chunked);
  EXPECT_LT(ck[1], ck[2]);
  EXPECT_LT(ck[2], ck[0]);

  auto single = *OrderPreservingKeys(*Int64s({7, 7, 7}));
  EXPECT_EQ(single, std::vector<uint32_t>({0, 0, 0}));
}

TEST_F(ZOrderTest, NestedTypesRefused) {
  auto st = CheckZOrderable("address", *arrow::struct_({arrow::field("city", arrow::utf8())}));
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("address"), std::string::npos);
  EXPECT_FALSE(CheckZOrderable("tags", *arrow::list(arrow::utf8())).ok());
  EXPECT_FALSE(CheckZOrderable("m", *arrow::map(arrow::utf8(), arrow::int32())).ok());
  EXPECT_TRUE(CheckZOrderable("d", *arrow::decimal128(10, 2)).ok());
  EXPECT_TRUE(CheckZOrderable("s", *arrow::utf8()).ok());
}

TEST_F(ZOrderTest, InterleavesMostSignificantBitsFirst) {
  auto z = InterleaveBits({{0x80000000u, 0u}, {0u, 0x80000000u}}, 2);
  ASSERT_EQ(z.size(), 4u);
  EXPECT_EQ(z[0], 0x80000000u);  // row 0: column 0's top bit leads
  EXPECT_EQ(z[1], 0u);
  EXPECT_EQ(z[2], 0x40000000u);  // row 1: column 1's top bit is second
  EXPECT_EQ(z[3], 0u);

  // Three columns: all ones in column 0 gives bits 0, 3, 6, ... of the 96-bit value.
  auto z3 = InterleaveBits({{0xFFFFFFFFu}, {0u}, {0u}}, 1);
  ASSERT_EQ(z3.size(), 3u);
  EXPECT_EQ(z3[0], 0x92492492u);
  EXPECT_EQ(z3[1], 0x49249249u);
  EXPECT_EQ(z3[2], 0x24924924u);
}

TEST_F(ZOrderTest, SortsGridInMortonOrder) {
  std::vector<std::pair<int64_t, int64_t>> points;
  for (int64_t x = 0; x < 4; ++x) {
    for (int64_t y = 0; y < 4; ++y) points.emplace_back(x, y);
  }
  std::shuffle(points.begin(), points.end(), std::mt19937(42));
  std::vector<std::optional<int64_t>> xs, ys;
  for (auto [x, y] : points) {
    xs.push_back(x);
    ys.push_back(y);
  }
  auto order = ZOrderSortIndices({Int64s(xs), Int64s(ys)});
  ASSERT_TRUE(order.ok()) << order.status().ToString();
  std::vector<std::pair<int64_t, int64_t>> sorted;
  for (int64_t i = 0; i < (*order)->length(); ++i) sorted.push_back(points[(*order)->Value(i)]);
  std::vector<std::pair<int64_t, int64_t>> morton = {{0, 0}, {0, 1}, {1, 0}, {1, 1}, {0, 2}, {0, 3}, {1, 2}, {1, 3},
                                                     {2, 0}, {2, 1}, {3, 0}, {3, 1}, {2, 2}, {2, 3}, {3, 2}, {3, 3}};
  EXPECT_EQ(sorted, morton);
}

TEST_F(ZOrderTest, MismatchedLengthsRefused) {
  EXPECT_FALSE(ZOrderSortIndices({Int64s({1, 2}), Int64s({1})}).ok());
  EXPECT_FALSE(ZOrderSortIndices({}).ok());
}

}  // namespace
}  // namespace tidelake::delta
