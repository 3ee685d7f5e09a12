// SPDX-License-Identifier: MIT
// Tests of the request vigild writes for vigil-alert: it must round-trip, and a bad one
// must be refused with a message naming the field.
#include "alert/request.h"

#include <gtest/gtest.h>

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace vigil::alert {
namespace {

using nlohmann::json;

Notification SampleNotification() {
  Notification n;
  n.id = "n-42";
  n.time_ms = 1796000000123;
  n.severity = "warn";
  n.category = "program";
  n.subject = "worker";
  n.title = "worker keeps exiting";
  n.text = "worker exited 5 times in 10 minutes.\nLast exit: status 1.";
  n.host = "web1";
  return n;
}

DeliveryRequest EmailRequest() {
  DeliveryRequest r;
  r.channel = Channel::kEmail;
  r.email.server = "smtp.example.com";
  r.email.port = 465;
  r.email.tls = EmailSpec::Tls::kImplicit;
  r.email.username = "alerts";
  r.email.password_file = "/etc/vigil/smtp.pass";
  r.email.from = "vigil@example.com";
  r.email.to = {"ops@example.com", "dev@example.org"};
  r.email.ca_file = "/etc/vigil/ca.pem";
  r.email.timeout = std::chrono::seconds(20);
  r.notification = SampleNotification();
  return r;
}

DeliveryRequest WebhookRequest() {
  DeliveryRequest r;
  r.channel = Channel::kWebhook;
  r.webhook.url = "https://hooks.example.com/services/T0/B0/secret";
  r.webhook.headers = {{"X-Team", "ops"}};
  r.webhook.header_files = {{"Authorization", "/etc/vigil/hook.token"}};
  r.webhook.timeout = std::chrono::milliseconds(2500);
  r.notification = SampleNotification();
  r.notification.recovery = true;
  return r;
}

TEST(RequestTest, EmailRoundTrips) {
  DeliveryRequest r = EmailRequest();
  std::string text = ToJson(r);
  auto back = ParseDeliveryRequest(text);
  ASSERT_TRUE(back.has_value()) << back.error().message() << "\n" << text;
  EXPECT_EQ(*back, r);
  json j = json::parse(text);
  EXPECT_EQ(j["channel"], "email");
  EXPECT_EQ(j["email"]["tls"], "implicit");
  EXPECT_EQ(j["email"]["timeout_ms"], 20000);
  EXPECT_FALSE(j.contains("webhook"));
}

TEST(RequestTest, WebhookRoundTrips) {
  DeliveryRequest r = WebhookRequest();
  std::string text = ToJson(r);
  auto back = ParseDeliveryRequest(text);
  ASSERT_TRUE(back.has_value()) << back.error().message() << "\n" << text;
  EXPECT_EQ(*back, r);
  EXPECT_FALSE(json::parse(text).contains("email"));
}

TEST(RequestTest, OptionalFieldsTakeDefaults) {
  auto r = ParseDeliveryRequest(R"({"channel": "email",
      "email": {"server": "localhost", "from": "a@example.com", "to": ["b@example.com"]},
      "notification": {"id": "x", "time_ms": 0, "severity": "info", "category": "test",
                       "title": "hello", "host": "h"}})");
  ASSERT_TRUE(r.has_value()) << r.error().message();
  EXPECT_EQ(r->email.port, 587);
  EXPECT_EQ(r->email.tls, EmailSpec::Tls::kStartTls);
  EXPECT_EQ(r->email.timeout, std::chrono::seconds(30));
  EXPECT_EQ(r->notification.text, "");
  EXPECT_FALSE(r->notification.recovery);
}

TEST(RequestTest, InvalidUtf8StillMakesValidJson) {
  DeliveryRequest r = WebhookRequest();
  r.notification.text = "bad \xC3 byte";
  auto back = ParseDeliveryRequest(ToJson(r));
  ASSERT_TRUE(back.has_value()) << back.error().message();
  EXPECT_EQ(back->notification.text, "bad \xEF\xBF\xBD byte");
}

TEST(RequestTest, BadRequestsNameTheProblem) {
  struct Case {
    std::function<void(json&)> change;
    std::string message;
  };
  std::vector<Case> cases = {
      {[](json& j) { j = json::array(); }, "the request must be a JSON object"},
      {[](json& j) { j.erase("channel"); }, "missing field channel"},
      {[](json& j) { j["channel"] = "sms"; }, "channel must be \"email\" or \"webhook\""},
      {[](json& j) { j["channel"] = "webhook"; }, "webhook is required when channel is \"webhook\""},
      {[](json& j) { j["webhook"] = json::object(); }, "webhook must be absent when channel is \"email\""},
      {[](json& j) { j.erase("email"); }, "email is required when channel is \"email\""},
      {[](json& j) { j["email"] = "smtp://x"; }, "email must be a JSON object"},
      {[](json& j) { j.erase("notification"); }, "missing field notification"},
      {[](json& j) { j["extra"] = 1; }, "unknown field extra"},
      {[](json& j) { j["email"]["sever"] = "x"; }, "unknown field email.sever"},
      {[](json& j) { j["email"]["port"] = "465"; }, "email.port must be an integer"},
      {[](json& j) { j["email"]["port"] = 70000; }, "email.port must be 1-65535"},
      {[](json& j) { j["email"]["tls"] = "ssl"; }, "email.tls must be \"none\", \"starttls\" or \"implicit\""},
      {[](json& j) { j["email"]["to"] = "ops@example.com"; }, "email.to must be an array of strings"},
      {[](json& j) {
         j["email"]["to"] = {"ops@example.com", 7};
       },
       "email.to must be an array of strings"},
      {[](json& j) { j["email"]["to"] = {"ops"}; }, "email.to: \"ops\" is not an email address"},
      {[](json& j) { j["email"]["timeout_ms"] = 0; }, "email.timeout must be more than 0"},
      {[](json& j) { j["email"]["timeout_ms"] = 18446744073709551615u; }, "email.timeout_ms is too large"},
      {[](json& j) { j["notification"]["severity"] = "bad"; }, "notification.severity must be"},
  };
  for (const Case& c : cases) {
    json j = json::parse(ToJson(EmailRequest()));
    c.change(j);
    auto r = ParseDeliveryRequest(j.dump());
    ASSERT_FALSE(r.has_value()) << c.message;
    EXPECT_EQ(r.error().code(), base::StatusCode::kInvalidArgument);
    EXPECT_NE(r.error().message().find(c.message), std::string::npos) << r.error().message();
  }
}

TEST(RequestTest, BadWebhookRequests) {
  struct Case {
    std::function<void(json&)> change;
    std::string message;
  };
  std::vector<Case> cases = {
      {[](json& j) { j["webhook"]["url"] = "ftp://example.com"; }, "webhook.url must start with http://"},
      {[](json& j) {
         j["webhook"]["headers"] = {{"X-A", 1}};
       },
       "webhook.headers must be an object of strings"},
      {[](json& j) {
         j["webhook"]["headers"] = {{"X-A", "a\nb"}};
       },
       "webhook.headers: the value of X-A contains"},
      {[](json& j) {
         j["webhook"]["header_files"] = {{"X-Team", "/x"}};
       },
       "X-Team is also set in headers"},
  };
  for (const Case& c : cases) {
    json j = json::parse(ToJson(WebhookRequest()));
    c.change(j);
    auto r = ParseDeliveryRequest(j.dump());
    ASSERT_FALSE(r.has_value()) << c.message;
    EXPECT_NE(r.error().message().find(c.message), std::string::npos) << r.error().message();
  }
}

TEST(RequestTest, NotJsonAtAll) {
  for (const char* text : {"", "{", "email please", "{\"channel\": \"email\",}"}) {
    auto r = ParseDeliveryRequest(text);
    ASSERT_FALSE(r.has_value()) << text;
    EXPECT_EQ(r.error().message(), "request is not valid JSON");
  }
}

}  // namespace
}  // namespace vigil::alert
