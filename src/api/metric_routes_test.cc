// SPDX-License-Identifier: MIT
// GET /v1/metrics and /v1/metrics/history through Router::Handle with a FakeController.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "api/fake_controller_test_util.h"
#include "api/router.h"
#include "base/clock.h"

namespace vigil::api {
namespace {

using nlohmann::json;

// The fake with a metric history: two names, and the points it was asked for.
class MetricFake : public FakeController {
 public:
  base::Result<std::vector<std::string>> MetricNames() override {
    return std::vector<std::string>{"program.memory:web", "system.cpu"};
  }
  base::Result<std::vector<MetricPointInfo>> MetricHistory(const MetricHistoryQuery& q) override {
    queries.push_back(q);
    if (q.name != "system.cpu") return std::vector<MetricPointInfo>{};
    return std::vector<MetricPointInfo>{{60'000, 2, 12.345, 20}, {120'000, 1, 50, 50}};
  }
  std::vector<MetricHistoryQuery> queries;
};

class MetricRoutesTest : public ::testing::Test {
 protected:
  std::pair<int, json> Get(Router& router, const std::string& target) {
    int status = 0;
    json body;
    router.Handle("GET", target, "", [&](Response r) {
      status = r.status;
      body = json::parse(r.body, nullptr, false);
    });
    return {status, body};
  }
  std::pair<int, json> Get(const std::string& target) { return Get(router_, target); }

  MetricFake fake_;
  Router router_{fake_, nullptr};
};

TEST_F(MetricRoutesTest, ListsTheNames) {
  auto [status, body] = Get("/v1/metrics");
  ASSERT_EQ(status, 200) << body.dump();
  EXPECT_EQ(body["metrics"], json({"program.memory:web", "system.cpu"}));
}

TEST_F(MetricRoutesTest, HistoryAnswersPointsWithTheQueryItRan) {
  const int64_t now = base::UnixMs(std::chrono::system_clock::now());
  auto [status, body] = Get("/v1/metrics/history?name=system.cpu&since=2h&step=5m");
  ASSERT_EQ(status, 200) << body.dump();
  ASSERT_EQ(fake_.queries.size(), 1u);
  const MetricHistoryQuery& q = fake_.queries[0];
  EXPECT_EQ(q.name, "system.cpu");
  EXPECT_EQ(q.step_s, 300);
  EXPECT_NEAR(static_cast<double>(q.since_ms), static_cast<double>(now - 2 * 3600 * 1000), 60'000);
  EXPECT_NEAR(static_cast<double>(q.until_ms), static_cast<double>(now), 60'000);
  EXPECT_EQ(body["name"], "system.cpu");
  EXPECT_EQ(body["step_s"], 300);
  EXPECT_EQ(body["since_ms"], q.since_ms);
  ASSERT_EQ(body["points"].size(), 2u);
  EXPECT_EQ(body["points"][0], json({{"time_ms", 60000}, {"count", 2}, {"avg", 12.35}, {"max", 20.0}}));
}

TEST_F(MetricRoutesTest, HistoryDefaultsToTheLastHourByTheMinuteAndTakesUnixTimes) {
  ASSERT_EQ(Get("/v1/metrics/history?name=program.memory:web").first, 200);
  ASSERT_EQ(Get("/v1/metrics/history?name=system.cpu&since=1000&until=5000&step=1h").first, 200);
  ASSERT_EQ(fake_.queries.size(), 2u);
  EXPECT_EQ(fake_.queries[0].name, "program.memory:web");
  EXPECT_EQ(fake_.queries[0].step_s, 60);
  EXPECT_NEAR(static_cast<double>(fake_.queries[0].until_ms - fake_.queries[0].since_ms), 3600'000, 1000);
  EXPECT_EQ(fake_.queries[1].since_ms, 1000);
  EXPECT_EQ(fake_.queries[1].until_ms, 5000);
  EXPECT_EQ(fake_.queries[1].step_s, 3600);
}

TEST_F(MetricRoutesTest, BadParametersAre400WithAMessage) {
  auto expect_400 = [&](const std::string& target, const std::string& words) {
    auto [status, body] = Get(target);
    EXPECT_EQ(status, 400) << target;
    EXPECT_NE(body.value("error", "").find(words), std::string::npos) << target << ": " << body.dump();
  };
  expect_400("/v1/metrics/history", "\"name\" is required");
  expect_400("/v1/metrics/history?name=", "\"name\" is required");
  expect_400("/v1/metrics/history?name=system.cpu&since=yesterday", "\"since\"");
  expect_400("/v1/metrics/history?name=system.cpu&until=soon", "\"until\"");
  expect_400("/v1/metrics/history?name=system.cpu&step=0s", "\"step\"");
  expect_400("/v1/metrics/history?name=system.cpu&step=1500ms", "\"step\"");
  expect_400("/v1/metrics/history?name=system.cpu&step=often", "\"step\"");
  EXPECT_TRUE(fake_.queries.empty());
}

TEST_F(MetricRoutesTest, WithoutHistoryTheAnswerIs503) {
  FakeController plain;
  Router router{plain, nullptr};
  EXPECT_EQ(Get(router, "/v1/metrics").first, 503);
  EXPECT_EQ(Get(router, "/v1/metrics/history?name=system.cpu").first, 503);
}

}  // namespace
}  // namespace vigil::api
