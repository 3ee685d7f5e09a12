// SPDX-License-Identifier: MIT
// End-to-end: restarts, back-off, FATAL and its retry, stop of stubborn process groups,
// dependency order.
#include <signal.h>
#include <sys/wait.h>

#include <sstream>

#include <fmt/format.h>

#include "harness.h"

namespace vigil::testing {
namespace {

class SupervisionTest : public VigilTest {};

TEST_F(SupervisionTest, KilledChildIsRestartedAtOnce) {
  WriteConfig(fmt::format(R"([program.worker]
command = ["{}", "idle"]
start_seconds = "200ms"
)", Child()));
  StartDaemon();
  ASSERT_TRUE(WaitForState("worker", "RUNNING"));
  int old_pid = Program("worker")["pid"];
  ASSERT_GT(old_pid, 0);
  ::kill(old_pid, SIGKILL);
  ASSERT_TRUE(WaitFor([&] {
    auto p = Program("worker");
    return p.value("pid", 0) != old_pid && p.value("pid", 0) > 0;
  }));
  auto p = Program("worker");
  EXPECT_EQ(p["restarts"], 1);
  EXPECT_EQ(p["last_exit"], "killed by SIGKILL");
  EXPECT_TRUE(WaitForState("worker", "RUNNING"));
}

TEST_F(SupervisionTest, CrashLoopBacksOffThenFatalThenRetriesAfterCooldown) {
  WriteConfig(fmt::format(R"([program.crasher]
command = ["{}", "exit", "3"]
start_seconds = "1h"  # an exit always counts as a failed start, however slow the machine
start_retries = 2
backoff = {{ initial = "50ms", max = "100ms" }}
fatal_retry_after = "1s"
)", Child()));
  StartDaemon();
  // The state and the reason from one answer: on a slow machine a second question could
  // come after fatal_retry_after, in the retry.
  nlohmann::json p;
  ASSERT_TRUE(WaitFor([&] {
    p = Program("crasher");
    return p.value("state", "") == "FATAL";
  }));
  EXPECT_EQ(p["last_exit"], "exit 3");
  EXPECT_NE(p["reason"].get<std::string>().find("gave up after 3 attempts"), std::string::npos) << p.dump();
  int restarts = p["restarts"];
  // Giving up is not permanent: after fatal_retry_after it is tried again.
  ASSERT_TRUE(WaitFor([&] { return Program("crasher").value("restarts", 0) > restarts; }));
  ASSERT_TRUE(WaitForState("crasher", "FATAL"));
  std::string log = ReadFile(log_dir_ / "vigild.log");
  EXPECT_NE(log.find("crasher: STARTING -> BACKOFF"), std::string::npos) << log;
  EXPECT_NE(log.find("retrying after FATAL"), std::string::npos) << log;
}

TEST_F(SupervisionTest, StartOfBrokenProgramReportsTheReason) {
  WriteConfig(fmt::format(R"([program.broken]
command = ["{}", "exit", "1"]
start_seconds = "1h"
autostart = false
start_retries = 0

[program.missing]
command = "/nonexistent/program --flag"
autostart = false
)", Child()));
  StartDaemon();
  auto r = Vigil({"start", "broken"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("broken"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("exit 1"), std::string::npos) << r.err;
  r = Vigil({"start", "missing"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("cannot execute /nonexistent/program: No such file or directory"), std::string::npos)
      << r.err;
  EXPECT_TRUE(ProcessAlive(daemon_pid_));
}

TEST_F(SupervisionTest, StopKillsStubbornProcessGroupAfterTimeout) {
  auto pidfile = dir_ / "pids";
  WriteConfig(fmt::format(R"([program.stubborn]
command = ["{}", "ignore-term", "{}"]
stop_timeout = "300ms"
start_seconds = "100ms"
)", Child(), pidfile.string()));
  StartDaemon();
  ASSERT_TRUE(WaitForState("stubborn", "RUNNING"));
  ASSERT_TRUE(WaitFor([&] { return std::filesystem::exists(pidfile); }));
  int child = 0, grandchild = 0;
  std::istringstream(ReadFile(pidfile)) >> child >> grandchild;
  ASSERT_GT(grandchild, 0);
  ASSERT_TRUE(ProcessAlive(child));
  ASSERT_TRUE(ProcessAlive(grandchild));
  auto r = Vigil({"stop", "stubborn"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(State("stubborn"), "STOPPED");
  EXPECT_TRUE(WaitFor([&] { return !ProcessAlive(child) && !ProcessAlive(grandchild); }));
  std::string log = ReadFile(log_dir_ / "vigild.log");
  EXPECT_NE(log.find("sent SIGKILL"), std::string::npos) << log;
}

// A program frozen by SIGSTOP still stops on its stop signal (SIGCONT follows it), long
// before stop_timeout would have it killed.
TEST_F(SupervisionTest, AStoppedProcessIsContinuedToActOnTheStopSignal) {
  WriteConfig(fmt::format(R"([program.frozen]
command = ["{}", "idle"]
stop_timeout = "5m"
start_seconds = "100ms"
)", Child()));
  StartDaemon();
  ASSERT_TRUE(WaitForState("frozen", "RUNNING"));
  const pid_t pid = Program("frozen")["pid"].get<pid_t>();
  ASSERT_EQ(::kill(pid, SIGSTOP), 0);
  auto r = Vigil({"stop", "frozen", "--no-wait"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  ASSERT_TRUE(WaitForState("frozen", "STOPPED"));
  EXPECT_FALSE(ProcessAlive(pid));
  const std::string log = ReadFile(log_dir_ / "vigild.log");
  EXPECT_EQ(log.find("sent SIGKILL"), std::string::npos) << log;
}

TEST_F(SupervisionTest, DependenciesStartInOrderAndStopInReverse) {
  auto order = dir_ / "order";
  WriteConfig(fmt::format(R"([program.app]
command = ["{0}", "idle", "{1}", "app"]
depends_on = ["cache"]
start_seconds = "100ms"

[program.cache]
command = ["{0}", "idle", "{1}", "cache"]
depends_on = ["db"]
start_seconds = "100ms"

[program.db]
command = ["{0}", "idle", "{1}", "db"]
start_seconds = "100ms"
)", Child(), order.string()));
  StartDaemon();
  ASSERT_TRUE(WaitForState("app", "RUNNING"));
  EXPECT_EQ(ReadFile(order), "start db\nstart cache\nstart app\n");
  EXPECT_EQ(StopDaemon() >> 8, 0);
  EXPECT_EQ(ReadFile(order), "start db\nstart cache\nstart app\nstop app\nstop cache\nstop db\n");
}

TEST_F(SupervisionTest, StopWinsOverPendingRestart) {
  // Regression guard for the PM2 race: a stop during back-off must not let the program return.
  WriteConfig(fmt::format(R"([program.flaky]
command = ["{0}", "exit", "1"]
start_seconds = "1h"
backoff = {{ initial = "300ms", max = "300ms" }}

[program.witness]
command = ["{0}", "idle"]
autostart = false
start_seconds = "600ms"
)", Child()));
  StartDaemon();
  ASSERT_TRUE(WaitForState("flaky", "BACKOFF"));
  auto r = Vigil({"stop", "flaky"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  int restarts = Program("flaky")["restarts"];
  // vigild's own timers tell when the back-off would have fired: the witness becomes
  // RUNNING 600 ms after this start, past flaky's 300 ms back-off.
  ASSERT_EQ(Vigil({"start", "witness"}).exit_code, 0);
  EXPECT_EQ(State("flaky"), "STOPPED");
  EXPECT_EQ(Program("flaky")["restarts"], restarts);
}

TEST_F(SupervisionTest, InstancesGetTheirOwnNamesAndSubstitution) {
  WriteConfig(fmt::format(R"([program.pool]
command = ["{}", "print", "I am {{instance}}"]
instances = 2
start_seconds = "100ms"
)", Child()));
  StartDaemon();
  ASSERT_TRUE(WaitForState("pool:0", "RUNNING"));
  ASSERT_TRUE(WaitForState("pool:1", "RUNNING"));
  EXPECT_TRUE(WaitFor([&] { return ReadFile(log_dir_ / "pool:1.out.log") == "I am 1\n"; }));
  auto r = Vigil({"restart", "pool"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

TEST_F(SupervisionTest, ShutdownStopsEverythingAndExitsZero) {
  WriteConfig(fmt::format(R"([program.a]
command = ["{0}", "idle"]
[program.b]
command = ["{0}", "idle"]
)", Child()));
  StartDaemon();
  ASSERT_TRUE(WaitForState("b", "RUNNING"));
  int a = Program("a")["pid"], b = Program("b")["pid"];
  auto r = Vigil({"shutdown"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  int status = -1;
  ASSERT_TRUE(WaitFor([&] { return ::waitpid(daemon_pid_, &status, WNOHANG) == daemon_pid_; }));
  daemon_pid_ = 0;
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  EXPECT_FALSE(ProcessAlive(a));
  EXPECT_FALSE(ProcessAlive(b));
}

}  // namespace
}  // namespace vigil::testing

namespace vigil::testing {
namespace {

TEST_F(SupervisionTest, SignalReachesTheProgram) {
  auto order = dir_ / "events";
  WriteConfig(fmt::format(R"([program.sig]
command = ["{}", "idle", "{}", "sig"]
start_seconds = "100ms"
)", Child(), order.string()));
  StartDaemon();
  ASSERT_TRUE(WaitForState("sig", "RUNNING"));
  int pid = Program("sig")["pid"];
  auto r = Vigil({"signal", "TERM", "sig"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(WaitFor([&] { return ReadFile(order).find("stop sig") != std::string::npos; }));
  // It exited 0 on TERM; on-failure does not restart an expected exit.
  EXPECT_TRUE(WaitForState("sig", "EXITED"));
  EXPECT_FALSE(ProcessAlive(pid));
  r = Vigil({"signal", "HUP", "sig"});
  EXPECT_EQ(r.exit_code, 1);
}

TEST_F(SupervisionTest, SecondDaemonOnTheSameSocketRefusesToStart) {
  WriteConfig(fmt::format("[program.a]\ncommand = [\"{}\", \"idle\"]\n", Child()));
  StartDaemon();
  auto second = RunDaemonToExit();
  EXPECT_EQ(second.exit_code, 1);
  EXPECT_NE(second.err.find("another vigild is already listening"), std::string::npos) << second.err;
  EXPECT_TRUE(ProcessAlive(daemon_pid_));
}

}  // namespace
}  // namespace vigil::testing

namespace vigil::testing {
namespace {

TEST_F(SupervisionTest, UserDirectoryEnvironmentAndUmaskApply) {
  if (::geteuid() != 0) GTEST_SKIP() << "switching users needs root";
  WriteConfig(R"([program.who]
command = ["sh", "-c", "echo $(id -un) $(pwd) $GREETING $(umask) $VIGIL_PROGRAM; exec sleep 1000"]
user = "nobody"
directory = "/tmp"
umask = "027"
environment = { GREETING = "hello world" }
)");
  StartDaemon();
  EXPECT_TRUE(WaitFor([&] { return !ReadFile(log_dir_ / "who.out.log").empty(); }));
  EXPECT_EQ(ReadFile(log_dir_ / "who.out.log"), "nobody /tmp hello world 0027 who\n");
}

}  // namespace
}  // namespace vigil::testing
