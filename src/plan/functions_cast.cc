// CAST and TRY_CAST: which casts Spark allows (ANSI mode), and whether Arrow's own "cast"
// does exactly what Spark does (then we use it, so Arrow and Acero see a plain cast) or our
// "tidelake_cast" / "tidelake_try_cast" kernels must (kernels_cast.cc).

#include "plan/functions_internal.h"

namespace tidelake::plan {

namespace {

using namespace internal;  // NOLINT(build/namespaces)

bool IsList(const arrow::DataType& t) { return t.id() == arrow::Type::LIST || t.id() == arrow::Type::LARGE_LIST; }

// Spark's Cast.canAnsiCast.
bool CanCast(const arrow::DataType& from, const arrow::DataType& to) {
  if (from.Equals(to) || IsNull(from)) return true;
  if (IsString(to)) return true;
  if (IsString(from)) {
    return IsNumeric(to) || to.id() == arrow::Type::BOOL || IsDatetime(to) || IsBinary(to);
  }
  const bool from_number = IsNumeric(from) || from.id() == arrow::Type::BOOL;
  const bool to_number = IsNumeric(to) || to.id() == arrow::Type::BOOL;
  if (from_number && to_number) return true;
  if (IsTimestamp(to)) return IsDatetime(from) || IsNumeric(from);
  if (IsDate(to)) return IsDatetime(from);
  if (IsTimestamp(from)) return IsIntegral(to) || IsFloating(to);
  if (IsBinary(to)) return IsBinary(from);
  if (IsList(from) && IsList(to)) return CanCast(*from.field(0)->type(), *to.field(0)->type());
  if (from.id() == arrow::Type::MAP && to.id() == arrow::Type::MAP) {
    const auto& a = static_cast<const arrow::MapType&>(from);
    const auto& b = static_cast<const arrow::MapType&>(to);
    return CanCast(*a.key_type(), *b.key_type()) && CanCast(*a.item_type(), *b.item_type());
  }
  if (from.id() == arrow::Type::STRUCT && to.id() == arrow::Type::STRUCT) {
    if (from.num_fields() != to.num_fields()) return false;
    for (int i = 0; i < from.num_fields(); ++i) {
      if (!CanCast(*from.field(i)->type(), *to.field(i)->type())) return false;
    }
    return true;
  }
  return false;
}

// True when Arrow's "cast" (with the options ArrowCastOptions picks) gives Spark's answer and
// cannot fail.
bool ArrowCastMatchesSpark(const arrow::DataType& from, const arrow::DataType& to) {
  if (IsNull(from)) return true;
  if (IsIntegral(from) && IsIntegral(to)) {
    return arrow::is_signed_integer(to.id()) && IntegralRank(to) > IntegralRank(from);
  }
  if ((IsIntegral(from) || from.id() == arrow::Type::BOOL) && IsFloating(to)) return true;
  if (from.id() == arrow::Type::BOOL && IsIntegral(to)) return true;
  if (from.id() == arrow::Type::FLOAT && to.id() == arrow::Type::DOUBLE) return true;
  if (IsDecimal(from) && IsFloating(to)) return true;
  if (from.id() == arrow::Type::DATE32 && IsTimestamp(to)) {
    return static_cast<const arrow::TimestampType&>(to).unit() == arrow::TimeUnit::MICRO;
  }
  if (IsTimestamp(from) && IsTimestamp(to)) {
    return static_cast<const arrow::TimestampType&>(from).unit() == static_cast<const arrow::TimestampType&>(to).unit();
  }
  if (to.id() == arrow::Type::STRING) {
    return IsIntegral(from) || from.id() == arrow::Type::BOOL || from.id() == arrow::Type::LARGE_STRING ||
           from.id() == arrow::Type::STRING_VIEW;
  }
  if (IsString(from) && IsBinary(to) && to.id() != arrow::Type::FIXED_SIZE_BINARY) return true;
  return false;
}

}  // namespace

arrow::Result<cp::Expression> Cast(cp::Expression e, const std::shared_ptr<arrow::DataType>& to, bool try_cast,
                                   const arrow::Schema& input) {
  ARROW_RETURN_NOT_OK(RegisterSqlFunctions());
  if (!e.IsBound()) { ARROW_ASSIGN_OR_RAISE(e, e.Bind(input)); }
  const auto from = TypeOf(e);
  if (from->Equals(*to)) return e;
  if (!CanCast(*from, *to)) {
    return arrow::Status::TypeError("cannot cast ", SqlTypeName(*from), " to ", SqlTypeName(*to));
  }
  if (ArrowCastMatchesSpark(*from, *to)) {
    // Unsafe only lets int -> float lose precision silently (as Java does); nothing else here
    // can fail.
    return BoundCall("cast", {std::move(e)}, input, std::make_shared<cp::CastOptions>(cp::CastOptions::Unsafe(to)));
  }
  return BoundCall(try_cast ? "tidelake_try_cast" : "tidelake_cast", {std::move(e)}, input,
                   std::make_shared<cp::CastOptions>(cp::CastOptions::Safe(to)));
}

}  // namespace tidelake::plan
