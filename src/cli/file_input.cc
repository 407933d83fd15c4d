#include "cli/file_input.h"

#include <arrow/csv/api.h>
#include <arrow/io/file.h>
#include <arrow/json/api.h>
#include <arrow/table.h>
#include <parquet/arrow/reader.h>

#include <algorithm>
#include <filesystem>

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

arrow::Result<std::shared_ptr<arrow::Table>> ReadOne(const std::string& path, InputFormat format) {
  if (format == InputFormat::kAuto) format = FormatOf(path);
  ARROW_ASSIGN_OR_RAISE(auto file, arrow::io::ReadableFile::Open(path));
  switch (format) {
    case InputFormat::kCsv: {
      auto read = arrow::csv::ReadOptions::Defaults();
      auto parse = arrow::csv::ParseOptions::Defaults();
      if (FormatOf(path) == InputFormat::kCsv && path.size() > 4 && path.substr(path.size() - 4) == ".tsv") {
        parse.delimiter = '\t';
      }
      auto convert = arrow::csv::ConvertOptions::Defaults();
      ARROW_ASSIGN_OR_RAISE(auto reader, arrow::csv::TableReader::Make(arrow::io::default_io_context(), file, read,
                                                                       parse, convert));
      return reader->Read();
    }
    case InputFormat::kJson: {
      ARROW_ASSIGN_OR_RAISE(auto reader, arrow::json::TableReader::Make(arrow::default_memory_pool(), file,
                                                                        arrow::json::ReadOptions::Defaults(),
                                                                        arrow::json::ParseOptions::Defaults()));
      return reader->Read();
    }
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

arrow::Result<std::shared_ptr<arrow::Table>> ReadInputs(const std::vector<std::string>& files, InputFormat format) {
  std::vector<std::shared_ptr<arrow::Table>> tables;
  for (const auto& f : files) {
    auto t = ReadOne(f, format);
    if (!t.ok()) return arrow::Status(t.status().code(), "file " + f + ": " + t.status().message());
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
