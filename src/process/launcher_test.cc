// SPDX-License-Identifier: MIT
// LinuxLauncher against real processes: exits reach the callback, group signals reach
// every member, and a group watch fires once the group's last process is reaped.
#include "process/launcher.h"

#include <gtest/gtest.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <functional>
#include <string>

namespace vigil::process {
namespace {

// Runs the loop until `done` or a 10 s deadline; waits are conditions, never sleeps.
bool RunUntil(event::Loop& loop, const std::function<bool()>& done) {
  bool expired = false;
  auto deadline = loop.AddTimer(std::chrono::seconds(10), [&] { expired = true; });
  while (!done() && !expired) loop.RunOne();
  return done();
}

std::string ReadLine(int fd) {
  std::string line;
  char c;
  while (::read(fd, &c, 1) == 1 && c != '\n') line += c;
  return line;
}

TEST(LinuxLauncherTest, ReportsTheExitStatus) {
  event::Loop loop;
  LinuxLauncher launcher(loop);
  SpawnRequest req;
  req.argv = {"sh", "-c", "exit 7"};
  int status = -1;
  auto child = launcher.Launch(req, [&](int s) { status = s; });
  ASSERT_TRUE(child) << child.error().message();
  ASSERT_TRUE(RunUntil(loop, [&] { return status != -1; }));
  EXPECT_EQ(DescribeWaitStatus(status), "exit 7");
}

TEST(LinuxLauncherTest, ALaunchThatFailsNeverCallsBack) {
  event::Loop loop;
  LinuxLauncher launcher(loop);
  SpawnRequest req;
  req.argv = {"/nonexistent/program"};
  bool called = false;
  auto child = launcher.Launch(req, [&](int) { called = true; });
  ASSERT_FALSE(child);
  EXPECT_NE(child.error().message().find("No such file or directory"), std::string::npos);
  loop.Poll();
  EXPECT_FALSE(called);
}

// The main process ends but leaves a member of its group: the watch fires only once the
// member is gone too (after SIGKILL to the group, once it is reaped).
TEST(LinuxLauncherTest, GroupWatchFiresWhenTheLastMemberIsGone) {
  // As vigild is: orphaned members of the group are re-parented here and reaped here.
  ASSERT_EQ(::prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
  event::Loop loop;
  LinuxLauncher launcher(loop);
  SpawnRequest req;
  req.argv = {"sh", "-c", "sleep 1000 & echo $!; exit 0"};
  bool main_exited = false;
  auto child = launcher.Launch(req, [&](int) { main_exited = true; });
  ASSERT_TRUE(child) << child.error().message();
  const pid_t leftover = std::stoi(ReadLine(child->stdout_fd.get()));
  ASSERT_TRUE(RunUntil(loop, [&] { return main_exited; }));
  EXPECT_TRUE(launcher.GroupAlive(child->pid));
  bool gone = false;
  auto watch = launcher.WhenGroupGone(child->pid, [&] { gone = true; });
  loop.Poll();
  EXPECT_FALSE(gone);
  launcher.SignalGroup(child->pid, SIGKILL);
  ASSERT_TRUE(RunUntil(loop, [&] { return gone; }));
  EXPECT_FALSE(launcher.GroupAlive(child->pid));
  EXPECT_NE(::kill(leftover, 0), 0);
}

TEST(LinuxLauncherTest, GroupWatchOnAnEmptyGroupFiresOnTheNextTurnAndCanBeCancelled) {
  event::Loop loop;
  LinuxLauncher launcher(loop);
  bool fired = false;
  auto watch = launcher.WhenGroupGone(999999, [&] { fired = true; });
  EXPECT_FALSE(fired);  // never from inside the call
  loop.Poll();
  EXPECT_TRUE(fired);
  bool cancelled_fired = false;
  auto cancelled = launcher.WhenGroupGone(999999, [&] { cancelled_fired = true; });
  cancelled.reset();
  loop.Poll();
  EXPECT_FALSE(cancelled_fired);
}

}  // namespace
}  // namespace vigil::process
