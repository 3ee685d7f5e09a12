// SPDX-License-Identifier: MIT
// TLS client contexts and OpenSSL's failures in words, for the https probes.
#include "probe/tls_client.h"

#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <boost/asio/error.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ssl/error.hpp>
#include <cstdlib>

#include "tls/openssl_lazy.h"

namespace vigil::probe {
namespace {

namespace ssl = boost::asio::ssl;
using ErrorCode = boost::system::error_code;

// OpenSSL's reason for the error Asio reports, without the " (SSL routines)" Asio adds.
std::string Reason(const ErrorCode& ec) {
  const char* reason = ::ERR_reason_error_string(static_cast<unsigned long>(ec.value()));
  return reason != nullptr ? reason : ec.message();
}

bool IsVerifyFailure(const ErrorCode& ec) {
  return ec.category() == boost::asio::error::get_ssl_category() &&
         ERR_GET_REASON(static_cast<unsigned long>(ec.value())) == SSL_R_CERTIFICATE_VERIFY_FAILED;
}

// The value of environment variable `name`, or null when unset or empty.
const char* Env(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? value : nullptr;
}

}  // namespace

base::Result<std::unique_ptr<ssl::context>> MakeTlsClientContext(const base::TlsSettings& tls) {
  // Every OpenSSL call below, Asio's included, needs the library.
  if (base::Status loaded = tls::LoadOpenSsl(); !loaded.ok()) return loaded;
  auto context = std::make_unique<ssl::context>(ssl::context::tls_client);
  ErrorCode ec;
  if (!tls.verify) {
    context->set_verify_mode(ssl::verify_none, ec);
    return context;
  }
  context->set_verify_mode(ssl::verify_peer, ec);
  if (ec) return base::Status::Internal("cannot ask for certificate verification: " + Reason(ec));
  if (!tls.ca_file.empty()) {
    context->load_verify_file(tls.ca_file, ec);
    if (ec) return base::Status::InvalidArgument("cannot load ca_file " + tls.ca_file + ": " + Reason(ec));
    return context;
  }
  // set_default_verify_paths(3) would also parse OpenSSL's default bundle file
  // (/usr/lib/ssl/cert.pem, Debian's ca-certificates.crt): about 140 certificates, 100 ms
  // of the loop's time and 1.1 MB for every probe, measured. The hashed directory holds
  // the same certificates (update-ca-certificates(8) writes both) and is read lazily:
  // one file per CA the verification needs.
  if (const char* file = Env(X509_get_default_cert_file_env())) {
    context->load_verify_file(file, ec);
    if (ec) {
      return base::Status::InvalidArgument(std::string("cannot load ") + X509_get_default_cert_file_env() + " " +
                                           file + ": " + Reason(ec));
    }
  }
  const char* dir = Env(X509_get_default_cert_dir_env());
  // A directory that does not exist is no error here: verification then fails, and says
  // that it found no issuer.
  context->add_verify_path(dir != nullptr ? dir : X509_get_default_cert_dir(), ec);
  return context;
}

bool SetTlsPeerName(SSL* ssl, const std::string& host, bool verify) {
  ErrorCode not_an_address;
  boost::asio::ip::make_address(host, not_an_address);
  if (not_an_address && SSL_set_tlsext_host_name(ssl, host.c_str()) != 1) return false;
  // OpenSSL 3 takes an IP address here too, and then matches the certificate's IP
  // address entries.
  return !verify || SSL_set1_host(ssl, host.c_str()) == 1;
}

std::string TlsHandshakeFailure(const ErrorCode& ec, SSL* ssl) {
  if (IsVerifyFailure(ec)) {
    const long result = SSL_get_verify_result(ssl);
    if (result == X509_V_OK) return "certificate verify failed";
    return std::string("certificate verify failed: ") + X509_verify_cert_error_string(result);
  }
  if (ec == boost::asio::error::eof || ec == ssl::error::stream_truncated) {
    return "connection closed during the TLS handshake";
  }
  if (ec.category() == boost::asio::error::get_ssl_category()) return "TLS handshake failed: " + Reason(ec);
  return "";
}

bool IsTlsTruncation(const ErrorCode& ec) { return ec == ssl::error::stream_truncated; }

}  // namespace vigil::probe
