#include "plan/logical_plan.h"

namespace tidelake::plan {

std::string UniqueName(const std::string& name, int64_t id) { return name + "#" + std::to_string(id); }

std::string DisplayName(const std::string& unique_name) {
  auto hash = unique_name.rfind('#');
  if (hash == std::string::npos) return unique_name;
  return unique_name.substr(0, hash);
}

}  // namespace tidelake::plan
