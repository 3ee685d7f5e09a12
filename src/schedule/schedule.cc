// SPDX-License-Identifier: MIT
// Schedule: parsing of the readable forms and macros into cron fields or an interval, and
// the next fire time, walked in local wall-clock time of the task's zone (zone.h).
#include "schedule/schedule.h"

#include <cctype>
#include <charconv>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "base/units.h"
#include "schedule/cron_fields.h"
#include "schedule/zone.h"

namespace vigil::schedule {
namespace {

using std::chrono::days;
using std::chrono::hours;
using std::chrono::minutes;
using LocalMinutes = date::local_time<minutes>;

constexpr auto kSearchHorizon = days(5 * 366);

// The instants NextAfter answers for: from the Unix epoch to 2200-01-01. Within them, the
// cron walk (at most kSearchHorizon past `after`) and zone offsets stay far inside
// system_clock's int64 nanoseconds (1677 to 2262); an `every` interval, up to
// base::kMaxDuration, is checked against the clock's end on its own.
constexpr base::WallTime kEarliest{};
constexpr base::WallTime kLatest{std::chrono::seconds(7258118400)};
static_assert(kLatest.time_since_epoch() + kSearchHorizon + days(2) <= base::WallTime::duration::max());

std::string Trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

std::vector<std::string> Words(std::string_view s) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    size_t start = i;
    while (i < s.size() && !std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    if (i > start) out.emplace_back(s.substr(start, i - start));
  }
  return out;
}

bool AllDigits(std::string_view s) { return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos; }

// "03:00" -> {3, 0}
base::Result<std::pair<int, int>> ParseClock(std::string_view text, std::string_view whole) {
  auto bad = base::Status::InvalidArgument(fmt::format("bad time \"{}\" in \"{}\" (expected HH:MM)", text, whole));
  auto colon = text.find(':');
  if (colon == std::string_view::npos) return bad;
  auto hs = text.substr(0, colon), ms = text.substr(colon + 1);
  // Digits only: from_chars alone would take "-0" for an hour.
  if (!AllDigits(hs) || hs.size() > 2 || !AllDigits(ms) || ms.size() != 2) return bad;
  int h = -1, m = -1;
  std::from_chars(hs.data(), hs.data() + hs.size(), h);
  std::from_chars(ms.data(), ms.data() + ms.size(), m);
  if (h > 23 || m > 59) return bad;
  return std::make_pair(h, m);
}

}  // namespace

struct Schedule::Impl {
  enum class Kind { kCron, kEvery, kReboot } kind = Kind::kCron;
  CronFields cron;
  base::Duration every{0};
  bool every_from_midnight = false;
  Zone zone;
  std::string text;
  std::string timezone;

  std::optional<base::WallTime> NextCron(base::WallTime after) const;
  std::optional<base::WallTime> NextEvery(base::WallTime after) const;
};

namespace {

LocalMinutes ToLocal(const Zone& zone, base::WallTime t) { return date::floor<minutes>(zone.ToLocal(t)); }

}  // namespace

std::optional<base::WallTime> Schedule::Impl::NextCron(base::WallTime after) const {
  // Walk local wall-clock minutes, skipping whole months, days and hours that cannot
  // match, so even a rare schedule is found in a few hundred steps.
  LocalMinutes t = ToLocal(zone, after) + minutes(1);
  const LocalMinutes end = t + kSearchHorizon;
  while (t < end) {
    auto day = date::floor<days>(t);
    date::year_month_day ymd{day};
    if (!cron.months[static_cast<unsigned>(ymd.month())]) {
      auto first_next = date::year_month_day{ymd.year() / ymd.month() / 1} + date::months(1);
      t = LocalMinutes(date::local_days(first_next));
      continue;
    }
    unsigned wd = date::weekday(day).c_encoding();
    if (!cron.DayMatches(static_cast<unsigned>(ymd.day()), wd)) {
      t = LocalMinutes(day + days(1));
      continue;
    }
    auto hms = date::make_time(t - day);
    auto h = static_cast<size_t>(hms.hours().count());
    if (!cron.hours[h]) {
      t = LocalMinutes(day) + hours(h + 1);
      continue;
    }
    auto m = static_cast<size_t>(hms.minutes().count());
    if (!cron.minutes[m]) {
      t += minutes(1);
      continue;
    }
    base::WallTime when = zone.ToSys(t);
    // A fall-back repeat can map a later wall time to an earlier instant; a gap can map
    // several wall times to one instant. Either way, only strictly later instants count.
    if (when > after) return when;
    t += minutes(1);
  }
  return std::nullopt;
}

std::optional<base::WallTime> Schedule::Impl::NextEvery(base::WallTime after) const {
  if (!every_from_midnight) {
    // Multiples of the interval since the Unix epoch (`after` is not before it). The next
    // one can lie past the clock's end (2262) for an interval of decades: then there is none.
    const int64_t since = std::chrono::duration_cast<base::Duration>(after.time_since_epoch()).count();
    const int64_t k = since / every.count() + 1;
    constexpr int64_t kClockEnd = std::chrono::duration_cast<base::Duration>(base::WallTime::duration::max()).count();
    int64_t next = 0;
    if (__builtin_mul_overflow(k, every.count(), &next) || next > kClockEnd) return std::nullopt;
    return base::WallTime(std::chrono::duration_cast<base::WallTime::duration>(base::Duration(next)));
  }
  // Multiples of the interval since local midnight ("every 6h": 00:00, 06:00, ...).
  auto local = zone.ToLocal(after);
  auto day = date::floor<days>(local);
  auto instant = [&](date::local_time<std::chrono::milliseconds> at) {
    auto at_minutes = date::floor<minutes>(at);
    return zone.ToSys(at_minutes) + (at - at_minutes);
  };
  const int64_t per_day = std::chrono::duration_cast<base::Duration>(days(1)) / every;
  for (int d = 0; d < 3; ++d) {
    auto midnight = date::local_time<std::chrono::milliseconds>(day + days(d));
    // The first slot of the day whose instant is after `after`, by bisection: instants
    // do not decrease with the slot, and a scan from midnight would cost a time zone
    // lookup per slot (86 400 for "every 1s" late in the day).
    int64_t lo = 0, hi = per_day;
    while (lo < hi) {
      int64_t mid = lo + (hi - lo) / 2;
      if (instant(midnight + every * mid) > after) hi = mid;
      else lo = mid + 1;
    }
    // Inside a spring-forward gap sub-minute slots repeat instants; step past those.
    for (; lo < per_day; ++lo) {
      base::WallTime when = instant(midnight + every * lo);
      if (when > after) return when;
    }
  }
  return std::nullopt;
}

Schedule::Schedule(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Schedule::Schedule(const Schedule& other) : impl_(std::make_unique<Impl>(*other.impl_)) {}
Schedule& Schedule::operator=(const Schedule& other) {
  if (this != &other) impl_ = std::make_unique<Impl>(*other.impl_);
  return *this;
}
Schedule::Schedule(Schedule&&) noexcept = default;
Schedule& Schedule::operator=(Schedule&&) noexcept = default;
Schedule::~Schedule() = default;

bool Schedule::at_reboot() const { return impl_->kind == Impl::Kind::kReboot; }
const std::string& Schedule::text() const { return impl_->text; }
const std::string& Schedule::timezone() const { return impl_->timezone; }

std::optional<base::WallTime> Schedule::NextAfter(base::WallTime after) const {
  if (after < kEarliest || after > kLatest) return std::nullopt;
  switch (impl_->kind) {
    case Impl::Kind::kReboot: return std::nullopt;
    case Impl::Kind::kEvery: return impl_->NextEvery(after);
    case Impl::Kind::kCron: return impl_->NextCron(after);
  }
  return std::nullopt;
}

base::Result<Schedule> Schedule::Parse(std::string_view text, std::string_view timezone) {
  auto impl = std::make_unique<Impl>();
  impl->text = std::string(text);
  impl->timezone = std::string(timezone);
  auto zone = Zone::Load(timezone);
  if (!zone) return zone.error();
  impl->zone = std::move(*zone);

  std::string s = Trim(text);
  std::string lower = s;
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string cron;
  if (lower.empty()) return base::Status::InvalidArgument("empty schedule");
  if (lower[0] == '@') {
    if (lower == "@reboot") {
      impl->kind = Impl::Kind::kReboot;
      return Schedule(std::move(impl));
    }
    if (lower == "@yearly" || lower == "@annually") cron = "0 0 1 1 *";
    else if (lower == "@monthly") cron = "0 0 1 * *";
    else if (lower == "@weekly") cron = "0 0 * * 0";
    else if (lower == "@daily" || lower == "@midnight") cron = "0 0 * * *";
    else if (lower == "@hourly") cron = "0 * * * *";
    else
      return base::Status::InvalidArgument(fmt::format(
          "unknown macro \"{}\" (expected @reboot, @yearly, @monthly, @weekly, @daily or @hourly)", s));
  } else if (std::isalpha(static_cast<unsigned char>(lower[0]))) {
    std::vector<std::string> w = Words(lower);
    if (w[0] == "every") {
      if (w.size() != 2)
        return base::Status::InvalidArgument(fmt::format("expected \"every DURATION\" like \"every 5m\", got \"{}\"", s));
      // ParseDuration bounds it by base::kMaxDuration, which keeps the arithmetic of NextEvery
      // within 64 bits.
      auto d = base::ParseDuration(w[1]);
      if (!d || *d < std::chrono::seconds(1))
        return base::Status::InvalidArgument(
            fmt::format("bad interval \"{}\" in \"{}\" (expected a duration from 1s to {}, like 5m or 6h)", w[1], s,
                        base::FormatDuration(base::kMaxDuration)));
      impl->kind = Impl::Kind::kEvery;
      impl->every = *d;
      impl->every_from_midnight = std::chrono::hours(24) % *d == base::Duration(0);
      return Schedule(std::move(impl));
    }
    if (w[0] == "daily" && w.size() == 2) {
      auto hm = ParseClock(w[1], s);
      if (!hm) return hm.error();
      cron = fmt::format("{} {} * * *", hm->second, hm->first);
    } else if (w[0] == "weekly" && w.size() == 3) {
      int wd = ParseWeekday(w[1]);
      if (wd < 0) return base::Status::InvalidArgument(fmt::format("unknown day \"{}\" in \"{}\"", w[1], s));
      auto hm = ParseClock(w[2], s);
      if (!hm) return hm.error();
      cron = fmt::format("{} {} * * {}", hm->second, hm->first, wd);
    } else if (w[0] == "monthly" && w.size() == 3) {
      int day = 0;
      auto r = std::from_chars(w[1].data(), w[1].data() + w[1].size(), day);
      if (r.ec != std::errc() || r.ptr != w[1].data() + w[1].size() || day < 1 || day > 31)
        return base::Status::InvalidArgument(fmt::format("bad day of month \"{}\" in \"{}\" (expected 1-31)", w[1], s));
      auto hm = ParseClock(w[2], s);
      if (!hm) return hm.error();
      cron = fmt::format("{} {} {} * *", hm->second, hm->first, day);
    } else {
      return base::Status::InvalidArgument(fmt::format(
          "unknown schedule \"{}\" (expected cron fields, @daily and friends, \"every 5m\", \"daily 03:00\", "
          "\"weekly sun 02:00\" or \"monthly 1 04:00\")",
          s));
    }
  } else {
    cron = s;
  }
  auto fields = ParseCronFields(cron, s);
  if (!fields) return fields.error();
  impl->cron = *fields;
  return Schedule(std::move(impl));
}

}  // namespace vigil::schedule
