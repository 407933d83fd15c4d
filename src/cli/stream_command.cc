#include "cli/stream_command.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <limits>
#include <fstream>
#include <map>
#include <iostream>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "catalog/lake.h"
#include "cli/sql_shell.h"
#include "common/strings.h"
#include "io/arrow_json.h"
#include "sql/parser.h"
#include "sql/table_references.h"
#include "tidelake/session.h"

namespace tidelake::cli {

namespace {

std::atomic<bool> g_stop{false};

void RequestStop(int) { g_stop = true; }

arrow::Result<std::string> ReadWholeFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return arrow::Status::IOError("cannot read '", path, "'");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// "500ms", "2s", "1m", or a bare number of milliseconds.
arrow::Result<int64_t> ParseInterval(const std::string& text) {
  size_t digits = 0;
  while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) ++digits;
  const std::string unit = text.substr(digits);
  if (digits == 0 || digits > 9 || !(unit.empty() || unit == "ms" || unit == "s" || unit == "m")) {
    return arrow::Status::Invalid("interval '", text, "': expected a number with ms, s or m (e.g. 500ms, 2s)");
  }
  const int64_t n = std::stoll(text.substr(0, digits));
  return unit == "s" ? n * 1000 : unit == "m" ? n * 60000 : n;
}

// The streaming tables a script creates, refreshes or streams into, as zone.table (USE sets
// the zone of unqualified names, else they are in the default zone, as in the session). An
// INSERT streams into its table when its query reads STREAM(...) or a source (one the script
// declares, or one of the lake's), directly or through views: the script runs in streaming
// runtime mode, as Flink's does. The table may be a connector table (Flink's blackhole).
arrow::Result<std::vector<std::string>> StreamingTablesOf(const std::string& script, const std::string& source,
                                                          const catalog::Lake& lake) {
  auto statements = sql::ParseScript(script);
  if (!statements.ok()) return arrow::Status::Invalid(source, ": ", statements.status().message());
  std::vector<std::string> tables;
  std::set<std::string> declared_sources;
  std::string zone = "curated";  // the session's zone for names created without one
  auto qualified = [&](const sql::ObjectName& name) {
    std::string out = name.parts.size() == 1 ? zone + "." : "";
    for (size_t i = 0; i < name.parts.size(); ++i) out += (i ? "." : "") + name.parts[i];
    return Lower(out);
  };
  std::map<std::string, bool> declared_views;  // zone.view -> whether it reads a stream
  // Whether reading `name` reads a stream: a source, or a view over one (NEXMark's `bid` over
  // `events`), declared by the script or in the lake.
  std::function<arrow::Result<bool>(const sql::Query&, int)> query_streams;
  auto streams_from = [&](const sql::ObjectName& name, int depth) -> arrow::Result<bool> {
    const std::string full = qualified(name);
    if (declared_sources.count(full)) return true;
    if (auto it = declared_views.find(full); it != declared_views.end()) return it->second;
    auto parsed = catalog::TableName::Parse(full);
    if (!parsed.ok()) return false;  // not a lake name: the session reports it
    ARROW_ASSIGN_OR_RAISE(auto found, lake.FindSource(*parsed));
    if (found) return true;
    ARROW_ASSIGN_OR_RAISE(auto view, lake.FindView(*parsed));
    if (!view || depth >= 16) return false;  // views nested deeper than that: the session decides
    auto statement = sql::ParseStatement(view->sql);
    if (!statement.ok() || (*statement)->kind != sql::StatementKind::kQuery) return false;
    return query_streams(*(*statement)->As<sql::QueryStatement>().query, depth + 1);
  };
  query_streams = [&](const sql::Query& query, int depth) -> arrow::Result<bool> {
    for (const auto* read : sql::FromTables(query)) {
      if (read->streaming) return true;
      ARROW_ASSIGN_OR_RAISE(bool streams, streams_from(read->name, depth));
      if (streams) return true;
    }
    return false;
  };
  for (const auto& parsed : *statements) {
    const sql::Statement& statement = *parsed.statement;
    std::optional<std::string> table;
    if (statement.kind == sql::StatementKind::kUse) {
      zone = qualified(statement.As<sql::UseStatement>().name);
    } else if (statement.kind == sql::StatementKind::kCreateSource) {
      declared_sources.insert(qualified(statement.As<sql::CreateSourceStatement>().name));
    } else if (statement.kind == sql::StatementKind::kCreateView) {
      const auto& view = statement.As<sql::CreateViewStatement>();
      ARROW_ASSIGN_OR_RAISE(declared_views[qualified(view.name)], query_streams(*view.query, 0));
    } else if (statement.kind == sql::StatementKind::kCreateTable &&
               statement.As<sql::CreateTableStatement>().streaming) {
      table = qualified(statement.As<sql::CreateTableStatement>().name);
    } else if (statement.kind == sql::StatementKind::kRefresh) {
      table = qualified(statement.As<sql::RefreshStatement>().table);
    } else if (statement.kind == sql::StatementKind::kQuery) {  // SELECT ... INTO output (Stream Analytics)
      if (const sql::ObjectName* into = statement.As<sql::QueryStatement>().query->Into()) table = qualified(*into);
    } else if (statement.kind == sql::StatementKind::kInsert) {
      const auto& insert = statement.As<sql::InsertStatement>();
      ARROW_ASSIGN_OR_RAISE(bool streams, query_streams(*insert.query, 0));
      if (streams) table = qualified(insert.table);
    }
    if (table && std::find(tables.begin(), tables.end(), *table) == tables.end()) tables.push_back(*table);
  }
  if (tables.empty()) {
    return arrow::Status::Invalid(source, " creates or refreshes no streaming table (CREATE STREAMING TABLE t AS ..., "
                                          "or INSERT INTO t SELECT ... FROM STREAM(...))");
  }
  return tables;
}

std::string PidPath(const catalog::Lake& lake, const catalog::TableName& name) {
  return lake.CheckpointDir(name) + "/run.pid";
}

// The pid of the live process running `name`, if any.
std::optional<pid_t> RunningPid(const catalog::Lake& lake, const catalog::TableName& name) {
  std::ifstream in(PidPath(lake, name));
  long pid = 0;
  if (!(in >> pid) || pid <= 0) return std::nullopt;
  if (::kill(static_cast<pid_t>(pid), 0) != 0) return std::nullopt;  // a stale file
  return static_cast<pid_t>(pid);
}

// The last `n` lines of a table's progress log.
std::vector<std::string> LastProgress(const catalog::Lake& lake, const catalog::TableName& name, size_t n) {
  std::ifstream in(lake.CheckpointDir(name) + "/progress");
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    lines.push_back(line);
    if (lines.size() > n) lines.erase(lines.begin());
  }
  return lines;
}

struct TableStatus {
  std::string name;
  int64_t batches = 0;
  int64_t input_rows = 0;
  int64_t output_rows = 0;
  int64_t last_batch_ms = 0;
  double input_rate = 0;      ///< rows/s read by the last batch, over the time since the one before
  double processed_rate = 0;  ///< rows/s the last batch processed while it ran
  std::chrono::steady_clock::time_point last_batch_at;
  std::optional<int64_t> watermark_us;
  int64_t state_rows = 0;
  int64_t late_rows = 0;
  arrow::Status status;
  bool done = false;
};

// A watermark as UTC time, or "end of input" once the input has ended.
std::string WatermarkText(int64_t micros) {
  if (micros == std::numeric_limits<int64_t>::max()) return "end of input";
  return io::FormatTimestampMicros(micros, /*zoned=*/true);
}

std::string StatusLine(const std::vector<TableStatus>& tables) {
  std::string line;
  for (const auto& t : tables) {
    if (!line.empty()) line += " | ";
    char rates[96];
    std::snprintf(rates, sizeof(rates), " (%.0f/s in, %.0f/s processed)", t.input_rate, t.processed_rate);
    line += t.name + ": " + std::to_string(t.batches) + " batches, " + std::to_string(t.input_rows) + " rows in" +
            rates + ", " + std::to_string(t.output_rows) + " out, last " + std::to_string(t.last_batch_ms) + " ms";
    if (t.watermark_us) line += ", watermark " + WatermarkText(*t.watermark_us);
    if (t.state_rows || t.late_rows) {
      line += ", state " + std::to_string(t.state_rows) + " rows, " + std::to_string(t.late_rows) + " late";
    }
    if (t.done) line += t.status.ok() ? " (stopped)" : " (failed)";
  }
  return line;
}

}  // namespace

arrow::Status RunStream(const StreamArgs& args) {
  StreamingRun run;
  if (args.trigger == "interval") {
    run.trigger = StreamingRun::Trigger::kProcessingTime;
    ARROW_ASSIGN_OR_RAISE(run.interval_ms, ParseInterval(args.interval));
  } else if (args.trigger == "once") {
    run.trigger = StreamingRun::Trigger::kOnce;
  } else if (args.trigger == "available-now") {
    run.trigger = StreamingRun::Trigger::kAvailableNow;
  } else {
    return arrow::Status::Invalid("--trigger must be interval, once or available-now, got '", args.trigger, "'");
  }
  if (args.end_of_input && run.trigger != StreamingRun::Trigger::kAvailableNow) {
    return arrow::Status::Invalid("--end-of-input needs --trigger available-now");
  }
  run.end_of_input = args.end_of_input;
  ARROW_ASSIGN_OR_RAISE(std::string script, ReadWholeFile(args.file));
  ARROW_ASSIGN_OR_RAISE(auto lake, catalog::Lake::Open(args.lake));
  ARROW_ASSIGN_OR_RAISE(auto names, StreamingTablesOf(script, args.file, *lake));
  std::vector<catalog::TableName> tables;
  for (const auto& n : names) {
    ARROW_ASSIGN_OR_RAISE(auto name, catalog::TableName::Parse(n));
    if (auto pid = RunningPid(*lake, name)) {
      return arrow::Status::Invalid("streaming table ", n, " is already running (pid ", *pid,
                                    "); stop it with: tidelake stream stop ", n);
    }
    tables.push_back(name);
  }

  // Running from here on (`stream stop` finds the pid files), also while the script creates
  // the tables and refreshes them once: a stop asked for then ends the run after the script.
  struct PidFiles {
    const catalog::Lake& lake;
    std::vector<catalog::TableName> written;
    ~PidFiles() {
      for (const auto& name : written) std::remove(PidPath(lake, name).c_str());
    }
  } pid_files{*lake, {}};
  for (const auto& name : tables) {
    std::error_code ignored;  // the checkpoint directory may exist already
    std::filesystem::create_directories(lake->CheckpointDir(name), ignored);
    std::ofstream pid(PidPath(*lake, name));
    pid << ::getpid() << "\n";
    if (!pid) return arrow::Status::IOError("cannot write ", PidPath(*lake, name));
    pid_files.written.push_back(name);
  }
  ::signal(SIGINT, RequestStop);
  ::signal(SIGTERM, RequestStop);
  // The script's settings the runs read (each run has a session of its own).
  std::map<std::string, std::string> run_settings;
  {
    ARROW_ASSIGN_OR_RAISE(auto session, Session::Open(args.lake));
    // Flink's setting: an INSERT from a source streams (a script may SET it back to batch).
    ARROW_RETURN_NOT_OK(session->Execute("SET execution.runtime-mode = streaming").status());
    ARROW_RETURN_NOT_OK(RunScriptOn(*session, script, args.file));
    for (const char* key : {"table.exec.source.idle-timeout", "state.backend.type", "tidelake.state.memory-budget"}) {
      if (auto value = session->Get(key)) run_settings[key] = *value;
    }
  }

  std::vector<TableStatus> statuses(tables.size());
  std::mutex mutex;
  std::condition_variable finished;  // a table's run ended
  const bool terminal = ::isatty(STDERR_FILENO) != 0;
  std::vector<std::thread> threads;
  for (size_t i = 0; i < tables.size(); ++i) {
    statuses[i].name = names[i];
    threads.emplace_back([&, i] {
      arrow::Status status;
      auto session = Session::Open(args.lake);
      if (!session.ok()) {
        status = session.status();
      } else {
        for (const auto& [key, value] : run_settings) (*session)->Set(key, value);
        status = (*session)->RunStreamingTable(
            names[i], run,
            [&](const StreamingBatch& batch) {
              std::lock_guard lock(mutex);
              auto& s = statuses[i];
              const auto now = std::chrono::steady_clock::now();
              if (s.batches > 0) {
                const double since = std::chrono::duration<double>(now - s.last_batch_at).count();
                s.input_rate = since > 0 ? static_cast<double>(batch.input_rows) / since : 0;
              }
              s.processed_rate = batch.duration_ms > 0 ? 1000.0 * static_cast<double>(batch.input_rows) /
                                                             static_cast<double>(batch.duration_ms)
                                                       : 0;
              s.last_batch_at = now;
              ++s.batches;
              s.input_rows += batch.input_rows;
              s.output_rows += batch.write_skipped ? 0 : batch.output_rows;
              s.last_batch_ms = batch.duration_ms;
              s.watermark_us = batch.watermark_us;
              s.state_rows = batch.state_rows;
              s.late_rows = batch.late_rows;
              if (!terminal) {
                std::cerr << names[i] << ": batch " << batch.batch_id << (batch.recovered ? " (recovered)" : "") << ": "
                          << batch.input_rows << " rows in, " << batch.output_rows << " out, " << batch.duration_ms
                          << " ms";
                if (batch.watermark_us) std::cerr << ", watermark " << WatermarkText(*batch.watermark_us);
                if (batch.state_rows || batch.late_rows) {
                  std::cerr << ", state " << batch.state_rows << " rows, " << batch.late_rows << " late";
                }
                std::cerr << "\n";
              }
            },
            &g_stop);
      }
      std::lock_guard lock(mutex);
      statuses[i].status = status;
      statuses[i].done = true;
      if (!status.ok()) g_stop = true;  // one failing table stops the others, as one job
      finished.notify_all();
    });
  }
  {
    // The status line is redrawn every 250 ms; the wait ends as soon as the last table is done.
    std::unique_lock lock(mutex);
    auto all_done = [&] {
      return std::all_of(statuses.begin(), statuses.end(), [](const TableStatus& s) { return s.done; });
    };
    while (!all_done()) {
      if (terminal) std::cerr << "\r\033[K" << StatusLine(statuses) << std::flush;
      finished.wait_for(lock, std::chrono::milliseconds(250));
    }
  }
  for (auto& t : threads) t.join();
  if (terminal) std::cerr << "\r\033[K" << StatusLine(statuses) << "\n";
  for (const auto& s : statuses) {
    if (!s.status.ok()) return arrow::Status(s.status.code(), s.name + ": " + s.status.message());
  }
  return arrow::Status::OK();
}

arrow::Status ListStreams(const StreamArgs& args) {
  ARROW_ASSIGN_OR_RAISE(auto lake, catalog::Lake::Open(args.lake));
  ARROW_ASSIGN_OR_RAISE(auto names, lake->ListStreamingTables());
  std::cout << "table\tbatches\tlast_batch_at\trunning\n";
  for (const auto& n : names) {
    ARROW_ASSIGN_OR_RAISE(auto name, catalog::TableName::Parse(n));
    auto last = LastProgress(*lake, name, 1);
    std::string batches = "0", at = "-";
    if (!last.empty()) {
      auto record = nlohmann::json::parse(last.back(), nullptr, /*allow_exceptions=*/false);
      if (record.is_object() && record.contains("batchId") && record.contains("timestamp")) {
        batches = std::to_string(record["batchId"].get<int64_t>() + 1);
        at = std::to_string(record["timestamp"].get<int64_t>());
      }
    }
    auto pid = RunningPid(*lake, name);
    std::cout << n << "\t" << batches << "\t" << at << "\t" << (pid ? "pid " + std::to_string(*pid) : "no") << "\n";
  }
  return arrow::Status::OK();
}

arrow::Status StreamStatus(const StreamArgs& args) {
  ARROW_ASSIGN_OR_RAISE(auto lake, catalog::Lake::Open(args.lake));
  ARROW_ASSIGN_OR_RAISE(auto name, catalog::TableName::Parse(args.table));
  ARROW_ASSIGN_OR_RAISE(auto query, lake->ReadStreamingQuery(name));
  if (!query) return arrow::Status::Invalid("'", args.table, "' is not a streaming table");
  auto pid = RunningPid(*lake, name);
  std::cout << "-- " << name.ToString() << (pid ? ": running (pid " + std::to_string(*pid) + ")" : ": not running")
            << "\n-- query: " << *query << "\n";
  for (const auto& line : LastProgress(*lake, name, static_cast<size_t>(std::max(1, args.status_lines)))) {
    std::cout << line << "\n";
  }
  return arrow::Status::OK();
}

arrow::Status StopStream(const StreamArgs& args) {
  ARROW_ASSIGN_OR_RAISE(auto lake, catalog::Lake::Open(args.lake));
  ARROW_ASSIGN_OR_RAISE(auto name, catalog::TableName::Parse(args.table));
  auto pid = RunningPid(*lake, name);
  if (!pid) return arrow::Status::Invalid("streaming table ", name.ToString(), " is not running");
  if (::kill(*pid, SIGTERM) != 0) return arrow::Status::IOError("cannot signal pid ", *pid);
  // The runner finishes the batch in progress, then removes its pid file.
  for (int i = 0; i < 600 && RunningPid(*lake, name); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  if (RunningPid(*lake, name)) return arrow::Status::IOError("pid ", *pid, " did not stop within 60 s");
  std::cout << "Stopped " << name.ToString() << " (pid " << *pid << ")\n";
  return arrow::Status::OK();
}

}  // namespace tidelake::cli
