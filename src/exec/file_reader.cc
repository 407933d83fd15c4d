#include "exec/file_reader.h"

#include <arrow/api.h>
#include <arrow/compute/api.h>
#include <arrow/csv/api.h>
#include <arrow/dataset/file_parquet.h>
#include <arrow/filesystem/api.h>
#include <arrow/io/api.h>
#include <arrow/json/api.h>
#include <parquet/arrow/reader.h>
#include <parquet/arrow/schema.h>
#include <parquet/properties.h>

#include <algorithm>
#include <cctype>

#include "common/error.h"
#include "common/strings.h"
#include "exec/scan_source.h"

namespace tidelake::exec {

namespace cp = arrow::compute;

namespace {

constexpr int64_t kBatchRows = 64 * 1024;

// Batches of `rows` rows and no columns (count(*) over Parquet needs no column data).
class RowCountReader : public arrow::RecordBatchReader {
 public:
  explicit RowCountReader(int64_t rows) : left_(rows) {}
  std::shared_ptr<arrow::Schema> schema() const override { return arrow::schema(arrow::FieldVector{}); }
  arrow::Status ReadNext(std::shared_ptr<arrow::RecordBatch>* batch) override {
    *batch = nullptr;
    if (left_ == 0) return arrow::Status::OK();
    int64_t n = std::min(left_, kBatchRows);
    left_ -= n;
    *batch = arrow::RecordBatch::Make(schema(), n, arrow::ArrayVector{});
    return arrow::Status::OK();
  }

 private:
  int64_t left_;
};

// A Parquet file's batch reader together with the FileReader it reads through.
class ParquetFileReader : public arrow::RecordBatchReader {
 public:
  ParquetFileReader(std::unique_ptr<parquet::arrow::FileReader> file, std::shared_ptr<arrow::RecordBatchReader> batches)
      : file_(std::move(file)), batches_(std::move(batches)) {}
  std::shared_ptr<arrow::Schema> schema() const override { return batches_->schema(); }
  arrow::Status ReadNext(std::shared_ptr<arrow::RecordBatch>* batch) override { return batches_->ReadNext(batch); }

 private:
  std::unique_ptr<parquet::arrow::FileReader> file_;
  std::shared_ptr<arrow::RecordBatchReader> batches_;
};

void CollectLeaves(const parquet::arrow::SchemaField& field, std::vector<int>* leaves) {
  if (field.is_leaf()) leaves->push_back(field.column_index);
  for (const auto& child : field.children) CollectLeaves(child, leaves);
}

class FileListReader : public arrow::RecordBatchReader {
 public:
  FileListReader(const plan::FileScanNode& node, arrow::MemoryPool* pool, StructFieldSubsets struct_fields,
                 bool decode_in_parallel)
      : format_(node.format),
        paths_(node.paths),
        columns_(node.columns),
        schema_(node.schema),
        filter_(node.filter),
        csv_header_(node.csv_header),
        csv_delimiter_(node.csv_delimiter),
        struct_fields_(std::move(struct_fields)),
        decode_in_parallel_(decode_in_parallel),
        pool_(pool) {}

  std::shared_ptr<arrow::Schema> schema() const override { return schema_; }

  arrow::Status ReadNext(std::shared_ptr<arrow::RecordBatch>* batch) override {
    *batch = nullptr;
    while (true) {
      if (!current_) {
        if (next_ >= paths_.size()) return arrow::Status::OK();
        current_path_ = paths_[next_++];
        auto opened = Open(current_path_);
        if (!opened.ok()) return AddContext(opened.status(), ErrorContext{.file = current_path_});
        current_ = std::move(*opened);
      }
      std::shared_ptr<arrow::RecordBatch> next;
      auto st = current_->ReadNext(&next);
      if (!st.ok()) return AddContext(st, ErrorContext{.file = current_path_});
      if (!next) {
        current_.reset();
        continue;
      }
      if (columns_.empty()) {
        *batch = std::move(next);
        return arrow::Status::OK();
      }
      // The node's columns, in the node's order.
      arrow::ArrayVector arrays;
      arrow::FieldVector fields;
      for (const auto& wanted : current_columns_) {
        int index = next->schema()->GetFieldIndex(wanted);
        if (index < 0) {
          return ErrorAt(arrow::StatusCode::Invalid, ErrorContext{.file = current_path_},
                         "column '" + wanted + "' is missing");
        }
        arrays.push_back(next->column(index));
        fields.push_back(next->schema()->field(index));
      }
      *batch = arrow::RecordBatch::Make(arrow::schema(std::move(fields)), next->num_rows(), std::move(arrays));
      return arrow::Status::OK();
    }
  }

 private:
  arrow::Result<std::shared_ptr<arrow::RecordBatchReader>> Open(const std::string& uri) {
    std::string path;
    ARROW_ASSIGN_OR_RAISE(auto fs, arrow::fs::FileSystemFromUriOrPath(uri, &path));
    switch (format_) {
      case plan::FileFormat::kCsv: return OpenCsv(*fs, path);
      case plan::FileFormat::kJson: return OpenJson(*fs, path);
      case plan::FileFormat::kParquet: return OpenParquet(*fs, path);
    }
    return arrow::Status::NotImplemented("file format");
  }

  arrow::Result<std::shared_ptr<arrow::RecordBatchReader>> OpenCsv(arrow::fs::FileSystem& fs, const std::string& path) {
    ARROW_ASSIGN_OR_RAISE(auto input, fs.OpenInputStream(path));
    auto read = arrow::csv::ReadOptions::Defaults();
    read.use_threads = false;  // nothing may run on after the reader is gone
    read.autogenerate_column_names = !csv_header_;
    auto parse = arrow::csv::ParseOptions::Defaults();
    parse.delimiter = csv_delimiter_;
    auto convert = arrow::csv::ConvertOptions::Defaults();
    current_columns_.clear();
    for (size_t i = 0; i < columns_.size(); ++i) {
      std::string name = columns_[i];
      // Headerless files: Spark's _c0, _c1, ... are Arrow's f0, f1, ...
      if (!csv_header_ && name.size() > 2 && name.rfind("_c", 0) == 0) name = "f" + name.substr(2);
      current_columns_.push_back(name);
      convert.include_columns.push_back(name);
      convert.column_types[name] = schema_->field(static_cast<int>(i))->type();
    }
    arrow::io::IOContext io(pool_);
    ARROW_ASSIGN_OR_RAISE(auto reader, arrow::csv::StreamingReader::Make(io, input, read, parse, convert));
    return reader;
  }

  arrow::Result<std::shared_ptr<arrow::RecordBatchReader>> OpenJson(arrow::fs::FileSystem& fs, const std::string& path) {
    ARROW_ASSIGN_OR_RAISE(auto input, fs.OpenInputStream(path));
    auto read = arrow::json::ReadOptions::Defaults();
    read.use_threads = false;
    auto parse = arrow::json::ParseOptions::Defaults();
    current_columns_ = columns_;
    if (!columns_.empty()) {
      arrow::FieldVector fields;
      for (size_t i = 0; i < columns_.size(); ++i) {
        fields.push_back(arrow::field(columns_[i], schema_->field(static_cast<int>(i))->type()));
      }
      parse.explicit_schema = arrow::schema(std::move(fields));
      parse.unexpected_field_behavior = arrow::json::UnexpectedFieldBehavior::Ignore;
    }
    ARROW_ASSIGN_OR_RAISE(auto reader, arrow::json::StreamingReader::Make(input, read, parse, arrow::io::IOContext(pool_)));
    return reader;
  }

  arrow::Result<std::shared_ptr<arrow::RecordBatchReader>> OpenParquet(arrow::fs::FileSystem& fs,
                                                                      const std::string& path) {
    ARROW_ASSIGN_OR_RAISE(auto input, fs.OpenInputFile(path));
    parquet::arrow::FileReaderBuilder builder;
    ARROW_RETURN_NOT_OK(builder.Open(input, parquet::ReaderProperties(pool_)));
    parquet::ArrowReaderProperties props;
    props.set_batch_size(kBatchRows);
    props.set_use_threads(decode_in_parallel_);
    props.set_coerce_int96_timestamp_unit(arrow::TimeUnit::MICRO);
    builder.memory_pool(pool_);
    builder.properties(props);
    std::unique_ptr<parquet::arrow::FileReader> reader;
    ARROW_ASSIGN_OR_RAISE(reader, builder.Build());
    std::shared_ptr<arrow::Schema> file_schema;
    ARROW_RETURN_NOT_OK(reader->GetSchema(&file_schema));
    const auto file_names = file_schema->field_names();

    current_columns_.clear();
    std::vector<int> fields;
    for (const auto& column : columns_) {
      std::string name = FileColumnName(file_names, column);
      if (name.empty()) return arrow::Status::Invalid("column '", column, "' is not in the file");
      current_columns_.push_back(name);
      fields.push_back(file_schema->GetFieldIndex(name));
    }
    std::vector<int> row_groups = KeptRowGroups(*reader, *file_schema);
    const auto& manifest = reader->manifest();
    std::vector<int> leaves;
    for (size_t i = 0; i < fields.size(); ++i) {
      const auto& field = manifest.schema_fields[static_cast<size_t>(fields[i])];
      auto subset = struct_fields_.find(columns_[i]);
      if (subset == struct_fields_.end() || field.field->type()->id() != arrow::Type::STRUCT) {
        CollectLeaves(field, &leaves);
        continue;
      }
      // Only the leaves of the fields wanted: the struct read holds just those.
      std::vector<std::string> names;
      for (const auto& child : field.children) names.push_back(child.field->name());
      std::vector<int> wanted;
      for (const auto& name : subset->second) {
        std::string stored = FileColumnName(names, name);
        if (stored.empty()) continue;
        auto at = std::find(names.begin(), names.end(), stored) - names.begin();
        CollectLeaves(field.children[static_cast<size_t>(at)], &wanted);
      }
      if (wanted.empty()) CollectLeaves(field, &wanted);
      leaves.insert(leaves.end(), wanted.begin(), wanted.end());
    }
    if (leaves.empty()) {
      int64_t rows = 0;
      auto metadata = reader->parquet_reader()->metadata();
      for (int rg : row_groups) rows += metadata->RowGroup(rg)->num_rows();
      return std::make_shared<RowCountReader>(rows);
    }
    std::sort(leaves.begin(), leaves.end());
    leaves.erase(std::unique(leaves.begin(), leaves.end()), leaves.end());
    std::unique_ptr<arrow::RecordBatchReader> batches;
    ARROW_ASSIGN_OR_RAISE(batches, reader->GetRecordBatchReader(row_groups, leaves));
    return std::make_shared<ParquetFileReader>(std::move(reader), std::move(batches));
  }

  // Row groups whose column statistics do not rule the filter out.
  std::vector<int> KeptRowGroups(parquet::arrow::FileReader& reader, const arrow::Schema& file_schema) {
    auto metadata = reader.parquet_reader()->metadata();
    std::vector<int> all;
    for (int rg = 0; rg < metadata->num_row_groups(); ++rg) all.push_back(rg);
    if (!filter_) return all;
    std::vector<std::pair<std::string, std::string>> renames;
    for (size_t i = 0; i < columns_.size(); ++i) {
      renames.emplace_back(schema_->field(static_cast<int>(i))->name(), current_columns_[i]);
    }
    auto bound = RenameFieldRefs(*filter_, renames, schema_.get()).Bind(file_schema);
    if (!bound.ok()) return all;
    const auto& manifest = reader.manifest();
    std::vector<int> kept;
    for (int rg : all) {
      auto row_group = metadata->RowGroup(rg);
      std::vector<cp::Expression> facts;
      for (const auto& name : current_columns_) {
        int f = file_schema.GetFieldIndex(name);
        const auto& stored = manifest.schema_fields[static_cast<size_t>(f)];
        if (!stored.is_leaf() || !stored.field) continue;
        auto chunk = row_group->ColumnChunk(stored.column_index);
        if (!chunk || !chunk->is_stats_set() || !chunk->statistics()) continue;
        auto fact = arrow::dataset::ParquetFileFragment::EvaluateStatisticsAsExpression(
            *stored.field, arrow::FieldRef(name), *chunk->statistics());
        if (fact) facts.push_back(std::move(*fact));
      }
      bool keep = true;
      if (!facts.empty()) {
        auto guarantee = cp::and_(facts).Bind(file_schema);
        if (guarantee.ok()) {
          auto simplified = cp::SimplifyWithGuarantee(*bound, *guarantee);
          keep = !simplified.ok() || simplified->IsSatisfiable();
        }
      }
      if (keep) kept.push_back(rg);
    }
    return kept;
  }

  plan::FileFormat format_;
  std::vector<std::string> paths_;
  std::vector<std::string> columns_;
  std::shared_ptr<arrow::Schema> schema_;
  std::optional<cp::Expression> filter_;
  bool csv_header_;
  char csv_delimiter_;
  StructFieldSubsets struct_fields_;
  bool decode_in_parallel_ = false;
  arrow::MemoryPool* pool_;

  size_t next_ = 0;
  std::string current_path_;
  std::vector<std::string> current_columns_;  // the node's columns as named in the current file
  std::shared_ptr<arrow::RecordBatchReader> current_;
};

}  // namespace

std::string FileColumnName(const std::vector<std::string>& file_columns, const std::string& requested) {
  for (const auto& c : file_columns) {
    if (c == requested) return c;
  }
  for (const auto& c : file_columns) {
    if (Lower(c) == Lower(requested)) return c;
  }
  return "";
}

arrow::Result<std::shared_ptr<arrow::RecordBatchReader>> OpenFiles(const plan::FileScanNode& node,
                                                                   arrow::MemoryPool* pool,
                                                                   StructFieldSubsets struct_fields,
                                                                   bool decode_in_parallel) {
  if (node.paths.empty()) return arrow::Status::Invalid("internal error: file scan without files");
  if (static_cast<int>(node.columns.size()) != node.schema->num_fields()) {
    return arrow::Status::Invalid("internal error: file scan reads ", node.columns.size(), " columns into ",
                                  node.schema->num_fields(), " fields");
  }
  return std::make_shared<FileListReader>(node, pool, std::move(struct_fields), decode_in_parallel);
}

}  // namespace tidelake::exec
