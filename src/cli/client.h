// SPDX-License-Identifier: MIT
// Client: one HTTP request to vigild over its unix socket, blocking the caller until the
// reply (or a deadline). The interface keeps Beast out of every file but client.cc, and
// lets command tests use a fake.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"

namespace vigil::cli {

enum class HttpMethod { kGet, kPost };

struct HttpRequest {
  HttpMethod method = HttpMethod::kGet;
  std::string target;  // "/v1/programs/web%3A0", already percent-encoded
  std::string body;    // JSON for POST; empty for GET
  // How long the whole exchange may take; nullopt waits as long as vigild needs (used for
  // wait=true actions, which vigild bounds itself by the programs' start/stop timeouts).
  std::optional<std::chrono::milliseconds> timeout = std::chrono::seconds(30);
};

struct HttpResponse {
  int status = 0;
  std::string body;
  // Stream() only: vigild closed the connection before ending the chunked body (it drops
  // followers that fall too far behind, and the connection goes when vigild exits).
  bool ended_early = false;
};

// Not thread-safe; one request at a time. Each call opens its own connection.
class Client {
 public:
  virtual ~Client() = default;

  // Sends `request` and reads the whole reply. Returns any HTTP status as a value.
  // Errors: Unavailable when the connection cannot be made (message is the reason, e.g.
  // "Connection refused"); IoError when the exchange fails or times out afterwards.
  virtual base::Result<HttpResponse> Send(const HttpRequest& request) = 0;

  // GETs `target` and, on a 200 reply, passes the body to `on_data` piece by piece as it
  // arrives, until vigild ends the body or closes the connection; the returned body is then
  // empty. Any other status is returned with its whole body and `on_data` is not called.
  // Errors as for Send(); waiting for body data has no deadline.
  virtual base::Result<HttpResponse> Stream(
      const std::string& target, const std::function<void(std::string_view)>& on_data) = 0;
};

// A Client for the vigild listening on `socket`. Connects lazily, on each call.
std::unique_ptr<Client> MakeUnixSocketClient(std::filesystem::path socket);

}  // namespace vigil::cli
