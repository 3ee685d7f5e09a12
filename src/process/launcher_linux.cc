// SPDX-License-Identifier: MIT
// LinuxLauncher: Spawn + kill(2) + the ChildReaper, with group watches checked after each
// reap batch.
#include <dirent.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <string>
#include <vector>

#include "base/file_util.h"

#include "process/launcher.h"

namespace vigil::process {
namespace {

constexpr base::Duration kFirstBackstop = std::chrono::seconds(1);
constexpr base::Duration kLastBackstop = std::chrono::minutes(1);

// Whether a process of group `pgid` is alive and not a zombie, from /proc/PID/stat
// ("PID (COMM) STATE PPID PGRP ..."; COMM may hold spaces and parentheses, so the fields
// are read after its last ')').
bool GroupHasLivingMember(pid_t pgid) {
  DIR* proc = ::opendir("/proc");
  if (proc == nullptr) return true;  // cannot tell: keep waiting
  bool living = false;
  while (dirent* entry = ::readdir(proc)) {
    if (entry->d_name[0] < '1' || entry->d_name[0] > '9') continue;
    auto stat = base::ReadFile(std::string("/proc/") + entry->d_name + "/stat");
    if (!stat) continue;  // it ended meanwhile
    size_t close = stat->rfind(')');
    if (close == std::string::npos || close + 2 >= stat->size()) continue;
    char state = 0;
    long ppid = 0, pgrp = 0;
    if (std::sscanf(stat->c_str() + close + 2, "%c %ld %ld", &state, &ppid, &pgrp) != 3) continue;
    if (pgrp == pgid && state != 'Z') {
      living = true;
      break;
    }
  }
  ::closedir(proc);
  return living;
}

}  // namespace

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
  reaper_.SetAfterReap([this] { AfterReap(); });
}

void LinuxLauncher::AfterReap() {
  CheckGroups();
  if (no_children_left_ && !reaper_.has_children()) {
    // Taken out before the call, which may ask again or destroy the loop's work.
    std::function<void()> fn = std::move(no_children_left_);
    no_children_left_ = nullptr;
    fn();
  }
}

void LinuxLauncher::WhenNoChildrenLeft(std::function<void()> fn) {
  no_children_left_ = std::move(fn);
  // There may be nothing left to reap, and so no SIGCHLD to come: look on the next turn.
  loop_.Post([this, alive = std::weak_ptr<char>(alive_)] {
    if (!alive.expired()) reaper_.ReapNow();
  });
}

LinuxLauncher::~LinuxLauncher() = default;

base::Result<Launched> LinuxLauncher::Launch(const SpawnRequest& request, ExitFn on_exit) {
  auto child = Spawn(request);
  if (!child) return child.error();
  Launched out;
  out.pid = child->pid;
  out.stdout_fd = std::move(child->stdout_fd);
  out.stderr_fd = std::move(child->stderr_fd);
  out.stdin_fd = std::move(child->stdin_fd);
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
  ArmBackstop();
  // Already empty: nothing will be reaped to tell us, so check on the next turn.
  if (!GroupAlive(pgid)) {
    loop_.Post([this, alive = std::weak_ptr<char>(alive_)] {
      if (!alive.expired()) CheckGroups();
    });
  }
  return std::make_unique<GroupWatchHandle>(*this, id, alive_);
}

void LinuxLauncher::Abandon(pid_t pid) { reaper_.Unwatch(pid); }

void LinuxLauncher::ArmBackstop() {
  if (backstop_) return;
  backstop_delay_ = backstop_delay_.count() == 0 ? kFirstBackstop : std::min(2 * backstop_delay_, kLastBackstop);
  backstop_ = loop_.AddTimer(backstop_delay_, [this] {
    backstop_.reset();
    CheckGroups(/*zombies_gone=*/true);
    if (group_watches_.empty()) {
      backstop_delay_ = base::Duration(0);  // the next wait starts again at 1 s
    } else {
      ArmBackstop();
    }
  });
}

void LinuxLauncher::CheckGroups(bool zombies_gone) {
  if (group_watches_.empty()) return;
  // Collected first: a callback may add or cancel watches.
  std::vector<uint64_t> gone;
  for (const auto& [id, watch] : group_watches_) {
    if (!GroupAlive(watch->pgid) || (zombies_gone && !GroupHasLivingMember(watch->pgid))) gone.push_back(id);
  }
  for (uint64_t id : gone) {
    auto it = group_watches_.find(id);
    if (it == group_watches_.end()) continue;  // cancelled by an earlier callback
    std::function<void()> fn = std::move(it->second->fn);
    group_watches_.erase(it);
    fn();
  }
  if (group_watches_.empty()) {
    backstop_.reset();
    backstop_delay_ = base::Duration(0);
  }
}

}  // namespace vigil::process
