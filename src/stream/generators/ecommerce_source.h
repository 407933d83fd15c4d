// An online shop's event streams as a streaming source, for demos and benchmarks: orders,
// inventory changes and the clickstream, each its own source (choose one with `stream`), all
// drawing on one catalogue of customers and products fixed by the seed. Every stream has the
// columns the Stream Analytics and Spark examples group by: event_id, event_type and
// event_timestamp, and customer_id where a customer acts.
//
//   orders       event_id, event_type ('order_placed'), order_id, customer_id, product_id,
//                quantity, unit_price decimal(10,2), amount decimal(12,2), payment_method,
//                event_timestamp
//   inventory    event_id, event_type ('sale', 'restock', 'return', 'adjustment'), product_id,
//                warehouse_id, quantity_change (negative when stock leaves), event_timestamp
//   clickstream  event_id, event_type ('page_view', 'search', 'add_to_cart', 'remove_from_cart',
//                'checkout'), session_id, customer_id, product_id (null for search and
//                checkout), page, device, event_timestamp
//
// Customers and products are skewed as shops are (a few popular products and frequent
// customers: ids drawn as n * u^k for uniform u); a product has one price, used by every order
// of it; a session is a customer's half hour (its id is a hash of the customer and the
// half-hour of in-order event time, so session windows find it), with one device.
//
// event_id is the event number; timestamps, offsets, rates, bounds and disorder are those of
// GeneratorOptions (generator_source.h). event_timestamp is timestamp[us, UTC] of whole ms.
#pragma once

#include <memory>
#include <string>

#include "stream/generators/generator_source.h"

namespace tidelake::stream {

enum class EcommerceStream { kOrders, kInventory, kClickstream };

struct EcommerceOptions {
  GeneratorOptions generator;
  EcommerceStream stream = EcommerceStream::kOrders;
  int64_t customers = 100000;
  int64_t products = 10000;
  int32_t warehouses = 10;
};

class EcommerceSource : public GeneratorSource {
 public:
  static arrow::Result<std::unique_ptr<EcommerceSource>> Make(std::string name, EcommerceOptions options);

  static std::shared_ptr<arrow::Schema> SchemaOf(EcommerceStream stream);
  /// The price of a product, in cents (the same in every stream of a seed).
  int64_t UnitPriceCents(int64_t product_id) const;

 protected:
  arrow::Result<std::shared_ptr<arrow::RecordBatch>> Generate(const EventClock& clock, int64_t first,
                                                               int64_t count) override;

 private:
  EcommerceSource(std::string name, EcommerceOptions options);

  arrow::Result<std::shared_ptr<arrow::RecordBatch>> Orders(const EventClock& clock, int64_t first, int64_t count);
  arrow::Result<std::shared_ptr<arrow::RecordBatch>> Inventory(const EventClock& clock, int64_t first, int64_t count);
  arrow::Result<std::shared_ptr<arrow::RecordBatch>> Clickstream(const EventClock& clock, int64_t first,
                                                                  int64_t count);

  EcommerceOptions ecommerce_;
  uint64_t event_key_;    ///< the stream's own draws
  uint64_t catalog_key_;  ///< products and sessions, shared by the streams of a seed
};

}  // namespace tidelake::stream
