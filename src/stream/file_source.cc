#include "stream/file_source.h"

#include <arrow/api.h>
#include <arrow/compute/api.h>
#include <arrow/csv/api.h>
#include <arrow/io/memory.h>
#include <arrow/json/api.h>
#include <fnmatch.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <future>
#include <limits>
#include <set>

#include <nlohmann/json.hpp>

#include "common/arrow_init.h"
#include "common/clock.h"
#include "common/error.h"
#include "exec/file_reader.h"
#include "io/filesystem.h"

namespace tidelake::stream {

namespace {

using nlohmann::json;

int64_t Millis(arrow::fs::TimePoint time) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count();
}

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Arrow's CSV reader names the row of a bad value ("Row #12: ..."); rows count lines from the
// file's first line, header included, so they are line numbers unless a quoted value spans lines.
int64_t CsvRowOf(const std::string& message, std::string* rest) {
  const std::string tag = "Row #";
  auto at = message.find(tag);
  if (at == std::string::npos) return 0;
  size_t end = at + tag.size();
  int64_t row = 0;
  while (end < message.size() && message[end] >= '0' && message[end] <= '9') {
    row = row * 10 + (message[end] - '0');
    ++end;
  }
  if (end == at + tag.size()) return 0;
  if (message.compare(end, 2, ": ") == 0) end += 2;
  *rest = message.substr(0, at) + message.substr(end);
  return row;
}

}  // namespace

FileSource::FileSource(std::string name, FileSourceOptions options, std::shared_ptr<arrow::fs::FileSystem> fs,
                       std::string dir)
    : name_(std::move(name)), options_(std::move(options)), fs_(std::move(fs)), dir_(std::move(dir)) {}

arrow::Result<std::unique_ptr<FileSource>> FileSource::Make(std::string name, FileSourceOptions options) {
  ARROW_RETURN_NOT_OK(EnsureArrowInitialized());
  auto bad = [&](const std::string& why) { return arrow::Status::Invalid("file source '", name, "': ", why); };
  if (options.path.empty()) return bad("needs a directory");
  if (!options.schema || options.schema->num_fields() == 0) return bad("needs its columns");
  std::set<std::string> names;
  for (const auto& f : options.schema->fields()) {
    if (!names.insert(f->name()).second) return bad("column '" + f->name() + "' is declared twice");
  }
  if (options.max_files_per_trigger && *options.max_files_per_trigger < 1) {
    return bad("maxFilesPerTrigger must be at least 1, got " + std::to_string(*options.max_files_per_trigger));
  }
  if (options.min_file_age_ms < 0) return bad("the minimum file age must not be negative");
  if (options.max_file_age_ms && *options.max_file_age_ms < 1) return bad("maxFileAge must be positive");
  if (!options.now_ms) options.now_ms = NowMillis;
  ARROW_ASSIGN_OR_RAISE(io::Location location, io::ResolveLocation(options.path));
  ARROW_ASSIGN_OR_RAISE(auto info, location.fs->GetFileInfo(location.path));
  if (info.type() == arrow::fs::FileType::NotFound) return bad("directory '" + options.path + "' does not exist");
  if (info.type() != arrow::fs::FileType::Directory) return bad("'" + options.path + "' is not a directory");
  return std::unique_ptr<FileSource>(
      new FileSource(std::move(name), std::move(options), std::move(location.fs), std::move(location.path)));
}

std::string FileSource::FileUri(const std::string& file_name) const {
  if (fs_->type_name() == "local") return io::JoinPath(dir_, file_name);
  std::string base = options_.path;
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base + "/" + file_name;
}

bool FileSource::Eligible(const std::string& file_name) const {
  if (file_name.empty() || file_name[0] == '.' || file_name[0] == '_') return false;
  if (EndsWith(file_name, "._COPYING_")) return false;
  if (!options_.path_glob_filter.empty() &&
      fnmatch(options_.path_glob_filter.c_str(), file_name.c_str(), FNM_PERIOD) != 0) {
    return false;
  }
  return true;
}

std::string FileSource::Format(const FileLog& log) const {
  json files = json::array();
  for (const auto& f : log.files) files.push_back(json::array({f.seq, f.name, f.mtime_ms, f.size}));
  return json{{"path", options_.path}, {"next", log.next}, {"files", std::move(files)}}.dump();
}

arrow::Result<FileSource::FileLog> FileSource::Parse(const std::string& offset) const {
  json j = json::parse(offset, nullptr, /*allow_exceptions=*/false);
  auto bad = [&](const std::string& why) {
    return arrow::Status::Invalid("offset of file source '", name_, "' is not valid: ", why, ": ",
                                  offset.substr(0, 200));
  };
  if (j.is_discarded() || !j.is_object()) return bad("not a JSON object");
  auto path = j.find("path");
  if (path == j.end() || !path->is_string()) return bad("no path");
  if (path->get<std::string>() != options_.path) {
    return arrow::Status::Invalid("the checkpoint of file source '", name_, "' is for directory '",
                                  path->get<std::string>(), "', not '", options_.path,
                                  "'; restart the query from a new checkpoint to read another directory");
  }
  auto next = j.find("next");
  auto files = j.find("files");
  if (next == j.end() || !next->is_number_integer() || files == j.end() || !files->is_array()) {
    return bad("next and files are required");
  }
  FileLog log;
  log.next = next->get<int64_t>();
  for (const auto& f : *files) {
    if (!f.is_array() || f.size() != 4 || !f[0].is_number_integer() || !f[1].is_string() ||
        !f[2].is_number_integer() || !f[3].is_number_integer()) {
      return bad("a file is not [seq, name, mtime, size]");
    }
    LoggedFile file{f[0].get<int64_t>(), f[1].get<std::string>(), f[2].get<int64_t>(), f[3].get<int64_t>()};
    if (file.seq < 0 || file.seq >= log.next) return bad("file " + file.name + " has sequence number out of range");
    log.files.push_back(std::move(file));
  }
  return log;
}

arrow::Result<std::string> FileSource::InitialOffset() { return Format(FileLog{}); }

arrow::Status FileSource::PrepareAvailableNow(const std::string&) {
  ARROW_ASSIGN_OR_RAISE(auto listed, io::ListFiles(*fs_, dir_));
  available_now_.emplace();
  for (const auto& entry : listed) available_now_->insert(entry.name);
  return arrow::Status::OK();
}

arrow::Result<std::vector<FileSource::LoggedFile>> FileSource::NewFiles(const FileLog& log) const {
  std::set<std::string> seen;
  int64_t newest = std::numeric_limits<int64_t>::min();
  for (const auto& f : log.files) {
    seen.insert(f.name);
    newest = std::max(newest, f.mtime_ms);
  }
  ARROW_ASSIGN_OR_RAISE(auto listed, io::ListFiles(*fs_, dir_));
  const int64_t now = options_.now_ms();
  std::vector<LoggedFile> found;
  for (const auto& entry : listed) {
    if (seen.count(entry.name) != 0 || !Eligible(entry.name)) continue;
    if (available_now_ && available_now_->count(entry.name) == 0) continue;
    ARROW_ASSIGN_OR_RAISE(auto info, fs_->GetFileInfo(entry.path));
    if (info.type() != arrow::fs::FileType::File) continue;  // gone since the listing
    LoggedFile file{0, entry.name, Millis(info.mtime()), info.size()};
    if (now - file.mtime_ms < options_.min_file_age_ms) continue;
    found.push_back(std::move(file));
  }
  std::sort(found.begin(), found.end(), [](const LoggedFile& a, const LoggedFile& b) {
    return std::tie(a.mtime_ms, a.name) < std::tie(b.mtime_ms, b.name);
  });
  if (options_.max_file_age_ms) {
    // Files older than the age limit relative to the newest file are never read.
    if (!found.empty()) newest = std::max(newest, found.back().mtime_ms);
    const int64_t floor = newest - *options_.max_file_age_ms;
    found.erase(std::remove_if(found.begin(), found.end(), [&](const LoggedFile& f) { return f.mtime_ms < floor; }),
                found.end());
  }
  if (options_.max_files_per_trigger && static_cast<int64_t>(found.size()) > *options_.max_files_per_trigger) {
    found.resize(static_cast<size_t>(*options_.max_files_per_trigger));
  }
  return found;
}

arrow::Result<std::optional<std::string>> FileSource::NextEnd(const std::string& start) {
  ARROW_ASSIGN_OR_RAISE(FileLog log, Parse(start));
  ARROW_ASSIGN_OR_RAISE(std::vector<LoggedFile> found, NewFiles(log));
  if (found.empty()) return std::nullopt;
  if (options_.max_file_age_ms) {
    // Forget the files read before that are past the age limit: they are ignored anyway.
    int64_t newest = std::numeric_limits<int64_t>::min();
    for (const auto& f : log.files) newest = std::max(newest, f.mtime_ms);
    for (const auto& f : found) newest = std::max(newest, f.mtime_ms);
    const int64_t floor = newest - *options_.max_file_age_ms;
    std::erase_if(log.files, [&](const LoggedFile& f) { return f.mtime_ms < floor; });
  }
  for (auto& f : found) {
    f.seq = log.next++;
    log.files.push_back(std::move(f));
  }
  return Format(log);
}

arrow::Status FileSource::FileError(const std::string& file_name, const arrow::Status& status) {
  const std::string uri = FileUri(file_name);
  std::string message = status.message();
  auto context = GetErrorContext(status);
  const std::string prefix = "file " + uri + ": ";
  if (message.rfind(prefix, 0) == 0) message = message.substr(prefix.size());
  ErrorContext where{.file = uri};
  if (context && context->line > 0) where.line = context->line;
  if (where.line == 0 && options_.format == plan::FileFormat::kCsv) {
    std::string rest;
    if (int64_t row = CsvRowOf(message, &rest); row > 0) {
      where.line = row;
      message = rest;
    }
    // "In CSV column #2: " counts the file's columns: name the column instead.
    const std::string tag = "In CSV column #";
    if (message.rfind(tag, 0) == 0) {
      size_t end = tag.size();
      int index = 0;
      while (end < message.size() && std::isdigit(static_cast<unsigned char>(message[end]))) {
        index = index * 10 + (message[end++] - '0');
      }
      if (message.compare(end, 2, ": ") == 0) {
        std::string column = CsvColumnName(file_name, index);
        if (!column.empty()) message = "column '" + column + "': " + message.substr(end + 2);
      }
    }
  }
  if (where.line == 0 && options_.format == plan::FileFormat::kJson) {
    // Arrow's JSON reader counts rows within a block, not the file: find the line by parsing
    // the file's lines one at a time (only on this error path).
    auto text = io::ReadFile(*fs_, io::JoinPath(dir_, file_name));
    if (text.ok()) {
      auto parse_options = arrow::json::ParseOptions::Defaults();
      parse_options.explicit_schema = options_.schema;
      parse_options.unexpected_field_behavior = arrow::json::UnexpectedFieldBehavior::Ignore;
      auto read_options = arrow::json::ReadOptions::Defaults();
      read_options.use_threads = false;
      int64_t line = 0;
      size_t begin = 0;
      while (begin < text->size()) {
        size_t end = text->find('\n', begin);
        if (end == std::string::npos) end = text->size();
        ++line;
        std::string one = text->substr(begin, end - begin);
        begin = end + 1;
        if (one.find_first_not_of(" \t\r") == std::string::npos) continue;
        auto input = std::make_shared<arrow::io::BufferReader>(arrow::Buffer::FromString(one + "\n"));
        auto reader = arrow::json::TableReader::Make(arrow::default_memory_pool(), input, read_options, parse_options);
        arrow::Status st = reader.ok() ? (*reader)->Read().status() : reader.status();
        if (!st.ok()) {
          where.line = line;
          message = st.message();
          // The row Arrow names counts within the one line parsed here.
          if (auto at = message.rfind(" in row "); at != std::string::npos &&
              message.find_first_not_of("0123456789", at + 8) == std::string::npos) {
            message.resize(at);
          }
          break;
        }
      }
    }
  }
  return ErrorAt(status.code(), where, message + " (file source '" + name_ + "')");
}

std::string FileSource::CsvColumnName(const std::string& file_name, int index) {
  if (!options_.csv_header) return index < options_.schema->num_fields() ? options_.schema->field(index)->name() : "";
  auto input = fs_->OpenInputStream(io::JoinPath(dir_, file_name));
  if (!input.ok()) return "";
  auto read = arrow::csv::ReadOptions::Defaults();
  read.use_threads = false;
  auto parse = arrow::csv::ParseOptions::Defaults();
  parse.delimiter = options_.csv_delimiter;
  auto convert = arrow::csv::ConvertOptions::Defaults();
  auto reader = arrow::csv::StreamingReader::Make(arrow::io::IOContext(arrow::default_memory_pool()), *input, read,
                                                  parse, convert);
  if (!reader.ok() || index >= (*reader)->schema()->num_fields()) return "";
  return (*reader)->schema()->field(index)->name();
}

arrow::Result<std::vector<std::shared_ptr<arrow::RecordBatch>>> FileSource::ReadFile(const LoggedFile& file,
                                                                                    bool decode_in_parallel) {
  const std::string uri = FileUri(file.name);
  const std::string path = io::JoinPath(dir_, file.name);
  ARROW_ASSIGN_OR_RAISE(auto info, fs_->GetFileInfo(path));
  if (info.type() != arrow::fs::FileType::File) {
    return ErrorAt(arrow::StatusCode::IOError, ErrorContext{.file = uri},
                   "the file is gone, but file source '" + name_ +
                       "' must read it again to repeat a batch; restore it or restart the query from a new checkpoint");
  }
  if (info.size() != file.size || Millis(info.mtime()) != file.mtime_ms) {
    return ErrorAt(arrow::StatusCode::IOError, ErrorContext{.file = uri},
                   "the file changed after file source '" + name_ + "' listed it (size " + std::to_string(file.size) +
                       " -> " + std::to_string(info.size()) + " bytes, modified at " + std::to_string(file.mtime_ms) +
                       " -> " + std::to_string(Millis(info.mtime())) +
                       " ms); files must not change once they are in the directory (write them elsewhere and "
                       "rename them in)");
  }

  // The declared columns read from the file (in Parquet, those the query reads: a columnar
  // file's other columns need not be decoded) and their position among the read ones.
  std::vector<int> position(static_cast<size_t>(options_.schema->num_fields()), -1);
  plan::FileScanNode node;
  node.format = options_.format;
  node.paths = {uri};
  node.csv_header = options_.csv_header;
  node.csv_delimiter = options_.csv_delimiter;
  arrow::FieldVector read_fields;
  // Struct columns read in part: the fields read, and the NOT NULL ones (which are checked).
  exec::StructFieldSubsets struct_fields;
  const bool columnar = options_.format == plan::FileFormat::kParquet;
  for (int i = 0; i < options_.schema->num_fields(); ++i) {
    const auto& field = options_.schema->field(i);
    if (columnar && read_only_ && !read_only_->columns.count(field->name()) && field->nullable()) continue;
    const bool positional = options_.format == plan::FileFormat::kCsv && !options_.csv_header;
    position[static_cast<size_t>(i)] = static_cast<int>(read_fields.size());
    node.columns.push_back(positional ? "_c" + std::to_string(i) : field->name());
    read_fields.push_back(field);
    if (!columnar || !read_only_) continue;
    if (auto it = read_only_->struct_fields.find(field->name()); it != read_only_->struct_fields.end()) {
      auto& fields = struct_fields[field->name()];
      fields = it->second;
      for (const auto& child : field->type()->fields()) {
        if (!child->nullable()) fields.insert(child->name());
      }
    }
  }
  node.schema = arrow::schema(std::move(read_fields));
  // A batch's files are read on its own thread, outside Arrow's CPU pool: a Parquet file's
  // columns can be decoded on that pool in parallel.
  auto opened = exec::OpenFiles(node, arrow::default_memory_pool(), std::move(struct_fields),
                                decode_in_parallel);
  if (!opened.ok()) return FileError(file.name, opened.status());
  std::shared_ptr<arrow::RecordBatchReader> reader = *opened;
  std::vector<std::shared_ptr<arrow::RecordBatch>> out;
  while (true) {
    std::shared_ptr<arrow::RecordBatch> batch;
    if (arrow::Status st = reader->ReadNext(&batch); !st.ok()) return FileError(file.name, st);
    if (!batch) break;
    arrow::ArrayVector columns;
    for (int i = 0; i < options_.schema->num_fields(); ++i) {
      const auto& field = options_.schema->field(i);
      if (position[static_cast<size_t>(i)] < 0) {  // not read by the query
        ARROW_ASSIGN_OR_RAISE(auto nulls, arrow::MakeArrayOfNull(field->type(), batch->num_rows()));
        columns.push_back(std::move(nulls));
        continue;
      }
      std::shared_ptr<arrow::Array> column = batch->column(position[static_cast<size_t>(i)]);
      // Also widens a struct read in part: Arrow's struct cast matches fields by name and fills
      // the (nullable) ones the input lacks with nulls.
      if (!column->type()->Equals(*field->type())) {
        auto cast = arrow::compute::Cast(*column, field->type());
        if (!cast.ok()) {
          return ErrorAt(arrow::StatusCode::Invalid, ErrorContext{.file = uri},
                         "column '" + field->name() + "' holds " + column->type()->ToString() +
                             " values that do not convert to the declared " + field->type()->ToString() + ": " +
                             cast.status().message() + " (file source '" + name_ + "')");
        }
        column = *cast;
      }
      if (!field->nullable() && column->null_count() > 0) {
        return ErrorAt(arrow::StatusCode::Invalid, ErrorContext{.file = uri},
                       "column '" + field->name() + "' is declared NOT NULL but the file has nulls in it (file source '" +
                           name_ + "')");
      }
      columns.push_back(std::move(column));
    }
    out.push_back(arrow::RecordBatch::Make(options_.schema, batch->num_rows(), std::move(columns)));
  }
  return out;
}

arrow::Result<std::shared_ptr<arrow::Table>> FileSource::Read(const std::string& start, const std::string& end) {
  ARROW_ASSIGN_OR_RAISE(FileLog from, Parse(start));
  ARROW_ASSIGN_OR_RAISE(FileLog to, Parse(end));
  if (to.next < from.next) {
    return arrow::Status::Invalid("file source '", name_, "' cannot read back from file ", from.next, " to file ",
                                  to.next);
  }
  std::vector<LoggedFile> files;
  for (const auto& f : to.files) {
    if (f.seq >= from.next) files.push_back(f);
  }
  std::sort(files.begin(), files.end(), [](const LoggedFile& a, const LoggedFile& b) { return a.seq < b.seq; });
  if (static_cast<int64_t>(files.size()) != to.next - from.next) {
    return arrow::Status::Invalid("the offset of file source '", name_, "' lists ", files.size(), " files for the ",
                                  to.next - from.next, " it discovered after file ", from.next);
  }
  std::vector<std::shared_ptr<arrow::RecordBatch>> batches;
  for (const auto& file : files) {
    std::vector<std::shared_ptr<arrow::RecordBatch>> read;
    if (!TakeReadAhead(file, &read)) {
      ARROW_ASSIGN_OR_RAISE(read, ReadFile(file, /*decode_in_parallel=*/true));
    }
    for (auto& b : read) batches.push_back(std::move(b));
  }
  read_ahead_.clear();  // files the batch did not read (waits for them)
  StartReadAhead(to);
  return arrow::Table::FromRecordBatches(options_.schema, std::move(batches));
}

bool FileSource::TakeReadAhead(const LoggedFile& file, std::vector<std::shared_ptr<arrow::RecordBatch>>* out) {
  for (auto& ahead : read_ahead_) {
    if (ahead.file.name != file.name || ahead.file.mtime_ms != file.mtime_ms || ahead.file.size != file.size ||
        !ahead.batches.valid()) {
      continue;
    }
    auto read = ahead.batches.get();
    // A failure is left to the batch's own read, which reports it.
    if (!read.ok() || ahead.read_only != read_only_) return false;
    *out = std::move(*read);
    return true;
  }
  return false;
}

void FileSource::StartReadAhead(const FileLog& log) {
  auto next = NewFiles(log);
  if (!next.ok()) return;  // the next batch's own listing reports it
  const size_t count = static_cast<size_t>(options_.max_files_per_trigger.value_or(1));
  for (size_t i = 0; i < next->size() && i < count; ++i) {
    LoggedFile file = (*next)[i];
    read_ahead_.push_back(FileReadAhead{file, read_only_, std::async(std::launch::async, [this, file] {
                                      return ReadFile(file, /*decode_in_parallel=*/false);
                                    })});
  }
}

}  // namespace tidelake::stream
