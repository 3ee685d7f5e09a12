// SPDX-License-Identifier: MIT
// Socket path resolution; the environment is read only in the *FromEnvironment wrapper.
#include "cli/socket_path.h"

#include "config/load.h"

#include <unistd.h>

#include <cstdlib>

namespace vigil::cli {

std::filesystem::path DefaultSocketPath(uid_t uid, const char* xdg_runtime_dir) {
  config::UserContext user;
  user.uid = uid;
  user.xdg_runtime_dir = xdg_runtime_dir ? xdg_runtime_dir : "";
  return config::DefaultSocketPath(user);  // the rule vigild itself uses
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
