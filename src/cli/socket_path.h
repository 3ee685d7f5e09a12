// SPDX-License-Identifier: MIT
// Where the CLI looks for vigild's control socket: --socket, $VIGIL_SOCKET, or the default.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>

namespace vigil::cli {

// The default socket for a user: /run/vigil/vigil.sock for root; otherwise
// $XDG_RUNTIME_DIR/vigil/vigil.sock, or /tmp/vigil-<uid>/vigil.sock when XDG_RUNTIME_DIR is
// unset or empty. `xdg_runtime_dir` may be null. This is the same rule vigild uses.
std::filesystem::path DefaultSocketPath(uid_t uid, const char* xdg_runtime_dir);

// The socket to use: `flag` (from --socket) if non-empty, else `env_socket`
// ($VIGIL_SOCKET) if non-null and non-empty, else DefaultSocketPath().
std::filesystem::path ResolveSocketPath(const std::string& flag, const char* env_socket, uid_t uid,
                                        const char* xdg_runtime_dir);

// ResolveSocketPath() with the real environment and effective uid.
std::filesystem::path ResolveSocketPathFromEnvironment(const std::string& flag);

}  // namespace vigil::cli
