// SPDX-License-Identifier: MIT
// Tests for duration and size parsing/printing.
#include "base/units.h"

#include <gtest/gtest.h>

#include <chrono>

namespace vigil::base {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

TEST(ParseDurationTest, AcceptsEachUnitAndCompounds) {
  const struct {
    const char* text;
    Duration want;
  } cases[] = {
      {"0", Duration{0}},
      {"0s", Duration{0}},
      {"250ms", milliseconds(250)},
      {"10s", seconds(10)},
      {"5m", minutes(5)},
      {"1h", hours(1)},
      {"1d", hours(24)},
      {"1h30m", minutes(90)},
      {"2m30s500ms", milliseconds(150500)},
      {"1d2h3m4s5ms", hours(26) + minutes(3) + seconds(4) + milliseconds(5)},
      {"90s", seconds(90)},
      {"007s", seconds(7)},
  };
  for (const auto& c : cases) {
    auto d = ParseDuration(c.text);
    ASSERT_TRUE(d.has_value()) << c.text << ": " << d.error().message();
    EXPECT_EQ(*d, c.want) << c.text;
  }
}

TEST(ParseDurationTest, RejectsGarbageWithTheInputQuoted) {
  for (const char* text :
       {"", "10 sec", "10sec", "s", "1.5s", "10S", " 10s", "10s ", "1h 30m", "abc", "10us", "1w"}) {
    auto d = ParseDuration(text);
    ASSERT_FALSE(d.has_value()) << text;
    EXPECT_EQ(d.error().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(d.error().message().find(std::string("\"") + text + "\""), std::string::npos)
        << d.error().message();
  }
  EXPECT_EQ(ParseDuration("10 sec").error().message(),
            R"(expected a duration like "10s", "250ms", "5m", got "10 sec")");
}

TEST(ParseDurationTest, RejectsBareNumbersWithAHint) {
  EXPECT_EQ(ParseDuration("10").error().message(),
            R"(missing unit in "10" (write "10s" for ten seconds))");
  EXPECT_FALSE(ParseDuration("1h30").has_value());
}

TEST(ParseDurationTest, RejectsNegatives) {
  EXPECT_EQ(ParseDuration("-5s").error().message(), R"(durations cannot be negative, got "-5s")");
}

TEST(ParseDurationTest, RejectsUnitsOutOfOrderOrRepeated) {
  EXPECT_EQ(ParseDuration("30m1h").error().message(),
            R"(units in "30m1h" must go from largest to smallest, each at most once)");
  EXPECT_FALSE(ParseDuration("1s1s").has_value());
}

TEST(ParseDurationTest, RejectsOverflow) {
  EXPECT_EQ(ParseDuration("99999999999999999999s").error().message(),
            R"(duration "99999999999999999999s" is too large (at most 36500d, 100 years))");
  EXPECT_FALSE(ParseDuration("9223372036854775807s").has_value());
  EXPECT_FALSE(ParseDuration("106751991168d").has_value());
  EXPECT_FALSE(ParseDuration("9223372036854775807s1ms").has_value());
}

// Regression test for issue 8, item 11
TEST(ParseDurationTest, RejectsDurationsBeyondTheMaximum) {
  // "1000000d" as a stop_timeout made SIGKILL follow SIGTERM at once: steady_clock's
  // now + 1000000d overflowed its int64 nanoseconds.
  EXPECT_EQ(ParseDuration("1000000d").error().message(),
            R"(duration "1000000d" is too large (at most 36500d, 100 years))");
  EXPECT_EQ(ParseDuration("36500d1ms").error().message(),
            R"(duration "36500d1ms" is too large (at most 36500d, 100 years))");
  EXPECT_FALSE(ParseDuration("106751991167d").has_value());
  EXPECT_FALSE(ParseDuration("9223372036854775807ms").has_value());
  auto max = ParseDuration("36500d");
  ASSERT_TRUE(max.has_value()) << max.error().message();
  EXPECT_EQ(*max, kMaxDuration);
  EXPECT_EQ(*ParseDuration("876000h"), kMaxDuration);
  EXPECT_EQ(*ParseDuration("3153600000000ms"), kMaxDuration);
}

// Regression test for issue 8, item 11
TEST(ParseDurationTest, MaximumFitsBothClocksLongAfter2100) {
  // 2150-01-01T00:00:00Z, later than vigil will run, and the clocks' extremes around it.
  const WallTime y2150{std::chrono::seconds(5680281600)};
  const auto ns_max = std::chrono::nanoseconds::max();
  EXPECT_LT(y2150.time_since_epoch(), ns_max - kMaxDuration);
  EXPECT_GT(y2150.time_since_epoch() - kMaxDuration, std::chrono::nanoseconds::min());
  // steady_clock counts from boot: a machine up for 100 years still has room.
  EXPECT_LT(kMaxDuration + kMaxDuration, ns_max);
}

// Regression test for issue 8, item 11
TEST(DurationFromSecondsTest, AppliesTheSameBounds) {
  EXPECT_EQ(*DurationFromSeconds(0), Duration{0});
  EXPECT_EQ(*DurationFromSeconds(90), seconds(90));
  EXPECT_EQ(*DurationFromSeconds(3153600000), kMaxDuration);
  EXPECT_EQ(DurationFromSeconds(3153600001).error().message(),
            "duration of 3153600001 seconds is too large (at most 3153600000 seconds, 100 years)");
  EXPECT_EQ(DurationFromSeconds(9223372036854775807).error().message(),
            "duration of 9223372036854775807 seconds is too large (at most 3153600000 seconds, "
            "100 years)");
  EXPECT_EQ(DurationFromSeconds(-5).error().message(), "durations cannot be negative, got -5");
}

TEST(ParseSizeTest, AcceptsBytesAndBinaryUnits) {
  const struct {
    const char* text;
    uint64_t want;
  } cases[] = {
      {"0", 0},
      {"100", 100},
      {"100B", 100},
      {"512KB", 512 * 1024},
      {"512kb", 512 * 1024},
      {"512K", 512 * 1024},
      {"512KiB", 512 * 1024},
      {"10MB", 10 * 1024 * 1024},
      {"10MiB", 10 * 1024 * 1024},
      {"10m", 10 * 1024 * 1024},
      {"1GB", 1024ULL * 1024 * 1024},
      {"1GiB", 1024ULL * 1024 * 1024},
      {"2TB", 2ULL << 40},
      {"18446744073709551615", 18446744073709551615ULL},
      {"16777215TB", 16777215ULL << 40},
  };
  for (const auto& c : cases) {
    auto size = ParseSize(c.text);
    ASSERT_TRUE(size.has_value()) << c.text << ": " << size.error().message();
    EXPECT_EQ(*size, c.want) << c.text;
  }
}

TEST(ParseSizeTest, RejectsGarbageNegativesAndOverflow) {
  for (const char* text : {"", "MB", "1.5MB", "10 MB", "10XB", "ten", "10MBs", "0x10"}) {
    auto size = ParseSize(text);
    ASSERT_FALSE(size.has_value()) << text;
    EXPECT_NE(size.error().message().find(std::string("\"") + text + "\""), std::string::npos);
  }
  EXPECT_EQ(ParseSize("10 MB").error().message(),
            R"(expected a size like "512KB", "10MB", "1GB" or a number of bytes, got "10 MB")");
  EXPECT_EQ(ParseSize("-1MB").error().message(), R"(sizes cannot be negative, got "-1MB")");
  EXPECT_EQ(ParseSize("18446744073709551616").error().message(),
            R"(size "18446744073709551616" is too large)");
  EXPECT_EQ(ParseSize("16777216TB").error().message(), R"(size "16777216TB" is too large)");
}

// Regression test for issue 8, item 14 (the sizes in "FILE: 49.0 MB is larger than ...")
TEST(FormatSizeTest, WholeWhenExactElseOneDecimalRoundedUp) {
  const struct {
    uint64_t bytes;
    const char* want;
  } cases[] = {
      {0, "0 bytes"},
      {1, "1 byte"},
      {1023, "1023 bytes"},
      {1024, "1 KB"},
      {1536, "1.5 KB"},
      {8ULL << 20, "8 MB"},
      {(8ULL << 20) + 1, "8.1 MB"},  // never printed as the limit it exceeds
      {51380224, "49 MB"},
      {51390000, "49.1 MB"},
      {(1ULL << 40) * 3, "3 TB"},
      {18446744073709551615ULL, "16777216.0 TB"},
  };
  for (const auto& c : cases) EXPECT_EQ(FormatSize(c.bytes), c.want) << c.bytes;
}

TEST(FormatDurationTest, CompactTwoUnits) {
  const struct {
    Duration d;
    const char* want;
  } cases[] = {
      {Duration{0}, "0ms"},
      {milliseconds(250), "250ms"},
      {milliseconds(999), "999ms"},
      {seconds(1), "1s"},
      {milliseconds(1500), "1s"},
      {seconds(42), "42s"},
      {minutes(3) + seconds(12), "3m12s"},
      {minutes(3) + seconds(12) + milliseconds(999), "3m12s"},
      {minutes(5), "5m"},
      {hours(2) + minutes(5) + seconds(59), "2h5m"},
      {hours(2) + seconds(7), "2h"},
      {hours(24 * 3 + 4) + minutes(59), "3d4h"},
      {hours(24), "1d"},
      {hours(24 * 400), "400d"},
      {-seconds(5), "-5s"},
      {Duration{std::numeric_limits<int64_t>::min()}, "-106751991167d7h"},
  };
  for (const auto& c : cases) EXPECT_EQ(FormatDuration(c.d), c.want) << c.d.count();
}

TEST(FormatDurationTest, OutputParsesBackWhenExact) {
  for (Duration d : {Duration{250}, Duration{seconds(42)}, Duration{minutes(3) + seconds(12)},
                     Duration{hours(50)}}) {
    auto parsed = ParseDuration(FormatDuration(d));
    ASSERT_TRUE(parsed.has_value()) << FormatDuration(d);
    EXPECT_EQ(*parsed, d);
  }
}

}  // namespace
}  // namespace vigil::base
