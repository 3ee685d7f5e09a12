#!/usr/bin/env python3
"""Measurement tools of the `health` benchmark (bench/scenarios/health.sh). stdlib only.
Each prints "metric<TAB>value<TAB>unit" lines for the raw results.

  health_measure.py window PID SECONDS EVERY_S OUT_JSON
      Samples every thread of PID each 100 ms for SECONDS: voluntary and involuntary
      context switches (/proc/PID/task/TID/status: each voluntary switch is one sleep ->
      wake-up) and run time (/proc/PID/task/TID/schedstat, ns), plus utime+stime of the
      process (/proc/PID/stat, 10 ms ticks) and VmRSS/VmHWM at the end. SECONDS should be
      a multiple of EVERY_S, so the window holds SECONDS/EVERY_S sampling cycles.
      Reports CPU per cycle (run time of all threads / cycles), voluntary switches per
      cycle (all threads and per thread), and "wake-up bursts": 100 ms slots in which
      any thread woke up, per cycle (1.0 = each cycle is one batch of work).

  health_measure.py http REPS_TSV EVENTS EVENTS_JSON RESTARTS_TSV EVERY_S FAILS
      The HTTP-failure part. REPS_TSV: "rep t_fail_ns old_pid new_start_ns new_pid" per
      failure; EVENTS: the helper's S/X lines; EVENTS_JSON: `vigil events --json` of the
      run; RESTARTS_TSV: "t_cmd_ns new_start_ns" of plain `vigil restart web` commands
      (the restart latency: the restart's STOPPING event -> new process; also from the
      command). Per failure: fail -> new process started (its own stamp),
      split into fail -> check CRIT event (detection) and CRIT -> new process.

  health_measure.py alertfloor VIGIL_ALERT SMTP_PORT HOOK_PORT REPS OUT_TSV
      The floor of the alert part, without vigild: runs vigil-alert by hand REPS times per
      channel with the request vigild would hand it (email to 127.0.0.1:SMTP_PORT,
      tls none; webhook to http://127.0.0.1:HOOK_PORT/hook), one at a time, 0.3 s apart.
      Writes "kind id t_start_ns t_exit_ns exit_code" (t_start taken right before the
      fork+exec) to OUT_TSV; `alert` matches them with the sinks by id.

  health_measure.py alert TRIGGERS_TSV FINDINGS_JSON SMTP_TSV HOOK_TSV [FLOOR_TSV]
      The alert part. TRIGGERS_TSV: "rep kind t_ns" (kind raise = flag file removed,
      recover = flag file back); FINDINGS_JSON: `vigil findings --json`; the sinks'
      received.tsv files (bench/lib/health_sinks.py). Per notification: the finding's
      time_ms -> received by the sink.
"""
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tasks_measure import pct, stat_ticks, thread_sample  # noqa: E402


def emit(metric, value, unit):
    if isinstance(value, float):
        value = f"{value:.3f}"
    print(f"{metric}\t{value}\t{unit}")


def status_kb(pid, key):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return -1


def window(pid, seconds, every, out):
    seconds, every = int(seconds), float(every)
    step = 0.1
    hz = os.sysconf("SC_CLK_TCK")
    t0 = time.time()
    first = prev = thread_sample(pid)
    ticks0 = stat_ticks(f"/proc/{pid}/stat")
    slots = []          # (t_s, {tid: dv}) for every 100 ms slot with a voluntary switch
    n = int(round(seconds / step))
    for i in range(1, n + 1):
        time.sleep(max(0.0, t0 + i * step - time.time()))
        cur = thread_sample(pid)
        woke = {}
        for tid, s in cur.items():
            dv = s["v"] - prev.get(tid, {"v": 0})["v"]
            if dv:
                woke[tid] = dv
        if woke:
            slots.append((round(i * step, 1), woke))
        prev = cur
    ticks1 = stat_ticks(f"/proc/{pid}/stat")
    cycles = seconds / every
    threads = {}
    for tid, s in prev.items():
        f = first.get(tid, {"v": 0, "nv": 0, "run_ns": 0})
        threads[tid] = {"comm": s["comm"], "vcsw": s["v"] - f["v"], "nvcsw": s["nv"] - f["nv"],
                        "run_ns": s["run_ns"] - f["run_ns"], "new": tid not in first}
    run_ns = sum(t["run_ns"] for t in threads.values())
    vcsw = sum(t["vcsw"] for t in threads.values())
    res = {"pid": pid, "window_s": seconds, "every_s": every, "cycles": cycles, "threads": threads,
           "wakeup_slots": slots, "cpu_ticks": None if ticks0 is None or ticks1 is None else ticks1 - ticks0,
           "vmrss_kb": status_kb(pid, "VmRSS"), "vmhwm_kb": status_kb(pid, "VmHWM"),
           "rssanon_kb": status_kb(pid, "RssAnon"), "rssfile_kb": status_kb(pid, "RssFile")}
    # where in the interval the wake-ups fall (seconds after the interval's start, 100 ms
    # slots; neighbouring slots are one phase)
    marks = sorted({round(t % every, 1) for t, _ in slots})
    phases = []
    for m in marks:
        if phases and m - phases[-1][-1] <= 0.15:
            phases[-1].append(m)
        else:
            phases.append([m])
    if len(phases) > 1 and phases[0][0] <= 0.05 and phases[-1][-1] >= every - 0.15:
        phases[0] = phases.pop() + phases[0]   # wraps around the interval's end
    res["wakeup_phases_s"] = [p[0] for p in phases]
    with open(out, "w") as f:
        json.dump(res, f, indent=1)
    emit("window_s", seconds, "s")
    emit("cycles", cycles, "cycles")
    emit("threads", len(threads), "threads")
    emit("run_ms_per_cycle", run_ns / 1e6 / cycles, "ms")
    if res["cpu_ticks"] is not None:
        emit("cpu_ms_per_cycle", res["cpu_ticks"] * 1000 / hz / cycles, "ms")
    emit("run_ms_window", run_ns / 1e6, "ms")
    emit("vcsw_window", vcsw, "switches")
    emit("vcsw_per_cycle", vcsw / cycles, "switches")
    emit("nvcsw_window", sum(t["nvcsw"] for t in threads.values()), "switches")
    emit("wakeup_bursts_window", len(slots), "bursts")
    emit("wakeup_bursts_per_cycle", len(slots) / cycles, "bursts")
    # monit sleeps `set daemon` seconds after each cycle, so its cycles are a little longer
    # than the interval: per wake-up burst is its CPU per cycle actually run
    if slots:
        emit("run_ms_per_burst", run_ns / 1e6 / len(slots), "ms")
    # the thread that woke most is the loop thread for vigild (monit has one thread)
    for rank, (tid, t) in enumerate(sorted(threads.items(), key=lambda kv: -kv[1]["vcsw"])):
        emit(f"vcsw_per_cycle_thread{rank}_{t['comm']}", t["vcsw"] / cycles, "switches")
        emit(f"run_ms_per_cycle_thread{rank}_{t['comm']}", t["run_ns"] / 1e6 / cycles, "ms")
    emit("wakeup_phases_per_interval", len(phases), "phases")
    emit("vmrss_kb", res["vmrss_kb"], "kB")
    emit("rssanon_kb", res["rssanon_kb"], "kB")
    emit("rssfile_kb", res["rssfile_kb"], "kB")
    emit("vmhwm_kb", res["vmhwm_kb"], "kB")


def stats(prefix, vals, unit="ms"):
    vals = sorted(vals)
    emit(f"{prefix}_n", len(vals), "samples")
    if not vals:
        return
    emit(f"{prefix}_median", pct(vals, 50), unit)
    emit(f"{prefix}_min", vals[0], unit)
    emit(f"{prefix}_max", vals[-1], unit)


def http(reps_tsv, events, events_json, restarts_tsv, every, fails):
    every, fails = float(every), int(fails)
    reps = [line.split() for line in open(reps_tsv) if line.strip()]
    xs = {}   # pid -> first failing answer ns
    for line in open(events):
        w = line.split()
        if len(w) >= 3 and w[0] == "X":
            xs.setdefault(int(w[2]), int(w[1]))
    evs = json.load(open(events_json)).get("events", [])
    crit = sorted(e["time_ms"] for e in evs if e["type"] == "check" and "-> CRIT" in e["message"])
    running = sorted(e["time_ms"] for e in evs if e["type"] == "state" and e["subject"] == "web"
                     and "-> RUNNING" in e["message"])
    stopping = sorted(e["time_ms"] for e in evs if e["type"] == "state" and e["subject"] == "web"
                      and "-> STOPPING" in e["message"])
    # restart latency, vigild's side: the restart's RUNNING -> STOPPING event (the request
    # reached vigild, ms resolution) -> the new process' own start stamp; and the same from
    # before the `vigil restart` command (the CLI's own start-up included)
    restart_ms, restart_cmd_ms = [], []
    for a, b in (line.split() for line in open(restarts_tsv) if line.strip()):
        a, b = int(a), int(b)
        restart_cmd_ms.append((b - a) / 1e6)
        st = [m for m in stopping if a / 1e6 - 1 <= m <= b / 1e6 + 1]
        if st:
            restart_ms.append(b / 1e6 - st[0])
    restart_ms.sort()
    total, detect, after, first_fail, running_lag, first_to_crit = [], [], [], [], [], []
    for rep, t_fail, old_pid, s_new, new_pid in reps:
        t_fail, s_new = int(t_fail), int(s_new)
        if s_new <= 0:
            continue
        total.append((s_new - t_fail) / 1e6)
        x = xs.get(int(old_pid))
        if x:
            first_fail.append((x - t_fail) / 1e6)
        c = [m for m in crit if t_fail / 1e6 - 1 <= m <= s_new / 1e6 + 1]
        if c:
            detect.append(c[0] - t_fail / 1e6)
            after.append(s_new / 1e6 - c[0])
            if x:
                first_to_crit.append(c[0] - x / 1e6)
        r = [m for m in running if s_new / 1e6 - 1 <= m]
        if r:
            running_lag.append(r[0] - s_new / 1e6)
    emit("failures", len(reps), "failures")
    emit("restarted", len(total), "failures")
    stats("fail_to_new_process_ms", total)
    stats("fail_to_crit_event_ms", detect)
    stats("crit_event_to_new_process_ms", after)
    stats("fail_to_first_500_answer_ms", first_fail)
    stats("first_500_answer_to_crit_event_ms", first_to_crit)
    stats("new_process_to_running_event_ms", running_lag)
    stats("restart_latency_ms", restart_ms)
    stats("restart_cmd_to_new_process_ms", sorted(restart_cmd_ms))
    if restart_ms and total:
        bound = every * fails * 1000 + pct(restart_ms, 50)
        bound_max = every * fails * 1000 + restart_ms[-1]
        emit("bound_every_x_fails_plus_restart_median_ms", bound, "ms")
        emit("bound_every_x_fails_plus_restart_max_ms", bound_max, "ms")
        emit("over_bound_median_failures", sum(1 for t in total if t > bound), "failures")
        emit("over_bound_max_failures", sum(1 for t in total if t > bound_max), "failures")
        emit("worst_minus_bound_median_ms", max(total) - bound, "ms")


def alertfloor(vigil_alert, smtp_port, hook_port, reps, out):
    import subprocess
    with open(out, "w") as f:
        for i in range(int(reps)):
            for kind in ("webhook", "email"):
                nid = f"floor-{kind}-{i + 1}"
                n = {"id": nid, "time_ms": int(time.time() * 1000), "severity": "crit", "category": "check",
                     "subject": "floor", "title": "floor test", "text": "measuring vigil-alert alone",
                     "recovery": False, "host": "bench"}
                if kind == "email":
                    req = {"channel": "email", "email": {"server": "127.0.0.1", "port": int(smtp_port), "tls": "none",
                                                         "from": "vigil@bench.test", "to": ["ops@bench.test"]},
                           "notification": n}
                else:
                    req = {"channel": "webhook", "webhook": {"url": f"http://127.0.0.1:{hook_port}/hook"},
                           "notification": n}
                data = json.dumps(req).encode()
                t0 = time.time_ns()
                p = subprocess.run([vigil_alert], input=data, capture_output=True)
                t1 = time.time_ns()
                f.write(f"{kind}\t{nid}\t{t0}\t{t1}\t{p.returncode}\n")
                time.sleep(0.3)


def alert(triggers_tsv, findings_json, smtp_tsv, hook_tsv, floor_tsv=None):
    fs = json.load(open(findings_json)).get("findings", [])
    crit = sorted(f["time_ms"] for f in fs if f["severity"] == "crit" and f["subject"] == "flag")
    trig = [line.split() for line in open(triggers_tsv) if line.strip()]
    raises = sorted(int(t) for _, kind, t in trig if kind == "raise")
    # trigger -> finding (the check's 1 s sampling; not part of the target)
    tf = []
    for t in raises:
        c = [m for m in crit if m >= t / 1e6 - 1]
        if c:
            tf.append(c[0] - t / 1e6)
    emit("raises", len(raises), "raises")
    emit("crit_findings", len(crit), "findings")
    stats("trigger_to_finding_ms", tf)
    for kind, path in (("email", smtp_tsv), ("webhook", hook_tsv)):
        rows = [line.rstrip("\n").split("\t") for line in open(path)] if os.path.exists(path) else []
        floor = {}
        if floor_tsv and os.path.exists(floor_tsv):
            for line in open(floor_tsv):
                k, nid, t0, t1, rc = line.split()
                if k == kind:
                    floor[nid] = (int(t0), int(t1), int(rc))
        recv_by_id = {r[2]: int(r[0]) for r in rows}
        if floor:
            stats(f"{kind}_floor_exec_to_received_ms",
                  [(recv_by_id[i] - t0) / 1e6 for i, (t0, _, _) in floor.items() if i in recv_by_id])
            stats(f"{kind}_floor_exec_to_exit_ms", [(t1 - t0) / 1e6 for t0, t1, _ in floor.values()])
            emit(f"{kind}_floor_failed", sum(1 for *_, rc in floor.values() if rc != 0), "runs")
        rows = [r for r in rows if not r[2].startswith("floor-")]
        lat, lat_rec, unmatched = [], [], 0
        for recv_ns, _, nid, time_ms, recovery, subject in rows:
            if time_ms == "?":
                unmatched += 1
                continue
            d = int(recv_ns) / 1e6 - int(time_ms)
            (lat_rec if recovery == "1" else lat).append(d)
            if recovery != "1" and int(time_ms) not in crit:
                unmatched += 1
        emit(f"{kind}_received", len(rows), "messages")
        emit(f"{kind}_raise_time_not_a_crit_finding", unmatched, "messages")
        stats(f"{kind}_finding_to_received_ms", lat)
        stats(f"{kind}_recovery_finding_to_received_ms", lat_rec)


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    {"window": window, "http": http, "alert": alert, "alertfloor": alertfloor}[cmd](*args)
