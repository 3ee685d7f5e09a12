// SPDX-License-Identifier: MIT
// Duration and size parsing/printing for config values and CLI columns.
#include "base/units.h"

#include <array>
#include <cctype>
#include <limits>

namespace vigil::base {
namespace {

constexpr std::string_view kDurationExamples = R"(expected a duration like "10s", "250ms", "5m")";
constexpr std::string_view kSizeExamples =
    R"(expected a size like "512KB", "10MB", "1GB" or a number of bytes)";

struct Unit {
  std::string_view name;
  int64_t factor;
};

// Largest first: a compound duration must use them in this order, each at most once,
// so "30m1h" (almost certainly a typo) is rejected instead of silently meaning 1h30m.
constexpr std::array<Unit, 5> kDurationUnits{{
    {"d", 24 * 60 * 60 * 1000},
    {"h", 60 * 60 * 1000},
    {"m", 60 * 1000},
    {"s", 1000},
    {"ms", 1},
}};

std::string Quote(std::string_view text) { return "\"" + std::string(text) + "\""; }

// Invariant: now + kMaxDuration fits system_clock's int64 nanoseconds until 2150 at least
// (5680281600 s after the epoch is 2150-01-01), and kMaxDuration fits a steady_clock reading
// taken after 100 years of uptime.
static_assert(std::chrono::nanoseconds::max() - std::chrono::seconds(5680281600) > kMaxDuration);
static_assert(std::chrono::nanoseconds::max() - kMaxDuration > kMaxDuration);

// How kMaxDuration reads in messages, beside its ParseDuration spelling.
constexpr std::string_view kMaxDurationInYears = "100 years";

Status DurationTooLarge(std::string_view text) {
  return Status::InvalidArgument("duration " + Quote(text) + " is too large (at most " + FormatDuration(kMaxDuration) +
                                 ", " + std::string(kMaxDurationInYears) + ")");
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Reads a run of decimal digits at text[*pos]; false on overflow of uint64.
bool ReadNumber(std::string_view text, size_t* pos, uint64_t* out) {
  uint64_t value = 0;
  while (*pos < text.size() && IsDigit(text[*pos])) {
    if (__builtin_mul_overflow(value, 10, &value) ||
        __builtin_add_overflow(value, static_cast<uint64_t>(text[*pos] - '0'), &value)) {
      return false;
    }
    ++*pos;
  }
  *out = value;
  return true;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

}  // namespace

Result<Duration> ParseDuration(std::string_view text) {
  if (!text.empty() && text[0] == '-') {
    return Status::InvalidArgument("durations cannot be negative, got " + Quote(text));
  }
  if (text == "0") return Duration{0};
  const Status syntax_error =
      Status::InvalidArgument(std::string(kDurationExamples) + ", got " + Quote(text));
  if (text.empty()) return syntax_error;

  int64_t total_ms = 0;
  size_t next_unit = 0;  // index into kDurationUnits of the largest unit still allowed
  size_t pos = 0;
  while (pos < text.size()) {
    if (!IsDigit(text[pos])) return syntax_error;
    uint64_t number = 0;
    if (!ReadNumber(text, &pos, &number)) return DurationTooLarge(text);
    const size_t unit_start = pos;
    while (pos < text.size() && std::islower(static_cast<unsigned char>(text[pos]))) ++pos;
    const std::string_view unit = text.substr(unit_start, pos - unit_start);
    if (unit.empty()) {
      if (pos == text.size()) {
        return Status::InvalidArgument("missing unit in " + Quote(text) +
                                       R"( (write "10s" for ten seconds))");
      }
      return syntax_error;
    }
    size_t index = 0;
    while (index < kDurationUnits.size() && kDurationUnits[index].name != unit) ++index;
    if (index == kDurationUnits.size()) return syntax_error;
    if (index < next_unit) {
      return Status::InvalidArgument("units in " + Quote(text) +
                                     " must go from largest to smallest, each at most once");
    }
    next_unit = index + 1;
    int64_t part = 0;
    if (number > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) ||
        __builtin_mul_overflow(static_cast<int64_t>(number), kDurationUnits[index].factor, &part) ||
        __builtin_add_overflow(total_ms, part, &total_ms) || total_ms > kMaxDuration.count()) {
      return DurationTooLarge(text);
    }
  }
  return Duration{total_ms};
}

Result<Duration> DurationFromSeconds(int64_t seconds) {
  if (seconds < 0) {
    return Status::InvalidArgument("durations cannot be negative, got " + std::to_string(seconds));
  }
  constexpr int64_t kMaxSeconds = std::chrono::duration_cast<std::chrono::seconds>(kMaxDuration).count();
  if (seconds > kMaxSeconds) {
    return Status::InvalidArgument("duration of " + std::to_string(seconds) + " seconds is too large (at most " +
                                   std::to_string(kMaxSeconds) + " seconds, " + std::string(kMaxDurationInYears) + ")");
  }
  return Duration{std::chrono::seconds(seconds)};
}

Result<uint64_t> ParseSize(std::string_view text) {
  if (!text.empty() && text[0] == '-') {
    return Status::InvalidArgument("sizes cannot be negative, got " + Quote(text));
  }
  const Status syntax_error =
      Status::InvalidArgument(std::string(kSizeExamples) + ", got " + Quote(text));
  size_t pos = 0;
  uint64_t number = 0;
  if (text.empty() || !IsDigit(text[0])) return syntax_error;
  if (!ReadNumber(text, &pos, &number)) {
    return Status::InvalidArgument("size " + Quote(text) + " is too large");
  }
  const std::string_view unit = text.substr(pos);

  struct SizeUnit {
    std::string_view names[3];
    int shift;
  };
  // 1024-based for every spelling: operators think of log sizes in the same units as
  // `ls -lh` and `du -h` print them, and one meaning for "MB" avoids surprises.
  static constexpr SizeUnit kSizeUnits[] = {
      {{"", "b", "b"}, 0},      {{"k", "kb", "kib"}, 10}, {{"m", "mb", "mib"}, 20},
      {{"g", "gb", "gib"}, 30}, {{"t", "tb", "tib"}, 40},
  };
  for (const SizeUnit& u : kSizeUnits) {
    for (std::string_view name : u.names) {
      if (!EqualsIgnoreCase(unit, name)) continue;
      if (u.shift > 0 && number > (std::numeric_limits<uint64_t>::max() >> u.shift)) {
        return Status::InvalidArgument("size " + Quote(text) + " is too large");
      }
      return number << u.shift;
    }
  }
  return syntax_error;
}

std::string FormatSize(uint64_t bytes) {
  if (bytes < 1024) return std::to_string(bytes) + (bytes == 1 ? " byte" : " bytes");
  static constexpr std::string_view kUnits[] = {"KB", "MB", "GB", "TB"};
  size_t index = 0;
  uint64_t unit = 1024;
  while (index + 1 < std::size(kUnits) && bytes / unit >= 1024) {
    unit <<= 10;
    ++index;
  }
  uint64_t whole = bytes / unit;
  const uint64_t rest = bytes % unit;
  const std::string name(kUnits[index]);
  if (rest == 0) return std::to_string(whole) + " " + name;
  // rest < unit <= 2^40, so rest * 10 cannot overflow.
  uint64_t tenths = (rest * 10 + unit - 1) / unit;
  if (tenths == 10) {
    ++whole;
    tenths = 0;
  }
  return std::to_string(whole) + "." + std::to_string(tenths) + " " + name;
}

std::string FormatDuration(Duration d) {
  int64_t ms = d.count();
  if (ms < 0) {
    // Avoids negating INT64_MIN, which has no positive counterpart.
    if (ms == std::numeric_limits<int64_t>::min()) ++ms;
    return "-" + FormatDuration(Duration{-ms});
  }
  if (ms < 1000) return std::to_string(ms) + "ms";
  // Only d/h/m/s take part: sub-second detail is noise once a value passes one second.
  std::string out;
  int shown = 0;
  int64_t rest = ms;
  for (const Unit& unit : kDurationUnits) {
    if (unit.name == "ms") break;
    const int64_t count = rest / unit.factor;
    rest %= unit.factor;
    if (shown == 0 && count == 0) continue;
    if (count != 0) out += std::to_string(count) + std::string(unit.name);
    if (++shown == 2) break;
  }
  return out;
}

}  // namespace vigil::base
