// SPDX-License-Identifier: MIT
// Resolving `user` and `group` from the config to numeric ids via the system databases.
// Internal to the config module.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string_view>

#include "base/status.h"

namespace vigil::config {

struct Account {
  uid_t uid = 0;
  std::optional<gid_t> primary_gid;  // unset for a numeric uid with no passwd entry
};

// Looks up a user name, or a decimal uid (which need not have a passwd entry).
// NotFound with a message like `unknown user "bob"` when the name does not exist.
base::Result<Account> LookUpUser(std::string_view name_or_uid);

// Looks up a group name, or a decimal gid. NotFound: `unknown group "staff"`.
base::Result<gid_t> LookUpGroup(std::string_view name_or_gid);

}  // namespace vigil::config
