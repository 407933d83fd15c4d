#include "stream/checkpoint.h"

#include <arrow/io/interfaces.h>
#include <arrow/ipc/reader.h>
#include <arrow/ipc/writer.h>
#include <arrow/table.h>

#include <nlohmann/json.hpp>

#include "common/uuid.h"
#include "io/filesystem.h"

namespace tidelake::stream {

namespace {

using nlohmann::json;

arrow::Result<json> ReadJson(arrow::fs::FileSystem& fs, const std::string& path) {
  ARROW_ASSIGN_OR_RAISE(std::string text, io::ReadFile(fs, path));
  json parsed = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    return arrow::Status::Invalid("streaming checkpoint file ", path, " is not a JSON object; it is corrupt");
  }
  return parsed;
}

arrow::Status Corrupt(const std::string& path, const std::string& what) {
  return arrow::Status::Invalid("streaming checkpoint file ", path, " is corrupt: ", what);
}

std::string BatchName(int64_t batch_id) { return std::to_string(batch_id); }

}  // namespace

Checkpoint::Checkpoint(std::shared_ptr<arrow::fs::FileSystem> fs, std::string dir, std::string query_id)
    : fs_(fs), store_(fs), dir_(std::move(dir)), query_id_(std::move(query_id)) {}

arrow::Result<std::unique_ptr<Checkpoint>> Checkpoint::Open(std::shared_ptr<arrow::fs::FileSystem> fs, std::string dir) {
  const std::string metadata_path = dir + "/metadata";
  ARROW_ASSIGN_OR_RAISE(auto info, fs->GetFileInfo(metadata_path));
  if (info.type() == arrow::fs::FileType::NotFound) {
    ARROW_RETURN_NOT_OK(fs->CreateDir(dir + "/offsets", /*recursive=*/true));
    ARROW_RETURN_NOT_OK(fs->CreateDir(dir + "/commits", /*recursive=*/true));
    io::LogStore store(fs);
    auto status = store.PutIfAbsent(metadata_path, json{{"id", RandomUuid()}}.dump());
    // Another process created it at the same moment: use its id.
    if (!status.ok() && !status.IsAlreadyExists()) return status;
  }
  ARROW_ASSIGN_OR_RAISE(json metadata, ReadJson(*fs, metadata_path));
  auto id = metadata.find("id");
  if (id == metadata.end() || !id->is_string() || id->get<std::string>().empty()) {
    return Corrupt(metadata_path, "it has no query id");
  }
  return std::unique_ptr<Checkpoint>(new Checkpoint(std::move(fs), std::move(dir), id->get<std::string>()));
}

arrow::Result<std::optional<int64_t>> Checkpoint::LatestIn(const std::string& subdir) const {
  arrow::fs::FileSelector selector;
  selector.base_dir = dir_ + "/" + subdir;
  selector.allow_not_found = true;
  ARROW_ASSIGN_OR_RAISE(auto entries, fs_->GetFileInfo(selector));
  std::optional<int64_t> latest;
  for (const auto& entry : entries) {
    if (entry.type() != arrow::fs::FileType::File) continue;
    const std::string name = entry.base_name();
    // Only names that are whole numbers: temporary files of an interrupted write are skipped.
    if (name.empty() || name.size() > 18 || name.find_first_not_of("0123456789") != std::string::npos) continue;
    int64_t n = std::stoll(name);
    if (!latest || n > *latest) latest = n;
  }
  return latest;
}

arrow::Result<std::optional<BatchPlan>> Checkpoint::LatestPlan() const {
  ARROW_ASSIGN_OR_RAISE(auto latest, LatestIn("offsets"));
  if (!latest) return std::nullopt;
  const std::string path = dir_ + "/offsets/" + BatchName(*latest);
  ARROW_ASSIGN_OR_RAISE(json j, ReadJson(*fs_, path));
  BatchPlan plan;
  plan.batch_id = *latest;
  for (const char* key : {"start", "end"}) {
    auto it = j.find(key);
    if (it == j.end() || !it->is_object()) return Corrupt(path, std::string("it has no '") + key + "' offsets");
    auto& target = std::string(key) == "start" ? plan.start : plan.end;
    for (const auto& [source, offset] : it->items()) {
      if (!offset.is_string()) return Corrupt(path, "the offset of source '" + source + "' is not a string");
      target[source] = offset.get<std::string>();
    }
  }
  if (auto e = j.find("endOfInput"); e != j.end() && e->is_boolean()) plan.end_of_input = e->get<bool>();
  if (auto idle = j.find("idle"); idle != j.end()) {
    if (!idle->is_array()) return Corrupt(path, "its 'idle' sources are not a list");
    for (const auto& source : *idle) {
      if (!source.is_string()) return Corrupt(path, "an idle source's name is not a string");
      plan.idle.insert(source.get<std::string>());
    }
  }
  return plan;
}

arrow::Result<std::optional<BatchCommit>> Checkpoint::LatestCommit() const {
  ARROW_ASSIGN_OR_RAISE(auto latest, LatestIn("commits"));
  if (!latest) return std::nullopt;
  const std::string path = dir_ + "/commits/" + BatchName(*latest);
  ARROW_ASSIGN_OR_RAISE(json j, ReadJson(*fs_, path));
  auto state = j.find("state");
  if (state == j.end() || !state->is_string()) return Corrupt(path, "it has no state");
  return BatchCommit{*latest, state->get<std::string>()};
}

arrow::Status Checkpoint::WritePlan(const BatchPlan& plan) const {
  json j{{"batchId", plan.batch_id}, {"start", plan.start}, {"end", plan.end}};
  if (plan.end_of_input) j["endOfInput"] = true;
  if (!plan.idle.empty()) j["idle"] = plan.idle;
  auto status = store_.PutIfAbsent(dir_ + "/offsets/" + BatchName(plan.batch_id), j.dump());
  if (status.IsAlreadyExists()) {
    return arrow::Status::Invalid("batch ", plan.batch_id, " of the streaming query in ", dir_,
                                  " was planned already (is another process running this query?)");
  }
  return status;
}

arrow::Status Checkpoint::WriteCommit(const BatchCommit& commit) const {
  ARROW_ASSIGN_OR_RAISE(auto info, fs_->GetFileInfo(dir_ + "/offsets/" + BatchName(commit.batch_id)));
  if (info.type() != arrow::fs::FileType::File) {
    return arrow::Status::Invalid("cannot commit batch ", commit.batch_id, " of the streaming query in ", dir_,
                                  ": it was never planned");
  }
  auto status =
      store_.PutIfAbsent(dir_ + "/commits/" + BatchName(commit.batch_id),
                         json{{"batchId", commit.batch_id}, {"state", commit.state}}.dump());
  if (status.IsAlreadyExists()) {
    return arrow::Status::Invalid("batch ", commit.batch_id, " of the streaming query in ", dir_,
                                  " was committed already (is another process running this query?)");
  }
  return status;
}

arrow::Result<std::map<std::string, std::string>> Checkpoint::InitialOffsets() const {
  const std::string path = dir_ + "/sources";
  ARROW_ASSIGN_OR_RAISE(auto info, fs_->GetFileInfo(path));
  std::map<std::string, std::string> out;
  if (info.type() == arrow::fs::FileType::NotFound) return out;
  ARROW_ASSIGN_OR_RAISE(json j, ReadJson(*fs_, path));
  for (const auto& [source, offset] : j.items()) {
    if (!offset.is_string()) return Corrupt(path, "the offset of source '" + source + "' is not a string");
    out[source] = offset.get<std::string>();
  }
  return out;
}

arrow::Status Checkpoint::WriteInitialOffset(const std::string& source, const std::string& offset) const {
  ARROW_ASSIGN_OR_RAISE(auto offsets, InitialOffsets());
  if (!offsets.emplace(source, offset).second) {
    return arrow::Status::Invalid("source '", source, "' of the streaming query in ", dir_, " has started already");
  }
  return store_.PutAtomic(dir_ + "/sources", json(offsets).dump());
}

arrow::Status Checkpoint::AppendProgress(const std::string& json_line) const {
  const std::string path = dir_ + "/progress";
  ARROW_ASSIGN_OR_RAISE(auto info, fs_->GetFileInfo(path));
  std::shared_ptr<arrow::io::OutputStream> out;
  if (info.type() == arrow::fs::FileType::NotFound) {
    ARROW_ASSIGN_OR_RAISE(out, fs_->OpenOutputStream(path));
  } else {
    ARROW_ASSIGN_OR_RAISE(out, fs_->OpenAppendStream(path));
  }
  ARROW_RETURN_NOT_OK(out->Write(json_line + "\n"));
  return out->Close();
}

arrow::Result<std::string> Checkpoint::WriteStateRows(int64_t batch_id, const std::shared_ptr<arrow::Table>& rows) const {
  const std::string name = NewStateName(batch_id, ".arrow");
  ARROW_RETURN_NOT_OK(fs_->CreateDir(dir_ + "/state", /*recursive=*/true));
  ARROW_ASSIGN_OR_RAISE(auto out, fs_->OpenOutputStream(dir_ + "/state/" + name));
  ARROW_ASSIGN_OR_RAISE(auto writer, arrow::ipc::MakeFileWriter(out, rows->schema()));
  ARROW_RETURN_NOT_OK(writer->WriteTable(*rows));
  ARROW_RETURN_NOT_OK(writer->Close());
  ARROW_RETURN_NOT_OK(out->Close());
  return name;
}

arrow::Result<std::shared_ptr<arrow::Table>> Checkpoint::ReadStateRows(const std::string& name) const {
  const std::string path = dir_ + "/state/" + name;
  auto file = fs_->OpenInputFile(path);
  if (!file.ok()) return Corrupt(path, "the state file a commit names cannot be opened: " + file.status().message());
  auto reader = arrow::ipc::RecordBatchFileReader::Open(*file);
  if (!reader.ok()) return Corrupt(path, reader.status().message());
  ARROW_ASSIGN_OR_RAISE(auto table, (*reader)->ToTable());
  return table;
}

arrow::Status Checkpoint::DeleteStateRowsExcept(const std::set<std::string>& keep) const {
  arrow::fs::FileSelector selector;
  selector.base_dir = dir_ + "/state";
  selector.allow_not_found = true;
  ARROW_ASSIGN_OR_RAISE(auto entries, fs_->GetFileInfo(selector));
  for (const auto& entry : entries) {
    if (keep.count(entry.base_name()) != 0) continue;
    if (entry.type() == arrow::fs::FileType::File) ARROW_RETURN_NOT_OK(fs_->DeleteFile(entry.path()));
    if (entry.type() == arrow::fs::FileType::Directory) ARROW_RETURN_NOT_OK(fs_->DeleteDir(entry.path()));
  }
  return arrow::Status::OK();
}

std::string Checkpoint::NewStateName(int64_t batch_id, const std::string& suffix) {
  return BatchName(batch_id) + "-" + RandomUuid() + suffix;
}

std::optional<std::string> Checkpoint::LocalDir() const {
  if (fs_->type_name() != "local") return std::nullopt;
  return dir_;
}

}  // namespace tidelake::stream
