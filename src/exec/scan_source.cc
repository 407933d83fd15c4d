#include "exec/scan_source.h"

#include <arrow/acero/options.h>
#include <arrow/api.h>
#include <arrow/compute/api.h>
#include <arrow/filesystem/api.h>
#include <arrow/io/interfaces.h>
#include <arrow/util/async_generator.h>
#include <arrow/util/iterator.h>
#include <arrow/util/thread_pool.h>

#include <algorithm>

#include "common/error.h"
#include "delta/scan.h"
#include "exec/file_reader.h"
#include "plan/execution_form.h"

namespace tidelake::exec {

namespace acero = arrow::acero;
namespace cp = arrow::compute;

namespace {

// Read-ahead of a source, in batches (each up to 64 Ki rows).
constexpr int kReadAheadBatches = 4;

// The threads that pull sources' batches. They block while a file is read, and the Parquet
// reader's pre-buffering reads on Arrow's I/O pool: were they I/O-pool threads themselves, a
// plan with as many scans as that pool has threads would wait forever for reads no free
// thread can run. A reader holds a thread only until its read-ahead is full, so a plan with
// more sources than threads still progresses.
arrow::internal::Executor* SourceExecutor() {
  static const std::shared_ptr<arrow::internal::ThreadPool> pool = [] {
    int threads = std::max(8, 4 * arrow::internal::ThreadPool::DefaultCapacity());
    auto made = arrow::internal::ThreadPool::MakeEternal(threads);
    return made.ok() ? *made : nullptr;
  }();
  return pool.get();
}

// Turns the batches of `reader` (created on the first pull) into the node's batches: same
// columns in the same order, the node's names, cast to the node's types where they differ.
class SourceBatches {
 public:
  using ReaderFactory = std::function<arrow::Result<std::shared_ptr<arrow::RecordBatchReader>>()>;

  SourceBatches(ReaderFactory make_reader, std::shared_ptr<arrow::Schema> schema, bool drop_columns,
                std::shared_ptr<arrow::MemoryPool> pool, ErrorContext where)
      : make_reader_(std::move(make_reader)),
        schema_(std::move(schema)),
        drop_columns_(drop_columns),
        pool_(std::move(pool)),
        where_(std::move(where)) {}

  arrow::Result<std::optional<cp::ExecBatch>> Next() {
    if (!reader_) {
      auto made = make_reader_();
      if (!made.ok()) return AddContext(made.status(), where_);
      reader_ = *made;
    }
    std::shared_ptr<arrow::RecordBatch> batch;
    while (true) {
      ARROW_RETURN_NOT_OK(reader_->ReadNext(&batch));
      if (!batch) return arrow::IterationTraits<std::optional<cp::ExecBatch>>::End();
      if (batch->num_rows() > 0) break;
    }
    if (drop_columns_) return std::optional<cp::ExecBatch>(cp::ExecBatch({}, batch->num_rows()));
    if (batch->num_columns() != schema_->num_fields()) {
      return arrow::Status::Invalid("internal error: source of ", where_.Describe(), " returned ",
                                    batch->num_columns(), " columns, expected ", schema_->num_fields());
    }
    std::vector<arrow::Datum> values;
    values.reserve(static_cast<size_t>(batch->num_columns()));
    for (int i = 0; i < batch->num_columns(); ++i) {
      const auto& column = batch->column(i);
      const auto& want = schema_->field(i)->type();
      if (column->type()->Equals(*want)) {
        values.emplace_back(column);
        continue;
      }
      cp::ExecContext ctx(pool_.get());
      auto cast = cp::Cast(*column, want, cp::CastOptions::Safe(), &ctx);
      if (!cast.ok()) {
        return ErrorAt(arrow::StatusCode::Invalid, where_,
                       "column '" + plan::DisplayName(schema_->field(i)->name()) + "' is " +
                           column->type()->ToString() + " but the query reads it as " + want->ToString() +
                           ": " + cast.status().message());
      }
      values.emplace_back(*cast);
    }
    return std::optional<cp::ExecBatch>(cp::ExecBatch(std::move(values), batch->num_rows()));
  }

 private:
  ReaderFactory make_reader_;
  std::shared_ptr<arrow::Schema> schema_;
  bool drop_columns_;
  std::shared_ptr<arrow::MemoryPool> pool_;  // keeps the query's pool alive while we read
  ErrorContext where_;
  std::shared_ptr<arrow::RecordBatchReader> reader_;
};

arrow::Result<acero::Declaration> MakeSource(std::shared_ptr<SourceBatches> batches,
                                             std::shared_ptr<arrow::Schema> schema, std::string label) {
  auto iterator = arrow::MakeFunctionIterator([batches]() { return batches->Next(); });
  auto* executor = SourceExecutor();
  if (executor == nullptr) return arrow::Status::IOError("cannot start the scan threads");
  ARROW_ASSIGN_OR_RAISE(auto generator, arrow::MakeBackgroundGenerator(std::move(iterator), executor,
                                                                       kReadAheadBatches, kReadAheadBatches / 2));
  acero::Declaration decl("source", acero::SourceNodeOptions(std::move(schema), std::move(generator),
                                                             cp::Ordering::Implicit()));
  decl.label = std::move(label);
  return decl;
}

// The column a scan reads when the query needs none of them (count(*)): a partition column
// costs no I/O, else the first column.
std::string CheapestColumn(const delta::Snapshot& snapshot) {
  if (!snapshot.partition_columns().empty()) return snapshot.partition_columns().front();
  return snapshot.schema()->field(0)->name();
}

}  // namespace

cp::Expression RenameFieldRefs(const cp::Expression& expr,
                               const std::vector<std::pair<std::string, std::string>>& renames,
                               const arrow::Schema* bound_schema) {
  if (const auto* ref = expr.field_ref()) {
    const std::string* name = ref->name();
    if (!name && bound_schema && ref->field_path() && ref->field_path()->indices().size() == 1) {
      int index = ref->field_path()->indices()[0];
      if (index >= 0 && index < bound_schema->num_fields()) name = &bound_schema->field(index)->name();
    }
    if (name) {
      for (const auto& [from, to] : renames) {
        if (*name == from) return cp::field_ref(to);
      }
      return cp::field_ref(*name);
    }
    return cp::field_ref(*ref);
  }
  if (const auto* call = expr.call()) {
    std::vector<cp::Expression> args;
    args.reserve(call->arguments.size());
    for (const auto& arg : call->arguments) args.push_back(RenameFieldRefs(arg, renames, bound_schema));
    return cp::call(call->function_name, std::move(args), call->options);
  }
  return expr;  // a literal
}

cp::Expression Unbind(const cp::Expression& expr, const arrow::Schema& bound_schema) {
  return RenameFieldRefs(expr, {}, &bound_schema);
}

arrow::Result<acero::Declaration> TableScanSource(const plan::TableScanNode& node, const SourceOptions& options) {
  if (!node.snapshot) return arrow::Status::Invalid("internal error: scan of ", node.table_name, " has no snapshot");
  ErrorContext where{.table = node.table_name, .version = node.snapshot->version()};
  if (static_cast<int>(node.columns.size()) != node.schema->num_fields()) {
    return arrow::Status::Invalid("internal error: scan of ", node.table_name, " reads ", node.columns.size(),
                                  " columns into ", node.schema->num_fields(), " fields");
  }
  delta::ScanOptions scan_options;
  bool drop_columns = node.columns.empty();
  if (drop_columns) {
    if (node.snapshot->schema()->num_fields() == 0) {
      return arrow::Status::Invalid("table ", node.table_name, " has no columns");
    }
    scan_options.columns = {CheapestColumn(*node.snapshot)};
  } else {
    scan_options.columns = node.columns;
  }
  if (node.filter) {
    std::vector<std::pair<std::string, std::string>> renames;
    for (size_t i = 0; i < node.columns.size(); ++i) {
      renames.emplace_back(node.schema->field(static_cast<int>(i))->name(), node.columns[i]);
    }
    scan_options.filter = RenameFieldRefs(*node.filter, renames, node.schema.get());
    scan_options.row_filter = RenameFieldRefs(plan::ExecutionForm(*node.filter), renames, node.schema.get());
  }
  scan_options.memory_pool = options.pool.get();
  ARROW_ASSIGN_OR_RAISE(std::shared_ptr<const delta::Scan> scan, delta::Scan::Make(node.snapshot, scan_options));
  auto batches = std::make_shared<SourceBatches>(
      [scan]() -> arrow::Result<std::shared_ptr<arrow::RecordBatchReader>> { return scan->Execute(); }, node.schema,
      drop_columns, options.pool, where);
  return MakeSource(std::move(batches), node.schema, "scan " + node.table_name);
}

arrow::Result<acero::Declaration> FileScanSource(const plan::FileScanNode& node, const SourceOptions& options) {
  if (node.paths.empty()) return arrow::Status::Invalid("internal error: file scan without files");
  // Missing files are reported now rather than when the plan first pulls.
  for (const auto& uri : node.paths) {
    std::string path;
    ARROW_ASSIGN_OR_RAISE(auto fs, arrow::fs::FileSystemFromUriOrPath(uri, &path));
    ARROW_ASSIGN_OR_RAISE(auto info, fs->GetFileInfo(path));
    if (info.type() != arrow::fs::FileType::File) {
      return ErrorAt(arrow::StatusCode::IOError, ErrorContext{.file = uri},
                     info.type() == arrow::fs::FileType::NotFound ? "the file does not exist" : "not a file");
    }
  }
  ARROW_ASSIGN_OR_RAISE(auto reader, OpenFiles(node, options.pool.get()));
  ErrorContext where{.file = node.paths.size() == 1 ? node.paths[0] : node.paths[0] + " (and others)"};
  auto batches = std::make_shared<SourceBatches>(
      [reader]() -> arrow::Result<std::shared_ptr<arrow::RecordBatchReader>> { return reader; }, node.schema,
      node.columns.empty(), options.pool, where);
  ARROW_ASSIGN_OR_RAISE(auto source, MakeSource(std::move(batches), node.schema, "file scan"));
  if (!node.filter) return source;
  return acero::Declaration::Sequence(
      {std::move(source), {"filter", acero::FilterNodeOptions(Unbind(plan::ExecutionForm(*node.filter), *node.schema))}});
}

arrow::Result<acero::Declaration> ValuesSource(const plan::ValuesNode& node) {
  if (!node.rows) return arrow::Status::Invalid("internal error: VALUES without rows");
  if (node.rows->num_columns() != node.schema->num_fields()) {
    return arrow::Status::Invalid("internal error: VALUES has ", node.rows->num_columns(), " columns, expected ",
                                  node.schema->num_fields());
  }
  std::vector<cp::ExecBatch> batches;
  int64_t rows = node.rows->num_rows();
  if (node.rows->num_columns() == 0) {
    if (rows > 0) batches.emplace_back(std::vector<arrow::Datum>{}, rows);
  } else {
    arrow::TableBatchReader reader(*node.rows);
    reader.set_chunksize(acero::ExecPlan::kMaxBatchSize);
    std::shared_ptr<arrow::RecordBatch> batch;
    while (true) {
      ARROW_RETURN_NOT_OK(reader.ReadNext(&batch));
      if (!batch) break;
      batches.emplace_back(*batch);
    }
  }
  acero::Declaration decl("exec_batch_source", acero::ExecBatchSourceNodeOptions(node.schema, std::move(batches)));
  decl.label = "values";
  return decl;
}

}  // namespace tidelake::exec
