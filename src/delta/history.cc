#include "delta/history.h"

#include <simdjson.h>

#include <algorithm>

#include "common/error.h"
#include "delta/log_segment.h"

namespace tidelake::delta {

namespace {

using simdjson::dom::element;
using simdjson::dom::object;

// A JSON string as its text; anything else as compact JSON.
std::string ValueText(const element& value) {
  std::string_view text;
  if (value.get_string().get(text) == simdjson::SUCCESS) return std::string(text);
  return simdjson::to_string(value);
}

// Reads a string -> value object; a missing or non-object field leaves `out` empty.
void ReadMap(const object& info, const char* key, std::map<std::string, std::string>* out) {
  object map;
  if (info[key].get_object().get(map) != simdjson::SUCCESS) return;
  for (auto [k, v] : map) out->emplace(std::string(k), ValueText(v));
}

}  // namespace

arrow::Status ParseCommitInfo(const std::string& commit_info_json, HistoryEntry* entry) {
  simdjson::dom::parser parser;
  element root;
  if (auto error = parser.parse(commit_info_json).get(root)) {
    return arrow::Status::Invalid("commitInfo is not valid JSON: ", simdjson::error_message(error));
  }
  object info;
  if (root.get_object().get(info) != simdjson::SUCCESS) {
    return arrow::Status::Invalid("commitInfo is not a JSON object");
  }
  entry->commit_info_json = commit_info_json;
  std::string_view text;
  if (info["operation"].get_string().get(text) == simdjson::SUCCESS) entry->operation = std::string(text);
  ReadMap(info, "operationParameters", &entry->operation_parameters);
  ReadMap(info, "operationMetrics", &entry->operation_metrics);
  int64_t read_version = 0;
  if (info["readVersion"].get_int64().get(read_version) == simdjson::SUCCESS) entry->read_version = read_version;
  if (info["isolationLevel"].get_string().get(text) == simdjson::SUCCESS) entry->isolation_level = std::string(text);
  bool blind = false;
  if (info["isBlindAppend"].get_bool().get(blind) == simdjson::SUCCESS) entry->is_blind_append = blind;
  if (info["engineInfo"].get_string().get(text) == simdjson::SUCCESS) {
    entry->engine_info = std::string(text);
  } else if (info["clientVersion"].get_string().get(text) == simdjson::SUCCESS) {
    entry->engine_info = std::string(text);
  }
  return arrow::Status::OK();
}

arrow::Result<std::vector<HistoryEntry>> History(const TableLocation& location, std::optional<int64_t> limit) {
  ErrorContext where{.table = location.display_name.empty() ? location.root : location.display_name};
  if (limit && *limit < 0) {
    return ErrorAt(arrow::StatusCode::Invalid, where,
                   "history limit must not be negative (got " + std::to_string(*limit) + ")");
  }
  auto listing = ListLog(*location.fs, location.LogDir());
  if (!listing.ok()) return AddContext(listing.status(), where);

  // Timestamps must be made monotonic from the oldest commit on (as CommitTimestamps does), so
  // every commit is read even when only the newest few are returned.
  std::vector<HistoryEntry> entries;
  entries.reserve(listing->commits.size());
  for (const auto& commit : listing->commits) {
    ErrorContext at{.table = where.table, .version = commit.version, .file = commit.path};
    auto actions = ReadCommit(*location.fs, commit.path);
    if (!actions.ok()) return AddContext(actions.status(), at);
    HistoryEntry entry;
    entry.version = commit.version;
    std::optional<int64_t> ts = CommitTimestampOf(*actions);
    if (!ts) {
      auto written = ModificationTimeMs(*location.fs, commit);
      if (!written.ok()) return AddContext(written.status(), at);
      ts = *written;
    }
    if (!entries.empty() && *ts <= entries.back().timestamp_ms) ts = entries.back().timestamp_ms + 1;
    entry.timestamp_ms = *ts;
    for (const auto& action : *actions) {
      if (const auto* info = std::get_if<CommitInfo>(&action)) {
        ARROW_RETURN_NOT_OK(AddContext(ParseCommitInfo(info->json, &entry), at));
        break;
      }
    }
    entries.push_back(std::move(entry));
  }
  std::reverse(entries.begin(), entries.end());
  if (limit && static_cast<size_t>(*limit) < entries.size()) entries.resize(static_cast<size_t>(*limit));
  return entries;
}

}  // namespace tidelake::delta
