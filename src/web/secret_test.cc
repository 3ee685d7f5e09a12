// SPDX-License-Identifier: MIT
// Random hex of the right size that differs each time; constant-time equality.
#include "web/secret.h"

#include <gtest/gtest.h>

namespace vigil::web {
namespace {

TEST(SecretTest, RandomHexHasTwoDigitsPerByteAndDiffers) {
  auto a = RandomHex(32);
  auto b = RandomHex(32);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->size(), 64u);
  EXPECT_EQ(a->find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_NE(*a, *b);
}

TEST(SecretTest, ConstantTimeEqual) {
  EXPECT_TRUE(ConstantTimeEqual("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEqual("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEqual("abc", "ab"));
  EXPECT_FALSE(ConstantTimeEqual("", "a"));
  EXPECT_TRUE(ConstantTimeEqual("", ""));
}

}  // namespace
}  // namespace vigil::web
