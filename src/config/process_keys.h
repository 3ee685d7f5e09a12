// SPDX-License-Identifier: MIT
// The keys a [program.NAME] and a command [task.NAME] share: command, directory,
// environment, user, group. Internal to the config module.
#pragma once

#include <sys/types.h>
#include <toml++/toml.h>

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config_error.h"
#include "config/toml_reader.h"

namespace vigil::config {

// What to run, where and as whom; copied into a ProgramSpec or a TaskSpec.
struct ProcessFields {
  std::vector<std::string> argv;
  std::string directory;  // absolute, or empty
  std::map<std::string, std::string> environment;
  std::optional<uid_t> uid;
  std::optional<gid_t> gid;
  std::string user;  // as written, for messages
};

// Reads the shared keys of one table, each as it comes (ReadKey, in file order), then
// resolves user and group against the system databases once all keys are known
// (ResolveAccounts), because `group` may follow `user`. Errors name `table_key`.<key>.
// Borrows its arguments; lives for the reading of one table.
class ProcessKeyReader {
 public:
  ProcessKeyReader(const TomlReader& reader, const std::string& config_dir, const KeyPath& table_key)
      : reader_(reader), config_dir_(config_dir), table_key_(table_key) {}

  // True for command, directory, environment, user and group.
  static bool Handles(std::string_view name);

  // Checks and stores one value. `name` must satisfy Handles().
  base::Status ReadKey(std::string_view name, const toml::node& value);

  // Looks up `user` and `group` if they were given. An unknown name is reported at its
  // key's line.
  base::Status ResolveAccounts();

  const ProcessFields& fields() const { return fields_; }

 private:
  base::Status ReadEnvironment(const toml::node& v, const KeyPath& key);
  // A name or numeric id, as written, for ResolveAccounts.
  struct AccountKey {
    const toml::node* node = nullptr;  // null when the key is absent
    std::string text;
  };
  base::Status ReadAccountName(const toml::node& v, const KeyPath& key, AccountKey* out);

  const TomlReader& reader_;
  const std::string& config_dir_;
  const KeyPath& table_key_;
  ProcessFields fields_;
  AccountKey user_;
  AccountKey group_;
};

}  // namespace vigil::config
