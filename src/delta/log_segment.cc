#include "delta/log_segment.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <string_view>

#include "io/filesystem.h"

namespace tidelake::delta {

namespace {

bool ParseDigits(std::string_view s, int64_t* out) {
  if (s.empty()) return false;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && ptr == s.data() + s.size();
}

bool IsVersionPrefix(std::string_view name, int64_t* version) {
  return name.size() >= 20 && ParseDigits(name.substr(0, 20), version);
}

std::string Padded(int64_t version) {
  std::string digits = std::to_string(version);
  return std::string(20 - std::min<size_t>(20, digits.size()), '0') + digits;
}

}  // namespace

arrow::Result<int64_t> ModificationTimeMs(arrow::fs::FileSystem& fs, const LogFile& file) {
  return io::FileModificationTimeMs(fs, {file.path, {}, file.size, file.modification_time_ms});
}

std::string CommitPath(const std::string& log_dir, int64_t version) {
  return log_dir + "/" + Padded(version) + ".json";
}

std::string ClassicCheckpointPath(const std::string& log_dir, int64_t version) {
  return log_dir + "/" + Padded(version) + ".checkpoint.parquet";
}

arrow::Result<LogListing> ListLog(arrow::fs::FileSystem& fs, const std::string& log_dir) {
  ARROW_ASSIGN_OR_RAISE(auto dir_info, fs.GetFileInfo(log_dir));
  if (dir_info.type() != arrow::fs::FileType::Directory) {
    return arrow::Status::IOError("not a Delta table: no _delta_log directory at '", log_dir, "'");
  }
  ARROW_ASSIGN_OR_RAISE(auto entries, io::ListFiles(fs, log_dir));

  LogListing listing;
  // Multi-part checkpoints are collected by (version, total parts) until every part is seen.
  std::map<std::pair<int64_t, int64_t>, std::map<int64_t, LogFile>> multi_part;
  for (auto& entry : entries) {
    std::string_view name = entry.name;
    int64_t version = 0;
    if (!IsVersionPrefix(name, &version)) continue;
    std::string_view rest = name.substr(20);
    LogFile file{std::move(entry.path), version, entry.size, entry.mtime_ms};
    if (rest == ".json") {
      listing.commits.push_back(std::move(file));
    } else if (rest == ".checkpoint.parquet") {
      listing.checkpoints.push_back({version, CheckpointKind::kClassic, {std::move(file)}});
    } else if (rest.rfind(".checkpoint.", 0) == 0) {
      std::string_view tail = rest.substr(12);  // after ".checkpoint."
      // Multi-part: PPPPPPPPPP.TTTTTTTTTT.parquet
      int64_t part = 0, total = 0;
      if (tail.size() == 10 + 1 + 10 + 8 && tail.substr(21) == ".parquet" &&
          ParseDigits(tail.substr(0, 10), &part) && ParseDigits(tail.substr(11, 10), &total)) {
        multi_part[{version, total}][part] = std::move(file);
      } else if ((tail.size() > 5 && tail.substr(tail.size() - 5) == ".json") ||
                 (tail.size() > 8 && tail.substr(tail.size() - 8) == ".parquet")) {
        listing.checkpoints.push_back({version, CheckpointKind::kV2, {std::move(file)}});
      }
    }
    // Anything else (.crc, _last_checkpoint, compacted logs, temp files) is not replayed.
  }
  for (auto& [key, parts] : multi_part) {
    auto [version, total] = key;
    if (static_cast<int64_t>(parts.size()) != total) continue;  // incomplete: unusable
    Checkpoint cp{version, CheckpointKind::kMultiPart, {}};
    for (auto& [_, f] : parts) cp.parts.push_back(std::move(f));
    listing.checkpoints.push_back(std::move(cp));
  }
  std::sort(listing.commits.begin(), listing.commits.end(),
            [](const LogFile& a, const LogFile& b) { return a.version < b.version; });
  // For equal versions prefer V2 (UUID-named) checkpoints, then classic, then multi-part: the
  // protocol lets a writer add a classic-named copy for old readers beside a V2 checkpoint.
  auto rank = [](CheckpointKind k) {
    return k == CheckpointKind::kV2 ? 0 : k == CheckpointKind::kClassic ? 1 : 2;
  };
  std::stable_sort(listing.checkpoints.begin(), listing.checkpoints.end(),
                   [&](const Checkpoint& a, const Checkpoint& b) {
                     if (a.version != b.version) return a.version < b.version;
                     return rank(a.kind) > rank(b.kind);
                   });
  return listing;
}

arrow::Result<LogSegment> SegmentFor(const LogListing& listing, const std::string& log_dir,
                                     std::optional<int64_t> version) {
  if (listing.commits.empty() && listing.checkpoints.empty()) {
    return arrow::Status::IOError("not a Delta table: '", log_dir, "' holds no commits");
  }
  int64_t latest = -1;
  if (!listing.commits.empty()) latest = listing.commits.back().version;
  if (!listing.checkpoints.empty()) latest = std::max(latest, listing.checkpoints.back().version);
  int64_t target = version.value_or(latest);
  if (target < 0) return arrow::Status::Invalid("version ", target, " is negative");
  if (target > latest) {
    return arrow::Status::KeyError("version ", target, " does not exist (latest is ", latest, ")");
  }

  LogSegment segment;
  segment.log_dir = log_dir;
  segment.version = target;
  // The newest checkpoint at or before the target (the listing is sorted; the last of equal
  // versions is the preferred kind).
  for (auto it = listing.checkpoints.rbegin(); it != listing.checkpoints.rend(); ++it) {
    if (it->version <= target) {
      segment.checkpoint = *it;
      break;
    }
  }
  int64_t next = segment.checkpoint ? segment.checkpoint->version + 1 : 0;
  for (const auto& commit : listing.commits) {
    if (commit.version < next) continue;
    if (commit.version > target) break;
    if (commit.version != next) {
      return arrow::Status::IOError("the Delta log is missing version ", next, " (found ",
                                    commit.version, " after it) in '", log_dir, "'");
    }
    segment.commits.push_back(commit);
    ++next;
  }
  if (next != target + 1) {
    if (!segment.checkpoint && listing.commits.empty()) {
      return arrow::Status::IOError("the Delta log '", log_dir, "' has no commit files");
    }
    if (next == 0 || (segment.checkpoint == std::nullopt && next <= target)) {
      return arrow::Status::IOError("the Delta log is missing version ", next, " in '", log_dir,
                                    "' (commits before the oldest checkpoint were cleaned up?)");
    }
    return arrow::Status::KeyError("version ", target, " cannot be reconstructed: missing commit ",
                                   next, " in '", log_dir, "'");
  }
  return segment;
}

}  // namespace tidelake::delta
