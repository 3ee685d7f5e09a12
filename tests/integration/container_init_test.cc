// SPDX-License-Identifier: MIT
// vigild as a container's PID 1, in a new PID namespace (unshare --pid --fork --mount-proc):
// it reaps every zombie of the namespace, including orphans of processes it never started
// (a `docker exec` shell's children, here nsenter's), stops in order on SIGTERM, ends the
// other processes left, and exits 0 only when everything stopped cleanly.
#include <dirent.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>

#include "harness.h"

namespace vigil::testing {
namespace {

std::string NamespaceOf(pid_t pid) {
  std::error_code ec;
  return std::filesystem::read_symlink("/proc/" + std::to_string(pid) + "/ns/pid", ec).string();
}

struct ProcessEntry {
  pid_t pid;
  std::string comm;
  char state;
};

// The processes of a PID namespace, seen from the host's /proc.
std::vector<ProcessEntry> ProcessesIn(const std::string& ns) {
  std::vector<ProcessEntry> out;
  DIR* dir = ::opendir("/proc");
  if (dir == nullptr) return out;
  while (dirent* e = ::readdir(dir)) {
    const pid_t pid = std::atoi(e->d_name);
    if (pid <= 0 || NamespaceOf(pid) != ns) continue;
    const std::string stat = ReadFile("/proc/" + std::to_string(pid) + "/stat");
    const auto open = stat.find('('), close = stat.rfind(')');
    if (open == std::string::npos || close == std::string::npos || close + 2 >= stat.size()) continue;
    out.push_back({pid, stat.substr(open + 1, close - open - 1), stat[close + 2]});
  }
  ::closedir(dir);
  return out;
}

class ContainerInitTest : public VigilTest {
 protected:
  void StartAsPid1() {
    unshare_pid_ = SpawnWithOutput({"/usr/bin/unshare", "--pid", "--fork", "--mount-proc", VigildBin(), "--config",
                                    config_.string()},
                                   (dir_ / "vigild.stdout").string(), (dir_ / "vigild.stderr").string());
    ASSERT_TRUE(WaitFor([&] { return Vigil({"status"}).exit_code == 0; })) << ReadFile(dir_ / "vigild.stderr");
    // vigild is unshare's only child.
    const std::string children =
        ReadFile("/proc/" + std::to_string(unshare_pid_) + "/task/" + std::to_string(unshare_pid_) + "/children");
    vigild_pid_ = std::atoi(children.c_str());
    ASSERT_GT(vigild_pid_, 0);
    ns_ = NamespaceOf(vigild_pid_);
    ASSERT_NE(ns_, NamespaceOf(::getpid()));
    auto info = nlohmann::json::parse(Vigil({"status", "--json"}).out, nullptr, false);
    (void)info;
  }
  // Waits for unshare, which exits with vigild's status.
  int WaitForExit() {
    int status = -1;
    EXPECT_TRUE(WaitFor([&] { return ::waitpid(unshare_pid_, &status, WNOHANG) == unshare_pid_; },
                        std::chrono::seconds(30)));
    unshare_pid_ = 0;
    return status;
  }
  void TearDown() override {
    if (unshare_pid_ > 0) {
      ::kill(vigild_pid_, SIGKILL);  // PID 1 gone: the kernel ends the namespace
      int status;
      ::waitpid(unshare_pid_, &status, 0);
    }
    VigilTest::TearDown();
  }
  // Runs a shell inside the namespace from outside it, as `docker exec` does: its
  // children are no descendants of vigild, and when the shell exits they are orphans
  // that only the namespace's init can reap.
  void RunInside(const std::string& script) {
    CommandResult r = RunCommand({"/usr/bin/nsenter", "--target", std::to_string(vigild_pid_), "--pid", "--", "/bin/sh",
                                  "-c", script});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  size_t Count(const std::function<bool(const ProcessEntry&)>& pred) {
    size_t n = 0;
    for (const auto& p : ProcessesIn(ns_)) n += pred(p) ? 1 : 0;
    return n;
  }

  pid_t unshare_pid_ = 0;
  pid_t vigild_pid_ = 0;
  std::string ns_;
};

TEST_F(ContainerInitTest, ReapsOrphansItNeverStarted) {
  WriteConfig("[program.idle]\ncommand = [\"" + Child() + "\", \"idle\"]\n");
  StartAsPid1();
  EXPECT_EQ(Vigil({"status", "--json"}).exit_code, 0);
  // Twenty short-lived orphans: each exits and, unless PID 1 reaps it, stays a zombie.
  RunInside("for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do sleep 0.05 & done; exit 0");
  EXPECT_TRUE(WaitFor([&] {
    return Count([](const ProcessEntry& p) { return p.comm == "sleep" || p.state == 'Z'; }) == 0;
  })) << "left in the namespace: " << [&] {
    std::string s;
    for (const auto& p : ProcessesIn(ns_)) s += std::to_string(p.pid) + " " + p.comm + " " + p.state + "; ";
    return s;
  }();
  // SIGTERM: an orderly shutdown, and a clean one.
  ::kill(vigild_pid_, SIGTERM);
  const int status = WaitForExit();
  ASSERT_TRUE(WIFEXITED(status)) << status;
  EXPECT_EQ(WEXITSTATUS(status), 0) << ReadFile(log_dir_ / "vigild.log");
  EXPECT_NE(ReadFile(log_dir_ / "vigild.log").find("all programs stopped; exiting"), std::string::npos);
}

TEST_F(ContainerInitTest, OtherProcessesGetSigtermAtShutdown) {
  WriteConfig("");
  StartAsPid1();
  RunInside("sleep 100000 & exit 0");  // an orphan that would run forever
  ASSERT_TRUE(WaitFor([&] { return Count([](const ProcessEntry& p) { return p.comm == "sleep"; }) == 1; }));
  ::kill(vigild_pid_, SIGINT);
  const int status = WaitForExit();
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);  // it ended on SIGTERM: clean
  EXPECT_NE(ReadFile(log_dir_ / "vigild.log").find("sent SIGTERM to the container's remaining processes"),
            std::string::npos);
}

TEST_F(ContainerInitTest, ExitStatusSaysWhenAProgramHadToBeKilled) {
  WriteConfig("[program.stubborn]\ncommand = [\"" + Child() + "\", \"ignore-term\", \"" +
              (dir_ / "pids").string() + "\"]\nstop_timeout = \"200ms\"\nstart_seconds = \"50ms\"\n");
  StartAsPid1();
  ASSERT_TRUE(WaitForState("stubborn", "RUNNING"));
  ::kill(vigild_pid_, SIGTERM);
  const int status = WaitForExit();
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 3);
  EXPECT_NE(ReadFile(log_dir_ / "vigild.log").find("1 killed after their stop_timeout"), std::string::npos);
}

}  // namespace
}  // namespace vigil::testing
