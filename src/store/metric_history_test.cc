// SPDX-License-Identifier: MIT
// Metric history tests: samples into 1-minute and 1-hour rollups, re-bucketed reads, names,
// and retention, on a real SQLite file in a temporary directory. They wait with Flush.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>

#include "store/metric_rollups.h"
#include "store/store.h"
#include "store/unix_ms.h"

namespace vigil::store {
namespace {

namespace fs = std::filesystem;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

// 2026-12-01 00:00:00 UTC: a whole day, so minute and hour buckets start on it.
const base::WallTime kDay = FromUnixMs(1'796'083'200'000);

class MetricHistoryTest : public ::testing::Test {
 protected:
  MetricHistoryTest() {
    char tmpl[] = "/tmp/vigil-metric-test-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    auto s = Store::Open(dir_ / "vigil.db");
    EXPECT_TRUE(s) << s.error().message();
    if (s) store_ = std::move(s).value();
  }
  ~MetricHistoryTest() override {
    store_.reset();
    fs::remove_all(dir_);
  }

  std::vector<MetricPoint> Query(const std::string& name, base::WallTime since, base::WallTime until,
                                 seconds step) {
    store_->Flush();
    auto points = store_->QueryMetrics(name, since, until, step);
    EXPECT_TRUE(points) << points.error().message();
    return points ? *points : std::vector<MetricPoint>{};
  }
  // Rows of the table itself, through a connection of its own.
  int64_t Rows(const std::string& where) {
    store_->Flush();
    sqlite3* db = nullptr;
    sqlite3_open_v2((dir_ / "vigil.db").c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
    sqlite3_stmt* q = nullptr;
    int64_t n = -1;
    if (sqlite3_prepare_v2(db, ("SELECT COUNT(*) FROM metrics WHERE " + where).c_str(), -1, &q, nullptr) ==
            SQLITE_OK &&
        sqlite3_step(q) == SQLITE_ROW) {
      n = sqlite3_column_int64(q, 0);
    }
    sqlite3_finalize(q);
    sqlite3_close(db);
    return n;
  }

  fs::path dir_;
  std::unique_ptr<Store> store_;
};

TEST(BucketStartTest, RoundsDownToTheStepAlsoBefore1970) {
  EXPECT_EQ(BucketStart(125'000, 60), 120'000);
  EXPECT_EQ(BucketStart(120'000, 60), 120'000);
  EXPECT_EQ(BucketStart(3'599'999, 3600), 0);
  EXPECT_EQ(BucketStart(-1, 60), -60'000);
}

TEST_F(MetricHistoryTest, SamplesOfOneMinuteAreOnePointWithTheirAverageAndMaximum) {
  store_->RecordSample("system.cpu", kDay + seconds(5), 10);
  store_->RecordSample("system.cpu", kDay + seconds(35), 30);
  store_->RecordSample("system.cpu", kDay + seconds(65), 50);
  auto points = Query("system.cpu", kDay, kDay + hours(1), seconds(60));
  ASSERT_EQ(points.size(), 2u);
  EXPECT_EQ(points[0].time, kDay);
  EXPECT_EQ(points[0].count, 2);
  EXPECT_DOUBLE_EQ(points[0].avg, 20);
  EXPECT_DOUBLE_EQ(points[0].max, 30);
  EXPECT_EQ(points[1].time, kDay + minutes(1));
  EXPECT_EQ(points[1].count, 1);
  EXPECT_DOUBLE_EQ(points[1].avg, 50);
  // Each sample went into one minute row and the hour row: an upsert, not a row a sample.
  EXPECT_EQ(Rows("step_s = 60"), 2);
  EXPECT_EQ(Rows("step_s = 3600"), 1);
}

TEST_F(MetricHistoryTest, ReBucketsMinutesToTheStepAskedAndHoursForLongSteps) {
  // One sample a minute for three hours: value = the minute's index in its hour.
  for (int m = 0; m < 180; ++m) store_->RecordSample("system.memory", kDay + minutes(m), m % 60);
  auto five = Query("system.memory", kDay, kDay + hours(3), minutes(5));
  ASSERT_EQ(five.size(), 36u);
  EXPECT_EQ(five[1].time, kDay + minutes(5));
  EXPECT_EQ(five[1].count, 5);
  EXPECT_DOUBLE_EQ(five[1].avg, 7);  // 5..9
  EXPECT_DOUBLE_EQ(five[1].max, 9);

  auto hourly = Query("system.memory", kDay, kDay + hours(3), hours(1));
  ASSERT_EQ(hourly.size(), 3u);
  EXPECT_EQ(hourly[2].time, kDay + hours(2));
  EXPECT_EQ(hourly[2].count, 60);
  EXPECT_DOUBLE_EQ(hourly[2].avg, 29.5);
  EXPECT_DOUBLE_EQ(hourly[2].max, 59);

  auto daily = Query("system.memory", kDay, kDay + hours(24), hours(24));
  ASSERT_EQ(daily.size(), 1u);
  EXPECT_EQ(daily[0].count, 180);

  // A step finer than a minute is a minute; `until` is exclusive and `since` starts its bucket.
  auto fine = Query("system.memory", kDay + seconds(90), kDay + minutes(3), seconds(10));
  ASSERT_EQ(fine.size(), 2u);
  EXPECT_EQ(fine[0].time, kDay + minutes(1));
  EXPECT_EQ(fine[1].time, kDay + minutes(2));
}

TEST_F(MetricHistoryTest, NamesAreListedSortedAndQueriesKeepThemApart) {
  store_->RecordSample("program.memory:web", kDay, 1e6);
  store_->RecordSample("disk.space:/", kDay, 50);
  store_->RecordSample("system.cpu", kDay, 5);
  store_->RecordSample("disk.space:/", kDay + seconds(1), 52);
  store_->Flush();
  auto names = store_->MetricNames();
  ASSERT_TRUE(names) << names.error().message();
  EXPECT_EQ(*names, (std::vector<std::string>{"disk.space:/", "program.memory:web", "system.cpu"}));
  auto disk = Query("disk.space:/", kDay, kDay + minutes(1), minutes(1));
  ASSERT_EQ(disk.size(), 1u);
  EXPECT_DOUBLE_EQ(disk[0].avg, 51);
  EXPECT_TRUE(Query("nothing", kDay, kDay + minutes(1), minutes(1)).empty());
}

TEST_F(MetricHistoryTest, AStepOfZeroIsRefused) {
  auto points = store_->QueryMetrics("system.cpu", kDay, kDay + hours(1), seconds(0));
  ASSERT_FALSE(points);
  EXPECT_EQ(points.error().code(), base::StatusCode::kInvalidArgument);
}

TEST_F(MetricHistoryTest, RetentionKeepsMinutesFor14DaysAndHoursFor400) {
  store_->RecordSample("system.load", kDay, 1);
  store_->RecordSample("system.load", kDay + minutes(30), 1);  // within the hour: no prune queued
  store_->RecordSample("system.load", kDay + hours(24 * 20), 2);  // 20 days on: prunes
  // The first sample's minute is past 14 days; its hour is kept.
  EXPECT_EQ(Rows("step_s = 60 AND time_ms = " + std::to_string(ToUnixMs(kDay))), 0);
  EXPECT_EQ(Rows("step_s = 3600 AND time_ms = " + std::to_string(ToUnixMs(kDay))), 1);
  EXPECT_EQ(Query("system.load", kDay, kDay + hours(1), minutes(1)).size(), 0u);
  EXPECT_EQ(Query("system.load", kDay, kDay + hours(1), hours(1)).size(), 1u);

  store_->RecordSample("system.load", kDay + hours(24 * 401), 4);
  EXPECT_EQ(Rows("time_ms = " + std::to_string(ToUnixMs(kDay))), 0);
  EXPECT_EQ(Rows("step_s = 3600"), 2);  // day 20 and day 401
  EXPECT_EQ(Rows("step_s = 60"), 1);    // day 401
}

}  // namespace
}  // namespace vigil::store
