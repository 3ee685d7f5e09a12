// SPDX-License-Identifier: MIT
// End-to-end: a bad config makes vigild refuse to start with FILE:LINE: key: reason, and
// `vigil check` says the same without starting anything.
#include <fmt/format.h>

#include <fstream>

#include "harness.h"

namespace vigil::testing {
namespace {

class ConfigErrorsTest : public VigilTest {
 protected:
  void ExpectRefused(const std::string& body, int line, const std::string& key) {
    WriteConfig(body);
    std::string prefix = fmt::format("{}:{}: {}", config_.string(), line, key);
    auto d = RunDaemonToExit();
    EXPECT_NE(d.exit_code, 0);
    EXPECT_NE(d.err.find(prefix), std::string::npos) << "vigild said: " << d.err;
    auto c = Vigil({"check", config_.string()});
    EXPECT_EQ(c.exit_code, 1);
    EXPECT_NE(c.err.find(prefix), std::string::npos) << "vigil check said: " << c.err;
    EXPECT_FALSE(std::filesystem::exists(socket_));
  }
};

// The [vigil] header written by WriteConfig takes lines 1-4 and a blank line 5.
TEST_F(ConfigErrorsTest, UnknownKey) {
  ExpectRefused("[program.web]\ncommand = \"true\"\nautorestrat = \"always\"\n", 8, "program.web.autorestrat");
}

TEST_F(ConfigErrorsTest, WrongType) {
  ExpectRefused("[program.web]\ncommand = \"true\"\nstart_retries = \"five\"\n", 8, "program.web.start_retries");
}

TEST_F(ConfigErrorsTest, BadSignal) {
  ExpectRefused("[program.web]\ncommand = \"true\"\nstop_signal = \"SIGFOO\"\n", 8, "program.web.stop_signal");
}

TEST_F(ConfigErrorsTest, UnknownDependency) {
  ExpectRefused("[program.web]\ncommand = \"true\"\ndepends_on = [\"db\"]\n", 8, "program.web.depends_on");
}

TEST_F(ConfigErrorsTest, SyntaxError) {
  WriteConfig("[program.web\ncommand = \"true\"\n");
  auto d = RunDaemonToExit();
  EXPECT_NE(d.exit_code, 0);
  EXPECT_NE(d.err.find(config_.string() + ":6"), std::string::npos) << d.err;
}

// Regression test for issue 8, item 11
TEST_F(ConfigErrorsTest, DurationTooLargeForTheClock) {
  ExpectRefused("[program.web]\ncommand = \"true\"\nstop_timeout = \"1000000d\"\n", 8,
                "program.web.stop_timeout: duration \"1000000d\" is too large (at most 36500d, 100 years)");
  ExpectRefused("[task.t]\nschedule = \"every 99999999999d\"\ncommand = \"true\"\n", 7,
                "task.t.schedule: bad interval");
}

// Regression test for issue 8, item 12
TEST_F(ConfigErrorsTest, NulCharacterInAString) {
  ExpectRefused("[program.web]\ncommand = \"true\"\nuser = \"root\\u0000evil\"\n", 8,
                "program.web.user: must not contain a NUL character");
  ExpectRefused("[program.web]\ncommand = \"true\"\nenvironment = { A = \"x\\u0000y\" }\n", 8,
                "program.web.environment.A: must not contain a NUL character");
}

// Regression test for issue 8, item 13
TEST_F(ConfigErrorsTest, ProgramNameTooLongForALogFileName) {
  const std::string name(300, 'n');
  ExpectRefused("[program." + name + "]\ncommand = \"true\"\n", 6,
                "program." + name + ": names may be at most 128 bytes");
}

// Regression test for issue 8, item 14
TEST_F(ConfigErrorsTest, CheckRefusesDevicesAndHugeFilesBeforeReadingThem) {
  auto zero = Vigil({"check", "/dev/zero"});
  EXPECT_EQ(zero.exit_code, 1);
  EXPECT_EQ(zero.err, "/dev/zero: not a regular file\n");
  auto daemon = RunCommand({VigildBin(), "--config", "/dev/zero"});
  EXPECT_EQ(daemon.exit_code, 2);
  EXPECT_NE(daemon.err.find("/dev/zero: not a regular file"), std::string::npos) << daemon.err;

  // Valid TOML (a comment) of 49 MB.
  {
    std::ofstream out(config_, std::ios::binary);
    const std::string line = "#" + std::string(1022, 'x') + "\n";  // 1 KB
    for (int i = 0; i < 49 * 1024; ++i) out << line;
  }
  auto big = Vigil({"check", config_.string()});
  EXPECT_EQ(big.exit_code, 1);
  EXPECT_EQ(big.err, config_.string() + ": 49 MB is larger than the 8 MB a config may be\n");
}

// Regression test for issue 8 (fuzzing): 800 bytes that expand to 45 million dependencies
// took `vigil check` 100 s and 1.4 GB.
TEST_F(ConfigErrorsTest, ExpansionBeyondTheLimits) {
  std::string body;
  for (int i = 0; i < 10; ++i) {
    body += fmt::format("[program.t{}]\ncommand = \"true\"\ninstances = 1000\ndepends_on = [", i);
    for (int j = 0; j < i; ++j) body += fmt::format("{}\"t{}\"", j == 0 ? "" : ", ", j);
    body += "]\n";
  }
  // The [vigil] header takes lines 1-5; t1's depends_on is on line 6 + 4 + 3.
  ExpectRefused(body, 13, "program.t1.depends_on: brings the dependencies, instances expanded, to 101000");
}

// Regression test for issue 8, item 17
TEST_F(ConfigErrorsTest, RangeMessageForAHugeInteger) {
  ExpectRefused("[program.web]\ncommand = \"true\"\nstart_retries = 9223372036854775807\n", 8,
                "program.web.start_retries: must be between 0 and 2147483647, got 9223372036854775807");
}

TEST_F(ConfigErrorsTest, CheckAcceptsAGoodConfig) {
  WriteConfig("[program.web]\ncommand = \"true\"\n");
  auto c = Vigil({"check", config_.string()});
  EXPECT_EQ(c.exit_code, 0) << c.err;
}

}  // namespace
}  // namespace vigil::testing

namespace vigil::testing {
namespace {

TEST(ExamplesTest, ShippedExamplesAreValid) {
  for (const char* name : {"vigil.toml", "server-maintenance.toml", "container/vigil.toml"}) {
    auto r = RunCommand({VigilBin(), "check", SourceDir() + "/examples/" + name});
    EXPECT_EQ(r.exit_code, 0) << name << ": " << r.err;
  }
}

}  // namespace
}  // namespace vigil::testing
