// SPDX-License-Identifier: MIT
// End-to-end tests of vigil-alert's webhook channel: the real binary against a local
// HTTP(S) receiver (testdata/http_sink.py) that records what it got.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "alert/delivery_test_util.h"
#include "alert/request.h"
#include "util/temp_dir.h"

namespace vigil::alert {
namespace {

using nlohmann::json;
using testing::RunVigilAlert;
using testing::Sink;
namespace fs = std::filesystem;

class WebhookDeliveryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!testing::HavePython()) GTEST_SKIP() << "/usr/bin/python3 is not installed";
  }

  std::unique_ptr<Sink> StartSink(std::vector<std::string> args) {
    auto sink = std::make_unique<Sink>("http_sink.py", dir_.path() / "sink", args);
    EXPECT_TRUE(sink->ready()) << sink->log();
    return sink;
  }

  DeliveryRequest Request(const std::string& url) {
    DeliveryRequest r;
    r.channel = Channel::kWebhook;
    r.webhook.url = url;
    r.webhook.timeout = std::chrono::seconds(20);
    r.notification.id = "n-7";
    r.notification.time_ms = 1796000000123;
    r.notification.severity = "warn";
    r.notification.category = "check";
    r.notification.subject = "disk-root";
    r.notification.title = "disk / is 91% full";
    r.notification.text = "/ has 4.5 GB left of 50 GB.";
    r.notification.host = "web1";
    return r;
  }

  json Received(const Sink& sink, int n = 1) {
    fs::path file = sink.dir() / "requests" / (std::to_string(n) + ".json");
    EXPECT_TRUE(testing::WaitFor([&] { return fs::exists(file); }, std::chrono::seconds(10))) << sink.log();
    return json::parse(testing::ReadWholeFile(file), nullptr, false);
  }

  vigil::testing::TempDir dir_;
};

TEST_F(WebhookDeliveryTest, PostsTheDocumentedJsonWithHeaders) {
  auto sink = StartSink({});
  ASSERT_TRUE(sink->ready());
  std::string url = "http://127.0.0.1:" + std::to_string(sink->port()) + "/hooks/abc?x=1";
  DeliveryRequest r = Request(url);
  r.webhook.headers = {{"X-Team", "ops"}};
  testing::WriteWholeFile(dir_ / "token", "Bearer xyz\n");
  r.webhook.header_files = {{"Authorization", (dir_ / "token").string()}};
  auto result = RunVigilAlert(dir_.path(), ToJson(r));
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.err, "");

  json got = Received(*sink);
  EXPECT_EQ(got["method"], "POST");
  EXPECT_EQ(got["path"], "/hooks/abc?x=1");
  EXPECT_EQ(got["headers"]["content-type"], "application/json");
  EXPECT_EQ(got["headers"]["authorization"], "Bearer xyz");
  EXPECT_EQ(got["headers"]["x-team"], "ops");
  EXPECT_EQ(got["headers"]["user-agent"].get<std::string>().rfind("vigil-alert/", 0), 0u);
  json body = json::parse(got["body"].get<std::string>());
  EXPECT_EQ(body["id"], "n-7");
  EXPECT_EQ(body["time"], "2026-11-30T00:53:20.123Z");
  EXPECT_EQ(body["severity"], "warn");
  EXPECT_EQ(body["subject"], "disk-root");
  EXPECT_EQ(body["body"], "/ has 4.5 GB left of 50 GB.");
  EXPECT_EQ(body["text"], "[vigil@web1] WARN check disk-root: disk / is 91% full\n/ has 4.5 GB left of 50 GB.");
}

TEST_F(WebhookDeliveryTest, HttpsWithAPrivateCa) {
  if (!testing::HaveOpenssl()) GTEST_SKIP() << "openssl is not installed";
  auto sink = StartSink({"--tls"});
  ASSERT_TRUE(sink->ready());
  DeliveryRequest r = Request("https://localhost:" + std::to_string(sink->port()) + "/hook");
  r.webhook.ca_file = (sink->dir() / "cert.pem").string();
  auto result = RunVigilAlert(dir_.path(), ToJson(r));
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(Received(*sink)["path"], "/hook");

  r.webhook.ca_file = "";
  result = RunVigilAlert(dir_.path(), ToJson(r));
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.err.rfind("TLS certificate of localhost:" + std::to_string(sink->port()) + " is not trusted", 0), 0u)
      << result.err;
}

TEST_F(WebhookDeliveryTest, ReceiverDown) {
  testing::ClosedPort closed;
  ASSERT_GT(closed.port(), 0);
  auto result = RunVigilAlert(dir_.path(), ToJson(Request("http://127.0.0.1:" + std::to_string(closed.port()) + "/")));
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.err, "cannot connect to 127.0.0.1:" + std::to_string(closed.port()) + ": Connection refused\n");
}

TEST_F(WebhookDeliveryTest, ErrorStatusQuotesTheAnswerButNotTheSecretPath) {
  auto sink = StartSink({"--status", "500", "--answer", "internal error:\nthe database is down"});
  ASSERT_TRUE(sink->ready());
  std::string base = "http://127.0.0.1:" + std::to_string(sink->port());
  auto result = RunVigilAlert(dir_.path(), ToJson(Request(base + "/services/T0/B0/SECRET")));
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.err, "HTTP 500 from " + base + "/...: internal error: the database is down\n");
  EXPECT_EQ(result.err.find("SECRET"), std::string::npos);
}

TEST_F(WebhookDeliveryTest, LongAnswerIsCut) {
  auto sink = StartSink({"--status", "400", "--answer", std::string(1000, 'e')});
  ASSERT_TRUE(sink->ready());
  auto result = RunVigilAlert(dir_.path(), ToJson(Request("http://127.0.0.1:" + std::to_string(sink->port()))));
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_LT(result.err.size(), 300u) << result.err;
  EXPECT_NE(result.err.find("HTTP 400 from"), std::string::npos);
}

TEST_F(WebhookDeliveryTest, RedirectIsNotFollowed) {
  auto sink = StartSink({"--status", "301", "--answer", "moved"});
  ASSERT_TRUE(sink->ready());
  auto result = RunVigilAlert(dir_.path(), ToJson(Request("http://127.0.0.1:" + std::to_string(sink->port()) + "/")));
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("HTTP 301 from"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("redirects are not followed"), std::string::npos) << result.err;
}

}  // namespace
}  // namespace vigil::alert
