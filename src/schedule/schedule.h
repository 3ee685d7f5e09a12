// SPDX-License-Identifier: MIT
// schedule::Schedule: when a task runs. Parses standard 5-field cron expressions, the
// @-macros, and readable forms ("every 5m", "daily 03:00", "weekly sun 02:00",
// "monthly 1 04:00"), in local time, UTC or an IANA time zone, and computes the next fire
// time. Pure: no I/O besides reading the system time zone database, no clock.
// Rules (docs/schedules.md): cron day-of-month and day-of-week fields are ORed when both
// are restricted; a local time skipped by a spring-forward DST change fires once at the
// first instant after the gap; a local time repeated by a fall-back change fires once (at
// its first occurrence).
// Thread rule: immutable after Parse; safe to share.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/clock.h"
#include "base/status.h"

namespace vigil::schedule {

class Schedule {
 public:
  // `timezone`: "" for the system's local zone, "UTC", or an IANA name ("Europe/Paris").
  // On error returns InvalidArgument naming the wrong part, e.g.
  //   minute "61" is out of range 0-59 in "61 * * * *"
  //   unknown day name "sunday," in "weekly sunday, 02:00"
  //   unknown time zone "Mars/Olympus"
  static base::Result<Schedule> Parse(std::string_view text, std::string_view timezone = "");

  // The first fire time strictly after `after`. nullopt for @reboot, which fires only when
  // vigild starts, when no fire time exists within the next 5 years (e.g. "0 0 30 2 *"),
  // when the next one is past what system_clock holds (2262; "every 36500d" late in the
  // century), and when `after` is before 1970 or after 2200, a clock no server shows.
  std::optional<base::WallTime> NextAfter(base::WallTime after) const;

  bool at_reboot() const;
  const std::string& text() const;      // as written
  const std::string& timezone() const;  // as written; "" = local

  Schedule(const Schedule&);
  Schedule& operator=(const Schedule&);
  Schedule(Schedule&&) noexcept;
  Schedule& operator=(Schedule&&) noexcept;
  ~Schedule();

 private:
  struct Impl;
  explicit Schedule(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace vigil::schedule
