// SPDX-License-Identifier: MIT
// Cleanup: find matching files without following symlinks, then delete by age and size.
#include "tasks/cleanup.h"

#include <fnmatch.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <system_error>

#include <fmt/format.h>

namespace vigil::tasks {
namespace fs = std::filesystem;

namespace {

struct Candidate {
  fs::path path;
  base::WallTime mtime;
  uint64_t size;
};

}  // namespace

std::string CleanupReport::Summary() const {
  std::string out = fmt::format("deleted {} files ({} bytes); kept {} matching files\n", files_deleted,
                                bytes_freed, files_kept);
  for (const auto& e : errors) out += "error: " + e + "\n";
  return out;
}

CleanupReport Cleanup(const config::CleanupSpec& spec, base::WallTime now) {
  CleanupReport report;
  std::vector<Candidate> found;
  for (const auto& root : spec.paths) {
    std::error_code ec;
    // Directory symlinks are not followed by default, and skip_permission_denied keeps one
    // unreadable directory from ending the walk.
    fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied, ec);
    if (ec) {
      report.errors.push_back(fmt::format("{}: {}", root, ec.message()));
      continue;
    }
    for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (ec) {
        report.errors.push_back(fmt::format("{}: {}", it->path().string(), ec.message()));
        ec.clear();
        continue;
      }
      struct stat st {};
      // lstat: a symlink is itself, never what it points to.
      if (::lstat(it->path().c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
      if (::fnmatch(spec.pattern.c_str(), it->path().filename().c_str(), 0) != 0) continue;
      auto mtime = base::WallTime(std::chrono::duration_cast<base::WallTime::duration>(
          std::chrono::seconds(st.st_mtim.tv_sec) + std::chrono::nanoseconds(st.st_mtim.tv_nsec)));
      found.push_back({it->path(), mtime, static_cast<uint64_t>(st.st_size)});
    }
  }
  // Newest first: the size limit keeps the newest files.
  std::sort(found.begin(), found.end(), [](const Candidate& a, const Candidate& b) { return a.mtime > b.mtime; });
  uint64_t kept_bytes = 0;
  for (const auto& c : found) {
    bool too_old = spec.older_than && now - c.mtime > *spec.older_than;
    bool over_size = spec.max_total_bytes && kept_bytes + c.size > *spec.max_total_bytes;
    if (!too_old && !over_size) {
      kept_bytes += c.size;
      ++report.files_kept;
      continue;
    }
    std::error_code ec;
    if (fs::remove(c.path, ec)) {
      ++report.files_deleted;
      report.bytes_freed += c.size;
    } else if (ec) {
      report.errors.push_back(fmt::format("cannot delete {}: {}", c.path.string(), ec.message()));
    }
  }
  return report;
}

}  // namespace vigil::tasks
