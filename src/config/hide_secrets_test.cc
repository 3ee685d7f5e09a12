// SPDX-License-Identifier: MIT
// HideSecrets: what a viewer sees of a section.
#include "config/hide_secrets.h"

#include <gtest/gtest.h>

#include "config/config_test_util.h"

namespace vigil::config {
namespace {

std::string Hide(const std::string& text) {
  auto hidden = HideSecrets(text, "section");
  if (!hidden) return "<" + hidden.error().message() + ">";
  return *hidden;
}

TEST(HideSecretsTest, NamesThatHoldSecrets) {
  for (const char* name : {"environment", "env", "ENV", "password", "db_password_file", "Secret", "api_token", "key",
                           "API_KEY", "ssh_keys"}) {
    EXPECT_TRUE(IsSecretKey(name)) << name;
  }
  for (const char* name : {"command", "keep", "user", "environ", "stdout", "depends_on"}) {
    EXPECT_FALSE(IsSecretKey(name)) << name;
  }
}

TEST(HideSecretsTest, HidesEnvironmentValuesAndSecretKeysKeepingTheRest) {
  const std::string text = Lines({
      "# web: token rotation is monthly",
      "[program.web]",
      "command = [\"/bin/web\", \"--port\", \"80\"]  # as written",
      "environment = { PORT = \"80\", DB_URL = 'postgres://u:p@db/x' }",
      "api_token = \"abc123\"",
      "",
      "[program.web.health]",
      "http = \"http://127.0.0.1/health\"",
      "secret_headers = [\"X-A: 1\", \"X-B: 2\"]",
      "retries = 3",
  });
  EXPECT_EQ(Hide(text), Lines({
                            "# web: token rotation is monthly",
                            "[program.web]",
                            "command = [\"/bin/web\", \"--port\", \"80\"]  # as written",
                            "environment = { PORT = \"(hidden)\", DB_URL = \"(hidden)\" }",
                            "api_token = \"(hidden)\"",
                            "",
                            "[program.web.health]",
                            "http = \"http://127.0.0.1/health\"",
                            "secret_headers = [\"(hidden)\", \"(hidden)\"]",
                            "retries = 3",
                        }));
}

TEST(HideSecretsTest, HidesAnEnvironmentTableMultiLineValuesAndNumbers) {
  const std::string text = Lines({
      "[program.web.environment]",
      "A = \"\"\"two",
      "lines\"\"\"",
      "\"naïve €\" = 'x'",
      "[program.web]",
      "password = 1234",
      "tls = { key = { file = \"/k\" }, verify = true }",
  });
  EXPECT_EQ(Hide(text), Lines({
                            "[program.web.environment]",
                            "A = \"(hidden)\"",
                            "\"naïve €\" = \"(hidden)\"",
                            "[program.web]",
                            "password = \"(hidden)\"",
                            "tls = { key = { file = \"(hidden)\" }, verify = true }",
                        }));
}

TEST(HideSecretsTest, KeepsCrlfAndTextWithoutSecrets) {
  EXPECT_EQ(Hide("[program.web]\r\nenv.A = \"1\"\r\ncommand = \"x\"\r\n"),
            "[program.web]\r\nenv.A = \"(hidden)\"\r\ncommand = \"x\"\r\n");
  const std::string plain = Lines({"[program.web]", "command = \"x\"  # no secrets"});
  EXPECT_EQ(Hide(plain), plain);
}

TEST(HideSecretsTest, TextThatIsNotTomlIsRefused) {
  const std::string out = Hide("[program.web]\npassword = \"unclosed\n");
  EXPECT_EQ(out.rfind("<section:2: syntax error: ", 0), 0u) << out;
  EXPECT_EQ(out.find("unclosed"), std::string::npos) << "nothing of it is shown: " << out;
}

}  // namespace
}  // namespace vigil::config
