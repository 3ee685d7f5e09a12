// SPDX-License-Identifier: MIT
// Routing, rate limits, the outbox and deliveries of alerts (see alert_service.h).
#include "daemon/alert_service.h"

#include "base/file_util.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "alert/request.h"
#include "base/units.h"
#include "store/store.h"

namespace vigil::daemon {
namespace {

int Rank(const std::string& severity) { return store::SeverityRank(severity); }

// The first sentence of a finding, as the notification's title (its subject line).
std::string TitleOf(const std::string& text) {
  size_t end = text.find(". ");
  std::string title = text.substr(0, end == std::string::npos ? text.size() : end);
  if (!title.empty() && title.back() == '.') title.pop_back();
  if (title.size() > 150) title = title.substr(0, 147) + "...";
  return title;
}

// Writes `text` to `path` readable by vigild alone (it may hold a webhook's URL).
base::Status WriteSpool(const std::filesystem::path& path, const std::string& text) {
  std::error_code ec;
  std::filesystem::create_directories(path.parent_path(), ec);
  return base::WriteFileAtomically(path, text, 0600);
}

base::Duration Backoff(int attempts) {
  base::Duration d = AlertService::kFirstBackoff;
  for (int i = 1; i < attempts && d < AlertService::kMaxBackoff; ++i) d *= 2;
  return std::min(d, AlertService::kMaxBackoff);
}

}  // namespace

AlertService::AlertService(Ports ports) : ports_(std::move(ports)) {}

AlertService::~AlertService() { *alive_ = false; }

void AlertService::Apply(const std::vector<config::AlertSpec>& specs) {
  std::map<std::string, Channel> next;
  for (const config::AlertSpec& spec : specs) {
    auto old = channels_.find(spec.name);
    Channel channel = old != channels_.end() ? std::move(old->second) : Channel{};
    channel.spec = spec;
    next[spec.name] = std::move(channel);
  }
  channels_ = std::move(next);
  if (!loaded_) {
    loaded_ = true;
    if (store::Store* store = ports_.history.store()) {
      if (auto rows = store->PendingOutbox()) {
        for (store::OutboxEntry& row : *rows) {
          auto n = alert::NotificationFromJson(nlohmann::json::parse(row.notification, nullptr, false));
          if (n) pending_.push_back({std::move(row), std::move(*n)});
        }
      }
    }
  }
  Arm();
}

bool AlertService::Routes(const Channel& channel, const api::FindingInfo& f) const {
  const config::AlertSpec& spec = channel.spec;
  if (f.raise_id > 0 && Rank(f.severity) == 0) {
    // A recovery follows its raise, wherever that went.
    return spec.recoveries && channel.raised.count(f.raise_id) > 0;
  }
  const bool listed = std::find(spec.categories.begin(), spec.categories.end(), f.category) != spec.categories.end();
  if (spec.categories.empty() ? f.category == "alert" : !listed) return false;
  return Rank(f.severity) >= Rank(spec.min_severity);
}

alert::Notification AlertService::NotificationOf(const api::FindingInfo& f, Channel& channel) const {
  alert::Notification n;
  n.id = fmt::format("finding-{}-{}", f.id, channel.spec.name);
  n.time_ms = f.time_ms;
  n.severity = f.severity;
  n.category = f.category;
  n.subject = f.subject;
  n.title = TitleOf(f.text);
  n.text = f.text;
  n.recovery = f.raise_id > 0 && Rank(f.severity) == 0;
  n.host = ports_.host;
  return n;
}

void AlertService::OnFinding(const api::FindingInfo& finding) {
  const base::SteadyTime now = ports_.clock.SteadyNow();
  for (auto& [name, channel] : channels_) {
    if (!Routes(channel, finding)) continue;
    const config::AlertSpec& spec = channel.spec;
    if (spec.rate_limit > 0) {
      while (!channel.sent.empty() && now - channel.sent.front() >= spec.rate_window) channel.sent.pop_front();
      if (static_cast<int>(channel.sent.size()) >= spec.rate_limit) {
        ++channel.suppressed;
        continue;
      }
      channel.sent.push_back(now);
    }
    alert::Notification n = NotificationOf(finding, channel);
    if (channel.suppressed > 0) {
      n.text += fmt::format("\n\n({} more finding{} were not sent: this channel sends at most {} in {}; see vigil "
                            "findings.)",
                            channel.suppressed, channel.suppressed == 1 ? "" : "s", spec.rate_limit,
                            base::FormatDuration(spec.rate_window));
      channel.suppressed = 0;
    }
    if (!n.recovery) channel.raised.insert(finding.id);
    if (n.recovery) channel.raised.erase(finding.raise_id);
    Enqueue(name, std::move(n));
  }
}

int AlertService::SendReport(const std::string& title, const std::string& text, base::WallTime time) {
  int sent = 0;
  for (auto& [name, channel] : channels_) {
    const std::vector<std::string>& categories = channel.spec.categories;
    if (!categories.empty() && std::find(categories.begin(), categories.end(), "report") == categories.end()) continue;
    alert::Notification n;
    n.time_ms = base::UnixMs(time);
    n.id = fmt::format("report-{}-{}", n.time_ms, name);
    n.severity = "info";
    n.category = "report";
    n.title = title;
    n.text = text;
    n.host = ports_.host;
    Enqueue(name, std::move(n));
    ++sent;
  }
  return sent;
}

void AlertService::Enqueue(const std::string& channel, alert::Notification notification) {
  Pending p;
  p.row.channel = channel;
  p.row.created = ports_.clock.Now();
  p.row.notification = alert::ToJson(notification).dump();
  p.row.state = "pending";
  p.row.next_attempt = p.row.created;
  if (store::Store* store = ports_.history.store()) {
    p.row.id = store->AddToOutbox(p.row);
  } else {
    p.row.id = next_local_id_++;
  }
  p.notification = std::move(notification);
  pending_.push_back(std::move(p));
  Arm();
}

void AlertService::Arm() {
  timer_.reset();
  std::optional<base::WallTime> first;
  std::set<std::string> seen;
  for (const Pending& p : pending_) {
    auto it = channels_.find(p.row.channel);
    if (it == channels_.end() || it->second.busy || !seen.insert(p.row.channel).second) continue;
    if (!first || p.row.next_attempt < *first) first = p.row.next_attempt;
  }
  if (!first) return;  // nothing to send: no timer
  const auto delay = std::max(base::Duration{0}, std::chrono::duration_cast<base::Duration>(*first - ports_.clock.Now()));
  timer_ = ports_.clock.AddTimer(delay, [this] { SendDue(); });
}

void AlertService::SendDue() {
  const base::WallTime now = ports_.clock.Now();
  std::set<std::string> seen;
  for (Pending& p : pending_) {
    // One delivery per channel at a time, oldest first, so they arrive in order.
    if (!seen.insert(p.row.channel).second) continue;
    auto it = channels_.find(p.row.channel);
    if (it == channels_.end() || it->second.busy || p.row.next_attempt > now) continue;
    it->second.busy = true;
    const int64_t id = p.row.id;
    Deliver(it->second.spec, p.notification, fmt::format("{}.json", id),
            [this, alive = std::weak_ptr<bool>(alive_), id](std::string error) {
              if (!alive.expired()) Finished(id, error);
            });
  }
  Arm();
}

void AlertService::Deliver(const config::AlertSpec& spec, const alert::Notification& n, const std::string& spool_name,
                           std::function<void(std::string)> done) {
  runs_.erase(std::remove_if(runs_.begin(), runs_.end(), [](const auto& r) { return r->done; }), runs_.end());
  probe::CommandProbeSpec run;
  std::string request;
  if (spec.kind == config::AlertKind::kCommand) {
    run.argv = spec.argv;
    request = alert::ToJson(n).dump();
    run.environment = {{"VIGIL_ALERT_ID", n.id},           {"VIGIL_ALERT_SEVERITY", n.severity},
                       {"VIGIL_ALERT_CATEGORY", n.category}, {"VIGIL_ALERT_SUBJECT", n.subject},
                       {"VIGIL_ALERT_TITLE", n.title},       {"VIGIL_ALERT_TEXT", n.text},
                       {"VIGIL_ALERT_RECOVERY", n.recovery ? "1" : "0"}, {"VIGIL_ALERT_HOST", n.host}};
  } else {
    alert::DeliveryRequest r;
    r.channel = spec.kind == config::AlertKind::kEmail ? alert::Channel::kEmail : alert::Channel::kWebhook;
    r.email = spec.email;
    r.webhook = spec.webhook;
    r.notification = n;
    request = alert::ToJson(r);
    run.argv = {ports_.alert_bin.string()};
  }
  const std::filesystem::path spool = ports_.spool_dir / spool_name;
  if (base::Status s = WriteSpool(spool, request); !s.ok()) {
    // Answered on a later turn, like every delivery.
    auto r = std::make_unique<Run>();
    Run* raw = r.get();
    r->handle = ports_.clock.AddTimer(base::Duration{0}, [done, raw, why = s.message()] {
      raw->done = true;
      done(why);
    });
    runs_.push_back(std::move(r));
    return;
  }
  run.stdin_file = spool.string();
  // vigil-alert keeps to the channel's timeout itself; this one is the backstop.
  run.timeout = spec.timeout + std::chrono::seconds(5);
  auto r = std::make_unique<Run>();
  Run* raw = r.get();
  r->handle = ports_.runner.Probe(run, [done, raw, spool](probe::Outcome outcome) {
    raw->done = true;
    std::error_code ec;
    std::filesystem::remove(spool, ec);
    // By the plugin convention exit 0 is OK; the first line of stderr says why not.
    done(outcome.level == health::Level::kOk ? std::string() : outcome.message);
  });
  runs_.push_back(std::move(r));
}

void AlertService::Finished(int64_t id, const std::string& error) {
  auto it = std::find_if(pending_.begin(), pending_.end(), [&](const Pending& p) { return p.row.id == id; });
  if (it == pending_.end()) return;
  Pending& p = *it;
  auto channel = channels_.find(p.row.channel);
  if (channel != channels_.end()) channel->second.busy = false;
  store::Store* store = ports_.history.store();
  ++p.row.attempts;
  const std::string what = fmt::format("{} {} {}", p.notification.severity, p.notification.category, p.notification.subject);
  if (error.empty()) {
    p.row.state = "sent";
    ports_.events.Write("alert " + p.row.channel, fmt::format("sent: {}: {}", what, p.notification.title));
    if (store) store->UpdateOutbox(p.row);
    pending_.erase(it);
    Arm();
    return;
  }
  p.row.last_error = error;
  const base::WallTime now = ports_.clock.Now();
  const bool give_up = p.row.attempts >= kMaxAttempts || now - p.row.created >= kGiveUpAfter;
  if (give_up) {
    p.row.state = "failed";
    const std::string text = fmt::format("Could not deliver an alert through {} after {} attempts over {}: {}. It was: {}.",
                                         p.row.channel, p.row.attempts,
                                         base::FormatDuration(std::chrono::duration_cast<base::Duration>(now - p.row.created)),
                                         error, p.notification.title);
    ports_.events.Write("alert " + p.row.channel, "gave up: " + what + ": " + error);
    if (store) store->UpdateOutbox(p.row);
    const std::string channel_name = p.row.channel;
    pending_.erase(it);
    if (findings_ != nullptr) findings_->Record(Severity::kWarn, "alert", channel_name, text);
    Arm();
    return;
  }
  p.row.next_attempt = now + Backoff(p.row.attempts);
  ports_.events.Write("alert " + p.row.channel,
                      fmt::format("not sent (attempt {}), retrying in {}: {}", p.row.attempts,
                                  base::FormatDuration(Backoff(p.row.attempts)), error));
  if (store) store->UpdateOutbox(p.row);
  Arm();
}

void AlertService::Test(const std::string& name, std::function<void(base::Status)> done) {
  auto it = channels_.find(name);
  if (it == channels_.end()) {
    done(base::Status::NotFound("unknown alert channel \"" + name + "\""));
    return;
  }
  alert::Notification n;
  const int64_t now_ms = base::UnixMs(ports_.clock.Now());
  n.id = fmt::format("test-{}-{}", now_ms, name);
  n.time_ms = now_ms;
  n.severity = "info";
  n.category = "test";
  n.subject = name;
  n.title = "Test notification from vigil on " + ports_.host;
  n.text = "This is a test of the alert channel \"" + name + "\" (vigil alert test " + name +
           "). If you read this, it works.";
  n.host = ports_.host;
  Deliver(it->second.spec, n, fmt::format("test-{}.json", now_ms), [done, name](std::string error) {
    done(error.empty() ? base::Status::Ok()
                       : base::Status::Unavailable("could not deliver through " + name + ": " + error));
  });
}

}  // namespace vigil::daemon
