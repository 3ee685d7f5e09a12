// SPDX-License-Identifier: MIT
#include "report/report.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "report/render.h"

namespace vigil::report {
namespace {

using std::chrono::hours;
using std::chrono::minutes;

const base::WallTime kSince = base::WallTime(std::chrono::seconds(1'800'000'000));
const base::WallTime kUntil = kSince + hours(24 * 7);

bool Has(const std::vector<std::string>& lines, const std::string& part) {
  for (const std::string& l : lines) {
    if (l.find(part) != std::string::npos) return true;
  }
  return false;
}

// A week of a small server: a disk filling up, a crashing program, a check that went
// WARN then CRIT and recovered, a restart action, and a few task runs.
class ReportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    in_.since = kSince;
    in_.until = kUntil;
    in_.host = "web1";
    MetricSeries cpu{"system.cpu", {}};
    for (int h = 0; h < 168; ++h) cpu.points.push_back({kSince + hours(h), 60, h % 20 == 0 ? 95.0 : 20.0, 99.5});
    MetricSeries disk{"disk.space:/srv", {}};
    for (int d = 0; d <= 7; ++d) disk.points.push_back({kSince + hours(24 * d), 60, 50.0 + 2 * d, 50.0 + 2 * d});
    MetricSeries flat{"disk.space:/", {{kSince, 1, 30, 30}, {kSince + hours(100), 1, 30, 30}}};
    MetricSeries web_mem{"program.memory:web", {{kSince, 2, 1000, 1500}, {kSince + hours(1), 2, 3000, 4000}}};
    in_.metrics = {disk, flat, web_mem, cpu};
    // web: up before the period, then 4 crashes with short gaps; db: added on day 3.
    in_.lifetimes = {
        {"web", kSince - hours(1), kSince + hours(10), "exit 1", ""},
        {"web", kSince + hours(11), kSince + hours(20), "exit 1", ""},
        {"web", kSince + hours(21), kSince + hours(30), "killed by SIGKILL", ""},
        {"web", kSince + hours(30), kSince + hours(40), "exit 1", ""},
        {"web", kSince + hours(40), std::nullopt, "", ""},
        {"db", kSince + hours(72), std::nullopt, "", ""},
    };
    in_.findings = {
        {10, kSince + hours(5), "warn", "check", "cpu", "CPU at 85.0% (warning at 80.0%).", 0},
        {11, kSince + hours(5) + minutes(10), "crit", "check", "cpu", "CPU at 95.0% (critical at 90.0%).", 10},
        {12, kSince + hours(5) + minutes(11), "info", "action", "cpu", "top: ffmpeg[1234] 171%", 0},
        {13, kSince + hours(5) + minutes(30), "info", "check", "cpu", "Back to OK: CPU at 41.0%.", 11},
        {14, kSince + hours(50), "crit", "check", "web-http", "HTTP 500.", 0},
        {15, kSince + hours(50) + minutes(1), "info", "action", "web-http", "restart: web pid 1 -> 2", 0},
        {16, kSince + hours(50) + minutes(2), "info", "check", "web-http", "Back to OK.", 14},
        {17, kUntil - hours(2), "warn", "check", "root-disk", "disk / at 85% full.", 0},
        {18, kSince + hours(60), "warn", "task", "backup", "Task backup failed: exit 2.", 0},
    };
    in_.runs = {
        {"clean-temp", "cleanup", kSince + hours(3), kSince + hours(3), 0, std::nullopt, false, false,
         "deleted 3 files (1048576 bytes); kept 2 matching files\n"},
        {"clean-temp", "cleanup", kSince + hours(27), kSince + hours(27), 0, std::nullopt, false, false,
         "deleted 1 files (1048576 bytes); kept 2 matching files\n"},
        {"check-updates", "command", kSince + hours(6), kSince + hours(6), 0, std::nullopt, false, false,
         "updates found: 4\n"},
        {"apply-updates", "command", kSince + hours(7), kSince + hours(7), 0, std::nullopt, false, false,
         "updates applied: 3\n"},
        {"backup", "command", kSince + hours(60), kSince + hours(60), 2, std::nullopt, false, false, "no space\n"},
        {"backup", "command", kSince + hours(84), kSince + hours(85), std::nullopt, std::nullopt, true, false, ""},
        {"backup", "command", kSince + hours(108), kSince + hours(108), 0, std::nullopt, false, false, ""},
    };
  }
  Input in_;
};

TEST_F(ReportTest, ResourcesInAFixedOrderWithTheirFigures) {
  Report r = Build(in_);
  ASSERT_EQ(r.resources.size(), 3u);
  EXPECT_EQ(r.resources[0].label, "CPU");
  EXPECT_EQ(r.resources[1].label, "disk / space");
  EXPECT_EQ(r.resources[2].label, "disk /srv space");
  // 9 of 168 hours at 95%, the rest at 20%, 60 samples each.
  EXPECT_NEAR(r.resources[0].summary.avg, (9 * 95.0 + 159 * 20.0) / 168, 1e-9);
  EXPECT_DOUBLE_EQ(r.resources[0].summary.p95, 95);
  EXPECT_DOUBLE_EQ(r.resources[0].summary.max, 99.5);
  EXPECT_EQ(r.resources[0].summary.samples, 168 * 60);
}

TEST_F(ReportTest, DaysUntilFullOrNotGrowing) {
  Report r = Build(in_);
  ASSERT_EQ(r.disks.size(), 2u);
  EXPECT_EQ(r.disks[0].mount, "/");
  EXPECT_FALSE(r.disks[0].growth.days_until_full);
  EXPECT_EQ(r.disks[1].mount, "/srv");
  // 2 points a day, 64% now: 36 points to go.
  ASSERT_TRUE(r.disks[1].growth.days_until_full);
  EXPECT_NEAR(*r.disks[1].growth.days_until_full, 18, 1e-6);
  const std::string text = RenderText(r);
  EXPECT_NE(text.find("/  30.0% used, not growing"), std::string::npos) << text;
  EXPECT_NE(text.find("/srv  64.0% used, growing 2.00 points a day: full in about 18 days"), std::string::npos) << text;
}

TEST_F(ReportTest, IncidentsFollowTheirChainToTheRecovery) {
  Report r = Build(in_);
  ASSERT_EQ(r.incidents.size(), 3u);
  EXPECT_EQ(r.incidents[0].subject, "cpu");
  EXPECT_EQ(r.incidents[0].severity, "crit");  // WARN, then CRIT
  EXPECT_EQ(r.incidents[0].duration, minutes(30));
  EXPECT_TRUE(r.incidents[0].end);
  EXPECT_EQ(r.incidents[1].subject, "web-http");
  EXPECT_EQ(r.incidents[1].duration, minutes(2));
  EXPECT_EQ(r.incidents[2].subject, "root-disk");
  EXPECT_FALSE(r.incidents[2].end);
  EXPECT_EQ(r.incidents[2].duration, hours(2));
}

TEST_F(ReportTest, ActionsAreTheActionFindings) {
  Report r = Build(in_);
  ASSERT_EQ(r.actions.size(), 2u);
  EXPECT_EQ(r.actions[1].text, "restart: web pid 1 -> 2");
}

TEST_F(ReportTest, ProgramsUptimeRestartsAndExitReasons) {
  Report r = Build(in_);
  ASSERT_EQ(r.programs.size(), 2u);
  const ProgramLine& db = r.programs[0];
  EXPECT_EQ(db.name, "db");
  EXPECT_DOUBLE_EQ(db.uptime_percent, 100);
  EXPECT_EQ(db.restarts, 0);
  const ProgramLine& web = r.programs[1];
  EXPECT_EQ(web.name, "web");
  EXPECT_NEAR(web.uptime_percent, 100.0 * (168 - 2) / 168, 1e-9);  // down 1h twice
  EXPECT_EQ(web.restarts, 4);
  ASSERT_EQ(web.exit_reasons.size(), 2u);
  EXPECT_EQ(web.exit_reasons[0], (std::pair<std::string, int>{"exit 1", 3}));
  ASSERT_TRUE(web.memory);
  EXPECT_DOUBLE_EQ(web.memory->avg, 2000);
  EXPECT_DOUBLE_EQ(web.memory->max, 4000);
}

TEST_F(ReportTest, TasksCountRunsSpaceFreedAndUpdates) {
  Report r = Build(in_);
  ASSERT_EQ(r.tasks.size(), 4u);
  const TaskLine& backup = r.tasks[1];
  EXPECT_EQ(backup.name, "backup");
  EXPECT_EQ(backup.runs, 3);
  EXPECT_EQ(backup.succeeded, 1);
  EXPECT_EQ(backup.failed, 2);  // exit 2 and a timeout
  const TaskLine& clean = r.tasks[3];
  EXPECT_EQ(clean.name, "clean-temp");
  EXPECT_EQ(clean.bytes_freed, 2u * 1048576);
  EXPECT_EQ(r.bytes_freed, 2u * 1048576);
  EXPECT_EQ(r.updates_found, 4);
  EXPECT_EQ(r.updates_applied, 3);
}

TEST_F(ReportTest, SummaryLine) {
  Report r = Build(in_);
  EXPECT_EQ(r.summary,
            "7d on web1: 3 incidents (2 critical, 1 still open), 2 self-healing actions, 4 restarts of 2 programs, "
            "7 task runs (2 failed); disk /srv full in about 18 days.");
}

TEST_F(ReportTest, Recommendations) {
  Report r = Build(in_);
  const auto& rec = r.recommendations;
  EXPECT_TRUE(Has(rec, "Disk /srv will be full in about 18 days")) << ::testing::PrintToString(rec);
  EXPECT_TRUE(Has(rec, "web restarted 4 times (most often: exit 1): look at why it exits: vigil logs web"));
  EXPECT_TRUE(Has(rec, "check root-disk is still bad"));
  EXPECT_TRUE(Has(rec, "Task backup failed 2 of 3 runs"));
  EXPECT_TRUE(Has(rec, "4 updates were found but only 3 applied."));
  EXPECT_TRUE(Has(rec, "CPU was at 95.0% or more for 5% of the time (average 24.0%)"));
  EXPECT_FALSE(Has(rec, "Nothing needs attention"));
}

TEST(RecommendTest, Thresholds) {
  struct Case {
    const char* what;
    Input input;
    std::string want;
  };
  auto base = [] {
    Input in;
    in.since = kSince;
    in.until = kUntil;
    return in;
  };
  std::vector<Case> cases;
  cases.push_back({"quiet week", base(), "Nothing needs attention."});
  {
    Input in = base();
    MetricSeries cpu{"system.cpu", {}};
    for (int h = 0; h < 100; ++h) cpu.points.push_back({kSince + hours(h), 1, h < 90 ? 50.0 : 97.0, 99});
    in.metrics = {cpu};
    cases.push_back({"busy CPU", in, "CPU was at 97.0% or more for 5% of the time"});
  }
  {
    Input in = base();
    in.metrics = {{"system.swap", {{kSince, 1, 10, 60}}}};
    cases.push_back({"swap", in, "Swap use reached 60.0%"});
  }
  {
    Input in = base();
    in.metrics = {{"disk.space:/var", {{kSince, 1, 96, 96}, {kSince + hours(48), 1, 96, 96}}}};
    cases.push_back({"nearly full, flat", in, "Disk /var is 96.0% full"});
  }
  {
    Input in = base();
    for (int i = 0; i < 3; ++i) {
      in.findings.push_back({100 + 2 * i, kSince + hours(10 * i), "crit", "check", "mem", "Memory high.", 0});
      in.findings.push_back({101 + 2 * i, kSince + hours(10 * i + 1), "info", "check", "mem", "OK.", 100 + 2 * i});
    }
    cases.push_back({"often critical", in, "check mem was bad 3 times (3 critical, 3h in all)"});
  }
  {
    Input in = base();
    in.findings = {{5, kSince, "warn", "action", "hog", "giving up", 0}};
    cases.push_back({"gave up", in, "The actions of hog gave up 1 time"});
  }
  {
    Input in = base();
    in.lifetimes = {{"batch", kSince - hours(1), kSince + hours(84), "exit 0", ""}};
    cases.push_back({"low uptime", in, "batch was up 50.0% of the time"});
  }
  for (const Case& c : cases) {
    Report r = Build(c.input);
    EXPECT_TRUE(Has(r.recommendations, c.want)) << c.what << ": " << ::testing::PrintToString(r.recommendations);
  }
}

TEST_F(ReportTest, TextHasEverySection) {
  const std::string text = RenderText(Build(in_));
  for (const char* part :
       {"vigil report for web1, 2027-01-15 08:00 to 2027-01-22 08:00 UTC\n\n7d on web1: 3 incidents",
        "\nResources (average, 95th percentile, maximum)\n", "  CPU            ", "\nIncidents (3)\n",
        "CRIT  check cpu, lasted 30m: CPU at 85.0%", "WARN  check root-disk, still open after 2h",
        "\nSelf-healing actions (2)\n", "web-http: restart: web pid 1 -> 2", "\nPrograms (2)\n",
        "  web: up 98.8%, 4 restarts; exits: exit 1 (3x), killed by SIGKILL (1x); memory avg 2.0 KB, max 4.0 KB",
        "\nTask runs (4 tasks)\n", "  clean-temp: 2 runs, 2 succeeded, 0 failed; freed 2 MB",
        "  check-updates: 1 run, 1 succeeded, 0 failed; updates: 4 found, 0 applied",
        "  cleanups freed 2 MB; updates: 4 found, 3 applied", "\nRecommendations\n  - Disk /srv"}) {
    EXPECT_NE(text.find(part), std::string::npos) << part << "\n---\n" << text;
  }
}

TEST_F(ReportTest, JsonHasTheSameNumbers) {
  auto j = nlohmann::json::parse(RenderJson(Build(in_)));
  EXPECT_EQ(j["host"], "web1");
  EXPECT_EQ(j["since_ms"], base::UnixMs(kSince));
  EXPECT_EQ(j["resources"][0]["label"], "CPU");
  EXPECT_DOUBLE_EQ(j["resources"][0]["p95"].get<double>(), 95);
  EXPECT_NEAR(j["disks"][1]["days_until_full"].get<double>(), 18, 1e-6);
  EXPECT_TRUE(j["disks"][0]["days_until_full"].is_null());
  EXPECT_EQ(j["incidents"][0]["duration_ms"], 30 * 60 * 1000);
  EXPECT_TRUE(j["incidents"][2]["end_ms"].is_null());
  EXPECT_EQ(j["programs"][1]["restarts"], 4);
  EXPECT_EQ(j["programs"][1]["exit_reasons"][0]["exit"], "exit 1");
  EXPECT_EQ(j["tasks"][3]["bytes_freed"], 2 * 1048576);
  EXPECT_TRUE(j["tasks"][1]["bytes_freed"].is_null());
  EXPECT_EQ(j["totals"]["updates_applied"], 3);
  EXPECT_FALSE(j["recommendations"].empty());
}

}  // namespace
}  // namespace vigil::report
