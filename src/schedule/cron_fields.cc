// SPDX-License-Identifier: MIT
// Cron field parsing: lists, ranges, steps, month and day names, with errors that quote
// the part that is wrong.
#include "schedule/cron_fields.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <limits>
#include <vector>

#include <fmt/format.h>

namespace vigil::schedule {
namespace {

constexpr std::array<std::string_view, 12> kMonths = {"jan", "feb", "mar", "apr", "may", "jun",
                                                      "jul", "aug", "sep", "oct", "nov", "dec"};
constexpr std::array<std::string_view, 7> kDays = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
constexpr std::array<std::string_view, 7> kFullDays = {"sunday",   "monday", "tuesday", "wednesday",
                                                       "thursday", "friday", "saturday"};

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

struct FieldRule {
  const char* name;
  int min;
  int max;
  bool names_are_months;
  bool names_are_days;
};

constexpr FieldRule kRules[5] = {
    {"minute", 0, 59, false, false},       {"hour", 0, 23, false, false},
    {"day-of-month", 1, 31, false, false}, {"month", 1, 12, true, false},
    {"day-of-week", 0, 7, false, true},
};

// A single value: a number or, where the field allows it, a name. -1 if not valid; a
// number too large for an int is INT_MAX, so that it is reported as out of range.
int ParseValue(std::string_view text, const FieldRule& rule) {
  int v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (p == text.data() + text.size() && !text.empty() && text[0] != '-') {
    if (ec == std::errc()) return v;
    if (ec == std::errc::result_out_of_range) return std::numeric_limits<int>::max();
  }
  std::string lower = Lower(text);
  if (rule.names_are_months) {
    for (size_t i = 0; i < kMonths.size(); ++i)
      if (lower == kMonths[i]) return static_cast<int>(i) + 1;
  }
  if (rule.names_are_days) return ParseWeekday(lower);
  return -1;
}

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    size_t pos = s.find(sep, start);
    out.push_back(s.substr(start, pos == std::string_view::npos ? std::string_view::npos : pos - start));
    if (pos == std::string_view::npos) break;
    start = pos + 1;
  }
  return out;
}

// Sets bits [min..max] of the field from one comma-separated item.
base::Status ParseItem(std::string_view item, const FieldRule& rule, std::string_view whole,
                       std::vector<int>* values) {
  auto bad = [&](std::string_view what, std::string_view why) {
    return base::Status::InvalidArgument(
        fmt::format("{} \"{}\" {} in \"{}\"", rule.name, what, why, whole));
  };
  int step = 1;
  std::string_view range = item;
  if (auto slash = item.find('/'); slash != std::string_view::npos) {
    std::string_view step_text = item.substr(slash + 1);
    auto [p, ec] = std::from_chars(step_text.data(), step_text.data() + step_text.size(), step);
    // A step beyond the field's range selects only the first value, however large it is.
    if (ec == std::errc::result_out_of_range && p == step_text.data() + step_text.size() && step_text[0] != '-')
      step = std::numeric_limits<int>::max();
    else if (ec != std::errc() || p != step_text.data() + step_text.size() || step <= 0)
      return bad(item, "has a bad step (expected a positive number after /)");
    range = item.substr(0, slash);
  }
  int lo, hi;
  if (range == "*") {
    lo = rule.min;
    hi = rule.max == 7 ? 6 : rule.max;
  } else if (auto dash = range.find('-'); dash != std::string_view::npos) {
    lo = ParseValue(range.substr(0, dash), rule);
    hi = ParseValue(range.substr(dash + 1), rule);
    if (lo < 0 || hi < 0) return bad(range, "is not a valid range");
    if (lo > hi) return bad(range, "is a backwards range");
  } else {
    lo = ParseValue(range, rule);
    if (lo < 0) {
      if (rule.names_are_days || rule.names_are_months) return bad(range, "is not a number or a name");
      return bad(range, "is not a number");
    }
    hi = item.find('/') != std::string_view::npos ? (rule.max == 7 ? 6 : rule.max) : lo;
  }
  // lo is checked on its own: "70/5" has hi = 59 and would otherwise select nothing.
  if (lo < rule.min || lo > rule.max || hi > rule.max)
    return bad(range == "*" ? item : range, fmt::format("is out of range {}-{}", rule.min, rule.max));
  // lo is always set (lo > hi only for a day-of-week "7/N", which means Sunday), and the
  // loop stops before v + step could overflow an int.
  for (int v = lo;; v += step) {
    values->push_back(v);
    if (hi - v < step) break;
  }
  return base::Status::Ok();
}

}  // namespace

int ParseWeekday(std::string_view name) {
  std::string lower = Lower(name);
  for (size_t i = 0; i < kDays.size(); ++i)
    if (lower == kDays[i] || lower == kFullDays[i]) return static_cast<int>(i);
  return -1;
}

base::Result<CronFields> ParseCronFields(std::string_view expr, std::string_view whole) {
  std::vector<std::string_view> fields;
  size_t i = 0;
  while (i < expr.size()) {
    while (i < expr.size() && std::isspace(static_cast<unsigned char>(expr[i]))) ++i;
    size_t start = i;
    while (i < expr.size() && !std::isspace(static_cast<unsigned char>(expr[i]))) ++i;
    if (i > start) fields.push_back(expr.substr(start, i - start));
  }
  if (fields.size() != 5) {
    return base::Status::InvalidArgument(fmt::format(
        "expected 5 fields (minute hour day-of-month month day-of-week), got {} in \"{}\"", fields.size(), whole));
  }
  CronFields out;
  for (size_t f = 0; f < 5; ++f) {
    std::vector<int> values;
    for (std::string_view item : Split(fields[f], ',')) {
      if (item.empty()) {
        return base::Status::InvalidArgument(
            fmt::format("{} \"{}\" has an empty list item in \"{}\"", kRules[f].name, fields[f], whole));
      }
      if (auto s = ParseItem(item, kRules[f], whole, &values); !s.ok()) return s;
    }
    for (int v : values) {
      switch (f) {
        case 0: out.minutes.set(static_cast<size_t>(v)); break;
        case 1: out.hours.set(static_cast<size_t>(v)); break;
        case 2: out.days.set(static_cast<size_t>(v)); break;
        case 3: out.months.set(static_cast<size_t>(v)); break;
        case 4: out.weekdays.set(static_cast<size_t>(v % 7)); break;  // 7 is Sunday too
      }
    }
  }
  // As in Vixie cron, a field starting with "*" ("*", "*/2") counts as unrestricted.
  out.days_restricted = fields[2][0] != '*';
  out.weekdays_restricted = fields[4][0] != '*';
  return out;
}

}  // namespace vigil::schedule
