// SPDX-License-Identifier: MIT
// Tests for whole-file reads, and the bounds ReadRegularFile puts on them.
#include "base/file_util.h"

#include <gtest/gtest.h>

#include "util/temp_dir.h"
#include <stdlib.h>
#include <sys/stat.h>

#include <fstream>

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

}  // namespace
}  // namespace vigil::base
