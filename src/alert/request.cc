// SPDX-License-Identifier: MIT
// The JSON of a DeliveryRequest, both ways. Never throws: parse() runs in its
// non-throwing mode and ObjectReader checks every type before reading it.
#include "alert/request.h"

#include <nlohmann/json.hpp>

#include "alert/json_reader.h"

namespace vigil::alert {
namespace {

using nlohmann::json;
using Need = ObjectReader::Need;

// Puts "email." in front of a ValidateEmailSpec message, which starts with the key.
base::Status Prefixed(const base::Status& status, std::string_view where) {
  if (status.ok()) return status;
  return base::Status::InvalidArgument(std::string(where) + "." + status.message());
}

json ToJson(const EmailSpec& spec) {
  return json{{"server", spec.server},
              {"port", spec.port},
              {"tls", TlsName(spec.tls)},
              {"username", spec.username},
              {"password_file", spec.password_file},
              {"from", spec.from},
              {"to", spec.to},
              {"ca_file", spec.ca_file},
              {"timeout_ms", spec.timeout.count()}};
}

json ToJson(const WebhookSpec& spec) {
  return json{{"url", spec.url},
              {"headers", spec.headers},
              {"header_files", spec.header_files},
              {"ca_file", spec.ca_file},
              {"timeout_ms", spec.timeout.count()}};
}

// The range is checked with the rest of the spec (ValidateEmailSpec, ValidateWebhookSpec).
void ReadTimeout(ObjectReader& r, base::Duration* timeout) {
  int64_t ms = timeout->count();
  r.Int("timeout_ms", &ms, Need::kOptional);
  *timeout = base::Duration(ms);
}

base::Result<EmailSpec> EmailFromJson(const json& value) {
  EmailSpec spec;
  ObjectReader r(value, "email");
  std::string tls(TlsName(spec.tls));
  int64_t port = spec.port;
  r.String("server", &spec.server);
  r.Int("port", &port, Need::kOptional);
  r.String("tls", &tls, Need::kOptional);
  r.String("username", &spec.username, Need::kOptional);
  r.String("password_file", &spec.password_file, Need::kOptional);
  r.String("from", &spec.from);
  r.StringList("to", &spec.to);
  r.String("ca_file", &spec.ca_file, Need::kOptional);
  ReadTimeout(r, &spec.timeout);
  if (r.ok() && !ParseTls(tls, &spec.tls)) r.Fail("tls", "must be \"none\", \"starttls\" or \"implicit\"");
  if (r.ok() && (port < 1 || port > 65535)) r.Fail("port", "must be 1-65535");
  if (base::Status s = r.Finish(); !s.ok()) return s;
  spec.port = static_cast<int>(port);
  if (base::Status s = ValidateEmailSpec(spec); !s.ok()) return Prefixed(s, "email");
  return spec;
}

base::Result<WebhookSpec> WebhookFromJson(const json& value) {
  WebhookSpec spec;
  ObjectReader r(value, "webhook");
  r.String("url", &spec.url);
  r.StringMap("headers", &spec.headers, Need::kOptional);
  r.StringMap("header_files", &spec.header_files, Need::kOptional);
  r.String("ca_file", &spec.ca_file, Need::kOptional);
  ReadTimeout(r, &spec.timeout);
  if (base::Status s = r.Finish(); !s.ok()) return s;
  if (base::Status s = ValidateWebhookSpec(spec); !s.ok()) return Prefixed(s, "webhook");
  return spec;
}

}  // namespace

base::Result<DeliveryRequest> ParseDeliveryRequest(std::string_view text) {
  json value = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded()) return base::Status::InvalidArgument("request is not valid JSON");
  DeliveryRequest request;
  ObjectReader r(value, "");
  std::string channel;
  r.String("channel", &channel);
  const json* email = r.Object("email", Need::kOptional);
  const json* webhook = r.Object("webhook", Need::kOptional);
  const json* notification = r.Object("notification");
  if (r.ok()) {
    if (channel == "email") {
      request.channel = Channel::kEmail;
      if (email == nullptr) r.Fail("email", "is required when channel is \"email\"");
      if (webhook != nullptr) r.Fail("webhook", "must be absent when channel is \"email\"");
    } else if (channel == "webhook") {
      request.channel = Channel::kWebhook;
      if (webhook == nullptr) r.Fail("webhook", "is required when channel is \"webhook\"");
      if (email != nullptr) r.Fail("email", "must be absent when channel is \"webhook\"");
    } else {
      r.Fail("channel", "must be \"email\" or \"webhook\"");
    }
  }
  if (base::Status s = r.Finish(); !s.ok()) return s;
  if (request.channel == Channel::kEmail) {
    auto spec = EmailFromJson(*email);
    if (!spec) return spec.error();
    request.email = std::move(spec).value();
  } else {
    auto spec = WebhookFromJson(*webhook);
    if (!spec) return spec.error();
    request.webhook = std::move(spec).value();
  }
  auto n = NotificationFromJson(*notification);
  if (!n) return n.error();
  request.notification = std::move(n).value();
  return request;
}

std::string ToJson(const DeliveryRequest& request) {
  json value;
  if (request.channel == Channel::kEmail) {
    value["channel"] = "email";
    value["email"] = ToJson(request.email);
  } else {
    value["channel"] = "webhook";
    value["webhook"] = ToJson(request.webhook);
  }
  value["notification"] = ToJson(request.notification);
  return value.dump(-1, ' ', /*ensure_ascii=*/false, json::error_handler_t::replace);
}

}  // namespace vigil::alert
