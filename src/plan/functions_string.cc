// String functions. Arguments of other atomic types are cast to string first (Spark 4 does
// so implicitly: upper(1) is '1'). Regular expressions use RE2 syntax (Arrow's engine), which
// covers the common subset of Java's.

#include <arrow/scalar.h>

#include <limits>

#include "plan/functions_internal.h"

namespace tidelake::plan::internal {

namespace {

arrow::Result<cp::Expression> StringLiteralExpr(std::string value, const arrow::Schema& input) {
  return Literal(std::make_shared<arrow::StringScalar>(std::move(value)), input);
}

arrow::Result<std::string> RequireStringLiteral(std::string_view fn, size_t index, const cp::Expression& e) {
  auto v = StringLiteral(e);
  if (!v) {
    return arrow::Status::NotImplemented("function ", fn, ": argument ", index + 1, " must be a string literal");
  }
  return *v;
}

}  // namespace

arrow::Status CheckRegex(std::string_view fn, const std::string& regex) {
  auto compiled = cp::CallFunction("match_substring_regex", {arrow::Datum(std::make_shared<arrow::StringScalar>(""))},
                                   std::make_shared<cp::MatchSubstringOptions>(regex).get());
  if (compiled.ok()) return arrow::Status::OK();
  // Arrow says "Invalid regular expression: <RE2's error>: <pattern>"; keep RE2's words.
  std::string why = compiled.status().message();
  constexpr std::string_view kPrefix = "Invalid regular expression: ";
  if (why.rfind(kPrefix, 0) == 0) why = why.substr(kPrefix.size());
  const std::string suffix = ": " + regex;
  if (why.size() > suffix.size() && why.compare(why.size() - suffix.size(), suffix.size(), suffix) == 0) {
    why.resize(why.size() - suffix.size());
  }
  return arrow::Status::Invalid("function ", fn, ": invalid regular expression '", regex, "': ", why);
}

namespace {

bool HasRegexMetacharacters(std::string_view s) { return s.find_first_of(".$|()[]{}^?*+\\") != std::string_view::npos; }

// The pattern with every capturing group named g1, g2, ... (Arrow's extract_regex reads
// named groups only) and the whole match as g0; sets *groups to the number of groups.
arrow::Result<std::string> NameRegexGroups(const std::string& pattern, int* groups) {
  std::string out = "(?P<g0>";
  int n = 0;
  bool in_class = false;
  for (size_t i = 0; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if (c == '\\' && i + 1 < pattern.size()) {
      out.push_back(c);
      out.push_back(pattern[++i]);
      continue;
    }
    if (in_class) {
      if (c == ']') in_class = false;
      out.push_back(c);
      continue;
    }
    if (c == '[') {
      in_class = true;
      out.push_back(c);
      // A ']' right after '[' or '[^' is a literal member.
      if (i + 1 < pattern.size() && pattern[i + 1] == '^') out.push_back(pattern[++i]);
      if (i + 1 < pattern.size() && pattern[i + 1] == ']') out.push_back(pattern[++i]);
      continue;
    }
    if (c == '(') {
      if (i + 1 < pattern.size() && pattern[i + 1] == '?') {
        // (?P<name>...) and (?<name>...) capture; other (? forms do not.
        size_t name_start = std::string::npos;
        if (pattern.compare(i + 1, 3, "?P<") == 0) name_start = i + 4;
        else if (pattern.compare(i + 1, 2, "?<") == 0 && i + 3 < pattern.size() && pattern[i + 3] != '=' &&
                 pattern[i + 3] != '!') name_start = i + 3;
        if (name_start != std::string::npos) {
          const size_t close = pattern.find('>', name_start);
          if (close == std::string::npos) return arrow::Status::Invalid("invalid regular expression '", pattern, "'");
          out += "(?P<g" + std::to_string(++n) + ">";
          i = close;
          continue;
        }
        out.push_back(c);
        continue;
      }
      out += "(?P<g" + std::to_string(++n) + ">";
      continue;
    }
    out.push_back(c);
  }
  *groups = n;
  return out + ")";
}

// Java's replacement syntax ($1, \$) in RE2's (\1, $).
std::string JavaReplacementToRe2(const std::string& rep) {
  std::string out;
  for (size_t i = 0; i < rep.size(); ++i) {
    const char c = rep[i];
    if (c == '\\' && i + 1 < rep.size()) {
      const char next = rep[++i];
      if (next == '\\') out += "\\\\";
      else out.push_back(next);
    } else if (c == '$' && i + 1 < rep.size() && std::isdigit(static_cast<unsigned char>(rep[i + 1]))) {
      out.push_back('\\');
      out.push_back(rep[++i]);
    } else {
      out.push_back(c);
    }
  }
  return out;
}

arrow::Result<cp::Expression> Split(std::string_view name, std::vector<cp::Expression>& args, const arrow::Schema& input) {
  ARROW_RETURN_NOT_OK(CheckArity(name, args.size(), 2, 3));
  ARROW_ASSIGN_OR_RAISE(auto str, StringArg(name, 0, args[0], input));
  ARROW_ASSIGN_OR_RAISE(std::string regex, RequireStringLiteral(name, 1, args[1]));
  ARROW_RETURN_NOT_OK(CheckRegex(name, regex));
  int64_t limit = -1;
  if (args.size() == 3) {
    auto l = IntLiteral(args[2]);
    if (!l) return arrow::Status::NotImplemented("function ", name, ": argument 3 must be an integer literal");
    limit = *l;
  }
  const int64_t max_splits = limit > 0 ? limit - 1 : -1;
  if (regex.empty()) {
    return BoundCall("tidelake_split_chars", {str}, input, std::make_shared<cp::SplitOptions>(max_splits));
  }
  if (!HasRegexMetacharacters(regex)) {
    return BoundCall("split_pattern", {str}, input, std::make_shared<cp::SplitPatternOptions>(regex, max_splits));
  }
  // Arrow's regex split loops forever on a pattern that matches the empty string; refuse those.
  ARROW_ASSIGN_OR_RAISE(arrow::Datum empty_match,
                        cp::CallFunction("match_substring_regex", {arrow::Datum(std::make_shared<arrow::StringScalar>(""))},
                                         std::make_shared<cp::MatchSubstringOptions>(regex).get()));
  if (empty_match.scalar_as<arrow::BooleanScalar>().value) {
    return arrow::Status::NotImplemented("function ", name, ": the pattern '", regex,
                                         "' can match the empty string, which is not supported");
  }
  return BoundCall("split_pattern_regex", {str}, input, std::make_shared<cp::SplitPatternOptions>(regex, max_splits));
}

arrow::Result<cp::Expression> RegexpExtract(std::string_view name, std::vector<cp::Expression>& args,
                                            const arrow::Schema& input) {
  ARROW_RETURN_NOT_OK(CheckArity(name, args.size(), 2, 3));
  ARROW_ASSIGN_OR_RAISE(auto str, StringArg(name, 0, args[0], input));
  ARROW_ASSIGN_OR_RAISE(std::string regex, RequireStringLiteral(name, 1, args[1]));
  ARROW_RETURN_NOT_OK(CheckRegex(name, regex));
  int64_t idx = 1;
  if (args.size() == 3) {
    auto i = IntLiteral(args[2]);
    if (!i) return arrow::Status::NotImplemented("function ", name, ": argument 3 must be an integer literal");
    idx = *i;
  }
  int groups = 0;
  ARROW_ASSIGN_OR_RAISE(std::string named, NameRegexGroups(regex, &groups));
  if (idx < 0 || idx > groups) {
    return arrow::Status::Invalid("function ", name, ": the group index must be between 0 and ", groups, ", got ", idx);
  }
  ARROW_ASSIGN_OR_RAISE(auto extracted, BoundCall("extract_regex", {str}, input,
                                                  std::make_shared<cp::ExtractRegexOptions>(named)));
  ARROW_ASSIGN_OR_RAISE(auto group, BoundCall("struct_field", {extracted}, input,
                                              std::make_shared<cp::StructFieldOptions>(arrow::FieldRef("g" + std::to_string(idx)))));
  // No match gives '' (not NULL) in Spark.
  ARROW_ASSIGN_OR_RAISE(auto empty, StringLiteralExpr("", input));
  ARROW_ASSIGN_OR_RAISE(auto matched, BoundCall("coalesce", {group, empty}, input));
  ARROW_ASSIGN_OR_RAISE(auto valid, BoundCall("is_valid", {str}, input));
  ARROW_ASSIGN_OR_RAISE(auto null, NullOf(arrow::utf8(), input));
  return BoundCall("if_else", {valid, matched, null}, input);
}

arrow::Result<cp::Expression> Trim(std::string_view name, std::vector<cp::Expression>& args, const arrow::Schema& input) {
  ARROW_RETURN_NOT_OK(CheckArity(name, args.size(), 1, 2));
  // trim(str) trims spaces; trim(trimStr, str) trims the characters of trimStr (Spark's
  // argument order for trim/ltrim/rtrim); btrim(str, trimStr) has them the other way round.
  size_t str_index = 0;
  std::string characters = " ";
  if (args.size() == 2) {
    const size_t chars_index = name == "btrim" ? 1 : 0;
    str_index = 1 - chars_index;
    if (IsNullLiteral(args[chars_index])) return NullOf(arrow::utf8(), input);
    ARROW_ASSIGN_OR_RAISE(characters, RequireStringLiteral(name, chars_index, args[chars_index]));
  }
  ARROW_ASSIGN_OR_RAISE(auto str, StringArg(name, str_index, args[str_index], input));
  const char* kernel = name == "ltrim" ? "utf8_ltrim" : name == "rtrim" ? "utf8_rtrim" : "utf8_trim";
  return BoundCall(kernel, {str}, input, std::make_shared<cp::TrimOptions>(characters));
}

arrow::Result<cp::Expression> Replace(std::string_view name, std::vector<cp::Expression>& args, const arrow::Schema& input) {
  ARROW_RETURN_NOT_OK(CheckArity(name, args.size(), 2, 3));
  if (args.size() == 2) { ARROW_ASSIGN_OR_RAISE(args.emplace_back(), StringLiteralExpr("", input)); }
  for (size_t i = 0; i < 3; ++i) { ARROW_ASSIGN_OR_RAISE(args[i], StringArg(name, i, args[i], input)); }
  auto search = StringLiteral(args[1]);
  auto replacement = StringLiteral(args[2]);
  if (search && replacement) {
    if (search->empty()) return args[0];
    return BoundCall("replace_substring", {args[0]}, input,
                     std::make_shared<cp::ReplaceSubstringOptions>(*search, *replacement));
  }
  return BoundCall("tidelake_replace", {args[0], args[1], args[2]}, input);
}

arrow::Result<cp::Expression> RegexpReplace(std::string_view name, std::vector<cp::Expression>& args,
                                            const arrow::Schema& input) {
  ARROW_RETURN_NOT_OK(CheckArity(name, args.size(), 3, 4));
  if (args.size() == 4 && IntLiteral(args[3]) != std::optional<int64_t>(1)) {
    return arrow::Status::NotImplemented("function ", name, ": a position other than 1 is not supported");
  }
  ARROW_ASSIGN_OR_RAISE(auto str, StringArg(name, 0, args[0], input));
  ARROW_ASSIGN_OR_RAISE(std::string regex, RequireStringLiteral(name, 1, args[1]));
  ARROW_RETURN_NOT_OK(CheckRegex(name, regex));
  ARROW_ASSIGN_OR_RAISE(std::string replacement, RequireStringLiteral(name, 2, args[2]));
  return BoundCall("replace_substring_regex", {str}, input,
                   std::make_shared<cp::ReplaceSubstringOptions>(regex, JavaReplacementToRe2(replacement)));
}

arrow::Result<cp::Expression> Pad(std::string_view name, std::vector<cp::Expression>& args, const arrow::Schema& input) {
  ARROW_RETURN_NOT_OK(CheckArity(name, args.size(), 2, 3));
  if (args.size() == 2) { ARROW_ASSIGN_OR_RAISE(args.emplace_back(), StringLiteralExpr(" ", input)); }
  ARROW_ASSIGN_OR_RAISE(auto str, StringArg(name, 0, args[0], input));
  ARROW_ASSIGN_OR_RAISE(auto len, IntArg(name, 1, args[1], input));
  ARROW_ASSIGN_OR_RAISE(auto pad, StringArg(name, 2, args[2], input));
  return BoundCall(name == "lpad" ? "tidelake_lpad" : "tidelake_rpad", {str, len, pad}, input);
}

arrow::Result<cp::Expression> ConcatWs(std::string_view name, std::vector<cp::Expression>& args, const arrow::Schema& input) {
  ARROW_RETURN_NOT_OK(CheckArity(name, args.size(), 1, SIZE_MAX));
  for (size_t i = 0; i < args.size(); ++i) {
    const auto t = TypeOf(args[i]);
    const bool string_list = (t->id() == arrow::Type::LIST) && IsString(*t->field(0)->type());
    if (i > 0 && string_list) {
      if (t->field(0)->type()->id() != arrow::Type::STRING) {
        ARROW_ASSIGN_OR_RAISE(args[i], Cast(args[i], arrow::list(arrow::utf8()), false, input));
      }
      continue;
    }
    ARROW_ASSIGN_OR_RAISE(args[i], StringArg(name, i, args[i], input));
  }
  return BoundCall("tidelake_concat_ws", std::move(args), input);
}

}  // namespace

MaybeExpression CallStringFunction(std::string_view name, std::vector<cp::Expression>& args, const arrow::Schema& input) {
  auto unary = [&](const char* kernel) -> arrow::Result<cp::Expression> {
    ARROW_RETURN_NOT_OK(CheckArity(name, args.size(), 1, 1));
    ARROW_ASSIGN_OR_RAISE(auto str, StringArg(name, 0, args[0], input));
    return BoundCall(kernel, {str}, input);
  };
  auto binary = [&](const char* kernel) -> arrow::Result<cp::Expression> {
    ARROW_RETURN_NOT_OK(CheckArity(name, args.size(), 2, 2));
    ARROW_ASSIGN_OR_RAISE(auto a, StringArg(name, 0, args[0], input));
    ARROW_ASSIGN_OR_RAISE(auto b, StringArg(name, 1, args[1], input));
    return BoundCall(kernel, {a, b}, input);
  };
  if (name == "lower" || name == "lcase") return unary("utf8_lower");
  if (name == "upper" || name == "ucase") return unary("utf8_upper");
  if (name == "length" || name == "char_length" || name == "character_length") {
    ARROW_RETURN_NOT_OK(CheckArity(name, args.size(), 1, 1));
    if (IsBinary(*TypeOf(args[0]))) return BoundCall("binary_length", {args[0]}, input);
    return unary("utf8_length");
  }
  if (name == "octet_length") {
    ARROW_RETURN_NOT_OK(CheckArity(name, args.size(), 1, 1));
    if (IsBinary(*TypeOf(args[0]))) return BoundCall("binary_length", {args[0]}, input);
    return unary("binary_length");
  }
  if (name == "substring" || name == "substr") {
    ARROW_RETURN_NOT_OK(CheckArity(name, args.size(), 2, 3));
    if (args.size() == 2) {
      ARROW_ASSIGN_OR_RAISE(args.emplace_back(), Literal(arrow::MakeScalar(std::numeric_limits<int32_t>::max()), input));
    }
    ARROW_ASSIGN_OR_RAISE(auto str, StringArg(name, 0, args[0], input));
    ARROW_ASSIGN_OR_RAISE(auto pos, IntArg(name, 1, args[1], input));
    ARROW_ASSIGN_OR_RAISE(auto len, IntArg(name, 2, args[2], input));
    return BoundCall("tidelake_substring", {str, pos, len}, input);
  }
  if (name == "left" || name == "right") {
    ARROW_RETURN_NOT_OK(CheckArity(name, args.size(), 2, 2));
    ARROW_ASSIGN_OR_RAISE(auto str, StringArg(name, 0, args[0], input));
    ARROW_ASSIGN_OR_RAISE(auto len, IntArg(name, 1, args[1], input));
    return BoundCall(name == "left" ? "tidelake_left" : "tidelake_right", {str, len}, input);
  }
  if (name == "concat") {
    // NULL if any argument is NULL; every argument as a string.
    for (size_t i = 0; i < args.size(); ++i) { ARROW_ASSIGN_OR_RAISE(args[i], StringArg(name, i, args[i], input)); }
    if (args.empty()) return StringLiteralExpr("", input);
    ARROW_ASSIGN_OR_RAISE(args.emplace_back(), StringLiteralExpr("", input));
    auto options = std::make_shared<cp::JoinOptions>(cp::JoinOptions::EMIT_NULL);
    return BoundCall("binary_join_element_wise", std::move(args), input, options);
  }
  if (name == "concat_ws") return ConcatWs(name, args, input);
  if (name == "trim" || name == "btrim" || name == "ltrim" || name == "rtrim") return Trim(name, args, input);
  if (name == "lpad" || name == "rpad") return Pad(name, args, input);
  if (name == "replace") return Replace(name, args, input);
  if (name == "instr") return binary("tidelake_instr");
  if (name == "locate" || name == "position") {
    ARROW_RETURN_NOT_OK(CheckArity(name, args.size(), 2, 3));
    if (args.size() == 2) { ARROW_ASSIGN_OR_RAISE(args.emplace_back(), Literal(arrow::MakeScalar(int32_t{1}), input)); }
    ARROW_ASSIGN_OR_RAISE(auto sub, StringArg(name, 0, args[0], input));
    ARROW_ASSIGN_OR_RAISE(auto str, StringArg(name, 1, args[1], input));
    ARROW_ASSIGN_OR_RAISE(auto pos, IntArg(name, 2, args[2], input));
    return BoundCall("tidelake_locate", {sub, str, pos}, input);
  }
  if (name == "split") return Split(name, args, input);
  if (name == "regexp_extract") return RegexpExtract(name, args, input);
  if (name == "regexp_replace") return RegexpReplace(name, args, input);
  if (name == "rlike" || name == "regexp" || name == "regexp_like") {
    ARROW_RETURN_NOT_OK(CheckArity(name, args.size(), 2, 2));
    return CallOperator(Operator::kRLike, args, input);
  }
  if (name == "like" || name == "ilike") {
    ARROW_RETURN_NOT_OK(CheckArity(name, args.size(), 2, 3));
    return CallOperator(name == "like" ? Operator::kLike : Operator::kILike, args, input);
  }
  if (name == "initcap") {
    ARROW_RETURN_NOT_OK(CheckArity(name, args.size(), 1, 1));
    ARROW_ASSIGN_OR_RAISE(auto str, StringArg(name, 0, args[0], input));
    ARROW_ASSIGN_OR_RAISE(auto lower, BoundCall("utf8_lower", {str}, input));
    ARROW_ASSIGN_OR_RAISE(auto upper, BoundCall("utf8_upper", {str}, input));
    return BoundCall("tidelake_initcap", {lower, upper}, input);
  }
  if (name == "md5" || name == "sha1" || name == "sha" || name == "sha2") {
    // Spark hashes binary; strings hash their UTF-8 bytes.
    ARROW_RETURN_NOT_OK(CheckArity(name, args.size(), name == "sha2" ? 2 : 1, name == "sha2" ? 2 : 1));
    const auto t = TypeOf(args[0]);
    cp::Expression data = args[0];
    if (!IsBinary(*t)) {
      if (!IsString(*t) && !IsNull(*t)) return ArgTypeError(name, 0, "a string or binary", *t);
      ARROW_ASSIGN_OR_RAISE(data, BoundCall("cast", {data}, input,
                                            std::make_shared<cp::CastOptions>(cp::CastOptions::Safe(arrow::binary()))));
    } else if (t->id() != arrow::Type::BINARY) {
      ARROW_ASSIGN_OR_RAISE(data, BoundCall("cast", {data}, input,
                                            std::make_shared<cp::CastOptions>(cp::CastOptions::Safe(arrow::binary()))));
    }
    if (name == "sha2") {
      ARROW_ASSIGN_OR_RAISE(auto bits, IntArg(name, 1, args[1], input));
      return BoundCall("tidelake_sha2", {data, bits}, input);
    }
    return BoundCall(name == "md5" ? "tidelake_md5" : "tidelake_sha1", {data}, input);
  }
  if (name == "reverse") {
    ARROW_RETURN_NOT_OK(CheckArity(name, args.size(), 1, 1));
    if (TypeOf(args[0])->id() == arrow::Type::LIST) return BoundCall("tidelake_array_reverse", {args[0]}, input);
    return unary("utf8_reverse");
  }
  if (name == "repeat") {
    ARROW_RETURN_NOT_OK(CheckArity(name, args.size(), 2, 2));
    ARROW_ASSIGN_OR_RAISE(auto str, StringArg(name, 0, args[0], input));
    ARROW_ASSIGN_OR_RAISE(auto n, IntArg(name, 1, args[1], input));
    ARROW_ASSIGN_OR_RAISE(auto zero, Literal(arrow::MakeScalar(int32_t{0}), input));
    ARROW_ASSIGN_OR_RAISE(auto count, BoundCall("max_element_wise", {n, zero}, input,
                                                std::make_shared<cp::ElementWiseAggregateOptions>(false)));
    return BoundCall("binary_repeat", {str, count}, input);
  }
  if (name == "starts_with" || name == "startswith") return binary("tidelake_starts_with");
  if (name == "ends_with" || name == "endswith") return binary("tidelake_ends_with");
  if (name == "contains") return binary("tidelake_contains");
  return std::nullopt;
}

}  // namespace tidelake::plan::internal
