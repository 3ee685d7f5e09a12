#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# The web surface's figures (issue 10; docs/benchmarks.md, "The web surface"), measured on
# this machine in one run:
#   api   requests per second for the program list with 100 programs: vigild's
#         GET /v1/programs over TCP with a token, against supervisord's XML-RPC
#         supervisor.getAllProcessInfo on its inet_http_server, both with wrk (keep-alive,
#         1 and 10 connections).
#   ws    log lines per second delivered to 1 and to 10 WebSocket clients of /v1/stream
#         during a flood (one program writing FLOOD_LINES 100-byte lines as fast as it
#         can), each client reading as fast as it can; lines dropped for the slower
#         clients; whether the log file holds every line.
#   steady  the stream's capacity without drops: one program writing 100-byte lines at a
#         steady rate (STEADY_RATES lines/s, each for STEADY_SECONDS), to 1 and to 10
#         clients; lines delivered and dropped per rate. The clients are Python and share
#         the 2 CPUs with vigild and the writer, so the figure is for the whole machine.
# Run with Debian's python3 (python3-websocket): bench/run.sh web [api] [ws] [steady]
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

import websocket  # python3-websocket

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
VIGILD = os.environ.get("VIGILD", os.path.join(ROOT, "build", "vigild"))
VIGIL = os.path.join(os.path.dirname(VIGILD), "vigil")
CHILD = os.environ.get("CHILD", os.path.join(ROOT, "build", "tests", "helpers", "vigil-test-child"))
PROGRAMS = int(os.environ.get("API_PROGRAMS", "100"))
WRK_SECONDS = os.environ.get("WRK_SECONDS", "10")
FLOOD_LINES = int(os.environ.get("FLOOD_LINES", "500000"))
STEADY_RATES = [int(r) for r in os.environ.get("STEADY_RATES", "5000 10000 20000 40000 80000").split()]
STEADY_SECONDS = float(os.environ.get("STEADY_SECONDS", "5"))

# A writer of `rate` 100-byte lines a second for `seconds`, in batches every 10 ms, paced
# by the clock (a late batch is caught up, never skipped), then idle.
STEADY_WRITER = r"""
import os, sys, time
rate, seconds = int(sys.argv[1]), float(sys.argv[2])
total = int(rate * seconds)
start = time.monotonic()
written = 0
while written < total:
    due = min(total, int((time.monotonic() - start) * rate) + 1)
    if due > written:
        os.write(1, b"".join(b"%012d " % i + b"x" * 86 + b"\n" for i in range(written, due)))
        written = due
    time.sleep(0.01)
time.sleep(1e6)
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(condition, deadline=30.0):
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.02)
    raise SystemExit("timed out waiting for " + getattr(condition, "__name__", "a condition"))


class Vigild:
    def __init__(self, body):
        self.dir = tempfile.mkdtemp(prefix="vigil-web-bench-")
        self.port = free_port()
        self.config = os.path.join(self.dir, "vigil.toml")
        self.socket = os.path.join(self.dir, "vigil.sock")
        with open(self.config, "w") as f:
            f.write(f'[vigil]\nsocket = "{self.socket}"\nlog_dir = "{self.dir}/logs"\nstate_dir = "{self.dir}/state"\n\n'
                    f'[http]\nlisten = "127.0.0.1:{self.port}"\n\n{body}')
        self.proc = subprocess.Popen([VIGILD, "--config", self.config], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        wait_for(lambda: self.vigil("status").returncode == 0)
        self.token = self.vigil("token").stdout.split()[0]

    def vigil(self, *args):
        return subprocess.run([VIGIL, "--socket", self.socket, *args], capture_output=True, text=True)

    def rss_kb(self):
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return -1

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(60)
        shutil.rmtree(self.dir, ignore_errors=True)


def wrk(url, connections, headers=(), script=None):
    args = ["wrk", "-t1", f"-c{connections}", f"-d{WRK_SECONDS}s", "--latency"]
    for h in headers:
        args += ["-H", h]
    if script:
        args += ["-s", script]
    out = subprocess.run(args + [url], capture_output=True, text=True, check=True).stdout
    rps = float(next(line.split()[1] for line in out.splitlines() if line.startswith("Requests/sec:")))
    p50 = next(line.split()[1] for line in out.splitlines() if line.strip().startswith("50%"))
    non2xx = [line for line in out.splitlines() if "Non-2xx" in line]
    if non2xx:
        raise SystemExit("wrk saw errors: " + non2xx[0] + "\n" + out)
    return rps, p50


def bench_api():
    body = "".join(f'[program.p{i:03d}]\ncommand = ["sleep", "1000000"]\nstart_seconds = "0s"\n\n'
                   for i in range(PROGRAMS))
    v = Vigild(body)
    results = []
    try:
        wait_for(lambda: v.vigil("status").stdout.count("RUNNING") == PROGRAMS)
        url = f"http://127.0.0.1:{v.port}/v1/programs"
        size = len(subprocess.run(["curl", "-s", "-H", f"Authorization: Bearer {v.token}", url],
                                  capture_output=True).stdout)
        for c in (1, 10):
            rps, p50 = wrk(url, c, [f"Authorization: Bearer {v.token}"])
            results.append(("vigild", c, rps, p50, size))
    finally:
        v.stop()

    d = tempfile.mkdtemp(prefix="supervisord-web-bench-")
    port = free_port()
    conf = os.path.join(d, "supervisord.conf")
    with open(conf, "w") as f:
        f.write(f"[inet_http_server]\nport=127.0.0.1:{port}\n\n[supervisord]\nlogfile={d}/supervisord.log\n"
                f"pidfile={d}/supervisord.pid\nchildlogdir={d}\nnodaemon=true\n\n"
                "[rpcinterface:supervisor]\n"
                "supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface\n")
        for i in range(PROGRAMS):
            f.write(f"\n[program:p{i:03d}]\ncommand=sleep 1000000\nstartsecs=0\nstdout_logfile=NONE\n"
                    "stderr_logfile=NONE\n")
    lua = os.path.join(d, "xmlrpc.lua")
    xml = ("<?xml version='1.0'?><methodCall><methodName>supervisor.getAllProcessInfo</methodName>"
           "<params></params></methodCall>")
    with open(lua, "w") as f:
        f.write(f'wrk.method = "POST"\nwrk.body = "{xml}"\nwrk.headers["Content-Type"] = "text/xml"\n')
    proc = subprocess.Popen(["supervisord", "-n", "-c", conf], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}/RPC2"

        def all_running():
            r = subprocess.run(["curl", "-s", "-H", "Content-Type: text/xml", "--data-binary", xml, url],
                               capture_output=True, text=True)
            return r.stdout.count("<value><string>RUNNING</string></value>") == PROGRAMS
        wait_for(all_running, 60)
        size = len(subprocess.run(["curl", "-s", "-H", "Content-Type: text/xml", "--data-binary", xml, url],
                                  capture_output=True).stdout)
        for c in (1, 10):
            rps, p50 = wrk(url, c, script=lua)
            results.append(("supervisord", c, rps, p50, size))
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(60)
        shutil.rmtree(d, ignore_errors=True)
    return results


def ws_client(port, token, program, expect_lines, ready_fd, out_path):
    """One client process: subscribes, says so on ready_fd, reads until every seq is
    accounted for, writes its figures as JSON."""
    ws = websocket.create_connection(f"ws://127.0.0.1:{port}/v1/stream",
                                     header=[f"Authorization: Bearer {token}"],
                                     origin=f"http://127.0.0.1:{port}", timeout=120)
    ws.recv()  # hello
    ws.send(json.dumps({"op": "subscribe", "topic": "logs", "program": program}))
    while json.loads(ws.recv())["type"] != "ack":
        pass
    os.write(ready_fd, b"x")
    received = dropped = 0
    first = last = None
    seen = 0
    while seen < expect_lines:
        m = json.loads(ws.recv())
        now = time.monotonic()
        if m["type"] == "logs":
            first = first or now
            received += len(m["lines"])
            seen = m["lines"][-1]["seq"]
            last = now
        elif m["type"] == "dropped":
            dropped += m["count"]
            seen = m["to_seq"]
    ws.close()
    with open(out_path, "w") as f:
        json.dump({"received": received, "dropped": dropped, "first": first, "last": last}, f)


def bench_ws():
    results = []
    for clients in (1, 10):
        body = (f'[program.flood]\ncommand = ["{CHILD}", "flood", "{FLOOD_LINES}"]\nautostart = false\n'
                'start_seconds = "0s"\nstdout = { max_size = "1GB" }\n')
        v = Vigild(body)
        try:
            idle_rss = v.rss_kb()
            log = os.path.join(v.dir, "logs", "flood.out.log")
            seen = {"peak": idle_rss}

            def start_and_watch():
                seen["start"] = time.monotonic()
                v.vigil("start", "flood")
                while (os.path.getsize(log) if os.path.exists(log) else 0) < FLOOD_LINES * 100:
                    seen["peak"] = max(seen["peak"], v.rss_kb())
                    time.sleep(0.05)
                seen["written"] = time.monotonic() - seen["start"]
            figures = run_clients(v, clients, "flood", FLOOD_LINES, start_and_watch)
            start, written = seen["start"], seen["written"]
            peak = max(seen["peak"], v.rss_kb())
            complete = os.path.getsize(log) == FLOOD_LINES * 100
            for f in figures:
                f["seconds"] = (f["last"] or start) - start
            results.append({"clients": clients, "file_seconds": written, "complete": complete,
                            "rss_growth_kb": peak - idle_rss, "per_client": figures})
        finally:
            v.stop()
    return results


def run_clients(v, clients, program, lines, start_program):
    """Forks `clients` ws_client processes, calls start_program() once all subscribed, and
    returns their figures when each has accounted for `lines` seqs."""
    pids, outs = [], []
    r, w = os.pipe()
    for i in range(clients):
        out = os.path.join(v.dir, f"client{i}.json")
        pid = os.fork()
        if pid == 0:
            os.close(r)
            try:
                ws_client(v.port, v.token, program, lines, w, out)
            finally:
                os._exit(0)
        pids.append(pid)
        outs.append(out)
    os.close(w)
    got = 0
    while got < clients:
        got += len(os.read(r, clients))
    os.close(r)
    start_program()
    for pid in pids:
        os.waitpid(pid, 0)
    return [json.load(open(o)) for o in outs]


def bench_steady():
    results = []
    for clients in (1, 10):
        for rate in STEADY_RATES:
            lines = int(rate * STEADY_SECONDS)
            v = Vigild("")
            try:
                writer = os.path.join(v.dir, "writer.py")
                with open(writer, "w") as f:
                    f.write(STEADY_WRITER)
                with open(v.config, "a") as f:
                    f.write(f'[program.steady]\ncommand = ["/usr/bin/python3", "{writer}", "{rate}", '
                            f'"{STEADY_SECONDS}"]\nautostart = false\nstart_seconds = "0s"\n'
                            'stdout = { max_size = "1GB" }\n')
                v.vigil("reload")
                figures = run_clients(v, clients, "steady", lines, lambda: v.vigil("start", "steady"))
                log = os.path.join(v.dir, "logs", "steady.out.log")
                results.append({"clients": clients, "rate": rate, "lines": lines,
                                "complete": os.path.getsize(log) == lines * 100,
                                "delivered_min": min(f["received"] for f in figures),
                                "dropped_max": max(f["dropped"] for f in figures)})
            finally:
                v.stop()
    return results


def main():
    parts = sys.argv[1:] or ["api", "ws"]
    print(f"# web bench {time.strftime('%F %T')} on {os.uname().nodename}, {os.cpu_count()} CPUs")
    if "api" in parts:
        print(f"\n## API: program list with {PROGRAMS} programs, wrk -t1 -d{WRK_SECONDS}s, keep-alive\n")
        print("| server | connections | requests/s | median latency | body bytes |")
        print("|---|---|---|---|---|")
        res = bench_api()
        for name, c, rps, p50, size in res:
            print(f"| {name} | {c} | {rps:.0f} | {p50} | {size} |")
        for c in (1, 10):
            ours = next(r[2] for r in res if r[0] == "vigild" and r[1] == c)
            theirs = next(r[2] for r in res if r[0] == "supervisord" and r[1] == c)
            print(f"\nratio at {c} connection(s): vigild / supervisord = {ours / theirs:.1f}x")
    if "ws" in parts:
        print(f"\n## WebSocket log stream: a flood of {FLOOD_LINES} lines of 100 bytes\n")
        print("| clients | file written in | lines/s per client (median) | lines/s all clients | "
              "delivered (min per client) | dropped (max per client) | vigild RSS growth | file complete |")
        print("|---|---|---|---|---|---|---|---|")
        for r in bench_ws():
            per = sorted(f["received"] / f["seconds"] for f in r["per_client"] if f["seconds"] > 0)
            total = sum(f["received"] for f in r["per_client"]) / max(f["seconds"] for f in r["per_client"])
            print(f"| {r['clients']} | {r['file_seconds']:.2f} s | {per[len(per) // 2]:.0f} | {total:.0f} | "
                  f"{min(f['received'] for f in r['per_client'])} | {max(f['dropped'] for f in r['per_client'])} | "
                  f"{r['rss_growth_kb']} kB | {'yes' if r['complete'] else 'NO'} |")
    if "steady" in parts:
        print(f"\n## WebSocket log stream at a steady rate: 100-byte lines for {STEADY_SECONDS:g} s\n")
        print("| clients | lines/s written | lines | delivered (min per client) | dropped (max per client) | "
              "file complete |")
        print("|---|---|---|---|---|---|")
        for r in bench_steady():
            print(f"| {r['clients']} | {r['rate']} | {r['lines']} | {r['delivered_min']} | {r['dropped_max']} | "
                  f"{'yes' if r['complete'] else 'NO'} |")


if __name__ == "__main__":
    main()
