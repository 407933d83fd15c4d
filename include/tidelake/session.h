// tidelake's public API: open a lake, run SQL on it.
//
// A Session holds what one user's connection holds in Spark: the lake it works on, the current
// zone (USE), session settings (SET key = value), and temporary views. Statements run one at a
// time; queries stream their rows (a SELECT over a large table is not materialised). Every
// error is an arrow::Status whose message says where: the SQL line:column, the table, the file.
// A Session is not thread-safe; open one per thread.
#pragma once

#include <arrow/record_batch.h>
#include <arrow/result.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace tidelake {

struct SessionOptions {
  /// Memory a query may use before it fails with a clear error (bytes).
  int64_t memory_limit_bytes = int64_t{4} << 30;
  /// Run queries on Arrow's CPU thread pool.
  bool use_threads = true;
};

/// How a streaming table's query runs (Session::RunStreamingTable).
struct StreamingRun {
  enum class Trigger {
    kProcessingTime,  ///< a batch every `interval_ms` while data arrives, until stopped
    kOnce,            ///< one batch of what is available
    kAvailableNow,    ///< everything available now, in as many batches as the limits need
  };
  Trigger trigger = Trigger::kProcessingTime;
  int64_t interval_ms = 1000;
  /// With kAvailableNow: the sources are complete, so close every open window at the end
  /// (rows arriving later for those windows will be late).
  bool end_of_input = false;
};

/// What one batch of a streaming table's query did.
struct StreamingBatch {
  int64_t batch_id = 0;
  bool recovered = false;  ///< re-run after a crash
  int64_t input_rows = 0;
  int64_t output_rows = 0;
  bool write_skipped = false;  ///< the table held the batch already
  int64_t duration_ms = 0;
  std::optional<int64_t> watermark_us;  ///< event time complete up to (windowed queries)
  int64_t state_rows = 0;               ///< rows waiting for their windows to close
  int64_t late_rows = 0;                ///< rows dropped as late, in total
};

/// What one statement produced: rows (queries, SHOW, DESCRIBE, EXPLAIN, DML metrics) or
/// nothing but a message ("Created view curated.v").
struct StatementResult {
  std::shared_ptr<arrow::RecordBatchReader> rows;  ///< null when the statement returns no rows
  std::string message;
  bool ordered = false;  ///< the rows follow an ORDER BY
};

class Session {
 public:
  /// Opens (creating if needed) the lake at `root` (a local path or a URI arrow::fs knows).
  static arrow::Result<std::unique_ptr<Session>> Open(const std::string& root, SessionOptions options = {});
  ~Session();

  /// Runs one SQL statement.
  arrow::Result<StatementResult> Execute(std::string_view sql);

  /// Runs a query and returns its rows as a stream.
  arrow::Result<std::shared_ptr<arrow::RecordBatchReader>> Query(std::string_view sql);

  /// The optimized plan of a query (or of the query part of CREATE TABLE .. AS, INSERT, DELETE,
  /// UPDATE or MERGE), as EXPLAIN prints it; `sql` may itself be an EXPLAIN [EXTENDED] statement.
  arrow::Result<std::string> Explain(std::string_view sql);

  /// Runs the streaming query of streaming table `name` (CREATE STREAMING TABLE) by `run`'s
  /// trigger, until the trigger ends or `*stop` becomes true; `on_batch` hears of each batch.
  arrow::Status RunStreamingTable(const std::string& name, const StreamingRun& run,
                                  const std::function<void(const StreamingBatch&)>& on_batch = {},
                                  const std::atomic<bool>* stop = nullptr);

  /// Session settings (SET key = value); keys compare case-insensitively.
  void Set(const std::string& key, const std::string& value);
  std::optional<std::string> Get(const std::string& key) const;

 private:
  class Impl;
  explicit Session(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace tidelake
