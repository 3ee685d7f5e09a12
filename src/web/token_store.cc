// SPDX-License-Identifier: MIT
// The tokens file: "admin HEX\nviewer HEX\n", mode 0600.
#include "web/token_store.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "base/file_util.h"
#include "web/secret.h"

namespace vigil::web {
namespace {

constexpr uint64_t kMaxFileBytes = 4096;

bool IsToken(std::string_view text) {
  if (text.size() != 2 * TokenStore::kTokenBytes) return false;
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace

base::Status TokenStore::Load() {
  struct stat st {};
  if (::lstat(file_.c_str(), &st) != 0) {
    if (errno != ENOENT) return base::Status::IoError(file_.string() + ": " + std::strerror(errno));
    std::error_code ec;
    std::filesystem::create_directories(file_.parent_path(), ec);
    if (ec) return base::Status::IoError(file_.parent_path().string() + ": " + ec.message());
    auto admin = RandomHex(kTokenBytes);
    if (!admin) return admin.error();
    auto viewer = RandomHex(kTokenBytes);
    if (!viewer) return viewer.error();
    return Write(*admin, *viewer);
  }
  if (!S_ISREG(st.st_mode)) return base::Status::InvalidArgument(file_.string() + ": not a regular file");
  if ((st.st_mode & 077) != 0) {
    return base::Status::InvalidArgument(file_.string() + ": others may read or change it (mode " +
                                         std::to_string((st.st_mode >> 6) & 7) + std::to_string((st.st_mode >> 3) & 7) +
                                         std::to_string(st.st_mode & 7) + "); chmod 600 " + file_.string());
  }
  auto text = base::ReadRegularFile(file_, kMaxFileBytes, "a tokens file");
  if (!text) return text.error();
  std::string admin, viewer;
  size_t at = 0;
  while (at < text->size()) {
    size_t end = text->find('\n', at);
    if (end == std::string::npos) end = text->size();
    const std::string_view line = std::string_view(*text).substr(at, end - at);
    at = end + 1;
    if (line.empty()) continue;
    const size_t space = line.find(' ');
    const std::string_view role = line.substr(0, space);
    const std::string_view token = space == std::string_view::npos ? "" : line.substr(space + 1);
    if (!IsToken(token) || (role != "admin" && role != "viewer")) {
      return base::Status::InvalidArgument(file_.string() + ": expected lines \"admin TOKEN\" and \"viewer TOKEN\" (" +
                                           std::to_string(2 * kTokenBytes) +
                                           " hex digits each); remove the file to have new tokens made");
    }
    (role == "admin" ? admin : viewer) = std::string(token);
  }
  if (admin.empty() || viewer.empty()) {
    return base::Status::InvalidArgument(file_.string() + ": needs both an admin and a viewer token; remove the file " +
                                         "to have new tokens made");
  }
  admin_ = std::move(admin);
  viewer_ = std::move(viewer);
  return base::Status::Ok();
}

base::Status TokenStore::Rotate(Role role) {
  auto fresh = RandomHex(kTokenBytes);
  if (!fresh) return fresh.error();
  return role == Role::kAdmin ? Write(*fresh, viewer_) : Write(admin_, *fresh);
}

std::optional<Role> TokenStore::Match(std::string_view presented) const {
  // Both are compared, so the time taken does not tell which role a guess was near.
  const bool admin = !admin_.empty() && ConstantTimeEqual(presented, admin_);
  const bool viewer = !viewer_.empty() && ConstantTimeEqual(presented, viewer_);
  if (admin) return Role::kAdmin;
  if (viewer) return Role::kViewer;
  return std::nullopt;
}

base::Status TokenStore::Write(const std::string& admin, const std::string& viewer) {
  if (auto s = base::WriteFileAtomically(file_, "admin " + admin + "\nviewer " + viewer + "\n", 0600); !s.ok()) return s;
  admin_ = admin;
  viewer_ = viewer;
  return base::Status::Ok();
}

}  // namespace vigil::web
