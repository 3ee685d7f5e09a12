// SPDX-License-Identifier: MIT
// The findings journal (see findings.h).
#include "daemon/findings.h"

#include <fmt/format.h>

#include "store/store.h"

namespace vigil::daemon {
namespace {

// findings.log is read by people, so it is kept like vigild.log: rotated at 10 MB, with
// a year of findings fitting in the ten files kept at any plausible rate.
config::LogSpec FindingsLogSpec() {
  config::LogSpec spec;
  spec.max_bytes = 10 * 1024 * 1024;
  spec.keep = 10;
  return spec;
}

std::string Upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
  return out;
}

}  // namespace

std::string_view SeverityName(Severity severity) {
  switch (severity) {
    case Severity::kInfo: return "info";
    case Severity::kWarn: return "warn";
    case Severity::kCrit: return "crit";
  }
  return "info";
}

std::string FindingBlock(const api::FindingInfo& f) {
  const std::string when = base::FormatIso8601(base::WallTime(std::chrono::milliseconds(f.time_ms)));
  const std::string ref = f.raise_id > 0 ? fmt::format("(#{}, ends #{})", f.id, f.raise_id) : fmt::format("(#{})", f.id);
  std::string out = fmt::format("{}  {:<4}  {} {}  {}\n", when, Upper(f.severity), f.category, f.subject, ref);
  // Every line of the text indented, so a block always starts at column 0.
  size_t start = 0;
  while (start <= f.text.size()) {
    const size_t end = f.text.find('\n', start);
    out += "  " + f.text.substr(start, end == std::string::npos ? std::string::npos : end - start) + "\n";
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return out + "\n";
}

FindingJournal::FindingJournal(event::Loop& loop, History& history, const std::filesystem::path& log_file)
    : loop_(loop), history_(history), file_(std::make_unique<logs::LogFile>(loop, log_file, FindingsLogSpec(), nullptr)) {}

FindingJournal::~FindingJournal() = default;

int64_t FindingJournal::Record(Severity severity, const std::string& category, const std::string& subject,
                               const std::string& text, int64_t raise_id) {
  api::FindingInfo info;
  info.time_ms = base::UnixMs(std::chrono::system_clock::now());
  info.severity = std::string(SeverityName(severity));
  info.category = category;
  info.subject = subject;
  info.text = text;
  info.raise_id = raise_id;
  if (store::Store* store = history_.store()) {
    store::Finding f;
    f.time = base::WallTime(std::chrono::milliseconds(info.time_ms));
    f.severity = info.severity;
    f.category = category;
    f.subject = subject;
    f.text = text;
    f.raise_id = raise_id;
    info.id = store->RecordFinding(f);
  } else {
    info.id = next_local_id_++;
    recent_.push_back(info);
    if (recent_.size() > kMemoryFindings) recent_.pop_front();
  }
  file_->Write(FindingBlock(info));
  if (listener_) {
    loop_.Post([this, alive = std::weak_ptr<char>(alive_), info] {
      if (!alive.expired() && listener_) listener_(info);
    });
  }
  return info.id;
}

base::Result<std::vector<api::FindingInfo>> FindingJournal::List(const api::FindingQuery& q) const {
  std::vector<api::FindingInfo> out;
  if (store::Store* store = history_.store()) {
    store::FindingFilter filter;
    if (q.since_ms > 0) filter.since = base::WallTime(std::chrono::milliseconds(q.since_ms));
    filter.min_rank = q.min_rank;
    filter.before_id = q.before_id;
    filter.limit = q.limit;
    auto found = store->QueryFindings(filter);
    if (!found) return found.error();
    for (const store::Finding& f : *found) {
      out.push_back({f.id, base::UnixMs(f.time), f.severity, f.category, f.subject, f.text, f.raise_id});
    }
    return out;
  }
  for (auto it = recent_.rbegin(); it != recent_.rend() && static_cast<int>(out.size()) < q.limit; ++it) {
    if (it->time_ms < q.since_ms || store::SeverityRank(it->severity) < q.min_rank) continue;
    if (q.before_id > 0 && it->id >= q.before_id) continue;
    out.push_back(*it);
  }
  return out;
}

}  // namespace vigil::daemon
