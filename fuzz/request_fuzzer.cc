// SPDX-License-Identifier: MIT
// libFuzzer target for the whole request path of vigild's API: bytes arrive in pieces on
// one connection, go through the RequestParser vigild uses with vigild's limits, and each
// complete request goes to the real api::Router on the in-memory FakeController. Every
// response must be well formed (JSON, or text for a log follow) with a sane status, every
// refusal a 400 or 413, and the parser must never hold more than its limits, whatever it
// is fed: a crash, a leak, an exception or a memory blow-up is a finding.
//
// Input: byte 0 is a separator S; the rest is split at each S into pieces, fed to the
// parser one at a time, as socket reads would bring them, so requests get cut anywhere.
// An empty piece (S S) makes the next piece a repeat: its first three bytes are a count N
// (big endian) and the rest is fed N times. That lets a small input reach the sizes that
// limit bugs need (a 70 KB trailer field, 60 MB of trailer fields: issue 8, items 9, 10).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "api/fake_controller_test_util.h"
#include "api/http_server.h"
#include "api/request_parser.h"
#include "api/router.h"
#include "base/check.h"

namespace {

using vigil::api::ParseStatus;
using vigil::api::Request;
using vigil::api::RequestLimits;
using vigil::api::RequestParser;
using vigil::api::Response;

// What a repeat may add up to: past the 256 MiB at which a parser that buffers without
// limit asks for a single 512 MiB block (-malloc_limit_mb of scripts/fuzz-smoke.sh).
constexpr size_t kMaxFedBytes = 320u << 20;
// Bytes per Append() when a repeat is fed, like one socket read.
constexpr size_t kReadBytes = 64 * 1024;
// Requests handled per input: pipelining is covered well before this, and an input of a
// million tiny pipelined requests would only be slow.
constexpr int kMaxRequests = 16;

const RequestLimits& Limits() {
  static const RequestLimits limits = vigil::api::HttpServerOptions{}.request_limits;
  return limits;
}

// The most a parser may hold while it waits for more input (request_parser.h).
size_t MaxWaitingBytes() {
  const RequestLimits& l = Limits();
  return std::max({l.max_header_bytes, l.max_trailer_bytes + l.max_chunk_line_bytes + 4,
                   l.max_chunk_line_bytes + 2});
}

vigil::api::ProgramInfo MakeProgram(const std::string& name, const std::string& state) {
  vigil::api::ProgramInfo p;
  p.name = name;
  p.state = state;
  p.want = state == "RUNNING" ? "up" : "down";
  p.pid = state == "RUNNING" ? 4242 : 0;
  p.stdout_log = "/logs/" + name + ".out";
  p.stderr_log = "/logs/" + name + ".err";
  return p;
}

void Populate(vigil::api::FakeController& fake) {
  fake.info.version = "0.1.0";
  fake.info.pid = 42;
  fake.programs = {MakeProgram("web:0", "RUNNING"), MakeProgram("web:1", "STOPPED"),
                   MakeProgram("worker", "RUNNING")};
  vigil::api::TaskInfo task;
  task.name = "backup";
  task.schedule = "daily 03:00";
  task.action = "command";
  fake.tasks = {task};
  vigil::api::RunInfo run;
  run.id = 1;
  run.task = "backup";
  run.trigger = "schedule";
  run.result = "exit 0";
  run.output_tail = "done\n";
  fake.runs = {run};
  vigil::api::EventInfo event;
  event.id = 7;
  event.type = "state";
  event.subject = "web:0";
  event.message = "STARTING -> RUNNING";
  event.details_json = R"({"to":"RUNNING"})";
  fake.events = {event};
}

bool SaneStatus(int status) {
  switch (status) {
    case 200:
    case 202:
    case 400:
    case 404:
    case 405:
    case 409:
      return true;
    default:
      return false;  // 413 comes from the parser; nothing in the fake fails with 5xx
  }
}

void CheckResponse(const Response& response, vigil::api::FakeController& fake) {
  VIGIL_CHECK(SaneStatus(response.status), "status " + std::to_string(response.status));
  if (response.follow) {
    VIGIL_CHECK(response.status == 200, "a follow that is not a 200");
    VIGIL_CHECK(response.content_type.starts_with("text/plain"), "follow content type");
    std::string received;
    std::string ended;
    auto handle = response.follow([&](std::string_view data) { received.append(data); },
                                  [&](std::string_view reason) { ended.append(reason); });
    VIGIL_CHECK(handle.has_value(), "the fake follows every known program");
    fake.Emit("live\n");
    VIGIL_CHECK(received == "live\n", "follow sink");
    fake.EndFollows("removed from the config");
    VIGIL_CHECK(ended == "removed from the config", "follow end");
    return;
  }
  VIGIL_CHECK(response.content_type == "application/json", "content type");
  VIGIL_CHECK(response.body.ends_with("\n"), "JSON without its newline");
  const auto body = nlohmann::json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  VIGIL_CHECK(body.is_object(), "body is not a JSON object: " + response.body);
  if (response.status >= 400) {
    VIGIL_CHECK(body.size() == 1 && body.contains("error") && body["error"].is_string(),
                "error shape: " + response.body);
  }
  if (response.status == 405) VIGIL_CHECK(!response.allow.empty(), "405 without Allow");
  if (response.after_write) response.after_write();
}

// One connection: what vigild's Session does with the bytes, minus the socket.
class Connection {
 public:
  Connection() : router_(fake_, Tail) { Populate(fake_); }

  // Feeds bytes and handles what they complete. False once the connection would be
  // closed (a refused request, Connection: close, or enough requests).
  bool Feed(std::string_view bytes) {
    parser_.Append(bytes);
    for (;;) {
      Request request;
      switch (parser_.Parse(&request)) {
        case ParseStatus::kNeedMore:
          VIGIL_CHECK(parser_.buffered_bytes() <= MaxWaitingBytes(),
                      "parser holds " + std::to_string(parser_.buffered_bytes()) + " bytes");
          return true;
        case ParseStatus::kFailed:
          VIGIL_CHECK(parser_.error().http_status == 400 || parser_.error().http_status == 413,
                      "refused with " + std::to_string(parser_.error().http_status) + ": " +
                          parser_.error().message);
          VIGIL_CHECK(!parser_.error().message.empty(), "refusal without a message");
          VIGIL_CHECK(parser_.buffered_bytes() == 0, "a refused request keeps its input");
          return false;
        case ParseStatus::kComplete:
          if (!Handle(request) || !request.keep_alive || ++requests_ >= kMaxRequests) {
            return false;
          }
          break;
      }
    }
  }

 private:
  static vigil::base::Result<std::vector<std::string>> Tail(const std::filesystem::path& path,
                                                            size_t n) {
    if (path.string().find("worker") != std::string::npos) {
      return vigil::base::Status::NotFound("no log yet");
    }
    std::vector<std::string> lines = {"first line", "second \xff line (not UTF-8)", "third"};
    lines.resize(std::min(n, lines.size()));
    return lines;
  }

  bool Handle(const Request& request) {
    VIGIL_CHECK(request.body.size() <= Limits().max_body_bytes, "body over its limit");
    int responses = 0;
    router_.Handle(request.method, request.target, request.body, [&](Response response) {
      ++responses;
      CheckResponse(response, fake_);
    });
    // The fake finishes every action and run at once, so the answer is synchronous.
    VIGIL_CHECK(responses == 1, "responded " + std::to_string(responses) + " times");
    return true;
  }

  vigil::api::FakeController fake_;
  vigil::api::Router router_;
  RequestParser parser_{Limits()};
  int requests_ = 0;
};

// Feeds `text` `count` times, in reads of about kReadBytes. False once the connection ends.
bool FeedRepeated(Connection& connection, std::string_view text, size_t count, size_t& fed) {
  if (text.empty() || count == 0) return true;
  const size_t per_read = std::max<size_t>(1, kReadBytes / text.size());
  std::string batch;
  for (size_t i = 0; i < per_read; ++i) batch.append(text);
  while (count > 0 && fed < kMaxFedBytes) {
    const size_t n = std::min(count, per_read);
    const std::string_view piece = std::string_view(batch).substr(0, n * text.size());
    if (!connection.Feed(piece)) return false;
    fed += piece.size();
    count -= n;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const char separator = static_cast<char>(data[0]);
  std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  Connection connection;
  size_t fed = 0;
  bool repeat_next = false;
  bool open = true;
  while (open) {
    const size_t end = rest.find(separator);
    const std::string_view piece = rest.substr(0, end);
    if (repeat_next) {
      repeat_next = false;
      if (piece.size() > 3) {
        const size_t count = (static_cast<size_t>(static_cast<uint8_t>(piece[0])) << 16) |
                             (static_cast<size_t>(static_cast<uint8_t>(piece[1])) << 8) |
                             static_cast<uint8_t>(piece[2]);
        open = FeedRepeated(connection, piece.substr(3), count, fed);
      }
    } else if (piece.empty()) {
      repeat_next = end != std::string_view::npos;
    } else {
      open = connection.Feed(piece);
      fed += piece.size();
    }
    if (end == std::string_view::npos) break;
    rest.remove_prefix(end + 1);
  }
  return 0;
}
