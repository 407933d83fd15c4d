// Helpers shared by the files that implement plan/functions.h: type predicates and Spark's
// type arithmetic (decimal precision, widening), expression building and binding, and the
// argument checks and implicit casts every function applies. Not part of the public API.
//
// Invariant: every expression these helpers return is bound against the schema passed in.
#pragma once

#include <arrow/compute/api.h>
#include <arrow/result.h>
#include <arrow/type.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "plan/functions.h"

namespace tidelake::plan::internal {

// ---------------------------------------------------------------------------------------------
// Types

bool IsIntegral(const arrow::DataType& t);  ///< int8..int64 and the unsigned ints
bool IsFloating(const arrow::DataType& t);  ///< float32, float64 (and float16)
bool IsDecimal(const arrow::DataType& t);   ///< decimal128 / decimal256
bool IsNumeric(const arrow::DataType& t);   ///< integral, floating or decimal
bool IsString(const arrow::DataType& t);    ///< utf8, large_utf8, utf8_view
bool IsBinary(const arrow::DataType& t);    ///< binary, large_binary, binary_view, fixed_size_binary
bool IsDate(const arrow::DataType& t);      ///< date32, date64
bool IsTimestamp(const arrow::DataType& t); ///< any timestamp
bool IsTimestampLtz(const arrow::DataType& t);  ///< a timestamp with a time zone (Spark TIMESTAMP)
bool IsDatetime(const arrow::DataType& t);  ///< date or timestamp
bool IsNull(const arrow::DataType& t);
bool IsInterval(const arrow::DataType& t);  ///< month_day_nano_interval (the binder's INTERVAL)
bool IsNested(const arrow::DataType& t);    ///< list, large_list, map, struct
bool IsAtomic(const arrow::DataType& t);    ///< not nested, not null

/// TIMESTAMP (timestamp(us, "UTC")) and TIMESTAMP_NTZ (timestamp(us)).
std::shared_ptr<arrow::DataType> TimestampLtz();
std::shared_ptr<arrow::DataType> TimestampNtz();
/// A timestamp type in our canonical form: microseconds, "UTC" for any zone.
std::shared_ptr<arrow::DataType> CanonicalTimestamp(const arrow::DataType& t);

/// Rank of an integral type in Spark's order (tinyint 1 .. bigint 4; unsigned ints rank as the
/// signed type that holds them; uint64 ranks 5 = beyond bigint).
int IntegralRank(const arrow::DataType& t);
/// The integral type of a rank (5 and above: decimal(20,0)).
std::shared_ptr<arrow::DataType> IntegralOfRank(int rank);

/// DecimalType.forType: the decimal that holds every value of an integral type
/// (tinyint -> decimal(3,0), smallint (5,0), int (10,0), bigint (20,0)).
std::shared_ptr<arrow::DataType> DecimalForIntegral(const arrow::DataType& t);
/// DecimalType.adjustPrecisionScale with allowPrecisionLoss (caps at 38, keeps >= 6 digits
/// of scale when it has to cut).
std::shared_ptr<arrow::DataType> AdjustedDecimal(int32_t precision, int32_t scale);
/// DecimalType.bounded: both capped at 38.
std::shared_ptr<arrow::DataType> BoundedDecimal(int32_t precision, int32_t scale);
int32_t DecimalPrecision(const arrow::DataType& t);
int32_t DecimalScale(const arrow::DataType& t);

/// Spark's upper-case type name for runtime messages ("INT", "DECIMAL(4,1)").
std::string UpperTypeName(const arrow::DataType& t);

// ---------------------------------------------------------------------------------------------
// Expressions

std::shared_ptr<arrow::DataType> TypeOf(const cp::Expression& e);
/// The literal's scalar, or null if `e` is not a literal.
std::shared_ptr<arrow::Scalar> LiteralOf(const cp::Expression& e);
/// A literal's value as an int64 (integral literal, not null).
std::optional<int64_t> IntLiteral(const cp::Expression& e);
/// A literal's value as a string (string literal, not null).
std::optional<std::string> StringLiteral(const cp::Expression& e);
bool IsNullLiteral(const cp::Expression& e);
/// "amount" from a unique field name "amount#12".
std::string DisplayNameOf(const std::string& unique_name);

/// call(name, args, options) bound against `input`.
arrow::Result<cp::Expression> BoundCall(std::string name, std::vector<cp::Expression> args,
                                        const arrow::Schema& input,
                                        std::shared_ptr<cp::FunctionOptions> options = nullptr);
/// A bound NULL literal of `type`.
arrow::Result<cp::Expression> NullOf(const std::shared_ptr<arrow::DataType>& type, const arrow::Schema& input);
/// A bound literal.
arrow::Result<cp::Expression> Literal(std::shared_ptr<arrow::Scalar> value, const arrow::Schema& input);

// ---------------------------------------------------------------------------------------------
// Function arguments (Spark's ImplicitCastInputTypes in ANSI mode)

/// "function substring expects 2 or 3 arguments, got 1"
arrow::Status CheckArity(std::string_view fn, size_t got, size_t min, size_t max);
/// "function upper: argument 1 must be a string, got array<int>" (index is 0-based).
arrow::Status ArgTypeError(std::string_view fn, size_t index, std::string_view expected,
                           const arrow::DataType& got);

/// Argument `index` of `fn` as a string (utf8): atomic types are cast to string.
arrow::Result<cp::Expression> StringArg(std::string_view fn, size_t index, cp::Expression e,
                                        const arrow::Schema& input);
/// As an int32: tinyint/smallint/int widen, strings are parsed; bigint and others are errors
/// (Spark's IntegerType inputs).
arrow::Result<cp::Expression> IntArg(std::string_view fn, size_t index, cp::Expression e,
                                     const arrow::Schema& input);
/// As an int64: any integral type, or a string.
arrow::Result<cp::Expression> LongArg(std::string_view fn, size_t index, cp::Expression e,
                                      const arrow::Schema& input);
/// As a float64: any numeric type, or a string.
arrow::Result<cp::Expression> DoubleArg(std::string_view fn, size_t index, cp::Expression e,
                                        const arrow::Schema& input);
/// As a boolean (or a string parsed as one).
arrow::Result<cp::Expression> BoolArg(std::string_view fn, size_t index, cp::Expression e,
                                      const arrow::Schema& input);
/// As a date32: dates, timestamps (their date part) and strings.
arrow::Result<cp::Expression> DateArg(std::string_view fn, size_t index, cp::Expression e,
                                      const arrow::Schema& input);
/// As a timestamp: dates (midnight UTC) and strings become TIMESTAMP; timestamps are
/// normalised to microseconds (keeping NTZ as NTZ).
arrow::Result<cp::Expression> TimestampArg(std::string_view fn, size_t index, cp::Expression e,
                                           const arrow::Schema& input);
/// OK if `regex` compiles (RE2 syntax); else "function rlike: invalid regular expression '(':
/// missing )".
arrow::Status CheckRegex(std::string_view fn, const std::string& regex);
/// Casts every argument to the common type of all of them (COALESCE, GREATEST, IN, ...).
arrow::Result<std::vector<cp::Expression>> CoerceToCommonType(std::string_view fn,
                                                              std::vector<cp::Expression> args,
                                                              const arrow::Schema& input);

// ---------------------------------------------------------------------------------------------
// Implementation entry points of the topic files (functions_*.cc), tried in turn by
// CallFunction. Each returns std::nullopt when it does not know `name`.

using MaybeExpression = arrow::Result<std::optional<cp::Expression>>;
MaybeExpression CallMathFunction(std::string_view name, std::vector<cp::Expression>& args,
                                 const arrow::Schema& input);
MaybeExpression CallStringFunction(std::string_view name, std::vector<cp::Expression>& args,
                                   const arrow::Schema& input);
MaybeExpression CallDatetimeFunction(std::string_view name, std::vector<cp::Expression>& args,
                                     const arrow::Schema& input, const FunctionContext& ctx);
MaybeExpression CallCollectionFunction(std::string_view name, std::vector<cp::Expression>& args,
                                       const arrow::Schema& input);

/// Arithmetic shared by operators and functions (functions_operators.cc).
arrow::Result<cp::Expression> Arithmetic(Operator op, cp::Expression a, cp::Expression b,
                                         const arrow::Schema& input, std::string_view fn);
/// The decimal type an operand takes part in decimal arithmetic as: its own, or for an
/// integral literal the digits it has (DecimalType.fromLiteral), or DecimalType.forType.
std::shared_ptr<arrow::DataType> OperandDecimal(const cp::Expression& e);
/// pmod(a, b): the result has the sign of b... as Spark: a positive remainder for b > 0.
arrow::Result<cp::Expression> PositiveModulo(cp::Expression a, cp::Expression b,
                                             const arrow::Schema& input);
/// date/timestamp +/- interval (functions_datetime.cc); `negate` for subtraction.
arrow::Result<cp::Expression> AddInterval(cp::Expression datetime, cp::Expression interval, bool negate,
                                          const arrow::Schema& input);
/// date_add(date, days) with days an int32 expression (functions_datetime.cc).
arrow::Result<cp::Expression> DateAddDays(cp::Expression date, cp::Expression days, bool negate,
                                          const arrow::Schema& input);

/// Registration of the kernels of each kernels_*.cc file (called by RegisterSqlFunctions).
arrow::Status RegisterCastKernels(cp::FunctionRegistry* registry);
arrow::Status RegisterArithmeticKernels(cp::FunctionRegistry* registry);
arrow::Status RegisterCompareKernels(cp::FunctionRegistry* registry);
arrow::Status RegisterStringKernels(cp::FunctionRegistry* registry);
arrow::Status RegisterDatetimeKernels(cp::FunctionRegistry* registry);
arrow::Status RegisterCollectionKernels(cp::FunctionRegistry* registry);
arrow::Status RegisterAggregateKernels(cp::FunctionRegistry* registry);  // also calls the next one
arrow::Status RegisterPickAggregateKernels(cp::FunctionRegistry* registry);
arrow::Status RegisterCountAggregateKernels(cp::FunctionRegistry* registry);
arrow::Status RegisterDecimalSumKernels(cp::FunctionRegistry* registry);

}  // namespace tidelake::plan::internal
