// SPDX-License-Identifier: MIT
// Tests for whole-file reads, and the bounds ReadRegularFile puts on them.
#include "base/file_util.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <fstream>
#include <set>

#include "util/temp_dir.h"

namespace vigil::base {
namespace {

class ReadFileTest : public ::testing::Test {
 protected:
  std::filesystem::path Write(const std::string& name, const std::string& text) {
    const std::filesystem::path path = dir_ / name;
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }
  vigil::testing::TempDir temp_;
  const std::filesystem::path dir_ = temp_.path();
};

TEST_F(ReadFileTest, ReadsTheWholeFile) {
  const std::string text(200000, 'a');
  EXPECT_EQ(*ReadFile(Write("f", text)), text);
  EXPECT_EQ(*ReadRegularFile(Write("g", text), 200000, "a test file"), text);
  EXPECT_EQ(*ReadRegularFile(Write("empty", ""), 0, "a test file"), "");
}

TEST_F(ReadFileTest, MissingFileIsAnErrnoStatus) {
  auto r = ReadRegularFile(dir_ / "nope", 10, "a test file");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), StatusCode::kIoError);
  EXPECT_EQ(r.error().message(), (dir_ / "nope").string() + ": No such file or directory");
}

// Regression test for issue 8, item 14
TEST_F(ReadFileTest, RegularFileOnly) {
  ASSERT_EQ(mkfifo((dir_ / "fifo").c_str(), 0600), 0);
  for (const std::filesystem::path& path : {std::filesystem::path("/dev/zero"), dir_, dir_ / "fifo"}) {
    auto r = ReadRegularFile(path, 1024, "a test file");
    ASSERT_FALSE(r.has_value()) << path;
    EXPECT_EQ(r.error().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(r.error().message(), path.string() + ": not a regular file");
  }
}

// Regression test for issue 8, item 14
TEST_F(ReadFileTest, RefusesAFileOverTheLimitBeforeReadingIt) {
  const auto path = Write("big", std::string(1536 * 1024 + 1, 'x'));
  auto r = ReadRegularFile(path, 1024 * 1024, "a test file");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.error().message(), path.string() + ": 1.6 MB is larger than the 1 MB a test file may be");
  EXPECT_EQ(ReadRegularFile(Write("small", "12345"), 4, "a test file").error().message(),
            (dir_ / "small").string() + ": 5 bytes is larger than the 4 bytes a test file may be");
}

// Regression test for issue 8, item 14
TEST_F(ReadFileTest, BoundsTheReadItselfWhenTheSizeLies) {
  // /proc files are regular files that stat(2) reports as empty; the same path is taken by a
  // file that grows between fstat and read.
  auto r = ReadRegularFile("/proc/self/maps", 16, "a test file");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.error().message(), "/proc/self/maps: larger than the 16 bytes a test file may be");
}

}  // namespace
}  // namespace vigil::base

namespace vigil::base {
namespace {

TEST(WriteFileAtomicallyTest, ReplacesTheWholeFileWithItsMode) {
  vigil::testing::TempDir dir;
  const std::filesystem::path file = dir.path() / "report.txt";
  ASSERT_TRUE(WriteFileAtomically(file, "old", 0600).ok());
  ASSERT_TRUE(WriteFileAtomically(file, "new text\n", 0640).ok());
  EXPECT_EQ(*ReadFile(file), "new text\n");
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "report.txt.tmp"));
  EXPECT_EQ(std::filesystem::status(file).permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write |
                std::filesystem::perms::group_read);
}

TEST(WriteFileAtomicallyTest, AFailureNamesTheFileAndLeavesNothing) {
  vigil::testing::TempDir dir;
  const Status s = WriteFileAtomically(dir.path() / "missing-dir" / "x", "text", 0600);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("missing-dir/x.tmp"), std::string::npos) << s.message();
}

// The names in `dir`, to see that no temporary file is left.
std::set<std::string> Names(const std::filesystem::path& dir) {
  std::set<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) names.insert(entry.path().filename().string());
  return names;
}

TEST(ReplaceFileAtomicallyTest, KeepsModeOwnerAndGroupAndFollowsASymlink) {
  vigil::testing::TempDir dir;
  const std::filesystem::path file = dir.path() / "vigil.toml";
  ASSERT_TRUE(WriteFileAtomically(file, "old\n", 0640).ok());
  // Root can give the file away, so the owner kept is not simply the writer's.
  const bool root = ::geteuid() == 0;
  if (root) {
    ASSERT_EQ(::chown(file.c_str(), 65534, 65534), 0);
  }
  const std::filesystem::path link = dir.path() / "link.toml";
  std::filesystem::create_symlink(file, link);

  ASSERT_TRUE(ReplaceFileAtomically(link, "new text\n").ok());
  EXPECT_TRUE(std::filesystem::is_symlink(link));
  EXPECT_EQ(*ReadFile(file), "new text\n");
  struct stat st {};
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0640u);
  if (root) {
    EXPECT_EQ(st.st_uid, 65534u);
    EXPECT_EQ(st.st_gid, 65534u);
  }
  EXPECT_EQ(Names(dir.path()), (std::set<std::string>{"vigil.toml", "link.toml"}));
}

TEST(ReplaceFileAtomicallyTest, AWriteThatFailsLeavesTheFileAsItWas) {
  vigil::testing::TempDir dir;
  const std::filesystem::path file = dir.path() / "vigil.toml";
  ASSERT_TRUE(WriteFileAtomically(file, "old\n", 0600).ok());
  // A file size limit fails the write as a full disk would (EFBIG instead of ENOSPC), for
  // root too; SIGXFSZ, which would end the test, is ignored for it.
  struct rlimit old_limit {};
  ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &old_limit), 0);
  auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
  struct rlimit small = old_limit;
  small.rlim_cur = 16;
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &small), 0);
  const Status s = ReplaceFileAtomically(file, std::string(4096, 'x'));
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &old_limit), 0);
  std::signal(SIGXFSZ, old_handler);

  EXPECT_EQ(s.code(), StatusCode::kIoError);
  EXPECT_EQ(s.message(), "cannot write " + file.string() + ": File too large");
  EXPECT_EQ(*ReadFile(file), "old\n");
  EXPECT_EQ(Names(dir.path()), (std::set<std::string>{"vigil.toml"}));
}

TEST(ReplaceFileAtomicallyTest, ARenameThatFailsLeavesNothingBehind) {
  vigil::testing::TempDir dir;
  // rename(2) of a file over a directory fails with EISDIR.
  const std::filesystem::path target = dir.path() / "conf";
  std::filesystem::create_directory(target);
  const Status s = ReplaceFileAtomically(target, "text");
  EXPECT_EQ(s.message(), "cannot write " + target.string() + ": Is a directory");
  EXPECT_EQ(Names(dir.path()), (std::set<std::string>{"conf"}));
  EXPECT_TRUE(std::filesystem::is_directory(target));
}

TEST(ReplaceFileAtomicallyTest, AMissingFileIsNotCreated) {
  vigil::testing::TempDir dir;
  const Status s = ReplaceFileAtomically(dir.path() / "none.toml", "text");
  EXPECT_EQ(s.code(), StatusCode::kIoError);
  EXPECT_NE(s.message().find("cannot write " + (dir.path() / "none.toml").string()), std::string::npos) << s.message();
  EXPECT_TRUE(Names(dir.path()).empty());
}

}  // namespace
}  // namespace vigil::base
