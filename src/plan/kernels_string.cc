// String kernels with Spark's semantics where Arrow has no kernel, or only one taking its
// parameters as options (literals): positions and lengths count characters (code points),
// are 1-based, and may come from columns.
//   tidelake_substring(str, pos, len), tidelake_left(str, n), tidelake_right(str, n),
//   tidelake_lpad / tidelake_rpad(str, len, pad), tidelake_replace(str, search, replacement),
//   tidelake_instr(str, sub), tidelake_locate(sub, str, pos), tidelake_concat_ws(sep, ...),
//   tidelake_initcap(lower, upper), tidelake_starts_with / ends_with / contains(a, b),
//   tidelake_split_chars(str) (SplitOptions::max_splits), tidelake_like(str, pattern)
//   (MatchSubstringOptions: pattern = the escape character, ignore_case),
//   tidelake_md5(binary), tidelake_sha1(binary), tidelake_sha2(binary, bits) -> lowercase hex
//   (sha2: bits 0 means 256; a length other than 0, 224, 256, 384, 512 gives NULL).

#include <arrow/array/builder_binary.h>
#include <arrow/array/builder_nested.h>
#include <arrow/array/builder_primitive.h>
#include <arrow/util/checked_cast.h>

#include <algorithm>
#include <limits>

#include "plan/digest.h"
#include "plan/functions_internal.h"
#include "plan/kernels_common.h"

namespace tidelake::plan::internal {

namespace {

using arrow::internal::checked_cast;

bool IsContinuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

int64_t CountChars(std::string_view s) {
  int64_t n = 0;
  for (char c : s) n += IsContinuation(c) ? 0 : 1;
  return n;
}

// Byte offset where character `k` starts (s.size() when k is past the end).
size_t CharOffset(std::string_view s, int64_t k) {
  if (k <= 0) return 0;
  int64_t seen = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if (!IsContinuation(s[i])) {
      if (seen == k) return i;
      ++seen;
    }
  }
  return s.size();
}

// Characters [start, end) of s, clamped (UTF8String.substring).
std::string_view CharSlice(std::string_view s, int64_t start, int64_t end) {
  if (end <= start) return {};
  const size_t b = CharOffset(s, start);
  const size_t e = CharOffset(s, end);
  return b >= e ? std::string_view() : s.substr(b, e - b);
}

// UTF8String.substringSQL.
std::string_view SubstringSql(std::string_view s, int64_t pos, int64_t len) {
  const int64_t chars = CountChars(s);
  int64_t start = pos > 0 ? pos - 1 : (pos < 0 ? chars + pos : 0);
  const int64_t end = std::clamp<int64_t>(start + len, std::numeric_limits<int32_t>::min(),
                                          std::numeric_limits<int32_t>::max());
  start = std::max<int64_t>(start, 0);
  if (start >= end) return {};
  return CharSlice(s, start, end);
}

// Index (in characters) of the first `needle` at or after character `from`, or -1.
int64_t CharIndexOf(std::string_view s, std::string_view needle, int64_t from) {
  const size_t start = CharOffset(s, from);
  if (start > s.size()) return -1;
  const size_t found = s.find(needle, start);
  if (found == std::string_view::npos) return -1;
  return CountChars(s.substr(0, found));
}

const arrow::StringArray& Str(const KernelCall& call, size_t i) {
  return checked_cast<const arrow::StringArray&>(*call.args[i]);
}
const arrow::Int32Array& Int(const KernelCall& call, size_t i) {
  return checked_cast<const arrow::Int32Array&>(*call.args[i]);
}

bool AnyNull(const KernelCall& call, int64_t row) {
  for (const auto& a : call.args) {
    if (a->IsNull(row)) return true;
  }
  return false;
}

// Runs `fn(row) -> std::string` (or string_view) for rows where no argument is NULL.
template <typename Fn>
arrow::Result<std::shared_ptr<arrow::Array>> MapStrings(const KernelCall& call, Fn fn) {
  arrow::StringBuilder builder(call.pool);
  ARROW_RETURN_NOT_OK(builder.Reserve(call.length));
  for (int64_t i = 0; i < call.length; ++i) {
    if (AnyNull(call, i)) {
      ARROW_RETURN_NOT_OK(builder.AppendNull());
    } else {
      ARROW_RETURN_NOT_OK(builder.Append(fn(i)));
    }
  }
  return builder.Finish();
}

template <typename Builder, typename Fn>
arrow::Result<std::shared_ptr<arrow::Array>> MapValues(const KernelCall& call, Fn fn) {
  Builder builder(call.pool);
  ARROW_RETURN_NOT_OK(builder.Reserve(call.length));
  for (int64_t i = 0; i < call.length; ++i) {
    if (AnyNull(call, i)) builder.UnsafeAppendNull();
    else builder.UnsafeAppend(fn(i));
  }
  return builder.Finish();
}

std::string Pad(std::string_view s, int32_t len, std::string_view pad, bool left) {
  const int64_t chars = CountChars(s);
  const int64_t spaces = static_cast<int64_t>(len) - chars;
  if (spaces <= 0 || pad.empty()) return std::string(CharSlice(s, 0, len));
  const int64_t pad_chars = CountChars(pad);
  const int64_t count = spaces / pad_chars;
  std::string fill;
  for (int64_t i = 0; i < count; ++i) fill += pad;
  fill += CharSlice(pad, 0, spaces - pad_chars * count);
  return left ? fill + std::string(s) : std::string(s) + fill;
}

std::string ReplaceAll(std::string_view s, std::string_view search, std::string_view replacement) {
  if (search.empty()) return std::string(s);
  std::string out;
  size_t pos = 0;
  while (true) {
    const size_t found = s.find(search, pos);
    if (found == std::string_view::npos) break;
    out.append(s.substr(pos, found - pos));
    out.append(replacement);
    pos = found + search.size();
  }
  out.append(s.substr(pos));
  return out;
}

// Upper-cases the first character of every word (words start the string or follow a space),
// taking characters from `upper` there and from `lower` elsewhere (Spark's initcap).
std::string Initcap(std::string_view lower, std::string_view upper) {
  if (CountChars(lower) != CountChars(upper)) return std::string(lower);
  std::string out;
  size_t i = 0, j = 0;
  bool word_start = true;
  while (i < lower.size()) {
    size_t ni = i + 1, nj = j + 1;
    while (ni < lower.size() && IsContinuation(lower[ni])) ++ni;
    while (nj < upper.size() && IsContinuation(upper[nj])) ++nj;
    if (word_start) out.append(upper.substr(j, nj - j));
    else out.append(lower.substr(i, ni - i));
    word_start = lower[i] == ' ';
    i = ni;
    j = nj;
  }
  return out;
}

// Splits into code points, the last piece taking the rest once max_splits is reached.
arrow::Result<std::shared_ptr<arrow::Array>> SplitChars(const KernelCall& call) {
  int64_t max_splits = -1;
  if (call.options != nullptr && std::string_view(call.options->type_name()) == "SplitOptions") {
    max_splits = static_cast<const cp::SplitOptions*>(call.options)->max_splits;
  }
  arrow::ListBuilder builder(call.pool, std::make_shared<arrow::StringBuilder>(call.pool));
  auto* values = checked_cast<arrow::StringBuilder*>(builder.value_builder());
  const auto& str = Str(call, 0);
  for (int64_t i = 0; i < call.length; ++i) {
    if (str.IsNull(i)) {
      ARROW_RETURN_NOT_OK(builder.AppendNull());
      continue;
    }
    ARROW_RETURN_NOT_OK(builder.Append());
    std::string_view s = str.GetView(i);
    if (s.empty()) {
      ARROW_RETURN_NOT_OK(values->Append(""));
      continue;
    }
    int64_t pieces = 0;
    size_t pos = 0;
    while (pos < s.size()) {
      if (max_splits >= 0 && pieces == max_splits) {
        ARROW_RETURN_NOT_OK(values->Append(s.substr(pos)));
        break;
      }
      size_t next = pos + 1;
      while (next < s.size() && IsContinuation(s[next])) ++next;
      ARROW_RETURN_NOT_OK(values->Append(s.substr(pos, next - pos)));
      ++pieces;
      pos = next;
    }
  }
  return builder.Finish();
}

// ---------------------------------------------------------------------------------------------
// LIKE with a pattern per row

struct LikeToken {
  enum Kind { kChar, kOne, kAny } kind;
  std::string_view text;  // kChar: one code point
};

arrow::Result<std::vector<LikeToken>> CompileLike(std::string_view pattern, char escape) {
  std::vector<LikeToken> tokens;
  for (size_t i = 0; i < pattern.size();) {
    size_t next = i + 1;
    while (next < pattern.size() && IsContinuation(pattern[next])) ++next;
    const char c = pattern[i];
    if (c == escape && next - i == 1) {
      if (next >= pattern.size()) {
        return arrow::Status::Invalid("the LIKE pattern '", pattern, "' ends with the escape character");
      }
      const char e = pattern[next];
      if (e != '_' && e != '%' && e != escape) {
        return arrow::Status::Invalid("the LIKE pattern '", pattern,
                                      "' is invalid: the escape character is not allowed to precede '",
                                      std::string(1, e), "'");
      }
      tokens.push_back({LikeToken::kChar, pattern.substr(next, 1)});
      i = next + 1;
      continue;
    }
    if (c == '%') tokens.push_back({LikeToken::kAny, {}});
    else if (c == '_') tokens.push_back({LikeToken::kOne, {}});
    else tokens.push_back({LikeToken::kChar, pattern.substr(i, next - i)});
    i = next;
  }
  return tokens;
}

bool LikeMatch(std::string_view s, const std::vector<LikeToken>& tokens) {
  // Greedy wildcard matching with backtracking to the last '%'.
  size_t si = 0, ti = 0;
  size_t star_t = std::string::npos, star_s = 0;
  auto next_char = [&](size_t pos) {
    size_t n = pos + 1;
    while (n < s.size() && IsContinuation(s[n])) ++n;
    return n;
  };
  while (si < s.size()) {
    if (ti < tokens.size() && tokens[ti].kind == LikeToken::kOne) {
      si = next_char(si);
      ++ti;
    } else if (ti < tokens.size() && tokens[ti].kind == LikeToken::kChar &&
               s.compare(si, tokens[ti].text.size(), tokens[ti].text) == 0) {
      si += tokens[ti].text.size();
      ++ti;
    } else if (ti < tokens.size() && tokens[ti].kind == LikeToken::kAny) {
      star_t = ti++;
      star_s = si;
    } else if (star_t != std::string::npos) {
      ti = star_t + 1;
      star_s = next_char(star_s);
      si = star_s;
    } else {
      return false;
    }
  }
  while (ti < tokens.size() && tokens[ti].kind == LikeToken::kAny) ++ti;
  return ti == tokens.size();
}

std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

arrow::Result<std::shared_ptr<arrow::Array>> Like(const KernelCall& call) {
  char escape = '\\';
  bool ignore_case = false;
  if (call.options != nullptr && std::string_view(call.options->type_name()) == "MatchSubstringOptions") {
    const auto* o = static_cast<const cp::MatchSubstringOptions*>(call.options);
    if (!o->pattern.empty()) escape = o->pattern[0];
    ignore_case = o->ignore_case;
  }
  const auto& str = Str(call, 0);
  const auto& pattern = Str(call, 1);
  arrow::BooleanBuilder builder(call.pool);
  ARROW_RETURN_NOT_OK(builder.Reserve(call.length));
  for (int64_t i = 0; i < call.length; ++i) {
    if (str.IsNull(i) || pattern.IsNull(i)) {
      builder.UnsafeAppendNull();
      continue;
    }
    std::string p(pattern.GetView(i)), s(str.GetView(i));
    if (ignore_case) {
      p = AsciiLower(p);
      s = AsciiLower(s);
    }
    ARROW_ASSIGN_OR_RAISE(auto tokens, CompileLike(p, escape));
    builder.UnsafeAppend(LikeMatch(s, tokens));
  }
  return builder.Finish();
}

// ---------------------------------------------------------------------------------------------

arrow::Result<std::shared_ptr<arrow::Array>> ConcatWs(const KernelCall& call) {
  arrow::StringBuilder builder(call.pool);
  const auto& sep = Str(call, 0);
  for (int64_t i = 0; i < call.length; ++i) {
    if (sep.IsNull(i)) {
      ARROW_RETURN_NOT_OK(builder.AppendNull());
      continue;
    }
    std::string out;
    bool first = true;
    auto add = [&](std::string_view piece) {
      if (!first) out += sep.GetView(i);
      out += piece;
      first = false;
    };
    for (size_t a = 1; a < call.args.size(); ++a) {
      const arrow::Array& arg = *call.args[a];
      if (arg.IsNull(i)) continue;
      if (arg.type_id() == arrow::Type::LIST) {
        const auto& list = checked_cast<const arrow::ListArray&>(arg);
        const auto& values = checked_cast<const arrow::StringArray&>(*list.values());
        for (int64_t j = list.value_offset(i); j < list.value_offset(i + 1); ++j) {
          if (!values.IsNull(j)) add(values.GetView(j));
        }
      } else {
        add(checked_cast<const arrow::StringArray&>(arg).GetView(i));
      }
    }
    ARROW_RETURN_NOT_OK(builder.Append(out));
  }
  return builder.Finish();
}

const arrow::BinaryArray& Bin(const KernelCall& call, size_t i) {
  return checked_cast<const arrow::BinaryArray&>(*call.args[i]);
}

arrow::Result<std::shared_ptr<arrow::Array>> Sha2(const KernelCall& call) {
  arrow::StringBuilder builder(call.pool);
  for (int64_t i = 0; i < call.length; ++i) {
    const int32_t bits = AnyNull(call, i) ? -1 : Int(call, 1).Value(i);
    if (bits != 0 && bits != 224 && bits != 256 && bits != 384 && bits != 512) {
      ARROW_RETURN_NOT_OK(builder.AppendNull());
    } else {
      ARROW_RETURN_NOT_OK(builder.Append(Sha2Hex(Bin(call, 0).GetView(i), bits == 0 ? 256 : bits)));
    }
  }
  return builder.Finish();
}

}  // namespace

arrow::Status RegisterStringKernels(cp::FunctionRegistry* registry) {
  const auto utf8 = FixedOutput(arrow::utf8());
  const auto int32 = FixedOutput(arrow::int32());
  const auto boolean = FixedOutput(arrow::boolean());
  ARROW_RETURN_NOT_OK(RegisterKernel(registry, "tidelake_substring", cp::Arity::Ternary(), utf8, [](const KernelCall& c) {
    return MapStrings(c, [&](int64_t i) { return SubstringSql(Str(c, 0).GetView(i), Int(c, 1).Value(i), Int(c, 2).Value(i)); });
  }));
  ARROW_RETURN_NOT_OK(RegisterKernel(registry, "tidelake_left", cp::Arity::Binary(), utf8, [](const KernelCall& c) {
    return MapStrings(c, [&](int64_t i) { return SubstringSql(Str(c, 0).GetView(i), 1, Int(c, 1).Value(i)); });
  }));
  ARROW_RETURN_NOT_OK(RegisterKernel(registry, "tidelake_right", cp::Arity::Binary(), utf8, [](const KernelCall& c) {
    return MapStrings(c, [&](int64_t i) {
      const int64_t n = Int(c, 1).Value(i);
      return n <= 0 ? std::string_view() : SubstringSql(Str(c, 0).GetView(i), -n, std::numeric_limits<int32_t>::max());
    });
  }));
  for (bool left : {true, false}) {
    ARROW_RETURN_NOT_OK(RegisterKernel(registry, left ? "tidelake_lpad" : "tidelake_rpad", cp::Arity::Ternary(), utf8,
                                       [left](const KernelCall& c) {
                                         return MapStrings(c, [&](int64_t i) {
                                           return Pad(Str(c, 0).GetView(i), Int(c, 1).Value(i), Str(c, 2).GetView(i), left);
                                         });
                                       }));
  }
  ARROW_RETURN_NOT_OK(RegisterKernel(registry, "tidelake_replace", cp::Arity::Ternary(), utf8, [](const KernelCall& c) {
    return MapStrings(c, [&](int64_t i) { return ReplaceAll(Str(c, 0).GetView(i), Str(c, 1).GetView(i), Str(c, 2).GetView(i)); });
  }));
  ARROW_RETURN_NOT_OK(RegisterKernel(registry, "tidelake_instr", cp::Arity::Binary(), int32, [](const KernelCall& c) {
    return MapValues<arrow::Int32Builder>(c, [&](int64_t i) {
      const auto needle = Str(c, 1).GetView(i);
      return static_cast<int32_t>(needle.empty() ? 1 : CharIndexOf(Str(c, 0).GetView(i), needle, 0) + 1);
    });
  }));
  ARROW_RETURN_NOT_OK(RegisterKernel(registry, "tidelake_locate", cp::Arity::Ternary(), int32,
                                     [](const KernelCall& c) -> arrow::Result<std::shared_ptr<arrow::Array>> {
    arrow::Int32Builder builder(c.pool);
    for (int64_t i = 0; i < c.length; ++i) {
      if (c.args[2]->IsNull(i)) {  // a NULL start position gives 0 (as Hive)
        ARROW_RETURN_NOT_OK(builder.Append(0));
      } else if (c.args[0]->IsNull(i) || c.args[1]->IsNull(i)) {
        ARROW_RETURN_NOT_OK(builder.AppendNull());
      } else {
        const int32_t pos = Int(c, 2).Value(i);
        const auto needle = Str(c, 0).GetView(i);
        int32_t r = 0;
        if (pos >= 1) r = needle.empty() ? 1 : static_cast<int32_t>(CharIndexOf(Str(c, 1).GetView(i), needle, pos - 1) + 1);
        ARROW_RETURN_NOT_OK(builder.Append(r));
      }
    }
    return builder.Finish();
  }));
  ARROW_RETURN_NOT_OK(RegisterKernel(registry, "tidelake_concat_ws", cp::Arity::VarArgs(1), utf8, ConcatWs));
  ARROW_RETURN_NOT_OK(RegisterKernel(registry, "tidelake_initcap", cp::Arity::Binary(), utf8, [](const KernelCall& c) {
    return MapStrings(c, [&](int64_t i) { return Initcap(Str(c, 0).GetView(i), Str(c, 1).GetView(i)); });
  }));
  ARROW_RETURN_NOT_OK(RegisterKernel(registry, "tidelake_starts_with", cp::Arity::Binary(), boolean, [](const KernelCall& c) {
    return MapValues<arrow::BooleanBuilder>(c, [&](int64_t i) { return Str(c, 0).GetView(i).substr(0, Str(c, 1).GetView(i).size()) == Str(c, 1).GetView(i); });
  }));
  ARROW_RETURN_NOT_OK(RegisterKernel(registry, "tidelake_ends_with", cp::Arity::Binary(), boolean, [](const KernelCall& c) {
    return MapValues<arrow::BooleanBuilder>(c, [&](int64_t i) {
      const auto s = Str(c, 0).GetView(i), suffix = Str(c, 1).GetView(i);
      return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
    });
  }));
  ARROW_RETURN_NOT_OK(RegisterKernel(registry, "tidelake_contains", cp::Arity::Binary(), boolean, [](const KernelCall& c) {
    return MapValues<arrow::BooleanBuilder>(c, [&](int64_t i) { return Str(c, 0).GetView(i).find(Str(c, 1).GetView(i)) != std::string_view::npos; });
  }));
  ARROW_RETURN_NOT_OK(RegisterKernel(registry, "tidelake_split_chars", cp::Arity::Unary(),
                                     FixedOutput(arrow::list(arrow::utf8())), SplitChars));
  ARROW_RETURN_NOT_OK(RegisterKernel(registry, "tidelake_md5", cp::Arity::Unary(), utf8, [](const KernelCall& c) {
    return MapStrings(c, [&](int64_t i) { return Md5Hex(Bin(c, 0).GetView(i)); });
  }));
  ARROW_RETURN_NOT_OK(RegisterKernel(registry, "tidelake_sha1", cp::Arity::Unary(), utf8, [](const KernelCall& c) {
    return MapStrings(c, [&](int64_t i) { return Sha1Hex(Bin(c, 0).GetView(i)); });
  }));
  ARROW_RETURN_NOT_OK(RegisterKernel(registry, "tidelake_sha2", cp::Arity::Binary(), utf8, Sha2));
  return RegisterKernel(registry, "tidelake_like", cp::Arity::Binary(), boolean, Like);
}

}  // namespace tidelake::plan::internal
