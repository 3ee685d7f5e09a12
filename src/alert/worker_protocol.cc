// SPDX-License-Identifier: MIT
// The worker's request and result lines, both ways. Never throws: parse() runs in its
// non-throwing mode and ObjectReader checks every type before reading it.
#include "alert/worker_protocol.h"

#include <nlohmann/json.hpp>

#include "alert/json_reader.h"
#include "alert/mime.h"

namespace vigil::alert {

using nlohmann::json;

base::Result<WorkerRequest> ParseWorkerRequest(std::string_view line) {
  const json value = json::parse(line, nullptr, false);
  if (value.is_discarded() || !value.is_object()) return base::Status::InvalidArgument("not a JSON object");
  WorkerRequest out;
  int64_t seq = -1;
  ObjectReader r(value, "");
  r.Int("seq", &seq);
  r.String("file", &out.file);
  if (r.ok() && seq < 0) r.Fail("seq", "must not be negative");
  if (r.ok() && out.file.empty()) r.Fail("file", "must not be empty");
  if (base::Status s = r.Finish(); !s.ok()) return s;
  out.seq = static_cast<uint64_t>(seq);
  return out;
}

std::string WorkerRequestLine(const WorkerRequest& request) {
  return json{{"seq", request.seq}, {"file", request.file}}.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
}

base::Result<WorkerResult> ParseWorkerResult(std::string_view line) {
  const json value = json::parse(line, nullptr, false);
  if (value.is_discarded() || !value.is_object()) return base::Status::InvalidArgument("not a JSON object");
  WorkerResult out;
  int64_t seq = -1;
  ObjectReader r(value, "");
  r.Int("seq", &seq);
  r.Bool("ok", &out.ok);
  r.String("error", &out.error, ObjectReader::Need::kOptional);
  if (r.ok() && seq < 0) r.Fail("seq", "must not be negative");
  if (base::Status s = r.Finish(); !s.ok()) return s;
  out.seq = static_cast<uint64_t>(seq);
  return out;
}

std::string WorkerResultLine(const WorkerResult& result) {
  json line{{"seq", result.seq}, {"ok", result.ok}};
  if (!result.ok) line["error"] = OneLine(result.error);
  return line.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace vigil::alert
