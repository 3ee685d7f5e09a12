// SPDX-License-Identifier: MIT
// Helpers shared by the logs/ unit tests: temp dirs, reading streams back, loop waiting.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <zlib.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>

#include "event/loop.h"
#include "util/temp_dir.h"
#include "logs/rotated_files.h"

namespace vigil::logs::testing {

using vigil::testing::TempDir;

inline std::string ReadFile(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline void WriteFileForTest(const std::filesystem::path& p, const std::string& bytes) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << bytes;
}

// Whole content of a gzip file; empty and a test failure if it is not valid gzip.
inline std::string ReadGzip(const std::filesystem::path& p) {
  gzFile gz = gzopen(p.c_str(), "rb");
  EXPECT_NE(gz, nullptr) << p;
  if (gz == nullptr) return "";
  std::string out;
  char buf[65536];
  int n;
  while ((n = gzread(gz, buf, sizeof(buf))) > 0) out.append(buf, static_cast<size_t>(n));
  EXPECT_EQ(n, 0) << "corrupt gzip " << p;
  EXPECT_EQ(gzclose(gz), Z_OK);
  return out;
}

// The stream as written: rotated files oldest first, then the current file.
inline std::string ReadStream(const std::filesystem::path& current) {
  std::string out;
  auto files = RotatedFiles(current);
  EXPECT_TRUE(files.has_value());
  if (files.has_value()) {
    for (const auto& f : *files) out += f.gzipped ? ReadGzip(f.path) : ReadFile(f.path);
  }
  return out + ReadFile(current);
}

// Runs the loop until `done()` or `timeout`; returns done(). Blocks in RunOne, so a timer
// due later is waited for without sleeping.
inline bool RunUntil(event::Loop& loop, const std::function<bool()>& done,
                     std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  bool timed_out = false;
  auto guard = loop.AddTimer(timeout, [&] { timed_out = true; });
  while (!done() && !timed_out) loop.RunOne();
  return done();
}

// "000001 lorem...\n" lines of varying length, numbered so that loss or duplication
// shows up in a diff.
inline std::string NumberedLines(int count, unsigned seed, size_t max_len = 200) {
  std::string out;
  unsigned state = seed;
  for (int i = 0; i < count; ++i) {
    state = state * 1103515245u + 12345u;
    size_t len = (state >> 8) % max_len;
    char num[16];
    snprintf(num, sizeof(num), "%06d ", i);
    out += num;
    for (size_t j = 0; j < len; ++j) out.push_back(static_cast<char>('a' + (i + j) % 26));
    out.push_back('\n');
  }
  return out;
}

}  // namespace vigil::logs::testing
