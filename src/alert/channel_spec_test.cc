// SPDX-License-Identifier: MIT
// Tests of the channel settings' checks and of the URLs built from them.
#include "alert/channel_spec.h"

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

namespace vigil::alert {
namespace {

EmailSpec GoodEmail() {
  EmailSpec spec;
  spec.server = "smtp.example.com";
  spec.port = 587;
  spec.tls = EmailSpec::Tls::kStartTls;
  spec.username = "alerts";
  spec.password_file = "/etc/vigil/smtp.pass";
  spec.from = "vigil@example.com";
  spec.to = {"ops@example.com", "dev+alerts@example.org"};
  return spec;
}

WebhookSpec GoodWebhook() {
  WebhookSpec spec;
  spec.url = "https://hooks.example.com/services/T0/B0/secret";
  spec.headers = {{"X-Team", "ops"}};
  spec.header_files = {{"Authorization", "/etc/vigil/hook.token"}};
  return spec;
}

TEST(ChannelSpecTest, TlsWordsRoundTrip) {
  for (auto tls : {EmailSpec::Tls::kNone, EmailSpec::Tls::kStartTls, EmailSpec::Tls::kImplicit}) {
    EmailSpec::Tls parsed = EmailSpec::Tls::kNone;
    ASSERT_TRUE(ParseTls(TlsName(tls), &parsed)) << TlsName(tls);
    EXPECT_EQ(parsed, tls);
  }
  EmailSpec::Tls unused;
  EXPECT_FALSE(ParseTls("ssl", &unused));
  EXPECT_FALSE(ParseTls("STARTTLS", &unused));
  EXPECT_EQ(DefaultSmtpPort(EmailSpec::Tls::kNone), 25);
  EXPECT_EQ(DefaultSmtpPort(EmailSpec::Tls::kStartTls), 587);
  EXPECT_EQ(DefaultSmtpPort(EmailSpec::Tls::kImplicit), 465);
}

TEST(ChannelSpecTest, EmailAddresses) {
  for (const char* good : {"a@b", "ops@example.com", "first.last+tag@mail.example.co.uk", "o'neil@example.com"}) {
    EXPECT_TRUE(IsEmailAddress(good)) << good;
  }
  for (const char* bad :
       {"", "ops", "@example.com", "ops@", "ops@example..com", ".ops@example.com", "o..ps@example.com",
        "Ops <ops@example.com>", "ops @example.com", "ops@exa mple.com", "ops@example.com\r\nBcc: evil@example.com",
        "ops@example.com,evil@example.com", "\"ops\"@example.com", "ops@[192.0.2.1]", "öps@example.com"}) {
    EXPECT_FALSE(IsEmailAddress(bad)) << bad;
  }
  EXPECT_EQ(AddressDomain("ops@example.com"), "example.com");
  EXPECT_EQ(AddressDomain("nodomain"), "");
}

TEST(ChannelSpecTest, GoodSpecsPass) {
  EXPECT_TRUE(ValidateEmailSpec(GoodEmail()).ok()) << ValidateEmailSpec(GoodEmail()).message();
  EXPECT_TRUE(ValidateWebhookSpec(GoodWebhook()).ok()) << ValidateWebhookSpec(GoodWebhook()).message();
  EmailSpec ipv6 = GoodEmail();
  ipv6.server = "2001:db8::25";
  EXPECT_TRUE(ValidateEmailSpec(ipv6).ok()) << ValidateEmailSpec(ipv6).message();
}

TEST(ChannelSpecTest, BadEmailSpecsNameTheKey) {
  struct Case {
    std::function<void(EmailSpec&)> change;
    std::string message;
  };
  std::vector<Case> cases = {
      {[](EmailSpec& s) { s.server = ""; }, "server is required"},
      {[](EmailSpec& s) { s.server = "smtp.example.com:587"; }, "server: \"smtp.example.com:587\" is not a host name"},
      {[](EmailSpec& s) { s.server = "smtp.example.com\r\n"; }, "server:"},
      {[](EmailSpec& s) { s.port = 0; }, "port must be 1-65535"},
      {[](EmailSpec& s) { s.port = 65536; }, "port must be 1-65535"},
      {[](EmailSpec& s) { s.from = "vigil"; }, "from: \"vigil\" is not an email address"},
      {[](EmailSpec& s) { s.to = {}; }, "to needs at least one address"},
      {[](EmailSpec& s) { s.to.push_back("x@example.com\nBcc: y@example.com"); }, "to: "},
      {[](EmailSpec& s) { s.username = ""; }, "password_file is set but username is not"},
      {[](EmailSpec& s) { s.password_file = ""; }, "username is set but password_file is not"},
      {[](EmailSpec& s) { s.password_file = "smtp.pass"; }, "password_file must be an absolute path"},
      {[](EmailSpec& s) { s.username = "a b"; }, "username contains a space"},
      {[](EmailSpec& s) { s.tls = EmailSpec::Tls::kNone; }, "username: refusing to send a password without TLS"},
      {[](EmailSpec& s) { s.ca_file = "ca.pem"; }, "ca_file must be an absolute path"},
      {[](EmailSpec& s) { s.timeout = base::Duration::zero(); }, "timeout must be more than 0"},
      {[](EmailSpec& s) { s.timeout = std::chrono::hours(2); }, "timeout must be at most 1h"},
  };
  for (const Case& c : cases) {
    EmailSpec spec = GoodEmail();
    c.change(spec);
    base::Status s = ValidateEmailSpec(spec);
    EXPECT_FALSE(s.ok()) << c.message;
    EXPECT_EQ(s.code(), base::StatusCode::kInvalidArgument);
    EXPECT_NE(s.message().find(c.message), std::string::npos) << s.message() << " / wanted: " << c.message;
  }
}

TEST(ChannelSpecTest, PlainSmtpWithPasswordOnlyToThisMachine) {
  EmailSpec spec = GoodEmail();
  spec.tls = EmailSpec::Tls::kNone;
  for (const char* local : {"localhost", "127.0.0.1", "::1"}) {
    spec.server = local;
    EXPECT_TRUE(ValidateEmailSpec(spec).ok()) << local;
  }
  spec.username = "";
  spec.password_file = "";
  spec.server = "relay.example.com";
  EXPECT_TRUE(ValidateEmailSpec(spec).ok()) << "no password, nothing to protect";
}

TEST(ChannelSpecTest, SmtpUrlFollowsTlsMode) {
  EmailSpec spec = GoodEmail();
  EXPECT_EQ(SmtpUrl(spec, "web1.example.com"), "smtp://smtp.example.com:587/web1.example.com");
  spec.tls = EmailSpec::Tls::kImplicit;
  spec.port = 465;
  EXPECT_EQ(SmtpUrl(spec, "web1"), "smtps://smtp.example.com:465/web1");
  spec.tls = EmailSpec::Tls::kNone;
  spec.port = 25;
  spec.server = "::1";
  EXPECT_EQ(SmtpUrl(spec, "web1"), "smtp://[::1]:25/web1");
}

TEST(ChannelSpecTest, WebhookUrls) {
  auto https = ParseWebhookUrl("HTTPS://hooks.example.com/x?y=1");
  ASSERT_TRUE(https.has_value());
  EXPECT_TRUE(https->https);
  EXPECT_EQ(https->host, "hooks.example.com");
  EXPECT_EQ(https->port, 443);
  auto http = ParseWebhookUrl("http://user:pw@127.0.0.1:8080");
  ASSERT_TRUE(http.has_value()) << http.error().message();
  EXPECT_FALSE(http->https);
  EXPECT_EQ(http->host, "127.0.0.1");
  EXPECT_EQ(http->port, 8080);
  auto v6 = ParseWebhookUrl("http://[::1]:9000/hook");
  ASSERT_TRUE(v6.has_value()) << v6.error().message();
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(Endpoint(v6->host, v6->port), "[::1]:9000");

  for (const char* bad : {"ftp://example.com/", "hooks.example.com/x", "https://", "https://exa mple.com/",
                          "https://example.com/a\r\nX: y", "http://example.com:99999/"}) {
    EXPECT_FALSE(ParseWebhookUrl(bad).has_value()) << bad;
  }
}

TEST(ChannelSpecTest, DisplayUrlHidesPathAndUserInformation) {
  EXPECT_EQ(DisplayUrl("https://hooks.slack.com/services/T0/B0/XXXX"), "https://hooks.slack.com/...");
  EXPECT_EQ(DisplayUrl("HTTP://user:secret@example.com:8080/x?token=1"), "http://example.com:8080/...");
  EXPECT_EQ(DisplayUrl("https://example.com"), "https://example.com");
  EXPECT_EQ(DisplayUrl("https://example.com/"), "https://example.com/");
  EXPECT_EQ(DisplayUrl("https://example.com?token=1"), "https://example.com/...");
}

TEST(ChannelSpecTest, BadWebhookSpecsNameTheKey) {
  struct Case {
    std::function<void(WebhookSpec&)> change;
    std::string message;
  };
  std::vector<Case> cases = {
      {[](WebhookSpec& s) { s.url = ""; }, "url is required"},
      {[](WebhookSpec& s) { s.url = "mailto:ops@example.com"; }, "url must start with http:// or https://"},
      {[](WebhookSpec& s) { s.headers["Bad Name"] = "x"; }, "headers: \"Bad Name\" is not a header name"},
      {[](WebhookSpec& s) { s.headers["X-Evil"] = "a\r\nX-Injected: 1"; }, "headers: the value of X-Evil contains"},
      {[](WebhookSpec& s) { s.headers["content-length"] = "1"; }, "content-length is set by vigil-alert itself"},
      {[](WebhookSpec& s) { s.header_files["Host"] = "/etc/x"; }, "Host is set by vigil-alert itself"},
      {[](WebhookSpec& s) { s.header_files["X-Team"] = "/etc/x"; }, "header_files: X-Team is also set in headers"},
      {[](WebhookSpec& s) { s.headers["authorization"] = "x"; }, "header_files: Authorization is also set in headers"},
      {[](WebhookSpec& s) { s.header_files["X-Token"] = "token.txt"; }, "must be an absolute path"},
      {[](WebhookSpec& s) { s.timeout = base::Duration(-1); }, "timeout must be more than 0"},
  };
  for (const Case& c : cases) {
    WebhookSpec spec = GoodWebhook();
    c.change(spec);
    base::Status s = ValidateWebhookSpec(spec);
    EXPECT_FALSE(s.ok()) << c.message;
    EXPECT_NE(s.message().find(c.message), std::string::npos) << s.message() << " / wanted: " << c.message;
  }
}

}  // namespace
}  // namespace vigil::alert
