// SPDX-License-Identifier: MIT
// The health report end to end: a history database seeded with a week of process
// lifetimes, findings, task runs and metric rollups, then the real vigild on it: `vigil
// report` prints the expected sections and numbers, and the report task saves the report
// under state_dir/reports/ and sends it through a command alert channel.
#include <SQLiteCpp/SQLiteCpp.h>
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "harness.h"
#include "store/store.h"

namespace vigil::testing {
namespace {

using nlohmann::json;
using std::chrono::days;
using std::chrono::hours;
using std::chrono::minutes;

class ReportTest : public VigilTest {
 protected:
  // A week of history, ending at `now_`, written before vigild starts.
  void SeedHistory() {
    const std::filesystem::path db = dir_ / "state" / "vigil.db";
    {
      auto opened = store::Store::Open(db);
      ASSERT_TRUE(opened) << opened.error().message();
      store::Store& s = **opened;
      // api: crashed three times, down 12h twice, over the 7 days.
      auto life = [&](int pid, base::WallTime from, base::WallTime to, const std::string& status) {
        s.EndProcess(s.BeginProcess("api", pid, from), to, status, "");
      };
      life(101, now_ - days(8), now_ - days(6), "exit 1");
      life(102, now_ - days(6) + hours(12), now_ - days(3), "exit 1");
      life(103, now_ - days(3), now_ - days(1), "killed by SIGKILL");
      life(104, now_ - days(1) + hours(12), now_ - std::chrono::seconds(1), "exit 0");

      store::Finding raise{0, now_ - days(2), "crit", "check", "cpu", "CPU at 95.0% (critical at 90.0%).", 0};
      const int64_t raise_id = s.RecordFinding(raise);
      s.RecordFinding({0, now_ - days(2) + minutes(1), "info", "action", "cpu", "restart: api pid 103 -> 104", 0});
      s.RecordFinding({0, now_ - days(2) + minutes(25), "info", "check", "cpu", "Back to OK: CPU at 41.0%.", raise_id});

      auto run = [&](const std::string& task, base::WallTime started, int exit_code, const std::string& out) {
        store::TaskRun r;
        r.id = s.BeginRun(task, "schedule", started);
        r.task = task;
        r.trigger = "schedule";
        r.started = started;
        r.ended = started + minutes(1);
        r.exit_code = exit_code;
        r.output_tail = out;
        s.EndRun(r);
      };
      run("clean-temp", now_ - days(5), 0, "deleted 3 files (1048576 bytes); kept 0 matching files\n");
      run("check-updates", now_ - days(4), 0, "packages with updates: 5\nupdates found: 5\n");
      run("backup", now_ - days(3), 2, "no space left on device\n");
      s.Flush();
    }
    // Metric rollups as vigild writes them (1-minute buckets: count, sum, max).
    SQLite::Database raw(db.string(), SQLite::OPEN_READWRITE);
    SQLite::Statement insert(raw,
                             "INSERT INTO metrics (name, step_s, time_ms, count, sum, max) VALUES (?, 60, ?, ?, ?, ?)");
    auto add = [&](const std::string& name, base::WallTime t, double avg, double max) {
      const int64_t ms = base::UnixMs(t) / 60000 * 60000;
      insert.bind(1, name);
      insert.bind(2, static_cast<int64_t>(ms));
      insert.bind(3, 60);
      insert.bind(4, avg * 60);
      insert.bind(5, max);
      insert.exec();
      insert.reset();
    };
    const base::WallTime start = now_ - days(7) + hours(1);
    // CPU: 9 of 167 hours at 95%, the rest at 20%; one sample reached 99.5%.
    for (int h = 0; h < 167; ++h) add("system.cpu", start + hours(h), h % 20 == 0 ? 95 : 20, h == 40 ? 99.5 : 96);
    // /srv grows 2 points a day from 50% to 62%: full in 19 days.
    for (int d = 0; d < 7; ++d) add("disk.space:/srv", start + days(d), 50 + 2 * d, 50 + 2 * d);
  }

  void Configure() {
    WriteConfig(fmt::format(R"([task.clean-temp]
schedule = "daily 03:00"
action = "cleanup"
paths = ["{0}/tmp"]
older_than = "1d"

[task.weekly-report]
schedule = "weekly mon 09:00"
action = "report"

[alert.ops]
type = "command"
command = ["/bin/sh", "-c", "cat > {0}/alert.tmp && mv {0}/alert.tmp {0}/alert.json"]
)",
                            dir_.string()));
  }

  base::WallTime now_ = std::chrono::system_clock::now();
};

TEST_F(ReportTest, PrintsTheSectionsAndNumbersOfASeededWeek) {
  SeedHistory();
  Configure();
  StartDaemon();
  CommandResult r = Vigil({"report", "--since", "7d"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string& text = r.out;
  for (const char* part : {
           "vigil report for ",
           ": 1 incident (1 critical), 1 self-healing action, 3 restarts of 1 program, 3 task runs (1 failed); disk "
           "/srv full in about 19 days.",
           "\nResources (average, 95th percentile, maximum)\n",
           "      24.0%      95.0%      99.5%\n",
           "/srv  62.0% used, growing 2.00 points a day: full in about 19 days",
           "\nIncidents (1)\n",
           "CRIT  check cpu, lasted 25m: CPU at 95.0% (critical at 90.0%).",
           "\nSelf-healing actions (1)\n",
           "cpu: restart: api pid 103 -> 104",
           "\nPrograms (1)\n",
           "  api: up 85.7%, 3 restarts; exits: exit 1 (2x), exit 0 (1x), killed by SIGKILL (1x)",
           "\nTask runs (3 tasks)\n",
           "  backup: 1 run, 0 succeeded, 1 failed",
           "  check-updates: 1 run, 1 succeeded, 0 failed; updates: 5 found, 0 applied",
           "  clean-temp: 1 run, 1 succeeded, 0 failed; freed 1 MB",
           "  cleanups freed 1 MB; updates: 5 found, 0 applied",
           "\nRecommendations\n",
           "Disk /srv will be full in about 19 days",
           "api restarted 3 times (most often: exit 1)",
           "CPU was at 95.0% or more for 5% of the time",
           "Task backup failed 1 of 1 runs",
       }) {
    EXPECT_NE(text.find(part), std::string::npos) << "missing: " << part << "\n---\n" << text;
  }

  CommandResult j = Vigil({"report", "--json"});
  ASSERT_EQ(j.exit_code, 0) << j.err;
  const json report = json::parse(j.out)["report"];
  EXPECT_EQ(report["incidents"][0]["duration_ms"], 25 * 60 * 1000);
  EXPECT_EQ(report["programs"][0]["restarts"], 3);
  EXPECT_NEAR(report["disks"][0]["days_until_full"].get<double>(), 19, 0.01);
  EXPECT_EQ(report["totals"]["bytes_freed"], 1048576);

  // A period with nothing in it.
  CommandResult hour = Vigil({"report", "--since", "1h"});
  ASSERT_EQ(hour.exit_code, 0) << hour.err;
  EXPECT_NE(hour.out.find(": 0 incidents, 0 self-healing actions"), std::string::npos) << hour.out;
  EXPECT_NE(hour.out.find("  - Nothing needs attention.\n"), std::string::npos) << hour.out;
}

TEST_F(ReportTest, TheReportTaskSavesTheReportAndSendsItThroughTheAlertChannels) {
  SeedHistory();
  Configure();
  StartDaemon();
  CommandResult run = Vigil({"run", "weekly-report", "--wait"});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_NE(run.out.find("sent through 1 alert channel\n"), std::string::npos) << run.out;

  const std::filesystem::path reports = dir_ / "state" / "reports";
  std::filesystem::path saved;
  for (const auto& entry : std::filesystem::directory_iterator(reports)) {
    if (entry.path().extension() == ".txt") saved = entry.path();
  }
  ASSERT_FALSE(saved.empty()) << "no report in " << reports;
  const std::string text = ReadFile(saved);
  EXPECT_NE(text.find("api restarted 3 times"), std::string::npos) << text;
  std::filesystem::path json_file = saved;
  json_file.replace_extension(".json");
  EXPECT_EQ(json::parse(ReadFile(json_file))["programs"][0]["name"], "api");

  const std::filesystem::path alert = dir_ / "alert.json";
  ASSERT_TRUE(WaitFor([&] { return std::filesystem::exists(alert); })) << Vigil({"events"}).out;
  const json n = json::parse(ReadFile(alert));
  EXPECT_EQ(n["category"], "report");
  EXPECT_EQ(n["severity"], "info");
  EXPECT_EQ(n["title"].get<std::string>().rfind("vigil report for ", 0), 0u) << n.dump();
  EXPECT_EQ(n["text"], text);
}

}  // namespace
}  // namespace vigil::testing
