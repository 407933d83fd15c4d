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

  /// Session settings (SET key = value); keys compare case-insensitively.
  void Set(const std::string& key, const std::string& value);
  std::optional<std::string> Get(const std::string& key) const;

 private:
  class Impl;
  explicit Session(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace tidelake
