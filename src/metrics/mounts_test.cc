// SPDX-License-Identifier: MIT
// The mountinfo parser on real captured text and broken lines, and which mounts count as disks.
#include "metrics/mounts.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>

namespace vigil::metrics {
namespace {

// /proc/self/mountinfo of a Linux 6.18 machine, verbatim: an ext4 root, two /dev/pts and two
// /dev/shm (distinct devices), a tmpfs over a directory, cgroup v1 and v2.
constexpr std::string_view kRealMountInfo = R"mi(21 26 0:20 / /proc rw,relatime - proc proc rw
22 26 0:21 / /sys rw,relatime - sysfs sysfs rw
23 26 0:6 / /dev rw,relatime - devtmpfs devtmpfs rw,size=12334416k,nr_inodes=3083604,mode=755
24 23 0:22 / /dev/shm rw,relatime - tmpfs tmpfs rw,size=24683620k
25 23 0:23 / /dev/pts rw,relatime - devpts devpts rw,mode=600,ptmxmode=000
26 1 254:0 / / rw,relatime - ext4 /dev/vda rw,discard,resv_strict,resuid=65534,resgid=65534
27 26 0:24 / /mnt/sandboxing/model_tools_env/v1/python ro,nosuid,nodev,relatime - tmpfs model_tools_unavailable ro,size=4k,mode=755
28 25 0:25 / /dev/pts rw,relatime - devpts devpts rw,mode=600,ptmxmode=000
29 24 0:26 / /dev/shm rw,relatime - tmpfs tmpfs rw,size=24683620k
30 22 0:27 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
31 30 0:28 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
32 30 0:29 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct
33 30 0:30 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset
34 30 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
35 30 0:32 / /sys/fs/cgroup/devices rw,relatime - cgroup cgroup rw,devices
36 30 0:33 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer
37 30 0:34 / /sys/fs/cgroup/blkio rw,relatime - cgroup cgroup rw,blkio
38 30 0:35 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
39 30 0:36 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
40 30 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
)mi";

std::vector<std::string> MountPoints(const std::vector<Mount>& mounts) {
  std::vector<std::string> points;
  for (const Mount& mount : mounts) points.push_back(mount.mount_point);
  return points;
}

Mount MountOf(std::string device, std::string mount_point, std::string fs_type = "ext4") {
  return Mount{.device = std::move(device),
               .mount_point = std::move(mount_point),
               .fs_type = std::move(fs_type),
               .source = "/dev/sda1"};
}

// --- ParseMountInfo

TEST(ParseMountInfoTest, ReadsEveryLineOfARealFile) {
  const auto mounts = ParseMountInfo(kRealMountInfo);
  ASSERT_EQ(mounts.size(), 20u);
  EXPECT_EQ(mounts[0].device, "0:20");
  EXPECT_EQ(mounts[0].mount_point, "/proc");
  EXPECT_EQ(mounts[0].fs_type, "proc");
  EXPECT_EQ(mounts[0].source, "proc");

  const Mount& root = mounts[5];
  EXPECT_EQ(root.device, "254:0");
  EXPECT_EQ(root.mount_point, "/");
  EXPECT_EQ(root.fs_type, "ext4");
  EXPECT_EQ(root.source, "/dev/vda");

  EXPECT_EQ(mounts[6].mount_point, "/mnt/sandboxing/model_tools_env/v1/python");
  EXPECT_EQ(mounts[6].source, "model_tools_unavailable");
  EXPECT_EQ(mounts[19].fs_type, "cgroup2");
  EXPECT_EQ(mounts[19].mount_point, "/sys/fs/cgroup/unified");
}

TEST(ParseMountInfoTest, ReadsThisMachinesFileWhole) {
  std::ifstream file("/proc/self/mountinfo");
  ASSERT_TRUE(file.is_open());
  std::stringstream text;
  text << file.rdbuf();
  const std::string mountinfo = text.str();
  const auto lines = static_cast<size_t>(std::count(mountinfo.begin(), mountinfo.end(), '\n'));
  const auto mounts = ParseMountInfo(mountinfo);
  EXPECT_EQ(mounts.size(), lines);
  bool has_root = false;
  for (const Mount& mount : mounts) has_root = has_root || mount.mount_point == "/";
  EXPECT_TRUE(has_root);
}

TEST(ParseMountInfoTest, SkipsAnyNumberOfOptionalFields) {
  const auto mounts = ParseMountInfo(
      "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue\n"
      "37 35 8:1 / /home rw,relatime shared:1 master:2 - xfs /dev/sda1 rw,attr2\n"
      "38 35 8:2 / /srv rw,relatime - btrfs /dev/sda2 rw,subvol=/\n");
  ASSERT_EQ(mounts.size(), 3u);
  EXPECT_EQ(mounts[0].device, "98:0");
  EXPECT_EQ(mounts[0].mount_point, "/mnt2");
  EXPECT_EQ(mounts[0].fs_type, "ext3");
  EXPECT_EQ(mounts[0].source, "/dev/root");
  EXPECT_EQ(mounts[1].mount_point, "/home");
  EXPECT_EQ(mounts[1].fs_type, "xfs");
  EXPECT_EQ(mounts[1].source, "/dev/sda1");
  EXPECT_EQ(mounts[2].fs_type, "btrfs");
}

TEST(ParseMountInfoTest, UnescapesTheMountPointAndSource) {
  const auto mounts = ParseMountInfo(
      R"(40 26 8:17 / /media/My\040Disk\134x\011y\012z rw - vfat /dev/my\040stick rw
41 26 8:18 / /odd\0\9\400\ rw - ext4 /dev/sdb2 rw
)");
  ASSERT_EQ(mounts.size(), 2u);
  EXPECT_EQ(mounts[0].mount_point, "/media/My Disk\\x\ty\nz");
  EXPECT_EQ(mounts[0].source, "/dev/my stick");
  // What is not a backslash and three octal digits of one byte stays as written.
  EXPECT_EQ(mounts[1].mount_point, "/odd\\0\\9\\400\\");
}

TEST(ParseMountInfoTest, TakesTheLastLineWithoutItsNewline) {
  const auto mounts = ParseMountInfo("26 1 254:0 / / rw,relatime - ext4 /dev/vda rw");
  ASSERT_EQ(mounts.size(), 1u);
  EXPECT_EQ(mounts[0].source, "/dev/vda");
}

TEST(ParseMountInfoTest, SkipsMalformedLinesAndKeepsTheRest) {
  const auto mounts = ParseMountInfo(
      "26 1 254:0 / / rw,relatime - ext4 /dev/vda rw\n"
      "27 26 8:1 / /nodash rw,relatime ext4 /dev/sda1 rw\n"  // no separator
      "28 26 8:1 / /cut rw,relatime - ext4\n"                // cut after the fs type
      "29 26 8:1 / /cut2 rw,relatime - ext4 /dev/sda1\n"     // cut before super options
      "30 26 8:1 / /short - ext4 /dev/sda1 rw\n"             // no mount options
      "x 26 8:1 / /badid rw - ext4 /dev/sda1 rw\n"           // id not a number
      "31 26 8-1 / /baddev rw - ext4 /dev/sda1 rw\n"         // no major:minor
      "32 26 8:x / /baddev2 rw - ext4 /dev/sda1 rw\n"        // minor not a number
      "33 26 8:1 / relative rw - ext4 /dev/sda1 rw\n"        // mount point not absolute
      "\n"
      "   \n"
      "34 26 8:1 / /data rw,relatime - ext4 /dev/sda1 rw\n"
      "35 26 8:1 / /da");
  EXPECT_EQ(MountPoints(mounts), (std::vector<std::string>{"/", "/data"}));
}

TEST(ParseMountInfoTest, EmptyTextHasNoMounts) {
  EXPECT_TRUE(ParseMountInfo("").empty());
  EXPECT_TRUE(ParseMountInfo("\n\n").empty());
}

TEST(ParseMountInfoTest, EveryPrefixOfARealFileParsesToWholeLinesOnly) {
  const auto all = ParseMountInfo(kRealMountInfo);
  for (size_t n = 0; n <= kRealMountInfo.size(); ++n) {
    const auto mounts = ParseMountInfo(kRealMountInfo.substr(0, n));
    ASSERT_LE(mounts.size(), all.size()) << n;
    for (size_t i = 0; i < mounts.size(); ++i) {
      // A cut line may still parse (in its super options), but never into another mount.
      EXPECT_EQ(mounts[i].device, all[i].device) << n;
      EXPECT_EQ(mounts[i].mount_point, all[i].mount_point) << n;
      EXPECT_EQ(mounts[i].fs_type, all[i].fs_type) << n;
      EXPECT_EQ(mounts[i].source, all[i].source) << n;
    }
  }
}

// --- IsPseudoFilesystem

TEST(IsPseudoFilesystemTest, KernelMemoryAndImageFilesystemsArePseudo) {
  for (const char* fs :
       {"proc",       "sysfs",     "devtmpfs",   "devpts",          "tmpfs",       "ramfs",       "rootfs",
        "cgroup",     "cgroup2",   "securityfs", "debugfs",         "tracefs",     "pstore",      "bpf",
        "mqueue",     "hugetlbfs", "configfs",   "fusectl",         "autofs",      "binfmt_misc", "nsfs",
        "rpc_pipefs", "efivarfs",  "squashfs",   "fuse.gvfsd-fuse", "fuse.portal", "selinuxfs"}) {
    EXPECT_TRUE(IsPseudoFilesystem(fs)) << fs;
  }
}

TEST(IsPseudoFilesystemTest, FilesystemsWithUserDataAreNot) {
  for (const char* fs : {"ext4", "ext3", "xfs", "btrfs", "zfs", "vfat", "f2fs", "overlay", "nfs", "nfs4", "cifs",
                         "fuse.sshfs", "fuseblk", "", "TMPFS", "tmpfs ", "proc2"}) {
    EXPECT_FALSE(IsPseudoFilesystem(fs)) << fs;
  }
}

// --- DiskMounts

TEST(DiskMountsTest, OnARealFileKeepsOnlyTheRoot) {
  const auto disks = DiskMounts(ParseMountInfo(kRealMountInfo));
  ASSERT_EQ(disks.size(), 1u);
  EXPECT_EQ(disks[0].mount_point, "/");
  EXPECT_EQ(disks[0].device, "254:0");
}

TEST(DiskMountsTest, KeepsTheShortestMountPointOfADeviceWhereItFirstAppears) {
  const auto disks = DiskMounts({
      MountOf("8:1", "/data/bind"),
      MountOf("0:5", "/proc", "proc"),
      MountOf("8:2", "/home"),
      MountOf("8:1", "/data"),
      MountOf("8:3", "/srv"),
      MountOf("8:1", "/mnt/x"),  // as long as /data: the first stays
      MountOf("8:2", "/srv/home"),
  });
  EXPECT_EQ(MountPoints(disks), (std::vector<std::string>{"/data", "/home", "/srv"}));
}

TEST(DiskMountsTest, OrderOfFirstAppearanceIsKept) {
  const auto disks = DiskMounts({MountOf("8:3", "/c"), MountOf("8:1", "/a"), MountOf("8:2", "/b")});
  EXPECT_EQ(MountPoints(disks), (std::vector<std::string>{"/c", "/a", "/b"}));
}

TEST(DiskMountsTest, DropsPseudoFilesystemsEvenOnTheirOwnDevice) {
  const auto disks = DiskMounts({
      MountOf("0:21", "/sys", "sysfs"),
      MountOf("0:22", "/dev/shm", "tmpfs"),
      MountOf("254:0", "/"),
      MountOf("7:0", "/snap/core/1", "squashfs"),
  });
  EXPECT_EQ(MountPoints(disks), (std::vector<std::string>{"/"}));
}

TEST(DiskMountsTest, NoMountsNoDisks) { EXPECT_TRUE(DiskMounts({}).empty()); }

}  // namespace
}  // namespace vigil::metrics
