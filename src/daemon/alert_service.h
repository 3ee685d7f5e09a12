// SPDX-License-Identifier: MIT
// AlertService: sends findings through the [alert.NAME] channels (docs/alerts.md). Each
// finding is routed by severity and category (a recovery goes where its raise went),
// rate-limited per channel, and written to the outbox in the history database before it
// is sent, so a receiver that is down or a vigild restart delays a notification but never
// loses it. A delivery is one short-lived process: vigil-alert for email and webhooks
// (libcurl lives there, never in vigild), the channel's own command for command channels;
// either reads the request on its stdin. Failures are retried with backoff; one that
// finally cannot be delivered becomes an event and a finding. Nothing here waits.
// Thread rule: loop thread only.
#pragma once

#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "alert/notification.h"
#include "api/health_controller.h"
#include "config/spec.h"
#include "daemon/event_log.h"
#include "daemon/findings.h"
#include "daemon/history.h"
#include "event/clock.h"
#include "probe/command_probe.h"
#include "store/store.h"

namespace vigil::daemon {

class AlertService {
 public:
  // Retries: 10 s after the first failure, doubling up to kMaxBackoff; given up after
  // kMaxAttempts or kGiveUpAfter, whichever comes first.
  static constexpr base::Duration kFirstBackoff = std::chrono::seconds(10);
  static constexpr base::Duration kMaxBackoff = std::chrono::minutes(30);
  static constexpr int kMaxAttempts = 20;
  static constexpr base::Duration kGiveUpAfter = std::chrono::hours(24);

  struct Ports {
    event::Clock& clock;
    probe::CommandProber& runner;
    History& history;
    EventLog& events;
    std::filesystem::path spool_dir;  // requests are written here for the delivery's stdin
    std::filesystem::path alert_bin;  // vigil-alert
    std::string host;                 // the machine's name, in every notification
  };
  explicit AlertService(Ports ports);
  ~AlertService();

  // At start (which also loads what the outbox still holds) and on every reload.
  void Apply(const std::vector<config::AlertSpec>& specs);
  // Where a failed delivery is journalled (as category "alert", which is routed only to
  // channels that ask for it, so a broken channel never feeds itself).
  void SetFindings(FindingJournal* findings) { findings_ = findings; }

  // Routes one finding (FindingJournal's listener). Never sends from inside the call.
  void OnFinding(const api::FindingInfo& finding);

  // Sends a health report (category "report", severity info) through every channel whose
  // categories take reports (those that list "report", and those without categories),
  // whatever their severity and rate limit. Returns how many channels it was queued for.
  int SendReport(const std::string& title, const std::string& text, base::WallTime time);

  // `vigil alert test NAME`: one test notification through the channel now, without the
  // outbox or retries; `done` gets the result. NotFound for an unknown channel.
  void Test(const std::string& channel, std::function<void(base::Status)> done);

 private:
  struct Pending {
    store::OutboxEntry row;
    alert::Notification notification;
  };
  struct Channel {
    config::AlertSpec spec;
    bool busy = false;                  // a delivery of it is under way (one at a time, in order)
    std::deque<base::SteadyTime> sent;  // within the rate window
    int suppressed = 0;                 // findings not sent because of the rate limit
    std::set<int64_t> raised;           // findings sent through it, for their recoveries
  };

  bool Routes(const Channel& channel, const api::FindingInfo& finding) const;
  alert::Notification NotificationOf(const api::FindingInfo& finding, Channel& channel) const;
  void Enqueue(const std::string& channel, alert::Notification notification);
  void Arm();
  void SendDue();
  // Starts one delivery; `done` gets "" when delivered, else why not.
  void Deliver(const config::AlertSpec& spec, const alert::Notification& n, const std::string& spool_name,
               std::function<void(std::string)> done);
  void Finished(int64_t id, const std::string& error);

  Ports ports_;
  FindingJournal* findings_ = nullptr;
  std::map<std::string, Channel> channels_;
  std::deque<Pending> pending_;  // oldest first
  bool loaded_ = false;
  int64_t next_local_id_ = 1;  // without a database
  event::HandlePtr timer_;
  struct Run {
    event::HandlePtr handle;
    bool done = false;  // finished; dropped by the next Deliver, never inside its own callback
  };
  std::vector<std::unique_ptr<Run>> runs_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace vigil::daemon
