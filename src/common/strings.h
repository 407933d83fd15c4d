// Small string helpers every layer uses. Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace tidelake {

/// `s` with ASCII letters in lower case (SQL names and option keys match without regard to
/// case; other bytes, UTF-8 included, are kept as they are).
std::string Lower(std::string_view s);

}  // namespace tidelake
