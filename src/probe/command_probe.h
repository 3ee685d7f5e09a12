// SPDX-License-Identifier: MIT
// probe::CommandProber: a check that runs a command by the Nagios plugin convention (exit 0
// OK, 1 WARN, 2 CRIT, 3 UNKNOWN; the first line of stdout says why, perfdata after '|'), so
// every plugin of Debian's monitoring-plugins works unchanged.
// Thread rule: loop thread only; the outcome arrives on the loop thread.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "event/clock.h"
#include "event/loop.h"
#include "probe/outcome.h"
#include "process/launcher.h"

namespace vigil::probe {

struct CommandProbeSpec {
  std::vector<std::string> argv;                   // argv[0] without '/' is looked up in PATH
  std::string directory;                           // empty = vigild's
  std::map<std::string, std::string> environment;  // on top of vigild's environment
  std::optional<uid_t> uid;
  std::optional<gid_t> gid;
  base::Duration timeout{10000};
  std::string stdin_file;  // its stdin (a request written for it); empty = /dev/null
};

// Runs check commands through the Launcher, each in its own process group. The launcher,
// clock and loop must outlive every handle Probe() returns.
class CommandProber {
 public:
  // Of each of stdout and stderr, this much is kept; the rest is read and dropped, so a
  // chatty plugin never blocks on a full pipe.
  static constexpr size_t kMaxOutputBytes = 8 * 1024;

  CommandProber(process::Launcher& launcher, event::Clock& clock, event::Loop& loop);

  // Starts `spec.argv` and calls `done` once with what it says (see CommandOutcome). The
  // outcome comes when the command exits: whatever is left of its process group then
  // (a plugin's background child) is killed, and only the output already written counts.
  // If it cannot be started: UNKNOWN "cannot run: <reason>". If it has not exited within
  // `spec.timeout`, its whole group is killed and the outcome is CRIT "no answer within
  // 10s", as Nagios core's default service_check_timeout_state says. `done` is never
  // called from inside Probe(). Destroying the handle cancels: the group is killed, and
  // `done` is never called.
  event::HandlePtr Probe(const CommandProbeSpec& spec, DoneFn done);

 private:
  class Run;

  process::Launcher& launcher_;
  event::Clock& clock_;
  event::Loop& loop_;
};

// What a plugin's end says, by the Nagios convention: exit 0..3 give OK, WARN, CRIT,
// UNKNOWN with the first line of `out` as the message (with the perfdata after its first
// '|' removed, trimmed); another exit code is UNKNOWN "exit 7: <first line>"; a signal is
// UNKNOWN "killed by SIGSEGV". Without a line on stdout, the first line of `err` stands in
// (as Nagios core shows stderr when stdout is empty); with neither, the message is
// "exit N, no output". `value` stays empty: perfdata is not read.
Outcome CommandOutcome(int wait_status, std::string_view out, std::string_view err);

}  // namespace vigil::probe
