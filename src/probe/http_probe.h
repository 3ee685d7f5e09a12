// SPDX-License-Identifier: MIT
// HttpProber: one HTTP/1.1 GET of an http:// or https:// URL, judged by its status and, if
// asked, by a substring of its body. Runs on the loop's Asio context; redirects are not
// followed. Thread rule: loop thread only.
#pragma once

#include <cstddef>
#include <string>

#include "base/clock.h"
#include "base/http_url.h"
#include "event/loop.h"
#include "probe/outcome.h"

namespace vigil::probe {

struct HttpProbeSpec {
  base::HttpUrl url;
  int expect_status = 0;          // 0: any 2xx or 3xx
  std::string body_contains;      // empty: the body is not read
  base::Duration timeout{10000};  // for the whole probe: resolve, connect, TLS, send, answer
  base::TlsSettings tls;          // https only: how the certificate is checked
};

// How much of a body is read and searched for body_contains. A longer body is not an
// error: the rest is left unread and the connection closed.
inline constexpr size_t kMaxHttpBodyBytes = 64 * 1024;

class HttpProber {
 public:
  explicit HttpProber(event::Loop& loop) : loop_(loop) {}

  // Sends "GET target" with Host, "User-Agent: vigil-health-check" and "Connection: close",
  // then calls `done` once with one of:
  //   OK   "HTTP 200 in 12 ms"           value: the response time in ms, set whenever an
  //                                      answer came, so also on the next two
  //   CRIT "HTTP 503 (expected 200)", "HTTP 503 (expected 2xx or 3xx)"
  //   CRIT "HTTP 200 but the body lacks \"ok\""
  //   CRIT "connection refused", "cannot resolve NAME: ...", other socket errors in words
  //   CRIT "bad HTTP answer: ..." for a malformed answer
  //   CRIT "no answer within 10s" when spec.timeout passes first (the TLS handshake too)
  //   https only:
  //   CRIT "certificate verify failed: self-signed certificate" ("hostname mismatch",
  //        "certificate has expired", "unable to get local issuer certificate"...)
  //   CRIT "TLS handshake failed: ...", "connection closed during the TLS handshake"
  //   UNKNOWN "cannot load ca_file PATH: ...", "cannot load OpenSSL: ..." (nothing is
  //           sent then; tls/openssl_lazy.h)
  //   UNKNOWN "internal error: ..." if Asio, Beast, OpenSSL or the allocator threw
  // A numeric host is connected to directly; a name is resolved by getaddrinfo(3) on
  // Asio's resolver thread, and each of its addresses tried in turn. An https probe
  // speaks TLS over the connection first (tls_client.h: which CAs, SNI, the name
  // checked), then the same request; it closes without a TLS close_notify.
  // Destroying the returned handle cancels the probe: the socket is closed and `done` is
  // never called afterwards. The handle may outlive the prober, not the loop.
  event::HandlePtr Probe(const HttpProbeSpec& spec, DoneFn done);

 private:
  event::Loop& loop_;
};

}  // namespace vigil::probe
