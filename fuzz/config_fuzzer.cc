// SPDX-License-Identifier: MIT
// libFuzzer target: any bytes as the text of a vigil.toml. ParseConfig must answer every
// input with a spec or one "FILE:LINE: ..." line, and never crash, throw, leak or hang; a
// spec it accepts must keep the limits docs/config.md promises.
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/check.h"
#include "base/units.h"
#include "config/load.h"

namespace {

constexpr std::string_view kFile = "/fuzz/vigil.toml";

// A fixed non-root user, so the defaults do not depend on who runs the fuzzer.
const vigil::config::UserContext& User() {
  static const vigil::config::UserContext user = [] {
    vigil::config::UserContext u;
    u.uid = 1000;
    u.home = "/home/fuzz";
    return u;
  }();
  return user;
}

bool HasNul(std::string_view s) { return s.find('\0') != std::string_view::npos; }

void CheckDuration(vigil::base::Duration d) {
  VIGIL_CHECK(d.count() >= 0 && d <= vigil::base::kMaxDuration, "duration out of bounds");
}

void CheckProcess(const std::vector<std::string>& argv, const std::string& directory,
                  const std::map<std::string, std::string>& environment) {
  for (const std::string& word : argv) VIGIL_CHECK(!HasNul(word), "NUL in argv");
  VIGIL_CHECK(!HasNul(directory), "NUL in directory");
  for (const auto& [name, value] : environment) {
    VIGIL_CHECK(!name.empty() && !HasNul(name) && !HasNul(value), "bad environment entry");
  }
}

void CheckSpec(const vigil::config::DaemonSpec& spec) {
  CheckDuration(spec.history_retention);
  VIGIL_CHECK(spec.programs.size() <= 10000, "more programs than docs/config.md allows");
  for (const vigil::config::ProgramSpec& p : spec.programs) {
    VIGIL_CHECK(!p.table_name.empty() && p.table_name.size() <= 128, "program name length");
    VIGIL_CHECK(!p.argv.empty(), "empty argv");
    CheckProcess(p.argv, p.directory, p.environment);
    for (vigil::base::Duration d : {p.start_seconds, p.backoff_initial, p.backoff_max, p.stop_timeout}) {
      CheckDuration(d);
    }
    if (p.fatal_retry_after) CheckDuration(*p.fatal_retry_after);
  }
  for (const vigil::config::TaskSpec& t : spec.tasks) {
    VIGIL_CHECK(!t.name.empty() && t.name.size() <= 128, "task name length");
    CheckProcess(t.argv, t.directory, t.environment);
    for (vigil::base::Duration d : {t.random_delay, t.retry_backoff}) CheckDuration(d);
    if (t.timeout) CheckDuration(*t.timeout);
    if (t.cleanup.older_than) CheckDuration(*t.cleanup.older_than);
    for (const std::string& path : t.cleanup.paths) VIGIL_CHECK(!HasNul(path), "NUL in a cleanup path");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto spec = vigil::config::ParseConfig(text, std::string(kFile), User());
  if (spec) {
    CheckSpec(*spec);
  } else {
    const std::string& message = spec.error().message();
    VIGIL_CHECK(message.rfind(std::string(kFile) + ":", 0) == 0, message);
    VIGIL_CHECK(message.find('\n') == std::string::npos, message);
  }
  return 0;
}
