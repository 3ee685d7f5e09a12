// SPDX-License-Identifier: MIT
// Time zone rules from a TZif file's POSIX TZ footer (see zone.h).
#include "schedule/zone.h"

#include <cctype>
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include <date/date.h>
// ptz.h's time_zone::name() says `hh_mm_ss` under using-directives for both date and
// std::chrono, which in C++20 both have one; a name in Posix is found first.
namespace Posix {
using date::hh_mm_ss;
}  // namespace Posix
#include <date/ptz.h>
#include <fmt/format.h>

#include "base/file_util.h"

namespace vigil::schedule {
namespace {

constexpr const char* kDefaultZoneDir = "/usr/share/zoneinfo";

// The largest zone file read. tzdata's largest is under 4 KB; the bound is for a TZ that
// names something else (/dev/zero, a FIFO, a log file), which must not stall or fill vigild.
constexpr uint64_t kMaxZoneFileBytes = 1024 * 1024;

std::filesystem::path ZoneDir() {
  const char* dir = std::getenv("TZDIR");
  return dir && *dir ? dir : kDefaultZoneDir;
}

// The TZ string of a TZif file: the text between the last two newlines (RFC 8536 §3.3).
// nullopt when the file is not TZif v2+ or has an empty footer (no rule to go on).
std::optional<std::string> Footer(const std::string& data) {
  if (data.size() < 44 || data.compare(0, 4, "TZif") != 0 || data[4] < '2') return std::nullopt;
  if (data.back() != '\n') return std::nullopt;
  auto start = data.rfind('\n', data.size() - 2);
  if (start == std::string::npos) return std::nullopt;
  std::string footer = data.substr(start + 1, data.size() - start - 2);
  if (footer.empty()) return std::nullopt;
  return footer;
}

using Rules = std::shared_ptr<const Posix::time_zone>;

base::Result<Rules> FromPosixString(const std::string& tz, std::string_view shown) {
  try {
    return std::make_shared<const Posix::time_zone>(tz);
  } catch (const std::exception& e) {
    return base::Status::InvalidArgument(fmt::format("time zone \"{}\": bad rule \"{}\": {}", shown, tz, e.what()));
  }
}

base::Result<Rules> ReadZoneFile(const std::filesystem::path& file, std::string_view shown) {
  auto data = base::ReadRegularFile(file, kMaxZoneFileBytes, "a zone file");
  if (!data) return base::Status::InvalidArgument(fmt::format("unknown time zone \"{}\"", shown));
  auto footer = Footer(*data);
  if (!footer)
    return base::Status::InvalidArgument(
        fmt::format("time zone \"{}\": {} is not a zone file with a rule for current times", shown, file.string()));
  return FromPosixString(*footer, shown);
}

// Each zone file is read once per process: the tasks of a config name the same few zones,
// and the config check, the scheduler and every reload load them again (as libdate-tz
// kept its database loaded). Failures are not kept.
base::Result<Rules> FromFile(const std::filesystem::path& file, std::string_view shown) {
  static std::mutex mu;
  static std::map<std::string, Rules, std::less<>> loaded;
  std::lock_guard lock(mu);
  if (auto it = loaded.find(file.native()); it != loaded.end()) return it->second;
  auto rules = ReadZoneFile(file, shown);
  if (rules) loaded.emplace(file.native(), *rules);
  return rules;
}

// IANA names are relative paths of letters, digits and _+-/; nothing that climbs out of
// the zone directory.
bool PlausibleZoneName(std::string_view name) {
  if (name.empty() || name.front() == '/' || name.find("..") != std::string_view::npos) return false;
  for (char c : name)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '+' || c == '-' || c == '/')) return false;
  return true;
}

Rules Utc() {
  static const Rules utc = std::make_shared<const Posix::time_zone>("UTC0");
  return utc;
}

// What libc would use for local time: TZ (a zone file, ":name", or a POSIX string),
// else /etc/localtime, else UTC.
Rules LocalZone() {
  const char* tz = std::getenv("TZ");
  if (tz && *tz) {
    std::string_view name = tz[0] == ':' ? tz + 1 : tz;
    std::filesystem::path file = !name.empty() && name.front() == '/' ? std::filesystem::path(name)
                                 : PlausibleZoneName(name)            ? ZoneDir() / name
                                                                      : std::filesystem::path();
    if (!file.empty())
      if (auto zone = FromFile(file, name)) return *zone;
    if (tz[0] != ':')
      if (auto zone = FromPosixString(tz, tz)) return *zone;
    return Utc();
  }
  if (auto zone = FromFile("/etc/localtime", "/etc/localtime")) return *zone;
  return Utc();
}

base::Result<Rules> LoadRules(std::string_view name) {
  if (name.empty()) return LocalZone();
  if (name == "UTC") return Utc();
  if (!PlausibleZoneName(name)) return base::Status::InvalidArgument(fmt::format("unknown time zone \"{}\"", name));
  return FromFile(ZoneDir() / name, name);
}

}  // namespace

Zone::Zone() : zone_(Utc()) {}

base::Result<Zone> Zone::Load(std::string_view name) {
  auto rules = LoadRules(name);
  if (!rules) return rules.error();
  return Zone(std::move(*rules));
}

date::local_time<std::chrono::milliseconds> Zone::ToLocal(base::WallTime t) const {
  return zone_->to_local(date::floor<std::chrono::milliseconds>(t));
}

base::WallTime Zone::ToSys(date::local_time<std::chrono::minutes> local) const {
  auto info = zone_->get_info(local);
  switch (info.result) {
    case date::local_info::nonexistent:
      return base::WallTime(std::chrono::duration_cast<base::WallTime::duration>(info.second.begin.time_since_epoch()));
    case date::local_info::unique:
    case date::local_info::ambiguous:
    default:
      return base::WallTime(std::chrono::duration_cast<base::WallTime::duration>(
          (local - info.first.offset).time_since_epoch()));
  }
}

}  // namespace vigil::schedule
