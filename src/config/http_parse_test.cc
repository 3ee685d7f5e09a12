// SPDX-License-Identifier: MIT
// [http]: listen addresses (one or several, IPv4 and IPv6 literals, localhost), allowed
// Host names, TLS files, and each mistake as one "FILE:LINE: KEY: reason".
#include "config/http_parse.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "config/config_test_util.h"

namespace vigil::config {
namespace {

constexpr const char* kFile = "/tmp/c/vigil.toml";

TEST(ListenAddressTest, IpLiteralsAndAPort) {
  auto v4 = ParseListenAddress("127.0.0.1:7411");
  ASSERT_TRUE(v4);
  EXPECT_EQ(v4->host, "127.0.0.1");
  EXPECT_EQ(v4->port, 7411);
  EXPECT_TRUE(v4->loopback);
  auto v6 = ParseListenAddress("[::1]:80");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->host, "::1");
  EXPECT_TRUE(v6->loopback);
  EXPECT_EQ(FormatListenAddress(*v6), "[::1]:80");
  auto any = ParseListenAddress("0.0.0.0:7411");
  ASSERT_TRUE(any);
  EXPECT_FALSE(any->loopback);
  auto other = ParseListenAddress("127.1.2.3:1");
  ASSERT_TRUE(other);
  EXPECT_TRUE(other->loopback);
  auto local = ParseListenAddress("localhost:7411");
  ASSERT_TRUE(local);
  EXPECT_EQ(local->host, "127.0.0.1");
  EXPECT_EQ(FormatListenAddress(*local), "127.0.0.1:7411");
  for (const char* bad : {"", "7411", ":7411", "127.0.0.1", "127.0.0.1:", "127.0.0.1:0", "127.0.0.1:65536",
                          "127.0.0.1:x", "example.com:80", "::1:80", "[::1]", "[127.0.0.1]:80", "1.2.3:80"}) {
    EXPECT_FALSE(ParseListenAddress(bad)) << bad;
  }
}

TEST(HttpParseTest, NoTableNoListener) {
  auto spec = ParseConfig(Lines({"[vigil]"}), kFile, NonRoot());
  ASSERT_TRUE(spec.has_value()) << spec.error().message();
  EXPECT_TRUE(spec->http.listen.empty());
}

TEST(HttpParseTest, EveryKey) {
  auto spec = ParseConfig(Lines({"[http]", "listen = [\"127.0.0.1:7411\", \"[::1]:7411\"]",
                                 "allowed_hosts = [\"vigil.example.com\"]", "metrics_public = true", "max_connections = 8",
                                 "session_idle = \"2h\""}),
                          kFile, NonRoot());
  ASSERT_TRUE(spec.has_value()) << spec.error().message();
  const HttpSpec& http = spec->http;
  ASSERT_EQ(http.listen.size(), 2u);
  EXPECT_EQ(http.listen[1].host, "::1");
  EXPECT_EQ(http.allowed_hosts, std::vector<std::string>{"vigil.example.com"});
  EXPECT_TRUE(http.metrics_public);
  EXPECT_EQ(http.max_connections, 8);
  EXPECT_EQ(http.session_idle, std::chrono::hours(2));
}

TEST(HttpParseTest, OtherMachinesOnlyInsecureOnPurpose) {
  EXPECT_EQ(ParseError(Lines({"[http]", "listen = \"0.0.0.0:7411\""}), kFile),
            ErrorAt(kFile, 2,
                    "http.listen: 0.0.0.0:7411 is reachable from other machines, and the listener speaks plain HTTP: "
                    "give it a certificate (tls_cert and tls_key), put a TLS proxy in front on this machine, or set "
                    "insecure = true to send tokens and cookies in clear text on purpose"));
  EXPECT_EQ(ParseError(Lines({"[http]", "listen = \"0.0.0.0:7411\"", "insecure = true"}), kFile), "<parsed fine>");
}

// Two readable files standing in for a certificate and its key (read only when the
// listener starts, so their contents do not matter here).
class TlsFiles {
 public:
  TlsFiles() {
    char pattern[] = "/tmp/vigil-http-parse-XXXXXX";
    dir_ = ::mkdtemp(pattern);
    std::ofstream(cert()) << "certificate";
    std::ofstream(key()) << "key";
  }
  ~TlsFiles() { std::filesystem::remove_all(dir_); }
  std::string cert() const { return dir_ + "/cert.pem"; }
  std::string key() const { return dir_ + "/key.pem"; }
  std::string dir() const { return dir_; }

 private:
  std::string dir_;
};

TEST(HttpParseTest, TlsOpensOtherMachines) {
  TlsFiles files;
  auto spec = ParseConfig(Lines({"[http]", "listen = \"0.0.0.0:7411\"", "tls_cert = \"" + files.cert() + "\"",
                                 "tls_key = \"" + files.key() + "\""}),
                          kFile, NonRoot());
  ASSERT_TRUE(spec.has_value()) << spec.error().message();
  EXPECT_TRUE(spec->http.tls());
  EXPECT_EQ(spec->http.tls_cert, files.cert());
  EXPECT_EQ(spec->http.tls_key, files.key());
  EXPECT_FALSE(spec->http.insecure);
}

TEST(HttpParseTest, TlsMistakes) {
  TlsFiles files;
  const std::string listen = "listen = \"127.0.0.1:7411\"";
  const std::string cert = "tls_cert = \"" + files.cert() + "\"";
  const std::string key = "tls_key = \"" + files.key() + "\"";
  EXPECT_EQ(ParseError(Lines({"[http]", listen, cert}), kFile),
            ErrorAt(kFile, 3, "http.tls_cert: needs tls_key too (the certificate's private key)"));
  EXPECT_EQ(ParseError(Lines({"[http]", listen, key}), kFile),
            ErrorAt(kFile, 3, "http.tls_key: needs tls_cert too (the certificate of this key)"));
  EXPECT_EQ(ParseError(Lines({"[http]", listen, "tls_cert = \"cert.pem\"", key}), kFile),
            ErrorAt(kFile, 3,
                    "http.tls_cert: must be an absolute path such as \"/etc/vigil/tls/cert.pem\", got \"cert.pem\""));
  EXPECT_EQ(ParseError(Lines({"[http]", listen, cert, "tls_key = \"" + files.dir() + "/none.pem\""}), kFile),
            ErrorAt(kFile, 4,
                    "http.tls_key: cannot read \"" + files.dir() + "/none.pem\": No such file or directory"));
  EXPECT_EQ(ParseError(Lines({"[http]", listen, "tls_cert = \"" + files.dir() + "\"", key}), kFile),
            ErrorAt(kFile, 3, "http.tls_cert: \"" + files.dir() + "\" is not a file"));
  EXPECT_EQ(ParseError(Lines({"[http]", listen, cert, key, "insecure = true"}), kFile),
            ErrorAt(kFile, 5, "http.insecure: is for plain HTTP; with tls_cert the listener speaks HTTPS: remove insecure"));
}

TEST(HttpParseTest, Mistakes) {
  EXPECT_EQ(ParseError(Lines({"[http]", "allowed_hosts = []"}), kFile),
            ErrorAt(kFile, 1, "http: missing required key \"listen\" (an address like \"127.0.0.1:7411\")"));
  EXPECT_EQ(ParseError(Lines({"[http]", "listen = \"example.com:80\""}), kFile),
            ErrorAt(kFile, 2,
                    "http.listen: \"example.com:80\" is not an address: expected an IP address and a port, like "
                    "\"127.0.0.1:7411\" or \"[::1]:7411\" (host names are not resolved)"));
  EXPECT_EQ(ParseError(Lines({"[http]", "listen = 7411"}), kFile),
            ErrorAt(kFile, 2,
                    "http.listen: expected an address like \"127.0.0.1:7411\" or an array of them, got integer 7411"));
  EXPECT_EQ(ParseError(Lines({"[http]", "listen = []"}), kFile),
            ErrorAt(kFile, 2, "http.listen: must name at least one address (or leave [http] out)"));
  EXPECT_EQ(ParseError(Lines({"[http]", "listen = [\"127.0.0.1:1\", \"127.0.0.1:1\"]"}), kFile),
            ErrorAt(kFile, 2, "http.listen: \"127.0.0.1:1\" is listed twice"));
  EXPECT_EQ(ParseError(Lines({"[http]", "listen = \"127.0.0.1:1\"", "allowed_hosts = [\"a.example:80\"]"}), kFile),
            ErrorAt(kFile, 3,
                    "http.allowed_hosts: \"a.example:80\" is not a host name (letters, digits, '-' and '.', without "
                    "a port)"));
  EXPECT_EQ(ParseError(Lines({"[http]", "listen = \"127.0.0.1:1\"", "max_connections = 0"}), kFile).find(
                "http.max_connections"),
            std::string(kFile).size() + 4);
  EXPECT_NE(ParseError(Lines({"[http]", "listen = \"127.0.0.1:1\"", "port = 1"}), kFile).find("http.port: unknown key"),
            std::string::npos);
  EXPECT_EQ(ParseError(Lines({"[http]", "listen = \"127.0.0.1:1\"", "session_idle = \"10s\""}), kFile),
            ErrorAt(kFile, 3, "http.session_idle: must be at least 1m"));
}

}  // namespace
}  // namespace vigil::config
