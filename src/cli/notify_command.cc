// SPDX-License-Identifier: MIT
// `vigil notify`: builds the notify datagram from the flags and sends it.
#include "cli/notify_command.h"

#include <sys/socket.h>
#include <sys/un.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "base/unique_fd.h"
#include "cli/exit_codes.h"

namespace vigil::cli {

base::Result<std::string> NotifyDatagram(const Invocation& inv) {
  std::string out;
  if (inv.notify_ready) out += "READY=1\n";
  if (inv.notify_stopping) out += "STOPPING=1\n";
  if (inv.notify_watchdog) out += "WATCHDOG=1\n";
  if (inv.notify_status) {
    if (inv.notify_status->find_first_of(std::string_view("\n\r\0", 3)) != std::string::npos) {
      return base::Status::InvalidArgument("--status must be one line (no newline or NUL)");
    }
    out += "STATUS=" + *inv.notify_status + "\n";
  }
  if (out.empty()) {
    return base::Status::InvalidArgument("say something: --ready, --watchdog, --stopping or --status TEXT");
  }
  return out;
}

base::Status SendNotify(std::string_view address, std::string_view datagram) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  const bool abstract = !address.empty() && address[0] == '@';
  if (address.empty() || address.size() >= sizeof addr.sun_path || (!abstract && address[0] != '/')) {
    return base::Status::InvalidArgument("NOTIFY_SOCKET is not an absolute socket path or @name: \"" +
                                         std::string(address) + "\"");
  }
  std::memcpy(addr.sun_path, address.data(), address.size());
  if (abstract) addr.sun_path[0] = '\0';
  const auto length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + address.size());
  base::UniqueFd fd(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return base::Status::IoError(std::string("socket: ") + std::strerror(errno));
  if (::sendto(fd.get(), datagram.data(), datagram.size(), MSG_NOSIGNAL, reinterpret_cast<const sockaddr*>(&addr),
               length) < 0) {
    return base::Status::IoError("cannot send to " + std::string(address) + ": " + std::strerror(errno));
  }
  return base::Status::Ok();
}

int RunNotify(const Invocation& invocation, Context& ctx) {
  auto datagram = NotifyDatagram(invocation);
  if (!datagram) {
    ctx.err << "vigil notify: " << datagram.error().message() << "\n";
    return kExitUsage;
  }
  const char* socket = std::getenv("NOTIFY_SOCKET");
  if (socket == nullptr || *socket == '\0') {
    ctx.err << "vigil notify: NOTIFY_SOCKET is not set: run it from a program that vigild started with "
               "ready = \"notify\" or a watchdog\n";
    return kExitFailed;
  }
  if (base::Status sent = SendNotify(socket, *datagram); !sent.ok()) {
    ctx.err << "vigil notify: " << sent.message() << "\n";
    return kExitFailed;
  }
  return kExitOk;
}

}  // namespace vigil::cli
