// SPDX-License-Identifier: MIT
// AlertService on a fake clock and a fake worker: routing, recoveries, the rate limit,
// retries and giving up, reminders, reloads, and command channels on the fake launcher.
#include "daemon/alert_service.h"

#include <gtest/gtest.h>

#include "alert/request.h"
#include "base/file_util.h"
#include "fakes/fake_clock.h"
#include "fakes/fake_launcher.h"
#include "util/temp_dir.h"

namespace vigil::daemon {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

// Takes every delivery and holds it until the test answers it.
class FakeWorker final : public AlertWorker {
 public:
  struct Call {
    alert::DeliveryRequest request;
    base::Duration timeout{0};
    DoneFn done;  // empty once answered or cancelled
  };

  event::HandlePtr Deliver(const std::filesystem::path& file, base::Duration timeout, DoneFn done) override {
    auto call = std::make_shared<Call>();
    auto text = base::ReadFile(file);
    EXPECT_TRUE(text.has_value()) << file;
    auto request = alert::ParseDeliveryRequest(text ? *text : "");
    EXPECT_TRUE(request.has_value()) << (request ? "" : request.error().message());
    if (request) call->request = *request;
    call->timeout = timeout;
    call->done = std::move(done);
    calls.push_back(call);
    return std::make_unique<Handle>(call);
  }
  void SetNeeded(bool n) override { needed = n; }

  // Deliveries under way, oldest first.
  std::vector<std::shared_ptr<Call>> Open() const {
    std::vector<std::shared_ptr<Call>> out;
    for (const auto& c : calls) {
      if (c->done) out.push_back(c);
    }
    return out;
  }
  // Answers the oldest delivery under way ("" = delivered); returns its notification.
  alert::Notification Answer(const std::string& error = "") {
    auto open = Open();
    EXPECT_FALSE(open.empty()) << "no delivery under way";
    if (open.empty()) return {};
    auto done = std::exchange(open.front()->done, nullptr);
    done(error);
    return open.front()->request.notification;
  }

  std::vector<std::shared_ptr<Call>> calls;
  bool needed = false;

 private:
  class Handle final : public event::Handle {
   public:
    explicit Handle(std::shared_ptr<Call> call) : call_(std::move(call)) {}
    ~Handle() override { call_->done = nullptr; }

   private:
    std::shared_ptr<Call> call_;
  };
};

config::AlertSpec Hook(const std::string& name, const std::string& severity = "warn") {
  config::AlertSpec spec;
  spec.name = name;
  spec.kind = config::AlertKind::kWebhook;
  spec.webhook.url = "http://127.0.0.1:9/" + name;
  spec.min_severity = severity;
  return spec;
}

class AlertServiceTest : public ::testing::Test {
 protected:
  // A finding as FindingJournal hands it out.
  api::FindingInfo Finding(const std::string& severity, const std::string& subject = "web",
                           const std::string& category = "check", int64_t raise_id = 0) {
    api::FindingInfo f;
    f.id = next_finding_++;
    f.time_ms = base::UnixMs(clock_.Now());
    f.severity = severity;
    f.category = category;
    f.subject = subject;
    f.text = severity == "info" ? "Back to OK. All good." : "Down. Look at it.";
    f.raise_id = raise_id;
    return f;
  }
  int64_t Raise(const std::string& severity = "crit", const std::string& subject = "web") {
    api::FindingInfo f = Finding(severity, subject);
    alerts_->OnFinding(f);
    return f.id;
  }
  void Recover(int64_t raise_id, const std::string& subject = "web") {
    alerts_->OnFinding(Finding("info", subject, "check", raise_id));
  }
  // Lets the outbox timer (a zero delay) start what is due.
  void Turn() { clock_.Advance(base::Duration(0)); }
  // The channels of the deliveries under way.
  std::vector<std::string> OpenUrls() {
    std::vector<std::string> out;
    for (const auto& c : worker_.Open()) out.push_back(c->request.webhook.url.substr(19));
    return out;
  }
  std::string EventLogText() {
    auto text = base::ReadFile(temp_.path() / "vigild.log");
    return text ? *text : "";
  }
  // Runs the real loop (the fake launcher's and CommandProber's later turns) until `done`.
  bool RunUntil(const std::function<bool()>& done) {
    bool expired = false;
    auto deadline = loop_.AddTimer(seconds(10), [&] { expired = true; });
    while (!done() && !expired) {
      auto tick = loop_.AddTimer(std::chrono::milliseconds(1), [] {});
      loop_.RunOne();
    }
    return done();
  }

  vigil::testing::TempDir temp_;
  event::Loop loop_;
  event::FakeClock clock_{std::chrono::sys_days{std::chrono::year{2026} / 12 / 1}};
  process::FakeLauncher launcher_{loop_};
  probe::CommandProber runner_{launcher_, clock_, loop_};
  FakeWorker worker_;
  // No database (it cannot be created under a device): the outbox and the findings are
  // kept in memory.
  History history_{loop_, "/dev/null/history.db", hours(24)};
  EventLog events_{loop_, temp_.path() / "vigild.log", config::LogSpec{}, nullptr, false};
  FindingJournal findings_{loop_, history_, temp_.path() / "findings.log"};
  std::unique_ptr<AlertService> alerts_ = std::make_unique<AlertService>(
      AlertService::Ports{clock_, runner_, worker_, history_, events_, temp_.path() / "outbox", "web1"});
  int64_t next_finding_ = 1;
};

TEST_F(AlertServiceTest, RoutesBySeverityAndCategory) {
  config::AlertSpec programs = Hook("programs", "info");
  programs.categories = {"program"};
  config::AlertSpec alerts = Hook("alerts", "info");
  alerts.categories = {"alert"};
  alerts_->Apply({Hook("crit", "crit"), Hook("warn"), programs, alerts});
  EXPECT_TRUE(worker_.needed);
  alerts_->OnFinding(Finding("warn"));
  Turn();
  EXPECT_EQ(OpenUrls(), std::vector<std::string>{"warn"});
  alerts_->OnFinding(Finding("crit", "web", "program"));
  alerts_->OnFinding(Finding("info", "web", "program"));
  Turn();
  // One at a time per channel: "warn" still has its first under way.
  EXPECT_EQ(OpenUrls(), (std::vector<std::string>{"warn", "crit", "programs"}));
  // Findings about alerts go only to a channel that lists them.
  alerts_->OnFinding(Finding("warn", "hook", "alert"));
  Turn();
  EXPECT_EQ(OpenUrls().back(), "alerts");
  EXPECT_EQ(worker_.calls.size(), 4u);
}

TEST_F(AlertServiceTest, ARecoveryGoesOnlyWhereItsRaiseWasSent) {
  config::AlertSpec quiet = Hook("quiet");
  quiet.recoveries = false;
  alerts_->Apply({Hook("crit", "crit"), Hook("warn"), quiet});
  const int64_t warn = Raise("warn");
  Turn();
  worker_.Answer();
  worker_.Answer();
  EXPECT_EQ(worker_.calls.size(), 2u);  // warn and quiet; not crit
  Recover(warn);
  Turn();
  ASSERT_EQ(worker_.Open().size(), 1u);
  const alert::Notification recovery = worker_.Answer();
  EXPECT_TRUE(recovery.recovery);
  EXPECT_EQ(recovery.severity, "info");
  EXPECT_EQ(worker_.calls.back()->request.webhook.url, Hook("warn").webhook.url) << "not quiet, not crit";
  // A recovery without a raise sent anywhere goes nowhere.
  Recover(12345);
  Turn();
  EXPECT_EQ(worker_.calls.size(), 3u);
}

TEST_F(AlertServiceTest, TheRateLimitCountsWhatItHoldsBackAndSaysSoInTheNextOne) {
  config::AlertSpec hook = Hook("hook");
  hook.rate_limit = 2;
  hook.rate_window = hours(1);
  alerts_->Apply({hook});
  Raise("crit", "a");
  Raise("crit", "b");
  const int64_t held = Raise("crit", "c");
  Raise("crit", "d");
  Turn();
  worker_.Answer();
  Turn();
  worker_.Answer();
  Turn();
  EXPECT_EQ(worker_.calls.size(), 2u);
  // The recovery of a raise held back is not sent either.
  Recover(held, "c");
  Turn();
  EXPECT_EQ(worker_.calls.size(), 2u);
  clock_.Advance(hours(1));
  Raise("crit", "e");
  Turn();
  const alert::Notification n = worker_.Answer();
  EXPECT_EQ(n.subject, "e");
  EXPECT_NE(n.text.find("(2 more findings were not sent: this channel sends at most 2 in 1h; see vigil findings.)"),
            std::string::npos)
      << n.text;
}

TEST_F(AlertServiceTest, RetriesWithBackoffThenGivesUpWithAnEventAndAFinding) {
  ASSERT_EQ(history_.store(), nullptr) << "findings are listed from memory, at once";
  alerts_->SetFindings(&findings_);
  alerts_->Apply({Hook("hook")});
  Raise();
  Raise("crit", "second");
  Turn();
  worker_.Answer("cannot connect to 127.0.0.1:9: Connection refused");
  EXPECT_NE(EventLogText().find("alert hook: not sent (attempt 1), retrying in 10s: cannot connect to 127.0.0.1:9"),
            std::string::npos)
      << EventLogText();
  clock_.Advance(seconds(9));
  EXPECT_TRUE(worker_.Open().empty()) << "not before its backoff";
  clock_.Advance(seconds(1));
  ASSERT_EQ(worker_.Open().size(), 1u);
  EXPECT_EQ(worker_.Open()[0]->request.notification.subject, "web") << "in order: the second waits for the first";
  EXPECT_EQ(worker_.Open()[0]->timeout, seconds(35)) << "the channel's 30s and the margin";
  worker_.Answer("refused");
  EXPECT_NE(EventLogText().find("not sent (attempt 2), retrying in 20s"), std::string::npos);
  for (int attempt = 3; attempt <= AlertService::kMaxAttempts; ++attempt) {
    clock_.Advance(AlertService::kMaxBackoff);
    ASSERT_EQ(worker_.Open().size(), 1u) << "attempt " << attempt;
    worker_.Answer("refused");
  }
  EXPECT_NE(EventLogText().find("alert hook: gave up: crit check web: refused"), std::string::npos) << EventLogText();
  auto list = findings_.List({});
  ASSERT_TRUE(list.has_value());
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].category, "alert");
  EXPECT_EQ((*list)[0].severity, "warn");
  EXPECT_NE((*list)[0].text.find("Could not deliver an alert through hook after 20 attempts"), std::string::npos)
      << (*list)[0].text;
  // The next one goes at once.
  Turn();
  ASSERT_EQ(worker_.Open().size(), 1u);
  EXPECT_EQ(worker_.Answer().subject, "second");
  EXPECT_NE(EventLogText().find("alert hook: sent: crit check second: Down"), std::string::npos);
}

TEST_F(AlertServiceTest, ARaiseGivenUpGetsNoRecoveryAndNoReminders) {
  config::AlertSpec hook = Hook("hook");
  hook.remind = hours(4);
  alerts_->Apply({hook});
  const int64_t raise = Raise();
  Turn();
  for (int attempt = 1; attempt <= AlertService::kMaxAttempts; ++attempt) {
    ASSERT_EQ(worker_.Open().size(), 1u) << "attempt " << attempt;
    worker_.Answer("refused");
    clock_.Advance(AlertService::kMaxBackoff);
  }
  const size_t calls = worker_.calls.size();
  clock_.Advance(hours(10));
  Recover(raise);
  Turn();
  EXPECT_EQ(worker_.calls.size(), calls);
  EXPECT_EQ(clock_.pending(), 0u);
}

TEST_F(AlertServiceTest, NothingToDoNoTimer) {
  alerts_->Apply({Hook("hook")});
  EXPECT_EQ(clock_.pending(), 0u);
  const int64_t raise = Raise();
  Turn();
  worker_.Answer();
  EXPECT_EQ(clock_.pending(), 0u) << "no reminders configured";
  Recover(raise);
  Turn();
  worker_.Answer();
  EXPECT_EQ(clock_.pending(), 0u);
  alerts_->Apply({});
  EXPECT_FALSE(worker_.needed);
}

TEST_F(AlertServiceTest, RemindsEveryIntervalUntilTheRecovery) {
  config::AlertSpec hook = Hook("hook");
  hook.remind = hours(4);
  alerts_->Apply({hook});
  const int64_t raise = Raise();
  Turn();
  EXPECT_FALSE(worker_.Answer().reminder);
  EXPECT_EQ(clock_.pending(), 1u) << "one timer, for the reminder";
  clock_.Advance(hours(4) - seconds(1));
  EXPECT_TRUE(worker_.Open().empty());
  clock_.Advance(seconds(1));
  alert::Notification n = worker_.Answer();
  EXPECT_TRUE(n.reminder);
  EXPECT_FALSE(n.recovery);
  EXPECT_EQ(n.id, "finding-1-hook-r1");
  EXPECT_EQ(n.severity, "crit");
  EXPECT_EQ(n.title, "Down");
  EXPECT_EQ(n.time_ms, base::UnixMs(clock_.Now()));
  EXPECT_EQ(n.text.rfind("Reminder: not recovered after 4h (since 2026-12-01T00:00:00.000Z).\n\nDown. Look at it.", 0),
            0u)
      << n.text;
  EXPECT_NE(EventLogText().find("alert hook: sent: crit check web: reminder: Down"), std::string::npos);
  clock_.Advance(hours(4));
  EXPECT_EQ(worker_.Answer().id, "finding-1-hook-r2");
  clock_.Advance(hours(1));
  Recover(raise);
  Turn();
  EXPECT_TRUE(worker_.Answer().recovery);
  EXPECT_EQ(clock_.pending(), 0u) << "the recovery ends the reminders";
  clock_.Advance(hours(12));
  EXPECT_EQ(worker_.calls.size(), 4u);
}

TEST_F(AlertServiceTest, OneTimerForTheEarliestReminderOfAllChannels) {
  config::AlertSpec often = Hook("often");
  often.remind = hours(1);
  config::AlertSpec seldom = Hook("seldom");
  seldom.remind = hours(3);
  alerts_->Apply({often, seldom, Hook("never")});
  auto answer_all = [&] {
    Turn();
    while (!worker_.Open().empty()) worker_.Answer();
  };
  Raise("crit", "a");
  answer_all();
  clock_.Advance(minutes(30));
  Raise("crit", "b");
  answer_all();
  EXPECT_EQ(worker_.calls.size(), 6u);
  EXPECT_EQ(clock_.pending(), 1u);
  EXPECT_EQ(clock_.next_due(), clock_.Now() + minutes(30)) << "often's reminder of a";
  clock_.Advance(minutes(30));
  EXPECT_EQ(OpenUrls(), std::vector<std::string>{"often"});
  answer_all();
  EXPECT_EQ(clock_.pending(), 1u);
  EXPECT_EQ(clock_.next_due(), clock_.Now() + minutes(30)) << "often's reminder of b";
}

TEST_F(AlertServiceTest, NoRemindersPileUpWhileTheReceiverIsDown) {
  config::AlertSpec hook = Hook("hook");
  hook.remind = hours(1);
  alerts_->Apply({hook});
  Raise();
  Turn();
  worker_.Answer("refused");
  for (int i = 0; i < 5; ++i) {
    clock_.Advance(minutes(30));
    while (!worker_.Open().empty()) worker_.Answer("refused");
  }
  clock_.Advance(minutes(30));
  EXPECT_EQ(worker_.Answer().id, "finding-1-hook") << "the raise, at last";
  Turn();
  EXPECT_TRUE(worker_.Open().empty()) << "no reminders queued behind it";
  clock_.Advance(hours(1));
  EXPECT_EQ(worker_.Answer().id, "finding-1-hook-r1");
}

TEST_F(AlertServiceTest, RemindersAreRateLimited) {
  config::AlertSpec hook = Hook("hook");
  hook.remind = hours(1);
  hook.rate_limit = 1;
  hook.rate_window = hours(2);
  alerts_->Apply({hook});
  Raise();
  Turn();
  worker_.Answer();
  clock_.Advance(hours(1));
  EXPECT_TRUE(worker_.Open().empty()) << "held back by the rate limit";
  clock_.Advance(hours(1));
  const alert::Notification n = worker_.Answer();
  EXPECT_TRUE(n.reminder);
  EXPECT_EQ(n.id, "finding-1-hook-r1");
  EXPECT_NE(n.text.find("(1 more finding were not sent"), std::string::npos) << n.text;
}

// Regression test for #9: with recoveries = false the raise stayed remembered for ever,
// and with `remind` it would be reminded of for ever.
TEST_F(AlertServiceTest, ARecoveryNotSentStillEndsTheReminders) {
  config::AlertSpec hook = Hook("hook");
  hook.recoveries = false;
  hook.remind = hours(1);
  alerts_->Apply({hook});
  const int64_t raise = Raise();
  Turn();
  worker_.Answer();
  Recover(raise);
  Turn();
  EXPECT_TRUE(worker_.Open().empty());
  EXPECT_EQ(clock_.pending(), 0u);
}

// Regression test for #9: a check going from WARN to CRIT ends the WARN finding with its
// CRIT one (raise_id set, severity crit); the WARN raise was kept for ever.
TEST_F(AlertServiceTest, AChangeOfLevelEndsTheRaiseItReplaces) {
  config::AlertSpec hook = Hook("hook");
  hook.remind = hours(1);
  alerts_->Apply({hook});
  const int64_t warn = Raise("warn");
  Turn();
  worker_.Answer();
  api::FindingInfo crit = Finding("crit", "web", "check", warn);
  alerts_->OnFinding(crit);
  Turn();
  EXPECT_FALSE(worker_.Answer().recovery) << "an escalation is a raise of its own";
  clock_.Advance(hours(1));
  ASSERT_EQ(worker_.Open().size(), 1u) << "one reminder: of the CRIT, not of the WARN";
  EXPECT_EQ(worker_.Answer().id, "finding-2-hook-r1");
  Recover(crit.id);
  Turn();
  EXPECT_TRUE(worker_.Answer().recovery);
  EXPECT_EQ(clock_.pending(), 0u);
}

TEST_F(AlertServiceTest, AReloadKeepsTheStateOfAChannelThatStays) {
  config::AlertSpec hook = Hook("hook");
  hook.remind = hours(1);
  alerts_->Apply({hook, Hook("other")});
  const int64_t raise = Raise();
  Turn();
  worker_.Answer();
  worker_.Answer();
  hook.remind = hours(2);
  alerts_->Apply({hook});  // "other" goes, "hook" changes its interval
  clock_.Advance(hours(1));
  EXPECT_TRUE(worker_.Open().empty()) << "the new interval counts";
  clock_.Advance(hours(1));
  EXPECT_TRUE(worker_.Answer().reminder);
  alerts_->Apply({hook, Hook("other")});  // back, but as a new channel
  Recover(raise);
  Turn();
  ASSERT_EQ(worker_.Open().size(), 1u) << "the recovery goes where the raise went and still is";
  EXPECT_EQ(OpenUrls(), std::vector<std::string>{"hook"});
}

// Regression test for #9: a channel removed and added again while its delivery ran lost
// its "busy" mark with its state, and the next turn started a second delivery of the same
// outbox entry, out of order.
TEST_F(AlertServiceTest, AReloadWhileADeliveryRunsStartsNoSecondOne) {
  alerts_->Apply({Hook("hook")});
  Raise();
  Turn();
  ASSERT_EQ(worker_.Open().size(), 1u);
  alerts_->Apply({});
  alerts_->Apply({Hook("hook")});
  Turn();
  EXPECT_EQ(worker_.Open().size(), 1u);
  worker_.Answer();
  Turn();
  EXPECT_TRUE(worker_.Open().empty());
  EXPECT_EQ(worker_.calls.size(), 1u);
}

TEST_F(AlertServiceTest, AWorkerThatDiesFailsTheDeliveryWhichIsRetried) {
  alerts_->Apply({Hook("hook")});
  Raise();
  Turn();
  worker_.Answer("vigil-alert ended (killed by SIGKILL)");
  EXPECT_NE(EventLogText().find("not sent (attempt 1), retrying in 10s: vigil-alert ended (killed by SIGKILL)"),
            std::string::npos)
      << EventLogText();
  clock_.Advance(seconds(10));
  EXPECT_EQ(worker_.Answer().id, "finding-1-hook");
  EXPECT_NE(EventLogText().find("sent: crit check web"), std::string::npos);
}

TEST_F(AlertServiceTest, DestroyedWithADeliveryUnderWay) {
  alerts_->Apply({Hook("hook")});
  Raise();
  Turn();
  ASSERT_EQ(worker_.Open().size(), 1u);
  alerts_.reset();
  EXPECT_TRUE(worker_.Open().empty()) << "cancelled";
  EXPECT_EQ(clock_.pending(), 0u);
}

TEST_F(AlertServiceTest, ACommandChannelRunsItsCommandWithTheReminderInItsEnvironment) {
  config::AlertSpec page;
  page.name = "page";
  page.kind = config::AlertKind::kCommand;
  page.argv = {"/usr/local/bin/page"};
  page.remind = hours(1);
  alerts_->Apply({page});
  EXPECT_FALSE(worker_.needed) << "no email or webhook channel";
  Raise();
  Turn();
  process::FakeLauncher::Process& first = launcher_.Last();
  EXPECT_EQ(first.request.argv, page.argv);
  EXPECT_EQ(first.request.environment.at("VIGIL_ALERT_REMINDER"), "0");
  launcher_.ExitWith(first.pid, 0);
  ASSERT_TRUE(RunUntil([&] { return EventLogText().find("alert page: sent") != std::string::npos; })) << EventLogText();
  clock_.Advance(hours(1));
  process::FakeLauncher::Process& second = launcher_.Last();
  ASSERT_NE(second.pid, first.pid);
  EXPECT_EQ(second.request.environment.at("VIGIL_ALERT_REMINDER"), "1");
  EXPECT_NE(second.request.environment.at("VIGIL_ALERT_TEXT").find("Reminder: not recovered after 1h"),
            std::string::npos);
  launcher_.ExitWith(second.pid, 1);
  ASSERT_TRUE(RunUntil([&] { return EventLogText().find("not sent (attempt 1)") != std::string::npos; }))
      << EventLogText();
}

TEST_F(AlertServiceTest, TheOutboxOutlivesARestart) {
  History history(loop_, temp_.path() / "history.db", hours(24));
  ASSERT_NE(history.store(), nullptr) << history.problem();
  {
    AlertService first(
        AlertService::Ports{clock_, runner_, worker_, history, events_, temp_.path() / "outbox", "web1"});
    first.Apply({Hook("hook")});
    first.OnFinding(Finding("crit"));
    Turn();
    ASSERT_EQ(worker_.Open().size(), 1u);
    history.store()->Flush();
  }  // vigild stops with the delivery under way
  EXPECT_TRUE(worker_.Open().empty());
  AlertService second(AlertService::Ports{clock_, runner_, worker_, history, events_, temp_.path() / "outbox", "web1"});
  second.Apply({Hook("hook")});
  Turn();
  ASSERT_EQ(worker_.Open().size(), 1u);
  EXPECT_EQ(worker_.Answer().id, "finding-1-hook");
}

}  // namespace
}  // namespace vigil::daemon
