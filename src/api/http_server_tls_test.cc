// SPDX-License-Identifier: MIT
// HttpServer over TLS: a TCP listener with a certificate (src/tls/testdata), a blocking
// Asio ssl client on its own thread while the loop runs on the test thread. The handshake
// and requests, the read timeout before and after the handshake, a plain HTTP client told
// to use https://, and a certificate swapped for new connections only.
#include <gtest/gtest.h>
#include <openssl/ssl.h>

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/write.hpp>
#include <memory>
#include <string>
#include <thread>

#include "api/http_server.h"
#include "tls/server_context.h"

namespace vigil::api {
namespace {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

const std::string kData = VIGIL_TLS_TESTDATA;

std::shared_ptr<tls::ServerContext> LoadContext(const std::string& cert) {
  auto context = tls::ServerContext::Load(kData + "/" + cert, kData + "/key.pem");
  EXPECT_TRUE(context.has_value()) << context.error().message();
  return context.has_value() ? *context : nullptr;
}

// Everything a connection read until the server closed it (or failed the handshake).
struct Exchange {
  bool handshake_ok = false;
  std::string handshake_error;
  std::string received;
};

class HttpServerTlsTest : public ::testing::Test {
 protected:
  void Listen() {
    options_.tls = LoadContext("cert.pem");
    server_ = std::make_unique<HttpServer>(
        loop_,
        [](Request request, RespondFn respond) {
          Response r;
          r.status = 200;
          r.content_type = "text/plain";
          r.body = "hello " + request.target + "\n";
          respond(std::move(r));
        },
        options_);
    auto port = server_->ListenTcp("127.0.0.1", 0);
    ASSERT_TRUE(port.has_value()) << port.error().message();
    port_ = *port;
  }

  // Runs `client` on a thread while the loop serves, until it returns.
  void RunClient(std::function<void()> client) {
    std::atomic<bool> done = false;
    std::thread thread([&] {
      client();
      loop_.Post([&] { done = true; });
    });
    auto timer = loop_.AddTimer(10s, [&] {
      ADD_FAILURE() << "deadline passed";
      done = true;
    });
    while (!done) loop_.RunOne();
    thread.join();
  }

  // Serves until the server has closed every connection (its side of a close comes a
  // loop turn or two after the client's).
  void ServeUntilNoConnections() {
    bool expired = false;
    auto timer = loop_.AddTimer(10s, [&] { expired = true; });
    while (server_->connection_count() > 0 && !expired) loop_.RunOne();
    EXPECT_FALSE(expired) << "connections left open";
  }

  // A TLS connection trusting `ca` (a file of testdata) that sends `request` after the
  // handshake (nothing when empty) and reads until the server closes.
  Exchange Tls(const std::string& ca, const std::string& request) {
    Exchange out;
    RunClient([&] {
      asio::io_context io;
      ssl::context context(ssl::context::tls_client);
      context.load_verify_file(kData + "/" + ca);
      context.set_verify_mode(ssl::verify_peer);
      ssl::stream<tcp::socket> stream(io, context);
      boost::system::error_code ec;
      stream.lowest_layer().connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_), ec);
      if (!ec) stream.handshake(ssl::stream_base::client, ec);
      if (ec) {
        out.handshake_error = ec.message();
        return;
      }
      out.handshake_ok = true;
      if (!request.empty()) asio::write(stream, asio::buffer(request), ec);
      std::string data(4096, '\0');
      for (;;) {
        const size_t n = stream.read_some(asio::buffer(data), ec);
        out.received.append(data.data(), n);
        if (ec) break;
      }
    });
    return out;
  }

  // A plain TCP connection that sends `request` (nothing when empty) and reads until EOF.
  std::string Plain(const std::string& request) {
    std::string received;
    RunClient([&] {
      asio::io_context io;
      tcp::socket socket(io);
      boost::system::error_code ec;
      socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_), ec);
      if (!request.empty()) asio::write(socket, asio::buffer(request), ec);
      std::string data(4096, '\0');
      while (!ec) {
        const size_t n = socket.read_some(asio::buffer(data), ec);
        received.append(data.data(), n);
      }
    });
    return received;
  }

  event::Loop loop_;
  HttpServerOptions options_;
  std::unique_ptr<HttpServer> server_;
  uint16_t port_ = 0;
};

TEST_F(HttpServerTlsTest, AnswersOverTlsWithTheCertificate) {
  Listen();
  Exchange e = Tls("cert.pem", "GET /v1/info HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  ASSERT_TRUE(e.handshake_ok) << e.handshake_error;
  EXPECT_EQ(e.received.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << e.received;
  EXPECT_NE(e.received.find("\r\n\r\nhello /v1/info\n"), std::string::npos) << e.received;
  // Keep-alive: two requests on one TLS connection.
  e = Tls("cert.pem", "GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_NE(e.received.find("hello /a\n"), std::string::npos) << e.received;
  EXPECT_NE(e.received.find("hello /b\n"), std::string::npos) << e.received;
}

TEST_F(HttpServerTlsTest, APlainHttpClientIsToldToUseHttps) {
  Listen();
  const std::string answer = Plain("GET /v1/info HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(answer.rfind("HTTP/1.1 400 Bad Request\r\n", 0), 0u) << answer;
  EXPECT_NE(answer.find("\r\n\r\n{\"error\":\"this port speaks HTTPS: use an https:// URL\"}"), std::string::npos)
      << answer;
  ServeUntilNoConnections();
}

TEST_F(HttpServerTlsTest, SilentClientsTimeOutBeforeAndAfterTheHandshake) {
  options_.read_timeout = 100ms;
  Listen();
  EXPECT_EQ(Plain(""), "");  // connected, never said hello
  Exchange e = Tls("cert.pem", "");  // shook hands, never asked
  EXPECT_TRUE(e.handshake_ok) << e.handshake_error;
  EXPECT_EQ(e.received, "");
  e = Tls("cert.pem", "GET /v1/info HTTP/1.1\r\nHost: x\r\n");  // never finished its request
  EXPECT_EQ(e.received, "");
  ServeUntilNoConnections();
}

TEST_F(HttpServerTlsTest, ANewCertificateServesNewConnections) {
  Listen();
  server_->SetTls(LoadContext("renewed_cert.pem"));
  Exchange old_ca = Tls("cert.pem", "");
  EXPECT_FALSE(old_ca.handshake_ok);
  EXPECT_NE(old_ca.handshake_error.find("certificate verify failed"), std::string::npos) << old_ca.handshake_error;
  Exchange e = Tls("renewed_cert.pem", "GET /x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  ASSERT_TRUE(e.handshake_ok) << e.handshake_error;
  EXPECT_NE(e.received.find("hello /x\n"), std::string::npos) << e.received;
}

}  // namespace
}  // namespace vigil::api
