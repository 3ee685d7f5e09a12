// SPDX-License-Identifier: MIT
// WsClient: a WebSocket client for the end-to-end tests of GET /v1/stream, over vigild's
// unix socket or the HTTP listener's TCP port, built on Beast's client side. Reads wait
// with a deadline, never a fixed sleep; a test can also stop reading to play a slow client.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace vigil::testing {

class WsClient {
 public:
  struct Options {
    std::vector<std::pair<std::string, std::string>> headers;  // Origin, Cookie, Authorization...
    int receive_buffer = 0;  // SO_RCVBUF before connecting; 0 = the default
  };
  // The upgrade's answer: a client, or the HTTP status (and body) that refused it.
  struct Result {
    std::unique_ptr<WsClient> client;
    int status = 0;
    std::string error;
  };

  static Result ConnectUnix(const std::filesystem::path& socket, const std::string& target, const Options& options);
  static Result ConnectTcp(int port, const std::string& target, const Options& options);
  ~WsClient();

  void Send(const nlohmann::json& message);
  // The next message, waiting at most `timeout`; nullopt on timeout or once closed.
  std::optional<nlohmann::json> Read(std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // Reads until a message satisfies `match` (returned) or `deadline` passes (nullopt);
  // every message read is also handed to `seen`, when given.
  std::optional<nlohmann::json> ReadUntil(const std::function<bool(const nlohmann::json&)>& match,
                                          std::chrono::milliseconds deadline = std::chrono::seconds(15),
                                          const std::function<void(const nlohmann::json&)>& seen = nullptr);
  bool closed() const;
  int close_code() const;

  struct Impl;  // Beast's stream; public only so that ws_client.cc's helpers can build one
  explicit WsClient(std::unique_ptr<Impl> impl);

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace vigil::testing
