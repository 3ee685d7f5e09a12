// SPDX-License-Identifier: MIT
// Metric history tests: samples into 1-minute and 1-hour rollups, re-bucketed reads, names,
// retention, and the open minute kept in memory, on a real SQLite file in a temporary
// directory. They wait with Flush; the open-minute tests read without it on purpose.
#include <gmock/gmock.h>
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
using ::testing::AllOf;
using ::testing::DoubleEq;
using ::testing::Field;

// A point of `count` samples with that average and maximum, compared as EXPECT_EQ and
// EXPECT_DOUBLE_EQ would.
::testing::Matcher<MetricPoint> Summary(int64_t count, double avg, double max) {
  return AllOf(Field("count", &MetricPoint::count, count), Field("avg", &MetricPoint::avg, DoubleEq(avg)),
               Field("max", &MetricPoint::max, DoubleEq(max)));
}

// The same, of the bucket that starts at `time`.
::testing::Matcher<MetricPoint> Point(base::WallTime time, int64_t count, double avg, double max) {
  return AllOf(Field("time", &MetricPoint::time, time), Summary(count, avg, max));
}

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

  // The first column of the first row of `sql` (0 if none), without flushing: what the
  // database holds now.
  double Raw(const std::string& sql) {
    sqlite3* db = nullptr;
    sqlite3_open_v2((dir_ / "vigil.db").c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
    sqlite3_stmt* q = nullptr;
    double v = 0;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &q, nullptr) == SQLITE_OK && sqlite3_step(q) == SQLITE_ROW) {
      v = sqlite3_column_double(q, 0);
    } else {
      ADD_FAILURE() << sql << ": " << sqlite3_errmsg(db);
    }
    sqlite3_finalize(q);
    sqlite3_close(db);
    return v;
  }
  // A query that does not flush first.
  std::vector<MetricPoint> QueryNow(const std::string& name, base::WallTime since, base::WallTime until, seconds step) {
    auto points = store_->QueryMetrics(name, since, until, step);
    EXPECT_TRUE(points) << points.error().message();
    return points ? *points : std::vector<MetricPoint>{};
  }

  fs::path dir_;
  std::unique_ptr<Store> store_;
};

std::string Ms(base::WallTime t) { return std::to_string(ToUnixMs(t)); }

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
  EXPECT_THAT(points[0], Point(kDay, 2, 20, 30));
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
  EXPECT_THAT(five[1], Point(kDay + minutes(5), 5, 7, 9));  // 5..9

  auto hourly = Query("system.memory", kDay, kDay + hours(3), hours(1));
  ASSERT_EQ(hourly.size(), 3u);
  EXPECT_THAT(hourly[2], Point(kDay + hours(2), 60, 29.5, 59));

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

// --- the open minute (store/metric_buffer.h): kept in memory, merged into reads ---

TEST_F(MetricHistoryTest, TheOpenMinuteIsReadBeforeAnythingIsWritten) {
  store_->RecordSample("system.cpu", kDay + minutes(7) + seconds(5), 10);
  store_->RecordSample("system.cpu", kDay + minutes(7) + seconds(10), 25);
  store_->RecordSample("system.cpu", kDay + minutes(7) + seconds(15), 40);
  store_->RecordSample("system.load", kDay + minutes(7) + seconds(15), 0.5);
  // Nothing that adds a row was queued: the minute is in memory only.
  EXPECT_EQ(Raw("SELECT COUNT(*) FROM metrics"), 0);

  auto minute = QueryNow("system.cpu", kDay, kDay + hours(1), minutes(1));
  ASSERT_EQ(minute.size(), 1u);
  EXPECT_THAT(minute[0], Point(kDay + minutes(7), 3, 25, 40));

  auto five = QueryNow("system.cpu", kDay, kDay + hours(1), minutes(5));
  ASSERT_EQ(five.size(), 1u);
  EXPECT_EQ(five[0].time, kDay + minutes(5));
  EXPECT_EQ(five[0].count, 3);

  auto hourly = QueryNow("system.cpu", kDay, kDay + hours(24), hours(1));
  ASSERT_EQ(hourly.size(), 1u);
  EXPECT_THAT(hourly[0], Point(kDay, 3, 25, 40));

  auto names = store_->MetricNames();
  ASSERT_TRUE(names) << names.error().message();
  EXPECT_EQ(*names, (std::vector<std::string>{"system.cpu", "system.load"}));
  EXPECT_EQ(Raw("SELECT COUNT(*) FROM metrics"), 0);
}

TEST_F(MetricHistoryTest, TheOpenMinuteRespectsSinceAndUntilAsTheRowsDo) {
  store_->RecordSample("system.cpu", kDay + minutes(65) + seconds(20), 10);
  struct Case {
    base::WallTime since, until;
    seconds step;
    size_t points;
  };
  const Case cases[] = {
      {kDay, kDay + minutes(65), minutes(1), 0},  // `until` is exclusive
      {kDay, kDay + minutes(65) + seconds(1), minutes(1), 1},
      {kDay + minutes(66), kDay + hours(3), minutes(1), 0},
      {kDay + minutes(65) + seconds(30), kDay + hours(3), minutes(1), 1},  // `since` starts its bucket
      {kDay + minutes(65) + seconds(30), kDay + hours(3), seconds(10), 1},
      {kDay + minutes(61), kDay + hours(3), minutes(10), 1},  // buckets are aligned to the step
      // Hour steps read the minute's hour row (01:00): the filter applies to its start.
      {kDay + minutes(90), kDay + hours(3), hours(1), 1},
      {kDay, kDay + minutes(61), hours(1), 1},
      {kDay, kDay + hours(1), hours(1), 0},
      {kDay + hours(2), kDay + hours(3), hours(1), 0},
  };
  std::vector<std::vector<MetricPoint>> open;
  for (const Case& c : cases) {
    open.push_back(QueryNow("system.cpu", c.since, c.until, c.step));
    EXPECT_EQ(open.back().size(), c.points) << open.size() - 1;
  }
  EXPECT_EQ(open[4].at(0).time, kDay + minutes(65));
  EXPECT_EQ(open[5].at(0).time, kDay + minutes(60));
  EXPECT_EQ(open[6].at(0).time, kDay + hours(1));
  // The same reads from the rows give the same points.
  store_->Flush();
  for (size_t i = 0; i < std::size(cases); ++i) {
    auto rows = QueryNow("system.cpu", cases[i].since, cases[i].until, cases[i].step);
    ASSERT_EQ(rows.size(), open[i].size()) << i;
    for (size_t j = 0; j < rows.size(); ++j) {
      EXPECT_EQ(rows[j].time, open[i][j].time) << i;
      EXPECT_EQ(rows[j].count, open[i][j].count) << i;
      EXPECT_DOUBLE_EQ(rows[j].avg, open[i][j].avg) << i;
      EXPECT_DOUBLE_EQ(rows[j].max, open[i][j].max) << i;
    }
  }
}

TEST_F(MetricHistoryTest, ClosedMinutesAreWrittenAsOneRowEachAndMergeWithTheOpenOne) {
  // Minutes 0, 1 and 2 of the day, two samples each: value = 10 * minute + second / 10.
  for (int m = 0; m < 3; ++m) {
    store_->RecordSample("system.cpu", kDay + minutes(m) + seconds(10), 10 * m + 1);
    store_->RecordSample("system.cpu", kDay + minutes(m) + seconds(30), 10 * m + 3);
  }
  store_->Flush();  // writes minutes 0 and 1 (closed) and 2 (open)
  EXPECT_EQ(Raw("SELECT COUNT(*) FROM metrics WHERE step_s = 60"), 3);
  EXPECT_EQ(Raw("SELECT count FROM metrics WHERE step_s = 60 AND time_ms = " + Ms(kDay + minutes(1))), 2);
  EXPECT_EQ(Raw("SELECT sum FROM metrics WHERE step_s = 60 AND time_ms = " + Ms(kDay + minutes(1))), 24);
  EXPECT_EQ(Raw("SELECT max FROM metrics WHERE step_s = 60 AND time_ms = " + Ms(kDay + minutes(1))), 13);
  EXPECT_EQ(Raw("SELECT COUNT(*) FROM metrics WHERE step_s = 3600"), 1);
  EXPECT_EQ(Raw("SELECT count FROM metrics WHERE step_s = 3600 AND time_ms = " + Ms(kDay)), 6);
  EXPECT_EQ(Raw("SELECT sum FROM metrics WHERE step_s = 3600 AND time_ms = " + Ms(kDay)), 72);
  EXPECT_EQ(Raw("SELECT max FROM metrics WHERE step_s = 3600 AND time_ms = " + Ms(kDay)), 23);

  // Minute 3 is open only; reads add it to the rows, as its own point and into the hour.
  store_->RecordSample("system.cpu", kDay + minutes(3) + seconds(10), 31);
  store_->RecordSample("system.cpu", kDay + minutes(3) + seconds(20), 35);
  auto points = QueryNow("system.cpu", kDay, kDay + hours(1), minutes(1));
  ASSERT_EQ(points.size(), 4u);
  EXPECT_THAT(points[3], Point(kDay + minutes(3), 2, 33, 35));
  auto two = QueryNow("system.cpu", kDay, kDay + hours(1), minutes(2));
  ASSERT_EQ(two.size(), 2u);
  EXPECT_THAT(two[1], Point(kDay + minutes(2), 4, (21 + 23 + 31 + 35) / 4.0, 35));
  auto hourly = QueryNow("system.cpu", kDay, kDay + hours(1), hours(1));
  ASSERT_EQ(hourly.size(), 1u);
  EXPECT_THAT(hourly[0], Summary(8, (72 + 66) / 8.0, 35));

  // A later hour closes minute 3 into the rows.
  store_->RecordSample("system.cpu", kDay + minutes(61), 1);
  store_->Flush();
  EXPECT_EQ(Raw("SELECT count FROM metrics WHERE step_s = 3600 AND time_ms = " + Ms(kDay)), 8);
  EXPECT_EQ(Raw("SELECT sum FROM metrics WHERE step_s = 3600 AND time_ms = " + Ms(kDay)), 138);
  EXPECT_EQ(Raw("SELECT COUNT(*) FROM metrics WHERE step_s = 60"), 5);
  EXPECT_EQ(Raw("SELECT COUNT(*) FROM metrics WHERE step_s = 3600"), 2);
}

TEST_F(MetricHistoryTest, FlushThenMoreSamplesOfTheSameMinuteMergeIntoOneRow) {
  store_->RecordSample("system.memory", kDay + seconds(5), 40);
  store_->RecordSample("system.memory", kDay + seconds(10), 60);
  store_->Flush();
  EXPECT_EQ(Raw("SELECT count FROM metrics WHERE step_s = 60"), 2);
  store_->RecordSample("system.memory", kDay + seconds(15), 90);
  store_->RecordSample("system.memory", kDay + seconds(20), 10);
  // Two in the row, two open: counted once each.
  auto points = QueryNow("system.memory", kDay, kDay + hours(1), minutes(1));
  ASSERT_EQ(points.size(), 1u);
  EXPECT_THAT(points[0], Summary(4, 50, 90));
  auto names = store_->MetricNames();
  ASSERT_TRUE(names) << names.error().message();
  EXPECT_EQ(*names, (std::vector<std::string>{"system.memory"}));

  store_->Flush();
  EXPECT_EQ(Raw("SELECT COUNT(*) FROM metrics"), 2);  // one minute row, one hour row
  for (const char* step : {"60", "3600"}) {
    const std::string where = std::string(" FROM metrics WHERE step_s = ") + step;
    EXPECT_EQ(Raw("SELECT count" + where), 4) << step;
    EXPECT_EQ(Raw("SELECT sum" + where), 200) << step;
    EXPECT_EQ(Raw("SELECT max" + where), 90) << step;
  }
  points = QueryNow("system.memory", kDay, kDay + hours(1), minutes(1));
  ASSERT_EQ(points.size(), 1u);
  EXPECT_EQ(points[0].count, 4);
  EXPECT_DOUBLE_EQ(points[0].avg, 50);
}

TEST_F(MetricHistoryTest, AMinuteOpenedAgainInThePastGoesInOrder) {
  store_->RecordSample("system.load", kDay, 1);
  store_->RecordSample("system.load", kDay + minutes(2), 3);
  store_->Flush();
  store_->RecordSample("system.load", kDay + minutes(1), 2);  // the clock was stepped back
  auto points = QueryNow("system.load", kDay, kDay + hours(1), minutes(1));
  ASSERT_EQ(points.size(), 3u);
  for (int m = 0; m < 3; ++m) {
    EXPECT_EQ(points[m].time, kDay + minutes(m)) << m;
    EXPECT_DOUBLE_EQ(points[m].avg, m + 1) << m;
  }
}

TEST_F(MetricHistoryTest, NamesOfOpenMinutesAndOfRowsAreListedOnceSorted) {
  store_->RecordSample("system.load", kDay, 1);
  store_->RecordSample("disk.space:/", kDay, 50);
  store_->Flush();
  store_->RecordSample("system.cpu", kDay + seconds(5), 5);
  store_->RecordSample("disk.space:/", kDay + seconds(5), 51);
  auto names = store_->MetricNames();
  ASSERT_TRUE(names) << names.error().message();
  EXPECT_EQ(*names, (std::vector<std::string>{"disk.space:/", "system.cpu", "system.load"}));
}

TEST_F(MetricHistoryTest, StoppingWritesTheOpenMinute) {
  store_->RecordSample("system.cpu", kDay + seconds(5), 10);
  store_->RecordSample("system.cpu", kDay + seconds(6), 20);
  store_.reset();
  EXPECT_EQ(Raw("SELECT count FROM metrics WHERE step_s = 60 AND time_ms = " + Ms(kDay)), 2);
  EXPECT_EQ(Raw("SELECT sum FROM metrics WHERE step_s = 3600 AND time_ms = " + Ms(kDay)), 30);

  auto reopened = Store::Open(dir_ / "vigil.db");
  ASSERT_TRUE(reopened) << reopened.error().message();
  store_ = std::move(reopened).value();
  store_->RecordSample("system.cpu", kDay + seconds(7), 60);  // the same minute, carried on
  auto points = QueryNow("system.cpu", kDay, kDay + hours(1), minutes(1));
  ASSERT_EQ(points.size(), 1u);
  EXPECT_THAT(points[0], Summary(3, 30, 60));
}

TEST_F(MetricHistoryTest, ARoundOfSamplesQueuesNoWriteUntilItsMinuteCloses) {
  // 1000 metrics sampled every 5 s: a minute of rounds is one row pair per metric.
  for (int round = 0; round < 12; ++round) {
    for (int i = 0; i < 1000; ++i) {
      store_->RecordSample("check." + std::to_string(i), kDay + seconds(5 * round), i + round);
    }
  }
  EXPECT_EQ(Raw("SELECT COUNT(*) FROM metrics"), 0);
  store_->RecordSample("check.0", kDay + minutes(1), 0);  // the first of the next minute closes all
  store_->Flush();
  EXPECT_EQ(Raw("SELECT COUNT(*) FROM metrics WHERE step_s = 60 AND time_ms = " + Ms(kDay)), 1000);
  EXPECT_EQ(Raw("SELECT count FROM metrics WHERE step_s = 60 AND name = 'check.7' AND time_ms = " + Ms(kDay)), 12);
  EXPECT_EQ(Raw("SELECT max FROM metrics WHERE step_s = 3600 AND name = 'check.7'"), 18);
  EXPECT_EQ(Raw("SELECT count FROM metrics WHERE step_s = 3600 AND name = 'check.0'"), 13);
}

}  // namespace
}  // namespace vigil::store
