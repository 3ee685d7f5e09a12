// SPDX-License-Identifier: MIT
// Store tests on real SQLite files in a temporary directory. They wait with Flush, never sleep.
#include "store/store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "store/writer.h"

namespace vigil::store {
namespace {

namespace fs = std::filesystem;
using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::seconds;
using ::testing::HasSubstr;

// A connection of its own, as another process would have, to look at what the Store wrote.
class RawDb {
 public:
  explicit RawDb(const fs::path& path) {
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
      ADD_FAILURE() << "open " << path << ": " << sqlite3_errmsg(db_);
    }
    sqlite3_busy_timeout(db_, 5000);
  }
  ~RawDb() { sqlite3_close(db_); }
  void Exec(const std::string& sql) {
    char* error = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) ADD_FAILURE() << sql << ": " << error;
    sqlite3_free(error);
  }
  // The first column of the first row as text ("" if there is no row or it is NULL).
  std::string Text(const std::string& sql) {
    sqlite3_stmt* q = nullptr;
    std::string out;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &q, nullptr) != SQLITE_OK) {
      ADD_FAILURE() << sql << ": " << sqlite3_errmsg(db_);
    } else if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_text(q, 0) != nullptr) {
      out = reinterpret_cast<const char*>(sqlite3_column_text(q, 0));
    }
    sqlite3_finalize(q);
    return out;
  }
  int64_t Int(const std::string& sql) { return std::stoll("0" + Text(sql)); }
  sqlite3* handle() { return db_; }

 private:
  sqlite3* db_ = nullptr;
};

class StoreTest : public ::testing::Test {
 protected:
  StoreTest() {
    char tmpl[] = "/tmp/vigil-store-test-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    path_ = dir_ / "state" / "vigil.db";  // "state" does not exist yet: Open creates it
  }
  ~StoreTest() override { fs::remove_all(dir_); }

  std::unique_ptr<Store> Open() {
    auto s = Store::Open(path_);
    EXPECT_TRUE(s) << s.error().message();
    return s ? std::move(s).value() : nullptr;
  }
  static Event E(std::string type, std::string subject, std::string message) {
    Event e;
    e.type = std::move(type);
    e.subject = std::move(subject);
    e.message = std::move(message);
    return e;
  }
  static std::vector<std::string> Messages(const std::vector<Event>& events) {
    std::vector<std::string> out;
    for (const auto& e : events) out.push_back(e.message);
    return out;
  }
  static EventFilter All() {
    EventFilter f;
    f.limit = 1000000;
    return f;
  }

  fs::path dir_;
  fs::path path_;
};

TEST_F(StoreTest, MigratesAnEmptyFileToTheLatestSchema) {
  Open().reset();
  RawDb db(path_);
  EXPECT_EQ(db.Int("PRAGMA user_version"), 5);
  EXPECT_EQ(db.Text("PRAGMA journal_mode"), "wal");
  EXPECT_EQ(db.Int("SELECT COUNT(*) FROM pragma_table_list WHERE schema = 'main' AND type = 'table' "
                   "AND name NOT LIKE 'sqlite_%' AND strict = 0"),
            0)
      << "every table is STRICT";
  EXPECT_EQ(db.Int("SELECT COUNT(*) FROM sqlite_schema WHERE type = 'table' AND name IN "
                   "('programs', 'lifetimes', 'events', 'task_runs', 'tasks', 'pruned_ids', 'findings', 'outbox')"),
            8);
  EXPECT_EQ(db.Int("SELECT COUNT(*) FROM sqlite_schema WHERE type = 'index' AND name IN ('lifetimes_by_program', "
                   "'events_by_time', 'events_by_subject', 'events_by_type', 'task_runs_by_task')"),
            5);
}

TEST_F(StoreTest, UpgradesAVersion1DatabaseKeepingItsData) {
  {
    auto store = Open();
    store->RecordEvent(E("daemon", "vigild", "written by version 1"));
  }
  {
    // What a database written before migration 2 looks like.
    RawDb db(path_);
    db.Exec("DROP TABLE pruned_ids; DROP TABLE findings; DROP TABLE outbox; DROP TABLE metrics; "
            "ALTER TABLE task_runs DROP COLUMN deferred_ms; PRAGMA user_version = 1;");
  }
  auto store = Open();
  store->RecordEvent(E("daemon", "vigild", "written by version 2"));
  store->Flush();
  auto events = store->QueryEvents({});
  ASSERT_TRUE(events);
  EXPECT_THAT(Messages(*events), ::testing::ElementsAre("written by version 2", "written by version 1"));
  EXPECT_EQ(RawDb(path_).Int("PRAGMA user_version"), 5);
}

TEST_F(StoreTest, TheOutboxKeepsWhatIsPendingAcrossAReopen) {
  const base::WallTime t0 = std::chrono::sys_days{std::chrono::year{2026} / 11 / 1};
  int64_t sent = 0;
  int64_t waiting = 0;
  {
    auto store = Open();
    sent = store->AddToOutbox({0, "ops", t0, R"({"id":"a"})", "pending", 0, t0, ""});
    waiting = store->AddToOutbox({0, "hook", t0, R"({"id":"b"})", "pending", 0, t0, ""});
    store->UpdateOutbox({sent, "ops", t0, "", "sent", 1, t0, ""});
    store->UpdateOutbox({waiting, "hook", t0, "", "pending", 2, t0 + std::chrono::seconds(20), "connection refused"});
  }
  auto store = Open();
  auto pending = store->PendingOutbox();
  ASSERT_TRUE(pending);
  ASSERT_EQ(pending->size(), 1u);
  EXPECT_EQ((*pending)[0].id, waiting);
  EXPECT_EQ((*pending)[0].channel, "hook");
  EXPECT_EQ((*pending)[0].notification, R"({"id":"b"})");
  EXPECT_EQ((*pending)[0].attempts, 2);
  EXPECT_EQ((*pending)[0].last_error, "connection refused");
  EXPECT_EQ((*pending)[0].next_attempt, t0 + std::chrono::seconds(20));
  // Retention keeps a pending one however old, and ids go on.
  store->Prune(t0 + std::chrono::hours(1));
  store->Flush();
  EXPECT_EQ(store->PendingOutbox()->size(), 1u);
  EXPECT_GT(store->AddToOutbox({0, "ops", t0, "{}", "pending", 0, t0, ""}), waiting);
}

TEST_F(StoreTest, FindingsRoundTripBySeverityAndAreKeptLikeEvents) {
  auto store = Open();
  const base::WallTime t0 = std::chrono::sys_days{std::chrono::year{2026} / 11 / 1};
  const int64_t raise = store->RecordFinding({0, t0, "crit", "check", "cpu", "CPU at 93% for 5m.", 0});
  store->RecordFinding({0, t0 + std::chrono::minutes(25), "info", "check", "cpu", "CPU back to 41% after 25m.", raise});
  store->RecordFinding({0, t0 + std::chrono::hours(1), "warn", "task", "backup", "backup failed: exit 1.", 0});
  store->Flush();
  auto all = store->QueryFindings({});
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].subject, "backup");  // newest first
  EXPECT_EQ((*all)[1].raise_id, raise);
  FindingFilter warn;
  warn.min_rank = SeverityRank("warn");
  auto bad = store->QueryFindings(warn);
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->size(), 2u);
  FindingFilter crit;
  crit.min_rank = SeverityRank("crit");
  EXPECT_EQ(store->QueryFindings(crit)->size(), 1u);
  FindingFilter since;
  since.since = t0 + std::chrono::minutes(30);
  EXPECT_EQ(store->QueryFindings(since)->size(), 1u);
  store->Prune(t0 + std::chrono::minutes(30));
  store->Flush();
  EXPECT_EQ(store->QueryFindings({})->size(), 1u);
  // Ids go on past the pruned ones.
  EXPECT_GT(store->RecordFinding({0, t0 + std::chrono::hours(2), "info", "action", "cpu", "x", 0}), raise + 2);
}

TEST_F(StoreTest, RefusesADatabaseFromANewerVigild) {
  Open().reset();
  RawDb(path_).Exec("PRAGMA user_version = 99");
  auto s = Store::Open(path_);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code(), base::StatusCode::kIoError);
  EXPECT_THAT(s.error().message(), HasSubstr(path_.string()));
  EXPECT_THAT(s.error().message(), HasSubstr("schema version 99, newer than this vigild's 5"));
}

TEST_F(StoreTest, DataSurvivesReopenAndIdsContinue) {
  {
    auto store = Open();
    store->RecordEvent(E("daemon", "vigild", "started"));
    store->SetDesiredState({"web", false, "abc"});
    store->SetTaskEnabled("cleanup", false);
    // No Flush: the destructor writes what is queued.
  }
  auto store = Open();
  store->RecordEvent(E("daemon", "vigild", "started again"));
  store->Flush();
  auto events = store->QueryEvents({});
  ASSERT_TRUE(events);
  ASSERT_EQ(events->size(), 2u);
  EXPECT_EQ((*events)[0].id, (*events)[1].id + 1);
  auto wants = store->DesiredStates();
  ASSERT_TRUE(wants);
  ASSERT_EQ(wants->size(), 1u);
  EXPECT_FALSE((*wants)[0].want_up);
  EXPECT_EQ((*wants)[0].config_hash, "abc");
  EXPECT_EQ(store->TaskEnabled("cleanup").value(), std::optional<bool>(false));
}

TEST_F(StoreTest, EventsRoundTripWithFiltersAndPaging) {
  auto store = Open();
  const auto t0 = base::WallTime(milliseconds(1'800'000'000'123));
  for (int i = 0; i < 5; ++i) {
    Event e = E("state", "web", "change " + std::to_string(i));
    e.time = t0 + seconds(i);
    store->RecordEvent(e);
  }
  Event signal = E("signal", "db", "sent SIGTERM");
  signal.time = t0 + seconds(10);
  signal.details = R"({"signal":"SIGTERM","pid":42})";
  store->RecordEvent(signal);
  store->RecordEvent(E("state", "db", "running"));  // time left unset: now
  store->Flush();

  auto all = store->QueryEvents({});
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 7u);
  EXPECT_EQ((*all)[0].message, "running");  // newest first
  EXPECT_GT((*all)[0].time, std::chrono::system_clock::now() - hours(1));
  EXPECT_EQ((*all)[0].details, "{}");
  EXPECT_EQ((*all)[1].details, R"({"signal":"SIGTERM","pid":42})");
  EXPECT_EQ((*all)[1].time, t0 + seconds(10));  // milliseconds survive
  EXPECT_EQ((*all)[1].subject, "db");
  EXPECT_EQ((*all)[1].type, "signal");

  EventFilter web;
  web.subject = "web";
  web.limit = 2;
  auto page1 = store->QueryEvents(web);
  ASSERT_TRUE(page1);
  EXPECT_THAT(Messages(*page1), ::testing::ElementsAre("change 4", "change 3"));
  web.before_id = page1->back().id;
  auto page2 = store->QueryEvents(web);
  EXPECT_THAT(Messages(*page2), ::testing::ElementsAre("change 2", "change 1"));
  web.before_id = page2->back().id;
  auto page3 = store->QueryEvents(web);
  EXPECT_THAT(Messages(*page3), ::testing::ElementsAre("change 0"));

  EventFilter signals;
  signals.type = "signal";
  EXPECT_THAT(Messages(*store->QueryEvents(signals)), ::testing::ElementsAre("sent SIGTERM"));
  EventFilter db_states;
  db_states.subject = "db";
  db_states.type = "state";
  EXPECT_THAT(Messages(*store->QueryEvents(db_states)), ::testing::ElementsAre("running"));
  EventFilter since;
  since.since = t0 + seconds(3);
  since.subject = "web";
  EXPECT_THAT(Messages(*store->QueryEvents(since)), ::testing::ElementsAre("change 4", "change 3"));
  EventFilter none;
  none.limit = 0;
  EXPECT_TRUE(store->QueryEvents(none)->empty());
}

TEST_F(StoreTest, RunsBeginAndEnd) {
  auto store = Open();
  const auto t0 = base::WallTime(seconds(1'800'000'000));
  int64_t first = store->BeginRun("backup", "schedule", t0);
  int64_t second = store->BeginRun("rotate", "manual", t0 + seconds(1));
  int64_t third = store->BeginRun("backup", "retry", t0 + seconds(2));
  EXPECT_EQ(second, first + 1);
  EXPECT_EQ(third, second + 1);
  TaskRun ok;
  ok.id = first;
  ok.ended = t0 + seconds(5);
  ok.exit_code = 0;
  ok.output_tail = "done\n";
  store->EndRun(ok);
  TaskRun killed;
  killed.id = third;
  killed.ended = t0 + seconds(60);
  killed.signal = 9;
  killed.timed_out = true;
  store->EndRun(killed);
  store->Flush();

  auto backups = store->QueryRuns("backup", 10);
  ASSERT_TRUE(backups);
  ASSERT_EQ(backups->size(), 2u);
  const TaskRun& r3 = (*backups)[0];
  EXPECT_EQ(r3.id, third);
  EXPECT_EQ(r3.trigger, "retry");
  EXPECT_EQ(r3.started, t0 + seconds(2));
  EXPECT_EQ(r3.ended, t0 + seconds(60));
  EXPECT_EQ(r3.exit_code, std::nullopt);
  EXPECT_EQ(r3.signal, 9);
  EXPECT_TRUE(r3.timed_out);
  EXPECT_FALSE(r3.interrupted);
  const TaskRun& r1 = (*backups)[1];
  EXPECT_EQ(r1.exit_code, 0);
  EXPECT_EQ(r1.signal, std::nullopt);
  EXPECT_FALSE(r1.timed_out);
  EXPECT_EQ(r1.output_tail, "done\n");

  auto rotate = store->LastRun("rotate");
  ASSERT_TRUE(rotate);
  ASSERT_TRUE(rotate->has_value());
  EXPECT_EQ((*rotate)->ended, std::nullopt);  // still running
  EXPECT_FALSE((*rotate)->interrupted);
  EXPECT_FALSE(store->LastRun("nothing").value().has_value());

  auto all = store->QueryRuns("", 2);
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].id, third);
  EXPECT_EQ((*all)[1].id, second);
  EXPECT_EQ(store->LastRun("").value()->id, third);
}

TEST_F(StoreTest, RunsKeepHowLongTheyWaitedForAnIdleMachine) {
  auto store = Open();
  const auto t0 = base::WallTime(seconds(1'800'000'000));
  int64_t waited = store->BeginRun("maint", "schedule", t0, std::chrono::minutes(42));
  int64_t at_once = store->BeginRun("maint", "manual", t0 + seconds(1));
  TaskRun ended;
  ended.id = waited;
  ended.ended = t0 + seconds(5);
  ended.exit_code = 0;
  store->EndRun(ended);
  store->Flush();
  auto runs = store->QueryRuns("maint", 10);
  ASSERT_TRUE(runs);
  ASSERT_EQ(runs->size(), 2u);
  EXPECT_EQ((*runs)[0].id, at_once);
  EXPECT_EQ((*runs)[0].deferred, base::Duration(0));
  EXPECT_EQ((*runs)[1].id, waited);
  EXPECT_EQ((*runs)[1].deferred, std::chrono::minutes(42));
}

TEST_F(StoreTest, AnUncleanStopLeavesRunsInterruptedAndLifetimesEnded) {
  const auto t0 = std::chrono::system_clock::now() - hours(1);
  int64_t open_run = 0, open_life = 0, closed_life = 0;
  {
    // A vigild that "dies": it never ends what it began.
    auto store = Open();
    open_run = store->BeginRun("backup", "schedule", t0);
    open_life = store->BeginProcess("web", 1234, t0);
    closed_life = store->BeginProcess("db", 1235, t0);
    store->EndProcess(closed_life, t0 + seconds(3), "exit 1", "exited");
  }
  auto store = Open();
  auto last = store->LastRun("backup");
  ASSERT_TRUE(last);
  ASSERT_TRUE(last->has_value());
  EXPECT_EQ((*last)->id, open_run);
  EXPECT_TRUE((*last)->interrupted);
  EXPECT_EQ((*last)->ended, std::nullopt);

  RawDb db(path_);
  EXPECT_EQ(db.Text("SELECT reason FROM lifetimes WHERE id = " + std::to_string(open_life)),
            "vigild stopped unexpectedly");
  EXPECT_GE(db.Int("SELECT ended_ms FROM lifetimes WHERE id = " + std::to_string(open_life)),
            db.Int("SELECT started_ms FROM lifetimes WHERE id = " + std::to_string(open_life)));
  EXPECT_EQ(db.Text("SELECT program || ' ' || pid FROM lifetimes WHERE id = " + std::to_string(open_life)), "web 1234");
  EXPECT_EQ(db.Text("SELECT exit_status || ', ' || reason FROM lifetimes WHERE id = " + std::to_string(closed_life)),
            "exit 1, exited");

  // A later lifetime continues the ids.
  EXPECT_EQ(store->BeginProcess("web", 2000, std::chrono::system_clock::now()), closed_life + 1);
}

TEST_F(StoreTest, DesiredStateAndTaskEnabledRoundTrip) {
  auto store = Open();
  EXPECT_TRUE(store->DesiredStates()->empty());
  EXPECT_EQ(store->TaskEnabled("cleanup").value(), std::nullopt);
  store->SetDesiredState({"web", false, "hash1"});
  store->SetDesiredState({"api", true, "hash2"});
  store->SetDesiredState({"web", true, "hash3"});  // replaces the first
  store->SetTaskEnabled("cleanup", false);
  store->SetTaskEnabled("backup", false);
  store->SetTaskEnabled("backup", true);
  store->Flush();
  auto wants = store->DesiredStates();
  ASSERT_TRUE(wants);
  ASSERT_EQ(wants->size(), 2u);
  EXPECT_EQ((*wants)[0].program, "api");
  EXPECT_TRUE((*wants)[0].want_up);
  EXPECT_EQ((*wants)[1].program, "web");
  EXPECT_TRUE((*wants)[1].want_up);
  EXPECT_EQ((*wants)[1].config_hash, "hash3");
  EXPECT_EQ(store->TaskEnabled("cleanup").value(), std::optional<bool>(false));
  EXPECT_EQ(store->TaskEnabled("backup").value(), std::optional<bool>(true));
}

TEST_F(StoreTest, PruneDeletesWhatEndedBeforeTheCutoffAndNeverReusesIds) {
  const auto now = std::chrono::system_clock::now();
  const auto old = now - hours(24 * 40);
  const auto cutoff = now - hours(24 * 30);
  {
    auto first = Open();
    first->BeginRun("backup", "schedule", old);  // never ended: interrupted at the next Open
  }
  auto store = Open();
  Event old_event = E("state", "web", "old");
  old_event.time = old;
  store->RecordEvent(old_event);
  store->RecordEvent(E("state", "web", "new"));
  int64_t old_life = store->BeginProcess("web", 1, old);
  store->EndProcess(old_life, old + seconds(1), "exit 0", "exited");
  int64_t long_life = store->BeginProcess("db", 2, old);                          // still running: kept
  store->EndProcess(store->BeginProcess("db", 3, old), now, "exit 0", "exited");  // ended recently: kept
  TaskRun old_run;
  old_run.id = store->BeginRun("backup", "schedule", old);
  old_run.ended = old + seconds(5);
  old_run.exit_code = 0;
  store->EndRun(old_run);
  int64_t running_run = store->BeginRun("backup", "manual", old);  // still running: kept
  store->SetDesiredState({"web", false, "h"});
  store->SetTaskEnabled("backup", false);
  store->Prune(cutoff);
  store->Flush();
  EXPECT_EQ(store->problem(), "");

  EXPECT_THAT(Messages(*store->QueryEvents({})), ::testing::ElementsAre("new"));
  auto runs = store->QueryRuns("backup", 10);
  ASSERT_TRUE(runs);
  ASSERT_EQ(runs->size(), 1u);
  EXPECT_EQ((*runs)[0].id, running_run);
  {
    RawDb db(path_);
    EXPECT_EQ(db.Int("SELECT COUNT(*) FROM lifetimes"), 2);
    EXPECT_EQ(db.Int("SELECT COUNT(*) FROM lifetimes WHERE id = " + std::to_string(long_life)), 1);
  }
  // Desired states and task switches are the present, not history.
  EXPECT_EQ(store->DesiredStates()->size(), 1u);
  EXPECT_EQ(store->TaskEnabled("backup").value(), std::optional<bool>(false));

  // Everything pruned: ids still go on from where they were.
  const int64_t last_event = store->QueryEvents({})->front().id;
  TaskRun end;
  end.id = running_run;
  end.ended = now;
  store->EndRun(end);
  store->Prune(now + hours(1));
  store->Flush();
  EXPECT_TRUE(store->QueryEvents({})->empty());
  EXPECT_TRUE(store->QueryRuns("", 10)->empty());
  store.reset();
  store = Open();
  store->RecordEvent(E("daemon", "vigild", "after"));
  store->Flush();
  EXPECT_EQ(store->QueryEvents({})->front().id, last_event + 1);
  EXPECT_EQ(store->BeginRun("backup", "manual", now), running_run + 1);
}

TEST_F(StoreTest, CorruptFileIsAClearError) {
  fs::create_directories(path_.parent_path());
  std::ofstream(path_) << "this is not a database, just text long enough to be read as a header.....";
  auto s = Store::Open(path_);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code(), base::StatusCode::kIoError);
  EXPECT_THAT(s.error().message(), HasSubstr(path_.string()));
  EXPECT_THAT(s.error().message(), HasSubstr("file is not a database"));
}

TEST_F(StoreTest, DirectoryThatCannotBeCreatedIsAClearError) {
  std::ofstream(dir_ / "state") << "a file where the state directory should be";
  auto s = Store::Open(path_);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code(), base::StatusCode::kIoError);
  EXPECT_THAT(s.error().message(), HasSubstr((dir_ / "state").string()));
}

TEST_F(StoreTest, LockedDatabaseIsReportedAndRecovers) {
  auto store = Open();
  store->RecordEvent(E("state", "web", "before"));
  store->Flush();
  {
    // Another process holding the write lock: our writes fail after the 1 s busy timeout.
    RawDb other(path_);
    other.Exec("BEGIN EXCLUSIVE");
    store->RecordEvent(E("state", "web", "lost"));
    store->Flush();
    EXPECT_EQ(store->problem(), "history is not being recorded: database is locked (1 writes dropped)");
    // Reads still work while the writer is locked out (WAL).
    EXPECT_THAT(Messages(*store->QueryEvents({})), ::testing::ElementsAre("before"));
    other.Exec("COMMIT");
  }
  store->RecordEvent(E("state", "web", "kept"));
  store->Flush();
  EXPECT_EQ(store->problem(), "");
  EXPECT_THAT(Messages(*store->QueryEvents({})), ::testing::ElementsAre("kept", "before"));
}

// Root ignores file modes, so an unwritable database is made with a file size limit: the
// WAL cannot grow and the write fails as it would on a full disk.
TEST_F(StoreTest, FailingDiskIsReportedAndRecovers) {
  auto store = Open();
  store->RecordEvent(E("state", "web", "before"));
  store->Flush();

  uintmax_t largest = 0;
  for (const auto& entry : fs::directory_iterator(path_.parent_path()))
    largest = std::max(largest, fs::file_size(entry.path()));
  rlimit saved{};
  ASSERT_EQ(getrlimit(RLIMIT_FSIZE, &saved), 0);
  auto* saved_handler = std::signal(SIGXFSZ, SIG_IGN);  // else the write kills the process
  rlimit limited = saved;
  limited.rlim_cur = largest + 4096;
  ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &limited), 0);

  Event big = E("state", "web", "too big for the disk");
  big.details = "\"" + std::string(1 << 20, 'x') + "\"";
  store->RecordEvent(big);
  store->Flush();
  std::string problem = store->problem();

  ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &saved), 0);
  std::signal(SIGXFSZ, saved_handler);

  EXPECT_THAT(problem, HasSubstr("history is not being recorded: "));
  EXPECT_THAT(problem, HasSubstr("(1 writes dropped)"));
  store->RecordEvent(E("state", "web", "after"));
  store->Flush();
  EXPECT_EQ(store->problem(), "");
  EXPECT_THAT(Messages(*store->QueryEvents({})), ::testing::ElementsAre("after", "before"));
}

// A write SQLite refuses (here: a second vigild on the same file handed out the same event
// id) is dropped and reported; the writes queued with it are kept.
TEST_F(StoreTest, ARefusedWriteIsDroppedAloneAndReported) {
  auto first = Open();
  auto second = Open();
  first->RecordEvent(E("daemon", "vigild", "from the first"));
  first->Flush();
  second->SetTaskEnabled("backup", false);
  second->RecordEvent(E("daemon", "vigild", "from the second"));  // same id as the first's
  second->Flush();
  EXPECT_EQ(second->problem(), "history is not being recorded: UNIQUE constraint failed: events.id (1 writes dropped)");
  EXPECT_EQ(second->TaskEnabled("backup").value(), std::optional<bool>(false));
  EXPECT_THAT(Messages(*second->QueryEvents({})), ::testing::ElementsAre("from the first"));
  second->SetTaskEnabled("backup", true);
  second->Flush();
  EXPECT_EQ(second->problem(), "");
}

// With the writer locked out, a flood fills the queue: the newest writes are dropped and
// counted, and the store is healthy again once the queue drains.
TEST_F(StoreTest, QueueBoundDropsTheNewestWrites) {
  auto store = Open();
  const int flood = static_cast<int>(Writer::kMaxQueuedOps) + 30000;
  {
    RawDb other(path_);
    other.Exec("BEGIN EXCLUSIVE");
    const Event event = E("state", "web", "flood");
    for (int i = 0; i < flood - 1; ++i) store->RecordEvent(event);
    store->RecordEvent(E("state", "web", "last"));
    EXPECT_THAT(store->problem(), HasSubstr("history is not being recorded: "));
    other.Exec("COMMIT");
  }
  store->Flush();
  auto events = store->QueryEvents(All());
  ASSERT_TRUE(events);
  EXPECT_GT(events->size(), 0u);
  // What the worker had already taken (at most one batch), plus a full queue.
  EXPECT_LE(events->size(), Writer::kMaxQueuedOps + Writer::kMaxBatchOps);
  EXPECT_NE(events->front().message, "last") << "the newest write is the one dropped";
  store->RecordEvent(E("state", "web", "after"));
  store->Flush();
  EXPECT_EQ(store->problem(), "");
}

TEST_F(StoreTest, ManyQueuedEventsAreAllWrittenWhileReading) {
  auto store = Open();
  for (int i = 0; i < 10000; ++i) {
    store->RecordEvent(E("state", "web", std::to_string(i)));
    // Reads on this thread while the worker writes: WAL keeps them apart.
    if (i % 1000 == 999) {
      EXPECT_TRUE(store->QueryEvents({})) << i;
    }
  }
  store->Flush();
  auto events = store->QueryEvents(All());
  ASSERT_TRUE(events);
  ASSERT_EQ(events->size(), 10000u);
  for (int i = 0; i < 10000; ++i) ASSERT_EQ((*events)[9999 - i].message, std::to_string(i));
  EXPECT_EQ(events->front().id, events->back().id + 9999);
  EXPECT_EQ(store->problem(), "");
}

// Throughput of the writer: --gtest_also_run_disabled_tests --gtest_filter='*EventsPerSecond*'
TEST_F(StoreTest, DISABLED_EventsPerSecond) {
  constexpr int kEvents = 100000;
  auto store = Open();
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < kEvents; ++i) {
    Event e = E("state", "web-" + std::to_string(i % 50), "state changed from STARTING to RUNNING");
    e.details = R"({"from":"STARTING","to":"RUNNING","pid":12345})";
    store->RecordEvent(e);
  }
  const auto queued = std::chrono::steady_clock::now();
  store->Flush();
  const auto written = std::chrono::steady_clock::now();
  EXPECT_EQ(store->problem(), "");
  auto secs = [](auto d) { return std::chrono::duration<double>(d).count(); };
  std::printf("queued %d events in %.3f s (%.2f us each on the caller); written after %.3f s: %.0f events/s\n", kEvents,
              secs(queued - start), secs(queued - start) * 1e6 / kEvents, secs(written - start),
              kEvents / secs(written - start));
}

}  // namespace
}  // namespace vigil::store
