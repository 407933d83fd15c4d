// The scaffolding for our own Arrow compute kernels ("tidelake_*" scalar functions): one
// registration helper that turns a plain C++ body over whole arrays into an Arrow
// ScalarFunction, plus the helpers the bodies share (Spark-style values in error messages,
// decimal digits).
//
// A kernel body sees every argument as a full array of the batch's length (scalars are
// broadcast), the call's FunctionOptions (copied when the expression was bound; may be null)
// and the output type its resolver chose, and returns a new array of that type and length.
// Bodies must be thread-safe: Acero calls them from several threads at once.
#pragma once

#include <arrow/array.h>
#include <arrow/compute/api.h>
#include <arrow/result.h>
#include <arrow/util/decimal.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace tidelake::plan::internal {

namespace cp = arrow::compute;

struct KernelCall {
  std::vector<std::shared_ptr<arrow::Array>> args;  ///< one per argument, all `length` long
  int64_t length = 0;
  const cp::FunctionOptions* options = nullptr;
  std::shared_ptr<arrow::DataType> out_type;
  arrow::MemoryPool* pool = nullptr;
};

using KernelBody = std::function<arrow::Result<std::shared_ptr<arrow::Array>>(const KernelCall&)>;
using KernelResolver = std::function<arrow::Result<arrow::TypeHolder>(
    const std::vector<arrow::TypeHolder>& args, const cp::FunctionOptions* options)>;

/// Registers scalar function `name` (arguments of any type; the resolver validates them).
arrow::Status RegisterKernel(cp::FunctionRegistry* registry, const std::string& name, cp::Arity arity,
                             KernelResolver resolve, KernelBody body);

/// A resolver answering options' CastOptions::to_type (for kernels whose output type the
/// caller chooses).
KernelResolver OutputFromCastOptions();
/// A resolver answering a fixed type.
KernelResolver FixedOutput(std::shared_ptr<arrow::DataType> type);
/// The CastOptions of a call, or an error naming `fn` when it has none.
arrow::Result<const cp::CastOptions*> GetCastOptions(const cp::FunctionOptions* options, const char* fn);

/// Spark's rendering of a value in error messages: 300, 12345678901L, 1.0E20D, 128.1BD, 'abc'.
std::string SparkValueText(const arrow::Array& array, int64_t i);
/// Java's Double.toString / Float.toString (Spark's cast to string): 1.0, 1.0E10, 1.0E-4, NaN.
std::string JavaDoubleString(double v);
std::string JavaFloatString(float v);

/// 10^n as a Decimal256 (n in [0, 76]).
const arrow::Decimal256& Pow10Decimal256(int n);
/// Number of decimal digits of |v| (0 has 1 digit).
int DecimalDigits(const arrow::Decimal256& v);
/// Divides v by 10^n rounding half away from zero (Spark's HALF_UP).
arrow::Decimal256 DivPow10HalfUp(const arrow::Decimal256& v, int n);
/// v rescaled from scale `from` to scale `to` with HALF_UP rounding; false if the result has
/// more than `precision` digits (or cannot be computed).
bool RescaleDecimal(const arrow::Decimal256& v, int from, int to, int precision, arrow::Decimal256* out);
/// A Decimal256 known to fit 38 digits as a Decimal128.
arrow::Decimal128 ToDecimal128(const arrow::Decimal256& v);
/// The value of decimal array element i (decimal128 or decimal256) widened to 256 bits.
arrow::Decimal256 DecimalAt(const arrow::Array& array, int64_t i);
/// Appends `v` to a Decimal128Builder / Decimal256Builder according to its type.
arrow::Status AppendDecimal(arrow::ArrayBuilder* builder, const arrow::Decimal256& v);

// 128-bit fast paths for decimal128 data. The Decimal256 helpers above are exact for every
// decimal but slow; kernels first try these on __int128 unscaled values and fall back to the
// 256-bit path for a batch where a value would not fit (which then reports the error).
using Int128 = __int128;
/// 10^n as an Int128 (n in [0, 38]).
Int128 Pow10Int128(int n);
/// True when v fits 64 bits (then products of two such values cannot overflow 128 bits).
inline bool Fits64(Int128 v) { return v == static_cast<int64_t>(v); }
/// The unscaled value of decimal128 array element i.
Int128 Decimal128At(const arrow::Array& array, int64_t i);
/// v * 10^n (n >= 0); false when it overflows 128 bits.
bool MulPow10(Int128 v, int n, Int128* out);
/// v / 10^n rounded HALF_UP (n >= 0).
Int128 DivPow10HalfUp128(Int128 v, int n);
/// |v| < 10^precision (precision in [1, 38]).
bool FitsPrecision(Int128 v, int precision);
/// v rescaled from scale `from` to `to` (HALF_UP) within `precision` digits; false if not.
bool Rescale128(Int128 v, int from, int to, int precision, Int128* out);
/// The AND of the validity of `arrays` (all `length` long) at offset 0; null when none has nulls.
arrow::Result<std::shared_ptr<arrow::Buffer>> CombinedNullBitmap(const std::vector<std::shared_ptr<arrow::Array>>& arrays,
                                                                 int64_t length, arrow::MemoryPool* pool);
/// A decimal128 array of `type` over `values` (length * 16 bytes of little-endian unscaled
/// values) and `validity` (null: no nulls).
std::shared_ptr<arrow::Array> MakeDecimal128Array(const std::shared_ptr<arrow::DataType>& type, int64_t length,
                                                  std::shared_ptr<arrow::Buffer> values,
                                                  std::shared_ptr<arrow::Buffer> validity);

/// The validity bitmap of `array` re-based to offset 0 (null when it has no nulls), for
/// building a new array of the same logical rows.
arrow::Result<std::shared_ptr<arrow::Buffer>> LogicalNullBitmap(const arrow::Array& array, arrow::MemoryPool* pool);

}  // namespace tidelake::plan::internal
