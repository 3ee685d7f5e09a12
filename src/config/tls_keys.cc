// SPDX-License-Identifier: MIT
// tls_verify and ca_file: read once the URL they qualify is known, so that each error is
// at the line of the key that is wrong.
#include "config/tls_keys.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace vigil::config {
namespace {

constexpr std::string_view kTogether =
    "ca_file and tls_verify = false do not go together (a ca_file is for verifying against a private CA); "
    "remove one";

base::Status ReadCaFile(const TomlReader& reader, const toml::node& v, const KeyPath& key, base::TlsSettings* out) {
  // Not relative to the config file, like a check's other paths: it names a file on the
  // machine vigild probes from. Read at every probe; checked here too so that a typo is a
  // config error, not a check that is UNKNOWN from the first sample on.
  std::string path;
  if (auto s = ReadTlsFilePath(reader, v, key, "/etc/ssl/private-ca.pem", &path); !s.ok()) return s;
  if (!out->verify) return reader.Error(v, key, kTogether);
  out->ca_file = std::move(path);
  return base::Status::Ok();
}

}  // namespace

base::Status ReadTlsFilePath(const TomlReader& reader, const toml::node& v, const KeyPath& key,
                             std::string_view example, std::string* out) {
  std::string path;
  const std::string quoted = "\"" + std::string(example) + "\"";
  if (auto s = reader.ReadString(v, key, "an absolute path such as " + quoted, &path); !s.ok()) return s;
  if (path.empty() || path[0] != '/') {
    return reader.Error(v, key, "must be an absolute path such as " + quoted + ", got \"" + path + "\"");
  }
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || ::access(path.c_str(), R_OK) != 0) {
    return reader.Error(v, key, "cannot read \"" + path + "\": " + std::strerror(errno));
  }
  if (!S_ISREG(st.st_mode)) return reader.Error(v, key, "\"" + path + "\" is not a file");
  *out = std::move(path);
  return base::Status::Ok();
}

bool IsTlsKey(std::string_view name) { return name == "tls_verify" || name == "ca_file"; }

base::Status ReadTlsKey(const TomlReader& reader, std::string_view name, const toml::node& value, const KeyPath& key,
                        bool https, base::TlsSettings* out) {
  if (!https) return reader.Error(value, key, "only applies to https:// URLs");
  if (name == "ca_file") return ReadCaFile(reader, value, key, out);
  bool verify = true;
  if (auto s = reader.ReadBool(value, key, &verify); !s.ok()) return s;
  if (!verify && !out->ca_file.empty()) return reader.Error(value, key, kTogether);
  out->verify = verify;
  return base::Status::Ok();
}

}  // namespace vigil::config
