// SPDX-License-Identifier: MIT
// FakeClient: the Client command tests use instead of a socket to vigild.
// Thread rule: one test thread.
#pragma once

#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cli/client.h"

namespace vigil::cli {

// Records every request and answers from a queue of canned replies.
class FakeClient : public Client {
 public:
  base::Result<HttpResponse> Send(const HttpRequest& request) override {
    requests.push_back(request);
    return Next();
  }
  base::Result<HttpResponse> Stream(const std::string& target,
                                    const std::function<void(std::string_view)>& on_data) override {
    requests.push_back(HttpRequest{HttpMethod::kGet, target, "", std::nullopt});
    base::Result<HttpResponse> reply = Next();
    if (reply && reply->status == 200) {
      for (const std::string& piece : stream_pieces) on_data(piece);
    }
    return reply;
  }

  void Reply(int status, std::string body) { replies.push_back(HttpResponse{status, body}); }
  void Fail(base::Status status) { replies.push_back(std::move(status)); }

  std::vector<HttpRequest> requests;
  std::deque<base::Result<HttpResponse>> replies;
  std::vector<std::string> stream_pieces;

 private:
  base::Result<HttpResponse> Next() {
    if (replies.empty()) return base::Status::Internal("FakeClient: no reply queued");
    base::Result<HttpResponse> reply = std::move(replies.front());
    replies.pop_front();
    return reply;
  }
};

}  // namespace vigil::cli
