#include "sql/lexer.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/error.h"

namespace tidelake::sql {
namespace {

std::vector<Token> Lex(std::string_view sql) {
  auto result = Tokenize(sql);
  EXPECT_TRUE(result.ok()) << result.status().ToString();
  return result.ok() ? std::move(result).ValueUnsafe() : std::vector<Token>{};
}

std::string LexError(std::string_view sql) {
  auto result = Tokenize(sql);
  EXPECT_FALSE(result.ok()) << "lexed without error: " << sql;
  return result.ok() ? std::string() : result.status().message();
}

std::vector<TokenKind> Kinds(const std::vector<Token>& tokens) {
  std::vector<TokenKind> kinds;
  for (const Token& t : tokens) kinds.push_back(t.kind);
  return kinds;
}

TEST(LexerTest, WordsKeepTheirSpellingAndPositions) {
  auto tokens = Lex("SELECT Amount,\n  `delta`.`/mnt/x``y` FROM t");
  ASSERT_EQ(tokens.size(), 9u);
  EXPECT_EQ(tokens[0].kind, TokenKind::kIdentifier);
  EXPECT_TRUE(tokens[0].IsWord("select"));
  EXPECT_EQ(tokens[1].value, "Amount");
  EXPECT_EQ(tokens[1].pos.line, 1u);
  EXPECT_EQ(tokens[1].pos.column, 8u);
  EXPECT_EQ(tokens[1].pos.offset, 7u);
  EXPECT_EQ(tokens[2].kind, TokenKind::kComma);
  EXPECT_EQ(tokens[3].kind, TokenKind::kQuotedIdentifier);
  EXPECT_EQ(tokens[3].value, "delta");
  EXPECT_FALSE(tokens[3].IsWord("delta"));  // quoted names are never keywords
  EXPECT_EQ(tokens[3].pos.line, 2u);
  EXPECT_EQ(tokens[3].pos.column, 3u);
  EXPECT_EQ(tokens[4].kind, TokenKind::kDot);
  EXPECT_EQ(tokens[5].value, "/mnt/x`y");
  EXPECT_EQ(tokens[5].text, "`/mnt/x``y`");
  EXPECT_EQ(tokens[8].kind, TokenKind::kEnd);
  // End of input sits just after the last token.
  EXPECT_EQ(tokens[8].pos.line, 2u);
  EXPECT_EQ(tokens[8].pos.column, 29u);
}

TEST(LexerTest, ColumnsCountCodePoints) {
  auto tokens = Lex("SELECT 'héllo', ünïcode");
  ASSERT_GE(tokens.size(), 4u);
  EXPECT_EQ(tokens[1].value, "héllo");
  EXPECT_EQ(tokens[2].pos.column, 15u);
  EXPECT_EQ(tokens[3].value, "ünïcode");
  EXPECT_EQ(tokens[3].pos.column, 17u);
}

TEST(LexerTest, StringEscapes) {
  auto tokens = Lex(R"('it''s' 'a\'b' "say ""hi""" 'tab\there' '\u00e9\n' '\101' '\%\_' '\q' '\uD83D\uDE00' '\\')");
  ASSERT_EQ(tokens.size(), 11u);
  EXPECT_EQ(tokens[0].value, "it's");
  EXPECT_EQ(tokens[1].value, "a'b");
  EXPECT_EQ(tokens[2].value, "say \"hi\"");
  EXPECT_TRUE(tokens[2].double_quoted);
  EXPECT_FALSE(tokens[1].double_quoted);
  EXPECT_EQ(tokens[3].value, "tab\there");
  EXPECT_EQ(tokens[4].value, "\xC3\xA9\n");
  EXPECT_EQ(tokens[5].value, "A");  // octal
  EXPECT_EQ(tokens[6].value, "\\%\\_");  // kept for LIKE, as Spark does
  EXPECT_EQ(tokens[7].value, "q");
  EXPECT_EQ(tokens[8].value, "\xF0\x9F\x98\x80");  // a surrogate pair
  EXPECT_EQ(tokens[9].value, "\\");
}

TEST(LexerTest, NumbersAndSuffixes) {
  auto tokens = Lex("1 12L 3S 4Y 1.5 .5 2. 1e10 1.5E-3 2.5D 2F 3.25BD 7bd");
  ASSERT_EQ(tokens.size(), 14u);
  for (size_t i = 0; i + 1 < tokens.size(); ++i) EXPECT_EQ(tokens[i].kind, TokenKind::kNumber) << i;
  EXPECT_EQ(tokens[0].value, "1");
  EXPECT_EQ(tokens[1].number_suffix, NumberSuffix::kBigInt);
  EXPECT_EQ(tokens[1].value, "12");
  EXPECT_EQ(tokens[2].number_suffix, NumberSuffix::kSmallInt);
  EXPECT_EQ(tokens[3].number_suffix, NumberSuffix::kTinyInt);
  EXPECT_TRUE(tokens[4].number_has_dot);
  EXPECT_EQ(tokens[5].value, ".5");
  EXPECT_EQ(tokens[6].value, "2.");
  EXPECT_TRUE(tokens[7].number_has_exponent);
  EXPECT_EQ(tokens[8].value, "1.5E-3");
  EXPECT_EQ(tokens[9].number_suffix, NumberSuffix::kDouble);
  EXPECT_EQ(tokens[10].number_suffix, NumberSuffix::kFloat);
  EXPECT_EQ(tokens[11].number_suffix, NumberSuffix::kBigDecimal);
  EXPECT_EQ(tokens[11].value, "3.25");
  EXPECT_EQ(tokens[12].number_suffix, NumberSuffix::kBigDecimal);
}

TEST(LexerTest, Operators) {
  auto tokens = Lex("= == <> != < <= > >= <=> + - * / % || & | ^ ~ :: : . , ( ) ; [ ] =>");
  std::vector<TokenKind> expected = {
      TokenKind::kEq,        TokenKind::kEqEq,       TokenKind::kNotEq,    TokenKind::kBangEq,
      TokenKind::kLt,        TokenKind::kLtEq,       TokenKind::kGt,       TokenKind::kGtEq,
      TokenKind::kNullSafeEq, TokenKind::kPlus,      TokenKind::kMinus,    TokenKind::kStar,
      TokenKind::kSlash,     TokenKind::kPercent,    TokenKind::kConcat,   TokenKind::kAmpersand,
      TokenKind::kPipe,      TokenKind::kCaret,      TokenKind::kTilde,    TokenKind::kColonColon,
      TokenKind::kColon,     TokenKind::kDot,        TokenKind::kComma,    TokenKind::kLParen,
      TokenKind::kRParen,    TokenKind::kSemicolon,  TokenKind::kLBracket, TokenKind::kRBracket,
      TokenKind::kFatArrow,  TokenKind::kEnd};
  EXPECT_EQ(Kinds(tokens), expected);
  // No spaces needed.
  EXPECT_EQ(Kinds(Lex("a<=>b")), (std::vector<TokenKind>{TokenKind::kIdentifier, TokenKind::kNullSafeEq,
                                                          TokenKind::kIdentifier, TokenKind::kEnd}));
  EXPECT_EQ(Kinds(Lex("x::int")), (std::vector<TokenKind>{TokenKind::kIdentifier, TokenKind::kColonColon,
                                                           TokenKind::kIdentifier, TokenKind::kEnd}));
}

TEST(LexerTest, Comments) {
  auto tokens = Lex("SELECT -- a comment\n 1 /* block /* nested */ still */ + /*+ hint */ 2 --");
  EXPECT_EQ(Kinds(tokens), (std::vector<TokenKind>{TokenKind::kIdentifier, TokenKind::kNumber, TokenKind::kPlus,
                                                    TokenKind::kNumber, TokenKind::kEnd}));
  EXPECT_EQ(tokens[1].pos.line, 2u);
  EXPECT_EQ(tokens[1].pos.column, 2u);
  // a-1 is a minus, a--1 a comment.
  EXPECT_EQ(Lex("a-1").size(), 4u);
  EXPECT_EQ(Lex("a--1").size(), 2u);
}

TEST(LexerTest, EmptyInput) {
  auto tokens = Lex("  -- nothing\n ");
  ASSERT_EQ(tokens.size(), 1u);
  EXPECT_EQ(tokens[0].kind, TokenKind::kEnd);
  EXPECT_EQ(tokens[0].pos.line, 1u);
  EXPECT_EQ(tokens[0].pos.column, 1u);
}

TEST(LexerTest, Errors) {
  EXPECT_EQ(LexError("SELECT 'abc"), "line 1:8: unterminated string literal");
  EXPECT_EQ(LexError("SELECT\n\n  a,\n  \"abc\\\""), "line 4:3: unterminated string literal");
  EXPECT_EQ(LexError("SELECT 'abc\\"), "line 1:8: unterminated string literal");
  EXPECT_EQ(LexError("SELECT 1 /* open /* nested */"), "line 1:10: unterminated comment");
  EXPECT_EQ(LexError("SELECT `abc"), "line 1:8: unterminated quoted identifier");
  EXPECT_EQ(LexError("SELECT ``"), "line 1:8: empty quoted identifier ``");
  EXPECT_EQ(LexError("SELECT a # b"), "line 1:10: unexpected character '#'");
  EXPECT_EQ(LexError(std::string("SELECT \x01", 8)), "line 1:8: unexpected character 0x01");
  EXPECT_EQ(LexError("SELECT 123abc"), "line 1:8: invalid numeric literal '123abc'");
  EXPECT_EQ(LexError("SELECT 1.5L"), "line 1:8: invalid numeric literal '1.5L'");
  EXPECT_EQ(LexError("SELECT '\\u12'"), "line 1:9: invalid \\u escape in string literal (expected 4 hex digits)");
  EXPECT_EQ(LexError("SELECT '\\uD83D'"), "line 1:9: unpaired surrogate in \\u escape");
  EXPECT_EQ(LexError("SELECT 'é' ! 1"), "line 1:12: unexpected character '!'");
}

TEST(LexerTest, ErrorsCarryTheirPosition) {
  auto result = Tokenize("SELECT\n  'abc");
  ASSERT_FALSE(result.ok());
  auto context = GetErrorContext(result.status());
  ASSERT_TRUE(context.has_value());
  EXPECT_EQ(context->line, 2);
  EXPECT_EQ(context->column, 3);
}

TEST(LexerTest, DescribeToken) {
  auto tokens = Lex("From ) 'abc' 12L");
  EXPECT_EQ(DescribeToken(tokens[0]), "From");
  EXPECT_EQ(DescribeToken(tokens[1]), "')'");
  EXPECT_EQ(DescribeToken(tokens[2]), "'abc'");
  EXPECT_EQ(DescribeToken(tokens[3]), "12L");
  EXPECT_EQ(DescribeToken(tokens[4]), "end of input");
  const std::string long_sql = "'" + std::string(100, 'x') + "'";
  auto long_string = Lex(long_sql);
  EXPECT_EQ(DescribeToken(long_string[0]), "'" + std::string(39, 'x') + "...");
}

TEST(LexerTest, ReservedWords) {
  EXPECT_TRUE(IsReservedWord("from"));
  EXPECT_TRUE(IsReservedWord("Select"));
  EXPECT_FALSE(IsReservedWord("date"));
  EXPECT_FALSE(IsReservedWord("timestamp"));
  EXPECT_FALSE(IsReservedWord("value"));
}

}  // namespace
}  // namespace tidelake::sql
