#include "sql/lexer.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>
#include <utility>

#include "common/error.h"

namespace tidelake::sql {
namespace {

bool IsAsciiLetter(unsigned char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsDigit(unsigned char c) { return c >= '0' && c <= '9'; }
// Bytes of multi-byte UTF-8 sequences count as letters, so non-ASCII names need no quotes.
bool IsIdentifierStart(unsigned char c) { return IsAsciiLetter(c) || c == '_' || c >= 0x80; }
bool IsIdentifierChar(unsigned char c) { return IsIdentifierStart(c) || IsDigit(c); }
int HexValue(unsigned char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

class Lexer {
 public:
  explicit Lexer(std::string_view src) : src_(src) {}

  arrow::Result<std::vector<Token>> Run() {
    std::vector<Token> tokens;
    SourcePos end_pos{1, 1, 0};  // just after the last token
    while (true) {
      ARROW_RETURN_NOT_OK(SkipSpaceAndComments());
      if (i_ >= src_.size()) break;
      Token token;
      token.pos = Here();
      ARROW_RETURN_NOT_OK(LexOne(&token));
      token.text = src_.substr(token.pos.offset, i_ - token.pos.offset);
      end_pos = Here();
      tokens.push_back(std::move(token));
    }
    Token end;
    end.kind = TokenKind::kEnd;
    end.pos = end_pos;
    end.text = src_.substr(end_pos.offset, 0);
    tokens.push_back(std::move(end));
    return tokens;
  }

 private:
  SourcePos Here() const { return SourcePos{line_, column_, i_}; }
  unsigned char At(size_t k) const { return k < src_.size() ? static_cast<unsigned char>(src_[k]) : 0; }
  unsigned char Cur() const { return At(i_); }
  unsigned char Next() const { return At(i_ + 1); }

  void Advance(size_t n = 1) {
    for (size_t k = 0; k < n && i_ < src_.size(); ++k, ++i_) {
      unsigned char c = static_cast<unsigned char>(src_[i_]);
      if (c == '\n') {
        ++line_;
        column_ = 1;
      } else if ((c & 0xC0) != 0x80) {
        ++column_;
      }
    }
  }

  arrow::Status ErrorAt(const SourcePos& pos, std::string message) const {
    return tidelake::ErrorAt(arrow::StatusCode::Invalid,
                             ErrorContext{.line = pos.line, .column = pos.column}, std::move(message));
  }

  arrow::Status SkipSpaceAndComments() {
    while (i_ < src_.size()) {
      unsigned char c = Cur();
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
        Advance();
      } else if (c == '-' && Next() == '-') {
        while (i_ < src_.size() && Cur() != '\n') Advance();
      } else if (c == '/' && Next() == '*') {
        SourcePos start = Here();
        Advance(2);
        int depth = 1;  // Spark nests block comments
        while (depth > 0) {
          if (i_ >= src_.size()) return ErrorAt(start, "unterminated comment");
          if (Cur() == '/' && Next() == '*') {
            ++depth;
            Advance(2);
          } else if (Cur() == '*' && Next() == '/') {
            --depth;
            Advance(2);
          } else {
            Advance();
          }
        }
      } else {
        break;
      }
    }
    return arrow::Status::OK();
  }

  arrow::Status LexOne(Token* token) {
    unsigned char c = Cur();
    if (IsIdentifierStart(c)) {
      while (IsIdentifierChar(Cur())) Advance();
      token->kind = TokenKind::kIdentifier;
      token->value = std::string(src_.substr(token->pos.offset, i_ - token->pos.offset));
      return arrow::Status::OK();
    }
    if (IsDigit(c) || (c == '.' && IsDigit(Next()))) return LexNumber(token);
    if (c == '`') return LexQuotedIdentifier(token);
    if (c == '\'' || c == '"') return LexString(token);
    return LexOperator(token);
  }

  arrow::Status LexQuotedIdentifier(Token* token) {
    Advance();
    while (true) {
      if (i_ >= src_.size()) return ErrorAt(token->pos, "unterminated quoted identifier");
      if (Cur() == '`') {
        if (Next() == '`') {
          token->value.push_back('`');
          Advance(2);
          continue;
        }
        Advance();
        break;
      }
      token->value.push_back(static_cast<char>(Cur()));
      Advance();
    }
    if (token->value.empty()) return ErrorAt(token->pos, "empty quoted identifier ``");
    token->kind = TokenKind::kQuotedIdentifier;
    return arrow::Status::OK();
  }

  arrow::Status LexString(Token* token) {
    const unsigned char quote = Cur();
    token->kind = TokenKind::kString;
    token->double_quoted = quote == '"';
    Advance();
    std::string& out = token->value;
    while (true) {
      if (i_ >= src_.size()) return ErrorAt(token->pos, "unterminated string literal");
      unsigned char c = Cur();
      if (c == quote) {
        if (Next() == quote) {  // SQL's doubled quote
          out.push_back(static_cast<char>(quote));
          Advance(2);
          continue;
        }
        Advance();
        return arrow::Status::OK();
      }
      if (c != '\\') {
        out.push_back(static_cast<char>(c));
        Advance();
        continue;
      }
      // A backslash escape. At the very end of input the string is unterminated.
      if (i_ + 1 >= src_.size()) return ErrorAt(token->pos, "unterminated string literal");
      SourcePos escape_pos = Here();
      unsigned char e = Next();
      if (e == 'u') {
        ARROW_ASSIGN_OR_RAISE(uint32_t unit, ReadHex4(i_ + 2, escape_pos));
        Advance(6);
        uint32_t cp = unit;
        if (unit >= 0xD800 && unit <= 0xDBFF) {  // UTF-16 surrogate pair, as Java writes them
          if (Cur() != '\\' || Next() != 'u') return ErrorAt(escape_pos, "unpaired surrogate in \\u escape");
          ARROW_ASSIGN_OR_RAISE(uint32_t low, ReadHex4(i_ + 2, Here()));
          if (low < 0xDC00 || low > 0xDFFF) return ErrorAt(escape_pos, "unpaired surrogate in \\u escape");
          Advance(6);
          cp = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
        } else if (unit >= 0xDC00 && unit <= 0xDFFF) {
          return ErrorAt(escape_pos, "unpaired surrogate in \\u escape");
        }
        AppendUtf8(cp, &out);
        continue;
      }
      if (e >= '0' && e <= '3' && At(i_ + 2) >= '0' && At(i_ + 2) <= '7' && At(i_ + 3) >= '0' &&
          At(i_ + 3) <= '7') {
        int v = (e - '0') * 64 + (At(i_ + 2) - '0') * 8 + (At(i_ + 3) - '0');
        out.push_back(static_cast<char>(v));
        Advance(4);
        continue;
      }
      switch (e) {
        case '0': out.push_back('\0'); break;
        case 'b': out.push_back('\b'); break;
        case 'n': out.push_back('\n'); break;
        case 'r': out.push_back('\r'); break;
        case 't': out.push_back('\t'); break;
        case 'Z': out.push_back('\x1A'); break;
        case '%': out += "\\%"; break;  // kept for LIKE patterns, as Spark does
        case '_': out += "\\_"; break;
        default: out.push_back(static_cast<char>(e)); break;
      }
      Advance(2);
    }
  }

  arrow::Result<uint32_t> ReadHex4(size_t at, const SourcePos& pos) const {
    uint32_t v = 0;
    for (size_t k = 0; k < 4; ++k) {
      int h = HexValue(At(at + k));
      if (h < 0) return ErrorAt(pos, "invalid \\u escape in string literal (expected 4 hex digits)");
      v = v * 16 + static_cast<uint32_t>(h);
    }
    return v;
  }

  arrow::Status LexNumber(Token* token) {
    token->kind = TokenKind::kNumber;
    while (IsDigit(Cur())) Advance();
    if (Cur() == '.') {
      token->number_has_dot = true;
      Advance();
      while (IsDigit(Cur())) Advance();
    }
    if ((Cur() == 'e' || Cur() == 'E') &&
        (IsDigit(Next()) || ((Next() == '+' || Next() == '-') && IsDigit(At(i_ + 2))))) {
      token->number_has_exponent = true;
      Advance(2);
      while (IsDigit(Cur())) Advance();
    }
    token->value = std::string(src_.substr(token->pos.offset, i_ - token->pos.offset));
    // The suffix: letters glued to the number.
    size_t suffix_start = i_;
    size_t k = i_;
    while (IsIdentifierChar(At(k))) ++k;
    std::string suffix(src_.substr(suffix_start, k - suffix_start));
    std::transform(suffix.begin(), suffix.end(), suffix.begin(),
                   [](unsigned char ch) { return static_cast<char>(std::toupper(ch)); });
    const bool integral = !token->number_has_dot && !token->number_has_exponent;
    if (suffix.empty()) {
      return arrow::Status::OK();
    } else if (suffix == "L" && integral) {
      token->number_suffix = NumberSuffix::kBigInt;
    } else if (suffix == "S" && integral) {
      token->number_suffix = NumberSuffix::kSmallInt;
    } else if (suffix == "Y" && integral) {
      token->number_suffix = NumberSuffix::kTinyInt;
    } else if (suffix == "D") {
      token->number_suffix = NumberSuffix::kDouble;
    } else if (suffix == "F") {
      token->number_suffix = NumberSuffix::kFloat;
    } else if (suffix == "BD") {
      token->number_suffix = NumberSuffix::kBigDecimal;
    } else {
      Advance(k - i_);
      return ErrorAt(token->pos, "invalid numeric literal '" +
                                     std::string(src_.substr(token->pos.offset, i_ - token->pos.offset)) + "'");
    }
    Advance(k - i_);
    return arrow::Status::OK();
  }

  arrow::Status LexOperator(Token* token) {
    struct Op {
      std::string_view text;
      TokenKind kind;
    };
    // Longest spellings first.
    static constexpr std::array<Op, 29> kOps = {{
        {"<=>", TokenKind::kNullSafeEq}, {"<=", TokenKind::kLtEq},      {"<>", TokenKind::kNotEq},
        {">=", TokenKind::kGtEq},        {"!=", TokenKind::kBangEq},    {"==", TokenKind::kEqEq},
        {"=>", TokenKind::kFatArrow},    {"||", TokenKind::kConcat},    {"::", TokenKind::kColonColon},
        {"=", TokenKind::kEq},           {"<", TokenKind::kLt},         {">", TokenKind::kGt},
        {"+", TokenKind::kPlus},         {"-", TokenKind::kMinus},      {"*", TokenKind::kStar},
        {"/", TokenKind::kSlash},        {"%", TokenKind::kPercent},    {"&", TokenKind::kAmpersand},
        {"|", TokenKind::kPipe},         {"^", TokenKind::kCaret},      {"~", TokenKind::kTilde},
        {":", TokenKind::kColon},        {".", TokenKind::kDot},        {",", TokenKind::kComma},
        {"(", TokenKind::kLParen},       {")", TokenKind::kRParen},     {";", TokenKind::kSemicolon},
        {"[", TokenKind::kLBracket},     {"]", TokenKind::kRBracket},
    }};
    std::string_view rest = src_.substr(i_);
    for (const Op& op : kOps) {
      if (rest.substr(0, op.text.size()) == op.text) {
        token->kind = op.kind;
        Advance(op.text.size());
        return arrow::Status::OK();
      }
    }
    unsigned char c = Cur();
    std::string shown;
    if (c >= 0x20 && c < 0x7F) {
      shown = std::string("'") + static_cast<char>(c) + "'";
    } else {
      char buf[16];
      std::snprintf(buf, sizeof(buf), "0x%02X", c);
      shown = buf;
    }
    return ErrorAt(token->pos, "unexpected character " + shown);
  }

  std::string_view src_;
  size_t i_ = 0;
  uint32_t line_ = 1;
  uint32_t column_ = 1;
};

}  // namespace

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  }
  return true;
}

bool Token::IsWord(std::string_view word) const {
  return kind == TokenKind::kIdentifier && EqualsIgnoreCase(text, word);
}

std::string_view TokenKindSpelling(TokenKind kind) {
  switch (kind) {
    case TokenKind::kEq: return "=";
    case TokenKind::kEqEq: return "==";
    case TokenKind::kNotEq: return "<>";
    case TokenKind::kBangEq: return "!=";
    case TokenKind::kLt: return "<";
    case TokenKind::kLtEq: return "<=";
    case TokenKind::kGt: return ">";
    case TokenKind::kGtEq: return ">=";
    case TokenKind::kNullSafeEq: return "<=>";
    case TokenKind::kPlus: return "+";
    case TokenKind::kMinus: return "-";
    case TokenKind::kStar: return "*";
    case TokenKind::kSlash: return "/";
    case TokenKind::kPercent: return "%";
    case TokenKind::kConcat: return "||";
    case TokenKind::kAmpersand: return "&";
    case TokenKind::kPipe: return "|";
    case TokenKind::kCaret: return "^";
    case TokenKind::kTilde: return "~";
    case TokenKind::kColonColon: return "::";
    case TokenKind::kColon: return ":";
    case TokenKind::kDot: return ".";
    case TokenKind::kComma: return ",";
    case TokenKind::kLParen: return "(";
    case TokenKind::kRParen: return ")";
    case TokenKind::kSemicolon: return ";";
    case TokenKind::kLBracket: return "[";
    case TokenKind::kRBracket: return "]";
    case TokenKind::kFatArrow: return "=>";
    default: return "";
  }
}

std::string DescribeToken(const Token& token) {
  switch (token.kind) {
    case TokenKind::kEnd:
      return "end of input";
    case TokenKind::kIdentifier:
    case TokenKind::kQuotedIdentifier:
    case TokenKind::kString:
    case TokenKind::kNumber: {
      constexpr size_t kMax = 40;
      if (token.text.size() <= kMax) return std::string(token.text);
      return std::string(token.text.substr(0, kMax)) + "...";
    }
    default:
      return "'" + std::string(TokenKindSpelling(token.kind)) + "'";
  }
}

bool IsReservedWord(std::string_view word) {
  static constexpr std::string_view kReserved[] = {
      "ALL",    "AND",    "ANTI",    "AS",      "BETWEEN", "CASE",   "CROSS",  "DISTINCT", "DIV",
      "ELSE",   "END",    "ESCAPE",  "EXCEPT",  "EXISTS",  "FALSE",  "FROM",   "FULL",     "GROUP",
      "HAVING", "ILIKE",  "IN",      "INNER",   "INTERSECT", "INTO", "IS",     "JOIN",     "LATERAL",
      "LEFT",   "LIKE",   "MINUS",   "NATURAL", "NOT",     "NULL",   "ON",     "OR",       "ORDER",
      "OUTER",  "REGEXP", "RIGHT",   "RLIKE",   "SELECT",  "SEMI",   "TABLE",  "THEN",     "TRUE",
      "UNION",  "USING",  "WHEN",    "WHERE",   "WITH",
  };
  for (std::string_view r : kReserved) {
    if (EqualsIgnoreCase(r, word)) return true;
  }
  return false;
}

bool IsClauseWord(std::string_view word) {
  static constexpr std::string_view kClauseWords[] = {"LIMIT", "OFFSET", "QUALIFY", "WINDOW"};
  for (std::string_view w : kClauseWords) {
    if (EqualsIgnoreCase(w, word)) return true;
  }
  return false;
}

arrow::Result<std::vector<Token>> Tokenize(std::string_view sql) { return Lexer(sql).Run(); }

}  // namespace tidelake::sql
