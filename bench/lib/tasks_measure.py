#!/usr/bin/env python3
"""Measurement tools of the `tasks` benchmark (bench/scenarios/tasks.sh). stdlib only.

  tasks_measure.py lateness STAMPS DB EVERY_S T_START_NS T_END_NS SAMPLES_TSV
      Lateness of every scheduled run whose nominal fire time lies in
      [T_START, T_END). STAMPS: lines "<ns> task run_id trigger pid" written
      by task-stamp at exec. Nominal fire time = the stamp rounded down to a
      multiple of EVERY_S seconds since the Unix epoch (tasks run in UTC with
      `every EVERY_S s`, so fire times are exactly those multiples; valid while
      lateness < EVERY_S). Also vigild's own start record (task_runs.started_ms,
      ms resolution) for the same run. A stamp up to 200 ms (or EVERY_S/2)
      before a fire time is early for that one: negative lateness. Writes one TSV line per run to
      SAMPLES_TSV and prints "metric value unit" lines.

  tasks_measure.py sample PID SECONDS OUT_JSON
      Samples every thread of PID once a second for SECONDS: voluntary and
      involuntary context switches (/proc/PID/task/TID/status), utime+stime
      (/proc/PID/task/TID/stat) and run time (schedstat); plus the process
      totals from /proc/PID/stat (which include threads that exited). Writes
      the per-second timeline of wake-ups (which thread, when) and the totals
      as JSON, and prints "metric value unit" lines.

  tasks_measure.py dbsnap DB OUT_JSON
      Logical size of the database as a reader sees it (page_count x
      page_size: committed data, WAL included, the size vigil.db has after a
      checkpoint), free pages, and per subject: rows and payload bytes of
      events, task_runs and lifetimes.

  tasks_measure.py amplify DB T0_JSON T1_JSON COPIES OUT_JSON
      On-disk bytes per payload byte at scale: the rows written between two
      dbsnaps are inserted COPIES more times into a scratch copy of DB.

  tasks_measure.py storetest OUTPUT_FILE
      Parses the output of StoreTest.EventsPerSecond.
"""
import json
import os
import re
import sqlite3
import sys
import time


def pct(sorted_vals, p):
    """Nearest-rank percentile (p in 0..100) of a sorted list."""
    if not sorted_vals:
        return float("nan")
    k = max(1, -(-len(sorted_vals) * p // 100))  # ceil
    return sorted_vals[int(k) - 1]


def emit(metric, value, unit):
    if isinstance(value, float):
        value = f"{value:.3f}"
    print(f"{metric}\t{value}\t{unit}")


def ro_connect(db):
    return sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)


def lateness(stamps, db, every, t_start, t_end, out):
    every_ns = int(float(every) * 1e9)
    # a run that starts up to this much before a fire time counts as early for that
    # fire time, not as very late for the previous one
    early_ns = min(every_ns // 2, 200_000_000)
    t_start, t_end = int(t_start), int(t_end)
    started = {}
    if os.path.exists(db):
        with ro_connect(db) as c:
            for rid, ms in c.execute("SELECT id, started_ms FROM task_runs WHERE trigger = 'schedule'"):
                started[str(rid)] = ms
    runs = []
    with open(stamps) as f:
        for line in f:
            w = line.split()
            if len(w) < 5 or w[3] != "schedule":
                continue
            ns = int(w[0])
            nominal = ns - ns % every_ns
            if ns - nominal >= every_ns - early_ns:   # started before its fire time
                nominal += every_ns
            if not t_start <= nominal < t_end:
                continue
            st = started.get(w[2])
            runs.append((nominal, ns, w[1], w[2], None if st is None else st - nominal / 1e6))
    runs.sort()
    with open(out, "w") as f:
        f.write("nominal_ns\texec_ns\ttask\trun_id\texec_late_ms\tvigild_start_late_ms\n")
        for nominal, ns, task, rid, st in runs:
            f.write(f"{nominal}\t{ns}\t{task}\t{rid}\t{(ns - nominal) / 1e6:.3f}\t"
                    f"{'' if st is None else f'{st:.0f}'}\n")
    late = sorted((ns - nominal) / 1e6 for nominal, ns, *_ in runs)
    emit("runs", len(late), "runs")
    if not late:
        return
    for name, p in (("median", 50), ("p90", 90), ("p99", 99)):
        emit(f"exec_late_{name}_ms", pct(late, p), "ms")
    emit("exec_late_max_ms", late[-1], "ms")
    emit("exec_late_min_ms", late[0], "ms")
    emit("exec_early_runs", sum(1 for x in late if x < 0), "runs")
    st_all = [r[4] for r in runs if r[4] is not None]
    emit("vigild_start_early_runs", sum(1 for x in st_all if x < 0), "runs")
    emit("runs_without_db_row", sum(1 for r in runs if r[4] is None), "runs")
    st = sorted(r[4] for r in runs if r[4] is not None)
    if st:
        emit("vigild_start_late_median_ms", pct(st, 50), "ms")
        emit("vigild_start_late_p99_ms", pct(st, 99), "ms")
        emit("vigild_start_late_max_ms", st[-1], "ms")
    # per fire instant: how many ran, first and last
    inst = {}
    for nominal, ns, task, *_ in runs:
        inst.setdefault(nominal, []).append(ns)
    n_inst = len(inst)
    per = max(len(v) for v in inst.values())
    emit("instants", n_inst, "instants")
    emit("runs_per_instant_max", per, "runs")
    first = sorted((min(v) - k) / 1e6 for k, v in inst.items())
    last = sorted((max(v) - k) / 1e6 for k, v in inst.items())
    emit("first_of_instant_median_ms", pct(first, 50), "ms")
    emit("first_of_instant_max_ms", first[-1], "ms")
    emit("last_of_instant_median_ms", pct(last, 50), "ms")
    emit("last_of_instant_max_ms", last[-1], "ms")
    # fire instants inside the window that produced no run at all
    lo = -(-t_start // every_ns) * every_ns
    expected = len(range(lo, t_end, every_ns))
    emit("instants_expected", expected, "instants")
    emit("instants_missing", expected - n_inst, "instants")


def read_kv(path, keys):
    out = {}
    try:
        with open(path) as f:
            for line in f:
                k, _, v = line.partition(":")
                if k in keys:
                    out[k] = int(v.split()[0])
    except OSError:
        pass
    return out


def stat_ticks(path):
    try:
        with open(path) as f:
            s = f.read()
    except OSError:
        return None
    fields = s[s.rindex(")") + 2:].split()
    return int(fields[11]) + int(fields[12])  # utime stime (fields 14, 15)


def thread_sample(pid):
    out = {}
    base = f"/proc/{pid}/task"
    for tid in os.listdir(base):
        st = read_kv(f"{base}/{tid}/status", ("voluntary_ctxt_switches", "nonvoluntary_ctxt_switches"))
        try:
            with open(f"{base}/{tid}/comm") as f:
                comm = f.read().strip()
            with open(f"{base}/{tid}/schedstat") as f:
                run = int(f.read().split()[0])
        except OSError:
            continue
        out[tid] = {"comm": comm, "v": st.get("voluntary_ctxt_switches", 0),
                    "nv": st.get("nonvoluntary_ctxt_switches", 0),
                    "ticks": stat_ticks(f"{base}/{tid}/stat") or 0, "run_ns": run}
    return out


def sample(pid, seconds, out):
    seconds = int(seconds)
    hz = os.sysconf("SC_CLK_TCK")
    t0 = time.time()
    first = prev = thread_sample(pid)
    p_ticks0 = stat_ticks(f"/proc/{pid}/stat")
    wakeups = []
    for i in range(1, seconds + 1):
        time.sleep(max(0.0, t0 + i - time.time()))
        cur = thread_sample(pid)
        for tid, s in cur.items():
            p = prev.get(tid, {"v": 0, "nv": 0})
            dv, dn = s["v"] - p["v"], s["nv"] - p["nv"]
            if dv or dn or tid not in prev:
                wakeups.append({"t_s": round(time.time() - t0, 1), "tid": tid, "comm": s["comm"],
                                "vcsw": dv, "nvcsw": dn, "new_thread": tid not in prev})
        for tid in prev:
            if tid not in cur:
                wakeups.append({"t_s": round(time.time() - t0, 1), "tid": tid, "comm": prev[tid]["comm"],
                                "exited": True})
        prev = cur
    p_ticks1 = stat_ticks(f"/proc/{pid}/stat")
    threads = {tid: {"comm": s["comm"],
                     "vcsw": s["v"] - first.get(tid, {}).get("v", 0),
                     "nvcsw": s["nv"] - first.get(tid, {}).get("nv", 0),
                     "run_us": (s["run_ns"] - first.get(tid, {}).get("run_ns", 0)) / 1000}
               for tid, s in prev.items()}
    res = {"pid": pid, "window_s": seconds, "threads": threads, "wakeups": wakeups,
           "cpu_ms": None if p_ticks0 is None or p_ticks1 is None else (p_ticks1 - p_ticks0) * 1000 / hz}
    with open(out, "w") as f:
        json.dump(res, f, indent=1)
    emit("window_s", seconds, "s")
    emit("threads", len(threads), "threads")
    emit("cpu_ms", res["cpu_ms"] if res["cpu_ms"] is not None else "nan", "ms")
    emit("run_us", float(sum(t["run_us"] for t in threads.values())), "us")
    emit("vcsw", sum(t["vcsw"] for t in threads.values()), "switches")
    emit("nvcsw", sum(t["nvcsw"] for t in threads.values()), "switches")
    emit("seconds_with_wakeup", len({w["t_s"] for w in wakeups if w.get("vcsw")}), "s")
    for tid, t in sorted(threads.items()):
        emit(f"vcsw_thread_{t['comm']}_{tid}", t["vcsw"], "switches")


def dbsnap(db, out):
    res = {"taken_ms": int(time.time() * 1000)}
    with ro_connect(db) as c:
        res["page_size"] = c.execute("PRAGMA page_size").fetchone()[0]
        res["page_count"] = c.execute("PRAGMA page_count").fetchone()[0]
        res["freelist_count"] = c.execute("PRAGMA freelist_count").fetchone()[0]
        res["logical_bytes"] = res["page_size"] * res["page_count"]
        res["events"] = {s: {"rows": n, "payload": b} for s, n, b in c.execute(
            "SELECT subject, COUNT(*), SUM(LENGTH(CAST(type AS BLOB)) + LENGTH(CAST(subject AS BLOB)) + "
            "LENGTH(CAST(message AS BLOB)) + LENGTH(CAST(details AS BLOB)) + 16) FROM events GROUP BY subject")}
        res["runs"] = {s: {"rows": n, "scheduled": k, "payload": b} for s, n, k, b in c.execute(
            "SELECT task, COUNT(*), SUM(trigger = 'schedule'), SUM(LENGTH(CAST(task AS BLOB)) + "
            "LENGTH(CAST(trigger AS BLOB)) + LENGTH(CAST(output_tail AS BLOB)) + 40) FROM task_runs GROUP BY task")}
        res["lifetimes"] = {s: {"rows": n, "payload": b} for s, n, b in c.execute(
            "SELECT program, COUNT(*), SUM(LENGTH(CAST(program AS BLOB)) + "
            "LENGTH(CAST(COALESCE(exit_status, '') AS BLOB)) + LENGTH(CAST(COALESCE(reason, '') AS BLOB)) + 32) "
            "FROM lifetimes GROUP BY program")}
        res["max_ids"] = {t: c.execute(f"SELECT COALESCE(MAX(id), 0) FROM {t}").fetchone()[0]
                          for t in ("events", "task_runs", "lifetimes")}
    for suffix in ("", "-wal"):
        try:
            res["file_bytes" + suffix.replace("-", "_")] = os.path.getsize(db + suffix)
        except OSError:
            res["file_bytes" + suffix.replace("-", "_")] = 0
    with open(out, "w") as f:
        json.dump(res, f, indent=1)
    emit("logical_bytes", res["logical_bytes"], "bytes")


def amplify(db, t0_json, t1_json, copies, out):
    """Bytes on disk per byte of payload, at scale: in a scratch copy of DB, the rows
    written between the two snapshots are inserted COPIES more times (times shifted by
    one window each, ids assigned by SQLite, every index maintained as vigild's writes
    do); growth of page_count x page_size over the payload inserted."""
    import shutil
    import tempfile
    a, b = json.load(open(t0_json)), json.load(open(t1_json))
    copies = int(copies)
    tmp = tempfile.mkdtemp(prefix="vigil-amplify-")
    try:
        dst = os.path.join(tmp, "copy.db")
        with ro_connect(db) as src, sqlite3.connect(dst) as d:
            src.backup(d)
        c = sqlite3.connect(dst)
        c.execute("PRAGMA journal_mode = WAL")
        c.execute("PRAGMA synchronous = NORMAL")
        page = c.execute("PRAGMA page_size").fetchone()[0]
        before = c.execute("PRAGMA page_count").fetchone()[0] - c.execute("PRAGMA freelist_count").fetchone()[0]
        lo, hi = a["max_ids"], b["max_ids"]
        span = {t: (lo[t], hi[t]) for t in lo}
        w = max(1, int((b.get("taken_ms", 0) - a.get("taken_ms", 0)) or 1))
        payload = 0
        sql = {
            "events": ("INSERT INTO events(time_ms, type, subject, message, details) "
                       "SELECT time_ms + ?, type, subject, message, details FROM events WHERE id > ? AND id <= ?",
                       "SELECT COALESCE(SUM(LENGTH(CAST(type AS BLOB)) + LENGTH(CAST(subject AS BLOB)) + "
                       "LENGTH(CAST(message AS BLOB)) + LENGTH(CAST(details AS BLOB)) + 16), 0) FROM events "
                       "WHERE id > ? AND id <= ?"),
            "task_runs": ("INSERT INTO task_runs(task, trigger, started_ms, ended_ms, exit_code, signal, timed_out, "
                          "interrupted, output_tail) SELECT task, trigger, started_ms + ?, ended_ms + ?, exit_code, "
                          "signal, timed_out, interrupted, output_tail FROM task_runs WHERE id > ? AND id <= ?",
                          "SELECT COALESCE(SUM(LENGTH(CAST(task AS BLOB)) + LENGTH(CAST(trigger AS BLOB)) + "
                          "LENGTH(CAST(output_tail AS BLOB)) + 40), 0) FROM task_runs WHERE id > ? AND id <= ?"),
            "lifetimes": ("INSERT INTO lifetimes(program, pid, started_ms, ended_ms, exit_status, reason) "
                          "SELECT program, pid, started_ms + ?, ended_ms + ?, exit_status, reason FROM lifetimes "
                          "WHERE id > ? AND id <= ?",
                          "SELECT COALESCE(SUM(LENGTH(CAST(program AS BLOB)) + LENGTH(CAST(COALESCE(exit_status, '') "
                          "AS BLOB)) + LENGTH(CAST(COALESCE(reason, '') AS BLOB)) + 32), 0) FROM lifetimes "
                          "WHERE id > ? AND id <= ?"),
        }
        per_copy = sum(c.execute(q, span[t]).fetchone()[0] for t, (_, q) in sql.items())
        for k in range(1, copies + 1):
            shift = k * w
            with c:
                for t, (ins, _) in sql.items():
                    args = (shift,) if t == "events" else (shift, shift)
                    c.execute(ins, args + span[t])
            payload += per_copy
        c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        after = c.execute("PRAGMA page_count").fetchone()[0] - c.execute("PRAGMA freelist_count").fetchone()[0]
        c.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    res = {"copies": copies, "payload_per_copy": per_copy, "bytes_added": (after - before) * page,
           "bytes_per_payload_byte": (after - before) * page / payload if payload else None}
    with open(out, "w") as f:
        json.dump(res, f, indent=1)
    emit("amplify_copies", copies, "copies")
    emit("amplify_bytes_added", res["bytes_added"], "bytes")
    emit("bytes_per_payload_byte", res["bytes_per_payload_byte"] or float("nan"), "x")


def storetest(path):
    text = open(path).read()
    m = re.search(r"queued (\d+) events in ([\d.]+) s \(([\d.]+) us each on the caller\); "
                  r"written after ([\d.]+) s: (\d+) events/s", text)
    if not m:
        emit("parse_error", 1, "-")
        return
    emit("events", int(m.group(1)), "events")
    emit("queue_us_per_event", float(m.group(3)), "us")
    emit("written_s", float(m.group(4)), "s")
    emit("events_per_s", int(m.group(5)), "events/s")


if __name__ == "__main__":
    mode, args = sys.argv[1], sys.argv[2:]
    {"lateness": lateness, "sample": sample, "dbsnap": dbsnap, "amplify": amplify,
     "storetest": storetest}.get(
        mode, lambda *a: sys.exit(__doc__))(*args)
