// Aggregate and window functions: Spark's names and result types mapped onto Arrow's hash
// aggregate functions and ours (kernels_aggregate.cc). The executor runs them; without GROUP
// BY it uses the scalar function of the same name without "hash_".

#include <arrow/scalar.h>

#include <cctype>

#include "plan/functions_internal.h"

namespace tidelake::plan {

namespace {

using namespace internal;  // NOLINT(build/namespaces)

// Spark's aggregate names, each with its canonical name.
struct AggregateName {
  std::string_view name;
  std::string_view canonical;
};
constexpr AggregateName kAggregates[] = {
    {"count", "count"},
    {"sum", "sum"},
    {"avg", "avg"},
    {"mean", "avg"},
    {"min", "min"},
    {"max", "max"},
    {"stddev", "stddev_samp"},
    {"std", "stddev_samp"},
    {"stddev_samp", "stddev_samp"},
    {"stddev_pop", "stddev_pop"},
    {"variance", "var_samp"},
    {"var_samp", "var_samp"},
    {"var_pop", "var_pop"},
    {"approx_count_distinct", "approx_count_distinct"},
    {"percentile_approx", "percentile_approx"},
    {"approx_percentile", "percentile_approx"},
    {"percentile", "percentile"},
    {"median", "median"},
    {"collect_list", "collect_list"},
    {"array_agg", "collect_list"},
    {"collect_set", "collect_set"},
    {"first", "first"},
    {"first_value", "first"},
    {"last", "last"},
    {"last_value", "last"},
    {"any_value", "any_value"},
    {"count_if", "count_if"},
    {"bool_and", "bool_and"},
    {"every", "bool_and"},
    {"bool_or", "bool_or"},
    {"some", "bool_or"},
    {"any", "bool_or"},
    {"max_by", "max_by"},
    {"min_by", "min_by"},
};

std::optional<std::string_view> CanonicalAggregate(std::string_view name) {
  for (const auto& a : kAggregates) {
    if (a.name == name) return a.canonical;
  }
  return std::nullopt;
}

std::optional<bool> BoolLiteralArg(const std::vector<std::shared_ptr<arrow::Scalar>>& literals, size_t i) {
  if (i >= literals.size() || literals[i] == nullptr || !literals[i]->is_valid) return std::nullopt;
  if (literals[i]->type->id() != arrow::Type::BOOL) return std::nullopt;
  return static_cast<const arrow::BooleanScalar&>(*literals[i]).value;
}

// The percentages of percentile / percentile_approx: a literal in [0, 1] or an array of them.
arrow::Result<std::vector<double>> Percentages(std::string_view name, const std::shared_ptr<arrow::Scalar>& literal,
                                               bool* is_array) {
  auto bad = [&] {
    return arrow::Status::TypeError("function ", name,
                                    ": the percentage must be a literal between 0.0 and 1.0 or an array of them");
  };
  if (literal == nullptr || !literal->is_valid) return bad();
  std::vector<double> out;
  auto add = [&](const arrow::Scalar& s) -> arrow::Status {
    if (!s.is_valid || !IsNumeric(*s.type)) return bad();
    // Scalar::CastTo does not convert decimals (0.5 is a decimal literal): use the kernel.
    auto d = cp::Cast(arrow::Datum(s.GetSharedPtr()), arrow::float64());
    if (!d.ok() || !d->scalar()->is_valid) return bad();
    const double v = static_cast<const arrow::DoubleScalar&>(*d->scalar()).value;
    if (!(v >= 0 && v <= 1)) return bad();
    out.push_back(v);
    return arrow::Status::OK();
  };
  if (literal->type->id() == arrow::Type::LIST) {
    *is_array = true;
    const auto& list = static_cast<const arrow::ListScalar&>(*literal);
    for (int64_t i = 0; i < list.value->length(); ++i) {
      ARROW_ASSIGN_OR_RAISE(auto element, list.value->GetScalar(i));
      ARROW_RETURN_NOT_OK(add(*element));
    }
    if (out.empty()) return bad();
  } else {
    *is_array = false;
    ARROW_RETURN_NOT_OK(add(*literal));
  }
  return out;
}

std::shared_ptr<cp::ScalarAggregateOptions> SkipNulls(uint32_t min_count = 1) {
  return std::make_shared<cp::ScalarAggregateOptions>(/*skip_nulls=*/true, min_count);
}

arrow::Status NeedsNumber(std::string_view name, const arrow::DataType& t) {
  if (IsNumeric(t) || IsString(t) || IsNull(t)) return arrow::Status::OK();
  return ArgTypeError(name, 0, "a number", t);
}

}  // namespace

bool IsAggregateFunction(std::string_view name) { return CanonicalAggregate(name).has_value(); }

arrow::Result<std::vector<std::shared_ptr<arrow::DataType>>> AggregateArgumentTypes(
    std::string_view name, const std::vector<arrow::TypeHolder>& arg_types, bool /*distinct*/) {
  auto canonical = CanonicalAggregate(name);
  if (!canonical) return arrow::Status::Invalid("unknown aggregate function '", name, "'");
  std::vector<std::shared_ptr<arrow::DataType>> out;
  for (const auto& t : arg_types) out.push_back(t.GetSharedPtr());
  if (out.empty()) return out;
  const arrow::DataType& t = *out[0];
  const std::string_view c = *canonical;
  if (c == "sum") {
    ARROW_RETURN_NOT_OK(NeedsNumber(name, t));
    if (IsFloating(t) || IsString(t) || IsNull(t)) out[0] = arrow::float64();
  } else if (c == "avg") {
    ARROW_RETURN_NOT_OK(NeedsNumber(name, t));
    // Decimals stay as they are (the executor averages them at the result's scale), so that
    // this is idempotent: BindAggregate applies it again to the types the binder cast to.
    if (!IsIntegral(t) && !IsDecimal(t)) out[0] = arrow::float64();
  } else if (c == "stddev_samp" || c == "stddev_pop" || c == "var_samp" || c == "var_pop" || c == "median" ||
             c == "percentile") {
    ARROW_RETURN_NOT_OK(NeedsNumber(name, t));
    out[0] = arrow::float64();
  } else if (c == "percentile_approx") {
    ARROW_RETURN_NOT_OK(NeedsNumber(name, t));
    if (!IsNumeric(t)) out[0] = arrow::float64();
  } else if (c == "count_if" || c == "bool_and" || c == "bool_or") {
    if (t.id() != arrow::Type::BOOL && !IsNull(t)) return ArgTypeError(name, 0, "a boolean", t);
    out[0] = arrow::boolean();
  } else if (c == "max_by" || c == "min_by") {
    for (auto& type : out) {
      if (IsNull(*type)) type = arrow::int32();
    }
  } else if (IsNull(t) && (c == "min" || c == "max" || c == "first" || c == "last" || c == "any_value" ||
                           c == "collect_list" || c == "collect_set")) {
    out[0] = arrow::int32();
  }
  return out;
}

arrow::Result<AggregateCall> BindAggregate(std::string_view name, const std::vector<arrow::TypeHolder>& arg_types,
                                           const std::vector<std::shared_ptr<arrow::Scalar>>& literal_args,
                                           bool distinct) {
  auto canonical = CanonicalAggregate(name);
  if (!canonical) return arrow::Status::Invalid("unknown aggregate function '", name, "'");
  const std::string_view c = *canonical;
  AggregateCall call;
  ARROW_ASSIGN_OR_RAISE(auto types, AggregateArgumentTypes(name, arg_types, distinct));
  auto distinct_unsupported = [&] { return arrow::Status::NotImplemented(name, "(DISTINCT ...) is not supported"); };
  if (c == "count") {
    if (arg_types.empty()) {
      if (distinct) return arrow::Status::Invalid("count(DISTINCT *) is not valid");
      call.function = "hash_count_all";
    } else {
      if (arg_types.size() > 1) {
        // count(a, b): the rows where no argument is NULL; with DISTINCT, the distinct tuples.
        for (size_t i = 0; i < types.size(); ++i) {
          if (IsNested(*types[i])) return ArgTypeError(name, i, "an atomic value", *types[i]);
        }
        call.function = distinct ? "hash_tidelake_count_distinct_tuples" : "hash_tidelake_count_all_valid";
      } else {
        call.function = distinct ? "hash_count_distinct" : "hash_count";
        call.options = std::make_shared<cp::CountOptions>(cp::CountOptions::ONLY_VALID);
      }
    }
    call.result_type = arrow::int64();
    return call;
  }
  if (c == "approx_count_distinct") {
    ARROW_RETURN_NOT_OK(CheckArity(name, arg_types.size(), 1, 2));
    call.function = "hash_count_distinct";  // exact, which Spark's estimate approximates
    call.options = std::make_shared<cp::CountOptions>(cp::CountOptions::ONLY_VALID);
    call.result_type = arrow::int64();
    return call;
  }
  if (c == "percentile_approx" || c == "percentile") {
    ARROW_RETURN_NOT_OK(CheckArity(name, arg_types.size(), 2, 3));
    if (distinct) return distinct_unsupported();
    bool is_array = false;
    ARROW_ASSIGN_OR_RAISE(auto q, Percentages(name, literal_args.size() > 1 ? literal_args[1] : nullptr, &is_array));
    if (c == "percentile_approx" && literal_args.size() > 2 && literal_args[2] != nullptr && literal_args[2]->is_valid) {
      auto accuracy = literal_args[2]->CastTo(arrow::int64());
      if (!accuracy.ok() || static_cast<const arrow::Int64Scalar&>(**accuracy).value <= 0) {
        return arrow::Status::TypeError("function ", name, ": the accuracy must be a positive integer literal");
      }
    }
    // Both are computed exactly (percentile_approx as Spark answers at its default accuracy).
    call.options = std::make_shared<cp::QuantileOptions>(q);
    if (c == "percentile") {
      call.function = is_array ? "hash_tidelake_percentile_list" : "hash_tidelake_percentile";
      call.result_type = is_array ? arrow::list(arrow::float64()) : arrow::float64();
    } else {
      call.function = is_array ? "hash_tidelake_percentile_approx_list" : "hash_tidelake_percentile_approx";
      call.result_type = is_array ? arrow::list(types[0]) : types[0];
    }
    return call;
  }
  const bool two_args = c == "first" || c == "last" || c == "max_by" || c == "min_by";
  ARROW_RETURN_NOT_OK(CheckArity(name, arg_types.size(), (c == "max_by" || c == "min_by") ? 2 : 1, two_args ? 2 : 1));
  const arrow::DataType& t = *types[0];
  if (c == "sum" && distinct) {
    call.function = "hash_tidelake_sum_distinct";
    if (IsDecimal(t)) call.result_type = arrow::decimal128(std::min(38, DecimalPrecision(t) + 10), DecimalScale(t));
    else if (IsIntegral(t)) call.result_type = arrow::int64();
    else call.result_type = arrow::float64();
    return call;
  }
  if (c == "sum") {
    call.function = "hash_sum";
    call.options = SkipNulls();
    if (IsDecimal(t)) call.result_type = arrow::decimal128(std::min(38, DecimalPrecision(t) + 10), DecimalScale(t));
    else if (IsIntegral(t)) call.result_type = arrow::int64();
    else call.result_type = arrow::float64();
    return call;
  }
  if (c == "avg") {
    call.function = distinct ? "hash_tidelake_avg_distinct" : "hash_mean";
    call.options = SkipNulls();
    const arrow::DataType& input = *arg_types[0].type;
    if (IsDecimal(input)) {
      call.result_type =
          arrow::decimal128(std::min(38, DecimalPrecision(input) + 4), std::min(38, DecimalScale(input) + 4));
    } else {
      call.result_type = arrow::float64();
    }
    return call;
  }
  if (c == "min" || c == "max") {
    if (IsNested(t)) return ArgTypeError(name, 0, "an atomic value", t);
    // Arrow's min/max skip NaN; Spark orders NaN above every number.
    if (IsFloating(t)) call.function = c == "min" ? "hash_tidelake_min" : "hash_tidelake_max";
    else call.function = c == "min" ? "hash_min" : "hash_max";
    call.options = SkipNulls();
    call.result_type = types[0];
    return call;
  }
  if (c == "stddev_samp" || c == "stddev_pop" || c == "var_samp" || c == "var_pop") {
    if (distinct) return distinct_unsupported();
    const int ddof = (c == "stddev_samp" || c == "var_samp") ? 1 : 0;
    call.function = c.substr(0, 3) == "std" ? "hash_stddev" : "hash_variance";
    call.options = std::make_shared<cp::VarianceOptions>(ddof, /*skip_nulls=*/true, /*min_count=*/1);
    call.result_type = arrow::float64();
    return call;
  }
  if (c == "median") {
    if (distinct) return distinct_unsupported();
    call.function = "hash_tidelake_percentile";
    call.options = std::make_shared<cp::QuantileOptions>(0.5);
    call.result_type = arrow::float64();
    return call;
  }
  if (c == "collect_list" || c == "collect_set") {
    // Spark skips NULLs; Arrow's hash_list keeps them (hash_distinct with ONLY_VALID does not).
    const bool set = c == "collect_set" || distinct;
    call.function = set ? "hash_distinct" : "hash_tidelake_collect_list";
    if (set) call.options = std::make_shared<cp::CountOptions>(cp::CountOptions::ONLY_VALID);
    call.result_type = arrow::list(types[0]);
    return call;
  }
  if (c == "first" || c == "last") {
    if (arg_types.size() == 2 && !BoolLiteralArg(literal_args, 1)) {
      return arrow::Status::TypeError("function ", name, ": argument 2 (ignoreNulls) must be a boolean literal");
    }
    const bool ignore_nulls = BoolLiteralArg(literal_args, 1).value_or(false);
    // Not Arrow's hash_first / hash_last: those are ordered aggregates, which Acero refuses
    // to run on several threads.
    call.function = c == "first" ? "hash_tidelake_first" : "hash_tidelake_last";
    call.options = std::make_shared<cp::ScalarAggregateOptions>(ignore_nulls, /*min_count=*/0);
    call.result_type = types[0];
    return call;
  }
  if (c == "max_by" || c == "min_by") {
    const arrow::DataType& key = *types[1];
    if (!(IsNumeric(key) || IsString(key) || IsBinary(key) || IsDatetime(key) || key.id() == arrow::Type::BOOL ||
          IsNull(key))) {
      return ArgTypeError(name, 1, "an orderable value", key);
    }
    call.function = c == "max_by" ? "hash_tidelake_max_by" : "hash_tidelake_min_by";
    call.result_type = IsNull(t) ? arrow::int32() : types[0];
    return call;
  }
  if (c == "any_value") {
    call.function = "hash_one";
    call.result_type = types[0];
    return call;
  }
  if (c == "count_if") {
    call.function = "hash_sum";  // of booleans: Arrow gives uint64, the executor casts
    call.options = SkipNulls(/*min_count=*/0);
    call.result_type = arrow::int64();
    return call;
  }
  if (c == "bool_and" || c == "bool_or") {
    call.function = c == "bool_and" ? "hash_all" : "hash_any";
    call.options = SkipNulls();
    call.result_type = arrow::boolean();
    return call;
  }
  return arrow::Status::NotImplemented("aggregate function ", name, " is not supported");
}

// ---------------------------------------------------------------------------------------------
// Window functions

bool IsWindowFunction(std::string_view name) {
  for (std::string_view n : {"row_number", "rank", "dense_rank", "percent_rank", "cume_dist", "ntile", "lag", "lead",
                             "first_value", "last_value", "nth_value"}) {
    if (n == name) return true;
  }
  return false;
}

arrow::Result<WindowCall> BindWindowFunction(std::string_view name, const std::vector<arrow::TypeHolder>& arg_types,
                                             const std::vector<std::shared_ptr<arrow::Scalar>>& literal_args) {
  WindowCall call;
  auto literal_int = [&](size_t i, const char* what) -> arrow::Result<int64_t> {
    if (i >= literal_args.size() || literal_args[i] == nullptr || !literal_args[i]->is_valid ||
        !IsIntegral(*literal_args[i]->type)) {
      return arrow::Status::TypeError("function ", name, ": the ", what, " must be an integer literal");
    }
    ARROW_ASSIGN_OR_RAISE(auto v, literal_args[i]->CastTo(arrow::int64()));
    return static_cast<const arrow::Int64Scalar&>(*v).value;
  };
  if (name == "row_number" || name == "rank" || name == "dense_rank" || name == "percent_rank" || name == "cume_dist") {
    ARROW_RETURN_NOT_OK(CheckArity(name, arg_types.size(), 0, 0));
    call.function = std::string(name);
    call.result_type = (name == "percent_rank" || name == "cume_dist") ? arrow::float64() : arrow::int32();
    return call;
  }
  if (name == "ntile") {
    ARROW_RETURN_NOT_OK(CheckArity(name, arg_types.size(), 1, 1));
    ARROW_ASSIGN_OR_RAISE(int64_t n, literal_int(0, "number of buckets"));
    if (n <= 0) return arrow::Status::Invalid("function ntile: the number of buckets must be positive, got ", n);
    call.function = "ntile";
    call.offset = n;
    call.result_type = arrow::int32();
    return call;
  }
  if (name == "lag" || name == "lead") {
    ARROW_RETURN_NOT_OK(CheckArity(name, arg_types.size(), 1, 3));
    call.function = std::string(name);
    call.offset = 1;
    if (arg_types.size() >= 2) {
      ARROW_ASSIGN_OR_RAISE(call.offset, literal_int(1, "offset"));
    }
    call.result_type = arg_types[0].GetSharedPtr();
    if (IsNull(*call.result_type)) call.result_type = arrow::int32();
    if (arg_types.size() == 3) {
      if (literal_args.size() <= 2 || literal_args[2] == nullptr) {
        return arrow::Status::NotImplemented("function ", name, ": the default must be a literal");
      }
      if (literal_args[2]->is_valid) {
        auto cast = literal_args[2]->CastTo(call.result_type);
        if (!cast.ok()) {
          return arrow::Status::TypeError("function ", name, ": the default ", literal_args[2]->ToString(),
                                          " cannot be used as a ", SqlTypeName(*call.result_type));
        }
        call.default_value = *cast;
      }
    }
    return call;
  }
  if (name == "first_value" || name == "last_value" || name == "nth_value") {
    ARROW_RETURN_NOT_OK(CheckArity(name, arg_types.size(), name == "nth_value" ? 2 : 1, 2));
    call.function = std::string(name);
    call.result_type = arg_types[0].GetSharedPtr();
    if (name == "nth_value") {
      ARROW_ASSIGN_OR_RAISE(int64_t n, literal_int(1, "position"));
      if (n <= 0) return arrow::Status::Invalid("function nth_value: the position must be positive, got ", n);
      call.offset = n;
    } else if (arg_types.size() == 2) {
      auto ignore = BoolLiteralArg(literal_args, 1);
      if (!ignore) {
        return arrow::Status::TypeError("function ", name, ": argument 2 (ignoreNulls) must be a boolean literal");
      }
      call.ignore_nulls = *ignore;
    }
    return call;
  }
  if (auto canonical = CanonicalAggregate(name)) {
    ARROW_ASSIGN_OR_RAISE(AggregateCall agg, BindAggregate(name, arg_types, literal_args, /*distinct=*/false));
    call.function = std::string(*canonical);
    call.result_type = agg.result_type;
    return call;
  }
  return arrow::Status::Invalid("unknown window function '", name, "'");
}

}  // namespace tidelake::plan
