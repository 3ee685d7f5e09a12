// SPDX-License-Identifier: MIT
// End-to-end regression tests for the defects of issue 8 ("core hardening") that a user
// meets through the real vigild and vigil: each failed on the code before its fix.
#include <fcntl.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "harness.h"

namespace vigil::testing {
namespace {

class HardeningTest : public VigilTest {
 protected:
  // Starts `vigil ARGS...` in the background with its stdout and stderr in files.
  pid_t StartVigil(const std::vector<std::string>& args, const std::filesystem::path& out) {
    pid_t pid = ::fork();
    if (pid == 0) {
      int fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      int err = ::open((out.string() + ".err").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      ::dup2(fd, 1);
      ::dup2(err, 2);
      std::vector<std::string> full = {VigilBin(), "--socket", socket_.string()};
      full.insert(full.end(), args.begin(), args.end());
      std::vector<char*> argv;
      for (auto& a : full) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    return pid;
  }
  // True once `pid` exited; its exit code in *code.
  static bool Exited(pid_t pid, int* code) {
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) != pid) return false;
    *code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return true;
  }
  static void Reap(pid_t pid) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
  }
};

// Regression test for issue 8, item 2: `vigil start web` with web -> app -> db and db
// FATAL waited forever (only direct dependencies were looked at).
TEST_F(HardeningTest, StartEndsWhenATransitiveDependencyIsFatal) {
  WriteConfig(fmt::format(R"([program.db]
command = ["{0}", "exit", "1"]
autostart = false
start_seconds = "1h"  # its exit is a failed start, however slow the machine
start_retries = 0

[program.app]
command = ["{0}", "idle"]
autostart = false
depends_on = ["db"]

[program.web]
command = ["{0}", "idle"]
autostart = false
depends_on = ["app"]
)", Child()));
  StartDaemon();
  auto out = dir_ / "start.out";
  pid_t start = StartVigil({"start", "web"}, out);
  int code = -1;
  bool ended = WaitFor([&] { return Exited(start, &code); }, std::chrono::seconds(20));
  if (!ended) Reap(start);
  ASSERT_TRUE(ended) << "vigil start web still waiting";
  EXPECT_EQ(code, 1);
  std::string err = ReadFile(out.string() + ".err");
  EXPECT_NE(err.find("web: cannot start: it needs app, which needs db, which is FATAL"), std::string::npos) << err;
}

// Regression test for issue 8, item 2: every wait ends, at the latest after --timeout.
TEST_F(HardeningTest, StartGivesUpAfterItsTimeout) {
  WriteConfig(fmt::format(R"([program.slow]
command = ["{}", "idle"]
autostart = false
start_seconds = "1h"
)", Child()));
  StartDaemon();
  auto r = Vigil({"start", "slow", "--timeout", "1s"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("timed out after 1s waiting for it to come up: slow (STARTING)"), std::string::npos) << r.err;
}

// Regression test for issue 8, item 3: `vigil logs -f` of a program that a reload removed
// never ended.
TEST_F(HardeningTest, FollowEndsWhenItsProgramIsRemovedAndStaysWhenItIsChanged) {
  const std::string config = fmt::format(R"([program.talker]
command = ["{0}", "print", "hello"]

[program.other]
command = ["{0}", "print", "one"]
)", Child());
  WriteConfig(config);
  StartDaemon();
  ASSERT_TRUE(WaitFor([&] { return ReadFile(log_dir_ / "talker.out.log") == "hello\n"; }));
  ASSERT_TRUE(WaitFor([&] { return ReadFile(log_dir_ / "other.out.log") == "one\n"; }));
  auto talker_out = dir_ / "talker.follow";
  auto other_out = dir_ / "other.follow";
  pid_t talker_follow = StartVigil({"logs", "talker", "-f", "-n", "1"}, talker_out);
  pid_t other_follow = StartVigil({"logs", "other", "-f", "-n", "1"}, other_out);
  ASSERT_TRUE(WaitFor([&] { return ReadFile(talker_out) == "hello\n" && ReadFile(other_out) == "one\n"; }));

  // talker goes; other changes (its log is the same stream).
  WriteConfig(fmt::format(R"([program.other]
command = ["{0}", "print", "two"]
)", Child()));
  ASSERT_EQ(Vigil({"reload"}).exit_code, 0);
  int code = -1;
  bool ended = WaitFor([&] { return Exited(talker_follow, &code); }, std::chrono::seconds(10));
  if (!ended) Reap(talker_follow);
  EXPECT_TRUE(ended) << "vigil logs -f of a removed program still running";
  EXPECT_EQ(code, 0);
  EXPECT_EQ(ReadFile(talker_out), "hello\n[vigil] talker was removed from the config; its log ends here\n");
  EXPECT_TRUE(WaitFor([&] { return ReadFile(other_out) == "one\ntwo\n"; })) << ReadFile(other_out);
  EXPECT_FALSE(Exited(other_follow, &code));
  Reap(other_follow);
}

// Regression test for issue 8, item 4: `vigil signal SIG all` stopped at the first program
// without a process; the ones after it never got the signal.
TEST_F(HardeningTest, SignalAllReachesEveryRunningProgramAndReportsEach) {
  const auto marks = dir_ / "marks";
  WriteConfig(fmt::format(R"([program.asleep]
command = ["{0}", "idle"]
autostart = false

[program.b]
command = ["{0}", "idle", "{1}", "b"]

[program.c]
command = ["{0}", "idle", "{1}", "c"]
)", Child(), marks.string()));
  StartDaemon();
  ASSERT_TRUE(WaitForState("b", "RUNNING"));
  ASSERT_TRUE(WaitForState("c", "RUNNING"));
  auto r = Vigil({"signal", "TERM", "all"});
  EXPECT_TRUE(WaitFor([&] {
    std::string m = ReadFile(marks);
    return m.find("stop b") != std::string::npos && m.find("stop c") != std::string::npos;
  })) << ReadFile(marks);
  EXPECT_EQ(r.exit_code, 1);  // one of them had nothing to signal
  EXPECT_NE(r.out.find("b: sent TERM"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("c: sent TERM"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("asleep has no running process (STOPPED)"), std::string::npos) << r.err;
}

// Regression test for issue 8, item 5: a scheduled `restart` brought back a program the
// user had stopped, and its remembered want then disagreed with the live one.
TEST_F(HardeningTest, RestartTaskLeavesAStoppedProgramStopped) {
  WriteConfig(fmt::format(R"([program.web]
command = ["{}", "idle"]
start_seconds = "100ms"

[task.restart-web]
schedule = "@yearly"
action = "restart"
programs = ["web"]
)", Child()));
  StartDaemon();
  ASSERT_TRUE(WaitForState("web", "RUNNING"));
  ASSERT_EQ(Vigil({"stop", "web"}).exit_code, 0);
  auto r = Vigil({"run", "restart-web", "--wait"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("web: not restarted (stopped by request)"), std::string::npos) << r.out;
  auto web = Program("web");
  EXPECT_EQ(web["state"], "STOPPED");
  EXPECT_EQ(web["want"], "down");
  // And what is stored agrees: after a vigild restart it is still stopped.
  StopDaemon();
  StartDaemon();
  EXPECT_EQ(Program("web")["want"], "down");
  EXPECT_EQ(State("web"), "STOPPED");
}

// Regression test for issue 8, item 6: a file in the runs directory named with 19 or more
// digits made std::stoll throw on the loop thread, and vigild exited.
TEST_F(HardeningTest, OddFilesInTheRunsDirectoryDoNotCrashVigild) {
  WriteConfig(R"([task.hello]
schedule = "@yearly"
command = ["echo", "hello"]
)");
  std::filesystem::create_directories(dir_ / "state" / "runs" / "hello");
  std::ofstream(dir_ / "state" / "runs" / "hello" / "99999999999999999999.log") << "not ours";
  std::ofstream(dir_ / "state" / "runs" / "hello" / "notes.log") << "not ours";
  std::ofstream(dir_ / "state" / "runs" / "hello" / "9223372036854775807.log") << "not ours";
  StartDaemon();
  auto r = Vigil({"run", "hello", "--wait"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("hello"), std::string::npos) << r.out;
  EXPECT_TRUE(ProcessAlive(daemon_pid_));
  EXPECT_EQ(ReadFile(dir_ / "state" / "runs" / "hello" / "99999999999999999999.log"), "not ours");
  // Ids stay small: the next run is not numbered past the largest id a file could name.
  EXPECT_EQ(ReadFile(dir_ / "state" / "runs" / "hello" / "1.log"), "hello\n");
}

// Regression test for issue 8, item 15: without a history database run ids restarted at 1
// and a new run wrote over runs/TASK/1.log, an earlier run's output.
TEST_F(HardeningTest, RunOutputIsNeverOverwrittenWithoutAHistory) {
  WriteConfig(R"([task.hello]
schedule = "@yearly"
command = ["echo", "new output"]
)");
  // A directory where the database file should be: the history cannot be opened.
  std::filesystem::create_directories(dir_ / "state" / "vigil.db");
  std::filesystem::create_directories(dir_ / "state" / "runs" / "hello");
  std::ofstream(dir_ / "state" / "runs" / "hello" / "1.log") << "old output\n";
  StartDaemon();
  auto r = Vigil({"run", "hello", "--wait"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(ReadFile(dir_ / "state" / "runs" / "hello" / "1.log"), "old output\n");
  EXPECT_NE(r.out.find("new output"), std::string::npos) << r.out;
  EXPECT_EQ(ReadFile(dir_ / "state" / "runs" / "hello" / "2.log"), "new output\n");
}

// Regression test for issue 8, item 16: with STATE_DIR/runs a regular file, run output was
// silently not kept and `vigil run --wait` said "unknown run: 1" yet exited 0.
TEST_F(HardeningTest, RunOutputThatCannotBeKeptIsAProblemAndAFailure) {
  WriteConfig(R"([task.hello]
schedule = "@yearly"
command = ["echo", "hello"]
)");
  std::filesystem::create_directories(dir_ / "state");
  std::ofstream(dir_ / "state" / "runs") << "a file, not a directory";
  StartDaemon();
  auto r = Vigil({"run", "hello", "--wait"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("not kept"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("Not a directory"), std::string::npos) << r.err;
  auto v = Vigil({"version"});
  EXPECT_NE(v.out.find("problem: task run output is not being kept"), std::string::npos) << v.out;
}

// Regression test for issue 8, item 17: an unknown command is named as such.
TEST_F(HardeningTest, UnknownCommandIsNamed) {
  auto r = RunCommand({VigilBin(), "frobnicate"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("unknown command \"frobnicate\""), std::string::npos) << r.err;
}

// Regression test for issue 8, item 17: a database that cannot be opened is named, with
// what is wrong, not only SQLite's "unable to open database file".
TEST_F(HardeningTest, UnopenableDatabaseIsNamedWithTheReason) {
  WriteConfig("");
  std::filesystem::create_directories(dir_ / "state" / "vigil.db");
  StartDaemon();
  auto v = Vigil({"version"});
  EXPECT_NE(v.out.find("problem: history is not being recorded: " + (dir_ / "state" / "vigil.db").string()),
            std::string::npos)
      << v.out;
  EXPECT_NE(v.out.find("is a directory"), std::string::npos) << v.out;
}

// Regression test for issue 8, item 1: on a full disk with timestamps on, the event log's
// own write (made from inside the failing program write) replaced program output with
// event-log text. A small tmpfs fills up for real here.
TEST_F(HardeningTest, FullDiskWithTimestampsKeepsEveryProgramLineIntact) {
  if (::geteuid() != 0) GTEST_SKIP() << "mounting a tmpfs needs root";
  std::filesystem::create_directories(log_dir_);
  ASSERT_EQ(::mount("tmpfs", log_dir_.c_str(), "tmpfs", 0, "size=1m"), 0) << std::strerror(errno);
  struct Unmount {
    std::filesystem::path dir;
    ~Unmount() { ::umount2(dir.c_str(), MNT_DETACH); }
  } unmount{log_dir_};
  // Fill the disk to the last byte: the program's first write fails whole.
  {
    int fd = ::open((log_dir_ / "filler").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ASSERT_GE(fd, 0);
    std::string block(4096, 'f');
    while (::write(fd, block.data(), block.size()) > 0) {
    }
    while (::write(fd, block.data(), 1) > 0) {
    }
    ::close(fd);
  }
  WriteConfig(fmt::format(R"([program.flood]
command = ["{}", "flood", "3000"]
stdout = {{ max_size = 0, timestamps = true }}
)", Child()));
  StartDaemon();
  ASSERT_TRUE(WaitFor([&] {
    return Program("flood").value("reason", "").find("No space left on device") != std::string::npos;
  })) << Program("flood").dump();
  std::filesystem::remove(log_dir_ / "filler");
  ::kill(daemon_pid_, SIGUSR1);  // reopen at once rather than at the next retry
  const std::string expected_tail = "000000002999 ";
  ASSERT_TRUE(WaitFor([&] { return ReadFile(log_dir_ / "flood.out.log").find(expected_tail) != std::string::npos; }))
      << Program("flood").dump();
  std::istringstream file(ReadFile(log_dir_ / "flood.out.log"));
  long next = 0;
  for (std::string line; std::getline(file, line);) {
    ASSERT_GT(line.size(), 25u) << line;
    ASSERT_EQ(line.substr(23, 2), "Z ") << line;
    std::string body = line.substr(25);
    if (body.rfind("[vigil] ", 0) == 0) continue;  // a drop marker would be honest, not corrupt
    ASSERT_EQ(body.size(), 99u) << line;
    ASSERT_EQ(body.substr(0, 12), fmt::format("{:012d}", next)) << line;
    ++next;
  }
  EXPECT_EQ(next, 3000);
}

}  // namespace
}  // namespace vigil::testing

namespace vigil::testing {
namespace {

class LeftoverTest : public VigilTest {};

// Regression test for issue 8, item 8: after the main process of a RUNNING program died,
// its leftovers got SIGKILL and the replacement was spawned at once, while they still
// existed. The replacement checks, as its first act, whether the leftover of its
// predecessor still exists (a process not yet reaped still does).
TEST_F(LeftoverTest, ReplacementStartsOnlyOnceTheOldGroupIsGone) {
  const auto pidfile = dir_ / "leftover.pid";
  const auto result = dir_ / "result";
  WriteConfig(fmt::format(R"([program.web]
command = ["sh", "-c", "if [ -f {0} ]; then if kill -0 $(cat {0}) 2>/dev/null; then echo alive >> {1}; else echo gone >> {1}; fi; fi; sleep 1000 & echo $! > {0}; exec {2} idle"]
start_seconds = "100ms"
)", pidfile.string(), result.string(), Child()));
  StartDaemon();
  ASSERT_TRUE(WaitForState("web", "RUNNING"));
  ASSERT_TRUE(WaitFor([&] { return !ReadFile(pidfile).empty(); }));
  const int first = Program("web")["pid"];
  ::kill(first, SIGKILL);
  ASSERT_TRUE(WaitFor([&] { return !ReadFile(result).empty(); })) << ReadFile(log_dir_ / "vigild.log");
  EXPECT_EQ(ReadFile(result), "gone\n");
  EXPECT_NE(ReadFile(log_dir_ / "vigild.log").find("the next start waits until they are gone"), std::string::npos);
}

}  // namespace
}  // namespace vigil::testing
