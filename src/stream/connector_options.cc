#include "stream/connector_options.h"

#include <cctype>
#include <charconv>
#include <cmath>

#include "common/strings.h"
#include "delta/interval.h"
#include "delta/temporal_text.h"

namespace tidelake::stream {

namespace {

std::string Joined(ConnectorOptions::Names names) {
  std::string out;
  for (auto name : names) out += (out.empty() ? "" : " | ") + std::string(name);
  return out;
}

}  // namespace

ConnectorOptions::ConnectorOptions(const catalog::SourceDefinition& source, std::string title,
                                   std::string* bad_option)
    : title_(std::move(title)), source_name_(source.name.ToString()), bad_option_(bad_option) {
  // Keys differing only in case are one option given twice; CREATE SOURCE refuses that before.
  for (const auto& [key, value] : source.options) by_lower_key_.emplace(Lower(key), std::make_pair(key, value));
}

std::string ConnectorOptions::KeyOf(Names names) const {
  for (auto name : names) {
    if (auto it = by_lower_key_.find(Lower(name)); it != by_lower_key_.end()) return it->second.first;
  }
  return std::string(*names.begin());
}

arrow::Result<std::optional<std::pair<std::string, std::string>>> ConnectorOptions::Find(Names names) {
  settings_.push_back(Joined(names));
  std::optional<std::pair<std::string, std::string>> found;
  for (auto name : names) {
    read_.insert(Lower(name));
    auto it = by_lower_key_.find(Lower(name));
    if (it == by_lower_key_.end()) continue;
    if (found) {
      if (bad_option_ != nullptr) *bad_option_ = it->second.first;
      return arrow::Status::Invalid("option '", it->second.first, "' of ", title_, " source '", source_name_,
                                    "' sets what option '", found->first, "' already sets");
    }
    found = it->second;
  }
  return found;
}

arrow::Result<std::optional<std::string>> ConnectorOptions::Text(Names names) {
  ARROW_ASSIGN_OR_RAISE(auto found, Find(names));
  if (!found) return std::nullopt;
  return found->second;
}

arrow::Result<std::optional<int64_t>> ConnectorOptions::Integer(Names names, int64_t min) {
  ARROW_ASSIGN_OR_RAISE(auto text, Text(names));
  if (!text) return std::nullopt;
  int64_t n = 0;
  auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), n);
  if (error != std::errc() || end != text->data() + text->size() || n < min) {
    return Invalid(names, "must be a whole number of at least ", min, ", got '", *text, "'");
  }
  return n;
}

arrow::Result<std::optional<double>> ConnectorOptions::Number(Names names, double min, double max) {
  ARROW_ASSIGN_OR_RAISE(auto text, Text(names));
  if (!text) return std::nullopt;
  double x = 0;
  auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), x);
  if (error != std::errc() || end != text->data() + text->size() || !std::isfinite(x) || x < min || x > max) {
    return Invalid(names, "must be a number from ", min, " to ", max, ", got '", *text, "'");
  }
  return x;
}

arrow::Result<std::optional<bool>> ConnectorOptions::Boolean(Names names) {
  ARROW_ASSIGN_OR_RAISE(auto choice, Choice(names, {"true", "false"}));
  if (!choice) return std::nullopt;
  return *choice == "true";
}

arrow::Result<std::optional<std::string>> ConnectorOptions::Choice(Names names,
                                                                   std::initializer_list<std::string_view> allowed) {
  ARROW_ASSIGN_OR_RAISE(auto text, Text(names));
  if (!text) return std::nullopt;
  const std::string value = Lower(*text);
  std::string listed;
  for (auto a : allowed) {
    if (value == a) return value;
    listed += (listed.empty() ? "'" : ", '") + std::string(a) + "'";
  }
  return Invalid(names, "must be one of ", listed, ", got '", *text, "'");
}

arrow::Result<std::optional<int64_t>> ConnectorOptions::DurationMillis(Names names) {
  ARROW_ASSIGN_OR_RAISE(auto text, Text(names));
  if (!text) return std::nullopt;
  auto millis = delta::ParseIntervalMillis(*text);
  if (!millis.ok()) return Invalid(names, "must be a duration such as '5 seconds': ", millis.status().message());
  return *millis;
}

arrow::Result<std::optional<int64_t>> ConnectorOptions::IdleTimeoutMillis() {
  return DurationMillis({"scan.watermark.idle-timeout", "source.idle-timeout"});  // never negative
}

arrow::Result<std::optional<int64_t>> ConnectorOptions::TimestampMillis(Names names) {
  ARROW_ASSIGN_OR_RAISE(auto text, Text(names));
  if (!text) return std::nullopt;
  auto millis = delta::ParseTimestamp(*text, arrow::TimeUnit::MILLI, /*allow_zone=*/true);
  if (!millis.ok()) {
    return Invalid(names, "must be a timestamp such as '2026-01-01 00:00:00', got '", *text, "'");
  }
  return *millis;
}

arrow::Result<std::optional<char>> ConnectorOptions::Character(Names names) {
  ARROW_ASSIGN_OR_RAISE(auto text, Text(names));
  if (!text) return std::nullopt;
  if (text->size() != 1 || *text == "\n" || *text == "\r" || *text == "\"") {
    return Invalid(names, "must be one character (not a quote or a line break), got '", *text, "'");
  }
  return (*text)[0];
}

std::vector<ConnectorOptions::Prefixed> ConnectorOptions::WithPrefix(Names prefixes, std::string listed) {
  settings_.push_back(std::move(listed));
  std::vector<Prefixed> out;
  for (const auto& [lower, option] : by_lower_key_) {
    if (read_.count(lower) != 0) continue;
    for (auto prefix : prefixes) {
      if (lower.size() > prefix.size() && lower.compare(0, prefix.size(), prefix) == 0) {
        read_.insert(lower);
        out.push_back({option.first, lower.substr(prefix.size()), option.second});
        break;
      }
    }
  }
  return out;
}

arrow::Status ConnectorOptions::Finish() {
  for (const auto& [lower, option] : by_lower_key_) {
    if (read_.count(lower) != 0) continue;
    if (bad_option_ != nullptr) *bad_option_ = option.first;
    std::string takes;
    for (const auto& setting : settings_) takes += (takes.empty() ? "" : ", ") + setting;
    return arrow::Status::Invalid("option '", option.first, "' of ", title_, " source '", source_name_,
                                  "' is unknown (a ", title_, " source takes ", takes, ")");
  }
  return arrow::Status::OK();
}

}  // namespace tidelake::stream
