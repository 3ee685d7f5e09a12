// SPDX-License-Identifier: MIT
// Reading [alert.NAME] tables into AlertSpecs (docs/config.md, "Alerts"). Internal to the
// config module: parse.cc calls it.
#pragma once

#include <toml++/toml.h>

#include <string>

#include "config/config_error.h"
#include "config/spec.h"

namespace vigil::config {

// Channels are few; the bound only stops a generated config from starting thousands of
// deliveries per finding.
inline constexpr size_t kMaxAlerts = 100;

// Reads one [alert.NAME] (the name already validated). Relative file paths (password_file,
// ca_file, header_files) are resolved against `config_dir`. The channel's settings are
// checked as vigil-alert will need them (alert::ValidateEmailSpec, ValidateWebhookSpec);
// the secrets files themselves are read only when a notification is sent.
base::Status ParseAlertTable(const ErrorContext& errors, const std::string& config_dir, const std::string& name,
                             const toml::node& node, AlertSpec* out);

}  // namespace vigil::config
