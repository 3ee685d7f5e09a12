// SPDX-License-Identifier: MIT
// Plain, validated structs that describe what vigild should do: the result of parsing
// the TOML config (docs/config.md). No I/O, no behaviour; compared with == on reload.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "alert/channel_spec.h"
#include "base/boxed.h"
#include "base/clock.h"
#include "base/http_url.h"

namespace vigil::config {

// How one output stream of a program is written to disk.
struct LogSpec {
  uint64_t max_bytes = 10 * 1024 * 1024;  // rotate when the file reaches this size; 0 = never
  int keep = 10;                          // rotated files kept
  bool compress = false;                  // gzip rotated files
  bool timestamps = false;                // prefix each line with an ISO-8601 time
  bool operator==(const LogSpec&) const = default;
};

enum class AutoRestart { kAlways, kOnFailure, kNever };

// One supervised process. A [program.NAME] table with instances = N yields N ProgramSpecs
// named "NAME:0" ... "NAME:N-1" with {instance} already substituted.
// How vigild learns that a program is ready (docs/readiness.md): after it has lived
// start_seconds (the default), when it says READY=1 on its NOTIFY_SOCKET, when a TCP port
// accepts, an HTTP URL answers 2xx/3xx, or a line of its stdout matches a regex.
enum class ReadyKind { kStartSeconds, kNotify, kTcp, kHttp, kLog };

struct ReadySpec {
  ReadyKind kind = ReadyKind::kStartSeconds;
  std::string target;              // kTcp "host:port", kHttp a URL, kLog an ECMAScript regex
  base::TlsSettings tls;           // kHttp with an https:// URL: tls_verify, ca_file
  base::Duration timeout{90000};   // ready_timeout: not ready by then = a failed start
  bool operator==(const ReadySpec&) const = default;
};

// "start_seconds", "notify", "tcp", "http", "log": the config's and the API's word.
std::string_view ReadyKindName(ReadyKind kind);

struct ProgramSpec {
  std::string name;        // unique; "web" or "web:0"
  std::string table_name;  // the [program.NAME] it came from
  int instance = 0;
  std::vector<std::string> argv;  // never empty
  std::string directory;          // empty = vigild's working directory
  std::map<std::string, std::string> environment;  // added to vigild's environment
  std::optional<uid_t> uid;  // resolved from `user`
  std::optional<gid_t> gid;  // resolved from `group`, or the user's primary group
  std::string user;          // as written, for messages
  std::optional<mode_t> umask;
  bool autostart = true;
  AutoRestart autorestart = AutoRestart::kOnFailure;
  std::vector<int> exit_codes{0};
  base::Duration start_seconds{1000};
  int start_retries = 5;
  base::Duration backoff_initial{1000};
  base::Duration backoff_max{60000};
  std::optional<base::Duration> fatal_retry_after;
  int stop_signal = 15;  // SIGTERM
  base::Duration stop_timeout{10000};
  bool kill_group = true;
  std::vector<std::string> depends_on;  // instance names, expanded and validated
  LogSpec stdout_log;
  LogSpec stderr_log;
  bool merge_stderr = false;  // stderr goes to the stdout log
  // How the live stream finds a line's level: an ECMAScript regex whose first group (or
  // whole match) is the level word; "" = the built-in detection (docs/api.md).
  std::string log_level_regex;
  // Out of line (base::Boxed): most programs keep the default, and a thousand of them
  // would each carry its 88 bytes.
  base::Boxed<ReadySpec> ready;
  // A heartbeat must come at least this often once the process runs (WATCHDOG=1 on the
  // notify socket, or heartbeat_file's mtime advancing), else the program is restarted.
  std::optional<base::Duration> watchdog;
  std::string heartbeat_file;  // absolute; "" = heartbeats come over the notify socket
  bool operator==(const ProgramSpec&) const = default;
};

enum class TaskAction { kCommand, kRestart, kCleanup, kRotateLogs, kReport };
enum class OverlapPolicy { kSkip, kQueue, kReplace };

// "command", "restart", "cleanup", "rotate-logs", "report": the config's and the API's word for it.
std::string_view TaskActionName(TaskAction action);

// What a `cleanup` task deletes: regular files under `paths` whose name matches `pattern`
// (a glob, fnmatch(3)) that are older than `older_than` and/or, newest kept first, beyond
// `max_total_size` in total. Symlinks are never followed.
struct CleanupSpec {
  std::vector<std::string> paths;  // absolute
  std::string pattern = "*";
  std::optional<base::Duration> older_than;
  std::optional<uint64_t> max_total_bytes;
  bool operator==(const CleanupSpec&) const = default;
};

// One [task.NAME]: a scheduled job (docs/config.md, docs/schedules.md).
// A task's when_idle (docs/tasks.md): a scheduled run waits until the machine is idle
// enough, at most max_wait. At least one of the two limits is set.
struct WhenIdleSpec {
  std::optional<double> cpu_below_percent;  // CPU busy share between two checks, 0-100
  std::optional<double> load_below;         // the 1-minute load average per CPU
  base::Duration max_wait{6LL * 3600 * 1000};
  bool skip_after_max_wait = false;         // then = "skip"; the default "run" runs anyway
  base::Duration check_every{60000};
  bool operator==(const WhenIdleSpec&) const = default;
};

struct TaskSpec {
  std::string name;
  std::string schedule;  // as written; validated by schedule::Schedule::Parse
  std::string timezone;  // "" = local time
  TaskAction action = TaskAction::kCommand;
  // kCommand: what to run, as for programs.
  std::vector<std::string> argv;
  std::string directory;
  std::map<std::string, std::string> environment;
  std::optional<uid_t> uid;
  std::optional<gid_t> gid;
  std::string user;
  // kRestart: the programs to restart (names as in depends_on, expanded to instances).
  std::vector<std::string> programs;
  // kCleanup
  CleanupSpec cleanup;
  // kReport: the period the health report covers, up to the run.
  base::Duration report_period = std::chrono::hours(24 * 7);
  std::optional<base::Duration> timeout;  // the run's process group is killed after it
  OverlapPolicy overlap = OverlapPolicy::kSkip;
  bool catch_up = false;               // run once at start-up if a run was missed while down
  base::Duration random_delay{0};      // each run starts after a random delay in [0, random_delay]
  int retries = 0;                     // extra attempts after a failed run
  base::Duration retry_backoff{10000}; // first retry delay, doubled each attempt
  bool enabled = true;
  uint64_t output_max_bytes = 64 * 1024;  // output kept per run (the end of it)
  std::optional<WhenIdleSpec> when_idle;  // scheduled runs wait for an idle machine
  bool operator==(const TaskSpec&) const = default;
};

// What a check looks at (docs/health.md): the key that defines it in [check.NAME].
enum class CheckKind {
  kMetric,   // metric = "cpu": a figure of the machine or of one program against levels
  kHttp,     // http = "http://...": an answer with the expected status (and body)
  kTcp,      // tcp = "host:port": a connection accepted
  kCommand,  // command = [...]: a Nagios plugin's exit code and first line
  kFile,     // file = "/path": exists, changed recently enough, not too big
  kProcess,  // process = {...}: processes of the machine matched by name, command, user
};
inline constexpr CheckKind kCheckKinds[] = {CheckKind::kMetric,  CheckKind::kHttp, CheckKind::kTcp,
                                            CheckKind::kCommand, CheckKind::kFile, CheckKind::kProcess};
// "metric", "http", "tcp", "command", "file", "process": the key and the API's word.
std::string_view CheckKindName(CheckKind kind);

// What a metric check watches.
enum class CheckMetric {
  kCpu,        // the machine's CPU busy share, %; of a program: % of one CPU (may pass 100)
  kMemory,     // memory used (MemTotal - MemAvailable), %; of a program: resident bytes
  kSwap,       // swap used, % (0 without swap)
  kLoad,       // the 1-minute load average per CPU (a number, not a %)
  kDisk,       // space used on the filesystem holding `path`, % (as df's Use%)
  kInodes,     // inodes used on the filesystem holding `path`, %
  kFds,        // a program's open file descriptors, all its processes together
  kProcesses,  // the number of processes in a program's process group
  kUptime,     // how long a program's current process has run, in seconds
};

inline constexpr CheckMetric kCheckMetrics[] = {CheckMetric::kCpu,  CheckMetric::kMemory, CheckMetric::kSwap,
                                                CheckMetric::kLoad, CheckMetric::kDisk,   CheckMetric::kInodes,
                                                CheckMetric::kFds,  CheckMetric::kProcesses, CheckMetric::kUptime};
// The config's and the API's word for a metric: "cpu", "memory", "swap", "load", "disk",
// "inodes", "fds", "processes", "uptime".
std::string_view CheckMetricName(CheckMetric metric);
// Whether a metric is of the filesystem holding a `path` (disk, inodes).
inline bool CheckMetricOnDisk(CheckMetric m) { return m == CheckMetric::kDisk || m == CheckMetric::kInodes; }
// Whether a metric can be of a program (cpu, memory, fds, processes), and whether it can
// only be (fds, processes).
inline bool CheckMetricOfProgram(CheckMetric m) {
  return m == CheckMetric::kCpu || m == CheckMetric::kMemory || m == CheckMetric::kFds ||
         m == CheckMetric::kProcesses || m == CheckMetric::kUptime;
}
inline bool CheckMetricOnlyOfProgram(CheckMetric m) {
  return m == CheckMetric::kFds || m == CheckMetric::kProcesses || m == CheckMetric::kUptime;
}

// What a check does when it enters WARN or CRIT, or recovers (on_warn, on_crit,
// on_recovery): one line such as "restart", "run cleanup", "signal HUP web".
enum class CheckVerb { kRestart, kStop, kRun, kSignal, kKill, kTop, kExec };
// "restart", "stop", "run", "signal", "kill", "top", "exec".
std::string_view CheckVerbName(CheckVerb verb);

struct CheckAction {
  CheckVerb verb = CheckVerb::kRestart;
  std::vector<std::string> programs;  // kRestart, kStop, kSignal: instance names, never empty
  std::string task;                   // kRun
  int signo = 0;                      // kSignal
  std::vector<std::string> argv;      // kExec
  std::string text;                   // as written, for messages
  bool operator==(const CheckAction&) const = default;
};

// Which processes of the machine a process check looks at, and what is wrong with them.
struct ProcessCheckSpec {
  std::string name;     // exact process name (comm), or ""
  std::string command;  // a regex searched in the command line, or ""
  std::optional<uid_t> uid;
  std::string user;     // as written
  std::optional<int> min_count;  // CRIT when fewer match
  std::optional<int> max_count;  // CRIT when more match
  std::optional<base::Duration> max_runtime;  // CRIT when one has run longer
  std::optional<base::Duration> stalled;      // CRIT when one has used no CPU for this long
  bool operator==(const ProcessCheckSpec&) const = default;
};

// What a check does on entering WARN or CRIT and on recovery, and the guards of those
// actions: at least `cooldown` apart, at most `limit` within `limit_window`.
struct CheckActionsSpec {
  std::vector<CheckAction> on_warn, on_crit, on_recovery;
  base::Duration cooldown{0};
  int limit = 0;  // 0 = no limit
  base::Duration limit_window{0};
  bool operator==(const CheckActionsSpec&) const = default;
};

// What a check of a kind other than `metric` probes: its URL, address, command, file
// limits or processes. Out of line in CheckSpec (base::Boxed), since a thousand program
// metric checks would otherwise each carry these 384 unused bytes.
struct CheckProbeSpec {
  // kHttp
  std::string url;
  int expect_status = 0;  // 0: any 2xx or 3xx
  std::string body_contains;
  base::TlsSettings tls;  // an https:// URL: tls_verify, ca_file
  // kTcp
  std::string address;  // "host:port"
  // kCommand
  std::vector<std::string> argv;
  // kFile: CRIT past max_*, WARN past warn_*
  std::optional<base::Duration> max_age, warn_age;
  std::optional<uint64_t> max_size, warn_size;
  // kProcess
  ProcessCheckSpec process;
  bool operator==(const CheckProbeSpec&) const = default;
};

// One [check.NAME].
struct CheckSpec {
  std::string name;
  CheckKind kind = CheckKind::kMetric;
  // The program the check is about: a metric of it, or the service it answers for. Its
  // checks wait while it is not running and for `grace` after it starts, and it is what
  // restart, stop and signal act on by default.
  std::string program;  // one instance name, or ""
  base::Duration grace{0};
  // kMetric
  CheckMetric metric = CheckMetric::kCpu;
  std::filesystem::path path;  // kDisk, kInodes: any path on the filesystem; kFile: the file
  std::optional<double> warn;  // a value above it is bad; at least one of warn and crit is set
  std::optional<double> crit;  // when both: crit is past warn (crit >= warn)
  std::optional<double> clear; // hysteresis: back to OK only below this; <= the lowest level
  // kHttp, kTcp, kCommand, kFile, kProcess: read as `probe->url`, written through
  // `probe.Mut()`; a metric check allocates none.
  base::Boxed<CheckProbeSpec> probe;
  base::Duration timeout{10'000};  // kHttp, kTcp, kCommand
  base::Duration every{60'000};    // from [health] every when absent
  // `for`: "N of M" samples (count, within), or a duration (bad in every sample that long).
  int for_count = 1;
  int for_within = 1;
  base::Duration for_duration{0};
  int recovery = 1;  // samples in a row below the level before the state goes down
  // on_warn, on_crit, on_recovery and their guards: out of line, as most checks act by
  // none (read as `actions->on_crit`, written through `actions.Mut()`).
  base::Boxed<CheckActionsSpec> actions;
  bool operator==(const CheckSpec&) const = default;
};

// One [alert.NAME]: a channel findings are sent through (docs/alerts.md).
enum class AlertKind { kEmail, kWebhook, kCommand };
// "email", "webhook", "command".
std::string_view AlertKindName(AlertKind kind);

struct AlertSpec {
  std::string name;
  AlertKind kind = AlertKind::kEmail;
  alert::EmailSpec email;         // kEmail
  alert::WebhookSpec webhook;     // kWebhook
  std::vector<std::string> argv;  // kCommand: run with the details in its environment and the JSON on stdin
  base::Duration timeout{30'000};
  // Routing: findings at least this severe ("info", "warn", "crit") of these categories
  // (empty: all but "alert"); a recovery goes where its raise went, when `recoveries`.
  std::string min_severity = "warn";
  std::vector<std::string> categories;
  bool recoveries = true;
  // At most `rate_limit` notifications within `rate_window` (0: no limit); the others are
  // counted and summed up in the next one that goes.
  int rate_limit = 0;
  base::Duration rate_window{0};
  // While a finding raised through this channel has not recovered, it is sent again every
  // `remind`, marked as a reminder (0: never).
  base::Duration remind{0};
  bool operator==(const AlertSpec&) const = default;
};

// [health] history: what vigild samples for the metric history (docs/store.md), every
// `every`, on the checks' timer. All false (the default): nothing is sampled for it.
struct HistorySpec {
  bool system = false;    // CPU, memory, swap, load, pressure
  bool disks = false;     // each filesystem's space and inodes
  bool programs = false;  // each program's CPU, memory, fds, processes
  base::Duration every{60'000};  // [health] every
  bool any() const { return system || disks || programs; }
  bool operator==(const HistorySpec&) const = default;
};

// One address of [http] listen: an IP literal and a port ("127.0.0.1:7411", "[::1]:7411").
struct ListenAddress {
  std::string host;  // "127.0.0.1", "::1", "0.0.0.0": no brackets, never a DNS name
  uint16_t port = 0;
  bool loopback = false;  // 127.0.0.0/8 or ::1
  bool operator==(const ListenAddress&) const = default;
};
// "127.0.0.1:7411", "[::1]:7411": how a browser writes it in a URL and a Host header.
std::string FormatListenAddress(const ListenAddress& address);

// [http]: vigild's authenticated HTTP listener (docs/web.md). Empty `listen`: none.
struct HttpSpec {
  std::vector<ListenAddress> listen;
  // Host names a browser may use besides the listen addresses and localhost (the name of
  // a reverse proxy in front, say); each request's Host must be one of them.
  std::vector<std::string> allowed_hosts;
  // HTTPS: a PEM certificate chain and its private key, both set or neither (absolute).
  std::filesystem::path tls_cert;
  std::filesystem::path tls_key;
  // A non-loopback address needs TLS or `insecure`: without TLS, tokens and cookies go in
  // clear text.
  bool insecure = false;  // plain HTTP on a non-loopback address, on purpose (logged loudly)
  bool tls() const { return !tls_cert.empty(); }
  bool metrics_public = false;  // GET /metrics without a token
  int max_connections = 64;
  base::Duration session_idle{12LL * 3600 * 1000};  // a browser session ends after this idle
  bool operator==(const HttpSpec&) const = default;
};

struct DaemonSpec {
  std::filesystem::path config_path;  // absolute
  std::filesystem::path state_dir;
  std::filesystem::path log_dir;
  std::filesystem::path socket;
  std::filesystem::path status_file;  // [vigil] status_file, default state_dir/status.json
  LogSpec event_log;                  // vigild.log rotation ([vigil] log_max_size, log_keep)
  std::vector<ProgramSpec> programs;  // in file order
  std::vector<TaskSpec> tasks;        // in file order
  std::vector<CheckSpec> checks;      // in file order
  HistorySpec history;                // [health] history
  std::vector<AlertSpec> alerts;      // in file order
  HttpSpec http;                      // [http]
  base::Duration history_retention{30LL * 24 * 3600 * 1000};  // [vigil] history_retention, "30d"
};

}  // namespace vigil::config
