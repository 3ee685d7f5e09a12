// SPDX-License-Identifier: MIT
// Tests of HttpProber with https:// URLs against a real TLS server of the test's own
// (OpenSSL, blocking sockets on a thread), with a CA, certificates and a self-signed
// certificate the test makes: trust through ca_file, $SSL_CERT_FILE or not at all, the
// verify failures in words, SNI, the handshake under the probe's timeout, and a cancel in
// the middle of it. Each test waits for the outcome against a deadline, never with a
// fixed sleep.
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "probe/http_probe.h"
#include "probe/http_probe_test_util.h"
#include "probe/tcp_probe_test_util.h"

namespace vigil::probe {
namespace {

using health::Level;
using std::chrono::milliseconds;
using testing::Listen;
using testing::LoopCounter;
using testing::RunUntil;
using testing::ThreadedServer;

struct KeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct CertFree {
  void operator()(X509* cert) const { X509_free(cert); }
};
struct ContextFree {
  void operator()(SSL_CTX* context) const { SSL_CTX_free(context); }
};
using Key = std::unique_ptr<EVP_PKEY, KeyFree>;
using Cert = std::unique_ptr<X509, CertFree>;
using ServerContext = std::unique_ptr<SSL_CTX, ContextFree>;

// One X.509v3 extension, as openssl.cnf would spell it ("critical,CA:TRUE").
void AddExtension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX context;
  X509V3_set_ctx_nodb(&context);
  X509V3_set_ctx(&context, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value);
  ASSERT_NE(extension, nullptr) << value;
  X509_add_ext(cert, extension, -1);
  X509_EXTENSION_free(extension);
}

// A P-256 certificate for `key`, valid from an hour ago for a day, named CN=`name`, with
// subjectAltName `san` (none if empty), signed by `issuer` (self-signed if null).
Cert MakeCert(EVP_PKEY* key, const std::string& name, const std::string& san, bool ca, X509* issuer,
              EVP_PKEY* issuer_key) {
  static long serial = 1;
  Cert cert(X509_new());
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial++);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 24 * 3600);
  X509_set_pubkey(cert.get(), key);
  X509_NAME* subject = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(name.c_str()), -1,
                             -1, 0);
  X509* signer = issuer != nullptr ? issuer : cert.get();
  X509_set_issuer_name(cert.get(), X509_get_subject_name(signer));
  AddExtension(cert.get(), signer, NID_basic_constraints, ca ? "critical,CA:TRUE" : "critical,CA:FALSE");
  if (ca) AddExtension(cert.get(), signer, NID_key_usage, "critical,keyCertSign,cRLSign");
  AddExtension(cert.get(), signer, NID_subject_key_identifier, "hash");
  if (!san.empty()) AddExtension(cert.get(), signer, NID_subject_alt_name, san.c_str());
  X509_sign(cert.get(), issuer_key != nullptr ? issuer_key : key, EVP_sha256());
  return cert;
}

Key MakeKey() { return Key(EVP_EC_gen("P-256")); }

bool WritePem(const std::filesystem::path& path, X509* cert) {
  FILE* file = std::fopen(path.c_str(), "w");
  if (file == nullptr) return false;
  bool ok = PEM_write_X509(file, cert) == 1;
  return std::fclose(file) == 0 && ok;
}

// The test's PKI, made once: a CA, a server certificate it signed for localhost and
// 127.0.0.1, one it signed for another name only, and a self-signed one for localhost.
struct Pki {
  std::filesystem::path dir;
  Key ca_key, key;
  Cert ca, good, wrong_name, self_signed;
  std::filesystem::path ca_file;

  Pki() {
    char pattern[] = "/tmp/vigil-https-test-XXXXXX";
    dir = ::mkdtemp(pattern) != nullptr ? pattern : "/tmp";
    ca_key = MakeKey();
    key = MakeKey();
    ca = MakeCert(ca_key.get(), "vigil test CA", "", true, nullptr, nullptr);
    good = MakeCert(key.get(), "localhost", "DNS:localhost,IP:127.0.0.1", false, ca.get(), ca_key.get());
    wrong_name = MakeCert(key.get(), "other.example", "DNS:other.example", false, ca.get(), ca_key.get());
    self_signed = MakeCert(key.get(), "localhost", "DNS:localhost,IP:127.0.0.1", false, nullptr, nullptr);
    ca_file = dir / "ca.pem";
    EXPECT_TRUE(WritePem(ca_file, ca.get()));
  }
  ~Pki() {
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
  }
};

// What the server does with each connection.
enum class Then {
  kAnswer,               // handshake, read the request head, send the answer, close_notify, FIN
  kAnswerAndDrop,        // the same without close_notify (as many servers do)
  kHoldHandshake,        // reads the ClientHello and never answers it
  kPlainHttp,            // no TLS: answers in plain HTTP at once
};

// A TLS server on a thread of its own, with blocking sockets. Reports to the loop, so tests
// can wait for "hello read" and "client gone".
class TlsServer {
 public:
  TlsServer(event::Loop& loop, X509* cert, EVP_PKEY* key, Then then, std::string answer = "")
      : then_(then),
        answer_(std::move(answer)),
        context_(MakeContext(cert, key)),
        hellos_read_(loop),
        server_(loop, "127.0.0.1", [this](int fd) { Handle(fd); }) {}

  bool listening() const { return server_.listening(); }
  uint16_t port() const { return server_.port(); }
  int hellos_read() const { return hellos_read_.value(); }
  int clients_gone() const { return server_.clients_gone(); }
  // The SNI name of each handshake ("" for none) and the head of each request.
  std::vector<std::string> server_names() {
    std::lock_guard<std::mutex> lock(mutex_);
    return server_names_;
  }
  std::vector<std::string> requests() {
    std::lock_guard<std::mutex> lock(mutex_);
    return requests_;
  }

 private:
  static ServerContext MakeContext(X509* cert, EVP_PKEY* key) {
    ServerContext context(SSL_CTX_new(TLS_server_method()));
    SSL_CTX_use_certificate(context.get(), cert);
    SSL_CTX_use_PrivateKey(context.get(), key);
    return context;
  }

  void Handle(int fd) {
    if (then_ == Then::kPlainHttp) {
      ::send(fd, answer_.data(), answer_.size(), MSG_NOSIGNAL);
      ::shutdown(fd, SHUT_WR);
      return;
    }
    if (then_ == Then::kHoldHandshake) {
      char buffer[4096];
      if (::recv(fd, buffer, sizeof buffer, 0) > 0) hellos_read_.Add();
      return;  // the caller reads on until the client leaves
    }
    SSL* ssl = SSL_new(context_.get());
    SSL_set_fd(ssl, fd);
    if (SSL_accept(ssl) == 1) {
      const char* name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
      std::string head;
      char buffer[1024];
      while (head.find("\r\n\r\n") == std::string::npos) {
        int n = SSL_read(ssl, buffer, sizeof buffer);
        if (n <= 0) break;
        head.append(buffer, static_cast<size_t>(n));
      }
      {
        std::lock_guard<std::mutex> lock(mutex_);
        server_names_.push_back(name != nullptr ? name : "");
        requests_.push_back(head);
      }
      SSL_write(ssl, answer_.data(), static_cast<int>(answer_.size()));
      if (then_ == Then::kAnswer) SSL_shutdown(ssl);
      ::shutdown(fd, SHUT_WR);
    }
    SSL_free(ssl);
  }

  const Then then_;
  const std::string answer_;
  const ServerContext context_;
  std::mutex mutex_;
  std::vector<std::string> server_names_;
  std::vector<std::string> requests_;
  LoopCounter hellos_read_;
  // Last, so that it serves only once the members above are built and stops before they go.
  ThreadedServer server_;
};

std::string Answer(std::string_view body) {
  return "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + std::string(body);
}

class HttpsProbeTest : public testing::HttpProberFixture {
 protected:
  static void SetUpTestSuite() {
    // The server writes through OpenSSL's socket BIO, with write(2): a probe that left
    // (a refused certificate, a cancel) must not end the test with SIGPIPE.
    ::signal(SIGPIPE, SIG_IGN);
    // The system's trust is what these tests mean by "no ca_file"; the test's CA is
    // never in it.
    ::unsetenv("SSL_CERT_FILE");
    ::unsetenv("SSL_CERT_DIR");
    pki_ = new Pki();
  }
  static void TearDownTestSuite() {
    delete pki_;
    pki_ = nullptr;
  }

  static HttpProbeSpec Spec(const std::string& host, const TlsServer& server,
                            base::Duration timeout = std::chrono::seconds(5)) {
    auto url = base::ParseHttpUrl("https://" + host + ":" + std::to_string(server.port()) + "/health");
    EXPECT_TRUE(url.has_value());
    HttpProbeSpec spec;
    if (url) spec.url = *url;
    spec.timeout = timeout;
    return spec;
  }

  // The same, trusting the test's CA through ca_file.
  static HttpProbeSpec TrustedSpec(const std::string& host, const TlsServer& server) {
    HttpProbeSpec spec = Spec(host, server);
    spec.tls.ca_file = pki_->ca_file;
    return spec;
  }

  // A server of `cert`, with the test's key.
  TlsServer Serve(X509* cert, Then then = Then::kAnswer, std::string answer = Answer("ok")) {
    return TlsServer(loop_, cert, pki_->key.get(), then, std::move(answer));
  }

  static Pki* pki_;
};

Pki* HttpsProbeTest::pki_ = nullptr;

TEST_F(HttpsProbeTest, OkWithTheCaFileAndSendsTheNameBySni) {
  TlsServer server = Serve(pki_->good.get());
  ASSERT_TRUE(server.listening());
  Outcome outcome = ProbeOnce(TrustedSpec("localhost", server));
  EXPECT_EQ(outcome.level, Level::kOk) << outcome.message;
  EXPECT_TRUE(outcome.message.starts_with("HTTP 200 in ")) << outcome.message;
  EXPECT_TRUE(outcome.value.has_value());
  ASSERT_TRUE(RunUntil(loop_, [&] { return server.clients_gone() == 1; }));
  ASSERT_EQ(server.server_names().size(), 1u);
  EXPECT_EQ(server.server_names()[0], "localhost");
  const std::string head = server.requests()[0];
  EXPECT_TRUE(head.starts_with("GET /health HTTP/1.1\r\n")) << head;
  EXPECT_NE(head.find("\r\nHost: localhost:" + std::to_string(server.port()) + "\r\n"), std::string::npos) << head;
}

TEST_F(HttpsProbeTest, AnIpAddressIsCheckedAgainstTheCertificateAndNotSentBySni) {
  TlsServer server = Serve(pki_->good.get());
  ASSERT_TRUE(server.listening());
  EXPECT_EQ(ProbeOnce(TrustedSpec("127.0.0.1", server)).level, Level::kOk);
  ASSERT_EQ(server.server_names().size(), 1u);
  EXPECT_EQ(server.server_names()[0], "");
}

TEST_F(HttpsProbeTest, SelfSignedCertificateFailsVerification) {
  TlsServer server = Serve(pki_->self_signed.get());
  ASSERT_TRUE(server.listening());
  Outcome outcome = ProbeOnce(Spec("localhost", server));
  EXPECT_EQ(outcome.level, Level::kCrit);
  EXPECT_EQ(outcome.message, "certificate verify failed: self-signed certificate");
  EXPECT_FALSE(outcome.value.has_value());
  // The request was never sent.
  ASSERT_TRUE(RunUntil(loop_, [&] { return server.clients_gone() == 1; }));
  EXPECT_TRUE(server.requests().empty());
}

TEST_F(HttpsProbeTest, SelfSignedCertificateIsOkWithoutVerification) {
  TlsServer server = Serve(pki_->self_signed.get());
  ASSERT_TRUE(server.listening());
  HttpProbeSpec spec = Spec("localhost", server);
  spec.tls.verify = false;
  Outcome outcome = ProbeOnce(spec);
  EXPECT_EQ(outcome.level, Level::kOk) << outcome.message;
}

TEST_F(HttpsProbeTest, WrongNameIsOkOnlyWithoutVerification) {
  TlsServer server = Serve(pki_->wrong_name.get());
  ASSERT_TRUE(server.listening());
  HttpProbeSpec spec = TrustedSpec("localhost", server);
  Outcome outcome = ProbeOnce(spec);
  EXPECT_EQ(outcome.level, Level::kCrit);
  EXPECT_EQ(outcome.message, "certificate verify failed: hostname mismatch");

  spec = TrustedSpec("127.0.0.1", server);
  outcome = ProbeOnce(spec);
  EXPECT_EQ(outcome.level, Level::kCrit);
  EXPECT_EQ(outcome.message, "certificate verify failed: IP address mismatch");

  spec.tls = base::TlsSettings{};
  spec.tls.verify = false;
  EXPECT_EQ(ProbeOnce(spec).level, Level::kOk);
}

TEST_F(HttpsProbeTest, TheSystemStoreDoesNotTrustThePrivateCa) {
  TlsServer server = Serve(pki_->good.get());
  ASSERT_TRUE(server.listening());
  Outcome outcome = ProbeOnce(Spec("localhost", server));
  EXPECT_EQ(outcome.level, Level::kCrit);
  EXPECT_EQ(outcome.message, "certificate verify failed: unable to get local issuer certificate");
}

TEST_F(HttpsProbeTest, SslCertFileAddsToTheSystemStore) {
  TlsServer server = Serve(pki_->good.get());
  ASSERT_TRUE(server.listening());
  ::setenv("SSL_CERT_FILE", pki_->ca_file.c_str(), 1);
  Outcome outcome = ProbeOnce(Spec("localhost", server));
  ::unsetenv("SSL_CERT_FILE");
  EXPECT_EQ(outcome.level, Level::kOk) << outcome.message;
}

TEST_F(HttpsProbeTest, UnreadableCaFileIsUnknown) {
  TlsServer server = Serve(pki_->good.get());
  ASSERT_TRUE(server.listening());
  HttpProbeSpec spec = Spec("localhost", server);
  spec.tls.ca_file = (pki_->dir / "missing.pem").string();
  Outcome outcome = ProbeOnce(spec);
  EXPECT_EQ(outcome.level, Level::kUnknown);
  EXPECT_TRUE(outcome.message.starts_with("cannot load ca_file " + spec.tls.ca_file + ": ")) << outcome.message;
}

TEST_F(HttpsProbeTest, PlainHttpServerFailsTheHandshake) {
  TlsServer server = Serve(pki_->good.get(), Then::kPlainHttp, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
  ASSERT_TRUE(server.listening());
  Outcome outcome = ProbeOnce(TrustedSpec("localhost", server));
  EXPECT_EQ(outcome.level, Level::kCrit);
  EXPECT_TRUE(outcome.message.starts_with("TLS handshake failed: ")) << outcome.message;
}

TEST_F(HttpsProbeTest, HandshakeWithoutAnAnswerTimesOut) {
  // Accepted by the kernel's backlog, read by nobody: the ClientHello gets no answer.
  auto listener = Listen("127.0.0.1");
  ASSERT_TRUE(listener);
  auto url = base::ParseHttpUrl("https://127.0.0.1:" + std::to_string(listener->port) + "/");
  ASSERT_TRUE(url);
  HttpProbeSpec spec;
  spec.url = *url;
  spec.timeout = milliseconds(200);
  auto started = std::chrono::steady_clock::now();
  Outcome outcome = ProbeOnce(spec);
  EXPECT_GE(std::chrono::steady_clock::now() - started, milliseconds(200));
  EXPECT_EQ(outcome.level, Level::kCrit);
  EXPECT_EQ(outcome.message, "no answer within 200ms");
}

TEST_F(HttpsProbeTest, CancelInTheMiddleOfTheHandshakeClosesTheSocketAndNeverAnswers) {
  TlsServer server = Serve(pki_->good.get(), Then::kHoldHandshake, "");
  ASSERT_TRUE(server.listening());
  CancelAndExpectNoAnswer(
      Spec("localhost", server, milliseconds(300)), milliseconds(500), [&] { return server.hellos_read() == 1; },
      [&] { return server.clients_gone() == 1; });
}

TEST_F(HttpsProbeTest, CancelRightAwayNeverAnswers) {
  TlsServer server = Serve(pki_->good.get());
  ASSERT_TRUE(server.listening());
  CancelAndExpectNoAnswer(Spec("localhost", server, milliseconds(100)), milliseconds(300));
}

TEST_F(HttpsProbeTest, BodyToTheCloseEndsWithOrWithoutCloseNotify) {
  for (Then then : {Then::kAnswer, Then::kAnswerAndDrop}) {
    TlsServer server = Serve(pki_->good.get(), then, "HTTP/1.0 200 OK\r\n\r\nall ready");
    ASSERT_TRUE(server.listening());
    HttpProbeSpec spec = TrustedSpec("localhost", server);
    spec.body_contains = "all ready";
    Outcome outcome = ProbeOnce(spec);
    EXPECT_EQ(outcome.level, Level::kOk) << outcome.message;
  }
}

TEST_F(HttpsProbeTest, ShortBodyWithoutCloseNotifyIsABadAnswer) {
  TlsServer server =
      Serve(pki_->good.get(), Then::kAnswerAndDrop, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly this");
  ASSERT_TRUE(server.listening());
  HttpProbeSpec spec = TrustedSpec("localhost", server);
  spec.body_contains = "whatever";
  Outcome outcome = ProbeOnce(spec);
  EXPECT_EQ(outcome.level, Level::kCrit);
  EXPECT_EQ(outcome.message, "bad HTTP answer: partial message");
}

TEST_F(HttpsProbeTest, ClosingWithoutAnAnswerIsCritical) {
  TlsServer server = Serve(pki_->good.get(), Then::kAnswerAndDrop, "");
  ASSERT_TRUE(server.listening());
  Outcome outcome = ProbeOnce(TrustedSpec("localhost", server));
  EXPECT_EQ(outcome.level, Level::kCrit);
  EXPECT_EQ(outcome.message, "connection closed without an answer");
}

}  // namespace
}  // namespace vigil::probe
