#include "cli/output.h"

#include <arrow/csv/writer.h>
#include <arrow/ipc/writer.h>
#include <arrow/io/file.h>
#include <arrow/io/memory.h>
#include <arrow/table.h>
#include <parquet/arrow/writer.h>

#include <algorithm>
#include <vector>

#include "io/arrow_json.h"

namespace tidelake::cli {

namespace {

std::string CellText(const arrow::Array& array, int64_t row) {
  if (array.IsNull(row)) return "NULL";
  std::string json;
  io::AppendJsonValue(array, row, &json);
  if (json.size() >= 2 && json.front() == '"' && json.back() == '"' &&
      (array.type_id() == arrow::Type::STRING || array.type_id() == arrow::Type::LARGE_STRING ||
       array.type_id() == arrow::Type::DATE32 || array.type_id() == arrow::Type::TIMESTAMP)) {
    return json.substr(1, json.size() - 2);
  }
  return json;
}

arrow::Status WriteTable(arrow::RecordBatchReader& reader, std::ostream& out) {
  ARROW_ASSIGN_OR_RAISE(auto table, reader.ToTable());
  ARROW_ASSIGN_OR_RAISE(table, table->CombineChunks());
  const int n = table->num_columns();
  std::vector<std::vector<std::string>> cells(static_cast<size_t>(n));
  std::vector<size_t> width(static_cast<size_t>(n));
  for (int c = 0; c < n; ++c) {
    width[c] = table->field(c)->name().size();
    if (table->column(c)->num_chunks() == 0) continue;
    const auto& array = *table->column(c)->chunk(0);
    for (int64_t r = 0; r < array.length(); ++r) {
      cells[c].push_back(CellText(array, r));
      width[c] = std::max(width[c], cells[c].back().size());
    }
  }
  auto rule = [&] {
    out << '+';
    for (int c = 0; c < n; ++c) out << std::string(width[c] + 2, '-') << '+';
    out << '\n';
  };
  rule();
  out << '|';
  for (int c = 0; c < n; ++c) {
    const auto& name = table->field(c)->name();
    out << ' ' << name << std::string(width[c] - name.size() + 1, ' ') << '|';
  }
  out << '\n';
  rule();
  for (int64_t r = 0; r < table->num_rows(); ++r) {
    out << '|';
    for (int c = 0; c < n; ++c) {
      const auto& text = cells[c][static_cast<size_t>(r)];
      out << ' ' << text << std::string(width[c] - text.size() + 1, ' ') << '|';
    }
    out << '\n';
  }
  rule();
  out << table->num_rows() << (table->num_rows() == 1 ? " row\n" : " rows\n");
  return arrow::Status::OK();
}

arrow::Status WriteJsonLines(arrow::RecordBatchReader& reader, std::ostream& out) {
  std::string line;
  while (true) {
    std::shared_ptr<arrow::RecordBatch> batch;
    ARROW_RETURN_NOT_OK(reader.ReadNext(&batch));
    if (!batch) break;
    for (int64_t r = 0; r < batch->num_rows(); ++r) {
      line = "{";
      for (int c = 0; c < batch->num_columns(); ++c) {
        if (c) line += ',';
        io::AppendJsonString(batch->schema()->field(c)->name(), &line);
        line += ':';
        io::AppendJsonValue(*batch->column(c), r, &line);
      }
      line += "}\n";
      out << line;
    }
  }
  return arrow::Status::OK();
}

arrow::Status WriteCsv(arrow::RecordBatchReader& reader, std::ostream& out) {
  ARROW_ASSIGN_OR_RAISE(auto sink, arrow::io::BufferOutputStream::Create());
  ARROW_ASSIGN_OR_RAISE(auto writer, arrow::csv::MakeCSVWriter(sink, reader.schema()));
  while (true) {
    std::shared_ptr<arrow::RecordBatch> batch;
    ARROW_RETURN_NOT_OK(reader.ReadNext(&batch));
    if (!batch) break;
    ARROW_RETURN_NOT_OK(writer->WriteRecordBatch(*batch));
    ARROW_ASSIGN_OR_RAISE(auto buffer, sink->Finish());
    out.write(reinterpret_cast<const char*>(buffer->data()), buffer->size());
    ARROW_ASSIGN_OR_RAISE(sink, arrow::io::BufferOutputStream::Create());
    ARROW_ASSIGN_OR_RAISE(writer, arrow::csv::MakeCSVWriter(sink, reader.schema(),
                                                            [] {
                                                              auto o = arrow::csv::WriteOptions::Defaults();
                                                              o.include_header = false;
                                                              return o;
                                                            }()));
  }
  ARROW_RETURN_NOT_OK(writer->Close());
  ARROW_ASSIGN_OR_RAISE(auto buffer, sink->Finish());
  out.write(reinterpret_cast<const char*>(buffer->data()), buffer->size());
  return arrow::Status::OK();
}

}  // namespace

arrow::Result<OutputFormat> ParseOutputFormat(const std::string& name) {
  if (name == "table") return OutputFormat::kTable;
  if (name == "csv") return OutputFormat::kCsv;
  if (name == "json") return OutputFormat::kJson;
  if (name == "parquet") return OutputFormat::kParquet;
  return arrow::Status::Invalid("unknown output format '", name, "' (use table, csv, json or parquet)");
}

arrow::Status WriteResult(arrow::RecordBatchReader& reader, OutputFormat format, std::ostream& out,
                          const std::string& path) {
  switch (format) {
    case OutputFormat::kTable: return WriteTable(reader, out);
    case OutputFormat::kCsv: return WriteCsv(reader, out);
    case OutputFormat::kJson: return WriteJsonLines(reader, out);
    case OutputFormat::kParquet: {
      if (path.empty()) return arrow::Status::Invalid("--format parquet needs --output FILE");
      ARROW_ASSIGN_OR_RAISE(auto table, reader.ToTable());
      ARROW_ASSIGN_OR_RAISE(auto sink, arrow::io::FileOutputStream::Open(path));
      return parquet::arrow::WriteTable(*table, arrow::default_memory_pool(), sink);
    }
  }
  return arrow::Status::OK();
}

}  // namespace tidelake::cli
