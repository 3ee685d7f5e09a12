// SPDX-License-Identifier: MIT
// SHA-256 through libcrypto's EVP_Digest, found with dlopen(3) the first time a revision is
// asked for. Only the declarations of <openssl/evp.h> are used, so each call has the exact
// type OpenSSL declares; nothing links against libcrypto.
#include "config/revision.h"

#include <dlfcn.h>
#include <openssl/evp.h>

#include <boost/algorithm/hex.hpp>
#include <iterator>
#include <mutex>

namespace vigil::config {
namespace {

// OpenSSL 3's, the ABI of the headers compiled against (as tls/openssl_lazy.h).
constexpr const char* kLibCrypto = "libcrypto.so.3";

struct Digest {
  std::once_flag once;
  base::Status status;
  decltype(&::EVP_Digest) digest = nullptr;
  decltype(&::EVP_sha256) sha256 = nullptr;
};

void Load(Digest& d) {
  // RTLD_LOCAL: its symbols serve this file alone. Never unloaded.
  void* handle = ::dlopen(kLibCrypto, RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* why = ::dlerror();
    d.status = base::Status::Unavailable(std::string("cannot load OpenSSL: ") + (why != nullptr ? why : kLibCrypto));
    return;
  }
  d.digest = reinterpret_cast<decltype(&::EVP_Digest)>(::dlsym(handle, "EVP_Digest"));
  d.sha256 = reinterpret_cast<decltype(&::EVP_sha256)>(::dlsym(handle, "EVP_sha256"));
  if (d.digest == nullptr || d.sha256 == nullptr) {
    d.status = base::Status::Unavailable(std::string("cannot load OpenSSL: ") + kLibCrypto +
                                         " has no EVP_Digest or EVP_sha256");
  }
}

}  // namespace

base::Result<std::string> Revision(std::string_view bytes) {
  static Digest d;
  std::call_once(d.once, [] { Load(d); });
  if (!d.status.ok()) return d.status;
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (d.digest(bytes.data(), bytes.size(), md, &size, d.sha256(), nullptr) != 1) {
    return base::Status::Internal("EVP_Digest(SHA-256) failed");
  }
  std::string out;
  out.reserve(size * 2);
  boost::algorithm::hex_lower(md, md + size, std::back_inserter(out));
  return out;
}

}  // namespace vigil::config
