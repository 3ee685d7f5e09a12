// SPDX-License-Identifier: MIT
// CommandProber: one check command per Run, its two output pipes read on the loop, and
// its end turned into an Outcome by the Nagios plugin convention.
#include "probe/command_probe.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <utility>

#include "base/unique_fd.h"
#include "base/units.h"
#include "process/spawn.h"

namespace vigil::probe {
namespace {

// Read per wakeup of a pipe; a plugin flooding its output yields the loop after this much.
constexpr size_t kBudgetBytes = 64 * 1024;
// Read at most this much once the command has exited: a grandchild that left the process
// group (setsid) may still hold the pipe and write without end.
constexpr size_t kFinalBytes = 1 << 20;

// The first line of `text`, perfdata (after the first '|') removed, control characters
// made spaces (the message is shown on one line), trimmed.
std::string StatusLine(std::string_view text) {
  text = text.substr(0, text.find('\n'));
  text = text.substr(0, text.find('|'));
  std::string line;
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    line += (u < 0x20 || u == 0x7f) ? ' ' : c;
  }
  const size_t first = line.find_first_not_of(' ');
  if (first == std::string::npos) return "";
  return line.substr(first, line.find_last_not_of(' ') - first + 1);
}

}  // namespace

Outcome CommandOutcome(int wait_status, std::string_view out, std::string_view err) {
  std::string line = StatusLine(out);
  if (line.empty()) line = StatusLine(err);
  Outcome outcome;
  if (!WIFEXITED(wait_status)) {
    outcome.level = health::Level::kUnknown;
    outcome.message = process::DescribeWaitStatus(wait_status);
    return outcome;
  }
  const int code = WEXITSTATUS(wait_status);
  switch (code) {
    case 0:
      outcome.level = health::Level::kOk;
      break;
    case 1:
      outcome.level = health::Level::kWarn;
      break;
    case 2:
      outcome.level = health::Level::kCrit;
      break;
    default:
      outcome.level = health::Level::kUnknown;
      break;
  }
  if (line.empty()) {
    outcome.message = "exit " + std::to_string(code) + ", no output";
  } else if (code > 3) {
    // Not a plugin's answer (a shell's 126/127, a crash handler's code): say so.
    outcome.message = "exit " + std::to_string(code) + ": " + line;
  } else {
    outcome.message = std::move(line);
  }
  return outcome;
}

// One run of a check command; the handle Probe() returns. Owns the pipes, watches and
// timers, so destroying it silences every callback.
class CommandProber::Run final : public event::Handle {
 public:
  Run(process::Launcher& launcher, event::Clock& clock, event::Loop& loop, DoneFn done)
      : launcher_(launcher), clock_(clock), loop_(loop), done_(std::move(done)) {}

  ~Run() override {
    // Nothing of a cancelled check may outlive it, and its exit must not reach us.
    if (running_) {
      launcher_.SignalGroup(pid_, SIGKILL);
      launcher_.Abandon(pid_);
    }
  }

  void Start(const CommandProbeSpec& spec) {
    process::SpawnRequest request;
    request.argv = spec.argv;
    request.directory = spec.directory;
    request.environment = spec.environment;
    request.stdin_file = spec.stdin_file;
    request.uid = spec.uid;
    request.gid = spec.gid;
    // Separate pipes: stdout carries the plugin's answer, and a warning on stderr (perl's,
    // a library's) must not take the place of its first line.
    request.merge_stderr = false;
    auto launched = launcher_.Launch(request, [this](int wait_status) { OnExit(wait_status); });
    if (!launched) {
      FinishSoon({health::Level::kUnknown, "cannot run: " + launched.error().message(), std::nullopt});
      return;
    }
    pid_ = launched->pid;
    running_ = true;
    out_.fd = std::move(launched->stdout_fd);
    err_.fd = std::move(launched->stderr_fd);
    for (Stream* s : {&out_, &err_}) {
      if (!s->fd.valid()) continue;
      const int flags = ::fcntl(s->fd.get(), F_GETFL);
      if (flags >= 0) ::fcntl(s->fd.get(), F_SETFL, flags | O_NONBLOCK);
      auto watch = loop_.WatchReadable(s->fd.get(), [this, s] {
        if (Drain(*s, kBudgetBytes)) ResumeSoon();
      });
      if (!watch) {
        // Nobody would read the pipe, so the command could block on it: it must not go on.
        Kill();
        FinishSoon(
            {health::Level::kUnknown,
             "cannot run: cannot read the output of pid " + std::to_string(pid_) + ": " + watch.error().message(),
             std::nullopt});
        return;
      }
      s->watch = std::move(watch).value();
    }
    timeout_ = clock_.AddTimer(spec.timeout, [this, timeout = spec.timeout] {
      Kill();
      Finish({health::Level::kCrit, "no answer within " + base::FormatDuration(timeout), std::nullopt});
    });
  }

 private:
  struct Stream {
    base::UniqueFd fd;
    event::HandlePtr watch;  // Invariant: destroyed before fd (declared after it)
    std::string kept;        // at most kMaxOutputBytes
  };

  // Reads until the pipe is empty, at its end, or `budget` bytes were read; true in the
  // last case, when data may be left behind.
  bool Drain(Stream& s, size_t budget) {
    char buf[4096];
    size_t total = 0;
    while (s.fd.valid()) {
      if (total >= budget) return true;
      const ssize_t n = ::read(s.fd.get(), buf, sizeof buf);
      if (n > 0) {
        total += static_cast<size_t>(n);
        const size_t room = kMaxOutputBytes - s.kept.size();
        s.kept.append(buf, std::min(room, static_cast<size_t>(n)));
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return false;
      s.watch.reset();  // end of file, or an error no retry fixes
      s.fd.reset();
    }
    return false;
  }

  // The loop's watch is edge-triggered: data left behind by a budget cut wakes nobody, so
  // a zero timer comes back for it, behind the other ready work.
  void ResumeSoon() {
    if (resume_) return;
    resume_ = loop_.AddTimer(base::Duration(0), [this] {
      resume_.reset();
      const bool more_out = Drain(out_, kBudgetBytes);
      const bool more_err = Drain(err_, kBudgetBytes);
      if (more_out || more_err) ResumeSoon();
    });
  }

  // Everything the command wrote before it exited is in the pipes by the time its exit
  // is reaped, so its answer is complete without waiting for end of file, which a
  // background child holding the pipe could delay for ever.
  void OnExit(int wait_status) {
    running_ = false;
    // Right after the reap, where the group id is least likely to have been reused.
    launcher_.SignalGroup(pid_, SIGKILL);
    timeout_.reset();
    // Finished on a later turn, off the reaper's call stack.
    finish_ = loop_.AddTimer(base::Duration(0), [this, wait_status] {
      Drain(out_, kFinalBytes);
      Drain(err_, kFinalBytes);
      Finish(CommandOutcome(wait_status, out_.kept, err_.kept));
    });
  }

  void Kill() {
    if (!running_) return;
    running_ = false;
    launcher_.SignalGroup(pid_, SIGKILL);
    // Its exit is of no interest any more; the launcher reaps it quietly.
    launcher_.Abandon(pid_);
  }

  void FinishSoon(Outcome outcome) {
    finish_ = loop_.AddTimer(base::Duration(0),
                             [this, outcome = std::move(outcome)]() mutable { Finish(std::move(outcome)); });
  }

  // Tells `done` once. `done` may destroy this Run, so nothing here touches a member after
  // calling it.
  void Finish(Outcome outcome) {
    if (!done_) return;
    timeout_.reset();
    resume_.reset();
    for (Stream* s : {&out_, &err_}) {
      s->watch.reset();
      s->fd.reset();
    }
    DoneFn done = std::exchange(done_, nullptr);
    done(std::move(outcome));
  }

  process::Launcher& launcher_;
  event::Clock& clock_;
  event::Loop& loop_;
  DoneFn done_;  // empty once called
  pid_t pid_ = 0;
  bool running_ = false;  // launched, and neither reaped nor abandoned
  Stream out_;
  Stream err_;
  event::HandlePtr timeout_;
  event::HandlePtr resume_;
  event::HandlePtr finish_;
};

CommandProber::CommandProber(process::Launcher& launcher, event::Clock& clock, event::Loop& loop)
    : launcher_(launcher), clock_(clock), loop_(loop) {}

event::HandlePtr CommandProber::Probe(const CommandProbeSpec& spec, DoneFn done) {
  auto run = std::make_unique<Run>(launcher_, clock_, loop_, std::move(done));
  run->Start(spec);
  return run;
}

}  // namespace vigil::probe
