// SPDX-License-Identifier: MIT
// Delivery with libcurl's easy interface: one SMTP submission, one HTTP(S) POST. The calls
// block for up to the spec's timeout, which is why they run in vigil-alert, a process of
// their own, and never in vigild: vigild must not call these (it does not link libcurl).
// What the errors look like: docs/alerts.md ("Errors").
#pragma once

#include <curl/curl.h>

#include <memory>
#include <string>

#include "alert/channel_spec.h"
#include "base/status.h"

namespace vigil::alert {

// One delivery as a libcurl easy handle, set up and not yet run: SendEmail and SendWebhook
// perform it at once; vigil-alert's worker mode (alert/worker.h) adds several to one multi
// handle, whose connection cache keeps connections open between deliveries. Owns
// everything the handle points to, so it does not move (held by unique_ptr).
class Transfer {
 public:
  ~Transfer();
  Transfer(const Transfer&) = delete;
  Transfer& operator=(const Transfer&) = delete;

  // The settings are checked and the secret files read now: a failure here is the
  // delivery's failure, in the words SendEmail and SendWebhook use.
  static base::Result<std::unique_ptr<Transfer>> Email(const EmailSpec& spec, std::string message);
  static base::Result<std::unique_ptr<Transfer>> Webhook(const WebhookSpec& spec, std::string json_body);

  CURL* handle() const { return handle_; }
  // What the finished transfer means, given libcurl's result for it: OK when delivered,
  // else the one-line reason.
  base::Status Outcome(CURLcode code);

 private:
  struct State;
  explicit Transfer(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
  CURL* handle_ = nullptr;
};

// curl_global_init: once per process, before the first delivery and before any thread.
base::Status InitCurl();

// Submits `message` (an EmailMessage) to spec.server for every address in spec.to, over
// the TLS mode of spec.tls (STARTTLS must succeed when asked for), logging in with
// spec.username and the password in spec.password_file (ReadSecretFile) when given.
// OK once the server accepted the message. Otherwise a one-line, plain-language reason
// naming the server: "cannot connect to smtp.example.com:587: Connection refused",
// "SMTP server smtp.example.com:587 refused recipient bob@example.com: 550 5.1.1 ...",
// "SMTP server smtp.example.com:587 refused the login of user alerts: 535 ...". One refused
// recipient fails the whole submission (libcurl's default), so nobody gets a message
// the others did not.
base::Status SendEmail(const EmailSpec& spec, const std::string& message);

// POSTs `json_body` to spec.url with Content-Type: application/json (unless spec.headers
// sets another), spec.headers and the values of spec.header_files (ReadSecretFile).
// Redirects are not followed. OK for a 2xx answer. Otherwise a one-line reason: "HTTP 500
// from https://hooks.example.com/...: <the first 200 bytes of the answer>", "cannot connect
// to hooks.example.com:443: Connection refused". Messages show the URL without its path
// and query (DisplayUrl), which often hold the webhook's secret.
base::Status SendWebhook(const WebhookSpec& spec, const std::string& json_body);

}  // namespace vigil::alert
