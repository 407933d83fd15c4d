// tidelake's side of the Delta engine benchmarks of issue 2. bench/run_delta_benchmarks.py runs
// this program and the peers (pyarrow, delta-rs, DuckDB) on the same data in the same run,
// checks that every contender returned the right answer, and reports the ratios.
//
// Each subcommand does one measurement and prints exactly one JSON line on stdout; everything
// that is not the measured operation (loading the input into memory, building a table) is
// done before the clock starts. Timings are wall-clock seconds from std::chrono::steady_clock.
//
//   write      --source F --table D [--warmup W]       load F into memory, write W untimed
//                                                      scratch tables, time DeltaTable::Write
//   build-log  --source F --table D --commits N [--interval K]
//                                                      a table of N commits (one small file each)
//                                                      with a checkpoint every K versions
//   load       --table D [--repeat R]                  time Snapshot::Load (after one untimed load)
//   build-scan --source F --table D --files N --rows-per-file P
//                                                      N files with disjoint, ascending id ranges
//   scan       --table D --lo A --hi B [--repeat R]    time load + plan + read of A <= id < B
//                                                      (after one untimed scan)
//   appends    --source F --table D --count N --rows P time N appends of P rows, one commit each
//   count      --table D                               rows and sum(id) of the latest snapshot
//
// Exit status 0 with a JSON line, or 1 with the error on stderr.
#include <arrow/api.h>
#include <arrow/compute/api.h>
#include <arrow/io/file.h>
#include <parquet/arrow/reader.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/arrow_init.h"
#include "common/uuid.h"
#include "delta/actions.h"
#include "delta/checkpoint_reader.h"
#include "delta/checkpoint_writer.h"
#include "delta/log_segment.h"
#include "delta/scan.h"
#include "delta/snapshot.h"
#include "delta/table.h"
#include "io/filesystem.h"

namespace tidelake::bench {
namespace {

namespace cp = arrow::compute;
using Clock = std::chrono::steady_clock;
using Json = nlohmann::ordered_json;

double SecondsBetween(Clock::time_point start, Clock::time_point end) {
  return std::chrono::duration<double>(end - start).count();
}

int64_t NowMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// "--key value" pairs after the subcommand.
class Flags {
 public:
  static arrow::Result<Flags> Parse(int argc, char** argv) {
    Flags flags;
    for (int i = 2; i < argc; i += 2) {
      std::string key = argv[i];
      if (key.rfind("--", 0) != 0 || i + 1 >= argc) {
        return arrow::Status::Invalid("expected --flag value pairs, got '", key, "'");
      }
      flags.values_[key.substr(2)] = argv[i + 1];
    }
    return flags;
  }

  arrow::Result<std::string> String(const std::string& name) const {
    auto it = values_.find(name);
    if (it == values_.end()) return arrow::Status::Invalid("missing --", name);
    return it->second;
  }

  arrow::Result<int64_t> Int(const std::string& name, std::optional<int64_t> fallback = std::nullopt) const {
    auto it = values_.find(name);
    if (it == values_.end()) {
      if (fallback) return *fallback;
      return arrow::Status::Invalid("missing --", name);
    }
    try {
      return std::stoll(it->second);
    } catch (...) {
      return arrow::Status::Invalid("--", name, " must be an integer, not '", it->second, "'");
    }
  }

 private:
  std::map<std::string, std::string> values_;
};

arrow::Result<delta::TableLocation> LocationOf(const std::string& path) {
  ARROW_ASSIGN_OR_RAISE(auto resolved, io::ResolveLocation(path));
  return delta::TableLocation{resolved.fs, resolved.path, path};
}

// Reads the first `max_rows` rows (all when negative) of a Parquet file into one chunk per
// column, so that slicing it into batches of any size yields exactly that size.
arrow::Result<std::shared_ptr<arrow::Table>> LoadParquet(const std::string& path, int64_t max_rows = -1) {
  ARROW_ASSIGN_OR_RAISE(auto input, arrow::io::ReadableFile::Open(path));
  ARROW_ASSIGN_OR_RAISE(auto reader, parquet::arrow::OpenFile(input, arrow::default_memory_pool()));
  reader->set_use_threads(true);
  std::shared_ptr<arrow::Table> table;
  int64_t rows = reader->parquet_reader()->metadata()->num_rows();
  if (max_rows >= 0 && max_rows < rows) {
    // Only the row groups that hold the first max_rows rows.
    std::vector<int> groups;
    int64_t covered = 0;
    for (int g = 0; g < reader->num_row_groups() && covered < max_rows; ++g) {
      groups.push_back(g);
      covered += reader->parquet_reader()->metadata()->RowGroup(g)->num_rows();
    }
    ARROW_ASSIGN_OR_RAISE(table, reader->ReadRowGroups(groups));
    table = table->Slice(0, max_rows);
  } else {
    ARROW_ASSIGN_OR_RAISE(table, reader->ReadTable());
  }
  if (max_rows >= 0 && table->num_rows() < max_rows) {
    return arrow::Status::Invalid("'", path, "' has ", table->num_rows(), " rows, ", max_rows, " needed");
  }
  return table->CombineChunks();
}

// Batches of exactly `rows` rows (the last may be shorter), sharing the table's buffers.
std::vector<std::shared_ptr<arrow::RecordBatch>> SliceIntoBatches(const arrow::Table& table, int64_t rows) {
  std::vector<std::shared_ptr<arrow::RecordBatch>> out;
  for (int64_t offset = 0; offset < table.num_rows(); offset += rows) {
    auto slice = table.Slice(offset, std::min(rows, table.num_rows() - offset));
    arrow::ArrayVector columns;
    for (const auto& column : slice->columns()) columns.push_back(column->chunk(0));
    out.push_back(arrow::RecordBatch::Make(table.schema(), slice->num_rows(), std::move(columns)));
  }
  return out;
}

struct Summary {
  int64_t version = -1;
  int64_t files = 0;
  int64_t rows = 0;
  int64_t id_sum = 0;
  int64_t bytes = 0;
};

// Reads column `id` of every live file: the row count and sum the runner checks.
arrow::Result<Summary> Summarize(const delta::TableLocation& location) {
  ARROW_ASSIGN_OR_RAISE(std::shared_ptr<const delta::Snapshot> snapshot, delta::Snapshot::Load(location));
  ARROW_ASSIGN_OR_RAISE(auto scan, delta::Scan::Make(snapshot, delta::ScanOptions{.columns = {"id"}}));
  ARROW_ASSIGN_OR_RAISE(auto reader, scan->Execute());
  Summary summary{snapshot->version(), static_cast<int64_t>(snapshot->files().size()), 0, 0,
                  snapshot->SizeInBytes()};
  while (true) {
    std::shared_ptr<arrow::RecordBatch> batch;
    ARROW_RETURN_NOT_OK(reader->ReadNext(&batch));
    if (!batch) break;
    summary.rows += batch->num_rows();
    ARROW_ASSIGN_OR_RAISE(auto sum, cp::Sum(batch->column(0)));
    if (sum.scalar()->is_valid) summary.id_sum += sum.scalar_as<arrow::Int64Scalar>().value;
  }
  return summary;
}

arrow::Result<Json> RunWrite(const Flags& flags) {
  ARROW_ASSIGN_OR_RAISE(auto source, flags.String("source"));
  ARROW_ASSIGN_OR_RAISE(auto table_path, flags.String("table"));
  ARROW_ASSIGN_OR_RAISE(auto location, LocationOf(table_path));
  auto load_start = Clock::now();
  // Loaded as the reader returns it (one chunk per row group), like pyarrow.parquet.read_table.
  ARROW_ASSIGN_OR_RAISE(auto input, arrow::io::ReadableFile::Open(source));
  ARROW_ASSIGN_OR_RAISE(auto parquet_reader, parquet::arrow::OpenFile(input, arrow::default_memory_pool()));
  parquet_reader->set_use_threads(true);
  ARROW_ASSIGN_OR_RAISE(auto table, parquet_reader->ReadTable());
  double load_seconds = SecondsBetween(load_start, Clock::now());

  delta::WriteOptions options;
  options.mode = delta::SaveMode::kErrorIfExists;
  ARROW_ASSIGN_OR_RAISE(int64_t warmups, flags.Int("warmup", 1));
  for (int64_t i = 0; i < warmups; ++i) {
    // An untimed write to a scratch table first, so the timed one runs in a warm process
    // (allocator pools and page mappings in place), as the peers' repetitions in the Python
    // runner do.
    ARROW_ASSIGN_OR_RAISE(auto scratch, LocationOf(table_path + ".warmup"));
    arrow::TableBatchReader warm_batches(table);
    ARROW_RETURN_NOT_OK(delta::DeltaTable::Write(scratch, warm_batches, options).status());
    ARROW_RETURN_NOT_OK(scratch.fs->DeleteDirContents(scratch.root));
    ARROW_RETURN_NOT_OK(scratch.fs->DeleteDir(scratch.root));
  }

  arrow::TableBatchReader batches(table);
  auto start = Clock::now();
  ARROW_ASSIGN_OR_RAISE(auto result, delta::DeltaTable::Write(location, batches, options));
  double seconds = SecondsBetween(start, Clock::now());

  ARROW_ASSIGN_OR_RAISE(auto snapshot, delta::Snapshot::Load(location));
  return Json{{"bench", "write"},          {"seconds", seconds},
              {"load_seconds", load_seconds}, {"rows", result.rows_written},
              {"files", result.files_added}, {"bytes", snapshot->SizeInBytes()},
              {"version", result.version}};
}

arrow::Result<Json> RunBuildLog(const Flags& flags) {
  ARROW_ASSIGN_OR_RAISE(auto source, flags.String("source"));
  ARROW_ASSIGN_OR_RAISE(auto table_path, flags.String("table"));
  ARROW_ASSIGN_OR_RAISE(int64_t commits, flags.Int("commits"));
  ARROW_ASSIGN_OR_RAISE(int64_t interval, flags.Int("interval", 10));
  if (commits < 1 || interval < 1) return arrow::Status::Invalid("--commits and --interval must be positive");
  ARROW_ASSIGN_OR_RAISE(auto location, LocationOf(table_path));
  auto start = Clock::now();

  // Version 0 is a real write of 10 rows of the benchmark schema; every later version is an
  // append of a copy (hard link) of that file, committed as the transaction would write it.
  // Writing the commit files directly keeps the build linear: committing through Transaction
  // replays the log after every commit, which makes 10,000 commits quadratic.
  ARROW_ASSIGN_OR_RAISE(auto rows, LoadParquet(source, 10));
  arrow::TableBatchReader first(rows);
  ARROW_RETURN_NOT_OK(delta::DeltaTable::Write(location, first, {.mode = delta::SaveMode::kErrorIfExists}).status());
  ARROW_ASSIGN_OR_RAISE(auto snapshot, delta::Snapshot::Load(location));
  if (snapshot->files().size() != 1) return arrow::Status::Invalid("expected one file at version 0");
  const delta::AddFile template_add = snapshot->files().front();
  const std::string template_path = location.DataPath(template_add.path);
  std::vector<delta::AddFile> files = snapshot->files();
  files.reserve(static_cast<size_t>(commits));
  const std::string log_dir = location.LogDir();
  int64_t checkpoints = 0;

  for (int64_t version = 1; version < commits; ++version) {
    char name[96];
    std::snprintf(name, sizeof(name), "part-00000-%s-c000.snappy.parquet", RandomUuid().c_str());
    std::error_code ec;
    std::filesystem::create_hard_link(template_path, io::JoinPath(location.root, name), ec);
    if (ec) return arrow::Status::IOError("cannot link '", template_path, "': ", ec.message());
    delta::AddFile add = template_add;
    add.path = delta::EncodePath(name);
    add.modification_time = NowMillis();
    Json info{{"timestamp", NowMillis()},
              {"operation", "WRITE"},
              {"operationParameters", {{"mode", "Append"}, {"partitionBy", "[]"}}},
              {"readVersion", version - 1},
              {"isolationLevel", "WriteSerializable"},
              {"isBlindAppend", true},
              {"operationMetrics", {{"numFiles", "1"}, {"numOutputRows", "10"},
                                    {"numOutputBytes", std::to_string(add.size)}}},
              {"engineInfo", "tidelake/0.1.0"},
              {"txnId", RandomUuid()}};
    delta::CommitInfo commit_info;
    commit_info.json = info.dump();
    std::vector<delta::Action> actions{commit_info, add};
    ARROW_RETURN_NOT_OK(
        io::WriteFile(*location.fs, delta::CommitPath(log_dir, version), delta::ToCommitText(actions)));
    files.push_back(std::move(add));
    if (version % interval == 0) {
      auto checkpoint = delta::CheckpointActions(snapshot->protocol(), snapshot->metadata(), files, {}, {}, {},
                                                 NowMillis());
      ARROW_RETURN_NOT_OK(delta::WriteCheckpoint(*location.fs, log_dir, version, checkpoint).status());
      ++checkpoints;
    }
  }
  return Json{{"bench", "build-log"},
              {"seconds", SecondsBetween(start, Clock::now())},
              {"version", commits - 1},
              {"files", static_cast<int64_t>(files.size())},
              {"checkpoints", checkpoints}};
}

arrow::Result<Json> RunLoad(const Flags& flags) {
  ARROW_ASSIGN_OR_RAISE(auto table_path, flags.String("table"));
  ARROW_ASSIGN_OR_RAISE(int64_t repeat, flags.Int("repeat", 5));
  ARROW_ASSIGN_OR_RAISE(auto location, LocationOf(table_path));
  ARROW_RETURN_NOT_OK(EnsureArrowInitialized());
  Json seconds = Json::array();
  int64_t version = -1, files = 0;
  // Iteration 0 is an untimed warm-up (a fresh process pays for first use of the Parquet
  // reader and the allocator; the peers run in a long-lived Python process).
  for (int64_t i = 0; i <= repeat; ++i) {
    auto start = Clock::now();
    ARROW_ASSIGN_OR_RAISE(auto snapshot, delta::Snapshot::Load(location));
    if (i > 0) seconds.push_back(SecondsBetween(start, Clock::now()));
    version = snapshot->version();
    files = static_cast<int64_t>(snapshot->files().size());
  }
  // Where the time goes, measured separately afterwards: listing the log directory and reading
  // the checkpoint (the rest of a load is reading the few newer commits and replay).
  Json list_seconds = Json::array(), checkpoint_seconds = Json::array();
  for (int64_t i = 0; i < repeat; ++i) {
    auto start = Clock::now();
    ARROW_ASSIGN_OR_RAISE(auto listing, delta::ListLog(*location.fs, location.LogDir()));
    auto listed = Clock::now();
    ARROW_ASSIGN_OR_RAISE(auto segment, delta::SegmentFor(listing, location.LogDir(), std::nullopt));
    if (segment.checkpoint) {
      ARROW_RETURN_NOT_OK(delta::ReadCheckpoint(*location.fs, *segment.checkpoint, location.LogDir()).status());
    }
    list_seconds.push_back(SecondsBetween(start, listed));
    checkpoint_seconds.push_back(SecondsBetween(listed, Clock::now()));
  }
  return Json{{"bench", "load"},          {"seconds", seconds},
              {"list_seconds", list_seconds}, {"checkpoint_seconds", checkpoint_seconds},
              {"version", version},       {"files", files}};
}

arrow::Result<Json> RunBuildScan(const Flags& flags) {
  ARROW_ASSIGN_OR_RAISE(auto source, flags.String("source"));
  ARROW_ASSIGN_OR_RAISE(auto table_path, flags.String("table"));
  ARROW_ASSIGN_OR_RAISE(int64_t files, flags.Int("files"));
  ARROW_ASSIGN_OR_RAISE(int64_t rows_per_file, flags.Int("rows-per-file"));
  ARROW_ASSIGN_OR_RAISE(auto location, LocationOf(table_path));
  ARROW_ASSIGN_OR_RAISE(auto table, LoadParquet(source, files * rows_per_file));
  auto batches = SliceIntoBatches(*table, rows_per_file);
  ARROW_ASSIGN_OR_RAISE(auto reader, arrow::RecordBatchReader::Make(batches, table->schema()));
  auto start = Clock::now();
  // A target size of one byte rolls to a new file after every batch: one file per id range.
  ARROW_ASSIGN_OR_RAISE(auto result, delta::DeltaTable::Write(location, *reader,
                                                              {.mode = delta::SaveMode::kErrorIfExists,
                                                               .target_file_size = 1}));
  return Json{{"bench", "build-scan"},
              {"seconds", SecondsBetween(start, Clock::now())},
              {"files", result.files_added},
              {"rows", result.rows_written}};
}

arrow::Result<Json> RunScan(const Flags& flags) {
  ARROW_ASSIGN_OR_RAISE(auto table_path, flags.String("table"));
  ARROW_ASSIGN_OR_RAISE(int64_t lo, flags.Int("lo"));
  ARROW_ASSIGN_OR_RAISE(int64_t hi, flags.Int("hi"));
  ARROW_ASSIGN_OR_RAISE(int64_t repeat, flags.Int("repeat", 5));
  ARROW_ASSIGN_OR_RAISE(auto location, LocationOf(table_path));
  ARROW_RETURN_NOT_OK(EnsureArrowInitialized());
  auto filter = cp::and_(cp::greater_equal(cp::field_ref("id"), cp::literal(lo)),
                         cp::less(cp::field_ref("id"), cp::literal(hi)));
  Json load = Json::array(), plan = Json::array(), read = Json::array(), total = Json::array();
  int64_t count = 0, id_sum = 0, files_total = 0, files_read = 0;
  for (int64_t i = 0; i <= repeat; ++i) {  // iteration 0: untimed warm-up, as in RunLoad
    count = id_sum = 0;
    auto t0 = Clock::now();
    ARROW_ASSIGN_OR_RAISE(std::shared_ptr<const delta::Snapshot> snapshot, delta::Snapshot::Load(location));
    auto t1 = Clock::now();
    ARROW_ASSIGN_OR_RAISE(auto scan, delta::Scan::Make(snapshot, delta::ScanOptions{.columns = {"id"},
                                                                                     .filter = filter}));
    auto t2 = Clock::now();
    ARROW_ASSIGN_OR_RAISE(auto reader, scan->Execute());
    while (true) {
      std::shared_ptr<arrow::RecordBatch> batch;
      ARROW_RETURN_NOT_OK(reader->ReadNext(&batch));
      if (!batch) break;
      count += batch->num_rows();
      ARROW_ASSIGN_OR_RAISE(auto sum, cp::Sum(batch->column(0)));
      if (sum.scalar()->is_valid) id_sum += sum.scalar_as<arrow::Int64Scalar>().value;
    }
    auto t3 = Clock::now();
    files_total = static_cast<int64_t>(snapshot->files().size());
    files_read = static_cast<int64_t>(scan->files().size());
    if (i == 0) continue;
    load.push_back(SecondsBetween(t0, t1));
    plan.push_back(SecondsBetween(t1, t2));
    read.push_back(SecondsBetween(t2, t3));
    total.push_back(SecondsBetween(t0, t3));
  }
  return Json{{"bench", "scan"},          {"seconds", total},       {"load_seconds", load},
              {"plan_seconds", plan},     {"read_seconds", read},   {"count", count},
              {"id_sum", id_sum},         {"files_total", files_total}, {"files_read", files_read}};
}

arrow::Result<Json> RunAppends(const Flags& flags) {
  ARROW_ASSIGN_OR_RAISE(auto source, flags.String("source"));
  ARROW_ASSIGN_OR_RAISE(auto table_path, flags.String("table"));
  ARROW_ASSIGN_OR_RAISE(int64_t count, flags.Int("count"));
  ARROW_ASSIGN_OR_RAISE(int64_t rows, flags.Int("rows"));
  ARROW_ASSIGN_OR_RAISE(auto location, LocationOf(table_path));
  // Batch 0 creates the table (untimed); batches 1..count are the timed appends.
  ARROW_ASSIGN_OR_RAISE(auto table, LoadParquet(source, (count + 1) * rows));
  auto batches = SliceIntoBatches(*table, rows);
  {
    ARROW_ASSIGN_OR_RAISE(auto reader, arrow::RecordBatchReader::Make({batches[0]}, table->schema()));
    ARROW_RETURN_NOT_OK(
        delta::DeltaTable::Write(location, *reader, {.mode = delta::SaveMode::kErrorIfExists}).status());
  }
  std::vector<double> latencies;
  latencies.reserve(static_cast<size_t>(count));
  int64_t version = 0;
  auto start = Clock::now();
  for (int64_t i = 1; i <= count; ++i) {
    auto t0 = Clock::now();
    ARROW_ASSIGN_OR_RAISE(auto reader, arrow::RecordBatchReader::Make({batches[static_cast<size_t>(i)]},
                                                                      table->schema()));
    ARROW_ASSIGN_OR_RAISE(auto result, delta::DeltaTable::Write(location, *reader, {}));
    version = result.version;
    latencies.push_back(SecondsBetween(t0, Clock::now()));
  }
  double seconds = SecondsBetween(start, Clock::now());
  std::sort(latencies.begin(), latencies.end());
  auto quantile = [&](double q) {
    return latencies.empty() ? 0.0 : latencies[static_cast<size_t>(q * static_cast<double>(latencies.size() - 1))];
  };
  return Json{{"bench", "appends"},         {"seconds", seconds},
              {"commits", count},          {"version", version},
              {"p50_seconds", quantile(0.5)}, {"p99_seconds", quantile(0.99)},
              {"max_seconds", quantile(1.0)}};
}

arrow::Result<Json> RunCount(const Flags& flags) {
  ARROW_ASSIGN_OR_RAISE(auto table_path, flags.String("table"));
  ARROW_ASSIGN_OR_RAISE(auto location, LocationOf(table_path));
  ARROW_ASSIGN_OR_RAISE(auto summary, Summarize(location));
  return Json{{"bench", "count"},        {"version", summary.version}, {"files", summary.files},
              {"rows", summary.rows},    {"id_sum", summary.id_sum},   {"bytes", summary.bytes}};
}

arrow::Result<Json> Run(int argc, char** argv) {
  ARROW_RETURN_NOT_OK(EnsureArrowInitialized());
  if (argc < 2) return arrow::Status::Invalid("usage: delta_benchmark <subcommand> --flag value ...");
  std::string command = argv[1];
  ARROW_ASSIGN_OR_RAISE(auto flags, Flags::Parse(argc, argv));
  if (command == "write") return RunWrite(flags);
  if (command == "build-log") return RunBuildLog(flags);
  if (command == "load") return RunLoad(flags);
  if (command == "build-scan") return RunBuildScan(flags);
  if (command == "scan") return RunScan(flags);
  if (command == "appends") return RunAppends(flags);
  if (command == "count") return RunCount(flags);
  return arrow::Status::Invalid("unknown subcommand '", command, "'");
}

}  // namespace
}  // namespace tidelake::bench

int main(int argc, char** argv) {
  auto result = tidelake::bench::Run(argc, argv);
  if (!result.ok()) {
    std::cerr << "delta_benchmark: " << result.status().ToString() << std::endl;
    return 1;
  }
  std::cout << result->dump() << std::endl;
  return 0;
}
