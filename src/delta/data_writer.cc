#include "delta/data_writer.h"

#include <arrow/array.h>
#include <arrow/array/array_nested.h>
#include <arrow/array/util.h>
#include <arrow/compute/api.h>
#include <arrow/compute/row/grouper.h>
#include <arrow/io/interfaces.h>
#include <parquet/arrow/writer.h>
#include <parquet/properties.h>

#include <cctype>
#include <charconv>
#include <chrono>
#include <limits>
#include <random>

#include "common/arrow_init.h"
#include "common/clock.h"
#include "common/error.h"
#include "common/uuid.h"
#include "delta/file_stats.h"
#include "delta/partition_values.h"
#include "delta/schema.h"
#include "io/durable_file.h"
#include "io/filesystem.h"

namespace tidelake::delta {

namespace cp = arrow::compute;

struct DataWriter::OpenFile {
  std::string relative_path;  // decoded, relative to the table root
  StringMap partition_values;
  std::shared_ptr<arrow::io::OutputStream> sink;
  std::unique_ptr<parquet::arrow::FileWriter> writer;
  std::unique_ptr<StatsCollector> stats;
  int64_t rows = 0;
};


namespace {

// An integer table property, `fallback` when unset. A value that is not a whole integer in
// [min, max] is an error naming the property (as Spark refuses to write then).
arrow::Result<int64_t> ConfigInt(const std::map<std::string, std::string>& config, const std::string& key,
                                 int64_t fallback, int64_t min, int64_t max) {
  auto it = config.find(key);
  if (it == config.end()) return fallback;
  const std::string& text = it->second;
  int64_t value = 0;
  const char* begin = text.data();
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(begin, end, value);
  if (text.empty() || ec != std::errc() || ptr != end || value < min || value > max) {
    return arrow::Status::Invalid("table property ", key, " must be an integer from ", min, " to ", max, ", got '",
                                  text, "'");
  }
  return value;
}

// The implicit conversions a write accepts, as Spark's store assignment does for safe casts:
// integers to wider numbers, float to double, between string and binary encodings, between
// timestamp units, date to timestamp, and anything from an all-null column.
bool ImplicitCastAllowed(const arrow::DataType& from, const arrow::DataType& to) {
  using arrow::Type;
  if (from.id() == Type::NA) return true;
  if (arrow::is_integer(from.id())) {
    return arrow::is_integer(to.id()) || arrow::is_floating(to.id()) || to.id() == Type::DECIMAL128;
  }
  if (arrow::is_floating(from.id())) return arrow::is_floating(to.id()) && arrow::bit_width(to.id()) >= arrow::bit_width(from.id());
  if (arrow::is_string(from.id()) || from.id() == Type::STRING_VIEW) return arrow::is_string(to.id());
  if (arrow::is_binary(from.id()) || from.id() == Type::BINARY_VIEW) return arrow::is_binary(to.id());
  if (from.id() == Type::TIMESTAMP) return to.id() == Type::TIMESTAMP;
  if (from.id() == Type::DATE32 || from.id() == Type::DATE64) return to.id() == Type::DATE32 || to.id() == Type::TIMESTAMP;
  if (from.id() == Type::DECIMAL128 || from.id() == Type::DECIMAL256) return to.id() == Type::DECIMAL128;
  if (from.id() == Type::DICTIONARY) {
    return ImplicitCastAllowed(*static_cast<const arrow::DictionaryType&>(from).value_type(), to);
  }
  // Nested values: same shape; Cast matches struct fields by name and checks the leaves.
  return from.id() == to.id() || (from.id() == Type::LARGE_LIST && to.id() == Type::LIST);
}

// Whether dictionary encoding pays for `column`, judged on its first values: not when most of
// them are distinct (ids, prices, random text). Parquet's writer would build the dictionary
// anyway, hashing every value, and keep it however little it saves (or fall back to plain
// encoding only once the dictionary passes a megabyte).
bool DictionaryPays(const arrow::Array& column) {
  constexpr int64_t kSample = 4096;
  const auto id = column.type_id();
  if (!arrow::is_primitive(id) && !arrow::is_base_binary_like(id) && !arrow::is_decimal(id)) return true;
  if (id == arrow::Type::BOOL) return true;
  auto sample = column.Slice(0, std::min(column.length(), kSample));
  const int64_t values = sample->length() - sample->null_count();
  if (values < 1024) return true;  // too few to judge (and a small file either way)
  auto distinct = cp::CallFunction("count_distinct", {sample});
  if (!distinct.ok()) return true;
  const int64_t count = distinct->scalar_as<arrow::Int64Scalar>().value;
  return count * 4 <= values * 3;  // at most 3 in 4 values distinct
}

}  // namespace

std::vector<int> ColumnsWithoutDictionary(const arrow::RecordBatch& batch) {
  std::vector<int> plain;
  for (int i = 0; i < batch.num_columns(); ++i) {
    if (!DictionaryPays(*batch.column(i))) plain.push_back(i);
  }
  return plain;
}

std::shared_ptr<parquet::WriterProperties> DataFileProperties(int64_t max_row_group_rows,
                                                              const std::vector<std::string>& plain_columns) {
  parquet::WriterProperties::Builder props;
  for (const auto& column : plain_columns) props.disable_dictionary(column);
  props.compression(parquet::Compression::SNAPPY);
  props.max_row_group_length(max_row_group_rows);
  props.created_by("tidelake");
  // Decimals of up to 18 digits as INT32/INT64, as Spark writes them (its non-legacy format):
  // readers decode integers several times faster than big-endian byte arrays.
  props.enable_store_decimal_as_integer();
  ConfigureParquetStatistics(&props);  // add.stats is read from the footer
  return props.build();
}

std::shared_ptr<parquet::ArrowWriterProperties> DataFileArrowProperties(bool use_threads) {
  parquet::ArrowWriterProperties::Builder arrow_props;
  arrow_props.store_schema();
  arrow_props.set_use_threads(use_threads);
  // Spark reads microsecond timestamps as INT64 TIMESTAMP_MICROS; keep that unit.
  arrow_props.coerce_timestamps(arrow::TimeUnit::MICRO);
  return arrow_props.build();
}

arrow::Result<int64_t> ParseTargetFileSize(std::string_view text) {
  size_t digits = 0;
  while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) ++digits;
  std::string unit(text.substr(digits));
  for (auto& c : unit) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const int shift = unit.empty() || unit == "b" ? 0 : unit == "kb" ? 10 : unit == "mb" ? 20 : unit == "gb" ? 30 : -1;
  int64_t value = 0;
  if (digits == 0 || shift < 0 || std::from_chars(text.data(), text.data() + digits, value).ec != std::errc() ||
      value <= 0 || value > (std::numeric_limits<int64_t>::max() >> shift)) {
    return arrow::Status::Invalid("table property delta.targetFileSize must be a positive size in bytes (e.g. "
                                  "134217728 or 128mb), got '",
                                  text, "'");
  }
  return value << shift;
}

arrow::Result<std::unique_ptr<DataWriter>> DataWriter::Make(TableLocation location, std::shared_ptr<arrow::Schema> schema,
                                                            std::vector<std::string> partition_columns,
                                                            std::map<std::string, std::string> configuration,
                                                            DataWriterOptions options) {
  ARROW_RETURN_NOT_OK(EnsureArrowInitialized());
  std::unique_ptr<DataWriter> w(new DataWriter());
  w->location_ = std::move(location);
  w->schema_ = schema;
  w->partition_columns_ = partition_columns;
  // Errors get the table's name from the write that reports them.
  if (auto size = configuration.find("delta.targetFileSize"); size != configuration.end()) {
    ARROW_ASSIGN_OR_RAISE(options.target_file_size, ParseTargetFileSize(size->second));
  }
  // -1 indexes every column, as in Delta.
  ARROW_ASSIGN_OR_RAISE(int64_t indexed, ConfigInt(configuration, "delta.dataSkippingNumIndexedCols",
                                                   options.num_indexed_columns, -1, 1 << 20));
  options.num_indexed_columns = static_cast<int>(indexed);
  w->options_ = options;
  ColumnMappingMode mode = ColumnMappingModeFrom(configuration);
  w->column_mapping_ = mode != ColumnMappingMode::kNone;
  w->configuration_ = std::move(configuration);

  arrow::FieldVector data_fields;
  for (int i = 0; i < schema->num_fields(); ++i) {
    const auto& name = schema->field(i)->name();
    if (std::find(partition_columns.begin(), partition_columns.end(), name) != partition_columns.end()) continue;
    w->data_indices_.push_back(i);
    data_fields.push_back(schema->field(i));
  }
  for (const auto& p : partition_columns) {
    int idx = schema->GetFieldIndex(p);
    if (idx < 0) return arrow::Status::Invalid("partition column '", p, "' is not in the table schema");
    w->partition_indices_.push_back(idx);
  }
  w->data_schema_ = arrow::schema(data_fields);
  ARROW_ASSIGN_OR_RAISE(w->physical_schema_, PhysicalSchema(*w->data_schema_, mode));
  return w;
}

DataWriter::~DataWriter() {
  if (!open_.empty()) Abort();
}

void DataWriter::Abort() {
  for (auto& [_, file] : open_) {
    if (file->writer) IgnoreError(file->writer->Close());
    if (file->sink) IgnoreError(file->sink->Close());
  }
  open_.clear();
  for (const auto& path : written_paths_) IgnoreError(location_.fs->DeleteFile(io::JoinPath(location_.root, path)));
  written_paths_.clear();
  unsynced_paths_.clear();
  finished_.clear();
}

arrow::Result<std::shared_ptr<arrow::RecordBatch>> DataWriter::ToPhysical(
    const std::shared_ptr<arrow::RecordBatch>& batch) const {
  if (!column_mapping_) return batch;
  // Same data, physical names (nested names too): rebuild arrays with the physical types.
  arrow::ArrayVector columns;
  for (int i = 0; i < batch->num_columns(); ++i) {
    ARROW_ASSIGN_OR_RAISE(auto view, batch->column(i)->View(physical_schema_->field(i)->type()));
    columns.push_back(view);
  }
  return arrow::RecordBatch::Make(physical_schema_, batch->num_rows(), std::move(columns));
}

arrow::Result<DataWriter::OpenFile*> DataWriter::FileFor(const std::string& partition_key, const StringMap& values,
                                                         const std::string& directory,
                                                         const std::shared_ptr<arrow::RecordBatch>& first) {
  auto it = open_.find(partition_key);
  if (it != open_.end()) return it->second.get();
  auto file = std::make_unique<OpenFile>();
  char name[96];
  std::snprintf(name, sizeof(name), "part-%05d-%s-c000.snappy.parquet", file_counter_++, RandomUuid().c_str());
  std::string rel = directory;
  if (!options_.directory.empty()) rel = io::JoinPath(options_.directory, rel);
  file->relative_path = io::JoinPath(rel, name);
  file->partition_values = values;
  std::string full = io::JoinPath(location_.root, file->relative_path);
  auto slash = full.rfind('/');
  ARROW_RETURN_NOT_OK(location_.fs->CreateDir(full.substr(0, slash), true));
  ARROW_ASSIGN_OR_RAISE(file->sink, location_.fs->OpenOutputStream(full));
  written_paths_.push_back(file->relative_path);

  std::vector<std::string> plain;  // stored names: the data and physical schemas match by position
  for (int i : ColumnsWithoutDictionary(*first)) plain.push_back(physical_schema_->field(i)->name());
  ARROW_ASSIGN_OR_RAISE(file->writer,
                        parquet::arrow::FileWriter::Open(
                            *physical_schema_, arrow::default_memory_pool(), file->sink,
                            DataFileProperties(options_.max_row_group_rows, plain),
                            DataFileArrowProperties(options_.parallel_column_encoding)));
  auto mode = ColumnMappingModeFrom(configuration_);
  std::function<std::string(const arrow::Field&)> name_of = [mode](const arrow::Field& f) {
    return mode == ColumnMappingMode::kNone ? f.name() : PhysicalName(f);
  };
  StatsOptions stats_options;
  stats_options.num_indexed_cols = options_.num_indexed_columns;
  stats_options.column_name = name_of;
  ARROW_ASSIGN_OR_RAISE(file->stats, StatsCollector::Make(data_schema_, stats_options));
  OpenFile* raw = file.get();
  open_.emplace(partition_key, std::move(file));
  return raw;
}

arrow::Status DataWriter::WriteToFile(OpenFile* file, const std::shared_ptr<arrow::RecordBatch>& data_batch) {
  ARROW_RETURN_NOT_OK(file->stats->Update(*data_batch));
  ARROW_ASSIGN_OR_RAISE(auto physical, ToPhysical(data_batch));
  ARROW_RETURN_NOT_OK(file->writer->WriteRecordBatch(*physical));
  file->rows += data_batch->num_rows();
  rows_written_ += data_batch->num_rows();
  ARROW_ASSIGN_OR_RAISE(int64_t position, file->sink->Tell());
  if (position >= options_.target_file_size) {
    // Roll: the next write to this partition opens a new file.
    for (auto it = open_.begin(); it != open_.end(); ++it) {
      if (it->second.get() == file) {
        auto owned = std::move(it->second);
        open_.erase(it);
        return CloseFile(owned.get());
      }
    }
  }
  return arrow::Status::OK();
}

arrow::Status DataWriter::CloseFile(OpenFile* file) {
  ARROW_RETURN_NOT_OK(file->writer->Close());
  ARROW_RETURN_NOT_OK(file->stats->AddParquetFooter(*file->writer->metadata()));
  ARROW_ASSIGN_OR_RAISE(int64_t size, file->sink->Tell());
  ARROW_RETURN_NOT_OK(file->sink->Close());
  unsynced_paths_.push_back(io::JoinPath(location_.root, file->relative_path));
  bytes_written_ += size;
  AddFile add;
  add.path = EncodePath(file->relative_path);
  add.partition_values = file->partition_values;
  add.size = size;
  add.modification_time = NowMillis();
  add.data_change = options_.data_change;
  add.stats = file->stats->ToJson();
  finished_.push_back(std::move(add));
  return arrow::Status::OK();
}

arrow::Status DataWriter::Write(const std::shared_ptr<arrow::RecordBatch>& batch) {
  if (batch->num_rows() == 0) return arrow::Status::OK();
  if (!batch->schema()->Equals(*schema_, /*check_metadata=*/false)) {
    return arrow::Status::Invalid("batch schema ", batch->schema()->ToString(), " does not match table schema ",
                                  schema_->ToString());
  }
  auto data_of = [&](const std::shared_ptr<arrow::RecordBatch>& b) {
    arrow::ArrayVector cols;
    for (int i : data_indices_) cols.push_back(b->column(i));
    return arrow::RecordBatch::Make(data_schema_, b->num_rows(), std::move(cols));
  };
  if (partition_indices_.empty()) {
    auto data = data_of(batch);
    ARROW_ASSIGN_OR_RAISE(auto file, FileFor("", {}, "", data));
    return WriteToFile(file, data);
  }
  // Group rows by their partition values.
  std::vector<arrow::TypeHolder> key_types;
  std::vector<arrow::Datum> keys;
  for (int i : partition_indices_) {
    key_types.emplace_back(schema_->field(i)->type());
    keys.emplace_back(batch->column(i));
  }
  ARROW_ASSIGN_OR_RAISE(auto grouper, cp::Grouper::Make(key_types));
  ARROW_ASSIGN_OR_RAISE(cp::ExecBatch key_batch, cp::ExecBatch::Make(keys, batch->num_rows()));
  ARROW_ASSIGN_OR_RAISE(auto ids, grouper->Consume(cp::ExecSpan(key_batch)));
  ARROW_ASSIGN_OR_RAISE(auto groupings,
                        cp::Grouper::MakeGroupings(*ids.array_as<arrow::UInt32Array>(), grouper->num_groups()));
  for (uint32_t g = 0; g < grouper->num_groups(); ++g) {
    auto indices = groupings->value_slice(g);
    ARROW_ASSIGN_OR_RAISE(auto taken, cp::Take(batch, indices));
    auto group_batch = taken.record_batch();
    StringMap values;
    std::vector<std::pair<std::string, std::optional<std::string>>> dir_parts;
    std::string key;
    auto mode = ColumnMappingModeFrom(configuration_);
    for (int i : partition_indices_) {
      const auto& field = schema_->field(i);
      ARROW_ASSIGN_OR_RAISE(auto scalar, group_batch->column(i)->GetScalar(0));
      ARROW_ASSIGN_OR_RAISE(auto serialized, SerializePartitionValue(*scalar));
      std::string log_key = mode == ColumnMappingMode::kNone ? field->name() : PhysicalName(*field);
      values[log_key] = serialized;
      dir_parts.emplace_back(log_key, serialized);
      key += serialized ? *serialized : std::string("\x01null");
      key += '\0';
    }
    // Column mapping tables use random prefixes instead of Hive directories (as Spark does).
    std::string directory = column_mapping_ ? "" : HivePartitionPath(dir_parts);
    auto data = data_of(group_batch);
    ARROW_ASSIGN_OR_RAISE(auto file, FileFor(key, values, directory, data));
    ARROW_RETURN_NOT_OK(WriteToFile(file, data));
  }
  return arrow::Status::OK();
}

arrow::Result<std::vector<AddFile>> DataWriter::Finish() {
  auto open = std::move(open_);
  open_.clear();
  for (auto& [_, file] : open) ARROW_RETURN_NOT_OK(CloseFile(file.get()));
  // Durable before the commit that will name them (a crash must not leave a commit naming a
  // torn file); synced together, so their fsyncs overlap.
  ARROW_RETURN_NOT_OK(io::SyncWrittenFiles(*location_.fs, unsynced_paths_,
                                           options_.drop_from_page_cache ? io::AfterSync::kDropCached
                                                                         : io::AfterSync::kKeepCached));
  unsynced_paths_.clear();
  written_paths_.clear();  // committed by the caller from here on
  return std::move(finished_);
}

arrow::Result<std::shared_ptr<arrow::RecordBatch>> ConformToTableSchema(
    const std::shared_ptr<arrow::RecordBatch>& batch, const std::shared_ptr<arrow::Schema>& table_schema) {
  ARROW_RETURN_NOT_OK(EnsureArrowInitialized());
  const auto& in = *batch->schema();
  std::vector<bool> used(static_cast<size_t>(in.num_fields()), false);
  arrow::ArrayVector columns;
  for (const auto& field : table_schema->fields()) {
    int idx = in.GetFieldIndex(field->name());
    if (idx < 0) {
      for (int i = 0; i < in.num_fields(); ++i) {
        const auto& n = in.field(i)->name();
        if (n.size() == field->name().size() &&
            std::equal(n.begin(), n.end(), field->name().begin(),
                       [](char a, char b) { return std::tolower(a) == std::tolower(b); })) {
          idx = i;
          break;
        }
      }
    }
    if (idx < 0) {
      if (!field->nullable()) {
        return arrow::Status::Invalid("column '", field->name(), "' (", field->type()->ToString(),
                                      ", NOT NULL) is missing from the data being written");
      }
      ARROW_ASSIGN_OR_RAISE(auto nulls, arrow::MakeArrayOfNull(field->type(), batch->num_rows()));
      columns.push_back(nulls);
      continue;
    }
    used[static_cast<size_t>(idx)] = true;
    auto column = batch->column(idx);
    if (!column->type()->Equals(*field->type())) {
      auto cast = ImplicitCastAllowed(*column->type(), *field->type())
                      ? cp::Cast(arrow::Datum(column), field->type(), cp::CastOptions::Safe())
                      : arrow::Result<arrow::Datum>(arrow::Status::TypeError("not implicitly castable"));
      if (!cast.ok()) {
        return arrow::Status::TypeError("schema mismatch for column '", field->name(), "': table has ",
                                        field->type()->ToString(), ", data has ", column->type()->ToString());
      }
      column = cast->make_array();
    }
    if (!field->nullable() && column->null_count() > 0) {
      return arrow::Status::Invalid("column '", field->name(), "' is NOT NULL but the data has ",
                                    column->null_count(), " null value(s)");
    }
    columns.push_back(column);
  }
  for (int i = 0; i < in.num_fields(); ++i) {
    if (!used[static_cast<size_t>(i)]) {
      return arrow::Status::Invalid("column '", in.field(i)->name(), "' (", in.field(i)->type()->ToString(),
                                    ") is not in the table schema; enable schema merging to add it");
    }
  }
  return arrow::RecordBatch::Make(table_schema, batch->num_rows(), std::move(columns));
}

}  // namespace tidelake::delta
