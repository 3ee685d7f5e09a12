// SPDX-License-Identifier: MIT
// daemon::SystemdNotifier: vigild's side of systemd's notify protocol, for a unit with
// Type=notify (docs/service.md): READY=1 once it serves, STATUS= with a one-line summary,
// RELOADING=1 around a reload, STOPPING=1 on shutdown, and WATCHDOG=1 from the event loop
// at half of WatchdogSec. Without NOTIFY_SOCKET it does nothing, and without WATCHDOG_USEC
// it never wakes up.
//
// The sender is written here rather than taken from libsystemd: sd_notify(3) reads
// NOTIFY_SOCKET from the environment on every call, and vigild must take that variable
// out of its environment at start, or every supervised program would inherit it and could
// speak to systemd for vigild. systemd documents the datagram as a stable interface meant
// to be reimplemented (sd_notify(3), "Standalone Implementation").
// Thread rule: loop thread only.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>

#include "base/clock.h"
#include "base/unique_fd.h"
#include "event/loop.h"

namespace vigil::daemon {

// What systemd handed vigild, read (and removed) from the environment once, before any
// thread or program starts.
struct SystemdEnvironment {
  std::string notify_socket;                // "" = not started by a notify-type unit
  std::optional<base::Duration> watchdog;  // WatchdogSec, when it is meant for this pid
  // Reads NOTIFY_SOCKET, WATCHDOG_USEC and WATCHDOG_PID, then unsets all three. A watchdog
  // whose WATCHDOG_PID names another process is not ours (sd_watchdog_enabled(3)).
  static SystemdEnvironment TakeFromProcess();
};

class SystemdNotifier {
 public:
  SystemdNotifier(event::Loop& loop, SystemdEnvironment env);
  bool enabled() const { return !env_.notify_socket.empty(); }
  std::optional<base::Duration> watchdog() const { return env_.watchdog; }

  // READY=1 with the first STATUS=; starts the watchdog pings when systemd asked for them.
  void Ready(std::string_view status);
  // STATUS=, sent only when it differs from the last one.
  void Status(std::string_view status);
  void Reloading();
  void ReloadDone(std::string_view status);
  void Stopping();
  // Sends one raw datagram ("KEY=VALUE\n..."); false when there is no socket or the send
  // failed (systemd gone: nothing to do about it, and nothing to retry).
  bool Send(std::string_view message);

 private:
  void ArmWatchdog();

  event::Loop& loop_;
  SystemdEnvironment env_;
  base::UniqueFd fd_;
  std::string last_status_;
  event::HandlePtr watchdog_timer_;
};

}  // namespace vigil::daemon
