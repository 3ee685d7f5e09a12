// SPDX-License-Identifier: MIT
// Parser of /proc/self/mountinfo and the disk mount filter (see mounts.h).
#include "metrics/mounts.h"

#include <array>
#include <charconv>
#include <cstdint>
#include <optional>
#include <unordered_map>

#include "metrics/text_util.h"

namespace vigil::metrics {
namespace {

// The fields of a line, between spaces (the kernel escapes blanks inside fields).
std::vector<std::string_view> Fields(std::string_view line) {
  std::vector<std::string_view> fields;
  size_t start = line.find_first_not_of(' ');
  while (start != std::string_view::npos) {
    const size_t end = line.find(' ', start);
    fields.push_back(line.substr(start, end - start));
    start = line.find_first_not_of(' ', end);
  }
  return fields;
}

bool IsNumber(std::string_view field) {
  uint64_t value = 0;
  const char* end = field.data() + field.size();
  const auto [ptr, ec] = std::from_chars(field.data(), end, value);
  return !field.empty() && ec == std::errc() && ptr == end;
}

bool IsMajorMinor(std::string_view field) {
  const size_t colon = field.find(':');
  if (colon == std::string_view::npos) return false;
  return IsNumber(field.substr(0, colon)) && IsNumber(field.substr(colon + 1));
}

// Undoes the kernel's mangling (seq_escape / mangle_path): a backslash and three octal
// digits is one byte. Anything else, a lone backslash included, is kept as written, so
// text the kernel did not write still reads as close to itself as it can.
std::string Unescape(std::string_view field) {
  std::string out;
  out.reserve(field.size());
  for (size_t i = 0; i < field.size(); ++i) {
    const auto octal = [&](size_t at, char max) { return at < field.size() && field[at] >= '0' && field[at] <= max; };
    if (field[i] == '\\' && octal(i + 1, '3') && octal(i + 2, '7') && octal(i + 3, '7')) {
      out.push_back(static_cast<char>((field[i + 1] - '0') * 64 + (field[i + 2] - '0') * 8 + (field[i + 3] - '0')));
      i += 3;
    } else {
      out.push_back(field[i]);
    }
  }
  return out;
}

std::optional<Mount> ParseLine(std::string_view line) {
  // 0 mount id, 1 parent id, 2 major:minor, 3 root, 4 mount point, 5 mount options,
  // then optional fields up to "-", then fs type, source and super options.
  constexpr size_t kFirstOptional = 6;
  const auto fields = Fields(line);
  size_t dash = kFirstOptional;
  while (dash < fields.size() && fields[dash] != "-") ++dash;
  if (dash + 3 >= fields.size()) return std::nullopt;  // no "-", or a field after it missing
  if (!IsNumber(fields[0]) || !IsNumber(fields[1]) || !IsMajorMinor(fields[2])) return std::nullopt;
  if (!fields[4].starts_with('/')) return std::nullopt;
  return Mount{
      .device = std::string(fields[2]),
      .mount_point = Unescape(fields[4]),
      .fs_type = Unescape(fields[dash + 1]),
      .source = Unescape(fields[dash + 2]),
  };
}

}  // namespace

std::vector<Mount> ParseMountInfo(std::string_view mountinfo) {
  std::vector<Mount> mounts;
  while (!mountinfo.empty()) {
    if (auto mount = ParseLine(TakeLine(&mountinfo))) mounts.push_back(std::move(*mount));
  }
  return mounts;
}

bool IsPseudoFilesystem(std::string_view fs_type) {
  static constexpr std::array<std::string_view, 33> kPseudo = {
      // Kernel interfaces: files made up on reading, no blocks.
      "proc",
      "sysfs",
      "devtmpfs",
      "devpts",
      "cgroup",
      "cgroup2",
      "securityfs",
      "debugfs",
      "tracefs",
      "pstore",
      "bpf",
      "mqueue",
      "configfs",
      "fusectl",
      "autofs",
      "binfmt_misc",
      "nsfs",
      "rpc_pipefs",
      "efivarfs",
      "selinuxfs",
      "nfsd",
      // Memory: what they hold is RAM (or swap) and shows in the memory figures. rootfs is
      // the initial ramfs/tmpfs; mountinfo shows it only when the system never left its
      // initramfs (or, on old kernels, under the real root at the same "/").
      "tmpfs",
      "ramfs",
      "rootfs",
      "hugetlbfs",
      // Read-only images: always 100 % full by construction (snaps, live media).
      "squashfs",
      "erofs",
      "cramfs",
      "iso9660",
      // FUSE front-ends to other things: desktop remote shares, the portal of sandboxed
      // apps, lxcfs's /proc views, snaps mounted by squashfuse.
      "fuse.gvfsd-fuse",
      "fuse.portal",
      "fuse.lxcfs",
      "fuse.snapfuse",
  };
  for (const std::string_view pseudo : kPseudo) {
    if (fs_type == pseudo) return true;
  }
  return false;
}

std::vector<Mount> DiskMounts(const std::vector<Mount>& mounts) {
  std::vector<Mount> disks;
  std::unordered_map<std::string_view, size_t> index_of_device;  // views into `mounts`
  for (const Mount& mount : mounts) {
    if (IsPseudoFilesystem(mount.fs_type)) continue;
    const auto [it, inserted] = index_of_device.try_emplace(mount.device, disks.size());
    if (inserted) {
      disks.push_back(mount);
    } else if (mount.mount_point.size() < disks[it->second].mount_point.size()) {
      disks[it->second] = mount;
    }
  }
  return disks;
}

}  // namespace vigil::metrics
