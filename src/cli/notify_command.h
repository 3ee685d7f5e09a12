// SPDX-License-Identifier: MIT
// `vigil notify`: the systemd-notify of vigil, for programs (shell scripts mostly) that
// cannot call sd_notify(3) themselves. It sends one datagram to $NOTIFY_SOCKET, which
// vigild gives to programs with ready = "notify" or a watchdog (docs/readiness.md).
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"
#include "cli/commands.h"

namespace vigil::cli {

// The datagram for the flags of `invocation`: "READY=1\nSTATUS=warming up\n". Fails
// (InvalidArgument) when no flag is given, or when the status holds a newline or a NUL,
// which would smuggle in assignments of its own.
base::Result<std::string> NotifyDatagram(const Invocation& invocation);

// Sends `datagram` to the notify socket `address`: a path, or "@name" for an abstract
// socket (as sd_notify accepts). IoError with the path and the reason when that fails.
base::Status SendNotify(std::string_view address, std::string_view datagram);

}  // namespace vigil::cli
