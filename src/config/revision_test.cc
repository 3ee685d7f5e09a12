// SPDX-License-Identifier: MIT
// Revision: SHA-256 from the libcrypto loaded on first use.
#include "config/revision.h"

#include <gtest/gtest.h>

namespace vigil::config {
namespace {

TEST(RevisionTest, IsTheSha256OfTheBytes) {
  // FIPS 180-2's examples.
  auto empty = Revision("");
  ASSERT_TRUE(empty) << empty.error().message();
  EXPECT_EQ(*empty, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(*Revision("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(RevisionTest, ChangesWithAnyByte) {
  EXPECT_NE(*Revision("a = 1\n"), *Revision("a = 1\r\n"));
  EXPECT_EQ(*Revision(std::string(100000, 'x')), *Revision(std::string(100000, 'x')));
}

}  // namespace
}  // namespace vigil::config
