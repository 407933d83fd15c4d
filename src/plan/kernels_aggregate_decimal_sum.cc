// Sums of decimal128 values, registered as a hash aggregate ("hash_tidelake_decimal_sum") and
// a scalar aggregate ("tidelake_decimal_sum"): the unscaled values are added as 128-bit
// integers in one loop (Arrow's hash_sum calls an out-of-line Decimal128 operator per value).
// The result is decimal128(38, s) for an argument of scale s; nulls are skipped; a group
// without values sums to null, or to 0 with ScalarAggregateOptions::min_count = 0. A sum
// beyond 128 bits is an error (Arrow's wraps around). The executor uses these for sum and avg
// of decimals (exec/translate_relational.cc); the caller casts to the SQL result type, which
// checks the precision.

#include <arrow/compute/api.h>
#include <arrow/util/bit_util.h>
#include <arrow/util/checked_cast.h>

#include <cstring>
#include <vector>

#include "plan/functions_internal.h"
#include "plan/kernels_common.h"

namespace tidelake::plan::internal {

namespace {

using arrow::internal::checked_cast;

arrow::Status SumOverflow() {
  return arrow::Status::Invalid("[ARITHMETIC_OVERFLOW] Overflow in sum of decimals.");
}

struct DecimalSumState : cp::KernelState {
  std::vector<Int128> sums;
  std::vector<int64_t> counts;  // values summed per group
  bool empty_is_zero = false;
  std::shared_ptr<arrow::DataType> out_type;
  arrow::MemoryPool* pool = nullptr;

  void Resize(int64_t groups) {
    sums.resize(static_cast<size_t>(groups), 0);
    counts.resize(static_cast<size_t>(groups), 0);
  }

  // Adds the values of `value` (an array or a scalar for every row) to their groups (`groups`
  // null: all to group 0).
  arrow::Status Consume(const cp::ExecValue& value, int64_t length, const uint32_t* groups) {
    if (value.is_scalar()) {
      if (!value.scalar->is_valid) return arrow::Status::OK();
      const arrow::Decimal128& d = checked_cast<const arrow::Decimal128Scalar&>(*value.scalar).value;
      const Int128 v = (static_cast<Int128>(d.high_bits()) << 64) | static_cast<Int128>(d.low_bits());
      for (int64_t i = 0; i < length; ++i) {
        const uint32_t g = groups ? groups[i] : 0;
        if (__builtin_add_overflow(sums[g], v, &sums[g])) return SumOverflow();
        ++counts[g];
      }
      return arrow::Status::OK();
    }
    const arrow::ArraySpan& span = value.array;
    const uint8_t* values = span.buffers[1].data + span.offset * 16;
    const uint8_t* validity = span.null_count != 0 ? span.buffers[0].data : nullptr;
    bool overflow = false;
    for (int64_t i = 0; i < span.length; ++i) {
      if (validity && !arrow::bit_util::GetBit(validity, span.offset + i)) continue;
      Int128 v;
      std::memcpy(&v, values + i * 16, sizeof(v));
      const uint32_t g = groups ? groups[i] : 0;
      overflow |= __builtin_add_overflow(sums[g], v, &sums[g]);
      ++counts[g];
    }
    return overflow ? SumOverflow() : arrow::Status::OK();
  }

  arrow::Status Merge(const DecimalSumState& other, const uint32_t* mapping) {
    for (size_t i = 0; i < other.sums.size(); ++i) {
      const uint32_t g = mapping ? mapping[i] : 0;
      if (__builtin_add_overflow(sums[g], other.sums[i], &sums[g])) return SumOverflow();
      counts[g] += other.counts[i];
    }
    return arrow::Status::OK();
  }

  arrow::Result<std::shared_ptr<arrow::Array>> Finish() {
    const int64_t n = static_cast<int64_t>(sums.size());
    ARROW_ASSIGN_OR_RAISE(std::shared_ptr<arrow::Buffer> values, arrow::AllocateBuffer(n * 16, pool));
    if (n > 0) std::memcpy(values->mutable_data(), sums.data(), static_cast<size_t>(n) * 16);
    std::shared_ptr<arrow::Buffer> validity;
    if (!empty_is_zero) {
      bool all_valid = true;
      for (int64_t c : counts) all_valid = all_valid && c > 0;
      if (!all_valid) {
        ARROW_ASSIGN_OR_RAISE(validity, arrow::AllocateBitmap(n, pool));
        for (int64_t g = 0; g < n; ++g) arrow::bit_util::SetBitTo(validity->mutable_data(), g, counts[static_cast<size_t>(g)] > 0);
      }
    }
    return MakeDecimal128Array(out_type, n, std::move(values), std::move(validity));
  }
};

arrow::Result<arrow::TypeHolder> SumType(cp::KernelContext*, const std::vector<arrow::TypeHolder>& types) {
  return arrow::TypeHolder(arrow::decimal128(38, DecimalScale(*types[0].type)));
}

arrow::Result<std::unique_ptr<cp::KernelState>> InitSum(cp::KernelContext* ctx, const cp::KernelInitArgs& args) {
  auto state = std::make_unique<DecimalSumState>();
  const auto* options = static_cast<const cp::ScalarAggregateOptions*>(args.options);
  if (options != nullptr && !options->skip_nulls) {
    return arrow::Status::NotImplemented("internal error: tidelake_decimal_sum skips nulls");
  }
  state->empty_is_zero = options != nullptr && options->min_count == 0;
  state->out_type = arrow::decimal128(38, DecimalScale(*args.inputs[0].type));
  state->pool = ctx->memory_pool();
  return state;
}

}  // namespace

arrow::Status RegisterDecimalSumKernels(cp::FunctionRegistry* registry) {
  static const cp::ScalarAggregateOptions kDefaults = cp::ScalarAggregateOptions::Defaults();
  cp::OutputType out(SumType);
  auto hash = std::make_shared<cp::HashAggregateFunction>("hash_tidelake_decimal_sum", cp::Arity::Binary(),
                                                          cp::FunctionDoc::Empty(), &kDefaults);
  cp::HashAggregateKernel hash_kernel(
      cp::KernelSignature::Make({cp::InputType(arrow::Type::DECIMAL128), cp::InputType(arrow::uint32())}, out),
      InitSum,
      [](cp::KernelContext* ctx, int64_t num_groups) -> arrow::Status {
        static_cast<DecimalSumState*>(ctx->state())->Resize(num_groups);
        return arrow::Status::OK();
      },
      [](cp::KernelContext* ctx, const cp::ExecSpan& batch) -> arrow::Status {
        return static_cast<DecimalSumState*>(ctx->state())
            ->Consume(batch[0], batch.length, batch[1].array.GetValues<uint32_t>(1));
      },
      [](cp::KernelContext* ctx, cp::KernelState&& other, const arrow::ArrayData& mapping) -> arrow::Status {
        return static_cast<DecimalSumState*>(ctx->state())
            ->Merge(checked_cast<DecimalSumState&>(other), mapping.GetValues<uint32_t>(1));
      },
      [](cp::KernelContext* ctx, arrow::Datum* result) -> arrow::Status {
        ARROW_ASSIGN_OR_RAISE(auto array, static_cast<DecimalSumState*>(ctx->state())->Finish());
        *result = array;
        return arrow::Status::OK();
      },
      /*ordered=*/false);
  ARROW_RETURN_NOT_OK(hash->AddKernel(std::move(hash_kernel)));
  ARROW_RETURN_NOT_OK(registry->AddFunction(std::move(hash)));

  auto scalar = std::make_shared<cp::ScalarAggregateFunction>("tidelake_decimal_sum", cp::Arity::Unary(),
                                                              cp::FunctionDoc::Empty(), &kDefaults);
  cp::ScalarAggregateKernel scalar_kernel(
      cp::KernelSignature::Make({cp::InputType(arrow::Type::DECIMAL128)}, out),
      [](cp::KernelContext* ctx, const cp::KernelInitArgs& args) -> arrow::Result<std::unique_ptr<cp::KernelState>> {
        ARROW_ASSIGN_OR_RAISE(auto state, InitSum(ctx, args));
        static_cast<DecimalSumState*>(state.get())->Resize(1);
        return state;
      },
      [](cp::KernelContext* ctx, const cp::ExecSpan& batch) -> arrow::Status {
        return static_cast<DecimalSumState*>(ctx->state())->Consume(batch[0], batch.length, nullptr);
      },
      [](cp::KernelContext* ctx, cp::KernelState&& other, cp::KernelState* into) -> arrow::Status {
        return static_cast<DecimalSumState*>(into)->Merge(checked_cast<DecimalSumState&>(other), nullptr);
      },
      [](cp::KernelContext* ctx, arrow::Datum* result) -> arrow::Status {
        ARROW_ASSIGN_OR_RAISE(auto array, static_cast<DecimalSumState*>(ctx->state())->Finish());
        ARROW_ASSIGN_OR_RAISE(auto value, array->GetScalar(0));
        *result = value;
        return arrow::Status::OK();
      },
      /*ordered=*/false);
  ARROW_RETURN_NOT_OK(scalar->AddKernel(std::move(scalar_kernel)));
  return registry->AddFunction(std::move(scalar));
}

}  // namespace tidelake::plan::internal
