// SPDX-License-Identifier: MIT
// AlertService: sends findings through the [alert.NAME] channels (docs/alerts.md). Each
// finding is routed by severity and category (a recovery goes where its raise went),
// rate-limited per channel, and written to the outbox in the history database before it
// is sent, so a receiver that is down or a vigild restart delays a notification but never
// loses it. Email and webhooks go through the resident vigil-alert worker (AlertWorker:
// libcurl lives there, never in vigild); a command channel runs its command once per
// delivery. Failures are retried with backoff; one that finally cannot be delivered
// becomes an event and a finding. A channel with `remind` repeats a raise that has not
// recovered. Nothing here waits.
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
#include "daemon/alert_worker.h"
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

  // A delivery gets this much longer than the channel's timeout (which vigil-alert and
  // curl keep to themselves) before it is given up as hung.
  static constexpr base::Duration kTimeoutMargin = std::chrono::seconds(5);

  struct Ports {
    event::Clock& clock;
    probe::CommandProber& runner;  // command channels: one process per delivery
    AlertWorker& worker;           // email and webhook channels
    History& history;
    EventLog& events;
    std::filesystem::path spool_dir;  // requests are written here for the delivery to read
    std::string host;                 // the machine's name, in every notification
  };
  explicit AlertService(Ports ports);
  ~AlertService();

  // At start (which also loads what the outbox still holds) and on every reload. A channel
  // that keeps its name keeps its state (the raises sent through it, for their recoveries
  // and reminders; its rate-limit window); reminders follow its new `remind`.
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
    int64_t finding = 0;  // the finding of a raise or a reminder (not kept across restarts)
  };
  // A finding raised through a channel and not ended yet: its recovery goes there too,
  // and its reminders.
  struct Raised {
    api::FindingInfo finding;
    base::WallTime last;  // when it was last sent (raised or reminded)
    int reminders = 0;
  };
  struct Channel {
    config::AlertSpec spec;
    std::deque<base::SteadyTime> sent;  // within the rate window
    int suppressed = 0;                 // findings not sent because of the rate limit
    std::map<int64_t, Raised> raised;   // by finding id
  };

  bool Routes(const Channel& channel, const api::FindingInfo& finding) const;
  // Whether the rate limit lets one more notification through now; if not, it is counted.
  bool Admit(Channel& channel);
  alert::Notification NotificationOf(const api::FindingInfo& finding, Channel& channel) const;
  // Adds "(N more findings were not sent...)" for those the rate limit held back.
  void NoteSuppressed(Channel& channel, alert::Notification& n);
  void Enqueue(const std::string& channel, alert::Notification notification, int64_t finding = 0);
  void Arm();
  void SendDue();
  void ArmReminders();
  void SendReminders();
  // Starts one delivery; `done` gets "" when delivered, else why not; never from inside.
  void Deliver(const config::AlertSpec& spec, const alert::Notification& n, const std::string& spool_name,
               std::function<void(std::string)> done);
  void Finished(int64_t id, const std::string& error);

  Ports ports_;
  FindingJournal* findings_ = nullptr;
  std::map<std::string, Channel> channels_;
  // Channels with a delivery under way (one at a time, in order), by name: kept apart from
  // channels_, so that a channel removed and added again by reloads while its delivery
  // runs does not start a second one.
  std::set<std::string> busy_;
  std::deque<Pending> pending_;  // oldest first
  bool loaded_ = false;
  int64_t next_local_id_ = 1;  // without a database
  event::HandlePtr timer_;         // the next outbox attempt due
  event::HandlePtr remind_timer_;  // the next reminder due
  struct Run {
    event::HandlePtr handle;
    bool done = false;  // finished; dropped by the next Deliver, never inside its own callback
  };
  std::vector<std::unique_ptr<Run>> runs_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace vigil::daemon
