// SPDX-License-Identifier: MIT
// Tests of PidFile: the lock refuses a second owner and names the first, a stale file is
// taken over, and only the process that wrote its pid removes the file.
#include "daemon/pid_file.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/file_util.h"
#include "util/temp_dir.h"

namespace vigil::daemon {
namespace {

TEST(PidFileTest, SecondOwnerIsRefusedWithTheFirstPid) {
  testing::TempDir dir;
  const auto path = dir.path() / "vigild.pid";
  auto first = PidFile::Acquire(path);
  ASSERT_TRUE(first.has_value()) << first.error().message();
  ASSERT_TRUE(first->WritePid(4242).ok());
  EXPECT_EQ(*base::ReadFile(path), "4242\n");

  auto second = PidFile::Acquire(path);
  ASSERT_FALSE(second.has_value());
  EXPECT_EQ(second.error().code(), base::StatusCode::kConflict);
  EXPECT_EQ(second.error().message(), "vigild is already running (pid 4242, PID file " + path.string() + ")");
}

TEST(PidFileTest, OwnerRemovesTheFileAndReleasesTheLock) {
  testing::TempDir dir;
  const auto path = dir.path() / "vigild.pid";
  {
    auto file = PidFile::Acquire(path);
    ASSERT_TRUE(file.has_value());
    ASSERT_TRUE(file->WritePid(::getpid()).ok());
  }
  EXPECT_FALSE(std::filesystem::exists(path));
  EXPECT_TRUE(PidFile::Acquire(path).has_value());
}

TEST(PidFileTest, StaleFileIsTakenOverAndNamesTheOldPid) {
  testing::TempDir dir;
  const auto path = dir.path() / "vigild.pid";
  ASSERT_TRUE(base::WriteFileAtomically(path, "31337\n", 0644).ok());
  auto file = PidFile::Acquire(path);
  ASSERT_TRUE(file.has_value()) << file.error().message();
  EXPECT_EQ(file->stale_pid(), 31337);
  ASSERT_TRUE(file->WritePid(::getpid()).ok());
  EXPECT_EQ(*base::ReadFile(path), std::to_string(::getpid()) + "\n");
}

// The launcher of --daemon locks, forks, and leaves: the lock stays with the child, which
// writes its own pid; the launcher's copy neither unlocks nor removes anything.
TEST(PidFileTest, LockPassesToAForkedChild) {
  testing::TempDir dir;
  const auto path = dir.path() / "vigild.pid";
  auto file = PidFile::Acquire(path);
  ASSERT_TRUE(file.has_value());
  int to_child[2];
  ASSERT_EQ(::pipe(to_child), 0);
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::close(to_child[1]);
    if (!file->WritePid(::getpid()).ok()) ::_exit(1);
    char c;
    (void)::read(to_child[0], &c, 1);  // until the parent has checked the lock
    ::_exit(0);
  }
  ::close(to_child[0]);
  file->Release();
  // The child still holds it.
  auto other = PidFile::Acquire(path);
  ASSERT_FALSE(other.has_value());
  EXPECT_EQ(other.error().code(), base::StatusCode::kConflict);
  ::close(to_child[1]);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  EXPECT_EQ(status, 0);
  // The child _exit()ed without running destructors: the file stays, stale, and unlocked.
  auto after = PidFile::Acquire(path);
  ASSERT_TRUE(after.has_value());
  EXPECT_EQ(after->stale_pid(), child);
}

TEST(PidFileTest, MissingDirectoryNamesTheFile) {
  auto file = PidFile::Acquire("/nonexistent-dir/vigild.pid");
  ASSERT_FALSE(file.has_value());
  EXPECT_NE(file.error().message().find("/nonexistent-dir/vigild.pid"), std::string::npos);
}

TEST(PidFileTest, ParsePid) {
  EXPECT_EQ(ParsePid("123\n"), 123);
  EXPECT_EQ(ParsePid(" 7"), 7);
  EXPECT_EQ(ParsePid(""), 0);
  EXPECT_EQ(ParsePid("abc"), 0);
  EXPECT_EQ(ParsePid("12x"), 0);
  EXPECT_EQ(ParsePid("-5"), 0);
}

}  // namespace
}  // namespace vigil::daemon
