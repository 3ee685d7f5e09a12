// SPDX-License-Identifier: MIT
// FakeController: in-memory api controllers (all of them in one object) for the API tests.
// It records every call, and a test decides when (and whether) a held action finishes.
// Thread rule: loop thread only, like the real one.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/controllers.h"

namespace vigil::api {

class FakeController : public DaemonController,
                       public ProgramController,
                       public TaskController,
                       public EventController,
                       public HealthController,
                       public ConfigController {
 public:
  // Finishes an action: ok reports the programs named, as they are then.
  using DoneFn = std::function<void(base::Status)>;
  struct ActionCall {
    std::string verb;  // "start", "stop" or "restart"
    std::vector<std::string> names;
    bool wait = true;
    std::optional<base::Duration> timeout;
    DoneFn done;
  };

  DaemonInfo info;
  std::vector<ProgramInfo> programs;
  // When false, actions on known programs are only recorded; the test calls `done`.
  bool finish_actions = true;
  base::Status action_status;  // what finished actions report
  std::vector<ActionCall> actions;
  base::Status signal_status;
  std::vector<std::pair<std::vector<std::string>, int>> signals;
  base::Result<ReloadSummary> reload = ReloadSummary{};
  int shutdowns = 0;

  DaemonInfo Info() override { return info; }
  std::vector<ProgramInfo> ListPrograms() override { return programs; }
  base::Result<std::vector<ProgramInfo>> FindPrograms(const std::vector<std::string>& names) override {
    if (auto s = CheckKnown(names); !s.ok()) return s;
    std::vector<ProgramInfo> out;
    for (const ProgramInfo& p : programs) {
      for (const std::string& name : names) {
        if (name == "all" || p.name == name || p.name.rfind(name + ":", 0) == 0) {
          out.push_back(p);
          break;
        }
      }
    }
    return out;
  }
  base::Result<ProgramInfo> GetProgram(const std::string& name) override {
    for (const ProgramInfo& p : programs) {
      if (p.name == name) return p;
    }
    return base::Status::NotFound("unknown program \"" + name + "\"");
  }
  void Start(const std::vector<std::string>& names, const WaitOptions& wait, ProgramsDoneFn done) override {
    Act("start", names, wait, std::move(done));
  }
  void Stop(const std::vector<std::string>& names, const WaitOptions& wait, ProgramsDoneFn done) override {
    Act("stop", names, wait, std::move(done));
  }
  void Restart(const std::vector<std::string>& names, const WaitOptions& wait, ProgramsDoneFn done) override {
    Act("restart", names, wait, std::move(done));
  }
  // Every program named gets the signal, or, when signal_status is not ok, none does
  // (each with its message).
  base::Result<std::vector<SignalOutcome>> Signal(const std::vector<std::string>& names, int signo) override {
    auto found = FindPrograms(names);
    if (!found) return found.error();
    signals.emplace_back(names, signo);
    std::vector<SignalOutcome> out;
    for (const ProgramInfo& p : *found) out.push_back({p.name, p.pid, signal_status.ok() ? "" : signal_status.message()});
    return out;
  }
  base::Result<ReloadSummary> Reload() override { return reload; }
  void Shutdown() override { ++shutdowns; }
  base::Result<std::filesystem::path> LogPath(const std::string& name, Stream stream) override {
    if (!GetProgram(name)) return base::Status::NotFound("unknown program \"" + name + "\"");
    return std::filesystem::path("/logs") / (name + (stream == Stream::kStdout ? ".out" : ".err"));
  }
  uint64_t log_lines = 0;  // what LogLineCount answers
  uint64_t LogLineCount(const std::string&, Stream) override { return log_lines; }
  base::Result<event::HandlePtr> FollowLog(const std::string& name, Stream,
                                           std::function<void(std::string_view)> on_data,
                                           std::function<void(std::string_view)> on_end) override {
    if (!GetProgram(name)) return base::Status::NotFound("unknown program \"" + name + "\"");
    auto follower = std::make_shared<Follower>();
    follower->on_data = std::move(on_data);
    follower->on_end = std::move(on_end);
    followers_.push_back(follower);
    return event::HandlePtr(std::make_unique<FollowHandle>(follower));
  }

  // Tasks, runs and events: canned data that tests may fill in.
  struct RunCall {
    std::string name;
    RunBy by = RunBy::kPerson;
    bool wait = false;
    std::function<void(base::Result<RunInfo>)> done;
  };

  std::vector<TaskInfo> ListTasks() override { return tasks; }
  base::Result<TaskInfo> GetTask(const std::string& name) override {
    for (const auto& t : tasks)
      if (t.name == name) return t;
    return base::Status::NotFound("unknown task: " + name);
  }
  void RunTask(const std::string& name, RunBy by, bool wait,
               std::function<void(base::Result<RunInfo>)> done) override {
    if (!GetTask(name)) return done(base::Status::NotFound("unknown task: " + name));
    if (!run_status.ok()) return done(run_status);
    run_calls.push_back({name, by, wait, done});
    if (!finish_runs) return;
    RunInfo run;
    run.id = static_cast<int64_t>(runs.size()) + 1;
    run.task = name;
    run.trigger = by == RunBy::kCheck ? "check" : "manual";
    runs.push_back(run);
    done(run);
  }
  base::Result<TaskInfo> SetTaskEnabled(const std::string& name, bool enabled) override {
    for (auto& t : tasks)
      if (t.name == name) {
        t.enabled = enabled;
        return t;
      }
    return base::Status::NotFound("unknown task: " + name);
  }
  base::Result<std::vector<RunInfo>> ListRuns(const std::string& task, int limit) override {
    if (!task.empty() && !GetTask(task)) return base::Status::NotFound("unknown task: " + task);
    runs_limit = limit;
    std::vector<RunInfo> out;
    for (const RunInfo& r : runs) {
      if (task.empty() || r.task == task) out.push_back(r);
    }
    return out;
  }
  base::Result<std::string> RunOutput(int64_t id) override {
    for (const auto& r : runs)
      if (r.id == id) return r.output_tail;
    return base::Status::NotFound("unknown run: " + std::to_string(id));
  }
  base::Result<std::vector<EventInfo>> ListEvents(const EventQuery& query) override {
    event_queries.push_back(query);
    if (!events_status.ok()) return events_status;
    return events;
  }

  // Usage: the canned view; Top() keeps the programs that `names` select.
  void Top(const std::vector<std::string>& names, TopDoneFn done) override {
    top_queries.push_back(names);
    if (auto s = CheckKnown(names); !s.ok()) return done(s);
    TopView view = top;
    if (!names.empty()) {
      std::erase_if(view.programs, [&](const ProgramUsage& u) {
        for (const std::string& name : names) {
          if (name == "all" || u.name == name || u.name.rfind(name + ":", 0) == 0) return false;
        }
        return true;
      });
    }
    done(std::move(view));
  }
  TopView top;
  std::vector<std::vector<std::string>> top_queries;
  std::vector<CheckInfo> Checks() override { return checks; }
  std::vector<CheckInfo> checks;
  base::Result<std::vector<FindingInfo>> ListFindings(const FindingQuery& query) override {
    finding_queries.push_back(query);
    return findings;
  }
  std::vector<FindingInfo> findings;
  std::vector<FindingQuery> finding_queries;
  void TestAlert(const std::string& name, std::function<void(base::Status)> done) override {
    alert_tests.push_back(name);
    done(alert_test_status);
  }
  std::vector<std::string> alert_tests;
  base::Status alert_test_status;

  // Config: canned answers; the calls are recorded (the program, as the router resolved it).
  base::Result<ProgramConfigView> ProgramConfig(const std::string& program, bool hide_secrets) override {
    config_reads.emplace_back(program, hide_secrets);
    return program_config;
  }
  base::Result<std::vector<ConfigProblem>> CheckProgramConfig(const std::string& program,
                                                              std::string_view toml) override {
    config_checks.emplace_back(program, std::string(toml));
    return config_problems;
  }
  void SaveProgramConfig(const std::string& program, std::string_view toml, const std::string& revision,
                         ConfigSaveDoneFn done) override {
    config_saves.push_back({program, std::string(toml), revision});
    if (finish_saves) return done(config_save);
    held_save = std::move(done);
  }
  struct ConfigSaveCall {
    std::string program, toml, revision;
  };
  base::Result<ProgramConfigView> program_config = ProgramConfigView{};
  std::vector<std::pair<std::string, bool>> config_reads;
  base::Result<std::vector<ConfigProblem>> config_problems = std::vector<ConfigProblem>{};
  std::vector<std::pair<std::string, std::string>> config_checks;
  base::Result<ConfigSaveOutcome> config_save = ConfigSaveOutcome{};
  std::vector<ConfigSaveCall> config_saves;
  // When false, a save is only recorded and its `done` kept in held_save, as a save whose
  // reload is still to run.
  bool finish_saves = true;
  ConfigSaveDoneFn held_save;

  std::vector<TaskInfo> tasks;
  std::vector<RunInfo> runs;  // ListRuns filters them by task but returns more than `limit`
  std::vector<EventInfo> events;
  // When false, RunTask only records the call; the test calls `done`.
  bool finish_runs = true;
  base::Status run_status;  // not ok: RunTask refuses with it (e.g. Conflict for overlap)
  std::vector<RunCall> run_calls;
  int runs_limit = 0;  // the limit of the last ListRuns
  base::Status events_status;
  std::vector<EventQuery> event_queries;

  // Delivers `data` to every follower whose handle is still alive.
  void Emit(std::string_view data) {
    auto followers = followers_;
    for (const auto& f : followers) {
      if (f->alive) f->on_data(data);
    }
  }
  // Ends every live follow with `reason`, as a program removed from the config does.
  void EndFollows(std::string_view reason) {
    auto followers = followers_;
    for (const auto& f : followers) {
      if (!f->alive) continue;
      f->alive = false;
      if (f->on_end) f->on_end(reason);
    }
  }
  size_t follower_count() const {
    size_t n = 0;
    for (const auto& f : followers_) n += f->alive ? 1 : 0;
    return n;
  }

 private:
  struct Follower {
    std::function<void(std::string_view)> on_data;
    std::function<void(std::string_view)> on_end;
    bool alive = true;
  };
  class FollowHandle : public event::Handle {
   public:
    explicit FollowHandle(std::shared_ptr<Follower> f) : follower_(std::move(f)) {}
    ~FollowHandle() override { follower_->alive = false; }

   private:
    std::shared_ptr<Follower> follower_;
  };

  base::Status CheckKnown(const std::vector<std::string>& names) {
    for (const std::string& name : names) {
      bool known = name == "all";
      for (const ProgramInfo& p : programs) {
        known = known || p.name == name || p.name.rfind(name + ":", 0) == 0;
      }
      if (!known) return base::Status::NotFound("unknown program \"" + name + "\"");
    }
    return base::Status::Ok();
  }

  void Act(std::string verb, const std::vector<std::string>& names, const WaitOptions& wait, ProgramsDoneFn done) {
    if (auto s = CheckKnown(names); !s.ok()) {
      done(s);
      return;
    }
    DoneFn finish = [this, names, done = std::move(done)](base::Status status) {
      if (!status.ok()) return done(status);
      done(FindPrograms(names));
    };
    actions.push_back({std::move(verb), names, wait.wait, wait.timeout, finish});
    if (finish_actions) finish(action_status);
  }

  std::vector<std::shared_ptr<Follower>> followers_;
};

}  // namespace vigil::api
