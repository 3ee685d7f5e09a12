// SPDX-License-Identifier: MIT
// The resident vigil-alert --worker: started ahead of the first delivery, its pipes read on
// the loop, its requests written without blocking, every way it can fail turned into failed
// deliveries, and a worker that ended restarted with backoff while it is needed.
#include "daemon/alert_worker.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <utility>
#include <vector>

#include "alert/worker_protocol.h"
#include "base/units.h"
#include "process/spawn.h"

namespace vigil::daemon {
namespace {

// Of the worker's stderr, the last line is kept (for the reason it ended), at most this long.
constexpr size_t kMaxErrorLine = 300;
// A result line is short; a worker that writes more without a line break is broken.
constexpr size_t kMaxResultLine = 64 * 1024;

void SetNonBlocking(int fd) {
  const int flags = ::fcntl(fd, F_GETFL);
  if (flags >= 0) ::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

// Reads what is there; false at end of file or on an error no retry fixes.
bool ReadAvailable(int fd, std::string* into) {
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n > 0) {
      into->append(buf, static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
  }
}

}  // namespace

// One vigil-alert --worker process.
struct AlertWorkerProcess::Worker {
  uint64_t generation = 0;
  pid_t pid = 0;
  bool running = false;      // launched, and neither reaped nor abandoned
  base::SteadyTime started;  // to tell a worker that lived a while (the restart backoff)
  base::UniqueFd in;         // its stdin; closed to make it end
  base::UniqueFd out;
  base::UniqueFd err;
  event::HandlePtr out_watch;  // Invariant: destroyed before the fds (declared after them)
  event::HandlePtr err_watch;
  std::string out_buffer;  // a result line not complete yet
  std::string err_buffer;
  std::string last_error;  // the last line it wrote on stderr
};

class AlertWorkerProcess::RequestHandle final : public event::Handle {
 public:
  RequestHandle(AlertWorkerProcess& owner, uint64_t seq) : owner_(owner), alive_(owner.alive_), seq_(seq) {}
  ~RequestHandle() override {
    if (!alive_.expired()) {
      owner_.requests_.erase(seq_);
      owner_.CloseIfIdle();
    }
  }

 private:
  AlertWorkerProcess& owner_;
  std::weak_ptr<char> alive_;
  uint64_t seq_;
};

AlertWorkerProcess::AlertWorkerProcess(process::Launcher& launcher, event::Clock& clock, event::Loop& loop,
                                       std::filesystem::path binary)
    : launcher_(launcher), clock_(clock), loop_(loop), binary_(std::move(binary)) {}

AlertWorkerProcess::~AlertWorkerProcess() {
  alive_.reset();
  restart_.reset();
  if (worker_ && worker_->running) {
    launcher_.SignalGroup(worker_->pid, SIGKILL);
    launcher_.Abandon(worker_->pid);
  }
}

pid_t AlertWorkerProcess::pid() const { return worker_ && worker_->running ? worker_->pid : 0; }

base::Status AlertWorkerProcess::Start() {
  process::SpawnRequest request;
  request.argv = {binary_.string(), "--worker"};
  request.stdin_pipe = true;
  auto w = std::make_unique<Worker>();
  w->generation = next_generation_++;
  auto launched = launcher_.Launch(
      request, [this, alive = std::weak_ptr<char>(alive_), generation = w->generation](int wait_status) {
        if (!alive.expired()) OnExit(generation, wait_status);
      });
  if (!launched) return launched.error();
  w->pid = launched->pid;
  w->running = true;
  w->started = clock_.SteadyNow();
  w->in = std::move(launched->stdin_fd);
  w->out = std::move(launched->stdout_fd);
  w->err = std::move(launched->stderr_fd);
  for (int fd : {w->in.get(), w->out.get(), w->err.get()}) SetNonBlocking(fd);
  auto out_watch = loop_.WatchReadable(w->out.get(), [this] { OnStdout(); });
  auto err_watch = out_watch ? loop_.WatchReadable(w->err.get(), [this] { OnStderr(); })
                             : base::Result<event::HandlePtr>(out_watch.error());
  if (!out_watch || !err_watch) {
    // Nobody would read its answers: it must not go on.
    launcher_.SignalGroup(w->pid, SIGKILL);
    launcher_.Abandon(w->pid);
    return err_watch.error();
  }
  w->out_watch = std::move(out_watch).value();
  w->err_watch = std::move(err_watch).value();
  worker_ = std::move(w);
  return base::Status::Ok();
}

event::HandlePtr AlertWorkerProcess::Deliver(const std::filesystem::path& request_file, base::Duration timeout,
                                             DoneFn done) {
  const uint64_t seq = next_seq_++;
  requests_[seq].done = std::move(done);
  auto handle = std::make_unique<RequestHandle>(*this, seq);
  // A restart waiting out its backoff does not hold a delivery back.
  if (base::Status s = EnsureStarted(); !s.ok()) {
    FailSoon(seq, "cannot start vigil-alert: " + s.message());
    return handle;
  }
  const std::string line = alert::WorkerRequestLine({seq, request_file.string()});
  const ssize_t n = ::write(worker_->in.get(), line.data(), line.size());
  if (n != static_cast<ssize_t>(line.size())) {
    // A line below PIPE_BUF is written whole or not at all (pipe(7)): EAGAIN means the
    // pipe is full, a worker that stopped reading.
    const int error = errno;
    Kill(n >= 0 || error == EAGAIN ? std::string("vigil-alert does not read its requests")
                                   : std::string("cannot write to vigil-alert: ") + std::strerror(error));
    return handle;
  }
  requests_[seq].timer = clock_.AddTimer(timeout, [this, seq, timeout] {
    // curl keeps to the channel's timeout itself, so the worker hangs: every delivery it
    // holds fails, this one with its own reason.
    Kill("vigil-alert was restarted: another delivery got no answer within " + base::FormatDuration(timeout));
    Complete(seq, "no answer from vigil-alert within " + base::FormatDuration(timeout));
  });
  return handle;
}

void AlertWorkerProcess::SetNeeded(bool needed) {
  needed_ = needed;
  if (!needed_) {
    restart_.reset();  // an idle vigild without these channels never wakes for the worker
    CloseIfIdle();
  } else if (!restart_) {
    // Started now, the worker is ready before the first finding: a start costs 100-200 ms,
    // the first delivery's whole budget. A restart that waits keeps its backoff (a reload
    // must not cut it short).
    (void)EnsureStarted();  // on failure, the restart is armed
  }
}

base::Status AlertWorkerProcess::EnsureStarted() {
  if (worker_ && !worker_->in.valid()) {
    // One that is ending (no longer needed, nothing under way): let it end by itself.
    if (worker_->running) launcher_.Abandon(worker_->pid);
    worker_.reset();
  }
  if (worker_) return base::Status::Ok();
  restart_.reset();
  base::Status s = Start();
  if (!s.ok()) RestartLater();
  return s;
}

void AlertWorkerProcess::RestartLater() {
  if (!needed_ || worker_ || restart_) return;
  const base::Duration delay = restart_delay_;
  restart_delay_ = std::min(restart_delay_ * 2, kMaxRestartDelay);
  restart_ = clock_.AddTimer(delay, [this] {
    // This timer's own handle: the clock let go of this callback before calling it.
    restart_.reset();
    (void)EnsureStarted();  // on failure, the next restart is armed, later
  });
}

void AlertWorkerProcess::NoteLifetime(const Worker& w) {
  if (clock_.SteadyNow() - w.started >= kRestartResetAfter) restart_delay_ = kFirstRestartDelay;
}

void AlertWorkerProcess::CloseIfIdle() {
  if (!needed_ && requests_.empty() && worker_) worker_->in.reset();  // it ends at the end of its input
}

std::string AlertWorkerProcess::TakeResults(Worker& w, std::vector<alert::WorkerResult>* results) {
  const bool open = ReadAvailable(w.out.get(), &w.out_buffer);
  if (!open) {
    // It closed its stdout: it is ending, and its exit says how.
    w.out_watch.reset();
    w.out.reset();
  }
  size_t end;
  while ((end = w.out_buffer.find('\n')) != std::string::npos) {
    auto result = alert::ParseWorkerResult(std::string_view(w.out_buffer).substr(0, end));
    w.out_buffer.erase(0, end + 1);
    if (!result) return "vigil-alert answered something else than a result: " + result.error().message();
    results->push_back(std::move(*result));
  }
  if (w.out_buffer.size() > kMaxResultLine) return "vigil-alert answered a line without end";
  return "";
}

void AlertWorkerProcess::TakeErrors(Worker& w) {
  if (!ReadAvailable(w.err.get(), &w.err_buffer)) {
    w.err_watch.reset();
    w.err.reset();
  }
  size_t end;
  while ((end = w.err_buffer.find('\n')) != std::string::npos) {
    if (end > 0) w.last_error = w.err_buffer.substr(0, std::min(end, kMaxErrorLine));
    w.err_buffer.erase(0, end + 1);
  }
  if (w.err_buffer.size() > kMaxErrorLine) w.err_buffer.clear();
}

void AlertWorkerProcess::OnStdout() {
  if (!worker_) return;
  const uint64_t generation = worker_->generation;
  std::vector<alert::WorkerResult> results;
  const std::string broken = TakeResults(*worker_, &results);
  if (!results.empty()) restart_delay_ = kFirstRestartDelay;  // it works
  // A `done` may start another delivery, or end this worker: nothing of it is held here.
  for (const alert::WorkerResult& r : results) Complete(r.seq, r.ok ? std::string() : r.error);
  if (!broken.empty() && worker_ && worker_->generation == generation) Kill(broken);
}

void AlertWorkerProcess::OnStderr() {
  if (worker_) TakeErrors(*worker_);
}

void AlertWorkerProcess::OnExit(uint64_t generation, int wait_status) {
  // Only the current worker is watched: one replaced was abandoned first.
  if (!worker_ || worker_->generation != generation) return;
  // Off the stage first: the next delivery, even one started by a `done` below, starts a
  // new worker.
  std::unique_ptr<Worker> ended = std::move(worker_);
  ended->running = false;
  launcher_.SignalGroup(ended->pid, SIGKILL);  // anything it left behind
  // Every delivery under way was its; what it wrote before it ended is in the pipes by now.
  std::vector<uint64_t> under_way;
  for (const auto& [seq, request] : requests_) under_way.push_back(seq);
  std::vector<alert::WorkerResult> results;
  (void)TakeResults(*ended, &results);
  TakeErrors(*ended);
  std::string why = "vigil-alert ended (" + process::DescribeWaitStatus(wait_status) + ")";
  if (!ended->last_error.empty()) why += ": " + ended->last_error;
  if (!results.empty()) restart_delay_ = kFirstRestartDelay;
  NoteLifetime(*ended);
  // Armed while this object is consistent, before any `done` runs: a delivery started by
  // one starts a worker at once and drops the restart, a SetNeeded(false) cancels it.
  RestartLater();
  for (const alert::WorkerResult& r : results) Complete(r.seq, r.ok ? std::string() : r.error);
  for (uint64_t seq : under_way) Complete(seq, why);  // those answered are gone already
}

void AlertWorkerProcess::Kill(const std::string& why) {
  if (worker_) {
    NoteLifetime(*worker_);
    if (worker_->running) {
      launcher_.SignalGroup(worker_->pid, SIGKILL);
      launcher_.Abandon(worker_->pid);
    }
  }
  worker_.reset();
  RestartLater();
  for (auto& [seq, request] : requests_) FailSoon(seq, why);
}

void AlertWorkerProcess::FailSoon(uint64_t seq, std::string why) {
  auto it = requests_.find(seq);
  if (it == requests_.end()) return;
  it->second.timer = clock_.AddTimer(base::Duration(0), [this, seq, why = std::move(why)] { Complete(seq, why); });
}

void AlertWorkerProcess::Complete(uint64_t seq, const std::string& error) {
  auto it = requests_.find(seq);
  if (it == requests_.end()) return;  // cancelled, or answered already
  DoneFn done = std::move(it->second.done);
  requests_.erase(it);  // with its timer, which may be the one running this
  CloseIfIdle();
  done(error);
}

}  // namespace vigil::daemon
