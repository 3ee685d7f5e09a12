// SPDX-License-Identifier: MIT
// End-to-end when_idle: the real vigild reads a fake /proc tree (VIGIL_PROC_ROOT) that the
// test rewrites. A due run waits while the machine is busy, starts once it is idle, and
// `vigil history` shows how long it was deferred.
#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "harness.h"

namespace vigil::testing {
namespace {

using nlohmann::json;

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A one-CPU machine in /proc's formats. Each Tick() adds 100 ticks to /proc/stat, busy or
// idle, so the CPU share between two readings is what the test says.
class FakeMachine {
 public:
  explicit FakeMachine(std::filesystem::path root) : root_(std::move(root)) {
    std::filesystem::create_directories(root_);
    Write("meminfo",
          "MemTotal:        8000000 kB\nMemFree:         4000000 kB\nMemAvailable:    6000000 kB\n"
          "SwapTotal:             0 kB\nSwapFree:              0 kB\n");
  }
  void Busy() { Set(true); }
  void Idle() { Set(false); }
  void Tick() {
    (busy_ ? busy_ticks_ : idle_ticks_) += 95;
    (busy_ ? idle_ticks_ : busy_ticks_) += 5;
    Write("stat", "cpu  " + std::to_string(busy_ticks_) + " 0 0 " + std::to_string(idle_ticks_) +
                      " 0 0 0 0 0 0\ncpu0 0 0 0 0 0 0 0 0 0 0\nbtime 1796114309\n");
  }

 private:
  void Set(bool busy) {
    busy_ = busy;
    Write("loadavg", busy ? "3.00 2.00 1.00 2/80 25753\n" : "0.05 0.10 0.20 1/80 25753\n");
    Tick();
  }
  // Written beside and renamed, so vigild never reads half a file.
  void Write(const std::string& name, const std::string& text) {
    const std::filesystem::path tmp = root_ / (name + ".new");
    {
      std::ofstream out(tmp, std::ios::trunc);
      out << text;
    }
    std::filesystem::rename(tmp, root_ / name);
  }

  std::filesystem::path root_;
  bool busy_ = true;
  uint64_t busy_ticks_ = 10'000;
  uint64_t idle_ticks_ = 90'000;
};

class IdleTasksTest : public VigilTest {
 protected:
  void TearDown() override {
    ::unsetenv("VIGIL_PROC_ROOT");
    VigilTest::TearDown();
  }
  json TaskJson(const std::string& name) {
    CommandResult r = Vigil({"tasks", "--json"});
    json all = json::parse(r.out, nullptr, false);
    if (all.is_object() && all.contains("tasks")) all = all["tasks"];
    if (!all.is_array()) return json::object();
    for (const json& t : all)
      if (t.value("name", "") == name) return t;
    return json::object();
  }
  json Runs(const std::string& task) {
    CommandResult r = Vigil({"history", task, "--json"});
    json runs = json::parse(r.out, nullptr, false);
    if (runs.is_object() && runs.contains("runs")) runs = runs["runs"];
    return runs.is_array() ? runs : json::array();
  }
};

TEST_F(IdleTasksTest, ADueRunWaitsWhileBusyAndRunsOnceIdleWithItsDeferralInHistory) {
  FakeMachine machine(dir_ / "proc");
  machine.Busy();
  ASSERT_EQ(::setenv("VIGIL_PROC_ROOT", (dir_ / "proc").c_str(), 1), 0);
  WriteConfig(R"([task.maint]
schedule = "@reboot"
command = ["sh", "-c", "echo maintained"]
when_idle = { cpu_below = "20%", load_below = 0.5, max_wait = "1h", check_every = "1s" }
)");
  StartDaemon();

  // The @reboot run fell due at start-up and waits: no run yet.
  json task;
  ASSERT_TRUE(WaitFor([&] {
    machine.Tick();
    task = TaskJson("maint");
    return task.value("waiting_since_ms", int64_t{-1}) > 0;
  })) << task.dump();
  const int64_t since = task["waiting_since_ms"].get<int64_t>();
  CommandResult events = Vigil({"events", "--task", "maint"});
  EXPECT_NE(events.out.find("reboot run waits for an idle machine (CPU below 20%, load below 0.5 per CPU; at most "
                            "1h, then run)"),
            std::string::npos)
      << events.out;
  EXPECT_NE(Vigil({"tasks"}).out.find("waiting for idle"), std::string::npos);

  // Busy for a few checks: still no run.
  ASSERT_TRUE(WaitFor([&] {
    machine.Tick();
    EXPECT_TRUE(Runs("maint").empty());
    return NowMs() - since >= 3000;
  }));
  ASSERT_TRUE(Runs("maint").empty()) << Vigil({"history", "maint"}).out;

  // Idle: the run starts at the next check, and says how long it waited.
  machine.Idle();
  const int64_t idle_at = NowMs();
  json runs;
  ASSERT_TRUE(WaitFor([&] {
    machine.Tick();
    runs = Runs("maint");
    return !runs.empty() && runs[0].value("result", "") == "exit 0";
  })) << runs.dump()
      << ReadFile(log_dir_ / "vigild.log");
  ASSERT_EQ(runs.size(), 1u) << runs.dump();
  const json run = runs[0];  // a copy: `runs` is read again below
  EXPECT_EQ(run["trigger"], "reboot");
  EXPECT_GE(run["started_ms"].get<int64_t>(), idle_at - 1000);  // a check in flight may see it a little early
  EXPECT_GE(run["deferred_ms"].get<int64_t>(), 3000) << run.dump();
  EXPECT_NEAR(static_cast<double>(run["started_ms"].get<int64_t>() - run["deferred_ms"].get<int64_t>()),
              static_cast<double>(since), 5.0);
  EXPECT_LT(TaskJson("maint").value("waiting_since_ms", int64_t{0}), 0);

  CommandResult history = Vigil({"history", "maint"});
  EXPECT_EQ(history.exit_code, 0) << history.err;
  EXPECT_NE(history.out.find("reboot, waited "), std::string::npos) << history.out;
  EXPECT_NE(history.out.find("maintained"), std::string::npos) << history.out;
  events = Vigil({"events", "--task", "maint"});
  EXPECT_NE(events.out.find("(reboot, waited "), std::string::npos) << events.out;

  // After a vigild restart the deferral is read back from the database.
  StopDaemon();
  machine.Idle();
  StartDaemon();
  runs = Runs("maint");
  ASSERT_FALSE(runs.empty());
  json first = runs.back();
  EXPECT_EQ(first["deferred_ms"], run["deferred_ms"]) << runs.dump();
}

}  // namespace
}  // namespace vigil::testing
