#!/usr/bin/env python3
"""results/raw-tasks-<date>/ -> results/tasks-<date>.md (the `tasks` benchmark). stdlib only.

  tasks_report.py RAWDIR OUT.md

The report is the section proposed for docs/benchmarks.md, figures filled in,
preceded by the run's machine, binary and load. results/tasks-<date>.notes.md,
if present, is appended (discussion written by hand).
"""
import json
import os
import statistics
import sys
from collections import defaultdict

DAY = 86400


def load(rawdir):
    res = defaultdict(list)   # (scenario, variant, metric) -> [values]
    order = defaultdict(list)  # scenario -> variants in order of appearance
    loads = []
    path = os.path.join(rawdir, "results.tsv")
    if os.path.exists(path):
        for line in open(path):
            w = line.rstrip("\n").split("\t")
            if len(w) != 7:
                continue
            _, _, scen, var, metric, value, _ = w
            if var == "machine":
                loads.append((metric, value))
                continue
            try:
                v = float(value)
            except ValueError:
                continue
            res[(scen, var, metric)].append(v)
            if var not in order[scen]:
                order[scen].append(var)
    notes = []
    path = os.path.join(rawdir, "notes.tsv")
    if os.path.exists(path):
        notes = [line.rstrip("\n").split("\t", 3)[-2:] for line in open(path)]
    machine = {}
    path = os.path.join(rawdir, "machine.tsv")
    if os.path.exists(path):
        for line in open(path):
            k, _, v = line.rstrip("\n").partition("\t")
            machine[k] = v
    return res, order, loads, notes, machine


def fmt(v, nd=1):
    if v is None:
        return "–"
    if abs(v) >= 1000 or nd == 0:
        return f"{v:,.0f}".replace(",", " ")
    return f"{v:.{nd}f}"


def cell(res, scen, var, metric, nd=1):
    """One value as is; several (repeated runs) as median [min–max]."""
    vs = res.get((scen, var, metric))
    if not vs:
        return "–"
    if len(vs) == 1:
        return fmt(vs[0], nd)
    return f"{fmt(statistics.median(vs), nd)} [{fmt(min(vs), nd)}–{fmt(max(vs), nd)}]"


def first(res, scen, var, metric):
    vs = res.get((scen, var, metric))
    return vs[-1] if vs else None


def lateness_section(res, order, out):
    vars_ = [v for v in order.get("lateness", []) if v != "baseline fork+exec"]
    if not vars_:
        out.append("*(lateness not measured in this run)*\n")
        return
    out.append("| tasks configured | due per instant | runs | exec − fire: median | p99 | max "
               "| vigild's `started_ms` − fire: median | p99 | runs started early (`started_ms` < fire) "
               "| last run of an instant: median | max | fire instants missed | runs missing in `task_runs` "
               "| vigild start-up |")
    out.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for v in vars_:
        w = dict(x.split("=") for x in v.split())
        m = lambda k, nd=1: cell(res, "lateness", v, k, nd)
        out.append(f"| {w['N']} | {w['due']} every {w['every']} | {m('runs', 0)} | {m('exec_late_median_ms', 2)} "
                   f"| {m('exec_late_p99_ms', 2)} | {m('exec_late_max_ms', 2)} | {m('vigild_start_late_median_ms', 0)} "
                   f"| {m('vigild_start_late_p99_ms', 0)} | {m('vigild_start_early_runs', 0)} "
                   f"| {m('last_of_instant_median_ms', 1)} "
                   f"| {m('last_of_instant_max_ms', 1)} | {m('instants_missing', 0)} of {m('instants_expected', 0)} "
                   f"| {m('runs_without_db_row', 0)} | {m('startup_ms', 0)} ms |")
    b = res.get(("lateness", "baseline fork+exec", "spawn_to_child_start_ms"))
    if b:
        b = sorted(b)
        out.append(f"\nFloor, same run: a plain C parent fork+execs the same kind of static helper "
                   f"({len(b)} times): median {fmt(statistics.median(b), 2)} ms, "
                   f"max {fmt(b[-1], 2)} ms from the parent's timestamp before fork() to the "
                   "child's own first timestamp.")
    out.append("")


def idle_section(res, order, rawdir, out):
    vars_ = order.get("idle", [])
    if not vars_:
        out.append("*(idle not measured in this run)*\n")
        return
    out.append("| tasks configured (none due) | window | CPU (utime+stime) | run time (schedstat) "
               "| voluntary switches, all threads | seconds with a wake-up | threads | RSS | vigild start-up |")
    out.append("|---|---|---|---|---|---|---|---|---|")
    for v in vars_:
        w = dict(x.split("=") for x in v.split())
        m = lambda k, nd=1: cell(res, "idle", v, k, nd)
        out.append(f"| {w['N']} | {w['window']} | {m('cpu_ms', 0)} ms | {m('run_us', 0)} µs | {m('vcsw', 0)} "
                   f"| {m('seconds_with_wakeup', 0)} | {m('threads', 0)} | {m('main_rss_kb', 0)} kB "
                   f"| {m('startup_ms', 0)} ms |")
    out.append("")
    for v in vars_:
        w = dict(x.split("=") for x in v.split())
        path = os.path.join(rawdir, f"idle-N{w['N']}-{w['window']}.json")
        if not os.path.exists(path):
            continue
        d = json.load(open(path))
        per = ", ".join(f"`{t['comm']}` {t['vcsw']}" for _, t in sorted(d["threads"].items()))
        wk = [f"{x['t_s']:g} s `{x['comm']}` +{x.get('vcsw', 0)}" for x in d["wakeups"] if x.get("vcsw")]
        ex = [f"{x['t_s']:g} s `{x['comm']}` {'exited' if x.get('exited') else 'new'}"
              for x in d["wakeups"] if x.get("exited") or x.get("new_thread")]
        out.append(f"- N={w['N']}: voluntary switches per thread: {per or 'none'}. "
                   f"Wake-ups (second of the window, thread, switches): {', '.join(wk) or 'none'}."
                   + (f" Threads started/ended: {', '.join(ex)}." if ex else ""))
    out.append("")


def store_section(res, out):
    eps = res.get(("store", "EventsPerSecond", "events_per_s"))
    if not eps:
        out.append("*(store not measured in this run)*\n")
        return
    out.append(f"`StoreTest.EventsPerSecond` (100 000 events queued, then `Flush()`), {len(eps)} runs: "
               f"**{cell(res, 'store', 'EventsPerSecond', 'events_per_s', 0)} events/s** "
               f"(median [min–max]; written after {cell(res, 'store', 'EventsPerSecond', 'written_s', 2)} s); "
               f"queueing costs the caller {cell(res, 'store', 'EventsPerSecond', 'queue_us_per_event', 2)} µs "
               "per event.\n")


def growth_section(res, order, rawdir, out):
    vars_ = order.get("growth", [])
    p0, p1 = os.path.join(rawdir, "growth-t0.json"), os.path.join(rawdir, "growth-t1.json")
    ps = os.path.join(rawdir, "growth-schedules.tsv")
    if not vars_ or not all(os.path.exists(p) for p in (p0, p1, ps)):
        out.append("*(growth not measured in this run)*\n")
        return
    v = vars_[-1]
    a, b = json.load(open(p0)), json.load(open(p1))
    window = first(res, "growth", v, "window_s")
    factor = first(res, "growth", v, "factor")
    sim_days = window * factor / DAY
    sched = {}
    for line in open(ps):
        name, real, real_s, fast, per_day = line.rstrip("\n").split("\t")
        sched[name] = (real, float(real_s), fast, float(per_day))

    def delta(kind, key, field):
        return b[kind].get(key, {}).get(field, 0) - a[kind].get(key, {}).get(field, 0)

    subjects = sorted(set(b["events"]) | set(b["runs"]) | set(b["lifetimes"]))
    rows, total_payload, proj_payload, proj_rows = [], 0, 0.0, 0.0
    restart_firings = delta("runs", "restart-webapp", "scheduled")
    for s in subjects:
        ev, runs, lt = delta("events", s, "rows"), delta("runs", s, "rows"), delta("lifetimes", s, "rows")
        pay = sum(delta(k, s, "payload") for k in ("events", "runs", "lifetimes"))
        total_payload += pay
        if s in sched:
            firings, per_day, basis = delta("runs", s, "scheduled"), sched[s][3], f"`{sched[s][0]}`"
        elif s in ("webapp",) and "restart-webapp" in sched:
            # a program's rows come from its restarts by the restart-webapp task
            firings, per_day, basis = restart_firings, sched["restart-webapp"][3], "per restart-webapp firing"
        else:
            firings, per_day, basis = 0, 0.0, "not scheduled (start-up)"
        if not (ev or runs or lt):
            continue
        per_firing_rows = (ev + runs + lt) / firings if firings else 0
        per_firing_pay = pay / firings if firings else 0
        proj_rows += per_firing_rows * per_day
        proj_payload += per_firing_pay * per_day
        rows.append(f"| {s} | {basis} | {firings} | {runs} | {ev} | {lt} | {fmt(per_firing_pay, 0)} "
                    f"| {per_day:.3g} | {fmt(per_firing_pay * per_day, 0)} |")
    dlog = b["logical_bytes"] - a["logical_bytes"]
    overhead = dlog / total_payload if total_payload else float("nan")
    amp = first(res, "growth", v, "bytes_per_payload_byte")
    copies = first(res, "growth", v, "amplify_copies")
    per_day = proj_payload * (amp if amp else overhead)
    out.append(f"Measured: vigild on `examples/server-maintenance.toml` with time compressed {factor:g}× "
               f"(schedules in `growth-schedules.tsv`), {window:.0f} s = {sim_days:.2f} simulated days. "
               f"Logical database size (page_count × page_size, WAL included) grew by {fmt(dlog, 0)} bytes "
               f"({fmt(a['logical_bytes'], 0)} → {fmt(b['logical_bytes'], 0)}) for {fmt(total_payload, 0)} bytes "
               f"of row payload ({overhead:.2f} bytes per payload byte, in whole 4 KiB pages). "
               + (f"At scale, inserting the window's rows {copies:.0f} more times into a copy of the database "
                  f"gives **{amp:.2f} bytes on disk per byte of payload** (B-tree pages, the three events "
                  "indexes, the run index, page slack); that factor is used below.\n" if amp else "\n"))
    out.append("| subject | schedule | firings in window | runs | events | lifetimes | payload bytes per firing "
               "| firings per real day | payload bytes per real day |")
    out.append("|---|---|---|---|---|---|---|---|---|")
    out.extend(rows)
    out.append("")
    out.append(f"**Projected growth: {fmt(per_day, 0)} bytes/day** ({per_day / 1024:.1f} KiB/day; "
               f"{proj_rows:.1f} rows/day) = payload per real day × {(amp or overhead):.2f}. With the default "
               f"`history_retention = \"30d\"` the file levels off near {per_day * 30 / 1024:.0f} KiB "
               "(plus the empty schema) once pruning balances new rows. "
               f"Direct check: growth ÷ simulated days = {fmt(dlog / sim_days if sim_days else 0, 0)} bytes/day "
               "(coarser: whole pages, and whichever weekly firings fell in the window).")
    sd = first(res, "growth", v, "db_bytes_after_shutdown")
    rd = first(res, "growth", v, "runs_dir_bytes")
    out.append(f"After the clean shutdown `vigil.db` was {fmt(sd, 0)} bytes (WAL checkpointed and removed). "
               f"Run output files (`state_dir/runs/`, not in the database; at most 50 runs × "
               f"`output_max_size` per task) held {fmt(rd, 0)} bytes.\n")


def main(rawdir, outpath):
    res, order, loads, notes, machine = load(rawdir)
    date = os.path.basename(os.path.normpath(rawdir)).replace("raw-tasks-", "")
    out = [f"# Scheduled tasks and history: benchmark {date}", ""]
    out.append(f"Raw samples: `bench/results/{os.path.basename(os.path.normpath(rawdir))}/`. "
               "Command: `bench/run.sh tasks` (see bench/README.md).\n")
    out.append("| | |\n|---|---|")
    for k in ("date", "nproc", "cpu", "memory", "kernel", "os", "fs", "version-vigild", "loadavg-at-start"):
        if k in machine:
            out.append(f"| {k} | {machine[k]} |")
    for k, v in machine.items():
        if k.startswith("added "):
            out.append(f"| {k} | {v} |")
    ls = [v for _, v in loads]
    if ls:
        out.append(f"| 1-min load at start, end | {ls[0]}, {ls[-1]} (range {min(ls, key=float)}–{max(ls, key=float)}) |")
    out.append("")
    out.append("---\n\n*Section proposed for docs/benchmarks.md:*\n")
    out.append("## Scheduled tasks and the history store (issue #3)\n")
    out.append("vigild only (the peers have no scheduler). Command: `bench/run.sh tasks` (about 20 min; "
               "`bench/run.sh tasks lateness idle store growth` for a subset); report "
               f"`bench/results/tasks-{date}.md`, raw samples `bench/results/raw-tasks-{date}/`.\n")
    out.append("### Lateness of scheduled runs (ms after the scheduled fire time)\n")
    out.append("Each task's command is a static helper (`bench/lib/task_stamp.c`) that takes `CLOCK_REALTIME` "
               "as its first instruction and appends it to a file. Tasks run `every N s` in UTC, so the fire "
               "times are exact multiples of N seconds since the epoch (docs/schedules.md); lateness = the "
               "helper's timestamp − that multiple, and so includes vigild's timer, its bookkeeping, fork+exec "
               "and the helper's start. `started_ms` is what vigild records in `task_runs` (whole ms). "
               "Tasks not due run `@yearly`. \"due per instant\" > 1 means that many tasks fire at the same "
               "instant, and vigild starts them one after the other: the last run of an instant shows "
               "what a burst costs. Target: under 5 ms (median and p99).\n")
    lateness_section(res, order, out)
    out.append("### Idle: tasks configured, none due\n")
    out.append("N tasks, all `@yearly` (next due on 1 January), no programs. After a settle time, every thread "
               "of vigild is sampled once a second (`/proc/PID/task/*/status`, `stat`, `schedstat`); CPU is "
               "utime+stime of the whole process (10 ms ticks), voluntary context switches count wake-ups. "
               "Target: no wake-ups other than the next due task.\n")
    idle_section(res, order, rawdir, out)
    out.append("### History writes\n")
    store_section(res, out)
    out.append("### Database growth per day, `examples/server-maintenance.toml`\n")
    out.append("Method: the example's schedules are compressed (every interval divided by the same factor; "
               "`random_delay` and `retry_backoff` too, timeouts not), so a few minutes of running contain "
               "days of firings of every task in their real proportions. Rows and payload bytes (text and "
               "blob lengths plus a fixed allowance for integer columns) are counted per subject before and "
               "after the window; each task's rows per scheduled firing (retries included) times its firings "
               "per real day gives payload per day, and the measured on-disk bytes per payload byte turns that "
               "into file growth. The benchmark never upgrades the machine: `apply-updates` is replaced by a "
               "stand-in that does what the script does without root (prints that it needs root, exits 77), so "
               "it is retried twice (3 runs per firing; as root it would be 1 run with apt's output). "
               "`check-updates` keeps the last 10 lines of `apt list --upgradable`, so its rows grow with the "
               "number of pending updates on the machine (up to about 10 lines × 80 bytes per run).\n")
    growth_section(res, order, rawdir, out)
    if notes:
        out.append("### Notes\n")
        for scen, text in notes:
            out.append(f"- {scen}: {text}")
        out.append("")
    extra = outpath[:-3] + ".notes.md" if outpath.endswith(".md") else None
    if extra and os.path.exists(extra):   # hand-written discussion of this run
        out.append(open(extra).read().rstrip("\n"))
    with open(outpath, "w") as f:
        f.write("\n".join(out) + "\n")
    print(outpath)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
