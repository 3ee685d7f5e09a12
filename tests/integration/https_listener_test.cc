// SPDX-License-Identifier: MIT
// The HTTP listener over TLS ([http] tls_cert and tls_key; docs/web.md, "HTTPS"), end to
// end with curl verifying the certificate as any client would: the API, a log download
// and a log follow over HTTPS, a plain HTTP client told to use https://, a login link with
// a Secure cookie, a renewed certificate taken on reload, a broken one refused by the
// reload (the old one still served), and a key that is not the certificate's stopping
// the start. The certificates are src/tls/testdata's.
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "harness.h"

namespace vigil::testing {
namespace {

using nlohmann::json;

class HttpsListenerTest : public VigilTest {
 protected:
  void SetUp() override {
    VigilTest::SetUp();
    port_ = FreeTcpPort();
    // Copies, so that a test can renew or break them in place.
    std::filesystem::copy_file(TestData("cert.pem"), Path("cert.pem"));
    std::filesystem::copy_file(TestData("key.pem"), Path("key.pem"));
  }

  static std::string TestData(const std::string& name) { return SourceDir() + "/src/tls/testdata/" + name; }
  std::string Path(const std::string& name) const { return (dir_ / name).string(); }
  std::string Base() const { return "https://127.0.0.1:" + std::to_string(port_); }

  void Start(const std::string& key = "key.pem") {
    WriteConfig("[http]\nlisten = \"127.0.0.1:" + std::to_string(port_) + "\"\ntls_cert = \"" + Path("cert.pem") +
                "\"\ntls_key = \"" + Path(key) + "\"\n\n[program.web]\ncommand = [\"" + Child() +
                "\", \"idle\"]\nstart_seconds = \"0s\"\n");
    StartDaemon();
    ASSERT_TRUE(WaitForState("web", "RUNNING"));
  }

  std::string Token() {
    CommandResult r = Vigil({"token"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out.substr(0, r.out.find('\n'));
  }

  // curl over HTTPS, trusting `ca` only; returns the status ("000" when TLS failed) and body.
  std::pair<std::string, std::string> Curl(const std::string& url, const std::string& ca = "",
                                           std::vector<std::string> extra = {}) {
    std::vector<std::string> argv = {"curl", "-s", "--max-time", "20", "-o", "-", "-w", "\n%{http_code}",
                                     "--cacert", ca.empty() ? TestData("cert.pem") : ca, url};
    for (std::string& e : extra) argv.push_back(std::move(e));
    CommandResult r = RunCommand(argv);
    const size_t split = r.out.rfind('\n');
    if (split == std::string::npos) return {r.out, ""};
    return {r.out.substr(split + 1), r.out.substr(0, split)};
  }

  int port_ = 0;
};

TEST_F(HttpsListenerTest, TheApiOverHttpsWithAVerifiedCertificate) {
  Start();
  auto [status, body] = Curl(Base() + "/healthz");
  EXPECT_EQ(status, "200");
  EXPECT_EQ(body, "{\"status\":\"ok\"}\n");
  auto [listed, programs] = Curl(Base() + "/v1/programs", "", {"-H", "Authorization: Bearer " + Token()});
  EXPECT_EQ(listed, "200");
  EXPECT_EQ(json::parse(programs)["programs"][0]["name"], "web") << programs;
  // Without the certificate's CA, curl refuses the connection: it is TLS, not a plain port.
  CommandResult untrusted = RunCommand({"curl", "-s", "--max-time", "20", "-o", "/dev/null", Base() + "/healthz"});
  EXPECT_EQ(untrusted.exit_code, 60) << "curl: peer certificate cannot be authenticated";
  // The event log names the certificate.
  EXPECT_NE(ReadFile(log_dir_ / "vigild.log")
                .find("HTTP listener on https://127.0.0.1:" + std::to_string(port_) +
                      ", certificate CN=vigil.test, valid until 2126-11-08 15:36:21 UTC"),
            std::string::npos);
}

TEST_F(HttpsListenerTest, ALogDownloadAndAFollowOverHttps) {
  WriteConfig("[http]\nlisten = \"127.0.0.1:" + std::to_string(port_) + "\"\ntls_cert = \"" + Path("cert.pem") +
              "\"\ntls_key = \"" + Path("key.pem") + "\"\n\n[program.talk]\ncommand = [\"" + Child() +
              "\", \"flood\", \"5000\"]\nstart_seconds = \"0s\"\n");
  StartDaemon();
  const std::filesystem::path log = log_dir_ / "talk.out.log";
  ASSERT_TRUE(WaitFor([&] { return ReadFile(log).find("000000004999 ") != std::string::npos; }));
  const std::string bearer = "Authorization: Bearer " + Token();
  // The file body is written 64 KiB at a time through TLS.
  auto [status, body] = Curl(Base() + "/v1/programs/talk/logs/download", "", {"-H", bearer});
  EXPECT_EQ(status, "200");
  EXPECT_EQ(body, ReadFile(log));
  // A chunked follow: the history, then curl's own deadline ends it (exit 28), vigild goes on.
  CommandResult follow = RunCommand({"curl", "-s", "-N", "--max-time", "2", "--cacert", TestData("cert.pem"), "-H",
                                     bearer, Base() + "/v1/programs/talk/logs?lines=3&follow=1"});
  EXPECT_EQ(follow.exit_code, 28) << follow.err;
  EXPECT_NE(follow.out.find("000000004999 "), std::string::npos) << follow.out;
  EXPECT_EQ(Curl(Base() + "/healthz").first, "200");
}

TEST_F(HttpsListenerTest, APlainHttpClientIsToldToUseHttps) {
  Start();
  CommandResult plain = RunCommand({"curl", "-s", "--max-time", "20", "-w", "\n%{http_code}",
                                    "http://127.0.0.1:" + std::to_string(port_) + "/v1/programs"});
  EXPECT_EQ(plain.out, "{\"error\":\"this port speaks HTTPS: use an https:// URL\"}\n400") << plain.err;
  // A handshake from a client that trusts nothing, then gives up: vigild is unaffected.
  RunCommand({"openssl", "s_client", "-connect", "127.0.0.1:" + std::to_string(port_), "-verify_return_error"});
  EXPECT_EQ(Curl(Base() + "/healthz").first, "200");
  EXPECT_EQ(State("web"), "RUNNING");
}

TEST_F(HttpsListenerTest, ALoginLinkIsHttpsAndItsCookieIsSecure) {
  Start();
  CommandResult web = Vigil({"web"});
  ASSERT_EQ(web.exit_code, 0) << web.err;
  const std::string link = web.out.substr(0, web.out.find('\n'));
  ASSERT_EQ(link.rfind(Base() + "/login?code=", 0), 0u) << link;
  CommandResult login =
      RunCommand({"curl", "-s", "-D", "-", "-o", "/dev/null", "--cacert", TestData("cert.pem"), link});
  EXPECT_NE(login.out.find("HTTP/1.1 303"), std::string::npos) << login.out;
  EXPECT_NE(login.out.find("; Path=/; HttpOnly; SameSite=Strict; Secure\r\n"), std::string::npos) << login.out;
}

TEST_F(HttpsListenerTest, AReloadTakesARenewedCertificateAndRefusesABrokenOne) {
  Start();
  EXPECT_EQ(Curl(Base() + "/healthz").first, "200");
  std::filesystem::copy_file(TestData("renewed_cert.pem"), Path("cert.pem"),
                             std::filesystem::copy_options::overwrite_existing);
  CommandResult reload = Vigil({"reload"});
  ASSERT_EQ(reload.exit_code, 0) << reload.err;
  EXPECT_EQ(Curl(Base() + "/healthz", TestData("renewed_cert.pem")).first, "200");
  EXPECT_EQ(Curl(Base() + "/healthz").first, "000") << "the old certificate is no longer served";
  EXPECT_NE(ReadFile(log_dir_ / "vigild.log").find("HTTP listener certificate read again: CN=renewed.test"),
            std::string::npos);

  // A half-written renewal: the reload is refused, the running certificate stays.
  std::ofstream(Path("cert.pem"), std::ios::trunc) << "-----BEGIN CERTIFICATE-----\nMIIB\n";
  reload = Vigil({"reload"});
  EXPECT_NE(reload.exit_code, 0);
  EXPECT_NE(reload.err.find("tls_cert " + Path("cert.pem") + ": not a PEM certificate"), std::string::npos)
      << reload.err;
  EXPECT_EQ(Curl(Base() + "/healthz", TestData("renewed_cert.pem")).first, "200");
  EXPECT_EQ(State("web"), "RUNNING");
}

TEST_F(HttpsListenerTest, AKeyThatIsNotTheCertificatesStopsTheStart) {
  std::filesystem::copy_file(TestData("other_key.pem"), Path("other_key.pem"));
  WriteConfig("[http]\nlisten = \"127.0.0.1:" + std::to_string(port_) + "\"\ntls_cert = \"" + Path("cert.pem") +
              "\"\ntls_key = \"" + Path("other_key.pem") + "\"\n");
  CommandResult r = RunDaemonToExit();
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("cannot start the HTTP listener: tls_key " + Path("other_key.pem") +
                       ": not a PEM private key, or not the key of the certificate in tls_cert " + Path("cert.pem")),
            std::string::npos)
      << r.err;
}

}  // namespace
}  // namespace vigil::testing
