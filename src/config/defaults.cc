// SPDX-License-Identifier: MIT
// Default paths and log settings, and reading the environment that decides them.
#include "config/defaults.h"

#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <vector>

namespace vigil::config {
namespace {

// Unset and empty are the same: an empty XDG variable would otherwise turn into a path
// relative to whatever directory vigild was started in.
std::string EnvOrEmpty(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? std::string() : std::string(value);
}

std::string HomeOf(uid_t uid) {
  std::string home = EnvOrEmpty("HOME");
  if (!home.empty()) return home;
  long size = sysconf(_SC_GETPW_R_SIZE_MAX);
  std::vector<char> buffer(size > 0 ? static_cast<size_t>(size) : 16384);
  passwd entry{};
  passwd* found = nullptr;
  if (getpwuid_r(uid, &entry, buffer.data(), buffer.size(), &found) == 0 && found != nullptr &&
      found->pw_dir != nullptr && found->pw_dir[0] != '\0') {
    return found->pw_dir;
  }
  return "/";
}

}  // namespace

UserContext UserContext::FromProcess() {
  UserContext user;
  user.uid = geteuid();
  user.home = HomeOf(user.uid);
  user.xdg_config_home = EnvOrEmpty("XDG_CONFIG_HOME");
  user.xdg_state_home = EnvOrEmpty("XDG_STATE_HOME");
  user.xdg_runtime_dir = EnvOrEmpty("XDG_RUNTIME_DIR");
  return user;
}

std::filesystem::path DefaultConfigPath(const UserContext& user) {
  if (user.uid == 0) return "/etc/vigil/vigil.toml";
  const std::filesystem::path base = user.xdg_config_home.empty()
                                         ? std::filesystem::path(user.home) / ".config"
                                         : std::filesystem::path(user.xdg_config_home);
  return base / "vigil" / "vigil.toml";
}

std::filesystem::path DefaultConfigPath() { return DefaultConfigPath(UserContext::FromProcess()); }

LogSpec DefaultLogSpec() {
  LogSpec spec;
  spec.max_bytes = 10ULL * 1024 * 1024;
  spec.keep = 10;
  spec.compress = false;
  spec.timestamps = false;
  return spec;
}

std::filesystem::path DefaultStateDir(const UserContext& user) {
  if (user.uid == 0) return "/var/lib/vigil";
  const std::filesystem::path base = user.xdg_state_home.empty()
                                         ? std::filesystem::path(user.home) / ".local" / "state"
                                         : std::filesystem::path(user.xdg_state_home);
  return base / "vigil";
}

std::filesystem::path DefaultLogDir(const UserContext& user,
                                    const std::filesystem::path& state_dir) {
  if (user.uid == 0) return "/var/log/vigil";
  return state_dir / "logs";
}

std::filesystem::path DefaultSocketPath(const UserContext& user) {
  if (user.uid == 0) return "/run/vigil/vigil.sock";
  if (!user.xdg_runtime_dir.empty()) {
    return std::filesystem::path(user.xdg_runtime_dir) / "vigil" / "vigil.sock";
  }
  return std::filesystem::path("/tmp/vigil-" + std::to_string(user.uid)) / "vigil.sock";
}

}  // namespace vigil::config
