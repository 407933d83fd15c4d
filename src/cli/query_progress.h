// The shell's progress line for statements that run longer than a second: a background
// thread redraws "running 3.4 s, 1,234,567 rows" on stderr until the statement's rows have
// been read, then erases the line so results print cleanly. Disabled (no thread, no output)
// unless stderr is a terminal, so scripts and logs stay clean.
#pragma once

#include <arrow/record_batch.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

namespace tidelake::cli {

class QueryProgress {
 public:
  /// Starts timing now; with `enabled`, draws once a second has passed.
  explicit QueryProgress(bool enabled);
  ~QueryProgress();
  QueryProgress(const QueryProgress&) = delete;
  QueryProgress& operator=(const QueryProgress&) = delete;

  /// Wraps a statement's rows: they are counted, and the line goes away at their end.
  /// The wrapper must not outlive this object.
  std::shared_ptr<arrow::RecordBatchReader> Track(std::shared_ptr<arrow::RecordBatchReader> rows);

  /// Stops the line and erases it (idempotent).
  void Stop();

  /// "running 3.4 s, 1,234,567 rows" — the text drawn after `elapsed` with `rows` read.
  static std::string Describe(std::chrono::steady_clock::duration elapsed, int64_t rows);

 private:
  void Run();

  std::chrono::steady_clock::time_point start_;
  std::atomic<int64_t> rows_{0};
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopped_ = false;
  bool drawn_ = false;
  std::thread thread_;
};

}  // namespace tidelake::cli
