// SPDX-License-Identifier: MIT
// History: the daemon's bridge to store::Store.
#include "daemon/history.h"

#include <zlib.h>

#include <fmt/format.h>

namespace vigil::daemon {
namespace {

// Retention runs once a day: one wake-up a day is the price of bounded history.
constexpr base::Duration kPruneEvery = std::chrono::hours(24);

}  // namespace

History::History(event::Loop& loop, const std::filesystem::path& db_path, base::Duration retention)
    : loop_(loop), retention_(retention) {
  auto opened = store::Store::Open(db_path);
  if (!opened) {
    open_problem_ = "history is not being recorded: " + opened.error().message();
    return;
  }
  store_ = std::move(opened).value();
  if (auto wants = store_->DesiredStates()) {
    for (auto& w : *wants) wants_[w.program] = w;
  }
  PruneNow();
}

History::~History() = default;

std::string History::problem() const { return store_ ? store_->problem() : open_problem_; }

void History::PruneNow() {
  store_->Prune(std::chrono::system_clock::now() - retention_);
  prune_timer_ = loop_.AddTimer(kPruneEvery, [this] { PruneNow(); });
}

int64_t History::RecordEvent(base::EventType type, const std::string& subject, const std::string& message,
                             const std::string& details_json, base::WallTime time) {
  if (!store_) return 0;
  store::Event e;
  e.time = time;
  e.type = std::string(base::EventTypeName(type));
  e.subject = subject;
  e.message = message;
  e.details = details_json;
  return store_->RecordEvent(e);
}

void History::ProcessStarted(const std::string& program, pid_t pid) {
  if (!store_) return;
  lifetimes_[pid] = store_->BeginProcess(program, pid, std::chrono::system_clock::now());
}

void History::ProcessEnded(const std::string& program, pid_t pid, const std::string& exit_status,
                           const std::string& reason) {
  (void)program;
  if (!store_) return;
  auto it = lifetimes_.find(pid);
  if (it == lifetimes_.end()) return;
  store_->EndProcess(it->second, std::chrono::system_clock::now(), exit_status, reason);
  lifetimes_.erase(it);
}

void History::SetWant(const config::ProgramSpec& spec, bool want_up) {
  store::DesiredState d{spec.name, want_up, Fingerprint(spec)};
  wants_[spec.name] = d;
  if (store_) store_->SetDesiredState(d);
}

std::optional<bool> History::RememberedWant(const config::ProgramSpec& spec) const {
  auto it = wants_.find(spec.name);
  if (it == wants_.end() || it->second.config_hash != Fingerprint(spec)) return std::nullopt;
  return it->second.want_up;
}

std::string History::Fingerprint(const config::ProgramSpec& s) {
  // Every field that changes what runs; a change makes a remembered stop void.
  std::string text = fmt::format("{}\x1f{}\x1f{}\x1f", s.name, fmt::join(s.argv, "\x1e"), s.directory);
  for (const auto& [k, v] : s.environment) text += k + "=" + v + "\x1e";
  text += fmt::format("\x1f{}\x1f{}\x1f{}\x1f{}\x1f{}\x1f{}\x1f{}\x1f{}\x1f{}\x1f{}\x1f{}\x1f{}",
                      s.uid ? static_cast<long>(*s.uid) : -1L, s.gid ? static_cast<long>(*s.gid) : -1L,
                      s.umask ? static_cast<int>(*s.umask) : -1, s.autostart, static_cast<int>(s.autorestart),
                      fmt::join(s.exit_codes, ","), s.start_seconds.count(), s.start_retries,
                      s.stop_signal, s.stop_timeout.count(), s.kill_group, fmt::join(s.depends_on, ","));
  uLong crc = crc32(0L, Z_NULL, 0);
  crc = crc32(crc, reinterpret_cast<const Bytef*>(text.data()), static_cast<uInt>(text.size()));
  return fmt::format("{:08x}", crc);
}

base::Result<std::vector<api::EventInfo>> History::ListEvents(const api::EventQuery& q) {
  if (!store_) return base::Status::Unavailable(problem());
  store::EventFilter filter;
  if (q.since_ms > 0) filter.since = base::WallTime(std::chrono::milliseconds(q.since_ms));
  filter.subject = q.subject;
  if (q.type) filter.type = std::string(base::EventTypeName(*q.type));
  filter.before_id = q.before_id;
  filter.limit = q.limit;
  auto events = store_->QueryEvents(filter);
  if (!events) return events.error();
  std::vector<api::EventInfo> out;
  out.reserve(events->size());
  for (const auto& e : *events) {
    out.push_back({e.id, base::UnixMs(e.time), e.type, e.subject, e.message, e.details});
  }
  return out;
}

base::Result<std::vector<api::LifetimeInfo>> History::ListLifetimes(const std::string& program, int64_t before_id,
                                                                    int limit) {
  if (!store_) return base::Status::Unavailable(problem());
  auto lives = store_->ProgramLifetimes(program, before_id, limit);
  if (!lives) return lives.error();
  std::vector<api::LifetimeInfo> out;
  out.reserve(lives->size());
  for (const store::Lifetime& l : *lives) {
    out.push_back({l.id, l.program, l.pid, base::UnixMs(l.started), l.ended ? base::UnixMs(*l.ended) : -1,
                   l.exit_status, l.reason});
  }
  return out;
}

}  // namespace vigil::daemon
