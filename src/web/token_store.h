// SPDX-License-Identifier: MIT
// web::TokenStore: the HTTP listener's two API tokens, one per role, each 256 random bits,
// kept in one file of mode 0600 (STATE_DIR/http-tokens) that is created on first use.
// `vigil token [--viewer] [--rotate]` reads and replaces them through vigild (docs/web.md).
// Thread rule: loop thread only.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"
#include "web/role.h"

namespace vigil::web {

class TokenStore {
 public:
  static constexpr size_t kTokenBytes = 32;  // 256 bits

  explicit TokenStore(std::filesystem::path file) : file_(std::move(file)) {}

  // Reads the file, or creates it (and its directory, 0700) with new tokens when it does
  // not exist. Refuses a file others may read or write ("chmod 600 FILE"), one that is not
  // a regular file, and a malformed one, naming the file.
  base::Status Load();

  const std::string& token(Role role) const { return role == Role::kAdmin ? admin_ : viewer_; }
  // Replaces the role's token with a new one and writes the file atomically; the old one
  // stops working at once. On failure nothing changes.
  base::Status Rotate(Role role);
  // The role whose token `presented` is, comparing in constant time; nullopt for neither.
  std::optional<Role> Match(std::string_view presented) const;

  const std::filesystem::path& file() const { return file_; }

 private:
  base::Status Write(const std::string& admin, const std::string& viewer);

  std::filesystem::path file_;
  std::string admin_;
  std::string viewer_;
};

}  // namespace vigil::web
