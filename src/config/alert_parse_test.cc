// SPDX-License-Identifier: MIT
// Tests for [alert.NAME]: each channel type with its keys, the routing keys, and every
// mistake as one "FILE:LINE: alert.NAME.KEY: reason" line.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "config/config_test_util.h"
#include "config/load.h"

namespace vigil::config {
namespace {

constexpr const char* kFile = "/etc/vigil/vigil.toml";

AlertSpec OnlyAlert(const std::string& text) {
  auto spec = ParseConfig(text, kFile, NonRoot());
  EXPECT_TRUE(spec.has_value()) << (spec ? "" : spec.error().message());
  if (!spec || spec->alerts.size() != 1) return AlertSpec{};
  return spec->alerts[0];
}

std::string ErrorOf(const std::string& text) { return ParseError(text, kFile); }
std::string At(int line, const std::string& rest) { return ErrorAt(kFile, line, rest); }

TEST(AlertParseTest, Email) {
  const AlertSpec a = OnlyAlert(Lines({
      "[alert.ops]",
      "type = \"email\"",
      "server = \"smtp.example.com\"",
      "tls = \"starttls\"",
      "username = \"vigil\"",
      "password_file = \"smtp-password\"",
      "from = \"vigil@example.com\"",
      "to = [\"ops@example.com\", \"oncall@example.com\"]",
      "severity = \"crit\"",
      "categories = [\"check\", \"program\"]",
      "rate_limit = \"10 in 1h\"",
  }));
  EXPECT_EQ(a.name, "ops");
  EXPECT_EQ(a.kind, AlertKind::kEmail);
  EXPECT_EQ(a.email.port, 587);  // the usual port of STARTTLS
  EXPECT_EQ(a.email.password_file, "/etc/vigil/smtp-password");
  EXPECT_EQ(a.email.to.size(), 2u);
  EXPECT_EQ(a.min_severity, "crit");
  EXPECT_EQ(a.categories, (std::vector<std::string>{"check", "program"}));
  EXPECT_EQ(a.rate_limit, 10);
  EXPECT_EQ(a.rate_window, std::chrono::hours(1));
  EXPECT_TRUE(a.recoveries);
  EXPECT_EQ(a.remind, base::Duration(0)) << "no reminders unless asked for";
  const AlertSpec implicit = OnlyAlert(Lines({"[alert.x]", "type = \"email\"", "server = \"mx\"", "tls = \"implicit\"",
                                              "from = \"a@b.c\"", "to = \"d@e.f\""}));
  EXPECT_EQ(implicit.email.port, 465);
}

TEST(AlertParseTest, WebhookAndCommand) {
  AlertSpec a = OnlyAlert(Lines({"[alert.slack]", "type = \"webhook\"", "url = \"https://hooks.slack.com/services/T/B/X\"",
                                 "headers = { \"X-Team\" = \"ops\" }", "header_files = { Authorization = \"token\" }",
                                 "timeout = \"5s\"", "severity = \"info\""}));
  EXPECT_EQ(a.kind, AlertKind::kWebhook);
  EXPECT_EQ(a.webhook.headers.at("X-Team"), "ops");
  EXPECT_EQ(a.webhook.header_files.at("Authorization"), "/etc/vigil/token");
  EXPECT_EQ(a.webhook.timeout, std::chrono::seconds(5));
  a = OnlyAlert(Lines({"[alert.page]", "type = \"command\"", "command = \"/usr/local/bin/page --urgent\""}));
  EXPECT_EQ(a.kind, AlertKind::kCommand);
  EXPECT_EQ(a.argv, (std::vector<std::string>{"/usr/local/bin/page", "--urgent"}));
}

TEST(AlertParseTest, Mistakes) {
  EXPECT_EQ(ErrorOf("[alert.x]\nserver = \"a\"\n"), At(1, "alert.x: missing required key \"type\""));
  EXPECT_EQ(ErrorOf("[alert.x]\ntype = \"sms\"\n"),
            At(2, "alert.x.type: expected \"email\", \"webhook\" or \"command\", got \"sms\""));
  EXPECT_EQ(ErrorOf("[alert.x]\ntype = \"webhook\"\nurl = \"http://a/\"\nserver = \"b\"\n"),
            At(4, "alert.x.server: does not apply to type = \"webhook\""));
  EXPECT_NE(ErrorOf("[alert.x]\ntype = \"email\"\nserver = \"a\"\nfrom = \"a@b.c\"\nto = \"bob\"\n")
                .find(At(5, "alert.x.to: \"bob\"")),
            std::string::npos);
  EXPECT_EQ(ErrorOf("[alert.x]\ntype = \"email\"\nserver = \"a\"\nfrom = \"a@b.c\"\nto = \"d@e.f\"\ntls = \"ssl\"\n")
                .substr(0, 45),
            At(6, "alert.x.tls: expected \"starttls\"").substr(0, 45));
  EXPECT_EQ(ErrorOf("[alert.x]\ntype = \"command\"\n"), At(1, "alert.x: type = \"command\" needs command"));
  EXPECT_EQ(ErrorOf("[alert.x]\ntype = \"command\"\ncommand = \"a\"\nseverity = \"loud\"\n"),
            At(4, "alert.x.severity: expected \"info\", \"warn\" or \"crit\", got \"loud\""));
  EXPECT_EQ(ErrorOf("[alert.x]\ntype = \"command\"\ncommand = \"a\"\ncategories = [\"cpu\"]\n"),
            At(4, "alert.x.categories[0]: expected \"check\", \"action\", \"program\", \"task\", \"report\" or "
                  "\"alert\", got \"cpu\""));
  EXPECT_EQ(ErrorOf("[alert.x]\ntype = \"command\"\ncommand = \"a\"\nrate_limit = \"lots\"\n"),
            At(4, "alert.x.rate_limit: expected \"N in DURATION\" such as \"10 in 1h\", got \"lots\""));
  EXPECT_NE(ErrorOf("[alert.x]\ntype = \"command\"\ncommand = \"a\"\nnope = 1\n").find(At(4, "alert.x.nope: unknown key")),
            std::string::npos);
  EXPECT_NE(ErrorOf("[alert.x]\ntype = \"webhook\"\nurl = \"ftp://a/\"\n").find(At(3, "alert.x.url: ")),
            std::string::npos)
      << ErrorOf("[alert.x]\ntype = \"webhook\"\nurl = \"ftp://a/\"\n");
}

TEST(AlertParseTest, Remind) {
  const AlertSpec a =
      OnlyAlert(Lines({"[alert.x]", "type = \"command\"", "command = \"page\"", "remind = \"4h\""}));
  EXPECT_EQ(a.remind, std::chrono::hours(4));
  EXPECT_EQ(ErrorOf("[alert.x]\ntype = \"command\"\ncommand = \"a\"\nremind = \"often\"\n").rfind(At(4, "alert.x.remind: "), 0),
            0u)
      << ErrorOf("[alert.x]\ntype = \"command\"\ncommand = \"a\"\nremind = \"often\"\n");
  EXPECT_EQ(ErrorOf("[alert.x]\ntype = \"command\"\ncommand = \"a\"\nremind = \"0s\"\n"),
            At(4, "alert.x.remind: must be at least 1s"));
  EXPECT_EQ(ErrorOf("[alert.x]\ntype = \"command\"\ncommand = \"a\"\nremind = \"500ms\"\n"),
            At(4, "alert.x.remind: must be at least 1s"));
  EXPECT_EQ(ErrorOf("[alert.x]\ntype = \"command\"\ncommand = \"a\"\nremind = true\n").rfind(At(4, "alert.x.remind: "), 0),
            0u);
}

}  // namespace
}  // namespace vigil::config
