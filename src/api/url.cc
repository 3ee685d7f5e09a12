// SPDX-License-Identifier: MIT
// Request-target parsing for the API router.
#include "api/url.h"

namespace vigil::api {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Calls fn(piece) for each piece of `text` between `sep` characters, empty ones included.
template <typename Fn>
void Split(std::string_view text, char sep, Fn fn) {
  size_t start = 0;
  while (true) {
    size_t end = text.find(sep, start);
    fn(text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    if (end == std::string_view::npos) return;
    start = end + 1;
  }
}

}  // namespace

base::Result<std::string> PercentDecode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '+' && plus_is_space) {
      out += ' ';
    } else if (c == '%') {
      int hi = i + 2 < text.size() ? HexValue(text[i + 1]) : -1;
      int lo = hi >= 0 ? HexValue(text[i + 2]) : -1;
      if (hi < 0 || lo < 0) {
        return base::Status::InvalidArgument("malformed percent-escape in \"" + std::string(text) +
                                             "\"");
      }
      char decoded = static_cast<char>(hi * 16 + lo);
      // A NUL would end the name early in every C API the daemon hands it to.
      if (decoded == '\0') {
        return base::Status::InvalidArgument("NUL byte in \"" + std::string(text) + "\"");
      }
      out += decoded;
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

base::Result<Target> ParseTarget(std::string_view target) {
  if (target.empty() || target.front() != '/') {
    return base::Status::InvalidArgument("request target must start with '/'");
  }
  Target result;
  std::string_view path = target;
  std::string_view query;
  if (size_t q = target.find('?'); q != std::string_view::npos) {
    path = target.substr(0, q);
    query = target.substr(q + 1);
  }
  if (size_t hash = query.find('#'); hash != std::string_view::npos) query = query.substr(0, hash);

  path.remove_prefix(1);
  if (!path.empty() && path.back() == '/') path.remove_suffix(1);
  base::Status error;
  if (!path.empty()) {
    Split(path, '/', [&](std::string_view piece) {
      auto decoded = PercentDecode(piece, /*plus_is_space=*/false);
      if (!decoded) {
        error = decoded.error();
        return;
      }
      result.segments.push_back(std::move(decoded).value());
    });
  }
  if (!error.ok()) return error;

  if (!query.empty()) {
    Split(query, '&', [&](std::string_view piece) {
      if (piece.empty()) return;
      size_t eq = piece.find('=');
      auto key = PercentDecode(piece.substr(0, eq), /*plus_is_space=*/true);
      auto value = PercentDecode(
          eq == std::string_view::npos ? std::string_view() : piece.substr(eq + 1), true);
      if (!key || !value) {
        error = !key ? key.error() : value.error();
        return;
      }
      result.query[std::move(key).value()] = std::move(value).value();
    });
  }
  if (!error.ok()) return error;
  return result;
}

}  // namespace vigil::api
