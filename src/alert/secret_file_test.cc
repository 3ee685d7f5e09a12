// SPDX-License-Identifier: MIT
// Tests of reading secrets from files: trimmed content, and the refusals.
#include "alert/secret_file.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "util/temp_dir.h"

namespace vigil::alert {
namespace {

namespace fs = std::filesystem;

class SecretFileTest : public ::testing::Test {
 protected:
  std::string Write(const std::string& name, const std::string& content, fs::perms perms) {
    fs::path path = dir_ / name;
    std::ofstream(path, std::ios::binary) << content;
    fs::permissions(path, perms);
    return path.string();
  }
  vigil::testing::TempDir dir_;
};

constexpr fs::perms kOwner = fs::perms::owner_read | fs::perms::owner_write;

TEST_F(SecretFileTest, ReadsTrimmedContent) {
  auto secret = ReadSecretFile(Write("pw", "  s3cret with space\n", kOwner), "password file");
  ASSERT_TRUE(secret.has_value()) << secret.error().message();
  EXPECT_EQ(*secret, "s3cret with space");
}

TEST_F(SecretFileTest, GroupMayRead) {
  auto secret = ReadSecretFile(Write("token", "Bearer xyz\r\n", kOwner | fs::perms::group_read), "header file");
  ASSERT_TRUE(secret.has_value()) << secret.error().message();
  EXPECT_EQ(*secret, "Bearer xyz");
}

TEST_F(SecretFileTest, RefusesWhatOthersCanRead) {
  std::string path = Write("pw", "s3cret\n", kOwner | fs::perms::group_read | fs::perms::others_read);
  auto secret = ReadSecretFile(path, "password file");
  ASSERT_FALSE(secret.has_value());
  EXPECT_EQ(secret.error().message(),
            "password file " + path + ": other users can access it (mode 0644); restrict it with chmod o-rwx");
}

TEST_F(SecretFileTest, RefusesEmptyMultiLineAndNonRegular) {
  auto empty = ReadSecretFile(Write("empty", " \n", kOwner), "password file");
  ASSERT_FALSE(empty.has_value());
  EXPECT_NE(empty.error().message().find(": empty"), std::string::npos);

  auto lines = ReadSecretFile(Write("lines", "one\ntwo\n", kOwner), "password file");
  ASSERT_FALSE(lines.has_value());
  EXPECT_NE(lines.error().message().find("must hold one line"), std::string::npos);

  auto directory = ReadSecretFile(dir_.path().string(), "password file");
  ASSERT_FALSE(directory.has_value());
  EXPECT_NE(directory.error().message().find("not a regular file"), std::string::npos);

  auto big = ReadSecretFile(Write("big", std::string(kMaxSecretBytes + 1, 'x'), kOwner), "password file");
  ASSERT_FALSE(big.has_value());
  EXPECT_NE(big.error().message().find("larger than 64 KB"), std::string::npos);
}

TEST_F(SecretFileTest, MissingFileNamesIt) {
  std::string path = (dir_ / "missing").string();
  auto secret = ReadSecretFile(path, "password file");
  ASSERT_FALSE(secret.has_value());
  EXPECT_EQ(secret.error().code(), base::StatusCode::kIoError);
  EXPECT_EQ(secret.error().message(), "password file " + path + ": No such file or directory");
}

}  // namespace
}  // namespace vigil::alert
