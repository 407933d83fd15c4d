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

/// The validity bitmap of `array` re-based to offset 0 (null when it has no nulls), for
/// building a new array of the same logical rows.
arrow::Result<std::shared_ptr<arrow::Buffer>> LogicalNullBitmap(const arrow::Array& array, arrow::MemoryPool* pool);

}  // namespace tidelake::plan::internal
