// The SQL function library: maps Spark SQL operators, casts, scalar functions, aggregates and
// window functions onto Arrow compute, with Spark 4 semantics in ANSI mode. The binder (sql/)
// calls it to type every expression it builds; the executor (exec/) only evaluates the Arrow
// expressions and aggregate calls it returns.
//
// Contract:
//  - Inputs are expressions already bound against `input`; every result is bound against
//    `input` too, so `result.type()` is its SQL type (see SqlTypeName for the mapping).
//  - Comparisons of float/double order NaN above every number and equal to itself (Spark).
//  - Argument types are coerced the way Spark 4 does in ANSI mode (AnsiTypeCoercion):
//    numeric widening, string to number/date/timestamp/boolean where Spark allows it, NULL to
//    anything, decimal precision and scale as Spark's DecimalPrecision (allowPrecisionLoss).
//  - Errors Spark raises at run time in ANSI mode (overflow, division by zero, malformed
//    casts, invalid dates) are raised by the kernels at run time as Status::Invalid with a
//    message naming the value; errors Spark raises at analysis (wrong argument count or type)
//    are returned here, naming the function: "function substring expects 2 or 3 arguments,
//    got 1". Messages carry no SQL position: the binder prefixes "line L:C: ".
//  - Where Arrow has no kernel or its semantics differ from Spark's, we register our own
//    scalar functions in Arrow's default registry under names starting with "tidelake_"
//    (RegisterSqlFunctions). Every entry point here registers them on first use, so
//    expressions we return can be executed by anything using the default registry.
//
// Thread safety: every function here is safe to call from any thread.
#pragma once

#include <arrow/compute/api.h>
#include <arrow/result.h>
#include <arrow/type.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "plan/logical_plan.h"

namespace tidelake::plan {

namespace cp = arrow::compute;

/// Per-query values that functions read.
struct FunctionContext {
  int64_t now_us = 0;  ///< query start in UTC micros: current_timestamp(), current_date(), ...
};

/// SQL operators (the AST's unary/binary operators plus the special forms).
enum class Operator : uint8_t {
  kAdd, kSubtract, kMultiply, kDivide, kIntDivide, kModulo, kNegate,
  kEq, kNotEq, kLt, kLtEq, kGt, kGtEq, kNullSafeEq,
  kAnd, kOr, kNot, kIsNull, kIsNotNull,
  kConcat,  ///< ||
  kBitAnd, kBitOr, kBitXor, kBitNot,
  kLike,    ///< args: value, pattern[, escape (a one-character string literal)]
  kILike,   ///< as kLike, case-insensitive
  kRLike,   ///< args: value, regex (RE2 syntax; a match anywhere in the value)
  kIn,      ///< args[0] IN (args[1..]); Spark's three-valued result
  kBetween, ///< args: value, low, high
  kSubscript,  ///< array[index] (0-based, out of range is an error) or map[key] (null if absent)
};

/// Registers our kernels ("tidelake_*") in Arrow's default function registry and initializes
/// Arrow compute. Idempotent and thread-safe; cheap after the first call.
arrow::Status RegisterSqlFunctions();

/// Spark's name for an Arrow type as used in messages: int, bigint, decimal(10,2), string,
/// timestamp, timestamp_ntz, array<int>, struct<a:int,b:string>, void (the NULL type), ...
std::string SqlTypeName(const arrow::DataType& type);

/// True if `name` (lower case) is a scalar function CallFunction knows.
bool IsScalarFunction(std::string_view name);

/// A scalar function call, `name` in lower case (coalesce, substring, date_trunc, ...).
arrow::Result<cp::Expression> CallFunction(std::string_view name, std::vector<cp::Expression> args,
                                           const arrow::Schema& input, const FunctionContext& ctx);

/// An operator applied to bound arguments (see Operator for the argument lists).
arrow::Result<cp::Expression> CallOperator(Operator op, std::vector<cp::Expression> args,
                                           const arrow::Schema& input);

/// CASE WHEN conditions[i] THEN results[i] ... [ELSE else_result] END. Results are coerced to
/// their common type; a NULL condition counts as false. As in Spark, a result (or a later
/// condition) that can fail is evaluated only for the rows that reach it, so CASE WHEN x = 0
/// THEN NULL ELSE 1 / x END raises no division by zero; IF, NVL2 and COALESCE do the same.
/// (A simple CASE x WHEN v is the binder's rewrite to conditions `x = v`.)
arrow::Result<cp::Expression> CaseWhen(std::vector<cp::Expression> conditions,
                                       std::vector<cp::Expression> results,
                                       std::optional<cp::Expression> else_result,
                                       const arrow::Schema& input);

/// CAST(e AS to) (try_cast = false: ANSI errors on malformed or overflowing values) or
/// TRY_CAST (null instead). Casts Spark does not allow at all are errors here:
/// "cannot cast date to int".
arrow::Result<cp::Expression> Cast(cp::Expression e, const std::shared_ptr<arrow::DataType>& to,
                                   bool try_cast, const arrow::Schema& input);

/// The type Spark widens `a` and `b` to for UNION, CASE, COALESCE, IN and comparisons;
/// "cannot find a common type for int and date" when there is none.
arrow::Result<std::shared_ptr<arrow::DataType>> CommonType(const arrow::DataType& a,
                                                           const arrow::DataType& b);

/// CommonType folded over several types (at least one).
arrow::Result<std::shared_ptr<arrow::DataType>> CommonType(
    const std::vector<std::shared_ptr<arrow::DataType>>& types);

/// `e` cast to `type` (ANSI cast) when its type differs; `e` itself otherwise. An error when
/// Spark would not cast implicitly, e.g. a date to an int.
arrow::Result<cp::Expression> ImplicitCastTo(cp::Expression e, const std::shared_ptr<arrow::DataType>& type,
                                             const arrow::Schema& input);

// -------------------------------------------------------------------------------------------
// Aggregates

bool IsAggregateFunction(std::string_view name);

/// count, sum, avg/mean, min, max, stddev/std/stddev_samp, stddev_pop, variance/var_samp,
/// var_pop, approx_count_distinct, percentile_approx/approx_percentile, percentile, median,
/// collect_list/array_agg, collect_set, first/first_value, last/last_value, any_value,
/// count_if, bool_and/every, bool_or/some/any, max_by, min_by; DISTINCT for count, sum, avg
/// and collect_list. `arg_types` are the argument types as the query has them (count(*) has
/// none): BindAggregate applies AggregateArgumentTypes itself, and the result type depends on
/// the original type (avg(decimal(10,2)) is decimal(14,6), computed over decimal(38,6)).
/// `literal_args[i]` is the value of argument i when it is a literal (null otherwise): the
/// percentages and accuracy of percentile(_approx), first/last's ignoreNulls flag.
/// AggregateCall::args is left empty for the binder to fill.
///
/// Notes for the executor: where Arrow's kernel yields another type than result_type, cast
/// the aggregate's output to result_type (sum of decimals gives decimal(38,s); count_if is a
/// hash_sum of booleans and gives uint64). Arrow's integer sum wraps on overflow where Spark
/// raises an error. collect_list, percentile, median, percentile_approx and sum/avg(DISTINCT)
/// run our kernels ("hash_tidelake_*" with a scalar "tidelake_*" twin), which hold all values
/// of a group in memory, as Spark does; first, last, max_by, min_by and min/max of floats
/// (NaN is the largest value) run our unordered "pick" kernels, which keep one row per group.
arrow::Result<AggregateCall> BindAggregate(std::string_view name,
                                           const std::vector<arrow::TypeHolder>& arg_types,
                                           const std::vector<std::shared_ptr<arrow::Scalar>>& literal_args,
                                           bool distinct);

/// The types the binder must cast the aggregate's arguments to (ImplicitCastTo) before the
/// AggregateNode, e.g. sum(string) needs double. Same length as `arg_types`; applying it to
/// its own result changes nothing. (avg of a decimal keeps its type: the executor averages
/// at the result's scale.)
arrow::Result<std::vector<std::shared_ptr<arrow::DataType>>> AggregateArgumentTypes(
    std::string_view name, const std::vector<arrow::TypeHolder>& arg_types, bool distinct);

// -------------------------------------------------------------------------------------------
// Window functions

/// True for the ranking and offset functions (row_number, rank, dense_rank, percent_rank,
/// cume_dist, ntile, lag, lead, first_value, last_value, nth_value); aggregates are also
/// allowed over windows but answer IsAggregateFunction.
bool IsWindowFunction(std::string_view name);

/// Types a window call. `arg_types` / `literal_args` as for BindAggregate: lag/lead(x[,
/// offset[, default]]), ntile(n), nth_value(x, n) take their numbers as literals (set in
/// WindowCall::offset; lag/lead's default, cast to x's type, in default_value). For an
/// aggregate over a window, `function` is the aggregate's canonical Spark name (count, sum,
/// avg, min, max, stddev_samp, stddev_pop, var_samp, var_pop, first, last, collect_list, ...)
/// and result_type its Spark result type. `args`, `frame` and `ignore_nulls` (except
/// first_value/last_value(x, ignoreNulls)) are for the binder to fill.
arrow::Result<WindowCall> BindWindowFunction(std::string_view name,
                                             const std::vector<arrow::TypeHolder>& arg_types,
                                             const std::vector<std::shared_ptr<arrow::Scalar>>& literal_args);

}  // namespace tidelake::plan
