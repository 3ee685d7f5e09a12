// SPDX-License-Identifier: MIT
// Tests of Notification's JSON, the summary line and the webhook body.
#include "alert/notification.h"

#include <gtest/gtest.h>

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace vigil::alert {
namespace {

using nlohmann::json;

Notification Sample() {
  Notification n;
  n.id = "20261130T005320Z-7f3a";
  n.time_ms = 1796000000123;
  n.severity = "crit";
  n.category = "check";
  n.subject = "web-http";
  n.title = "HTTP check failed: connection refused";
  n.text = "http://127.0.0.1:8080/health did not answer.\nIt was last healthy 5 minutes ago.";
  n.host = "web1";
  return n;
}

TEST(NotificationTest, JsonRoundTrip) {
  Notification n = Sample();
  auto back = NotificationFromJson(ToJson(n));
  ASSERT_TRUE(back.has_value()) << back.error().message();
  EXPECT_EQ(*back, n);
  n.recovery = true;
  n.subject = "";
  n.text = "";
  back = NotificationFromJson(ToJson(n));
  ASSERT_TRUE(back.has_value()) << back.error().message();
  EXPECT_EQ(*back, n);
  n.recovery = false;
  n.reminder = true;
  back = NotificationFromJson(ToJson(n));
  ASSERT_TRUE(back.has_value()) << back.error().message();
  EXPECT_EQ(*back, n);
  // Written before reminders existed (an outbox row from an older vigild): not a reminder.
  json old = ToJson(Sample());
  old.erase("reminder");
  back = NotificationFromJson(old);
  ASSERT_TRUE(back.has_value()) << back.error().message();
  EXPECT_FALSE(back->reminder);
}

TEST(NotificationTest, BadJsonNamesTheField) {
  struct Case {
    std::function<void(json&)> change;
    std::string message;
  };
  std::vector<Case> cases = {
      {[](json& j) { j.erase("id"); }, "missing field notification.id"},
      {[](json& j) { j["id"] = ""; }, "notification.id must be 1-128 of the characters"},
      {[](json& j) { j["id"] = "a b"; }, "notification.id must be"},
      {[](json& j) { j["id"] = "x>\r\nBcc: y"; }, "notification.id must be"},
      {[](json& j) { j["id"] = std::string(129, 'a'); }, "notification.id must be"},
      {[](json& j) { j["severity"] = "critical"; }, "notification.severity must be \"info\", \"warn\" or \"crit\""},
      {[](json& j) { j["category"] = "Check"; }, "notification.category must be a lower-case word"},
      {[](json& j) { j["time_ms"] = -1; }, "notification.time_ms must be a time between 1970 and 9999"},
      {[](json& j) { j["time_ms"] = "now"; }, "notification.time_ms must be an integer"},
      {[](json& j) { j["time_ms"] = 1.5; }, "notification.time_ms must be an integer"},
      {[](json& j) { j["recovery"] = 1; }, "notification.recovery must be true or false"},
      {[](json& j) { j["recovery"] = true; j["reminder"] = true; }, "notification.reminder cannot be true for a recovery"},
      {[](json& j) { j["title"] = nullptr; }, "notification.title must be a string"},
      {[](json& j) { j["colour"] = "red"; }, "unknown field notification.colour"},
      {[](json& j) { j = json::array(); }, "notification must be a JSON object"},
  };
  for (const Case& c : cases) {
    json j = ToJson(Sample());
    c.change(j);
    auto n = NotificationFromJson(j);
    ASSERT_FALSE(n.has_value()) << c.message;
    EXPECT_EQ(n.error().code(), base::StatusCode::kInvalidArgument);
    EXPECT_NE(n.error().message().find(c.message), std::string::npos) << n.error().message();
  }
}

TEST(NotificationTest, SummaryLine) {
  Notification n = Sample();
  EXPECT_EQ(SummaryLine(n), "[vigil@web1] CRIT check web-http: HTTP check failed: connection refused");
  n.recovery = true;
  n.title = "HTTP check passes again";
  EXPECT_EQ(SummaryLine(n), "[vigil@web1] RECOVERED check web-http: HTTP check passes again");
  n.recovery = false;
  n.reminder = true;
  n.title = "HTTP check failed: connection refused";
  EXPECT_EQ(SummaryLine(n), "[vigil@web1] STILL CRIT check web-http: HTTP check failed: connection refused");
  n.reminder = false;
  n.severity = "info";
  n.category = "report";
  n.subject = "";
  n.title = "weekly\nreport";
  EXPECT_EQ(SummaryLine(n), "[vigil@web1] INFO report: weekly report");
}

TEST(NotificationTest, WebhookBodyHasEveryDocumentedField) {
  Notification n = Sample();
  json body = json::parse(WebhookBody(n));
  EXPECT_EQ(body["id"], n.id);
  EXPECT_EQ(body["time"], "2026-11-30T00:53:20.123Z");
  EXPECT_EQ(body["time_ms"], n.time_ms);
  EXPECT_EQ(body["severity"], "crit");
  EXPECT_EQ(body["category"], "check");
  EXPECT_EQ(body["subject"], "web-http");
  EXPECT_EQ(body["title"], n.title);
  EXPECT_EQ(body["body"], n.text);
  EXPECT_EQ(body["recovery"], false);
  EXPECT_EQ(body["reminder"], false);
  EXPECT_EQ(body["host"], "web1");
  EXPECT_EQ(body["text"], SummaryLine(n) + "\n" + n.text);
  EXPECT_EQ(body.size(), 12u) << body.dump();
  n.reminder = true;
  body = json::parse(WebhookBody(n));
  EXPECT_EQ(body["reminder"], true);
  EXPECT_EQ(body["text"].get<std::string>().rfind("[vigil@web1] STILL CRIT check web-http: ", 0), 0u) << body.dump();
}

TEST(NotificationTest, WebhookTextIsEscapedForSlack) {
  Notification n = Sample();
  n.title = "<!channel> a & b";
  n.text = "x > y";
  json body = json::parse(WebhookBody(n));
  EXPECT_EQ(body["text"], "[vigil@web1] CRIT check web-http: &lt;!channel&gt; a &amp; b\nx &gt; y");
  EXPECT_EQ(body["title"], "<!channel> a & b") << "only \"text\" follows Slack's rules";
  EXPECT_EQ(body["body"], "x > y");
}

TEST(NotificationTest, WebhookBodyWithoutTextOrWithBadUtf8) {
  Notification n = Sample();
  n.text = "";
  EXPECT_EQ(json::parse(WebhookBody(n))["text"], SummaryLine(n));
  n.text = "bad \xFF byte";
  json body = json::parse(WebhookBody(n));
  EXPECT_EQ(body["body"], "bad \xEF\xBF\xBD byte");
}

}  // namespace
}  // namespace vigil::alert
