// A progress line for long-running loads on a terminal: wraps a RecordBatchReader and, once
// the work has taken more than a second, redraws "loading raw.t: 1,234,567 / 10,000,000 rows
// (12%)" on stderr. Nothing is printed when stderr is not a terminal, so scripts and logs stay
// clean.
#pragma once

#include <arrow/record_batch.h>

#include <chrono>
#include <memory>
#include <string>

namespace tidelake::cli {

class ProgressReader : public arrow::RecordBatchReader {
 public:
  ProgressReader(std::shared_ptr<arrow::RecordBatchReader> inner, std::string label, int64_t total_rows);
  ~ProgressReader() override;

  std::shared_ptr<arrow::Schema> schema() const override { return inner_->schema(); }
  arrow::Status ReadNext(std::shared_ptr<arrow::RecordBatch>* batch) override;

 private:
  void Draw(bool final);

  std::shared_ptr<arrow::RecordBatchReader> inner_;
  std::string label_;
  int64_t total_rows_;
  int64_t rows_ = 0;
  bool enabled_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
};

}  // namespace tidelake::cli
