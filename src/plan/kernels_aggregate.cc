// Aggregate kernels with Spark's semantics where Arrow's differ, each registered twice: as a
// hash aggregate ("hash_tidelake_*", used with GROUP BY) and as a scalar aggregate
// ("tidelake_*", without keys), as AggregateCall expects.
//   tidelake_collect_list(x) -> list<x>: the non-NULL values (Arrow's hash_list keeps NULLs).
//   tidelake_percentile(x) -> double, tidelake_percentile_list(x) -> list<double>: exact
//     percentiles with linear interpolation (Spark's percentile and median);
//     QuantileOptions::q are the percentages.
//   tidelake_percentile_approx(x) -> x, tidelake_percentile_approx_list(x) -> list<x>: the
//     smallest value with at least p of the values at or below it (what Spark's
//     percentile_approx returns at its default accuracy), computed exactly.
//   tidelake_sum_distinct(x), tidelake_avg_distinct(x): sum / avg(DISTINCT x). Integers sum as
//     decimal(38,0) (the caller casts to bigint, which detects overflow) and average as
//     doubles; decimals keep their scale (decimal(38,s)); floats give doubles.
// The state keeps the consumed arrays and, per non-NULL value, its group and position; each
// thread has its own state and Acero merges them. Memory grows with the number of values, as
// Spark's own collect_list and percentile do.

#include <arrow/array/builder_primitive.h>
#include <arrow/array/concatenate.h>
#include <arrow/array/util.h>
#include <arrow/compute/api.h>
#include <arrow/util/checked_cast.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "plan/functions_internal.h"
#include "plan/kernels_common.h"

namespace tidelake::plan::internal {

namespace {

using arrow::internal::checked_cast;

enum class CollectKind { kList, kPercentile, kPercentileList, kApprox, kApproxList, kSumDistinct, kAvgDistinct };

bool IsDistinctArithmetic(CollectKind kind) { return kind == CollectKind::kSumDistinct || kind == CollectKind::kAvgDistinct; }

struct CollectState : cp::KernelState {
  CollectKind kind = CollectKind::kList;
  std::vector<double> q;
  std::shared_ptr<arrow::DataType> type;
  arrow::MemoryPool* pool = nullptr;
  std::vector<std::shared_ptr<arrow::Array>> chunks;
  int64_t total = 0;
  std::vector<uint32_t> groups;     // per collected (non-NULL) value
  std::vector<int64_t> positions;   // in the concatenation of chunks
  std::vector<double> numbers;      // the values as doubles (percentile kinds)
  int64_t num_groups = 0;
};

bool NeedsNumbers(CollectKind kind) { return kind != CollectKind::kList && !IsDistinctArithmetic(kind); }

// The type tidelake_sum_distinct / tidelake_avg_distinct answer for input `t`.
std::shared_ptr<arrow::DataType> DistinctArithmeticType(CollectKind kind, const std::shared_ptr<arrow::DataType>& t) {
  if (IsDecimal(*t)) return arrow::decimal128(38, DecimalScale(*t));
  if (IsIntegral(*t) && kind == CollectKind::kSumDistinct) return arrow::decimal128(38, 0);
  return arrow::float64();
}

// sum / avg of the distinct values of `values` as a scalar of DistinctArithmeticType.
arrow::Result<std::shared_ptr<arrow::Scalar>> DistinctArithmetic(CollectKind kind, const std::shared_ptr<arrow::Array>& values,
                                                                 arrow::MemoryPool* pool) {
  cp::ExecContext ctx(pool);
  const auto out_type = DistinctArithmeticType(kind, values->type());
  ARROW_ASSIGN_OR_RAISE(auto unique, cp::Unique(values, &ctx));
  ARROW_ASSIGN_OR_RAISE(arrow::Datum operand, cp::Cast(unique, out_type, cp::CastOptions::Safe(), &ctx));
  const auto options = cp::ScalarAggregateOptions(/*skip_nulls=*/true, /*min_count=*/1);
  ARROW_ASSIGN_OR_RAISE(arrow::Datum result, kind == CollectKind::kSumDistinct ? cp::Sum(operand, options, &ctx)
                                                                               : cp::Mean(operand, options, &ctx));
  auto scalar = result.scalar();
  if (!scalar->type->Equals(*out_type)) { ARROW_ASSIGN_OR_RAISE(scalar, scalar->CastTo(out_type)); }
  return scalar;
}

arrow::Status Consume(CollectState* state, const cp::ExecValue& value, int64_t length, const uint32_t* group_ids) {
  std::shared_ptr<arrow::Array> values;
  if (value.is_array()) {
    values = value.array.ToArray();
  } else {
    ARROW_ASSIGN_OR_RAISE(values, arrow::MakeArrayFromScalar(*value.scalar, length, state->pool));
  }
  std::shared_ptr<arrow::DoubleArray> doubles;
  if (NeedsNumbers(state->kind)) {
    ARROW_ASSIGN_OR_RAISE(arrow::Datum d, cp::Cast(values, arrow::float64(), cp::CastOptions::Unsafe()));
    doubles = std::static_pointer_cast<arrow::DoubleArray>(d.make_array());
  }
  for (int64_t i = 0; i < length; ++i) {
    if (values->IsNull(i)) continue;
    state->groups.push_back(group_ids == nullptr ? 0 : group_ids[i]);
    state->positions.push_back(state->total + i);
    if (doubles) state->numbers.push_back(doubles->Value(i));
  }
  state->chunks.push_back(std::move(values));
  state->total += length;
  return arrow::Status::OK();
}

void Merge(CollectState* into, CollectState&& other, const uint32_t* group_mapping) {
  const int64_t base = into->total;
  for (auto& chunk : other.chunks) into->chunks.push_back(std::move(chunk));
  into->total += other.total;
  for (size_t k = 0; k < other.groups.size(); ++k) {
    into->groups.push_back(group_mapping == nullptr ? other.groups[k] : group_mapping[other.groups[k]]);
    into->positions.push_back(base + other.positions[k]);
  }
  into->numbers.insert(into->numbers.end(), other.numbers.begin(), other.numbers.end());
}

// One array of `num_groups` results.
arrow::Result<std::shared_ptr<arrow::Array>> Finalize(CollectState* state, int64_t num_groups) {
  // Collected values in group order (stable): counting sort.
  std::vector<int64_t> starts(static_cast<size_t>(num_groups) + 1, 0);
  for (uint32_t g : state->groups) ++starts[g + 1];
  for (int64_t g = 0; g < num_groups; ++g) starts[g + 1] += starts[g];
  std::vector<size_t> order(state->groups.size());
  {
    std::vector<int64_t> next(starts.begin(), starts.end() - 1);
    for (size_t k = 0; k < state->groups.size(); ++k) order[static_cast<size_t>(next[state->groups[k]]++)] = k;
  }
  std::shared_ptr<arrow::Array> all;
  if (state->chunks.empty()) {
    ARROW_ASSIGN_OR_RAISE(all, arrow::MakeEmptyArray(state->type, state->pool));
  } else {
    ARROW_ASSIGN_OR_RAISE(all, arrow::Concatenate(state->chunks, state->pool));
  }
  if (IsDistinctArithmetic(state->kind)) {
    ARROW_ASSIGN_OR_RAISE(auto builder, arrow::MakeBuilder(DistinctArithmeticType(state->kind, state->type), state->pool));
    cp::ExecContext ctx(state->pool);
    for (int64_t g = 0; g < num_groups; ++g) {
      if (starts[g] == starts[g + 1]) {
        ARROW_RETURN_NOT_OK(builder->AppendNull());
        continue;
      }
      arrow::Int64Builder positions(state->pool);
      for (int64_t k = starts[g]; k < starts[g + 1]; ++k) {
        ARROW_RETURN_NOT_OK(positions.Append(state->positions[order[static_cast<size_t>(k)]]));
      }
      ARROW_ASSIGN_OR_RAISE(auto position_array, positions.Finish());
      ARROW_ASSIGN_OR_RAISE(arrow::Datum members, cp::Take(all, position_array, cp::TakeOptions::Defaults(), &ctx));
      ARROW_ASSIGN_OR_RAISE(auto value, DistinctArithmetic(state->kind, members.make_array(), state->pool));
      ARROW_RETURN_NOT_OK(builder->AppendScalar(*value));
    }
    return builder->Finish();
  }
  const bool percentile = state->kind == CollectKind::kPercentile || state->kind == CollectKind::kPercentileList;
  const bool as_list = state->kind == CollectKind::kList || state->kind == CollectKind::kPercentileList ||
                       state->kind == CollectKind::kApproxList;
  arrow::Int32Builder offsets(state->pool);
  arrow::Int64Builder take(state->pool);     // positions to take (list / approx kinds)
  arrow::DoubleBuilder computed(state->pool);  // percentile values
  ARROW_RETURN_NOT_OK(offsets.Append(0));
  int32_t emitted = 0;
  std::vector<bool> group_valid(static_cast<size_t>(num_groups), true);
  for (int64_t g = 0; g < num_groups; ++g) {
    std::vector<size_t> members(order.begin() + starts[g], order.begin() + starts[g + 1]);
    if (state->kind == CollectKind::kList) {
      for (size_t k : members) ARROW_RETURN_NOT_OK(take.Append(state->positions[k]));
      emitted += static_cast<int32_t>(members.size());
    } else {
      // NaN sorts after every number, as in Spark.
      std::stable_sort(members.begin(), members.end(), [&](size_t a, size_t b) {
        const double x = state->numbers[a], y = state->numbers[b];
        if (std::isnan(x)) return false;
        return std::isnan(y) || x < y;
      });
      const int64_t n = static_cast<int64_t>(members.size());
      if (n == 0) {
        group_valid[g] = false;
        if (!as_list) {
          if (percentile) ARROW_RETURN_NOT_OK(computed.AppendNull());
          else ARROW_RETURN_NOT_OK(take.AppendNull());
        }
      } else {
        for (double p : state->q) {
          if (percentile) {
            const double pos = p * static_cast<double>(n - 1);
            const int64_t lower = static_cast<int64_t>(std::floor(pos));
            const int64_t upper = static_cast<int64_t>(std::ceil(pos));
            const double lo = state->numbers[members[lower]], hi = state->numbers[members[upper]];
            ARROW_RETURN_NOT_OK(computed.Append(lower == upper ? lo : lo + (pos - static_cast<double>(lower)) * (hi - lo)));
          } else {
            const int64_t rank = std::clamp<int64_t>(static_cast<int64_t>(std::ceil(p * static_cast<double>(n))), 1, n);
            ARROW_RETURN_NOT_OK(take.Append(state->positions[members[rank - 1]]));
          }
        }
        emitted += static_cast<int32_t>(state->q.size());
      }
    }
    ARROW_RETURN_NOT_OK(offsets.Append(emitted));
  }
  std::shared_ptr<arrow::Array> values;
  if (percentile) {
    ARROW_ASSIGN_OR_RAISE(values, computed.Finish());
  } else {
    ARROW_ASSIGN_OR_RAISE(auto indices, take.Finish());
    cp::ExecContext ctx(state->pool);
    ARROW_ASSIGN_OR_RAISE(arrow::Datum taken, cp::Take(all, indices, cp::TakeOptions::Defaults(), &ctx));
    values = taken.make_array();
  }
  if (!as_list) return values;
  ARROW_ASSIGN_OR_RAISE(auto offsets_array, offsets.Finish());
  std::shared_ptr<arrow::Buffer> validity;
  int64_t null_count = 0;
  if (state->kind != CollectKind::kList) {
    arrow::BooleanBuilder valid(state->pool);
    for (bool v : group_valid) {
      ARROW_RETURN_NOT_OK(valid.Append(v));
      null_count += v ? 0 : 1;
    }
    ARROW_ASSIGN_OR_RAISE(auto valid_array, valid.Finish());
    if (null_count > 0) validity = valid_array->data()->buffers[1];
  }
  return std::make_shared<arrow::ListArray>(arrow::list(values->type()), num_groups,
                                            offsets_array->data()->buffers[1], values, validity, null_count);
}

arrow::Result<std::unique_ptr<cp::KernelState>> Init(CollectKind kind, cp::KernelContext* ctx,
                                                     const cp::KernelInitArgs& args) {
  auto state = std::make_unique<CollectState>();
  state->kind = kind;
  state->type = args.inputs[0].GetSharedPtr();
  state->pool = ctx->memory_pool();
  if (kind != CollectKind::kList && !IsDistinctArithmetic(kind)) {
    if (args.options == nullptr || std::string_view(args.options->type_name()) != "QuantileOptions") {
      return arrow::Status::Invalid("internal error: percentile aggregates need QuantileOptions");
    }
    state->q = static_cast<const cp::QuantileOptions*>(args.options)->q;
  }
  return state;
}

std::shared_ptr<arrow::DataType> OutputType(CollectKind kind, const std::shared_ptr<arrow::DataType>& input) {
  switch (kind) {
    case CollectKind::kList: return arrow::list(input);
    case CollectKind::kPercentile: return arrow::float64();
    case CollectKind::kPercentileList: return arrow::list(arrow::float64());
    case CollectKind::kApprox: return input;
    case CollectKind::kApproxList: return arrow::list(input);
    case CollectKind::kSumDistinct:
    case CollectKind::kAvgDistinct: return DistinctArithmeticType(kind, input);
  }
  return input;
}

template <CollectKind kKind>
arrow::Status RegisterCollect(cp::FunctionRegistry* registry, const std::string& name) {
  cp::KernelInit init = [](cp::KernelContext* ctx, const cp::KernelInitArgs& args) { return Init(kKind, ctx, args); };
  cp::OutputType out([](cp::KernelContext*, const std::vector<arrow::TypeHolder>& types) -> arrow::Result<arrow::TypeHolder> {
    return arrow::TypeHolder(OutputType(kKind, types[0].GetSharedPtr()));
  });

  auto hash = std::make_shared<cp::HashAggregateFunction>("hash_" + name, cp::Arity::Binary(), cp::FunctionDoc::Empty());
  cp::HashAggregateKernel hash_kernel(
      cp::KernelSignature::Make({cp::InputType::Any(), cp::InputType(arrow::Type::UINT32)}, out), init,
      [](cp::KernelContext* ctx, int64_t num_groups) -> arrow::Status {
        static_cast<CollectState*>(ctx->state())->num_groups = num_groups;
        return arrow::Status::OK();
      },
      [](cp::KernelContext* ctx, const cp::ExecSpan& batch) -> arrow::Status {
        return Consume(static_cast<CollectState*>(ctx->state()), batch[0], batch.length,
                       batch[1].array.GetValues<uint32_t>(1));
      },
      [](cp::KernelContext* ctx, cp::KernelState&& other, const arrow::ArrayData& mapping) -> arrow::Status {
        Merge(static_cast<CollectState*>(ctx->state()), std::move(checked_cast<CollectState&>(other)),
              mapping.GetValues<uint32_t>(1));
        return arrow::Status::OK();
      },
      [](cp::KernelContext* ctx, arrow::Datum* result) -> arrow::Status {
        auto* state = static_cast<CollectState*>(ctx->state());
        ARROW_ASSIGN_OR_RAISE(auto array, Finalize(state, state->num_groups));
        *result = array;
        return arrow::Status::OK();
      },
      /*ordered=*/false);
  ARROW_RETURN_NOT_OK(hash->AddKernel(std::move(hash_kernel)));
  ARROW_RETURN_NOT_OK(registry->AddFunction(std::move(hash)));

  auto scalar = std::make_shared<cp::ScalarAggregateFunction>(name, cp::Arity::Unary(), cp::FunctionDoc::Empty());
  cp::ScalarAggregateKernel scalar_kernel(
      cp::KernelSignature::Make({cp::InputType::Any()}, out), init,
      [](cp::KernelContext* ctx, const cp::ExecSpan& batch) -> arrow::Status {
        return Consume(static_cast<CollectState*>(ctx->state()), batch[0], batch.length, nullptr);
      },
      [](cp::KernelContext* ctx, cp::KernelState&& other, cp::KernelState* into) -> arrow::Status {
        Merge(static_cast<CollectState*>(into), std::move(checked_cast<CollectState&>(other)), nullptr);
        return arrow::Status::OK();
      },
      [](cp::KernelContext* ctx, arrow::Datum* result) -> arrow::Status {
        ARROW_ASSIGN_OR_RAISE(auto array, Finalize(static_cast<CollectState*>(ctx->state()), 1));
        ARROW_ASSIGN_OR_RAISE(auto value, array->GetScalar(0));
        *result = value;
        return arrow::Status::OK();
      },
      /*ordered=*/false);
  ARROW_RETURN_NOT_OK(scalar->AddKernel(std::move(scalar_kernel)));
  return registry->AddFunction(std::move(scalar));
}

}  // namespace

arrow::Status RegisterAggregateKernels(cp::FunctionRegistry* registry) {
  ARROW_RETURN_NOT_OK(RegisterCollect<CollectKind::kList>(registry, "tidelake_collect_list"));
  ARROW_RETURN_NOT_OK(RegisterCollect<CollectKind::kPercentile>(registry, "tidelake_percentile"));
  ARROW_RETURN_NOT_OK(RegisterCollect<CollectKind::kPercentileList>(registry, "tidelake_percentile_list"));
  ARROW_RETURN_NOT_OK(RegisterCollect<CollectKind::kApprox>(registry, "tidelake_percentile_approx"));
  ARROW_RETURN_NOT_OK(RegisterCollect<CollectKind::kApproxList>(registry, "tidelake_percentile_approx_list"));
  ARROW_RETURN_NOT_OK(RegisterCollect<CollectKind::kSumDistinct>(registry, "tidelake_sum_distinct"));
  ARROW_RETURN_NOT_OK(RegisterCollect<CollectKind::kAvgDistinct>(registry, "tidelake_avg_distinct"));
  ARROW_RETURN_NOT_OK(RegisterPickAggregateKernels(registry));
  return RegisterCountAggregateKernels(registry);
}

}  // namespace tidelake::plan::internal
