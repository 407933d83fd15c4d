#include "plan/kernels_common.h"

#include <arrow/array/builder_decimal.h>
#include <arrow/array/util.h>
#include <arrow/scalar.h>
#include <arrow/util/bitmap_ops.h>
#include <arrow/util/checked_cast.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>

namespace tidelake::plan::internal {

namespace {

using arrow::internal::checked_cast;

struct KernelImpl {
  KernelResolver resolve;
  KernelBody body;
};

// The per-call state: a copy of the options (the Expression owning the originals may go away
// before execution) and the implementation.
struct KernelCallState : cp::KernelState {
  std::unique_ptr<cp::FunctionOptions> options;
  std::shared_ptr<KernelImpl> impl;
};

arrow::Status ExecKernel(cp::KernelContext* ctx, const cp::ExecSpan& batch, cp::ExecResult* out) {
  auto* state = static_cast<KernelCallState*>(ctx->state());
  KernelCall call;
  call.length = batch.length;
  call.options = state->options.get();
  call.pool = ctx->memory_pool();
  call.out_type = out->type()->GetSharedPtr();
  call.args.reserve(batch.values.size());
  for (const cp::ExecValue& value : batch.values) {
    if (value.is_array()) {
      call.args.push_back(value.array.ToArray());
    } else {
      ARROW_ASSIGN_OR_RAISE(auto array, arrow::MakeArrayFromScalar(*value.scalar, batch.length, call.pool));
      call.args.push_back(std::move(array));
    }
  }
  ARROW_ASSIGN_OR_RAISE(std::shared_ptr<arrow::Array> result, state->impl->body(call));
  if (result->length() != batch.length || !result->type()->Equals(*call.out_type)) {
    return arrow::Status::Invalid("internal error: kernel produced ", result->type()->ToString(), "[",
                                  result->length(), "], expected ", call.out_type->ToString(), "[",
                                  batch.length, "]");
  }
  out->value = result->data();
  return arrow::Status::OK();
}

}  // namespace

arrow::Status RegisterKernel(cp::FunctionRegistry* registry, const std::string& name, cp::Arity arity,
                             KernelResolver resolve, KernelBody body) {
  auto impl = std::make_shared<KernelImpl>(KernelImpl{std::move(resolve), std::move(body)});
  auto function = std::make_shared<cp::ScalarFunction>(name, arity, cp::FunctionDoc::Empty());
  cp::KernelInit init = [impl](cp::KernelContext*, const cp::KernelInitArgs& args)
      -> arrow::Result<std::unique_ptr<cp::KernelState>> {
    auto state = std::make_unique<KernelCallState>();
    if (args.options != nullptr) state->options = args.options->Copy();
    state->impl = impl;
    return state;
  };
  cp::OutputType out_type([impl](cp::KernelContext* ctx, const std::vector<arrow::TypeHolder>& types)
                              -> arrow::Result<arrow::TypeHolder> {
    auto* state = static_cast<KernelCallState*>(ctx->state());
    return impl->resolve(types, state != nullptr ? state->options.get() : nullptr);
  });
  std::vector<cp::InputType> in_types(arity.is_varargs ? 1 : arity.num_args, cp::InputType::Any());
  auto signature = cp::KernelSignature::Make(std::move(in_types), std::move(out_type), arity.is_varargs);
  cp::ScalarKernel kernel(std::move(signature), ExecKernel, std::move(init));
  kernel.null_handling = cp::NullHandling::COMPUTED_NO_PREALLOCATE;
  kernel.mem_allocation = cp::MemAllocation::NO_PREALLOCATE;
  kernel.can_write_into_slices = false;
  ARROW_RETURN_NOT_OK(function->AddKernel(std::move(kernel)));
  return registry->AddFunction(std::move(function), /*allow_overwrite=*/false);
}

arrow::Result<const cp::CastOptions*> GetCastOptions(const cp::FunctionOptions* options, const char* fn) {
  if (options == nullptr || std::strcmp(options->type_name(), "CastOptions") != 0) {
    return arrow::Status::Invalid("internal error: ", fn, " needs CastOptions");
  }
  auto* cast = static_cast<const cp::CastOptions*>(options);
  if (cast->to_type.type == nullptr) return arrow::Status::Invalid("internal error: ", fn, " needs a target type");
  return cast;
}

KernelResolver OutputFromCastOptions() {
  return [](const std::vector<arrow::TypeHolder>&, const cp::FunctionOptions* options)
             -> arrow::Result<arrow::TypeHolder> {
    ARROW_ASSIGN_OR_RAISE(const cp::CastOptions* cast, GetCastOptions(options, "kernel"));
    return cast->to_type;
  };
}

KernelResolver FixedOutput(std::shared_ptr<arrow::DataType> type) {
  return [type](const std::vector<arrow::TypeHolder>&, const cp::FunctionOptions*)
             -> arrow::Result<arrow::TypeHolder> { return arrow::TypeHolder(type); };
}

// ---------------------------------------------------------------------------------------------
// Java number formatting

namespace {

// The shortest round-trip digits of v (no sign, no leading zeros) and the decimal exponent of
// the first digit: v = 0.d1d2d3... * 10^(exp10 + 1).
template <typename T>
void ShortestDigits(T v, std::string* digits, int* exp10) {
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::scientific);
  std::string_view text(buf, static_cast<size_t>(res.ptr - buf));
  size_t e = text.find('e');
  std::string_view mantissa = text.substr(0, e);
  *exp10 = std::atoi(std::string(text.substr(e + 1)).c_str());
  digits->clear();
  for (char c : mantissa) {
    if (c >= '0' && c <= '9') digits->push_back(c);
  }
  while (digits->size() > 1 && digits->back() == '0') digits->pop_back();
}

template <typename T>
std::string JavaRealString(T v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
  std::string sign = std::signbit(v) ? "-" : "";
  if (v == 0) return sign + "0.0";
  std::string digits;
  int exp10 = 0;
  ShortestDigits(std::fabs(v), &digits, &exp10);
  const double magnitude = std::fabs(static_cast<double>(v));
  std::string out = sign;
  if (magnitude >= 1e-3 && magnitude < 1e7) {
    if (exp10 >= 0) {
      std::string int_part = digits.substr(0, std::min<size_t>(digits.size(), exp10 + 1));
      while (static_cast<int>(int_part.size()) < exp10 + 1) int_part.push_back('0');
      std::string frac = digits.size() > static_cast<size_t>(exp10 + 1) ? digits.substr(exp10 + 1) : "0";
      out += int_part + "." + frac;
    } else {
      out += "0." + std::string(static_cast<size_t>(-exp10 - 1), '0') + digits;
    }
  } else {
    out += digits.substr(0, 1) + "." + (digits.size() > 1 ? digits.substr(1) : "0") + "E" +
           std::to_string(exp10);
  }
  return out;
}

}  // namespace

std::string JavaDoubleString(double v) { return JavaRealString(v); }
std::string JavaFloatString(float v) { return JavaRealString(v); }

std::string SparkValueText(const arrow::Array& array, int64_t i) {
  if (array.IsNull(i)) return "NULL";
  switch (array.type_id()) {
    case arrow::Type::STRING:
      return "'" + std::string(checked_cast<const arrow::StringArray&>(array).GetView(i)) + "'";
    case arrow::Type::LARGE_STRING:
      return "'" + std::string(checked_cast<const arrow::LargeStringArray&>(array).GetView(i)) + "'";
    case arrow::Type::DOUBLE:
      return JavaDoubleString(checked_cast<const arrow::DoubleArray&>(array).Value(i)) + "D";
    case arrow::Type::FLOAT:
      return JavaFloatString(checked_cast<const arrow::FloatArray&>(array).Value(i));
    case arrow::Type::INT64:
      return std::to_string(checked_cast<const arrow::Int64Array&>(array).Value(i)) + "L";
    case arrow::Type::DECIMAL128:
    case arrow::Type::DECIMAL256: {
      const auto& dt = checked_cast<const arrow::DecimalType&>(*array.type());
      return arrow::Decimal256(DecimalAt(array, i)).ToString(dt.scale()) + "BD";
    }
    default: {
      auto scalar = array.GetScalar(i);
      return scalar.ok() ? (*scalar)->ToString() : "?";
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Decimals

const arrow::Decimal256& Pow10Decimal256(int n) {
  static const std::array<arrow::Decimal256, 77> table = [] {
    std::array<arrow::Decimal256, 77> t;
    t[0] = arrow::Decimal256(1);
    for (int i = 1; i < 77; ++i) t[i] = t[i - 1] * arrow::Decimal256(10);
    return t;
  }();
  return table[static_cast<size_t>(std::clamp(n, 0, 76))];
}

int DecimalDigits(const arrow::Decimal256& v) {
  arrow::Decimal256 a = arrow::Decimal256::Abs(v);
  int digits = 1;
  while (digits < 77 && !(a < Pow10Decimal256(digits))) ++digits;
  return digits;
}

arrow::Decimal256 DivPow10HalfUp(const arrow::Decimal256& v, int n) {
  if (n <= 0) return v;
  if (n > 76) return arrow::Decimal256(0);
  const arrow::Decimal256& divisor = Pow10Decimal256(n);
  arrow::Decimal256 quotient = v / divisor;
  arrow::Decimal256 remainder = v;
  remainder -= quotient * divisor;
  arrow::Decimal256 twice = arrow::Decimal256::Abs(remainder) * arrow::Decimal256(2);
  if (!(twice < divisor)) {
    quotient += v.IsNegative() ? arrow::Decimal256(-1) : arrow::Decimal256(1);
  }
  return quotient;
}

bool RescaleDecimal(const arrow::Decimal256& v, int from, int to, int precision, arrow::Decimal256* out) {
  if (to >= from) {
    const int up = to - from;
    if (up > 76 || DecimalDigits(v) + up > 76) return false;
    *out = v * Pow10Decimal256(up);
  } else {
    *out = DivPow10HalfUp(v, from - to);
  }
  return DecimalDigits(*out) <= precision;
}

arrow::Decimal128 ToDecimal128(const arrow::Decimal256& v) {
  const auto words = v.little_endian_array();
  return arrow::Decimal128(static_cast<int64_t>(words[1]), words[0]);
}

arrow::Decimal256 DecimalAt(const arrow::Array& array, int64_t i) {
  if (array.type_id() == arrow::Type::DECIMAL128) {
    arrow::Decimal128 v(checked_cast<const arrow::Decimal128Array&>(array).GetValue(i));
    return arrow::Decimal256(v);
  }
  return arrow::Decimal256(checked_cast<const arrow::Decimal256Array&>(array).GetValue(i));
}

arrow::Status AppendDecimal(arrow::ArrayBuilder* builder, const arrow::Decimal256& v) {
  if (builder->type()->id() == arrow::Type::DECIMAL128) {
    return checked_cast<arrow::Decimal128Builder*>(builder)->Append(ToDecimal128(v));
  }
  return checked_cast<arrow::Decimal256Builder*>(builder)->Append(v);
}

arrow::Result<std::shared_ptr<arrow::Buffer>> LogicalNullBitmap(const arrow::Array& array, arrow::MemoryPool* pool) {
  if (array.null_count() == 0 || array.null_bitmap_data() == nullptr) return nullptr;
  return arrow::internal::CopyBitmap(pool, array.null_bitmap_data(), array.offset(), array.length());
}

namespace {

const std::array<Int128, 39>& Pow10Table() {
  static const std::array<Int128, 39> table = [] {
    std::array<Int128, 39> t;
    t[0] = 1;
    for (size_t i = 1; i < t.size(); ++i) t[i] = t[i - 1] * 10;
    return t;
  }();
  return table;
}

}  // namespace

Int128 Pow10Int128(int n) { return Pow10Table()[static_cast<size_t>(std::clamp(n, 0, 38))]; }

Int128 Decimal128At(const arrow::Array& array, int64_t i) {
  Int128 v;
  std::memcpy(&v, checked_cast<const arrow::Decimal128Array&>(array).GetValue(i), sizeof(v));
  return v;
}

bool MulPow10(Int128 v, int n, Int128* out) {
  if (n < 0 || n > 38) return false;
  return !__builtin_mul_overflow(v, Pow10Table()[static_cast<size_t>(n)], out);
}

Int128 DivPow10HalfUp128(Int128 v, int n) {
  if (n <= 0) return v;
  if (n > 38) return 0;
  const Int128 divisor = Pow10Table()[static_cast<size_t>(n)];
  Int128 quotient = v / divisor;
  Int128 remainder = v - quotient * divisor;
  if (remainder < 0) remainder = -remainder;
  if (remainder >= divisor - remainder) quotient += v < 0 ? -1 : 1;
  return quotient;
}

bool FitsPrecision(Int128 v, int precision) {
  if (precision < 1 || precision > 38) return false;
  const Int128 limit = Pow10Table()[static_cast<size_t>(precision)];
  return v < limit && v > -limit;
}

bool Rescale128(Int128 v, int from, int to, int precision, Int128* out) {
  if (to >= from) {
    if (!MulPow10(v, to - from, out)) return false;
  } else {
    *out = DivPow10HalfUp128(v, from - to);
  }
  return FitsPrecision(*out, precision);
}

arrow::Result<std::shared_ptr<arrow::Buffer>> CombinedNullBitmap(const std::vector<std::shared_ptr<arrow::Array>>& arrays,
                                                                 int64_t length, arrow::MemoryPool* pool) {
  std::shared_ptr<arrow::Buffer> combined;
  for (const auto& array : arrays) {
    if (array->null_count() == 0 || array->null_bitmap_data() == nullptr) continue;
    if (!combined) {
      ARROW_ASSIGN_OR_RAISE(combined, arrow::internal::CopyBitmap(pool, array->null_bitmap_data(), array->offset(), length));
      continue;
    }
    ARROW_ASSIGN_OR_RAISE(combined, arrow::internal::BitmapAnd(pool, combined->data(), 0, array->null_bitmap_data(),
                                                               array->offset(), length, 0));
  }
  return combined;
}

std::shared_ptr<arrow::Array> MakeDecimal128Array(const std::shared_ptr<arrow::DataType>& type, int64_t length,
                                                  std::shared_ptr<arrow::Buffer> values,
                                                  std::shared_ptr<arrow::Buffer> validity) {
  int64_t nulls = validity ? arrow::kUnknownNullCount : 0;
  return arrow::MakeArray(arrow::ArrayData::Make(type, length, {std::move(validity), std::move(values)}, nulls));
}

}  // namespace tidelake::plan::internal
