// SPDX-License-Identifier: MIT
// https:// checks and readiness against the real vigild (docs/health.md, "HTTPS"): real TLS
// servers (`openssl s_server -www`, supervised by vigild itself) with a CA and certificates
// the test makes with the openssl command; probes cancelled in the middle of a handshake by
// a reload, a stop and vigild's own exit. Each waits on a condition with a deadline.
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "harness.h"

namespace vigil::testing {
namespace {

using nlohmann::json;

class HttpsE2eTest : public VigilTest {
 protected:
  void SetUp() override {
    VigilTest::SetUp();
    if (RunCommand({"openssl", "version"}).exit_code != 0) GTEST_SKIP() << "the openssl command is not installed";
    ca_ = (dir_ / "ca.pem").string();
    const std::string ca_key = (dir_ / "ca.key").string();
    const std::string csr = (dir_ / "site.csr").string();
    const std::string ext = (dir_ / "site.ext").string();
    std::ofstream(ext) << "subjectAltName=DNS:localhost,IP:127.0.0.1\n";
    for (const std::vector<std::string>& argv : std::vector<std::vector<std::string>>{
             {"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
              "-keyout", ca_key, "-out", ca_, "-subj", "/CN=vigil e2e CA", "-days", "2"},
             {"openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout",
              Path("site.key"), "-out", csr, "-subj", "/CN=localhost"},
             {"openssl", "x509", "-req", "-in", csr, "-CA", ca_, "-CAkey", ca_key, "-CAcreateserial", "-out",
              Path("site.pem"), "-days", "2", "-extfile", ext},
             {"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
              "-keyout", Path("self.key"), "-out", Path("self.pem"), "-subj", "/CN=localhost", "-days", "2",
              "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"},
         }) {
      CommandResult r = RunCommand(argv);
      ASSERT_EQ(r.exit_code, 0) << argv[1] << ": " << r.err;
    }
  }
  void TearDown() override {
    for (int fd : held_) ::close(fd);
    if (listener_ >= 0) ::close(listener_);
    ::unsetenv("SSL_CERT_FILE");
    VigilTest::TearDown();
  }

  std::string Path(const std::string& name) const { return (dir_ / name).string(); }

  // A [program.NAME] running `openssl s_server -www` on 127.0.0.1:port with NAME.pem.
  std::string Server(const std::string& program, const std::string& cert, int port) const {
    return "[program." + program + "]\ncommand = [\"openssl\", \"s_server\", \"-accept\", \"127.0.0.1:" +
           std::to_string(port) + "\", \"-cert\", \"" + Path(cert + ".pem") + "\", \"-key\", \"" +
           Path(cert + ".key") + "\", \"-www\", \"-quiet\"]\nstart_seconds = \"60s\"\n";
  }

  json Check(const std::string& name) {
    CommandResult r = Vigil({"health", "--json"});
    json checks = json::parse(r.out, nullptr, false).value("checks", json::array());
    for (const json& c : checks) {
      if (c.value("name", "") == name) return c;
    }
    return json::object();
  }
  bool WaitForCheck(const std::string& name, const std::string& state) {
    return WaitFor([&] { return Check(name).value("state", "") == state; }, std::chrono::seconds(20));
  }

  // A listener of the test's own on 127.0.0.1 that accepts connections and never says a
  // word: a TLS handshake with it waits until the client gives up.
  int Hold() {
    listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof addr;
    EXPECT_EQ(::bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    EXPECT_EQ(::listen(listener_, 16), 0);
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &length);
    return ntohs(addr.sin_port);
  }
  // Waits for the next connection to the held listener; its fd, or -1.
  int AcceptHeld() {
    int fd = -1;
    WaitFor([&] {
      fd = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
      return fd >= 0;
    });
    if (fd >= 0) held_.push_back(fd);
    return fd;
  }
  // True once the peer of a held connection has closed it (after its ClientHello).
  bool WaitForClose(int fd, std::chrono::milliseconds deadline) {
    return WaitFor(
        [&] {
          char buffer[4096];
          ssize_t n = ::recv(fd, buffer, sizeof buffer, MSG_DONTWAIT);
          return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
        },
        deadline);
  }

  std::string ca_;
  int listener_ = -1;
  std::vector<int> held_;
};

TEST_F(HttpsE2eTest, ReadinessAndChecksOverTls) {
  const int site = FreeTcpPort();
  const int dev = FreeTcpPort();
  // The system's trust for checks without ca_file, as OpenSSL reads it from the
  // environment: here, the test's CA.
  ::setenv("SSL_CERT_FILE", ca_.c_str(), 1);
  WriteConfig("[health]\nevery = \"1s\"\n\n" + Server("site", "site", site) +
              "ready = { http = \"https://localhost:" + std::to_string(site) + "/\", ca_file = \"" + ca_ + "\" }\n\n" +
              Server("dev", "self", dev) + "ready = { http = \"https://127.0.0.1:" + std::to_string(dev) +
              "/\", tls_verify = false }\n\n"
              "[check.site-https]\nhttp = \"https://localhost:" + std::to_string(site) + "/\"\nprogram = \"site\"\n\n"
              "[check.dev-https]\nhttp = \"https://127.0.0.1:" + std::to_string(dev) + "/\"\nprogram = \"dev\"\n");
  StartDaemon();
  // start_seconds is a minute: only an answer over TLS makes them RUNNING this soon.
  ASSERT_TRUE(WaitForState("site", "RUNNING")) << Program("site").dump() << Vigil({"events"}).out;
  ASSERT_TRUE(WaitForState("dev", "RUNNING")) << Program("dev").dump() << Vigil({"events"}).out;
  const std::string states = Vigil({"events", "--type", "state"}).out;
  EXPECT_NE(states.find("is ready: its URL answers"), std::string::npos) << states;

  ASSERT_TRUE(WaitForCheck("site-https", "OK")) << Check("site-https").dump();
  EXPECT_EQ(Check("site-https")["message"].get<std::string>().rfind("HTTP 200 in ", 0), 0u) << Check("site-https");
  ASSERT_TRUE(WaitForCheck("dev-https", "CRIT")) << Check("dev-https").dump();
  EXPECT_EQ(Check("dev-https")["message"], "certificate verify failed: self-signed certificate") << Check("dev-https");
  CommandResult table = Vigil({"health"});
  EXPECT_NE(table.out.find("certificate verify failed: self-signed certificate"), std::string::npos) << table.out;
}

// The per-check keys reach the probe: ca_file on a check and on a program's health
// shorthand, tls_verify = false on a check.
TEST_F(HttpsE2eTest, ChecksWithACaFileOrWithoutVerification) {
  const int site = FreeTcpPort();
  const int dev = FreeTcpPort();
  WriteConfig("[health]\nevery = \"1s\"\n\n" + Server("site", "site", site) +
              "ready = { http = \"https://localhost:" + std::to_string(site) + "/\", ca_file = \"" + ca_ + "\" }\n" +
              "health = { http = \"https://localhost:" + std::to_string(site) + "/\", ca_file = \"" + ca_ + "\" }\n\n" +
              Server("dev", "self", dev) + "\n"
              "[check.private-ca]\nhttp = \"https://127.0.0.1:" + std::to_string(site) + "/\"\nca_file = \"" + ca_ +
              "\"\nprogram = \"site\"\n\n"
              "[check.no-verify]\nhttp = \"https://localhost:" + std::to_string(dev) + "/\"\ntls_verify = false\n");
  StartDaemon();
  ASSERT_TRUE(WaitForCheck("private-ca", "OK")) << Check("private-ca").dump();
  ASSERT_TRUE(WaitForCheck("site.health", "OK")) << Check("site.health").dump();
  ASSERT_TRUE(WaitForCheck("no-verify", "OK")) << Check("no-verify").dump();
}

TEST_F(HttpsE2eTest, ProbesCancelledInTheMiddleOfAHandshake) {
  const int port = Hold();
  const std::string url = "https://127.0.0.1:" + std::to_string(port) + "/";
  WriteConfig("[health]\nevery = \"1s\"\n\n[check.stuck]\nhttp = \"" + url + "\"\ntimeout = \"60s\"\n");
  StartDaemon();
  // Removed by a reload while its probe waits for the server's hello: the socket closes at
  // once, long before the probe's 60 s.
  int first = AcceptHeld();
  ASSERT_GE(first, 0);
  WriteConfig("[health]\nevery = \"1s\"\n\n[program.slow]\ncommand = [\"" + Child() +
              "\", \"idle\"]\nready = { http = \"" + url + "\" }\nready_timeout = \"60s\"\n\n"
              "[check.stuck-again]\nhttp = \"" + url + "\"\ntimeout = \"60s\"\n");
  CommandResult reload = Vigil({"reload"});
  ASSERT_EQ(reload.exit_code, 0) << reload.err;
  EXPECT_TRUE(WaitForClose(first, std::chrono::seconds(10)));

  // A readiness look in its handshake when the program is stopped.
  ASSERT_TRUE(WaitForState("slow", "STARTING")) << Program("slow").dump();
  ASSERT_GE(AcceptHeld(), 0);
  CommandResult stop = Vigil({"stop", "slow"});
  EXPECT_EQ(stop.exit_code, 0) << stop.out << stop.err;
  ASSERT_TRUE(WaitForState("slow", "STOPPED")) << Program("slow").dump();

  // vigild exits while the new check's probe is in its handshake; the ASan build fails
  // the exit status on a leak.
  ASSERT_GE(AcceptHeld(), 0);
  int status = StopDaemon();
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status << ": " << ReadFile(dir_ / "vigild.stderr");
  for (int fd : held_) EXPECT_TRUE(WaitForClose(fd, std::chrono::seconds(5)));
}

}  // namespace
}  // namespace vigil::testing
