// SPDX-License-Identifier: MIT
// AlertWorker: how AlertService hands an email or webhook delivery to vigil-alert, which
// links libcurl so that vigild does not. AlertWorkerProcess is the real one: one resident
// `vigil-alert --worker`, started as soon as it is needed and kept while it is, that takes
// request lines on its stdin and answers with result lines on its stdout (docs/alerts.md,
// "The worker"). A worker that dies, hangs or talks nonsense is killed and its deliveries
// fail with the reason (AlertService retries them); the next delivery starts a new one at
// once, and while needed a new one starts anyway after a backoff. Nothing here waits.
// Thread rule: loop thread only; `done` runs on the loop thread.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "alert/worker_protocol.h"
#include "base/clock.h"
#include "base/unique_fd.h"
#include "event/clock.h"
#include "event/loop.h"
#include "process/launcher.h"

namespace vigil::daemon {

class AlertWorker {
 public:
  // "" when delivered, else why not (one line).
  using DoneFn = std::function<void(std::string error)>;
  virtual ~AlertWorker() = default;

  // Delivers the DeliveryRequest (alert/request.h) in `request_file`. `done` is called
  // once, never from inside Deliver(): with the worker's answer, or with a failure when
  // there is no answer within `timeout` or the worker cannot be started or ends first.
  // Destroying the handle cancels: `done` is not called (the delivery may still happen).
  virtual event::HandlePtr Deliver(const std::filesystem::path& request_file, base::Duration timeout, DoneFn done) = 0;
  // Whether email or webhook channels are configured. While they are, a worker is kept
  // ready for the first delivery: started at once (unless a restart already waits), and
  // after one ends or cannot start, started again after a backoff. While not, no restart
  // waits and a worker ends as soon as nothing is under way (a later Deliver() starts one
  // again).
  virtual void SetNeeded(bool needed) = 0;
};

class AlertWorkerProcess final : public AlertWorker {
 public:
  // The wait before a worker that ended while needed is started again: it doubles at each
  // end, up to the last, so that a broken vigil-alert is not restarted in a loop. It starts
  // over once a worker has answered a delivery or lived kRestartResetAfter.
  static constexpr base::Duration kFirstRestartDelay = std::chrono::seconds(1);
  static constexpr base::Duration kMaxRestartDelay = std::chrono::minutes(1);
  static constexpr base::Duration kRestartResetAfter = std::chrono::minutes(1);

  // `binary` is vigil-alert. The launcher, clock and loop must outlive this object.
  AlertWorkerProcess(process::Launcher& launcher, event::Clock& clock, event::Loop& loop, std::filesystem::path binary);
  // Kills a worker still running (deliveries under way stay in the outbox) and drops a
  // pending restart.
  ~AlertWorkerProcess() override;

  event::HandlePtr Deliver(const std::filesystem::path& request_file, base::Duration timeout, DoneFn done) override;
  void SetNeeded(bool needed) override;

  // The worker's pid; 0 while none runs.
  pid_t pid() const;

 private:
  struct Worker;
  struct Request {
    DoneFn done;
    event::HandlePtr timer;  // the timeout, or the zero timer that reports a failure
  };
  class RequestHandle;

  base::Status Start();
  // Starts a worker unless one runs (one ending because not needed is let go and replaced),
  // dropping a pending restart. A failure arms the restart (while needed).
  base::Status EnsureStarted();
  // Called once the worker is gone or could not start: while needed, arms its restart after
  // the backoff, unless a restart is armed already.
  void RestartLater();
  // A worker ended: the backoff starts over if it lived long enough.
  void NoteLifetime(const Worker& w);
  // Reads what the worker said: complete result lines into `results`; a reason when it
  // said something else.
  std::string TakeResults(Worker& w, std::vector<alert::WorkerResult>* results);
  void TakeErrors(Worker& w);
  // Reads the worker's answers and hands them out.
  void OnStdout();
  void OnStderr();
  void OnExit(uint64_t generation, int wait_status);
  // Kills the worker and fails every delivery under way with `why`, on a later turn; arms
  // the restart (while needed).
  void Kill(const std::string& why);
  void FailSoon(uint64_t seq, std::string why);
  // Calls the delivery's `done` (once: it is forgotten first). Must not be called from
  // inside Deliver() or SetNeeded().
  void Complete(uint64_t seq, const std::string& error);
  // Ends an unneeded worker by closing its stdin once nothing is under way.
  void CloseIfIdle();

  process::Launcher& launcher_;
  event::Clock& clock_;
  event::Loop& loop_;
  std::filesystem::path binary_;
  bool needed_ = true;
  std::unique_ptr<Worker> worker_;
  // Invariant: armed only while needed_ and no worker runs.
  event::HandlePtr restart_;
  base::Duration restart_delay_ = kFirstRestartDelay;  // the next restart's wait
  uint64_t next_generation_ = 1;
  uint64_t next_seq_ = 1;
  std::map<uint64_t, Request> requests_;                    // under way, by seq
  std::shared_ptr<char> alive_ = std::make_shared<char>();  // guards the handles and the exit callback
};

}  // namespace vigil::daemon
