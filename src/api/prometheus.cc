// SPDX-License-Identifier: MIT
// The Prometheus text exposition of a Scrape.
#include "api/prometheus.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <map>

#include "config/signals.h"

namespace vigil::api {
namespace {

constexpr const char* kProgramStates[] = {"STOPPED", "STARTING", "RUNNING", "BACKOFF", "STOPPING", "EXITED", "FATAL"};
constexpr const char* kCheckStates[] = {"PENDING", "OK", "WARN", "CRIT", "UNKNOWN"};

// A label value with \, " and newline escaped, as the format requires.
std::string Escape(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

// A sample value: integers without a fraction, others with enough digits to read back.
std::string Number(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (v == std::floor(v) && std::fabs(v) < 1e15) return fmt::format("{}", static_cast<int64_t>(v));
  return fmt::format("{}", v);
}

class Writer {
 public:
  // HELP and TYPE of a family; its samples follow.
  void Family(std::string_view name, std::string_view type, std::string_view help) {
    out_ += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
  }
  void Sample(std::string_view name, std::string_view labels, double value) {
    out_ += name;
    if (!labels.empty()) out_ += "{" + std::string(labels) + "}";
    out_ += " " + Number(value) + "\n";
  }
  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
};

std::string Label(std::string_view key, std::string_view value) {
  return std::string(key) + "=\"" + Escape(value) + "\"";
}

}  // namespace

std::optional<int> ExitCodeOf(std::string_view last_exit) {
  constexpr std::string_view kExit = "exit ";
  constexpr std::string_view kKilled = "killed by ";
  if (last_exit.substr(0, kExit.size()) == kExit) {
    int code = 0;
    const std::string_view digits = last_exit.substr(kExit.size());
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), code);
    if (ec == std::errc() && end == digits.data() + digits.size()) return code;
    return std::nullopt;
  }
  if (last_exit.substr(0, kKilled.size()) == kKilled) {
    std::string_view name = last_exit.substr(kKilled.size());
    name = name.substr(0, name.find(' '));  // "killed by SIGKILL (core dumped)"
    if (auto signo = config::ParseSignal(name)) return 128 + *signo;
  }
  return std::nullopt;
}

std::string PrometheusText(const Scrape& s) {
  Writer w;
  w.Family("vigil_build_info", "gauge", "vigild's version; always 1.");
  w.Sample("vigil_build_info", Label("version", s.version), 1);

  std::map<std::string, const ProgramUsage*> usage;
  for (const ProgramUsage& u : s.usage) usage[u.name] = &u;

  w.Family("vigil_program_up", "gauge", "1 when the program is RUNNING, else 0.");
  for (const ProgramInfo& p : s.programs) w.Sample("vigil_program_up", Label("program", p.name), p.state == "RUNNING");
  w.Family("vigil_program_state", "gauge", "1 for the program's current state, 0 for the others.");
  for (const ProgramInfo& p : s.programs) {
    for (const char* state : kProgramStates) {
      w.Sample("vigil_program_state", Label("program", p.name) + "," + Label("state", state), p.state == state);
    }
  }
  w.Family("vigil_program_restarts_total", "counter", "Automatic restarts since vigild started the program.");
  for (const ProgramInfo& p : s.programs) {
    w.Sample("vigil_program_restarts_total", Label("program", p.name), p.restarts);
  }
  w.Family("vigil_program_start_time_seconds", "gauge", "Unix time the program's current process started.");
  for (const ProgramInfo& p : s.programs) {
    if (p.pid > 0 && p.uptime_ms >= 0) {
      w.Sample("vigil_program_start_time_seconds", Label("program", p.name),
               static_cast<double>((s.now_ms - p.uptime_ms) / 1000));
    }
  }
  w.Family("vigil_program_last_exit_code", "gauge",
           "Exit code of the program's last process (128 + the signal when killed by one).");
  for (const ProgramInfo& p : s.programs) {
    if (auto code = ExitCodeOf(p.last_exit)) w.Sample("vigil_program_last_exit_code", Label("program", p.name), *code);
  }
  w.Family("vigil_program_cpu_seconds_total", "counter",
           "CPU time used by the living processes of the program's process group.");
  for (const ProgramInfo& p : s.programs) {
    if (auto it = usage.find(p.name); it != usage.end() && it->second->pid > 0) {
      w.Sample("vigil_program_cpu_seconds_total", Label("program", p.name), it->second->cpu_seconds);
    }
  }
  w.Family("vigil_program_resident_memory_bytes", "gauge", "Resident memory of the program's process group.");
  for (const ProgramInfo& p : s.programs) {
    if (auto it = usage.find(p.name); it != usage.end() && it->second->pid > 0) {
      w.Sample("vigil_program_resident_memory_bytes", Label("program", p.name),
               static_cast<double>(it->second->memory_bytes));
    }
  }

  w.Family("vigil_task_runs_total", "counter", "Runs of the task that ended, since vigild started, by result.");
  for (const TaskInfo& t : s.tasks) {
    w.Sample("vigil_task_runs_total", Label("task", t.name) + "," + Label("result", "success"),
             static_cast<double>(t.runs_succeeded));
    w.Sample("vigil_task_runs_total", Label("task", t.name) + "," + Label("result", "failure"),
             static_cast<double>(t.runs_failed));
  }
  w.Family("vigil_task_last_success_time_seconds", "gauge", "Unix time the task's last successful run started.");
  for (const TaskInfo& t : s.tasks) {
    if (t.last_success_ms >= 0) {
      w.Sample("vigil_task_last_success_time_seconds", Label("task", t.name),
               static_cast<double>(t.last_success_ms) / 1000.0);
    }
  }
  w.Family("vigil_task_last_duration_seconds", "gauge", "How long the task's last finished run took.");
  for (const TaskInfo& t : s.tasks) {
    if (t.last_duration_ms >= 0) {
      w.Sample("vigil_task_last_duration_seconds", Label("task", t.name),
               static_cast<double>(t.last_duration_ms) / 1000.0);
    }
  }
  w.Family("vigil_task_running", "gauge", "1 while a run of the task is going.");
  for (const TaskInfo& t : s.tasks) w.Sample("vigil_task_running", Label("task", t.name), t.running);

  w.Family("vigil_check_state", "gauge", "1 for the health check's current state, 0 for the others.");
  for (const CheckInfo& c : s.checks) {
    for (const char* state : kCheckStates) {
      w.Sample("vigil_check_state", Label("check", c.name) + "," + Label("state", state), c.state == state);
    }
  }

  w.Family("vigil_http_connections", "gauge", "Open connections of the HTTP listener ([http]).");
  w.Sample("vigil_http_connections", "", static_cast<double>(s.self.http_connections));
  w.Family("vigil_stream_connections", "gauge", "Open WebSocket connections of GET /v1/stream.");
  w.Sample("vigil_stream_connections", "", static_cast<double>(s.self.stream_connections));
  w.Family("vigil_stream_dropped_lines_total", "counter",
           "Log lines left out of the live stream because a client read too slowly (the log files keep them).");
  w.Sample("vigil_stream_dropped_lines_total", "", static_cast<double>(s.self.stream_dropped_lines));

  // The standard process metrics, named and described as Prometheus' own clients do.
  const SelfFigures& p = s.self;
  const struct {
    const char* name;
    const char* type;
    const char* help;
    double value;
  } process[] = {
      {"process_cpu_seconds_total", "counter", "Total user and system CPU time spent in seconds.", p.cpu_seconds},
      {"process_resident_memory_bytes", "gauge", "Resident memory size in bytes.",
       static_cast<double>(p.resident_bytes)},
      {"process_virtual_memory_bytes", "gauge", "Virtual memory size in bytes.", static_cast<double>(p.virtual_bytes)},
      {"process_start_time_seconds", "gauge", "Start time of the process since unix epoch in seconds.",
       p.start_time_seconds},
      {"process_open_fds", "gauge", "Number of open file descriptors.", static_cast<double>(p.open_fds)},
      {"process_max_fds", "gauge", "Maximum number of open file descriptors.", static_cast<double>(p.max_fds)},
  };
  for (const auto& m : process) {
    w.Family(m.name, m.type, m.help);
    w.Sample(m.name, "", m.value);
  }
  return w.Take();
}

}  // namespace vigil::api
