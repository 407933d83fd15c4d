// Tokens of tidelake's SQL dialect (Spark SQL plus a few Azure Stream Analytics forms).
//
// A Token is one lexeme of the source text: its kind, the raw text it covers, its decoded value
// (identifier name without back quotes, string literal after escapes, number without suffix) and
// where it starts (1-based line and column, 0-based byte offset). Keywords are not a token kind:
// almost every Spark keyword is non-reserved, so the lexer yields identifiers and the parser
// decides from context; IsReservedWord() lists the few words that can never be a bare name.
// Columns count Unicode code points (UTF-8 continuation bytes do not advance the column).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace tidelake::sql {

/// A point in the SQL source. `line` and `column` are 1-based (0 = unknown).
struct SourcePos {
  uint32_t line = 0;
  uint32_t column = 0;
  size_t offset = 0;  ///< byte offset from the start of the parsed text
};

enum class TokenKind : uint8_t {
  kEnd,               ///< end of input (positioned just after the last token)
  kIdentifier,        ///< a bare word: keyword or name
  kQuotedIdentifier,  ///< `back quoted` name; never a keyword
  kString,            ///< 'single' or "double" quoted string literal
  kNumber,            ///< numeric literal; see Token::number_*
  // Operators and punctuation.
  kEq,          ///< =
  kEqEq,        ///< ==
  kNotEq,       ///< <>
  kBangEq,      ///< !=
  kLt,          ///< <
  kLtEq,        ///< <=
  kGt,          ///< >
  kGtEq,        ///< >=
  kNullSafeEq,  ///< <=>
  kPlus,        ///< +
  kMinus,       ///< -
  kStar,        ///< *
  kSlash,       ///< /
  kPercent,     ///< %
  kConcat,      ///< ||
  kAmpersand,   ///< &
  kPipe,        ///< |
  kCaret,       ///< ^
  kTilde,       ///< ~
  kColonColon,  ///< ::
  kColon,       ///< :
  kDot,         ///< .
  kComma,       ///< ,
  kLParen,      ///< (
  kRParen,      ///< )
  kSemicolon,   ///< ;
  kLBracket,    ///< [
  kRBracket,    ///< ]
  kFatArrow,    ///< =>  (named function arguments)
};

/// Spark's numeric literal suffixes: 10L (BIGINT), 10S (SMALLINT), 10Y (TINYINT), 1.5D (DOUBLE),
/// 1.5F (FLOAT), 1.5BD (DECIMAL).
enum class NumberSuffix : uint8_t { kNone, kBigInt, kSmallInt, kTinyInt, kDouble, kFloat, kBigDecimal };

struct Token {
  TokenKind kind = TokenKind::kEnd;
  std::string_view text;  ///< the raw source text of the token (empty for kEnd)
  std::string value;      ///< identifier name, unescaped string, or number digits without suffix
  SourcePos pos;

  bool double_quoted = false;  ///< kString written with "double quotes"
  bool number_has_dot = false;        ///< kNumber: "1.5", ".5", "1."
  bool number_has_exponent = false;   ///< kNumber: "1e5", "1.5E-3"
  NumberSuffix number_suffix = NumberSuffix::kNone;

  /// True for a bare identifier spelled `word` in any letter case (never for quoted names).
  bool IsWord(std::string_view word) const;
};

/// How a token is named in "expected X, found Y" messages: words as written, punctuation in
/// single quotes, long literals shortened, and "end of input".
std::string DescribeToken(const Token& token);

/// The spelling of an operator or punctuation kind, e.g. "<=" for kLtEq ("" for other kinds).
std::string_view TokenKindSpelling(TokenKind kind);

/// Case-insensitive ASCII comparison.
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

/// Words that can never be a bare column name, alias or table name (they would make clauses
/// ambiguous: `SELECT a FROM`, `t JOIN u`, `x IS NULL`). Written in back quotes they are names.
bool IsReservedWord(std::string_view word);

/// Words that start a clause after a relation or a select item (LIMIT, OFFSET, WINDOW,
/// QUALIFY): names everywhere (`offset` is a Kafka column, `window(ts, '5 minutes')` a
/// streaming function) except as an alias written without AS.
bool IsClauseWord(std::string_view word);

}  // namespace tidelake::sql
