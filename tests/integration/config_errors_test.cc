// SPDX-License-Identifier: MIT
// End-to-end: a bad config makes vigild refuse to start with FILE:LINE: key: reason, and
// `vigil check` says the same without starting anything.
#include <fmt/format.h>

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
  for (const char* name : {"vigil.toml", "server-maintenance.toml"}) {
    auto r = RunCommand({VIGIL_BIN, "check", std::string(VIGIL_SOURCE_DIR) + "/examples/" + name});
    EXPECT_EQ(r.exit_code, 0) << name << ": " << r.err;
  }
}

}  // namespace
}  // namespace vigil::testing
