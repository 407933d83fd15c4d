#include "delta/transaction.h"

#include <chrono>
#include <nlohmann/json.hpp>
#include <set>

#include "common/clock.h"
#include "common/error.h"
#include "common/uuid.h"
#include "delta/background_housekeeping.h"
#include "delta/checkpoint_writer.h"
#include "delta/data_writer.h"
#include "delta/interval.h"
#include "delta/scan.h"
#include "delta/table_features.h"
#include "io/log_store.h"

namespace tidelake::delta {

namespace cp = arrow::compute;

namespace {

bool ConfigTrue(const Metadata& m, const std::string& key) {
  auto v = m.Config(key);
  if (!v) return false;
  std::string s = *v;
  for (auto& c : s) c = static_cast<char>(std::tolower(c));
  return s == "true";
}

std::string OperationLabel(const std::vector<Action>& actions) {
  for (const auto& a : actions) {
    if (const auto* info = std::get_if<CommitInfo>(&a)) {
      if (info->operation) return " (" + *info->operation + ")";
    }
  }
  return "";
}

// Every delta.checkpointInterval versions (10 by default) a classic checkpoint is written.
bool CheckpointDue(const Protocol& protocol, const Metadata& metadata, int64_t version) {
  int64_t interval = 10;
  if (auto v = metadata.Config("delta.checkpointInterval")) {
    try {
      interval = std::max<int64_t>(1, std::stoll(*v));
    } catch (...) {
    }
  }
  return version > 0 && version % interval == 0 && !FeatureEnabled(protocol, "v2Checkpoint");
}

}  // namespace

std::unique_ptr<Transaction> Transaction::ForSnapshot(std::shared_ptr<const Snapshot> snapshot) {
  std::unique_ptr<Transaction> t(new Transaction());
  t->location_ = snapshot->location();
  t->snapshot_ = std::move(snapshot);
  return t;
}

std::unique_ptr<Transaction> Transaction::ForNewTable(TableLocation location) {
  std::unique_ptr<Transaction> t(new Transaction());
  t->location_ = std::move(location);
  return t;
}

const Metadata& Transaction::metadata() const {
  if (new_metadata_) return *new_metadata_;
  return snapshot_->metadata();
}

const Protocol& Transaction::protocol() const {
  if (new_protocol_) return *new_protocol_;
  return snapshot_->protocol();
}

void Transaction::UpdateMetadata(Metadata metadata) { new_metadata_ = std::move(metadata); }
void Transaction::UpdateProtocol(Protocol protocol) { new_protocol_ = std::move(protocol); }
void Transaction::Add(Action action) { actions_.push_back(std::move(action)); }
void Transaction::Add(std::vector<AddFile> files) {
  for (auto& f : files) actions_.emplace_back(std::move(f));
}
void Transaction::ReadPredicate(const cp::Expression& predicate) { read_predicates_.push_back(predicate); }
void Transaction::ReadWholeTable() { read_whole_table_ = true; }
void Transaction::SetTxn(const std::string& app_id, int64_t version) {
  txn_ = Txn{app_id, version, NowMillis()};
}

bool Transaction::IsBlindAppend() const {
  if (read_whole_table_ || !read_predicates_.empty()) return false;
  for (const auto& a : actions_) {
    if (std::holds_alternative<RemoveFile>(a)) return false;
    if (const auto* add = std::get_if<AddFile>(&a); add && !add->data_change) return false;
  }
  return true;
}

arrow::Status Transaction::CheckAppendOnly() const {
  if (!ConfigTrue(metadata(), "delta.appendOnly")) return arrow::Status::OK();
  for (const auto& a : actions_) {
    if (const auto* rm = std::get_if<RemoveFile>(&a); rm && rm->data_change) {
      return arrow::Status::Invalid("table is append-only (delta.appendOnly = true): this operation would remove '",
                                    DecodePath(rm->path), "'");
    }
  }
  return arrow::Status::OK();
}

arrow::Status Transaction::CheckConflicts(int64_t winning_version, const std::vector<Action>& winning) const {
  auto conflict = [&](const std::string& why) {
    return arrow::Status::Invalid("concurrent modification: version ", winning_version, OperationLabel(winning),
                                  " was committed by another writer after this transaction read version ",
                                  read_version(), ", and ", why, "; retry the operation");
  };
  // Files this transaction removes (by path + DV), to detect delete/delete conflicts.
  std::set<std::string> removing;
  for (const auto& a : actions_) {
    if (const auto* rm = std::get_if<RemoveFile>(&a)) removing.insert(rm->path);
  }
  bool reads = read_whole_table_ || !read_predicates_.empty();
  std::vector<cp::Expression> bound_predicates;
  if (reads && snapshot_) {
    for (const auto& p : read_predicates_) {
      ARROW_ASSIGN_OR_RAISE(auto b, p.Bind(*snapshot_->schema()));
      bound_predicates.push_back(std::move(b));
    }
  }
  // At WriteSerializable, files added by a concurrent blind append never conflict: the
  // result is as if that append had committed after this transaction.
  bool winner_blind_append = false;
  for (const auto& action : winning) {
    if (const auto* info = std::get_if<CommitInfo>(&action)) {
      winner_blind_append = info->json.find("\"isBlindAppend\":true") != std::string::npos;
    }
  }
  auto read_file = [&](const std::string& path) -> arrow::Result<bool> {
    if (!reads || !snapshot_) return false;
    if (read_whole_table_) return true;
    for (const auto& f : snapshot_->files()) {
      if (f.path != path) continue;
      for (const auto& p : bound_predicates) {
        ARROW_ASSIGN_OR_RAISE(bool may, Scan::FileMayMatch(*snapshot_, f, p));
        if (may) return true;
      }
      return false;
    }
    return false;
  };
  for (const auto& action : winning) {
    if (std::holds_alternative<Protocol>(action)) return conflict("it changed the table protocol");
    if (std::holds_alternative<Metadata>(action)) return conflict("it changed the table metadata (schema or properties)");
    if (const auto* t = std::get_if<Txn>(&action); t && txn_ && t->app_id == txn_->app_id) {
      return conflict("it committed for the same application id '" + t->app_id + "' (version " +
                      std::to_string(t->version) + ")");
    }
    // A removed file conflicts whatever its dataChange flag: a compaction (OPTIMIZE) that
    // rewrote a file this transaction read or removes would otherwise resurrect or duplicate
    // its rows.
    if (const auto* rm = std::get_if<RemoveFile>(&action)) {
      if (removing.count(rm->path)) return conflict("it also removed file '" + DecodePath(rm->path) + "'");
      ARROW_ASSIGN_OR_RAISE(bool was_read, read_file(rm->path));
      if (was_read) return conflict("it removed file '" + DecodePath(rm->path) + "' that this transaction read");
    }
    if (const auto* add = std::get_if<AddFile>(&action);
        add && add->data_change && reads && snapshot_ && !winner_blind_append) {
      bool matches = read_whole_table_;
      for (const auto& p : bound_predicates) {
        if (matches) break;
        ARROW_ASSIGN_OR_RAISE(matches, Scan::FileMayMatch(*snapshot_, *add, p));
      }
      if (matches) {
        return conflict("it added file '" + DecodePath(add->path) + "' matching what this transaction read");
      }
    }
  }
  return arrow::Status::OK();
}

std::vector<Action> Transaction::BuildCommit(int64_t version, const std::string& operation,
                                             const std::map<std::string, std::string>& parameters,
                                             const std::map<std::string, std::string>& metrics,
                                             int64_t last_commit_timestamp) const {
  std::vector<Action> out;
  int64_t now = NowMillis();
  nlohmann::ordered_json info;
  info["timestamp"] = now;
  bool ict = ConfigTrue(metadata(), "delta.enableInCommitTimestamps");
  if (ict) info["inCommitTimestamp"] = std::max(now, last_commit_timestamp + 1);
  info["operation"] = operation;
  info["operationParameters"] = nlohmann::ordered_json(parameters);
  if (read_version() >= 0) info["readVersion"] = read_version();
  info["isolationLevel"] = "WriteSerializable";
  info["isBlindAppend"] = IsBlindAppend();
  info["operationMetrics"] = nlohmann::ordered_json(metrics);
  info["engineInfo"] = "tidelake/0.1.0";
  info["txnId"] = RandomUuid();
  CommitInfo commit_info;
  commit_info.json = info.dump();
  out.emplace_back(std::move(commit_info));
  if (new_protocol_) out.emplace_back(*new_protocol_);
  if (new_metadata_) out.emplace_back(*new_metadata_);
  if (txn_) out.emplace_back(*txn_);
  for (const auto& a : actions_) out.push_back(a);
  (void)version;
  return out;
}

arrow::Result<CommitResult> Transaction::Commit(const std::string& operation,
                                                std::map<std::string, std::string> parameters,
                                                std::map<std::string, std::string> metrics) {
  ErrorContext where{.table = location_.display_name.empty() ? location_.root : location_.display_name};
  if (!snapshot_ && (!new_metadata_ || !new_protocol_)) {
    return ErrorAt(arrow::StatusCode::Invalid, where, "a new table needs a protocol and metadata");
  }
  if (snapshot_ && new_metadata_) {
    // A metadata change may need features the table lacks (a timestamp_ntz column, a widened
    // type, deletion vectors switched on): upgrade the protocol in the same commit.
    Protocol required = UnionProtocol(protocol(), ProtocolFor(*new_metadata_));
    if (!SameProtocol(required, protocol())) new_protocol_ = std::move(required);
  }
  ARROW_RETURN_NOT_OK(AddContext(CheckCanWrite(protocol(), metadata()), where));
  ARROW_RETURN_NOT_OK(AddContext(CheckAppendOnly(), where));

  io::LogStore store(location_.fs);
  if (!snapshot_) ARROW_RETURN_NOT_OK(location_.fs->CreateDir(location_.LogDir(), true));
  int64_t version = read_version() + 1;
  int64_t last_ts = snapshot_ ? snapshot_->timestamp_ms() : 0;
  CommitResult result;
  for (int attempt = 0;; ++attempt) {
    auto actions = BuildCommit(version, operation, parameters, metrics, last_ts);
    std::string path = CommitPath(location_.LogDir(), version);
    auto st = store.PutIfAbsent(path, ToCommitText(actions));
    if (st.ok()) {
      result.version = version;
      result.attempts = attempt + 1;
      break;
    }
    if (!st.IsAlreadyExists()) {
      where.version = version;
      return AddContext(st, where);
    }
    if (!snapshot_) {
      return ErrorAt(arrow::StatusCode::AlreadyExists, where,
                     "cannot create the table: another writer created it first (version 0 exists)");
    }
    if (attempt >= max_retries_) {
      return ErrorAt(arrow::StatusCode::IOError, where,
                     "gave up committing after " + std::to_string(attempt + 1) + " attempts: the table is too contended");
    }
    auto winning = ReadCommit(*location_.fs, path);
    if (!winning.ok()) return AddContext(winning.status(), ErrorContext{.table = where.table, .version = version});
    ARROW_RETURN_NOT_OK(AddContext(CheckConflicts(version, *winning), where));
    if (auto ts = CommitTimestampOf(*winning)) last_ts = *ts;
    ++version;
  }
  // Housekeeping never fails a commit that is already durable. Most commits have none: the
  // snapshot it needs is loaded only when a checkpoint is due (by this commit's metadata).
  if (CheckpointDue(protocol(), metadata(), result.version)) {
    if (background_housekeeping_) {
      BackgroundHousekeeping::Instance().Schedule(location_, result.version);
    } else {
      IgnoreError(PostCommitHousekeeping(location_, result.version));
    }
  }
  return result;
}


arrow::Status PostCommitHousekeeping(const TableLocation& location, int64_t version) {
  ARROW_ASSIGN_OR_RAISE(auto snapshot, Snapshot::Load(location, version));
  const auto& metadata = snapshot->metadata();
  if (CheckpointDue(snapshot->protocol(), metadata, version)) {
    auto actions = CheckpointActions(snapshot->protocol(), metadata, snapshot->files(), snapshot->tombstones(),
                                     snapshot->transactions(), snapshot->domains(), NowMillis());
    ARROW_RETURN_NOT_OK(WriteCheckpoint(*location.fs, location.LogDir(), version, actions).status());
    auto cleanup = metadata.Config("delta.enableExpiredLogCleanup");
    if (!cleanup || *cleanup != "false") {
      ARROW_RETURN_NOT_OK(CleanupExpiredLogs(location, metadata, NowMillis()).status());
    }
  }
  return arrow::Status::OK();
}

arrow::Result<int64_t> CleanupExpiredLogs(const TableLocation& location, const Metadata& metadata, int64_t now_ms) {
  int64_t retention = 30LL * 24 * 3600 * 1000;
  if (auto v = metadata.Config("delta.logRetentionDuration")) {
    ARROW_ASSIGN_OR_RAISE(retention, ParseIntervalMillis(*v));
  }
  int64_t cutoff = now_ms - retention;
  ARROW_ASSIGN_OR_RAISE(auto listing, ListLog(*location.fs, location.LogDir()));
  // The newest checkpoint written before the cutoff: everything older can go. Checkpoints are
  // written in version order, so the scan stops at the first one that is too new (usually the
  // oldest: a young table costs one stat call here).
  std::optional<int64_t> boundary;
  for (const auto& cp : listing.checkpoints) {
    ARROW_ASSIGN_OR_RAISE(int64_t written, ModificationTimeMs(*location.fs, cp.parts.front()));
    if (written > cutoff) break;
    boundary = cp.version;
  }
  if (!boundary) return 0;
  int64_t deleted = 0;
  for (const auto& commit : listing.commits) {
    if (commit.version >= *boundary) break;
    ARROW_ASSIGN_OR_RAISE(int64_t written, ModificationTimeMs(*location.fs, commit));
    if (written > cutoff) continue;
    ARROW_RETURN_NOT_OK(location.fs->DeleteFile(commit.path));
    auto crc = commit.path.substr(0, commit.path.size() - 5) + ".crc";
    IgnoreError(location.fs->DeleteFile(crc));
    ++deleted;
  }
  for (const auto& cp : listing.checkpoints) {
    if (cp.version >= *boundary) continue;
    for (const auto& part : cp.parts) {
      ARROW_RETURN_NOT_OK(location.fs->DeleteFile(part.path));
      ++deleted;
    }
  }
  return deleted;
}

}  // namespace tidelake::delta
