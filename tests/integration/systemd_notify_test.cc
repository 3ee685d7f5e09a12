// SPDX-License-Identifier: MIT
// vigild's side of systemd's notify protocol, read from a NOTIFY_SOCKET the test binds:
// READY=1 with a STATUS= summary once it serves, RELOADING=1 and READY=1 around a reload,
// STOPPING=1 on shutdown, WATCHDOG=1 at half of WATCHDOG_USEC, and the variables kept
// from the supervised programs.
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <cstring>

#include "harness.h"

namespace vigil::testing {
namespace {

class SystemdNotifyTest : public VigilTest {
 protected:
  void SetUp() override {
    VigilTest::SetUp();
    notify_path_ = dir_ / "systemd-notify";
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, notify_path_.c_str(), sizeof addr.sun_path - 1);
    ASSERT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    // vigild inherits them from this process, as from systemd.
    ::setenv("NOTIFY_SOCKET", notify_path_.c_str(), 1);
  }
  void TearDown() override {
    ::unsetenv("NOTIFY_SOCKET");
    ::unsetenv("WATCHDOG_USEC");
    VigilTest::TearDown();
    ::close(fd_);
  }
  // Every datagram received so far, in order.
  const std::vector<std::string>& Received() {
    char buf[4096];
    for (;;) {
      ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) break;
      received_.emplace_back(buf, static_cast<size_t>(n));
    }
    return received_;
  }
  bool WaitForMessage(const std::string& prefix, size_t after = 0) {
    return WaitFor([&] {
      const auto& all = Received();
      for (size_t i = after; i < all.size(); ++i) {
        if (all[i].rfind(prefix, 0) == 0) return true;
      }
      return false;
    });
  }
  size_t Count(const std::string& message) {
    size_t n = 0;
    for (const auto& m : Received()) n += m == message ? 1 : 0;
    return n;
  }

  std::filesystem::path notify_path_;
  int fd_ = -1;
  std::vector<std::string> received_;
};

TEST_F(SystemdNotifyTest, ReadyStatusReloadStopping) {
  WriteConfig("[program.idle]\ncommand = [\"" + Child() + "\", \"idle\"]\nstart_seconds = \"50ms\"\n"
              "[program.env]\ncommand = [\"/bin/sh\", \"-c\", \"echo notify=${NOTIFY_SOCKET:-none}; exec sleep 100000\"]\n");
  StartDaemon();
  ASSERT_TRUE(WaitForMessage("READY=1\nSTATUS="));
  EXPECT_EQ(Received()[0].rfind("READY=1\nSTATUS=", 0), 0u) << Received()[0];
  // The summary follows the programs: once both run, it says so.
  ASSERT_TRUE(WaitForMessage("STATUS=2 running"));

  // Programs do not inherit systemd's socket: they could speak for vigild otherwise.
  ASSERT_TRUE(WaitFor([&] { return ReadFile(log_dir_ / "env.out.log").find("notify=") != std::string::npos; }));
  EXPECT_NE(ReadFile(log_dir_ / "env.out.log").find("notify=none"), std::string::npos)
      << ReadFile(log_dir_ / "env.out.log");

  const size_t before_reload = Received().size();
  ASSERT_EQ(Vigil({"reload"}).exit_code, 0);
  ASSERT_TRUE(WaitForMessage("READY=1\nSTATUS=", before_reload));
  std::vector<std::string> around(Received().begin() + static_cast<long>(before_reload), Received().end());
  ASSERT_GE(around.size(), 2u);
  EXPECT_EQ(around[0].rfind("RELOADING=1\nMONOTONIC_USEC=", 0), 0u) << around[0];

  const size_t before_stop = Received().size();
  EXPECT_EQ(StopDaemon(), 0);
  ASSERT_TRUE(WaitForMessage("STOPPING=1", before_stop));
  // No WATCHDOG_USEC, no pings: vigild never woke up for them.
  EXPECT_EQ(Count("WATCHDOG=1"), 0u);
}

TEST_F(SystemdNotifyTest, WatchdogPingsAtHalfTheInterval) {
  ::setenv("WATCHDOG_USEC", "200000", 1);  // 200 ms: a ping every 100 ms
  WriteConfig("");
  const auto start = std::chrono::steady_clock::now();
  StartDaemon();
  ASSERT_TRUE(WaitFor([&] { return Count("WATCHDOG=1") >= 5; }));
  // Timers never fire early: five pings 100 ms apart take at least half a second.
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(500));
}

}  // namespace
}  // namespace vigil::testing
