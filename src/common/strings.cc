#include "common/strings.h"

#include <cctype>
#include <limits>

namespace tidelake {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

arrow::Result<int64_t> ParseByteSize(const std::string& text) {
  size_t i = 0;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i;
  std::string unit;
  for (size_t j = i; j < text.size(); ++j) {
    if (!std::isspace(static_cast<unsigned char>(text[j]))) unit += static_cast<char>(std::toupper(static_cast<unsigned char>(text[j])));
  }
  int shift = -1;
  if (unit.empty() || unit == "B") shift = 0;
  if (unit == "K" || unit == "KB" || unit == "KIB") shift = 10;
  if (unit == "M" || unit == "MB" || unit == "MIB") shift = 20;
  if (unit == "G" || unit == "GB" || unit == "GIB") shift = 30;
  if (unit == "T" || unit == "TB" || unit == "TIB") shift = 40;
  if (i == 0 || i > 12 || shift < 0) {
    return arrow::Status::Invalid("memory size '", text, "': expected a number of bytes with an optional unit (KB, MB, GB, TB)");
  }
  int64_t value = std::stoll(text.substr(0, i));
  if (value > (std::numeric_limits<int64_t>::max() >> shift)) return arrow::Status::Invalid("memory size '", text, "' is too large");
  return value << shift;
}

}  // namespace tidelake
