// SPDX-License-Identifier: MIT
// Alerts end to end with the real vigild and vigil-alert: a critical finding mailed to a
// real SMTP server (Debian's python3-aiosmtpd), a webhook whose receiver is down at first
// and comes up later (delivered once, from the outbox), `vigil alert test`, and reminders
// until the check recovers.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "harness.h"

namespace vigil::testing {
namespace {

using nlohmann::json;

const std::string kSinks = SourceDir() + "/src/alert/testdata/";

// A receiver started by the test (a python3 script), stopped at the end.
class Sink {
 public:
  Sink(const std::string& script, const std::filesystem::path& dir, std::vector<std::string> args) : dir_(dir) {
    std::filesystem::create_directories(dir);
    pid_ = ::fork();
    if (pid_ == 0) {
      std::vector<std::string> argv = {"/usr/bin/python3", kSinks + script, dir.string()};
      argv.insert(argv.end(), args.begin(), args.end());
      std::vector<char*> raw;
      for (auto& a : argv) raw.push_back(a.data());
      raw.push_back(nullptr);
      ::execv(raw[0], raw.data());
      ::_exit(127);
    }
  }
  ~Sink() {
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
  int Port() {
    WaitFor([&] { return std::filesystem::exists(dir_ / "port"); });
    return std::stoi(ReadFile(dir_ / "port"));
  }

 private:
  std::filesystem::path dir_;
  pid_t pid_ = 0;
};

bool HasAiosmtpd() {
  return RunCommand({"/usr/bin/python3", "-c", "import aiosmtpd"}).exit_code == 0;
}

class AlertsTest : public VigilTest {};

TEST_F(AlertsTest, ACriticalFindingIsMailedToARealSmtpServer) {
  if (!HasAiosmtpd()) GTEST_SKIP() << "python3-aiosmtpd is not installed";
  Sink smtp("smtp_sink.py", dir_ / "smtp", {"--tls", "none"});
  const int port = smtp.Port();
  WriteConfig("[alert.ops]\ntype = \"email\"\nserver = \"127.0.0.1\"\nport = " + std::to_string(port) +
              "\ntls = \"none\"\nfrom = \"vigil@example.com\"\nto = [\"ops@example.com\", \"oncall@example.com\"]\n"
              "severity = \"crit\"\n\n[check.memory-full]\nmetric = \"memory\"\ncrit = \"0%\"\n");
  StartDaemon();
  const std::filesystem::path mail = dir_ / "smtp" / "mail" / "1.json";
  ASSERT_TRUE(WaitFor([&] { return std::filesystem::exists(mail); }, std::chrono::seconds(20)))
      << Vigil({"events"}).out;
  const json m = json::parse(ReadFile(mail), nullptr, false);
  const std::string dump = m.dump();
  EXPECT_NE(dump.find("ops@example.com"), std::string::npos) << dump;
  EXPECT_NE(dump.find("oncall@example.com"), std::string::npos) << dump;
  EXPECT_NE(dump.find("CRIT check memory-full"), std::string::npos) << dump;
  EXPECT_NE(dump.find("memory used at"), std::string::npos) << dump;
  EXPECT_NE(dump.find("Message-ID"), std::string::npos) << dump;
  EXPECT_NE(dump.find("Date"), std::string::npos) << dump;
  // The test command goes the same way.
  CommandResult test = Vigil({"alert", "test", "ops"});
  EXPECT_EQ(test.exit_code, 0) << test.err;
  EXPECT_EQ(test.out, "test notification sent through ops\n");
  EXPECT_TRUE(WaitFor([&] { return std::filesystem::exists(dir_ / "smtp" / "mail" / "2.json"); }));
  EXPECT_EQ(Vigil({"alert", "test", "nope"}).exit_code, 1);
}

TEST_F(AlertsTest, AWebhookWhoseReceiverIsDownIsDeliveredOnceItComesUp) {
  const int port = FreeTcpPort();  // nobody listens there yet
  WriteConfig("[alert.hook]\ntype = \"webhook\"\nurl = \"http://127.0.0.1:" + std::to_string(port) +
              "/hook\"\nseverity = \"crit\"\n\n[check.memory-full]\nmetric = \"memory\"\ncrit = \"0%\"\n");
  StartDaemon();
  ASSERT_TRUE(WaitFor([&] { return Vigil({"events"}).out.find("not sent (attempt 1)") != std::string::npos; },
                      std::chrono::seconds(20)))
      << Vigil({"events"}).out;
  Sink receiver("http_sink.py", dir_ / "hook", {"--port", std::to_string(port)});
  const std::filesystem::path first = dir_ / "hook" / "requests" / "1.json";
  ASSERT_TRUE(WaitFor([&] { return std::filesystem::exists(first); }, std::chrono::seconds(40)))
      << Vigil({"events"}).out;
  const json r = json::parse(ReadFile(first), nullptr, false);
  const json body = json::parse(r["body"].get<std::string>(), nullptr, false);
  EXPECT_EQ(r["path"], "/hook");
  EXPECT_EQ(body["severity"], "crit");
  EXPECT_EQ(body["subject"], "memory-full");
  EXPECT_NE(body["text"].get<std::string>().find("CRIT check memory-full"), std::string::npos) << body.dump();
  ASSERT_TRUE(WaitFor([&] { return Vigil({"events"}).out.find("sent: crit check memory-full") != std::string::npos; }));
  EXPECT_FALSE(std::filesystem::exists(dir_ / "hook" / "requests" / "2.json")) << "delivered once";
}

TEST_F(AlertsTest, AWebhookIsRemindedUntilTheCheckRecovers) {
  Sink receiver("http_sink.py", dir_ / "hook", {});
  const int port = receiver.Port();
  const std::filesystem::path flag = dir_ / "flag";
  std::ofstream(flag) << "here\n";
  WriteConfig("[alert.hook]\ntype = \"webhook\"\nurl = \"http://127.0.0.1:" + std::to_string(port) +
              "/hook\"\nseverity = \"crit\"\nremind = \"1s\"\n\n[check.flag]\nfile = \"" + flag.string() +
              "\"\nevery = \"1s\"\n");
  StartDaemon();
  auto request = [&](int n) { return dir_ / "hook" / "requests" / (std::to_string(n) + ".json"); };
  auto body = [&](int n) {
    const json r = json::parse(ReadFile(request(n)), nullptr, false);
    return json::parse(r["body"].get<std::string>(), nullptr, false);
  };
  std::filesystem::remove(flag);
  // The raise, then reminders about every second while the file stays missing.
  ASSERT_TRUE(WaitFor([&] { return std::filesystem::exists(request(3)); }, std::chrono::seconds(20)))
      << Vigil({"events"}).out;
  const json raise = body(1);
  EXPECT_EQ(raise["severity"], "crit");
  EXPECT_EQ(raise["reminder"], false);
  for (int n : {2, 3}) {
    const json reminder = body(n);
    EXPECT_EQ(reminder["reminder"], true) << reminder.dump();
    EXPECT_EQ(reminder["recovery"], false);
    EXPECT_EQ(reminder["id"], raise["id"].get<std::string>() + "-r" + std::to_string(n - 1));
    EXPECT_EQ(reminder["text"].get<std::string>().rfind("[vigil@", 0), 0u);
    EXPECT_NE(reminder["text"].get<std::string>().find("] STILL CRIT check flag: "), std::string::npos)
        << reminder.dump();
    EXPECT_EQ(reminder["body"].get<std::string>().rfind("Reminder: not recovered after ", 0), 0u) << reminder.dump();
  }
  EXPECT_NE(Vigil({"events"}).out.find("sent: crit check flag: reminder: "), std::string::npos);
  // The recovery ends them.
  std::ofstream(flag) << "back\n";
  int recovery = 0;
  ASSERT_TRUE(WaitFor(
      [&] {
        for (int n = 4; std::filesystem::exists(request(n)); ++n) {
          if (body(n)["recovery"] == true) recovery = n;
        }
        return recovery > 0;
      },
      std::chrono::seconds(20)))
      << Vigil({"events"}).out;
  // Nothing after it, for three reminder intervals (a reminder in flight as the check
  // recovered may arrive just before the recovery, never after it).
  EXPECT_FALSE(WaitFor([&] { return std::filesystem::exists(request(recovery + 1)); }, std::chrono::seconds(3)))
      << body(recovery + 1).dump();
}

}  // namespace
}  // namespace vigil::testing
