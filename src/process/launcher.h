// SPDX-License-Identifier: MIT
// process::Launcher: the OS seam of everything vigild runs, programs and task runs alike:
// start one process in its own session and process group with its output on pipes, learn
// when it exits, signal it or its whole group, and learn when its group is empty.
// LinuxLauncher (below) is the real one; tests/fakes/fake_launcher.h is the fake, so that
// supervise/ and tasks/ are tested without real processes.
// Thread rule: loop thread only. Callbacks run on the loop thread, never from inside a call
// to the launcher.
#pragma once

#include <sys/types.h>

#include <functional>
#include <memory>
#include <unordered_map>

#include "base/status.h"
#include "base/unique_fd.h"
#include "event/loop.h"
#include "process/spawn.h"

namespace vigil::process {

struct Launched {
  pid_t pid = 0;             // also the process group id
  base::UniqueFd stdout_fd;  // read end
  base::UniqueFd stderr_fd;  // read end; invalid when stderr is merged
  base::UniqueFd stdin_fd;   // write end, when SpawnRequest::stdin_pipe asked for one
};

class Launcher {
 public:
  using ExitFn = std::function<void(int wait_status)>;
  virtual ~Launcher() = default;

  // Starts the process; on success it has exec'd and `on_exit` will be called once with
  // its wait(2) status when it ends (unless Abandon()ed first). On failure returns the
  // error of process::Spawn ("cannot execute /x: No such file or directory"), and
  // `on_exit` is never called.
  virtual base::Result<Launched> Launch(const SpawnRequest& request, ExitFn on_exit) = 0;
  // Sends `signo` to one process, or to every process of group `pgid`. Nothing happens
  // if there is no such process any more.
  virtual void Signal(pid_t pid, int signo) = 0;
  virtual void SignalGroup(pid_t pgid, int signo) = 0;
  // True while any process of group `pgid` exists (an exited one counts until reaped).
  virtual bool GroupAlive(pid_t pgid) = 0;
  // Calls `fn` once, on a later loop turn, when group `pgid` has no process left (at once
  // if it has none now). Destroying the handle cancels it.
  virtual event::HandlePtr WhenGroupGone(pid_t pgid, std::function<void()> fn) = 0;
  // Forgets `pid`: its exit is reaped silently and its ExitFn dropped. For an owner going
  // away while its process runs (after killing it).
  virtual void Abandon(pid_t pid) = 0;
};

// The real launcher: process::Spawn, kill(2), and one SIGCHLD-driven reaper for all of
// vigild (see event::ChildReaper: only one may exist per process). Group watches are
// checked after each batch of reaped children, so an empty group is noticed as soon as
// its last process is reaped, without polling. One case sends vigild nothing: the last
// member of a group is the child of a process that left the group (setsid), which reaps
// it, or never does and leaves a zombie. For that, while any watch waits, a backstop
// check runs after 1 s, 2 s, 4 s... up to a minute, and counts zombies as gone.
class LinuxLauncher final : public Launcher {
 public:
  explicit LinuxLauncher(event::Loop& loop);
  ~LinuxLauncher() override;

  base::Result<Launched> Launch(const SpawnRequest& request, ExitFn on_exit) override;
  void Signal(pid_t pid, int signo) override;
  void SignalGroup(pid_t pgid, int signo) override;
  bool GroupAlive(pid_t pgid) override;
  event::HandlePtr WhenGroupGone(pid_t pgid, std::function<void()> fn) override;
  void Abandon(pid_t pid) override;
  // Calls `fn` once, on the loop, when vigild has no child process left at all (its
  // programs' and adopted orphans alike): a container's init waits for this at shutdown.
  void WhenNoChildrenLeft(std::function<void()> fn);
  uint64_t orphans_reaped() const { return reaper_.orphans_reaped(); }

 private:
  struct GroupWatch;
  class GroupWatchHandle;
  // Fires the watches of groups that are gone; with `zombies_gone`, a group whose only
  // members are zombies is gone too (a /proc walk: only for the backstop).
  void CheckGroups(bool zombies_gone = false);
  void ArmBackstop();
  void AfterReap();

  event::Loop& loop_;
  event::ChildReaper reaper_;
  uint64_t next_watch_id_ = 1;
  std::unordered_map<uint64_t, std::unique_ptr<GroupWatch>> group_watches_;
  event::HandlePtr backstop_;
  base::Duration backstop_delay_{0};
  std::function<void()> no_children_left_;
  std::shared_ptr<char> alive_ = std::make_shared<char>();
};

}  // namespace vigil::process
