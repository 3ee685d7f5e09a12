// SPDX-License-Identifier: MIT
// GET /v1/health through Router::Handle: the machine's figures and every check in one answer.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <set>

#include "api/fake_controller_test_util.h"
#include "api/router.h"

namespace vigil::api {
namespace {

using nlohmann::json;

// Holds Machine()'s answer until the test gives it, as a slow filesystem would.
class SlowMachine : public FakeController {
 public:
  void Machine(TopDoneFn done) override { held.push_back(std::move(done)); }
  std::vector<TopDoneFn> held;
};

CheckInfo Cpu() {
  CheckInfo c;
  c.name = "cpu";
  c.kind = "metric";
  c.target = "cpu";
  c.metric = "cpu";
  c.state = "WARN";
  c.since_ms = 1'796'130'000'000;
  c.value = 85.24;
  c.warn = 80;
  c.crit = 90;
  c.message = "CPU at 85.2% (warning at 80.0%)";
  return c;
}

TopView Machine() {
  TopView view;
  view.system.cpus = 2;
  view.system.cpu_percent = 85.24;
  view.system.memory_used_percent = 41;
  view.system.load1 = 1.2;
  DiskUsage root;
  root.mount_point = "/";
  root.fs_type = "ext4";
  root.total_bytes = 1000;
  root.used_percent = 24;
  view.disks = {root};
  ProgramUsage web;
  web.name = "web";
  view.programs = {web};
  return view;
}

std::set<std::string> Keys(const json& object) {
  std::set<std::string> keys;
  for (const auto& [k, v] : object.items()) keys.insert(k);
  return keys;
}

class HealthRouteTest : public ::testing::Test {
 protected:
  // Handles a GET; the answer lands in status_ and body_ whenever the router gives it.
  void Get(Router& router, const std::string& target) {
    router.Handle("GET", target, "", [this](Response r) {
      status_ = r.status;
      body_ = json::parse(r.body, nullptr, false);
    });
  }

  std::optional<int> status_;
  json body_;
};

TEST_F(HealthRouteTest, TheMachineWithoutProgramsAndEveryCheck) {
  FakeController fake;
  fake.top = Machine();
  fake.checks = {Cpu()};
  Router router(fake, nullptr);
  Get(router, "/v1/health");
  ASSERT_EQ(status_, 200) << body_.dump();
  EXPECT_EQ(Keys(body_), (std::set<std::string>{"system", "disks", "checks"}));
  EXPECT_EQ(body_["system"]["cpus"], 2);
  EXPECT_EQ(body_["system"]["cpu_percent"], 85.2);  // tenths, as GET /v1/top
  EXPECT_TRUE(body_["system"]["cpu_pressure"].is_null());
  ASSERT_EQ(body_["disks"].size(), 1u);
  EXPECT_EQ(body_["disks"][0]["mount_point"], "/");
  ASSERT_EQ(body_["checks"].size(), 1u);
  EXPECT_EQ(body_["checks"][0]["name"], "cpu");
  EXPECT_EQ(body_["checks"][0]["value"], 85.24);  // hundredths
  EXPECT_EQ(body_["checks"][0]["message"], "CPU at 85.2% (warning at 80.0%)");
}

TEST_F(HealthRouteTest, NoChecksIsAnEmptyList) {
  FakeController fake;
  fake.top = Machine();
  Router router(fake, nullptr);
  Get(router, "/v1/health");
  ASSERT_EQ(status_, 200);
  EXPECT_TRUE(body_["checks"].is_array());
  EXPECT_TRUE(body_["checks"].empty());
  EXPECT_EQ(body_["system"]["cpus"], 2);
}

// The filesystems are measured off the loop thread: the answer waits for them, never the
// loop, and carries the checks as they stood when asked.
TEST_F(HealthRouteTest, TheAnswerWaitsForTheFilesystemsNotTheLoop) {
  SlowMachine fake;
  fake.checks = {Cpu()};
  Router router(fake, nullptr);
  Get(router, "/v1/health");
  EXPECT_FALSE(status_.has_value());
  ASSERT_EQ(fake.held.size(), 1u);
  fake.checks.clear();
  fake.held[0](Machine());
  ASSERT_EQ(status_, 200);
  EXPECT_EQ(body_["checks"].size(), 1u);
  EXPECT_FALSE(body_.contains("programs"));
}

TEST_F(HealthRouteTest, AFailedMeasurementIsAnError) {
  SlowMachine fake;
  Router router(fake, nullptr);
  Get(router, "/v1/health");
  ASSERT_EQ(fake.held.size(), 1u);
  fake.held[0](base::Status::Unavailable("cannot read /proc"));
  EXPECT_EQ(status_, 503);
  EXPECT_EQ(body_["error"], "cannot read /proc");
}

TEST_F(HealthRouteTest, OnlyGet) {
  FakeController fake;
  Router router(fake, nullptr);
  int status = 0;
  router.Handle("POST", "/v1/health", "{}", [&](Response r) { status = r.status; });
  EXPECT_EQ(status, 405);
}

}  // namespace
}  // namespace vigil::api
