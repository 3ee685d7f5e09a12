// SPDX-License-Identifier: MIT
// The Store's reads of process lifetimes and task runs: by time for a health report over a
// period, by program for its history page; on a real SQLite file in a temporary directory.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "store/store.h"

namespace vigil::store {
namespace {

using std::chrono::hours;

const base::WallTime kT0 = base::WallTime(std::chrono::seconds(1'800'000'000));

class ReportQueriesTest : public ::testing::Test {
 protected:
  ReportQueriesTest() {
    char tmpl[] = "/tmp/vigil-report-queries-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    auto s = Store::Open(dir_ / "vigil.db");
    EXPECT_TRUE(s) << s.error().message();
    if (s) store_ = std::move(s).value();
  }
  ~ReportQueriesTest() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::filesystem::path dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(ReportQueriesTest, LifetimesThatOverlapThePeriodOldestFirst) {
  ASSERT_TRUE(store_);
  const int64_t before = store_->BeginProcess("web", 10, kT0 - hours(5));  // ended before the period
  store_->EndProcess(before, kT0 - hours(4), "exit 1", "");
  const int64_t across = store_->BeginProcess("web", 11, kT0 - hours(1));  // runs into it
  store_->EndProcess(across, kT0 + hours(2), "killed by SIGKILL", "stopped by user");
  store_->BeginProcess("db", 12, kT0 + hours(3));     // still running
  store_->BeginProcess("late", 13, kT0 + hours(30));  // after the period
  store_->Flush();

  auto lives = store_->QueryLifetimes(kT0, kT0 + hours(24), 100);
  ASSERT_TRUE(lives) << lives.error().message();
  ASSERT_EQ(lives->size(), 2u);
  const Lifetime& web = (*lives)[0];
  EXPECT_EQ(web.program, "web");
  EXPECT_EQ(web.pid, 11);
  EXPECT_EQ(web.started, kT0 - hours(1));
  ASSERT_TRUE(web.ended);
  EXPECT_EQ(*web.ended, kT0 + hours(2));
  EXPECT_EQ(web.exit_status, "killed by SIGKILL");
  EXPECT_EQ(web.reason, "stopped by user");
  const Lifetime& db = (*lives)[1];
  EXPECT_EQ(db.program, "db");
  EXPECT_FALSE(db.ended);
  EXPECT_EQ(db.exit_status, "");

  auto limited = store_->QueryLifetimes(kT0, kT0 + hours(24), 1);
  ASSERT_TRUE(limited);
  EXPECT_EQ(limited->size(), 1u);
}

// A program's lifetimes for its history page: newest first, paged by id, its instances
// included, another program whose name starts the same not.
TEST_F(ReportQueriesTest, AProgramsLifetimesNewestFirstPagedById) {
  ASSERT_TRUE(store_);
  const int64_t first = store_->BeginProcess("web_1", 10, kT0);
  store_->EndProcess(first, kT0 + hours(1), "exit 1", "crashed");
  const int64_t second = store_->BeginProcess("web_1:0", 11, kT0 + hours(2));
  store_->BeginProcess("web_10", 12, kT0 + hours(3));  // another program
  const int64_t third = store_->BeginProcess("web_1", 13, kT0 + hours(4));
  store_->Flush();

  auto page = store_->ProgramLifetimes("web_1", 0, 2);
  ASSERT_TRUE(page) << page.error().message();
  ASSERT_EQ(page->size(), 2u);
  EXPECT_EQ((*page)[0].id, third);
  EXPECT_EQ((*page)[1].id, second);
  EXPECT_EQ((*page)[1].program, "web_1:0");
  auto older = store_->ProgramLifetimes("web_1", second, 2);
  ASSERT_TRUE(older);
  ASSERT_EQ(older->size(), 1u);
  EXPECT_EQ((*older)[0].id, first);
  EXPECT_EQ((*older)[0].exit_status, "exit 1");
  EXPECT_EQ((*older)[0].reason, "crashed");
  auto one = store_->ProgramLifetimes("web_1:0", 0, 10);
  ASSERT_TRUE(one);
  EXPECT_EQ(one->size(), 1u);
}

TEST_F(ReportQueriesTest, RunsStartedInThePeriodOldestFirst) {
  ASSERT_TRUE(store_);
  auto run = [&](const std::string& task, base::WallTime started, int exit_code) {
    TaskRun r;
    r.id = store_->BeginRun(task, "schedule", started);
    r.task = task;
    r.trigger = "schedule";
    r.started = started;
    r.ended = started + std::chrono::minutes(1);
    r.exit_code = exit_code;
    r.output_tail = "deleted 1 files (10 bytes); kept 0 matching files\n";
    store_->EndRun(r);
  };
  run("clean", kT0 - hours(1), 0);
  run("clean", kT0 + hours(5), 0);
  run("backup", kT0 + hours(1), 2);
  run("clean", kT0 + hours(24), 0);  // `until` is not in the period
  store_->Flush();

  auto runs = store_->QueryRunsBetween(kT0, kT0 + hours(24), 100);
  ASSERT_TRUE(runs) << runs.error().message();
  ASSERT_EQ(runs->size(), 2u);
  EXPECT_EQ((*runs)[0].task, "backup");
  EXPECT_EQ((*runs)[0].exit_code, 2);
  EXPECT_EQ((*runs)[1].task, "clean");
  EXPECT_EQ((*runs)[1].output_tail, "deleted 1 files (10 bytes); kept 0 matching files\n");
  auto none = store_->QueryRunsBetween(kT0, kT0 + hours(24), 0);
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
}

}  // namespace
}  // namespace vigil::store
