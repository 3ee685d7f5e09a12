// SPDX-License-Identifier: MIT
// The OpenSSL functions vigil calls as forwarders to libssl.so.3, loaded on first use
// (openssl_lazy.h says why). openssl_stubs.inc holds one definition per function, with the
// signature the headers declare, made by scripts/gen-openssl-stubs.py.
#include "tls/openssl_lazy.h"

#include <dlfcn.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>

namespace vigil::tls {
namespace {

void* Resolve(int index);

}  // namespace
}  // namespace vigil::tls

// Function `index` of kOpenSslNames, as a pointer of the type of `name`'s declaration.
#define VIGIL_OPENSSL_CALL(index, name) reinterpret_cast<decltype(&::name)>(::vigil::tls::Resolve(index))

#include "tls/openssl_stubs.inc"

namespace vigil::tls {
namespace {

constexpr int kFunctions = static_cast<int>(sizeof kOpenSslNames / sizeof kOpenSslNames[0]);

struct Library {
  std::once_flag once;
  base::Status status;
  void* functions[kFunctions] = {};
};

Library& TheLibrary() {
  static Library library;
  return library;
}

void Load(Library& library) {
  // RTLD_LOCAL: its symbols serve these forwarders alone. Never unloaded.
  void* handle = ::dlopen(kLibSsl, RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* why = ::dlerror();
    library.status = base::Status::Unavailable(std::string("cannot load OpenSSL: ") + (why ? why : kLibSsl));
    return;
  }
  for (int i = 0; i < kFunctions; ++i) {
    // dlsym(3) on the handle searches libssl and its dependencies (libcrypto), never
    // vigild itself, so a forwarder cannot find itself.
    library.functions[i] = ::dlsym(handle, kOpenSslNames[i]);
    if (library.functions[i] == nullptr) {
      library.status = base::Status::Unavailable(std::string("cannot load OpenSSL: ") + kLibSsl + " has no " +
                                                 kOpenSslNames[i]);
      return;
    }
  }
}

void* Resolve(int index) {
  Library& library = TheLibrary();
  std::call_once(library.once, [&] { Load(library); });
  if (!library.status.ok()) {
    // Only reachable by a caller that skipped LoadOpenSsl(): a bug, not the machine.
    std::fprintf(stderr, "vigil: %s (called %s)\n", library.status.message().c_str(), kOpenSslNames[index]);
    std::abort();
  }
  return library.functions[index];
}

}  // namespace

base::Status LoadOpenSsl() {
  Library& library = TheLibrary();
  std::call_once(library.once, [&] { Load(library); });
  return library.status;
}

}  // namespace vigil::tls
