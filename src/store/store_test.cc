// SPDX-License-Identifier: MIT
// Store tests on real SQLite files in a temporary directory.
#include "store/store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace vigil::store {
namespace {

namespace fs = std::filesystem;

class StoreTest : public ::testing::Test {
 protected:
  StoreTest() {
    char tmpl[] = "/tmp/vigil-store-test-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    path_ = dir_ / "vigil.db";
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
  fs::path dir_;
  fs::path path_;
};

TEST_F(StoreTest, EventsRoundTripWithFiltersAndPaging) {
  auto store = Open();
  for (int i = 0; i < 5; ++i) store->RecordEvent(E("state", "web", "change " + std::to_string(i)));
  store->RecordEvent(E("signal", "db", "sent SIGTERM"));
  store->Flush();
  auto all = store->QueryEvents({});
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 6u);
  EXPECT_EQ(all->front().message, "sent SIGTERM");  // newest first
  EventFilter web;
  web.subject = "web";
  web.limit = 2;
  auto page1 = store->QueryEvents(web);
  ASSERT_EQ(page1->size(), 2u);
  EXPECT_EQ((*page1)[0].message, "change 4");
  web.before_id = page1->back().id;
  auto page2 = store->QueryEvents(web);
  ASSERT_EQ(page2->size(), 2u);
  EXPECT_EQ((*page2)[0].message, "change 2");
  EventFilter signals;
  signals.type = "signal";
  EXPECT_EQ(store->QueryEvents(signals)->size(), 1u);
  EventFilter future;
  future.since = std::chrono::system_clock::now() + std::chrono::hours(1);
  EXPECT_TRUE(store->QueryEvents(future)->empty());
}

TEST_F(StoreTest, DataSurvivesReopenAndIdsContinue) {
  {
    auto store = Open();
    store->RecordEvent(E("daemon", "vigild", "started"));
    store->SetDesiredState({"web", false, "abc"});
    store->SetTaskEnabled("cleanup", false);
  }
  auto store = Open();
  store->RecordEvent(E("daemon", "vigild", "started again"));
  store->Flush();
  auto events = store->QueryEvents({});
  ASSERT_EQ(events->size(), 2u);
  EXPECT_GT((*events)[0].id, (*events)[1].id);
  auto wants = store->DesiredStates();
  ASSERT_EQ(wants->size(), 1u);
  EXPECT_FALSE((*wants)[0].want_up);
  EXPECT_EQ((*wants)[0].config_hash, "abc");
  EXPECT_EQ(store->TaskEnabled("cleanup").value(), std::optional<bool>(false));
  EXPECT_EQ(store->TaskEnabled("other").value(), std::nullopt);
}

TEST_F(StoreTest, RunsBeginEndAndUnfinishedOnesAreInterruptedAtReopen) {
  {
    auto store = Open();
    auto now = std::chrono::system_clock::now();
    int64_t done = store->BeginRun("backup", "schedule", now);
    TaskRun r;
    r.id = done;
    r.ended = now + std::chrono::seconds(2);
    r.exit_code = 0;
    r.output_tail = "ok\n";
    store->EndRun(r);
    store->BeginRun("backup", "manual", now + std::chrono::seconds(5));  // never ended: vigild "dies"
    store->BeginProcess("web", 1234, now);
  }
  auto store = Open();
  auto runs = store->QueryRuns("backup", 10);
  ASSERT_EQ(runs->size(), 2u);
  EXPECT_TRUE((*runs)[0].interrupted);
  EXPECT_FALSE((*runs)[0].ended);
  EXPECT_EQ((*runs)[1].exit_code, 0);
  EXPECT_EQ((*runs)[1].output_tail, "ok\n");
  EXPECT_EQ(store->LastRun("backup").value()->trigger, "manual");
  EXPECT_FALSE(store->LastRun("nothing").value().has_value());
}

TEST_F(StoreTest, PruneDropsOldRows) {
  auto store = Open();
  Event old = E("state", "web", "old");
  old.time = std::chrono::system_clock::now() - std::chrono::hours(24 * 40);
  store->RecordEvent(old);
  store->RecordEvent(E("state", "web", "new"));
  store->Prune(std::chrono::system_clock::now() - std::chrono::hours(24 * 30));
  store->Flush();
  auto events = store->QueryEvents({});
  ASSERT_EQ(events->size(), 1u);
  EXPECT_EQ((*events)[0].message, "new");
}

TEST_F(StoreTest, CorruptFileIsAClearError) {
  std::ofstream(path_) << "this is not a database, just text long enough to be read as a header.....";
  auto s = Store::Open(path_);
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message().find(path_.string()), std::string::npos);
  EXPECT_NE(s.error().message().find("not a database"), std::string::npos) << s.error().message();
}

TEST_F(StoreTest, LockedDatabaseIsReportedAndRecovers) {
  auto store = Open();
  // Another process holding the write lock: our writes fail after the busy timeout.
  sqlite3* other = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &other), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(other, "BEGIN EXCLUSIVE", nullptr, nullptr, nullptr), SQLITE_OK);
  store->RecordEvent(E("state", "web", "lost"));
  store->Flush();
  EXPECT_NE(store->problem().find("history is not being recorded"), std::string::npos) << store->problem();
  EXPECT_NE(store->problem().find("1 writes dropped"), std::string::npos) << store->problem();
  ASSERT_EQ(sqlite3_exec(other, "COMMIT", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(other);
  store->RecordEvent(E("state", "web", "kept"));
  store->Flush();
  EXPECT_EQ(store->problem(), "");
  auto events = store->QueryEvents({});
  ASSERT_EQ(events->size(), 1u);
  EXPECT_EQ((*events)[0].message, "kept");
}

TEST_F(StoreTest, ManyQueuedEventsAreAllWritten) {
  auto store = Open();
  for (int i = 0; i < 10000; ++i) store->RecordEvent(E("state", "web", std::to_string(i)));
  store->Flush();
  EventFilter f;
  f.limit = 20000;
  EXPECT_EQ(store->QueryEvents(f)->size(), 10000u);
  EXPECT_EQ(store->problem(), "");
}

}  // namespace
}  // namespace vigil::store
