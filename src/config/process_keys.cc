// SPDX-License-Identifier: MIT
// Reading command, directory, environment, user and group, shared by programs and tasks.
#include "config/process_keys.h"

#include <cstdint>
#include <limits>

#include "base/command_line.h"
#include "config/accounts.h"

namespace vigil::config {
namespace {

// (uid_t)-1 and (gid_t)-1 mean "no change" to setresuid(2) and setresgid(2).
constexpr int64_t kMaxId = int64_t{std::numeric_limits<uint32_t>::max()} - 1;

}  // namespace

bool ProcessKeyReader::Handles(std::string_view name) {
  return name == "command" || name == "directory" || name == "environment" || name == "user" || name == "group";
}

base::Status ProcessKeyReader::ReadKey(std::string_view name, const toml::node& value) {
  const KeyPath key = table_key_.Child(name);
  if (name == "command") return reader_.ReadCommand(value, key, &fields_.argv);
  if (name == "directory") {
    if (auto s = reader_.ReadNonEmptyString(value, key, &fields_.directory); !s.ok()) return s;
    fields_.directory = ResolvePath(config_dir_, fields_.directory).string();
    return base::Status::Ok();
  }
  if (name == "environment") return ReadEnvironment(value, key);
  if (name == "user") return ReadAccountName(value, key, &user_);
  return ReadAccountName(value, key, &group_);
}


base::Status ProcessKeyReader::ReadEnvironment(const toml::node& v, const KeyPath& key) {
  const auto* table = v.as_table();
  if (table == nullptr) return reader_.WrongType(v, key, "a table of strings like { PORT = \"8080\" }");
  for (const auto& [k, value] : EntriesInFileOrder(*table)) {
    const std::string name(k->str());
    const KeyPath child = key.Child(name);
    // A NUL would cut the name short in the environment block, as in any string value.
    if (name.empty() || name.find('=') != std::string::npos || name.find('\0') != std::string::npos) {
      return reader_.errors().Error(LineOf(*k), child,
                                    "environment variable names must be non-empty and contain no '=' or NUL "
                                    "character (\\u0000)");
    }
    std::string text;
    if (auto s = reader_.ReadString(*value, child, &text); !s.ok()) return s;
    fields_.environment[name] = std::move(text);
  }
  return base::Status::Ok();
}

base::Status ProcessKeyReader::ReadAccountName(const toml::node& v, const KeyPath& key, AccountKey* out) {
  if (v.is_integer()) {
    int64_t id = 0;
    if (auto s = reader_.ReadInt64(v, key, 0, kMaxId, &id); !s.ok()) return s;
    out->text = std::to_string(id);
  } else {
    if (auto s = reader_.ReadString(v, key, "a name or a numeric id", &out->text); !s.ok()) return s;
    if (out->text.empty()) return reader_.Error(v, key, "must not be empty");
  }
  out->node = &v;
  return base::Status::Ok();
}

base::Status ProcessKeyReader::ResolveAccounts() {
  if (user_.node != nullptr) {
    fields_.user = user_.text;
    auto account = LookUpUser(fields_.user);
    if (!account) return reader_.Error(*user_.node, table_key_.Child("user"), account.error().message());
    fields_.uid = account->uid;
    if (group_.node == nullptr) {
      if (!account->primary_gid) {
        return reader_.Error(
            *user_.node, table_key_.Child("user"),
            "uid " + fields_.user + " has no passwd entry to take a primary group from; set group too");
      }
      fields_.gid = *account->primary_gid;
    }
  }
  if (group_.node != nullptr) {
    auto gid = LookUpGroup(group_.text);
    if (!gid) return reader_.Error(*group_.node, table_key_.Child("group"), gid.error().message());
    fields_.gid = *gid;
  }
  return base::Status::Ok();
}

}  // namespace vigil::config
