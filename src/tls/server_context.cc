// SPDX-License-Identifier: MIT
// Loading the HTTP listener's certificate and key into an Asio ssl context (server_context.h).
#include "tls/server_context.h"

#include <openssl/asn1.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/ssl/context.hpp>
#include <cerrno>
#include <cstring>
#include <ctime>

#include "tls/openssl_lazy.h"

namespace vigil::tls {
namespace {

namespace ssl = boost::asio::ssl;

// "tls_cert PATH: cannot read: REASON" before OpenSSL gets to say something vaguer.
base::Status CheckReadable(std::string_view key, const std::filesystem::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || ::access(path.c_str(), R_OK) != 0) {
    return base::Status::InvalidArgument(std::string(key) + " " + path.string() + ": cannot read: " +
                                         std::strerror(errno));
  }
  if (!S_ISREG(st.st_mode)) {
    return base::Status::InvalidArgument(std::string(key) + " " + path.string() + ": not a file");
  }
  return base::Status::Ok();
}

std::string CommonName(X509* cert) {
  char name[256] = {};
  const int n = X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, name, sizeof(name));
  return n > 0 ? std::string(name, static_cast<size_t>(n)) : std::string("(no common name)");
}

std::string NotAfter(X509* cert) {
  std::tm tm{};
  if (ASN1_TIME_to_tm(X509_get0_notAfter(cert), &tm) != 1) return "(unknown)";
  char text[64];
  std::strftime(text, sizeof(text), "%Y-%m-%d %H:%M:%S UTC", &tm);
  return text;
}

}  // namespace

ServerContext::ServerContext() = default;
ServerContext::~ServerContext() = default;

base::Result<std::shared_ptr<ServerContext>> ServerContext::Load(const std::filesystem::path& cert_file,
                                                                 const std::filesystem::path& key_file) {
  if (auto s = CheckReadable("tls_cert", cert_file); !s.ok()) return s;
  if (auto s = CheckReadable("tls_key", key_file); !s.ok()) return s;
  // Every OpenSSL call below, Asio's included, needs the library.
  if (auto s = LoadOpenSsl(); !s.ok()) return s;
  std::shared_ptr<ServerContext> out(new ServerContext());
  out->context_ = std::make_unique<ssl::context>(ssl::context::tls_server);
  ssl::context& context = *out->context_;
  // TLS 1.2 and 1.3: what browsers and curl speak; older versions have known breaks.
  context.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                      ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | ssl::context::single_dh_use);
  boost::system::error_code ec;
  context.use_certificate_chain_file(cert_file.string(), ec);
  if (ec) {
    return base::Status::InvalidArgument("tls_cert " + cert_file.string() + ": not a PEM certificate (" +
                                         ec.message() + ")");
  }
  context.use_private_key_file(key_file.string(), ssl::context::pem, ec);
  if (ec) {
    return base::Status::InvalidArgument("tls_key " + key_file.string() + ": not a PEM private key, or not the key "
                                         "of the certificate in tls_cert " + cert_file.string() + " (" +
                                         ec.message() + ")");
  }
  if (SSL_CTX_check_private_key(context.native_handle()) != 1) {
    return base::Status::InvalidArgument("tls_key " + key_file.string() +
                                         " is not the key of the certificate in tls_cert " + cert_file.string());
  }
  X509* cert = SSL_CTX_get0_certificate(context.native_handle());
  if (cert == nullptr) {
    return base::Status::InvalidArgument("tls_cert " + cert_file.string() + ": holds no certificate");
  }
  out->expired_ = X509_cmp_current_time(X509_get0_notAfter(cert)) < 0;
  out->summary_ = "CN=" + CommonName(cert) + (out->expired_ ? ", EXPIRED on " : ", valid until ") + NotAfter(cert);
  return out;
}

}  // namespace vigil::tls
