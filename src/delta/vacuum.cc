#include "delta/vacuum.h"

#include <algorithm>
#include <chrono>
#include <set>
#include <unordered_set>

#include "common/error.h"
#include "delta/checkpoint_writer.h"
#include "delta/deletion_vector.h"
#include "delta/interval.h"
#include "delta/schema.h"
#include "delta/table_features.h"
#include "delta/transaction.h"

namespace tidelake::delta {

namespace {

constexpr int64_t kHourMs = 3600LL * 1000;

struct ListedFile {
  std::string path;  // filesystem path
  std::string relative;
  int64_t size = 0;
  int64_t mtime_ms = 0;
};

struct ListedDir {
  std::string path;
  int depth = 0;
  int64_t mtime_ms = 0;
};

bool StartsWith(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

int64_t ToMillis(arrow::fs::TimePoint t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

// Which names VACUUM never looks into or deletes (see the header comment).
class HiddenNames {
 public:
  HiddenNames(const Snapshot& snapshot) {
    for (const auto& column : snapshot.partition_columns()) {
      prefixes_.push_back(column + "=");
      if (auto field = snapshot.schema()->GetFieldByName(column)) prefixes_.push_back(PhysicalName(*field) + "=");
    }
    auto formats = snapshot.metadata().Config("delta.universalFormat.enabledFormats");
    hide_iceberg_metadata_ = formats && formats->find("iceberg") != std::string::npos;
  }

  bool IsHidden(std::string_view name) const {
    if (hide_iceberg_metadata_ && name == "metadata") return true;
    if (name.empty() || (name[0] != '_' && name[0] != '.')) return false;
    if (StartsWith(name, "_change_data") || StartsWith(name, "_delta_index")) return false;
    for (const auto& p : prefixes_) {
      if (StartsWith(name, p)) return false;
    }
    return true;
  }

 private:
  std::vector<std::string> prefixes_;
  bool hide_iceberg_metadata_ = false;
};

arrow::Status ListTree(arrow::fs::FileSystem& fs, const std::string& dir, const std::string& relative, int depth,
                       const HiddenNames& hidden, std::vector<ListedFile>* files, std::vector<ListedDir>* dirs) {
  arrow::fs::FileSelector selector;
  selector.base_dir = dir;
  selector.recursive = false;
  selector.allow_not_found = true;  // a concurrent VACUUM may remove a directory under us
  ARROW_ASSIGN_OR_RAISE(auto infos, fs.GetFileInfo(selector));
  for (const auto& info : infos) {
    std::string name = info.base_name();
    if (hidden.IsHidden(name)) continue;
    std::string rel = relative.empty() ? name : relative + "/" + name;
    if (info.type() == arrow::fs::FileType::Directory) {
      dirs->push_back({info.path(), depth + 1, ToMillis(info.mtime())});
      ARROW_RETURN_NOT_OK(ListTree(fs, info.path(), rel, depth + 1, hidden, files, dirs));
    } else if (info.type() == arrow::fs::FileType::File) {
      files->push_back({info.path(), rel, info.size(), ToMillis(info.mtime())});
    }
  }
  return arrow::Status::OK();
}

std::string Parent(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == std::string::npos ? std::string() : path.substr(0, slash);
}

// The files of the table that must stay, as paths relative to the root.
class LiveFiles {
 public:
  explicit LiveFiles(const TableLocation& location) : location_(location) {
    root_prefix_ = location.root;
    while (root_prefix_.size() > 1 && root_prefix_.back() == '/') root_prefix_.pop_back();
    root_prefix_ += '/';
  }

  arrow::Status Keep(const std::string& log_path, const std::optional<DeletionVectorDescriptor>& dv) {
    KeepPath(location_.DataPath(log_path));
    if (dv && dv->storage_type != "i") {
      ARROW_ASSIGN_OR_RAISE(auto dv_path, AbsolutePath(*dv, location_.root));
      KeepPath(dv_path);
    }
    return arrow::Status::OK();
  }

  bool Contains(const std::string& relative) const { return relative_.count(relative) > 0; }

 private:
  void KeepPath(const std::string& path) {
    // Files outside the root are never listed, so they need no entry.
    if (StartsWith(path, root_prefix_)) relative_.insert(path.substr(root_prefix_.size()));
  }

  const TableLocation& location_;
  std::string root_prefix_;
  std::unordered_set<std::string> relative_;
};

arrow::Status LogOperation(const TableLocation& location, const std::string& operation,
                           std::map<std::string, std::string> parameters, std::map<std::string, std::string> metrics) {
  ARROW_ASSIGN_OR_RAISE(auto snapshot, Snapshot::Load(location));
  auto txn = Transaction::ForSnapshot(snapshot);
  return txn->Commit(operation, std::move(parameters), std::move(metrics)).status();
}

arrow::Result<VacuumResult> RunVacuum(const TableLocation& location, const VacuumOptions& options, int64_t now_ms) {
  ARROW_ASSIGN_OR_RAISE(auto snapshot, Snapshot::Load(location));
  const Protocol& protocol = snapshot->protocol();
  if (FeatureEnabled(protocol, "vacuumProtocolCheck")) {
    // Only the protocol matters here: VACUUM writes no data, so metadata-level write limits
    // (constraints we cannot enforce) do not apply.
    auto st = CheckCanWrite(protocol, Metadata{});
    if (!st.ok()) {
      return arrow::Status::NotImplemented(
          "cannot VACUUM: the table has the vacuumProtocolCheck feature, which requires VACUUM to support "
          "the table's writer protocol, and ",
          st.message());
    }
  }

  ARROW_ASSIGN_OR_RAISE(int64_t configured_ms, DeletedFileRetentionMillis(snapshot->metadata()));
  VacuumResult result;
  if (options.retention_hours) {
    if (*options.retention_hours < 0) {
      return arrow::Status::Invalid("VACUUM retention must not be negative (got ", *options.retention_hours, " hours)");
    }
    result.retention_ms = *options.retention_hours * kHourMs;
  } else {
    result.retention_ms = configured_ms;
  }
  if (result.retention_ms < configured_ms && !options.force) {
    return arrow::Status::Invalid(
        "refusing to VACUUM with a retention of ", result.retention_ms / kHourMs,
        " hours, shorter than the table's delta.deletedFileRetentionDuration (", configured_ms / kHourMs,
        " hours). Files removed within the retention period may still be read by queries of older snapshots "
        "(time travel, long-running reads) or be needed by writers that are committing right now; deleting them "
        "can corrupt the table or fail those operations. If you are certain no operation is using the table, "
        "force it (VacuumOptions::force, the command's --force; Spark: spark.databricks.delta.retentionDurationCheck.enabled = false); otherwise use a "
        "retention of at least ",
        configured_ms / kHourMs, " hours");
  }
  int64_t cutoff = now_ms - result.retention_ms;

  LiveFiles live(location);
  for (const auto& add : snapshot->files()) ARROW_RETURN_NOT_OK(live.Keep(add.path, add.deletion_vector));
  for (const auto& rm : snapshot->tombstones()) {
    if (rm.deletion_timestamp.value_or(0) >= cutoff) ARROW_RETURN_NOT_OK(live.Keep(rm.path, rm.deletion_vector));
  }

  HiddenNames hidden(*snapshot);
  std::vector<ListedFile> files;
  std::vector<ListedDir> dirs;
  ARROW_RETURN_NOT_OK(ListTree(*location.fs, location.root, "", 0, hidden, &files, &dirs));

  std::vector<const ListedFile*> doomed;
  for (const auto& f : files) {
    if (live.Contains(f.relative) || f.mtime_ms >= cutoff) continue;
    doomed.push_back(&f);
    result.bytes += f.size;
  }
  std::sort(doomed.begin(), doomed.end(), [](const ListedFile* a, const ListedFile* b) { return a->path < b->path; });
  for (const auto* f : doomed) result.paths.push_back(f->path);
  result.files_deleted = static_cast<int64_t>(doomed.size());
  if (options.dry_run) return result;

  bool log = options.log_operation && CheckCanWrite(protocol, snapshot->metadata()).ok();
  if (log) {
    std::map<std::string, std::string> params{{"retentionCheckEnabled", options.force ? "false" : "true"},
                                              {"defaultRetentionMillis", std::to_string(configured_ms)}};
    if (options.retention_hours) params["specifiedRetentionMillis"] = std::to_string(result.retention_ms);
    ARROW_RETURN_NOT_OK(LogOperation(location, "VACUUM START", params,
                                     {{"numFilesToDelete", std::to_string(result.files_deleted)},
                                      {"sizeOfDataToDelete", std::to_string(result.bytes)}}));
  }

  int64_t files_done = 0;
  auto delete_all = [&]() -> arrow::Status {
    std::set<std::string> touched;  // directories we deleted something from
    for (const auto* f : doomed) {
      ARROW_RETURN_NOT_OK(location.fs->DeleteFile(f->path));
      ++files_done;
      // Hadoop's checksum sidecar of the file (".name.crc"), if a Spark writer left one.
      std::string dir = Parent(f->path);
      std::string crc = dir + "/." + f->path.substr(dir.size() + 1) + ".crc";
      IgnoreError(location.fs->DeleteFile(crc));
      touched.insert(dir);
    }
    // Deepest first, so a directory emptied by removing its subdirectories goes too. A directory
    // that was already empty is only removed once older than the retention: a writer may just
    // have created it.
    std::sort(dirs.begin(), dirs.end(), [](const ListedDir& a, const ListedDir& b) { return a.depth > b.depth; });
    for (const auto& d : dirs) {
      if (!touched.count(d.path) && d.mtime_ms >= cutoff) continue;
      arrow::fs::FileSelector selector;
      selector.base_dir = d.path;
      selector.allow_not_found = true;
      ARROW_ASSIGN_OR_RAISE(auto children, location.fs->GetFileInfo(selector));
      if (!children.empty()) continue;
      ARROW_RETURN_NOT_OK(location.fs->DeleteDir(d.path));
      ++result.directories_deleted;
      touched.insert(Parent(d.path));
    }
    return arrow::Status::OK();
  };
  auto deleted = delete_all();
  if (log) {
    auto logged = LogOperation(location, "VACUUM END", {{"status", deleted.ok() ? "COMPLETED" : "FAILED"}},
                               {{"numDeletedFiles", std::to_string(files_done)},
                                {"numVacuumedDirectories", std::to_string(result.directories_deleted)}});
    if (deleted.ok()) ARROW_RETURN_NOT_OK(logged);
  }
  ARROW_RETURN_NOT_OK(deleted);
  return result;
}

}  // namespace

arrow::Result<int64_t> DeletedFileRetentionMillis(const Metadata& metadata) {
  auto value = metadata.Config("delta.deletedFileRetentionDuration");
  auto parsed = ParseIntervalMillis(value ? *value : kDefaultDeletedFileRetention);
  if (!parsed.ok()) {
    return arrow::Status::Invalid("table property delta.deletedFileRetentionDuration is not a valid interval: ",
                                  parsed.status().message());
  }
  return *parsed;
}

arrow::Result<VacuumResult> Vacuum(const TableLocation& location, const VacuumOptions& options, int64_t now_ms) {
  ErrorContext where{.table = location.display_name.empty() ? location.root : location.display_name};
  return AddContext(RunVacuum(location, options, now_ms), where);
}

}  // namespace tidelake::delta
