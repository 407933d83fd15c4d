#include "sql/scope.h"

#include <algorithm>
#include <cctype>

namespace tidelake::sql {

bool NamesEqual(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

namespace {

// True when `qualifier` (as written) names the column's relation: it must equal the last parts
// of the column's qualifier ("t" matches {"raw", "t"}).
bool QualifierMatches(const ScopeColumn& column, const std::vector<std::string>& qualifier, size_t count) {
  if (count == 0) return true;
  if (count > column.qualifier.size()) return false;
  size_t skip = column.qualifier.size() - count;
  for (size_t i = 0; i < count; ++i) {
    if (!NamesEqual(column.qualifier[skip + i], qualifier[i])) return false;
  }
  return true;
}

std::string Describe(const ScopeColumn& c) {
  std::string out;
  for (const auto& q : c.qualifier) out += q + ".";
  return out + c.name;
}

std::string Join(const std::vector<std::string>& parts, size_t n) {
  std::string out;
  for (size_t i = 0; i < n && i < parts.size(); ++i) {
    if (i) out += '.';
    out += parts[i];
  }
  return out;
}

}  // namespace

arrow::Result<ResolvedColumn> ResolveColumn(const Scope& scope, const std::vector<std::string>& parts) {
  int depth = 0;
  for (const Scope* s = &scope; s != nullptr; s = s->outer, ++depth) {
    // Try the longest qualifier first: in "a.b.c", (a.b).c before a.(b.c) before (a).b.c.
    for (size_t qualifier_len = std::min<size_t>(parts.size() - 1, 3) + 1; qualifier_len-- > 0;) {
      if (qualifier_len >= parts.size()) continue;
      std::vector<const ScopeColumn*> matches;
      for (const auto& column : s->columns) {
        if (NamesEqual(column.name, parts[qualifier_len]) && QualifierMatches(column, parts, qualifier_len)) {
          matches.push_back(&column);
        }
      }
      if (matches.empty()) continue;
      // A hidden duplicate (USING) never makes a name ambiguous.
      if (matches.size() > 1) {
        std::vector<const ScopeColumn*> visible;
        for (const auto* m : matches) {
          if (!m->hidden) visible.push_back(m);
        }
        if (visible.size() == 1) matches = visible;
      }
      if (matches.size() > 1) {
        std::string names;
        for (const auto* m : matches) names += (names.empty() ? "" : ", ") + Describe(*m);
        return arrow::Status::Invalid("column '", Join(parts, qualifier_len + 1), "' is ambiguous (", names, ")");
      }
      ResolvedColumn out{matches.front(), depth, {}};
      out.fields.assign(parts.begin() + static_cast<long>(qualifier_len) + 1, parts.end());
      return out;
    }
  }
  return arrow::Status::Invalid("column '", Join(parts, parts.size()), "' not found");
}

arrow::Result<std::vector<const ScopeColumn*>> ExpandStar(const Scope& scope,
                                                          const std::vector<std::string>& qualifier) {
  std::vector<const ScopeColumn*> out;
  for (const auto& column : scope.columns) {
    if (column.hidden) continue;
    if (QualifierMatches(column, qualifier, qualifier.size())) out.push_back(&column);
  }
  if (out.empty() && !qualifier.empty()) {
    return arrow::Status::Invalid("'", Join(qualifier, qualifier.size()), ".*' matches no table in FROM");
  }
  return out;
}

void Requalify(Scope* scope, const std::string& alias) {
  for (auto& column : scope->columns) column.qualifier = {alias};
}

}  // namespace tidelake::sql
