// SPDX-License-Identifier: MIT
// User and group lookups through getpwnam_r(3)/getgrnam_r(3): the reentrant forms, so no
// static buffer is shared with other threads of vigild that touch the same databases.
#include "config/accounts.h"

#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <cerrno>
#include <limits>
#include <string>
#include <vector>

namespace vigil::config {
namespace {

// A decimal id that fits in 32 bits, or nullopt when `text` is not all digits.
std::optional<uint32_t> ParseId(std::string_view text) {
  if (text.empty() || text.size() > 10) return std::nullopt;
  uint64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<uint64_t>(c - '0');
  }
  // (uid_t)-1 means "no change" to setresuid(2), so it is never a real id.
  if (value >= std::numeric_limits<uint32_t>::max()) return std::nullopt;
  return static_cast<uint32_t>(value);
}

std::vector<char> Buffer(int sysconf_name) {
  const long size = sysconf(sysconf_name);
  return std::vector<char>(size > 0 ? static_cast<size_t>(size) : 16384);
}

}  // namespace

base::Result<Account> LookUpUser(std::string_view name_or_uid) {
  const std::string name(name_or_uid);
  std::vector<char> buffer = Buffer(_SC_GETPW_R_SIZE_MAX);
  passwd entry{};
  passwd* found = nullptr;
  const std::optional<uint32_t> id = ParseId(name_or_uid);
  int rc = 0;
  // getpwnam_r(3): ERANGE means the buffer was too small; grow it and retry.
  while (true) {
    rc = id ? getpwuid_r(*id, &entry, buffer.data(), buffer.size(), &found)
            : getpwnam_r(name.c_str(), &entry, buffer.data(), buffer.size(), &found);
    if (rc != ERANGE) break;
    buffer.resize(buffer.size() * 2);
  }
  if (found != nullptr) return Account{found->pw_uid, found->pw_gid};
  if (id) return Account{*id, std::nullopt};
  // getpwnam_r returns 0 or one of several errno values (ENOENT, ESRCH, ...) for "no such
  // user" depending on the NSS backend, so any failure without an entry means unknown.
  if (rc != 0 && rc != ENOENT && rc != ESRCH && rc != EBADF && rc != EPERM) {
    return base::ErrnoStatus("looking up user \"" + name + "\"", rc);
  }
  return base::Status::NotFound("unknown user \"" + name + "\"");
}

base::Result<gid_t> LookUpGroup(std::string_view name_or_gid) {
  const std::optional<uint32_t> id = ParseId(name_or_gid);
  if (id) return static_cast<gid_t>(*id);
  const std::string name(name_or_gid);
  std::vector<char> buffer = Buffer(_SC_GETGR_R_SIZE_MAX);
  group entry{};
  group* found = nullptr;
  int rc = 0;
  while (true) {
    rc = getgrnam_r(name.c_str(), &entry, buffer.data(), buffer.size(), &found);
    if (rc != ERANGE) break;
    buffer.resize(buffer.size() * 2);
  }
  if (found != nullptr) return found->gr_gid;
  if (rc != 0 && rc != ENOENT && rc != ESRCH && rc != EBADF && rc != EPERM) {
    return base::ErrnoStatus("looking up group \"" + name + "\"", rc);
  }
  return base::Status::NotFound("unknown group \"" + name + "\"");
}

}  // namespace vigil::config
