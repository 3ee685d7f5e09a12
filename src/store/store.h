// SPDX-License-Identifier: MIT
// store::Store: vigild's durable history in one SQLite database (WAL mode) in state_dir:
// programs and their desired state, every process lifetime, events (the audit trail),
// and task runs. Schema and migrations: docs/store.md.
// Writes never stall supervision: Record*/Begin*/End* calls queue the write and return at
// once; one worker thread owns the write connection and applies the queue in order, in
// batched transactions. When the database is locked, corrupt, unwritable or the disk is
// full, writes are dropped (and counted) and problem() says so in plain words; vigild keeps
// supervising. Reads (Query*) run on the caller's thread on a separate read connection.
// Thread rule: all public methods are called from the loop thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/status.h"

namespace vigil::store {

struct Event {
  int64_t id = 0;
  base::WallTime time;
  std::string type;     // "state", "restart", "signal", "spawn_error", "reload", "config_error", "task_run", "daemon", ...
  std::string subject;  // program or task name, or "vigild"
  std::string message;  // plain words, as in vigild.log
  std::string details;  // a JSON object as text ("{}" when none)
};

struct EventFilter {
  std::optional<base::WallTime> since;
  std::string subject;  // "" = any
  std::string type;     // "" = any
  int64_t before_id = 0;  // paging: only events with id < before_id (0 = newest first page)
  int limit = 100;
};

struct TaskRun {
  int64_t id = 0;
  std::string task;
  std::string trigger;  // "schedule", "manual", "catch-up", "retry", "reboot"
  base::WallTime started;
  std::optional<base::WallTime> ended;  // nullopt while running (or interrupted, see below)
  std::optional<int> exit_code;
  std::optional<int> signal;
  bool timed_out = false;
  bool interrupted = false;  // vigild died while it ran; marked at the next start
  std::string output_tail;   // last lines of output
  base::Duration deferred{0};  // how long it waited for an idle machine (when_idle) first
};

// One process of a program, from BeginProcess to EndProcess.
struct Lifetime {
  int64_t id = 0;
  std::string program;
  int pid = 0;
  base::WallTime started;
  std::optional<base::WallTime> ended;  // nullopt while it runs
  std::string exit_status;              // "exit 1", "killed by SIGKILL"; "" while it runs
  std::string reason;                   // why it ended
};

// One entry of the findings journal: something vigil noticed or did, in one sentence.
struct Finding {
  int64_t id = 0;
  base::WallTime time;
  std::string severity;  // "info", "warn", "crit"
  std::string category;  // "check", "action", "program", "task"
  std::string subject;   // the check, program or task
  std::string text;      // plain words with the numbers, and a suggestion
  int64_t raise_id = 0;  // for a recovery: the finding it ends; else 0
};

struct FindingFilter {
  std::optional<base::WallTime> since;
  int min_rank = 0;       // 0 info and up, 1 warn and up, 2 crit
  int64_t before_id = 0;  // paging, as for events
  int limit = 100;
};

// 0 for "info", 1 for "warn", 2 for "crit" (and anything else).
int SeverityRank(const std::string& severity);

// A notification waiting to be sent, or sent, or given up on (docs/alerts.md).
struct OutboxEntry {
  int64_t id = 0;
  std::string channel;       // the [alert.NAME]
  base::WallTime created;
  std::string notification;  // its JSON
  std::string state;         // "pending", "sent", "failed"
  int attempts = 0;
  base::WallTime next_attempt;
  std::string last_error;
};

// One point of a metric's history: the samples of one bucket (docs/store.md).
struct MetricPoint {
  base::WallTime time;  // the bucket's start
  int64_t count = 0;    // samples in it
  double avg = 0;
  double max = 0;
};

struct DesiredState {
  std::string program;
  bool want_up = true;
  std::string config_hash;  // of the program's spec when the user chose this
};

class Store {
 public:
  // Opens or creates the database, enables WAL, runs pending migrations and marks runs
  // and process lifetimes left open by a vigild that died as interrupted. Fails (IoError,
  // with the path and SQLite's message) only if the database cannot be opened at all; the
  // daemon then runs without history and reports it.
  static base::Result<std::unique_ptr<Store>> Open(const std::filesystem::path& db_path);
  ~Store();  // queues the open metric minutes, flushes the queue (bounded by a few seconds), then closes

  // --- writes (queued) ---
  int64_t RecordEvent(const Event& event);  // id and, if unset, time are filled in; returns the id
  // Returns the id the lifetime will have; EndProcess completes it.
  int64_t BeginProcess(const std::string& program, int pid, base::WallTime started);
  void EndProcess(int64_t lifetime_id, base::WallTime ended, const std::string& exit_status,
                  const std::string& reason);
  // `deferred`: how long the run waited for an idle machine before `started`.
  int64_t BeginRun(const std::string& task, const std::string& trigger, base::WallTime started,
                   base::Duration deferred = base::Duration(0));
  // Run ids handed out from now on are above `id` (ids of runs whose output files exist
  // although this database does not know them: it was replaced or lost).
  void SkipRunIdsThrough(int64_t id);
  void EndRun(const TaskRun& run);  // by run.id
  void SetDesiredState(const DesiredState& state);
  void SetTaskEnabled(const std::string& task, bool enabled);
  // Returns the id the finding will have (for a later recovery's raise_id).
  int64_t RecordFinding(const Finding& finding);
  // Returns the id of the new outbox entry; UpdateOutbox records an attempt (by id).
  int64_t AddToOutbox(const OutboxEntry& entry);
  void UpdateOutbox(const OutboxEntry& entry);
  // Deletes events, runs, lifetimes, findings and finished outbox entries older than `cutoff`.
  void Prune(base::WallTime cutoff);
  // Adds one sample of metric `name` (docs/store.md names them: "system.cpu", ...) to its
  // 1-minute and 1-hour rollups. The samples of a minute are summed in memory and queued as
  // one write when a later minute begins (or on Flush and destruction); reads include them
  // at once. At most once an hour (of sample time) it also queues the deletion of rollups
  // past their retention (14 days of minutes, 400 days of hours).
  void RecordSample(const std::string& name, base::WallTime time, double value);

  // --- reads (synchronous) ---
  base::Result<std::vector<Event>> QueryEvents(const EventFilter& filter);
  base::Result<std::vector<TaskRun>> QueryRuns(const std::string& task, int limit);  // "" = all tasks, newest first
  base::Result<std::optional<TaskRun>> LastRun(const std::string& task);
  // Runs started in [since, until), oldest first, at most `limit`.
  base::Result<std::vector<TaskRun>> QueryRunsBetween(base::WallTime since, base::WallTime until, int limit);
  // Process lifetimes that overlap [since, until) (started before `until`, not ended before
  // `since`), oldest first, at most `limit`.
  base::Result<std::vector<Lifetime>> QueryLifetimes(base::WallTime since, base::WallTime until, int limit);
  // The processes of `program` (an instance "web:1", or a program "web" with all its
  // instances), newest first, older than lifetime `before_id` (0: from the newest).
  base::Result<std::vector<Lifetime>> ProgramLifetimes(const std::string& program, int64_t before_id, int limit);
  base::Result<std::vector<Finding>> QueryFindings(const FindingFilter& filter);  // newest first
  base::Result<std::vector<OutboxEntry>> PendingOutbox();  // oldest first
  base::Result<std::vector<DesiredState>> DesiredStates();
  base::Result<std::optional<bool>> TaskEnabled(const std::string& task);  // nullopt = never set
  // Points of `name` in [since, until), at the given step (60 s rollups for steps < 1 h, else
  // 1-hour rollups; re-bucketed to `step`), oldest first. Buckets are aligned to multiples of
  // `step` since the epoch (UTC), the first being the one that holds `since`; a step finer
  // than the rollup read is that rollup's. Buckets without samples are left out.
  base::Result<std::vector<MetricPoint>> QueryMetrics(const std::string& name, base::WallTime since,
                                                      base::WallTime until, std::chrono::seconds step);
  // Every metric with history, sorted.
  base::Result<std::vector<std::string>> MetricNames();

  // "" when healthy; e.g. "history is not being recorded: database is locked (12 writes dropped)".
  std::string problem() const;
  // Queues the open metric minutes, then blocks until the queue is written. For tests and
  // shutdown.
  void Flush();

 private:
  class Impl;
  explicit Store(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace vigil::store
