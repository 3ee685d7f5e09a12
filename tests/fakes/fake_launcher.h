// SPDX-License-Identifier: MIT
// process::FakeLauncher: the test binding of process::Launcher. Launch() records the
// request and hands out a made-up pid with real pipes, whose write ends the test holds (to
// feed output, or to close for EOF). No process runs: the test says when one exits
// (Exit), and signals act as a plain process would (TERM/INT/QUIT/HUP end it unless it
// ignores them; KILL always ends it and everything left in its group), one loop turn later.
// Thread rule: the test's (loop) thread only.
#pragma once

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "process/launcher.h"

namespace vigil::process {

class FakeLauncher final : public Launcher {
 public:
  struct Process {
    pid_t pid = 0;
    SpawnRequest request;
    ExitFn on_exit;              // empty once called or abandoned
    bool exited = false;         // the main process ended
    bool abandoned = false;
    int leftovers = 0;           // other processes of its group still alive
    bool ignores_term = false;   // TERM, INT, QUIT and HUP do nothing
    bool stuck_leftovers = false;  // its leftovers outlive even SIGKILL (uninterruptible sleep) until LeftoversGone()
    base::UniqueFd stdout_w;     // the process's ends of its output pipes
    base::UniqueFd stderr_w;
    base::UniqueFd stdin_r;      // the process's end of its stdin pipe (SpawnRequest::stdin_pipe)
    std::vector<int> signals;        // sent to the process itself, in order
    std::vector<int> group_signals;  // sent to its group, in order
  };

  explicit FakeLauncher(event::Loop& loop) : loop_(loop) {}

  // --- knobs for the next Launch() ---
  std::optional<base::Status> fail_next;  // Launch() returns this error
  bool unwatchable_output_next = false;   // stdout is a regular file, which epoll refuses
  int leftovers_next = 0;                 // processes its group keeps after the main one ends
  bool ignores_term_next = false;

  base::Result<Launched> Launch(const SpawnRequest& request, ExitFn on_exit) override {
    if (fail_next) {
      base::Status error = *fail_next;
      fail_next.reset();
      return error;
    }
    auto p = std::make_unique<Process>();
    p->pid = next_pid_++;
    p->request = request;
    p->on_exit = std::move(on_exit);
    p->leftovers = std::exchange(leftovers_next, 0);
    p->ignores_term = std::exchange(ignores_term_next, false);
    Launched out;
    out.pid = p->pid;
    if (std::exchange(unwatchable_output_next, false)) {
      out.stdout_fd.reset(::open("/tmp", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600));
    } else {
      out.stdout_fd = Pipe(&p->stdout_w);
    }
    if (!request.merge_stderr) out.stderr_fd = Pipe(&p->stderr_w);
    if (request.stdin_pipe) {
      int fds[2];
      if (::pipe2(fds, O_CLOEXEC) == 0) {
        p->stdin_r.reset(fds[0]);
        out.stdin_fd.reset(fds[1]);
      }
    }
    processes_.push_back(std::move(p));
    return out;
  }

  void Signal(pid_t pid, int signo) override {
    Process* p = Find(pid);
    if (!p) return;
    p->signals.push_back(signo);
    Deliver(*p, signo, /*group=*/false);
  }

  void SignalGroup(pid_t pgid, int signo) override {
    Process* p = Find(pgid);
    if (!p) return;
    p->group_signals.push_back(signo);
    Deliver(*p, signo, /*group=*/true);
  }

  bool GroupAlive(pid_t pgid) override {
    Process* p = Find(pgid);
    return p && (!p->exited || p->leftovers > 0);
  }

  event::HandlePtr WhenGroupGone(pid_t pgid, std::function<void()> fn) override {
    auto watch = std::make_shared<std::function<void()>>(std::move(fn));
    watches_.emplace(pgid, watch);
    if (!GroupAlive(pgid)) loop_.Post([this] { CheckWatches(); });
    return std::make_unique<WatchHandle>(watch);
  }

  void Abandon(pid_t pid) override {
    if (Process* p = Find(pid)) {
      p->on_exit = nullptr;
      p->abandoned = true;
    }
  }

  // --- what the test does ---

  // The main process ends with `wait_status`: its pipes close (unless `keep_pipes`, as when
  // a grandchild holds them), the launcher's owner hears of it, then group watches fire if
  // nothing is left, as after a real reap.
  void Exit(pid_t pid, int wait_status, bool keep_pipes = false) {
    Process* p = Find(pid);
    if (!p || p->exited) return;
    p->exited = true;
    if (!keep_pipes) ClosePipes(*p);
    if (auto on_exit = std::exchange(p->on_exit, nullptr)) on_exit(wait_status);
    CheckWatches();
  }
  void ExitWith(pid_t pid, int code) { Exit(pid, code << 8); }
  // The processes left in the group end too.
  void LeftoversGone(pid_t pid) {
    if (Process* p = Find(pid)) p->leftovers = 0;
    CheckWatches();
  }

  Process* Find(pid_t pid) {
    for (auto& p : processes_)
      if (p->pid == pid) return p.get();
    return nullptr;
  }
  Process& Last() { return *processes_.back(); }
  size_t launches() const { return processes_.size(); }
  size_t group_watches() const { return watches_.size(); }

 private:
  class WatchHandle final : public event::Handle {
   public:
    explicit WatchHandle(std::weak_ptr<std::function<void()>> watch) : watch_(std::move(watch)) {}
    ~WatchHandle() override {
      if (auto w = watch_.lock()) *w = nullptr;  // cancelled; CheckWatches drops it
    }

   private:
    std::weak_ptr<std::function<void()>> watch_;
  };

  static base::UniqueFd Pipe(base::UniqueFd* write_end) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return base::UniqueFd();
    write_end->reset(fds[1]);
    return base::UniqueFd(fds[0]);
  }

  static void ClosePipes(Process& p) {
    p.stdout_w.reset();
    p.stderr_w.reset();
  }

  void Deliver(Process& p, int signo, bool group) {
    const bool fatal = signo == SIGKILL || (!p.ignores_term && (signo == SIGTERM || signo == SIGINT ||
                                                                 signo == SIGQUIT || signo == SIGHUP));
    if (!fatal) return;
    // One loop turn later, as a real exit reaches vigild through SIGCHLD.
    loop_.Post([this, pid = p.pid, signo, group] {
      Process* q = Find(pid);
      if (!q) return;
      if (group && !q->stuck_leftovers) q->leftovers = 0;
      if (!q->exited) {
        Exit(pid, signo);  // a wait status of "killed by signo"
      } else {
        CheckWatches();
      }
    });
  }

  void CheckWatches() {
    for (auto it = watches_.begin(); it != watches_.end();) {
      std::shared_ptr<std::function<void()>> watch = it->second;
      if (!*watch) {
        it = watches_.erase(it);
        continue;
      }
      if (GroupAlive(it->first)) {
        ++it;
        continue;
      }
      it = watches_.erase(it);
      auto fn = std::exchange(*watch, nullptr);
      fn();
      it = watches_.begin();  // the callback may have added or cancelled watches
    }
  }

  event::Loop& loop_;
  pid_t next_pid_ = 1000;
  std::deque<std::unique_ptr<Process>> processes_;
  std::multimap<pid_t, std::shared_ptr<std::function<void()>>> watches_;
};

}  // namespace vigil::process
