// SPDX-License-Identifier: MIT
// The listening unix socket of the API: safe creation (private directory, mode 0600,
// stale-file takeover, refusal to evict a live daemon) and removal. Plain syscalls, no Asio.
#pragma once

#include <sys/types.h>

#include <filesystem>

#include "base/status.h"
#include "base/unique_fd.h"

namespace vigil::api {

// A bound, listening, non-blocking, close-on-exec socket and the identity of its file.
struct ListeningSocket {
  base::UniqueFd fd;
  dev_t dev = 0;
  ino_t ino = 0;
};

// Creates missing parent directories with mode 0700, takes over `path` if it is a socket
// nobody answers on, then binds with mode 0600 and listens. Unavailable if another
// server answers on `path`; InvalidArgument if `path` is too long for sockaddr_un or
// exists and is not a socket; IoError if a system call fails.
base::Result<ListeningSocket> ListenOnUnixSocket(const std::filesystem::path& path);

// Unlinks `path` only if it is still the file `socket` was bound to, so a server shutting
// down never removes the socket of a successor that took over the path.
void RemoveSocketFile(const std::filesystem::path& path, const ListeningSocket& socket);

}  // namespace vigil::api
