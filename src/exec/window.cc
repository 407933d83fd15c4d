#include "exec/window.h"

#include <arrow/api.h>
#include <arrow/compute/api.h>

#include <algorithm>
#include <cctype>

#include "common/arrow_init.h"
#include "exec/memory_limit.h"
#include "exec/sort.h"
#include "exec/window_internal.h"

namespace tidelake::exec {

using window_internal::Frames;
using window_internal::Layout;

namespace {

std::string Normalize(const std::string& name) {
  std::string out = name;
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (out.rfind("hash_", 0) == 0) out = out.substr(5);
  // Spark's aliases, and Arrow's names for the same aggregates.
  if (out == "avg") return "mean";
  if (out == "first" || out == "any_value") return "first_value";
  if (out == "last") return "last_value";
  if (out == "count_all") return "count";
  if (out == "stddev" || out == "std") return "stddev_samp";
  if (out == "variance") return "var_samp";
  if (out == "every") return "bool_and";
  if (out == "some" || out == "any") return "bool_or";
  if (out == "array_agg") return "collect_list";
  return out;
}

bool IsRanking(const std::string& f) {
  return f == "row_number" || f == "rank" || f == "dense_rank" || f == "percent_rank" || f == "cume_dist" ||
         f == "ntile";
}
bool IsOffset(const std::string& f) { return f == "lag" || f == "lead"; }
bool IsValueInFrame(const std::string& f) { return f == "first_value" || f == "last_value" || f == "nth_value"; }

bool HasValueOffset(const plan::WindowFrame& frame) {
  auto offset_kind = [](const plan::FrameBound& b) {
    return b.kind == plan::FrameBound::Kind::kPreceding || b.kind == plan::FrameBound::Kind::kFollowing;
  };
  return frame.unit == plan::FrameUnit::kRange && (offset_kind(frame.start) || offset_kind(frame.end));
}

bool IsRangeOffsetType(const arrow::DataType& type) {
  return arrow::is_integer(type.id()) || arrow::is_floating(type.id()) || arrow::is_decimal(type.id()) ||
         type.id() == arrow::Type::DATE32 || type.id() == arrow::Type::DATE64 ||
         type.id() == arrow::Type::TIMESTAMP || type.id() == arrow::Type::DURATION;
}

// Charges the operator's per-row scratch arrays to the query's pool for their lifetime.
class ScratchCharge {
 public:
  explicit ScratchCharge(arrow::MemoryPool* pool) : pool_(dynamic_cast<QueryMemoryPool*>(pool)) {}
  ~ScratchCharge() {
    if (pool_) pool_->Release(bytes_);
  }
  arrow::Status Charge(int64_t bytes) {
    if (!pool_) return arrow::Status::OK();
    ARROW_RETURN_NOT_OK(pool_->Reserve(bytes));
    bytes_ += bytes;
    return arrow::Status::OK();
  }

 private:
  QueryMemoryPool* pool_;
  int64_t bytes_ = 0;
};

arrow::Result<std::shared_ptr<arrow::Array>> ColumnArray(const arrow::Table& table, const std::string& name,
                                                         arrow::MemoryPool* pool) {
  auto column = table.GetColumnByName(name);
  if (!column) return arrow::Status::Invalid("internal error: window column '", name, "' is not in the input");
  if (column->num_chunks() == 1) return column->chunk(0);
  if (column->num_chunks() == 0) return arrow::MakeArrayOfNull(column->type(), 0, pool);
  return arrow::Concatenate(column->chunks(), pool);
}

arrow::Result<std::shared_ptr<arrow::Array>> Int64Result(const std::vector<int64_t>& values, arrow::MemoryPool* pool) {
  arrow::Int64Builder builder(pool);
  ARROW_RETURN_NOT_OK(builder.AppendValues(values));
  return builder.Finish();
}

arrow::Result<std::shared_ptr<arrow::Array>> DoubleResult(const std::vector<double>& values, arrow::MemoryPool* pool) {
  arrow::DoubleBuilder builder(pool);
  ARROW_RETURN_NOT_OK(builder.AppendValues(values));
  return builder.Finish();
}

arrow::Result<std::shared_ptr<arrow::Array>> Ranking(const std::string& f, const plan::WindowCall& call,
                                                     const Layout& layout, arrow::MemoryPool* pool) {
  const int64_t n = layout.rows;
  if (f == "percent_rank" || f == "cume_dist") {
    std::vector<double> out(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) {
      int64_t ps = layout.partition_start[i], size = layout.partition_end[i] - ps;
      if (f == "percent_rank") {
        int64_t rank = layout.peer_start[i] - ps;  // rank - 1
        out[i] = size <= 1 ? 0.0 : static_cast<double>(rank) / static_cast<double>(size - 1);
      } else {
        out[i] = static_cast<double>(layout.peer_end[i] - ps) / static_cast<double>(size);
      }
    }
    return DoubleResult(out, pool);
  }
  std::vector<int64_t> out(static_cast<size_t>(n));
  int64_t dense = 0;
  for (int64_t i = 0; i < n; ++i) {
    int64_t ps = layout.partition_start[i];
    if (f == "row_number") {
      out[i] = i - ps + 1;
    } else if (f == "rank") {
      out[i] = layout.peer_start[i] - ps + 1;
    } else if (f == "dense_rank") {
      if (i == ps) dense = 0;
      if (layout.peer_start[i] == i) ++dense;
      out[i] = dense;
    } else {  // ntile
      int64_t buckets = *call.offset;
      int64_t size = layout.partition_end[i] - ps, r = i - ps;
      int64_t base = size / buckets, extra = size % buckets;
      int64_t big = extra * (base + 1);  // rows in the buckets that get one extra row
      out[i] = r < big ? r / (base + 1) + 1 : extra + (r - big) / base + 1;
    }
  }
  return Int64Result(out, pool);
}

// Positions of the non-null values and, per row, how many non-null values precede it.
struct NonNull {
  std::vector<int64_t> positions;
  std::vector<int64_t> before;  // size rows + 1
};

NonNull CountNonNull(const arrow::Array& values) {
  NonNull nn;
  nn.before.resize(static_cast<size_t>(values.length() + 1));
  nn.before[0] = 0;
  for (int64_t i = 0; i < values.length(); ++i) {
    bool valid = values.IsValid(i);
    if (valid) nn.positions.push_back(i);
    nn.before[i + 1] = nn.before[i] + (valid ? 1 : 0);
  }
  return nn;
}

arrow::Result<std::shared_ptr<arrow::Array>> LagLead(const std::string& f, const plan::WindowCall& call,
                                                     const std::shared_ptr<arrow::Array>& arg, const Layout& layout,
                                                     cp::ExecContext* ctx) {
  const int64_t n = layout.rows;
  int64_t offset = call.offset.value_or(1);
  int64_t shift = f == "lag" ? -offset : offset;
  std::vector<int64_t> indices(static_cast<size_t>(n), -1);
  std::vector<uint8_t> outside(static_cast<size_t>(n), 0);
  NonNull nn;
  if (call.ignore_nulls && shift != 0) nn = CountNonNull(*arg);
  for (int64_t i = 0; i < n; ++i) {
    int64_t ps = layout.partition_start[i], pe = layout.partition_end[i];
    int64_t j = -1;
    if (!call.ignore_nulls || shift == 0) {
      if ((shift < 0 && i - ps >= -shift) || (shift >= 0 && pe - 1 - i >= shift)) j = i + shift;
    } else if (shift < 0) {
      int64_t t = nn.before[i] + shift;  // the (-shift)-th non-null value before row i
      if (t >= nn.before[ps]) j = nn.positions[t];
    } else {
      int64_t t = nn.before[i + 1] + shift - 1;  // the shift-th non-null value after row i
      if (t < nn.before[pe]) j = nn.positions[t];
    }
    indices[i] = j;
    outside[i] = j < 0;
  }
  ARROW_ASSIGN_OR_RAISE(auto taken, window_internal::TakeOrNull(arg, indices, ctx));
  if (!call.default_value || !call.default_value->is_valid) return taken;
  std::shared_ptr<arrow::Scalar> fill = call.default_value;
  if (!fill->type->Equals(*arg->type())) {
    auto cast = fill->CastTo(arg->type());
    if (!cast.ok()) {
      return arrow::Status::Invalid(f, ": the default value ", fill->ToString(), " cannot be cast to ",
                                    arg->type()->ToString(), ": ", cast.status().message());
    }
    fill = *cast;
  }
  arrow::BooleanBuilder mask(ctx->memory_pool());
  ARROW_RETURN_NOT_OK(mask.Reserve(n));
  for (int64_t i = 0; i < n; ++i) mask.UnsafeAppend(outside[i] != 0);
  ARROW_ASSIGN_OR_RAISE(auto mask_array, mask.Finish());
  ARROW_ASSIGN_OR_RAISE(auto filled, cp::IfElse(mask_array, fill, taken, ctx));
  return filled.make_array();
}

arrow::Result<std::shared_ptr<arrow::Array>> ValueInFrame(const std::string& f, const plan::WindowCall& call,
                                                          const std::shared_ptr<arrow::Array>& arg, const Frames& frames,
                                                          const Layout& layout, cp::ExecContext* ctx) {
  const int64_t n = layout.rows;
  std::vector<int64_t> indices(static_cast<size_t>(n), -1);
  NonNull nn;
  if (call.ignore_nulls) nn = CountNonNull(*arg);
  int64_t nth = f == "nth_value" ? *call.offset : 1;
  for (int64_t i = 0; i < n; ++i) {
    int64_t fs = frames.start[i], fe = frames.end[i];
    if (fe <= fs) continue;
    if (!call.ignore_nulls) {
      if (f == "last_value") {
        indices[i] = fe - 1;
      } else if (nth <= fe - fs) {
        indices[i] = fs + nth - 1;
      }
    } else if (f == "last_value") {
      if (nn.before[fe] > nn.before[fs]) indices[i] = nn.positions[nn.before[fe] - 1];
    } else if (nn.before[fe] - nn.before[fs] >= nth) {
      indices[i] = nn.positions[nn.before[fs] + nth - 1];
    }
  }
  return window_internal::TakeOrNull(arg, indices, ctx);
}

}  // namespace

namespace window_internal {

arrow::Result<std::shared_ptr<arrow::Array>> TakeOrNull(const std::shared_ptr<arrow::Array>& values,
                                                        const std::vector<int64_t>& indices, cp::ExecContext* ctx) {
  arrow::Int64Builder builder(ctx->memory_pool());
  ARROW_RETURN_NOT_OK(builder.Reserve(static_cast<int64_t>(indices.size())));
  for (int64_t index : indices) {
    if (index < 0) {
      builder.UnsafeAppendNull();
    } else {
      builder.UnsafeAppend(index);
    }
  }
  ARROW_ASSIGN_OR_RAISE(auto index_array, builder.Finish());
  ARROW_ASSIGN_OR_RAISE(auto taken, cp::Take(values, index_array, cp::TakeOptions::NoBoundsCheck(), ctx));
  return taken.make_array();
}

arrow::Result<std::vector<uint8_t>> SameAsPrevious(const arrow::Array& column, cp::ExecContext* ctx) {
  const int64_t n = column.length();
  std::vector<uint8_t> same(static_cast<size_t>(n), 0);
  if (n < 2) return same;
  auto later = column.Slice(1), earlier = column.Slice(0, n - 1);
  auto equal = cp::CallFunction("equal", {later, earlier}, ctx);
  if (!equal.ok()) {
    // Types the comparison kernels do not cover (structs, lists, maps).
    auto options = arrow::EqualOptions::Defaults().nans_equal(true);
    for (int64_t i = 1; i < n; ++i) same[i] = column.RangeEquals(i, i + 1, i - 1, column, options);
    return same;
  }
  auto eq_array = equal->make_array();
  const auto& eq = static_cast<const arrow::BooleanArray&>(*eq_array);
  std::shared_ptr<arrow::BooleanArray> nan;
  if (arrow::is_floating(column.type_id())) {
    ARROW_ASSIGN_OR_RAISE(auto is_nan, cp::CallFunction("is_nan", {column.Slice(0)}, ctx));
    nan = std::static_pointer_cast<arrow::BooleanArray>(is_nan.make_array());
  }
  for (int64_t i = 1; i < n; ++i) {
    bool a = column.IsValid(i), b = column.IsValid(i - 1);
    if (!a || !b) {
      same[i] = !a && !b;
    } else {
      same[i] = eq.Value(i - 1) || (nan && nan->Value(i) && nan->Value(i - 1));
    }
  }
  return same;
}

arrow::Result<Layout> ComputeLayout(int64_t rows, const std::vector<std::shared_ptr<arrow::Array>>& partition_columns,
                                    const std::vector<std::shared_ptr<arrow::Array>>& order_columns,
                                    cp::ExecContext* ctx) {
  Layout layout;
  layout.rows = rows;
  std::vector<uint8_t> new_partition(static_cast<size_t>(rows), 0), new_peer;
  if (rows > 0) new_partition[0] = 1;
  for (const auto& column : partition_columns) {
    ARROW_ASSIGN_OR_RAISE(auto same, SameAsPrevious(*column, ctx));
    for (int64_t i = 1; i < rows; ++i) new_partition[i] |= !same[i];
  }
  new_peer = new_partition;
  for (const auto& column : order_columns) {
    ARROW_ASSIGN_OR_RAISE(auto same, SameAsPrevious(*column, ctx));
    for (int64_t i = 1; i < rows; ++i) new_peer[i] |= !same[i];
  }
  auto n = static_cast<size_t>(rows);
  layout.partition_start.resize(n);
  layout.partition_end.resize(n);
  layout.peer_start.resize(n);
  layout.peer_end.resize(n);
  for (int64_t i = 0; i < rows; ++i) {
    layout.partition_start[i] = new_partition[i] ? i : layout.partition_start[i - 1];
    layout.peer_start[i] = new_peer[i] ? i : layout.peer_start[i - 1];
  }
  for (int64_t i = rows - 1; i >= 0; --i) {
    bool last = i == rows - 1;
    layout.partition_end[i] = last || new_partition[i + 1] ? i + 1 : layout.partition_end[i + 1];
    layout.peer_end[i] = last || new_peer[i + 1] ? i + 1 : layout.peer_end[i + 1];
  }
  return layout;
}

}  // namespace window_internal

arrow::Status ValidateWindowNode(const plan::WindowNode& node) {
  if (node.inputs.size() != 1 || !node.inputs[0]) return arrow::Status::Invalid("internal error: window without input");
  const auto& input = *node.inputs[0]->schema;
  if (node.schema->num_fields() != input.num_fields() + static_cast<int>(node.calls.size())) {
    return arrow::Status::Invalid("internal error: window outputs ", node.schema->num_fields(), " fields, expected ",
                                  input.num_fields() + static_cast<int>(node.calls.size()));
  }
  for (const auto& p : node.partition_by) {
    if (input.GetFieldIndex(p) < 0) return arrow::Status::Invalid("internal error: PARTITION BY column '", p, "' is missing");
  }
  for (const auto& o : node.order_by) {
    if (input.GetFieldIndex(o.field) < 0) {
      return arrow::Status::Invalid("internal error: window ORDER BY column '", o.field, "' is missing");
    }
  }
  for (const auto& call : node.calls) {
    std::string f = Normalize(call.function);
    for (const auto& a : call.args) {
      if (input.GetFieldIndex(a) < 0) {
        return arrow::Status::Invalid("internal error: argument '", a, "' of window function ", call.function, " is missing");
      }
    }
    size_t want_args = 1;
    if (IsRanking(f)) {
      want_args = 0;
      if (f == "ntile" && (!call.offset || *call.offset <= 0)) {
        return arrow::Status::Invalid("ntile needs a positive number of buckets");
      }
    } else if (IsOffset(f) || IsValueInFrame(f)) {
      if (f == "nth_value" && (!call.offset || *call.offset <= 0)) {
        return arrow::Status::Invalid("nth_value needs a positive n");
      }
    } else if (f == "count") {
      want_args = call.args.empty() ? 0 : 1;
    } else if (!window_internal::IsNativeFrameAggregate(f)) {
      auto function = cp::GetFunctionRegistry()->GetFunction(f);
      if (!function.ok() || (*function)->kind() != cp::Function::SCALAR_AGGREGATE) {
        return arrow::Status::NotImplemented("window function '", call.function, "'");
      }
    }
    if (call.args.size() != want_args) {
      return arrow::Status::Invalid("window function ", call.function, " takes ", want_args, " argument",
                                    want_args == 1 ? "" : "s", ", got ", call.args.size());
    }
    if (!IsRanking(f) && !IsOffset(f) && HasValueOffset(call.frame)) {
      if (node.order_by.size() != 1) {
        return arrow::Status::Invalid("a RANGE frame with an offset needs exactly one ORDER BY expression (",
                                      call.function, " has ", node.order_by.size(), ")");
      }
      const auto& type = *input.GetFieldByName(node.order_by[0].field)->type();
      if (!IsRangeOffsetType(type)) {
        return arrow::Status::Invalid("a RANGE frame with an offset needs a numeric, date or timestamp ORDER BY, not ",
                                      type.ToString());
      }
    }
  }
  return arrow::Status::OK();
}

arrow::Result<std::shared_ptr<arrow::Table>> ComputeWindows(const plan::WindowNode& node,
                                                            const std::shared_ptr<arrow::Table>& input,
                                                            cp::ExecContext* ctx) {
  ARROW_RETURN_NOT_OK(EnsureArrowInitialized());
  ARROW_RETURN_NOT_OK(ValidateWindowNode(node));
  arrow::MemoryPool* pool = ctx->memory_pool();
  const int64_t n = input->num_rows();
  ScratchCharge scratch(pool);
  // Per row: the layout (4 int64), one call's frames (2) and its working arrays (prefix
  // sums of 128 bits, ranks, indices: up to 8 more), with room to spare.
  ARROW_RETURN_NOT_OK(scratch.Charge(n * 16 * static_cast<int64_t>(sizeof(int64_t))));

  std::vector<arrow::Datum> key_columns;
  std::vector<plan::SortKey> keys;
  for (const auto& p : node.partition_by) {
    key_columns.emplace_back(input->GetColumnByName(p));
    keys.push_back(plan::SortKey{p, true, true});
  }
  for (const auto& o : node.order_by) {
    key_columns.emplace_back(input->GetColumnByName(o.field));
    keys.push_back(o);
  }
  std::shared_ptr<arrow::Table> sorted = input;
  if (!keys.empty() && n > 1) {
    ARROW_ASSIGN_OR_RAISE(auto indices, SparkSortIndices(key_columns, keys, ctx));
    ARROW_ASSIGN_OR_RAISE(auto taken, cp::Take(input, indices, cp::TakeOptions::NoBoundsCheck(), ctx));
    sorted = taken.table();
  }
  ARROW_ASSIGN_OR_RAISE(sorted, sorted->CombineChunks(pool));

  std::vector<std::shared_ptr<arrow::Array>> partition_columns, order_columns;
  for (const auto& p : node.partition_by) {
    ARROW_ASSIGN_OR_RAISE(auto a, ColumnArray(*sorted, p, pool));
    partition_columns.push_back(a);
  }
  for (const auto& o : node.order_by) {
    ARROW_ASSIGN_OR_RAISE(auto a, ColumnArray(*sorted, o.field, pool));
    order_columns.push_back(a);
  }
  ARROW_ASSIGN_OR_RAISE(auto layout, window_internal::ComputeLayout(n, partition_columns, order_columns, ctx));

  arrow::ChunkedArrayVector columns = sorted->columns();
  for (size_t c = 0; c < node.calls.size(); ++c) {
    const auto& call = node.calls[c];
    std::string f = Normalize(call.function);
    std::shared_ptr<arrow::Array> arg;
    if (!call.args.empty()) {
      ARROW_ASSIGN_OR_RAISE(arg, ColumnArray(*sorted, call.args[0], pool));
    }
    const auto& out_type = node.schema->field(sorted->num_columns() + static_cast<int>(c))->type();
    auto computed = [&]() -> arrow::Result<std::shared_ptr<arrow::Array>> {
      if (IsRanking(f)) return Ranking(f, call, layout, pool);
      if (IsOffset(f)) return LagLead(f, call, arg, layout, ctx);
      ARROW_ASSIGN_OR_RAISE(auto frames, window_internal::ComputeFrames(
                                             call.frame, layout, order_columns.empty() ? nullptr : order_columns[0],
                                             node.order_by.empty() || node.order_by[0].ascending));
      if (IsValueInFrame(f)) return ValueInFrame(f, call, arg, frames, layout, ctx);
      return window_internal::FrameAggregate(f, arg, frames, layout, out_type, ctx);
    }();
    if (!computed.ok()) {
      return computed.status().WithMessage("window function ", call.function, ": ", computed.status().message());
    }
    std::shared_ptr<arrow::Array> result = *computed;
    if (!result->type()->Equals(*out_type)) {
      auto cast = cp::Cast(*result, out_type, cp::CastOptions::Safe(), ctx);
      if (!cast.ok()) {
        return cast.status().WithMessage("window function ", call.function, ": its ", result->type()->ToString(),
                                         " result does not fit ", out_type->ToString(), ": ", cast.status().message());
      }
      result = *cast;
    }
    columns.push_back(std::make_shared<arrow::ChunkedArray>(result));
  }
  return arrow::Table::Make(node.schema, std::move(columns), n);
}

arrow::Status WindowOperator::Add(std::shared_ptr<arrow::RecordBatch> batch, cp::ExecContext* ctx) {
  if (batch->num_rows() > 0) batches_.push_back(std::move(batch));
  return arrow::Status::OK();
}

arrow::Result<std::shared_ptr<arrow::Table>> WindowOperator::Finish(cp::ExecContext* ctx) {
  ARROW_ASSIGN_OR_RAISE(auto table, arrow::Table::FromRecordBatches(input_schema_, std::move(batches_)));
  batches_.clear();
  return ComputeWindows(*node_, table, ctx);
}

}  // namespace tidelake::exec
