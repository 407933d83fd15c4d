// Arithmetic kernels where Arrow's differ from Spark's ANSI mode:
//  - tidelake_checked_{add,subtract,multiply} (two integers of one type) and
//    tidelake_checked_{negate,abs}: Spark's ANSI overflow errors ("[ARITHMETIC_OVERFLOW]
//    integer overflow. Use 'try_add' ...", "[BINARY_ARITHMETIC_OVERFLOW] 127Y + 1Y caused
//    overflow. ..." for tinyint and smallint) where Arrow's *_checked say only "overflow";
//  - tidelake_divide (double / double, error on a zero divisor), tidelake_int_divide (DIV on
//    bigint), tidelake_remainder and tidelake_pmod (%, pmod on ints and floats, error on zero);
//  - tidelake_decimal_{add,subtract,multiply,divide,remainder,pmod,int_divide}: exact decimal
//    arithmetic in 256 bits, rounded HALF_UP to the result type in CastOptions::to_type
//    (Spark's DecimalPrecision), with an error when the result does not fit;
//  - tidelake_round (RoundOptions::ndigits; HALF_UP on the decimal form of a double, as Spark
//    rounds BigDecimal(d)), tidelake_floor / tidelake_ceil (double -> bigint saturating as
//    Java, decimal(p,s) -> decimal(p-s+1,0)).

#include <arrow/array/builder_decimal.h>
#include <arrow/array/builder_primitive.h>
#include <arrow/util/checked_cast.h>

#include <arrow/util/bit_util.h>

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>

#include "plan/functions_internal.h"
#include "plan/kernels_common.h"

namespace tidelake::plan::internal {

namespace {

using arrow::internal::checked_cast;

arrow::Status DivideByZero() {
  return arrow::Status::Invalid(
      "[DIVIDE_BY_ZERO] division by zero. Use `try_divide` to tolerate divisor being 0 and return NULL instead.");
}

arrow::Status RemainderByZero() {
  return arrow::Status::Invalid(
      "[REMAINDER_BY_ZERO] remainder by zero. Use `try_mod` to tolerate divisor being 0 and return NULL instead.");
}

arrow::Status DecimalOverflow(const arrow::Decimal256& value, int scale, const arrow::DataType& to) {
  return arrow::Status::Invalid("[NUMERIC_VALUE_OUT_OF_RANGE] ", value.ToString(scale),
                                " cannot be represented as Decimal(", DecimalPrecision(to), ", ", DecimalScale(to),
                                ").");
}

// ---------------------------------------------------------------------------------------------
// Doubles and integers

enum class IntOp { kAdd, kSubtract, kMultiply, kNegate, kAbs };

template <typename CType>
std::string IntLiteralText(CType v) {
  const std::string digits = std::to_string(static_cast<int64_t>(v));
  if constexpr (sizeof(CType) == 1) return digits + "Y";
  if constexpr (sizeof(CType) == 2) return digits + "S";
  if constexpr (sizeof(CType) == 8) return digits + "L";
  return digits;
}

template <typename CType>
arrow::Status IntOverflow(IntOp op, CType a, CType b) {
  const char* try_fn = op == IntOp::kAdd ? "try_add" : op == IntOp::kSubtract ? "try_subtract"
                       : op == IntOp::kMultiply ? "try_multiply" : nullptr;
  if constexpr (sizeof(CType) <= 2) {
    if (try_fn != nullptr) {
      const char* symbol = op == IntOp::kAdd ? " + " : op == IntOp::kSubtract ? " - " : " * ";
      return arrow::Status::Invalid("[BINARY_ARITHMETIC_OVERFLOW] ", IntLiteralText(a), symbol, IntLiteralText(b),
                                    " caused overflow. Use '", try_fn,
                                    "' to tolerate overflow and return NULL instead.");
    }
  }
  const char* kind = sizeof(CType) == 8 ? "long" : sizeof(CType) == 4 ? "integer" : sizeof(CType) == 2 ? "short" : "byte";
  if (try_fn == nullptr) return arrow::Status::Invalid("[ARITHMETIC_OVERFLOW] ", kind, " overflow.");
  return arrow::Status::Invalid("[ARITHMETIC_OVERFLOW] ", kind, " overflow. Use '", try_fn,
                                "' to tolerate overflow and return NULL instead.");
}

template <typename ArrowType>
arrow::Result<std::shared_ptr<arrow::Array>> CheckedIntTyped(const KernelCall& call, IntOp op) {
  using CType = typename ArrowType::c_type;
  using ArrayType = arrow::NumericArray<ArrowType>;
  const auto& a = checked_cast<const ArrayType&>(*call.args[0]);
  const ArrayType* b = call.args.size() > 1 ? &checked_cast<const ArrayType&>(*call.args[1]) : nullptr;
  arrow::NumericBuilder<ArrowType> builder(call.out_type, call.pool);
  ARROW_RETURN_NOT_OK(builder.Reserve(call.length));
  for (int64_t i = 0; i < call.length; ++i) {
    if (a.IsNull(i) || (b != nullptr && b->IsNull(i))) {
      builder.UnsafeAppendNull();
      continue;
    }
    const CType x = a.Value(i);
    const CType y = b != nullptr ? b->Value(i) : CType{0};
    CType r{};
    bool overflow = false;
    switch (op) {
      case IntOp::kAdd: overflow = __builtin_add_overflow(x, y, &r); break;
      case IntOp::kSubtract: overflow = __builtin_sub_overflow(x, y, &r); break;
      case IntOp::kMultiply: overflow = __builtin_mul_overflow(x, y, &r); break;
      case IntOp::kNegate: overflow = __builtin_sub_overflow(CType{0}, x, &r); break;
      case IntOp::kAbs:
        if (x < 0) overflow = __builtin_sub_overflow(CType{0}, x, &r);
        else r = x;
        break;
    }
    if (overflow) return IntOverflow<CType>(op, x, y);
    builder.UnsafeAppend(r);
  }
  return builder.Finish();
}

arrow::Result<std::shared_ptr<arrow::Array>> CheckedInt(const KernelCall& call, IntOp op) {
  if (call.args.size() > 1 && !call.args[0]->type()->Equals(*call.args[1]->type())) {
    return arrow::Status::TypeError("internal error: checked arithmetic on ", SqlTypeName(*call.args[0]->type()),
                                    " and ", SqlTypeName(*call.args[1]->type()));
  }
  switch (call.args[0]->type_id()) {
    case arrow::Type::INT8: return CheckedIntTyped<arrow::Int8Type>(call, op);
    case arrow::Type::INT16: return CheckedIntTyped<arrow::Int16Type>(call, op);
    case arrow::Type::INT32: return CheckedIntTyped<arrow::Int32Type>(call, op);
    case arrow::Type::INT64: return CheckedIntTyped<arrow::Int64Type>(call, op);
    default: return arrow::Status::TypeError("checked arithmetic on ", SqlTypeName(*call.args[0]->type()));
  }
}

arrow::Result<std::shared_ptr<arrow::Array>> DivideDoubles(const KernelCall& call) {
  const auto& a = checked_cast<const arrow::DoubleArray&>(*call.args[0]);
  const auto& b = checked_cast<const arrow::DoubleArray&>(*call.args[1]);
  arrow::DoubleBuilder builder(call.pool);
  ARROW_RETURN_NOT_OK(builder.Reserve(call.length));
  for (int64_t i = 0; i < call.length; ++i) {
    if (a.IsNull(i) || b.IsNull(i)) {
      builder.UnsafeAppendNull();
      continue;
    }
    if (b.Value(i) == 0) return DivideByZero();
    builder.UnsafeAppend(a.Value(i) / b.Value(i));
  }
  return builder.Finish();
}

arrow::Result<std::shared_ptr<arrow::Array>> IntDivide(const KernelCall& call) {
  const auto& a = checked_cast<const arrow::Int64Array&>(*call.args[0]);
  const auto& b = checked_cast<const arrow::Int64Array&>(*call.args[1]);
  arrow::Int64Builder builder(call.pool);
  ARROW_RETURN_NOT_OK(builder.Reserve(call.length));
  for (int64_t i = 0; i < call.length; ++i) {
    if (a.IsNull(i) || b.IsNull(i)) {
      builder.UnsafeAppendNull();
      continue;
    }
    if (b.Value(i) == 0) return DivideByZero();
    if (a.Value(i) == std::numeric_limits<int64_t>::min() && b.Value(i) == -1) {
      return arrow::Status::Invalid("[ARITHMETIC_OVERFLOW] Overflow in integral divide.");
    }
    builder.UnsafeAppend(a.Value(i) / b.Value(i));
  }
  return builder.Finish();
}

template <typename ArrowType>
arrow::Result<std::shared_ptr<arrow::Array>> RemainderTyped(const KernelCall& call, bool positive) {
  using CType = typename ArrowType::c_type;
  using ArrayType = arrow::NumericArray<ArrowType>;
  const auto& a = checked_cast<const ArrayType&>(*call.args[0]);
  const auto& b = checked_cast<const ArrayType&>(*call.args[1]);
  arrow::NumericBuilder<ArrowType> builder(call.out_type, call.pool);
  ARROW_RETURN_NOT_OK(builder.Reserve(call.length));
  for (int64_t i = 0; i < call.length; ++i) {
    if (a.IsNull(i) || b.IsNull(i)) {
      builder.UnsafeAppendNull();
      continue;
    }
    const CType x = a.Value(i), n = b.Value(i);
    if (n == 0) return RemainderByZero();
    CType r;
    if constexpr (std::is_floating_point_v<CType>) {
      r = std::fmod(x, n);
      if (positive && r < 0) r = std::fmod(r + n, n);
    } else {
      // MIN % -1 is 0 in Java (and would trap in C++).
      r = n == -1 ? 0 : static_cast<CType>(x % n);
      if (positive && r < 0) r = static_cast<CType>((r + n) % n);
    }
    builder.UnsafeAppend(r);
  }
  return builder.Finish();
}

arrow::Result<std::shared_ptr<arrow::Array>> Remainder(const KernelCall& call, bool positive) {
  switch (call.args[0]->type_id()) {
    case arrow::Type::INT8: return RemainderTyped<arrow::Int8Type>(call, positive);
    case arrow::Type::INT16: return RemainderTyped<arrow::Int16Type>(call, positive);
    case arrow::Type::INT32: return RemainderTyped<arrow::Int32Type>(call, positive);
    case arrow::Type::INT64: return RemainderTyped<arrow::Int64Type>(call, positive);
    case arrow::Type::FLOAT: return RemainderTyped<arrow::FloatType>(call, positive);
    case arrow::Type::DOUBLE: return RemainderTyped<arrow::DoubleType>(call, positive);
    default: return arrow::Status::TypeError("remainder of ", SqlTypeName(*call.args[0]->type()));
  }
}

arrow::Result<arrow::TypeHolder> SameAsFirstTwo(const std::vector<arrow::TypeHolder>& types,
                                                const cp::FunctionOptions*) {
  if (types.size() != 2 || !types[0].type->Equals(*types[1].type)) {
    return arrow::Status::TypeError("internal error: arguments must have the same type");
  }
  return types[0];
}

// ---------------------------------------------------------------------------------------------
// Decimals

enum class DecimalOp { kAdd, kSubtract, kMultiply, kDivide, kRemainder, kPmod, kIntDivide };

// The loop of DecimalBinary64 for one operation: out[i] = (x[i] op y[i]) * up, where operands
// that fit 64 bits (scaled by x_factor, y_factor <= 10^18 for add and subtract) cannot overflow
// 128 bits. Returns false when some operand does not fit 64 bits or some result before the
// final scaling is not within (-bound, bound); the values written are then meaningless. Null
// rows compute 0. No branch depends on the data, so the loop runs at memory speed.
template <DecimalOp kOp, bool kHasNulls>
bool DecimalLoop64(const uint8_t* xs, const uint8_t* ys, const uint8_t* valid, int64_t n, Int128 x_factor,
                   Int128 y_factor, Int128 up, Int128 bound, uint8_t* out) {
  using U = unsigned __int128;
  bool ok = true;
  for (int64_t i = 0; i < n; ++i) {
    Int128 x, y;
    std::memcpy(&x, xs + i * 16, sizeof(x));
    std::memcpy(&y, ys + i * 16, sizeof(y));
    if constexpr (kHasNulls) {
      const bool is_valid = arrow::bit_util::GetBit(valid, i);
      x = is_valid ? x : 0;
      y = is_valid ? y : 0;
    }
    ok &= Fits64(x) & Fits64(y);
    U v;
    if constexpr (kOp == DecimalOp::kAdd) {
      v = static_cast<U>(x) * static_cast<U>(x_factor) + static_cast<U>(y) * static_cast<U>(y_factor);
    } else if constexpr (kOp == DecimalOp::kSubtract) {
      v = static_cast<U>(x) * static_cast<U>(x_factor) - static_cast<U>(y) * static_cast<U>(y_factor);
    } else {
      v = static_cast<U>(x) * static_cast<U>(y);
    }
    const Int128 r = static_cast<Int128>(v);
    ok &= (r < bound) & (r > -bound);
    const Int128 scaled = static_cast<Int128>(static_cast<U>(r) * static_cast<U>(up));
    std::memcpy(out + i * 16, &scaled, sizeof(scaled));
  }
  return ok;
}

// Addition, subtraction and multiplication of decimal128 values whose unscaled values fit 64
// bits (nearly all data: up to 18 digits) and whose result needs no rounding; nullptr when the
// batch is not such (DecimalBinary128 then computes it).
arrow::Result<std::shared_ptr<arrow::Array>> DecimalBinary64(const KernelCall& call, DecimalOp op) {
  const arrow::Array& a = *call.args[0];
  const arrow::Array& b = *call.args[1];
  if (a.type_id() != arrow::Type::DECIMAL128 || b.type_id() != arrow::Type::DECIMAL128 ||
      call.out_type->id() != arrow::Type::DECIMAL128 || call.length == 0) {
    return nullptr;
  }
  if (op != DecimalOp::kAdd && op != DecimalOp::kSubtract && op != DecimalOp::kMultiply) return nullptr;
  const int s1 = DecimalScale(*a.type()), s2 = DecimalScale(*b.type());
  const int common = std::max(s1, s2);
  const int rp = DecimalPrecision(*call.out_type), rs = DecimalScale(*call.out_type);
  const int value_scale = op == DecimalOp::kMultiply ? s1 + s2 : common;
  // Rounding (a result scale below the value's) takes the general path; so do factors that
  // could overflow 128 bits and results that can only be zero.
  if (rs < value_scale || rp > 38 || rs - value_scale > rp || common - s1 > 18 || common - s2 > 18) return nullptr;
  const Int128 x_factor = Pow10Int128(common - s1), y_factor = Pow10Int128(common - s2);
  const Int128 up = Pow10Int128(rs - value_scale);
  const Int128 bound = Pow10Int128(rp - (rs - value_scale));  // |value| < bound <=> |value * up| < 10^rp
  ARROW_ASSIGN_OR_RAISE(auto validity, CombinedNullBitmap(call.args, call.length, call.pool));
  ARROW_ASSIGN_OR_RAISE(std::shared_ptr<arrow::Buffer> values,
                        arrow::AllocateBuffer(call.length * static_cast<int64_t>(sizeof(Int128)), call.pool));
  auto* out = reinterpret_cast<uint8_t*>(values->mutable_data());
  const uint8_t* valid = validity ? validity->data() : nullptr;
  const uint8_t* xs = checked_cast<const arrow::Decimal128Array&>(a).GetValue(0);
  const uint8_t* ys = checked_cast<const arrow::Decimal128Array&>(b).GetValue(0);
  const int64_t n = call.length;
  bool ok = false;
  switch (op) {
    case DecimalOp::kAdd:
      ok = valid ? DecimalLoop64<DecimalOp::kAdd, true>(xs, ys, valid, n, x_factor, y_factor, up, bound, out)
                 : DecimalLoop64<DecimalOp::kAdd, false>(xs, ys, valid, n, x_factor, y_factor, up, bound, out);
      break;
    case DecimalOp::kSubtract:
      ok = valid ? DecimalLoop64<DecimalOp::kSubtract, true>(xs, ys, valid, n, x_factor, y_factor, up, bound, out)
                 : DecimalLoop64<DecimalOp::kSubtract, false>(xs, ys, valid, n, x_factor, y_factor, up, bound, out);
      break;
    default:
      ok = valid ? DecimalLoop64<DecimalOp::kMultiply, true>(xs, ys, valid, n, x_factor, y_factor, up, bound, out)
                 : DecimalLoop64<DecimalOp::kMultiply, false>(xs, ys, valid, n, x_factor, y_factor, up, bound, out);
      break;
  }
  if (!ok) return nullptr;
  return MakeDecimal128Array(call.out_type, call.length, std::move(values), std::move(validity));
}

// Addition, subtraction and multiplication of decimal128 values in 128-bit integers (the
// common case, e.g. price * (1 - discount)); nullptr when some value needs more bits or does
// not fit the result, so that the exact 256-bit path computes the batch (or reports the error).
arrow::Result<std::shared_ptr<arrow::Array>> DecimalBinary128(const KernelCall& call, DecimalOp op) {
  const arrow::Array& a = *call.args[0];
  const arrow::Array& b = *call.args[1];
  if (a.type_id() != arrow::Type::DECIMAL128 || b.type_id() != arrow::Type::DECIMAL128 ||
      call.out_type->id() != arrow::Type::DECIMAL128) {
    return nullptr;
  }
  if (op != DecimalOp::kAdd && op != DecimalOp::kSubtract && op != DecimalOp::kMultiply) return nullptr;
  const int s1 = DecimalScale(*a.type()), s2 = DecimalScale(*b.type());
  const int common = std::max(s1, s2);
  const int rp = DecimalPrecision(*call.out_type), rs = DecimalScale(*call.out_type);
  const int value_scale = op == DecimalOp::kMultiply ? s1 + s2 : common;
  if (rp > 38 || common - s1 > 38 || common - s2 > 38 || rs - value_scale > 38) return nullptr;
  // Multipliers that align the operands' scales (add, subtract) and the result's scale.
  const Int128 x_factor = Pow10Int128(common - s1), y_factor = Pow10Int128(common - s2);
  const Int128 up = rs > value_scale ? Pow10Int128(rs - value_scale) : 1;
  const int down = value_scale > rs ? value_scale - rs : 0;
  const Int128 limit = Pow10Int128(rp);
  // a * b without overflow, cheaply when both fit 64 bits.
  auto times = [](Int128 a, Int128 b, Int128* out) {
    if (Fits64(a) && Fits64(b)) {
      *out = a * b;
      return true;
    }
    return !__builtin_mul_overflow(a, b, out);
  };
  ARROW_ASSIGN_OR_RAISE(auto validity, CombinedNullBitmap(call.args, call.length, call.pool));
  ARROW_ASSIGN_OR_RAISE(std::shared_ptr<arrow::Buffer> values,
                        arrow::AllocateBuffer(call.length * static_cast<int64_t>(sizeof(Int128)), call.pool));
  auto* out = reinterpret_cast<uint8_t*>(values->mutable_data());
  const uint8_t* valid = validity ? validity->data() : nullptr;
  const uint8_t* xs = call.length > 0 ? checked_cast<const arrow::Decimal128Array&>(a).GetValue(0) : nullptr;
  const uint8_t* ys = call.length > 0 ? checked_cast<const arrow::Decimal128Array&>(b).GetValue(0) : nullptr;
  for (int64_t i = 0; i < call.length; ++i) {
    Int128 v = 0;
    if (valid == nullptr || arrow::bit_util::GetBit(valid, i)) {
      Int128 x, y;
      std::memcpy(&x, xs + i * 16, sizeof(x));
      std::memcpy(&y, ys + i * 16, sizeof(y));
      bool ok = true;
      switch (op) {
        case DecimalOp::kAdd:
          ok = times(x, x_factor, &x) && times(y, y_factor, &y) && !__builtin_add_overflow(x, y, &v);
          break;
        case DecimalOp::kSubtract:
          ok = times(x, x_factor, &x) && times(y, y_factor, &y) && !__builtin_sub_overflow(x, y, &v);
          break;
        default:
          ok = times(x, y, &v);
          break;
      }
      if (ok && down > 0) v = DivPow10HalfUp128(v, down);
      ok = ok && times(v, up, &v);
      if (!ok || v >= limit || v <= -limit) return nullptr;
    }
    std::memcpy(out + i * 16, &v, sizeof(v));
  }
  return MakeDecimal128Array(call.out_type, call.length, std::move(values), std::move(validity));
}

arrow::Result<std::shared_ptr<arrow::Array>> DecimalBinary(const KernelCall& call, DecimalOp op) {
  ARROW_ASSIGN_OR_RAISE(auto fastest, DecimalBinary64(call, op));
  if (fastest) return fastest;
  ARROW_ASSIGN_OR_RAISE(auto fast, DecimalBinary128(call, op));
  if (fast) return fast;
  const arrow::Array& a = *call.args[0];
  const arrow::Array& b = *call.args[1];
  const int s1 = DecimalScale(*a.type()), s2 = DecimalScale(*b.type());
  const int common = std::max(s1, s2);
  const bool int_result = op == DecimalOp::kIntDivide;
  const int rp = int_result ? 19 : DecimalPrecision(*call.out_type);
  const int rs = int_result ? 0 : DecimalScale(*call.out_type);
  std::unique_ptr<arrow::ArrayBuilder> builder;
  ARROW_RETURN_NOT_OK(arrow::MakeBuilder(call.pool, call.out_type, &builder));
  ARROW_RETURN_NOT_OK(builder->Reserve(call.length));
  const arrow::Decimal256 zero(0);
  for (int64_t i = 0; i < call.length; ++i) {
    if (a.IsNull(i) || b.IsNull(i)) {
      ARROW_RETURN_NOT_OK(builder->AppendNull());
      continue;
    }
    const arrow::Decimal256 x = DecimalAt(a, i), y = DecimalAt(b, i);
    arrow::Decimal256 value;  // at scale value_scale
    int value_scale = common;
    const arrow::Decimal256 xc = x * Pow10Decimal256(common - s1);
    const arrow::Decimal256 yc = y * Pow10Decimal256(common - s2);
    switch (op) {
      case DecimalOp::kAdd: value = xc + yc; break;
      case DecimalOp::kSubtract: value = xc; value -= yc; break;
      case DecimalOp::kMultiply:
        value = x * y;
        value_scale = s1 + s2;
        break;
      case DecimalOp::kDivide: {
        if (y == zero) return DivideByZero();
        const int k = rs - s1 + s2;  // quotient = x * 10^k / y at scale rs
        arrow::Decimal256 n = x, d = y;
        if (k >= 0) {
          if (DecimalDigits(x) + k >= 77) return DecimalOverflow(x, s1, *call.out_type);
          n = x * Pow10Decimal256(k);
        } else {
          d = y * Pow10Decimal256(-k);
        }
        arrow::Decimal256 q = n / d;
        arrow::Decimal256 r = n;
        r -= q * d;
        if (!(arrow::Decimal256::Abs(r) * arrow::Decimal256(2) < arrow::Decimal256::Abs(d))) {
          q += (n.IsNegative() != d.IsNegative()) ? arrow::Decimal256(-1) : arrow::Decimal256(1);
        }
        value = q;
        value_scale = rs;
        break;
      }
      case DecimalOp::kRemainder:
      case DecimalOp::kPmod: {
        if (y == zero) return RemainderByZero();
        value = xc % yc;
        if (op == DecimalOp::kPmod && value.IsNegative()) value = (value + yc) % yc;
        break;
      }
      case DecimalOp::kIntDivide: {
        if (y == zero) return DivideByZero();
        value = xc / yc;
        value_scale = 0;
        if (DecimalDigits(value) > 19 || value > arrow::Decimal256(std::numeric_limits<int64_t>::max()) ||
            value < arrow::Decimal256(std::numeric_limits<int64_t>::min())) {
          return arrow::Status::Invalid("[ARITHMETIC_OVERFLOW] Overflow in integral divide.");
        }
        ARROW_RETURN_NOT_OK(checked_cast<arrow::Int64Builder*>(builder.get())
                                ->Append(static_cast<int64_t>(value.little_endian_array()[0])));
        continue;
      }
    }
    arrow::Decimal256 out;
    if (!RescaleDecimal(value, value_scale, rs, rp, &out)) return DecimalOverflow(value, value_scale, *call.out_type);
    ARROW_RETURN_NOT_OK(AppendDecimal(builder.get(), out));
  }
  return builder->Finish();
}

// ---------------------------------------------------------------------------------------------
// Rounding

// v rounded HALF_UP at 10^-ndigits, on its shortest decimal form (Spark: BigDecimal(d)).
template <typename T>
T RoundRealHalfUp(T v, int64_t ndigits) {
  if (!std::isfinite(v) || v == 0) return v;
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof(buf), std::fabs(v), std::chars_format::scientific);
  std::string_view text(buf, static_cast<size_t>(res.ptr - buf));
  const size_t e = text.find('e');
  std::string digits;
  for (char c : text.substr(0, e)) {
    if (c != '.') digits.push_back(c);
  }
  const int64_t exp10 = std::atoll(std::string(text.substr(e + 1)).c_str());
  const int64_t keep = exp10 + 1 + ndigits;  // digits kept before the rounding position
  if (keep >= static_cast<int64_t>(digits.size())) return v;
  std::string rounded;
  int64_t rounded_exp = exp10;
  if (keep < 0 || (keep == 0 && digits[0] < '5')) return std::signbit(v) ? -T(0) : T(0);
  if (keep == 0) {
    rounded = "1";
    rounded_exp = exp10 + 1;
  } else {
    rounded = digits.substr(0, static_cast<size_t>(keep));
    if (digits[static_cast<size_t>(keep)] >= '5') {
      int k = static_cast<int>(rounded.size()) - 1;
      while (k >= 0 && rounded[k] == '9') rounded[k--] = '0';
      if (k < 0) {
        rounded.insert(rounded.begin(), '1');
        ++rounded_exp;
      } else {
        ++rounded[k];
      }
    }
  }
  std::string number = std::string(std::signbit(v) ? "-" : "") + rounded.substr(0, 1) + "." +
                       (rounded.size() > 1 ? rounded.substr(1) : "0") + "e" + std::to_string(rounded_exp);
  if constexpr (std::is_same_v<T, float>) return std::strtof(number.c_str(), nullptr);
  else return std::strtod(number.c_str(), nullptr);
}

std::shared_ptr<arrow::DataType> RoundedDecimalType(const arrow::DataType& t, int64_t ndigits) {
  const int p = DecimalPrecision(t), s = DecimalScale(t);
  const int integral = p - s + 1;
  if (ndigits < 0) {
    return arrow::decimal128(static_cast<int>(std::min<int64_t>(std::max<int64_t>(integral, -ndigits + 1), 38)), 0);
  }
  const int new_scale = static_cast<int>(std::min<int64_t>(s, ndigits));
  return arrow::decimal128(std::min(integral + new_scale, 38), new_scale);
}

int64_t NDigits(const cp::FunctionOptions* options) {
  if (options == nullptr || std::string_view(options->type_name()) != "RoundOptions") return 0;
  return static_cast<const cp::RoundOptions*>(options)->ndigits;
}

arrow::Result<arrow::TypeHolder> RoundResolver(const std::vector<arrow::TypeHolder>& types,
                                               const cp::FunctionOptions* options) {
  const arrow::DataType& t = *types[0].type;
  if (IsDecimal(t)) return arrow::TypeHolder(RoundedDecimalType(t, NDigits(options)));
  if (IsNumeric(t)) return types[0];
  return arrow::Status::TypeError("round of ", SqlTypeName(t));
}

template <typename ArrowType>
arrow::Result<std::shared_ptr<arrow::Array>> RoundIntegral(const KernelCall& call, int64_t ndigits) {
  using CType = typename ArrowType::c_type;
  const auto& in = checked_cast<const arrow::NumericArray<ArrowType>&>(*call.args[0]);
  if (ndigits >= 0) return call.args[0];
  arrow::NumericBuilder<ArrowType> builder(call.out_type, call.pool);
  ARROW_RETURN_NOT_OK(builder.Reserve(call.length));
  __int128 unit = 1;
  for (int64_t k = 0; k < -ndigits && unit <= static_cast<__int128>(1e20); ++k) unit *= 10;
  for (int64_t i = 0; i < call.length; ++i) {
    if (in.IsNull(i)) {
      builder.UnsafeAppendNull();
      continue;
    }
    const __int128 v = in.Value(i);
    __int128 q = v / unit;
    const __int128 rem = v - q * unit;
    if ((rem < 0 ? -rem : rem) * 2 >= unit) q += v < 0 ? -1 : 1;
    const __int128 r = q * unit;
    if (r < std::numeric_limits<CType>::min() || r > std::numeric_limits<CType>::max()) {
      return arrow::Status::Invalid("[ARITHMETIC_OVERFLOW] Overflow rounding ", std::to_string(static_cast<int64_t>(v)),
                                    " to ", ndigits, " digits.");
    }
    builder.UnsafeAppend(static_cast<CType>(r));
  }
  return builder.Finish();
}

template <typename ArrowType>
arrow::Result<std::shared_ptr<arrow::Array>> RoundReal(const KernelCall& call, int64_t ndigits) {
  const auto& in = checked_cast<const arrow::NumericArray<ArrowType>&>(*call.args[0]);
  arrow::NumericBuilder<ArrowType> builder(call.out_type, call.pool);
  ARROW_RETURN_NOT_OK(builder.Reserve(call.length));
  for (int64_t i = 0; i < call.length; ++i) {
    if (in.IsNull(i)) builder.UnsafeAppendNull();
    else builder.UnsafeAppend(RoundRealHalfUp(in.Value(i), ndigits));
  }
  return builder.Finish();
}

// v / 10^n rounded toward negative (floor) or positive (ceil) infinity.
arrow::Decimal256 DivPow10Directed(const arrow::Decimal256& v, int n, bool ceil) {
  auto divided = v.Divide(Pow10Decimal256(n));
  if (!divided.ok()) return arrow::Decimal256(0);
  auto [quotient, remainder] = *divided;
  if (remainder != arrow::Decimal256(0)) {
    if (ceil && !v.IsNegative()) quotient += arrow::Decimal256(1);
    if (!ceil && v.IsNegative()) quotient -= arrow::Decimal256(1);
  }
  return quotient;
}

cp::RoundMode ModeOf(const cp::FunctionOptions* options) {
  if (options == nullptr || std::string_view(options->type_name()) != "RoundOptions") {
    return cp::RoundMode::HALF_TOWARDS_INFINITY;
  }
  return static_cast<const cp::RoundOptions*>(options)->round_mode;
}

// Decimals round HALF_UP (round), or toward -inf / +inf (RoundMode DOWN / UP: floor and
// ceil with a scale).
arrow::Result<std::shared_ptr<arrow::Array>> RoundDecimal(const KernelCall& call, int64_t ndigits) {
  const arrow::Array& in = *call.args[0];
  const cp::RoundMode mode = ModeOf(call.options);
  const bool directed = mode == cp::RoundMode::DOWN || mode == cp::RoundMode::UP;
  const int s = DecimalScale(*in.type());
  const int rp = DecimalPrecision(*call.out_type), rs = DecimalScale(*call.out_type);
  std::unique_ptr<arrow::ArrayBuilder> builder;
  ARROW_RETURN_NOT_OK(arrow::MakeBuilder(call.pool, call.out_type, &builder));
  for (int64_t i = 0; i < call.length; ++i) {
    if (in.IsNull(i)) {
      ARROW_RETURN_NOT_OK(builder->AppendNull());
      continue;
    }
    const arrow::Decimal256 v = DecimalAt(in, i);
    arrow::Decimal256 out;
    if (directed && ndigits < s) {
      const int64_t drop = s - ndigits;
      const bool ceil = mode == cp::RoundMode::UP;
      out = drop > 76 ? arrow::Decimal256(ceil && !v.IsNegative() && v != arrow::Decimal256(0) ? 1 : 0)
                      : DivPow10Directed(v, static_cast<int>(drop), ceil);
      if (ndigits < 0) out = out * Pow10Decimal256(static_cast<int>(std::min<int64_t>(-ndigits, 76)));
      if (DecimalDigits(out) > rp) return DecimalOverflow(out, rs, *call.out_type);
    } else if (ndigits >= 0) {
      if (!RescaleDecimal(v, s, rs, rp, &out)) return DecimalOverflow(v, s, *call.out_type);
    } else {
      const int64_t drop = s - ndigits;
      out = drop > 76 ? arrow::Decimal256(0)
                      : DivPow10HalfUp(v, static_cast<int>(drop)) * Pow10Decimal256(static_cast<int>(-ndigits));
      if (DecimalDigits(out) > rp) return DecimalOverflow(out, 0, *call.out_type);
    }
    ARROW_RETURN_NOT_OK(AppendDecimal(builder.get(), out));
  }
  return builder->Finish();
}

arrow::Result<std::shared_ptr<arrow::Array>> Round(const KernelCall& call) {
  const int64_t ndigits = NDigits(call.options);
  switch (call.args[0]->type_id()) {
    case arrow::Type::INT8: return RoundIntegral<arrow::Int8Type>(call, ndigits);
    case arrow::Type::INT16: return RoundIntegral<arrow::Int16Type>(call, ndigits);
    case arrow::Type::INT32: return RoundIntegral<arrow::Int32Type>(call, ndigits);
    case arrow::Type::INT64: return RoundIntegral<arrow::Int64Type>(call, ndigits);
    case arrow::Type::FLOAT: return RoundReal<arrow::FloatType>(call, ndigits);
    case arrow::Type::DOUBLE: return RoundReal<arrow::DoubleType>(call, ndigits);
    case arrow::Type::DECIMAL128:
    case arrow::Type::DECIMAL256: return RoundDecimal(call, ndigits);
    default: return arrow::Status::TypeError("round of ", SqlTypeName(*call.args[0]->type()));
  }
}

arrow::Result<arrow::TypeHolder> FloorCeilResolver(const std::vector<arrow::TypeHolder>& types,
                                                   const cp::FunctionOptions*) {
  const arrow::DataType& t = *types[0].type;
  if (IsDecimal(t)) {
    if (DecimalScale(t) == 0) return types[0];
    return arrow::TypeHolder(BoundedDecimal(DecimalPrecision(t) - DecimalScale(t) + 1, 0));
  }
  if (t.id() == arrow::Type::DOUBLE || t.id() == arrow::Type::INT64) return arrow::TypeHolder(arrow::int64());
  return arrow::Status::TypeError("floor/ceil of ", SqlTypeName(t));
}

arrow::Result<std::shared_ptr<arrow::Array>> FloorCeil(const KernelCall& call, bool ceil) {
  const arrow::Array& in = *call.args[0];
  if (in.type_id() == arrow::Type::INT64) return call.args[0];
  std::unique_ptr<arrow::ArrayBuilder> builder;
  ARROW_RETURN_NOT_OK(arrow::MakeBuilder(call.pool, call.out_type, &builder));
  for (int64_t i = 0; i < call.length; ++i) {
    if (in.IsNull(i)) {
      ARROW_RETURN_NOT_OK(builder->AppendNull());
      continue;
    }
    if (in.type_id() == arrow::Type::DOUBLE) {
      const double d = checked_cast<const arrow::DoubleArray&>(in).Value(i);
      const double r = ceil ? std::ceil(d) : std::floor(d);
      // Java's double-to-long conversion: NaN -> 0, saturating at the ends.
      int64_t v = 0;
      if (std::isnan(r)) v = 0;
      else if (r >= 9223372036854775807.0) v = std::numeric_limits<int64_t>::max();
      else if (r <= -9223372036854775808.0) v = std::numeric_limits<int64_t>::min();
      else v = static_cast<int64_t>(r);
      ARROW_RETURN_NOT_OK(checked_cast<arrow::Int64Builder*>(builder.get())->Append(v));
      continue;
    }
    const int s = DecimalScale(*in.type());
    const arrow::Decimal256 v = DecimalAt(in, i);
    arrow::Decimal256 q = v / Pow10Decimal256(s);
    arrow::Decimal256 r = v;
    r -= q * Pow10Decimal256(s);
    if (r != arrow::Decimal256(0)) {
      if (ceil && !v.IsNegative()) q += arrow::Decimal256(1);
      if (!ceil && v.IsNegative()) q -= arrow::Decimal256(1);
    }
    ARROW_RETURN_NOT_OK(AppendDecimal(builder.get(), q));
  }
  return builder->Finish();
}

}  // namespace

arrow::Status RegisterArithmeticKernels(cp::FunctionRegistry* registry) {
  const std::pair<const char*, IntOp> int_ops[] = {{"tidelake_checked_add", IntOp::kAdd},
                                                   {"tidelake_checked_subtract", IntOp::kSubtract},
                                                   {"tidelake_checked_multiply", IntOp::kMultiply},
                                                   {"tidelake_checked_negate", IntOp::kNegate},
                                                   {"tidelake_checked_abs", IntOp::kAbs}};
  for (const auto& [name, op] : int_ops) {
    const bool unary = op == IntOp::kNegate || op == IntOp::kAbs;
    ARROW_RETURN_NOT_OK(RegisterKernel(
        registry, name, unary ? cp::Arity::Unary() : cp::Arity::Binary(),
        [](const std::vector<arrow::TypeHolder>& types, const cp::FunctionOptions*) -> arrow::Result<arrow::TypeHolder> {
          return types[0];
        },
        [op = op](const KernelCall& call) { return CheckedInt(call, op); }));
  }
  ARROW_RETURN_NOT_OK(RegisterKernel(registry, "tidelake_divide", cp::Arity::Binary(), FixedOutput(arrow::float64()),
                                     DivideDoubles));
  ARROW_RETURN_NOT_OK(RegisterKernel(registry, "tidelake_int_divide", cp::Arity::Binary(),
                                     FixedOutput(arrow::int64()), IntDivide));
  ARROW_RETURN_NOT_OK(RegisterKernel(registry, "tidelake_remainder", cp::Arity::Binary(), SameAsFirstTwo,
                                     [](const KernelCall& call) { return Remainder(call, false); }));
  ARROW_RETURN_NOT_OK(RegisterKernel(registry, "tidelake_pmod", cp::Arity::Binary(), SameAsFirstTwo,
                                     [](const KernelCall& call) { return Remainder(call, true); }));
  const std::pair<const char*, DecimalOp> decimal_ops[] = {
      {"tidelake_decimal_add", DecimalOp::kAdd},           {"tidelake_decimal_subtract", DecimalOp::kSubtract},
      {"tidelake_decimal_multiply", DecimalOp::kMultiply}, {"tidelake_decimal_divide", DecimalOp::kDivide},
      {"tidelake_decimal_remainder", DecimalOp::kRemainder}, {"tidelake_decimal_pmod", DecimalOp::kPmod},
      {"tidelake_decimal_int_divide", DecimalOp::kIntDivide}};
  for (const auto& [name, op] : decimal_ops) {
    ARROW_RETURN_NOT_OK(RegisterKernel(registry, name, cp::Arity::Binary(), OutputFromCastOptions(),
                                       [op = op](const KernelCall& call) { return DecimalBinary(call, op); }));
  }
  ARROW_RETURN_NOT_OK(RegisterKernel(registry, "tidelake_round", cp::Arity::Unary(), RoundResolver, Round));
  ARROW_RETURN_NOT_OK(RegisterKernel(registry, "tidelake_floor", cp::Arity::Unary(), FloorCeilResolver,
                                     [](const KernelCall& call) { return FloorCeil(call, false); }));
  return RegisterKernel(registry, "tidelake_ceil", cp::Arity::Unary(), FloorCeilResolver,
                        [](const KernelCall& call) { return FloorCeil(call, true); });
}

}  // namespace tidelake::plan::internal
