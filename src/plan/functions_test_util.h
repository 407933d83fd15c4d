// Test helpers for the SQL function library: literals, calls bound against an empty or a
// small schema, and evaluation that renders "value :: sqltype" or "ERROR: message".
#pragma once

#include <arrow/api.h>
#include <arrow/compute/api.h>
#include <arrow/json/from_string.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "plan/functions.h"

namespace tidelake::plan::fntest {

namespace cp = arrow::compute;

/// An array from JSON text, e.g. Json(arrow::int32(), "[1, null]").
inline std::shared_ptr<arrow::Array> Json(const std::shared_ptr<arrow::DataType>& type, const std::string& text) {
  auto array = arrow::json::ArrayFromJSONString(type, text);
  EXPECT_TRUE(array.ok()) << array.status().ToString();
  return *array;
}

inline const arrow::Schema& EmptySchema() {
  static const arrow::Schema schema({});
  return schema;
}

inline cp::Expression I(int32_t v) { return cp::literal(v); }
inline cp::Expression L(int64_t v) { return cp::literal(v); }
inline cp::Expression Tiny(int8_t v) { return cp::literal(v); }
inline cp::Expression Small(int16_t v) { return cp::literal(v); }
inline cp::Expression D(double v) { return cp::literal(v); }
inline cp::Expression F32(float v) { return cp::literal(v); }
inline cp::Expression B(bool v) { return cp::literal(v); }
inline cp::Expression S(std::string v) { return cp::literal(std::make_shared<arrow::StringScalar>(std::move(v))); }
inline cp::Expression Null(std::shared_ptr<arrow::DataType> t = arrow::null()) {
  return cp::literal(arrow::MakeNullScalar(std::move(t)));
}
/// A decimal literal from its text, e.g. Dec("1.255", 4, 3).
inline cp::Expression Dec(const std::string& text, int32_t precision, int32_t scale) {
  int32_t p = 0, s = 0;
  arrow::Decimal128 parsed;
  EXPECT_TRUE(arrow::Decimal128::FromString(text, &parsed, &p, &s).ok());
  auto at_scale = parsed.Rescale(s, scale);
  EXPECT_TRUE(at_scale.ok()) << text;
  return cp::literal(std::make_shared<arrow::Decimal128Scalar>(*at_scale, arrow::decimal128(precision, scale)));
}

/// A literal of `type` parsed from text by Spark's CAST rules (dates, timestamps, ...).
inline cp::Expression Typed(const std::string& text, std::shared_ptr<arrow::DataType> type) {
  auto e = Cast(S(text), type, false, EmptySchema());
  EXPECT_TRUE(e.ok()) << e.status().ToString();
  auto v = cp::ExecuteScalarExpression(*e, cp::ExecBatch({}, 1));
  EXPECT_TRUE(v.ok()) << v.status().ToString();
  return cp::literal(v->scalar());
}
inline cp::Expression Date(const std::string& text) { return Typed(text, arrow::date32()); }
inline cp::Expression Ts(const std::string& text) { return Typed(text, arrow::timestamp(arrow::TimeUnit::MICRO, "UTC")); }
inline cp::Expression TsNtz(const std::string& text) { return Typed(text, arrow::timestamp(arrow::TimeUnit::MICRO)); }

/// A month_day_nano interval literal.
inline cp::Expression Interval(int32_t months, int32_t days, int64_t nanos) {
  return cp::literal(std::make_shared<arrow::MonthDayNanoIntervalScalar>(
      arrow::MonthDayNanoIntervalType::MonthDayNanos{months, days, nanos}));
}

/// Renders a value the way Spark's CAST(... AS STRING) does (our own cast), NULL as "NULL".
inline std::string Render(const std::shared_ptr<arrow::Scalar>& value) {
  if (!value->is_valid) return "NULL";
  auto as_string = Cast(cp::literal(value), arrow::utf8(), false, EmptySchema());
  if (!as_string.ok()) return "<" + value->ToString() + ">";
  auto out = cp::ExecuteScalarExpression(*as_string, cp::ExecBatch({}, 1));
  if (!out.ok()) return "<" + value->ToString() + ">";
  return out->scalar_as<arrow::StringScalar>().ToString();
}

/// "value :: type" or "ERROR: message" for a bound expression over no columns.
inline std::string Eval(const arrow::Result<cp::Expression>& bound) {
  if (!bound.ok()) return "ERROR: " + bound.status().message();
  auto out = cp::ExecuteScalarExpression(*bound, cp::ExecBatch({}, 1));
  if (!out.ok()) return "ERROR: " + out.status().message();
  std::shared_ptr<arrow::Scalar> value = out->is_scalar() ? out->scalar() : *out->make_array()->GetScalar(0);
  return Render(value) + " :: " + SqlTypeName(*bound->type());
}

inline FunctionContext TestContext() {
  FunctionContext ctx;
  ctx.now_us = 1715940672123456;  // 2024-05-17 10:11:12.123456 UTC
  return ctx;
}

inline std::string Fn(std::string_view name, std::vector<cp::Expression> args) {
  return Eval(CallFunction(name, std::move(args), EmptySchema(), TestContext()));
}
inline std::string Op(Operator op, std::vector<cp::Expression> args) {
  return Eval(CallOperator(op, std::move(args), EmptySchema()));
}
inline std::string CastText(cp::Expression e, std::shared_ptr<arrow::DataType> to, bool try_cast = false) {
  return Eval(Cast(std::move(e), to, try_cast, EmptySchema()));
}

/// Evaluates `bound` over `batch`, rendering each row ("a, NULL, c").
inline std::string RunRows(const arrow::Result<cp::Expression>& bound, const arrow::RecordBatch& batch) {
  if (!bound.ok()) return "ERROR: " + bound.status().message();
  auto out = cp::ExecuteScalarExpression(*bound, cp::ExecBatch(batch));
  if (!out.ok()) return "ERROR: " + out.status().message();
  std::shared_ptr<arrow::Array> array;
  if (out->is_scalar()) {
    array = *arrow::MakeArrayFromScalar(*out->scalar(), batch.num_rows());
  } else {
    array = out->make_array();
  }
  std::string text;
  for (int64_t i = 0; i < array->length(); ++i) {
    if (i > 0) text += ", ";
    text += Render(*array->GetScalar(i));
  }
  return text;
}

}  // namespace tidelake::plan::fntest
