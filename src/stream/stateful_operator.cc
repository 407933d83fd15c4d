#include "stream/stateful_operator.h"

namespace tidelake::stream {

arrow::Status StateRows::Save(const Checkpoint& checkpoint, int64_t batch_id, const char* key, nlohmann::json* state,
                              std::set<std::string>* files) {
  if (!rows || rows->num_rows() == 0) return arrow::Status::OK();
  if (rows != saved_ || file_.empty()) {
    ARROW_ASSIGN_OR_RAISE(file_, checkpoint.WriteStateRows(batch_id, rows));
    saved_ = rows;
  }
  (*state)[key] = file_;
  files->insert(file_);
  return arrow::Status::OK();
}

arrow::Status StateRows::Restore(const Checkpoint& checkpoint, const nlohmann::json& state, const char* key,
                                 const std::shared_ptr<arrow::Schema>& schema, std::set<std::string>* files) {
  rows = nullptr;
  saved_ = nullptr;
  file_.clear();
  auto it = state.find(key);
  if (it == state.end()) return arrow::Status::OK();
  if (!it->is_string()) return CorruptState(checkpoint, std::string("'") + key + "' is not a file name");
  const std::string file = it->get<std::string>();
  ARROW_ASSIGN_OR_RAISE(auto table, checkpoint.ReadStateRows(file));
  auto typed = WithSchema(table, schema, "the saved rows");
  if (!typed.ok()) return CorruptState(checkpoint, typed.status().message());
  ARROW_ASSIGN_OR_RAISE(rows, (*typed)->CombineChunks());
  saved_ = rows;
  file_ = file;
  files->insert(file);
  return arrow::Status::OK();
}

arrow::Status CorruptState(const Checkpoint& checkpoint, const std::string& what) {
  return arrow::Status::Invalid("the streaming checkpoint in ", checkpoint.dir(), " holds state this query cannot use (",
                                what, "); was the query changed? Drop the checkpoint to start over");
}

std::optional<int64_t> JsonInteger(const nlohmann::json& state, const char* key) {
  auto it = state.find(key);
  if (it == state.end() || !it->is_number_integer()) return std::nullopt;
  return it->get<int64_t>();
}

}  // namespace tidelake::stream
