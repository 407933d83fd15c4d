#include "cli/output.h"

#include <arrow/csv/writer.h>
#include <arrow/ipc/writer.h>
#include <arrow/io/file.h>
#include <arrow/io/memory.h>
#include <arrow/table.h>
#include <parquet/arrow/writer.h>

#include <algorithm>
#include <cstdint>
#include <deque>
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

bool IsNumeric(const arrow::DataType& type) {
  return arrow::is_integer(type.id()) || arrow::is_floating(type.id()) || arrow::is_decimal(type.id());
}

// Columns on a terminal: UTF-8 code points (continuation bytes take no column).
size_t DisplayWidth(const std::string& text) {
  size_t width = 0;
  for (unsigned char c : text) width += (c & 0xC0) != 0x80;
  return width;
}

using Row = std::vector<std::string>;

// Streams the rows, keeping the first and last max_rows / 2 of them for display.
arrow::Status WriteTable(arrow::RecordBatchReader& reader, std::ostream& out, size_t max_rows) {
  auto schema = reader.schema();
  const int n = schema->num_fields();
  size_t keep_head = max_rows == 0 ? SIZE_MAX : (max_rows + 1) / 2;
  size_t keep_tail = max_rows == 0 ? 0 : max_rows / 2;
  std::vector<Row> head;
  std::deque<Row> tail;
  int64_t total = 0;
  while (true) {
    std::shared_ptr<arrow::RecordBatch> batch;
    ARROW_RETURN_NOT_OK(reader.ReadNext(&batch));
    if (!batch) break;
    for (int64_t r = 0; r < batch->num_rows(); ++r, ++total) {
      bool to_head = head.size() < keep_head;
      if (!to_head && keep_tail == 0) continue;
      Row row;
      for (int c = 0; c < n; ++c) row.push_back(CellText(*batch->column(c), r));
      if (to_head) {
        head.push_back(std::move(row));
      } else {
        tail.push_back(std::move(row));
        if (tail.size() > keep_tail) tail.pop_front();
      }
    }
  }
  bool elided = static_cast<size_t>(total) > head.size() + tail.size();
  std::vector<size_t> width(static_cast<size_t>(n));
  std::vector<bool> right(static_cast<size_t>(n));
  for (int c = 0; c < n; ++c) {
    width[c] = std::max<size_t>(DisplayWidth(schema->field(c)->name()), elided ? 1 : 0);
    right[c] = IsNumeric(*schema->field(c)->type());
  }
  auto widen = [&](const Row& row) {
    for (int c = 0; c < n; ++c) width[c] = std::max(width[c], DisplayWidth(row[c]));
  };
  std::for_each(head.begin(), head.end(), widen);
  std::for_each(tail.begin(), tail.end(), widen);
  auto rule = [&] {
    out << '+';
    for (int c = 0; c < n; ++c) out << std::string(width[c] + 2, '-') << '+';
    out << '\n';
  };
  auto cell = [&](int c, const std::string& text, bool align_right) {
    std::string pad(width[c] - DisplayWidth(text), ' ');
    out << ' ' << (align_right ? pad + text : text + pad) << " |";
  };
  auto print = [&](const Row& row) {
    out << '|';
    for (int c = 0; c < n; ++c) cell(c, row[c], right[c]);
    out << '\n';
  };
  rule();
  out << '|';
  for (int c = 0; c < n; ++c) cell(c, schema->field(c)->name(), false);
  out << '\n';
  rule();
  for (const auto& row : head) print(row);
  if (elided) {
    out << '|';
    for (int c = 0; c < n; ++c) cell(c, "\xE2\x80\xA6", right[c]);  // …
    out << '\n';
  }
  for (const auto& row : tail) print(row);
  rule();
  out << total << (total == 1 ? " row" : " rows");
  if (elided) out << " (" << head.size() + tail.size() << " shown)";
  out << '\n';
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
                          const std::string& path, size_t max_table_rows) {
  switch (format) {
    case OutputFormat::kTable: return WriteTable(reader, out, max_table_rows);
    case OutputFormat::kCsv: return WriteCsv(reader, out);
    case OutputFormat::kJson: return WriteJsonLines(reader, out);
    case OutputFormat::kParquet: {
      if (path.empty()) return arrow::Status::Invalid("--format parquet needs --output FILE");
      ARROW_ASSIGN_OR_RAISE(auto sink, arrow::io::FileOutputStream::Open(path));
      ARROW_ASSIGN_OR_RAISE(auto writer, parquet::arrow::FileWriter::Open(*reader.schema(), arrow::default_memory_pool(),
                                                                          sink));
      while (true) {
        std::shared_ptr<arrow::RecordBatch> batch;
        ARROW_RETURN_NOT_OK(reader.ReadNext(&batch));
        if (!batch) break;
        ARROW_RETURN_NOT_OK(writer->WriteRecordBatch(*batch));
      }
      ARROW_RETURN_NOT_OK(writer->Close());
      return sink->Close();
    }
  }
  return arrow::Status::OK();
}

}  // namespace tidelake::cli
