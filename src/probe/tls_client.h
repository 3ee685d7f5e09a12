// SPDX-License-Identifier: MIT
// The TLS side of an https probe: a client context made from the check's TlsSettings, the
// names sent and checked in the handshake, and OpenSSL's failures in words. Internal to
// probe/; Asio's ssl over OpenSSL, without Beast. Thread rule: loop thread only.
#pragma once

#include <openssl/ssl.h>

#include <boost/asio/ssl/context.hpp>
#include <boost/system/error_code.hpp>
#include <memory>
#include <string>

#include "base/http_url.h"
#include "base/status.h"

namespace vigil::probe {

// A client context for one probe. With tls.verify, the peer's certificate must chain to
// a trusted CA: those of tls.ca_file alone when it is set, otherwise the system's —
// looked up by subject hash in OpenSSL's certificate directory (/etc/ssl/certs, or
// $SSL_CERT_DIR), plus the PEM file $SSL_CERT_FILE when that is set, as
// set_default_verify_paths would, without parsing the whole system bundle for every
// probe. Without tls.verify any certificate is accepted.
// Fails with InvalidArgument "cannot load ca_file PATH: REASON" (or "... SSL_CERT_FILE
// ..."), or Unavailable "cannot load OpenSSL: ..." (tls/openssl_lazy.h); throws what Asio
// throws when OpenSSL cannot make a context at all. Call it before any other OpenSSL
// function of a probe: it loads the library.
base::Result<std::unique_ptr<boost::asio::ssl::context>> MakeTlsClientContext(const base::TlsSettings& tls);

// Prepares `ssl` for a handshake with `host` (a name, or an IP address without brackets):
// SNI with the name (never with an address, RFC 6066 section 3) and, with `verify`, the
// name or address the certificate must be for (RFC 6125 through OpenSSL's
// SSL_set1_host, whose mismatch shows as "hostname mismatch" in the verify result).
// Returns false if OpenSSL refused either.
bool SetTlsPeerName(SSL* ssl, const std::string& host, bool verify);

// A failed handshake in words, for a CRIT outcome:
//   "certificate verify failed: self-signed certificate" (and OpenSSL's other verify
//       results: "hostname mismatch", "certificate has expired", "unable to get local
//       issuer certificate"...)
//   "connection closed during the TLS handshake"
//   "TLS handshake failed: wrong version number" (a plain HTTP server) and other reasons
//   "" for a socket error (connection reset...), which the caller words as such.
std::string TlsHandshakeFailure(const boost::system::error_code& ec, SSL* ssl);

// True for the error a TLS read gives when the peer closed the connection without a TLS
// close_notify: for an answer whose end is the close, that is its end.
bool IsTlsTruncation(const boost::system::error_code& ec);

}  // namespace vigil::probe
