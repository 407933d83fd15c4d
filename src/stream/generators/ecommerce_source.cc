#include "stream/generators/ecommerce_source.h"

#include <arrow/api.h>

#include <string_view>

#include "stream/generators/column_writers.h"

namespace tidelake::stream {

namespace {

// Random streams of a seed (see event_random.h): one per event stream, one for the catalogue.
constexpr uint64_t kCatalogStream = 0xCA7A;
constexpr uint64_t kOrdersStream = 0x0D0D;
constexpr uint64_t kInventoryStream = 0x1221;
constexpr uint64_t kClickstreamStream = 0xC1C1;

constexpr int64_t kSessionMs = 30 * 60 * 1000;

const auto kTime = arrow::timestamp(arrow::TimeUnit::MICRO, "UTC");
const auto kPrice = arrow::decimal128(10, 2);
const auto kAmount = arrow::decimal128(12, 2);

// A choice among weighted names: `weights` out of 100.
struct Choice {
  std::string_view name;
  int weight;
};

constexpr Choice kPaymentMethods[] = {{"card", 70}, {"paypal", 20}, {"gift_card", 7}, {"bank_transfer", 3}};
constexpr Choice kInventoryTypes[] = {{"sale", 80}, {"restock", 8}, {"return", 7}, {"adjustment", 5}};
constexpr Choice kClickTypes[] = {
    {"page_view", 70}, {"search", 10}, {"add_to_cart", 12}, {"remove_from_cart", 3}, {"checkout", 5}};
constexpr Choice kDevices[] = {{"desktop", 55}, {"mobile", 40}, {"tablet", 5}};

// The index of the choice `percent` (in [0, 100)) falls in.
template <size_t N>
int Pick(const Choice (&choices)[N], int percent) {
  int k = 0;
  for (; k + 1 < static_cast<int>(N); ++k) {
    percent -= choices[k].weight;
    if (percent < 0) break;
  }
  return k;
}

// An id in [1, n], skewed towards small ids: n * u^power.
int64_t SkewedId(EventRandom& random, int64_t n, int power) {
  double u = random.Uniform();
  double x = u;
  for (int k = 1; k < power; ++k) x *= u;
  return 1 + std::min<int64_t>(n - 1, static_cast<int64_t>(x * static_cast<double>(n)));
}

}  // namespace

std::shared_ptr<arrow::Schema> EcommerceSource::SchemaOf(EcommerceStream stream) {
  switch (stream) {
    case EcommerceStream::kOrders:
      return arrow::schema({arrow::field("event_id", arrow::int64()), arrow::field("event_type", arrow::utf8()),
                            arrow::field("order_id", arrow::int64()), arrow::field("customer_id", arrow::int64()),
                            arrow::field("product_id", arrow::int64()), arrow::field("quantity", arrow::int32()),
                            arrow::field("unit_price", kPrice), arrow::field("amount", kAmount),
                            arrow::field("payment_method", arrow::utf8()), arrow::field("event_timestamp", kTime)});
    case EcommerceStream::kInventory:
      return arrow::schema({arrow::field("event_id", arrow::int64()), arrow::field("event_type", arrow::utf8()),
                            arrow::field("product_id", arrow::int64()), arrow::field("warehouse_id", arrow::int32()),
                            arrow::field("quantity_change", arrow::int32()), arrow::field("event_timestamp", kTime)});
    case EcommerceStream::kClickstream:
      break;
  }
  return arrow::schema({arrow::field("event_id", arrow::int64()), arrow::field("event_type", arrow::utf8()),
                        arrow::field("session_id", arrow::int64()), arrow::field("customer_id", arrow::int64()),
                        arrow::field("product_id", arrow::int64()), arrow::field("page", arrow::utf8()),
                        arrow::field("device", arrow::utf8()), arrow::field("event_timestamp", kTime)});
}

EcommerceSource::EcommerceSource(std::string name, EcommerceOptions options)
    : GeneratorSource(std::move(name),
                      options.stream == EcommerceStream::kOrders      ? "ecommerce.orders"
                      : options.stream == EcommerceStream::kInventory ? "ecommerce.inventory"
                                                                      : "ecommerce.clickstream",
                      options.generator, SchemaOf(options.stream)),
      ecommerce_(std::move(options)),
      event_key_(StreamKey(ecommerce_.generator.seed, ecommerce_.stream == EcommerceStream::kOrders      ? kOrdersStream
                                                      : ecommerce_.stream == EcommerceStream::kInventory ? kInventoryStream
                                                                                                          : kClickstreamStream)),
      catalog_key_(StreamKey(ecommerce_.generator.seed, kCatalogStream)) {}

arrow::Result<std::unique_ptr<EcommerceSource>> EcommerceSource::Make(std::string name, EcommerceOptions options) {
  ARROW_RETURN_NOT_OK(Validate(name, &options.generator));
  if (options.customers < 1 || options.products < 1 || options.warehouses < 1) {
    return arrow::Status::Invalid("e-commerce source '", name,
                                  "': it needs at least one customer, one product and one warehouse");
  }
  return std::unique_ptr<EcommerceSource>(new EcommerceSource(std::move(name), std::move(options)));
}

int64_t EcommerceSource::UnitPriceCents(int64_t product_id) const {
  // $1.00 to $500.00, most products cheap.
  EventRandom random(catalog_key_, static_cast<uint64_t>(product_id));
  const double u = random.Uniform();
  return 100 + static_cast<int64_t>(49900.0 * u * u * u);
}

arrow::Result<std::shared_ptr<arrow::RecordBatch>> EcommerceSource::Generate(const EventClock& clock, int64_t first,
                                                                             int64_t count) {
  switch (ecommerce_.stream) {
    case EcommerceStream::kOrders: return Orders(clock, first, count);
    case EcommerceStream::kInventory: return Inventory(clock, first, count);
    case EcommerceStream::kClickstream: break;
  }
  return Clickstream(clock, first, count);
}

arrow::Result<std::shared_ptr<arrow::RecordBatch>> EcommerceSource::Orders(const EventClock& clock, int64_t first,
                                                                           int64_t count) {
  FixedColumn<int64_t> event_id, order_id, customer_id, product_id, timestamp;
  FixedColumn<int32_t> quantity;
  DecimalColumn unit_price, amount;
  StringColumn event_type, payment_method;
  for (FixedColumn<int64_t>* c : {&event_id, &order_id, &customer_id, &product_id, &timestamp}) {
    ARROW_RETURN_NOT_OK(c->Init(count));
  }
  ARROW_RETURN_NOT_OK(quantity.Init(count));
  ARROW_RETURN_NOT_OK(unit_price.Init(count));
  ARROW_RETURN_NOT_OK(amount.Init(count));
  ARROW_RETURN_NOT_OK(event_type.Init(count, count * 12));
  ARROW_RETURN_NOT_OK(payment_method.Init(count, count * 6));
  for (int64_t r = 0; r < count; ++r) {
    const int64_t i = first + r;
    EventRandom random(event_key_, static_cast<uint64_t>(i));
    const int64_t product = SkewedId(random, ecommerce_.products, 3);
    const double q = random.Uniform();
    const auto units = static_cast<int32_t>(1 + static_cast<int>(4.0 * q * q * q * q));  // mostly 1
    const int64_t cents = UnitPriceCents(product);
    event_id.Set(r, i);
    ARROW_RETURN_NOT_OK(event_type.Set(r, "order_placed"));
    order_id.Set(r, i + 1);
    customer_id.Set(r, SkewedId(random, ecommerce_.customers, 2));
    product_id.Set(r, product);
    quantity.Set(r, units);
    unit_price.Set(r, cents);
    amount.Set(r, cents * units);
    ARROW_RETURN_NOT_OK(payment_method.Set(r, kPaymentMethods[Pick(kPaymentMethods, random.Below(100))].name));
    timestamp.Set(r, clock.TimeMs(i) * 1000);
  }
  ARROW_ASSIGN_OR_RAISE(auto types, event_type.Finish(nullptr));
  ARROW_ASSIGN_OR_RAISE(auto methods, payment_method.Finish(nullptr));
  return arrow::RecordBatch::Make(
      schema(), count,
      {arrow::MakeArray(event_id.Finish(arrow::int64(), nullptr)), arrow::MakeArray(types),
       arrow::MakeArray(order_id.Finish(arrow::int64(), nullptr)),
       arrow::MakeArray(customer_id.Finish(arrow::int64(), nullptr)),
       arrow::MakeArray(product_id.Finish(arrow::int64(), nullptr)),
       arrow::MakeArray(quantity.Finish(arrow::int32(), nullptr)), arrow::MakeArray(unit_price.Finish(kPrice, nullptr)),
       arrow::MakeArray(amount.Finish(kAmount, nullptr)), arrow::MakeArray(methods),
       arrow::MakeArray(timestamp.Finish(kTime, nullptr))});
}

arrow::Result<std::shared_ptr<arrow::RecordBatch>> EcommerceSource::Inventory(const EventClock& clock, int64_t first,
                                                                              int64_t count) {
  FixedColumn<int64_t> event_id, product_id, timestamp;
  FixedColumn<int32_t> warehouse_id, change;
  StringColumn event_type;
  for (FixedColumn<int64_t>* c : {&event_id, &product_id, &timestamp}) ARROW_RETURN_NOT_OK(c->Init(count));
  ARROW_RETURN_NOT_OK(warehouse_id.Init(count));
  ARROW_RETURN_NOT_OK(change.Init(count));
  ARROW_RETURN_NOT_OK(event_type.Init(count, count * 5));
  for (int64_t r = 0; r < count; ++r) {
    const int64_t i = first + r;
    EventRandom random(event_key_, static_cast<uint64_t>(i));
    const int kind = Pick(kInventoryTypes, random.Below(100));
    int32_t delta = 0;
    switch (kind) {
      case 0: {  // a sale: stock leaves
        const double u = random.Uniform();
        delta = -(1 + static_cast<int32_t>(3.0 * u * u * u));
        break;
      }
      case 1: delta = 50 + random.Below(451); break;  // a restock
      case 2: delta = 1; break;                       // a return
      default: {                                      // a count correction
        const int32_t size = 1 + random.Below(5);
        delta = random.Below(2) == 0 ? -size : size;
      }
    }
    event_id.Set(r, i);
    ARROW_RETURN_NOT_OK(event_type.Set(r, kInventoryTypes[kind].name));
    product_id.Set(r, SkewedId(random, ecommerce_.products, 3));
    warehouse_id.Set(r, 1 + random.Below(ecommerce_.warehouses));
    change.Set(r, delta);
    timestamp.Set(r, clock.TimeMs(i) * 1000);
  }
  ARROW_ASSIGN_OR_RAISE(auto types, event_type.Finish(nullptr));
  return arrow::RecordBatch::Make(schema(), count,
                                  {arrow::MakeArray(event_id.Finish(arrow::int64(), nullptr)), arrow::MakeArray(types),
                                   arrow::MakeArray(product_id.Finish(arrow::int64(), nullptr)),
                                   arrow::MakeArray(warehouse_id.Finish(arrow::int32(), nullptr)),
                                   arrow::MakeArray(change.Finish(arrow::int32(), nullptr)),
                                   arrow::MakeArray(timestamp.Finish(kTime, nullptr))});
}

arrow::Result<std::shared_ptr<arrow::RecordBatch>> EcommerceSource::Clickstream(const EventClock& clock,
                                                                                int64_t first, int64_t count) {
  FixedColumn<int64_t> event_id, session_id, customer_id, product_id, timestamp;
  ValidityColumn has_product;
  StringColumn event_type, page, device;
  for (FixedColumn<int64_t>* c : {&event_id, &session_id, &customer_id, &product_id, &timestamp}) {
    ARROW_RETURN_NOT_OK(c->Init(count));
  }
  ARROW_RETURN_NOT_OK(has_product.Init(count));
  ARROW_RETURN_NOT_OK(event_type.Init(count, count * 10));
  ARROW_RETURN_NOT_OK(page.Init(count, count * 14));
  ARROW_RETURN_NOT_OK(device.Init(count, count * 7));
  constexpr std::string_view kProductPage = "/products/";
  constexpr std::string_view kPages[] = {"", "/search", "/cart", "/cart", "/checkout"};
  for (int64_t r = 0; r < count; ++r) {
    const int64_t i = first + r;
    EventRandom random(event_key_, static_cast<uint64_t>(i));
    const int kind = Pick(kClickTypes, random.Below(100));
    const int64_t customer = SkewedId(random, ecommerce_.customers, 2);
    // A session is the customer's half hour (of in-order time, so disorder keeps it).
    const uint64_t session =
        Mix64(catalog_key_ ^ Mix64(static_cast<uint64_t>(customer) * 0x9E3779B97F4A7C15ULL +
                                   static_cast<uint64_t>(clock.InOrderMs(i) / kSessionMs)));
    event_id.Set(r, i);
    ARROW_RETURN_NOT_OK(event_type.Set(r, kClickTypes[kind].name));
    session_id.Set(r, static_cast<int64_t>(session >> 1));
    customer_id.Set(r, customer);
    const bool about_a_product = kind == 0 || kind == 2 || kind == 3;
    if (about_a_product) {
      const int64_t product = SkewedId(random, ecommerce_.products, 3);
      product_id.Set(r, product);
      has_product.SetValid(r);
      if (kind == 0) {
        ARROW_RETURN_NOT_OK(page.Begin(r, static_cast<int64_t>(kProductPage.size()) + 20));
        const std::string digits = std::to_string(product);
        page.UncheckedAppend(kProductPage);
        page.UncheckedAppend(digits);
        page.End(r);
      }
    }
    if (kind != 0) ARROW_RETURN_NOT_OK(page.Set(r, kPages[kind]));
    ARROW_RETURN_NOT_OK(device.Set(r, kDevices[Pick(kDevices, static_cast<int>((session >> 7) % 100))].name));
    timestamp.Set(r, clock.TimeMs(i) * 1000);
  }
  ARROW_ASSIGN_OR_RAISE(auto types, event_type.Finish(nullptr));
  ARROW_ASSIGN_OR_RAISE(auto pages, page.Finish(nullptr));
  ARROW_ASSIGN_OR_RAISE(auto devices, device.Finish(nullptr));
  return arrow::RecordBatch::Make(
      schema(), count,
      {arrow::MakeArray(event_id.Finish(arrow::int64(), nullptr)), arrow::MakeArray(types),
       arrow::MakeArray(session_id.Finish(arrow::int64(), nullptr)),
       arrow::MakeArray(customer_id.Finish(arrow::int64(), nullptr)),
       arrow::MakeArray(product_id.Finish(arrow::int64(), &has_product)), arrow::MakeArray(pages),
       arrow::MakeArray(devices), arrow::MakeArray(timestamp.Finish(kTime, nullptr))});
}

}  // namespace tidelake::stream
