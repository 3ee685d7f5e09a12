// SPDX-License-Identifier: MIT
// Random hex from getrandom(2) and a constant-time comparison.
#include "web/secret.h"

#include <sys/random.h>

#include <boost/algorithm/hex.hpp>
#include <cerrno>
#include <iterator>
#include <cstring>
#include <vector>

namespace vigil::web {

base::Result<std::string> RandomHex(size_t bytes) {
  std::vector<unsigned char> raw(bytes);
  size_t got = 0;
  while (got < bytes) {
    const ssize_t n = ::getrandom(raw.data() + got, bytes - got, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return base::Status::IoError(std::string("getrandom: ") + std::strerror(errno));
    }
    got += static_cast<size_t>(n);
  }
  std::string out;
  out.reserve(bytes * 2);
  boost::algorithm::hex_lower(raw.begin(), raw.end(), std::back_inserter(out));
  return out;
}

bool ConstantTimeEqual(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  // Every byte is looked at; the volatile keeps the compiler from ending the loop early.
  volatile unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) diff = diff | static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

}  // namespace vigil::web
