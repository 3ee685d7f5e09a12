// SPDX-License-Identifier: MIT
// The readiness and heartbeat keys of a program: ready, ready_timeout, watchdog,
// heartbeat_file (docs/readiness.md), and their errors.
#include <gtest/gtest.h>

#include "config/config_test_util.h"
#include "config/load.h"

namespace vigil::config {
namespace {

constexpr const char* kFile = "/etc/vigil/vigil.toml";

ProgramSpec ParseProgram(std::initializer_list<std::string> keys) {
  std::initializer_list<std::string> head = {"[program.web]", "command = [\"/bin/web\"]"};
  std::string text = Lines(head);
  for (const std::string& k : keys) text += k + "\n";
  auto spec = ParseConfig(text, kFile, NonRoot());
  EXPECT_TRUE(spec.has_value()) << spec.error().message();
  return spec ? spec->programs.at(0) : ProgramSpec{};
}

// The error for keys that follow the program's header and command (line 3 on).
std::string ErrorOf(std::initializer_list<std::string> keys) {
  std::string text = Lines({"[program.web]", "command = [\"/bin/web\"]"});
  for (const std::string& k : keys) text += k + "\n";
  return ParseError(text, kFile);
}

TEST(ReadyParseTest, DefaultsToStartSecondsWithoutWatchdog) {
  ProgramSpec p = ParseProgram({});
  EXPECT_EQ(p.ready->kind, ReadyKind::kStartSeconds);
  EXPECT_EQ(p.ready->timeout, std::chrono::seconds(90));
  EXPECT_FALSE(p.watchdog.has_value());
  EXPECT_EQ(p.heartbeat_file, "");
}

TEST(ReadyParseTest, ReadsEveryForm) {
  ProgramSpec notify = ParseProgram({"ready = \"notify\"", "ready_timeout = \"2m\"", "watchdog = \"30s\""});
  EXPECT_EQ(notify.ready->kind, ReadyKind::kNotify);
  EXPECT_EQ(notify.ready->timeout, std::chrono::minutes(2));
  EXPECT_EQ(notify.watchdog, std::chrono::seconds(30));

  ProgramSpec tcp = ParseProgram({"ready = { tcp = \"127.0.0.1:8000\" }"});
  EXPECT_EQ(tcp.ready->kind, ReadyKind::kTcp);
  EXPECT_EQ(tcp.ready->target, "127.0.0.1:8000");

  ProgramSpec http = ParseProgram({"ready = { http = \"http://localhost:8080/ready\" }"});
  EXPECT_EQ(http.ready->kind, ReadyKind::kHttp);
  EXPECT_EQ(http.ready->target, "http://localhost:8080/ready");

  ProgramSpec log = ParseProgram({"ready = { log = \"listening on [0-9]+\" }"});
  EXPECT_EQ(log.ready->kind, ReadyKind::kLog);
  EXPECT_EQ(log.ready->target, "listening on [0-9]+");

  ProgramSpec beat = ParseProgram({"heartbeat_file = \"run/beat\"", "watchdog = \"1m\""});
  EXPECT_EQ(beat.heartbeat_file, "/etc/vigil/run/beat");  // relative to the config file
  EXPECT_EQ(beat.watchdog, std::chrono::minutes(1));
  EXPECT_EQ(beat.ready->kind, ReadyKind::kStartSeconds);
}

TEST(ReadyParseTest, BadValuesNameTheFileLineAndKey) {
  EXPECT_EQ(ErrorOf({"ready = \"yes\""}),
            ErrorAt(kFile, 3, "program.web.ready: expected \"notify\", \"start_seconds\", or a table with one of "
                              "tcp = \"HOST:PORT\", http = \"URL\", log = \"REGEX\", got \"yes\""));
  EXPECT_EQ(ErrorOf({"ready = 5"}).substr(0, 45), ErrorAt(kFile, 3, "program.web.ready: expected").substr(0, 45));
  EXPECT_EQ(ErrorOf({"ready = { tcp = \"127.0.0.1:80\", log = \"x\" }"}),
            ErrorAt(kFile, 3, "program.web.ready: give exactly one of tcp, http or log, got 2 keys"));
  EXPECT_NE(ErrorOf({"ready = { udp = \"127.0.0.1:80\" }"}).find("program.web.ready.udp: unknown key"),
            std::string::npos);
  EXPECT_NE(ErrorOf({"ready = { tcp = \"localhost\" }"}).find(":3: program.web.ready.tcp: "), std::string::npos);
  EXPECT_NE(ErrorOf({"ready = { http = \"ftp://x/\" }"}).find(":3: program.web.ready.http: "), std::string::npos);
  EXPECT_NE(ErrorOf({"ready = { log = \"(unclosed\" }"}).find(":3: program.web.ready.log: bad regex"),
            std::string::npos);
  EXPECT_NE(ErrorOf({"ready = { log = \"\" }"}).find(":3: program.web.ready.log: "), std::string::npos);
  EXPECT_EQ(ErrorOf({"ready_timeout = \"0s\""}), ErrorAt(kFile, 3, "program.web.ready_timeout: must be greater than 0"));
  EXPECT_EQ(ErrorOf({"watchdog = \"0s\""}), ErrorAt(kFile, 3, "program.web.watchdog: must be greater than 0"));
  EXPECT_EQ(ErrorOf({"watchdog = \"30s\""}),
            ErrorAt(kFile, 3,
                    "program.web.watchdog: needs ready = \"notify\" (heartbeats as WATCHDOG=1) or heartbeat_file"));
  EXPECT_EQ(ErrorOf({"heartbeat_file = \"/run/beat\""}),
            ErrorAt(kFile, 3,
                    "program.web.heartbeat_file: needs watchdog = \"DURATION\": how often the file's mtime must "
                    "advance"));
  EXPECT_NE(ErrorOf({"heartbeat_file = 3", "watchdog = \"1s\""}).find(":3: program.web.heartbeat_file: "),
            std::string::npos);
}

}  // namespace
}  // namespace vigil::config
