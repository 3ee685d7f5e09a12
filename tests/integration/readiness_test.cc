// SPDX-License-Identifier: MIT
// Readiness and heartbeats against the real vigild (docs/readiness.md): a shell program
// that says READY=1 with systemd's own systemd-notify and sends heartbeats with
// `vigil notify`, then stops them and is restarted with a finding; a dependent that waits
// for readiness; readiness by HTTP and by a log line; a program that never becomes ready.
// Each waits on a condition with a deadline.
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "harness.h"

namespace vigil::testing {
namespace {

using nlohmann::json;

class ReadinessE2eTest : public VigilTest {
 protected:
  // A shell script in the temp dir, run by /bin/sh.
  std::string Script(const std::string& name, const std::string& body) {
    const std::filesystem::path path = dir_ / name;
    std::ofstream(path) << "#!/bin/sh\n" << body;
    std::filesystem::permissions(path, std::filesystem::perms::owner_all);
    return path.string();
  }
  pid_t Pid(const std::string& program) { return Program(program)["pid"].get<pid_t>(); }
};

TEST_F(ReadinessE2eTest, ANotifyProgramIsReadyWhenItSaysSoAndRestartedWhenItsHeartbeatStops) {
  if (!std::filesystem::exists("/usr/bin/systemd-notify")) GTEST_SKIP() << "systemd-notify not installed";
  const std::string stop = (dir_ / "stop-heartbeats").string();
  const std::string beat = Script(
      "beat.sh", "systemd-notify --ready --status='serving'\n"
                 "rm -f '" + stop + "'\n"
                 "while [ ! -e '" + stop + "' ]; do '" + VigilBin() + "' notify --watchdog || exit 9; sleep 0.2; done\n"
                 "exec sleep 1000\n");
  WriteConfig("[program.beat]\ncommand = [\"" + beat + "\"]\nready = \"notify\"\nready_timeout = \"20s\"\n"
              "watchdog = \"3s\"\nstart_seconds = \"60s\"\n\n"
              "[program.app]\ncommand = [\"" + Child() + "\", \"idle\"]\nstart_seconds = \"0s\"\ndepends_on = [\"beat\"]\n");
  StartDaemon();
  // start_seconds is a minute: only READY=1 can make it RUNNING this soon.
  ASSERT_TRUE(WaitForState("beat", "RUNNING")) << Program("beat").dump();
  EXPECT_EQ(Program("beat")["status"], "serving");
  ASSERT_TRUE(WaitForState("app", "RUNNING")) << Program("app").dump();
  CommandResult status = Vigil({"status", "beat"});
  EXPECT_NE(status.out.find("\"serving\""), std::string::npos) << status.out;
  const std::string states = Vigil({"events", "--program", "beat", "--type", "state"}).out;
  EXPECT_NE(states.find("is ready: it said READY=1"), std::string::npos) << states;

  // Heartbeats (every 0.2 s) keep it up past its 3 s watchdog...
  const pid_t first = Pid("beat");
  CommandResult events = Vigil({"events", "--program", "beat"});
  EXPECT_EQ(events.out.find("watchdog"), std::string::npos) << events.out;
  // ...until they stop.
  std::ofstream(stop) << "";
  ASSERT_TRUE(WaitFor([&] { return Pid("beat") != first && Pid("beat") != 0; }, std::chrono::seconds(20)))
      << Vigil({"events", "--program", "beat"}).out;
  const std::string signals = Vigil({"events", "--program", "beat", "--type", "signal"}).out;
  EXPECT_NE(signals.find("watchdog: no WATCHDOG=1 for 3s; sent SIGTERM to process group " + std::to_string(first)),
            std::string::npos)
      << signals;
  const std::string findings = Vigil({"findings", "--severity", "crit"}).out;
  EXPECT_NE(findings.find("beat missed its heartbeat (no WATCHDOG=1 for 3s); restarting it."), std::string::npos)
      << findings;
  // The new process heartbeats again and stays.
  ASSERT_TRUE(WaitForState("beat", "RUNNING", std::chrono::seconds(20))) << Program("beat").dump();
  EXPECT_GE(Program("beat")["restarts"].get<int>(), 1);
}

TEST_F(ReadinessE2eTest, HttpAndLogReadiness) {
  const int port = FreeTcpPort();
  const std::string url = "http://127.0.0.1:" + std::to_string(port) + "/";
  WriteConfig("[program.web]\ncommand = [\"" + Child() + "\", \"http\", \"" + std::to_string(port) + "\", \"" +
              (dir_ / "never").string() + "\"]\nstart_seconds = \"60s\"\nready = { http = \"" + url + "\" }\n\n"
              "[program.printer]\ncommand = [\"" + Script("printer.sh", "echo booting\necho 'now listening on 7'\nexec sleep 1000\n") +
              "\"]\nstart_seconds = \"60s\"\nready = { log = \"listening on [0-9]+\" }\n");
  StartDaemon();
  ASSERT_TRUE(WaitForState("web", "RUNNING")) << Program("web").dump();
  ASSERT_TRUE(WaitForState("printer", "RUNNING")) << Program("printer").dump();
  const std::string states = Vigil({"events", "--type", "state"}).out;
  EXPECT_NE(states.find("is ready: its URL answers"), std::string::npos) << states;
  EXPECT_NE(states.find("is ready: it logged its ready line"), std::string::npos) << states;
}

TEST_F(ReadinessE2eTest, AProgramThatNeverSaysReadyFailsToStart) {
  WriteConfig("[program.mute]\ncommand = [\"" + Child() + "\", \"idle\"]\nready = \"notify\"\nready_timeout = \"1s\"\n"
              "start_retries = 0\n");
  StartDaemon();
  ASSERT_TRUE(WaitForState("mute", "FATAL")) << Program("mute").dump();
  EXPECT_NE(Program("mute")["reason"].get<std::string>().find("not ready: no READY=1 within 1s"), std::string::npos)
      << Program("mute").dump();
}

}  // namespace
}  // namespace vigil::testing
