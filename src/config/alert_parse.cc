// SPDX-License-Identifier: MIT
// Reading [alert.NAME] tables: the channel (email, webhook, command), its settings, and
// which findings it gets.
#include "config/alert_parse.h"

#include <algorithm>
#include <map>
#include <string_view>

#include "base/command_line.h"
#include "base/units.h"
#include "config/toml_reader.h"

namespace vigil::config {
namespace {

constexpr std::string_view kEmailKeys[] = {"server", "port", "tls", "username", "password_file", "from", "to",
                                           "ca_file"};
constexpr std::string_view kWebhookKeys[] = {"url", "headers", "header_files", "ca_file"};
constexpr std::string_view kCommonKeys[] = {"type",       "severity", "categories", "recoveries",
                                            "rate_limit", "remind",   "timeout"};
// Reminders more often than this would be a flood, not a reminder.
constexpr base::Duration kMinRemind = std::chrono::seconds(1);
constexpr std::string_view kCategories[] = {"check", "action", "program", "task", "report", "alert"};

template <size_t N>
bool In(const std::string_view (&list)[N], std::string_view word) {
  return std::find(std::begin(list), std::end(list), word) != std::end(list);
}

std::string AllKeys() {
  std::string out;
  auto add = [&](std::string_view k) {
    if (out.find(std::string(k)) == std::string::npos) out += (out.empty() ? "" : ", ") + std::string(k);
  };
  for (auto k : kCommonKeys) add(k);
  for (auto k : kEmailKeys) add(k);
  for (auto k : kWebhookKeys) add(k);
  add("command");
  return out;
}

class AlertReader {
 public:
  AlertReader(const ErrorContext& errors, const std::string& config_dir, const KeyPath& key, int line, AlertSpec* out)
      : reader_(errors), config_dir_(config_dir), key_(key), line_(line), out_(out) {}

  base::Status Read(const toml::table& table) {
    const auto entries = EntriesInFileOrder(table);
    const toml::node* type = nullptr;
    for (const auto& [k, v] : entries) {
      const std::string_view name = k->str();
      if (!In(kCommonKeys, name) && !In(kEmailKeys, name) && !In(kWebhookKeys, name) && name != "command") {
        return reader_.UnknownKey(*k, key_.Child(name), AllKeys());
      }
      if (name == "type") type = v;
    }
    if (type == nullptr) return reader_.errors().Error(line_, key_, "missing required key \"type\"");
    if (auto s = ReadType(*type); !s.ok()) return s;
    for (const auto& [k, v] : entries) {
      const std::string_view name = k->str();
      if (name == "type") continue;
      if (!In(kCommonKeys, name) && !Applies(name)) {
        return reader_.Error(*v, key_.Child(name),
                             "does not apply to type = \"" + std::string(AlertKindName(out_->kind)) + "\"");
      }
      if (auto s = ReadValue(name, *v); !s.ok()) return s;
    }
    return Validate(entries);
  }

 private:
  bool Applies(std::string_view name) const {
    switch (out_->kind) {
      case AlertKind::kEmail: return In(kEmailKeys, name);
      case AlertKind::kWebhook: return In(kWebhookKeys, name);
      case AlertKind::kCommand: return name == "command";
    }
    return false;
  }

  base::Status ReadType(const toml::node& v) {
    std::string text;
    const KeyPath key = key_.Child("type");
    if (auto s = reader_.ReadString(v, key, R"("email", "webhook" or "command")", &text); !s.ok()) return s;
    for (AlertKind kind : {AlertKind::kEmail, AlertKind::kWebhook, AlertKind::kCommand}) {
      if (AlertKindName(kind) == text) {
        out_->kind = kind;
        return base::Status::Ok();
      }
    }
    return reader_.Error(v, key, "expected \"email\", \"webhook\" or \"command\", got \"" + text + "\"");
  }

  base::Status ReadValue(std::string_view name, const toml::node& v) {
    const KeyPath key = key_.Child(name);
    AlertSpec& a = *out_;
    if (name == "severity") {
      if (auto s = reader_.ReadString(v, key, R"("info", "warn" or "crit")", &a.min_severity); !s.ok()) return s;
      if (a.min_severity != "info" && a.min_severity != "warn" && a.min_severity != "crit") {
        return reader_.Error(v, key, "expected \"info\", \"warn\" or \"crit\", got \"" + a.min_severity + "\"");
      }
      return base::Status::Ok();
    }
    if (name == "categories") return ReadCategories(v, key);
    if (name == "recoveries") return reader_.ReadBool(v, key, &a.recoveries);
    if (name == "rate_limit") return ReadRateLimit(v, key);
    if (name == "remind") {
      if (auto s = reader_.ReadDuration(v, key, &a.remind); !s.ok()) return s;
      if (a.remind < kMinRemind) return reader_.Error(v, key, "must be at least " + base::FormatDuration(kMinRemind));
      return base::Status::Ok();
    }
    if (name == "timeout") {
      if (auto s = reader_.ReadDuration(v, key, &a.timeout); !s.ok()) return s;
      if (a.timeout.count() <= 0 || a.timeout > alert::kMaxTimeout) {
        return reader_.Error(v, key, "must be greater than 0 and at most " + base::FormatDuration(alert::kMaxTimeout));
      }
      a.email.timeout = a.timeout;
      a.webhook.timeout = a.timeout;
      return base::Status::Ok();
    }
    if (name == "command") return reader_.ReadCommand(v, key, &out_->argv);
    if (name == "server") return reader_.ReadNonEmptyString(v, key, &a.email.server);
    if (name == "port") {
      has_port_ = true;
      return reader_.ReadInt(v, key, 1, 65535, &a.email.port);
    }
    if (name == "tls") {
      std::string text;
      if (auto s = reader_.ReadString(v, key, R"("starttls", "implicit" or "none")", &text); !s.ok()) return s;
      if (!alert::ParseTls(text, &a.email.tls)) {
        return reader_.Error(v, key,
                             "expected \"starttls\" (port 587), \"implicit\" (TLS from the start, port 465) or "
                             "\"none\", got \"" + text + "\"");
      }
      return base::Status::Ok();
    }
    if (name == "username") return reader_.ReadNonEmptyString(v, key, &a.email.username);
    if (name == "password_file") return ReadPath(v, key, &a.email.password_file);
    if (name == "from") return reader_.ReadNonEmptyString(v, key, &a.email.from);
    if (name == "to") return ReadRecipients(v, key);
    if (name == "ca_file") {
      std::string path;
      if (auto s = ReadPath(v, key, &path); !s.ok()) return s;
      a.email.ca_file = path;
      a.webhook.ca_file = path;
      return base::Status::Ok();
    }
    if (name == "url") return reader_.ReadNonEmptyString(v, key, &a.webhook.url);
    if (name == "headers") return ReadHeaders(v, key, /*files=*/false);
    if (name == "header_files") return ReadHeaders(v, key, /*files=*/true);
    return base::Status::Internal(key.str() + ": key accepted but not read (config parser bug)");
  }

  base::Status ReadPath(const toml::node& v, const KeyPath& key, std::string* out) {
    std::string text;
    if (auto s = reader_.ReadNonEmptyString(v, key, &text); !s.ok()) return s;
    *out = ResolvePath(config_dir_, text).string();
    return base::Status::Ok();
  }

  base::Status ReadRecipients(const toml::node& v, const KeyPath& key) {
    std::vector<std::string>& to = out_->email.to;
    to.clear();
    if (v.is_string()) {
      std::string one;
      if (auto s = reader_.ReadNonEmptyString(v, key, &one); !s.ok()) return s;
      to.push_back(one);
      return base::Status::Ok();
    }
    const auto* array = v.as_array();
    if (array == nullptr) return reader_.WrongType(v, key, "an address or an array of addresses");
    if (array->empty() || array->size() > 100) return reader_.Error(v, key, "must have 1 to 100 addresses");
    for (size_t i = 0; i < array->size(); ++i) {
      std::string one;
      if (auto s = reader_.ReadNonEmptyString(*array->get(i), key.Index(i), &one); !s.ok()) return s;
      to.push_back(one);
    }
    return base::Status::Ok();
  }

  base::Status ReadHeaders(const toml::node& v, const KeyPath& key, bool files) {
    const auto* table = v.as_table();
    if (table == nullptr) {
      return reader_.WrongType(v, key, files ? R"(a table like { Authorization = "/etc/vigil/hook-token" })"
                                             : R"(a table like { "X-Team" = "ops" })");
    }
    auto& out = files ? out_->webhook.header_files : out_->webhook.headers;
    for (const auto& [k, value] : EntriesInFileOrder(*table)) {
      std::string text;
      const KeyPath child = key.Child(k->str());
      if (files) {
        if (auto s = ReadPath(*value, child, &text); !s.ok()) return s;
      } else if (auto s = reader_.ReadString(*value, child, &text); !s.ok()) {
        return s;
      }
      out[std::string(k->str())] = text;
    }
    return base::Status::Ok();
  }

  base::Status ReadCategories(const toml::node& v, const KeyPath& key) {
    const auto* array = v.as_array();
    if (array == nullptr) return reader_.WrongType(v, key, R"(an array such as ["check", "program"])");
    out_->categories.clear();
    for (size_t i = 0; i < array->size(); ++i) {
      std::string c;
      if (auto s = reader_.ReadString(*array->get(i), key.Index(i), &c); !s.ok()) return s;
      if (!In(kCategories, c)) {
        return reader_.Error(*array->get(i), key.Index(i),
                             "expected \"check\", \"action\", \"program\", \"task\", \"report\" or \"alert\", got \"" +
                                 c + "\"");
      }
      out_->categories.push_back(c);
    }
    return base::Status::Ok();
  }

  base::Status ReadRateLimit(const toml::node& v, const KeyPath& key) {
    constexpr std::string_view kExpected = R"("N in DURATION" such as "10 in 1h")";
    std::string text;
    if (auto s = reader_.ReadString(v, key, kExpected, &text); !s.ok()) return s;
    const std::optional<CountIn> split = SplitCountIn(text);
    auto window = split ? base::ParseDuration(split->window)
                        : base::Result<base::Duration>(base::Status::InvalidArgument(""));
    if (!split || !window || split->count < 1 || split->count > 100000 || window->count() <= 0) {
      return reader_.Error(v, key, "expected " + std::string(kExpected) + ", got \"" + text + "\"");
    }
    out_->rate_limit = split->count;
    out_->rate_window = *window;
    return base::Status::Ok();
  }


  // The channel's settings together, reported at the header (or the key the error names).
  base::Status Validate(const std::vector<std::pair<const toml::key*, const toml::node*>>& entries) {
    AlertSpec& a = *out_;
    if (a.kind == AlertKind::kEmail && !has_port_) a.email.port = alert::DefaultSmtpPort(a.email.tls);
    base::Status s = base::Status::Ok();
    if (a.kind == AlertKind::kEmail) s = alert::ValidateEmailSpec(a.email);
    if (a.kind == AlertKind::kWebhook) s = alert::ValidateWebhookSpec(a.webhook);
    if (a.kind == AlertKind::kCommand && a.argv.empty()) {
      return reader_.errors().Error(line_, key_, "type = \"command\" needs command");
    }
    if (s.ok()) return s;
    // The message starts with the key it is about ("to: ..."): report it there.
    const std::string& message = s.message();
    for (const auto& [k, v] : entries) {
      const std::string prefix = std::string(k->str());
      if (message.rfind(prefix + ":", 0) == 0) {
        const size_t rest = message.find_first_not_of(' ', prefix.size() + 1);
        return reader_.Error(*v, key_.Child(prefix), rest == std::string::npos ? message : message.substr(rest));
      }
      if (message.rfind(prefix + " ", 0) == 0) return reader_.Error(*v, key_.Child(prefix), message);
    }
    return reader_.errors().Error(line_, key_, message);
  }

  TomlReader reader_;
  const std::string& config_dir_;
  const KeyPath& key_;
  const int line_;
  AlertSpec* out_;
  bool has_port_ = false;
};

}  // namespace

base::Status ParseAlertTable(const ErrorContext& errors, const std::string& config_dir, const std::string& name,
                             const toml::node& node, AlertSpec* out) {
  const KeyPath key = KeyPath("alert").Child(name);
  const auto* table = node.as_table();
  if (table == nullptr) return TomlReader(errors).WrongType(node, key, "a table ([alert.NAME])");
  *out = AlertSpec{};
  out->name = name;
  return AlertReader(errors, config_dir, key, LineOf(node), out).Read(*table);
}

}  // namespace vigil::config
