#!/usr/bin/env python3
"""vigild's targets from the product issue, checked against one raw run.

usage: targets.py RAWDIR   (prints markdown tables: vigild beside every peer
and baseline of the same run, each target with a ratio and a pass/fail mark)
"""
import collections
import statistics
import sys

rawdir = sys.argv[1]
G = collections.defaultdict(list)
for line in open(rawdir + "/results.tsv"):
    f = line.rstrip("\n").split("\t")
    if len(f) < 7 or f[5] == "NA":
        continue
    G[(f[1], f[2], f[3], f[4])].append(float(f[5]))
peers = [p for p in ("supervisord", "s6", "runit", "pm2", "monit") if any(k[0] == p for k in G)]


def med(peer, scen, var, metric):
    v = G.get((peer, scen, var, metric))
    return statistics.median(v) if v else None


def rng(peer, scen, var, metric):
    v = G.get((peer, scen, var, metric))
    if not v:
        return "—"
    m = statistics.median(v)
    if len(v) == 1 or min(v) == max(v):
        return "%s (n=%d)" % (fmt(m), len(v))
    return "%s [%s–%s] (n=%d)" % (fmt(m), fmt(min(v)), fmt(max(v)), len(v))


def fmt(x):
    if x is None:
        return "—"
    if x == int(x):
        return "%d" % x
    if abs(x) >= 100:
        return "%.0f" % x
    if abs(x) >= 10:
        return "%.1f" % x
    return "%.2f" % x


def ok(b):
    return "✅" if b else "❌"


def row(label, scen, var, metric, who=None):
    who = who or ["vigild"] + peers
    return "| %s | %s |" % (label, " | ".join(rng(p, scen, var, metric) for p in who))


out = []
hdr = "| figure | vigild | " + " | ".join(peers) + " |\n|---|---|" + "---|" * len(peers)
if not peers:
    hdr = "| figure | vigild |\n|---|---|"

# ---- targets summary --------------------------------------------------------
T = []
base = med("baseline", "baseline", "fork+exec", "spawn_to_child_start_ms")
rh = med("vigild", "restart", "held", "latency_ms")
best_peer = {}
for p in peers:
    c = [x for x in (med(p, "restart", "held", "latency_ms"), med(p, "restart", "held-min", "latency_ms")) if x is not None]
    if c:
        best_peer[p] = min(c)
if rh is not None and base is not None:
    T.append(("restart after kill -9 (held, median of 20) within 1 ms of fork+exec baseline",
              "%s ms vs baseline %s ms: %+.2f ms (%.2f×)" % (fmt(rh), fmt(base), rh - base, rh / base), ok(rh - base <= 1.0)))
if rh is not None and best_peer:
    bp = min(best_peer, key=best_peer.get)
    T.append(("restart faster than every peer (their best of default/min config)",
              "%s ms vs fastest peer %s %s ms (%.3g×)" % (fmt(rh), bp, fmt(best_peer[bp]), rh / best_peer[bp]),
              ok(all(rh < v for v in best_peer.values()))))
r1000 = med("vigild", "footprint", "N=1000", "main_rss_kb")
if r1000 is not None:
    T.append(("RSS with 1000 idle children ≤ 8 MB (8192 kB)", "%s kB (%.2f× the target)" % (fmt(r1000), r1000 / 8192), ok(r1000 <= 8192)))
g0 = med("vigild", "growth", "restarts=0", "main_rss_kb")
g500 = med("vigild", "growth", "restarts=500", "main_rss_kb")
g1000 = med("vigild", "growth", "restarts=1000", "main_rss_kb")
if g0 is not None and g500 is not None and g1000 is not None:
    # Bounded caches (SQLite's page cache, capped) fill during the first restarts; state
    # kept per restart would keep growing, so the check is on the second half.
    T.append(("RSS does not grow with restarts (restarts 500 → 1000; caches fill before)",
              "%s kB after 500 → %s kB after 1000 restarts (%+.0f kB); %s kB at start (%+.0f kB overall)" % (
                  fmt(g500), fmt(g1000), g1000 - g500, fmt(g0), g1000 - g0),
              ok(g1000 - g500 <= 100)))
cpu = med("vigild", "idlecpu", "N=100 window=60s", "tree_run_ms_per_10s")
vcs = med("vigild", "idlecpu", "N=100 window=60s", "tree_vcsw_in_window")
if cpu is not None:
    T.append(("idle CPU over 60 s, 100 children: zero", "%s ms run time in 60 s" % fmt(cpu * 6), ok(cpu == 0)))
if vcs is not None:
    T.append(("voluntary context switches over 60 s, 100 children: zero", "%d" % vcs, ok(vcs == 0)))
c100 = med("vigild", "coldstart", "N=100", "all_started_ms")
b100 = med("baseline", "baseline", "fork+exec x100", "all_started_ms")
if c100 is not None and b100 is not None:
    T.append(("cold start of 100 < 3× 100 bare fork+execs", "%s ms vs %s ms (%.2f×)" % (fmt(c100), fmt(b100), c100 / b100), ok(c100 < 3 * b100)))
st = med("vigild", "stop", "stop_all N=100", "last_child_exit_ms")
stc = med("vigild", "stop", "stop_all N=100", "command_ms")
if st is not None:
    T.append(("stop all, 100 children: all gone within 50 ms", "last child exited %s ms after the command (command returned after %s ms)" % (fmt(st), fmt(stc)),
              ok(st <= 50)))
cat = med("cat", "logs", "capture 200MB", "throughput_MBps")
for mode in ("capture", "rotate", "capture-ts", "rotate-ts"):
    v = "%s 200MB" % mode
    t = med("vigild", "logs", v, "throughput_MBps")
    if t is None:
        continue
    sv = med("supervisord", "logs", v.replace("-ts", ""), "throughput_MBps")
    lost = sum(sum(G.get(("vigild", "logs", v, m), [])) for m in ("missing_lines", "dup_lines", "bad_lines"))
    parts = ["%s MB/s" % fmt(t)]
    good = True
    if sv:
        parts.append("%.2f× supervisord%s" % (t / sv, " (without timestamps)" if "-ts" in mode else ""))
        good &= t >= sv
    if cat:
        parts.append("%.2f× cat" % (t / cat))
        good &= t >= 0.8 * cat
    parts.append("lost+dup+damaged lines: %d" % lost)
    good &= lost == 0
    T.append(("logs %s: ≥ supervisord, ≥ 0.8× cat, no loss" % mode, ", ".join(parts), ok(good)))

out.append("| target | measured (ratio) | met |\n|---|---|---|")
for t in T:
    out.append("| %s | %s | %s |" % t)

# ---- side-by-side tables ----------------------------------------------------
out.append("\n### Restart latency after kill -9 (ms; new child's own start − kill)\n")
out.append("Baseline fork+exec (no supervisor): %s ms\n" % rng("baseline", "baseline", "fork+exec", "spawn_to_child_start_ms"))
out.append(hdr)
out.append(row("default config, child up ≥1.5 s", "restart", "held", "latency_ms"))
out.append(row("min config, child up ≥1.5 s", "restart", "held-min", "latency_ms"))
out.append(row("default config, killed 0.2 s after start", "restart", "rapid", "latency_ms"))
out.append(row("  restarts done of 20 (rapid)", "restart", "rapid", "restarts_ok"))

out.append("\n### Idle memory (kB; supervision tree without the children)\n")
out.append(hdr)
for n in ("1", "100", "1000"):
    out.append(row("RSS, N=%s" % n, "footprint", "N=" + n, "tree_rss_kb"))
    out.append(row("PSS, N=%s" % n, "footprint", "N=" + n, "tree_pss_kb"))
    out.append(row("processes, N=%s" % n, "footprint", "N=" + n, "tree_procs"))
out.append("\n### Memory after repeated restarts (kB, main process; min config, kill -9 and wait for the restart)\n")
out.append(hdr)
for r in ("0", "250", "500", "750", "1000"):
    out.append(row("RSS after %s restarts" % r, "growth", "restarts=" + r, "main_rss_kb"))
out.append(row("restarts done (90 s bound)", "growth", "all", "restarts_done"))

out.append("\n### Idle CPU, N=100, one 60 s window (normalised per 10 s)\n")
out.append(hdr)
out.append(row("CPU run time (ms per 10 s, schedstat)", "idlecpu", "N=100 window=60s", "tree_run_ms_per_10s"))
out.append(row("voluntary ctx switches in the 60 s", "idlecpu", "N=100 window=60s", "tree_vcsw_in_window"))
out.append(row("involuntary ctx switches per 10 s", "idlecpu", "N=100 window=60s", "tree_nvcsw_per_10s"))
out.append(row("threads", "idlecpu", "N=100 window=60s", "tree_threads"))

out.append("\n### Cold start (ms, launch → children's own start timestamps)\n")
out.append("Baseline, N back-to-back fork+execs from C: 100: %s ms; 1000: %s ms\n" % (
    rng("baseline", "baseline", "fork+exec x100", "all_started_ms"), rng("baseline", "baseline", "fork+exec x1000", "all_started_ms")))
out.append(hdr)
for n in ("100", "1000"):
    out.append(row("all %s started" % n, "coldstart", "N=" + n, "all_started_ms"))
    out.append(row("first of %s started" % n, "coldstart", "N=" + n, "first_started_ms"))

out.append("\n### Stop, N=100 children that exit at once on SIGTERM (ms)\n")
out.append(hdr)
out.append(row("stop all: command wall time", "stop", "stop_all N=100", "command_ms"))
out.append(row("stop all: command → last child exited", "stop", "stop_all N=100", "last_child_exit_ms"))
out.append(row("shutdown: → whole tree gone", "stop", "shutdown N=100", "tree_gone_ms"))
out.append(row("shutdown: → last child exited", "stop", "shutdown N=100", "last_child_exit_ms"))

out.append("\n### Log capture, 200 MB of 100-byte lines\n")
out.append("Baseline `flood | cat > file`: %s MB/s\n" % rng("cat", "logs", "capture 200MB", "throughput_MBps"))
out.append(hdr)
for mode in ("capture", "rotate", "capture-ts", "rotate-ts"):
    v = "%s 200MB" % mode
    out.append(row("%s: throughput (MB/s of payload)" % mode, "logs", v, "throughput_MBps"))
    out.append(row("%s: child start → all in files (ms)" % mode, "logs", v, "complete_ms"))
    for m in ("missing_lines", "dup_lines", "bad_lines"):
        out.append(row("%s: %s" % (mode, m.replace("_", " ")), "logs", v, m))
    out.append(row("%s: files" % mode, "logs", v, "log_files"))
print("\n".join(out))
