// SPDX-License-Identifier: MIT
// Tests of what the --daemon launcher makes of the daemon's word (the fork itself is
// tested end to end in tests/integration/daemon_mode_test.cc).
#include "daemon/daemonize.h"

#include <gtest/gtest.h>
#include <unistd.h>

namespace vigil::daemon {
namespace {

TEST(DaemonizeTest, VerdictOfTheDaemonsWord) {
  EXPECT_EQ(VerdictOf("ready running (pid 7)\n").exit_code, 0);
  EXPECT_EQ(VerdictOf("ready running (pid 7)\n").line, "vigild: running (pid 7)");
  EXPECT_EQ(VerdictOf("error cannot start: socket busy\n").exit_code, 1);
  EXPECT_EQ(VerdictOf("error cannot start: socket busy\n").line, "vigild: cannot start: socket busy");
  const LauncherVerdict died = VerdictOf("");
  EXPECT_EQ(died.exit_code, 1);
  EXPECT_NE(died.line.find("exited before it was ready"), std::string::npos);
}

TEST(DaemonizeTest, StartupReportSaysOneWordThenCloses) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  StartupReport report{base::UniqueFd(fds[1])};
  EXPECT_TRUE(report.pending());
  report.Ready("running");
  report.Failed("too late");  // ignored: the launcher has its answer
  EXPECT_FALSE(report.pending());
  char buf[64];
  ssize_t n = ::read(fds[0], buf, sizeof buf);
  EXPECT_EQ(std::string(buf, n > 0 ? static_cast<size_t>(n) : 0), "ready running\n");
  EXPECT_EQ(::read(fds[0], buf, sizeof buf), 0);  // closed
  ::close(fds[0]);
}

}  // namespace
}  // namespace vigil::daemon
