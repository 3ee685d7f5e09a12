// SPDX-License-Identifier: MIT
// vigild --daemon end to end: the launcher exits 0 only once the daemon serves, a second
// vigild is refused with the first one's pid, a stale PID file is taken over, and a bad
// config or a busy socket is reported by the command the user typed. Also the status file
// (state_dir/status.json) after start, a crash and a stop.
#include <signal.h>

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "harness.h"

namespace vigil::testing {
namespace {

class DaemonModeTest : public VigilTest {
 protected:
  void TearDown() override {
    if (daemon_pid_ == 0 && background_pid_ > 0 && ProcessAlive(background_pid_)) {
      ::kill(background_pid_, SIGTERM);
      EXPECT_TRUE(WaitFor([&] { return !ProcessAlive(background_pid_); }, std::chrono::seconds(30)));
    }
    VigilTest::TearDown();
  }
  std::filesystem::path PidPath() const { return dir_ / "state" / "vigild.pid"; }
  CommandResult StartInBackground(std::vector<std::string> extra = {}) {
    std::vector<std::string> argv = {VigildBin(), "--daemon", "--config", config_.string()};
    argv.insert(argv.end(), extra.begin(), extra.end());
    CommandResult r = RunCommand(argv);
    if (r.exit_code == 0) background_pid_ = std::atoi(ReadFile(PidPath()).c_str());
    return r;
  }
  nlohmann::json StatusFile() {
    return nlohmann::json::parse(ReadFile(dir_ / "state" / "status.json"), nullptr, false);
  }
  pid_t background_pid_ = 0;
};

TEST_F(DaemonModeTest, LauncherExitsOnceTheDaemonServes) {
  WriteConfig("[program.idle]\ncommand = [\"" + Child() + "\", \"idle\"]\nstart_seconds = \"60s\"\n");
  CommandResult r = StartInBackground();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_GT(background_pid_, 0);
  EXPECT_NE(r.out.find("running (pid " + std::to_string(background_pid_) + ")"), std::string::npos) << r.out;
  EXPECT_TRUE(ProcessAlive(background_pid_));
  // Ready means serving: the API answers at once, and the autostart program was launched
  // (its 60 s start_seconds keep it STARTING, so nothing here waited for it).
  CommandResult status = Vigil({"status", "idle", "--json"});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  auto program = Program("idle");
  EXPECT_EQ(program.value("state", ""), "STARTING");
  EXPECT_GT(program.value("pid", 0), 0);
  // A daemon: its own session, its parent gone (adopted by init or a subreaper).
  const std::string stat = ReadFile("/proc/" + std::to_string(background_pid_) + "/stat");
  const auto fields_at = stat.rfind(')') + 2;
  std::istringstream fields(stat.substr(fields_at));
  std::string state;
  pid_t ppid = 0, pgrp = 0, session = 0;
  fields >> state >> ppid >> pgrp >> session;
  EXPECT_NE(session, ::getsid(0));
  EXPECT_NE(session, background_pid_);  // not a session leader: the second fork
  EXPECT_EQ(std::filesystem::read_symlink("/proc/" + std::to_string(background_pid_) + "/cwd"), "/");

  ::kill(background_pid_, SIGTERM);
  ASSERT_TRUE(WaitFor([&] { return !ProcessAlive(background_pid_); }, std::chrono::seconds(30)));
  EXPECT_FALSE(std::filesystem::exists(PidPath()));  // removed by its owner on exit
}

TEST_F(DaemonModeTest, SecondInstanceIsRefusedAndNamesTheFirst) {
  WriteConfig("");
  ASSERT_EQ(StartInBackground().exit_code, 0);
  CommandResult second = RunCommand({VigildBin(), "--daemon", "--config", config_.string()});
  EXPECT_EQ(second.exit_code, 1);
  EXPECT_NE(second.err.find("vigild is already running (pid " + std::to_string(background_pid_)), std::string::npos)
      << second.err;
  EXPECT_TRUE(ProcessAlive(background_pid_));
  EXPECT_EQ(std::atoi(ReadFile(PidPath()).c_str()), background_pid_);  // untouched
}

TEST_F(DaemonModeTest, StalePidFileIsTakenOverWithANotice) {
  WriteConfig("");
  std::filesystem::create_directories(dir_ / "state");
  { std::ofstream(PidPath()) << "999999\n"; }  // no process holds it
  CommandResult r = StartInBackground();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(background_pid_, 999999);
  EXPECT_TRUE(WaitFor([&] {
    return ReadFile(log_dir_ / "vigild.log").find("took over the PID file " + PidPath().string() + ": pid 999999") !=
           std::string::npos;
  }));
}

TEST_F(DaemonModeTest, BadConfigIsReportedByTheLauncher) {
  WriteConfig("[program.x]\ncommand = []\n");
  CommandResult r = RunCommand({VigildBin(), "--daemon", "--config", config_.string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(config_.string() + ":7: program.x.command"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(PidPath()));
}

TEST_F(DaemonModeTest, BusySocketIsReportedByTheLauncher) {
  WriteConfig("");
  StartDaemon();  // in the foreground, without a PID file: only the socket is taken
  CommandResult r = RunCommand({VigildBin(), "--daemon", "--config", config_.string()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("cannot start: another vigild is already listening on " + socket_.string()),
            std::string::npos)
      << r.err;
}

TEST_F(DaemonModeTest, ForegroundPidFile) {
  WriteConfig("");
  const auto pid_path = dir_ / "fg.pid";
  daemon_pid_ = SpawnWithOutput({VigildBin(), "--config", config_.string(), "--pidfile", pid_path.string()},
                                (dir_ / "vigild.stdout").string(), (dir_ / "vigild.stderr").string());
  ASSERT_TRUE(WaitFor([&] { return std::atoi(ReadFile(pid_path).c_str()) == daemon_pid_; }));
  ASSERT_TRUE(WaitFor([&] { return Vigil({"status"}).exit_code == 0; }));  // its signal handlers are in place
  EXPECT_EQ(StopDaemon(), 0);
  EXPECT_FALSE(std::filesystem::exists(pid_path));
}

TEST_F(DaemonModeTest, StatusFileFollowsStartCrashAndStop) {
  WriteConfig("[program.idle]\ncommand = [\"" + Child() + "\", \"idle\"]\nstart_seconds = \"100ms\"\n"
              "[task.nightly]\nschedule = \"daily 03:00\"\ncommand = [\"true\"]\n");
  ASSERT_EQ(StartInBackground().exit_code, 0);
  auto running = [&] {
    auto doc = StatusFile();
    return doc.is_object() && doc["programs"][0].value("state", "") == "RUNNING" ? doc : nlohmann::json();
  };
  ASSERT_TRUE(WaitFor([&] { return !running().is_null(); }));
  nlohmann::json doc = running();
  EXPECT_EQ(doc["format"], "vigil-status");
  EXPECT_EQ(doc["format_version"], 1);
  EXPECT_EQ(doc["vigild"]["pid"], background_pid_);
  EXPECT_EQ(doc["vigild"]["state"], "running");
  EXPECT_EQ(doc["vigild"]["config"], config_.string());
  EXPECT_EQ(doc["next_task"]["name"], "nightly");
  const pid_t first = doc["programs"][0]["pid"];
  ASSERT_GT(first, 0);

  ::kill(first, SIGKILL);
  ASSERT_TRUE(WaitFor([&] {
    auto d = StatusFile();
    return d.is_object() && d["programs"][0].value("restarts", 0) == 1 && d["programs"][0].value("pid", 0) != first &&
           d["programs"][0].value("state", "") == "RUNNING";
  }));
  EXPECT_EQ(StatusFile()["programs"][0]["last_exit"], "killed by SIGKILL");

  ASSERT_EQ(Vigil({"stop", "idle"}).exit_code, 0);
  ASSERT_TRUE(WaitFor([&] { return StatusFile()["programs"][0].value("state", "") == "STOPPED"; }));
  ::kill(background_pid_, SIGTERM);
  ASSERT_TRUE(WaitFor([&] { return !ProcessAlive(background_pid_); }, std::chrono::seconds(30)));
  EXPECT_EQ(StatusFile()["vigild"]["state"], "stopped");
}

}  // namespace
}  // namespace vigil::testing
