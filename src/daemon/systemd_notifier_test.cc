// SPDX-License-Identifier: MIT
// Tests of SystemdNotifier against a datagram socket standing in for systemd's: what each
// call sends, the environment taken away from vigild's children, and the watchdog timer.
#include "daemon/systemd_notifier.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <cstdlib>
#include <cstring>

#include "util/temp_dir.h"

namespace vigil::daemon {
namespace {

// systemd's end: a bound SOCK_DGRAM socket.
class FakeSystemd {
 public:
  explicit FakeSystemd(const std::filesystem::path& path) : path_(path) {
    fd_.reset(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
    EXPECT_EQ(::bind(fd_.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  }
  // The next datagram, or "" when none is waiting.
  std::string Next() {
    char buf[4096];
    ssize_t n = ::recv(fd_.get(), buf, sizeof buf, 0);
    return n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string();
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
  base::UniqueFd fd_;
};

SystemdEnvironment EnvFor(const FakeSystemd& systemd, std::optional<base::Duration> watchdog = std::nullopt) {
  SystemdEnvironment env;
  env.notify_socket = systemd.path().string();
  env.watchdog = watchdog;
  return env;
}

TEST(SystemdNotifierTest, SendsTheProtocolsMessages) {
  testing::TempDir dir;
  FakeSystemd systemd(dir / "notify");
  event::Loop loop;
  SystemdNotifier notifier(loop, EnvFor(systemd));
  ASSERT_TRUE(notifier.enabled());

  notifier.Ready("3 running");
  EXPECT_EQ(systemd.Next(), "READY=1\nSTATUS=3 running");
  notifier.Status("3 running");  // unchanged: not sent again
  notifier.Status("2 running,\n1 fatal");
  EXPECT_EQ(systemd.Next(), "STATUS=2 running, 1 fatal");
  notifier.Reloading();
  const std::string reloading = systemd.Next();
  EXPECT_EQ(reloading.rfind("RELOADING=1\nMONOTONIC_USEC=", 0), 0u) << reloading;
  notifier.ReloadDone("2 running");
  EXPECT_EQ(systemd.Next(), "READY=1\nSTATUS=2 running");
  notifier.Stopping();
  EXPECT_EQ(systemd.Next(), "STOPPING=1\nSTATUS=stopping all programs");
  EXPECT_EQ(systemd.Next(), "");
}

TEST(SystemdNotifierTest, AbstractSocketName) {
  // "@name": the abstract namespace, which systemd uses for user managers in containers.
  const std::string name = "@vigil-test-" + std::to_string(::getpid());
  base::UniqueFd fd(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, name.data(), name.size());
  addr.sun_path[0] = '\0';
  ASSERT_EQ(::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr),
                   static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name.size())),
            0);
  event::Loop loop;
  SystemdEnvironment env;
  env.notify_socket = name;
  SystemdNotifier notifier(loop, env);
  notifier.Ready("ok");
  char buf[64];
  ssize_t n = ::recv(fd.get(), buf, sizeof buf, 0);
  EXPECT_EQ(std::string(buf, n > 0 ? static_cast<size_t>(n) : 0), "READY=1\nSTATUS=ok");
}

TEST(SystemdNotifierTest, WithoutASocketNothingHappens) {
  event::Loop loop;
  SystemdNotifier notifier(loop, SystemdEnvironment{});
  EXPECT_FALSE(notifier.enabled());
  notifier.Ready("x");
  EXPECT_FALSE(notifier.Send("READY=1"));
  EXPECT_EQ(loop.Poll(), 0u);  // no timer, nothing queued
}

TEST(SystemdNotifierTest, WatchdogPingsFromTheLoopAtHalfTheInterval) {
  testing::TempDir dir;
  FakeSystemd systemd(dir / "notify");
  event::Loop loop;
  SystemdNotifier notifier(loop, EnvFor(systemd, std::chrono::milliseconds(40)));
  notifier.Ready("ok");
  EXPECT_EQ(systemd.Next(), "READY=1\nSTATUS=ok");
  const auto start = std::chrono::steady_clock::now();
  int pings = 0;
  while (pings < 3) {
    loop.RunOne();
    for (std::string m = systemd.Next(); !m.empty(); m = systemd.Next()) {
      EXPECT_EQ(m, "WATCHDOG=1");
      ++pings;
    }
  }
  // Timers never fire early: three pings at 20 ms each take at least 60 ms.
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(60));
}

TEST(SystemdEnvironmentTest, TakesAndRemovesTheVariables) {
  ::setenv("NOTIFY_SOCKET", "/run/systemd/notify", 1);
  ::setenv("WATCHDOG_USEC", "30000000", 1);
  ::setenv("WATCHDOG_PID", std::to_string(::getpid()).c_str(), 1);
  SystemdEnvironment env = SystemdEnvironment::TakeFromProcess();
  EXPECT_EQ(env.notify_socket, "/run/systemd/notify");
  ASSERT_TRUE(env.watchdog.has_value());
  EXPECT_EQ(*env.watchdog, std::chrono::seconds(30));
  // Gone, so that no supervised program inherits them.
  EXPECT_EQ(std::getenv("NOTIFY_SOCKET"), nullptr);
  EXPECT_EQ(std::getenv("WATCHDOG_USEC"), nullptr);
  EXPECT_EQ(std::getenv("WATCHDOG_PID"), nullptr);
}

TEST(SystemdEnvironmentTest, WatchdogOfAnotherPidIsNotOurs) {
  ::setenv("NOTIFY_SOCKET", "/run/systemd/notify", 1);
  ::setenv("WATCHDOG_USEC", "30000000", 1);
  ::setenv("WATCHDOG_PID", "1", 1);
  SystemdEnvironment env = SystemdEnvironment::TakeFromProcess();
  EXPECT_FALSE(env.watchdog.has_value());
  ::setenv("WATCHDOG_USEC", "soon", 1);
  EXPECT_FALSE(SystemdEnvironment::TakeFromProcess().watchdog.has_value());
}

}  // namespace
}  // namespace vigil::daemon
