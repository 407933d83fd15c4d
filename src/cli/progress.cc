#include "cli/progress.h"

#include <unistd.h>

#include <cstdio>

namespace tidelake::cli {

ProgressReader::ProgressReader(std::shared_ptr<arrow::RecordBatchReader> inner, std::string label, int64_t total_rows)
    : inner_(std::move(inner)),
      label_(std::move(label)),
      total_rows_(total_rows),
      enabled_(::isatty(STDERR_FILENO) == 1),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

ProgressReader::~ProgressReader() {
  if (drawn_) std::fputs("\n", stderr);
}

arrow::Status ProgressReader::ReadNext(std::shared_ptr<arrow::RecordBatch>* batch) {
  ARROW_RETURN_NOT_OK(inner_->ReadNext(batch));
  if (*batch) rows_ += (*batch)->num_rows();
  if (enabled_) Draw(*batch == nullptr);
  return arrow::Status::OK();
}

void ProgressReader::Draw(bool final) {
  auto now = std::chrono::steady_clock::now();
  if (now - start_ < std::chrono::seconds(1)) return;
  if (!final && now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  double seconds = std::chrono::duration<double>(now - start_).count();
  if (total_rows_ > 0) {
    std::fprintf(stderr, "\r%s: %lld / %lld rows (%d%%), %.0f rows/s   ", label_.c_str(),
                 static_cast<long long>(rows_), static_cast<long long>(total_rows_),
                 static_cast<int>(100 * rows_ / total_rows_), rows_ / seconds);
  } else {
    std::fprintf(stderr, "\r%s: %lld rows, %.0f rows/s   ", label_.c_str(), static_cast<long long>(rows_),
                 rows_ / seconds);
  }
  std::fflush(stderr);
  drawn_ = true;
}

}  // namespace tidelake::cli
