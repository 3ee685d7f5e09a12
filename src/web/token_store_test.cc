// SPDX-License-Identifier: MIT
// The tokens file: made on first use (0600), read back, rotated atomically; refused when
// others may read it or it is malformed.
#include "web/token_store.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "base/file_util.h"
#include "util/temp_dir.h"

namespace vigil::web {
namespace {

class TokenStoreTest : public ::testing::Test {
 protected:
  vigil::testing::TempDir temp_;
  std::filesystem::path file_ = temp_.path() / "state" / "http-tokens";
};

TEST_F(TokenStoreTest, MadeOnFirstUseAndReadBack) {
  TokenStore first(file_);
  ASSERT_TRUE(first.Load().ok());
  struct stat st {};
  ASSERT_EQ(::stat(file_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(first.token(Role::kAdmin).size(), 64u);
  EXPECT_NE(first.token(Role::kAdmin), first.token(Role::kViewer));

  TokenStore again(file_);
  ASSERT_TRUE(again.Load().ok());
  EXPECT_EQ(again.token(Role::kAdmin), first.token(Role::kAdmin));
  EXPECT_EQ(again.Match(first.token(Role::kViewer)), Role::kViewer);
  EXPECT_EQ(again.Match(first.token(Role::kAdmin)), Role::kAdmin);
  EXPECT_EQ(again.Match("nope"), std::nullopt);
  EXPECT_EQ(again.Match(""), std::nullopt);
}

TEST_F(TokenStoreTest, RotateReplacesOneRoleAndTheOldOneStopsWorking) {
  TokenStore store(file_);
  ASSERT_TRUE(store.Load().ok());
  const std::string admin = store.token(Role::kAdmin);
  const std::string viewer = store.token(Role::kViewer);
  ASSERT_TRUE(store.Rotate(Role::kAdmin).ok());
  EXPECT_NE(store.token(Role::kAdmin), admin);
  EXPECT_EQ(store.token(Role::kViewer), viewer);
  EXPECT_EQ(store.Match(admin), std::nullopt);
  TokenStore reread(file_);
  ASSERT_TRUE(reread.Load().ok());
  EXPECT_EQ(reread.token(Role::kAdmin), store.token(Role::kAdmin));
}

TEST_F(TokenStoreTest, RefusesAFileOthersMayReadAndAMalformedOne) {
  std::filesystem::create_directories(file_.parent_path());
  ASSERT_TRUE(base::WriteFileAtomically(file_, "admin " + std::string(64, 'a') + "\nviewer " + std::string(64, 'b') + "\n",
                                        0644)
                  .ok());
  base::Status s = TokenStore(file_).Load();
  EXPECT_EQ(s.code(), base::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("mode 644); chmod 600 " + file_.string()), std::string::npos) << s.message();

  ASSERT_TRUE(base::WriteFileAtomically(file_, "admin short\n", 0600).ok());
  s = TokenStore(file_).Load();
  EXPECT_NE(s.message().find("expected lines \"admin TOKEN\" and \"viewer TOKEN\""), std::string::npos) << s.message();

  ASSERT_TRUE(base::WriteFileAtomically(file_, "admin " + std::string(64, 'a') + "\n", 0600).ok());
  s = TokenStore(file_).Load();
  EXPECT_NE(s.message().find("needs both an admin and a viewer token"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace vigil::web
