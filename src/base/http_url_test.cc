// SPDX-License-Identifier: MIT
// Tests of the http check URL and tcp check address parsers: what they accept, how they
// split it, and the exact words of each refusal (they end up in config errors).
#include "base/http_url.h"

#include <gtest/gtest.h>

#include <string>

namespace vigil::base {
namespace {

// The error message of parsing `text`, or "" if it parsed.
std::string UrlError(std::string_view text) {
  auto url = ParseHttpUrl(text);
  if (url) return "";
  EXPECT_EQ(url.error().code(), StatusCode::kInvalidArgument);
  return url.error().message();
}

std::string HostPortError(std::string_view text) {
  auto address = ParseHostPort(text);
  if (address) return "";
  EXPECT_EQ(address.error().code(), StatusCode::kInvalidArgument);
  return address.error().message();
}

TEST(ParseHttpUrlTest, SplitsHostPortAndTarget) {
  const struct {
    const char* text;
    HttpUrl want;
  } cases[] = {
      {"http://example.com", {"example.com", 80, "/"}},
      {"http://example.com/", {"example.com", 80, "/"}},
      {"http://example.com:8080/health", {"example.com", 8080, "/health"}},
      {"http://127.0.0.1:9/a/b?x=1&y=%20z", {"127.0.0.1", 9, "/a/b?x=1&y=%20z"}},
      {"http://localhost?ready", {"localhost", 80, "/?ready"}},
      {"http://[::1]", {"::1", 80, "/"}},
      {"http://[::1]:8080/x", {"::1", 8080, "/x"}},
      {"http://[2001:db8::42]:65535/", {"2001:db8::42", 65535, "/"}},
      {"HTTP://Example.COM/Path", {"Example.COM", 80, "/Path"}},
      {"http://my_host-1.internal.:81/", {"my_host-1.internal.", 81, "/"}},
      {"http://web/status#section", {"web", 80, "/status"}},
      {"http://web#top", {"web", 80, "/"}},
      {"http://web:1", {"web", 1, "/"}},
      {"http://web:00080/", {"web", 80, "/"}},
  };
  for (const auto& c : cases) {
    auto url = ParseHttpUrl(c.text);
    ASSERT_TRUE(url.has_value()) << c.text << ": " << url.error().message();
    EXPECT_EQ(url->host, c.want.host) << c.text;
    EXPECT_EQ(url->port, c.want.port) << c.text;
    EXPECT_EQ(url->target, c.want.target) << c.text;
  }
}

TEST(ParseHttpUrlTest, HttpsDefaultsToPort443) {
  const struct {
    const char* text;
    HttpUrl want;
  } cases[] = {
      {"https://example.com", {"example.com", 443, "/", true}},
      {"HTTPS://example.com:8443/health?x", {"example.com", 8443, "/health?x", true}},
      {"https://[::1]/", {"::1", 443, "/", true}},
      {"https://web:80/", {"web", 80, "/", true}},
      {"http://web/", {"web", 80, "/", false}},
  };
  for (const auto& c : cases) {
    auto url = ParseHttpUrl(c.text);
    ASSERT_TRUE(url.has_value()) << c.text << ": " << url.error().message();
    EXPECT_EQ(*url, c.want) << c.text;
  }
  EXPECT_EQ(UrlError("https://"), "missing host after https://");
}

TEST(ParseHttpUrlTest, RefusesOtherSchemesAndMissingScheme) {
  EXPECT_EQ(UrlError("ftp://example.com/"), R"(unsupported scheme "ftp"; http checks take http:// and https:// URLs)");
  EXPECT_EQ(UrlError("example.com/health"), "expected a URL starting with http:// or https://");
  EXPECT_EQ(UrlError("localhost:8080"), "expected a URL starting with http:// or https://");
  EXPECT_EQ(UrlError("/health?next=http://x"), "expected a URL starting with http:// or https://");
  EXPECT_EQ(UrlError("://example.com"), "expected a URL starting with http:// or https://");
  EXPECT_EQ(UrlError("http:/example.com"), "expected a URL starting with http:// or https://");
}

TEST(ParseHttpUrlTest, RefusesBadPorts) {
  for (const char* text : {"http://web:0/", "http://web:65536/", "http://web:99999/", "http://web:/", "http://web:8o/",
                           "http://web:-1/", "http://web:123456/", "http://[::1]:/", "http://[::1]:0"}) {
    EXPECT_EQ(UrlError(text), "port must be 1-65535") << text;
  }
}

TEST(ParseHttpUrlTest, RefusesMissingOrBadHosts) {
  EXPECT_EQ(UrlError("http://"), "missing host after http://");
  EXPECT_EQ(UrlError("http:///health"), "missing host after http://");
  EXPECT_EQ(UrlError("http://:8080/"), "missing host");
  EXPECT_EQ(UrlError("http://we!b/"), R"(bad character '!' in host "we!b")");
  EXPECT_EQ(UrlError("http://a..b/"), R"(bad host name "a..b")");
  EXPECT_EQ(UrlError("http://.a/"), R"(bad host name ".a")");
  EXPECT_EQ(UrlError("http://10.1/"), R"(bad IPv4 address "10.1")");
  EXPECT_EQ(UrlError("http://256.0.0.1/"), R"(bad IPv4 address "256.0.0.1")");
  EXPECT_EQ(UrlError("http://" + std::string(255, 'a') + "/"), "host name is too long");
  EXPECT_EQ(UrlError("http://%41/"), R"(bad character '%' in host "%41")");
}

TEST(ParseHttpUrlTest, RefusesBadIpv6) {
  EXPECT_EQ(UrlError("http://::1/"), "an IPv6 address needs brackets, as in http://[::1]:8080/");
  EXPECT_EQ(UrlError("http://[::1/"), "missing ']' after the IPv6 address");
  EXPECT_EQ(UrlError("http://[]/"), R"(bad IPv6 address "")");
  EXPECT_EQ(UrlError("http://[::g]/"), R"(bad IPv6 address "::g")");
  EXPECT_EQ(UrlError("http://[fe80::1%25eth0]/"), R"(bad IPv6 address "fe80::1%25eth0")");
  EXPECT_EQ(UrlError("http://[::1]x/"), R"(expected ':' and a port after the IPv6 address, got "x")");
}

TEST(ParseHttpUrlTest, RefusesUserInfo) {
  EXPECT_EQ(UrlError("http://user:secret@example.com/"), "user names and passwords in URLs are not supported");
  EXPECT_EQ(UrlError("http://@example.com/"), "user names and passwords in URLs are not supported");
  // An '@' after the authority is part of the path.
  EXPECT_EQ(UrlError("http://example.com/@me"), "");
}

TEST(ParseHttpUrlTest, RefusesSpacesControlsAndNonAscii) {
  for (std::string text :
       {std::string("http://web/a b"), std::string("http://web/\t"), std::string("http://web/\r\nX-Evil: 1"),
        std::string("http://web/\x7f"), std::string(" http://web/"), std::string("http://web/x\0y", 14)}) {
    EXPECT_EQ(UrlError(text), "URL contains a space or a control character") << text;
  }
  EXPECT_EQ(UrlError("http://web/caf\xc3\xa9"), "URL contains a non-ASCII character; percent-encode it");
}

TEST(ParseHttpUrlTest, RefusesBadEscapes) {
  for (const char* text : {"http://web/%", "http://web/%2", "http://web/%zz", "http://web/?q=%g0"}) {
    EXPECT_EQ(UrlError(text), "'%' in a URL must start an escape such as %20") << text;
  }
  EXPECT_EQ(UrlError("http://web/%2F%c3%A9"), "");
}

TEST(ParseHttpUrlTest, RefusesOverlongUrls) {
  std::string prefix = "http://web/";
  std::string longest = prefix + std::string(kMaxHttpUrlLength - prefix.size(), 'a');
  EXPECT_EQ(UrlError(longest), "");
  EXPECT_EQ(UrlError(longest + "a"), "URL is longer than 2048 characters");
}

TEST(ParseHttpUrlTest, RefusesEmpty) { EXPECT_EQ(UrlError(""), "empty URL"); }

TEST(ParseHttpUrlTest, FormatsBackToAnEquivalentUrl) {
  for (const char* text : {"http://example.com/", "http://example.com:8080/health?x=1", "http://[::1]:9000/",
                           "http://[::1]/", "http://10.0.0.1:80/a", "https://example.com/",
                           "https://example.com:80/", "https://[::1]:8443/x"}) {
    auto url = ParseHttpUrl(text);
    ASSERT_TRUE(url.has_value()) << text;
    auto again = ParseHttpUrl(FormatHttpUrl(*url));
    ASSERT_TRUE(again.has_value()) << FormatHttpUrl(*url);
    EXPECT_EQ(*again, *url) << text;
  }
  EXPECT_EQ(FormatHttpUrl(*ParseHttpUrl("http://web:80")), "http://web/");
  EXPECT_EQ(FormatHttpUrl(*ParseHttpUrl("http://[::1]:8080?x")), "http://[::1]:8080/?x");
  EXPECT_EQ(FormatHttpUrl(*ParseHttpUrl("https://web:443")), "https://web/");
  EXPECT_EQ(FormatHttpUrl(*ParseHttpUrl("https://web:80/")), "https://web:80/");
}

TEST(HostHeaderTest, LeavesOutPort80AndBracketsIpv6) {
  EXPECT_EQ(HostHeader({"example.com", 80, "/"}), "example.com");
  EXPECT_EQ(HostHeader({"example.com", 8080, "/"}), "example.com:8080");
  EXPECT_EQ(HostHeader({"::1", 80, "/"}), "[::1]");
  EXPECT_EQ(HostHeader({"::1", 8080, "/"}), "[::1]:8080");
}

TEST(HostHeaderTest, LeavesOutPort443ForHttps) {
  EXPECT_EQ(HostHeader({"example.com", 443, "/", true}), "example.com");
  EXPECT_EQ(HostHeader({"example.com", 80, "/", true}), "example.com:80");
  EXPECT_EQ(HostHeader({"example.com", 443, "/", false}), "example.com:443");
}

TEST(ParseHostPortTest, SplitsHostAndPort) {
  const struct {
    const char* text;
    HostPort want;
  } cases[] = {
      {"127.0.0.1:5432", {"127.0.0.1", 5432}},
      {"db.internal:6379", {"db.internal", 6379}},
      {"[::1]:22", {"::1", 22}},
      {"[2001:db8::1]:65535", {"2001:db8::1", 65535}},
      {"localhost:1", {"localhost", 1}},
  };
  for (const auto& c : cases) {
    auto address = ParseHostPort(c.text);
    ASSERT_TRUE(address.has_value()) << c.text << ": " << address.error().message();
    EXPECT_EQ(*address, c.want) << c.text;
    EXPECT_EQ(FormatHostPort(*address), c.text);
  }
}

TEST(ParseHostPortTest, RefusesWhatIsNotHostAndPort) {
  EXPECT_EQ(HostPortError(""), "expected host:port, such as 127.0.0.1:5432");
  EXPECT_EQ(HostPortError("localhost"), "expected host:port, such as 127.0.0.1:5432");
  EXPECT_EQ(HostPortError("[::1]"), "expected host:port, such as 127.0.0.1:5432");
  EXPECT_EQ(HostPortError("::1:22"), "an IPv6 address needs brackets, as in [::1]:5432");
  EXPECT_EQ(HostPortError(":22"), "missing host");
  EXPECT_EQ(HostPortError("db:0"), "port must be 1-65535");
  EXPECT_EQ(HostPortError("db:65536"), "port must be 1-65535");
  EXPECT_EQ(HostPortError("db:http"), "port must be 1-65535");
  EXPECT_EQ(HostPortError("db:"), "port must be 1-65535");
  EXPECT_EQ(HostPortError("tcp://db:22"), "expected host:port without a scheme, such as 127.0.0.1:5432");
  EXPECT_EQ(HostPortError("db:22/x"), "port must be 1-65535");
  EXPECT_EQ(HostPortError("user@db:22"), R"(bad character '@' in host "user@db")");
  EXPECT_EQ(HostPortError("db :22"), "address contains a space or a control character");
  EXPECT_EQ(HostPortError(std::string("db\0:22", 6)), "address contains a space or a control character");
  EXPECT_EQ(HostPortError(std::string(300, 'a') + ":1"), "address is too long");
}

}  // namespace
}  // namespace vigil::base
