// SPDX-License-Identifier: MIT
// process::ParseNotifyMessage: what one datagram of the systemd notify protocol (sd_notify(3))
// says, as plain data. Parsing only: who may send and what a message does to a Program is the
// supervisor's policy. The protocol as vigild speaks it is described in docs/notify.md.
// Thread rule: a pure function; safe from any thread.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"

namespace vigil::process {

// One datagram's assignments. A flag is set by its exact assignment ("READY=1"; "READY=0" or
// "READY=yes" set nothing), as in systemd. systemd lets STOPPING=1 win over READY=1, and
// READY=1 over RELOADING=1, when one message carries several; that precedence is the
// caller's to apply, this struct only reports what was said.
struct NotifyMessage {
  bool ready = false;             // READY=1
  bool stopping = false;          // STOPPING=1
  bool reloading = false;         // RELOADING=1
  bool watchdog = false;          // WATCHDOG=1: a heartbeat
  bool watchdog_trigger = false;  // WATCHDOG=trigger: act as if the watchdog had expired
  // STATUS=: at most kMaxStatusBytes of UTF-8 without control characters (see below). An
  // empty value is present and empty: the program clears its status.
  std::optional<std::string> status;
  std::optional<pid_t> main_pid;                // MAINPID=, > 0
  std::optional<uint64_t> extend_timeout_usec;  // EXTEND_TIMEOUT_USEC=
  std::optional<uint64_t> watchdog_usec;        // WATCHDOG_USEC=; 0 is systemd's "off"
  std::optional<int> errno_value;               // ERRNO=, 0..4095 or a name ("ENOENT")
};

inline constexpr size_t kMaxStatusBytes = 1024;

// Parses one datagram: assignments KEY=VALUE separated by newlines ('\r' counts as one too,
// and empty lines are skipped, as systemd's strv_split(buf, NEWLINE) does). Keys are
// case-sensitive and matched exactly: " READY=1" is not READY.
//
// Follows systemd's reader (src/core/manager.c and src/core/service.c):
//  - When a key appears more than once, the first assignment counts, later ones are ignored
//    (systemd's strv_find_startswith). For the flags any "READY=1" line counts.
//  - A malformed value is ignored, and the rest of the message still applies, as systemd
//    logs and carries on: numbers are decimal, leading blanks and a '+' are allowed, nothing
//    may follow the digits, and a value out of range (MAINPID=0, ERRNO=4096, a u64 overflow)
//    is malformed. WATCHDOG= other than "1" or "trigger" is ignored.
//  - STATUS is cleaned for display rather than refused (systemd drops a status that is not
//    UTF-8): a tab becomes a space, other control characters (C0, DEL, C1) are removed, a
//    byte that is not valid UTF-8 becomes U+FFFD, and the result is cut to kMaxStatusBytes
//    at a character boundary.
//  - Unknown keys (FDSTORE=, FDNAME=, BARRIER=, MONOTONIC_USEC=, NOTIFYACCESS=, X_*...) are
//    ignored. An empty datagram is a message that says nothing.
// Fails with InvalidArgument only for a datagram with a NUL byte anywhere but at its very end
// (systemd refuses those whole; one trailing NUL is allowed, as some senders add it).
base::Result<NotifyMessage> ParseNotifyMessage(std::string_view datagram);

}  // namespace vigil::process
