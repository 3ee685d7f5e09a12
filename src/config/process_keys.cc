// SPDX-License-Identifier: MIT
// Reading command, directory, environment, user and group, shared by programs and tasks.
#include "config/process_keys.h"

#include <cstdint>
#include <limits>

#include "base/command_line.h"
#include "config/accounts.h"

namespace vigil::config {
namespace {

std::string AccountText(const toml::node& v) {
  if (const auto* i = v.as_integer()) return std::to_string(i->get());
  return v.as_string()->get();
}

}  // namespace

bool ProcessKeyReader::Handles(std::string_view name) {
  return name == "command" || name == "directory" || name == "environment" || name == "user" || name == "group";
}

base::Status ProcessKeyReader::ReadKey(std::string_view name, const toml::node& value) {
  const KeyPath key = table_key_.Child(name);
  if (name == "command") return ReadCommand(value, key);
  if (name == "directory") {
    if (auto s = reader_.ReadNonEmptyString(value, key, &fields_.directory); !s.ok()) return s;
    fields_.directory = ResolvePath(config_dir_, fields_.directory).string();
    return base::Status::Ok();
  }
  if (name == "environment") return ReadEnvironment(value, key);
  if (name == "user") return ReadAccountName(value, key, &user_node_);
  return ReadAccountName(value, key, &group_node_);
}

base::Status ProcessKeyReader::ReadCommand(const toml::node& v, const KeyPath& key) {
  std::vector<std::string>& argv = fields_.argv;
  if (const auto* s = v.as_string()) {
    auto words = base::SplitCommand(s->get());
    if (!words) return reader_.Error(v, key, words.error().message());
    argv = std::move(*words);
    return base::Status::Ok();
  }
  const auto* array = v.as_array();
  if (array == nullptr) return reader_.WrongType(v, key, "a string or an array of strings");
  if (array->empty()) return reader_.Error(v, key, "empty command");
  argv.clear();
  for (size_t i = 0; i < array->size(); ++i) {
    std::string word;
    if (auto st = reader_.ReadString(*array->get(i), key.Index(i), &word); !st.ok()) return st;
    argv.push_back(std::move(word));
  }
  if (argv[0].empty()) return reader_.Error(v, key.Index(0), "the program to run must not be empty");
  return base::Status::Ok();
}

base::Status ProcessKeyReader::ReadEnvironment(const toml::node& v, const KeyPath& key) {
  const auto* table = v.as_table();
  if (table == nullptr) return reader_.WrongType(v, key, "a table of strings like { PORT = \"8080\" }");
  for (const auto& [k, value] : EntriesInFileOrder(*table)) {
    const std::string name(k->str());
    const KeyPath child = key.Child(name);
    if (name.empty() || name.find('=') != std::string::npos) {
      return reader_.errors().Error(LineOf(*k), child,
                                    "environment variable names must be non-empty and contain no '='");
    }
    std::string text;
    if (auto s = reader_.ReadString(*value, child, &text); !s.ok()) return s;
    fields_.environment[name] = std::move(text);
  }
  return base::Status::Ok();
}

base::Status ProcessKeyReader::ReadAccountName(const toml::node& v, const KeyPath& key, const toml::node** node) {
  if (const auto* i = v.as_integer()) {
    if (i->get() < 0 || i->get() >= std::numeric_limits<uint32_t>::max()) {
      return reader_.Error(v, key, "id " + std::to_string(i->get()) + " is out of range");
    }
  } else if (const auto* s = v.as_string()) {
    if (s->get().empty()) return reader_.Error(v, key, "must not be empty");
  } else {
    return reader_.WrongType(v, key, "a name or a numeric id");
  }
  *node = &v;
  return base::Status::Ok();
}

base::Status ProcessKeyReader::ResolveAccounts() {
  if (user_node_ != nullptr) {
    fields_.user = AccountText(*user_node_);
    auto account = LookUpUser(fields_.user);
    if (!account) return reader_.Error(*user_node_, table_key_.Child("user"), account.error().message());
    fields_.uid = account->uid;
    if (group_node_ == nullptr) {
      if (!account->primary_gid) {
        return reader_.Error(
            *user_node_, table_key_.Child("user"),
            "uid " + fields_.user + " has no passwd entry to take a primary group from; set group too");
      }
      fields_.gid = *account->primary_gid;
    }
  }
  if (group_node_ != nullptr) {
    auto gid = LookUpGroup(AccountText(*group_node_));
    if (!gid) return reader_.Error(*group_node_, table_key_.Child("group"), gid.error().message());
    fields_.gid = *gid;
  }
  return base::Status::Ok();
}

}  // namespace vigil::config
