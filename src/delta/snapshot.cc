#include "delta/snapshot.h"

#include <simdjson.h>

#include <algorithm>
#include <unordered_map>

#include "common/arrow_init.h"
#include "common/error.h"
#include "delta/checkpoint_reader.h"
#include "delta/schema.h"
#include "delta/table_features.h"
#include "io/filesystem.h"

namespace tidelake::delta {

namespace {

std::string FileKey(const std::string& path, const std::optional<DeletionVectorDescriptor>& dv) {
  std::string key = path;
  if (dv) {
    key += '\0';
    key += dv->UniqueId();
  }
  return key;
}

bool IsAbsoluteUri(const std::string& path) {
  return path.find("://") != std::string::npos || path.rfind("file:", 0) == 0 ||
         (!path.empty() && path.front() == '/');
}

}  // namespace

std::string TableLocation::DataPath(const std::string& log_path) const {
  std::string decoded = DecodePath(log_path);
  if (IsAbsoluteUri(decoded)) {
    if (decoded.rfind("file://", 0) == 0) return decoded.substr(7);
    if (decoded.rfind("file:", 0) == 0) return decoded.substr(5);
    return decoded;
  }
  return io::JoinPath(root, decoded);
}

arrow::Result<std::vector<Action>> ReadCommit(arrow::fs::FileSystem& fs, const std::string& path) {
  ARROW_ASSIGN_OR_RAISE(auto text, io::ReadFile(fs, path));
  auto parsed = ParseActions(text);
  if (!parsed.ok()) {
    return arrow::Status::Invalid("corrupt commit file '", path, "': ", parsed.status().message());
  }
  return parsed;
}

std::optional<int64_t> CommitTimestampOf(const std::vector<Action>& actions) {
  for (const auto& a : actions) {
    if (const auto* info = std::get_if<CommitInfo>(&a)) {
      if (info->in_commit_timestamp) return info->in_commit_timestamp;
      if (info->timestamp) return info->timestamp;
    }
  }
  return std::nullopt;
}

arrow::Result<std::shared_ptr<Snapshot>> Snapshot::Load(const TableLocation& location,
                                                        std::optional<int64_t> version) {
  ARROW_RETURN_NOT_OK(EnsureArrowInitialized());
  ErrorContext where{.table = location.display_name.empty() ? location.root : location.display_name};
  if (version) where.version = version;
  auto result = [&]() -> arrow::Result<std::shared_ptr<Snapshot>> {
    ARROW_ASSIGN_OR_RAISE(auto listing, ListLog(*location.fs, location.LogDir()));
    ARROW_ASSIGN_OR_RAISE(auto segment, SegmentFor(listing, location.LogDir(), version));
    std::shared_ptr<Snapshot> snapshot(new Snapshot());
    snapshot->location_ = location;
    snapshot->segment_ = segment;
    snapshot->version_ = segment.version;
    std::vector<Action> checkpoint_actions;
    if (segment.checkpoint) {
      ARROW_ASSIGN_OR_RAISE(checkpoint_actions,
                            ReadCheckpoint(*location.fs, *segment.checkpoint, location.LogDir()));
    }
    std::vector<std::vector<Action>> commits;
    commits.reserve(segment.commits.size());
    for (const auto& commit : segment.commits) {
      ARROW_ASSIGN_OR_RAISE(auto actions, ReadCommit(*location.fs, commit.path));
      commits.push_back(std::move(actions));
    }
    // The version's timestamp: from its own commit when we read it, else the file time.
    std::optional<int64_t> timestamp;
    if (!commits.empty()) timestamp = CommitTimestampOf(commits.back());
    if (!timestamp) {
      const LogFile& newest = commits.empty() ? segment.checkpoint->parts.front() : segment.commits.back();
      ARROW_ASSIGN_OR_RAISE(timestamp, ModificationTimeMs(*location.fs, newest));
    }
    snapshot->timestamp_ms_ = *timestamp;
    ARROW_RETURN_NOT_OK(snapshot->Replay(std::move(checkpoint_actions), std::move(commits)));
    return snapshot;
  }();
  if (!result.ok()) return AddContext(result.status(), where);
  return result;
}

arrow::Status Snapshot::Replay(std::vector<Action> checkpoint_actions,
                               std::vector<std::vector<Action>> commits) {
  bool have_protocol = false, have_metadata = false;
  // Adds are moved into `adds` in log order; `live` maps a file's key to its slot, and a slot
  // whose file was removed or replaced later is marked dead. Nothing is copied.
  std::vector<AddFile> adds;
  std::vector<bool> alive;
  std::unordered_map<std::string, size_t> live;
  std::unordered_map<std::string, RemoveFile> removed;
  adds.reserve(checkpoint_actions.size());
  live.reserve(checkpoint_actions.size());

  auto apply = [&](Action& action) {
    std::visit(
        [&](auto& a) {
          using T = std::decay_t<decltype(a)>;
          if constexpr (std::is_same_v<T, Protocol>) {
            protocol_ = std::move(a);
            have_protocol = true;
          } else if constexpr (std::is_same_v<T, Metadata>) {
            metadata_ = std::move(a);
            have_metadata = true;
          } else if constexpr (std::is_same_v<T, AddFile>) {
            std::string key = FileKey(a.path, a.deletion_vector);
            if (!removed.empty()) removed.erase(key);
            auto [it, inserted] = live.try_emplace(std::move(key), adds.size());
            if (!inserted) {
              alive[it->second] = false;
              it->second = adds.size();
            }
            adds.push_back(std::move(a));
            alive.push_back(true);
          } else if constexpr (std::is_same_v<T, RemoveFile>) {
            std::string key = FileKey(a.path, a.deletion_vector);
            if (auto it = live.find(key); it != live.end()) {
              alive[it->second] = false;
              live.erase(it);
            }
            removed.insert_or_assign(std::move(key), std::move(a));
          } else if constexpr (std::is_same_v<T, Txn>) {
            transactions_[a.app_id] = std::move(a);
          } else if constexpr (std::is_same_v<T, DomainMetadata>) {
            if (a.removed) {
              domains_.erase(a.domain);
            } else {
              domains_[a.domain] = std::move(a);
            }
          }
        },
        action);
  };
  for (auto& a : checkpoint_actions) apply(a);
  for (auto& commit : commits) {
    // Within one commit, removes logically precede adds: a commit may remove a file and add
    // it back (same path, new deletion vector or re-added after delete).
    for (auto& a : commit) {
      if (std::holds_alternative<RemoveFile>(a)) apply(a);
    }
    for (auto& a : commit) {
      if (!std::holds_alternative<RemoveFile>(a)) apply(a);
    }
  }
  if (!have_protocol) {
    return arrow::Status::Invalid("the Delta log has no protocol action up to version ", version_);
  }
  if (!have_metadata) {
    return arrow::Status::Invalid("the Delta log has no metaData action up to version ", version_);
  }
  ARROW_RETURN_NOT_OK(CheckCanRead(protocol_));
  ARROW_ASSIGN_OR_RAISE(schema_, SchemaFromJson(metadata_.schema_string));

  // Sort slots, not AddFiles: ordering 10,000 indices is cheaper than moving 10,000 structs.
  std::vector<size_t> order;
  order.reserve(live.size());
  for (size_t i = 0; i < adds.size(); ++i) {
    if (alive[i]) order.push_back(i);
  }
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return adds[a].path < adds[b].path; });
  files_.reserve(order.size());
  for (size_t i : order) files_.push_back(std::move(adds[i]));
  tombstones_.reserve(removed.size());
  for (auto& [_, rm] : removed) tombstones_.push_back(std::move(rm));
  std::sort(tombstones_.begin(), tombstones_.end(),
            [](const RemoveFile& a, const RemoveFile& b) { return a.path < b.path; });
  return arrow::Status::OK();
}

std::optional<int64_t> Snapshot::TxnVersion(const std::string& app_id) const {
  auto it = transactions_.find(app_id);
  if (it == transactions_.end()) return std::nullopt;
  return it->second.version;
}

int64_t Snapshot::NumRecords() const {
  simdjson::dom::parser parser;
  int64_t total = 0;
  for (const auto& f : files_) {
    if (!f.stats) return -1;
    simdjson::dom::element root;
    if (parser.parse(*f.stats).get(root)) return -1;
    int64_t n = 0;
    if (root["numRecords"].get(n)) return -1;
    total += n - (f.deletion_vector ? f.deletion_vector->cardinality : 0);
  }
  return total;
}

int64_t Snapshot::SizeInBytes() const {
  int64_t total = 0;
  for (const auto& f : files_) total += f.size;
  return total;
}

arrow::Result<std::vector<VersionTimestamp>> Snapshot::CommitTimestamps(const TableLocation& location) {
  ARROW_ASSIGN_OR_RAISE(auto listing, ListLog(*location.fs, location.LogDir()));
  std::vector<VersionTimestamp> out;
  out.reserve(listing.commits.size());
  for (const auto& commit : listing.commits) {
    ARROW_ASSIGN_OR_RAISE(auto actions, ReadCommit(*location.fs, commit.path));
    std::optional<int64_t> ts = CommitTimestampOf(actions);
    if (!ts) {
      ARROW_ASSIGN_OR_RAISE(ts, ModificationTimeMs(*location.fs, commit));
    }
    if (!out.empty() && *ts <= out.back().timestamp_ms) ts = out.back().timestamp_ms + 1;
    out.push_back({commit.version, *ts});
  }
  return out;
}

arrow::Result<std::shared_ptr<Snapshot>> Snapshot::LoadAtTimestamp(const TableLocation& location,
                                                                    int64_t timestamp_ms) {
  ARROW_ASSIGN_OR_RAISE(auto timestamps, CommitTimestamps(location));
  std::optional<int64_t> chosen;
  for (const auto& vt : timestamps) {
    if (vt.timestamp_ms <= timestamp_ms) chosen = vt.version;
  }
  if (!chosen) {
    std::string earliest = timestamps.empty() ? "none" : std::to_string(timestamps.front().timestamp_ms);
    return ErrorAt(arrow::StatusCode::KeyError, ErrorContext{.table = location.display_name},
                   "no version at or before timestamp " + std::to_string(timestamp_ms) +
                       " ms (earliest commit is at " + earliest + " ms)");
  }
  return Load(location, chosen);
}

}  // namespace tidelake::delta
