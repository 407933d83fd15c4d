#include "delta/scan.h"

#include <arrow/api.h>
#include <arrow/util/bitmap_ops.h>
#include <arrow/array/util.h>
#include <arrow/compute/api.h>
#include <arrow/compute/exec.h>
#include <arrow/dataset/file_parquet.h>
#include <arrow/util/thread_pool.h>
#include <parquet/arrow/reader.h>
#include <parquet/arrow/schema.h>
#include <parquet/properties.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <unordered_set>

#include "common/arrow_init.h"
#include "common/error.h"
#include "delta/deletion_vector.h"
#include "delta/file_stats.h"
#include "delta/partition_values.h"
#include "delta/row_filter.h"
#include "delta/schema.h"

namespace tidelake::delta {

namespace cp = arrow::compute;

namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return std::tolower(x) == std::tolower(y); });
}

std::optional<int32_t> ParquetFieldId(const arrow::Field& field) {
  if (!field.metadata()) return std::nullopt;
  auto idx = field.metadata()->FindKey("PARQUET:field_id");
  if (idx < 0) return std::nullopt;
  try {
    return std::stoi(field.metadata()->value(idx));
  } catch (...) {
    return std::nullopt;
  }
}

// Finds the file field that stores `logical` among `candidates`, per the column mapping mode.
int FindPhysicalField(const arrow::FieldVector& candidates, const arrow::Field& logical,
                      ColumnMappingMode mode) {
  if (mode == ColumnMappingMode::kId) {
    if (auto id = FieldId(logical)) {
      for (size_t i = 0; i < candidates.size(); ++i) {
        if (ParquetFieldId(*candidates[i]) == id) return static_cast<int>(i);
      }
    }
  }
  std::string name = mode == ColumnMappingMode::kNone ? logical.name() : PhysicalName(logical);
  for (size_t i = 0; i < candidates.size(); ++i) {
    if (candidates[i]->name() == name) return static_cast<int>(i);
  }
  for (size_t i = 0; i < candidates.size(); ++i) {
    if (EqualsIgnoreCase(candidates[i]->name(), name)) return static_cast<int>(i);
  }
  return -1;
}

// Converts a column as stored in a file into the table's logical field: renames nested fields,
// adds missing struct children as nulls, and casts leaves to the table's types.
arrow::Result<std::shared_ptr<arrow::Array>> Conform(const std::shared_ptr<arrow::Array>& physical,
                                                     const arrow::Field& logical, ColumnMappingMode mode,
                                                     cp::ExecContext* ctx) {
  const auto& target = logical.type();
  switch (target->id()) {
    case arrow::Type::STRUCT: {
      if (physical->type_id() != arrow::Type::STRUCT) break;
      const auto& in = static_cast<const arrow::StructArray&>(*physical);
      const auto& in_type = static_cast<const arrow::StructType&>(*in.type());
      arrow::ArrayVector children;
      for (const auto& child : target->fields()) {
        int idx = FindPhysicalField(in_type.fields(), *child, mode);
        if (idx < 0) {
          ARROW_ASSIGN_OR_RAISE(auto nulls, arrow::MakeArrayOfNull(child->type(), in.length(), ctx->memory_pool()));
          children.push_back(nulls);
        } else {
          ARROW_ASSIGN_OR_RAISE(auto c, Conform(in.field(idx), *child, mode, ctx));
          children.push_back(c);
        }
      }
      std::shared_ptr<arrow::Buffer> validity;
      if (in.null_count() > 0) {
        ARROW_ASSIGN_OR_RAISE(validity, arrow::internal::CopyBitmap(ctx->memory_pool(),
                                                                    in.null_bitmap_data(), in.offset(),
                                                                    in.length()));
      }
      return std::make_shared<arrow::StructArray>(target, in.length(), children, validity, in.null_count());
    }
    case arrow::Type::LIST: {
      if (physical->type_id() != arrow::Type::LIST) break;
      const auto& in = static_cast<const arrow::ListArray&>(*physical);
      const auto& value_field = static_cast<const arrow::ListType&>(*target).value_field();
      ARROW_ASSIGN_OR_RAISE(auto values, Conform(in.values(), *value_field, mode, ctx));
      return std::make_shared<arrow::ListArray>(target, in.length(), in.value_offsets(), values,
                                                in.null_bitmap(), in.null_count(), in.offset());
    }
    case arrow::Type::MAP: {
      if (physical->type_id() != arrow::Type::MAP) break;
      const auto& in = static_cast<const arrow::MapArray&>(*physical);
      const auto& map_type = static_cast<const arrow::MapType&>(*target);
      ARROW_ASSIGN_OR_RAISE(auto keys, Conform(in.keys(), *map_type.key_field(), mode, ctx));
      ARROW_ASSIGN_OR_RAISE(auto items, Conform(in.items(), *map_type.item_field(), mode, ctx));
      return std::make_shared<arrow::MapArray>(target, in.length(), in.value_offsets(), keys, items,
                                               in.null_bitmap(), in.null_count(), in.offset());
    }
    default:
      break;
  }
  if (physical->type()->Equals(*target)) return physical;
  auto cast = cp::Cast(*physical, target, cp::CastOptions::Safe(), ctx);
  if (!cast.ok()) {
    return arrow::Status::Invalid("column '", logical.name(), "' is stored as ",
                                  physical->type()->ToString(), " which cannot be read as ",
                                  target->ToString(), ": ", cast.status().message());
  }
  return *cast;
}

// True when leaf column `c` holds top-level strings (or binary) whose data pages are all
// dictionary-encoded in every row group, so reading it as a dictionary costs no re-encoding.
bool AllDictionaryEncodedStrings(const parquet::FileMetaData& metadata, int c) {
  const auto* column = metadata.schema()->Column(c);
  if (column->physical_type() != parquet::Type::BYTE_ARRAY || column->max_repetition_level() > 0 ||
      column->path()->ToDotVector().size() != 1) {
    return false;
  }
  for (int rg = 0; rg < metadata.num_row_groups(); ++rg) {
    auto chunk = metadata.RowGroup(rg)->ColumnChunk(c);
    if (!chunk->has_dictionary_page() || chunk->encoding_stats().empty()) return false;
    for (const auto& stats : chunk->encoding_stats()) {
      bool data = stats.page_type == parquet::PageType::DATA_PAGE || stats.page_type == parquet::PageType::DATA_PAGE_V2;
      bool dictionary = stats.encoding == parquet::Encoding::RLE_DICTIONARY ||
                        stats.encoding == parquet::Encoding::PLAIN_DICTIONARY;
      if (data && stats.count > 0 && !dictionary) return false;
    }
  }
  return true;
}

std::vector<int> LeafColumnsOf(const parquet::arrow::SchemaManifest& manifest, int top_level_index) {
  std::vector<int> leaves;
  std::vector<const parquet::arrow::SchemaField*> stack{&manifest.schema_fields[top_level_index]};
  while (!stack.empty()) {
    const auto* f = stack.back();
    stack.pop_back();
    if (f->is_leaf()) leaves.push_back(f->column_index);
    for (const auto& child : f->children) stack.push_back(&child);
  }
  return leaves;
}

// A boolean "keep" mask for rows [first_row, first_row + n) of a file with a deletion vector.
arrow::Result<std::shared_ptr<arrow::Array>> KeepMask(const DeletionVector& dv, int64_t first_row, int64_t n,
                                                     arrow::MemoryPool* pool) {
  std::vector<uint8_t> deleted(static_cast<size_t>(n), 0);
  dv.MarkDeleted(first_row, n, deleted.data());
  arrow::BooleanBuilder builder(pool);
  ARROW_RETURN_NOT_OK(builder.Reserve(n));
  for (int64_t i = 0; i < n; ++i) builder.UnsafeAppend(deleted[static_cast<size_t>(i)] == 0);
  return builder.Finish();
}

// The row groups of a file that may hold rows passing `bound_filter` (bound to `read_schema`),
// judged from the row groups' column statistics. `read_to_file[i]` is the top-level file field
// holding read field i (-1: not in the file). Only top-level leaf columns stored with the
// table's own type are used; anything else keeps the row group.
std::vector<int> RowGroupsMatching(parquet::arrow::FileReader& reader, const arrow::Schema& read_schema,
                                   const std::vector<int>& read_to_file, const cp::Expression& bound_filter) {
  const auto& manifest = reader.manifest();
  auto metadata = reader.parquet_reader()->metadata();
  std::unordered_set<std::string> referenced;
  for (const auto& ref : cp::FieldsInExpression(bound_filter)) {
    if (const std::string* name = ref.name()) referenced.insert(*name);
  }
  std::vector<int> kept;
  for (int rg = 0; rg < metadata->num_row_groups(); ++rg) {
    auto row_group = metadata->RowGroup(rg);
    std::vector<cp::Expression> facts;
    for (size_t i = 0; i < read_to_file.size(); ++i) {
      const auto& field = read_schema.field(static_cast<int>(i));
      int file_index = read_to_file[i];
      if (file_index < 0 || !referenced.count(field->name())) continue;
      if (static_cast<size_t>(file_index) >= manifest.schema_fields.size()) continue;
      const auto& stored = manifest.schema_fields[static_cast<size_t>(file_index)];
      if (!stored.is_leaf() || !stored.field || !stored.field->type()->Equals(*field->type())) continue;
      auto chunk = row_group->ColumnChunk(stored.column_index);
      if (!chunk || !chunk->is_stats_set()) continue;
      auto statistics = chunk->statistics();
      if (!statistics) continue;
      auto fact = arrow::dataset::ParquetFileFragment::EvaluateStatisticsAsExpression(
          *stored.field, arrow::FieldRef(field->name()), *statistics);
      if (fact) facts.push_back(std::move(*fact));
    }
    bool keep = true;
    if (!facts.empty()) {
      auto guarantee = cp::and_(facts).Bind(read_schema);
      if (guarantee.ok()) {
        auto simplified = cp::SimplifyWithGuarantee(bound_filter, *guarantee);
        keep = !simplified.ok() || simplified->IsSatisfiable();
      }
    }
    if (keep) kept.push_back(rg);
  }
  return kept;
}

arrow::Result<std::shared_ptr<arrow::RecordBatch>> FilterBatch(const std::shared_ptr<arrow::RecordBatch>& batch,
                                                               const arrow::Datum& mask, cp::ExecContext* ctx) {
  if (mask.is_scalar()) {
    // A constant filter (TRUE, or FALSE / NULL).
    const auto& keep = mask.scalar_as<arrow::BooleanScalar>();
    return keep.is_valid && keep.value ? batch : batch->Slice(0, 0);
  }
  const std::shared_ptr<arrow::Array> keep_array = mask.make_array();
  const auto& keep = static_cast<const arrow::BooleanArray&>(*keep_array);
  const int64_t kept = keep.true_count();
  if (kept == batch->num_rows()) return batch;
  if (kept == 0) return batch->Slice(0, 0);
  if (kept * 2 < batch->num_rows()) {
    // Few rows stay: one index vector, taken from every column.
    ARROW_ASSIGN_OR_RAISE(auto filtered, cp::Filter(batch, mask, cp::FilterOptions::Defaults(), ctx));
    return filtered.record_batch();
  }
  // Most rows stay: each column copies its runs of kept rows.
  arrow::ArrayVector columns;
  for (const auto& column : batch->columns()) {
    ARROW_ASSIGN_OR_RAISE(auto filtered, cp::Filter(column, mask, cp::FilterOptions::Defaults(), ctx));
    columns.push_back(filtered.make_array());
  }
  return arrow::RecordBatch::Make(batch->schema(), kept, std::move(columns));
}

}  // namespace

arrow::Result<std::vector<std::shared_ptr<arrow::Scalar>>> PartitionScalars(const Snapshot& snapshot,
                                                                            const AddFile& file) {
  std::vector<std::shared_ptr<arrow::Scalar>> out;
  ColumnMappingMode mode = ColumnMappingModeFrom(snapshot.metadata().configuration);
  for (const auto& name : snapshot.partition_columns()) {
    auto field = snapshot.schema()->GetFieldByName(name);
    if (!field) {
      return arrow::Status::Invalid("partition column '", name, "' is not in the table schema");
    }
    std::string key = mode == ColumnMappingMode::kNone ? name : PhysicalName(*field);
    std::optional<std::string> raw;
    auto it = file.partition_values.find(key);
    if (it == file.partition_values.end()) it = file.partition_values.find(name);
    if (it != file.partition_values.end()) raw = it->second;
    auto scalar = ParsePartitionValue(raw, field->type());
    if (!scalar.ok()) {
      return arrow::Status::Invalid("file '", file.path, "': partition column '", name,
                                    "': ", scalar.status().message());
    }
    out.push_back(*scalar);
  }
  return out;
}

arrow::Result<bool> Scan::FileMayMatch(const Snapshot& snapshot, const AddFile& file,
                                       const cp::Expression& bound_filter) {
  std::vector<cp::Expression> facts;
  ARROW_ASSIGN_OR_RAISE(auto partition_values, PartitionScalars(snapshot, file));
  for (size_t i = 0; i < partition_values.size(); ++i) {
    const auto& name = snapshot.partition_columns()[i];
    const auto& value = partition_values[i];
    if (value->is_valid) {
      facts.push_back(cp::equal(cp::field_ref(name), cp::literal(value)));
    } else {
      facts.push_back(cp::is_null(cp::field_ref(name)));
    }
  }
  if (file.stats) {
    ColumnMappingMode mode = ColumnMappingModeFrom(snapshot.metadata().configuration);
    auto name_of = [mode](const arrow::Field& f) {
      return mode == ColumnMappingMode::kNone ? f.name() : PhysicalName(f);
    };
    auto stats = ParseStats(*file.stats, *snapshot.schema(), name_of);
    if (stats.ok()) facts.push_back(StatsGuarantee(*stats));
    // Unreadable stats only cost us the skipping, never correctness.
  }
  if (facts.empty()) return true;
  ARROW_ASSIGN_OR_RAISE(auto guarantee, cp::and_(facts).Bind(*snapshot.schema()));
  ARROW_ASSIGN_OR_RAISE(auto simplified, cp::SimplifyWithGuarantee(bound_filter, guarantee));
  if (simplified.IsSatisfiable()) return true;
  return false;
}

arrow::Result<std::shared_ptr<Scan>> Scan::Make(std::shared_ptr<const Snapshot> snapshot, ScanOptions options) {
  ARROW_RETURN_NOT_OK(EnsureArrowInitialized());
  std::shared_ptr<Scan> scan(new Scan());
  scan->snapshot_ = snapshot;
  const auto& schema = *snapshot->schema();
  ErrorContext where{.table = snapshot->location().display_name, .version = snapshot->version()};

  auto resolve = [&](const std::string& name) -> arrow::Result<std::shared_ptr<arrow::Field>> {
    for (const auto& f : schema.fields()) {
      if (f->name() == name) return f;
    }
    for (const auto& f : schema.fields()) {
      if (EqualsIgnoreCase(f->name(), name)) return f;
    }
    return ErrorAt(arrow::StatusCode::Invalid, where, "column '" + name + "' does not exist; columns are: " +
                                                          [&] {
                                                            std::string all;
                                                            for (const auto& f : schema.fields())
                                                              all += (all.empty() ? "" : ", ") + f->name();
                                                            return all;
                                                          }());
  };

  arrow::FieldVector output_fields;
  if (options.columns.empty()) {
    output_fields = schema.fields();
  } else {
    for (const auto& name : options.columns) {
      ARROW_ASSIGN_OR_RAISE(auto f, resolve(name));
      output_fields.push_back(f);
    }
  }
  arrow::FieldVector read_fields = output_fields;
  if (options.filter) {
    auto bound = options.filter->Bind(schema);
    if (!bound.ok()) {
      return ErrorAt(arrow::StatusCode::Invalid, where, "invalid filter: " + bound.status().message());
    }
    if (bound->type()->id() != arrow::Type::BOOL) {
      return ErrorAt(arrow::StatusCode::Invalid, where,
                     "filter must be a boolean expression, not " + bound->type()->ToString());
    }
    for (const auto& ref : cp::FieldsInExpression(*bound)) {
      const std::string* name = ref.name();
      if (!name && ref.nested_refs() && !ref.nested_refs()->empty()) name = ref.nested_refs()->front().name();
      if (!name) continue;
      ARROW_ASSIGN_OR_RAISE(auto f, resolve(*name));
      bool present = std::any_of(read_fields.begin(), read_fields.end(),
                                 [&](const auto& r) { return r->name() == f->name(); });
      if (!present) read_fields.push_back(f);
    }
  }
  if (options.with_row_position) {
    output_fields.push_back(arrow::field(kRowIndexColumn, arrow::int64(), false));
    output_fields.push_back(arrow::field(kFilePathColumn, arrow::utf8(), false));
    read_fields.push_back(arrow::field(kRowIndexColumn, arrow::int64(), false));
    read_fields.push_back(arrow::field(kFilePathColumn, arrow::utf8(), false));
  }
  scan->output_schema_ = arrow::schema(output_fields);
  scan->read_schema_ = arrow::schema(read_fields);
  if (options.filter) {
    ARROW_ASSIGN_OR_RAISE(auto bound_read, options.filter->Bind(*scan->read_schema_));
    scan->bound_filter_ = bound_read;
    cp::Expression bound_row = bound_read;
    if (options.row_filter) {
      auto bound = options.row_filter->Bind(*scan->read_schema_);
      if (!bound.ok()) {
        return ErrorAt(arrow::StatusCode::Invalid, where, "invalid filter: " + bound.status().message());
      }
      bound_row = std::move(*bound);
    }
    ARROW_ASSIGN_OR_RAISE(auto row_filter, RowFilter::Make(bound_row, scan->read_schema_));
    scan->row_filter_ = std::move(row_filter);
    ARROW_ASSIGN_OR_RAISE(auto bound_table, options.filter->Bind(schema));
    for (const auto& file : snapshot->files()) {
      auto may = FileMayMatch(*snapshot, file, bound_table);
      if (!may.ok()) return AddContext(may.status(), where);
      if (*may) scan->files_.push_back(&file);
    }
  } else {
    for (const auto& file : snapshot->files()) scan->files_.push_back(&file);
  }
  scan->options_ = std::move(options);
  return scan;
}

arrow::Result<std::vector<std::shared_ptr<arrow::RecordBatch>>> Scan::ReadFile(const AddFile& file) const {
  std::vector<std::shared_ptr<arrow::RecordBatch>> out;
  ARROW_RETURN_NOT_OK(ReadFileInto(file, [&out](std::shared_ptr<arrow::RecordBatch> batch) {
    out.push_back(std::move(batch));
    return arrow::Status::OK();
  }));
  return out;
}

arrow::Status Scan::ReadFileInto(const AddFile& file, const BatchSink& sink) const {
  const Snapshot& snap = *snapshot_;
  const auto& location = snap.location();
  std::string path = location.DataPath(file.path);
  ErrorContext where{.table = location.display_name, .version = snap.version(), .file = path};
  auto result = [&]() -> arrow::Status {
    ColumnMappingMode mode = ColumnMappingModeFrom(snap.metadata().configuration);
    arrow::MemoryPool* pool = options_.memory_pool ? options_.memory_pool : arrow::default_memory_pool();
    ARROW_ASSIGN_OR_RAISE(auto input, location.fs->OpenInputFile(path));
    parquet::ArrowReaderProperties props;
    props.set_batch_size(options_.batch_size);
    props.set_coerce_int96_timestamp_unit(arrow::TimeUnit::MICRO);
    props.set_pre_buffer(true);
    // Columns decode in parallel (on Arrow's CPU pool; the caller's thread waits).
    props.set_use_threads(options_.parallel_decode);
    parquet::arrow::FileReaderBuilder builder;
    ARROW_RETURN_NOT_OK(builder.Open(input, parquet::ReaderProperties(pool)));
    // Strings dictionary-encoded throughout the file are read as dictionary arrays (indices and
    // the distinct values) and expanded by Conform: much faster than Parquet's per-value decoding.
    auto file_metadata = builder.raw_reader()->metadata();
    for (int c = 0; c < file_metadata->num_columns(); ++c) {
      if (AllDictionaryEncodedStrings(*file_metadata, c)) props.set_read_dictionary(c, true);
    }
    builder.memory_pool(pool);
    builder.properties(props);
    std::unique_ptr<parquet::arrow::FileReader> reader;
    ARROW_ASSIGN_OR_RAISE(reader, builder.Build());
    std::shared_ptr<arrow::Schema> file_schema;
    ARROW_RETURN_NOT_OK(reader->GetSchema(&file_schema));

    ARROW_ASSIGN_OR_RAISE(auto partition_values, PartitionScalars(snap, file));
    const auto& partition_columns = snap.partition_columns();

    // Which file columns to read, and where each read column comes from.
    struct Source {
      enum Kind { kFile, kPartition, kMissing, kRowIndex, kFilePath } kind;
      int index = -1;  // position among the file columns read, or partition column index
    };
    std::vector<Source> sources;
    std::vector<int> leaves;
    std::vector<int> file_fields;   // top-level file field indices, in read order
    std::vector<int> read_to_file;  // per read field: its top-level file field, or -1
    for (const auto& field : read_schema_->fields()) {
      read_to_file.push_back(-1);
      if (field->name() == kRowIndexColumn && options_.with_row_position) {
        sources.push_back({Source::kRowIndex});
        continue;
      }
      if (field->name() == kFilePathColumn && options_.with_row_position) {
        sources.push_back({Source::kFilePath});
        continue;
      }
      auto part = std::find(partition_columns.begin(), partition_columns.end(), field->name());
      if (part != partition_columns.end()) {
        sources.push_back({Source::kPartition, static_cast<int>(part - partition_columns.begin())});
        continue;
      }
      int idx = FindPhysicalField(file_schema->fields(), *field, mode);
      if (idx < 0) {
        sources.push_back({Source::kMissing});
        continue;
      }
      sources.push_back({Source::kFile, static_cast<int>(file_fields.size())});
      file_fields.push_back(idx);
      read_to_file.back() = idx;
    }
    // Parquet returns columns in file order; remember where each requested one lands.
    std::vector<int> sorted_fields = file_fields;
    std::sort(sorted_fields.begin(), sorted_fields.end());
    for (int f : sorted_fields) {
      auto l = LeafColumnsOf(reader->manifest(), f);
      leaves.insert(leaves.end(), l.begin(), l.end());
    }
    std::sort(leaves.begin(), leaves.end());
    auto position_in_read = [&](int file_field) {
      return static_cast<int>(std::lower_bound(sorted_fields.begin(), sorted_fields.end(), file_field) -
                              sorted_fields.begin());
    };

    std::optional<DeletionVector> dv;
    if (file.deletion_vector) {
      ARROW_ASSIGN_OR_RAISE(auto loaded, LoadDeletionVector(*file.deletion_vector, location.root, location.fs.get()));
      dv = std::move(loaded);
    }

    std::vector<int> row_groups(static_cast<size_t>(reader->num_row_groups()));
    for (size_t i = 0; i < row_groups.size(); ++i) row_groups[i] = static_cast<int>(i);
    int64_t total_rows = reader->parquet_reader()->metadata()->num_rows();

    // One decoded batch as the scan returns it (nullptr: no row passes). Thread-safe: batches
    // may be finished on several threads at once.
    auto finish = [&](int64_t first_row, int64_t n, const std::shared_ptr<arrow::RecordBatch>& physical)
        -> arrow::Result<std::shared_ptr<arrow::RecordBatch>> {
      cp::ExecContext ctx(pool);
      // Each read column as stored (raw) and in the table's type (conformed), made on demand:
      // the filter runs first, so columns are converted for the rows it keeps only.
      const size_t width = sources.size();
      std::vector<std::shared_ptr<arrow::Array>> raw(width), conformed(width);
      auto raw_column = [&](int i) -> arrow::Result<std::shared_ptr<arrow::Array>> {
        auto& slot = raw[static_cast<size_t>(i)];
        if (slot) return slot;
        const auto& field = read_schema_->field(i);
        const auto& src = sources[static_cast<size_t>(i)];
        switch (src.kind) {
          case Source::kFile:
            slot = physical->column(position_in_read(file_fields[static_cast<size_t>(src.index)]));
            break;
          case Source::kPartition: {
            ARROW_ASSIGN_OR_RAISE(slot, arrow::MakeArrayFromScalar(*partition_values[static_cast<size_t>(src.index)], n,
                                                                   pool));
            break;
          }
          case Source::kMissing: {
            ARROW_ASSIGN_OR_RAISE(slot, arrow::MakeArrayOfNull(field->type(), n, pool));
            break;
          }
          case Source::kRowIndex: {
            arrow::Int64Builder b(pool);
            ARROW_RETURN_NOT_OK(b.Reserve(n));
            for (int64_t r = 0; r < n; ++r) b.UnsafeAppend(first_row + r);
            ARROW_ASSIGN_OR_RAISE(slot, b.Finish());
            break;
          }
          case Source::kFilePath: {
            ARROW_ASSIGN_OR_RAISE(slot, arrow::MakeArrayFromScalar(arrow::StringScalar(file.path), n, pool));
            break;
          }
        }
        return slot;
      };
      auto conform = [&](int i, const std::shared_ptr<arrow::Array>& column) -> arrow::Result<std::shared_ptr<arrow::Array>> {
        if (sources[static_cast<size_t>(i)].kind != Source::kFile) return column;
        return Conform(column, *read_schema_->field(i), mode, &ctx);
      };
      auto conformed_column = [&](int i) -> arrow::Result<std::shared_ptr<arrow::Array>> {
        auto& slot = conformed[static_cast<size_t>(i)];
        if (slot) return slot;
        ARROW_ASSIGN_OR_RAISE(auto column, raw_column(i));
        ARROW_ASSIGN_OR_RAISE(slot, conform(i, column));
        return slot;
      };

      int64_t rows = n;
      if (dv) {
        // Deleted rows go first: the filter never sees them (nor fails on them).
        ARROW_ASSIGN_OR_RAISE(auto keep, KeepMask(*dv, first_row, n, pool));
        arrow::FieldVector fields;
        arrow::ArrayVector columns;
        for (size_t i = 0; i < width; ++i) {
          ARROW_ASSIGN_OR_RAISE(auto column, raw_column(static_cast<int>(i)));
          fields.push_back(arrow::field(read_schema_->field(static_cast<int>(i))->name(), column->type()));
          columns.push_back(std::move(column));
        }
        auto all = arrow::RecordBatch::Make(arrow::schema(std::move(fields)), n, std::move(columns));
        ARROW_ASSIGN_OR_RAISE(all, FilterBatch(all, keep, &ctx));
        rows = all->num_rows();
        if (rows == 0) return arrow::Status::OK();
        for (size_t i = 0; i < width; ++i) raw[i] = all->column(static_cast<int>(i));
      }
      std::optional<arrow::Datum> mask;
      if (row_filter_) {
        ARROW_ASSIGN_OR_RAISE(mask, row_filter_->Evaluate(rows, raw_column, conformed_column, &ctx));
      }
      // The output columns (the read columns the filter alone needed are dropped here), as
      // converted where that happened already, else as stored; filtered; then converted.
      arrow::FieldVector fields;
      arrow::ArrayVector columns;
      std::vector<int> read_index;
      for (const auto& f : output_schema_->fields()) {
        int i = read_schema_->GetFieldIndex(f->name());
        const bool have = conformed[static_cast<size_t>(i)] != nullptr;
        ARROW_ASSIGN_OR_RAISE(auto column, have ? conformed_column(i) : raw_column(i));
        fields.push_back(arrow::field(f->name(), column->type()));
        columns.push_back(std::move(column));
        read_index.push_back(have ? -1 : i);
      }
      auto batch = arrow::RecordBatch::Make(arrow::schema(std::move(fields)), rows, std::move(columns));
      if (mask) {
        ARROW_ASSIGN_OR_RAISE(batch, FilterBatch(batch, *mask, &ctx));
      }
      if (batch->num_rows() == 0) return nullptr;
      arrow::ArrayVector out;
      for (int c = 0; c < batch->num_columns(); ++c) {
        if (read_index[static_cast<size_t>(c)] < 0) {
          out.push_back(batch->column(c));
        } else {
          ARROW_ASSIGN_OR_RAISE(auto column, conform(read_index[static_cast<size_t>(c)], batch->column(c)));
          out.push_back(std::move(column));
        }
      }
      return arrow::RecordBatch::Make(output_schema_, batch->num_rows(), std::move(out));
    };

    // Batches are finished on Arrow's CPU pool while the next ones decode, a few at once, and
    // reach the sink in file order. (Without parallel decoding the caller may itself be a CPU
    // pool thread, which must not wait for the pool: then each batch is finished in place.)
    const size_t max_pending = options_.parallel_decode ? 4 : 0;
    std::deque<arrow::Future<std::shared_ptr<arrow::RecordBatch>>> pending;
    auto deliver = [&](const arrow::Result<std::shared_ptr<arrow::RecordBatch>>& finished) -> arrow::Status {
      ARROW_RETURN_NOT_OK(finished.status());
      if (*finished == nullptr) return arrow::Status::OK();
      return sink(*finished);
    };
    auto emit = [&](int64_t first_row, int64_t n, std::shared_ptr<arrow::RecordBatch> physical) -> arrow::Status {
      if (max_pending == 0) return deliver(finish(first_row, n, physical));
      ARROW_ASSIGN_OR_RAISE(auto future, arrow::internal::GetCpuThreadPool()->Submit(
                                             [&finish, first_row, n, physical = std::move(physical)] {
                                               return finish(first_row, n, physical);
                                             }));
      pending.push_back(std::move(future));
      while (pending.size() > max_pending) {
        auto finished = pending.front().result();
        pending.pop_front();
        ARROW_RETURN_NOT_OK(deliver(finished));
      }
      return arrow::Status::OK();
    };
    auto drain = [&]() -> arrow::Status {
      while (!pending.empty()) {
        auto finished = pending.front().result();
        pending.pop_front();
        ARROW_RETURN_NOT_OK(deliver(finished));
      }
      return arrow::Status::OK();
    };
    // Whatever happens, no task may outlive the locals it reads.
    struct WaitForPending {
      std::deque<arrow::Future<std::shared_ptr<arrow::RecordBatch>>>* pending;
      ~WaitForPending() {
        for (auto& f : *pending) f.Wait();
      }
    } wait_for_pending{&pending};

    if (leaves.empty()) {
      // Only partition columns (or nothing) requested: the row count comes from the footer.
      int64_t done = 0;
      while (done < total_rows) {
        int64_t n = std::min<int64_t>(options_.batch_size, total_rows - done);
        auto empty = arrow::RecordBatch::Make(arrow::schema({}), n, arrow::ArrayVector{});
        ARROW_RETURN_NOT_OK(emit(done, n, empty));
        done += n;
      }
      return drain();
    }
    // Skip the row groups whose statistics rule the filter out.
    std::vector<int> kept = row_groups;
    if (bound_filter_) kept = RowGroupsMatching(*reader, *read_schema_, read_to_file, *bound_filter_);
    if (kept.size() == row_groups.size()) {
      ARROW_ASSIGN_OR_RAISE(auto batches, reader->GetRecordBatchReader(row_groups, leaves));
      int64_t row = 0;
      while (true) {
        std::shared_ptr<arrow::RecordBatch> batch;
        ARROW_RETURN_NOT_OK(batches->ReadNext(&batch));
        if (!batch) break;
        ARROW_RETURN_NOT_OK(emit(row, batch->num_rows(), batch));
        row += batch->num_rows();
      }
      return drain();
    }
    // Row positions (deletion vectors, _tidelake_row_index) count the skipped groups' rows.
    auto metadata = reader->parquet_reader()->metadata();
    std::vector<int64_t> first_row_of(row_groups.size() + 1, 0);
    for (size_t rg = 0; rg < row_groups.size(); ++rg) {
      first_row_of[rg + 1] = first_row_of[rg] + metadata->RowGroup(static_cast<int>(rg))->num_rows();
    }
    for (int rg : kept) {
      ARROW_ASSIGN_OR_RAISE(auto batches, reader->GetRecordBatchReader({rg}, leaves));
      int64_t row = first_row_of[static_cast<size_t>(rg)];
      while (true) {
        std::shared_ptr<arrow::RecordBatch> batch;
        ARROW_RETURN_NOT_OK(batches->ReadNext(&batch));
        if (!batch) break;
        ARROW_RETURN_NOT_OK(emit(row, batch->num_rows(), batch));
        row += batch->num_rows();
      }
    }
    return drain();
  }();
  if (!result.ok() && !result.IsCancelled()) return AddContext(result, where);
  return result;
}

namespace {

// One data file read on a thread of its own into a bounded queue of batches: the reading
// runs ahead of the consumer by at most `capacity` batches, then waits.
class FileStream {
 public:
  FileStream(std::shared_ptr<const Scan> scan, const AddFile* file, size_t capacity) : capacity_(capacity) {
    thread_ = std::thread([this, scan = std::move(scan), file] {
      arrow::Status status = scan->ReadFileInto(*file, [this](std::shared_ptr<arrow::RecordBatch> batch) {
        std::unique_lock<std::mutex> lock(mutex_);
        changed_.wait(lock, [this] { return queue_.size() < capacity_ || closed_; });
        if (closed_) return arrow::Status::Cancelled("the scan was closed");
        queue_.push_back(std::move(batch));
        changed_.notify_all();
        return arrow::Status::OK();
      });
      std::lock_guard<std::mutex> lock(mutex_);
      status_ = std::move(status);
      done_ = true;
      changed_.notify_all();
    });
  }

  ~FileStream() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      closed_ = true;
      changed_.notify_all();
    }
    thread_.join();
  }

  /// The next batch; nullptr at the end of the file.
  arrow::Result<std::shared_ptr<arrow::RecordBatch>> Next() {
    std::unique_lock<std::mutex> lock(mutex_);
    changed_.wait(lock, [this] { return !queue_.empty() || done_; });
    if (queue_.empty()) {
      if (!status_.ok()) return status_;
      return nullptr;
    }
    auto batch = std::move(queue_.front());
    queue_.pop_front();
    changed_.notify_all();
    return batch;
  }

 private:
  const size_t capacity_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::shared_ptr<arrow::RecordBatch>> queue_;
  bool done_ = false;
  bool closed_ = false;
  arrow::Status status_;
  std::thread thread_;  // last: started once the members above exist
};

// Reads the scan's files in order, streaming: a few files are read at once, each a few
// batches ahead of the consumer, so memory stays bounded and decoding overlaps the work on
// the batches already read.
class ScanReader : public arrow::RecordBatchReader {
 public:
  ScanReader(std::shared_ptr<const Scan> scan) : scan_(std::move(scan)) {}

  std::shared_ptr<arrow::Schema> schema() const override { return scan_->output_schema(); }

  arrow::Status ReadNext(std::shared_ptr<arrow::RecordBatch>* batch) override {
    while (true) {
      Launch();
      if (open_.empty()) {
        *batch = nullptr;
        return arrow::Status::OK();
      }
      ARROW_ASSIGN_OR_RAISE(*batch, open_.front()->Next());
      if (*batch) return arrow::Status::OK();
      open_.pop_front();
      open_bytes_ -= open_sizes_.front();
      open_sizes_.pop_front();
    }
  }

 private:
  // Keeps up to one file per CPU open, but no more than read_ahead_bytes of files (the
  // Parquet reader pre-buffers a file's column chunks); always at least one.
  void Launch() {
    const size_t window = std::max<size_t>(2, static_cast<size_t>(arrow::GetCpuThreadPoolCapacity()));
    while (open_.size() < window && next_file_ < scan_->files().size()) {
      const AddFile* file = scan_->files()[next_file_];
      int64_t size = std::max<int64_t>(file->size, 0);
      if (!open_.empty() && open_bytes_ + size > scan_->options().read_ahead_bytes) break;
      ++next_file_;
      open_.push_back(std::make_unique<FileStream>(scan_, file, kQueuedBatches));
      open_sizes_.push_back(size);
      open_bytes_ += size;
    }
  }

  static constexpr size_t kQueuedBatches = 4;
  std::shared_ptr<const Scan> scan_;
  size_t next_file_ = 0;
  std::deque<std::unique_ptr<FileStream>> open_;
  std::deque<int64_t> open_sizes_;
  int64_t open_bytes_ = 0;
};

}  // namespace

arrow::Result<std::shared_ptr<arrow::RecordBatchReader>> Scan::Execute() const {
  // The reader owns a copy of this (small) scan: file pointers stay valid through the snapshot.
  return std::make_shared<ScanReader>(std::make_shared<Scan>(*this));
}

arrow::Result<std::shared_ptr<arrow::Table>> Scan::ToTable() const {
  ARROW_ASSIGN_OR_RAISE(auto reader, Execute());
  return reader->ToTable();
}

}  // namespace tidelake::delta
