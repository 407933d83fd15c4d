// Post-commit housekeeping (a due checkpoint, then expired-log cleanup: PostCommitHousekeeping)
// run off the committing thread, for writers whose commits are on a latency path: a streaming
// query's sink commits every trigger, and a checkpoint of a large table would stall that
// trigger's batch.
//
// One worker thread per process serves every table. Per table only the newest version asked for
// is kept (a checkpoint of a newer version makes an older one useless); tables are served in the
// order they were first asked for. A checkpoint is published atomically (checkpoint_writer.h),
// so readers and committers of the table never see a part of one. Failures never affect a
// commit, which is durable already: the next due checkpoint is tried as usual.
//
// Drain() waits until nothing is queued or running. The worker finishes its queue before the
// process exits normally; a process killed meanwhile only loses checkpoints, never data.
// Thread-safe.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "delta/snapshot.h"

namespace tidelake::delta {

class BackgroundHousekeeping {
 public:
  static BackgroundHousekeeping& Instance();

  /// Asks for PostCommitHousekeeping(location, version).
  void Schedule(const TableLocation& location, int64_t version);
  /// Returns once every scheduled housekeeping has run.
  void Drain();

  ~BackgroundHousekeeping();

 private:
  BackgroundHousekeeping() = default;
  void Work();

  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::string> order_;                                   // table roots waiting
  std::map<std::string, std::pair<TableLocation, int64_t>> newest_;  // by root: newest version asked
  bool running_ = false;  // the worker is running one table's housekeeping
  bool stopping_ = false;
  std::thread worker_;
};

}  // namespace tidelake::delta
