// SPDX-License-Identifier: MIT
// Rotated-file names: parsing, ordering, choosing the next one, pruning.
#include "logs/rotated_files.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <map>
#include <string_view>
#include <system_error>

namespace vigil::logs {
namespace fs = std::filesystem;

namespace {

constexpr std::string_view kGzSuffix = ".gz";
// "20261122T214503.123Z"
constexpr size_t kStampLen = 20;

bool IsStamp(std::string_view s) {
  if (s.size() != kStampLen) return false;
  for (size_t i = 0; i < kStampLen; ++i) {
    char c = s[i];
    bool ok = (i == 8) ? c == 'T' : (i == 15) ? c == '.' : (i == 19) ? c == 'Z' : (c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

// Parses the part after "NAME.out.log." into stamp, counter and gz flag.
bool ParseSuffix(std::string_view rest, RotatedFile* out) {
  if (rest.ends_with(kGzSuffix)) {
    out->gzipped = true;
    rest.remove_suffix(kGzSuffix.size());
  }
  if (rest.size() < kStampLen || !IsStamp(rest.substr(0, kStampLen))) return false;
  out->stamp = std::string(rest.substr(0, kStampLen));
  rest.remove_prefix(kStampLen);
  if (rest.empty()) return true;
  if (rest.size() < 2 || rest[0] != '.') return false;
  rest.remove_prefix(1);
  auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), out->counter);
  return ec == std::errc() && end == rest.data() + rest.size() && rest[0] != '0';
}

bool OrderedBefore(const RotatedFile& a, const RotatedFile& b) {
  if (a.stamp != b.stamp) return a.stamp < b.stamp;
  return a.counter < b.counter;
}

// "2026-11-22T21:45:03.123Z" -> "20261122T214503.123Z": no ':' so the name is valid
// everywhere and compact names still sort chronologically.
std::string CompactStamp(base::WallTime now) {
  std::string iso = base::FormatIso8601(now);
  std::string out;
  for (char c : iso) {
    if (c != '-' && c != ':') out.push_back(c);
  }
  return out;
}

bool Exists(const fs::path& p) {
  std::error_code ec;
  return fs::symlink_status(p, ec).type() != fs::file_type::not_found;
}

}  // namespace

base::Result<std::vector<RotatedFile>> RotatedFiles(const fs::path& current) {
  fs::path dir = current.parent_path();
  if (dir.empty()) dir = ".";
  const std::string prefix = current.filename().string() + ".";
  std::vector<RotatedFile> files;
  std::error_code ec;
  fs::directory_iterator it(dir, ec);
  if (ec) {
    if (ec == std::errc::no_such_file_or_directory) return files;
    return base::ErrnoStatus("cannot list " + dir.string(), ec.value());
  }
  for (; it != fs::directory_iterator(); it.increment(ec)) {
    if (ec) return base::ErrnoStatus("cannot list " + dir.string(), ec.value());
    std::string name = it->path().filename().string();
    if (!name.starts_with(prefix)) continue;
    RotatedFile f;
    if (!ParseSuffix(std::string_view(name).substr(prefix.size()), &f)) continue;
    f.path = it->path();
    files.push_back(std::move(f));
  }
  if (ec) return base::ErrnoStatus("cannot list " + dir.string(), ec.value());
  // Uncompressed first among equals, so the dedup below keeps the plain file.
  std::sort(files.begin(), files.end(), [](const RotatedFile& a, const RotatedFile& b) {
    if (OrderedBefore(a, b)) return true;
    if (OrderedBefore(b, a)) return false;
    return !a.gzipped && b.gzipped;
  });
  files.erase(std::unique(files.begin(), files.end(),
                          [](const RotatedFile& a, const RotatedFile& b) {
                            return a.stamp == b.stamp && a.counter == b.counter;
                          }),
              files.end());
  return files;
}

fs::path NextRotatedName(const fs::path& current, const std::vector<RotatedFile>& existing,
                         base::WallTime now) {
  std::string stamp = CompactStamp(now);
  uint64_t counter = 0;
  if (!existing.empty() && existing.back().stamp >= stamp) {
    stamp = existing.back().stamp;
    counter = existing.back().counter + 1;
  }
  for (;; ++counter) {
    std::string name = current.string() + "." + stamp;
    if (counter > 0) name += "." + std::to_string(counter);
    if (!Exists(name) && !Exists(name + std::string(kGzSuffix))) return name;
  }
}

base::Status PruneRotated(const fs::path& current, int keep) {
  auto files = RotatedFiles(current);
  if (!files.has_value()) return files.error();
  size_t keep_n = keep < 0 ? 0 : static_cast<size_t>(keep);
  if (files->size() <= keep_n) return base::Status::Ok();
  size_t excess = files->size() - keep_n;
  base::Status first_error;
  for (size_t i = 0; i < excess; ++i) {
    const fs::path& p = (*files)[i].path;
    if (::unlink(p.c_str()) != 0 && errno != ENOENT && first_error.ok()) {
      first_error = base::ErrnoStatus("cannot delete old log " + p.string(), errno);
    }
  }
  return first_error;
}

}  // namespace vigil::logs
