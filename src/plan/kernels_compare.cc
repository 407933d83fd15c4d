// Comparisons of two decimal128 values of one type (tidelake_decimal_{equal,not_equal,less,
// less_equal,greater,greater_equal}): the same answers as Arrow's comparison functions, which
// compare decimals through an out-of-line operator per value, computed on the unscaled
// 128-bit integers in one tight loop. Both arguments must have the same scale (Arrow's binding
// casts the arguments of a comparison to one common type, so bound comparisons do); either
// may be a scalar. A null on either side gives null. ExecutionForm (execution_form.h) puts
// these in place of Arrow's comparisons when an expression is about to run.

#include <arrow/compute/api.h>
#include <arrow/compute/kernel.h>
#include <arrow/scalar.h>
#include <arrow/util/bitmap_generate.h>

#include <cstring>
#include <functional>

#include "plan/functions_internal.h"
#include "plan/kernels_common.h"

namespace tidelake::plan::internal {

namespace {

// One side of a comparison: an array's unscaled values, or a scalar's.
struct DecimalSide {
  const uint8_t* values = nullptr;  // 16 bytes per row; null for a scalar
  Int128 scalar = 0;

  Int128 At(int64_t i) const {
    if (values == nullptr) return scalar;
    Int128 v;
    std::memcpy(&v, values + i * 16, sizeof(v));
    return v;
  }
};

arrow::Result<DecimalSide> SideOf(const cp::ExecValue& value) {
  DecimalSide side;
  if (value.is_array()) {
    const arrow::ArraySpan& span = value.array;
    side.values = span.buffers[1].data + span.offset * 16;
    return side;
  }
  const auto& scalar = static_cast<const arrow::Decimal128Scalar&>(*value.scalar);
  const arrow::Decimal128& v = scalar.value;
  side.scalar = (static_cast<Int128>(v.high_bits()) << 64) | static_cast<Int128>(v.low_bits());
  return side;
}

template <typename Compare>
arrow::Status CompareExec(cp::KernelContext*, const cp::ExecSpan& batch, cp::ExecResult* out) {
  ARROW_ASSIGN_OR_RAISE(DecimalSide a, SideOf(batch[0]));
  ARROW_ASSIGN_OR_RAISE(DecimalSide b, SideOf(batch[1]));
  arrow::ArraySpan* result = out->array_span_mutable();
  const Compare compare;
  int64_t i = 0;
  if (a.values != nullptr && b.values == nullptr) {
    // The common case (column <op> literal), without a branch per row.
    const Int128 y = b.scalar;
    arrow::internal::GenerateBitsUnrolled(result->buffers[1].data, result->offset, result->length, [&] {
      Int128 x;
      std::memcpy(&x, a.values + (i++) * 16, sizeof(x));
      return compare(x, y);
    });
    return arrow::Status::OK();
  }
  arrow::internal::GenerateBitsUnrolled(result->buffers[1].data, result->offset, result->length, [&] {
    bool r = compare(a.At(i), b.At(i));
    ++i;
    return r;
  });
  return arrow::Status::OK();
}

arrow::Result<arrow::TypeHolder> ResolveDecimalCompare(cp::KernelContext*, const std::vector<arrow::TypeHolder>& types) {
  if (types.size() != 2 || DecimalScale(*types[0].type) != DecimalScale(*types[1].type)) {
    return arrow::Status::TypeError("internal error: decimal comparison of different scales");
  }
  return arrow::TypeHolder(arrow::boolean());
}

template <typename Compare>
arrow::Status AddCompare(cp::FunctionRegistry* registry, const std::string& name) {
  auto function = std::make_shared<cp::ScalarFunction>(name, cp::Arity::Binary(), cp::FunctionDoc::Empty());
  cp::ScalarKernel kernel({cp::InputType(arrow::Type::DECIMAL128), cp::InputType(arrow::Type::DECIMAL128)},
                          cp::OutputType(ResolveDecimalCompare), CompareExec<Compare>);
  kernel.null_handling = cp::NullHandling::INTERSECTION;
  kernel.mem_allocation = cp::MemAllocation::PREALLOCATE;
  kernel.can_write_into_slices = true;
  ARROW_RETURN_NOT_OK(function->AddKernel(std::move(kernel)));
  return registry->AddFunction(std::move(function), /*allow_overwrite=*/false);
}

}  // namespace

arrow::Status RegisterCompareKernels(cp::FunctionRegistry* registry) {
  ARROW_RETURN_NOT_OK(AddCompare<std::equal_to<Int128>>(registry, "tidelake_decimal_equal"));
  ARROW_RETURN_NOT_OK(AddCompare<std::not_equal_to<Int128>>(registry, "tidelake_decimal_not_equal"));
  ARROW_RETURN_NOT_OK(AddCompare<std::less<Int128>>(registry, "tidelake_decimal_less"));
  ARROW_RETURN_NOT_OK(AddCompare<std::less_equal<Int128>>(registry, "tidelake_decimal_less_equal"));
  ARROW_RETURN_NOT_OK(AddCompare<std::greater<Int128>>(registry, "tidelake_decimal_greater"));
  return AddCompare<std::greater_equal<Int128>>(registry, "tidelake_decimal_greater_equal");
}

}  // namespace tidelake::plan::internal
