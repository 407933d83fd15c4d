#include "delta/checkpoint_reader.h"

#include <arrow/array.h>
#include <arrow/io/file.h>
#include <arrow/table.h>
#include <parquet/arrow/reader.h>
#include <parquet/arrow/schema.h>

#include <algorithm>

#include "common/error.h"
#include "delta/action_columns.h"
#include "io/arrow_json.h"
#include "io/filesystem.h"

namespace tidelake::delta {

namespace {

constexpr const char* kActionColumns[] = {"add",      "remove", "metaData",       "protocol",
                                          "txn",      "cdc",    "domainMetadata", "sidecar",
                                          "checkpointMetadata"};

// Renders the struct of one add action, turning stats_parsed into a JSON "stats" string when
// the JSON form is absent.
void AppendAddJson(const arrow::StructArray& add, int64_t row, std::string* out) {
  const auto& type = static_cast<const arrow::StructType&>(*add.type());
  int stats_idx = type.GetFieldIndex("stats");
  int parsed_idx = type.GetFieldIndex("stats_parsed");
  bool need_parsed = parsed_idx >= 0 && (stats_idx < 0 || add.field(stats_idx)->IsNull(row)) &&
                     !add.field(parsed_idx)->IsNull(row);
  *out += '{';
  bool first = true;
  for (int i = 0; i < type.num_fields(); ++i) {
    const std::string& name = type.field(i)->name();
    if (name == "stats_parsed" || name == "partitionValues_parsed") continue;
    if (name == "stats" && need_parsed) continue;
    if (!first) *out += ',';
    first = false;
    io::AppendJsonString(name, out);
    *out += ':';
    io::AppendJsonValue(*add.field(i), row, out);
  }
  if (need_parsed) {
    std::string stats;
    io::AppendJsonValue(*add.field(parsed_idx), row, &stats);
    if (!first) *out += ',';
    *out += "\"stats\":";
    io::AppendJsonString(stats, out);
  }
  *out += '}';
}

arrow::Status ReadParquetActions(arrow::fs::FileSystem& fs, const std::string& path,
                                 std::vector<Action>* actions) {
  ARROW_ASSIGN_OR_RAISE(auto input, fs.OpenInputFile(path));
  ARROW_ASSIGN_OR_RAISE(auto reader,
                        parquet::arrow::OpenFile(input, arrow::default_memory_pool()));
  std::shared_ptr<arrow::Schema> schema;
  ARROW_RETURN_NOT_OK(reader->GetSchema(&schema));
  std::vector<int> columns;
  std::vector<std::string> names;
  for (const char* name : kActionColumns) {
    int idx = schema->GetFieldIndex(name);
    if (idx < 0) continue;
    // Map top-level field index to leaf column indices.
    const auto& manifest = reader->manifest();
    for (const auto& field : manifest.schema_fields) {
      if (field.field->name() != name) continue;
      std::vector<const parquet::arrow::SchemaField*> stack{&field};
      while (!stack.empty()) {
        const auto* f = stack.back();
        stack.pop_back();
        if (f->is_leaf()) columns.push_back(f->column_index);
        for (const auto& child : f->children) stack.push_back(&child);
      }
    }
    names.emplace_back(name);
  }
  std::sort(columns.begin(), columns.end());
  ARROW_ASSIGN_OR_RAISE(auto table, reader->ReadTable(columns));
  ARROW_ASSIGN_OR_RAISE(table, table->CombineChunks());

  std::string json;
  for (int c = 0; c < table->num_columns(); ++c) {
    const std::string& name = table->field(c)->name();
    if (table->column(c)->num_chunks() == 0) continue;
    const auto& array = *table->column(c)->chunk(0);
    if (array.type_id() == arrow::Type::STRUCT && (name == "add" || name == "remove")) {
      const auto& column = static_cast<const arrow::StructArray&>(array);
      ARROW_ASSIGN_OR_RAISE(bool decoded, name == "add" ? DecodeAddColumn(column, actions)
                                                        : DecodeRemoveColumn(column, actions));
      if (decoded) continue;
    }
    for (int64_t row = 0; row < array.length(); ++row) {
      if (array.IsNull(row)) continue;
      json.clear();
      json += "{\"";
      json += name;
      json += "\":";
      if (name == "add") {
        AppendAddJson(static_cast<const arrow::StructArray&>(array), row, &json);
      } else {
        io::AppendJsonValue(array, row, &json);
      }
      json += '}';
      auto parsed = ParseAction(json);
      if (!parsed.ok()) {
        return arrow::Status::Invalid("checkpoint row ", row, " (", name,
                                      "): ", parsed.status().message());
      }
      if (*parsed) actions->push_back(std::move(**parsed));
    }
  }
  return arrow::Status::OK();
}

arrow::Status ReadCheckpointFile(arrow::fs::FileSystem& fs, const LogFile& file,
                                 std::vector<Action>* actions) {
  const std::string& path = file.path;
  if (path.size() > 5 && path.compare(path.size() - 5, 5, ".json") == 0) {
    ARROW_ASSIGN_OR_RAISE(auto text, io::ReadFile(fs, path));
    ARROW_ASSIGN_OR_RAISE(auto parsed, ParseActions(text));
    for (auto& a : parsed) actions->push_back(std::move(a));
    return arrow::Status::OK();
  }
  return ReadParquetActions(fs, path, actions);
}

}  // namespace

arrow::Result<std::vector<Action>> ReadCheckpoint(arrow::fs::FileSystem& fs,
                                                  const Checkpoint& checkpoint,
                                                  const std::string& log_dir) {
  std::vector<Action> actions;
  for (const auto& part : checkpoint.parts) {
    auto st = ReadCheckpointFile(fs, part, &actions);
    if (!st.ok()) {
      return AddContext(st, ErrorContext{.table = {}, .version = checkpoint.version, .file = part.path});
    }
  }
  // V2: replace sidecar references with the actions they hold.
  bool has_sidecars = std::any_of(actions.begin(), actions.end(),
                                  [](const Action& a) { return std::holds_alternative<Sidecar>(a); });
  if (!has_sidecars) return actions;
  std::vector<Action> resolved;
  resolved.reserve(actions.size());
  for (auto& action : actions) {
    if (const auto* sidecar = std::get_if<Sidecar>(&action)) {
      std::string rel = DecodePath(sidecar->path);
      std::string path = rel.find('/') == std::string::npos ? log_dir + "/_sidecars/" + rel : rel;
      auto st = ReadParquetActions(fs, path, &resolved);
      if (!st.ok()) {
        return AddContext(st, ErrorContext{.table = {}, .version = checkpoint.version, .file = path});
      }
      continue;
    }
    resolved.push_back(std::move(action));
  }
  return resolved;
}

}  // namespace tidelake::delta
