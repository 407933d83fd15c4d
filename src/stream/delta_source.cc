#include "stream/delta_source.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "delta/log_segment.h"
#include "delta/schema.h"

namespace tidelake::stream {

namespace {

using nlohmann::json;

template <typename T>
const T* ActionAs(const delta::Action& action) {
  return std::get_if<T>(&action);
}

}  // namespace

DeltaSource::DeltaSource(std::string name, delta::TableLocation location, DeltaSourceOptions options,
                         std::shared_ptr<const delta::Snapshot> snapshot)
    : name_(std::move(name)), location_(std::move(location)), options_(options), snapshot_(std::move(snapshot)) {
  schema_ = snapshot_->schema();
}

arrow::Result<std::unique_ptr<DeltaSource>> DeltaSource::Make(std::string name, delta::TableLocation location,
                                                              DeltaSourceOptions options) {
  if (options.max_files_per_trigger < 1) {
    return arrow::Status::Invalid("maxFilesPerTrigger must be at least 1, got ", options.max_files_per_trigger);
  }
  if (options.max_bytes_per_trigger && *options.max_bytes_per_trigger < 1) {
    return arrow::Status::Invalid("maxBytesPerTrigger must be positive, got ", *options.max_bytes_per_trigger);
  }
  if (options.starting_version && options.starting_timestamp_ms) {
    return arrow::Status::Invalid("startingVersion and startingTimestamp cannot both be set");
  }
  ARROW_ASSIGN_OR_RAISE(std::shared_ptr<const delta::Snapshot> snapshot, delta::Snapshot::Load(location));
  if (options.starting_version && (*options.starting_version < 0 || *options.starting_version > snapshot->version())) {
    return arrow::Status::Invalid("startingVersion ", *options.starting_version, " is not a version of table '",
                                  location.display_name, "' (its versions are 0 to ", snapshot->version(), ")");
  }
  std::unique_ptr<DeltaSource> source(new DeltaSource(std::move(name), std::move(location), options, snapshot));
  delta::ScanOptions scan_options;
  ARROW_ASSIGN_OR_RAISE(source->reader_, delta::Scan::Make(source->snapshot_, scan_options));
  return source;
}

arrow::Result<DeltaSource::Position> DeltaSource::Parse(const std::string& offset) const {
  json j = json::parse(offset, nullptr, /*allow_exceptions=*/false);
  auto bad = [&](const std::string& why) {
    return arrow::Status::Invalid("offset ", offset, " of Delta source '", name_, "' is not valid: ", why);
  };
  if (j.is_discarded() || !j.is_object()) return bad("not a JSON object");
  auto id = j.find("reservoirId");
  if (id == j.end() || !id->is_string()) return bad("no reservoirId");
  if (id->get<std::string>() != snapshot_->metadata().id) {
    return arrow::Status::Invalid("the checkpoint of Delta source '", name_, "' belongs to table id ",
                                  id->get<std::string>(), ", but table '", location_.display_name, "' has id ",
                                  snapshot_->metadata().id, " (was the table dropped and created again?)");
  }
  auto version = j.find("reservoirVersion");
  auto index = j.find("index");
  auto starting = j.find("isStartingVersion");
  if (version == j.end() || !version->is_number_integer() || index == j.end() || !index->is_number_integer() ||
      starting == j.end() || !starting->is_boolean()) {
    return bad("reservoirVersion, index and isStartingVersion are required");
  }
  return Position{version->get<int64_t>(), index->get<int64_t>(), starting->get<bool>()};
}

std::string DeltaSource::Format(const Position& position) const {
  return json{{"sourceVersion", 1},
              {"reservoirId", snapshot_->metadata().id},
              {"reservoirVersion", position.version},
              {"index", position.index},
              {"isStartingVersion", position.starting}}
      .dump();
}

arrow::Result<std::string> DeltaSource::InitialOffset() {
  if (options_.starting_version) return Format(Position{*options_.starting_version, -1, false});
  if (options_.starting_timestamp_ms) {
    ARROW_ASSIGN_OR_RAISE(auto timestamps, delta::Snapshot::CommitTimestamps(location_));
    int64_t first = snapshot_->version() + 1;  // nothing yet: wait for the next commit
    for (const auto& vt : timestamps) {
      if (vt.timestamp_ms >= *options_.starting_timestamp_ms) {
        first = vt.version;
        break;
      }
    }
    return Format(Position{first, -1, false});
  }
  return Format(Position{snapshot_->version(), -1, true});
}

arrow::Result<DeltaSource::VersionFiles> DeltaSource::FilesOf(int64_t version, bool starting) {
  VersionFiles out;
  if (starting) {
    if (!starting_files_ || starting_files_->first != version) {
      std::shared_ptr<const delta::Snapshot> snapshot = snapshot_;
      if (snapshot->version() != version) {
        ARROW_ASSIGN_OR_RAISE(snapshot, delta::Snapshot::Load(location_, version));
      }
      std::vector<delta::AddFile> files = snapshot->files();
      std::sort(files.begin(), files.end(), [](const delta::AddFile& a, const delta::AddFile& b) {
        return std::tie(a.modification_time, a.path) < std::tie(b.modification_time, b.path);
      });
      starting_files_.emplace(version, std::move(files));
    }
    out.files = starting_files_->second;
    return out;
  }
  const std::string path = delta::CommitPath(location_.LogDir(), version);
  ARROW_ASSIGN_OR_RAISE(auto info, location_.fs->GetFileInfo(path));
  if (info.type() != arrow::fs::FileType::File) {
    out.exists = false;
    // A version before the latest that is gone was cleaned up by log retention.
    if (version <= snapshot_->version()) {
      return arrow::Status::Invalid("version ", version, " of table '", location_.display_name,
                                    "' is no longer in its log (log retention removed it), so Delta source '", name_,
                                    "' cannot continue from its checkpoint; restart the query from a new checkpoint");
    }
    return out;
  }
  ARROW_ASSIGN_OR_RAISE(auto actions, delta::ReadCommit(*location_.fs, path));
  bool removes = false;
  for (const auto& action : actions) {
    if (const auto* metadata = ActionAs<delta::Metadata>(action)) {
      if (metadata->schema_string != snapshot_->metadata().schema_string) {
        ARROW_ASSIGN_OR_RAISE(auto changed, delta::SchemaFromJson(metadata->schema_string));
        if (!changed->Equals(*schema_, /*check_metadata=*/false)) {
          return arrow::Status::Invalid("the schema of table '", location_.display_name, "' changed at version ",
                                        version, " (to ", changed->ToString(/*show_metadata=*/false),
                                        "); restart the streaming query to read the new schema");
        }
      }
    } else if (const auto* add = ActionAs<delta::AddFile>(action)) {
      if (add->data_change) out.files.push_back(*add);
    } else if (const auto* remove = ActionAs<delta::RemoveFile>(action)) {
      if (remove->data_change) removes = true;
    }
  }
  if (!removes) return out;
  if (options_.ignore_changes) return out;
  if (out.files.empty() && options_.ignore_deletes) return out;
  return arrow::Status::Invalid(
      "table '", location_.display_name, "' ", out.files.empty() ? "deleted rows" : "updated rows",
      " at version ", version, ", which a stream of appended rows cannot express; set ",
      out.files.empty() ? "ignoreDeletes to skip such commits" : "ignoreChanges to read the rewritten files again",
      " (Delta source '", name_, "')");
}

arrow::Result<DeltaSource::Position> DeltaSource::Walk(
    const Position& from, std::optional<int64_t> last_version,
    const std::function<bool(const Position&, const delta::AddFile&)>& take) {
  Position last = from;
  Position at{from.version, from.index + 1, from.starting};
  while (!last_version || at.version <= *last_version) {
    ARROW_ASSIGN_OR_RAISE(VersionFiles version, FilesOf(at.version, at.starting));
    if (!version.exists) break;
    const auto count = static_cast<int64_t>(version.files.size());
    for (; at.index < count; ++at.index) {
      if (!take(at, version.files[static_cast<size_t>(at.index)])) return last;
      last = at;
    }
    last = Position{at.version, count - 1, at.starting};
    at = Position{at.version + 1, 0, false};
  }
  return last;
}

arrow::Status DeltaSource::PrepareAvailableNow(const std::string&) {
  ARROW_ASSIGN_OR_RAISE(auto latest, delta::Snapshot::Load(location_));
  available_now_ = latest->version();
  return arrow::Status::OK();
}

arrow::Result<std::optional<std::string>> DeltaSource::NextEnd(const std::string& start) {
  ARROW_ASSIGN_OR_RAISE(Position from, Parse(start));
  int64_t files = 0;
  int64_t bytes = 0;
  ARROW_ASSIGN_OR_RAISE(Position end, Walk(from, available_now_, [&](const Position&, const delta::AddFile& file) {
                          if (files >= options_.max_files_per_trigger) return false;
                          if (options_.max_bytes_per_trigger && files > 0 && bytes >= *options_.max_bytes_per_trigger) {
                            return false;
                          }
                          ++files;
                          bytes += file.size;
                          return true;
                        }));
  if (end.version == from.version && end.index == from.index && end.starting == from.starting) return std::nullopt;
  return Format(end);
}

arrow::Result<std::shared_ptr<arrow::Table>> DeltaSource::Read(const std::string& start, const std::string& end) {
  ARROW_ASSIGN_OR_RAISE(Position from, Parse(start));
  ARROW_ASSIGN_OR_RAISE(Position to, Parse(end));
  std::vector<delta::AddFile> files;
  ARROW_RETURN_NOT_OK(Walk(from, to.version, [&](const Position& at, const delta::AddFile& file) {
                        if (at.version == to.version && at.index > to.index) return false;
                        files.push_back(file);
                        return true;
                      }).status());
  std::vector<std::shared_ptr<arrow::RecordBatch>> batches;
  for (const auto& file : files) {
    ARROW_ASSIGN_OR_RAISE(auto read, reader_->ReadFile(file));
    for (auto& b : read) batches.push_back(std::move(b));
  }
  return arrow::Table::FromRecordBatches(schema_, std::move(batches));
}

}  // namespace tidelake::stream
