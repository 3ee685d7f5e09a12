// SPDX-License-Identifier: MIT
// The mounted filesystems from /proc/self/mountinfo, and which of them hold disk space worth showing.
// Thread rule: plain functions without state; safe from any thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace vigil::metrics {

// One line of /proc/self/mountinfo. The text fields are unescaped: the kernel writes a
// space, tab, newline and backslash in them as \040, \011, \012 and \134.
struct Mount {
  std::string device;       // "254:0": major:minor of the filesystem (field 3)
  std::string mount_point;  // "/", "/home"
  std::string fs_type;      // "ext4", "fuse.sshfs"
  std::string source;       // "/dev/vda", "tmpfs", "none": the field after the fs type
};

// Every mount of /proc/self/mountinfo (proc(5)), in the file's order:
//   36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue
// The optional fields before " - " vary in number. A line that is not whole is skipped:
// no separator, a field missing or cut (the super options after the source are required,
// as the kernel always writes them), ids or major:minor not numbers, a mount point not
// absolute. No input crashes.
std::vector<Mount> ParseMountInfo(std::string_view mountinfo);

// True for filesystems that hold no user data or whose fullness means nothing: kernel
// interfaces (proc, sysfs, cgroup, ...), memory (tmpfs, ramfs, rootfs: their size is RAM
// and shows as memory) and read-only images, which are always 100 % full (squashfs, erofs).
// Exact, case-sensitive names as mountinfo writes them.
bool IsPseudoFilesystem(std::string_view fs_type);

// The mounts a disk check or `vigil top` shows: no pseudo filesystems, and each device
// once, because bind mounts and a filesystem mounted twice show the same figures. For a
// device the mount with the shortest mount point is kept (the first of equal length),
// at the place where the device first appears.
std::vector<Mount> DiskMounts(const std::vector<Mount>& mounts);

}  // namespace vigil::metrics
