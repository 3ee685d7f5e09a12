// SPDX-License-Identifier: MIT
// Writer: the worker thread, its queue and its prepared statements. SQLiteCpp throws;
// nothing escapes this file.
#include "store/writer.h"

#include <malloc.h>

#include <pthread.h>
#include <sched.h>
#include <sys/resource.h>
#include <unistd.h>

#include <SQLiteCpp/SQLiteCpp.h>
#include <fmt/format.h>
#include <sqlite3.h>

#include <exception>
#include <iterator>
#include <optional>
#include <utility>

#include "store/metric_rollups.h"
#include "store/unix_ms.h"

namespace vigil::store {
namespace {

// Errors that concern one row, not the database: such a write is dropped alone and the
// rest of its transaction kept. Every other error (busy, locked, full, I/O, read-only,
// corrupt, ...) fails the whole transaction.
bool IsRowError(int code) {
  return code == SQLITE_CONSTRAINT || code == SQLITE_TOOBIG || code == SQLITE_MISMATCH || code == SQLITE_RANGE;
}

// Before retention deletes rows it remembers the highest id it deletes (migration 2).
constexpr const char* kRememberPrunedSql =
    "INSERT INTO pruned_ids (table_name, max_id) "
    "SELECT '{0}', m FROM (SELECT MAX(id) AS m FROM {0} WHERE {1}) WHERE m IS NOT NULL "
    "ON CONFLICT(table_name) DO UPDATE SET max_id = MAX(max_id, excluded.max_id)";

// What retention deletes: rows about things that ended before the cutoff. Rows still open
// (a running process or run) are kept however old; a run marked interrupted never gets an
// end, so its start counts.
constexpr const char* kPrunedEvents = "time_ms < ?1";
constexpr const char* kPrunedOutbox = "created_ms < ?1 AND state != 'pending'";
constexpr const char* kPrunedLifetimes = "ended_ms < ?1";
constexpr const char* kPrunedRuns = "(ended_ms < ?1 OR (ended_ms IS NULL AND interrupted = 1 AND started_ms < ?1))";

}  // namespace

// The write connection's statements, prepared once: preparing each write anew would cost
// more than the insert itself. Worker thread only (after construction).
class Writer::Statements {
 public:
  explicit Statements(SQLite::Database& db)
      : insert_event_(db, "INSERT INTO events (id, time_ms, type, subject, message, details) VALUES (?,?,?,?,?,?)"),
        insert_lifetime_(db, "INSERT INTO lifetimes (id, program, pid, started_ms) VALUES (?,?,?,?)"),
        end_lifetime_(db, "UPDATE lifetimes SET ended_ms = ?, exit_status = ?, reason = ? WHERE id = ?"),
        insert_run_(db, "INSERT INTO task_runs (id, task, trigger, started_ms, deferred_ms) VALUES (?,?,?,?,?)"),
        finish_run_(db,
                    "UPDATE task_runs SET ended_ms = ?, exit_code = ?, signal = ?, timed_out = ?, output_tail = ? "
                    "WHERE id = ?"),
        upsert_desired_(db,
                        "INSERT INTO programs (name, want_up, config_hash, updated_ms) VALUES (?,?,?,?) "
                        "ON CONFLICT(name) DO UPDATE SET want_up = excluded.want_up, "
                        "config_hash = excluded.config_hash, updated_ms = excluded.updated_ms"),
        upsert_task_(db,
                     "INSERT INTO tasks (name, enabled) VALUES (?,?) "
                     "ON CONFLICT(name) DO UPDATE SET enabled = excluded.enabled"),
        insert_finding_(db,
                        "INSERT INTO findings (id, time_ms, severity, rank, category, subject, text, raise_id) "
                        "VALUES (?,?,?,?,?,?,?,?)"),
        insert_outbox_(db,
                       "INSERT INTO outbox (id, channel, created_ms, notification, state, attempts, next_ms, "
                       "last_error) VALUES (?,?,?,?,?,?,?,?)"),
        update_outbox_(db, "UPDATE outbox SET state = ?, attempts = ?, next_ms = ?, last_error = ? WHERE id = ?"),
        remember_events_(db, fmt::format(kRememberPrunedSql, "events", kPrunedEvents)),
        prune_events_(db, fmt::format("DELETE FROM events WHERE {}", kPrunedEvents)),
        remember_lifetimes_(db, fmt::format(kRememberPrunedSql, "lifetimes", kPrunedLifetimes)),
        prune_lifetimes_(db, fmt::format("DELETE FROM lifetimes WHERE {}", kPrunedLifetimes)),
        remember_runs_(db, fmt::format(kRememberPrunedSql, "task_runs", kPrunedRuns)),
        prune_runs_(db, fmt::format("DELETE FROM task_runs WHERE {}", kPrunedRuns)),
        remember_findings_(db, fmt::format(kRememberPrunedSql, "findings", kPrunedEvents)),
        prune_findings_(db, fmt::format("DELETE FROM findings WHERE {}", kPrunedEvents)),
        remember_outbox_(db, fmt::format(kRememberPrunedSql, "outbox", kPrunedOutbox)),
        prune_outbox_(db, fmt::format("DELETE FROM outbox WHERE {}", kPrunedOutbox)),
        upsert_metric_(db, kUpsertMetricSql),
        prune_metrics_(db, kPruneMetricsSql) {}

  // Throws SQLite::Exception; Writer::Apply catches.
  void Apply(const WriteOp& op) {
    std::visit([this](const auto& o) { Write(o); }, op);
  }

 private:
  // A statement that failed last time reports that failure again from reset; it is
  // reset here only to be reused, so that code is not wanted.
  static SQLite::Statement& Fresh(SQLite::Statement& s) {
    s.tryReset();
    return s;
  }

  void Write(const InsertEvent& op) {
    auto& q = Fresh(insert_event_);
    q.bind(1, op.event.id);
    q.bind(2, ToUnixMs(op.event.time));
    q.bind(3, op.event.type);
    q.bind(4, op.event.subject);
    q.bind(5, op.event.message);
    q.bind(6, op.event.details);
    q.exec();
  }
  void Write(const InsertLifetime& op) {
    auto& q = Fresh(insert_lifetime_);
    q.bind(1, op.id);
    q.bind(2, op.program);
    q.bind(3, op.pid);
    q.bind(4, op.started_ms);
    q.exec();
  }
  void Write(const EndLifetime& op) {
    auto& q = Fresh(end_lifetime_);
    q.bind(1, op.ended_ms);
    q.bind(2, op.exit_status);
    q.bind(3, op.reason);
    q.bind(4, op.id);
    q.exec();
  }
  void Write(const InsertRun& op) {
    auto& q = Fresh(insert_run_);
    q.bind(1, op.id);
    q.bind(2, op.task);
    q.bind(3, op.trigger);
    q.bind(4, op.started_ms);
    q.bind(5, op.deferred_ms);
    q.exec();
  }
  void Write(const FinishRun& op) {
    const TaskRun& r = op.run;
    auto& q = Fresh(finish_run_);
    BindOptional(q, 1, r.ended ? std::optional<int64_t>(ToUnixMs(*r.ended)) : std::nullopt);
    BindOptional(q, 2, r.exit_code);
    BindOptional(q, 3, r.signal);
    q.bind(4, r.timed_out ? 1 : 0);
    q.bind(5, r.output_tail);
    q.bind(6, r.id);
    q.exec();
  }
  void Write(const UpsertDesiredState& op) {
    auto& q = Fresh(upsert_desired_);
    q.bind(1, op.state.program);
    q.bind(2, op.state.want_up ? 1 : 0);
    q.bind(3, op.state.config_hash);
    q.bind(4, op.updated_ms);
    q.exec();
  }
  void Write(const UpsertTaskEnabled& op) {
    auto& q = Fresh(upsert_task_);
    q.bind(1, op.task);
    q.bind(2, op.enabled ? 1 : 0);
    q.exec();
  }
  void Write(const InsertFinding& op) {
    auto& q = Fresh(insert_finding_);
    q.bind(1, op.finding.id);
    q.bind(2, ToUnixMs(op.finding.time));
    q.bind(3, op.finding.severity);
    q.bind(4, SeverityRank(op.finding.severity));
    q.bind(5, op.finding.category);
    q.bind(6, op.finding.subject);
    q.bind(7, op.finding.text);
    q.bind(8, op.finding.raise_id);
    q.exec();
  }
  void Write(const InsertOutbox& op) {
    auto& q = Fresh(insert_outbox_);
    q.bind(1, op.entry.id);
    q.bind(2, op.entry.channel);
    q.bind(3, ToUnixMs(op.entry.created));
    q.bind(4, op.entry.notification);
    q.bind(5, op.entry.state);
    q.bind(6, op.entry.attempts);
    q.bind(7, ToUnixMs(op.entry.next_attempt));
    q.bind(8, op.entry.last_error);
    q.exec();
  }
  void Write(const UpdateOutboxEntry& op) {
    auto& q = Fresh(update_outbox_);
    q.bind(1, op.entry.state);
    q.bind(2, op.entry.attempts);
    q.bind(3, ToUnixMs(op.entry.next_attempt));
    q.bind(4, op.entry.last_error);
    q.bind(5, op.entry.id);
    q.exec();
  }
  void Write(const PruneBefore& op) {
    for (SQLite::Statement* q :
         {&remember_events_, &prune_events_, &remember_lifetimes_, &prune_lifetimes_, &remember_runs_, &prune_runs_,
          &remember_findings_, &prune_findings_, &remember_outbox_, &prune_outbox_}) {
      Fresh(*q).bind(1, op.cutoff_ms);
      q->exec();
    }
  }

  void Write(const AddMetricRollup& op) {
    for (int64_t step_s : {kMinuteStepS, kHourStepS}) {
      auto& q = Fresh(upsert_metric_);
      q.bind(1, op.name);
      q.bind(2, step_s);
      q.bind(3, BucketStart(op.minute_ms, step_s));
      q.bind(4, op.count);
      q.bind(5, op.sum);
      q.bind(6, op.max);
      q.exec();
    }
  }
  void Write(const PruneMetrics& op) {
    auto& q = Fresh(prune_metrics_);
    q.bind(1, op.minute_cutoff_ms);
    q.bind(2, op.hour_cutoff_ms);
    q.exec();
  }

  template <typename T>
  static void BindOptional(SQLite::Statement& q, int index, const std::optional<T>& value) {
    if (value) {
      q.bind(index, *value);
    } else {
      q.bind(index);  // NULL
    }
  }
  SQLite::Statement insert_event_;
  SQLite::Statement insert_lifetime_;
  SQLite::Statement end_lifetime_;
  SQLite::Statement insert_run_;
  SQLite::Statement finish_run_;
  SQLite::Statement upsert_desired_;
  SQLite::Statement upsert_task_;
  SQLite::Statement insert_finding_;
  SQLite::Statement insert_outbox_;
  SQLite::Statement update_outbox_;
  SQLite::Statement remember_events_;
  SQLite::Statement prune_events_;
  SQLite::Statement remember_lifetimes_;
  SQLite::Statement prune_lifetimes_;
  SQLite::Statement remember_runs_;
  SQLite::Statement prune_runs_;
  SQLite::Statement remember_findings_;
  SQLite::Statement prune_findings_;
  SQLite::Statement remember_outbox_;
  SQLite::Statement prune_outbox_;
  SQLite::Statement upsert_metric_;
  SQLite::Statement prune_metrics_;
};

base::Result<std::unique_ptr<Writer>> Writer::Start(std::unique_ptr<SQLite::Database> db) {
  try {
    auto statements = std::make_unique<Statements>(*db);
    return std::unique_ptr<Writer>(new Writer(std::move(db), std::move(statements)));
  } catch (const std::exception& e) {  // SQLite::Exception, or std::system_error from std::thread
    return base::Status::IoError(e.what());
  }
}

Writer::Writer(std::unique_ptr<SQLite::Database> db, std::unique_ptr<Statements> statements)
    : db_(std::move(db)), statements_(std::move(statements)) {
  worker_ = std::thread([this] { Run(); });
}

Writer::~Writer() {
  shutdown_deadline_.store((std::chrono::steady_clock::now() + kShutdownBound).time_since_epoch().count(),
                           std::memory_order_relaxed);
  {
    std::lock_guard lock(mu_);
    exit_ = true;
  }
  work_cv_.notify_one();
  worker_.join();
  statements_.reset();  // a connection with live statements cannot close
  db_.reset();
}

void Writer::Enqueue(WriteOp op) {
  bool was_empty;
  {
    std::lock_guard lock(mu_);
    if (queue_.size() >= kMaxQueuedOps) {
      // Dropping the newest keeps what is queued in order and costs nothing to decide.
      ++dropped_;
      if (!overflowing_) {
        overflowing_ = true;
        problem_ = fmt::format("more than {} writes are waiting for the disk", kMaxQueuedOps);
      }
      return;
    }
    was_empty = queue_.empty();
    queue_.push_back(std::move(op));
  }
  // The worker waits only on an empty queue, so only the first write after that needs to
  // wake it; the rest would be wasted futex calls while it is busy.
  if (was_empty) work_cv_.notify_one();
}

void Writer::Flush() {
  std::unique_lock lock(mu_);
  idle_cv_.wait(lock, [this] { return queue_.empty() && in_flight_ == 0; });
}

std::string Writer::problem() const {
  std::lock_guard lock(mu_);
  if (problem_.empty()) return "";
  return fmt::format("history is not being recorded: {} ({} writes dropped)", problem_, dropped_);
}

bool Writer::PastShutdownDeadline() const {
  return std::chrono::steady_clock::now().time_since_epoch().count() >
         shutdown_deadline_.load(std::memory_order_relaxed);
}

void Writer::Run() {
  // History must never delay supervision. Woken by the loop thread's first write of a
  // burst, a normal thread would preempt it on its CPU (the kernel favours a thread that
  // slept) and commit before the loop gets to the restart or spawn it was doing.
  // SCHED_BATCH takes no wakeup preemption, and a lower priority yields the CPU to the
  // loop thread; neither needs privileges. Failure only costs latency.
  sched_param param{};
  (void)pthread_setschedparam(pthread_self(), SCHED_BATCH, &param);
  (void)setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), 5);
  std::unique_lock lock(mu_);
  for (;;) {
    // Idle means blocked here: no timer, no polling.
    work_cv_.wait(lock, [this] { return exit_ || !queue_.empty(); });
    if (queue_.empty()) return;  // exit_, and everything was written
    if (exit_ && PastShutdownDeadline()) {
      dropped_ += queue_.size();
      queue_.clear();
      idle_cv_.notify_all();
      return;
    }
    std::deque<WriteOp> batch;
    if (queue_.size() <= kMaxBatchOps) {
      batch.swap(queue_);
    } else {
      auto end = queue_.begin() + static_cast<std::ptrdiff_t>(kMaxBatchOps);
      batch.assign(std::make_move_iterator(queue_.begin()), std::make_move_iterator(end));
      queue_.erase(queue_.begin(), end);
    }
    in_flight_ = batch.size();
    lock.unlock();

    BatchOutcome outcome = Apply(batch);
    applied_since_trim_ += batch.size();
    batch = {};  // free the strings before taking the lock again

    lock.lock();
    in_flight_ = 0;
    if (!outcome.failure.empty()) {
      problem_ = std::move(outcome.failure);
      dropped_ += outcome.dropped;
    } else if (!overflowing_ || queue_.size() <= kMaxQueuedOps / 2) {
      // Writes succeed again (and the queue has room again, if it was full): healthy.
      problem_.clear();
      dropped_ = 0;
      overflowing_ = false;
    }
    if (queue_.empty()) {
      idle_cv_.notify_all();
      if (applied_since_trim_ >= kTrimAfterOps) {
        // The end of a burst (start-up, a reload, the first results of a thousand checks):
        // its freed strings lie in the middle of the heap, where malloc keeps them; hand
        // those pages back to the kernel, off the loop thread.
        applied_since_trim_ = 0;
        lock.unlock();
        ::malloc_trim(0);
        lock.lock();
      }
    }
  }
}

Writer::BatchOutcome Writer::Apply(std::deque<WriteOp>& batch) {
  BatchOutcome out;
  try {
    // IMMEDIATE takes the write lock up front: a locked database fails here, after the busy
    // timeout, before any work is done.
    SQLite::Transaction txn(*db_, SQLite::TransactionBehavior::IMMEDIATE);
    size_t i = 0;
    for (; i < batch.size(); ++i) {
      // Every 256 writes is often enough to keep the shutdown bound and too rare to cost.
      if (i % 256 == 0 && PastShutdownDeadline()) break;
      try {
        statements_->Apply(batch[i]);
      } catch (const SQLite::Exception& e) {
        // SQLite may already have rolled the transaction back (it does for a full disk or an
        // I/O error); then nothing in this batch was written.
        if (!IsRowError(e.getErrorCode()) || sqlite3_get_autocommit(db_->getHandle())) throw;
        ++out.dropped;
        out.failure = e.what();
      }
    }
    if (i < batch.size()) {
      out.dropped += batch.size() - i;
      out.failure = "vigild stopped before they were written";
    }
    txn.commit();
  } catch (const std::exception& e) {
    out.dropped = batch.size();
    out.failure = e.what();
  }
  return out;
}

}  // namespace vigil::store
