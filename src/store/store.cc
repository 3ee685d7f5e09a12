// SPDX-License-Identifier: MIT
// Store: opens the database, hands writes to the Writer and answers reads on its own
// read-only connection. SQLiteCpp throws; nothing escapes this file.
#include "store/store.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>

#include <SQLiteCpp/SQLiteCpp.h>
#include <fmt/format.h>

#include <chrono>
#include <exception>
#include <system_error>
#include <utility>

#include "store/metric_buffer.h"
#include "store/metric_rollups.h"
#include "store/schema.h"
#include "store/unix_ms.h"
#include "store/writer.h"

namespace vigil::store {
namespace {

// Small on purpose: a locked database must not hold the writer (or a read on the loop
// thread) for long. Writes that time out are dropped and reported.
constexpr int kBusyTimeoutMs = 1000;

// History is written in small appends and read in small pages: 256 KiB of page cache per
// connection is plenty, where SQLite's default 2 MiB would be most of vigild's memory.
constexpr const char* kCacheSizePragma = "PRAGMA cache_size = -256";

constexpr const char* kRunColumns =
    "id, task, trigger, started_ms, ended_ms, exit_code, signal, timed_out, interrupted, output_tail, deferred_ms";

TaskRun ReadRun(SQLite::Statement& q) {
  TaskRun r;
  r.id = q.getColumn(0).getInt64();
  r.task = q.getColumn(1).getString();
  r.trigger = q.getColumn(2).getString();
  r.started = FromUnixMs(q.getColumn(3).getInt64());
  if (!q.getColumn(4).isNull()) r.ended = FromUnixMs(q.getColumn(4).getInt64());
  if (!q.getColumn(5).isNull()) r.exit_code = q.getColumn(5).getInt();
  if (!q.getColumn(6).isNull()) r.signal = q.getColumn(6).getInt();
  r.timed_out = q.getColumn(7).getInt() != 0;
  r.interrupted = q.getColumn(8).getInt() != 0;
  r.output_tail = q.getColumn(9).getString();
  r.deferred = base::Duration(q.getColumn(10).getInt64());
  return r;
}

// What SQLite's "unable to open database file" does not say: why the file cannot be opened.
// "" when nothing is visibly wrong.
std::string WhyNotOpenable(const std::filesystem::path& db_path) {
  std::error_code ec;
  if (std::filesystem::is_directory(db_path, ec)) return "it is a directory";
  const std::filesystem::path dir = db_path.has_parent_path() ? db_path.parent_path() : ".";
  if (!std::filesystem::exists(dir, ec)) return "directory " + dir.string() + " does not exist";
  if (::access(dir.c_str(), W_OK | X_OK) != 0) return "directory " + dir.string() + ": " + std::strerror(errno);
  if (std::filesystem::exists(db_path, ec) && ::access(db_path.c_str(), R_OK | W_OK) != 0) {
    return std::strerror(errno);
  }
  return "";
}

}  // namespace

// Loop thread only; the writer has its own thread rule (writer.h).
class Store::Impl {
 public:
  Impl(std::string path, std::unique_ptr<Writer> writer, std::unique_ptr<SQLite::Database> read, NextIds next)
      : path_(std::move(path)), writer_(std::move(writer)), read_(std::move(read)), next_(next) {}

  // Hands closed minutes to the writer.
  void QueueRollups(std::vector<MetricBuffer::Closed> closed) {
    for (MetricBuffer::Closed& c : closed) {
      writer_->Enqueue(
          AddMetricRollup{std::move(c.name), c.minute.start_ms, c.minute.count, c.minute.sum, c.minute.max});
    }
  }

  base::Status ReadError(const std::exception& e) const {
    return base::Status::Unavailable(fmt::format("cannot read the history in {}: {}", path_, e.what()));
  }

  std::string path_;
  // Declared before read_ so it is destroyed after it: the writer's connection, closing
  // last, checkpoints the WAL into the database file, which a read-only one cannot.
  std::unique_ptr<Writer> writer_;
  std::unique_ptr<SQLite::Database> read_;
  NextIds next_;
  MetricBuffer metrics_;                   // the open minute of each metric
  int64_t metrics_pruned_ms_ = INT64_MIN;  // sample time of the last queued PruneMetrics
};

base::Result<std::unique_ptr<Store>> Store::Open(const std::filesystem::path& db_path) {
  const std::string path = db_path.string();
  auto failed = [&path](const std::string& why) { return base::Status::IoError(fmt::format("{}: {}", path, why)); };
  if (db_path.has_parent_path()) {
    std::error_code ec;
    std::filesystem::create_directories(db_path.parent_path(), ec);
    if (ec) {
      return base::Status::IoError(
          fmt::format("cannot create directory {}: {}", db_path.parent_path().string(), ec.message()));
    }
  }
  try {
    // Each connection is used by one thread at a time, so SQLite's own mutexes are not needed.
    auto write = std::make_unique<SQLite::Database>(
        path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE | SQLite::OPEN_NOMUTEX, kBusyTimeoutMs);
    // The first statement to read the file: a corrupt one fails here ("file is not a
    // database"). A file system without WAL support keeps its journal mode; the store still
    // works, only reads then wait for commits (up to the busy timeout).
    write->exec("PRAGMA journal_mode = WAL");
    // NORMAL in WAL mode: a power cut may lose the last commits, never the database.
    write->exec("PRAGMA synchronous = NORMAL");
    write->exec("PRAGMA foreign_keys = ON");
    write->exec(kCacheSizePragma);
    // A burst (a full queue is a few tens of MB) grows the WAL; this shrinks it again after
    // the next checkpoint instead of keeping the space for good.
    write->exec("PRAGMA journal_size_limit = 8388608");

    if (base::Status s = Migrate(*write); !s.ok()) return failed(s.message());
    if (base::Status s = CloseLeftOpen(*write, std::chrono::system_clock::now()); !s.ok()) return failed(s.message());
    auto next = ReadNextIds(*write);
    if (!next) return failed(next.error().message());

    auto read = std::make_unique<SQLite::Database>(path, SQLite::OPEN_READONLY | SQLite::OPEN_NOMUTEX, kBusyTimeoutMs);
    read->exec(kCacheSizePragma);

    auto writer = Writer::Start(std::move(write));
    if (!writer) return failed(writer.error().message());
    return std::unique_ptr<Store>(
        new Store(std::make_unique<Impl>(path, std::move(writer).value(), std::move(read), *next)));
  } catch (const std::exception& e) {
    const std::string why = WhyNotOpenable(db_path);
    return failed(why.empty() ? std::string(e.what()) : fmt::format("{} ({})", e.what(), why));
  }
}

Store::Store(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Store::~Store() {
  // Before the writer's own shutdown flush, so a clean stop loses no sample.
  impl_->QueueRollups(impl_->metrics_.CloseAll());
}

int64_t Store::RecordEvent(const Event& event) {
  InsertEvent op{event};
  const int64_t id = op.event.id = impl_->next_.event++;
  if (op.event.time == base::WallTime{}) op.event.time = std::chrono::system_clock::now();
  if (op.event.details.empty()) op.event.details = "{}";
  impl_->writer_->Enqueue(std::move(op));
  return id;
}

int64_t Store::BeginProcess(const std::string& program, int pid, base::WallTime started) {
  int64_t id = impl_->next_.lifetime++;
  impl_->writer_->Enqueue(InsertLifetime{id, program, pid, ToUnixMs(started)});
  return id;
}

void Store::EndProcess(int64_t lifetime_id, base::WallTime ended, const std::string& exit_status,
                       const std::string& reason) {
  impl_->writer_->Enqueue(EndLifetime{lifetime_id, ToUnixMs(ended), exit_status, reason});
}

int64_t Store::BeginRun(const std::string& task, const std::string& trigger, base::WallTime started,
                        base::Duration deferred) {
  int64_t id = impl_->next_.run++;
  impl_->writer_->Enqueue(InsertRun{id, task, trigger, ToUnixMs(started), deferred.count()});
  return id;
}

void Store::SkipRunIdsThrough(int64_t id) { impl_->next_.run = std::max(impl_->next_.run, id + 1); }

void Store::EndRun(const TaskRun& run) { impl_->writer_->Enqueue(FinishRun{run}); }

void Store::SetDesiredState(const DesiredState& state) {
  impl_->writer_->Enqueue(UpsertDesiredState{state, ToUnixMs(std::chrono::system_clock::now())});
}

void Store::SetTaskEnabled(const std::string& task, bool enabled) {
  impl_->writer_->Enqueue(UpsertTaskEnabled{task, enabled});
}

int SeverityRank(const std::string& severity) {
  if (severity == "info") return 0;
  if (severity == "warn") return 1;
  return 2;
}

int64_t Store::RecordFinding(const Finding& finding) {
  InsertFinding op{finding};
  op.finding.id = impl_->next_.finding++;
  if (op.finding.time == base::WallTime{}) op.finding.time = std::chrono::system_clock::now();
  const int64_t id = op.finding.id;
  impl_->writer_->Enqueue(std::move(op));
  return id;
}

base::Result<std::vector<Finding>> Store::QueryFindings(const FindingFilter& f) {
  std::vector<Finding> out;
  if (f.limit <= 0) return out;
  try {
    std::string sql = "SELECT id, time_ms, severity, category, subject, text, raise_id FROM findings WHERE 1";
    if (f.since) sql += " AND time_ms >= :since";
    if (f.min_rank > 0) sql += " AND rank >= :rank";
    if (f.before_id > 0) sql += " AND id < :before";
    sql += " ORDER BY id DESC LIMIT :limit";
    SQLite::Statement q(*impl_->read_, sql);
    if (f.since) q.bind(":since", ToUnixMs(*f.since));
    if (f.min_rank > 0) q.bind(":rank", f.min_rank);
    if (f.before_id > 0) q.bind(":before", f.before_id);
    q.bind(":limit", f.limit);
    while (q.executeStep()) {
      out.push_back({q.getColumn(0).getInt64(), FromUnixMs(q.getColumn(1).getInt64()), q.getColumn(2).getString(),
                     q.getColumn(3).getString(), q.getColumn(4).getString(), q.getColumn(5).getString(),
                     q.getColumn(6).getInt64()});
    }
    return out;
  } catch (const std::exception& e) {
    return impl_->ReadError(e);
  }
}

int64_t Store::AddToOutbox(const OutboxEntry& entry) {
  InsertOutbox op{entry};
  op.entry.id = impl_->next_.outbox++;
  const int64_t id = op.entry.id;
  impl_->writer_->Enqueue(std::move(op));
  return id;
}

void Store::UpdateOutbox(const OutboxEntry& entry) { impl_->writer_->Enqueue(UpdateOutboxEntry{entry}); }

base::Result<std::vector<OutboxEntry>> Store::PendingOutbox() {
  try {
    SQLite::Statement q(*impl_->read_,
                        "SELECT id, channel, created_ms, notification, state, attempts, next_ms, last_error "
                        "FROM outbox WHERE state = 'pending' ORDER BY id");
    std::vector<OutboxEntry> out;
    while (q.executeStep()) {
      out.push_back({q.getColumn(0).getInt64(), q.getColumn(1).getString(), FromUnixMs(q.getColumn(2).getInt64()),
                     q.getColumn(3).getString(), q.getColumn(4).getString(), q.getColumn(5).getInt(),
                     FromUnixMs(q.getColumn(6).getInt64()), q.getColumn(7).getString()});
    }
    return out;
  } catch (const std::exception& e) {
    return impl_->ReadError(e);
  }
}

void Store::Prune(base::WallTime cutoff) { impl_->writer_->Enqueue(PruneBefore{ToUnixMs(cutoff)}); }

void Store::RecordSample(const std::string& name, base::WallTime time, double value) {
  const int64_t time_ms = ToUnixMs(time);
  // Queued before any prune below, so a prune never runs ahead of older minutes.
  impl_->QueueRollups(impl_->metrics_.Add(name, time_ms, value));
  const int64_t every_ms = std::chrono::duration_cast<std::chrono::milliseconds>(kMetricPruneEvery).count();
  if (impl_->metrics_pruned_ms_ != INT64_MIN && time_ms - impl_->metrics_pruned_ms_ < every_ms &&
      time_ms >= impl_->metrics_pruned_ms_) {
    return;
  }
  impl_->metrics_pruned_ms_ = time_ms;
  impl_->writer_->Enqueue(PruneMetrics{ToUnixMs(time - kMinuteRetention), ToUnixMs(time - kHourRetention)});
}

base::Result<std::vector<MetricPoint>> Store::QueryMetrics(const std::string& name, base::WallTime since,
                                                           base::WallTime until, std::chrono::seconds step) {
  if (step.count() <= 0) return base::Status::InvalidArgument("the step must be at least 1s");
  try {
    return ReadMetricPoints(*impl_->read_, name, ToUnixMs(since), ToUnixMs(until), step.count(),
                            impl_->metrics_.Find(name));
  } catch (const std::exception& e) {
    return impl_->ReadError(e);
  }
}

base::Result<std::vector<std::string>> Store::MetricNames() {
  try {
    std::vector<std::string> names = ReadMetricNames(*impl_->read_);
    // A name seen first this minute has no row yet.
    for (std::string& name : impl_->metrics_.OpenNames()) names.push_back(std::move(name));
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
    return names;
  } catch (const std::exception& e) {
    return impl_->ReadError(e);
  }
}

base::Result<std::vector<Event>> Store::QueryEvents(const EventFilter& f) {
  std::vector<Event> out;
  if (f.limit <= 0) return out;
  try {
    // Only the filters in use go into the SQL, so SQLite can pick the index that fits
    // (events_by_subject, events_by_type, or the id order itself for the newest page).
    std::string sql = "SELECT id, time_ms, type, subject, message, details FROM events WHERE 1";
    if (f.since) sql += " AND time_ms >= :since";
    if (!f.subject.empty()) sql += " AND subject = :subject";
    if (!f.type.empty()) sql += " AND type = :type";
    if (f.before_id > 0) sql += " AND id < :before";
    sql += " ORDER BY id DESC LIMIT :limit";
    SQLite::Statement q(*impl_->read_, sql);
    if (f.since) q.bind(":since", ToUnixMs(*f.since));
    if (!f.subject.empty()) q.bind(":subject", f.subject);
    if (!f.type.empty()) q.bind(":type", f.type);
    if (f.before_id > 0) q.bind(":before", f.before_id);
    q.bind(":limit", f.limit);
    while (q.executeStep()) {
      out.push_back({q.getColumn(0).getInt64(), FromUnixMs(q.getColumn(1).getInt64()), q.getColumn(2).getString(),
                     q.getColumn(3).getString(), q.getColumn(4).getString(), q.getColumn(5).getString()});
    }
    return out;
  } catch (const std::exception& e) {
    return impl_->ReadError(e);
  }
}

base::Result<std::vector<TaskRun>> Store::QueryRuns(const std::string& task, int limit) {
  std::vector<TaskRun> out;
  if (limit <= 0) return out;
  try {
    // Two statements rather than "(? = '' OR task = ?)", which would hide task_runs_by_task
    // from the planner.
    SQLite::Statement q(
        *impl_->read_, task.empty() ? fmt::format("SELECT {} FROM task_runs ORDER BY id DESC LIMIT :limit", kRunColumns)
                                    : fmt::format("SELECT {} FROM task_runs WHERE task = :task "
                                                  "ORDER BY id DESC LIMIT :limit",
                                                  kRunColumns));
    if (!task.empty()) q.bind(":task", task);
    q.bind(":limit", limit);
    while (q.executeStep()) out.push_back(ReadRun(q));
    return out;
  } catch (const std::exception& e) {
    return impl_->ReadError(e);
  }
}

base::Result<std::vector<TaskRun>> Store::QueryRunsBetween(base::WallTime since, base::WallTime until, int limit) {
  std::vector<TaskRun> out;
  if (limit <= 0) return out;
  try {
    SQLite::Statement q(*impl_->read_, fmt::format("SELECT {} FROM task_runs WHERE started_ms >= :since AND "
                                                   "started_ms < :until ORDER BY started_ms, id LIMIT :limit",
                                                   kRunColumns));
    q.bind(":since", ToUnixMs(since));
    q.bind(":until", ToUnixMs(until));
    q.bind(":limit", limit);
    while (q.executeStep()) out.push_back(ReadRun(q));
    return out;
  } catch (const std::exception& e) {
    return impl_->ReadError(e);
  }
}

namespace {

// One row of "SELECT id, program, pid, started_ms, ended_ms, exit_status, reason FROM
// lifetimes".
Lifetime ReadLifetime(SQLite::Statement& q) {
  Lifetime l;
  l.id = q.getColumn(0).getInt64();
  l.program = q.getColumn(1).getString();
  l.pid = q.getColumn(2).getInt();
  l.started = FromUnixMs(q.getColumn(3).getInt64());
  if (!q.getColumn(4).isNull()) l.ended = FromUnixMs(q.getColumn(4).getInt64());
  l.exit_status = q.getColumn(5).getString();  // NULL reads as ""
  l.reason = q.getColumn(6).getString();
  return l;
}

}  // namespace

base::Result<std::vector<Lifetime>> Store::QueryLifetimes(base::WallTime since, base::WallTime until, int limit) {
  std::vector<Lifetime> out;
  if (limit <= 0) return out;
  try {
    SQLite::Statement q(*impl_->read_,
                        "SELECT id, program, pid, started_ms, ended_ms, exit_status, reason FROM lifetimes "
                        "WHERE started_ms < :until AND (ended_ms IS NULL OR ended_ms >= :since) "
                        "ORDER BY started_ms, id LIMIT :limit");
    q.bind(":since", ToUnixMs(since));
    q.bind(":until", ToUnixMs(until));
    q.bind(":limit", limit);
    while (q.executeStep()) out.push_back(ReadLifetime(q));
    return out;
  } catch (const std::exception& e) {
    return impl_->ReadError(e);
  }
}

base::Result<std::vector<Lifetime>> Store::ProgramLifetimes(const std::string& program, int64_t before_id,
                                                            int limit) {
  std::vector<Lifetime> out;
  if (limit <= 0) return out;
  try {
    // substr, not LIKE: '_' in a name would be a LIKE wildcard.
    SQLite::Statement q(*impl_->read_,
                        "SELECT id, program, pid, started_ms, ended_ms, exit_status, reason FROM lifetimes "
                        "WHERE (program = :p OR substr(program, 1, length(:p) + 1) = :p || ':') "
                        "AND (:before <= 0 OR id < :before) ORDER BY id DESC LIMIT :limit");
    q.bind(":p", program);
    q.bind(":before", before_id);
    q.bind(":limit", limit);
    while (q.executeStep()) out.push_back(ReadLifetime(q));
    return out;
  } catch (const std::exception& e) {
    return impl_->ReadError(e);
  }
}

base::Result<std::optional<TaskRun>> Store::LastRun(const std::string& task) {
  auto runs = QueryRuns(task, 1);
  if (!runs) return runs.error();
  if (runs->empty()) return std::optional<TaskRun>();
  return std::optional<TaskRun>(std::move(runs->front()));
}

base::Result<std::vector<DesiredState>> Store::DesiredStates() {
  try {
    SQLite::Statement q(*impl_->read_, "SELECT name, want_up, config_hash FROM programs ORDER BY name");
    std::vector<DesiredState> out;
    while (q.executeStep()) {
      out.push_back({q.getColumn(0).getString(), q.getColumn(1).getInt() != 0, q.getColumn(2).getString()});
    }
    return out;
  } catch (const std::exception& e) {
    return impl_->ReadError(e);
  }
}

base::Result<std::optional<bool>> Store::TaskEnabled(const std::string& task) {
  try {
    SQLite::Statement q(*impl_->read_, "SELECT enabled FROM tasks WHERE name = ?");
    q.bind(1, task);
    if (!q.executeStep()) return std::optional<bool>();
    return std::optional<bool>(q.getColumn(0).getInt() != 0);
  } catch (const std::exception& e) {
    return impl_->ReadError(e);
  }
}

std::string Store::problem() const { return impl_->writer_->problem(); }

void Store::Flush() {
  impl_->QueueRollups(impl_->metrics_.CloseAll());
  impl_->writer_->Flush();
}

}  // namespace vigil::store
