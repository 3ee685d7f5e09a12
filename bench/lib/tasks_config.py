#!/usr/bin/env python3
"""Config generator for the `tasks` benchmark (bench/scenarios/tasks.sh).

  tasks_config.py synthetic OUT STATE LOGS SOCKET TOTAL DUE EVERY_S STAMP STAMPFILE
      TOTAL tasks: DUE of them `every EVERY_S s` (all due at the same instants),
      the rest `@yearly` (next due on 1 January, 00:00 UTC). Every task runs
      `STAMP STAMPFILE` (bench/lib/task_stamp.c) in time zone UTC, so every
      fire time is a multiple of EVERY_S seconds since the Unix epoch
      (docs/schedules.md, "every alignment").

  tasks_config.py example OUT STATE LOGS SOCKET EXAMPLE FACTOR
      EXAMPLE (examples/server-maintenance.toml) with time compressed FACTOR
      times: every schedule becomes `every (real interval / FACTOR) s`, and
      random_delay and retry_backoff are divided by FACTOR (timeouts are not:
      they bound the command, not the calendar). Relative directories and
      paths are made absolute (to EXAMPLE's directory). The apply-updates
      command is replaced by a stand-in that prints the script's not-root
      message and exits 77, so the benchmark never runs apt-get upgrade, even
      as root. Prints one TSV line per
      task: name, real schedule, real interval s, compressed schedule, runs per
      real day (as the real schedule fires them; retries not included).
"""
import os
import sys
import tomllib

DAY = 86400
# real interval of the schedule forms the example uses (seconds)
FIXED = {"@hourly": 3600, "@daily": DAY, "@midnight": DAY, "@weekly": 7 * DAY}
UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": DAY, "w": 7 * DAY}


def q(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def vigil_section(state, logs, sock):
    return f"[vigil]\nstate_dir = {q(state)}\nlog_dir = {q(logs)}\nsocket = {q(sock)}\n"


def synthetic(out, state, logs, sock, total, due, every, stamp, stampfile):
    total, due, every = int(total), int(due), int(every)
    assert 0 <= due <= total and every >= 1
    cmd = f"[{q(stamp)}, {q(stampfile)}]"
    parts = [vigil_section(state, logs, sock)]
    for i in range(total):
        name = f"due{i:05d}" if i < due else f"far{i:05d}"
        sched = f"every {every}s" if i < due else "@yearly"
        parts.append(f'\n[task.{name}]\nschedule = "{sched}"\ntimezone = "UTC"\ncommand = {cmd}\n')
    with open(out, "w") as f:
        f.write("".join(parts))


def seconds(text):
    """'5m' -> 300.0 ; '1d12h' -> 129600.0 ; plain integer = seconds."""
    text = text.strip()
    if text.isdigit():
        return float(text)
    total, num = 0.0, ""
    i = 0
    while i < len(text):
        c = text[i]
        if c.isdigit() or c == ".":
            num += c
            i += 1
            continue
        unit = "ms" if text.startswith("ms", i) else c
        total += float(num) * UNITS[unit]
        num = ""
        i += len(unit)
    if num:
        raise ValueError(f"bad duration {text!r}")
    return total


def real_interval(schedule):
    s = schedule.strip().lower()
    if s in FIXED:
        return FIXED[s]
    w = s.split()
    if w[0] == "every":
        return seconds(w[1])
    if w[0] == "daily":
        return DAY
    if w[0] == "weekly":
        return 7 * DAY
    if w[0] == "monthly":
        return 365.2425 / 12 * DAY
    if len(w) == 5 and w[2:] == ["*", "*", "*"]:   # "M H * * *": daily
        return DAY
    raise ValueError(f"tasks_config.py: no real interval known for schedule {schedule!r}")


def fmt_ms(sec):
    return f"{max(1, round(sec * 1000))}ms"


def example(out, state, logs, sock, path, factor):
    factor = float(factor)
    base = os.path.dirname(os.path.abspath(path))
    with open(path, "rb") as f:
        spec = tomllib.load(f)
    rows = {}
    for name, t in spec.get("task", {}).items():
        real = real_interval(t["schedule"])
        fast = real / factor
        if fast < 1 or abs(fast - round(fast)) > 1e-9:
            raise SystemExit(f"tasks_config.py: {name}: {t['schedule']} / {factor:g} = {fast:g} s "
                             "(need a whole number of seconds >= 1: pick another factor)")
        rows[name] = (t["schedule"], real, f"every {int(round(fast))}s", DAY / real)
    # Rewrite line by line, so the file keeps the example's keys and comments.
    lines, section = [], None
    with open(path) as f:
        src = f.read().splitlines()
    for line in src:
        s = line.strip()
        if s.startswith("["):
            section = s.strip("[]").split(".", 1)
        key = s.split("=", 1)[0].strip() if "=" in s and not s.startswith("#") else None
        task = section[1] if section and section[0] == "task" else None
        if key == "command" and task and "apply-updates" in s:
            # Never upgrade the machine's packages from a benchmark (vigild may run as root):
            # a stand-in with the script's own not-root outcome (message, exit 77).
            line = ('command = ["sh", "-c", "echo \'apply-updates needs root (it runs apt-get upgrade); '
                    'run vigild as root or drop this task\' >&2; exit 77"]')
        elif key == "schedule" and task:
            line = f'schedule = "{rows[task][2]}"'
        elif key in ("random_delay", "retry_backoff") and task:
            line = f'{key} = "{fmt_ms(seconds(tomllib.loads(s)[key]) / factor)}"'
        elif key == "directory":
            d = tomllib.loads(s)["directory"]
            line = f"directory = {q(os.path.normpath(os.path.join(base, d)))}"
        elif key == "paths":
            ps = tomllib.loads(s)["paths"]
            line = "paths = [" + ", ".join(q(os.path.normpath(os.path.join(base, p))) for p in ps) + "]"
        lines.append(line)
    with open(out, "w") as f:
        f.write(vigil_section(state, logs, sock) + "\n" + "\n".join(lines) + "\n")
    for name, (sched, real, fast, per_day) in rows.items():
        print(f"{name}\t{sched}\t{real:g}\t{fast}\t{per_day:.6g}")


if __name__ == "__main__":
    mode, args = sys.argv[1], sys.argv[2:]
    if mode == "synthetic":
        synthetic(*args)
    elif mode == "example":
        example(*args)
    else:
        raise SystemExit(__doc__)
