#include "delta/restore.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <set>

#include "common/clock.h"
#include "common/error.h"
#include "delta/deletion_vector.h"
#include "delta/table_features.h"
#include "delta/transaction.h"

namespace tidelake::delta {

namespace {

// The identity of a logical file in log replay: path plus deletion-vector id.
std::string FileKey(const AddFile& add) {
  return add.deletion_vector ? add.path + "\n" + add.deletion_vector->UniqueId() : add.path;
}

bool SameMetadata(const Metadata& a, const Metadata& b) {
  return a.id == b.id && a.name == b.name && a.description == b.description &&
         a.format.provider == b.format.provider && a.format.options == b.format.options &&
         a.schema_string == b.schema_string && a.partition_columns == b.partition_columns &&
         a.configuration == b.configuration;
}

arrow::Result<bool> Exists(arrow::fs::FileSystem& fs, const std::string& path) {
  ARROW_ASSIGN_OR_RAISE(auto info, fs.GetFileInfo(path));
  return info.type() != arrow::fs::FileType::NotFound;
}

arrow::Result<RestoreResult> RestoreSnapshot(const TableLocation& location, std::shared_ptr<const Snapshot> latest,
                                             std::shared_ptr<const Snapshot> target,
                                             std::map<std::string, std::string> parameters) {
  RestoreResult result;
  result.restored_version = target->version();
  int64_t now = NowMillis();

  std::map<std::string, const AddFile*> latest_files, target_files;
  for (const auto& f : latest->files()) latest_files.emplace(FileKey(f), &f);
  for (const auto& f : target->files()) target_files.emplace(FileKey(f), &f);

  std::vector<const AddFile*> to_add;
  for (const auto& [key, add] : target_files) {
    if (!latest_files.count(key)) to_add.push_back(add);
  }
  // Every file to bring back must still exist: VACUUM may have deleted it since.
  std::vector<std::string> missing;
  for (const AddFile* add : to_add) {
    std::string data_path = location.DataPath(add->path);
    ARROW_ASSIGN_OR_RAISE(bool data_exists, Exists(*location.fs, data_path));
    if (!data_exists) missing.push_back(data_path);
    if (add->deletion_vector && add->deletion_vector->storage_type != "i") {
      ARROW_ASSIGN_OR_RAISE(auto dv_path, AbsolutePath(*add->deletion_vector, location.root));
      ARROW_ASSIGN_OR_RAISE(bool dv_exists, Exists(*location.fs, dv_path));
      if (!dv_exists) missing.push_back(dv_path);
    }
  }
  if (!missing.empty()) {
    std::string list;
    for (size_t i = 0; i < missing.size() && i < 3; ++i) list += (i ? ", '" : "'") + missing[i] + "'";
    if (missing.size() > 3) list += ", ...";
    return arrow::Status::IOError("cannot restore to version ", target->version(), ": ", missing.size(),
                                  " file(s) of that version no longer exist (", list,
                                  "), probably deleted by VACUUM; nothing was changed");
  }

  auto txn = Transaction::ForSnapshot(latest);
  txn->ReadWholeTable();
  for (const auto& [key, add] : latest_files) {
    if (target_files.count(key)) continue;
    txn->Add(RemoveFileFor(*add, now));
    ++result.num_removed_files;
    result.removed_files_size += add->size;
  }
  std::vector<AddFile> adds;
  for (const AddFile* add : to_add) {
    AddFile restored = *add;
    restored.data_change = true;
    result.restored_files_size += restored.size;
    adds.push_back(std::move(restored));
  }
  result.num_restored_files = static_cast<int64_t>(adds.size());
  txn->Add(std::move(adds));
  for (const auto& f : target->files()) {
    ++result.num_files_after;
    result.table_size_after += f.size;
  }

  Protocol protocol = UnionProtocol(latest->protocol(), target->protocol());
  if (!SameProtocol(protocol, latest->protocol())) {
    txn->UpdateProtocol(protocol);
    result.protocol_changed = true;
  }
  if (!SameMetadata(target->metadata(), latest->metadata())) {
    txn->UpdateMetadata(target->metadata());
    result.metadata_changed = true;
  }

  std::map<std::string, std::string> metrics{
      {"numRestoredFiles", std::to_string(result.num_restored_files)},
      {"numRemovedFiles", std::to_string(result.num_removed_files)},
      {"restoredFilesSize", std::to_string(result.restored_files_size)},
      {"removedFilesSize", std::to_string(result.removed_files_size)},
      {"numOfFilesAfterRestore", std::to_string(result.num_files_after)},
      {"tableSizeAfterRestore", std::to_string(result.table_size_after)}};
  ARROW_ASSIGN_OR_RAISE(auto commit, txn->Commit("RESTORE", std::move(parameters), std::move(metrics)));
  result.version = commit.version;
  return result;
}

ErrorContext WhereFor(const TableLocation& location) {
  return ErrorContext{.table = location.display_name.empty() ? location.root : location.display_name};
}

}  // namespace

arrow::Result<RestoreResult> RestoreToVersion(const TableLocation& location, int64_t version) {
  ErrorContext where = WhereFor(location);
  auto run = [&]() -> arrow::Result<RestoreResult> {
    ARROW_ASSIGN_OR_RAISE(auto latest, Snapshot::Load(location));
    if (version < 0 || version > latest->version()) {
      return arrow::Status::Invalid("cannot restore to version ", version, ": the table has versions up to ",
                                    latest->version());
    }
    auto target = Snapshot::Load(location, version);
    if (!target.ok()) {
      return arrow::Status::Invalid("cannot restore to version ", version,
                                    ": it can no longer be reconstructed from the log (",
                                    target.status().message(), ")");
    }
    return RestoreSnapshot(location, latest, *target, {{"version", std::to_string(version)}});
  };
  return AddContext(run(), where);
}

arrow::Result<RestoreResult> RestoreToTimestamp(const TableLocation& location, int64_t timestamp_ms) {
  ErrorContext where = WhereFor(location);
  auto run = [&]() -> arrow::Result<RestoreResult> {
    ARROW_ASSIGN_OR_RAISE(auto latest, Snapshot::Load(location));
    ARROW_ASSIGN_OR_RAISE(auto target, Snapshot::LoadAtTimestamp(location, timestamp_ms));
    if (target->version() > latest->version()) {
      // A commit landed between the two loads: restore against the newer state instead.
      ARROW_ASSIGN_OR_RAISE(latest, Snapshot::Load(location, target->version()));
    }
    return RestoreSnapshot(location, latest, target,
                           {{"timestamp", std::to_string(timestamp_ms)},
                            {"version", std::to_string(target->version())}});
  };
  return AddContext(run(), where);
}

}  // namespace tidelake::delta
