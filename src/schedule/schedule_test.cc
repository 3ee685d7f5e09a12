// SPDX-License-Identifier: MIT
// Schedule parsing and next-fire tables, including leap days, the cron day OR rule and
// daylight-saving changes in named zones.
#include "schedule/schedule.h"

#include <gtest/gtest.h>

#include <cstdio>

#include <date/tz.h>

namespace vigil::schedule {
namespace {

// A wall time in `zone` ("" = UTC), "YYYY-MM-DD HH:MM", as an instant (first occurrence).
base::WallTime At(const std::string& text, const std::string& zone = "UTC") {
  // Parsed by hand: date::parse trips GCC 12's -Wmaybe-uninitialized inside date.h.
  int y = 0, mo = 0, d = 0, h = 0, mi = 0;
  EXPECT_EQ(std::sscanf(text.c_str(), "%d-%d-%d %d:%d", &y, &mo, &d, &h, &mi), 5) << text;
  auto day = date::local_days(date::year(y) / date::month(static_cast<unsigned>(mo)) /
                              date::day(static_cast<unsigned>(d)));
  date::local_time<std::chrono::minutes> local = day + std::chrono::hours(h) + std::chrono::minutes(mi);
  auto z = date::make_zoned(date::locate_zone(zone == "UTC" ? "Etc/UTC" : zone), local, date::choose::earliest);
  return base::WallTime(std::chrono::duration_cast<base::WallTime::duration>(z.get_sys_time().time_since_epoch()));
}

// The next fire after `from`, shown as local time in the zone with its abbreviation.
std::string Next(const std::string& schedule, const std::string& from, const std::string& zone = "UTC") {
  auto s = Schedule::Parse(schedule, zone);
  EXPECT_TRUE(s) << schedule << ": " << s.error().message();
  if (!s) return "parse error";
  auto next = s->NextAfter(At(from, zone));
  if (!next) return "never";
  auto z = date::make_zoned(date::locate_zone(zone == "UTC" ? "Etc/UTC" : zone),
                            date::floor<std::chrono::seconds>(*next));
  return date::format("%F %R %Z", z);
}

struct Row {
  const char* schedule;
  const char* from;
  const char* zone;
  const char* want;
};

TEST(ScheduleTest, NextFireTable) {
  const Row rows[] = {
      {"*/15 * * * *", "2026-01-01 10:07", "UTC", "2026-01-01 10:15 UTC"},
      {"10-50/20 * * * *", "2026-01-01 10:31", "UTC", "2026-01-01 10:50 UTC"},
      {"0 9 * * mon-fri", "2026-11-21 12:00", "UTC", "2026-11-23 09:00 UTC"},  // Saturday -> Monday
      {"0 0 1,15 * *", "2026-02-02 00:00", "UTC", "2026-02-15 00:00 UTC"},
      {"0 0 * JAN,Jul *", "2026-02-01 00:00", "UTC", "2026-07-01 00:00 UTC"},
      {"0 0 29 2 *", "2025-03-01 00:00", "UTC", "2028-02-29 00:00 UTC"},         // leap day
      {"0 0 31 * *", "2026-04-01 00:00", "UTC", "2026-05-31 00:00 UTC"},         // skips 30-day April
      {"0 0 1 * mon", "2026-06-02 00:00", "UTC", "2026-06-08 00:00 UTC"},        // DOM or DOW: Monday 8th first
      {"0 0 13 * fri", "2026-03-01 00:00", "UTC", "2026-03-06 00:00 UTC"},       // Friday 6th before the 13th
      {"0 0 * * 7", "2026-11-22 00:00", "UTC", "2026-11-29 00:00 UTC"},          // 7 is Sunday
      {"@hourly", "2026-01-01 10:00", "UTC", "2026-01-01 11:00 UTC"},
      {"@daily", "2026-01-01 10:00", "UTC", "2026-01-02 00:00 UTC"},
      {"@weekly", "2026-11-22 00:00", "UTC", "2026-11-29 00:00 UTC"},
      {"@monthly", "2026-01-31 00:00", "UTC", "2026-02-01 00:00 UTC"},
      {"@yearly", "2026-01-01 00:00", "UTC", "2027-01-01 00:00 UTC"},
      {"daily 03:00", "2026-01-01 03:00", "UTC", "2026-01-02 03:00 UTC"},
      {"weekly sun 02:00", "2026-11-22 02:00", "UTC", "2026-11-29 02:00 UTC"},
      {"weekly Saturday 23:59", "2026-11-22 00:00", "UTC", "2026-11-28 23:59 UTC"},
      {"monthly 31 04:00", "2026-02-01 00:00", "UTC", "2026-03-31 04:00 UTC"},
      {"every 6h", "2026-01-01 07:00", "UTC", "2026-01-01 12:00 UTC"},
      {"every 5m", "2026-01-01 07:02", "UTC", "2026-01-01 07:05 UTC"},
      {"0 0 30 2 *", "2026-01-01 00:00", "UTC", "never"},
      {"0 12 * * *", "2026-01-01 00:00", "Europe/Paris", "2026-01-01 12:00 CET"},
      // Spring forward (2026-03-08 in New York: 02:00 -> 03:00): 02:30 does not exist and
      // fires once, at 03:00 EDT; the next day it is 02:30 again.
      {"30 2 * * *", "2026-03-07 03:00", "America/New_York", "2026-03-08 03:00 EDT"},
      {"30 2 * * *", "2026-03-08 03:00", "America/New_York", "2026-03-09 02:30 EDT"},
      {"daily 02:30", "2026-03-29 00:00", "Europe/Berlin", "2026-03-29 03:00 CEST"},
      // Fall back (2026-11-01 in New York: 02:00 -> 01:00): 01:30 happens twice; it fires
      // once, at the first.
      {"30 1 * * *", "2026-11-01 00:00", "America/New_York", "2026-11-01 01:30 EDT"},
      {"0 * * * *", "2026-11-01 00:30", "America/New_York", "2026-11-01 01:00 EDT"},
      // The repeated 01:00 does not fire a second time: next is 02:00 EST.
      {"0 * * * *", "2026-11-01 01:00", "America/New_York", "2026-11-01 02:00 EST"},
      // Berlin, 2026-03-29 02:00 -> 03:00 and 2026-10-25 03:00 -> 02:00.
      {"0 * * * *", "2026-03-29 01:30", "Europe/Berlin", "2026-03-29 03:00 CEST"},
      {"0 * * * *", "2026-03-29 03:00", "Europe/Berlin", "2026-03-29 04:00 CEST"},
      {"30 2 * * *", "2026-03-28 03:00", "Europe/Berlin", "2026-03-29 03:00 CEST"},
      {"30 2 * * *", "2026-10-25 00:00", "Europe/Berlin", "2026-10-25 02:30 CEST"},
      {"daily 02:30", "2026-10-25 02:30", "Europe/Berlin", "2026-10-26 02:30 CET"},
      // The same wall time in different zones.
      {"daily 12:00", "2026-01-01 00:00", "UTC", "2026-01-01 12:00 UTC"},
      {"daily 12:00", "2026-01-01 00:00", "Asia/Tokyo", "2026-01-01 12:00 JST"},
      // 5h does not divide a day: epoch-aligned, so 2026-01-01 04:00 UTC whatever the zone.
      {"every 5h", "2026-01-01 00:00", "UTC", "2026-01-01 04:00 UTC"},
      {"every 5h", "2026-01-01 01:00", "Europe/Paris", "2026-01-01 05:00 CET"},
      {"every 30s", "2026-01-01 00:00", "UTC", "2026-01-01 00:00 UTC"},  // shown to the minute
      {"every 1d", "2026-01-01 07:00", "America/New_York", "2026-01-02 00:00 EST"},
  };
  for (const Row& r : rows) {
    EXPECT_EQ(Next(r.schedule, r.from, r.zone), r.want) << r.schedule << " after " << r.from << " " << r.zone;
  }
}

TEST(ScheduleTest, SpringForwardFiresExactlyOnce) {
  auto s = Schedule::Parse("30 2 * * *", "America/New_York");
  ASSERT_TRUE(s);
  auto t = At("2026-03-07 12:00", "America/New_York");
  int fires_on_the_8th = 0;
  for (int i = 0; i < 3; ++i) {
    t = *s->NextAfter(t);
    auto z = date::make_zoned(date::locate_zone("America/New_York"), date::floor<std::chrono::seconds>(t));
    if (date::format("%F", z) == "2026-03-08") ++fires_on_the_8th;
  }
  EXPECT_EQ(fires_on_the_8th, 1);
}

TEST(ScheduleTest, FallBackFiresRepeatedTimeOnce) {
  auto s = Schedule::Parse("30 1 * * *", "America/New_York");
  ASSERT_TRUE(s);
  auto first = *s->NextAfter(At("2026-11-01 00:00", "America/New_York"));
  auto second = *s->NextAfter(first);
  auto z = date::make_zoned(date::locate_zone("America/New_York"), date::floor<std::chrono::seconds>(second));
  EXPECT_EQ(date::format("%F %R", z), "2026-11-02 01:30");
}

TEST(ScheduleTest, EveryDividingADayIsAlignedToLocalMidnight) {
  EXPECT_EQ(Next("every 6h", "2026-06-01 00:30", "Europe/Paris"), "2026-06-01 06:00 CEST");
  EXPECT_EQ(Next("every 15m", "2026-06-01 00:31", "Europe/Paris"), "2026-06-01 00:45 CEST");
  // Late in the day, across midnight, and on both DST change days.
  EXPECT_EQ(Next("every 1m", "2026-06-01 23:58", "Europe/Paris"), "2026-06-01 23:59 CEST");
  EXPECT_EQ(Next("every 1m", "2026-06-01 23:59", "Europe/Paris"), "2026-06-02 00:00 CEST");
  EXPECT_EQ(Next("every 1h", "2026-03-29 01:30", "Europe/Paris"), "2026-03-29 03:00 CEST");
  EXPECT_EQ(Next("every 1h", "2026-03-29 03:00", "Europe/Paris"), "2026-03-29 04:00 CEST");
  EXPECT_EQ(Next("every 1h", "2026-10-25 22:10", "Europe/Paris"), "2026-10-25 23:00 CET");
}

TEST(ScheduleTest, EverySecondLateInTheDayIsTheNextSecond) {
  auto s = Schedule::Parse("every 1s", "Europe/Paris");
  ASSERT_TRUE(s);
  auto t = At("2026-06-01 23:58", "Europe/Paris");
  for (int i = 0; i < 180; ++i) {  // through midnight
    auto next = s->NextAfter(t);
    ASSERT_TRUE(next);
    EXPECT_EQ(*next - t, std::chrono::seconds(1)) << i;
    t = *next;
  }
}

TEST(ScheduleTest, RebootNeverFiresOnTheClock) {
  auto s = Schedule::Parse("@reboot");
  ASSERT_TRUE(s);
  EXPECT_TRUE(s->at_reboot());
  EXPECT_FALSE(s->NextAfter(std::chrono::system_clock::now()));
}

TEST(ScheduleTest, ErrorsNameTheWrongPart) {
  struct {
    const char* text;
    const char* zone;
    const char* message;
  } cases[] = {
      {"61 * * * *", "", "minute \"61\" is out of range 0-59 in \"61 * * * *\""},
      {"* * * *", "", "expected 5 fields (minute hour day-of-month month day-of-week), got 4 in \"* * * *\""},
      {"0 25 * * *", "", "hour \"25\" is out of range 0-23 in \"0 25 * * *\""},
      {"0 0 * foo *", "", "month \"foo\" is not a number or a name in \"0 0 * foo *\""},
      {"*/0 * * * *", "", "minute \"*/0\" has a bad step (expected a positive number after /) in \"*/0 * * * *\""},
      {"5-1 * * * *", "", "minute \"5-1\" is a backwards range in \"5-1 * * * *\""},
      {"weekly sundy 02:00", "", "unknown day \"sundy\" in \"weekly sundy 02:00\""},
      {"daily 25:00", "", "bad time \"25:00\" in \"daily 25:00\" (expected HH:MM)"},
      {"@often", "", "unknown macro \"@often\" (expected @reboot, @yearly, @monthly, @weekly, @daily or @hourly)"},
      {"every soon", "",
       "bad interval \"soon\" in \"every soon\" (expected a duration from 1s to 36500d, like 5m or 6h)"},
      {"monthly 32 04:00", "", "bad day of month \"32\" in \"monthly 32 04:00\" (expected 1-31)"},
      {"@daily", "Mars/Olympus", "unknown time zone \"Mars/Olympus\""},
  };
  for (const auto& c : cases) {
    auto s = Schedule::Parse(c.text, c.zone);
    ASSERT_FALSE(s) << c.text;
    EXPECT_EQ(s.error().message(), c.message);
  }
}

// Regression test for issue 8, item 11
TEST(ScheduleTest, EveryIntervalIsAtMost36500Days) {
  auto huge = Schedule::Parse("every 99999999999d", "UTC");
  ASSERT_FALSE(huge);
  EXPECT_EQ(huge.error().message(),
            "bad interval \"99999999999d\" in \"every 99999999999d\" (expected a duration from 1s to 36500d, "
            "like 5m or 6h)");
  EXPECT_FALSE(Schedule::Parse("every 36500d1s", "UTC"));
  auto max = Schedule::Parse("every 36500d", "UTC");
  ASSERT_TRUE(max) << max.error().message();
  // Epoch-aligned: 1970 + 100 years (365 days each) falls in 2069.
  EXPECT_EQ(Next("every 36500d", "2026-01-01 00:00"), "2069-12-07 00:00 UTC");
}

// Regression test for issue 8, item 11
TEST(ScheduleTest, NoNextRunBeyondWhatTheClockCanHold) {
  // system_clock holds int64 nanoseconds: up to 2262-04-11. A fire time past that is none
  // at all, never a wrapped-around date.
  auto s = Schedule::Parse("every 36500d", "UTC");
  ASSERT_TRUE(s);
  auto t = At("2026-01-01 00:00");
  auto first = s->NextAfter(t);
  ASSERT_TRUE(first);
  auto second = s->NextAfter(*first);
  ASSERT_TRUE(second);
  EXPECT_GT(*second, *first);
  EXPECT_FALSE(s->NextAfter(*second));  // 2269
  for (const char* text : {"* * * * *", "0 0 29 2 *", "every 7m", "every 1s", "every 6h", "@yearly"}) {
    auto late = Schedule::Parse(text, "Europe/Paris");
    ASSERT_TRUE(late) << text;
    EXPECT_FALSE(late->NextAfter(base::WallTime::max())) << text;
    EXPECT_FALSE(late->NextAfter(base::WallTime::max() - std::chrono::hours(24 * 365))) << text;
    auto early = late->NextAfter(base::WallTime::min());
    if (early) {
      EXPECT_GT(*early, base::WallTime::min()) << text;
    }
  }
}

// Regression test for issue 8, item 17
TEST(ScheduleTest, HugeCronNumbersAreOutOfRangeNotGarbage) {
  auto s = Schedule::Parse("99999999999 * * * *", "UTC");
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().message(), "minute \"99999999999\" is out of range 0-59 in \"99999999999 * * * *\"");
  // A step as large as an int must not overflow while the values are listed.
  auto step = Schedule::Parse("59/2147483647 23/2147483647 31/2147483647 12/2147483647 7/2147483647", "UTC");
  ASSERT_TRUE(step) << step.error().message();
  EXPECT_EQ(Next("59/2147483647 * * * *", "2026-01-01 00:00"), "2026-01-01 00:59 UTC");
  auto past_max = Schedule::Parse("70/5 * * * *", "UTC");
  ASSERT_FALSE(past_max);
  EXPECT_EQ(past_max.error().message(), "minute \"70\" is out of range 0-59 in \"70/5 * * * *\"");
  auto daily = Schedule::Parse("daily -0:00", "UTC");
  ASSERT_FALSE(daily);
  EXPECT_EQ(daily.error().message(), "bad time \"-0:00\" in \"daily -0:00\" (expected HH:MM)");
}

TEST(ScheduleTest, ManyNextAfterCallsComplete) {
  auto s = Schedule::Parse("17 3 * * sun");
  ASSERT_TRUE(s);
  auto t = At("2026-01-01 00:00");
  for (int i = 0; i < 10000; ++i) t = *s->NextAfter(t);
  SUCCEED();
}

}  // namespace
}  // namespace vigil::schedule
