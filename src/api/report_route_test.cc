// SPDX-License-Identifier: MIT
// GET /v1/report through Router::Handle: the period it asks for, the text and the JSON it
// returns, and the errors.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "api/fake_controller_test_util.h"
#include "api/router.h"

namespace vigil::api {
namespace {

using nlohmann::json;

constexpr int64_t kDayMs = 24 * 3600 * 1000;

class ReportingFake : public FakeController {
 public:
  base::Result<ReportView> Report(int64_t period_ms) override {
    periods.push_back(period_ms);
    return answer;
  }
  std::vector<int64_t> periods;
  base::Result<ReportView> answer = ReportView{"vigil report for web1\n", R"({"summary":"7d on web1: 0 incidents"})"};
};

class ReportRouteTest : public ::testing::Test {
 protected:
  std::pair<int, json> Get(const std::string& target) {
    int status = 0;
    json body;
    router_.Handle("GET", target, "", [&](Response r) {
      status = r.status;
      body = json::parse(r.body, nullptr, false);
    });
    return {status, body};
  }

  ReportingFake fake_;
  Router router_{fake_, nullptr};
};

TEST_F(ReportRouteTest, SevenDaysByDefaultWithTextAndReport) {
  auto [status, body] = Get("/v1/report");
  ASSERT_EQ(status, 200) << body.dump();
  EXPECT_EQ(body["text"], "vigil report for web1\n");
  EXPECT_EQ(body["report"]["summary"], "7d on web1: 0 incidents");
  EXPECT_EQ(fake_.periods, std::vector<int64_t>{7 * kDayMs});
}

TEST_F(ReportRouteTest, SinceIsTheStartOfThePeriod) {
  ASSERT_EQ(Get("/v1/report?since=1d").first, 200);
  ASSERT_EQ(fake_.periods.size(), 1u);
  EXPECT_EQ(fake_.periods[0], kDayMs);
}

TEST_F(ReportRouteTest, Errors) {
  EXPECT_EQ(Get("/v1/report?since=soon").first, 400);
  EXPECT_EQ(Get("/v1/report?since=99999999999999").first, 400);  // in the future
  EXPECT_TRUE(fake_.periods.empty());
  fake_.answer = base::Status::Unavailable("no health report: vigild keeps no history");
  auto [status, body] = Get("/v1/report");
  EXPECT_EQ(status, 503);
  EXPECT_EQ(body["error"], "no health report: vigild keeps no history");
}

}  // namespace
}  // namespace vigil::api
