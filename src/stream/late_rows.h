// Where the late rows of a streaming query go when its table asks for them (<table>_late), for
// queries whose late rows come from operators with different inputs: a join's two sides, a
// windowed aggregation over a join. Rows of different schemas cannot share columns, so each late
// row is kept whole as one JSON object of its columns (by name, io::AppendJsonValue's mapping),
// beside the reason it is late (which operator, which side, why) and the watermark it missed:
//
//   row STRING (JSON), late_reason STRING, watermark TIMESTAMP (UTC, microseconds)
//
// A query with one windowed aggregation and no join keeps that aggregation's own late table
// (its input's columns as they are, WindowedAggregation::late_schema).
//
// Operators Add their late rows while a batch runs; the query Flushes once after the batch, so
// the batch's late rows are one Delta commit carrying txn(query id, batch id): a re-run batch
// writes them once. One thread uses it.
#pragma once

#include <arrow/builder.h>
#include <arrow/result.h>
#include <arrow/table.h>

#include <memory>
#include <optional>
#include <string>

#include "stream/micro_batch.h"
#include "stream/sink.h"

namespace tidelake::stream {

class LateRowsTable {
 public:
  explicit LateRowsTable(std::unique_ptr<Sink> sink) : sink_(std::move(sink)) {}

  /// The late table's columns.
  static std::shared_ptr<arrow::Schema> Schema();

  /// Adds `rows` (as they reached the operator), each late for `reason`, having missed
  /// `watermark`, a value of `time_type` (a timestamp type: converted to microseconds); none:
  /// late before the operator had a watermark (a row without an event time).
  arrow::Status Add(const arrow::Table& rows, const std::string& reason, std::optional<int64_t> watermark,
                    const arrow::DataType& time_type);
  /// Writes the rows added since the last flush (nothing when there are none) as batch
  /// `context.batch_id`, then forgets them.
  arrow::Status Flush(const BatchContext& context);

  /// A sink for an operator that writes its own late table (a windowed aggregation: the rows'
  /// columns, then late_reason and watermark): its rows are added here instead.
  std::unique_ptr<Sink> AdapterSink();

 private:
  std::unique_ptr<Sink> sink_;
  arrow::StringBuilder rows_, reasons_;
  arrow::TimestampBuilder watermarks_{arrow::timestamp(arrow::TimeUnit::MICRO, "UTC"),
                                      arrow::default_memory_pool()};
};

}  // namespace tidelake::stream
