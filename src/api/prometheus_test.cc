// SPDX-License-Identifier: MIT
// The Prometheus exposition: families with HELP and TYPE, one series per state, escaped
// label values, exit codes from last_exit. (promtool checks a real vigild's output in
// tests/integration/web_listener_test.cc.)
#include "api/prometheus.h"

#include <gtest/gtest.h>

namespace vigil::api {
namespace {

bool Has(const std::string& text, const std::string& line) { return text.find(line + "\n") != std::string::npos; }

TEST(PrometheusTest, ExitCodes) {
  EXPECT_EQ(ExitCodeOf("exit 0"), 0);
  EXPECT_EQ(ExitCodeOf("exit 3"), 3);
  EXPECT_EQ(ExitCodeOf("killed by SIGKILL"), 137);
  EXPECT_EQ(ExitCodeOf("killed by SIGSEGV (core dumped)"), 139);
  EXPECT_EQ(ExitCodeOf(""), std::nullopt);
  EXPECT_EQ(ExitCodeOf("exit x"), std::nullopt);
}

TEST(PrometheusTest, ProgramsTasksChecksAndTheProcess) {
  Scrape s;
  s.version = "0.1.0";
  s.now_ms = 1'800'000'000'000;
  ProgramInfo web;
  web.name = "web:1";
  web.state = "RUNNING";
  web.pid = 42;
  web.uptime_ms = 60'000;
  web.restarts = 2;
  web.last_exit = "killed by SIGKILL";
  ProgramInfo odd;
  odd.name = "a\"b\\c";
  odd.state = "FATAL";
  s.programs = {web, odd};
  ProgramUsage usage;
  usage.name = "web:1";
  usage.pid = 42;
  usage.cpu_seconds = 1.5;
  usage.memory_bytes = 4096;
  s.usage = {usage};
  TaskInfo task;
  task.name = "backup";
  task.runs_succeeded = 3;
  task.runs_failed = 1;
  task.last_success_ms = 1'700'000'000'500;
  task.last_duration_ms = 2500;
  s.tasks = {task};
  CheckInfo check;
  check.name = "cpu";
  check.state = "WARN";
  s.checks = {check};
  s.self.cpu_seconds = 0.25;
  s.self.max_fds = 1024;
  s.self.http_connections = 3;
  s.self.stream_connections = 2;
  s.self.stream_dropped_lines = 17;

  const std::string text = PrometheusText(s);
  EXPECT_TRUE(Has(text, "# HELP vigil_program_up 1 when the program is RUNNING, else 0.")) << text;
  EXPECT_TRUE(Has(text, "# TYPE vigil_program_up gauge"));
  EXPECT_TRUE(Has(text, "vigil_build_info{version=\"0.1.0\"} 1"));
  EXPECT_TRUE(Has(text, "vigil_program_up{program=\"web:1\"} 1"));
  EXPECT_TRUE(Has(text, "vigil_program_up{program=\"a\\\"b\\\\c\"} 0")) << text;
  EXPECT_TRUE(Has(text, "vigil_program_state{program=\"web:1\",state=\"RUNNING\"} 1"));
  EXPECT_TRUE(Has(text, "vigil_program_state{program=\"web:1\",state=\"FATAL\"} 0"));
  EXPECT_TRUE(Has(text, "# TYPE vigil_program_restarts_total counter"));
  EXPECT_TRUE(Has(text, "vigil_program_restarts_total{program=\"web:1\"} 2"));
  EXPECT_TRUE(Has(text, "vigil_program_start_time_seconds{program=\"web:1\"} 1799999940"));
  EXPECT_TRUE(Has(text, "vigil_program_last_exit_code{program=\"web:1\"} 137"));
  EXPECT_TRUE(Has(text, "vigil_program_cpu_seconds_total{program=\"web:1\"} 1.5"));
  EXPECT_TRUE(Has(text, "vigil_program_resident_memory_bytes{program=\"web:1\"} 4096"));
  EXPECT_EQ(text.find("vigil_program_cpu_seconds_total{program=\"a"), std::string::npos) << "no process, no usage";
  EXPECT_TRUE(Has(text, "vigil_task_runs_total{task=\"backup\",result=\"success\"} 3"));
  EXPECT_TRUE(Has(text, "vigil_task_runs_total{task=\"backup\",result=\"failure\"} 1"));
  EXPECT_TRUE(Has(text, "vigil_task_last_success_time_seconds{task=\"backup\"} 1700000000.5"));
  EXPECT_TRUE(Has(text, "vigil_task_last_duration_seconds{task=\"backup\"} 2.5"));
  EXPECT_TRUE(Has(text, "vigil_check_state{check=\"cpu\",state=\"WARN\"} 1"));
  EXPECT_TRUE(Has(text, "vigil_check_state{check=\"cpu\",state=\"OK\"} 0"));
  EXPECT_TRUE(Has(text, "vigil_http_connections 3"));
  EXPECT_TRUE(Has(text, "vigil_stream_connections 2"));
  EXPECT_TRUE(Has(text, "vigil_stream_dropped_lines_total 17"));
  EXPECT_TRUE(Has(text, "process_cpu_seconds_total 0.25"));
  EXPECT_TRUE(Has(text, "process_max_fds 1024"));
}

}  // namespace
}  // namespace vigil::api
