#include "cli/predicate_parser.h"

#include <arrow/compute/api.h>
#include <arrow/scalar.h>
#include <arrow/type.h>

#include <cctype>
#include <string>
#include <vector>

namespace tidelake::cli {

namespace cp = arrow::compute;

namespace {

struct Token {
  enum Kind { kIdent, kQuotedIdent, kString, kNumber, kOp, kLParen, kRParen, kComma, kEnd } kind;
  std::string text;
  size_t column;  // 1-based
};

arrow::Result<std::vector<Token>> Tokenize(std::string_view s) {
  std::vector<Token> out;
  size_t i = 0;
  auto error = [&](const std::string& what) {
    return arrow::Status::Invalid("--where at column ", i + 1, ": ", what);
  };
  while (i < s.size()) {
    char c = s[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
      continue;
    }
    size_t start = i;
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      while (i < s.size() && (std::isalnum(static_cast<unsigned char>(s[i])) || s[i] == '_' || s[i] == '.')) ++i;
      out.push_back({Token::kIdent, std::string(s.substr(start, i - start)), start + 1});
    } else if (c == '`') {
      size_t end = s.find('`', i + 1);
      if (end == std::string_view::npos) return error("unterminated `quoted` column name");
      out.push_back({Token::kQuotedIdent, std::string(s.substr(i + 1, end - i - 1)), start + 1});
      i = end + 1;
    } else if (c == '\'') {
      std::string value;
      ++i;
      while (true) {
        if (i >= s.size()) return error("unterminated string literal");
        if (s[i] == '\'') {
          if (i + 1 < s.size() && s[i + 1] == '\'') {
            value += '\'';
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        value += s[i++];
      }
      out.push_back({Token::kString, value, start + 1});
    } else if (std::isdigit(static_cast<unsigned char>(c)) || (c == '-' && i + 1 < s.size() && (std::isdigit(static_cast<unsigned char>(s[i + 1])) || s[i + 1] == '.')) || c == '.') {
      ++i;
      while (i < s.size() && (std::isalnum(static_cast<unsigned char>(s[i])) || s[i] == '.' ||
                              ((s[i] == '-' || s[i] == '+') && (s[i - 1] == 'e' || s[i - 1] == 'E')))) {
        ++i;
      }
      out.push_back({Token::kNumber, std::string(s.substr(start, i - start)), start + 1});
    } else if (c == '(') {
      out.push_back({Token::kLParen, "(", start + 1});
      ++i;
    } else if (c == ')') {
      out.push_back({Token::kRParen, ")", start + 1});
      ++i;
    } else if (c == ',') {
      out.push_back({Token::kComma, ",", start + 1});
      ++i;
    } else if (std::string_view("=!<>").find(c) != std::string_view::npos) {
      ++i;
      if (i < s.size() && (s[i] == '=' || (c == '<' && s[i] == '>'))) ++i;
      std::string op(s.substr(start, i - start));
      if (op == "!") return error("expected '!=' after '!'");
      out.push_back({Token::kOp, op, start + 1});
    } else {
      return error(std::string("unexpected character '") + c + "'");
    }
  }
  out.push_back({Token::kEnd, "", s.size() + 1});
  return out;
}

bool IsKeyword(const Token& t, std::string_view word) {
  if (t.kind != Token::kIdent || t.text.size() != word.size()) return false;
  for (size_t i = 0; i < word.size(); ++i) {
    if (std::toupper(static_cast<unsigned char>(t.text[i])) != word[i]) return false;
  }
  return true;
}

class Parser {
 public:
  Parser(std::vector<Token> tokens, const arrow::Schema& schema) : tokens_(std::move(tokens)), schema_(schema) {}

  arrow::Result<cp::Expression> Parse() {
    ARROW_ASSIGN_OR_RAISE(auto e, Or());
    if (Peek().kind != Token::kEnd) return Expected("AND, OR or the end of the predicate");
    return e;
  }

 private:
  const Token& Peek() const { return tokens_[pos_]; }
  const Token& Next() { return tokens_[pos_++]; }
  arrow::Status Expected(const std::string& what) const {
    const auto& t = Peek();
    std::string found = t.kind == Token::kEnd ? "the end" : "'" + t.text + "'";
    return arrow::Status::Invalid("--where at column ", t.column, ": expected ", what, ", found ", found);
  }

  arrow::Result<cp::Expression> Or() {
    ARROW_ASSIGN_OR_RAISE(auto left, And());
    while (IsKeyword(Peek(), "OR")) {
      Next();
      ARROW_ASSIGN_OR_RAISE(auto right, And());
      left = cp::or_(left, right);
    }
    return left;
  }

  arrow::Result<cp::Expression> And() {
    ARROW_ASSIGN_OR_RAISE(auto left, Term());
    while (IsKeyword(Peek(), "AND")) {
      Next();
      ARROW_ASSIGN_OR_RAISE(auto right, Term());
      left = cp::and_(left, right);
    }
    return left;
  }

  arrow::Result<cp::Expression> Term() {
    if (IsKeyword(Peek(), "NOT")) {
      Next();
      ARROW_ASSIGN_OR_RAISE(auto inner, Term());
      return cp::not_(inner);
    }
    if (Peek().kind == Token::kLParen) {
      Next();
      ARROW_ASSIGN_OR_RAISE(auto inner, Or());
      if (Peek().kind != Token::kRParen) return Expected("')'");
      Next();
      return inner;
    }
    ARROW_ASSIGN_OR_RAISE(auto field, Column());
    auto ref = cp::field_ref(field->name());
    if (IsKeyword(Peek(), "IS")) {
      Next();
      bool negated = false;
      if (IsKeyword(Peek(), "NOT")) {
        Next();
        negated = true;
      }
      if (!IsKeyword(Peek(), "NULL")) return Expected("NULL");
      Next();
      return negated ? cp::is_valid(ref) : cp::is_null(ref);
    }
    bool negated_in = false;
    if (IsKeyword(Peek(), "NOT")) {
      Next();
      negated_in = true;
      if (!IsKeyword(Peek(), "IN")) return Expected("IN");
    }
    if (IsKeyword(Peek(), "IN")) {
      Next();
      if (Peek().kind != Token::kLParen) return Expected("'(' after IN");
      Next();
      std::vector<cp::Expression> alternatives;
      while (true) {
        ARROW_ASSIGN_OR_RAISE(auto value, Literal(*field));
        alternatives.push_back(cp::equal(ref, cp::literal(value)));
        if (Peek().kind == Token::kComma) {
          Next();
          continue;
        }
        if (Peek().kind != Token::kRParen) return Expected("',' or ')'");
        Next();
        break;
      }
      auto any = cp::or_(alternatives);
      return negated_in ? cp::not_(any) : any;
    }
    if (Peek().kind != Token::kOp) return Expected("a comparison (=, !=, <, <=, >, >=), IN or IS");
    std::string op = Next().text;
    ARROW_ASSIGN_OR_RAISE(auto value, Literal(*field));
    auto lit = cp::literal(value);
    if (op == "=" || op == "==") return cp::equal(ref, lit);
    if (op == "!=" || op == "<>") return cp::not_equal(ref, lit);
    if (op == "<") return cp::less(ref, lit);
    if (op == "<=") return cp::less_equal(ref, lit);
    if (op == ">") return cp::greater(ref, lit);
    return cp::greater_equal(ref, lit);
  }

  arrow::Result<std::shared_ptr<arrow::Field>> Column() {
    const auto& t = Peek();
    if (t.kind != Token::kIdent && t.kind != Token::kQuotedIdent) return Expected("a column name");
    for (const auto& f : schema_.fields()) {
      if (f->name().size() == t.text.size() &&
          std::equal(f->name().begin(), f->name().end(), t.text.begin(),
                     [](char a, char b) { return std::tolower(a) == std::tolower(b); })) {
        Next();
        return f;
      }
    }
    return arrow::Status::Invalid("--where at column ", t.column, ": unknown column '", t.text, "'");
  }

  arrow::Result<std::shared_ptr<arrow::Scalar>> Literal(const arrow::Field& field) {
    const auto& t = Peek();
    if (IsKeyword(t, "NULL")) {
      Next();
      return arrow::MakeNullScalar(field.type());
    }
    std::string text;
    if (t.kind == Token::kString || t.kind == Token::kNumber) {
      text = t.text;
    } else if (IsKeyword(t, "TRUE") || IsKeyword(t, "FALSE")) {
      text = IsKeyword(t, "TRUE") ? "true" : "false";
    } else {
      return Expected("a literal value");
    }
    size_t column = t.column;
    Next();
    auto cast = cp::Cast(arrow::Datum(std::make_shared<arrow::StringScalar>(text)), field.type());
    if (!cast.ok()) {
      return arrow::Status::Invalid("--where at column ", column, ": '", text, "' is not a valid ",
                                    field.type()->ToString(), " value for column '", field.name(), "'");
    }
    return cast->scalar();
  }

  std::vector<Token> tokens_;
  const arrow::Schema& schema_;
  size_t pos_ = 0;
};

}  // namespace

arrow::Result<cp::Expression> ParsePredicate(std::string_view text, const arrow::Schema& schema) {
  ARROW_ASSIGN_OR_RAISE(auto tokens, Tokenize(text));
  Parser parser(std::move(tokens), schema);
  return parser.Parse();
}

}  // namespace tidelake::cli
