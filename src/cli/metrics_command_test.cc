// SPDX-License-Identifier: MIT
// `vigil metrics` against a FakeClient: the requests, the list, the table and the codes;
// and the pressure of `vigil top`'s machine line.
#include <gtest/gtest.h>

#include <sstream>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/fake_client_test_util.h"

namespace vigil::cli {
namespace {

class MetricsCommandTest : public ::testing::Test {
 protected:
  int Run(Invocation inv, const std::string& command = "metrics") {
    inv.command = command;
    Context ctx{client_, "/run/test/vigil.sock", out_, err_, false};
    return RunCommand(inv, ctx);
  }
  FakeClient client_;
  std::ostringstream out_, err_;
};

TEST_F(MetricsCommandTest, WithoutANameListsTheMetrics) {
  client_.Reply(200, R"({"metrics":["disk.space:/","system.cpu"]})");
  EXPECT_EQ(Run(Invocation{}), kExitOk);
  ASSERT_EQ(client_.requests.size(), 1u);
  EXPECT_EQ(client_.requests[0].target, "/v1/metrics");
  EXPECT_EQ(out_.str(), "disk.space:/\nsystem.cpu\n");
}

TEST_F(MetricsCommandTest, ANameShowsItsPointsAsATable) {
  client_.Reply(200, R"({"name":"program.memory:web:0","step_s":60,"points":[)"
                     R"({"time_ms":1796083200000,"count":2,"avg":1048576,"max":2097152}]})");
  Invocation inv;
  inv.name = "program.memory:web:0";
  inv.since = "2h";
  inv.step = "1m";
  EXPECT_EQ(Run(inv), kExitOk);
  ASSERT_EQ(client_.requests.size(), 1u);
  EXPECT_EQ(client_.requests[0].target, "/v1/metrics/history?name=program.memory%3Aweb%3A0&since=2h&step=1m");
  EXPECT_EQ(out_.str(),
            "TIME                      AVG   MAX   SAMPLES\n"
            "2026-12-01T00:00:00.000Z  1 MB  2 MB  2\n");
}

TEST_F(MetricsCommandTest, NoPointsSaysSoAndJsonIsTheReply) {
  client_.Reply(200, R"({"name":"system.cpu","points":[]})");
  Invocation inv;
  inv.name = "system.cpu";
  EXPECT_EQ(Run(inv), kExitOk);
  EXPECT_EQ(out_.str(), "no samples of system.cpu since 1h ago\n");
  out_.str("");
  client_.Reply(200, R"({"name":"system.cpu","points":[]})");
  inv.json = true;
  EXPECT_EQ(Run(inv), kExitOk);
  EXPECT_EQ(out_.str(), "{\"name\":\"system.cpu\",\"points\":[]}\n");
}

TEST_F(MetricsCommandTest, ABadStepIsTheDaemonsMessage) {
  client_.Reply(400, R"({"error":"query parameter \"step\" must be a duration of whole seconds"})");
  Invocation inv;
  inv.name = "system.cpu";
  inv.step = "1500ms";
  EXPECT_NE(Run(inv), kExitOk);
  EXPECT_NE(err_.str().find("\"step\" must be"), std::string::npos) << err_.str();
}

TEST_F(MetricsCommandTest, TopShowsPressureWhereTheKernelHasIt) {
  client_.Reply(200, R"({"system":{"cpus":1,"cpu_percent":1,"memory_used_percent":2,"memory_total_bytes":1024,)"
                     R"("swap_used_percent":0,"load1":0,"load5":0,"load15":0,"cpu_pressure":1.25,)"
                     R"("memory_pressure":null,"io_pressure":0.5},"disks":[],"programs":[]})");
  Invocation inv;
  inv.once = true;
  EXPECT_EQ(Run(inv, "top"), kExitOk);
  EXPECT_NE(out_.str().find("load 0.00 0.00 0.00   pressure cpu 1.2% io 0.5%\n"), std::string::npos) << out_.str();
}

}  // namespace
}  // namespace vigil::cli
