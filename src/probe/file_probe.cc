// SPDX-License-Identifier: MIT
// ProbeFile: one stat(2) of the file, its age and size held against the limits.
#include "probe/file_probe.h"

#include <sys/stat.h>

#include <cerrno>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"
#include "base/units.h"
#include "health/level.h"

namespace vigil::probe {
namespace {

// The limit a value is above, if any: the critical one before the warning one.
template <typename T>
std::optional<std::pair<health::Level, T>> Crossed(T value, const std::optional<T>& warn,
                                                   const std::optional<T>& crit) {
  if (crit && value > *crit) return std::pair{health::Level::kCrit, *crit};
  if (warn && value > *warn) return std::pair{health::Level::kWarn, *warn};
  return std::nullopt;
}

std::string_view LimitWord(health::Level level) { return level == health::Level::kCrit ? "critical" : "warning"; }

}  // namespace

Outcome ProbeFile(const FileProbeSpec& spec, base::WallTime now) {
  const std::string name = spec.path.string();
  struct stat st {};
  if (::stat(name.c_str(), &st) != 0) {
    const int error = errno;
    // stat(2): ENOENT is a missing file (or the target of a dangling link), ENOTDIR a
    // component of the path that is a file: nothing is there either way.
    if (error != ENOENT && error != ENOTDIR) {
      return {health::Level::kUnknown, base::ErrnoStatus("cannot stat " + name, error).message(), std::nullopt};
    }
    std::string message = name + " does not exist";
    struct stat link {};
    if (::lstat(name.c_str(), &link) == 0 && S_ISLNK(link.st_mode)) message += " (a symbolic link to nothing)";
    if (!spec.must_exist) return {health::Level::kOk, message + ", as allowed", std::nullopt};
    return {health::Level::kCrit, message, std::nullopt};
  }

  const base::WallTime changed{std::chrono::duration_cast<base::WallTime::duration>(
      std::chrono::seconds(st.st_mtim.tv_sec) + std::chrono::nanoseconds(st.st_mtim.tv_nsec))};
  const bool future = changed > now;
  // A change time ahead of the clock (a copy from a host whose clock is ahead) counts as
  // a change now: the file is fresh, not stale.
  const base::Duration age = future ? base::Duration(0) : std::chrono::floor<base::Duration>(now - changed);
  const auto size = static_cast<uint64_t>(st.st_size);

  Outcome outcome;
  outcome.value = std::chrono::duration<double>(age).count();
  const auto old = Crossed(age, spec.max_age_warn, spec.max_age_crit);
  const auto big = Crossed(size, spec.max_size_warn, spec.max_size_crit);
  if (!old && !big) {
    outcome.level = health::Level::kOk;
    const std::string when =
        future ? base::FormatDuration(std::chrono::floor<base::Duration>(changed - now)) + " in the future"
               : base::FormatDuration(age) + " ago";
    outcome.message = name + " changed " + when + ", " + base::FormatSize(size);
    return outcome;
  }
  // Every limit crossed is named, the worse first, so one look tells the whole story.
  std::vector<std::pair<health::Level, std::string>> parts;
  if (old) {
    parts.emplace_back(old->first, "last changed " + base::FormatDuration(age) + " ago (" +
                                       std::string(LimitWord(old->first)) + " after " +
                                       base::FormatDuration(old->second) + ")");
  }
  if (big) {
    parts.emplace_back(big->first, "is " + base::FormatSize(size) + " (" + std::string(LimitWord(big->first)) +
                                       " above " + base::FormatSize(big->second) + ")");
  }
  if (parts.size() == 2 && health::Severity(parts[1].first) > health::Severity(parts[0].first)) {
    std::swap(parts[0], parts[1]);
  }
  outcome.level = parts[0].first;
  outcome.message = name + " " + parts[0].second;
  if (parts.size() == 2) outcome.message += " and " + parts[1].second;
  return outcome;
}

}  // namespace vigil::probe
