// SPDX-License-Identifier: MIT
// DiskSampler: measures filesystems with statvfs on threads of their own, so a hung mount
// (a dead NFS server) never stalls the loop. A filesystem that does not answer within the
// timeout is reported as not answering, and is not asked again until its stuck call has
// returned: one hung mount costs one blocked thread, however often vigil top asks.
//
// Each mount point has a thread of its own that waits for the next question (a disk check
// every few seconds creates no thread, and so no pid, per round: GroupSampler skips its
// /proc listing while no pid is handed out). A thread left without a question for
// kIdleThreadLife ends, so mount points that came and went cost nothing for long.
// Thread rule: loop thread only; the stat calls run on the mount points' threads.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "api/health_controller.h"
#include "event/clock.h"
#include "event/loop.h"
#include "metrics/fs_usage.h"
#include "metrics/mounts.h"

namespace vigil::daemon {

class DiskSampler {
 public:
  // statvfs of a mount point; a fake in tests (one that never returns, for a hung mount).
  using StatFn = std::function<base::Result<metrics::FsStat>(const std::string& mount_point)>;
  using DoneFn = std::function<void(std::vector<api::DiskUsage>)>;

  DiskSampler(event::Loop& loop, event::Clock& clock, StatFn stat, base::Duration timeout);
  ~DiskSampler();
  DiskSampler(const DiskSampler&) = delete;
  DiskSampler& operator=(const DiskSampler&) = delete;

  // Measures `mounts` and calls `done` once, in their order, from a later loop turn.
  void Sample(const std::vector<metrics::Mount>& mounts, DoneFn done);

  // The real statvfs(3).
  static base::Result<metrics::FsStat> StatVfs(const std::string& mount_point);

  static constexpr base::Duration kIdleThreadLife = std::chrono::minutes(10);
  // The mount points' threads started so far (a thread ended by idleness is started anew).
  uint64_t threads_started() const { return threads_started_; }

 private:
  struct Batch;
  // What the stat threads share with the loop; `loop` is cleared when the sampler goes,
  // so a call that returns after vigild's teardown posts nothing.
  struct Link;
  // A mount point's thread and its one question at a time (shared with the thread).
  struct Worker;
  // Runs `job` on the thread of `mount_point`, starting one if it has none (or it ended).
  void RunOn(const std::string& mount_point, std::function<void()> job);

  void Answered(const std::shared_ptr<Batch>& batch, size_t index, const std::string& mount_point,
                base::Result<metrics::FsStat> stat);
  static void Finish(Batch& batch);

  event::Loop& loop_;
  event::Clock& clock_;
  StatFn stat_;
  base::Duration timeout_;
  std::shared_ptr<Link> link_;
  std::set<std::string> stuck_;  // mount points whose call has not returned yet
  std::map<std::string, std::shared_ptr<Worker>> workers_;  // by mount point
  uint64_t threads_started_ = 0;
};

}  // namespace vigil::daemon
