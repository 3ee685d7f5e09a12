#!/usr/bin/env python3
"""results/raw-health-<date>/ -> results/health-<date>.md (the `health` benchmark). stdlib only.

  health_report.py RAWDIR OUT.md

The report: the run's machine, binaries and load, the targets of issue 9 judged on this
run's figures, and the figures. results/health-<date>.notes.md, if present, is appended
(discussion written by hand).
"""
import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tasks_report import fmt, load  # noqa: E402


def main(rawdir, out):
    res, order, loads, notes, machine = load(rawdir)

    def get(scen, var, metric):
        v = res.get((scen, var, metric))
        return statistics.median(v) if v else None

    def find(scen, prefix):
        return next((v for v in order.get(scen, []) if v.startswith(prefix)), None)

    L = []
    L.append(f"# Health benchmark: {os.path.basename(rawdir.rstrip('/'))}\n")
    L.append("| | |\n|---|---|")
    for k in ("date", "cpu", "nproc", "memory", "kernel", "os", "fs", "version-vigild", "version-monit",
              "loadavg-at-start"):
        if k in machine:
            L.append(f"| {k} | {machine[k]} |")
    lm = [f"{m.replace('loadavg_1m_', '')} {v}" for m, v in loads]
    if lm:
        L.append(f"| load (1-min) at the start/end of each invocation | {', '.join(lm)} |")
    L.append("")

    # ---- targets -------------------------------------------------------------------
    v1000 = find("cycle", "vigild N=1000 checks")
    v1000n = find("cycle", "vigild N=1000 none")
    v100 = find("cycle", "vigild N=100 checks")
    m1000 = find("cycle", "monit N=1000")
    m100 = find("cycle", "monit N=100")
    rows = []

    def ok(b):
        return "—" if b is None else ("✅" if b else "❌")

    def ratio(a, b):
        return f"{a / b:.2f}×" if a is not None and b else "—"

    for vv, mm, n in ((v100, m100, 100), (v1000, m1000, 1000)):
        if not vv:
            continue
        c = get("cycle", vv, "run_ms_per_cycle")
        mc = get("cycle", mm, "run_ms_per_burst") if mm else None
        target = n == 1000
        rows.append((f"CPU time per sampling cycle, {n} programs{' < 10 ms' if target else ''} (and against monit)",
                     f"{fmt(c, 2)} ms per cycle; monit {fmt(mc, 2)} ms ({ratio(c, mc)})",
                     ok(c < 10) if target and c is not None else "— (no absolute target)"))
    if v1000 and v1000n:
        a, b = get("cycle", v1000, "vmrss_kb"), get("cycle", v1000n, "vmrss_kb")
        mr = get("cycle", m1000, "vmrss_kb") if m1000 else None
        if a is not None and b is not None:
            rows.append(("RSS with health on, 1000 programs: < 1 MB (1024 kB) more than without",
                         f"{fmt(a, 0)} kB with checks, {fmt(b, 0)} kB without: +{fmt(a - b, 0)} kB; "
                         f"monit with the same checks {fmt(mr, 0)} kB", ok(a - b < 1024)))
    for vv in (v100, v1000):
        if not vv:
            continue
        bursts = get("cycle", vv, "wakeup_bursts_per_cycle")
        vc = get("cycle", vv, "vcsw_per_cycle")
        rows.append((f"wake-ups with checks ({vv.split(' every')[0]}): exactly one batched wake-up per interval",
                     f"{fmt(bursts, 2)} separate wake-up instants per interval, {fmt(vc, 2)} voluntary switches "
                     "per interval", ok(bursts is not None and abs(bursts - 1) < 0.01)))
    if v1000n:
        vc = get("cycle", v1000n, "vcsw_window")
        rows.append(("wake-ups without checks (1000 programs): zero",
                     f"{fmt(vc, 0)} voluntary switches in {fmt(get('cycle', v1000n, 'window_s'), 0)} s", ok(vc == 0)))
    hv = find("http", "every=")
    if hv:
        worst = get("http", hv, "fail_to_new_process_ms_max")
        bound = get("http", hv, "bound_every_x_fails_plus_restart_max_ms")
        over = get("http", hv, "over_bound_max_failures")
        n = get("http", hv, "restarted_n") or get("http", hv, "fail_to_new_process_ms_n")
        rows.append((f"HTTP endpoint failing → restarted ({hv}): at most every × fails + restart latency",
                     f"worst {fmt(worst, 0)} ms of {fmt(n, 0)} failures, bound {fmt(bound, 0)} ms "
                     f"(every × fails + the slowest measured restart); over the bound: {fmt(over, 0)}",
                     ok(over == 0) if over is not None else "—"))
    av = find("alert", "")
    if av:
        for kind in ("email", "webhook"):
            med = get("alert", av, f"{kind}_finding_to_received_ms_median")
            mx = get("alert", av, f"{kind}_finding_to_received_ms_max")
            fl = get("alert", av, f"{kind}_floor_exec_to_received_ms_median")
            what = "accepted by the SMTP sink" if kind == "email" else "received by the HTTP sink"
            rows.append((f"critical finding → {kind} {what}: < 100 ms",
                         f"median {fmt(med, 1)} ms, max {fmt(mx, 1)} ms "
                         f"(vigil-alert alone, exec → received: {fmt(fl, 1)} ms)",
                         ok(mx is not None and mx < 100) + (" (median)" if med is not None and med < 100 <= mx else "")))
    L.append("## Targets (issue 9)\n")
    L.append("| target | measured | met |\n|---|---|---|")
    L.extend(f"| {a} | {b} | {c} |" for a, b, c in rows)
    L.append("")

    # ---- cycle figures ---------------------------------------------------------------
    if order.get("cycle"):
        L.append("## Sampling cycle: CPU, wake-ups, memory\n")
        metrics = [("all_started_ms", "all programs started (ms after launch)", 0),
                   ("run_ms_per_cycle", "CPU run time per interval (ms, schedstat, all threads)", 2),
                   ("run_ms_per_burst", "CPU run time per wake-up burst (ms)", 2),
                   ("cpu_ms_per_cycle", "utime+stime per interval (ms, 10 ms ticks)", 1),
                   ("vcsw_per_cycle", "voluntary context switches per interval", 2),
                   ("wakeup_bursts_per_cycle", "separate wake-up instants (100 ms slots) per interval", 2),
                   ("nvcsw_window", "involuntary switches in the window", 0),
                   ("threads", "threads", 0),
                   ("vmrss_kb", "RSS (kB)", 0)]
        vs = order["cycle"]
        L.append("| figure | " + " | ".join(vs) + " |")
        L.append("|---" * (len(vs) + 1) + "|")
        for m, label, nd in metrics:
            L.append(f"| {label} | " + " | ".join(fmt(get("cycle", v, m), nd) for v in vs) + " |")
        L.append("")
    if hv:
        L.append(f"## HTTP endpoint failing → program restarted ({hv})\n")
        L.append("| figure (ms) | median | min | max | n |\n|---|---|---|---|---|")
        for m, label in (("fail_to_new_process_ms", "endpoint fails → new process started (its own stamp)"),
                         ("fail_to_first_500_answer_ms", "  fails → first failing probe (phase within the interval)"),
                         ("first_500_answer_to_crit_event_ms", "  first failing probe → CRIT (the other fails − 1 probes)"),
                         ("crit_event_to_new_process_ms", "  CRIT → new process started (the restart)"),
                         ("restart_latency_ms", "restart latency: `vigil restart`'s STOPPING event → new process"),
                         ("restart_cmd_to_new_process_ms", "`vigil restart` command → new process (CLI start-up included)")):
            L.append(f"| {label} | {fmt(get('http', hv, m + '_median'), 1)} | {fmt(get('http', hv, m + '_min'), 1)} | "
                     f"{fmt(get('http', hv, m + '_max'), 1)} | {fmt(get('http', hv, m + '_n'), 0)} |")
        L.append("")
    if av:
        L.append(f"## Critical finding → alert received ({av})\n")
        L.append("| figure (ms) | median | min | max | n |\n|---|---|---|---|---|")
        rows = [("trigger_to_finding_ms", "file removed → CRIT finding (the 1 s sampling; not in the target)")]
        for kind in ("email", "webhook"):
            rows += [(f"{kind}_finding_to_received_ms", f"CRIT finding → {kind} received"),
                     (f"{kind}_recovery_finding_to_received_ms", f"recovery finding → {kind} received"),
                     (f"{kind}_floor_exec_to_received_ms", f"floor: vigil-alert started by hand → {kind} received"),
                     (f"{kind}_floor_exec_to_exit_ms", f"floor: vigil-alert started by hand → exited ({kind})")]
        for m, label in rows:
            L.append(f"| {label} | {fmt(get('alert', av, m + '_median'), 1)} | {fmt(get('alert', av, m + '_min'), 1)} | "
                     f"{fmt(get('alert', av, m + '_max'), 1)} | {fmt(get('alert', av, m + '_n'), 0)} |")
        L.append("")
    if notes:
        L.append("## Notes recorded by the scenario\n")
        L.extend(f"- {a}: {b}" for a, b in notes)
        L.append("")
    extra = out[:-3] + ".notes.md"
    if os.path.exists(extra):
        L.append(open(extra).read())
    with open(out, "w") as f:
        f.write("\n".join(L) + "\n")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
