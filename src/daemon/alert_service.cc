// SPDX-License-Identifier: MIT
// Routing, rate limits, the outbox and deliveries of alerts (see alert_service.h).
#include "daemon/alert_service.h"

#include "base/file_util.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <optional>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "alert/request.h"
#include "base/clock.h"
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
  bool worker_needed = false;
  for (const config::AlertSpec& spec : specs) {
    auto old = channels_.find(spec.name);
    Channel channel = old != channels_.end() ? std::move(old->second) : Channel{};
    channel.spec = spec;
    next[spec.name] = std::move(channel);
    worker_needed = worker_needed || spec.kind != config::AlertKind::kCommand;
  }
  channels_ = std::move(next);
  ports_.worker.SetNeeded(worker_needed);
  if (!loaded_) {
    loaded_ = true;
    if (store::Store* store = ports_.history.store()) {
      if (auto rows = store->PendingOutbox()) {
        for (store::OutboxEntry& row : *rows) {
          auto n = alert::NotificationFromJson(nlohmann::json::parse(row.notification, nullptr, false));
          if (n) pending_.push_back({std::move(row), std::move(*n), 0});
        }
      }
    }
  }
  Arm();
  ArmReminders();
}

bool AlertService::Routes(const Channel& channel, const api::FindingInfo& f) const {
  const config::AlertSpec& spec = channel.spec;
  const bool listed = std::find(spec.categories.begin(), spec.categories.end(), f.category) != spec.categories.end();
  if (spec.categories.empty() ? f.category == "alert" : !listed) return false;
  return Rank(f.severity) >= Rank(spec.min_severity);
}

bool AlertService::Admit(Channel& channel) {
  const config::AlertSpec& spec = channel.spec;
  if (spec.rate_limit <= 0) return true;
  const base::SteadyTime now = ports_.clock.SteadyNow();
  while (!channel.sent.empty() && now - channel.sent.front() >= spec.rate_window) channel.sent.pop_front();
  if (static_cast<int>(channel.sent.size()) >= spec.rate_limit) {
    ++channel.suppressed;
    return false;
  }
  channel.sent.push_back(now);
  return true;
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

void AlertService::NoteSuppressed(Channel& channel, alert::Notification& n) {
  if (channel.suppressed == 0) return;
  const config::AlertSpec& spec = channel.spec;
  n.text += fmt::format("\n\n({} more finding{} were not sent: this channel sends at most {} in {}; see vigil "
                        "findings.)",
                        channel.suppressed, channel.suppressed == 1 ? "" : "s", spec.rate_limit,
                        base::FormatDuration(spec.rate_window));
  channel.suppressed = 0;
}

void AlertService::OnFinding(const api::FindingInfo& finding) {
  const bool recovery = finding.raise_id > 0 && Rank(finding.severity) == 0;
  for (auto& [name, channel] : channels_) {
    bool sent_raise = false;
    if (finding.raise_id > 0) {
      // A recovery, or a change of level that ends the raise it replaces: either way that
      // raise is over, and so are its reminders, whether or not this goes out.
      auto raised = channel.raised.find(finding.raise_id);
      sent_raise = raised != channel.raised.end();
      if (sent_raise) channel.raised.erase(raised);
    }
    if (recovery) {
      // A recovery follows its raise, wherever that went, and nowhere else.
      if (!sent_raise || !channel.spec.recoveries) continue;
    } else if (!Routes(channel, finding)) {
      continue;
    }
    if (!Admit(channel)) continue;
    alert::Notification n = NotificationOf(finding, channel);
    NoteSuppressed(channel, n);
    if (!recovery) channel.raised[finding.id] = Raised{finding, ports_.clock.Now(), 0};
    Enqueue(name, std::move(n), recovery ? 0 : finding.id);
  }
  ArmReminders();
}

void AlertService::ArmReminders() {
  remind_timer_.reset();
  std::optional<base::WallTime> first;
  for (const auto& [name, channel] : channels_) {
    if (channel.spec.remind <= base::Duration(0)) continue;
    for (const auto& [id, raised] : channel.raised) {
      const base::WallTime due = raised.last + channel.spec.remind;
      if (!first || due < *first) first = due;
    }
  }
  if (!first) return;  // nothing to remind of: no timer
  const auto delay = std::max(base::Duration{0}, std::chrono::duration_cast<base::Duration>(*first - ports_.clock.Now()));
  remind_timer_ = ports_.clock.AddTimer(delay, [this] { SendReminders(); });
}

void AlertService::SendReminders() {
  const base::WallTime now = ports_.clock.Now();
  for (auto& [name, channel] : channels_) {
    const base::Duration every = channel.spec.remind;
    if (every <= base::Duration(0)) continue;
    for (auto& [id, raised] : channel.raised) {
      if (raised.last + every > now) continue;
      // The next one counts from now: after a suspend or a step of the clock, one
      // reminder, not one for every interval missed.
      raised.last = now;
      // While the raise or the last reminder is still in the outbox (its receiver is
      // down), another would only pile up behind it.
      const int64_t finding = id;
      const std::string& channel_name = name;
      const bool queued = std::any_of(pending_.begin(), pending_.end(), [&](const Pending& p) {
        return p.finding == finding && p.row.channel == channel_name;
      });
      if (queued || !Admit(channel)) continue;
      ++raised.reminders;
      const api::FindingInfo& f = raised.finding;
      alert::Notification n = NotificationOf(f, channel);
      n.id = fmt::format("finding-{}-{}-r{}", f.id, name, raised.reminders);
      n.time_ms = base::UnixMs(now);
      n.reminder = true;
      const auto open_for = std::chrono::duration_cast<base::Duration>(
          now - base::WallTime(std::chrono::milliseconds(f.time_ms)));
      n.text = fmt::format("Reminder: not recovered after {} (since {}).\n\n{}", base::FormatDuration(open_for),
                           base::FormatIso8601(base::WallTime(std::chrono::milliseconds(f.time_ms))), f.text);
      NoteSuppressed(channel, n);
      Enqueue(name, std::move(n), id);
    }
  }
  ArmReminders();
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

void AlertService::Enqueue(const std::string& channel, alert::Notification notification, int64_t finding) {
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
  p.finding = finding;
  pending_.push_back(std::move(p));
  Arm();
}

void AlertService::Arm() {
  timer_.reset();
  std::optional<base::WallTime> first;
  std::set<std::string> seen;
  for (const Pending& p : pending_) {
    if (!channels_.contains(p.row.channel) || busy_.contains(p.row.channel) || !seen.insert(p.row.channel).second) {
      continue;
    }
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
    if (it == channels_.end() || busy_.contains(p.row.channel) || p.row.next_attempt > now) continue;
    busy_.insert(p.row.channel);
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
  const bool command = spec.kind == config::AlertKind::kCommand;
  if (command) {
    run.argv = spec.argv;
    request = alert::ToJson(n).dump();
    run.environment = {{"VIGIL_ALERT_ID", n.id},
                       {"VIGIL_ALERT_SEVERITY", n.severity},
                       {"VIGIL_ALERT_CATEGORY", n.category},
                       {"VIGIL_ALERT_SUBJECT", n.subject},
                       {"VIGIL_ALERT_TITLE", n.title},
                       {"VIGIL_ALERT_TEXT", n.text},
                       {"VIGIL_ALERT_RECOVERY", n.recovery ? "1" : "0"},
                       {"VIGIL_ALERT_REMINDER", n.reminder ? "1" : "0"},
                       {"VIGIL_ALERT_HOST", n.host}};
  } else {
    alert::DeliveryRequest r;
    r.channel = spec.kind == config::AlertKind::kEmail ? alert::Channel::kEmail : alert::Channel::kWebhook;
    r.email = spec.email;
    r.webhook = spec.webhook;
    r.notification = n;
    request = alert::ToJson(r);
  }
  const std::filesystem::path spool = ports_.spool_dir / spool_name;
  auto r = std::make_unique<Run>();
  Run* raw = r.get();
  if (base::Status s = WriteSpool(spool, request); !s.ok()) {
    // Answered on a later turn, like every delivery.
    r->handle = ports_.clock.AddTimer(base::Duration{0}, [done, raw, why = s.message()] {
      raw->done = true;
      done(why);
    });
    runs_.push_back(std::move(r));
    return;
  }
  auto finish = [done, raw, spool](std::string error) {
    raw->done = true;
    std::error_code ec;
    std::filesystem::remove(spool, ec);
    done(std::move(error));
  };
  // The channel's own timeout is kept by the command's runner and by vigil-alert; this
  // one is the backstop.
  const base::Duration timeout = spec.timeout + kTimeoutMargin;
  if (command) {
    run.stdin_file = spool.string();
    run.timeout = timeout;
    r->handle = ports_.runner.Probe(run, [finish](probe::Outcome outcome) {
      // By the plugin convention exit 0 is OK; the first line of stderr says why not.
      finish(outcome.level == health::Level::kOk ? std::string() : outcome.message);
    });
  } else {
    r->handle = ports_.worker.Deliver(spool, timeout, finish);
  }
  runs_.push_back(std::move(r));
}

void AlertService::Finished(int64_t id, const std::string& error) {
  auto it = std::find_if(pending_.begin(), pending_.end(), [&](const Pending& p) { return p.row.id == id; });
  if (it == pending_.end()) return;
  Pending& p = *it;
  busy_.erase(p.row.channel);
  store::Store* store = ports_.history.store();
  ++p.row.attempts;
  const std::string what = fmt::format("{} {} {}", p.notification.severity, p.notification.category, p.notification.subject);
  if (error.empty()) {
    p.row.state = "sent";
    ports_.events.Write("alert " + p.row.channel,
                        fmt::format("sent: {}: {}{}", what, p.notification.reminder ? "reminder: " : "",
                                    p.notification.title));
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
    const int64_t raise_of = p.notification.reminder ? 0 : p.finding;
    pending_.erase(it);
    // A raise that never arrived gets no reminders and no recovery.
    if (auto channel = channels_.find(channel_name); raise_of > 0 && channel != channels_.end()) {
      channel->second.raised.erase(raise_of);
      ArmReminders();
    }
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
