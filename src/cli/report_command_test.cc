// SPDX-License-Identifier: MIT
// `vigil report` against a FakeClient: the request, the text it prints, --json, the codes.
#include <gtest/gtest.h>

#include <sstream>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/fake_client_test_util.h"

namespace vigil::cli {
namespace {

class ReportCommandTest : public ::testing::Test {
 protected:
  int Run(Invocation inv) {
    inv.command = "report";
    Context ctx{client_, "/run/test/vigil.sock", out_, err_, false};
    return RunCommand(inv, ctx);
  }
  FakeClient client_;
  std::ostringstream out_, err_;
};

TEST_F(ReportCommandTest, PrintsTheText) {
  client_.Reply(200, R"({"text":"vigil report for web1\n\n7d on web1: 0 incidents.\n","report":{}})");
  EXPECT_EQ(Run({}), kExitOk);
  ASSERT_EQ(client_.requests.size(), 1u);
  EXPECT_EQ(client_.requests[0].target, "/v1/report");
  EXPECT_EQ(out_.str(), "vigil report for web1\n\n7d on web1: 0 incidents.\n");
}

TEST_F(ReportCommandTest, SinceAndJson) {
  const std::string body = R"({"text":"x","report":{"summary":"s"}})";
  client_.Reply(200, body);
  Invocation inv;
  inv.since = "1d";
  inv.json = true;
  EXPECT_EQ(Run(inv), kExitOk);
  EXPECT_EQ(client_.requests[0].target, "/v1/report?since=1d");
  EXPECT_NE(out_.str().find(R"("summary":"s")"), std::string::npos) << out_.str();
}

TEST_F(ReportCommandTest, AnErrorIsReported) {
  client_.Reply(503, R"({"error":"no health report: vigild keeps no history"})");
  EXPECT_NE(Run({}), kExitOk);
  EXPECT_NE(err_.str().find("no health report: vigild keeps no history"), std::string::npos) << err_.str();
}

}  // namespace
}  // namespace vigil::cli
