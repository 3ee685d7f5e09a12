// SPDX-License-Identifier: MIT
// libFuzzer target: a schedule and its time zone. The first line of the input picks the
// zone: one digit selects a zone from kZones (zones with unusual rules), anything else is
// used as a zone name as it is; the rest is the schedule text. Schedule::Parse must accept
// or refuse it, and NextAfter, from fixed instants around DST changes and the ends of the
// range it answers for, must return strictly later instants, quickly.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>

#include "base/check.h"
#include "schedule/schedule.h"

namespace {

// "" is the local zone (TZ, else /etc/localtime).
constexpr const char* kZones[] = {"",
                                  "UTC",
                                  "Europe/Paris",
                                  "America/New_York",
                                  "Australia/Lord_Howe",  // half-hour DST
                                  "Asia/Kathmandu",       // +05:45
                                  "Europe/Dublin",        // negative DST
                                  "Pacific/Chatham",      // +12:45, DST
                                  "America/Sao_Paulo",
                                  "Africa/Casablanca"};

using std::chrono::milliseconds;

// Unix times (ms): just before and after DST changes in the zones above, a year's last
// millisecond, the epoch, and the last hour NextAfter answers for.
constexpr int64_t kInstantsMs[] = {
    1772953170000,  // 2026-03-08T06:59:30Z, New York springs forward at 07:00Z
    1774745999000,  // 2026-03-29T00:59:59Z, Paris and Dublin at 01:00Z
    1792888200000,  // 2026-10-25T00:30:00Z, Paris falls back at 01:00Z
    1793511000000,  // 2026-11-01T05:30:00Z, New York falls back at 06:00Z
    1798761599999,  // 2026-12-31T23:59:59.999Z
    0,              // 1970-01-01T00:00:00Z
    7258114800000,  // 2199-12-31T23:00:00Z
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t newline = input.find('\n');
  if (newline == std::string_view::npos) return 0;
  const std::string_view first = input.substr(0, newline);
  const std::string_view text = input.substr(newline + 1);
  std::string zone(first);
  if (first.size() == 1 && first[0] >= '0' && first[0] <= '9') {
    const size_t index = static_cast<size_t>(first[0] - '0');
    if (index < std::size(kZones)) zone = kZones[index];
  }

  auto schedule = vigil::schedule::Schedule::Parse(text, zone);
  if (!schedule) return 0;
  for (int64_t ms : kInstantsMs) {
    vigil::base::WallTime t{milliseconds(ms)};
    for (int i = 0; i < 3; ++i) {
      std::optional<vigil::base::WallTime> next = schedule->NextAfter(t);
      if (!next) break;
      VIGIL_CHECK(*next > t, "NextAfter went backwards");
      t = *next;
    }
  }
  return 0;
}
