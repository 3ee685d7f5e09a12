// SPDX-License-Identifier: MIT
// LinuxLauncher: Spawn + kill(2) + the ChildReaper, with group watches checked after each
// reap batch.
#include <csignal>
#include <vector>

#include "process/launcher.h"

namespace vigil::process {

struct LinuxLauncher::GroupWatch {
  pid_t pgid;
  std::function<void()> fn;
};

class LinuxLauncher::GroupWatchHandle final : public event::Handle {
 public:
  GroupWatchHandle(LinuxLauncher& launcher, uint64_t id, std::weak_ptr<char> alive)
      : launcher_(launcher), id_(id), alive_(std::move(alive)) {}
  ~GroupWatchHandle() override {
    if (!alive_.expired()) launcher_.group_watches_.erase(id_);
  }

 private:
  LinuxLauncher& launcher_;
  uint64_t id_;
  std::weak_ptr<char> alive_;
};

LinuxLauncher::LinuxLauncher(event::Loop& loop) : loop_(loop), reaper_(loop) {
  reaper_.SetAfterReap([this] { CheckGroups(); });
}

LinuxLauncher::~LinuxLauncher() = default;

base::Result<Launched> LinuxLauncher::Launch(const SpawnRequest& request, ExitFn on_exit) {
  auto child = Spawn(request);
  if (!child) return child.error();
  Launched out;
  out.pid = child->pid;
  out.stdout_fd = std::move(child->stdout_fd);
  out.stderr_fd = std::move(child->stderr_fd);
  reaper_.Watch(out.pid, std::move(on_exit));
  return out;
}

void LinuxLauncher::Signal(pid_t pid, int signo) {
  if (pid > 0) ::kill(pid, signo);
}

void LinuxLauncher::SignalGroup(pid_t pgid, int signo) {
  if (pgid > 0) ::kill(-pgid, signo);
}

bool LinuxLauncher::GroupAlive(pid_t pgid) {
  // kill(2) with signal 0 checks existence; ESRCH means no process is left in the group.
  return pgid > 0 && ::kill(-pgid, 0) == 0;
}

event::HandlePtr LinuxLauncher::WhenGroupGone(pid_t pgid, std::function<void()> fn) {
  uint64_t id = next_watch_id_++;
  group_watches_.emplace(id, std::make_unique<GroupWatch>(GroupWatch{pgid, std::move(fn)}));
  // Already empty: nothing will be reaped to tell us, so check on the next turn.
  if (!GroupAlive(pgid)) {
    loop_.Post([this, alive = std::weak_ptr<char>(alive_)] {
      if (!alive.expired()) CheckGroups();
    });
  }
  return std::make_unique<GroupWatchHandle>(*this, id, alive_);
}

void LinuxLauncher::Abandon(pid_t pid) { reaper_.Unwatch(pid); }

void LinuxLauncher::CheckGroups() {
  if (group_watches_.empty()) return;
  // Collected first: a callback may add or cancel watches.
  std::vector<uint64_t> gone;
  for (const auto& [id, watch] : group_watches_) {
    if (!GroupAlive(watch->pgid)) gone.push_back(id);
  }
  for (uint64_t id : gone) {
    auto it = group_watches_.find(id);
    if (it == group_watches_.end()) continue;  // cancelled by an earlier callback
    std::function<void()> fn = std::move(it->second->fn);
    group_watches_.erase(it);
    fn();
  }
}

}  // namespace vigil::process
