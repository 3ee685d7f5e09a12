// SPDX-License-Identifier: MIT
// Filesystem figures measured off the loop thread, with a timeout (see disk_sampler.h).
#include "daemon/disk_sampler.h"

#include <sys/statvfs.h>

#include <cerrno>
#include <condition_variable>
#include <mutex>
#include <thread>

#include <fmt/format.h>

namespace vigil::daemon {

struct DiskSampler::Link {
  std::mutex mu;
  event::Loop* loop = nullptr;
  DiskSampler* sampler = nullptr;  // read and cleared on the loop thread only
};

struct DiskSampler::Worker {
  std::mutex mu;
  std::condition_variable cv;
  std::function<void()> job;  // at most one: a mount point in `stuck_` is never asked again
  bool stopping = false;      // the sampler is gone
  bool ended = false;         // the thread left (idle too long, or stopping)
};

struct DiskSampler::Batch {
  std::vector<api::DiskUsage> disks;
  std::vector<bool> answered;
  size_t pending = 0;
  bool finished = false;
  DoneFn done;
  event::HandlePtr timer;
};

DiskSampler::DiskSampler(event::Loop& loop, event::Clock& clock, StatFn stat, base::Duration timeout)
    : loop_(loop), clock_(clock), stat_(std::move(stat)), timeout_(timeout), link_(std::make_shared<Link>()) {
  link_->loop = &loop_;
  link_->sampler = this;
}

DiskSampler::~DiskSampler() {
  {
    std::lock_guard lock(link_->mu);
    link_->loop = nullptr;
    link_->sampler = nullptr;
  }
  // The threads are detached: an idle one leaves now, a hung one when its call returns.
  for (auto& [mount_point, worker] : workers_) {
    std::lock_guard lock(worker->mu);
    worker->stopping = true;
    worker->cv.notify_one();
  }
}

void DiskSampler::RunOn(const std::string& mount_point, std::function<void()> job) {
  std::shared_ptr<Worker>& worker = workers_[mount_point];
  if (worker) {
    std::lock_guard lock(worker->mu);
    if (!worker->ended) {
      worker->job = std::move(job);
      worker->cv.notify_one();
      return;
    }
  }
  worker = std::make_shared<Worker>();
  worker->job = std::move(job);
  ++threads_started_;
  std::thread([worker] {
    std::unique_lock lock(worker->mu);
    for (;;) {
      // Waits for a question without waking in between; ends after kIdleThreadLife idle.
      if (!worker->cv.wait_for(lock, kIdleThreadLife, [&] { return worker->job || worker->stopping; }) ||
          worker->stopping) {
        worker->ended = true;
        return;
      }
      std::function<void()> job = std::move(worker->job);
      worker->job = nullptr;
      lock.unlock();
      job();
      lock.lock();
    }
  }).detach();
}

base::Result<metrics::FsStat> DiskSampler::StatVfs(const std::string& mount_point) {
  struct statvfs s {};
  if (::statvfs(mount_point.c_str(), &s) != 0) return base::ErrnoStatus(mount_point, errno);
  return metrics::FsStatFrom(s);
}

void DiskSampler::Sample(const std::vector<metrics::Mount>& mounts, DoneFn done) {
  auto batch = std::make_shared<Batch>();
  batch->done = std::move(done);
  batch->disks.resize(mounts.size());
  batch->answered.assign(mounts.size(), false);
  for (size_t i = 0; i < mounts.size(); ++i) {
    api::DiskUsage& disk = batch->disks[i];
    disk.mount_point = mounts[i].mount_point;
    disk.fs_type = mounts[i].fs_type;
    if (!stuck_.insert(disk.mount_point).second) {
      disk.error = "not answering (an earlier measurement has not returned)";
      batch->answered[i] = true;
      continue;
    }
    ++batch->pending;
    RunOn(disk.mount_point, [link = link_, stat = stat_, batch, i, mount_point = disk.mount_point] {
      base::Result<metrics::FsStat> result = stat(mount_point);
      std::lock_guard lock(link->mu);
      if (link->loop == nullptr) return;  // vigild is going away
      link->loop->Post([link, batch, i, mount_point, result = std::move(result)]() mutable {
        if (link->sampler != nullptr) link->sampler->Answered(batch, i, mount_point, std::move(result));
      });
    });
  }
  if (batch->pending == 0) {
    // Nothing to wait for; still answer on a later turn, as always.
    loop_.Post([batch] { Finish(*batch); });
    return;
  }
  std::weak_ptr<Batch> weak = batch;
  batch->timer = clock_.AddTimer(timeout_, [weak, timeout = timeout_] {
    auto b = weak.lock();
    if (!b || b->finished) return;
    for (size_t i = 0; i < b->disks.size(); ++i) {
      if (!b->answered[i]) {
        b->disks[i].error = fmt::format("not answering after {} ms", timeout.count());
      }
    }
    Finish(*b);
  });
}

void DiskSampler::Answered(const std::shared_ptr<Batch>& batch, size_t index, const std::string& mount_point,
                           base::Result<metrics::FsStat> stat) {
  stuck_.erase(mount_point);
  if (batch->finished) return;  // too late for this question; the next one asks again
  api::DiskUsage& disk = batch->disks[index];
  batch->answered[index] = true;
  if (stat) {
    const metrics::FsUsage usage = metrics::UsageOf(*stat);
    disk.total_bytes = usage.total_bytes;
    disk.available_bytes = usage.available_bytes;
    disk.used_percent = usage.used_percent;
    disk.inodes_used_percent = usage.inodes_used_percent;
  } else {
    disk.error = stat.error().message();
  }
  if (--batch->pending == 0) Finish(*batch);
}

void DiskSampler::Finish(Batch& batch) {
  if (batch.finished) return;
  batch.finished = true;
  batch.timer.reset();
  DoneFn done = std::move(batch.done);
  done(std::move(batch.disks));
}

}  // namespace vigil::daemon
