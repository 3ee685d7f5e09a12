// SPDX-License-Identifier: MIT
// Reading [http] (docs/config.md, "HTTP listener"): the addresses vigild listens on for
// browsers and remote API clients, and the limits of that listener. Internal to the
// config module: parse.cc calls it.
#pragma once

#include <toml++/toml.h>

#include <optional>
#include <string>
#include <string_view>

#include "config/config_error.h"
#include "config/spec.h"

namespace vigil::config {

// "127.0.0.1:7411", "[::1]:7411", "0.0.0.0:7411", "localhost:7411" (= 127.0.0.1): an IP
// literal (never a name to resolve) and a port 1-65535; nullopt otherwise.
std::optional<ListenAddress> ParseListenAddress(std::string_view text);

// Reads [http] (`node` null: absent, no listener).
base::Status ParseHttpTable(const ErrorContext& errors, const toml::node* node, HttpSpec* out);

}  // namespace vigil::config
