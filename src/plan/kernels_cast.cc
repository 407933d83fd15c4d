// The "tidelake_cast" and "tidelake_try_cast" kernels: Spark's ANSI casts where Arrow's cast
// differs (string parsing with trimming and Spark's accepted forms, overflow checks with
// Spark's messages, HALF_UP decimal rounding, Java's number-to-string forms, nested values
// as text). Options: CastOptions, whose to_type is the target. The try variant returns NULL
// wherever the plain one raises an error.

#include <arrow/array/builder_binary.h>
#include <arrow/array/builder_decimal.h>
#include <arrow/array/builder_nested.h>
#include <arrow/array/builder_primitive.h>
#include <arrow/array/util.h>
#include <arrow/compute/api.h>
#include <arrow/util/checked_cast.h>

#include <array>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>

#include "common/strings.h"
#include "plan/functions_internal.h"
#include "plan/kernels_common.h"
#include "plan/kernels_datetime_text.h"

namespace tidelake::plan::internal {

namespace {

using arrow::internal::checked_cast;

std::string_view TrimSpaces(std::string_view s) {
  while (!s.empty() && static_cast<unsigned char>(s.front()) <= ' ') s.remove_prefix(1);
  while (!s.empty() && static_cast<unsigned char>(s.back()) <= ' ') s.remove_suffix(1);
  return s;
}

// ---------------------------------------------------------------------------------------------
// Parsing text (Spark's UTF8String.toLongExact, toDouble, toDecimal, toBoolean)

std::optional<int64_t> ParseIntegerText(std::string_view text, int64_t min, int64_t max) {
  std::string_view s = TrimSpaces(text);
  if (s.empty()) return std::nullopt;
  bool negative = false;
  if (s[0] == '+' || s[0] == '-') {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s.empty()) return std::nullopt;
  // Accumulate negatively so that the minimum value parses.
  int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    const int digit = c - '0';
    if (v < (std::numeric_limits<int64_t>::min() + digit) / 10) return std::nullopt;
    v = v * 10 - digit;
  }
  if (!negative) {
    if (v == std::numeric_limits<int64_t>::min()) return std::nullopt;
    v = -v;
  }
  if (v < min || v > max) return std::nullopt;
  return v;
}

std::optional<double> ParseDoubleText(std::string_view text) {
  std::string_view s = TrimSpaces(text);
  if (s.empty()) return std::nullopt;
  const std::string lower = Lower(s);
  if (lower == "nan" || lower == "+nan" || lower == "-nan") return std::nan("");
  if (lower == "inf" || lower == "+inf" || lower == "infinity" || lower == "+infinity") {
    return std::numeric_limits<double>::infinity();
  }
  if (lower == "-inf" || lower == "-infinity") return -std::numeric_limits<double>::infinity();
  // Java's FloatingDecimal syntax: [sign] digits [. digits] [e [sign] digits] [fFdD].
  if (lower.back() == 'f' || lower.back() == 'd') s.remove_suffix(1);
  size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  size_t mantissa_digits = 0;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i, ++mantissa_digits;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i, ++mantissa_digits;
  }
  if (mantissa_digits == 0) return std::nullopt;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    size_t exp_digits = 0;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i, ++exp_digits;
    if (exp_digits == 0) return std::nullopt;
  }
  if (i != s.size()) return std::nullopt;
  std::string copy(s);
  return std::strtod(copy.c_str(), nullptr);  // overflow gives +-inf and underflow 0, as Java
}

enum class DecimalParse { kOk, kMalformed, kOverflow };

// A decimal number in text, rounded HALF_UP to `scale`, checked against `precision`.
DecimalParse ParseDecimalText(std::string_view text, int precision, int scale, arrow::Decimal256* out) {
  std::string_view s = TrimSpaces(text);
  bool negative = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  std::string digits;
  int64_t exponent = 0;  // value = digits * 10^exponent
  size_t i = 0;
  bool any = false;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) digits.push_back(s[i++]), any = true;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
      digits.push_back(s[i++]);
      --exponent;
      any = true;
    }
  }
  if (!any) return DecimalParse::kMalformed;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    auto e = ParseIntegerText(s.substr(i), -1000000, 1000000);
    if (!e || s.substr(i).find_first_of(" \t") != std::string_view::npos) return DecimalParse::kMalformed;
    exponent += *e;
    i = s.size();
  }
  if (i != s.size()) return DecimalParse::kMalformed;
  size_t first = digits.find_first_not_of('0');
  digits = first == std::string::npos ? "0" : digits.substr(first);
  // Shift to the target scale: unscaled = digits * 10^(exponent + scale).
  const int64_t shift = exponent + scale;
  if (shift < 0) {
    const int64_t drop = -shift;
    if (drop >= static_cast<int64_t>(digits.size())) {
      // Everything is dropped: rounds to 0 or 1 (when the first dropped digit is >= 5).
      const bool round_up = drop == static_cast<int64_t>(digits.size()) && digits[0] >= '5';
      digits = round_up ? "1" : "0";
    } else {
      const bool round_up = digits[digits.size() - static_cast<size_t>(drop)] >= '5';
      digits.resize(digits.size() - static_cast<size_t>(drop));
      if (round_up) {
        int k = static_cast<int>(digits.size()) - 1;
        while (k >= 0 && digits[k] == '9') digits[k--] = '0';
        if (k < 0) digits.insert(digits.begin(), '1');
        else ++digits[k];
      }
    }
  } else {
    if (digits != "0") {
      if (shift > 76) return DecimalParse::kOverflow;
      digits.append(static_cast<size_t>(shift), '0');
    }
  }
  first = digits.find_first_not_of('0');
  digits = first == std::string::npos ? "0" : digits.substr(first);
  if (static_cast<int>(digits.size()) > precision) return DecimalParse::kOverflow;
  arrow::Decimal256 v(0);
  for (char c : digits) v = v * arrow::Decimal256(10) + arrow::Decimal256(c - '0');
  *out = negative ? -v : v;
  return DecimalParse::kOk;
}

std::optional<bool> ParseBoolText(std::string_view text) {
  const std::string s = Lower(TrimSpaces(text));
  if (s == "t" || s == "true" || s == "y" || s == "yes" || s == "1") return true;
  if (s == "f" || s == "false" || s == "n" || s == "no" || s == "0") return false;
  return std::nullopt;
}

// ---------------------------------------------------------------------------------------------
// Errors

std::string TryHint() { return " Use `try_cast` to tolerate malformed input and return NULL instead."; }

arrow::Status MalformedError(const arrow::Array& in, int64_t i, const arrow::DataType& to) {
  return arrow::Status::Invalid("[CAST_INVALID_INPUT] The value ", SparkValueText(in, i), " of the type \"",
                                UpperTypeName(*in.type()), "\" cannot be cast to \"", UpperTypeName(to),
                                "\" because it is malformed.", TryHint());
}

arrow::Status OverflowError(const arrow::Array& in, int64_t i, const arrow::DataType& to) {
  return arrow::Status::Invalid("[CAST_OVERFLOW] The value ", SparkValueText(in, i), " of the type \"",
                                UpperTypeName(*in.type()), "\" cannot be cast to \"", UpperTypeName(to),
                                "\" due to an overflow. Use `try_cast` to tolerate overflow and return NULL instead.");
}

arrow::Status DecimalRangeError(const std::string& value, const arrow::DataType& to) {
  return arrow::Status::Invalid("[NUMERIC_VALUE_OUT_OF_RANGE] ", value, " cannot be represented as Decimal(",
                                DecimalPrecision(to), ", ", DecimalScale(to), ").");
}

// ---------------------------------------------------------------------------------------------
// Reading values of any numeric or temporal array

int64_t TimestampMicros(const arrow::Array& in, int64_t i) {
  const int64_t v = checked_cast<const arrow::TimestampArray&>(in).Value(i);
  switch (checked_cast<const arrow::TimestampType&>(*in.type()).unit()) {
    case arrow::TimeUnit::SECOND: return v * kMicrosPerSecond;
    case arrow::TimeUnit::MILLI: return v * 1000;
    case arrow::TimeUnit::MICRO: return v;
    case arrow::TimeUnit::NANO: return FloorDiv(v, 1000);
  }
  return v;
}

int64_t DateDays(const arrow::Array& in, int64_t i) {
  if (in.type_id() == arrow::Type::DATE32) return checked_cast<const arrow::Date32Array&>(in).Value(i);
  return FloorDiv(checked_cast<const arrow::Date64Array&>(in).Value(i), 86400000);
}

// Integral value (signed or unsigned, as __int128 to hold uint64).
__int128 IntegralAt(const arrow::Array& in, int64_t i) {
  switch (in.type_id()) {
    case arrow::Type::INT8: return checked_cast<const arrow::Int8Array&>(in).Value(i);
    case arrow::Type::INT16: return checked_cast<const arrow::Int16Array&>(in).Value(i);
    case arrow::Type::INT32: return checked_cast<const arrow::Int32Array&>(in).Value(i);
    case arrow::Type::INT64: return checked_cast<const arrow::Int64Array&>(in).Value(i);
    case arrow::Type::UINT8: return checked_cast<const arrow::UInt8Array&>(in).Value(i);
    case arrow::Type::UINT16: return checked_cast<const arrow::UInt16Array&>(in).Value(i);
    case arrow::Type::UINT32: return checked_cast<const arrow::UInt32Array&>(in).Value(i);
    case arrow::Type::UINT64: return checked_cast<const arrow::UInt64Array&>(in).Value(i);
    case arrow::Type::BOOL: return checked_cast<const arrow::BooleanArray&>(in).Value(i) ? 1 : 0;
    default: return 0;
  }
}

double RealAt(const arrow::Array& in, int64_t i) {
  if (in.type_id() == arrow::Type::FLOAT) return checked_cast<const arrow::FloatArray&>(in).Value(i);
  return checked_cast<const arrow::DoubleArray&>(in).Value(i);
}

arrow::Decimal256 Int128ToDecimal(__int128 v) {
  const bool negative = v < 0;
  const unsigned __int128 u = negative ? -static_cast<unsigned __int128>(v) : static_cast<unsigned __int128>(v);
  const arrow::Decimal256 out(arrow::BasicDecimal256(
      std::array<uint64_t, 4>{static_cast<uint64_t>(u), static_cast<uint64_t>(u >> 64), 0, 0}));
  return negative ? arrow::Decimal256(-out) : out;
}

// ---------------------------------------------------------------------------------------------
// Targets

struct CastContext {
  std::shared_ptr<arrow::DataType> to;
  bool try_cast = false;
  arrow::MemoryPool* pool = nullptr;
};

arrow::Result<std::shared_ptr<arrow::Array>> CastArray(const std::shared_ptr<arrow::Array>& in,
                                                       const std::shared_ptr<arrow::DataType>& to, bool try_cast,
                                                       arrow::MemoryPool* pool);

template <typename OutType>
arrow::Result<std::shared_ptr<arrow::Array>> ToIntegral(const arrow::Array& in, const CastContext& cc) {
  using CType = typename OutType::c_type;
  const __int128 min = std::numeric_limits<CType>::min();
  const __int128 max = std::numeric_limits<CType>::max();
  arrow::NumericBuilder<OutType> builder(cc.to, cc.pool);
  ARROW_RETURN_NOT_OK(builder.Reserve(in.length()));
  const bool from_string = IsString(*in.type());
  for (int64_t i = 0; i < in.length(); ++i) {
    if (in.IsNull(i)) {
      builder.UnsafeAppendNull();
      continue;
    }
    bool ok = true;
    __int128 v = 0;
    const auto id = in.type_id();
    if (from_string) {
      auto parsed = ParseIntegerText(checked_cast<const arrow::StringArray&>(in).GetView(i),
                                     static_cast<int64_t>(min), static_cast<int64_t>(std::min<__int128>(max, INT64_MAX)));
      ok = parsed.has_value();
      if (ok) v = *parsed;
      if (!ok && !cc.try_cast) return MalformedError(in, i, *cc.to);
    } else {
      if (arrow::is_integer(id) || id == arrow::Type::BOOL) {
        v = IntegralAt(in, i);
      } else if (arrow::is_floating(id)) {
        const double d = std::trunc(RealAt(in, i));
        ok = !std::isnan(d) && d >= -9223372036854775808.0 && d < 9223372036854775808.0;
        if (ok) v = static_cast<int64_t>(d);
      } else if (arrow::is_decimal(id)) {
        const arrow::Decimal256 whole = DecimalAt(in, i) / Pow10Decimal256(DecimalScale(*in.type()));
        ok = DecimalDigits(whole) <= 19;
        if (ok) {
          const auto words = whole.little_endian_array();
          v = static_cast<int64_t>(words[0]);
          ok = (whole.IsNegative() ? v <= 0 : v >= 0);
        }
      } else if (id == arrow::Type::TIMESTAMP) {
        v = FloorDiv(TimestampMicros(in, i), kMicrosPerSecond);
      } else {
        return arrow::Status::NotImplemented("cast from ", SqlTypeName(*in.type()));
      }
      ok = ok && v >= min && v <= max;
      if (!ok && !cc.try_cast) return OverflowError(in, i, *cc.to);
    }
    if (ok) builder.UnsafeAppend(static_cast<CType>(v));
    else builder.UnsafeAppendNull();
  }
  return builder.Finish();
}

// The result of a cast of `in` to decimal128 computed in 128-bit integers: a value per row of
// `in`, and `in`'s nulls.
struct Decimal128Result {
  std::shared_ptr<arrow::Buffer> values;
  std::shared_ptr<arrow::Buffer> validity;

  static arrow::Result<Decimal128Result> For(const arrow::Array& in, arrow::MemoryPool* pool) {
    Decimal128Result result;
    ARROW_ASSIGN_OR_RAISE(result.values, arrow::AllocateBuffer(in.length() * static_cast<int64_t>(sizeof(Int128)), pool));
    ARROW_ASSIGN_OR_RAISE(result.validity, LogicalNullBitmap(in, pool));
    return result;
  }
  void Set(int64_t i, Int128 v) { std::memcpy(values->mutable_data() + i * 16, &v, sizeof(v)); }
  std::shared_ptr<arrow::Array> Finish(const std::shared_ptr<arrow::DataType>& type, int64_t length) {
    return MakeDecimal128Array(type, length, std::move(values), std::move(validity));
  }
};

// decimal128 -> decimal128 in 128-bit integers; nullptr when a value does not fit, so that the
// general path below reports it (or, for try_cast, nulls it).
arrow::Result<std::shared_ptr<arrow::Array>> Decimal128ToDecimal128(const arrow::Array& in, const CastContext& cc) {
  if (in.type_id() != arrow::Type::DECIMAL128 || cc.to->id() != arrow::Type::DECIMAL128) return nullptr;
  const int precision = DecimalPrecision(*cc.to), scale = DecimalScale(*cc.to), from = DecimalScale(*in.type());
  if (precision > 38 || scale - from > 38) return nullptr;
  const Int128 up = scale > from ? Pow10Int128(scale - from) : 1;
  const int down = from > scale ? from - scale : 0;
  const Int128 limit = Pow10Int128(precision);
  const int64_t n = in.length();
  ARROW_ASSIGN_OR_RAISE(auto result, Decimal128Result::For(in, cc.pool));
  const uint8_t* xs = n > 0 ? checked_cast<const arrow::Decimal128Array&>(in).GetValue(0) : nullptr;
  const bool may_be_null = in.null_count() > 0;
  for (int64_t i = 0; i < n; ++i) {
    Int128 v = 0;
    if (!may_be_null || !in.IsNull(i)) {
      std::memcpy(&v, xs + i * 16, sizeof(v));
      if (down > 0) v = DivPow10HalfUp128(v, down);
      if (Fits64(v) && Fits64(up)) {
        v *= up;
      } else if (__builtin_mul_overflow(v, up, &v)) {
        return nullptr;
      }
      if (v >= limit || v <= -limit) return nullptr;
    }
    result.Set(i, v);
  }
  return result.Finish(cc.to, n);
}

// integer -> decimal128 in 128-bit integers (BIGINT to DECIMAL(20,0) and the like, as in
// `0.908 * price`); nullptr when a value does not fit, so that the general path reports it.
template <typename ArrowType>
arrow::Result<std::shared_ptr<arrow::Array>> IntegersToDecimal128(const arrow::Array& in, const CastContext& cc) {
  const int precision = DecimalPrecision(*cc.to), scale = DecimalScale(*cc.to);
  if (precision > 38 || scale > 18) return nullptr;  // 10^scale times any 64-bit value fits 128 bits
  const Int128 up = Pow10Int128(scale);
  const Int128 limit = Pow10Int128(precision);
  const int64_t n = in.length();
  ARROW_ASSIGN_OR_RAISE(auto result, Decimal128Result::For(in, cc.pool));
  const auto* xs = checked_cast<const arrow::NumericArray<ArrowType>&>(in).raw_values();
  bool ok = true;
  for (int64_t i = 0; i < n; ++i) {
    // Null slots hold some value too; one out of range only sends the batch the general way.
    const Int128 v = static_cast<Int128>(xs[i]) * up;
    ok &= (v < limit) & (v > -limit);
    result.Set(i, v);
  }
  if (!ok) return nullptr;
  return result.Finish(cc.to, n);
}

arrow::Result<std::shared_ptr<arrow::Array>> IntegersToDecimal128(const arrow::Array& in, const CastContext& cc) {
  if (cc.to->id() != arrow::Type::DECIMAL128) return nullptr;
  switch (in.type_id()) {
    case arrow::Type::INT8: return IntegersToDecimal128<arrow::Int8Type>(in, cc);
    case arrow::Type::INT16: return IntegersToDecimal128<arrow::Int16Type>(in, cc);
    case arrow::Type::INT32: return IntegersToDecimal128<arrow::Int32Type>(in, cc);
    case arrow::Type::INT64: return IntegersToDecimal128<arrow::Int64Type>(in, cc);
    case arrow::Type::UINT8: return IntegersToDecimal128<arrow::UInt8Type>(in, cc);
    case arrow::Type::UINT16: return IntegersToDecimal128<arrow::UInt16Type>(in, cc);
    case arrow::Type::UINT32: return IntegersToDecimal128<arrow::UInt32Type>(in, cc);
    case arrow::Type::UINT64: return IntegersToDecimal128<arrow::UInt64Type>(in, cc);
    default: return nullptr;
  }
}

arrow::Result<std::shared_ptr<arrow::Array>> ToDecimal(const arrow::Array& in, const CastContext& cc) {
  ARROW_ASSIGN_OR_RAISE(auto fast, Decimal128ToDecimal128(in, cc));
  if (fast) return fast;
  ARROW_ASSIGN_OR_RAISE(auto from_integers, IntegersToDecimal128(in, cc));
  if (from_integers) return from_integers;
  const int precision = DecimalPrecision(*cc.to);
  const int scale = DecimalScale(*cc.to);
  std::unique_ptr<arrow::ArrayBuilder> builder;
  ARROW_RETURN_NOT_OK(arrow::MakeBuilder(cc.pool, cc.to, &builder));
  ARROW_RETURN_NOT_OK(builder->Reserve(in.length()));
  const auto id = in.type_id();
  for (int64_t i = 0; i < in.length(); ++i) {
    if (in.IsNull(i)) {
      ARROW_RETURN_NOT_OK(builder->AppendNull());
      continue;
    }
    arrow::Decimal256 out;
    bool ok = true;
    std::string shown;
    if (IsString(*in.type())) {
      const auto text = checked_cast<const arrow::StringArray&>(in).GetView(i);
      DecimalParse r = ParseDecimalText(text, precision, scale, &out);
      if (r == DecimalParse::kMalformed && !cc.try_cast) return MalformedError(in, i, *cc.to);
      ok = r == DecimalParse::kOk;
      shown = std::string(TrimSpaces(text));
    } else if (arrow::is_integer(id) || id == arrow::Type::BOOL) {
      const arrow::Decimal256 v = Int128ToDecimal(IntegralAt(in, i));
      ok = RescaleDecimal(v, 0, scale, precision, &out);
      if (!ok) shown = v.ToIntegerString();  // for the error only
    } else if (arrow::is_floating(id)) {
      const double d = RealAt(in, i);
      if (!std::isfinite(d)) {  // Spark gives NULL for NaN and infinities, even in ANSI mode
        ARROW_RETURN_NOT_OK(builder->AppendNull());
        continue;
      }
      char buf[64];
      auto res = id == arrow::Type::FLOAT
                     ? std::to_chars(buf, buf + sizeof(buf), static_cast<float>(d), std::chars_format::scientific)
                     : std::to_chars(buf, buf + sizeof(buf), d, std::chars_format::scientific);
      ok = ParseDecimalText(std::string_view(buf, static_cast<size_t>(res.ptr - buf)), precision, scale, &out) ==
           DecimalParse::kOk;
      shown = id == arrow::Type::FLOAT ? JavaFloatString(static_cast<float>(d)) : JavaDoubleString(d);
    } else if (arrow::is_decimal(id)) {
      const arrow::Decimal256 v = DecimalAt(in, i);
      ok = RescaleDecimal(v, DecimalScale(*in.type()), scale, precision, &out);
      if (!ok) shown = v.ToString(DecimalScale(*in.type()));
    } else {
      return arrow::Status::NotImplemented("cast from ", SqlTypeName(*in.type()), " to decimal");
    }
    if (ok) {
      ARROW_RETURN_NOT_OK(AppendDecimal(builder.get(), out));
    } else if (cc.try_cast) {
      ARROW_RETURN_NOT_OK(builder->AppendNull());
    } else {
      return DecimalRangeError(shown, *cc.to);
    }
  }
  return builder->Finish();
}

arrow::Result<std::shared_ptr<arrow::Array>> ToReal(const arrow::Array& in, const CastContext& cc) {
  const bool to_float = cc.to->id() == arrow::Type::FLOAT;
  arrow::DoubleBuilder doubles(cc.pool);
  ARROW_RETURN_NOT_OK(doubles.Reserve(in.length()));
  for (int64_t i = 0; i < in.length(); ++i) {
    if (in.IsNull(i)) {
      doubles.UnsafeAppendNull();
      continue;
    }
    double v = 0;
    if (IsString(*in.type())) {
      auto parsed = ParseDoubleText(checked_cast<const arrow::StringArray&>(in).GetView(i));
      if (!parsed) {
        if (!cc.try_cast) return MalformedError(in, i, *cc.to);
        doubles.UnsafeAppendNull();
        continue;
      }
      v = *parsed;
    } else if (in.type_id() == arrow::Type::TIMESTAMP) {
      v = static_cast<double>(TimestampMicros(in, i)) / kMicrosPerSecond;
    } else {
      return arrow::Status::NotImplemented("cast from ", SqlTypeName(*in.type()), " to ", SqlTypeName(*cc.to));
    }
    doubles.UnsafeAppend(v);
  }
  ARROW_ASSIGN_OR_RAISE(auto out, doubles.Finish());
  if (!to_float) return out;
  ARROW_ASSIGN_OR_RAISE(arrow::Datum d, cp::Cast(out, arrow::float32(), cp::CastOptions::Unsafe()));
  return d.make_array();
}

arrow::Result<std::shared_ptr<arrow::Array>> ToBoolean(const arrow::Array& in, const CastContext& cc) {
  arrow::BooleanBuilder builder(cc.pool);
  ARROW_RETURN_NOT_OK(builder.Reserve(in.length()));
  const auto id = in.type_id();
  for (int64_t i = 0; i < in.length(); ++i) {
    if (in.IsNull(i)) {
      builder.UnsafeAppendNull();
      continue;
    }
    if (IsString(*in.type())) {
      auto parsed = ParseBoolText(checked_cast<const arrow::StringArray&>(in).GetView(i));
      if (!parsed && !cc.try_cast) return MalformedError(in, i, *cc.to);
      if (parsed) builder.UnsafeAppend(*parsed);
      else builder.UnsafeAppendNull();
    } else if (arrow::is_integer(id)) {
      builder.UnsafeAppend(IntegralAt(in, i) != 0);
    } else if (arrow::is_floating(id)) {
      builder.UnsafeAppend(RealAt(in, i) != 0);
    } else if (arrow::is_decimal(id)) {
      builder.UnsafeAppend(DecimalAt(in, i) != arrow::Decimal256(0));
    } else {
      return arrow::Status::NotImplemented("cast from ", SqlTypeName(*in.type()), " to boolean");
    }
  }
  return builder.Finish();
}

arrow::Result<std::shared_ptr<arrow::Array>> ToDate(const arrow::Array& in, const CastContext& cc) {
  arrow::Date32Builder builder(cc.pool);
  ARROW_RETURN_NOT_OK(builder.Reserve(in.length()));
  for (int64_t i = 0; i < in.length(); ++i) {
    if (in.IsNull(i)) {
      builder.UnsafeAppendNull();
      continue;
    }
    if (IsString(*in.type())) {
      auto parsed = ParseDateText(checked_cast<const arrow::StringArray&>(in).GetView(i));
      if (!parsed && !cc.try_cast) return MalformedError(in, i, *cc.to);
      if (parsed) builder.UnsafeAppend(*parsed);
      else builder.UnsafeAppendNull();
    } else if (in.type_id() == arrow::Type::TIMESTAMP) {
      builder.UnsafeAppend(static_cast<int32_t>(FloorDiv(TimestampMicros(in, i), kMicrosPerDay)));
    } else if (IsDate(*in.type())) {
      builder.UnsafeAppend(static_cast<int32_t>(DateDays(in, i)));
    } else {
      return arrow::Status::NotImplemented("cast from ", SqlTypeName(*in.type()), " to date");
    }
  }
  return builder.Finish();
}

arrow::Result<std::shared_ptr<arrow::Array>> ToTimestamp(const arrow::Array& in, const CastContext& cc) {
  const auto& ts_type = checked_cast<const arrow::TimestampType&>(*cc.to);
  const bool ntz = ts_type.timezone().empty();
  int64_t per_micro_num = 1, per_micro_den = 1;  // target units per microsecond
  switch (ts_type.unit()) {
    case arrow::TimeUnit::SECOND: per_micro_den = kMicrosPerSecond; break;
    case arrow::TimeUnit::MILLI: per_micro_den = 1000; break;
    case arrow::TimeUnit::MICRO: break;
    case arrow::TimeUnit::NANO: per_micro_num = 1000; break;
  }
  arrow::TimestampBuilder builder(cc.to, cc.pool);
  ARROW_RETURN_NOT_OK(builder.Reserve(in.length()));
  const auto id = in.type_id();
  constexpr double kMaxMicros = 9.2233720368547e18;
  for (int64_t i = 0; i < in.length(); ++i) {
    if (in.IsNull(i)) {
      builder.UnsafeAppendNull();
      continue;
    }
    std::optional<int64_t> micros;
    bool malformed = false;
    if (IsString(*in.type())) {
      micros = ParseTimestampText(checked_cast<const arrow::StringArray&>(in).GetView(i), ntz);
      malformed = !micros;
    } else if (id == arrow::Type::TIMESTAMP) {
      micros = TimestampMicros(in, i);
    } else if (IsDate(*in.type())) {
      micros = DateDays(in, i) * kMicrosPerDay;
    } else if (arrow::is_integer(id)) {
      const __int128 v = IntegralAt(in, i) * kMicrosPerSecond;
      if (v >= INT64_MIN && v <= INT64_MAX) micros = static_cast<int64_t>(v);
    } else if (arrow::is_floating(id) || arrow::is_decimal(id)) {
      const double seconds = arrow::is_floating(id) ? RealAt(in, i)
                                                    : DecimalAt(in, i).ToDouble(DecimalScale(*in.type()));
      const double v = std::trunc(seconds * kMicrosPerSecond);
      if (std::isfinite(v) && std::fabs(v) < kMaxMicros) micros = static_cast<int64_t>(v);
    } else {
      return arrow::Status::NotImplemented("cast from ", SqlTypeName(*in.type()), " to timestamp");
    }
    if (!micros) {
      if (cc.try_cast) {
        builder.UnsafeAppendNull();
        continue;
      }
      return malformed ? MalformedError(in, i, *cc.to) : OverflowError(in, i, *cc.to);
    }
    builder.UnsafeAppend(FloorDiv(*micros * per_micro_num, per_micro_den));
  }
  return builder.Finish();
}

// ---------------------------------------------------------------------------------------------
// To string

std::string DecimalPlainText(const arrow::Decimal256& v, int scale) {
  std::string digits = arrow::Decimal256(arrow::Decimal256::Abs(v)).ToIntegerString();
  if (scale > 0) {
    if (static_cast<int>(digits.size()) <= scale) digits.insert(0, static_cast<size_t>(scale) - digits.size() + 1, '0');
    digits.insert(digits.size() - static_cast<size_t>(scale), ".");
  }
  return v.IsNegative() ? "-" + digits : digits;
}

arrow::Result<std::shared_ptr<arrow::Array>> NestedToString(const arrow::Array& in, const CastContext& cc);

arrow::Result<std::shared_ptr<arrow::Array>> ToStringArray(const std::shared_ptr<arrow::Array>& in_ptr,
                                                           const CastContext& cc) {
  const arrow::Array& in = *in_ptr;
  const auto id = in.type_id();
  if (IsNested(*in.type())) return NestedToString(in, cc);
  if (arrow::is_integer(id) || id == arrow::Type::BOOL || IsString(*in.type()) || IsBinary(*in.type())) {
    ARROW_ASSIGN_OR_RAISE(arrow::Datum d, cp::Cast(in_ptr, arrow::utf8(), cp::CastOptions::Unsafe()));
    return d.make_array();
  }
  arrow::StringBuilder builder(cc.pool);
  ARROW_RETURN_NOT_OK(builder.Reserve(in.length()));
  for (int64_t i = 0; i < in.length(); ++i) {
    if (in.IsNull(i)) {
      ARROW_RETURN_NOT_OK(builder.AppendNull());
      continue;
    }
    std::string text;
    if (id == arrow::Type::DOUBLE) {
      text = JavaDoubleString(RealAt(in, i));
    } else if (id == arrow::Type::FLOAT) {
      text = JavaFloatString(checked_cast<const arrow::FloatArray&>(in).Value(i));
    } else if (arrow::is_decimal(id)) {
      text = DecimalPlainText(DecimalAt(in, i), DecimalScale(*in.type()));
    } else if (IsDate(*in.type())) {
      text = FormatDateText(DateDays(in, i));
    } else if (id == arrow::Type::TIMESTAMP) {
      text = FormatTimestampText(TimestampMicros(in, i));
    } else {
      return arrow::Status::NotImplemented("cast from ", SqlTypeName(*in.type()), " to string");
    }
    ARROW_RETURN_NOT_OK(builder.Append(text));
  }
  return builder.Finish();
}

// Arrays as "[1, null, 3]", structs as "{1, a}", maps as "{a -> 1, b -> 2}" (Spark's forms).
arrow::Result<std::shared_ptr<arrow::Array>> NestedToString(const arrow::Array& in, const CastContext& cc) {
  CastContext text_cc = cc;
  text_cc.to = arrow::utf8();
  arrow::StringBuilder builder(cc.pool);
  auto text_of = [&](const arrow::StringArray& values, int64_t j) {
    return values.IsNull(j) ? std::string("null") : std::string(values.GetView(j));
  };
  if (in.type_id() == arrow::Type::STRUCT) {
    const auto& s = checked_cast<const arrow::StructArray&>(in);
    std::vector<std::shared_ptr<arrow::Array>> fields;
    for (int f = 0; f < s.num_fields(); ++f) {
      ARROW_ASSIGN_OR_RAISE(auto field, s.GetFlattenedField(f, cc.pool));
      ARROW_ASSIGN_OR_RAISE(auto text, ToStringArray(field, text_cc));
      fields.push_back(std::move(text));
    }
    for (int64_t i = 0; i < in.length(); ++i) {
      if (in.IsNull(i)) {
        ARROW_RETURN_NOT_OK(builder.AppendNull());
        continue;
      }
      std::string out = "{";
      for (size_t f = 0; f < fields.size(); ++f) {
        out += (f ? ", " : "") + text_of(checked_cast<const arrow::StringArray&>(*fields[f]), i);
      }
      ARROW_RETURN_NOT_OK(builder.Append(out + "}"));
    }
    return builder.Finish();
  }
  if (in.type_id() == arrow::Type::MAP) {
    const auto& m = checked_cast<const arrow::MapArray&>(in);
    ARROW_ASSIGN_OR_RAISE(auto keys_any, ToStringArray(m.keys(), text_cc));
    ARROW_ASSIGN_OR_RAISE(auto items_any, ToStringArray(m.items(), text_cc));
    const auto& keys = checked_cast<const arrow::StringArray&>(*keys_any);
    const auto& items = checked_cast<const arrow::StringArray&>(*items_any);
    for (int64_t i = 0; i < in.length(); ++i) {
      if (in.IsNull(i)) {
        ARROW_RETURN_NOT_OK(builder.AppendNull());
        continue;
      }
      std::string out = "{";
      for (int64_t j = m.value_offset(i); j < m.value_offset(i + 1); ++j) {
        out += (j > m.value_offset(i) ? ", " : "") + text_of(keys, j) + " -> " + text_of(items, j);
      }
      ARROW_RETURN_NOT_OK(builder.Append(out + "}"));
    }
    return builder.Finish();
  }
  if (in.type_id() == arrow::Type::LIST || in.type_id() == arrow::Type::LARGE_LIST) {
    std::shared_ptr<arrow::Array> values;
    std::vector<int64_t> offsets(static_cast<size_t>(in.length()) + 1);
    if (in.type_id() == arrow::Type::LIST) {
      const auto& l = checked_cast<const arrow::ListArray&>(in);
      values = l.values();
      for (int64_t i = 0; i <= in.length(); ++i) offsets[i] = l.value_offset(i);
    } else {
      const auto& l = checked_cast<const arrow::LargeListArray&>(in);
      values = l.values();
      for (int64_t i = 0; i <= in.length(); ++i) offsets[i] = l.value_offset(i);
    }
    ARROW_ASSIGN_OR_RAISE(auto texts_any, ToStringArray(values, text_cc));
    const auto& texts = checked_cast<const arrow::StringArray&>(*texts_any);
    for (int64_t i = 0; i < in.length(); ++i) {
      if (in.IsNull(i)) {
        ARROW_RETURN_NOT_OK(builder.AppendNull());
        continue;
      }
      std::string out = "[";
      for (int64_t j = offsets[i]; j < offsets[i + 1]; ++j) out += (j > offsets[i] ? ", " : "") + text_of(texts, j);
      ARROW_RETURN_NOT_OK(builder.Append(out + "]"));
    }
    return builder.Finish();
  }
  return arrow::Status::NotImplemented("cast from ", SqlTypeName(*in.type()), " to string");
}

// ---------------------------------------------------------------------------------------------
// Nested targets: cast the children, keep the structure.

arrow::Result<std::shared_ptr<arrow::Array>> ToNested(const std::shared_ptr<arrow::Array>& in, const CastContext& cc) {
  const auto& to = cc.to;
  if (to->id() == arrow::Type::LIST && in->type_id() == arrow::Type::LIST) {
    const auto& l = checked_cast<const arrow::ListArray&>(*in);
    ARROW_ASSIGN_OR_RAISE(auto values, CastArray(l.values(), to->field(0)->type(), cc.try_cast, cc.pool));
    return std::make_shared<arrow::ListArray>(to, l.length(), l.value_offsets(), values, l.null_bitmap(),
                                              l.null_count(), l.offset());
  }
  if (to->id() == arrow::Type::STRUCT && in->type_id() == arrow::Type::STRUCT) {
    const auto& s = checked_cast<const arrow::StructArray&>(*in);
    std::vector<std::shared_ptr<arrow::Array>> children;
    for (int f = 0; f < s.num_fields(); ++f) {
      ARROW_ASSIGN_OR_RAISE(auto child, CastArray(s.field(f), to->field(f)->type(), cc.try_cast, cc.pool));
      children.push_back(std::move(child));
    }
    ARROW_ASSIGN_OR_RAISE(auto validity, LogicalNullBitmap(s, cc.pool));
    return std::make_shared<arrow::StructArray>(to, s.length(), children, validity, s.null_count());
  }
  if (to->id() == arrow::Type::MAP && in->type_id() == arrow::Type::MAP) {
    const auto& m = checked_cast<const arrow::MapArray&>(*in);
    const auto& map_type = checked_cast<const arrow::MapType&>(*to);
    ARROW_ASSIGN_OR_RAISE(auto keys, CastArray(m.keys(), map_type.key_type(), cc.try_cast, cc.pool));
    ARROW_ASSIGN_OR_RAISE(auto items, CastArray(m.items(), map_type.item_type(), cc.try_cast, cc.pool));
    return std::make_shared<arrow::MapArray>(to, m.length(), m.value_offsets(), keys, items, m.null_bitmap(),
                                             m.null_count(), m.offset());
  }
  // Other container pairs (large lists, ...): let Arrow try.
  ARROW_ASSIGN_OR_RAISE(arrow::Datum d, cp::Cast(in, to, cp::CastOptions::Safe()));
  return d.make_array();
}

arrow::Result<std::shared_ptr<arrow::Array>> CastArray(const std::shared_ptr<arrow::Array>& in_ptr,
                                                       const std::shared_ptr<arrow::DataType>& to, bool try_cast,
                                                       arrow::MemoryPool* pool) {
  const arrow::DataType& from = *in_ptr->type();
  if (from.Equals(*to)) return in_ptr;
  if (IsNull(from)) return arrow::MakeArrayOfNull(to, in_ptr->length(), pool);
  CastContext cc{to, try_cast, pool};
  std::shared_ptr<arrow::Array> in = in_ptr;
  if (from.id() == arrow::Type::LARGE_STRING || from.id() == arrow::Type::STRING_VIEW) {
    ARROW_ASSIGN_OR_RAISE(arrow::Datum d, cp::Cast(in_ptr, arrow::utf8()));
    in = d.make_array();
    if (to->id() == arrow::Type::STRING) return in;
  }
  switch (to->id()) {
    case arrow::Type::STRING: return ToStringArray(in, cc);
    case arrow::Type::INT8: return ToIntegral<arrow::Int8Type>(*in, cc);
    case arrow::Type::INT16: return ToIntegral<arrow::Int16Type>(*in, cc);
    case arrow::Type::INT32: return ToIntegral<arrow::Int32Type>(*in, cc);
    case arrow::Type::INT64: return ToIntegral<arrow::Int64Type>(*in, cc);
    case arrow::Type::DECIMAL128:
    case arrow::Type::DECIMAL256: return ToDecimal(*in, cc);
    case arrow::Type::FLOAT:
    case arrow::Type::DOUBLE:
      if (IsString(*in->type()) || in->type_id() == arrow::Type::TIMESTAMP) return ToReal(*in, cc);
      break;
    case arrow::Type::BOOL: return ToBoolean(*in, cc);
    case arrow::Type::DATE32: return ToDate(*in, cc);
    case arrow::Type::TIMESTAMP: return ToTimestamp(*in, cc);
    case arrow::Type::LIST:
    case arrow::Type::STRUCT:
    case arrow::Type::MAP: return ToNested(in, cc);
    default: break;
  }
  // Casts Arrow does as Spark does (numeric widening, int -> float, string -> binary, ...).
  ARROW_ASSIGN_OR_RAISE(arrow::Datum d, cp::Cast(in, to, cp::CastOptions::Unsafe()));
  return d.make_array();
}

arrow::Result<std::shared_ptr<arrow::Array>> CastBody(const KernelCall& call, bool try_cast) {
  return CastArray(call.args[0], call.out_type, try_cast, call.pool);
}

}  // namespace

arrow::Status RegisterCastKernels(cp::FunctionRegistry* registry) {
  ARROW_RETURN_NOT_OK(RegisterKernel(registry, "tidelake_cast", cp::Arity::Unary(), OutputFromCastOptions(),
                                     [](const KernelCall& call) { return CastBody(call, false); }));
  return RegisterKernel(registry, "tidelake_try_cast", cp::Arity::Unary(), OutputFromCastOptions(),
                        [](const KernelCall& call) { return CastBody(call, true); });
}

}  // namespace tidelake::plan::internal
