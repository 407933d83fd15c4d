// DESCRIBE HISTORY: the provenance of every commit still in a table's `_delta_log`, newest first.
//
// Each entry comes from the commit's `commitInfo` action (PROTOCOL.md, "Commit Provenance
// Information"), which is free-form JSON: Spark writes operationParameters and operationMetrics
// as JSON strings ("mode":"Append", "numFiles":"2"), delta-rs writes them as JSON numbers,
// arrays or null. Both are presented here as strings: a JSON string as its text, any other value
// as its compact JSON text ("1", "null", "[\"a\"]"). A commit without commitInfo still gets an
// entry, with an empty operation. Commits removed by log cleanup are not listed (a table whose
// log starts at a checkpoint has history from the first JSON commit after it).
//
// Timestamps follow Snapshot::CommitTimestamps exactly (in-commit timestamp, else
// commitInfo.timestamp, else the commit file's modification time, made strictly increasing),
// so the version a timestamp in history names is the version time travel to it loads.
// History reads the log only; it is pure and safe to call from several threads.
#pragma once

#include <arrow/result.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "delta/snapshot.h"

namespace tidelake::delta {

struct HistoryEntry {
  int64_t version = 0;
  int64_t timestamp_ms = 0;
  std::string operation;  ///< "WRITE", "DELETE", "OPTIMIZE", ...; empty without commitInfo
  std::map<std::string, std::string> operation_parameters;
  std::map<std::string, std::string> operation_metrics;
  std::optional<int64_t> read_version;
  std::optional<std::string> isolation_level;
  std::optional<bool> is_blind_append;
  std::string engine_info;       ///< engineInfo, else delta-rs's clientVersion, else empty
  std::string commit_info_json;  ///< the whole commitInfo object; empty without commitInfo
};

/// The history of the table at `location`, newest first; at most `limit` entries when set
/// (limit must not be negative). Errors name the table and the commit file.
arrow::Result<std::vector<HistoryEntry>> History(const TableLocation& location,
                                                 std::optional<int64_t> limit = std::nullopt);

/// Decodes one commitInfo JSON object into `entry` (all fields but version and timestamp).
/// Exposed for tests and for tools that already hold the commit's actions.
arrow::Status ParseCommitInfo(const std::string& commit_info_json, HistoryEntry* entry);

}  // namespace tidelake::delta
