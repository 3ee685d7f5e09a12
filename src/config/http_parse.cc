// SPDX-License-Identifier: MIT
// Reading [http]: listen addresses, allowed Host names, TLS files and limits.
#include "config/http_parse.h"

#include <arpa/inet.h>

#include <charconv>

#include "config/tls_keys.h"
#include "config/toml_reader.h"

namespace vigil::config {
namespace {

constexpr std::string_view kHttpKeys =
    "listen, allowed_hosts, tls_cert, tls_key, insecure, metrics_public, max_connections, session_idle";
constexpr size_t kMaxListen = 16;

bool IsLoopback(const std::string& host, bool v6) {
  if (v6) return host == "::1";
  in_addr a{};
  return inet_pton(AF_INET, host.c_str(), &a) == 1 && (ntohl(a.s_addr) >> 24) == 127;
}

// A Host header's name part as browsers send it: letters, digits, '-', '.', no port.
bool IsHostName(std::string_view name) {
  if (name.empty() || name.size() > 253) return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
    if (!ok) return false;
  }
  return true;
}

// tls_cert or tls_key: an absolute path to a file vigild can read (its contents are read
// when the listener starts, and again on every reload).
base::Status ReadTlsFile(const TomlReader& reader, const toml::node& v, const KeyPath& key,
                         std::filesystem::path* out) {
  std::string path;
  if (auto s = ReadTlsFilePath(reader, v, key, "/etc/vigil/tls/cert.pem", &path); !s.ok()) return s;
  *out = std::move(path);
  return base::Status::Ok();
}

}  // namespace

std::string FormatListenAddress(const ListenAddress& address) {
  const bool v6 = address.host.find(':') != std::string::npos;
  return (v6 ? "[" + address.host + "]" : address.host) + ":" + std::to_string(address.port);
}

std::optional<ListenAddress> ParseListenAddress(std::string_view text) {
  const size_t colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return std::nullopt;
  std::string_view host = text.substr(0, colon);
  const std::string_view port_text = text.substr(colon + 1);
  unsigned port = 0;
  const auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || end != port_text.data() + port_text.size() || port == 0 || port > 65535) {
    return std::nullopt;
  }
  bool v6 = false;
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
    v6 = true;
  }
  ListenAddress out;
  out.port = static_cast<uint16_t>(port);
  if (!v6 && host == "localhost") {
    out.host = "127.0.0.1";
  } else {
    out.host = std::string(host);
    unsigned char buffer[sizeof(in6_addr)];
    if (inet_pton(v6 ? AF_INET6 : AF_INET, out.host.c_str(), buffer) != 1) return std::nullopt;
  }
  out.loopback = IsLoopback(out.host, v6);
  return out;
}

base::Status ParseHttpTable(const ErrorContext& errors, const toml::node* node, HttpSpec* out) {
  if (node == nullptr) return base::Status::Ok();
  const TomlReader reader(errors);
  const KeyPath key("http");
  const auto* table = node->as_table();
  if (table == nullptr) return reader.WrongType(*node, key, "a table ([http])");
  const toml::node* listen_node = nullptr;
  const toml::node* cert_node = nullptr;
  const toml::node* key_node = nullptr;
  const toml::node* insecure_node = nullptr;
  for (const auto& [k, v] : EntriesInFileOrder(*table)) {
    const std::string_view name = k->str();
    const KeyPath child = key.Child(name);
    base::Status s;
    if (name == "listen") {
      listen_node = v;
      std::vector<const toml::node*> items;
      if (v->is_string()) {
        items.push_back(v);
      } else if (const auto* array = v->as_array()) {
        for (const toml::node& item : *array) items.push_back(&item);
        if (items.empty()) return reader.Error(*v, child, "must name at least one address (or leave [http] out)");
        if (items.size() > kMaxListen) {
          return reader.Error(*v, child, "at most " + std::to_string(kMaxListen) + " addresses");
        }
      } else {
        return reader.WrongType(*v, child, "an address like \"127.0.0.1:7411\" or an array of them");
      }
      for (const toml::node* item : items) {
        std::string text;
        if (auto r = reader.ReadNonEmptyString(*item, child, &text); !r.ok()) return r;
        std::optional<ListenAddress> address = ParseListenAddress(text);
        if (!address) {
          return reader.Error(*item, child,
                              "\"" + text +
                                  "\" is not an address: expected an IP address and a port, like \"127.0.0.1:7411\" "
                                  "or \"[::1]:7411\" (host names are not resolved)");
        }
        for (const ListenAddress& seen : out->listen) {
          if (seen == *address) return reader.Error(*item, child, "\"" + text + "\" is listed twice");
        }
        out->listen.push_back(*address);
      }
    } else if (name == "allowed_hosts") {
      const auto* array = v->as_array();
      if (array == nullptr) return reader.WrongType(*v, child, "an array of host names");
      for (const toml::node& item : *array) {
        std::string text;
        if (auto r = reader.ReadNonEmptyString(item, child, &text); !r.ok()) return r;
        if (!IsHostName(text)) {
          return reader.Error(item, child,
                              "\"" + text + "\" is not a host name (letters, digits, '-' and '.', without a port)");
        }
        out->allowed_hosts.push_back(text);
      }
    } else if (name == "tls_cert") {
      cert_node = v;
      s = ReadTlsFile(reader, *v, child, &out->tls_cert);
    } else if (name == "tls_key") {
      key_node = v;
      s = ReadTlsFile(reader, *v, child, &out->tls_key);
    } else if (name == "insecure") {
      insecure_node = v;
      s = reader.ReadBool(*v, child, &out->insecure);
    } else if (name == "metrics_public") {
      s = reader.ReadBool(*v, child, &out->metrics_public);
    } else if (name == "max_connections") {
      s = reader.ReadInt(*v, child, 1, 10000, &out->max_connections);
    } else if (name == "session_idle") {
      s = reader.ReadDuration(*v, child, &out->session_idle);
      if (s.ok() && out->session_idle < std::chrono::minutes(1)) s = reader.Error(*v, child, "must be at least 1m");
    } else {
      s = reader.UnknownKey(*k, child, kHttpKeys);
    }
    if (!s.ok()) return s;
  }
  const int line = LineOf(*node);
  if (listen_node == nullptr) {
    return errors.Error(line, key, "missing required key \"listen\" (an address like \"127.0.0.1:7411\")");
  }
  if (cert_node != nullptr && key_node == nullptr) {
    return reader.Error(*cert_node, key.Child("tls_cert"), "needs tls_key too (the certificate's private key)");
  }
  if (key_node != nullptr && cert_node == nullptr) {
    return reader.Error(*key_node, key.Child("tls_key"), "needs tls_cert too (the certificate of this key)");
  }
  if (out->tls() && out->insecure) {
    return reader.Error(*insecure_node, key.Child("insecure"),
                        "is for plain HTTP; with tls_cert the listener speaks HTTPS: remove insecure");
  }
  if (!out->insecure && !out->tls()) {
    for (const ListenAddress& a : out->listen) {
      if (!a.loopback) {
        return reader.Error(*listen_node, key.Child("listen"),
                            FormatListenAddress(a) +
                                " is reachable from other machines, and the listener speaks plain HTTP: give it a "
                                "certificate (tls_cert and tls_key), put a TLS proxy in front on this machine, or "
                                "set insecure = true to send tokens and cookies in clear text on purpose");
      }
    }
  }
  return base::Status::Ok();
}

}  // namespace vigil::config
