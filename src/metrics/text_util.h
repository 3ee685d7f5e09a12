// SPDX-License-Identifier: MIT
// Small helpers the /proc and statvfs readers share: line splitting and arithmetic that
// saturates, because the kernel (or a FUSE filesystem, or a fake tree) may report any number.
#pragma once

#include <cstdint>
#include <limits>
#include <string_view>

namespace vigil::metrics {

// Takes the first line off *text and returns it without its '\n'.
inline std::string_view TakeLine(std::string_view* text) {
  const size_t end = text->find('\n');
  const std::string_view line = text->substr(0, end);
  text->remove_prefix(end == std::string_view::npos ? text->size() : end + 1);
  return line;
}

inline uint64_t AddSaturating(uint64_t a, uint64_t b) {
  uint64_t sum = 0;
  return __builtin_add_overflow(a, b, &sum) ? std::numeric_limits<uint64_t>::max() : sum;
}

inline uint64_t MultiplySaturating(uint64_t a, uint64_t b) {
  uint64_t product = 0;
  return __builtin_mul_overflow(a, b, &product) ? std::numeric_limits<uint64_t>::max() : product;
}

}  // namespace vigil::metrics
