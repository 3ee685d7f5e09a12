// SPDX-License-Identifier: MIT
// The five fields of a cron expression as bit sets, and their parser. Internal to schedule/.
#pragma once

#include <bitset>
#include <string>
#include <string_view>

#include "base/status.h"

namespace vigil::schedule {

struct CronFields {
  std::bitset<60> minutes;
  std::bitset<24> hours;
  std::bitset<32> days;    // 1..31
  std::bitset<13> months;  // 1..12
  std::bitset<7> weekdays; // 0..6, Sunday = 0
  bool days_restricted = false;      // day-of-month field was not "*"
  bool weekdays_restricted = false;  // day-of-week field was not "*"

  // Vixie cron: when both day fields are restricted, either may match.
  bool DayMatches(unsigned day_of_month, unsigned weekday) const {
    if (days_restricted && weekdays_restricted) return days[day_of_month] || weekdays[weekday];
    return days[day_of_month] && weekdays[weekday];
  }
};

// Parses "minute hour day-of-month month day-of-week". `whole` is the text as the user
// wrote it, quoted in error messages.
base::Result<CronFields> ParseCronFields(std::string_view expr, std::string_view whole);

// 0..6 for "sun".."sat" or full names, case-insensitive; -1 if not a day.
int ParseWeekday(std::string_view name);

}  // namespace vigil::schedule
