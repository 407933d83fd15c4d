// Window frames: the rows each row's frame covers, and aggregates over those frames.
#include <arrow/api.h>
#include <arrow/compute/api.h>
#include <arrow/util/decimal.h>

#include <algorithm>
#include <deque>
#include <limits>

#include "exec/sort.h"
#include "exec/window_internal.h"

namespace tidelake::exec::window_internal {

namespace {

using Kind = plan::FrameBound::Kind;
using int128 = __int128;

int64_t SaturatingAdd(int64_t a, int64_t b) {
  int64_t out;
  if (__builtin_add_overflow(a, b, &out)) return b > 0 ? std::numeric_limits<int64_t>::max() : std::numeric_limits<int64_t>::min();
  return out;
}

// The signed distance of an offset bound: PRECEDING is negative, FOLLOWING positive.
int64_t Distance(const plan::FrameBound& bound) {
  int64_t magnitude = bound.offset == std::numeric_limits<int64_t>::min() ? std::numeric_limits<int64_t>::max()
                                                                          : std::abs(bound.offset);
  return bound.kind == Kind::kPreceding ? -magnitude : magnitude;
}

// ORDER BY key values as long doubles (exact for every int64), multiplied by the direction so
// that they ascend within the non-null region of each partition. `special` marks NULL / NaN.
arrow::Status RangeKeys(const std::shared_ptr<arrow::Array>& key, bool ascending, std::vector<long double>* values,
                        std::vector<uint8_t>* special) {
  std::shared_ptr<arrow::Array> numeric = key;
  auto id = key->type_id();
  if (id == arrow::Type::DATE32) {
    ARROW_ASSIGN_OR_RAISE(numeric, cp::Cast(*key, arrow::int32()));
  }
  if (arrow::is_decimal(id)) {
    ARROW_ASSIGN_OR_RAISE(numeric, cp::Cast(*key, arrow::float64()));
  } else if (!arrow::is_floating(id)) {
    ARROW_ASSIGN_OR_RAISE(numeric, cp::Cast(*numeric, arrow::int64(), cp::CastOptions::Unsafe(arrow::int64())));
  } else if (id != arrow::Type::DOUBLE) {
    ARROW_ASSIGN_OR_RAISE(numeric, cp::Cast(*key, arrow::float64()));
  }
  int64_t n = key->length();
  values->assign(static_cast<size_t>(n), 0);
  special->assign(static_cast<size_t>(n), 0);
  long double sign = ascending ? 1 : -1;
  for (int64_t i = 0; i < n; ++i) {
    if (numeric->IsNull(i)) {
      (*special)[i] = 1;
      continue;
    }
    if (numeric->type_id() == arrow::Type::DOUBLE) {
      double v = static_cast<const arrow::DoubleArray&>(*numeric).Value(i);
      if (std::isnan(v)) {
        (*special)[i] = 1;
        continue;
      }
      (*values)[i] = sign * static_cast<long double>(v);
    } else {
      (*values)[i] = sign * static_cast<long double>(static_cast<const arrow::Int64Array&>(*numeric).Value(i));
    }
  }
  return arrow::Status::OK();
}

}  // namespace

arrow::Result<Frames> ComputeFrames(const plan::WindowFrame& frame, const Layout& layout,
                                    const std::shared_ptr<arrow::Array>& order_key, bool ascending) {
  const int64_t n = layout.rows;
  Frames frames;
  frames.start.resize(static_cast<size_t>(n));
  frames.end.resize(static_cast<size_t>(n));
  frames.starts_at_partition = frame.start.kind == Kind::kUnboundedPreceding;
  frames.ends_at_partition = frame.end.kind == Kind::kUnboundedFollowing;
  if (frame.unit == plan::FrameUnit::kRows) {
    for (int64_t i = 0; i < n; ++i) {
      int64_t ps = layout.partition_start[i], pe = layout.partition_end[i];
      auto at = [&](const plan::FrameBound& b, bool is_end) -> int64_t {
        switch (b.kind) {
          case Kind::kUnboundedPreceding: return ps;
          case Kind::kUnboundedFollowing: return pe;
          case Kind::kCurrentRow: return is_end ? i + 1 : i;
          default: {
            int64_t pos = SaturatingAdd(SaturatingAdd(i, Distance(b)), is_end ? 1 : 0);
            return std::clamp(pos, ps, pe);
          }
        }
      };
      frames.start[i] = at(frame.start, false);
      frames.end[i] = at(frame.end, true);
    }
    return frames;
  }
  // RANGE: CURRENT ROW means the row's peers; offsets compare ORDER BY values.
  bool offsets = frame.start.kind == Kind::kPreceding || frame.start.kind == Kind::kFollowing ||
                 frame.end.kind == Kind::kPreceding || frame.end.kind == Kind::kFollowing;
  std::vector<long double> keys;
  std::vector<uint8_t> special;
  if (offsets) {
    if (!order_key) return arrow::Status::Invalid("a RANGE frame with an offset needs an ORDER BY");
    ARROW_RETURN_NOT_OK(RangeKeys(order_key, ascending, &keys, &special));
  }
  int64_t region_begin = 0, region_end = 0;  // non-special rows of the current partition
  for (int64_t i = 0; i < n; ++i) {
    int64_t ps = layout.partition_start[i], pe = layout.partition_end[i];
    if (offsets && i == ps) {
      region_begin = ps;
      while (region_begin < pe && special[region_begin]) ++region_begin;
      region_end = region_begin;
      while (region_end < pe && !special[region_end]) ++region_end;
    }
    auto at = [&](const plan::FrameBound& b, bool is_end) -> int64_t {
      switch (b.kind) {
        case Kind::kUnboundedPreceding: return ps;
        case Kind::kUnboundedFollowing: return pe;
        case Kind::kCurrentRow: return is_end ? layout.peer_end[i] : layout.peer_start[i];
        default: {
          if (special[i]) return is_end ? layout.peer_end[i] : layout.peer_start[i];
          long double target = keys[i] + static_cast<long double>(Distance(b));
          auto first = keys.begin() + region_begin, last = keys.begin() + region_end;
          auto it = is_end ? std::upper_bound(first, last, target) : std::lower_bound(first, last, target);
          return it - keys.begin();
        }
      }
    };
    frames.start[i] = at(frame.start, false);
    frames.end[i] = at(frame.end, true);
  }
  return frames;
}

bool IsNativeFrameAggregate(const std::string& function) {
  for (const char* f : {"count", "sum", "mean", "min", "max", "count_if", "stddev_samp", "stddev_pop", "var_samp",
                        "var_pop", "bool_and", "bool_or", "collect_list", "collect_set"}) {
    if (function == f) return true;
  }
  return false;
}

namespace {

int64_t FrameSize(const Frames& frames, int64_t i) { return std::max<int64_t>(0, frames.end[i] - frames.start[i]); }

arrow::Result<std::shared_ptr<arrow::Array>> Count(const std::shared_ptr<arrow::Array>& arg, const Frames& frames,
                                                   int64_t n, arrow::MemoryPool* pool) {
  std::vector<int64_t> valid_before;
  if (arg) {
    valid_before.resize(static_cast<size_t>(n + 1));
    valid_before[0] = 0;
    for (int64_t i = 0; i < n; ++i) valid_before[i + 1] = valid_before[i] + (arg->IsValid(i) ? 1 : 0);
  }
  arrow::Int64Builder builder(pool);
  ARROW_RETURN_NOT_OK(builder.Reserve(n));
  for (int64_t i = 0; i < n; ++i) {
    if (FrameSize(frames, i) == 0) {
      builder.UnsafeAppend(0);
    } else if (!arg) {
      builder.UnsafeAppend(frames.end[i] - frames.start[i]);
    } else {
      builder.UnsafeAppend(valid_before[frames.end[i]] - valid_before[frames.start[i]]);
    }
  }
  return builder.Finish();
}

// Exact sums of integers or decimal unscaled values through prefix sums.
arrow::Result<std::shared_ptr<arrow::Array>> ExactSum(const std::shared_ptr<arrow::Array>& arg, bool mean,
                                                      const Frames& frames, int64_t n,
                                                      const std::shared_ptr<arrow::DataType>& result_type,
                                                      cp::ExecContext* ctx) {
  const bool decimal = arrow::is_decimal(arg->type_id());
  std::shared_ptr<arrow::Array> values = arg;
  int32_t scale = 0;
  if (decimal) {
    scale = static_cast<const arrow::DecimalType&>(*arg->type()).scale();
    if (arg->type_id() != arrow::Type::DECIMAL128) {
      ARROW_ASSIGN_OR_RAISE(values, cp::Cast(*arg, arrow::decimal128(38, scale), cp::CastOptions::Safe(), ctx));
    }
  } else if (arg->type_id() != arrow::Type::INT64) {
    ARROW_ASSIGN_OR_RAISE(values, cp::Cast(*arg, arrow::int64(), cp::CastOptions::Safe(), ctx));
  }
  std::vector<int128> prefix(static_cast<size_t>(n + 1), 0);
  std::vector<int64_t> valid_before(static_cast<size_t>(n + 1), 0);
  for (int64_t i = 0; i < n; ++i) {
    int128 v = 0;
    bool valid = values->IsValid(i);
    if (valid) {
      if (decimal) {
        arrow::Decimal128 d(static_cast<const arrow::Decimal128Array&>(*values).GetValue(i));
        v = (static_cast<int128>(d.high_bits()) << 64) | static_cast<int128>(d.low_bits());
      } else {
        v = static_cast<const arrow::Int64Array&>(*values).Value(i);
      }
    }
    if (__builtin_add_overflow(prefix[i], v, &prefix[i + 1])) {
      return arrow::Status::Invalid("sum overflows 128 bits");
    }
    valid_before[i + 1] = valid_before[i] + (valid ? 1 : 0);
  }
  auto frame_sum = [&](int64_t i, int128* sum, int64_t* count) {
    *count = FrameSize(frames, i) == 0 ? 0 : valid_before[frames.end[i]] - valid_before[frames.start[i]];
    *sum = *count == 0 ? 0 : prefix[frames.end[i]] - prefix[frames.start[i]];
  };
  if (!decimal) {
    if (mean) {
      arrow::DoubleBuilder builder(ctx->memory_pool());
      ARROW_RETURN_NOT_OK(builder.Reserve(n));
      for (int64_t i = 0; i < n; ++i) {
        int128 sum;
        int64_t count;
        frame_sum(i, &sum, &count);
        if (count == 0) {
          builder.UnsafeAppendNull();
        } else {
          builder.UnsafeAppend(static_cast<double>(static_cast<long double>(sum) / static_cast<long double>(count)));
        }
      }
      return builder.Finish();
    }
    arrow::Int64Builder builder(ctx->memory_pool());
    ARROW_RETURN_NOT_OK(builder.Reserve(n));
    for (int64_t i = 0; i < n; ++i) {
      int128 sum;
      int64_t count;
      frame_sum(i, &sum, &count);
      if (count == 0) {
        builder.UnsafeAppendNull();
      } else if (sum > std::numeric_limits<int64_t>::max() || sum < std::numeric_limits<int64_t>::min()) {
        return arrow::Status::Invalid("integer overflow: the sum does not fit in BIGINT");
      } else {
        builder.UnsafeAppend(static_cast<int64_t>(sum));
      }
    }
    return builder.Finish();
  }
  // Decimal: sums keep the input scale; averages use the result's scale (Spark: s + 4),
  // rounding half away from zero.
  int32_t out_scale = scale;
  if (mean) {
    out_scale = result_type && arrow::is_decimal(result_type->id())
                    ? static_cast<const arrow::DecimalType&>(*result_type).scale()
                    : std::min(38, scale + 4);
  }
  int128 factor = 1;
  for (int32_t s = scale; s < out_scale; ++s) factor *= 10;
  arrow::Decimal128Builder builder(arrow::decimal128(38, out_scale), ctx->memory_pool());
  ARROW_RETURN_NOT_OK(builder.Reserve(n));
  const int128 max38 = [] {
    int128 v = 1;
    for (int k = 0; k < 38; ++k) v *= 10;
    return v;
  }();
  for (int64_t i = 0; i < n; ++i) {
    int128 sum;
    int64_t count;
    frame_sum(i, &sum, &count);
    if (count == 0) {
      builder.UnsafeAppendNull();
      continue;
    }
    int128 out = sum;
    if (mean) {
      int128 scaled;
      if (__builtin_mul_overflow(sum, factor, &scaled)) return arrow::Status::Invalid("decimal overflow in avg");
      int128 q = scaled / count, r = scaled % count;
      if (2 * (r < 0 ? -r : r) >= count) q += scaled < 0 ? -1 : 1;
      out = q;
    }
    if (out >= max38 || out <= -max38) return arrow::Status::Invalid("decimal overflow: the sum needs more than 38 digits");
    builder.UnsafeAppend(arrow::Decimal128(static_cast<int64_t>(out >> 64), static_cast<uint64_t>(out)));
  }
  return builder.Finish();
}

// Floating-point sums in row order, as Spark adds them: running frames accumulate, frames
// that end at the partition end accumulate backwards, other frames are summed row by row.
arrow::Result<std::shared_ptr<arrow::Array>> FloatSum(const std::shared_ptr<arrow::Array>& arg, bool mean,
                                                      const Frames& frames, const Layout& layout,
                                                      cp::ExecContext* ctx) {
  std::shared_ptr<arrow::Array> values = arg;
  if (arg->type_id() != arrow::Type::DOUBLE) {
    ARROW_ASSIGN_OR_RAISE(values, cp::Cast(*arg, arrow::float64(), cp::CastOptions::Safe(), ctx));
  }
  const auto& v = static_cast<const arrow::DoubleArray&>(*values);
  const int64_t n = layout.rows;
  std::vector<double> sums(static_cast<size_t>(n), 0);
  std::vector<int64_t> counts(static_cast<size_t>(n), 0);
  auto add_range = [&](int64_t from, int64_t to, double* sum, int64_t* count) {
    for (int64_t j = from; j < to; ++j) {
      if (v.IsValid(j)) {
        *sum += v.Value(j);
        ++*count;
      }
    }
  };
  if (frames.starts_at_partition) {
    double sum = 0;
    int64_t count = 0, covered = 0;
    for (int64_t i = 0; i < n; ++i) {
      if (i == layout.partition_start[i]) {
        sum = 0;
        count = 0;
        covered = i;
      }
      int64_t to = std::max(frames.end[i], covered);
      add_range(covered, to, &sum, &count);
      covered = to;
      sums[i] = sum;
      counts[i] = FrameSize(frames, i) == 0 ? 0 : count;
    }
  } else if (frames.ends_at_partition) {
    double sum = 0;
    int64_t count = 0, covered = 0;
    for (int64_t i = n - 1; i >= 0; --i) {
      if (i == layout.partition_end[i] - 1) {
        sum = 0;
        count = 0;
        covered = layout.partition_end[i];
      }
      int64_t from = std::min(frames.start[i], covered);
      for (int64_t j = covered - 1; j >= from; --j) {
        if (v.IsValid(j)) {
          sum += v.Value(j);
          ++count;
        }
      }
      covered = from;
      sums[i] = sum;
      counts[i] = FrameSize(frames, i) == 0 ? 0 : count;
    }
  } else {
    for (int64_t i = 0; i < n; ++i) {
      // Peers share a frame: reuse the previous row's result.
      if (i > 0 && frames.start[i] == frames.start[i - 1] && frames.end[i] == frames.end[i - 1]) {
        sums[i] = sums[i - 1];
        counts[i] = counts[i - 1];
        continue;
      }
      add_range(frames.start[i], frames.end[i], &sums[i], &counts[i]);
    }
  }
  arrow::DoubleBuilder builder(ctx->memory_pool());
  ARROW_RETURN_NOT_OK(builder.Reserve(n));
  for (int64_t i = 0; i < n; ++i) {
    if (counts[i] == 0) {
      builder.UnsafeAppendNull();
    } else {
      builder.UnsafeAppend(mean ? sums[i] / static_cast<double>(counts[i]) : sums[i]);
    }
  }
  return builder.Finish();
}

// min / max of any sortable type: rank the values once (Spark's ordering), then track the
// best rank per frame (running, or a monotonic deque since frame bounds never move back).
arrow::Result<std::shared_ptr<arrow::Array>> MinMax(const std::shared_ptr<arrow::Array>& arg, bool max,
                                                    const Frames& frames, const Layout& layout,
                                                    cp::ExecContext* ctx) {
  const int64_t n = layout.rows;
  ARROW_ASSIGN_OR_RAISE(auto order, SparkSortIndices({arrow::Datum(arg)}, {plan::SortKey{"", true, false}}, ctx));
  const auto& order_values = static_cast<const arrow::UInt64Array&>(*order);
  std::vector<int64_t> rank(static_cast<size_t>(n), -1);
  for (int64_t k = 0; k < n; ++k) rank[order_values.Value(k)] = max ? k : n - k;  // higher is better
  for (int64_t i = 0; i < n; ++i) {
    if (arg->IsNull(i)) rank[i] = -1;
  }
  std::vector<int64_t> best(static_cast<size_t>(n), -1);
  std::deque<int64_t> window;
  int64_t pushed = 0;  // rows [.., pushed) were offered to the deque
  int64_t running = -1;
  for (int64_t i = 0; i < n; ++i) {
    int64_t fs = frames.start[i], fe = frames.end[i];
    if (i == layout.partition_start[i]) {
      window.clear();
      pushed = layout.partition_start[i];
      running = -1;
    }
    if (fe <= fs) continue;
    if (frames.starts_at_partition) {
      for (; pushed < fe; ++pushed) {
        if (rank[pushed] >= 0 && (running < 0 || rank[pushed] > rank[running])) running = pushed;
      }
      best[i] = running;
      continue;
    }
    for (; pushed < fe; ++pushed) {
      if (rank[pushed] < 0) continue;
      while (!window.empty() && rank[window.back()] <= rank[pushed]) window.pop_back();
      window.push_back(pushed);
    }
    while (!window.empty() && window.front() < fs) window.pop_front();
    if (!window.empty()) best[i] = window.front();
  }
  return TakeOrNull(arg, best, ctx);
}

// Number of true values per frame (count_if).
arrow::Result<std::shared_ptr<arrow::Array>> CountTrue(const std::shared_ptr<arrow::Array>& arg, const Frames& frames,
                                                       int64_t n, arrow::MemoryPool* pool) {
  if (arg->type_id() != arrow::Type::BOOL) return arrow::Status::TypeError("count_if needs a boolean argument");
  const auto& values = static_cast<const arrow::BooleanArray&>(*arg);
  std::vector<int64_t> true_before(static_cast<size_t>(n + 1), 0);
  for (int64_t i = 0; i < n; ++i) true_before[i + 1] = true_before[i] + (values.IsValid(i) && values.Value(i) ? 1 : 0);
  arrow::Int64Builder builder(pool);
  ARROW_RETURN_NOT_OK(builder.Reserve(n));
  for (int64_t i = 0; i < n; ++i) {
    builder.UnsafeAppend(FrameSize(frames, i) == 0 ? 0 : true_before[frames.end[i]] - true_before[frames.start[i]]);
  }
  return builder.Finish();
}

// The aggregate of one frame's values: an Arrow scalar aggregate, or a list of the non-null
// values (collect_list; collect_set without duplicates).
arrow::Result<std::shared_ptr<arrow::Scalar>> AggregateSlice(const std::string& function,
                                                             const cp::FunctionOptions* options,
                                                             const std::shared_ptr<arrow::Array>& values,
                                                             cp::ExecContext* ctx) {
  if (function == "collect_list" || function == "collect_set") {
    ARROW_ASSIGN_OR_RAISE(auto kept, cp::CallFunction("drop_null", {values}, ctx));
    std::shared_ptr<arrow::Array> items = kept.make_array();
    if (function == "collect_set") {
      ARROW_ASSIGN_OR_RAISE(items, cp::Unique(items, ctx));
    }
    return std::make_shared<arrow::ListScalar>(items);
  }
  ARROW_ASSIGN_OR_RAISE(auto value, cp::CallFunction(function, {values}, options, ctx));
  return value.scalar();
}

// Any other aggregate, evaluated on each distinct frame.
arrow::Result<std::shared_ptr<arrow::Array>> GenericAggregate(const std::string& function,
                                                              const cp::FunctionOptions* options,
                                                              const std::shared_ptr<arrow::Array>& arg,
                                                              const Frames& frames, int64_t n,
                                                              cp::ExecContext* ctx) {
  std::vector<std::shared_ptr<arrow::Scalar>> results(static_cast<size_t>(n));
  std::shared_ptr<arrow::DataType> type;
  for (int64_t i = 0; i < n; ++i) {
    if (i > 0 && frames.start[i] == frames.start[i - 1] && frames.end[i] == frames.end[i - 1]) {
      results[i] = results[i - 1];
      continue;
    }
    int64_t fs = frames.start[i], size = FrameSize(frames, i);
    ARROW_ASSIGN_OR_RAISE(results[i], AggregateSlice(function, options, arg->Slice(size == 0 ? 0 : fs, size), ctx));
    type = results[i]->type;
  }
  if (!type) {
    ARROW_ASSIGN_OR_RAISE(auto empty, AggregateSlice(function, options, arg->Slice(0, 0), ctx));
    type = empty->type;
  }
  ARROW_ASSIGN_OR_RAISE(auto builder, arrow::MakeBuilder(type, ctx->memory_pool()));
  for (const auto& s : results) ARROW_RETURN_NOT_OK(builder->AppendScalar(*s));
  return builder->Finish();
}

}  // namespace

arrow::Result<std::shared_ptr<arrow::Array>> FrameAggregate(const std::string& function,
                                                            const std::shared_ptr<arrow::Array>& arg,
                                                            const Frames& frames, const Layout& layout,
                                                            const std::shared_ptr<arrow::DataType>& result_type,
                                                            cp::ExecContext* ctx) {
  const int64_t n = layout.rows;
  if (function == "count") return Count(arg, frames, n, ctx->memory_pool());
  if (!arg) return arrow::Status::Invalid(function, " needs an argument");
  if (function == "sum" || function == "mean") {
    bool mean = function == "mean";
    auto id = arg->type_id();
    if (arrow::is_integer(id) || arrow::is_decimal(id)) return ExactSum(arg, mean, frames, n, result_type, ctx);
    if (arrow::is_floating(id)) return FloatSum(arg, mean, frames, layout, ctx);
    if (id == arrow::Type::NA) return arrow::MakeArrayOfNull(arrow::float64(), n, ctx->memory_pool());
    return arrow::Status::Invalid(function == "sum" ? "sum" : "avg", " of ", arg->type()->ToString(),
                                  " is not defined");
  }
  if (function == "min" || function == "max") return MinMax(arg, function == "max", frames, layout, ctx);
  if (function == "count_if") return CountTrue(arg, frames, n, ctx->memory_pool());
  if (function == "stddev_samp" || function == "stddev_pop" || function == "var_samp" || function == "var_pop") {
    // Spark: the sample forms divide by n - 1 (NULL for one value), the population ones by n.
    cp::VarianceOptions options(/*ddof=*/function.ends_with("_samp") ? 1 : 0, /*skip_nulls=*/true, /*min_count=*/1);
    return GenericAggregate(function.starts_with("stddev") ? "stddev" : "variance", &options, arg, frames, n, ctx);
  }
  if (function == "bool_and" || function == "bool_or") {
    cp::ScalarAggregateOptions options(/*skip_nulls=*/true, /*min_count=*/1);
    return GenericAggregate(function == "bool_and" ? "all" : "any", &options, arg, frames, n, ctx);
  }
  return GenericAggregate(function, nullptr, arg, frames, n, ctx);
}

}  // namespace tidelake::exec::window_internal
