// SPDX-License-Identifier: MIT
// Tests of the status file's JSON and of the STATUS= summary line.
#include "daemon/status_report.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>

#include <nlohmann/json.hpp>

namespace vigil::daemon {
namespace {

api::ProgramInfo Prog(const std::string& name, const std::string& state, pid_t pid = 0, int64_t uptime_ms = -1) {
  api::ProgramInfo p;
  p.name = name;
  p.state = state;
  p.pid = pid;
  p.uptime_ms = uptime_ms;
  p.want = "up";
  return p;
}

class StatusReportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ::setenv("TZ", "UTC", 1);
    ::tzset();
  }
  void TearDown() override {
    ::unsetenv("TZ");
    ::tzset();
  }
};

TEST_F(StatusReportTest, JsonCarriesDaemonAndPrograms) {
  StatusSnapshot s;
  s.pid = 42;
  s.version = "1.2.3";
  s.started_at_ms = 1'700'000'000'000;
  s.config_path = "/etc/vigil/vigil.toml";
  s.socket = "/run/vigil/vigil.sock";
  s.state = "running";
  s.written_at_ms = 1'700'000'060'000;
  auto web = Prog("web", "RUNNING", 100, 5000);
  web.restarts = 2;
  auto bad = Prog("bad", "FATAL");
  bad.reason = "exited too quickly 5 times";
  bad.last_exit = "exit 1";
  s.programs = {web, bad};
  s.next_task = StatusSnapshot::NextTask{"backup", 1'700'003'600'000};

  const auto doc = nlohmann::json::parse(RenderStatusJson(s));
  EXPECT_EQ(doc["format"], "vigil-status");
  EXPECT_EQ(doc["format_version"], kStatusFormatVersion);
  EXPECT_EQ(doc["written_at"], "2023-11-14T22:14:20Z");
  EXPECT_EQ(doc["vigild"]["pid"], 42);
  EXPECT_EQ(doc["vigild"]["version"], "1.2.3");
  EXPECT_EQ(doc["vigild"]["state"], "running");
  EXPECT_EQ(doc["vigild"]["started_at"], "2023-11-14T22:13:20Z");
  EXPECT_EQ(doc["vigild"]["config"], "/etc/vigil/vigil.toml");
  ASSERT_EQ(doc["programs"].size(), 2u);
  EXPECT_EQ(doc["programs"][0]["name"], "web");
  EXPECT_EQ(doc["programs"][0]["pid"], 100);
  EXPECT_EQ(doc["programs"][0]["uptime_ms"], 5000);
  EXPECT_EQ(doc["programs"][0]["started_at_ms"], 1'700'000'055'000);
  EXPECT_EQ(doc["programs"][0]["restarts"], 2);
  EXPECT_EQ(doc["programs"][1]["state"], "FATAL");
  EXPECT_TRUE(doc["programs"][1]["uptime_ms"].is_null());
  EXPECT_EQ(doc["programs"][1]["reason"], "exited too quickly 5 times");
  EXPECT_EQ(doc["programs"][1]["last_exit"], "exit 1");
  EXPECT_EQ(doc["next_task"]["name"], "backup");
}

TEST_F(StatusReportTest, SummaryCountsStatesInOrderAndNamesTheNextTask) {
  StatusSnapshot s;
  s.written_at_ms = 1'700'000'000'000;  // 2023-11-14 22:13:20 UTC
  s.programs = {Prog("a", "RUNNING"), Prog("b", "FATAL"), Prog("c", "RUNNING"), Prog("d", "STOPPED")};
  EXPECT_EQ(SummaryLine(s), "2 running, 1 fatal, 1 stopped");
  s.next_task = StatusSnapshot::NextTask{"backup", 1'700'001'000'000};  // 22:30 the same day
  EXPECT_EQ(SummaryLine(s), "2 running, 1 fatal, 1 stopped, next task backup at 22:30");
  s.next_task->at_ms = 1'700'010'000'000;  // 01:00 the next day
  EXPECT_EQ(SummaryLine(s), "2 running, 1 fatal, 1 stopped, next task backup at 2023-11-15 01:00");
}

TEST_F(StatusReportTest, SummaryWithoutPrograms) {
  StatusSnapshot s;
  EXPECT_EQ(SummaryLine(s), "no programs");
}

}  // namespace
}  // namespace vigil::daemon
