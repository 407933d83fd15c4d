// Literals: NULL/TRUE/FALSE, numbers with Spark's suffixes and ranges, strings, typed
// literals (DATE '..', TIMESTAMP '..', X'..') and INTERVAL literals.
#include <cctype>
#include <cfloat>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>

#include "sql/parser_internal.h"

namespace tidelake::sql::internal {
namespace {

template <typename T>
std::unique_ptr<T> NewNode(const SourcePos& pos) {
  auto node = std::make_unique<T>();
  node->pos = pos;
  return node;
}

}  // namespace

arrow::Result<ExprPtr> Parser::ParseKeywordLiteral() {
  const Token& t = Advance();
  auto node = NewNode<LiteralExpr>(t.pos);
  node->literal_kind = t.IsWord("NULL") ? LiteralKind::kNull : LiteralKind::kBoolean;
  node->bool_value = t.IsWord("TRUE");
  return ExprPtr(std::move(node));
}

arrow::Result<ExprPtr> Parser::ParseNumber(bool negative, const SourcePos& pos) {
  const Token& t = Advance();
  auto node = NewNode<LiteralExpr>(pos);
  const std::string text = (negative ? "-" : "") + t.value;
  const std::string written = (negative ? "-" : "") + std::string(t.text);
  const bool integral = !t.number_has_dot && !t.number_has_exponent;

  auto parse_integer = [&](int64_t min, int64_t max, std::string_view type_name) -> arrow::Status {
    int64_t v = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || end != text.data() + text.size() || v < min || v > max) {
      return ErrorAt(pos, "numeric literal " + written + " is out of range for " + std::string(type_name));
    }
    node->literal_kind = LiteralKind::kInteger;
    node->int_value = v;
    return arrow::Status::OK();
  };
  auto parse_floating = [&](LiteralKind kind) -> arrow::Status {
    double v = std::strtod(text.c_str(), nullptr);
    const double max = kind == LiteralKind::kFloat ? static_cast<double>(FLT_MAX) : DBL_MAX;
    if (!std::isfinite(v) || std::fabs(v) > max) {
      return ErrorAt(pos, "numeric literal " + written + " is out of range for " +
                              (kind == LiteralKind::kFloat ? "FLOAT" : "DOUBLE"));
    }
    node->literal_kind = kind;
    node->double_value = v;
    node->text = text;
    return arrow::Status::OK();
  };

  switch (t.number_suffix) {
    case NumberSuffix::kNone:
      if (integral) {
        int64_t v = 0;
        auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
        if (ec == std::errc() && end == text.data() + text.size()) {
          node->literal_kind = LiteralKind::kInteger;
          node->int_value = v;
        } else {  // too large for BIGINT: Spark reads it as a DECIMAL
          node->literal_kind = LiteralKind::kDecimal;
          node->text = text;
        }
      } else if (t.number_has_exponent) {
        ARROW_RETURN_NOT_OK(parse_floating(LiteralKind::kDouble));
      } else {
        node->literal_kind = LiteralKind::kDecimal;
        node->text = text;
      }
      break;
    case NumberSuffix::kBigInt:
      node->int_width = IntegerWidth::kBigInt;
      ARROW_RETURN_NOT_OK(parse_integer(std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max(), "BIGINT"));
      break;
    case NumberSuffix::kSmallInt:
      node->int_width = IntegerWidth::kSmallInt;
      ARROW_RETURN_NOT_OK(parse_integer(-32768, 32767, "SMALLINT"));
      break;
    case NumberSuffix::kTinyInt:
      node->int_width = IntegerWidth::kTinyInt;
      ARROW_RETURN_NOT_OK(parse_integer(-128, 127, "TINYINT"));
      break;
    case NumberSuffix::kDouble:
      ARROW_RETURN_NOT_OK(parse_floating(LiteralKind::kDouble));
      break;
    case NumberSuffix::kFloat:
      ARROW_RETURN_NOT_OK(parse_floating(LiteralKind::kFloat));
      break;
    case NumberSuffix::kBigDecimal:
      node->literal_kind = LiteralKind::kDecimal;
      node->text = text;
      break;
  }
  return ExprPtr(std::move(node));
}

arrow::Result<ExprPtr> Parser::ParseStringExpr() {
  auto node = NewNode<LiteralExpr>(Peek().pos);
  node->literal_kind = LiteralKind::kString;
  ARROW_ASSIGN_OR_RAISE(node->text, ParseStringLiteral("a string"));
  return ExprPtr(std::move(node));
}

arrow::Result<ExprPtr> Parser::ParseTypedLiteral() {
  const Token& t = Advance();
  auto node = NewNode<LiteralExpr>(t.pos);
  if (t.IsWord("DATE")) {
    node->literal_kind = LiteralKind::kDate;
  } else if (t.IsWord("TIMESTAMP")) {
    node->literal_kind = LiteralKind::kTimestamp;
  } else if (t.IsWord("TIMESTAMP_NTZ")) {
    node->literal_kind = LiteralKind::kTimestampNtz;
  } else if (t.IsWord("TIMESTAMP_LTZ")) {
    node->literal_kind = LiteralKind::kTimestampLtz;
  } else {
    node->literal_kind = LiteralKind::kBinary;
  }
  const SourcePos value_pos = Peek().pos;
  ARROW_ASSIGN_OR_RAISE(node->text, ParseStringLiteral("a string"));
  if (node->literal_kind == LiteralKind::kBinary) {
    for (char c : node->text) {
      if (!std::isxdigit(static_cast<unsigned char>(c))) {
        return ErrorAt(value_pos, "binary literal X'" + node->text + "' must contain only hex digits");
      }
    }
  }
  return ExprPtr(std::move(node));
}

std::optional<IntervalUnit> Parser::IntervalUnitAt(size_t ahead) const {
  const Token& t = Peek(ahead);
  if (t.kind != TokenKind::kIdentifier) return std::nullopt;
  struct Unit {
    std::string_view singular, plural;
    IntervalUnit unit;
  };
  static constexpr Unit kUnits[] = {
      {"YEAR", "YEARS", IntervalUnit::kYear},       {"MONTH", "MONTHS", IntervalUnit::kMonth},
      {"WEEK", "WEEKS", IntervalUnit::kWeek},       {"DAY", "DAYS", IntervalUnit::kDay},
      {"HOUR", "HOURS", IntervalUnit::kHour},       {"MINUTE", "MINUTES", IntervalUnit::kMinute},
      {"SECOND", "SECONDS", IntervalUnit::kSecond}, {"MILLISECOND", "MILLISECONDS", IntervalUnit::kMillisecond},
      {"MICROSECOND", "MICROSECONDS", IntervalUnit::kMicrosecond},
  };
  for (const Unit& u : kUnits) {
    if (t.IsWord(u.singular) || t.IsWord(u.plural)) return u.unit;
  }
  return std::nullopt;
}

bool Parser::AtIntervalField(size_t ahead) const {
  size_t k = ahead;
  if (At(TokenKind::kMinus, k) || At(TokenKind::kPlus, k)) ++k;
  if (!At(TokenKind::kNumber, k) && !At(TokenKind::kString, k)) return false;
  return IntervalUnitAt(k + 1).has_value();
}

arrow::Result<ExprPtr> Parser::ParseInterval() {
  auto node = NewNode<IntervalExpr>(Advance().pos);
  while (true) {
    IntervalField field;
    std::string sign;
    if (At(TokenKind::kMinus) || At(TokenKind::kPlus)) sign = Advance().kind == TokenKind::kMinus ? "-" : "";
    const Token& value = Peek();
    if (value.kind == TokenKind::kNumber && !value.number_has_exponent && value.number_suffix == NumberSuffix::kNone) {
      field.value = sign + Advance().value;
    } else if (value.kind == TokenKind::kString) {
      field.value = sign + Advance().value;
      field.quoted = true;
    } else {
      return ErrorExpected("an interval value (a number or a string)");
    }
    if (std::optional<IntervalUnit> unit = IntervalUnitAt()) {
      Advance();
      field.unit = unit;
    } else if (!(field.quoted && node->fields.empty())) {  // only INTERVAL 'text' may omit the unit
      return ErrorExpected("an interval unit (YEAR, MONTH, WEEK, DAY, HOUR, MINUTE, SECOND, ...)");
    }
    const bool first = node->fields.empty();
    node->fields.push_back(std::move(field));
    if (!node->fields.back().unit) break;
    if (first && AtWord("TO")) {
      Advance();
      std::optional<IntervalUnit> to = IntervalUnitAt();
      if (!to) return ErrorExpected("an interval unit after TO");
      Advance();
      node->to_unit = to;
      break;
    }
    if (!AtIntervalField()) break;
  }
  return ExprPtr(std::move(node));
}

}  // namespace tidelake::sql::internal
