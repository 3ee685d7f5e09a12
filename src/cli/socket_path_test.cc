// SPDX-License-Identifier: MIT
// Tests for how the CLI finds vigild's socket: flag, then $VIGIL_SOCKET, then the default.
#include "cli/socket_path.h"

#include <gtest/gtest.h>

namespace vigil::cli {
namespace {

TEST(SocketPathTest, RootUsesRunDirectory) {
  EXPECT_EQ(DefaultSocketPath(0, "/run/user/0"), "/run/vigil/vigil.sock");
  EXPECT_EQ(DefaultSocketPath(0, nullptr), "/run/vigil/vigil.sock");
}

TEST(SocketPathTest, UserUsesXdgRuntimeDir) {
  EXPECT_EQ(DefaultSocketPath(1000, "/run/user/1000"), "/run/user/1000/vigil/vigil.sock");
}

TEST(SocketPathTest, UserFallsBackToTmpWithoutXdgRuntimeDir) {
  EXPECT_EQ(DefaultSocketPath(1000, nullptr), "/tmp/vigil-1000/vigil.sock");
  EXPECT_EQ(DefaultSocketPath(1000, ""), "/tmp/vigil-1000/vigil.sock");
}

TEST(SocketPathTest, FlagBeatsEnvironmentBeatsDefault) {
  EXPECT_EQ(ResolveSocketPath("/flag.sock", "/env.sock", 1000, "/run/user/1000"), "/flag.sock");
  EXPECT_EQ(ResolveSocketPath("", "/env.sock", 1000, "/run/user/1000"), "/env.sock");
  EXPECT_EQ(ResolveSocketPath("", "", 1000, "/run/user/1000"), "/run/user/1000/vigil/vigil.sock");
  EXPECT_EQ(ResolveSocketPath("", nullptr, 0, nullptr), "/run/vigil/vigil.sock");
}

}  // namespace
}  // namespace vigil::cli
