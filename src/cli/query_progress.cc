#include "cli/query_progress.h"

#include <cstdio>
#include <string>

namespace tidelake::cli {

namespace {

constexpr auto kQuietPeriod = std::chrono::seconds(1);
constexpr auto kRedrawEvery = std::chrono::milliseconds(200);

std::string WithThousands(int64_t n) {
  std::string digits = std::to_string(n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

class CountingReader : public arrow::RecordBatchReader {
 public:
  CountingReader(std::shared_ptr<arrow::RecordBatchReader> inner, QueryProgress* progress,
                 std::atomic<int64_t>* rows)
      : inner_(std::move(inner)), progress_(progress), rows_(rows) {}

  std::shared_ptr<arrow::Schema> schema() const override { return inner_->schema(); }

  arrow::Status ReadNext(std::shared_ptr<arrow::RecordBatch>* batch) override {
    auto status = inner_->ReadNext(batch);
    if (!status.ok() || *batch == nullptr) {
      progress_->Stop();
    } else {
      rows_->fetch_add((*batch)->num_rows());
    }
    return status;
  }

  arrow::Status Close() override { return inner_->Close(); }

 private:
  std::shared_ptr<arrow::RecordBatchReader> inner_;
  QueryProgress* progress_;
  std::atomic<int64_t>* rows_;
};

}  // namespace

QueryProgress::QueryProgress(bool enabled) : start_(std::chrono::steady_clock::now()) {
  if (enabled) thread_ = std::thread([this] { Run(); });
}

QueryProgress::~QueryProgress() { Stop(); }

std::shared_ptr<arrow::RecordBatchReader> QueryProgress::Track(std::shared_ptr<arrow::RecordBatchReader> rows) {
  return std::make_shared<CountingReader>(std::move(rows), this, &rows_);
}

void QueryProgress::Stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopped_) return;
    stopped_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::string QueryProgress::Describe(std::chrono::steady_clock::duration elapsed, int64_t rows) {
  char seconds[32];
  std::snprintf(seconds, sizeof(seconds), "%.1f", std::chrono::duration<double>(elapsed).count());
  std::string text = std::string("running ") + seconds + " s";
  if (rows > 0) text += ", " + WithThousands(rows) + (rows == 1 ? " row" : " rows");
  return text;
}

void QueryProgress::Run() {
  std::unique_lock<std::mutex> lock(mutex_);
  if (wake_.wait_until(lock, start_ + kQuietPeriod, [this] { return stopped_; })) return;
  while (!stopped_) {
    std::string line = Describe(std::chrono::steady_clock::now() - start_, rows_.load());
    std::fprintf(stderr, "\r\033[K%s", line.c_str());
    std::fflush(stderr);
    drawn_ = true;
    wake_.wait_for(lock, kRedrawEvery, [this] { return stopped_; });
  }
  if (drawn_) {
    std::fputs("\r\033[K", stderr);
    std::fflush(stderr);
  }
}

}  // namespace tidelake::cli
