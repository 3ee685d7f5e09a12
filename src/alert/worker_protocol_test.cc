// SPDX-License-Identifier: MIT
// The worker's request and result lines: both ways, and what is refused.
#include "alert/worker_protocol.h"

#include <gtest/gtest.h>

namespace vigil::alert {
namespace {

TEST(WorkerProtocolTest, RequestLineRoundTrip) {
  const std::string line = WorkerRequestLine({7, "/var/lib/vigil/outbox/12.json"});
  EXPECT_EQ(line, "{\"file\":\"/var/lib/vigil/outbox/12.json\",\"seq\":7}\n");
  auto back = ParseWorkerRequest(line.substr(0, line.size() - 1));
  ASSERT_TRUE(back.has_value()) << back.error().message();
  EXPECT_EQ(back->seq, 7u);
  EXPECT_EQ(back->file, "/var/lib/vigil/outbox/12.json");
}

TEST(WorkerProtocolTest, ResultLineRoundTripOnOneLine) {
  EXPECT_EQ(WorkerResultLine({3, true, ""}), "{\"ok\":true,\"seq\":3}\n");
  const std::string failed = WorkerResultLine({4, false, "HTTP 500 from http://x/...:\nline two"});
  EXPECT_EQ(failed.find('\n'), failed.size() - 1) << "one line, whatever the error holds";
  auto back = ParseWorkerResult(failed.substr(0, failed.size() - 1));
  ASSERT_TRUE(back.has_value()) << back.error().message();
  EXPECT_EQ(back->seq, 4u);
  EXPECT_FALSE(back->ok);
  EXPECT_EQ(back->error, "HTTP 500 from http://x/...: line two");
}

TEST(WorkerProtocolTest, AnythingElseIsRefused) {
  for (const char* line :
       {"", "nonsense", "[]", "{\"seq\":1}", "{\"seq\":-1,\"file\":\"/a\"}", "{\"seq\":1,\"file\":\"\"}",
        "{\"seq\":\"1\",\"file\":\"/a\"}", "{\"seq\":1,\"file\":\"/a\",\"colour\":\"red\"}"}) {
    EXPECT_FALSE(ParseWorkerRequest(line).has_value()) << line;
  }
  for (const char* line : {"", "{\"seq\":1}", "{\"ok\":true}", "{\"seq\":1,\"ok\":\"yes\"}"}) {
    EXPECT_FALSE(ParseWorkerResult(line).has_value()) << line;
  }
}

}  // namespace
}  // namespace vigil::alert
