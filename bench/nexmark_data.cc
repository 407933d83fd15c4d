// The NEXMark benchmark's input data: N events of tidelake's NEXMark generator (stream::
// NexmarkSource, its flat `kEvents` table: event_type, person / auction / bid structs,
// dateTime) written once as Parquet files, so that every engine of bench/run_nexmark_benchmark.py
// (tidelake and Apache Flink) reads exactly the same events from the same files.
//
//   nexmark_data --dir D --events N [--seed S] [--rate R] [--events-per-file F]
//                [--base-time-ms T] [--row-group-rows G]
//
// Events [k * F, (k + 1) * F) go to D/events-<k>.parquet (zero-padded), written under a hidden
// name and renamed when complete, so a reader watching D never sees half a file. Event time runs
// at R events per second from T (ms since the epoch), as the generator defines it; the defaults
// are those of the nexmark project's benchmark suite (10 M events/s of event time, no disorder:
// its Flink queries hold the watermark 4 s behind). Timestamps are stored as INT96 (UTC), as
// Spark writes them: Flink's Parquet reader reads timestamps inside a ROW only from INT96 (its
// nested reader refuses INT64 ones), and tidelake reads INT96 as microseconds.
//
// D/_nexmark.json (hidden from both engines' file sources, whose readers skip names starting
// with `_`) records the parameters, the files and the count of each kind of event, and is the
// only line printed on stdout. The output is a pure function of the parameters.
#include <arrow/api.h>
#include <arrow/io/file.h>
#include <parquet/arrow/writer.h>
#include <parquet/properties.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/arrow_init.h"
#include "stream/generators/nexmark_source.h"

namespace tidelake::bench {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

struct Options {
  std::string dir;
  int64_t events = -1;
  uint64_t seed = 0;
  double rate = 10'000'000;
  int64_t events_per_file = 1'000'000;
  int64_t base_time_ms = 1'735'689'600'000;  // 2025-01-01 00:00:00 UTC
  int64_t row_group_rows = 256 * 1024;
};

arrow::Result<Options> ParseOptions(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; i += 2) {
    std::string key = argv[i];
    if (key.rfind("--", 0) != 0 || i + 1 >= argc) {
      return arrow::Status::Invalid("expected --flag value pairs, got '", key, "'");
    }
    std::string value = argv[i + 1];
    try {
      size_t used = 0;
      if (key == "--dir") {
        options.dir = value;
        used = value.size();
      } else if (key == "--events") {
        options.events = std::stoll(value, &used);
      } else if (key == "--seed") {
        options.seed = std::stoull(value, &used);
      } else if (key == "--rate") {
        options.rate = std::stod(value, &used);
      } else if (key == "--events-per-file") {
        options.events_per_file = std::stoll(value, &used);
      } else if (key == "--base-time-ms") {
        options.base_time_ms = std::stoll(value, &used);
      } else if (key == "--row-group-rows") {
        options.row_group_rows = std::stoll(value, &used);
      } else {
        return arrow::Status::Invalid("unknown flag ", key);
      }
      if (used != value.size()) throw std::invalid_argument(value);
    } catch (const std::exception&) {
      return arrow::Status::Invalid(key, " takes a number, not '", value, "'");
    }
  }
  if (options.dir.empty()) return arrow::Status::Invalid("missing --dir");
  if (options.events < 0) return arrow::Status::Invalid("missing --events (a count >= 0)");
  if (options.events_per_file <= 0 || options.row_group_rows <= 0 || !(options.rate > 0)) {
    return arrow::Status::Invalid(
        "--events-per-file, --row-group-rows and --rate must be positive");
  }
  return options;
}

// Writes events [first, first + count) to `path`; returns the rows per event_type.
arrow::Result<std::map<int32_t, int64_t>> WriteFile(stream::NexmarkSource& source,
                                                    const std::string& initial,
                                                    const Options& options, int64_t first,
                                                    int64_t count, const fs::path& path) {
  ARROW_ASSIGN_OR_RAISE(auto begin, source.OffsetAt(initial, first));
  ARROW_ASSIGN_OR_RAISE(auto end, source.OffsetAt(initial, first + count));
  ARROW_ASSIGN_OR_RAISE(auto table, source.Read(begin, end));
  if (table->num_rows() != count) {
    return arrow::Status::Invalid("the generator returned ", table->num_rows(), " rows for ", count,
                                  " events");
  }
  std::map<int32_t, int64_t> kinds;
  for (const auto& chunk : table->GetColumnByName("event_type")->chunks()) {
    const auto& types = static_cast<const arrow::Int32Array&>(*chunk);
    for (int64_t i = 0; i < types.length(); ++i) ++kinds[types.Value(i)];
  }

  fs::path tmp = path.parent_path() / ("_" + path.filename().string() + ".tmp");
  ARROW_ASSIGN_OR_RAISE(auto sink, arrow::io::FileOutputStream::Open(tmp.string()));
  auto properties = parquet::WriterProperties::Builder()
                        .compression(parquet::Compression::SNAPPY)
                        ->max_row_group_length(options.row_group_rows)
                        ->build();
  auto arrow_properties =
      parquet::ArrowWriterProperties::Builder().enable_deprecated_int96_timestamps()->build();
  ARROW_RETURN_NOT_OK(parquet::arrow::WriteTable(*table, arrow::default_memory_pool(), sink,
                                                 options.row_group_rows, properties,
                                                 arrow_properties));
  ARROW_RETURN_NOT_OK(sink->Close());
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec)
    return arrow::Status::IOError("renaming ", tmp.string(), " to ", path.string(), ": ",
                                  ec.message());
  return kinds;
}

arrow::Result<Json> Run(int argc, char** argv) {
  ARROW_RETURN_NOT_OK(EnsureArrowInitialized());
  ARROW_ASSIGN_OR_RAISE(auto options, ParseOptions(argc, argv));

  stream::NexmarkOptions nexmark;
  nexmark.table = stream::NexmarkTable::kEvents;
  nexmark.generator.seed = options.seed;
  nexmark.generator.events_per_second = options.rate;
  nexmark.generator.event_count = options.events;
  nexmark.generator.rate_limited = false;
  nexmark.generator.base_time_ms = options.base_time_ms;
  ARROW_ASSIGN_OR_RAISE(auto source, stream::NexmarkSource::Make("nexmark", nexmark));
  ARROW_ASSIGN_OR_RAISE(auto initial, source->InitialOffset());

  std::error_code ec;
  fs::create_directories(options.dir, ec);
  if (ec) return arrow::Status::IOError("creating ", options.dir, ": ", ec.message());
  // A previous run's files would be read as events too.
  for (const auto& entry : fs::directory_iterator(options.dir)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("events-", 0) == 0 || name.rfind("_events-", 0) == 0 ||
        name == "_nexmark.json") {
      fs::remove(entry.path());
    }
  }

  const auto start = std::chrono::steady_clock::now();
  const int64_t files = (options.events + options.events_per_file - 1) / options.events_per_file;
  const int width =
      std::max<int>(5, static_cast<int>(std::to_string(std::max<int64_t>(files - 1, 0)).size()));
  std::map<int32_t, int64_t> kinds;
  Json file_list = Json::array();
  int64_t bytes = 0;
  for (int64_t k = 0; k < files; ++k) {
    const int64_t first = k * options.events_per_file;
    const int64_t count = std::min(options.events_per_file, options.events - first);
    std::string number = std::to_string(k);
    number.insert(0, width - number.size(), '0');
    const fs::path path = fs::path(options.dir) / ("events-" + number + ".parquet");
    ARROW_ASSIGN_OR_RAISE(auto file_kinds,
                          WriteFile(*source, initial, options, first, count, path));
    for (auto [kind, n] : file_kinds) kinds[kind] += n;
    const auto size = static_cast<int64_t>(fs::file_size(path));
    bytes += size;
    file_list.push_back(
        Json{{"name", path.filename().string()}, {"events", count}, {"bytes", size}});
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  Json manifest{{"generator", "tidelake NexmarkSource (kEvents)"},
                {"events", options.events},
                {"seed", options.seed},
                {"events_per_second", options.rate},
                {"events_per_file", options.events_per_file},
                {"base_time_ms", options.base_time_ms},
                {"row_group_rows", options.row_group_rows},
                {"persons", kinds[0]},
                {"auctions", kinds[1]},
                {"bids", kinds[2]},
                {"bytes", bytes},
                {"files", file_list},
                {"seconds", seconds}};
  const fs::path manifest_path = fs::path(options.dir) / "_nexmark.json";
  std::ofstream out(manifest_path);
  out << manifest.dump(2) << "\n";
  out.close();
  if (!out) return arrow::Status::IOError("writing ", manifest_path.string());
  return manifest;
}

}  // namespace
}  // namespace tidelake::bench

int main(int argc, char** argv) {
  auto result = tidelake::bench::Run(argc, argv);
  if (!result.ok()) {
    std::cerr << "nexmark_data: " << result.status().ToString() << std::endl;
    return 1;
  }
  nlohmann::ordered_json line = *result;
  line.erase("files");
  std::cout << line.dump() << std::endl;
  return 0;
}
