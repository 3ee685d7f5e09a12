// SPDX-License-Identifier: MIT
// GET /v1/top through Router::Handle with a FakeController.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>

#include "api/fake_controller_test_util.h"
#include "api/router.h"

namespace vigil::api {
namespace {

using nlohmann::json;

ProgramInfo Program(const std::string& name) {
  ProgramInfo p;
  p.name = name;
  p.state = "RUNNING";
  return p;
}

ProgramUsage Usage(const std::string& name, double cpu) {
  ProgramUsage u;
  u.name = name;
  u.state = "RUNNING";
  u.pid = 42;
  u.cpu_percent = cpu;
  u.cpu_seconds = 12.345;
  u.memory_bytes = 1 << 20;
  u.processes = 3;
  u.open_fds = 7;
  u.uptime_ms = 5000;
  u.restarts = 1;
  return u;
}

class TopRouteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fake_.programs = {Program("web:0"), Program("web:1"), Program("db")};
    fake_.top.system.cpus = 2;
    fake_.top.system.cpu_percent = 12.3456;
    fake_.top.system.memory_used_percent = 50;
    fake_.top.system.load1 = 0.5;
    fake_.top.programs = {Usage("web:0", 150.04), Usage("web:1", 0), Usage("db", 2)};
  }
  std::pair<int, json> Get(const std::string& target) {
    int status = 0;
    json body;
    router_.Handle("GET", target, "", [&](Response r) {
      status = r.status;
      body = json::parse(r.body, nullptr, false);
    });
    return {status, body};
  }

  FakeController fake_;
  Router router_{fake_, nullptr};
};

TEST_F(TopRouteTest, AnswersTheMachineAndEveryProgram) {
  auto [status, body] = Get("/v1/top");
  ASSERT_EQ(status, 200) << body.dump();
  EXPECT_EQ(body["system"]["cpus"], 2);
  EXPECT_EQ(body["system"]["cpu_percent"], 12.3);  // tenths
  ASSERT_EQ(body["programs"].size(), 3u);
  const json& web = body["programs"][0];
  std::set<std::string> keys;
  for (const auto& [k, v] : web.items()) keys.insert(k);
  EXPECT_EQ(keys, (std::set<std::string>{"name", "state", "pid", "cpu_percent", "cpu_seconds",
                                         "memory_bytes", "pss_bytes", "processes", "open_fds", "uptime_ms",
                                         "restarts"}));
  EXPECT_TRUE(web["pss_bytes"].is_null());  // not read
  EXPECT_TRUE(body["system"]["cpu_pressure"].is_null());  // no pressure stall information
  EXPECT_EQ(web["cpu_percent"], 150.0);
  EXPECT_EQ(web["cpu_seconds"], 12.3);
  EXPECT_EQ(web["memory_bytes"], 1 << 20);
  ASSERT_EQ(fake_.top_queries.size(), 1u);
  EXPECT_TRUE(fake_.top_queries[0].empty());
}

TEST_F(TopRouteTest, NamesSelectAsEverywhereElse) {
  auto [status, body] = Get("/v1/top?names=web");
  ASSERT_EQ(status, 200) << body.dump();
  ASSERT_EQ(body["programs"].size(), 2u);
  EXPECT_EQ(body["programs"][1]["name"], "web:1");

  auto [unknown, error] = Get("/v1/top?names=nope");
  EXPECT_EQ(unknown, 404);
  EXPECT_EQ(error["error"], "unknown program \"nope\"");
  EXPECT_EQ(Get("/v1/top?names=").first, 400);
  EXPECT_EQ(Get("/v1/top?names=,").first, 400);
}

TEST_F(TopRouteTest, OnlyGet) {
  int status = 0;
  router_.Handle("POST", "/v1/top", "{}", [&](Response r) { status = r.status; });
  EXPECT_EQ(status, 405);
}

}  // namespace
}  // namespace vigil::api
