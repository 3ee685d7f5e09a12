// SPDX-License-Identifier: MIT
// Socket path resolution; the environment is read only in the *FromEnvironment wrapper.
#include "cli/socket_path.h"

#include <unistd.h>

#include <cstdlib>

namespace vigil::cli {

std::filesystem::path DefaultSocketPath(uid_t uid, const char* xdg_runtime_dir) {
  if (uid == 0) return "/run/vigil/vigil.sock";
  // An empty XDG_RUNTIME_DIR would turn into the relative path "vigil/vigil.sock", which
  // depends on the working directory; treat it like an unset one.
  if (xdg_runtime_dir != nullptr && xdg_runtime_dir[0] != '\0') {
    return std::filesystem::path(xdg_runtime_dir) / "vigil" / "vigil.sock";
  }
  return std::filesystem::path("/tmp/vigil-" + std::to_string(uid)) / "vigil.sock";
}

std::filesystem::path ResolveSocketPath(const std::string& flag, const char* env_socket, uid_t uid,
                                        const char* xdg_runtime_dir) {
  if (!flag.empty()) return flag;
  if (env_socket != nullptr && env_socket[0] != '\0') return env_socket;
  return DefaultSocketPath(uid, xdg_runtime_dir);
}

std::filesystem::path ResolveSocketPathFromEnvironment(const std::string& flag) {
  // vigild runs as the effective uid that created it; a setuid wrapper should find the
  // daemon of the identity it runs as.
  return ResolveSocketPath(flag, std::getenv("VIGIL_SOCKET"), geteuid(),
                           std::getenv("XDG_RUNTIME_DIR"));
}

}  // namespace vigil::cli
