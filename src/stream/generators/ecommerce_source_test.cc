// The e-commerce generator: its three streams' columns and values, one catalogue shared by
// them, and determinism under the seed.
#include "stream/generators/ecommerce_source.h"

#include <arrow/api.h>
#include <gtest/gtest.h>

#include <map>

#include "common/arrow_init.h"

namespace tidelake::stream {
namespace {

class EcommerceSourceTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(EnsureArrowInitialized().ok()); }

  static std::unique_ptr<EcommerceSource> Make(EcommerceStream stream, uint64_t seed = 3, double rate = 100) {
    EcommerceOptions options;
    options.stream = stream;
    options.customers = 1000;
    options.products = 200;
    options.generator.seed = seed;
    options.generator.events_per_second = rate;
    options.generator.event_count = 1000000;
    options.generator.base_time_ms = 1700000000000;
    auto source = EcommerceSource::Make("shop", options);
    EXPECT_TRUE(source.ok()) << source.status().ToString();
    return source.ok() ? std::move(*source) : nullptr;
  }

  static std::shared_ptr<arrow::Table> ReadRange(EcommerceSource& source, int64_t begin, int64_t end) {
    const std::string initial = *source.InitialOffset();
    auto table = source.Read(*source.OffsetAt(initial, begin), *source.OffsetAt(initial, end));
    EXPECT_TRUE(table.ok()) << table.status().ToString();
    if (!table.ok()) return nullptr;
    EXPECT_TRUE((*table)->schema()->Equals(*source.schema()));
    auto combined = (*table)->CombineChunks().ValueOrDie();
    EXPECT_TRUE(combined->ValidateFull().ok());
    return combined;
  }

  template <typename ArrayType>
  static const ArrayType& Column(const std::shared_ptr<arrow::Table>& table, const std::string& name) {
    return static_cast<const ArrayType&>(*table->GetColumnByName(name)->chunk(0));
  }
};

TEST_F(EcommerceSourceTest, OrdersPriceEachProductOnceAndAddUp) {
  auto source = Make(EcommerceStream::kOrders);
  ASSERT_TRUE(source);
  auto orders = ReadRange(*source, 0, 20000);
  ASSERT_TRUE(orders);
  EXPECT_EQ(orders->schema()->field_names(),
            (std::vector<std::string>{"event_id", "event_type", "order_id", "customer_id", "product_id", "quantity",
                                      "unit_price", "amount", "payment_method", "event_timestamp"}));
  const auto& ids = Column<arrow::Int64Array>(orders, "event_id");
  const auto& types = Column<arrow::StringArray>(orders, "event_type");
  const auto& customers = Column<arrow::Int64Array>(orders, "customer_id");
  const auto& products = Column<arrow::Int64Array>(orders, "product_id");
  const auto& quantities = Column<arrow::Int32Array>(orders, "quantity");
  const auto& prices = Column<arrow::Decimal128Array>(orders, "unit_price");
  const auto& amounts = Column<arrow::Decimal128Array>(orders, "amount");
  const auto& methods = Column<arrow::StringArray>(orders, "payment_method");
  std::map<std::string, int64_t> by_method;
  int64_t small_customers = 0;
  for (int64_t i = 0; i < orders->num_rows(); ++i) {
    EXPECT_EQ(ids.Value(i), i);
    EXPECT_EQ(types.GetView(i), "order_placed");
    EXPECT_GE(customers.Value(i), 1);
    EXPECT_LE(customers.Value(i), 1000);
    if (customers.Value(i) <= 100) ++small_customers;
    EXPECT_GE(products.Value(i), 1);
    EXPECT_LE(products.Value(i), 200);
    EXPECT_GE(quantities.Value(i), 1);
    EXPECT_LE(quantities.Value(i), 4);
    const arrow::Decimal128 price(prices.GetValue(i));
    EXPECT_EQ(price, arrow::Decimal128(source->UnitPriceCents(products.Value(i))));
    EXPECT_GE(price, arrow::Decimal128(100));
    EXPECT_LE(price, arrow::Decimal128(50000));
    EXPECT_EQ(arrow::Decimal128(amounts.GetValue(i)), price * arrow::Decimal128(quantities.Value(i)));
    ++by_method[std::string(methods.GetView(i))];
  }
  EXPECT_NEAR(by_method["card"] / 20000.0, 0.70, 0.02);
  EXPECT_NEAR(by_method["bank_transfer"] / 20000.0, 0.03, 0.01);
  // Customers are skewed: the first tenth places about a third of the orders (sqrt(0.1)).
  EXPECT_NEAR(small_customers / 20000.0, 0.316, 0.02);
  EXPECT_EQ(orders->GetColumnByName("unit_price")->type()->ToString(), "decimal128(10, 2)");
}

TEST_F(EcommerceSourceTest, InventoryChangesHaveTheSignOfTheirKind) {
  auto source = Make(EcommerceStream::kInventory);
  ASSERT_TRUE(source);
  auto changes = ReadRange(*source, 0, 20000);
  ASSERT_TRUE(changes);
  const auto& types = Column<arrow::StringArray>(changes, "event_type");
  const auto& deltas = Column<arrow::Int32Array>(changes, "quantity_change");
  const auto& warehouses = Column<arrow::Int32Array>(changes, "warehouse_id");
  std::map<std::string, int64_t> by_type;
  for (int64_t i = 0; i < changes->num_rows(); ++i) {
    const std::string type(types.GetView(i));
    const int32_t delta = deltas.Value(i);
    ++by_type[type];
    if (type == "sale") {
      EXPECT_TRUE(delta <= -1 && delta >= -3) << delta;
    }
    if (type == "restock") {
      EXPECT_TRUE(delta >= 50 && delta <= 500) << delta;
    }
    if (type == "return") {
      EXPECT_EQ(delta, 1);
    }
    if (type == "adjustment") {
      EXPECT_TRUE(delta != 0 && delta >= -5 && delta <= 5) << delta;
    }
    EXPECT_GE(warehouses.Value(i), 1);
    EXPECT_LE(warehouses.Value(i), 10);
  }
  EXPECT_EQ(by_type.size(), 4u);
  EXPECT_NEAR(by_type["sale"] / 20000.0, 0.80, 0.02);
  EXPECT_NEAR(by_type["restock"] / 20000.0, 0.08, 0.01);
}

TEST_F(EcommerceSourceTest, ClicksBelongToHalfHourSessionsAndNameTheirProduct) {
  auto source = Make(EcommerceStream::kClickstream, 3, /*rate=*/10);
  ASSERT_TRUE(source);
  auto clicks = ReadRange(*source, 0, 40000);  // 4000 s: three half hours and more
  ASSERT_TRUE(clicks);
  const auto& types = Column<arrow::StringArray>(clicks, "event_type");
  const auto& sessions = Column<arrow::Int64Array>(clicks, "session_id");
  const auto& customers = Column<arrow::Int64Array>(clicks, "customer_id");
  const auto& products = Column<arrow::Int64Array>(clicks, "product_id");
  const auto& pages = Column<arrow::StringArray>(clicks, "page");
  const auto& devices = Column<arrow::StringArray>(clicks, "device");
  const auto& times = Column<arrow::TimestampArray>(clicks, "event_timestamp");
  // (customer, half hour) -> session, and session -> device.
  std::map<std::pair<int64_t, int64_t>, int64_t> session_of;
  std::map<int64_t, std::string> device_of;
  std::map<int64_t, int64_t> customers_of_session;
  for (int64_t i = 0; i < clicks->num_rows(); ++i) {
    const std::string type(types.GetView(i));
    const bool about_a_product = type == "page_view" || type == "add_to_cart" || type == "remove_from_cart";
    EXPECT_EQ(products.IsValid(i), about_a_product) << type;
    if (type == "page_view") {
      EXPECT_EQ(pages.GetView(i), "/products/" + std::to_string(products.Value(i)));
    }
    if (type == "search") {
      EXPECT_EQ(pages.GetView(i), "/search");
    }
    if (type == "checkout") {
      EXPECT_EQ(pages.GetView(i), "/checkout");
    }
    EXPECT_GE(sessions.Value(i), 0);
    const int64_t half_hour = (times.Value(i) / 1000) / (30 * 60 * 1000);
    auto [at, fresh] = session_of.emplace(std::make_pair(customers.Value(i), half_hour), sessions.Value(i));
    EXPECT_EQ(at->second, sessions.Value(i));
    if (fresh) ++customers_of_session[sessions.Value(i)];
    auto [device, new_session] = device_of.emplace(sessions.Value(i), std::string(devices.GetView(i)));
    EXPECT_EQ(device->second, devices.GetView(i));
  }
  for (const auto& [session, n] : customers_of_session) EXPECT_EQ(n, 1) << "session " << session;
  EXPECT_GT(session_of.size(), 1000u);
  EXPECT_LT(session_of.size(), 4000u);  // customers come back within their half hour
}

TEST_F(EcommerceSourceTest, StreamsOfOneSeedShareTheCatalogueAndDifferInTheirEvents) {
  auto orders = Make(EcommerceStream::kOrders);
  auto orders_again = Make(EcommerceStream::kOrders);
  auto other_seed = Make(EcommerceStream::kOrders, 4);
  auto clicks = Make(EcommerceStream::kClickstream);
  ASSERT_TRUE(orders && orders_again && other_seed && clicks);
  auto a = ReadRange(*orders, 500, 1500);
  EXPECT_TRUE(a->Equals(*ReadRange(*orders_again, 500, 1500)));
  auto head = ReadRange(*orders_again, 500, 900);
  auto tail = ReadRange(*orders_again, 900, 1500);
  EXPECT_TRUE(arrow::ConcatenateTables({head, tail}).ValueOrDie()->CombineChunks().ValueOrDie()->Equals(*a));
  EXPECT_FALSE(a->Equals(*ReadRange(*other_seed, 500, 1500)));
  for (int64_t product = 1; product <= 200; ++product) {
    EXPECT_EQ(orders->UnitPriceCents(product), clicks->UnitPriceCents(product));
  }
  auto c = ReadRange(*clicks, 500, 1500);
  EXPECT_FALSE(c->GetColumnByName("customer_id")->Equals(*a->GetColumnByName("customer_id")));
}

}  // namespace
}  // namespace tidelake::stream
