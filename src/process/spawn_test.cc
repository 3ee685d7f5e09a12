// SPDX-License-Identifier: MIT
// Tests for process::Spawn against real processes.
#include "process/spawn.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sys/stat.h>

#include <csignal>
#include <cstdlib>
#include <string>

namespace vigil::process {
namespace {

std::string ReadAll(int fd) {
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) out.append(buf, n);
  return out;
}

int Reap(pid_t pid) {
  int st = 0;
  EXPECT_EQ(::waitpid(pid, &st, 0), pid);
  return st;
}

TEST(SpawnTest, CapturesStdoutAndStderrSeparately) {
  SpawnRequest req;
  req.argv = {"sh", "-c", "echo out; echo err >&2; exit 3"};
  auto child = Spawn(req);
  ASSERT_TRUE(child) << child.error().message();
  EXPECT_EQ(ReadAll(child->stdout_fd.get()), "out\n");
  EXPECT_EQ(ReadAll(child->stderr_fd.get()), "err\n");
  EXPECT_EQ(DescribeWaitStatus(Reap(child->pid)), "exit 3");
}

TEST(SpawnTest, StdinIsDevNullOrTheFileGiven) {
  SpawnRequest req;
  req.argv = {"cat"};
  auto quiet = Spawn(req);
  ASSERT_TRUE(quiet);
  EXPECT_EQ(ReadAll(quiet->stdout_fd.get()), "");
  Reap(quiet->pid);
  char path[] = "/tmp/vigil-spawn-stdin-XXXXXX";
  int fd = ::mkstemp(path);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::write(fd, "{\"a\":1}", 7), 7);
  ::close(fd);
  req.stdin_file = path;
  auto fed = Spawn(req);
  ASSERT_TRUE(fed) << fed.error().message();
  EXPECT_EQ(ReadAll(fed->stdout_fd.get()), "{\"a\":1}");
  Reap(fed->pid);
  ::unlink(path);
  auto missing = Spawn(req);
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message().find("cannot open its stdin"), std::string::npos) << missing.error().message();
}

TEST(SpawnTest, StdinPipeGivesTheCallerItsWriteEnd) {
  SpawnRequest req;
  req.argv = {"cat"};
  req.stdin_pipe = true;
  auto child = Spawn(req);
  ASSERT_TRUE(child) << child.error().message();
  ASSERT_TRUE(child->stdin_fd.valid());
  ASSERT_EQ(::write(child->stdin_fd.get(), "one\n", 4), 4);
  child->stdin_fd.reset();  // end of file: cat ends
  EXPECT_EQ(ReadAll(child->stdout_fd.get()), "one\n");
  Reap(child->pid);
}

TEST(SpawnTest, MergesStderrIntoStdout) {
  SpawnRequest req;
  req.argv = {"sh", "-c", "echo a; echo b >&2"};
  req.merge_stderr = true;
  auto child = Spawn(req);
  ASSERT_TRUE(child);
  EXPECT_FALSE(child->stderr_fd.valid());
  EXPECT_EQ(ReadAll(child->stdout_fd.get()), "a\nb\n");
  Reap(child->pid);
}

TEST(SpawnTest, ChildGetsOwnSessionEnvironmentAndDirectory) {
  SpawnRequest req;
  req.argv = {"sh", "-c", "echo $(ps -o sid= -p $$) $$ $FOO $(pwd)"};
  req.environment = {{"FOO", "bar baz"}};
  req.directory = "/tmp";
  auto child = Spawn(req);
  ASSERT_TRUE(child);
  std::string out = ReadAll(child->stdout_fd.get());
  std::string pid = std::to_string(child->pid);
  EXPECT_EQ(out, pid + " " + pid + " bar baz /tmp\n");
  Reap(child->pid);
}

TEST(SpawnTest, MissingExecutableIsReportedBeforeFork) {
  SpawnRequest req;
  req.argv = {"no-such-program-vigil"};
  auto child = Spawn(req);
  ASSERT_FALSE(child);
  EXPECT_NE(child.error().message().find("command not found: no-such-program-vigil"), std::string::npos);
}

TEST(SpawnTest, BadDirectoryNamesTheStep) {
  SpawnRequest req;
  req.argv = {"true"};
  req.directory = "/nonexistent/dir";
  auto child = Spawn(req);
  ASSERT_FALSE(child);
  EXPECT_EQ(child.error().message(), "cannot change directory to /nonexistent/dir: No such file or directory");
  int st = 0;
  ::wait(&st);  // the failed child
}

TEST(SpawnTest, NonExecutableFileIsRejected) {
  char path[] = "/tmp/vigil-spawn-test-XXXXXX";
  int fd = ::mkstemp(path);
  ASSERT_GE(fd, 0);
  ::close(fd);
  ::chmod(path, 0644);
  SpawnRequest req;
  req.argv = {path};
  auto child = Spawn(req);
  ::unlink(path);
  ASSERT_FALSE(child);
  EXPECT_EQ(child.error().message(), std::string("cannot execute ") + path + ": Permission denied");
  int st = 0;
  ::wait(&st);
}

TEST(SpawnTest, StdinIsDevNull) {
  SpawnRequest req;
  req.argv = {"cat"};
  auto child = Spawn(req);
  ASSERT_TRUE(child);
  EXPECT_EQ(ReadAll(child->stdout_fd.get()), "");
  EXPECT_EQ(DescribeWaitStatus(Reap(child->pid)), "exit 0");
}

TEST(SpawnTest, DescribesSignals) {
  SpawnRequest req;
  req.argv = {"sleep", "100"};
  auto child = Spawn(req);
  ASSERT_TRUE(child);
  ::kill(child->pid, SIGKILL);
  EXPECT_EQ(DescribeWaitStatus(Reap(child->pid)), "killed by SIGKILL");
}

TEST(FindExecutableTest, SearchesPathInOrder) {
  auto found = FindExecutable("sh", "/nonexistent:/bin:/usr/bin");
  ASSERT_TRUE(found);
  EXPECT_EQ(*found, "/bin/sh");
  EXPECT_EQ(*FindExecutable("./x", ""), "./x");
  EXPECT_FALSE(FindExecutable("sh", "/nonexistent"));
}

}  // namespace
}  // namespace vigil::process
