// SPDX-License-Identifier: MIT
// tls::ServerContext: the certificate and key the HTTP listener answers TLS handshakes with
// ([http] tls_cert and tls_key, docs/web.md): loaded when vigild starts and again on every
// reload, so that a renewed certificate takes effect without a restart. Connections keep
// the context they were accepted with. Thread rule: loop thread only.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "base/status.h"

namespace boost::asio::ssl {
class context;
}

namespace vigil::tls {

class ServerContext {
 public:
  // Loads OpenSSL (openssl_lazy.h), the PEM certificate chain `cert_file` (the server's
  // certificate first, then its intermediates) and the PEM private key `key_file`, and
  // checks that they belong together. TLS 1.2 and 1.3 only. Errors name the key and file:
  //   InvalidArgument "tls_cert /etc/vigil/cert.pem: cannot read: No such file or directory"
  //   InvalidArgument "tls_cert /etc/vigil/cert.pem: not a PEM certificate (...)"
  //   InvalidArgument "tls_key /etc/vigil/key.pem: not a PEM private key (...)"
  //   InvalidArgument "tls_key /etc/vigil/key.pem is not the key of the certificate in tls_cert ..."
  //   Unavailable "cannot load OpenSSL: ..."
  static base::Result<std::shared_ptr<ServerContext>> Load(const std::filesystem::path& cert_file,
                                                            const std::filesystem::path& key_file);
  ~ServerContext();
  ServerContext(const ServerContext&) = delete;
  ServerContext& operator=(const ServerContext&) = delete;

  boost::asio::ssl::context& native() { return *context_; }
  // The certificate in words, for the event log: "CN=vigil.example.org, valid until
  // 2027-03-01 12:00:00 UTC" (or "..., EXPIRED on ...").
  const std::string& summary() const { return summary_; }
  // Whether the certificate's validity has ended (the listener still serves it, loudly).
  bool expired() const { return expired_; }

 private:
  ServerContext();

  std::unique_ptr<boost::asio::ssl::context> context_;
  std::string summary_;
  bool expired_ = false;
};

}  // namespace vigil::tls
