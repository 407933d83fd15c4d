#include "delta/background_housekeeping.h"

#include "common/error.h"
#include "delta/transaction.h"

namespace tidelake::delta {

BackgroundHousekeeping& BackgroundHousekeeping::Instance() {
  static BackgroundHousekeeping instance;
  return instance;
}

void BackgroundHousekeeping::Schedule(const TableLocation& location, int64_t version) {
  std::lock_guard lock(mutex_);
  auto [it, inserted] = newest_.try_emplace(location.root, location, version);
  if (inserted) {
    order_.push_back(location.root);
  } else if (version > it->second.second) {
    it->second = {location, version};
  }
  if (!worker_.joinable()) worker_ = std::thread([this] { Work(); });
  changed_.notify_all();
}

void BackgroundHousekeeping::Drain() {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [this] { return order_.empty() && !running_; });
}

void BackgroundHousekeeping::Work() {
  std::unique_lock lock(mutex_);
  while (true) {
    changed_.wait(lock, [this] { return stopping_ || !order_.empty(); });
    if (order_.empty()) return;  // stopping, with nothing left to do
    const std::string root = order_.front();
    order_.pop_front();
    auto [location, version] = newest_.at(root);
    newest_.erase(root);
    running_ = true;
    lock.unlock();
    IgnoreError(PostCommitHousekeeping(location, version));
    lock.lock();
    running_ = false;
    changed_.notify_all();
  }
}

BackgroundHousekeeping::~BackgroundHousekeeping() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    changed_.notify_all();
  }
  if (worker_.joinable()) worker_.join();
}

}  // namespace tidelake::delta
