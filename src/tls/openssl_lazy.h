// SPDX-License-Identifier: MIT
// OpenSSL, loaded when the first https probe or the HTTP listener's TLS needs it. vigild
// does not link libssl or libcrypto: every OpenSSL function vigil calls (its own and Asio's
// ssl, for probes and for the listener) is defined in openssl_lazy.cc as a jump through a
// table that dlopen(3) and dlsym(3) fill on first use. Linked, shared or static, OpenSSL
// cost every vigild 0.8-1.6 MB of resident memory at start-up whether it used TLS or not
// (its relocated tables, and the pages around them; docs/architecture.md). Thread rule: any thread (loading is done once, under
// std::call_once).
#pragma once

#include "base/status.h"

namespace vigil::tls {

// The shared library loaded: OpenSSL 3's, the ABI of the headers compiled against.
inline constexpr const char* kLibSsl = "libssl.so.3";

// Loads libssl (and with it libcrypto) and resolves every function, once. Returns Ok, or
// Unavailable "cannot load OpenSSL: libssl.so.3: cannot open shared object file..." (the
// same on every later call). A forwarding function called before a successful load tries
// the load itself, and aborts with that message if it fails: callers that can report an
// error call this first.
base::Status LoadOpenSsl();

}  // namespace vigil::tls
