// SPDX-License-Identifier: MIT
// `vigil top --once` and `--json` against a FakeClient: the request, the table, the codes.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/fake_client_test_util.h"

namespace vigil::cli {
namespace {

constexpr char kTop[] =
    R"({"system":{"cpus":2,"cpu_percent":12.3,"memory_used_percent":45.6,)"
    R"("memory_total_bytes":25769803776,"memory_available_bytes":1,"swap_used_percent":0,)"
    R"("load1":0.5,"load5":0.25,"load15":0.125},"disks":[)"
    R"({"mount_point":"/","fs_type":"ext4","total_bytes":107374182400,"available_bytes":1,)"
    R"("used_percent":45.2,"inodes_used_percent":3.1,"error":""},)"
    R"({"mount_point":"/mnt/nfs","fs_type":"nfs4","total_bytes":0,"available_bytes":0,)"
    R"("used_percent":0,"inodes_used_percent":0,"error":"not answering after 2000 ms"}],"programs":[)"
    R"({"name":"web:0","state":"RUNNING","pid":1234,"cpu_percent":150.04,"cpu_seconds":75.2,)"
    R"("memory_bytes":1048576,"processes":3,"open_fds":7,"uptime_ms":5000,"restarts":1},)"
    R"({"name":"db","state":"STOPPED","pid":0,"cpu_percent":0,"cpu_seconds":0,)"
    R"("memory_bytes":0,"processes":0,"open_fds":0,"uptime_ms":-1,"restarts":0}]})";

class TopCommandTest : public ::testing::Test {
 protected:
  int Run(Invocation inv) {
    inv.command = "top";
    Context ctx{client_, "/run/test/vigil.sock", out_, err_, false};
    return RunCommand(inv, ctx);
  }
  FakeClient client_;
  std::ostringstream out_, err_;
};

TEST_F(TopCommandTest, OncePrintsTheMachineAndOneRowPerProgram) {
  client_.Reply(200, kTop);
  Invocation inv;
  inv.once = true;
  EXPECT_EQ(Run(inv), kExitOk);
  ASSERT_EQ(client_.requests.size(), 1u);
  EXPECT_EQ(client_.requests[0].target, "/v1/top");
  EXPECT_EQ(out_.str(),
            "cpu 12.3% of 2 cpus   memory 45.6% of 24 GB   swap 0.0%   load 0.50 0.25 0.12\n"
            "disk  /         45.2% of 100 GB  inodes 3.1%\n"
            "disk  /mnt/nfs  not answering after 2000 ms\n"
            "\n"
            "NAME   STATE    PID   CPU%   CPU TIME  MEMORY  PROCS  FDS  UPTIME  RESTARTS\n"
            "web:0  RUNNING  1234  150.0  1m15s     1 MB    3      7    5s      1\n"
            "db     STOPPED  -     -      -         -       -      -    -       0\n");
  EXPECT_EQ(err_.str(), "");
}

TEST_F(TopCommandTest, JsonIsTheReplyAndNamesGoToTheQuery) {
  client_.Reply(200, kTop);
  Invocation inv;
  inv.json = true;
  inv.names = {"web", "db"};
  EXPECT_EQ(Run(inv), kExitOk);
  EXPECT_EQ(client_.requests[0].target, "/v1/top?names=web%2Cdb");
  EXPECT_EQ(out_.str(), std::string(kTop) + "\n");
}

TEST_F(TopCommandTest, AnUnknownProgramIsAnError) {
  client_.Reply(404, R"({"error":"unknown program \"nope\""})");
  Invocation inv;
  inv.once = true;
  inv.names = {"nope"};
  EXPECT_EQ(Run(inv), kExitFailed);
  EXPECT_EQ(err_.str(), "vigil: unknown program \"nope\"\n");
}

}  // namespace
}  // namespace vigil::cli

namespace vigil::cli {
namespace {

class HealthCommandTest : public ::testing::Test {
 protected:
  int Run(Invocation inv) {
    inv.command = "health";
    Context ctx{client_, "/run/test/vigil.sock", out_, err_, false};
    ctx.now_ms = [] { return int64_t{1'800'000'000'000}; };
    return RunCommand(inv, ctx);
  }
  FakeClient client_;
  std::ostringstream out_, err_;
};

TEST_F(HealthCommandTest, OneRowPerCheck) {
  client_.Reply(200,
                R"x({"checks":[{"name":"cpu","metric":"cpu","path":"","state":"CRIT","since_ms":1799999700000,)x"
                R"x("value":93.1,"warn":80,"crit":90,"message":"CPU at 93.1% (critical at 90.0%)"},)x"
                R"x({"name":"root","metric":"disk","path":"/","state":"PENDING","since_ms":0,"value":null,)x"
                R"x("warn":90,"crit":null,"message":""}]})x");
  EXPECT_EQ(Run(Invocation{}), kExitOk);
  EXPECT_EQ(client_.requests[0].target, "/v1/health");
  EXPECT_EQ(out_.str(),
            "CHECK  STATE    SINCE     MESSAGE\n"
            "cpu    CRIT     5m0s ago  CPU at 93.1% (critical at 90.0%)\n"
            "root   PENDING  -\n");
}

// GET /v1/health as vigild answers it: the machine's "system" and "disks" of kTop, no
// programs, and the checks.
std::string HealthReply(const std::string& checks) {
  nlohmann::json reply = nlohmann::json::parse(kTop);
  reply.erase("programs");
  reply["checks"] = nlohmann::json::parse(checks);
  return reply.dump();
}

TEST_F(HealthCommandTest, TheMachinesFiguresComeFirstFromOneQuestion) {
  client_.Reply(200, HealthReply("[]"));
  EXPECT_EQ(Run(Invocation{}), kExitOk);
  ASSERT_EQ(client_.requests.size(), 1u);
  EXPECT_EQ(client_.requests[0].target, "/v1/health");
  EXPECT_EQ(out_.str(),
            "cpu 12.3% of 2 cpus   memory 45.6% of 24 GB   swap 0.0%   load 0.50 0.25 0.12\n"
            "disk  /         45.2% of 100 GB  inodes 3.1%\n"
            "disk  /mnt/nfs  not answering after 2000 ms\n"
            "\n"
            "no health checks configured\n");
}

TEST_F(HealthCommandTest, JsonIsTheReply) {
  client_.Reply(200, HealthReply("[]"));
  Invocation inv;
  inv.json = true;
  EXPECT_EQ(Run(inv), kExitOk);
  ASSERT_EQ(client_.requests.size(), 1u);
  const auto out = nlohmann::json::parse(out_.str());
  EXPECT_EQ(out, nlohmann::json::parse(HealthReply("[]")));
  EXPECT_TRUE(out["checks"].is_array());
  EXPECT_EQ(out["system"]["cpus"], 2);
  EXPECT_EQ(out["disks"].size(), 2u);
  EXPECT_FALSE(out.contains("programs"));
}

TEST_F(HealthCommandTest, AVigildWithoutTheMachineInItsAnswerShowsTheChecksAlone) {
  client_.Reply(200, R"({"checks":[]})");
  EXPECT_EQ(Run(Invocation{}), kExitOk);
  EXPECT_EQ(out_.str(), "no health checks configured\n");
}

TEST_F(HealthCommandTest, AReplyWithoutChecksIsUnexpected) {
  client_.Reply(200, R"({"system":{}})");
  EXPECT_NE(Run(Invocation{}), kExitOk);
  EXPECT_NE(err_.str().find("no \"checks\" in the reply"), std::string::npos) << err_.str();
}

}  // namespace
}  // namespace vigil::cli
