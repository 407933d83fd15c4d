// Data types: Spark's primitive type names (with their aliases), DECIMAL(p, s), VARCHAR(n),
// CHAR(n), INTERVAL [unit [TO unit]], ARRAY<T>, MAP<K, V> and STRUCT<name[:] T, ...>.
#include <algorithm>
#include <limits>

#include "sql/parser_internal.h"

namespace tidelake::sql::internal {
namespace {

struct SimpleType {
  std::string_view name;
  TypeKind kind;
};

constexpr SimpleType kSimpleTypes[] = {
    {"BOOLEAN", TypeKind::kBoolean},     {"TINYINT", TypeKind::kTinyInt},
    {"BYTE", TypeKind::kTinyInt},        {"SMALLINT", TypeKind::kSmallInt},
    {"SHORT", TypeKind::kSmallInt},      {"INT", TypeKind::kInt},
    {"INTEGER", TypeKind::kInt},         {"BIGINT", TypeKind::kBigInt},
    {"LONG", TypeKind::kBigInt},         {"FLOAT", TypeKind::kFloat},
    {"REAL", TypeKind::kFloat},          {"DOUBLE", TypeKind::kDouble},
    {"STRING", TypeKind::kString},       {"BINARY", TypeKind::kBinary},
    {"DATE", TypeKind::kDate},           {"TIMESTAMP", TypeKind::kTimestamp},
    {"TIMESTAMP_NTZ", TypeKind::kTimestampNtz}, {"TIMESTAMP_LTZ", TypeKind::kTimestampLtz},
};

constexpr int32_t kMaxDecimalPrecision = 38;

}  // namespace

arrow::Result<TypeNamePtr> Parser::ParseType() {
  TIDELAKE_SQL_NEST();
  const Token& t = Peek();
  auto type = std::make_unique<TypeName>();
  type->pos = t.pos;
  if (t.kind != TokenKind::kIdentifier) return ErrorExpected("a data type");
  for (const SimpleType& simple : kSimpleTypes) {
    if (t.IsWord(simple.name)) {
      Advance();
      type->kind = simple.kind;
      return type;
    }
  }
  if (t.IsWord("DECIMAL") || t.IsWord("DEC") || t.IsWord("NUMERIC")) {
    Advance();
    type->kind = TypeKind::kDecimal;
    if (Accept(TokenKind::kLParen)) {
      const SourcePos p_pos = Peek().pos;
      ARROW_ASSIGN_OR_RAISE(int64_t precision, ParseIntegerLiteral("a decimal precision"));
      if (precision < 1 || precision > kMaxDecimalPrecision) {
        return ErrorAt(p_pos, "DECIMAL precision " + std::to_string(precision) + " is out of range (1 to 38)");
      }
      type->precision = static_cast<int32_t>(precision);
      if (Accept(TokenKind::kComma)) {
        const SourcePos s_pos = Peek().pos;
        ARROW_ASSIGN_OR_RAISE(int64_t scale, ParseIntegerLiteral("a decimal scale"));
        if (scale < 0 || scale > precision) {
          return ErrorAt(s_pos, "DECIMAL scale " + std::to_string(scale) + " is out of range (0 to precision " +
                                    std::to_string(precision) + ")");
        }
        type->scale = static_cast<int32_t>(scale);
      }
      if (!Accept(TokenKind::kRParen)) return ErrorExpected(type->scale ? "')'" : "',' or ')'");
    }
    return type;
  }
  if (t.IsWord("VARCHAR") || t.IsWord("CHAR") || t.IsWord("CHARACTER")) {
    type->kind = Advance().IsWord("VARCHAR") ? TypeKind::kVarchar : TypeKind::kChar;
    ARROW_RETURN_NOT_OK(Expect(TokenKind::kLParen));
    const SourcePos n_pos = Peek().pos;
    ARROW_ASSIGN_OR_RAISE(int64_t length, ParseIntegerLiteral("a length"));
    if (length < 1 || length > std::numeric_limits<int32_t>::max()) {
      return ErrorAt(n_pos, "length " + std::to_string(length) + " is out of range");
    }
    type->length = static_cast<int32_t>(length);
    ARROW_RETURN_NOT_OK(Expect(TokenKind::kRParen));
    return type;
  }
  if (t.IsWord("INTERVAL")) {
    Advance();
    type->kind = TypeKind::kInterval;
    if (std::optional<IntervalUnit> start = IntervalUnitAt()) {
      Advance();
      type->interval_start = start;
      if (AcceptWord("TO")) {
        std::optional<IntervalUnit> end = IntervalUnitAt();
        if (!end) return ErrorExpected("an interval unit after TO");
        Advance();
        type->interval_end = end;
      }
    }
    return type;
  }
  if (t.IsWord("ARRAY")) {
    Advance();
    type->kind = TypeKind::kArray;
    ARROW_RETURN_NOT_OK(Expect(TokenKind::kLt));
    ARROW_ASSIGN_OR_RAISE(type->element, ParseType());
    ARROW_RETURN_NOT_OK(Expect(TokenKind::kGt));
    ARROW_RETURN_NOT_OK(Seal(type.get(), type->element->height));
    return type;
  }
  if (t.IsWord("MAP")) {
    Advance();
    type->kind = TypeKind::kMap;
    ARROW_RETURN_NOT_OK(Expect(TokenKind::kLt));
    ARROW_ASSIGN_OR_RAISE(type->key, ParseType());
    ARROW_RETURN_NOT_OK(Expect(TokenKind::kComma));
    ARROW_ASSIGN_OR_RAISE(type->value, ParseType());
    ARROW_RETURN_NOT_OK(Expect(TokenKind::kGt));
    ARROW_RETURN_NOT_OK(Seal(type.get(), std::max(type->key->height, type->value->height)));
    return type;
  }
  if (t.IsWord("STRUCT")) {
    Advance();
    type->kind = TypeKind::kStruct;
    if (Accept(TokenKind::kNotEq)) return type;  // struct<> lexes as '<>'
    ARROW_RETURN_NOT_OK(Expect(TokenKind::kLt));
    uint32_t h = 0;
    if (!Accept(TokenKind::kGt)) {
      do {
        StructFieldType field;
        field.pos = Peek().pos;
        if (!At(TokenKind::kIdentifier) && !At(TokenKind::kQuotedIdentifier)) return ErrorExpected("a field name");
        field.name = Advance().value;
        Accept(TokenKind::kColon);
        ARROW_ASSIGN_OR_RAISE(field.type, ParseType());
        if (AcceptWord("NOT")) {
          ARROW_RETURN_NOT_OK(ExpectWord("NULL"));
          field.not_null = true;
        }
        if (AcceptWord("COMMENT")) {
          ARROW_ASSIGN_OR_RAISE(std::string comment, ParseStringLiteral("a comment string"));
          field.comment = std::move(comment);
        }
        h = std::max(h, field.type->height);
        type->fields.push_back(std::move(field));
      } while (Accept(TokenKind::kComma));
      if (!Accept(TokenKind::kGt)) return ErrorExpected("',' or '>'");
    }
    ARROW_RETURN_NOT_OK(Seal(type.get(), h));
    return type;
  }
  return ErrorExpected("a data type");
}

}  // namespace tidelake::sql::internal
