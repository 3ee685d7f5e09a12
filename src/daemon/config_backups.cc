// SPDX-License-Identifier: MIT
// Config backups: one file per save, named by time so that names sort oldest first.
#include "daemon/config_backups.h"

#include <fmt/format.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "base/file_util.h"

namespace vigil::daemon {
namespace {

base::Status MakeDir(const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir.parent_path(), ec);
  if (ec) return base::Status::IoError("cannot create " + dir.parent_path().string() + ": " + ec.message());
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return base::Status::IoError("cannot create " + dir.string() + ": " + std::strerror(errno));
  }
  return base::Status::Ok();
}

// Removes the oldest backups named `prefix`STAMP past kKeptConfigBackups.
void Prune(const std::filesystem::path& dir, const std::string& prefix) {
  std::vector<std::string> names;
  std::error_code ec;
  for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    // NAME.2…: a backup (a stamp starts with the year), not WriteFileAtomically's NAME.….tmp.
    if (name.size() > prefix.size() && name.compare(0, prefix.size(), prefix) == 0 && name[prefix.size()] == '2' &&
        !name.ends_with(".tmp")) {
      names.push_back(name);
    }
  }
  if (names.size() <= kKeptConfigBackups) return;
  std::sort(names.begin(), names.end());
  for (size_t i = 0; i + kKeptConfigBackups < names.size(); ++i) std::filesystem::remove(dir / names[i], ec);
}

}  // namespace

base::Result<std::filesystem::path> KeepConfigBackup(const std::filesystem::path& dir,
                                                     const std::filesystem::path& config_file, std::string_view text,
                                                     base::WallTime now) {
  if (auto s = MakeDir(dir); !s.ok()) return s;
  const std::string prefix = config_file.filename().string() + ".";
  // Fixed width, so that names sort by time ("…Z-2" after "…Z" too).
  const std::string stamp = base::FormatUtc(now, "%Y%m%dT%H%M%S") + fmt::format(".{:03d}Z", base::UnixMs(now) % 1000);
  std::filesystem::path backup = dir / (prefix + stamp);
  std::error_code ec;
  for (int n = 2; std::filesystem::exists(backup, ec); ++n) backup = dir / (prefix + stamp + "-" + std::to_string(n));
  if (auto s = base::WriteFileAtomically(backup, text, 0600); !s.ok()) return s;
  Prune(dir, prefix);
  return backup;
}

}  // namespace vigil::daemon
