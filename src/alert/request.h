// SPDX-License-Identifier: MIT
// DeliveryRequest: what vigild writes on vigil-alert's stdin, one JSON object per
// process: {"channel": "email"|"webhook", "email": {...}, "webhook": {...},
// "notification": {...}}. The fields are listed in docs/alerts.md ("The request").
#pragma once

#include <string>
#include <string_view>

#include "alert/channel_spec.h"
#include "alert/notification.h"
#include "base/status.h"

namespace vigil::alert {

enum class Channel { kEmail, kWebhook };

struct DeliveryRequest {
  Channel channel = Channel::kEmail;
  EmailSpec email;      // read and written only when channel is kEmail
  WebhookSpec webhook;  // read and written only when channel is kWebhook
  Notification notification;

  bool operator==(const DeliveryRequest&) const = default;
};

// Parses and checks a request: the JSON shape (unknown fields refused), then
// ValidateEmailSpec or ValidateWebhookSpec and NotificationFromJson's checks. On failure
// InvalidArgument naming the field: "email.to: "bob" is not an email address ...",
// "missing field notification.id", "request is not valid JSON". The spec of the other
// channel must be absent.
base::Result<DeliveryRequest> ParseDeliveryRequest(std::string_view json);

// The request as compact JSON, which ParseDeliveryRequest reads back into an equal
// DeliveryRequest (the unused spec is not written, so it comes back as its default).
// Invalid UTF-8 in strings is replaced with U+FFFD, so the output is always valid JSON.
std::string ToJson(const DeliveryRequest& request);

}  // namespace vigil::alert
