// SPDX-License-Identifier: MIT
// ProbeFile against real files in a temp dir, their change times set with utimensat(2)
// relative to a fixed "now", so no test depends on how long it takes.
#include "probe/file_probe.h"

#include <fcntl.h>
#include <grp.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>

#include "util/temp_dir.h"

namespace vigil::probe {
namespace {

using health::Level;
using namespace std::chrono_literals;

// A whole second, so that utimensat's timespec holds it exactly.
const base::WallTime kNow = std::chrono::sys_days{std::chrono::year{2026} / 3 / 14} + 12h;

class FileProbeTest : public ::testing::Test {
 protected:
  // A file of `size` bytes last changed `age` before kNow.
  std::filesystem::path MakeFile(const std::string& name, uint64_t size, base::Duration age) {
    const std::filesystem::path path = dir_ / name;
    { std::ofstream(path) << std::string(size, 'x'); }
    SetAge(path, age);
    return path;
  }
  static void SetAge(const std::filesystem::path& path, base::Duration age) {
    const auto since_epoch = (kNow - age).time_since_epoch();
    const auto secs = std::chrono::floor<std::chrono::seconds>(since_epoch);
    timespec times[2];
    times[0].tv_sec = times[1].tv_sec = secs.count();
    times[0].tv_nsec = times[1].tv_nsec =
        std::chrono::duration_cast<std::chrono::nanoseconds>(since_epoch - secs).count();
    ASSERT_EQ(::utimensat(AT_FDCWD, path.c_str(), times, 0), 0) << path;
  }

  testing::TempDir dir_;
};

TEST_F(FileProbeTest, FreshSmallFileIsOk) {
  FileProbeSpec spec;
  spec.path = MakeFile("heartbeat", 4096, 12s);
  spec.max_age_warn = 1h;
  spec.max_size_warn = 1 << 20;
  Outcome o = ProbeFile(spec, kNow);
  EXPECT_EQ(o.level, Level::kOk);
  EXPECT_EQ(o.message, spec.path.string() + " changed 12s ago, 4 KB");
  ASSERT_TRUE(o.value.has_value());
  EXPECT_DOUBLE_EQ(*o.value, 12.0);
}

TEST_F(FileProbeTest, NoLimitsIsOk) {
  FileProbeSpec spec;
  spec.path = MakeFile("f", 10, 250ms);
  Outcome o = ProbeFile(spec, kNow);
  EXPECT_EQ(o.level, Level::kOk);
  EXPECT_EQ(o.message, spec.path.string() + " changed 250ms ago, 10 bytes");
  EXPECT_DOUBLE_EQ(o.value.value_or(-1), 0.25);
}

TEST_F(FileProbeTest, MissingFileIsCritical) {
  FileProbeSpec spec;
  spec.path = dir_ / "backup.tar";
  Outcome o = ProbeFile(spec, kNow);
  EXPECT_EQ(o.level, Level::kCrit);
  EXPECT_EQ(o.message, spec.path.string() + " does not exist");
  EXPECT_FALSE(o.value.has_value());
}

TEST_F(FileProbeTest, MissingFileIsOkWhenItNeedNotExist) {
  FileProbeSpec spec;
  spec.path = dir_ / "maintenance.flag";
  spec.must_exist = false;
  Outcome o = ProbeFile(spec, kNow);
  EXPECT_EQ(o.level, Level::kOk);
  EXPECT_EQ(o.message, spec.path.string() + " does not exist, as allowed");
}

TEST_F(FileProbeTest, AFileInPlaceOfADirectoryMeansMissing) {
  FileProbeSpec spec;
  spec.path = MakeFile("plain", 1, 1s) / "child";
  EXPECT_EQ(ProbeFile(spec, kNow).level, Level::kCrit);
}

TEST_F(FileProbeTest, DanglingSymlinkIsMissing) {
  FileProbeSpec spec;
  spec.path = dir_ / "link";
  std::filesystem::create_symlink(dir_ / "gone", spec.path);
  Outcome o = ProbeFile(spec, kNow);
  EXPECT_EQ(o.level, Level::kCrit);
  EXPECT_EQ(o.message, spec.path.string() + " does not exist (a symbolic link to nothing)");
}

TEST_F(FileProbeTest, SymlinkIsFollowed) {
  FileProbeSpec spec;
  const std::filesystem::path target = MakeFile("target", 2048, 30s);
  spec.path = dir_ / "link";
  std::filesystem::create_symlink(target, spec.path);
  Outcome o = ProbeFile(spec, kNow);
  EXPECT_EQ(o.level, Level::kOk);
  EXPECT_EQ(o.message, spec.path.string() + " changed 30s ago, 2 KB");
}

TEST_F(FileProbeTest, AgeOverTheWarningLimitWarns) {
  FileProbeSpec spec;
  spec.path = MakeFile("heartbeat", 1, 45min);
  spec.max_age_warn = 30min;
  spec.max_age_crit = 1h;
  Outcome o = ProbeFile(spec, kNow);
  EXPECT_EQ(o.level, Level::kWarn);
  EXPECT_EQ(o.message, spec.path.string() + " last changed 45m ago (warning after 30m)");
  EXPECT_DOUBLE_EQ(o.value.value_or(-1), 2700.0);
}

TEST_F(FileProbeTest, AgeOverTheCriticalLimitIsCritical) {
  FileProbeSpec spec;
  spec.path = MakeFile("heartbeat", 1, 2h + 5min);
  spec.max_age_warn = 30min;
  spec.max_age_crit = 1h;
  Outcome o = ProbeFile(spec, kNow);
  EXPECT_EQ(o.level, Level::kCrit);
  EXPECT_EQ(o.message, spec.path.string() + " last changed 2h5m ago (critical after 1h)");
}

TEST_F(FileProbeTest, AgeAtTheLimitIsNotOver) {
  FileProbeSpec spec;
  spec.path = MakeFile("heartbeat", 1, 1h);
  spec.max_age_crit = 1h;
  EXPECT_EQ(ProbeFile(spec, kNow).level, Level::kOk);
  SetAge(spec.path, 1h + 1s);
  EXPECT_EQ(ProbeFile(spec, kNow).level, Level::kCrit);
}

TEST_F(FileProbeTest, SizeOverTheLimits) {
  FileProbeSpec spec;
  spec.path = MakeFile("spool", 0, 1s);
  spec.max_size_warn = 1024;
  spec.max_size_crit = 1 << 20;
  // Sparse: the size without writing it.
  std::filesystem::resize_file(spec.path, 2500);
  SetAge(spec.path, 1s);
  Outcome warn = ProbeFile(spec, kNow);
  EXPECT_EQ(warn.level, Level::kWarn);
  EXPECT_EQ(warn.message, spec.path.string() + " is 2.5 KB (warning above 1 KB)");
  std::filesystem::resize_file(spec.path, (uint64_t{12} << 30) / 10);  // 1.2 GB
  SetAge(spec.path, 1s);
  Outcome crit = ProbeFile(spec, kNow);
  EXPECT_EQ(crit.level, Level::kCrit);
  EXPECT_EQ(crit.message, spec.path.string() + " is 1.2 GB (critical above 1 MB)");
}

TEST_F(FileProbeTest, BothLimitsCrossedNamesBothWorseFirst) {
  FileProbeSpec spec;
  spec.path = MakeFile("log", 4096, 2h);
  spec.max_age_warn = 1h;
  spec.max_size_crit = 1024;
  Outcome o = ProbeFile(spec, kNow);
  EXPECT_EQ(o.level, Level::kCrit);
  EXPECT_EQ(o.message,
            spec.path.string() + " is 4 KB (critical above 1 KB) and last changed 2h ago (warning after 1h)");
}

TEST_F(FileProbeTest, ChangeInTheFutureCountsAsNow) {
  FileProbeSpec spec;
  spec.path = MakeFile("skewed", 1, -3min);
  spec.max_age_warn = 1min;
  Outcome o = ProbeFile(spec, kNow);
  EXPECT_EQ(o.level, Level::kOk);
  EXPECT_EQ(o.message, spec.path.string() + " changed 3m in the future, 1 byte");
  EXPECT_DOUBLE_EQ(o.value.value_or(-1), 0.0);
}

TEST_F(FileProbeTest, SymlinkLoopIsUnknown) {
  FileProbeSpec spec;
  spec.path = dir_ / "loop";
  std::filesystem::create_symlink(spec.path, spec.path);
  Outcome o = ProbeFile(spec, kNow);
  EXPECT_EQ(o.level, Level::kUnknown);
  EXPECT_EQ(o.message, "cannot stat " + spec.path.string() + ": " + std::strerror(ELOOP));
}

// Root passes every permission check, so under root the probe runs in a child that has
// become nobody.
TEST_F(FileProbeTest, PermissionDeniedIsUnknown) {
  const std::filesystem::path locked = dir_ / "locked";
  std::filesystem::create_directory(locked);
  FileProbeSpec spec;
  spec.path = MakeFile("locked/secret", 1, 1s);
  std::filesystem::permissions(dir_.path(), std::filesystem::perms::all, std::filesystem::perm_options::add);
  std::filesystem::permissions(locked, std::filesystem::perms::owner_all, std::filesystem::perm_options::replace);

  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::close(fds[0]);
    if (::geteuid() == 0 && (::setgroups(0, nullptr) != 0 || ::setgid(65534) != 0 || ::setuid(65534) != 0)) {
      ::_exit(2);
    }
    const Outcome o = ProbeFile(spec, kNow);
    const std::string answer = std::string(health::LevelName(o.level)) + " " + o.message;
    const bool written = ::write(fds[1], answer.data(), answer.size()) == static_cast<ssize_t>(answer.size());
    ::_exit(written ? 0 : 1);
  }
  ::close(fds[1]);
  std::string answer;
  char buf[512];
  for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;) answer.append(buf, static_cast<size_t>(n));
  ::close(fds[0]);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "child status " << status;
  EXPECT_EQ(answer, "UNKNOWN cannot stat " + spec.path.string() + ": Permission denied");
}

}  // namespace
}  // namespace vigil::probe
