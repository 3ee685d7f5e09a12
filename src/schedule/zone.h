// SPDX-License-Identifier: MIT
// schedule::Zone: the rules of a time zone for computing fire times, taken from the
// POSIX TZ string that ends every TZif zone file (RFC 8536, version 2 and later) and
// evaluated by date's header-only Posix::time_zone. The footer describes a zone's current
// rules for every future year, which is all a schedule needs; doing without the compiled
// tz database (libdate-tz) keeps vigild free of shared C++ libraries, so it links
// libstdc++ statically and maps far less code (docs/benchmarks.md).
// Limitation (docs/schedules.md): the few zones whose future changes follow no rule
// (Africa/Casablanca's Ramadan changes) get the offset their footer gives.
#pragma once

#include <chrono>
#include <memory>
#include <string_view>

#include <date/date.h>

#include "base/clock.h"
#include "base/status.h"

namespace Posix {
class time_zone;
}  // namespace Posix

namespace vigil::schedule {

class Zone {
 public:
  // `name`: "" for the system's local zone (TZ, else /etc/localtime; UTC when neither is
  // usable, as libc does), "UTC", or an IANA name looked up under $TZDIR or
  // /usr/share/zoneinfo. InvalidArgument names the problem: unknown zone, not a zone file,
  // a zone file without a rule for current times.
  static base::Result<Zone> Load(std::string_view name);
  Zone();  // UTC

  // Instant -> local wall time.
  date::local_time<std::chrono::milliseconds> ToLocal(base::WallTime t) const;
  // Local wall time -> instant. A time skipped by a spring-forward change maps to the end
  // of the gap (the first valid instant after it); a repeated time to its first occurrence.
  base::WallTime ToSys(date::local_time<std::chrono::minutes> local) const;

 private:
  // ptz.h defines a function outside its class without `inline`, so only zone.cc may
  // include it; immutable, so copies of a Schedule, and every Zone of one file, share it.
  explicit Zone(std::shared_ptr<const Posix::time_zone> zone) : zone_(std::move(zone)) {}
  std::shared_ptr<const Posix::time_zone> zone_;
};

}  // namespace vigil::schedule
