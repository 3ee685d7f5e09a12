// SPDX-License-Identifier: MIT
// `vigil notify`: the datagram its flags make, and its delivery to a real datagram socket.
#include "cli/notify_command.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <cstring>

#include "base/unique_fd.h"
#include "util/temp_dir.h"

namespace vigil::cli {
namespace {

TEST(NotifyCommandTest, FlagsBecomeAssignments) {
  Invocation inv;
  inv.notify_ready = true;
  inv.notify_watchdog = true;
  inv.notify_status = "warming up: 40%";
  EXPECT_EQ(*NotifyDatagram(inv), "READY=1\nWATCHDOG=1\nSTATUS=warming up: 40%\n");
  Invocation stopping;
  stopping.notify_stopping = true;
  EXPECT_EQ(*NotifyDatagram(stopping), "STOPPING=1\n");
  Invocation clear;
  clear.notify_status = "";
  EXPECT_EQ(*NotifyDatagram(clear), "STATUS=\n");
}

TEST(NotifyCommandTest, RefusesNothingAndSmuggledAssignments) {
  EXPECT_FALSE(NotifyDatagram(Invocation{}).has_value());
  Invocation inv;
  inv.notify_status = "fine\nREADY=1";
  EXPECT_FALSE(NotifyDatagram(inv).has_value());
  inv.notify_status = std::string("fine\0READY=1", 12);
  EXPECT_FALSE(NotifyDatagram(inv).has_value());
}

TEST(NotifyCommandTest, SendsOneDatagramToThePath) {
  vigil::testing::TempDir dir;
  const std::string path = (dir.path() / "notify.sock").string();
  base::UniqueFd server(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.data(), path.size());
  ASSERT_EQ(::bind(server.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_TRUE(SendNotify(path, "READY=1\n").ok());
  char buffer[64] = {};
  ASSERT_EQ(::recv(server.get(), buffer, sizeof buffer, 0), 8);
  EXPECT_EQ(std::string(buffer), "READY=1\n");
}

TEST(NotifyCommandTest, ABadOrMissingSocketIsAnError) {
  EXPECT_FALSE(SendNotify("relative/path", "READY=1\n").ok());
  EXPECT_FALSE(SendNotify("", "READY=1\n").ok());
  const base::Status gone = SendNotify("/nonexistent/notify.sock", "READY=1\n");
  EXPECT_FALSE(gone.ok());
  EXPECT_NE(gone.message().find("/nonexistent/notify.sock"), std::string::npos);
}

}  // namespace
}  // namespace vigil::cli
