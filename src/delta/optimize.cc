#include "delta/optimize.h"

#include <arrow/api.h>
#include <arrow/compute/api.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <nlohmann/json.hpp>

#include "common/clock.h"
#include "common/error.h"
#include "common/strings.h"
#include "delta/data_writer.h"
#include "delta/scan.h"
#include "delta/zorder.h"

namespace tidelake::delta {

namespace cp = arrow::compute;

namespace {

// Z-ordered slices are cut by row count, so their writers must never roll on their own.
constexpr int64_t kNoRoll = int64_t{1} << 62;

std::string JoinNames(const std::vector<std::string>& names) {
  if (names.empty()) return "none";
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

// The OPTIMIZE target: the option, else delta.targetFileSize (ParseTargetFileSize), else the default.
arrow::Result<int64_t> TargetFileSize(const Metadata& metadata, const OptimizeOptions& options) {
  if (options.target_file_size < 0) {
    return arrow::Status::Invalid("OPTIMIZE target file size must be positive (got ", options.target_file_size, ")");
  }
  if (options.target_file_size > 0) return options.target_file_size;
  auto value = metadata.Config("delta.targetFileSize");
  if (!value) return kDefaultOptimizeTargetFileSize;
  return ParseTargetFileSize(*value);
}

arrow::Result<std::optional<cp::Expression>> BindPartitionFilter(const Snapshot& snapshot,
                                                                 const OptimizeOptions& options) {
  if (!options.partition_filter) return std::nullopt;
  const auto& partitions = snapshot.partition_columns();
  ARROW_ASSIGN_OR_RAISE(auto bound, options.partition_filter->Bind(*snapshot.schema()));
  for (const auto& ref : cp::FieldsInExpression(bound)) {
    const std::string* name = ref.name();
    std::string shown = name ? *name : ref.ToString();
    if (!name || std::find(partitions.begin(), partitions.end(), *name) == partitions.end()) {
      return arrow::Status::Invalid("OPTIMIZE WHERE may only reference partition columns, but '", shown,
                                    "' is not one (partition columns: ", JoinNames(partitions), ")");
    }
  }
  return bound;
}

// The table's names for the ZORDER BY columns, validated.
arrow::Result<std::vector<std::string>> ResolveZOrderColumns(const Snapshot& snapshot,
                                                             const std::vector<std::string>& requested) {
  const auto& schema = *snapshot.schema();
  const auto& partitions = snapshot.partition_columns();
  std::vector<std::string> out;
  for (const auto& name : requested) {
    std::shared_ptr<arrow::Field> field = schema.GetFieldByName(name);
    if (!field) {
      for (const auto& f : schema.fields()) {
        if (Lower(f->name()) == Lower(name)) field = f;
      }
    }
    if (!field) {
      std::vector<std::string> names;
      for (const auto& f : schema.fields()) names.push_back(f->name());
      return arrow::Status::Invalid("ZORDER BY column '", name, "' does not exist (table columns: ", JoinNames(names),
                                    ")");
    }
    if (std::find(partitions.begin(), partitions.end(), field->name()) != partitions.end()) {
      return arrow::Status::Invalid("cannot ZORDER BY partition column '", field->name(),
                                    "': every row of a partition has the same value; Z-order by data columns");
    }
    if (std::find(out.begin(), out.end(), field->name()) != out.end()) {
      return arrow::Status::Invalid("ZORDER BY lists column '", field->name(), "' twice");
    }
    ARROW_RETURN_NOT_OK(CheckZOrderable(field->name(), *field->type()));
    out.push_back(field->name());
  }
  return out;
}

// Rewrites groups of files of one partition into new files; owns the files it wrote until the
// caller takes them, and deletes them if the plan fails.
class Rewriter {
 public:
  Rewriter(const Snapshot& snapshot, std::shared_ptr<Scan> scan, int64_t target)
      : snapshot_(snapshot), scan_(std::move(scan)), target_(target) {}
  ~Rewriter() {
    if (!committed_) {
      for (const auto& add : adds_) IgnoreError(snapshot_.location().fs->DeleteFile(snapshot_.location().DataPath(add.path)));
    }
  }

  // Bin-packing: the rows of `files`, in order, into new files.
  arrow::Status Compact(const std::vector<const AddFile*>& files) {
    ARROW_ASSIGN_OR_RAISE(auto writer, MakeWriter(target_));
    for (const AddFile* f : files) {
      ARROW_ASSIGN_OR_RAISE(auto batches, scan_->ReadFile(*f));
      for (const auto& b : batches) ARROW_RETURN_NOT_OK(writer->Write(b));
    }
    return Finish(writer.get());
  }

  // Z-ordering: all rows of `files`, sorted by z-value, cut into files near the target size.
  arrow::Status ZOrder(const std::vector<const AddFile*>& files, const std::vector<std::string>& columns) {
    arrow::RecordBatchVector batches;
    int64_t input_bytes = 0;
    int64_t deleted_rows = 0;
    for (const AddFile* f : files) {
      ARROW_ASSIGN_OR_RAISE(auto read, scan_->ReadFile(*f));
      batches.insert(batches.end(), read.begin(), read.end());
      input_bytes += f->size;
      if (f->deletion_vector) deleted_rows += f->deletion_vector->cardinality;
    }
    ARROW_ASSIGN_OR_RAISE(auto table, arrow::Table::FromRecordBatches(scan_->output_schema(), batches));
    const int64_t rows = table->num_rows();
    if (rows == 0) return arrow::Status::OK();
    std::vector<std::shared_ptr<arrow::ChunkedArray>> keys;
    for (const auto& c : columns) keys.push_back(table->GetColumnByName(c));
    ARROW_ASSIGN_OR_RAISE(auto order, ZOrderSortIndices(keys));
    ARROW_ASSIGN_OR_RAISE(auto sorted_datum, cp::Take(table, order));
    std::shared_ptr<arrow::Table> sorted = sorted_datum.table();
    batches.clear();
    table.reset();

    // Cut into equal slices of about target_ bytes, estimating bytes per row from the input
    // files (whose sizes include the rows their deletion vectors drop).
    double bytes_per_row = static_cast<double>(std::max<int64_t>(input_bytes, 1)) / static_cast<double>(rows + deleted_rows);
    int64_t rows_per_target = std::max<int64_t>(1, static_cast<int64_t>(static_cast<double>(target_) / bytes_per_row));
    int64_t num_files = (rows + rows_per_target - 1) / rows_per_target;
    int64_t rows_per_file = (rows + num_files - 1) / num_files;
    for (int64_t offset = 0; offset < rows; offset += rows_per_file) {
      auto slice = sorted->Slice(offset, rows_per_file);
      ARROW_ASSIGN_OR_RAISE(auto writer, MakeWriter(kNoRoll));
      arrow::TableBatchReader reader(*slice);
      reader.set_chunksize(64 * 1024);
      std::shared_ptr<arrow::RecordBatch> batch;
      while (true) {
        ARROW_RETURN_NOT_OK(reader.ReadNext(&batch));
        if (!batch) break;
        ARROW_RETURN_NOT_OK(writer->Write(batch));
      }
      ARROW_RETURN_NOT_OK(Finish(writer.get()));
    }
    return arrow::Status::OK();
  }

  int64_t rows_written() const { return rows_written_; }
  std::vector<AddFile> TakeAdds() {
    committed_ = true;
    return std::move(adds_);
  }

 private:
  arrow::Result<std::unique_ptr<DataWriter>> MakeWriter(int64_t roll_size) {
    // The table's delta.targetFileSize would override the writer option; OPTIMIZE decides.
    auto configuration = snapshot_.metadata().configuration;
    configuration["delta.targetFileSize"] = std::to_string(roll_size);
    DataWriterOptions options;
    options.target_file_size = roll_size;
    options.data_change = false;
    return DataWriter::Make(snapshot_.location(), snapshot_.schema(), snapshot_.partition_columns(),
                            std::move(configuration), options);
  }

  arrow::Status Finish(DataWriter* writer) {
    ARROW_ASSIGN_OR_RAISE(auto adds, writer->Finish());
    rows_written_ += writer->rows_written();
    for (auto& a : adds) adds_.push_back(std::move(a));
    return arrow::Status::OK();
  }

  const Snapshot& snapshot_;
  std::shared_ptr<Scan> scan_;
  int64_t target_;
  std::vector<AddFile> adds_;
  int64_t rows_written_ = 0;
  bool committed_ = false;
};

// Greedy bin-packing of one partition's small files (Spark's OPTIMIZE): ascending size, a new
// bin whenever the next file would overflow the target.
std::vector<std::vector<const AddFile*>> PackBins(std::vector<const AddFile*> files, int64_t target,
                                                  int64_t min_files) {
  std::vector<const AddFile*> candidates;
  for (const AddFile* f : files) {
    if (f->size < target || f->deletion_vector) candidates.push_back(f);
  }
  std::stable_sort(candidates.begin(), candidates.end(),
                   [](const AddFile* a, const AddFile* b) { return a->size < b->size; });
  std::vector<std::vector<const AddFile*>> bins;
  std::vector<const AddFile*> current;
  int64_t current_size = 0;
  for (const AddFile* f : candidates) {
    if (!current.empty() && current_size + f->size > target) {
      bins.push_back(std::move(current));
      current.clear();
      current_size = 0;
    }
    current.push_back(f);
    current_size += f->size;
  }
  if (!current.empty()) bins.push_back(std::move(current));
  std::vector<std::vector<const AddFile*>> kept;
  for (auto& bin : bins) {
    bool has_dv = std::any_of(bin.begin(), bin.end(), [](const AddFile* f) { return f->deletion_vector.has_value(); });
    if (static_cast<int64_t>(bin.size()) >= min_files || has_dv) kept.push_back(std::move(bin));
  }
  return kept;
}

}  // namespace

arrow::Result<OptimizeMetrics> PlanOptimize(const Snapshot& snapshot, const OptimizeOptions& options,
                                            Transaction* txn) {
  OptimizeMetrics metrics;
  ARROW_ASSIGN_OR_RAISE(int64_t target, TargetFileSize(snapshot.metadata(), options));
  ARROW_ASSIGN_OR_RAISE(auto filter, BindPartitionFilter(snapshot, options));
  ARROW_ASSIGN_OR_RAISE(auto zorder, ResolveZOrderColumns(snapshot, options.zorder_by));

  std::map<StringMap, std::vector<const AddFile*>> partitions;
  for (const auto& f : snapshot.files()) {
    if (filter) {
      ARROW_ASSIGN_OR_RAISE(bool selected, Scan::FileMayMatch(snapshot, f, *filter));
      if (!selected) continue;
    }
    partitions[f.partition_values].push_back(&f);
    ++metrics.total_considered_files;
  }

  auto shared = std::shared_ptr<const Snapshot>(std::shared_ptr<const Snapshot>{}, &snapshot);
  ARROW_ASSIGN_OR_RAISE(auto scan, Scan::Make(shared, ScanOptions{}));
  Rewriter rewriter(snapshot, scan, target);
  std::vector<const AddFile*> removed;
  for (const auto& [values, files] : partitions) {
    std::vector<std::vector<const AddFile*>> bins;
    if (!zorder.empty()) {
      bins.push_back(files);
    } else {
      bins = PackBins(files, target, std::max<int64_t>(options.min_files, 1));
    }
    if (bins.empty()) continue;
    ++metrics.partitions_optimized;
    for (const auto& bin : bins) {
      ++metrics.num_bins;
      if (zorder.empty()) {
        ARROW_RETURN_NOT_OK(rewriter.Compact(bin));
      } else {
        ARROW_RETURN_NOT_OK(rewriter.ZOrder(bin, zorder));
      }
      removed.insert(removed.end(), bin.begin(), bin.end());
    }
  }

  int64_t now = NowMillis();
  for (const AddFile* f : removed) {
    txn->Add(RemoveFileFor(*f, now, /*data_change=*/false));
    ++metrics.files_removed;
    metrics.bytes_removed += f->size;
    if (f->deletion_vector) ++metrics.deletion_vectors_removed;
  }
  metrics.rows_rewritten = rewriter.rows_written();
  std::vector<AddFile> adds = rewriter.TakeAdds();
  for (const auto& a : adds) {
    ++metrics.files_added;
    metrics.bytes_added += a.size;
    metrics.added_file_sizes.push_back(a.size);
    metrics.new_files.push_back(a.path);
  }
  std::sort(metrics.added_file_sizes.begin(), metrics.added_file_sizes.end());
  metrics.total_files_skipped = metrics.total_considered_files - metrics.files_removed;
  txn->Add(std::move(adds));
  return metrics;
}

std::map<std::string, std::string> OptimizeParameters(const OptimizeOptions& options) {
  nlohmann::json predicate = nlohmann::json::array();
  if (options.partition_filter) predicate.push_back(options.partition_filter->ToString());
  return {{"predicate", predicate.dump()}, {"zOrderBy", nlohmann::json(options.zorder_by).dump()}};
}

std::map<std::string, std::string> OptimizeCommitMetrics(const OptimizeMetrics& m) {
  std::map<std::string, std::string> out{{"numAddedFiles", std::to_string(m.files_added)},
                                         {"numRemovedFiles", std::to_string(m.files_removed)},
                                         {"numAddedBytes", std::to_string(m.bytes_added)},
                                         {"numRemovedBytes", std::to_string(m.bytes_removed)},
                                         {"numDeletionVectorsRemoved", std::to_string(m.deletion_vectors_removed)}};
  const auto& sizes = m.added_file_sizes;
  if (!sizes.empty()) {
    auto pct = [&](size_t p) { return std::to_string(sizes[(sizes.size() - 1) * p / 100]); };
    out["minFileSize"] = std::to_string(sizes.front());
    out["p25FileSize"] = pct(25);
    out["p50FileSize"] = pct(50);
    out["p75FileSize"] = pct(75);
    out["maxFileSize"] = std::to_string(sizes.back());
  }
  return out;
}

arrow::Result<OptimizeResult> Optimize(const TableLocation& location, const OptimizeOptions& options) {
  ErrorContext where{.table = location.display_name.empty() ? location.root : location.display_name};
  auto run = [&]() -> arrow::Result<OptimizeResult> {
    OptimizeResult result;
    ARROW_ASSIGN_OR_RAISE(auto snapshot, Snapshot::Load(location));
    where.version = snapshot->version();
    auto txn = Transaction::ForSnapshot(snapshot);
    ARROW_ASSIGN_OR_RAISE(result.metrics, PlanOptimize(*snapshot, options, txn.get()));
    if (result.metrics.files_removed == 0 && result.metrics.files_added == 0) return result;
    auto commit = txn->Commit("OPTIMIZE", OptimizeParameters(options), OptimizeCommitMetrics(result.metrics));
    if (!commit.ok()) {
      // The new files were never committed: delete them (best effort; VACUUM would too).
      for (const auto& path : result.metrics.new_files) IgnoreError(location.fs->DeleteFile(location.DataPath(path)));
      return commit.status();
    }
    result.version = commit->version;
    return result;
  };
  return AddContext(run(), where);
}

}  // namespace tidelake::delta
