// SPDX-License-Identifier: MIT
// The keys that say how an https URL's certificate is checked, shared by [check.NAME]
// tables, a program's `health = { http = ... }` and `ready = { http = ... }`
// (docs/config.md): `tls_verify = false` and `ca_file = "/path"`; and the reading of a TLS
// file's path, which [http] shares. Internal to the config module.
#pragma once

#include <toml++/toml.h>

#include <string_view>

#include "base/http_url.h"
#include "config/config_error.h"
#include "config/toml_reader.h"

namespace vigil::config {

// True for "tls_verify" and "ca_file".
bool IsTlsKey(std::string_view name);

// Reads tls_verify or ca_file (`name`) into *out, once the URL is read (`https`: it is an
// https:// URL). Errors, at the key's line:
//   "only applies to https:// URLs"
//   ca_file: "must be an absolute path such as \"/etc/ssl/private-ca.pem\", got \"ca.pem\"",
//            "cannot read \"/etc/x.pem\": No such file or directory", "... is not a file"
//   either, when the other came first: "ca_file and tls_verify = false do not go
//   together: ..."
base::Status ReadTlsKey(const TomlReader& reader, std::string_view name, const toml::node& value,
                        const KeyPath& key, bool https, base::TlsSettings* out);

// Reads a TLS file's path (ca_file, [http] tls_cert and tls_key): absolute, and a file
// vigild can read now, so that a typo is a config error at the key's line. `example` is
// shown in the errors: "must be an absolute path such as \"EXAMPLE\", got \"x.pem\"",
// "cannot read \"/etc/x.pem\": No such file or directory", "\"/etc\" is not a file".
base::Status ReadTlsFilePath(const TomlReader& reader, const toml::node& value, const KeyPath& key,
                             std::string_view example, std::string* out);

}  // namespace vigil::config
