#include "cli/file_input.h"

#include <arrow/csv/api.h>
#include <arrow/filesystem/localfs.h>
#include <arrow/io/file.h>
#include <arrow/io/memory.h>
#include <arrow/json/api.h>
#include <arrow/table.h>
#include <parquet/arrow/reader.h>

#include <simdjson.h>

#include <algorithm>
#include <filesystem>

#include "io/filesystem.h"

namespace tidelake::cli {

namespace {

InputFormat FormatOf(const std::string& path) {
  auto ext = std::filesystem::path(path).extension().string();
  for (auto& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (ext == ".csv" || ext == ".tsv") return InputFormat::kCsv;
  if (ext == ".json" || ext == ".jsonl" || ext == ".ndjson") return InputFormat::kJson;
  if (ext == ".parquet") return InputFormat::kParquet;
  return InputFormat::kAuto;
}

std::string Shorten(std::string_view text) {
  std::string out(text.substr(0, 200));
  if (text.size() > 200) out += "...";
  return out;
}

// JSON lines: each line is validated first, so a bad one is reported with its line number
// (Arrow's reader only says that some block failed).
arrow::Result<std::shared_ptr<arrow::Table>> ReadJsonLines(const std::string& path, BadRowPolicy policy,
                                                           std::vector<BadRow>* bad_rows) {
  auto fs = std::make_shared<arrow::fs::LocalFileSystem>();
  ARROW_ASSIGN_OR_RAISE(auto text, io::ReadFile(*fs, path));
  std::string good;
  good.reserve(text.size());
  simdjson::dom::parser parser;
  int64_t line_number = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    std::string_view line(text.data() + pos, end - pos);
    pos = end + 1;
    ++line_number;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    simdjson::dom::element element;
    auto error = parser.parse(line.data(), line.size()).get(element);
    std::string reason;
    if (error) {
      reason = std::string("malformed JSON: ") + simdjson::error_message(error);
    } else if (!element.is_object()) {
      reason = "a JSON-lines row must be an object";
    }
    if (!reason.empty()) {
      if (policy == BadRowPolicy::kFail) {
        return arrow::Status::Invalid(path, ":", line_number, ": ", reason, ": ", Shorten(line),
                                      " (use --bad-rows=quarantine to set bad rows aside)");
      }
      bad_rows->push_back({path, line_number, std::string(line), reason});
      continue;
    }
    good.append(line);
    good.push_back('\n');
  }
  if (good.empty()) return arrow::Status::Invalid(path, ": no valid JSON rows");
  auto buffer = std::make_shared<arrow::io::BufferReader>(arrow::Buffer::FromString(std::move(good)));
  ARROW_ASSIGN_OR_RAISE(auto reader, arrow::json::TableReader::Make(arrow::default_memory_pool(), buffer,
                                                                    arrow::json::ReadOptions::Defaults(),
                                                                    arrow::json::ParseOptions::Defaults()));
  return reader->Read();
}

arrow::Result<std::shared_ptr<arrow::Table>> ReadOne(const std::string& path, InputFormat format, BadRowPolicy policy,
                                                     std::vector<BadRow>* bad_rows) {
  if (format == InputFormat::kAuto) format = FormatOf(path);
  if (format == InputFormat::kJson) return ReadJsonLines(path, policy, bad_rows);
  ARROW_ASSIGN_OR_RAISE(auto file, arrow::io::ReadableFile::Open(path));
  switch (format) {
    case InputFormat::kCsv: {
      auto read = arrow::csv::ReadOptions::Defaults();
      read.use_threads = false;  // the serial reader knows each row's line number
      auto parse = arrow::csv::ParseOptions::Defaults();
      if (path.size() > 4 && path.substr(path.size() - 4) == ".tsv") parse.delimiter = '\t';
      std::optional<BadRow> first_bad;
      parse.invalid_row_handler = [&](const arrow::csv::InvalidRow& row) {
        BadRow bad{path, row.number, std::string(row.text),
                   "expected " + std::to_string(row.expected_columns) + " columns, got " +
                       std::to_string(row.actual_columns)};
        if (policy == BadRowPolicy::kQuarantine) {
          bad_rows->push_back(std::move(bad));
          return arrow::csv::InvalidRowResult::Skip;
        }
        if (!first_bad) first_bad = std::move(bad);
        return arrow::csv::InvalidRowResult::Error;
      };
      auto convert = arrow::csv::ConvertOptions::Defaults();
      ARROW_ASSIGN_OR_RAISE(auto reader, arrow::csv::TableReader::Make(arrow::io::default_io_context(), file, read,
                                                                       parse, convert));
      auto table = reader->Read();
      if (!table.ok() && first_bad) {
        return arrow::Status::Invalid(path, ":", first_bad->line, ": ", first_bad->reason, ": ",
                                      Shorten(first_bad->text), " (use --bad-rows=quarantine to set bad rows aside)");
      }
      return table;
    }
    case InputFormat::kJson:
      break;
    case InputFormat::kParquet: {
      ARROW_ASSIGN_OR_RAISE(auto reader, parquet::arrow::OpenFile(file, arrow::default_memory_pool()));
      return reader->ReadTable();
    }
    case InputFormat::kAuto:
      break;
  }
  return arrow::Status::Invalid("cannot tell the format of '", path, "' from its name: use --format csv|json|parquet");
}

}  // namespace

arrow::Result<InputFormat> ParseInputFormat(const std::string& name) {
  if (name.empty() || name == "auto") return InputFormat::kAuto;
  if (name == "csv") return InputFormat::kCsv;
  if (name == "json") return InputFormat::kJson;
  if (name == "parquet") return InputFormat::kParquet;
  return arrow::Status::Invalid("unknown input format '", name, "' (use csv, json or parquet)");
}

arrow::Result<std::vector<std::string>> ExpandInputs(const std::vector<std::string>& paths) {
  std::vector<std::string> files;
  for (const auto& p : paths) {
    std::error_code ec;
    if (std::filesystem::is_directory(p, ec)) {
      for (const auto& entry : std::filesystem::recursive_directory_iterator(p, ec)) {
        auto name = entry.path().filename().string();
        if (entry.is_regular_file() && !name.empty() && name[0] != '.' && name[0] != '_') {
          files.push_back(entry.path().string());
        }
      }
    } else if (std::filesystem::exists(p, ec)) {
      files.push_back(p);
    } else {
      return arrow::Status::IOError("input '", p, "' does not exist");
    }
  }
  std::sort(files.begin(), files.end());
  if (files.empty()) return arrow::Status::Invalid("no input files found");
  return files;
}

arrow::Result<std::shared_ptr<arrow::Table>> ReadInputs(const std::vector<std::string>& files, InputFormat format,
                                                        BadRowPolicy policy, std::vector<BadRow>* bad_rows) {
  std::vector<std::shared_ptr<arrow::Table>> tables;
  for (const auto& f : files) {
    auto t = ReadOne(f, format, policy, bad_rows);
    if (!t.ok()) {
      const auto& msg = t.status().message();
      return arrow::Status(t.status().code(), msg.rfind(f, 0) == 0 ? msg : "file " + f + ": " + msg);
    }
    tables.push_back(*t);
  }
  arrow::ConcatenateTablesOptions options;
  options.unify_schemas = true;
  options.field_merge_options.promote_numeric_width = true;
  options.field_merge_options.promote_integer_to_float = true;
  auto combined = arrow::ConcatenateTables(tables, options);
  if (!combined.ok()) return arrow::Status::Invalid("input files have incompatible schemas: ", combined.status().message());
  return combined;
}

}  // namespace tidelake::cli
