// SPDX-License-Identifier: MIT
// GET /v1/findings through Router::Handle with a FakeController: the query it passes on,
// paging, and the 400s for bad parameters.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "api/fake_controller_test_util.h"
#include "api/router.h"

namespace vigil::api {
namespace {

using nlohmann::json;

class FindingsRouteTest : public ::testing::Test {
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

  FakeController fake_;
  Router router_{fake_, nullptr};
};

TEST_F(FindingsRouteTest, ListsFindingsWithTheirFields) {
  fake_.findings = {{7, 1796130000000, "info", "check", "cpu", "Back to OK: CPU at 41.0%, after 25m CRIT.", 6},
                    {6, 1796128500000, "crit", "check", "cpu", "CPU at 93.1% (critical at 90.0%).", 0}};
  auto [status, body] = Get("/v1/findings?severity=warn&since=7d&limit=2");
  ASSERT_EQ(status, 200) << body.dump();
  ASSERT_EQ(body["findings"].size(), 2u);
  EXPECT_EQ(body["findings"][0]["raise_id"], 6);
  EXPECT_EQ(body["findings"][1]["severity"], "crit");
  EXPECT_EQ(body["findings"][1]["text"], "CPU at 93.1% (critical at 90.0%).");
  EXPECT_EQ(body["next_before"], 6);  // a full page: there may be more
  ASSERT_EQ(fake_.finding_queries.size(), 1u);
  EXPECT_EQ(fake_.finding_queries[0].min_rank, 1);
  EXPECT_EQ(fake_.finding_queries[0].limit, 2);
  EXPECT_GT(fake_.finding_queries[0].since_ms, 0);
}

TEST_F(FindingsRouteTest, BadParametersAre400WithAMessage) {
  auto [status, body] = Get("/v1/findings?severity=loud");
  EXPECT_EQ(status, 400);
  EXPECT_EQ(body["error"], "severity must be info, warn or crit, got \"loud\"");
  EXPECT_EQ(Get("/v1/findings?since=soon").first, 400);
  EXPECT_EQ(Get("/v1/findings?limit=0").first, 400);
  EXPECT_EQ(Get("/v1/findings?before=x").first, 400);
  EXPECT_TRUE(fake_.finding_queries.empty());
}

}  // namespace
}  // namespace vigil::api
