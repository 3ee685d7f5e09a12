// SPDX-License-Identifier: MIT
// Zone::Load: names, errors, the local zone from TZ, and agreement with the full tz database
// (libdate-tz, linked into this test only) at every 6 hours over 2026-2031 in zones with
// unusual rules.
#include "schedule/zone.h"

#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include <date/tz.h>
#include <gtest/gtest.h>

namespace vigil::schedule {
namespace {

using std::chrono::hours;
using std::chrono::seconds;

TEST(Zone, UtcAndUnknownNames) {
  auto utc = Zone::Load("UTC");
  ASSERT_TRUE(utc) << utc.error().message();
  const base::WallTime epoch{};
  EXPECT_EQ(utc->ToLocal(epoch).time_since_epoch(), seconds(0));
  for (const char* bad : {"Mars/Olympus", "../../etc/passwd", "/etc/localtime", "Europe/Paris;rm", "Europe/"}) {
    auto z = Zone::Load(bad);
    ASSERT_FALSE(z) << bad;
    EXPECT_NE(z.error().message().find(bad), std::string::npos) << z.error().message();
  }
}

TEST(Zone, NotAZoneFile) {
  auto dir = std::filesystem::temp_directory_path() / ("vigil-zone-test-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir / "Fake");
  std::ofstream(dir / "Fake" / "Text") << "not a zone\n";
  setenv("TZDIR", dir.c_str(), 1);
  auto z = Zone::Load("Fake/Text");
  unsetenv("TZDIR");
  std::filesystem::remove_all(dir);
  ASSERT_FALSE(z);
  EXPECT_NE(z.error().message().find("not a zone file"), std::string::npos) << z.error().message();
}

TEST(Zone, LocalZoneFollowsTz) {
  const char* old = getenv("TZ");
  std::string saved = old ? old : "";
  auto offset_at = [](const char* tz) {
    setenv("TZ", tz, 1);
    auto z = Zone::Load("");
    EXPECT_TRUE(z);
    base::WallTime july(date::sys_days{date::year(2026) / 7 / 1}.time_since_epoch());
    return std::chrono::duration_cast<seconds>(z->ToLocal(july).time_since_epoch() - july.time_since_epoch());
  };
  EXPECT_EQ(offset_at(":Europe/Berlin"), hours(2));
  EXPECT_EQ(offset_at("America/New_York"), hours(-4));
  EXPECT_EQ(offset_at("EST5EDT,M3.2.0,M11.1.0"), hours(-4));  // a POSIX string itself
  EXPECT_EQ(offset_at("Not/AZone"), hours(0));                 // unusable: UTC, as libc
  if (old) setenv("TZ", saved.c_str(), 1);
  else unsetenv("TZ");
}

// Regression test for issue 8, item 14 (the same unbounded read, for zone files)
TEST(Zone, TzNamingADeviceOrAFifoFallsBackToUtcAtOnce) {
  auto dir = std::filesystem::temp_directory_path() / ("vigil-zone-fifo-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const auto fifo = dir / "fifo";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  const char* old = getenv("TZ");
  std::string saved = old ? old : "";
  for (const std::string& tz : {fifo.string(), std::string("/dev/zero"), ":" + fifo.string()}) {
    setenv("TZ", tz.c_str(), 1);
    auto z = Zone::Load("");
    ASSERT_TRUE(z) << tz;
    const base::WallTime july(date::sys_days{date::year(2026) / 7 / 1}.time_since_epoch());
    EXPECT_EQ(z->ToLocal(july).time_since_epoch(), july.time_since_epoch()) << tz;
  }
  if (old)
    setenv("TZ", saved.c_str(), 1);
  else
    unsetenv("TZ");
  std::filesystem::remove_all(dir);
}

// Regression test for issue 8, item 14 (the same unbounded read, for zone files)
TEST(Zone, AZoneFileLargerThan1MBIsNotRead) {
  auto dir = std::filesystem::temp_directory_path() / ("vigil-zone-big-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir / "Fake");
  // A real zone file's footer after 2 MB of padding: refused by its size alone.
  std::ofstream(dir / "Fake" / "Big") << "TZif2" << std::string(2 << 20, '\0') << "\nUTC0\n";
  setenv("TZDIR", dir.c_str(), 1);
  auto z = Zone::Load("Fake/Big");
  unsetenv("TZDIR");
  std::filesystem::remove_all(dir);
  ASSERT_FALSE(z);
  EXPECT_EQ(z.error().message(), "unknown time zone \"Fake/Big\"");
}

TEST(Zone, AgreesWithTheTzDatabaseFrom2026On) {
  // Southern hemisphere, half and quarter hours, negative DST (Dublin), no DST (Kolkata).
  for (const char* name : {"America/New_York", "Europe/Berlin", "Europe/London", "Europe/Dublin",
                           "Australia/Sydney", "Asia/Kolkata", "America/St_Johns", "Pacific/Chatham",
                           "America/Sao_Paulo", "Australia/Lord_Howe"}) {
    auto ours = Zone::Load(name);
    ASSERT_TRUE(ours) << name << ": " << ours.error().message();
    const date::time_zone* reference = date::locate_zone(name);
    const date::sys_seconds start{date::sys_days{date::year(2026) / 1 / 1}};
    const date::sys_seconds end{date::sys_days{date::year(2031) / 1 / 1}};
    for (auto t = start; t < end; t += hours(6)) {
      base::WallTime at(t.time_since_epoch());
      ASSERT_EQ(ours->ToLocal(at), reference->to_local(t)) << name << " at " << date::format("%F %T", t);
      // And back: every local minute of the instant maps to the same instant.
      auto local = date::floor<std::chrono::minutes>(reference->to_local(t));
      auto want = reference->get_info(local).result == date::local_info::ambiguous
                      ? reference->to_sys(local, date::choose::earliest)
                      : reference->to_sys(local, date::choose::latest);
      ASSERT_EQ(ours->ToSys(local), base::WallTime(want.time_since_epoch())) << name << " at " << date::format("%F %T", t);
    }
  }
}

}  // namespace
}  // namespace vigil::schedule
