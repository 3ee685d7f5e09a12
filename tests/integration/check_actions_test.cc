// SPDX-License-Identifier: MIT
// Checks that act, against the real vigild: an HTTP endpoint that starts failing gets its
// program restarted, a program past its memory level is restarted, a real Nagios plugin
// from Debian's monitoring-plugins is a command check, and a process check kills only the
// processes it matched. Each waits on a condition with a deadline.
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "harness.h"

namespace vigil::testing {
namespace {

using nlohmann::json;

class CheckActionsTest : public VigilTest {
 protected:
  json Check(const std::string& name) {
    CommandResult r = Vigil({"health", "--json"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    const json all = json::parse(r.out, nullptr, false);
    if (!all.is_object() || !all.contains("checks")) return json::object();
    for (const json& c : all["checks"]) {
      if (c["name"] == name) return c;
    }
    return json::object();
  }
  std::string StateOf(const std::string& name) {
    json c = Check(name);
    return c.contains("state") ? c["state"].get<std::string>() : "";
  }
  std::string Events(const std::string& type) { return Vigil({"events", "--type", type}).out; }
  pid_t Pid(const std::string& program) { return Program(program)["pid"].get<pid_t>(); }
};

TEST_F(CheckActionsTest, AnHttpEndpointThatFailsGetsItsProgramRestarted) {
  const int port = FreeTcpPort();
  const std::string fail = (dir_ / "fail").string();
  WriteConfig("[program.web]\ncommand = [\"" + Child() + "\", \"http\", \"" + std::to_string(port) + "\", \"" + fail +
              "\"]\nstart_seconds = \"0s\"\n\n[check.web-http]\nhttp = \"http://127.0.0.1:" + std::to_string(port) +
              "/health\"\nprogram = \"web\"\nevery = \"1s\"\ntimeout = \"1s\"\nfor = \"2 of 2\"\non_crit = \"restart\"\n");
  StartDaemon();
  ASSERT_TRUE(WaitFor([&] { return StateOf("web-http") == "OK"; })) << Check("web-http").dump();
  EXPECT_NE(Check("web-http")["message"].get<std::string>().find("HTTP 200 in"), std::string::npos);
  const pid_t before = Pid("web");
  std::ofstream(fail) << "x";
  ASSERT_TRUE(WaitFor([&] { return Pid("web") != before && Pid("web") != 0; }, std::chrono::seconds(20)));
  // The new process deleted the fail file, so the check recovers.
  ASSERT_TRUE(WaitFor([&] { return StateOf("web-http") == "OK"; }, std::chrono::seconds(20)))
      << Check("web-http").dump();
  const std::string checks = Events("check");
  EXPECT_NE(checks.find("OK -> CRIT: HTTP 500 (expected 2xx or 3xx)"), std::string::npos) << checks;
  const std::string actions = Events("action");
  EXPECT_NE(actions.find("restart on CRIT: HTTP 500"), std::string::npos) << actions;
  EXPECT_NE(actions.find("restart: web pid " + std::to_string(before) + " -> "), std::string::npos) << actions;
  // The journal tells the story in order: the raise, the action, the recovery.
  CommandResult findings = Vigil({"findings"});
  EXPECT_EQ(findings.exit_code, 0) << findings.err;
  const size_t raise = findings.out.find("CRIT  check web-http");
  const size_t action = findings.out.find("INFO  action web-http");
  const size_t recovery = findings.out.find("Back to OK: HTTP 200");
  EXPECT_NE(raise, std::string::npos) << findings.out;
  EXPECT_NE(findings.out.find("Is web answering? vigil logs web."), std::string::npos) << findings.out;
  EXPECT_LT(raise, action) << findings.out;
  EXPECT_LT(action, recovery) << findings.out;
  EXPECT_NE(ReadFile(log_dir_ / "findings.log").find("CRIT  check web-http"), std::string::npos);
  CommandResult crit = Vigil({"findings", "--severity", "crit", "--json"});
  EXPECT_EQ(crit.out.find("\"info\""), std::string::npos) << crit.out;
}

TEST_F(CheckActionsTest, AProgramPastItsMemoryLevelIsRestarted) {
  WriteConfig("[program.hog]\ncommand = [\"" + Child() +
              "\", \"hog\", \"67108864\"]\nstart_seconds = \"0s\"\n\n[check.hog-memory]\nmetric = \"memory\"\n"
              "program = \"hog\"\ncrit = \"32MB\"\nevery = \"1s\"\non_crit = \"restart\"\nlimit = \"1 in 1h\"\n");
  StartDaemon();
  ASSERT_TRUE(WaitFor([&] { return Events("action").find("restart: hog pid") != std::string::npos; },
                      std::chrono::seconds(20)))
      << Events("action") << Check("hog-memory").dump();
  EXPECT_NE(Events("check").find("-> CRIT: hog memory at"), std::string::npos) << Events("check");
  // Still too big after the restart: the limit of one action in an hour makes vigil give up, once.
  ASSERT_TRUE(WaitFor([&] { return Check("hog-memory")["gave_up"] == true; }, std::chrono::seconds(20)))
      << Check("hog-memory").dump();
  EXPECT_NE(Events("action").find("giving up: 1 actions within 1h did not help"), std::string::npos);
}

// A file that goes missing runs the task that recreates it: the run is recorded with
// trigger "check", and the action's finding follows the raise it answers.
TEST_F(CheckActionsTest, ARunActionStartsTheTaskAsTheChecks) {
  const std::string flag = (dir_ / "flag").string();
  WriteConfig("[task.recreate]\nschedule = \"daily 03:00\"\ncommand = [\"touch\", \"" + flag +
              "\"]\n\n[check.flag]\nfile = \"" + flag + "\"\nevery = \"1s\"\non_crit = [\"top\", \"run recreate\"]\n");
  StartDaemon();
  ASSERT_TRUE(WaitFor([&] { return Events("action").find("run recreate: run 1 ended: exit 0") != std::string::npos; },
                      std::chrono::seconds(20)))
      << Events("action") << Check("flag").dump();
  CommandResult history = Vigil({"history", "recreate", "--json"});
  ASSERT_EQ(history.exit_code, 0) << history.err;
  const json runs = json::parse(history.out, nullptr, false).value("runs", json::array());
  ASSERT_EQ(runs.size(), 1u) << history.out;
  EXPECT_EQ(runs[0]["trigger"], "check") << history.out;
  ASSERT_TRUE(WaitFor([&] { return Vigil({"findings", "--json"}).out.find("run recreate") != std::string::npos; },
                      std::chrono::seconds(10)));
  const json findings =
      json::parse(Vigil({"findings", "--json"}).out, nullptr, false).value("findings", json::array());
  ASSERT_GE(findings.size(), 2u) << findings.dump();
  // Newest first: the raise, then what the action did.
  std::vector<std::string> order;
  for (auto it = findings.rbegin(); it != findings.rend(); ++it) order.push_back((*it)["category"]);
  EXPECT_EQ(order[0], "check") << findings.dump();
  EXPECT_EQ(order[1], "action") << findings.dump();
}

TEST_F(CheckActionsTest, AProgramPastItsMaxRuntimeIsRestarted) {
  WriteConfig("[program.job]\ncommand = [\"" + Child() + "\", \"idle\"]\nstart_seconds = \"0s\"\nmax_runtime = \"2s\"\n");
  StartDaemon();
  ASSERT_TRUE(WaitForState("job", "RUNNING"));
  const pid_t first = Pid("job");
  ASSERT_TRUE(WaitFor([&] { return Pid("job") != first && Pid("job") != 0; }, std::chrono::seconds(20)))
      << Events("action");
  // The action's result is written once the new process runs, which may be a moment after
  // its pid shows in the status.
  ASSERT_TRUE(WaitFor([&] {
    return Events("action").find("restart: job pid " + std::to_string(first) + " -> ") != std::string::npos;
  })) << Events("action");
  // At least 2s (the limit), more on a loaded machine.
  EXPECT_NE(Events("check").find("-> CRIT: job has run "), std::string::npos) << Events("check");
}

TEST_F(CheckActionsTest, ARealNagiosPluginIsACommandCheck) {
  const std::string plugins = "/usr/lib/nagios/plugins";
  if (!std::filesystem::exists(plugins + "/check_dummy")) GTEST_SKIP() << "monitoring-plugins-basic not installed";
  WriteConfig("[check.dummy-ok]\ncommand = [\"" + plugins + "/check_dummy\", \"0\", \"all fine\"]\nevery = \"1s\"\n\n"
              "[check.dummy-crit]\ncommand = \"" + plugins + "/check_dummy 2 'disk on fire'\"\nevery = \"1s\"\n\n"
              "[check.age]\ncommand = [\"" + plugins + "/check_file_age\", \"-w\", \"3600\", \"-c\", \"7200\", \"-f\", \"" +
              config_.string() + "\"]\nevery = \"1s\"\n");
  StartDaemon();
  ASSERT_TRUE(WaitFor([&] { return StateOf("dummy-ok") == "OK"; })) << Check("dummy-ok").dump();
  ASSERT_TRUE(WaitFor([&] { return StateOf("dummy-crit") == "CRIT"; })) << Check("dummy-crit").dump();
  ASSERT_TRUE(WaitFor([&] { return StateOf("age") == "OK"; })) << Check("age").dump();
  EXPECT_EQ(Check("dummy-ok")["message"], "OK: all fine");
  EXPECT_EQ(Check("dummy-crit")["message"], "CRITICAL: disk on fire");
  EXPECT_EQ(Check("dummy-crit")["kind"], "command");
  // The perfdata after '|' is not part of the message.
  EXPECT_EQ(Check("age")["message"].get<std::string>().find('|'), std::string::npos) << Check("age").dump();
}

TEST_F(CheckActionsTest, AProcessCheckKillsOnlyWhatItMatched) {
  auto spawn = [](const char* seconds) {
    pid_t pid = ::fork();
    if (pid == 0) {
      ::execl("/bin/sleep", "sleep", seconds, nullptr);
      ::_exit(127);
    }
    return pid;
  };
  const pid_t target = spawn("31313");
  const pid_t bystander = spawn("31314");
  WriteConfig("[check.stuck-sleep]\nprocess = { command = \"^sleep 31313$\" }\nmax_runtime = \"1s\"\nevery = \"1s\"\n"
              "on_crit = [\"top\", \"kill\"]\n");
  StartDaemon();
  int status = 0;
  ASSERT_TRUE(WaitFor([&] { return ::waitpid(target, &status, WNOHANG) == target; }, std::chrono::seconds(20)))
      << Events("action") << Check("stuck-sleep").dump();
  EXPECT_TRUE(WIFSIGNALED(status));
  EXPECT_EQ(WTERMSIG(status), SIGTERM);
  EXPECT_EQ(::waitpid(bystander, &status, WNOHANG), 0) << "the other sleep is untouched";
  ::kill(bystander, SIGKILL);
  ::waitpid(bystander, &status, 0);
  const std::string actions = Events("action");
  EXPECT_NE(actions.find("kill: SIGTERM to sleep[" + std::to_string(target) + "] (running"), std::string::npos)
      << actions;
  ASSERT_TRUE(WaitFor([&] { return Events("action").find("top by CPU: ") != std::string::npos; })) << actions;
  // The raise finding lists the top processes (by memory at least: on an idle machine none
  // may be busy within the second). The process is killed at once, so the check may recover
  // before the CPU has been measured: then the raise is recorded first, without CPU
  // shares, the recovery ends it, and the `top` action lists on its own, as an action
  // finding. Either way the CPU listing is recorded exactly once.
  std::string out;
  json findings;
  ASSERT_TRUE(WaitFor([&] {
    out = Vigil({"findings", "--json"}).out;
    findings = json::parse(out, nullptr, false)["findings"];
    int cpu_lists = 0;
    for (const json& f : findings) {
      const std::string text = f["text"];
      cpu_lists += text.find("Top by CPU: ") != std::string::npos || text.rfind("top by CPU: ", 0) == 0;
    }
    return out.find("Back to OK") != std::string::npos && cpu_lists == 1;
  })) << out;
  int64_t raise_id = 0, ended = -1;
  for (const json& f : findings) {
    const std::string text = f["text"];
    if (f["category"] == "check" && f["severity"] == "crit") {
      EXPECT_EQ(raise_id, 0) << "one raise: " << out;
      raise_id = f["id"];
      EXPECT_NE(text.find("by memory: "), std::string::npos) << out;
    }
    if (text.rfind("Back to OK", 0) == 0) ended = f["raise_id"];
  }
  EXPECT_EQ(ended, raise_id) << out;
  ASSERT_TRUE(WaitFor([&] { return StateOf("stuck-sleep") == "OK"; })) << Check("stuck-sleep").dump();
}

}  // namespace
}  // namespace vigil::testing

namespace vigil::testing {
namespace {

// A program whose every process lives past start_seconds and then crashes is restarted
// forever (as supervisord and PM2 do), but not in silence: a crash-loop finding.
TEST_F(VigilTest, ACrashLoopIsAFinding) {
  WriteConfig("[program.flaky]\ncommand = [\"" + Child() + "\", \"exit\", \"3\"]\nstart_seconds = \"0s\"\n");
  StartDaemon();
  ASSERT_TRUE(WaitFor([&] { return Vigil({"findings"}).out.find("flaky is crash-looping") != std::string::npos; },
                      std::chrono::seconds(20)))
      << Vigil({"findings"}).out << Vigil({"events", "--program", "flaky"}).out;
  const std::string findings = Vigil({"findings"}).out;
  EXPECT_NE(findings.find("WARN  program flaky"), std::string::npos) << findings;
  EXPECT_NE(findings.find("(exit 3)"), std::string::npos) << findings;
}

}  // namespace
}  // namespace vigil::testing
