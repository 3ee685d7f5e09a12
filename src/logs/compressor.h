// SPDX-License-Identifier: MIT
// logs::Compressor: gzips rotated log files and prunes old ones on one worker thread, so
// the event loop never spends time in zlib. The thread starts on the first job and sleeps
// on a condition variable while idle (no periodic wakeups).
// Thread rule: Enqueue()/WaitIdle() from any thread; job callbacks run on the worker.
// Owned by the daemon; must outlive every LogFile that uses it.
#pragma once

#include <condition_variable>
#include <deque>
#include <filesystem>
#include <functional>
#include <mutex>
#include <thread>

#include "base/status.h"

namespace vigil::logs {

class Compressor {
 public:
  struct Job {
    std::filesystem::path file;     // a rotated file, gzipped to file + ".gz"
    std::filesystem::path current;  // its stream's current file, to prune siblings
    int keep = 0;                   // rotated files to keep after this job
    // Called on the worker thread with the first failure (or OK) of the job.
    std::function<void(const base::Status&)> done;
  };

  Compressor() = default;
  // Finishes the queued jobs (their files are already complete on disk; compressing them
  // is bounded work), then joins the worker.
  ~Compressor();
  Compressor(const Compressor&) = delete;
  Compressor& operator=(const Compressor&) = delete;

  // Queues `job`. If `job.file` is no longer among the newest `keep` rotated files when
  // its turn comes, it is deleted instead of compressed.
  void Enqueue(Job job);
  // Blocks until every queued job has finished. For tests and orderly shutdown.
  void WaitIdle();

 private:
  void Run();
  static base::Status Execute(const Job& job);

  std::mutex mu_;
  std::condition_variable work_cv_;
  std::condition_variable idle_cv_;
  std::deque<Job> jobs_;   // guarded by mu_
  bool busy_ = false;      // guarded by mu_: a job is executing
  bool stopping_ = false;  // guarded by mu_
  std::thread worker_;     // started by the first Enqueue()
};

// Writes a gzip copy of `from` to `to` through `to` + ".tmp", fsyncs it and renames it
// into place, so `to` is either absent or complete. Does not delete `from`.
base::Status GzipFile(const std::filesystem::path& from, const std::filesystem::path& to);

}  // namespace vigil::logs
