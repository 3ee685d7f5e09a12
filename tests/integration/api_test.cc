// SPDX-License-Identifier: MIT
// End-to-end: the HTTP API on the unix socket answers with JSON, and with fitting 4xx
// codes for bad requests; the socket is private to its owner.
#include <sys/stat.h>

#include <fmt/format.h>

#include "harness.h"

namespace vigil::testing {
namespace {

class ApiTest : public VigilTest {
 protected:
  void SetUp() override {
    VigilTest::SetUp();
    WriteConfig(fmt::format("[program.web]\ncommand = [\"{}\", \"idle\"]\nstart_seconds = \"100ms\"\n", Child()));
    StartDaemon();
  }
};

TEST_F(ApiTest, ListsProgramsAsJson) {
  ASSERT_TRUE(WaitForState("web", "RUNNING"));
  auto [code, body] = Http("GET", "/v1/programs");
  EXPECT_EQ(code, 200);
  auto j = nlohmann::json::parse(body);
  EXPECT_EQ(j["programs"][0]["name"], "web");
  EXPECT_EQ(j["programs"][0]["state"], "RUNNING");
}

TEST_F(ApiTest, UnknownProgramIs404) {
  auto [code, body] = Http("GET", "/v1/programs/nope");
  EXPECT_EQ(code, 404);
  EXPECT_TRUE(nlohmann::json::parse(body).contains("error"));
  auto [code2, body2] = Http("POST", "/v1/start", R"({"programs":["nope"]})");
  EXPECT_EQ(code2, 404) << body2;
}

TEST_F(ApiTest, BadRequestIs400) {
  auto [code, body] = Http("POST", "/v1/start", "{not json");
  EXPECT_EQ(code, 400);
  EXPECT_TRUE(nlohmann::json::parse(body).contains("error"));
  auto [code2, body2] = Http("POST", "/v1/signal", R"({"programs":["web"],"signal":"NOPE"})");
  EXPECT_EQ(code2, 400) << body2;
}

TEST_F(ApiTest, UnknownRouteIs404) {
  auto [code, body] = Http("GET", "/v1/nothing-here");
  EXPECT_EQ(code, 404);
}

TEST_F(ApiTest, SocketIsPrivate) {
  struct stat st {};
  ASSERT_EQ(::stat(socket_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
}

TEST_F(ApiTest, CliExitsThreeWhenDaemonIsUnreachable) {
  auto r = RunCommand({VIGIL_BIN, "--socket", (dir_ / "no.sock").string(), "status"});
  EXPECT_EQ(r.exit_code, 3);
}

}  // namespace
}  // namespace vigil::testing
