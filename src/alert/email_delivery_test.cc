// SPDX-License-Identifier: MIT
// End-to-end tests of vigil-alert's email channel: the real binary against a real SMTP
// server (aiosmtpd, testdata/smtp_sink.py) in plain, STARTTLS and implicit TLS modes,
// with a login, and against servers that refuse, are down, or never answer.
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

class EmailDeliveryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!testing::HaveAiosmtpd()) {
      GTEST_SKIP() << "python3-aiosmtpd is not installed (apt-get install python3-aiosmtpd)";
    }
  }

  // Starts the SMTP sink; `tls`: none, starttls or implicit.
  std::unique_ptr<Sink> StartSink(const std::string& tls, const std::string& login = "") {
    if (tls != "none" && !testing::HaveOpenssl()) return nullptr;
    std::vector<std::string> args = {"--tls", tls};
    if (!login.empty()) args.insert(args.end(), {"--login", login});
    auto sink = std::make_unique<Sink>("smtp_sink.py", dir_.path() / "sink", args);
    EXPECT_TRUE(sink->ready()) << sink->log();
    return sink;
  }

  DeliveryRequest Request(int port, EmailSpec::Tls tls) {
    DeliveryRequest r;
    r.channel = Channel::kEmail;
    r.email.server = "127.0.0.1";
    r.email.port = port;
    r.email.tls = tls;
    r.email.from = "vigil@example.com";
    r.email.to = {"ops@example.com", "dev@example.org"};
    r.email.timeout = std::chrono::seconds(20);
    r.notification.id = "20261130T005320Z-7f3a";
    r.notification.time_ms = 1796000000123;
    r.notification.severity = "crit";
    r.notification.category = "check";
    r.notification.subject = "web-http";
    r.notification.title = "HTTP check failed — connection refused";
    r.notification.text = "http://127.0.0.1:8080/health did not answer.\n.hidden line\n.\nlast line";
    r.notification.host = "web1";
    return r;
  }

  // Logs in as alert:s3cret with a password file only the owner can read.
  void AddLogin(DeliveryRequest& r, const std::string& password = "s3cret") {
    testing::WriteWholeFile(dir_ / "smtp.pass", password + "\n");
    r.email.username = "alert";
    r.email.password_file = (dir_ / "smtp.pass").string();
  }

  // The n-th message the sink accepted, as its JSON record.
  json Received(const Sink& sink, int n = 1) {
    fs::path file = sink.dir() / "mail" / (std::to_string(n) + ".json");
    EXPECT_TRUE(testing::WaitFor([&] { return fs::exists(file); }, std::chrono::seconds(10))) << sink.log();
    return json::parse(testing::ReadWholeFile(file), nullptr, false);
  }

  static void ExpectOneLine(const testing::RunResult& result) {
    ASSERT_FALSE(result.err.empty());
    EXPECT_EQ(result.err.back(), '\n');
    EXPECT_EQ(result.err.find('\n'), result.err.size() - 1) << result.err;
  }

  vigil::testing::TempDir dir_;
};

TEST_F(EmailDeliveryTest, PlainSmtpDeliversAProperMessageToEveryRecipient) {
  auto sink = StartSink("none");
  ASSERT_TRUE(sink && sink->ready());
  DeliveryRequest r = Request(sink->port(), EmailSpec::Tls::kNone);
  auto result = RunVigilAlert(dir_.path(), ToJson(r));
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.err, "");

  json mail = Received(*sink);
  EXPECT_EQ(mail["mail_from"], "vigil@example.com");
  EXPECT_EQ(mail["rcpt_tos"], json({"ops@example.com", "dev@example.org"}));
  EXPECT_EQ(mail["tls"], false);
  EXPECT_EQ(mail["defects"], json::array()) << "Python's email parser found problems";
  const json& h = mail["headers"];
  EXPECT_EQ(h["From"], "vigil@example.com");
  EXPECT_EQ(h["To"], "ops@example.com, dev@example.org");
  EXPECT_EQ(h["Subject"], "[vigil@web1] CRIT check web-http: HTTP check failed — connection refused");
  EXPECT_EQ(h["Date"], "Mon, 30 Nov 2026 00:53:20 +0000");
  EXPECT_EQ(h["Message-ID"], "<20261130T005320Z-7f3a@example.com>");
  EXPECT_EQ(h["X-Vigil-Severity"], "crit");
  std::string body = mail["body"];
  // Lines starting with a dot arrive intact: libcurl stuffed them, the server unstuffed them.
  EXPECT_NE(body.find("did not answer.\r\n.hidden line\r\n.\r\nlast line\r\n"), std::string::npos) << body;
  EXPECT_NE(body.find("Notification: 20261130T005320Z-7f3a"), std::string::npos) << body;

  std::string raw = testing::ReadWholeFile(sink->dir() / "mail" / "1.eml");
  EXPECT_NE(raw.find("\r\nMIME-Version: 1.0\r\n"), std::string::npos);
  for (size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == '\n') {
      ASSERT_TRUE(i > 0 && raw[i - 1] == '\r') << "bare LF at " << i;
    }
  }
}

TEST_F(EmailDeliveryTest, StartTlsWithLoginAndAPrivateCa) {
  auto sink = StartSink("starttls", "alert:s3cret");
  if (!sink) GTEST_SKIP() << "openssl is not installed";
  ASSERT_TRUE(sink->ready());
  DeliveryRequest r = Request(sink->port(), EmailSpec::Tls::kStartTls);
  AddLogin(r);
  r.email.ca_file = (sink->dir() / "cert.pem").string();
  auto result = RunVigilAlert(dir_.path(), ToJson(r));
  ASSERT_EQ(result.exit_code, 0) << result.err;
  json mail = Received(*sink);
  EXPECT_EQ(mail["tls"], true);
  EXPECT_EQ(mail["authenticated"], true);
  EXPECT_EQ(mail["headers"]["Message-ID"], "<20261130T005320Z-7f3a@example.com>");
}

TEST_F(EmailDeliveryTest, ImplicitTlsWithLogin) {
  auto sink = StartSink("implicit", "alert:s3cret");
  if (!sink) GTEST_SKIP() << "openssl is not installed";
  ASSERT_TRUE(sink->ready());
  DeliveryRequest r = Request(sink->port(), EmailSpec::Tls::kImplicit);
  AddLogin(r);
  r.email.ca_file = (sink->dir() / "cert.pem").string();
  auto result = RunVigilAlert(dir_.path(), ToJson(r));
  ASSERT_EQ(result.exit_code, 0) << result.err;
  json mail = Received(*sink);
  EXPECT_EQ(mail["authenticated"], true);
  EXPECT_EQ(mail["rcpt_tos"].size(), 2u);
}

TEST_F(EmailDeliveryTest, WrongPasswordIsTheServersNo) {
  auto sink = StartSink("starttls", "alert:s3cret");
  if (!sink) GTEST_SKIP() << "openssl is not installed";
  ASSERT_TRUE(sink->ready());
  DeliveryRequest r = Request(sink->port(), EmailSpec::Tls::kStartTls);
  AddLogin(r, "wrong");
  r.email.ca_file = (sink->dir() / "cert.pem").string();
  auto result = RunVigilAlert(dir_.path(), ToJson(r));
  EXPECT_EQ(result.exit_code, 1);
  ExpectOneLine(result);
  EXPECT_EQ(result.err, "SMTP server 127.0.0.1:" + std::to_string(sink->port()) +
                            " refused the login of user alert: 535 5.7.8 Authentication credentials invalid\n");
  EXPECT_EQ(result.err.find("wrong"), std::string::npos) << "the password never shows";
}

TEST_F(EmailDeliveryTest, UntrustedCertificateIsRefused) {
  auto sink = StartSink("starttls");
  if (!sink) GTEST_SKIP() << "openssl is not installed";
  ASSERT_TRUE(sink->ready());
  auto result = RunVigilAlert(dir_.path(), ToJson(Request(sink->port(), EmailSpec::Tls::kStartTls)));
  EXPECT_EQ(result.exit_code, 1);
  ExpectOneLine(result);
  EXPECT_EQ(result.err.rfind("TLS certificate of 127.0.0.1:" + std::to_string(sink->port()) + " is not trusted: ", 0),
            0u)
      << result.err;
  EXPECT_NE(result.err.find("set ca_file"), std::string::npos) << result.err;
}

TEST_F(EmailDeliveryTest, StartTlsThatTheServerDoesNotOfferFails) {
  auto sink = StartSink("none");
  ASSERT_TRUE(sink && sink->ready());
  auto result = RunVigilAlert(dir_.path(), ToJson(Request(sink->port(), EmailSpec::Tls::kStartTls)));
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.err, "SMTP server 127.0.0.1:" + std::to_string(sink->port()) +
                            " does not offer STARTTLS, which tls = \"starttls\" requires\n");
  EXPECT_FALSE(fs::exists(sink->dir() / "mail" / "1.json")) << "nothing went out in clear text";
}

TEST_F(EmailDeliveryTest, RefusedRecipientQuotesTheServer) {
  auto sink = StartSink("none");
  ASSERT_TRUE(sink && sink->ready());
  DeliveryRequest r = Request(sink->port(), EmailSpec::Tls::kNone);
  r.email.to = {"ops@example.com", "nobody@example.com"};
  auto result = RunVigilAlert(dir_.path(), ToJson(r));
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.err, "SMTP server 127.0.0.1:" + std::to_string(sink->port()) +
                            " refused recipient nobody@example.com: 550 5.1.1 <nobody@example.com>: no such user "
                            "here\n");
}

TEST_F(EmailDeliveryTest, ServerDown) {
  testing::ClosedPort closed;
  ASSERT_GT(closed.port(), 0);
  auto result = RunVigilAlert(dir_.path(), ToJson(Request(closed.port(), EmailSpec::Tls::kNone)));
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.err, "cannot connect to 127.0.0.1:" + std::to_string(closed.port()) + ": Connection refused\n");
}

TEST_F(EmailDeliveryTest, SilentServerTimesOut) {
  testing::SilentPort silent;
  ASSERT_GT(silent.port(), 0);
  DeliveryRequest r = Request(silent.port(), EmailSpec::Tls::kNone);
  r.email.timeout = std::chrono::milliseconds(300);
  auto result = RunVigilAlert(dir_.path(), ToJson(r));
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.err, "timed out after 300ms talking to 127.0.0.1:" + std::to_string(silent.port()) + "\n");
}

TEST_F(EmailDeliveryTest, PasswordFileOthersCanReadIsRefused) {
  testing::ClosedPort closed;
  DeliveryRequest r = Request(closed.port(), EmailSpec::Tls::kStartTls);
  AddLogin(r);
  fs::permissions(r.email.password_file, fs::perms::others_read, fs::perm_options::add);
  auto result = RunVigilAlert(dir_.path(), ToJson(r));
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.err, "password file " + r.email.password_file +
                            ": other users can access it (mode 0604); restrict it with chmod o-rwx\n");
}

TEST_F(EmailDeliveryTest, MalformedRequestExits2) {
  auto result = RunVigilAlert(dir_.path(), R"({"channel": "email", "email": {}, "notification": {}})");
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_EQ(result.err, "malformed request: missing field email.server\n");
  result = RunVigilAlert(dir_.path(), "not json");
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_EQ(result.err, "malformed request: request is not valid JSON\n");
}

}  // namespace
}  // namespace vigil::alert
