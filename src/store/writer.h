// SPDX-License-Identifier: MIT
// Writer: the store's write side. It owns the write connection and one worker thread that
// applies queued writes in order, in batched transactions, so the loop thread never waits
// for the disk. Thread rule: Enqueue, Flush, problem and the destructor are called on the
// loop thread; the connection is used only by the worker once Start has returned.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <variant>

#include "base/status.h"
#include "store/store.h"

namespace SQLite {
class Database;
}

namespace vigil::store {

// One queued write each. Ids and times are filled in by Store when the write is queued.
struct InsertEvent {
  Event event;
};
struct InsertLifetime {
  int64_t id;
  std::string program;
  int pid;
  int64_t started_ms;
};
struct EndLifetime {
  int64_t id;
  int64_t ended_ms;
  std::string exit_status;
  std::string reason;
};
struct InsertRun {
  int64_t id;
  std::string task;
  std::string trigger;
  int64_t started_ms;
  int64_t deferred_ms = 0;
};
struct FinishRun {
  TaskRun run;
};
struct UpsertDesiredState {
  DesiredState state;
  int64_t updated_ms;
};
struct UpsertTaskEnabled {
  std::string task;
  bool enabled;
};
struct InsertFinding {
  Finding finding;
};
struct InsertOutbox {
  OutboxEntry entry;
};
struct UpdateOutboxEntry {
  OutboxEntry entry;
};
struct PruneBefore {
  int64_t cutoff_ms;
};
struct AddMetricRollup {  // a closed minute, merged into its minute and hour rows (store/metric_rollups.h)
  std::string name;
  int64_t minute_ms;
  int64_t count;
  double sum;
  double max;
};
struct PruneMetrics {
  int64_t minute_cutoff_ms;
  int64_t hour_cutoff_ms;
};
using WriteOp = std::variant<InsertEvent, InsertLifetime, EndLifetime, InsertRun, FinishRun, UpsertDesiredState,
                             UpsertTaskEnabled, InsertFinding, InsertOutbox, UpdateOutboxEntry, PruneBefore,
                             AddMetricRollup, PruneMetrics>;

class Writer {
 public:
  // More writes waiting than this means the disk cannot keep up: newer writes are then
  // dropped and counted, so memory stays bounded (about 35 MB of typical events).
  static constexpr size_t kMaxQueuedOps = 100000;
  // Once this many writes have been applied since the last time, the writer returns the
  // heap's free pages to the kernel when its queue runs empty.
  static constexpr size_t kTrimAfterOps = 500;
  // One transaction takes at most this many writes: it bounds how long the worker is away
  // from the queue and how much one failed transaction loses.
  static constexpr size_t kMaxBatchOps = 10000;
  // The destructor writes what is queued for at most this long, then drops the rest.
  static constexpr std::chrono::seconds kShutdownBound{5};

  // Prepares the statements on `db` (already migrated) and starts the worker. Fails with
  // SQLite's message if a statement cannot be prepared.
  static base::Result<std::unique_ptr<Writer>> Start(std::unique_ptr<SQLite::Database> db);
  // Writes what is queued, bounded by kShutdownBound (plus at most one busy timeout and
  // whatever single write the disk is stuck in), then closes the connection.
  ~Writer();
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  // Never blocks on the disk: takes the mutex only to append.
  void Enqueue(WriteOp op);
  // Blocks until every write queued before the call has been applied or dropped.
  void Flush();
  // See Store::problem().
  std::string problem() const;

 private:
  class Statements;
  struct BatchOutcome {
    size_t dropped = 0;
    std::string failure;  // SQLite's message for the last failed write; "" if all were written
  };

  Writer(std::unique_ptr<SQLite::Database> db, std::unique_ptr<Statements> statements);
  void Run();
  BatchOutcome Apply(std::deque<WriteOp>& batch);
  bool PastShutdownDeadline() const;

  std::unique_ptr<SQLite::Database> db_;    // worker only
  std::unique_ptr<Statements> statements_;  // worker only; destroyed before db_
  // steady_clock ticks after which the worker drops what is left; max() until the destructor
  // runs. Atomic because the worker reads it in the middle of a batch, without the mutex.
  std::atomic<std::chrono::steady_clock::rep> shutdown_deadline_{std::chrono::steady_clock::duration::max().count()};

  mutable std::mutex mu_;
  std::condition_variable work_cv_;  // the worker waits for writes or stopping
  std::condition_variable idle_cv_;  // Flush waits for an empty queue
  std::deque<WriteOp> queue_;        // guarded by mu_
  size_t applied_since_trim_ = 0;     // worker thread only: writes since the last malloc_trim
  size_t in_flight_ = 0;             // guarded by mu_: writes taken by the worker, not yet done
  bool exit_ = false;                // guarded by mu_: the destructor asked the worker to finish
  bool overflowing_ = false;         // guarded by mu_: writes were refused because the queue was full
  std::string problem_;              // guarded by mu_: "" when the last write succeeded
  uint64_t dropped_ = 0;             // guarded by mu_: writes lost since problem_ was last ""
  std::thread worker_;               // started last, in the constructor
};

}  // namespace vigil::store
