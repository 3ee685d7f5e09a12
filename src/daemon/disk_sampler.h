// SPDX-License-Identifier: MIT
// DiskSampler: measures filesystems with statvfs on threads of their own, so a hung mount
// (a dead NFS server) never stalls the loop. A filesystem that does not answer within the
// timeout is reported as not answering, and is not asked again until its stuck call has
// returned: one hung mount costs one blocked thread, however often vigil top asks.
// Thread rule: loop thread only; the stat calls run on short-lived threads.
#pragma once

#include <functional>
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

 private:
  struct Batch;
  // What the stat threads share with the loop; `loop` is cleared when the sampler goes,
  // so a call that returns after vigild's teardown posts nothing.
  struct Link;

  void Answered(const std::shared_ptr<Batch>& batch, size_t index, const std::string& mount_point,
                base::Result<metrics::FsStat> stat);
  static void Finish(Batch& batch);

  event::Loop& loop_;
  event::Clock& clock_;
  StatFn stat_;
  base::Duration timeout_;
  std::shared_ptr<Link> link_;
  std::set<std::string> stuck_;  // mount points whose call has not returned yet
};

}  // namespace vigil::daemon
