#!/usr/bin/env python3
"""Service-integration figures (issue 11), vigild only, each against a floor measured
in the same run:

  daemon  `vigild --daemon` with 100 programs: time from the command to its exit with the
          daemon ready, against 100 back-to-back fork+execs of the same child (bench-child
          spawnseq). Also when the last of the 100 children had started.
  reap    vigild as PID 1 of a new PID namespace (unshare --pid --fork --mount-proc):
          N orphans released at once from outside (nsenter, as `docker exec` would), time
          until vigild has reaped them all; against a parent reaping N children of its own.

usage: service_bench.py [daemon] [reap]    (env: VIGILD, REPS, PROGRAMS, ORPHANS)
Prints a Markdown section on stdout.
"""
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REPO = os.path.dirname(ROOT)
VIGILD = os.environ.get("VIGILD", os.path.join(REPO, "build", "vigild"))
REPS = int(os.environ.get("REPS", "5"))
PROGRAMS = int(os.environ.get("PROGRAMS", "100"))
ORPHANS = [int(n) for n in os.environ.get("ORPHANS", "1000 10000").split()]
SCRATCH = tempfile.mkdtemp(prefix="vigil-service-bench-")


def build(source, name, static=True):
    out = os.path.join(SCRATCH, name)
    flags = ["-static"] if static else []
    subprocess.run(["gcc", "-O2", "-Wall", *flags, "-o", out, source], check=True)
    return out


def wait_until(condition, timeout=60.0, step=0.0005):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(step)
    return condition()


def alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False


def write_config(directory, programs, child, events):
    lines = ["[vigil]", f'state_dir = "{directory}/state"', f'log_dir = "{directory}/logs"',
             f'socket = "{directory}/vigil.sock"', ""]
    for i in range(programs):
        lines += [f"[program.p{i}]", f'command = ["{child}", "idle", "{events}", "p{i}"]', ""]
    path = os.path.join(directory, "vigil.toml")
    with open(path, "w") as f:
        f.write("\n".join(lines))
    return path


def start_times(events):
    out = []
    with open(events) as f:
        for line in f:
            if line.startswith("S "):
                out.append(int(line.split()[1]))
    return out


def daemon_part(child):
    ready_ms, last_child_ms, floor_ms = [], [], []
    for rep in range(REPS):
        d = os.path.join(SCRATCH, f"daemon{rep}")
        os.makedirs(d)
        events = os.path.join(d, "events")
        config = write_config(d, PROGRAMS, child, events)
        t0 = time.time_ns()
        r = subprocess.run([VIGILD, "--daemon", "--config", config], capture_output=True, text=True)
        t1 = time.time_ns()
        if r.returncode != 0:
            sys.exit(f"vigild --daemon failed: {r.stderr}")
        ready_ms.append((t1 - t0) / 1e6)
        wait_until(lambda: os.path.exists(events) and len(start_times(events)) >= PROGRAMS, 30)
        last_child_ms.append((max(start_times(events)) - t0) / 1e6)
        with open(os.path.join(d, "state", "vigild.pid")) as f:
            pid = int(f.read())
        os.kill(pid, signal.SIGTERM)
        wait_until(lambda: not alive(pid), 60, 0.01)
        seq = subprocess.run([child, "spawnseq", os.path.join(d, "seq-events"), str(PROGRAMS)],
                             capture_output=True, text=True, check=True)
        floor_ms.append(float(seq.stdout.split()[0]))
    med = statistics.median
    print(f"### `vigild --daemon`, {PROGRAMS} programs ({REPS} runs, medians)\n")
    print("| measure | ms |")
    print("|---|---|")
    print(f"| command to its exit, daemon ready | {med(ready_ms):.1f} |")
    print(f"| command to the last child's start | {med(last_child_ms):.1f} |")
    print(f"| floor: {PROGRAMS} back-to-back fork+execs of the same child | {med(floor_ms):.1f} |")
    print(f"| ratio ready / floor | {med(ready_ms) / med(floor_ms):.2f} |")
    print(f"\nruns (ready): {', '.join(f'{x:.1f}' for x in ready_ms)}\n")


def children_of(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return f.read().split()
    except FileNotFoundError:
        return []


def reap_part(orphans):
    d = os.path.join(SCRATCH, "reap")
    os.makedirs(d)
    config = write_config(d, 0, "", "")
    unshare = subprocess.Popen(["/usr/bin/unshare", "--pid", "--fork", "--mount-proc", VIGILD, "--config", config],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until(lambda: len(children_of(unshare.pid)) == 1 and os.path.exists(os.path.join(d, "vigil.sock")), 30)
        vigild = int(children_of(unshare.pid)[0])
        rows = []
        for n in ORPHANS:
            rates, floors = [], []
            for _ in range(REPS):
                r = subprocess.run(["/usr/bin/nsenter", "--target", str(vigild), "--pid", "--", orphans, "orphan",
                                    str(n)], capture_output=True, text=True, check=True)
                t0 = int(r.stdout)
                wait_until(lambda: not children_of(vigild), 120, 0.0002)
                elapsed = (time.time_ns() - t0) / 1e9
                rates.append(n / elapsed)
                f = subprocess.run([orphans, "reap", str(n)], capture_output=True, text=True, check=True)
                floors.append(n / (int(f.stdout) / 1e9))
            rows.append((n, statistics.median(rates), statistics.median(floors)))
    finally:
        # unshare does not pass signals on: vigild, its child, gets the SIGTERM.
        for pid in children_of(unshare.pid):
            os.kill(int(pid), signal.SIGTERM)
        unshare.wait(60)
    print(f"### Zombies reaped per second, vigild as PID 1 ({REPS} runs, medians)\n")
    print("| orphans released at once | vigild as PID 1 (reaped/s) | floor: a parent reaping its own (reaped/s) | ratio |")
    print("|---|---|---|---|")
    for n, rate, floor in rows:
        print(f"| {n} | {rate:,.0f} | {floor:,.0f} | {rate / floor:.2f} |")
    print("\nThe vigild figure runs from the release to the moment /proc shows vigild without "
          "children, polled every 0.2 ms, so it includes up to that much of polling delay.\n")


def main():
    parts = sys.argv[1:] or ["daemon", "reap"]
    child = build(os.path.join(ROOT, "child.c"), "bench-child")
    orphans = build(os.path.join(ROOT, "lib", "orphans.c"), "orphans")
    print(f"## Service integration ({time.strftime('%Y-%m-%d')}, {os.cpu_count()} CPUs, {os.path.relpath(VIGILD, REPO)})\n")
    try:
        if "daemon" in parts:
            daemon_part(child)
        if "reap" in parts:
            reap_part(orphans)
    finally:
        shutil.rmtree(SCRATCH, ignore_errors=True)


if __name__ == "__main__":
    main()
