#include "exec/time_window.h"

#include <arrow/api.h>
#include <arrow/compute/api.h>

#include <algorithm>
#include <limits>

#include "exec/sort.h"
#include "exec/window_internal.h"

namespace tidelake::exec {

namespace {

arrow::Result<std::shared_ptr<arrow::Array>> TimeColumn(const arrow::RecordBatch& batch, const std::string& field) {
  auto column = batch.GetColumnByName(field);
  if (!column) return arrow::Status::Invalid("internal error: no time field ", field, " to assign windows by");
  if (column->type_id() != arrow::Type::TIMESTAMP) {
    return arrow::Status::Invalid("windows need a timestamp time field; ", field, " is ", column->type()->ToString());
  }
  return column;
}

arrow::Result<std::shared_ptr<arrow::Array>> Timestamps(const std::shared_ptr<arrow::DataType>& type,
                                                        const std::vector<int64_t>& values, arrow::MemoryPool* pool) {
  ARROW_ASSIGN_OR_RAISE(auto buffer, arrow::AllocateBuffer(static_cast<int64_t>(values.size() * sizeof(int64_t)), pool));
  if (!values.empty()) std::memcpy(buffer->mutable_data(), values.data(), values.size() * sizeof(int64_t));
  return std::make_shared<arrow::TimestampArray>(type, static_cast<int64_t>(values.size()), std::move(buffer));
}

// Rows with a time, sorted by the partition fields and the time, in one chunk each; with,
// for each row, whether it starts a partition.
struct PartitionedRows {
  std::shared_ptr<arrow::Table> rows;
  std::vector<uint8_t> new_partition;
};

// Whether the (non-null) times never decrease, chunk after chunk.
bool InTimeOrder(const arrow::ChunkedArray& times) {
  int64_t previous = std::numeric_limits<int64_t>::min();
  for (const auto& chunk : times.chunks()) {
    const int64_t* values = static_cast<const arrow::TimestampArray&>(*chunk).raw_values();
    for (int64_t i = 0; i < chunk->length(); ++i) {
      if (values[i] < previous) return false;
      previous = values[i];
    }
  }
  return true;
}

arrow::Result<PartitionedRows> SortByPartitionAndTime(const plan::TimeWindowSpec& spec,
                                                      const std::shared_ptr<arrow::Table>& input,
                                                      cp::ExecContext* ctx) {
  // Rows without a time first leave; then sort by partition fields and time.
  auto time_chunks = input->GetColumnByName(spec.time_field);
  if (!time_chunks) return arrow::Status::Invalid("internal error: no time field ", spec.time_field);
  if (time_chunks->type()->id() != arrow::Type::TIMESTAMP) {
    return arrow::Status::Invalid("windows need a timestamp time field; ", spec.time_field, " is ",
                                  time_chunks->type()->ToString());
  }
  ARROW_ASSIGN_OR_RAISE(auto valid, cp::IsValid(time_chunks, ctx));
  ARROW_ASSIGN_OR_RAISE(auto filtered, cp::Filter(input, valid, cp::FilterOptions::Defaults(), ctx));
  std::shared_ptr<arrow::Table> rows = filtered.table();
  std::vector<arrow::Datum> key_columns;
  std::vector<plan::SortKey> keys;
  for (const auto& p : spec.partition_by) {
    key_columns.emplace_back(rows->GetColumnByName(p));
    keys.push_back(plan::SortKey{p, true, true});
  }
  // Rows already in time order (a stream's rows mostly come so) need only a stable sort by
  // their partition, which is much cheaper than sorting by partition and time.
  if (!InTimeOrder(*rows->GetColumnByName(spec.time_field))) {
    key_columns.emplace_back(rows->GetColumnByName(spec.time_field));
    keys.push_back(plan::SortKey{spec.time_field, true, true});
  }
  if (rows->num_rows() > 1 && !keys.empty()) {
    ARROW_ASSIGN_OR_RAISE(auto indices, SparkSortIndices(key_columns, keys, ctx));
    ARROW_ASSIGN_OR_RAISE(auto taken, cp::Take(rows, indices, cp::TakeOptions::NoBoundsCheck(), ctx));
    rows = taken.table();
  }
  // One chunk per column, also without rows (combining no chunks leaves none).
  if (rows->num_rows() == 0) {
    ARROW_ASSIGN_OR_RAISE(rows, arrow::Table::MakeEmpty(rows->schema(), ctx->memory_pool()));
  } else {
    ARROW_ASSIGN_OR_RAISE(rows, rows->CombineChunks(ctx->memory_pool()));
  }
  const int64_t n = rows->num_rows();
  std::vector<uint8_t> new_partition(static_cast<size_t>(n), 0);
  if (n > 0) new_partition[0] = 1;
  for (const auto& p : spec.partition_by) {
    auto column = rows->GetColumnByName(p);
    if (column->num_chunks() != 1) return arrow::Status::Invalid("internal error: partition column not combined");
    ARROW_ASSIGN_OR_RAISE(auto same, window_internal::SameAsPrevious(*column->chunk(0), ctx));
    for (int64_t i = 1; i < n; ++i) new_partition[static_cast<size_t>(i)] |= !same[static_cast<size_t>(i)];
  }
  return PartitionedRows{std::move(rows), std::move(new_partition)};
}

}  // namespace

arrow::Result<std::shared_ptr<arrow::RecordBatch>> AssignWindows(const plan::TimeWindowSpec& spec,
                                                                 const std::shared_ptr<arrow::RecordBatch>& batch,
                                                                 const std::shared_ptr<arrow::Schema>& output_schema,
                                                                 arrow::MemoryPool* pool) {
  ARROW_ASSIGN_OR_RAISE(auto column, TimeColumn(*batch, spec.time_field));
  const auto& times = static_cast<const arrow::TimestampArray&>(*column);
  const int64_t n = batch->num_rows();
  std::vector<int64_t> starts, ends;
  starts.reserve(static_cast<size_t>(n));
  ends.reserve(static_cast<size_t>(n));
  // Row i of the output is input row rows[i]; with one window per row and no nulls the input
  // rows are kept as they are.
  arrow::Int64Builder rows(pool);
  bool identity = true;
  std::vector<plan::TimeWindowBounds> windows;
  for (int64_t i = 0; i < n; ++i) {
    if (times.IsNull(i)) {
      identity = false;
      continue;
    }
    windows.clear();
    plan::WindowsOf(spec, times.Value(i), &windows);
    if (windows.size() != 1) identity = false;
    for (const auto& w : windows) {
      ARROW_RETURN_NOT_OK(rows.Append(i));
      starts.push_back(w.start);
      ends.push_back(w.end);
    }
  }
  std::shared_ptr<arrow::RecordBatch> repeated = batch;
  if (!identity) {
    ARROW_ASSIGN_OR_RAISE(auto indices, rows.Finish());
    cp::ExecContext ctx(pool);
    ARROW_ASSIGN_OR_RAISE(auto taken, cp::Take(batch, indices, cp::TakeOptions::NoBoundsCheck(), &ctx));
    repeated = taken.record_batch();
  }
  arrow::ArrayVector columns = repeated->columns();
  ARROW_ASSIGN_OR_RAISE(auto start_array, Timestamps(column->type(), starts, pool));
  ARROW_ASSIGN_OR_RAISE(auto end_array, Timestamps(column->type(), ends, pool));
  columns.push_back(std::move(start_array));
  columns.push_back(std::move(end_array));
  return arrow::RecordBatch::Make(output_schema, static_cast<int64_t>(starts.size()), std::move(columns));
}

arrow::Result<std::shared_ptr<arrow::Table>> AssignSessions(const plan::TimeWindowSpec& spec,
                                                            const std::shared_ptr<arrow::Table>& input,
                                                            const std::shared_ptr<arrow::Schema>& output_schema,
                                                            cp::ExecContext* ctx) {
  arrow::MemoryPool* pool = ctx->memory_pool();
  ARROW_ASSIGN_OR_RAISE(auto sorted, SortByPartitionAndTime(spec, input, ctx));
  const std::shared_ptr<arrow::Table>& rows = sorted.rows;
  const std::vector<uint8_t>& new_partition = sorted.new_partition;  // row i starts a partition
  const int64_t n = rows->num_rows();
  const auto& times = static_cast<const arrow::TimestampArray&>(*rows->GetColumnByName(spec.time_field)->chunk(0));
  std::vector<int64_t> starts(static_cast<size_t>(n)), ends(static_cast<size_t>(n));
  int64_t first = 0;  // the first row of the current session
  auto close = [&](int64_t end_row) {  // rows [first, end_row) form one session
    const int64_t start = times.Value(first);
    int64_t end = times.Value(end_row - 1) + spec.size;
    if (spec.max_duration > 0) end = std::min(end, start + spec.max_duration);
    for (int64_t j = first; j < end_row; ++j) {
      starts[static_cast<size_t>(j)] = start;
      ends[static_cast<size_t>(j)] = end;
    }
  };
  for (int64_t i = 1; i < n; ++i) {
    const int64_t t = times.Value(i);
    const bool cut = new_partition[static_cast<size_t>(i)] || t - times.Value(i - 1) >= spec.size ||
                     (spec.max_duration > 0 && t - times.Value(first) >= spec.max_duration);
    if (cut) {
      close(i);
      first = i;
    }
  }
  if (n > 0) close(n);
  arrow::ChunkedArrayVector columns = rows->columns();
  ARROW_ASSIGN_OR_RAISE(auto start_array, Timestamps(times.type(), starts, pool));
  ARROW_ASSIGN_OR_RAISE(auto end_array, Timestamps(times.type(), ends, pool));
  columns.push_back(std::make_shared<arrow::ChunkedArray>(std::move(start_array)));
  columns.push_back(std::make_shared<arrow::ChunkedArray>(std::move(end_array)));
  return arrow::Table::Make(output_schema, std::move(columns), n);
}

arrow::Result<std::shared_ptr<arrow::Table>> AssignSlidingWindows(const plan::TimeWindowSpec& spec,
                                                                  const std::shared_ptr<arrow::Table>& input,
                                                                  const std::shared_ptr<arrow::Schema>& output_schema,
                                                                  cp::ExecContext* ctx) {
  arrow::MemoryPool* pool = ctx->memory_pool();
  ARROW_ASSIGN_OR_RAISE(auto sorted, SortByPartitionAndTime(spec, input, ctx));
  const std::shared_ptr<arrow::Table>& rows = sorted.rows;
  const int64_t n = rows->num_rows();
  const auto& times = static_cast<const arrow::TimestampArray&>(*rows->GetColumnByName(spec.time_field)->chunk(0));
  // Per partition [first, last): its windows' ends, then each row once per end in [t, t + size).
  arrow::Int64Builder repeated(pool);
  std::vector<int64_t> starts, ends;
  std::vector<int64_t> partition_times;
  for (int64_t first = 0; first < n;) {
    int64_t last = first + 1;
    while (last < n && !sorted.new_partition[static_cast<size_t>(last)]) ++last;
    partition_times.assign(times.raw_values() + first, times.raw_values() + last);
    const std::vector<int64_t> window_ends = plan::SlidingWindowEnds(spec, partition_times);
    for (int64_t i = first; i < last; ++i) {
      const int64_t t = times.Value(i);
      for (auto it = std::lower_bound(window_ends.begin(), window_ends.end(), t);
           it != window_ends.end() && *it - spec.size < t; ++it) {
        ARROW_RETURN_NOT_OK(repeated.Append(i));
        starts.push_back(*it - spec.size);
        ends.push_back(*it);
      }
    }
    first = last;
  }
  ARROW_ASSIGN_OR_RAISE(auto indices, repeated.Finish());
  ARROW_ASSIGN_OR_RAISE(auto taken, cp::Take(rows, indices, cp::TakeOptions::NoBoundsCheck(), ctx));
  arrow::ChunkedArrayVector columns = taken.table()->columns();
  ARROW_ASSIGN_OR_RAISE(auto start_array, Timestamps(times.type(), starts, pool));
  ARROW_ASSIGN_OR_RAISE(auto end_array, Timestamps(times.type(), ends, pool));
  columns.push_back(std::make_shared<arrow::ChunkedArray>(std::move(start_array)));
  columns.push_back(std::make_shared<arrow::ChunkedArray>(std::move(end_array)));
  return arrow::Table::Make(output_schema, std::move(columns), static_cast<int64_t>(starts.size()));
}

arrow::Status PartitionedWindowOperator::Add(std::shared_ptr<arrow::RecordBatch> batch, cp::ExecContext* ctx) {
  if (batch->num_rows() > 0) batches_.push_back(std::move(batch));
  return arrow::Status::OK();
}

arrow::Result<std::shared_ptr<arrow::Table>> PartitionedWindowOperator::Finish(cp::ExecContext* ctx) {
  ARROW_ASSIGN_OR_RAISE(auto table, arrow::Table::FromRecordBatches(input_schema_, std::move(batches_)));
  batches_.clear();
  if (spec_.kind == plan::TimeWindowKind::kSliding) return AssignSlidingWindows(spec_, table, output_schema_, ctx);
  return AssignSessions(spec_, table, output_schema_, ctx);
}

}  // namespace tidelake::exec
