#include "delta/interval.h"

#include <array>
#include <cctype>
#include <charconv>
#include <string>
#include <vector>

namespace tidelake::delta {

namespace {

constexpr int64_t kMicrosPerMilli = 1000;
constexpr int64_t kMicrosPerSecond = 1000 * kMicrosPerMilli;

struct Unit {
  std::string_view singular;
  int64_t micros;
};

constexpr std::array<Unit, 7> kUnits = {{
    {"microsecond", 1},
    {"millisecond", kMicrosPerMilli},
    {"second", kMicrosPerSecond},
    {"minute", 60 * kMicrosPerSecond},
    {"hour", 3600 * kMicrosPerSecond},
    {"day", 86400 * kMicrosPerSecond},
    {"week", 7 * 86400 * kMicrosPerSecond},
}};

std::vector<std::string> Tokens(std::string_view text) {
  std::vector<std::string> tokens;
  std::string current;
  for (char c : text) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      if (!current.empty()) tokens.push_back(std::move(current));
      current.clear();
    } else {
      current += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
  }
  if (!current.empty()) tokens.push_back(std::move(current));
  return tokens;
}

// Matches "day" and "days" and returns the unit's length, or nullptr.
const Unit* FindUnit(std::string_view token) {
  for (const auto& unit : kUnits) {
    if (token == unit.singular) return &unit;
    if (token.size() == unit.singular.size() + 1 && token.back() == 's' &&
        token.substr(0, unit.singular.size()) == unit.singular) {
      return &unit;
    }
  }
  return nullptr;
}

bool ParseUnsigned(std::string_view digits, int64_t* out) {
  if (digits.empty()) return false;
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), *out);
  return ec == std::errc() && ptr == digits.data() + digits.size();
}

}  // namespace

arrow::Result<int64_t> ParseIntervalMicros(std::string_view text) {
  auto invalid = [&](auto&&... what) {
    return arrow::Status::Invalid("invalid interval '", text, "': ", what...);
  };
  std::vector<std::string> tokens = Tokens(text);
  size_t i = 0;
  if (i < tokens.size() && tokens[i] == "interval") ++i;
  if (i == tokens.size()) {
    return invalid("expected '<number> <unit>', e.g. 'interval 7 days'");
  }
  int64_t total_micros = 0;
  for (; i < tokens.size(); i += 2) {
    std::string_view number = tokens[i];
    if (i + 1 == tokens.size()) return invalid("number '", number, "' has no unit");
    std::string_view unit_token = tokens[i + 1];
    if (unit_token.starts_with("month") || unit_token.starts_with("year")) {
      return invalid("months and years are not allowed, their length varies; use days or weeks");
    }
    const Unit* unit = FindUnit(unit_token);
    if (unit == nullptr) {
      return invalid("unknown unit '", unit_token,
                     "' (expected microsecond, millisecond, second, minute, hour, day or week)");
    }

    bool negative = false;
    std::string_view magnitude = number;
    if (!magnitude.empty() && (magnitude.front() == '-' || magnitude.front() == '+')) {
      negative = magnitude.front() == '-';
      magnitude.remove_prefix(1);
    }
    std::string_view whole = magnitude;
    std::string_view fraction;
    if (auto dot = magnitude.find('.'); dot != std::string_view::npos) {
      if (unit->micros != kMicrosPerSecond) {
        return invalid("'", number, "': a fraction is only allowed for seconds");
      }
      whole = magnitude.substr(0, dot);
      fraction = magnitude.substr(dot + 1);
      if (fraction.empty() || fraction.size() > 9) {
        return invalid("'", number, "' is not a number");
      }
    }
    int64_t whole_value = 0;
    int64_t fraction_value = 0;
    if (!ParseUnsigned(whole, &whole_value) ||
        (!fraction.empty() && !ParseUnsigned(fraction, &fraction_value))) {
      return invalid("'", number, "' is not a number");
    }
    // Seconds fractions are kept to the microsecond, as Spark does (extra digits truncated).
    int64_t fraction_micros = 0;
    if (!fraction.empty()) {
      std::string padded(fraction.substr(0, 6));
      padded.resize(6, '0');
      ParseUnsigned(padded, &fraction_micros);
    }
    int64_t micros = 0;
    if (__builtin_mul_overflow(whole_value, unit->micros, &micros) ||
        __builtin_add_overflow(micros, fraction_micros, &micros)) {
      return invalid("'", number, " ", unit_token, "' is too large");
    }
    if (negative) micros = -micros;
    if (__builtin_add_overflow(total_micros, micros, &total_micros)) {
      return invalid("the interval is too large");
    }
  }
  if (total_micros < 0) return invalid("the interval must not be negative");
  return total_micros;
}

arrow::Result<int64_t> ParseIntervalMillis(std::string_view text) {
  ARROW_ASSIGN_OR_RAISE(int64_t micros, ParseIntervalMicros(text));
  return micros / kMicrosPerMilli;
}

}  // namespace tidelake::delta
