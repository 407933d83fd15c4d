#include "plan/kernels_datetime_text.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>
#include <limits>

namespace tidelake::plan::internal {

// ---------------------------------------------------------------------------------------------
// Calendar arithmetic (proleptic Gregorian; the algorithms of H. Hinnant's "chrono-compatible
// low-level date algorithms", written out here).

int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

int64_t FloorMod(int64_t a, int64_t b) { return a - FloorDiv(a, b) * b; }

int64_t DaysFromCivil(int64_t year, int month, int day) {
  year -= month <= 2 ? 1 : 0;
  const int64_t era = FloorDiv(year, 400);
  const int64_t yoe = year - era * 400;
  const int64_t doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

CivilDate CivilFromDays(int64_t days) {
  days += 719468;
  const int64_t era = FloorDiv(days, 146097);
  const int64_t doe = days - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  CivilDate c;
  c.day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  c.month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  c.year = yoe + era * 400 + (c.month <= 2 ? 1 : 0);
  return c;
}

bool IsLeapYear(int64_t year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

int DaysInMonth(int64_t year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month == 2 && IsLeapYear(year)) return 29;
  return kDays[month - 1];
}

int IsoDayOfWeek(int64_t days) { return static_cast<int>(FloorMod(days + 3, 7)) + 1; }

int64_t AddMonthsToDays(int64_t days, int64_t months) {
  const CivilDate c = CivilFromDays(days);
  const int64_t total = c.year * 12 + (c.month - 1) + months;
  const int64_t year = FloorDiv(total, 12);
  const int month = static_cast<int>(FloorMod(total, 12)) + 1;
  return DaysFromCivil(year, month, std::min(c.day, DaysInMonth(year, month)));
}

namespace {

constexpr int64_t kMaxDays = std::numeric_limits<int64_t>::max() / kMicrosPerDay - 1;

constexpr std::array<const char*, 12> kMonthNames = {"January", "February", "March",     "April",   "May",      "June",
                                                     "July",    "August",   "September", "October", "November", "December"};
constexpr std::array<const char*, 7> kDayNames = {"Monday", "Tuesday", "Wednesday", "Thursday",
                                                  "Friday", "Saturday", "Sunday"};

std::string_view Trim(std::string_view s) {
  while (!s.empty() && static_cast<unsigned char>(s.front()) <= ' ') s.remove_prefix(1);
  while (!s.empty() && static_cast<unsigned char>(s.back()) <= ' ') s.remove_suffix(1);
  return s;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Reads between min and max digits at *pos.
bool ReadDigits(std::string_view s, size_t* pos, int min, int max, int64_t* value) {
  int n = 0;
  int64_t v = 0;
  while (*pos < s.size() && n < max && IsDigit(s[*pos])) {
    v = v * 10 + (s[*pos] - '0');
    ++*pos;
    ++n;
  }
  *value = v;
  return n >= min;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  }
  return true;
}

bool StartsWithIgnoreCase(std::string_view s, size_t pos, std::string_view prefix) {
  return s.size() - pos >= prefix.size() && EqualsIgnoreCase(s.substr(pos, prefix.size()), prefix);
}

// A signed offset "+h", "+hh", "+hh:mm", "+hhmm", "+hh:mm:ss" at *pos; seconds east of UTC.
bool ReadOffset(std::string_view s, size_t* pos, int64_t* seconds) {
  if (*pos >= s.size() || (s[*pos] != '+' && s[*pos] != '-')) return false;
  const int sign = s[*pos] == '-' ? -1 : 1;
  ++*pos;
  int64_t h = 0, m = 0, sec = 0;
  if (!ReadDigits(s, pos, 1, 2, &h)) return false;
  if (*pos < s.size() && (s[*pos] == ':' || IsDigit(s[*pos]))) {
    if (s[*pos] == ':') ++*pos;
    if (!ReadDigits(s, pos, 2, 2, &m)) return false;
    if (*pos < s.size() && (s[*pos] == ':' || IsDigit(s[*pos]))) {
      if (s[*pos] == ':') ++*pos;
      if (!ReadDigits(s, pos, 2, 2, &sec)) return false;
    }
  }
  if (h > 18 || m > 59 || sec > 59) return false;
  *seconds = sign * (h * 3600 + m * 60 + sec);
  return true;
}

// A zone: an offset, or a UTC name optionally followed by an offset. Seconds east of UTC.
bool ReadZone(std::string_view s, size_t* pos, int64_t* seconds) {
  *seconds = 0;
  if (*pos < s.size() && (s[*pos] == '+' || s[*pos] == '-')) return ReadOffset(s, pos, seconds);
  for (std::string_view name : {"Etc/UTC", "Etc/GMT", "UTC", "GMT", "UT", "Z"}) {
    if (StartsWithIgnoreCase(s, *pos, name)) {
      *pos += name.size();
      if (name != "Z" && *pos < s.size() && (s[*pos] == '+' || s[*pos] == '-')) return ReadOffset(s, pos, seconds);
      return true;
    }
  }
  return false;
}

// The date part shared by dates and timestamps. On success *pos is just past the day (or the
// year/month when the text ends there).
bool ReadDatePart(std::string_view s, size_t* pos, int64_t* days) {
  int sign = 1;
  if (*pos < s.size() && (s[*pos] == '+' || s[*pos] == '-')) {
    sign = s[*pos] == '-' ? -1 : 1;
    ++*pos;
  }
  int64_t year = 0, month = 1, day = 1;
  if (!ReadDigits(s, pos, 4, 7, &year)) return false;
  if (*pos < s.size() && IsDigit(s[*pos])) return false;
  year *= sign;
  if (*pos < s.size() && s[*pos] == '-') {
    ++*pos;
    if (!ReadDigits(s, pos, 1, 2, &month)) return false;
    if (*pos < s.size() && s[*pos] == '-') {
      ++*pos;
      if (!ReadDigits(s, pos, 1, 2, &day)) return false;
    } else if (*pos < s.size()) {
      return false;
    }
  } else if (*pos < s.size()) {
    return false;
  }
  if (month < 1 || month > 12 || day < 1 || day > DaysInMonth(year, static_cast<int>(month))) return false;
  *days = DaysFromCivil(year, static_cast<int>(month), static_cast<int>(day));
  return *days >= -kMaxDays && *days <= kMaxDays;
}

std::string Pad(int64_t v, int width) {
  std::string digits = std::to_string(v < 0 ? -v : v);
  if (static_cast<int>(digits.size()) < width) digits.insert(0, width - digits.size(), '0');
  return v < 0 ? "-" + digits : digits;
}

std::string YearText(int64_t year) {
  if (year > 9999) return "+" + std::to_string(year);
  return Pad(year, 4);
}

}  // namespace

std::optional<int32_t> ParseDateText(std::string_view text) {
  std::string_view s = Trim(text);
  // Everything after the day and a ' ' or 'T' is ignored, as Spark does.
  size_t cut = s.size();
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == ' ' || s[i] == 'T') {
      cut = i;
      break;
    }
  }
  std::string_view date = s.substr(0, cut);
  size_t pos = 0;
  int64_t days = 0;
  if (!ReadDatePart(date, &pos, &days) || pos != date.size()) return std::nullopt;
  // A cut after only a year or year-month is not a date form Spark accepts.
  if (cut != s.size() && std::count(date.begin(), date.end(), '-') - (date[0] == '-' ? 1 : 0) != 2) {
    return std::nullopt;
  }
  if (days < std::numeric_limits<int32_t>::min() || days > std::numeric_limits<int32_t>::max()) return std::nullopt;
  return static_cast<int32_t>(days);
}

std::optional<int64_t> ParseTimestampText(std::string_view text, bool ntz) {
  std::string_view s = Trim(text);
  size_t cut = s.size();
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == ' ' || s[i] == 'T') {
      cut = i;
      break;
    }
  }
  std::string_view date = s.substr(0, cut);
  size_t pos = 0;
  int64_t days = 0;
  if (date.empty() || !ReadDatePart(date, &pos, &days) || pos != date.size()) return std::nullopt;
  int64_t h = 0, m = 0, sec = 0, fraction = 0, offset = 0;
  pos = cut;
  if (pos < s.size()) {
    ++pos;  // ' ' or 'T'
    if (pos < s.size() && IsDigit(s[pos])) {
      if (!ReadDigits(s, &pos, 1, 2, &h)) return std::nullopt;
      if (pos < s.size() && s[pos] == ':') {
        ++pos;
        if (!ReadDigits(s, &pos, 1, 2, &m)) return std::nullopt;
        if (pos < s.size() && s[pos] == ':') {
          ++pos;
          if (!ReadDigits(s, &pos, 1, 2, &sec)) return std::nullopt;
          if (pos < s.size() && s[pos] == '.') {
            ++pos;
            int digits = 0;
            while (pos < s.size() && IsDigit(s[pos])) {
              if (digits < 6) fraction = fraction * 10 + (s[pos] - '0');
              ++digits;
              ++pos;
            }
            for (int i = std::min(digits, 6); i < 6; ++i) fraction *= 10;
          }
        }
      }
    }
    while (pos < s.size() && s[pos] == ' ') ++pos;
    if (pos < s.size()) {
      if (!ReadZone(s, &pos, &offset) || pos != s.size()) return std::nullopt;
    }
  }
  if (h > 23 || m > 59 || sec > 59) return std::nullopt;
  if (ntz) offset = 0;
  return days * kMicrosPerDay + ((h * 60 + m) * 60 + sec - offset) * kMicrosPerSecond + fraction;
}

std::string FormatDateText(int64_t days) {
  const CivilDate c = CivilFromDays(days);
  return YearText(c.year) + "-" + Pad(c.month, 2) + "-" + Pad(c.day, 2);
}

std::string FormatTimestampText(int64_t micros) {
  const int64_t days = FloorDiv(micros, kMicrosPerDay);
  int64_t rest = micros - days * kMicrosPerDay;
  const int64_t fraction = rest % kMicrosPerSecond;
  rest /= kMicrosPerSecond;
  std::string out = FormatDateText(days) + " " + Pad(rest / 3600, 2) + ":" + Pad(rest / 60 % 60, 2) + ":" +
                    Pad(rest % 60, 2);
  if (fraction != 0) {
    std::string f = Pad(fraction, 6);
    while (f.back() == '0') f.pop_back();
    out += "." + f;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Spark datetime patterns

arrow::Result<DatetimePattern> DatetimePattern::Compile(std::string_view pattern) {
  DatetimePattern out;
  out.pattern_ = std::string(pattern);
  auto error = [&](const std::string& why) {
    return arrow::Status::Invalid("invalid datetime pattern '", pattern, "': ", why);
  };
  auto literal = [&](std::string text) {
    if (!out.tokens_.empty() && out.tokens_.back().kind == Token::Kind::kLiteral) {
      out.tokens_.back().text += text;
    } else {
      Token t;
      t.kind = Token::Kind::kLiteral;
      t.text = std::move(text);
      out.tokens_.push_back(std::move(t));
    }
  };
  int depth = 0;
  for (size_t i = 0; i < pattern.size();) {
    const char c = pattern[i];
    if (c == '\'') {
      size_t j = i + 1;
      std::string text;
      bool closed = false;
      while (j < pattern.size()) {
        if (pattern[j] == '\'') {
          if (j + 1 < pattern.size() && pattern[j + 1] == '\'') {
            text.push_back('\'');
            j += 2;
            continue;
          }
          closed = true;
          break;
        }
        text.push_back(pattern[j++]);
      }
      if (!closed) return error("unterminated quote");
      if (j == i + 1) text = "'";  // '' is a quote
      literal(std::move(text));
      i = j + 1;
    } else if (c == '[' || c == ']') {
      if (c == ']' && depth == 0) return error("']' without '['");
      depth += c == '[' ? 1 : -1;
      Token t;
      t.kind = c == '[' ? Token::Kind::kOptionalStart : Token::Kind::kOptionalEnd;
      out.tokens_.push_back(t);
      ++i;
    } else if (std::isalpha(static_cast<unsigned char>(c))) {
      size_t j = i;
      while (j < pattern.size() && pattern[j] == c) ++j;
      const int count = static_cast<int>(j - i);
      int max = 0;
      switch (c) {
        case 'y': max = 10; break;
        case 'M': case 'L': case 'E': case 'Q': case 'q': case 'G': case 'z': case 'O': max = 4; break;
        case 'd': case 'H': case 'h': case 'K': case 'k': case 'm': case 's': case 'V': max = 2; break;
        case 'D': max = 3; break;
        case 'S': max = 9; break;
        case 'a': max = 1; break;
        case 'X': case 'x': case 'Z': max = 5; break;
        case 'Y': case 'w': case 'W': case 'u': case 'e': case 'c': case 'F':
          return error(std::string("week-based pattern letter '") + c + "' is not supported");
        default:
          return error(std::string("unknown pattern letter '") + c + "'");
      }
      if (count > max) return error("too many pattern letters '" + std::string(count, c) + "'");
      if (c == 'V' && count != 2) return error("pattern letter 'V' must be 'VV'");
      Token t;
      t.kind = Token::Kind::kField;
      t.letter = c;
      t.count = count;
      out.tokens_.push_back(t);
      i = j;
    } else {
      literal(std::string(1, c));
      ++i;
    }
  }
  if (depth != 0) return error("'[' without ']'");
  return out;
}

std::string DatetimePattern::Format(int64_t micros) const {
  const int64_t days = FloorDiv(micros, kMicrosPerDay);
  const int64_t in_day = micros - days * kMicrosPerDay;
  const CivilDate c = CivilFromDays(days);
  const int64_t hour = in_day / (3600 * kMicrosPerSecond);
  const int64_t minute = in_day / (60 * kMicrosPerSecond) % 60;
  const int64_t second = in_day / kMicrosPerSecond % 60;
  const int64_t fraction = in_day % kMicrosPerSecond;
  const int64_t day_of_year = days - DaysFromCivil(c.year, 1, 1) + 1;
  const int quarter = (c.month - 1) / 3 + 1;
  std::string out;
  for (const Token& t : tokens_) {
    if (t.kind == Token::Kind::kLiteral) {
      out += t.text;
      continue;
    }
    if (t.kind != Token::Kind::kField) continue;
    const int n = t.count;
    switch (t.letter) {
      case 'G': out += c.year > 0 ? "AD" : "BC"; break;
      case 'y': out += n == 2 ? Pad(FloorMod(c.year, 100), 2) : Pad(c.year, n); break;
      case 'D': out += Pad(day_of_year, n); break;
      case 'M': case 'L':
        if (n <= 2) out += Pad(c.month, n);
        else if (n == 3) out += std::string(kMonthNames[c.month - 1]).substr(0, 3);
        else out += kMonthNames[c.month - 1];
        break;
      case 'd': out += Pad(c.day, n); break;
      case 'Q': case 'q':
        if (n <= 2) out += Pad(quarter, n);
        else if (n == 3) out += "Q" + std::to_string(quarter);
        else out += std::to_string(quarter) + (quarter == 1 ? "st" : quarter == 2 ? "nd" : quarter == 3 ? "rd" : "th") + " quarter";
        break;
      case 'E': {
        const std::string name = kDayNames[IsoDayOfWeek(days) - 1];
        out += n <= 3 ? name.substr(0, 3) : name;
        break;
      }
      case 'a': out += hour < 12 ? "AM" : "PM"; break;
      case 'h': out += Pad(hour % 12 == 0 ? 12 : hour % 12, n); break;
      case 'K': out += Pad(hour % 12, n); break;
      case 'k': out += Pad(hour == 0 ? 24 : hour, n); break;
      case 'H': out += Pad(hour, n); break;
      case 'm': out += Pad(minute, n); break;
      case 's': out += Pad(second, n); break;
      case 'S': out += Pad(fraction * 1000, 9).substr(0, static_cast<size_t>(n)); break;
      case 'V': out += "UTC"; break;
      case 'z': out += n <= 3 ? "UTC" : "Coordinated Universal Time"; break;
      case 'O': out += "GMT"; break;
      case 'X': out += "Z"; break;
      case 'x': out += n == 1 ? "+00" : (n == 3 || n == 5) ? "+00:00" : "+0000"; break;
      case 'Z': out += n <= 3 ? "+0000" : n == 4 ? "GMT" : "Z"; break;
      default: break;
    }
  }
  return out;
}

namespace {

struct ParsedFields {
  std::optional<int64_t> year, month, day, day_of_year, hour24, hour12, hour_k, hour_K, minute, second, ampm;
  int64_t fraction = 0;  // micros
  int64_t offset = 0;    // seconds east of UTC
  bool bc = false;
};

bool IsNumericField(const DatetimePattern::Token& t) {
  if (t.kind != DatetimePattern::Token::Kind::kField) return false;
  switch (t.letter) {
    case 'M': case 'L': case 'Q': case 'q': return t.count <= 2;
    case 'y': case 'D': case 'd': case 'h': case 'K': case 'k': case 'H': case 'm': case 's': case 'S': return true;
    default: return false;
  }
}

// Matches the longest of `names` (or their first three letters when `abbreviated`) at *pos.
bool ReadName(std::string_view s, size_t* pos, const char* const* names, size_t n, bool abbreviated, int64_t* index) {
  size_t best = 0;
  for (size_t i = 0; i < n; ++i) {
    std::string name = abbreviated ? std::string(names[i]).substr(0, 3) : std::string(names[i]);
    if (name.size() > best && StartsWithIgnoreCase(s, *pos, name)) {
      best = name.size();
      *index = static_cast<int64_t>(i);
    }
  }
  if (best == 0) return false;
  *pos += best;
  return true;
}

class PatternParser {
 public:
  PatternParser(const std::vector<DatetimePattern::Token>& tokens, std::string_view text)
      : tokens_(tokens), s_(text) {}

  // Parses tokens [begin, end) from pos_; false with fail_pos_ set on a mismatch.
  bool ParseRange(size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i) {
      const auto& t = tokens_[i];
      using Kind = DatetimePattern::Token::Kind;
      if (t.kind == Kind::kOptionalStart) {
        size_t close = MatchingEnd(i);
        const size_t saved_pos = pos_;
        const ParsedFields saved = fields_;
        if (!ParseRange(i + 1, close)) {
          pos_ = saved_pos;
          fields_ = saved;
        }
        i = close;
        continue;
      }
      if (t.kind == Kind::kOptionalEnd) continue;
      const size_t start = pos_;
      if (!ParseToken(t, i + 1 < end ? &tokens_[i + 1] : nullptr)) {
        fail_pos_ = start;
        return false;
      }
    }
    return true;
  }

  size_t pos() const { return pos_; }
  size_t fail_pos() const { return fail_pos_; }
  const ParsedFields& fields() const { return fields_; }

 private:
  size_t MatchingEnd(size_t start) const {
    int depth = 0;
    for (size_t i = start; i < tokens_.size(); ++i) {
      if (tokens_[i].kind == DatetimePattern::Token::Kind::kOptionalStart) ++depth;
      if (tokens_[i].kind == DatetimePattern::Token::Kind::kOptionalEnd && --depth == 0) return i;
    }
    return tokens_.size();
  }

  bool Number(int min, int max, std::optional<int64_t>* out) {
    int64_t v = 0;
    if (!ReadDigits(s_, &pos_, min, max, &v)) return false;
    *out = v;
    return true;
  }

  bool ParseToken(const DatetimePattern::Token& t, const DatetimePattern::Token* next) {
    if (t.kind == DatetimePattern::Token::Kind::kLiteral) {
      if (!StartsWithIgnoreCase(s_, pos_, t.text)) return false;
      pos_ += t.text.size();
      return true;
    }
    const int n = t.count;
    const bool adjacent = next != nullptr && IsNumericField(*next);
    const int var_max = adjacent ? n : 2;  // a one-letter field followed by digits takes n digits
    int64_t index = 0;
    switch (t.letter) {
      case 'y':
        if (n == 2) {
          if (!Number(2, 2, &fields_.year)) return false;
          *fields_.year += 2000;
          return true;
        }
        return Number(adjacent ? std::max(n, 4) : n, adjacent ? std::max(n, 4) : 10, &fields_.year);
      case 'D': return Number(n, adjacent ? n : 3, &fields_.day_of_year);
      case 'M': case 'L':
        if (n <= 2) return Number(n, n == 2 ? 2 : var_max, &fields_.month);
        if (!ReadName(s_, &pos_, kMonthNames.data(), kMonthNames.size(), n == 3, &index)) return false;
        fields_.month = index + 1;
        return true;
      case 'd': return Number(n, n == 2 ? 2 : var_max, &fields_.day);
      case 'Q': case 'q': {
        std::optional<int64_t> q;
        if (n <= 2) return Number(n, n, &q);
        if (n == 3 && !StartsWithIgnoreCase(s_, pos_, "Q")) return false;
        if (n == 3) ++pos_;
        if (!Number(1, 1, &q)) return false;
        if (n == 4) {
          for (std::string_view suffix : {"st quarter", "nd quarter", "rd quarter", "th quarter"}) {
            if (StartsWithIgnoreCase(s_, pos_, suffix)) {
              pos_ += suffix.size();
              return true;
            }
          }
          return false;
        }
        return true;
      }
      case 'E':
        return ReadName(s_, &pos_, kDayNames.data(), kDayNames.size(), n <= 3, &index);
      case 'G':
        if (StartsWithIgnoreCase(s_, pos_, "AD")) {
          pos_ += 2;
          return true;
        }
        if (StartsWithIgnoreCase(s_, pos_, "BC")) {
          pos_ += 2;
          fields_.bc = true;
          return true;
        }
        return false;
      case 'a':
        if (StartsWithIgnoreCase(s_, pos_, "AM") || StartsWithIgnoreCase(s_, pos_, "PM")) {
          fields_.ampm = std::tolower(static_cast<unsigned char>(s_[pos_])) == 'p' ? 1 : 0;
          pos_ += 2;
          return true;
        }
        return false;
      case 'h': return Number(n, n == 2 ? 2 : var_max, &fields_.hour12);
      case 'K': return Number(n, n == 2 ? 2 : var_max, &fields_.hour_K);
      case 'k': return Number(n, n == 2 ? 2 : var_max, &fields_.hour_k);
      case 'H': return Number(n, n == 2 ? 2 : var_max, &fields_.hour24);
      case 'm': return Number(n, n == 2 ? 2 : var_max, &fields_.minute);
      case 's': return Number(n, n == 2 ? 2 : var_max, &fields_.second);
      case 'S': {
        int digits = 0;
        int64_t v = 0;
        while (pos_ < s_.size() && digits < n && IsDigit(s_[pos_])) {
          if (digits < 6) v = v * 10 + (s_[pos_] - '0');
          ++digits;
          ++pos_;
        }
        if (digits == 0 || (adjacent && digits < n)) return false;
        for (int i = std::min(digits, 6); i < 6; ++i) v *= 10;
        fields_.fraction = v;
        return true;
      }
      case 'X':
        if (pos_ < s_.size() && (s_[pos_] == 'Z' || s_[pos_] == 'z')) {
          ++pos_;
          fields_.offset = 0;
          return true;
        }
        return ReadOffset(s_, &pos_, &fields_.offset);
      case 'x': case 'Z':
        return ReadOffset(s_, &pos_, &fields_.offset);
      case 'V': case 'z': case 'O':
        return ReadZone(s_, &pos_, &fields_.offset);
      default:
        return false;
    }
  }

  const std::vector<DatetimePattern::Token>& tokens_;
  std::string_view s_;
  size_t pos_ = 0;
  size_t fail_pos_ = 0;
  ParsedFields fields_;
};

std::string RangeError(const char* field, const char* range, int64_t value) {
  return std::string("Invalid value for ") + field + " (valid values " + range + "): " + std::to_string(value);
}

}  // namespace

bool DatetimePattern::Parse(std::string_view text, int64_t* micros, std::string* error) const {
  const std::string quoted = "Text '" + std::string(text) + "' could not be parsed";
  PatternParser parser(tokens_, text);
  if (!parser.ParseRange(0, tokens_.size())) {
    *error = quoted + " at index " + std::to_string(parser.fail_pos());
    return false;
  }
  if (parser.pos() != text.size()) {
    *error = quoted + ", unparsed text found at index " + std::to_string(parser.pos());
    return false;
  }
  const ParsedFields& f = parser.fields();
  auto fail = [&](const std::string& why) {
    *error = quoted + ": " + why;
    return false;
  };
  int64_t year = f.year.value_or(1970);
  if (f.bc) year = 1 - year;
  int64_t days = 0;
  if (f.day_of_year && !f.month && !f.day) {
    const int64_t max = IsLeapYear(year) ? 366 : 365;
    if (*f.day_of_year < 1 || *f.day_of_year > max) {
      return fail(RangeError("DayOfYear", max == 366 ? "1 - 365/366" : "1 - 365/366", *f.day_of_year));
    }
    days = DaysFromCivil(year, 1, 1) + *f.day_of_year - 1;
  } else {
    const int64_t month = f.month.value_or(1);
    const int64_t day = f.day.value_or(1);
    if (month < 1 || month > 12) return fail(RangeError("MonthOfYear", "1 - 12", month));
    if (day < 1 || day > 31) return fail(RangeError("DayOfMonth", "1 - 28/31", day));
    if (day > DaysInMonth(year, static_cast<int>(month))) {
      std::string name = kMonthNames[month - 1];
      if (month == 2 && day == 29) {
        return fail("Invalid date 'February 29' as '" + std::to_string(year) + "' is not a leap year");
      }
      for (char& ch : name) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      return fail("Invalid date '" + name + " " + std::to_string(day) + "'");
    }
    days = DaysFromCivil(year, static_cast<int>(month), static_cast<int>(day));
  }
  int64_t hour = 0;
  const int64_t pm = f.ampm.value_or(0);
  if (f.hour24) {
    if (*f.hour24 > 23) return fail(RangeError("HourOfDay", "0 - 23", *f.hour24));
    hour = *f.hour24;
  } else if (f.hour12) {
    if (*f.hour12 < 1 || *f.hour12 > 12) return fail(RangeError("ClockHourOfAmPm", "1 - 12", *f.hour12));
    hour = *f.hour12 % 12 + 12 * pm;
  } else if (f.hour_K) {
    if (*f.hour_K > 11) return fail(RangeError("HourOfAmPm", "0 - 11", *f.hour_K));
    hour = *f.hour_K + 12 * pm;
  } else if (f.hour_k) {
    if (*f.hour_k < 1 || *f.hour_k > 24) return fail(RangeError("ClockHourOfDay", "1 - 24", *f.hour_k));
    hour = *f.hour_k % 24;
  }
  const int64_t minute = f.minute.value_or(0);
  const int64_t second = f.second.value_or(0);
  if (minute > 59) return fail(RangeError("MinuteOfHour", "0 - 59", minute));
  if (second > 59) return fail(RangeError("SecondOfMinute", "0 - 59", second));
  if (days < -kMaxDays || days > kMaxDays) return fail("the date is out of range");
  *micros = days * kMicrosPerDay + ((hour * 60 + minute) * 60 + second - f.offset) * kMicrosPerSecond + f.fraction;
  return true;
}

}  // namespace tidelake::plan::internal
