// SPDX-License-Identifier: MIT
// Store: SQLite through SQLiteCpp. One worker thread owns the write connection and applies
// queued writes in batched transactions; reads use their own connection on the caller's
// thread (WAL lets both run at once). SQLiteCpp throws; nothing escapes this file.
#include "store/store.h"

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

#include <SQLiteCpp/SQLiteCpp.h>
#include <fmt/format.h>

namespace vigil::store {
namespace {

using Op = std::function<void(SQLite::Database&)>;

// More queued writes than this means the disk cannot keep up; newer writes are dropped
// (and counted) rather than letting memory grow without bound.
constexpr size_t kMaxQueuedOps = 100000;

// Each migration moves the schema from version i to i+1 (PRAGMA user_version). Append only.
const char* const kMigrations[] = {
    R"sql(
CREATE TABLE programs (
  name TEXT PRIMARY KEY,
  want_up INTEGER NOT NULL,
  config_hash TEXT NOT NULL,
  updated_ms INTEGER NOT NULL
) STRICT;
CREATE TABLE lifetimes (
  id INTEGER PRIMARY KEY,
  program TEXT NOT NULL,
  pid INTEGER NOT NULL,
  started_ms INTEGER NOT NULL,
  ended_ms INTEGER,
  exit_status TEXT,
  reason TEXT
) STRICT;
CREATE INDEX lifetimes_by_program ON lifetimes(program, started_ms);
CREATE TABLE events (
  id INTEGER PRIMARY KEY,
  time_ms INTEGER NOT NULL,
  type TEXT NOT NULL,
  subject TEXT NOT NULL,
  message TEXT NOT NULL,
  details TEXT NOT NULL DEFAULT '{}'
) STRICT;
CREATE INDEX events_by_time ON events(time_ms);
CREATE INDEX events_by_subject ON events(subject, id);
CREATE INDEX events_by_type ON events(type, id);
CREATE TABLE task_runs (
  id INTEGER PRIMARY KEY,
  task TEXT NOT NULL,
  trigger TEXT NOT NULL,
  started_ms INTEGER NOT NULL,
  ended_ms INTEGER,
  exit_code INTEGER,
  signal INTEGER,
  timed_out INTEGER NOT NULL DEFAULT 0,
  interrupted INTEGER NOT NULL DEFAULT 0,
  output_tail TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX task_runs_by_task ON task_runs(task, id);
CREATE TABLE tasks (
  name TEXT PRIMARY KEY,
  enabled INTEGER NOT NULL
) STRICT;
)sql",
};

int64_t Ms(base::WallTime t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}
base::WallTime FromMs(int64_t ms) {
  return base::WallTime(std::chrono::duration_cast<base::WallTime::duration>(std::chrono::milliseconds(ms)));
}

int64_t MaxId(SQLite::Database& db, const char* table) {
  SQLite::Statement q(db, fmt::format("SELECT COALESCE(MAX(id), 0) FROM {}", table));
  q.executeStep();
  return q.getColumn(0).getInt64();
}

TaskRun ReadRun(SQLite::Statement& q) {
  TaskRun r;
  r.id = q.getColumn(0).getInt64();
  r.task = q.getColumn(1).getString();
  r.trigger = q.getColumn(2).getString();
  r.started = FromMs(q.getColumn(3).getInt64());
  if (!q.getColumn(4).isNull()) r.ended = FromMs(q.getColumn(4).getInt64());
  if (!q.getColumn(5).isNull()) r.exit_code = q.getColumn(5).getInt();
  if (!q.getColumn(6).isNull()) r.signal = q.getColumn(6).getInt();
  r.timed_out = q.getColumn(7).getInt() != 0;
  r.interrupted = q.getColumn(8).getInt() != 0;
  r.output_tail = q.getColumn(9).getString();
  return r;
}

constexpr const char* kRunColumns =
    "id, task, trigger, started_ms, ended_ms, exit_code, signal, timed_out, interrupted, output_tail";

}  // namespace

class Store::Impl {
 public:
  Impl(std::unique_ptr<SQLite::Database> write, std::unique_ptr<SQLite::Database> read)
      : write_(std::move(write)), read_(std::move(read)) {
    next_event_id_ = MaxId(*write_, "events") + 1;
    next_lifetime_id_ = MaxId(*write_, "lifetimes") + 1;
    next_run_id_ = MaxId(*write_, "task_runs") + 1;
    worker_ = std::thread([this] { Run(); });
  }

  ~Impl() {
    {
      std::unique_lock lock(mu_);
      stopping_ = true;
    }
    work_cv_.notify_one();
    worker_.join();  // the worker drains the queue before it returns
  }

  void Enqueue(Op op) {
    {
      std::lock_guard lock(mu_);
      if (queue_.size() >= kMaxQueuedOps) {
        ++dropped_;
        if (problem_.empty()) problem_ = "the disk is not keeping up";
        return;
      }
      queue_.push_back(std::move(op));
    }
    work_cv_.notify_one();
  }

  void Flush() {
    std::unique_lock lock(mu_);
    idle_cv_.wait(lock, [this] { return queue_.empty() && !busy_; });
  }

  std::string problem() const {
    std::lock_guard lock(mu_);
    if (problem_.empty()) return "";
    return fmt::format("history is not being recorded: {} ({} writes dropped)", problem_, dropped_);
  }

  SQLite::Database& read() { return *read_; }
  int64_t next_event_id_ = 1, next_lifetime_id_ = 1, next_run_id_ = 1;

 private:
  void Run() {
    std::unique_lock lock(mu_);
    for (;;) {
      work_cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty() && stopping_) return;
      std::deque<Op> batch;
      batch.swap(queue_);
      busy_ = true;
      lock.unlock();
      std::string failure;
      try {
        SQLite::Transaction txn(*write_);
        for (auto& op : batch) op(*write_);
        txn.commit();
      } catch (const std::exception& e) {
        failure = e.what();
      }
      lock.lock();
      busy_ = false;
      if (failure.empty()) {
        problem_.clear();
        dropped_ = 0;
      } else {
        problem_ = failure;
        dropped_ += batch.size();
      }
      if (queue_.empty()) idle_cv_.notify_all();
    }
  }

  std::unique_ptr<SQLite::Database> write_;  // worker thread only
  std::unique_ptr<SQLite::Database> read_;   // caller's thread only
  mutable std::mutex mu_;
  std::condition_variable work_cv_;
  std::condition_variable idle_cv_;
  std::deque<Op> queue_;  // guarded by mu_
  bool busy_ = false;     // guarded by mu_
  bool stopping_ = false; // guarded by mu_
  std::string problem_;   // guarded by mu_
  uint64_t dropped_ = 0;  // guarded by mu_
  std::thread worker_;
};

base::Result<std::unique_ptr<Store>> Store::Open(const std::filesystem::path& db_path) {
  std::error_code ec;
  std::filesystem::create_directories(db_path.parent_path(), ec);
  try {
    auto write = std::make_unique<SQLite::Database>(db_path.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE,
                                                    1000);
    write->exec("PRAGMA journal_mode=WAL");
    write->exec("PRAGMA synchronous=NORMAL");
    // History is written in small appends and read in small pages: a 256 KiB page cache per
    // connection is plenty, where SQLite's default 2 MiB would be most of vigild's memory.
    write->exec("PRAGMA cache_size=-256");
    int version = write->execAndGet("PRAGMA user_version").getInt();
    const int latest = static_cast<int>(std::size(kMigrations));
    for (int v = version; v < latest; ++v) {
      SQLite::Transaction txn(*write);
      write->exec(kMigrations[v]);
      write->exec(fmt::format("PRAGMA user_version = {}", v + 1));
      txn.commit();
    }
    // A vigild killed while things ran left them open; say what became of them.
    write->exec("UPDATE task_runs SET interrupted = 1 WHERE ended_ms IS NULL AND interrupted = 0");
    write->exec(fmt::format("UPDATE lifetimes SET ended_ms = {}, reason = 'vigild stopped unexpectedly' "
                            "WHERE ended_ms IS NULL",
                            Ms(std::chrono::system_clock::now())));
    auto read = std::make_unique<SQLite::Database>(db_path.string(), SQLite::OPEN_READONLY, 1000);
    read->exec("PRAGMA cache_size=-256");
    return std::unique_ptr<Store>(new Store(std::make_unique<Impl>(std::move(write), std::move(read))));
  } catch (const std::exception& e) {
    return base::Status::IoError(fmt::format("{}: {}", db_path.string(), e.what()));
  }
}

Store::Store(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Store::~Store() = default;

void Store::RecordEvent(const Event& event) {
  Event e = event;
  e.id = impl_->next_event_id_++;
  if (e.time == base::WallTime{}) e.time = std::chrono::system_clock::now();
  if (e.details.empty()) e.details = "{}";
  impl_->Enqueue([e](SQLite::Database& db) {
    SQLite::Statement q(db, "INSERT INTO events (id, time_ms, type, subject, message, details) VALUES (?,?,?,?,?,?)");
    q.bind(1, static_cast<int64_t>(e.id));
    q.bind(2, static_cast<int64_t>(Ms(e.time)));
    q.bind(3, e.type);
    q.bind(4, e.subject);
    q.bind(5, e.message);
    q.bind(6, e.details);
    q.exec();
  });
}

int64_t Store::BeginProcess(const std::string& program, int pid, base::WallTime started) {
  int64_t id = impl_->next_lifetime_id_++;
  impl_->Enqueue([=](SQLite::Database& db) {
    SQLite::Statement q(db, "INSERT INTO lifetimes (id, program, pid, started_ms) VALUES (?,?,?,?)");
    q.bind(1, static_cast<int64_t>(id));
    q.bind(2, program);
    q.bind(3, pid);
    q.bind(4, static_cast<int64_t>(Ms(started)));
    q.exec();
  });
  return id;
}

void Store::EndProcess(int64_t lifetime_id, base::WallTime ended, const std::string& exit_status,
                       const std::string& reason) {
  impl_->Enqueue([=](SQLite::Database& db) {
    SQLite::Statement q(db, "UPDATE lifetimes SET ended_ms = ?, exit_status = ?, reason = ? WHERE id = ?");
    q.bind(1, static_cast<int64_t>(Ms(ended)));
    q.bind(2, exit_status);
    q.bind(3, reason);
    q.bind(4, static_cast<int64_t>(lifetime_id));
    q.exec();
  });
}

int64_t Store::BeginRun(const std::string& task, const std::string& trigger, base::WallTime started) {
  int64_t id = impl_->next_run_id_++;
  impl_->Enqueue([=](SQLite::Database& db) {
    SQLite::Statement q(db, "INSERT INTO task_runs (id, task, trigger, started_ms) VALUES (?,?,?,?)");
    q.bind(1, static_cast<int64_t>(id));
    q.bind(2, task);
    q.bind(3, trigger);
    q.bind(4, static_cast<int64_t>(Ms(started)));
    q.exec();
  });
  return id;
}

void Store::EndRun(const TaskRun& run) {
  impl_->Enqueue([run](SQLite::Database& db) {
    SQLite::Statement q(db,
                        "UPDATE task_runs SET ended_ms = ?, exit_code = ?, signal = ?, timed_out = ?, "
                        "output_tail = ? WHERE id = ?");
    if (run.ended) q.bind(1, static_cast<int64_t>(Ms(*run.ended)));
    else q.bind(1);
    if (run.exit_code) q.bind(2, *run.exit_code);
    else q.bind(2);
    if (run.signal) q.bind(3, *run.signal);
    else q.bind(3);
    q.bind(4, run.timed_out ? 1 : 0);
    q.bind(5, run.output_tail);
    q.bind(6, static_cast<int64_t>(run.id));
    q.exec();
  });
}

void Store::SetDesiredState(const DesiredState& state) {
  impl_->Enqueue([state](SQLite::Database& db) {
    SQLite::Statement q(db,
                        "INSERT INTO programs (name, want_up, config_hash, updated_ms) VALUES (?,?,?,?) "
                        "ON CONFLICT(name) DO UPDATE SET want_up = excluded.want_up, "
                        "config_hash = excluded.config_hash, updated_ms = excluded.updated_ms");
    q.bind(1, state.program);
    q.bind(2, state.want_up ? 1 : 0);
    q.bind(3, state.config_hash);
    q.bind(4, static_cast<int64_t>(Ms(std::chrono::system_clock::now())));
    q.exec();
  });
}

void Store::SetTaskEnabled(const std::string& task, bool enabled) {
  impl_->Enqueue([=](SQLite::Database& db) {
    SQLite::Statement q(db, "INSERT INTO tasks (name, enabled) VALUES (?,?) "
                            "ON CONFLICT(name) DO UPDATE SET enabled = excluded.enabled");
    q.bind(1, task);
    q.bind(2, enabled ? 1 : 0);
    q.exec();
  });
}

void Store::Prune(base::WallTime cutoff) {
  int64_t ms = Ms(cutoff);
  impl_->Enqueue([ms](SQLite::Database& db) {
    for (const char* sql : {"DELETE FROM events WHERE time_ms < ?",
                            "DELETE FROM task_runs WHERE started_ms < ? AND ended_ms IS NOT NULL",
                            "DELETE FROM lifetimes WHERE started_ms < ? AND ended_ms IS NOT NULL"}) {
      SQLite::Statement q(db, sql);
      q.bind(1, static_cast<int64_t>(ms));
      q.exec();
    }
  });
}

base::Result<std::vector<Event>> Store::QueryEvents(const EventFilter& f) {
  try {
    std::string sql = "SELECT id, time_ms, type, subject, message, details FROM events WHERE 1";
    if (f.since) sql += " AND time_ms >= :since";
    if (!f.subject.empty()) sql += " AND subject = :subject";
    if (!f.type.empty()) sql += " AND type = :type";
    if (f.before_id > 0) sql += " AND id < :before";
    sql += " ORDER BY id DESC LIMIT :limit";
    SQLite::Statement q(impl_->read(), sql);
    if (f.since) q.bind(":since", static_cast<int64_t>(Ms(*f.since)));
    if (!f.subject.empty()) q.bind(":subject", f.subject);
    if (!f.type.empty()) q.bind(":type", f.type);
    if (f.before_id > 0) q.bind(":before", static_cast<int64_t>(f.before_id));
    q.bind(":limit", f.limit);
    std::vector<Event> out;
    while (q.executeStep()) {
      out.push_back({q.getColumn(0).getInt64(), FromMs(q.getColumn(1).getInt64()), q.getColumn(2).getString(),
                     q.getColumn(3).getString(), q.getColumn(4).getString(), q.getColumn(5).getString()});
    }
    return out;
  } catch (const std::exception& e) {
    return base::Status::Unavailable(std::string("cannot read the history: ") + e.what());
  }
}

base::Result<std::vector<TaskRun>> Store::QueryRuns(const std::string& task, int limit) {
  try {
    SQLite::Statement q(impl_->read(), fmt::format("SELECT {} FROM task_runs WHERE (?1 = '' OR task = ?1) "
                                                   "ORDER BY id DESC LIMIT ?2",
                                                   kRunColumns));
    q.bind(1, task);
    q.bind(2, limit);
    std::vector<TaskRun> out;
    while (q.executeStep()) out.push_back(ReadRun(q));
    return out;
  } catch (const std::exception& e) {
    return base::Status::Unavailable(std::string("cannot read the history: ") + e.what());
  }
}

base::Result<std::optional<TaskRun>> Store::LastRun(const std::string& task) {
  auto runs = QueryRuns(task, 1);
  if (!runs) return runs.error();
  if (runs->empty()) return std::optional<TaskRun>();
  return std::optional<TaskRun>(runs->front());
}

base::Result<std::vector<DesiredState>> Store::DesiredStates() {
  try {
    SQLite::Statement q(impl_->read(), "SELECT name, want_up, config_hash FROM programs");
    std::vector<DesiredState> out;
    while (q.executeStep())
      out.push_back({q.getColumn(0).getString(), q.getColumn(1).getInt() != 0, q.getColumn(2).getString()});
    return out;
  } catch (const std::exception& e) {
    return base::Status::Unavailable(std::string("cannot read the history: ") + e.what());
  }
}

base::Result<std::optional<bool>> Store::TaskEnabled(const std::string& task) {
  try {
    SQLite::Statement q(impl_->read(), "SELECT enabled FROM tasks WHERE name = ?");
    q.bind(1, task);
    if (!q.executeStep()) return std::optional<bool>();
    return std::optional<bool>(q.getColumn(0).getInt() != 0);
  } catch (const std::exception& e) {
    return base::Status::Unavailable(std::string("cannot read the history: ") + e.what());
  }
}

std::string Store::problem() const { return impl_->problem(); }
void Store::Flush() { impl_->Flush(); }

}  // namespace vigil::store
