// Spark's type names and type arithmetic: widening (CommonType), decimal precision rules,
// implicit casts of function arguments, and the expression helpers of functions_internal.h.

#include <arrow/scalar.h>
#include <arrow/util/checked_cast.h>

#include <algorithm>
#include <cctype>

#include "plan/functions_internal.h"

namespace tidelake::plan {

using arrow::internal::checked_cast;
using internal::IsDecimal;
using internal::IsFloating;
using internal::IsIntegral;

std::string SqlTypeName(const arrow::DataType& t) {
  switch (t.id()) {
    case arrow::Type::NA: return "void";
    case arrow::Type::BOOL: return "boolean";
    case arrow::Type::INT8: return "tinyint";
    case arrow::Type::INT16: return "smallint";
    case arrow::Type::INT32: return "int";
    case arrow::Type::INT64: return "bigint";
    case arrow::Type::UINT8: return "tinyint unsigned";
    case arrow::Type::UINT16: return "smallint unsigned";
    case arrow::Type::UINT32: return "int unsigned";
    case arrow::Type::UINT64: return "bigint unsigned";
    case arrow::Type::HALF_FLOAT: return "half_float";
    case arrow::Type::FLOAT: return "float";
    case arrow::Type::DOUBLE: return "double";
    case arrow::Type::DECIMAL128:
    case arrow::Type::DECIMAL256: {
      const auto& d = checked_cast<const arrow::DecimalType&>(t);
      return "decimal(" + std::to_string(d.precision()) + "," + std::to_string(d.scale()) + ")";
    }
    case arrow::Type::STRING:
    case arrow::Type::LARGE_STRING:
    case arrow::Type::STRING_VIEW: return "string";
    case arrow::Type::BINARY:
    case arrow::Type::LARGE_BINARY:
    case arrow::Type::BINARY_VIEW:
    case arrow::Type::FIXED_SIZE_BINARY: return "binary";
    case arrow::Type::DATE32:
    case arrow::Type::DATE64: return "date";
    case arrow::Type::TIMESTAMP:
      return checked_cast<const arrow::TimestampType&>(t).timezone().empty() ? "timestamp_ntz" : "timestamp";
    case arrow::Type::INTERVAL_MONTH_DAY_NANO:
    case arrow::Type::INTERVAL_MONTHS:
    case arrow::Type::INTERVAL_DAY_TIME: return "interval";
    case arrow::Type::LIST:
    case arrow::Type::LARGE_LIST:
    case arrow::Type::LIST_VIEW:
    case arrow::Type::LARGE_LIST_VIEW:
    case arrow::Type::FIXED_SIZE_LIST:
      return "array<" + SqlTypeName(*t.field(0)->type()) + ">";
    case arrow::Type::MAP: {
      const auto& m = checked_cast<const arrow::MapType&>(t);
      return "map<" + SqlTypeName(*m.key_type()) + "," + SqlTypeName(*m.item_type()) + ">";
    }
    case arrow::Type::STRUCT: {
      std::string out = "struct<";
      for (int i = 0; i < t.num_fields(); ++i) {
        if (i > 0) out += ",";
        out += t.field(i)->name() + ":" + SqlTypeName(*t.field(i)->type());
      }
      return out + ">";
    }
    default:
      return t.ToString();
  }
}

namespace internal {

bool IsIntegral(const arrow::DataType& t) { return arrow::is_integer(t.id()); }
bool IsFloating(const arrow::DataType& t) { return arrow::is_floating(t.id()); }
bool IsDecimal(const arrow::DataType& t) { return arrow::is_decimal(t.id()); }
bool IsNumeric(const arrow::DataType& t) { return IsIntegral(t) || IsFloating(t) || IsDecimal(t); }
bool IsString(const arrow::DataType& t) {
  return t.id() == arrow::Type::STRING || t.id() == arrow::Type::LARGE_STRING || t.id() == arrow::Type::STRING_VIEW;
}
bool IsBinary(const arrow::DataType& t) {
  return t.id() == arrow::Type::BINARY || t.id() == arrow::Type::LARGE_BINARY ||
         t.id() == arrow::Type::BINARY_VIEW || t.id() == arrow::Type::FIXED_SIZE_BINARY;
}
bool IsDate(const arrow::DataType& t) { return t.id() == arrow::Type::DATE32 || t.id() == arrow::Type::DATE64; }
bool IsTimestamp(const arrow::DataType& t) { return t.id() == arrow::Type::TIMESTAMP; }
bool IsTimestampLtz(const arrow::DataType& t) {
  return IsTimestamp(t) && !checked_cast<const arrow::TimestampType&>(t).timezone().empty();
}
bool IsDatetime(const arrow::DataType& t) { return IsDate(t) || IsTimestamp(t); }
bool IsNull(const arrow::DataType& t) { return t.id() == arrow::Type::NA; }
bool IsInterval(const arrow::DataType& t) { return t.id() == arrow::Type::INTERVAL_MONTH_DAY_NANO; }
bool IsNested(const arrow::DataType& t) {
  return t.id() == arrow::Type::LIST || t.id() == arrow::Type::LARGE_LIST || t.id() == arrow::Type::MAP ||
         t.id() == arrow::Type::STRUCT || t.id() == arrow::Type::FIXED_SIZE_LIST;
}
bool IsAtomic(const arrow::DataType& t) { return !IsNested(t) && !IsNull(t); }

std::shared_ptr<arrow::DataType> TimestampLtz() {
  static const auto type = arrow::timestamp(arrow::TimeUnit::MICRO, "UTC");
  return type;
}
std::shared_ptr<arrow::DataType> TimestampNtz() {
  static const auto type = arrow::timestamp(arrow::TimeUnit::MICRO);
  return type;
}
std::shared_ptr<arrow::DataType> CanonicalTimestamp(const arrow::DataType& t) {
  return IsTimestampLtz(t) ? TimestampLtz() : TimestampNtz();
}

int IntegralRank(const arrow::DataType& t) {
  switch (t.id()) {
    case arrow::Type::INT8: return 1;
    case arrow::Type::INT16: case arrow::Type::UINT8: return 2;
    case arrow::Type::INT32: case arrow::Type::UINT16: return 3;
    case arrow::Type::INT64: case arrow::Type::UINT32: return 4;
    default: return 5;
  }
}

std::shared_ptr<arrow::DataType> IntegralOfRank(int rank) {
  switch (rank) {
    case 1: return arrow::int8();
    case 2: return arrow::int16();
    case 3: return arrow::int32();
    case 4: return arrow::int64();
    default: return arrow::decimal128(20, 0);
  }
}

std::shared_ptr<arrow::DataType> DecimalForIntegral(const arrow::DataType& t) {
  switch (IntegralRank(t)) {
    case 1: return arrow::decimal128(3, 0);
    case 2: return arrow::decimal128(5, 0);
    case 3: return arrow::decimal128(10, 0);
    default: return arrow::decimal128(20, 0);
  }
}

std::shared_ptr<arrow::DataType> AdjustedDecimal(int32_t precision, int32_t scale) {
  if (precision <= 38) return arrow::decimal128(std::max(precision, 1), scale);
  const int32_t int_digits = precision - scale;
  const int32_t min_scale = std::min(scale, 6);
  return arrow::decimal128(38, std::max(38 - int_digits, min_scale));
}

std::shared_ptr<arrow::DataType> BoundedDecimal(int32_t precision, int32_t scale) {
  return arrow::decimal128(std::clamp(precision, 1, 38), std::min(scale, 38));
}

int32_t DecimalPrecision(const arrow::DataType& t) { return checked_cast<const arrow::DecimalType&>(t).precision(); }
int32_t DecimalScale(const arrow::DataType& t) { return checked_cast<const arrow::DecimalType&>(t).scale(); }

std::string UpperTypeName(const arrow::DataType& t) {
  std::string name = SqlTypeName(t);
  for (char& c : name) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return name;
}

// ---------------------------------------------------------------------------------------------
// Expressions

std::shared_ptr<arrow::DataType> TypeOf(const cp::Expression& e) {
  const arrow::DataType* t = e.type();
  if (t == nullptr) return arrow::null();
  return t->GetSharedPtr();
}

std::shared_ptr<arrow::Scalar> LiteralOf(const cp::Expression& e) {
  const arrow::Datum* d = e.literal();
  if (d == nullptr || !d->is_scalar()) return nullptr;
  return d->scalar();
}

std::optional<int64_t> IntLiteral(const cp::Expression& e) {
  auto s = LiteralOf(e);
  if (s == nullptr || !s->is_valid || !IsIntegral(*s->type)) return std::nullopt;
  auto cast = s->CastTo(arrow::int64());
  if (!cast.ok()) return std::nullopt;
  return checked_cast<const arrow::Int64Scalar&>(**cast).value;
}

std::optional<std::string> StringLiteral(const cp::Expression& e) {
  auto s = LiteralOf(e);
  if (s == nullptr || !s->is_valid || !IsString(*s->type)) return std::nullopt;
  return std::string(checked_cast<const arrow::BaseBinaryScalar&>(*s).view());
}

bool IsNullLiteral(const cp::Expression& e) {
  auto s = LiteralOf(e);
  return s != nullptr && !s->is_valid;
}

arrow::Result<cp::Expression> BoundCall(std::string name, std::vector<cp::Expression> args,
                                        const arrow::Schema& input,
                                        std::shared_ptr<cp::FunctionOptions> options) {
  return cp::call(std::move(name), std::move(args), std::move(options)).Bind(input);
}

arrow::Result<cp::Expression> NullOf(const std::shared_ptr<arrow::DataType>& type, const arrow::Schema& input) {
  return cp::literal(arrow::MakeNullScalar(type)).Bind(input);
}

arrow::Result<cp::Expression> Literal(std::shared_ptr<arrow::Scalar> value, const arrow::Schema& input) {
  return cp::literal(std::move(value)).Bind(input);
}

// ---------------------------------------------------------------------------------------------
// Argument checks

arrow::Status CheckArity(std::string_view fn, size_t got, size_t min, size_t max) {
  if (got >= min && got <= max) return arrow::Status::OK();
  std::string expected;
  if (min == max) {
    expected = std::to_string(min);
  } else if (max == SIZE_MAX) {
    expected = "at least " + std::to_string(min);
  } else if (max == min + 1) {
    expected = std::to_string(min) + " or " + std::to_string(max);
  } else {
    expected = std::to_string(min) + " to " + std::to_string(max);
  }
  const bool singular = min == 1 && (max == 1 || max == SIZE_MAX);
  return arrow::Status::Invalid("function ", fn, " expects ", expected, " argument", singular ? "" : "s", ", got ",
                                got);
}

arrow::Status ArgTypeError(std::string_view fn, size_t index, std::string_view expected, const arrow::DataType& got) {
  return arrow::Status::TypeError("function ", fn, ": argument ", index + 1, " must be ", expected, ", got ",
                                  SqlTypeName(got));
}

arrow::Result<cp::Expression> StringArg(std::string_view fn, size_t index, cp::Expression e,
                                        const arrow::Schema& input) {
  const auto t = TypeOf(e);
  if (t->id() == arrow::Type::STRING) return e;
  if (IsAtomic(*t) || IsNull(*t)) return Cast(std::move(e), arrow::utf8(), false, input);
  return ArgTypeError(fn, index, "a string", *t);
}

arrow::Result<cp::Expression> IntArg(std::string_view fn, size_t index, cp::Expression e,
                                     const arrow::Schema& input) {
  const auto t = TypeOf(e);
  if (t->id() == arrow::Type::INT32) return e;
  if ((IsIntegral(*t) && IntegralRank(*t) <= 3) || IsString(*t) || IsNull(*t)) {
    return Cast(std::move(e), arrow::int32(), false, input);
  }
  return ArgTypeError(fn, index, "an int", *t);
}

arrow::Result<cp::Expression> LongArg(std::string_view fn, size_t index, cp::Expression e,
                                      const arrow::Schema& input) {
  const auto t = TypeOf(e);
  if (t->id() == arrow::Type::INT64) return e;
  if ((IsIntegral(*t) && IntegralRank(*t) <= 4) || IsString(*t) || IsNull(*t)) {
    return Cast(std::move(e), arrow::int64(), false, input);
  }
  return ArgTypeError(fn, index, "a bigint", *t);
}

arrow::Result<cp::Expression> DoubleArg(std::string_view fn, size_t index, cp::Expression e,
                                        const arrow::Schema& input) {
  const auto t = TypeOf(e);
  if (t->id() == arrow::Type::DOUBLE) return e;
  if (IsNumeric(*t) || IsString(*t) || IsNull(*t)) return Cast(std::move(e), arrow::float64(), false, input);
  return ArgTypeError(fn, index, "a double", *t);
}

arrow::Result<cp::Expression> BoolArg(std::string_view fn, size_t index, cp::Expression e,
                                      const arrow::Schema& input) {
  const auto t = TypeOf(e);
  if (t->id() == arrow::Type::BOOL) return e;
  if (IsString(*t) || IsNull(*t)) return Cast(std::move(e), arrow::boolean(), false, input);
  return ArgTypeError(fn, index, "a boolean", *t);
}

arrow::Result<cp::Expression> DateArg(std::string_view fn, size_t index, cp::Expression e,
                                      const arrow::Schema& input) {
  const auto t = TypeOf(e);
  if (t->id() == arrow::Type::DATE32) return e;
  if (IsDatetime(*t) || IsString(*t) || IsNull(*t)) return Cast(std::move(e), arrow::date32(), false, input);
  return ArgTypeError(fn, index, "a date", *t);
}

arrow::Result<cp::Expression> TimestampArg(std::string_view fn, size_t index, cp::Expression e,
                                           const arrow::Schema& input) {
  const auto t = TypeOf(e);
  if (IsTimestamp(*t)) {
    auto canonical = CanonicalTimestamp(*t);
    if (t->Equals(*canonical)) return e;
    return Cast(std::move(e), canonical, false, input);
  }
  if (IsDate(*t) || IsString(*t) || IsNull(*t)) return Cast(std::move(e), TimestampLtz(), false, input);
  return ArgTypeError(fn, index, "a timestamp", *t);
}

arrow::Result<std::vector<cp::Expression>> CoerceToCommonType(std::string_view fn, std::vector<cp::Expression> args,
                                                              const arrow::Schema& input) {
  if (args.empty()) return args;
  std::shared_ptr<arrow::DataType> common = TypeOf(args[0]);
  for (size_t i = 1; i < args.size(); ++i) {
    auto next = CommonType(*common, *TypeOf(args[i]));
    if (!next.ok()) {
      std::string types;
      for (size_t j = 0; j < args.size(); ++j) types += (j ? ", " : "") + SqlTypeName(*TypeOf(args[j]));
      return arrow::Status::TypeError("function ", fn, ": arguments must have a common type, got ", types);
    }
    common = *next;
  }
  for (auto& arg : args) {
    ARROW_ASSIGN_OR_RAISE(arg, ImplicitCastTo(std::move(arg), common, input));
  }
  return args;
}

}  // namespace internal

// ---------------------------------------------------------------------------------------------
// Widening

namespace {

using internal::IsDate;
using internal::IsNull;
using internal::IsString;
using internal::IsTimestamp;

// Spark's DecimalPrecision.widerDecimalType with boundedPreferIntegralDigits (Spark 4).
std::shared_ptr<arrow::DataType> WiderDecimal(int32_t p1, int32_t s1, int32_t p2, int32_t s2) {
  const int32_t scale = std::max(s1, s2);
  const int32_t range = std::max(p1 - s1, p2 - s2);
  if (range + scale > 38) return arrow::decimal128(38, std::max(0, scale - (range + scale - 38)));
  return arrow::decimal128(range + scale, scale);
}

std::shared_ptr<arrow::DataType> AsDecimal(const arrow::DataType& t) {
  if (IsDecimal(t)) return t.GetSharedPtr();
  return internal::DecimalForIntegral(t);
}

// Rank of date < timestamp_ntz < timestamp.
int DatetimeRank(const arrow::DataType& t) {
  if (IsDate(t)) return 1;
  return internal::IsTimestampLtz(t) ? 3 : 2;
}

arrow::Result<std::shared_ptr<arrow::DataType>> NoCommonType(const arrow::DataType& a, const arrow::DataType& b) {
  return arrow::Status::TypeError("cannot find a common type for ", SqlTypeName(a), " and ", SqlTypeName(b));
}

std::optional<std::shared_ptr<arrow::DataType>> NumericCommon(const arrow::DataType& a, const arrow::DataType& b) {
  if (!internal::IsNumeric(a) || !internal::IsNumeric(b)) return std::nullopt;
  if (IsIntegral(a) && IsIntegral(b)) return internal::IntegralOfRank(std::max(internal::IntegralRank(a), internal::IntegralRank(b)));
  if (IsFloating(a) || IsFloating(b)) {
    if (a.id() == arrow::Type::FLOAT && b.id() == arrow::Type::FLOAT) return arrow::float32();
    return arrow::float64();
  }
  auto da = AsDecimal(a);
  auto db = AsDecimal(b);
  return WiderDecimal(internal::DecimalPrecision(*da), internal::DecimalScale(*da), internal::DecimalPrecision(*db),
                      internal::DecimalScale(*db));
}

}  // namespace

arrow::Result<std::shared_ptr<arrow::DataType>> CommonType(const arrow::DataType& a, const arrow::DataType& b) {
  if (a.Equals(b)) {
    if (IsString(a)) return arrow::utf8();
    if (IsTimestamp(a)) return internal::CanonicalTimestamp(a);
    return a.GetSharedPtr();
  }
  if (IsNull(a)) return CommonType(b, b);
  if (IsNull(b)) return CommonType(a, a);
  if (auto numeric = NumericCommon(a, b)) return *numeric;
  if (internal::IsDatetime(a) && internal::IsDatetime(b)) {
    const arrow::DataType& wider = DatetimeRank(a) >= DatetimeRank(b) ? a : b;
    if (IsDate(wider)) return arrow::date32();
    return internal::CanonicalTimestamp(wider);
  }
  if (IsString(a) && IsString(b)) return arrow::utf8();
  if (internal::IsBinary(a) && internal::IsBinary(b)) return arrow::binary();
  if (IsString(a) || IsString(b)) {
    const arrow::DataType& other = IsString(a) ? b : a;
    if (IsIntegral(other)) return arrow::int64();
    if (internal::IsNumeric(other)) return arrow::float64();
    if (IsDate(other)) return arrow::date32();
    if (IsTimestamp(other)) return internal::CanonicalTimestamp(other);
    if (other.id() == arrow::Type::BOOL) return arrow::boolean();
    if (internal::IsBinary(other)) return arrow::binary();
    return NoCommonType(a, b);
  }
  const bool a_list = a.id() == arrow::Type::LIST || a.id() == arrow::Type::LARGE_LIST;
  const bool b_list = b.id() == arrow::Type::LIST || b.id() == arrow::Type::LARGE_LIST;
  if (a_list && b_list) {
    auto element = CommonType(*a.field(0)->type(), *b.field(0)->type());
    if (!element.ok()) return NoCommonType(a, b);
    return arrow::list(*element);
  }
  if (a.id() == arrow::Type::MAP && b.id() == arrow::Type::MAP) {
    const auto& ma = checked_cast<const arrow::MapType&>(a);
    const auto& mb = checked_cast<const arrow::MapType&>(b);
    auto key = CommonType(*ma.key_type(), *mb.key_type());
    auto item = CommonType(*ma.item_type(), *mb.item_type());
    if (!key.ok() || !item.ok()) return NoCommonType(a, b);
    return arrow::map(*key, *item);
  }
  if (a.id() == arrow::Type::STRUCT && b.id() == arrow::Type::STRUCT && a.num_fields() == b.num_fields()) {
    arrow::FieldVector fields;
    for (int i = 0; i < a.num_fields(); ++i) {
      auto field = CommonType(*a.field(i)->type(), *b.field(i)->type());
      if (!field.ok()) return NoCommonType(a, b);
      fields.push_back(arrow::field(a.field(i)->name(), *field));
    }
    return arrow::struct_(std::move(fields));
  }
  return NoCommonType(a, b);
}

arrow::Result<std::shared_ptr<arrow::DataType>> CommonType(const std::vector<std::shared_ptr<arrow::DataType>>& types) {
  if (types.empty()) return arrow::Status::Invalid("CommonType of no types");
  std::shared_ptr<arrow::DataType> common = types[0];
  for (size_t i = 1; i < types.size(); ++i) {
    ARROW_ASSIGN_OR_RAISE(common, CommonType(*common, *types[i]));
  }
  return CommonType(*common, *common);
}

arrow::Result<cp::Expression> ImplicitCastTo(cp::Expression e, const std::shared_ptr<arrow::DataType>& type,
                                             const arrow::Schema& input) {
  if (!e.IsBound()) {
    ARROW_ASSIGN_OR_RAISE(e, e.Bind(input));
  }
  const auto from = internal::TypeOf(e);
  if (from->Equals(*type)) return e;
  auto common = CommonType(*from, *type);
  const bool widening = common.ok() && (*common)->Equals(*type);
  // Spark also casts strings to any atomic type and atomic types to strings where a function
  // asks for one (ImplicitCastInputTypes), and dates to timestamps.
  const bool from_string = IsString(*from) && internal::IsAtomic(*type);
  const bool to_string = IsString(*type) && internal::IsAtomic(*from);
  const bool datetime = internal::IsDatetime(*from) && internal::IsDatetime(*type);
  if (!widening && !from_string && !to_string && !datetime) {
    return arrow::Status::TypeError("cannot implicitly cast ", SqlTypeName(*from), " to ", SqlTypeName(*type));
  }
  return Cast(std::move(e), type, /*try_cast=*/false, input);
}

}  // namespace tidelake::plan
