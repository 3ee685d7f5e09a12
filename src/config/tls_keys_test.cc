// SPDX-License-Identifier: MIT
// tls_verify and ca_file on http checks, the program shorthand health = { http = ... } and
// ready = { http = ... }: what parses, and each mistake as one "FILE:LINE: KEY: reason".
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "config/config_test_util.h"
#include "config/load.h"

namespace vigil::config {
namespace {

constexpr const char* kFile = "/tmp/c/vigil.toml";

class TlsKeysTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/vigil-tls-keys-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    dir_ = pattern;
    ca_file_ = (dir_ / "ca.pem").string();
    std::ofstream(ca_file_) << "not checked by the config, only that it can be read\n";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Quoted(const std::string& text) { return "\"" + text + "\""; }

  std::filesystem::path dir_;
  std::string ca_file_;
};

TEST_F(TlsKeysTest, HttpsChecksVerifyByDefault) {
  auto spec = ParseConfig(Lines({"[check.web]", "http = \"https://example.com/health\""}), kFile, NonRoot());
  ASSERT_TRUE(spec.has_value()) << spec.error().message();
  ASSERT_EQ(spec->checks.size(), 1u);
  EXPECT_EQ(spec->checks[0].probe->url, "https://example.com/health");
  EXPECT_TRUE(spec->checks[0].probe->tls.verify);
  EXPECT_EQ(spec->checks[0].probe->tls.ca_file, "");
}

TEST_F(TlsKeysTest, ChecksTakeACaFileOrNoVerification) {
  auto spec = ParseConfig(Lines({"[check.a]", "http = \"https://10.0.0.1/\"", "ca_file = " + Quoted(ca_file_),
                                 "[check.b]", "tls_verify = false", "http = \"https://10.0.0.2/\"", "[check.c]",
                                 "http = \"https://10.0.0.3/\"", "tls_verify = true", "ca_file = " + Quoted(ca_file_)}),
                          kFile, NonRoot());
  ASSERT_TRUE(spec.has_value()) << spec.error().message();
  ASSERT_EQ(spec->checks.size(), 3u);
  EXPECT_EQ(spec->checks[0].probe->tls, (base::TlsSettings{true, ca_file_}));
  EXPECT_EQ(spec->checks[1].probe->tls, (base::TlsSettings{false, ""}));
  EXPECT_EQ(spec->checks[2].probe->tls, (base::TlsSettings{true, ca_file_}));
}

TEST_F(TlsKeysTest, TheProgramShorthandTakesThemToo) {
  auto spec = ParseConfig(Lines({"[program.web]", "command = [\"/bin/web\"]",
                                 "health = { http = \"https://127.0.0.1:8443/\", ca_file = " + Quoted(ca_file_) + " }",
                                 "[program.api]", "command = [\"/bin/api\"]",
                                 "health = { http = \"https://127.0.0.1:9443/\", tls_verify = false, fails = 2 }"}),
                          kFile, NonRoot());
  ASSERT_TRUE(spec.has_value()) << spec.error().message();
  ASSERT_EQ(spec->checks.size(), 2u);
  EXPECT_EQ(spec->checks[0].name, "web.health");
  EXPECT_EQ(spec->checks[0].probe->tls.ca_file, ca_file_);
  EXPECT_EQ(spec->checks[1].name, "api.health");
  EXPECT_FALSE(spec->checks[1].probe->tls.verify);
}

TEST_F(TlsKeysTest, ReadinessTakesThemToo) {
  auto spec = ParseConfig(Lines({"[program.web]", "command = [\"/bin/web\"]",
                                 "ready = { http = \"https://localhost:8443/ready\", ca_file = " + Quoted(ca_file_) +
                                     " }",
                                 "[program.api]", "command = [\"/bin/api\"]",
                                 "ready = { tls_verify = false, http = \"https://localhost:9443/\" }",
                                 "[program.db]", "command = [\"/bin/db\"]", "ready = { http = \"https://db/\" }"}),
                          kFile, NonRoot());
  ASSERT_TRUE(spec.has_value()) << spec.error().message();
  ASSERT_EQ(spec->programs.size(), 3u);
  EXPECT_EQ(spec->programs[0].ready->kind, ReadyKind::kHttp);
  EXPECT_EQ(spec->programs[0].ready->target, "https://localhost:8443/ready");
  EXPECT_EQ(spec->programs[0].ready->tls, (base::TlsSettings{true, ca_file_}));
  EXPECT_EQ(spec->programs[1].ready->tls, (base::TlsSettings{false, ""}));
  EXPECT_EQ(spec->programs[2].ready->tls, base::TlsSettings{});
}

TEST_F(TlsKeysTest, CheckMistakes) {
  auto error = [](const std::vector<std::string>& lines) {
    std::string text = "[check.web]\n";
    for (const std::string& line : lines) text += line + "\n";
    return ParseError(text, kFile);
  };
  EXPECT_EQ(error({"http = \"http://a/\"", "tls_verify = false"}),
            ErrorAt(kFile, 3, "check.web.tls_verify: only applies to https:// URLs"));
  EXPECT_EQ(error({"ca_file = " + Quoted(ca_file_), "http = \"http://a/\""}),
            ErrorAt(kFile, 2, "check.web.ca_file: only applies to https:// URLs"));
  EXPECT_EQ(error({"tcp = \"a:1\"", "tls_verify = false"}),
            ErrorAt(kFile, 3, "check.web.tls_verify: only applies to http checks (this is a tcp check)"));
  EXPECT_EQ(error({"http = \"https://a/\"", "tls_verify = \"no\""}),
            ErrorAt(kFile, 3, "check.web.tls_verify: expected true or false, got string \"no\""));
  EXPECT_EQ(error({"http = \"https://a/\"", "ca_file = \"ca.pem\""}),
            ErrorAt(kFile, 3,
                    "check.web.ca_file: must be an absolute path such as \"/etc/ssl/private-ca.pem\", got \"ca.pem\""));
  EXPECT_EQ(error({"http = \"https://a/\"", "ca_file = " + Quoted((dir_ / "missing.pem").string())}),
            ErrorAt(kFile, 3,
                    "check.web.ca_file: cannot read \"" + (dir_ / "missing.pem").string() +
                        "\": No such file or directory"));
  EXPECT_EQ(error({"http = \"https://a/\"", "ca_file = " + Quoted(dir_.string())}),
            ErrorAt(kFile, 3, "check.web.ca_file: \"" + dir_.string() + "\" is not a file"));
  const std::string together =
      "ca_file and tls_verify = false do not go together (a ca_file is for verifying against a private CA); remove "
      "one";
  EXPECT_EQ(error({"http = \"https://a/\"", "tls_verify = false", "ca_file = " + Quoted(ca_file_)}),
            ErrorAt(kFile, 4, "check.web.ca_file: " + together));
  EXPECT_EQ(error({"http = \"https://a/\"", "ca_file = " + Quoted(ca_file_), "tls_verify = false"}),
            ErrorAt(kFile, 4, "check.web.tls_verify: " + together));
}

TEST_F(TlsKeysTest, ReadinessMistakes) {
  auto error = [](const std::string& line) {
    return ParseError(Lines({"[program.web]", "command = [\"/bin/web\"]", line}), kFile);
  };
  EXPECT_EQ(error("ready = { http = \"http://a/\", tls_verify = false }"),
            ErrorAt(kFile, 3, "program.web.ready.tls_verify: only applies to https:// URLs"));
  EXPECT_EQ(error("ready = { tcp = \"a:1\", tls_verify = false }"),
            ErrorAt(kFile, 3, "program.web.ready.tls_verify: only applies to http readiness (https:// URLs)"));
  EXPECT_EQ(error("ready = { ca_file = \"/etc/x.pem\" }"),
            ErrorAt(kFile, 3, "program.web.ready: give exactly one of tcp, http or log, got 0 keys"));
  EXPECT_EQ(error("ready = { http = \"https://a/\", cafile = \"/x\" }"),
            ErrorAt(kFile, 3,
                    "program.web.ready.cafile: unknown key (expected one of: tcp, http, log, tls_verify, ca_file)"));
  EXPECT_EQ(error("ready = { http = \"https://a/\", ca_file = \"x.pem\" }"),
            ErrorAt(kFile, 3,
                    "program.web.ready.ca_file: must be an absolute path such as \"/etc/ssl/private-ca.pem\", got "
                    "\"x.pem\""));
}

TEST_F(TlsKeysTest, ShorthandMistakes) {
  EXPECT_EQ(ParseError(Lines({"[program.web]", "command = [\"/bin/web\"]",
                              "health = { tcp = \"a:1\", tls_verify = false }"}),
                       kFile),
            ErrorAt(kFile, 3, "program.web.health.tls_verify: only applies to http checks (this is a tcp check)"));
}

}  // namespace
}  // namespace vigil::config
