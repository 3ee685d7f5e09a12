#!/usr/bin/env python3
"""Configs of the `health` benchmark (bench/scenarios/health.sh). stdlib only.

  health_config.py cycle-vigil RUNDIR N CHECKS EVERY_S CHILD EVENTS
      RUNDIR/vigil.toml: N idle programs c0000... (CHILD idle EVENTS NAME). CHECKS=1 adds
      the system checks (CPU 80/90 %, memory 85/95 %, disk / 90/95 %) and one memory check
      per program (crit 500MB, over its process group), all every EVERY_S seconds
      ([health] every). CHECKS=0: the same programs and no check at all.

  health_config.py cycle-monit RUNDIR N EVERY_S CHILD EVENTS
      RUNDIR/monitrc with the same checks for monit: `set daemon EVERY_S`, `check system`
      (cpu usage > 80 % / > 90 %, memory usage > 85 % / > 95 %), `check filesystem` on /
      (space usage > 90 % / > 95 %), and per program `check process cNNNN with pidfile`
      (with a start program, detached with setsid -f as bench/peers/monit.sh does) with
      `if totalmem > 500 MB` (the process and its children, as vigil's group figure).
      RUNDIR/start.sh starts the N programs (writing their pidfiles), then execs monit.

  health_config.py http RUNDIR PORT EVERY FAILS HCHILD
      RUNDIR/vigil.toml: one program `web` (HCHILD http PORT RUNDIR/failing EVENTS web),
      start_seconds = "0" (RUNNING as soon as it is spawned), with the shorthand
      health = { http = "http://127.0.0.1:PORT/", every = EVERY, fails = FAILS }.

  health_config.py alert RUNDIR SMTP_PORT HOOK_PORT
      RUNDIR/vigil.toml: a file check on RUNDIR/flag every 1s (CRIT while the file is
      missing), an email channel to 127.0.0.1:SMTP_PORT (tls = "none") and a webhook
      channel to http://127.0.0.1:HOOK_PORT/hook, both severity = "crit".
"""
import os
import sys


def q(s):
    return '"' + str(s).replace("\\", "\\\\").replace('"', '\\"') + '"'


def head(rundir):
    return (f"[vigil]\nstate_dir = {q(rundir + '/state')}\nlog_dir = {q(rundir + '/logs')}\n"
            f"socket = {q(rundir + '/vigil.sock')}\n")


def write(path, text):
    with open(path, "w") as f:
        f.write(text)


def cycle_vigil(rundir, n, checks, every, child, events):
    n, checks = int(n), checks == "1"
    out = [head(rundir)]
    if checks:
        out.append(f'\n[health]\nevery = "{every}s"\n')
        out.append('\n[check.cpu]\nmetric = "cpu"\nwarn = "80%"\ncrit = "90%"\n')
        out.append('\n[check.memory]\nmetric = "memory"\nwarn = "85%"\ncrit = "95%"\n')
        out.append('\n[check.root-disk]\nmetric = "disk"\npath = "/"\nwarn = "90%"\ncrit = "95%"\n')
    for i in range(n):
        name = f"c{i:04d}"
        out.append(f"\n[program.{name}]\ncommand = [{q(child)}, \"idle\", {q(events)}, {q(name)}]\n"
                   "stdout = { max_size = 0 }\n")
        if checks:
            out.append(f'\n[check.{name}-memory]\nmetric = "memory"\nprogram = "{name}"\ncrit = "500MB"\n')
    write(os.path.join(rundir, "vigil.toml"), "".join(out))


def cycle_monit(rundir, n, every, child, events):
    n = int(n)
    os.makedirs(os.path.join(rundir, "pids"), exist_ok=True)
    out = [f"set daemon {every}\nset logfile {rundir}/monit.log\nset pidfile {rundir}/monit.pid\n"
           f"set idfile {rundir}/monit.id\nset statefile {rundir}/monit.state\n\n",
           "check system bench\n"
           "  if cpu usage > 90% then alert\n  if cpu usage > 80% then alert\n"
           "  if memory usage > 95% then alert\n  if memory usage > 85% then alert\n\n",
           "check filesystem rootfs with path /\n"
           "  if space usage > 95% then alert\n  if space usage > 90% then alert\n\n"]
    for i in range(n):
        name = f"c{i:04d}"
        pid = f"{rundir}/pids/{name}.pid"
        out.append(f"check process {name} with pidfile {pid}\n"
                   f'  start program = "/usr/bin/setsid -f {child} idle {events} {name} {pid}"\n'
                   "  if totalmem > 500 MB then alert\n")
    path = os.path.join(rundir, "monitrc")
    write(path, "".join(out))
    os.chmod(path, 0o600)
    # monit starts a missing program and then waits for it to come up, about 0.3 s per
    # program here (1000 programs: 5 minutes). The programs are started beforehand by this
    # script, under the same subreaper, so monit's first cycle finds them all running,
    # and the script then becomes monit.
    start = ["#!/bin/sh\n"]
    for i in range(n):
        name = f"c{i:04d}"
        start.append(f"{child} idle {events} {name} {rundir}/pids/{name}.pid </dev/null >/dev/null 2>&1 &\n")
    start.append(f"exec monit -I -c {rundir}/monitrc\n")
    write(os.path.join(rundir, "start.sh"), "".join(start))


def http(rundir, port, every, fails, hchild):
    write(os.path.join(rundir, "vigil.toml"), head(rundir) + (
        f"\n[program.web]\ncommand = [{q(hchild)}, \"http\", \"{port}\", {q(rundir + '/failing')}, "
        f"{q(rundir + '/events')}, \"web\"]\nstart_seconds = \"0\"\n"
        f'health = {{ http = "http://127.0.0.1:{port}/", every = "{every}", fails = {fails} }}\n'))


def alert(rundir, smtp_port, hook_port):
    write(os.path.join(rundir, "vigil.toml"), head(rundir) + (
        f'\n[check.flag]\nfile = {q(rundir + "/flag")}\nevery = "1s"\n'
        f'\n[alert.mail]\ntype = "email"\nserver = "127.0.0.1"\nport = {smtp_port}\ntls = "none"\n'
        'from = "vigil@bench.test"\nto = "ops@bench.test"\nseverity = "crit"\n'
        f'\n[alert.hook]\ntype = "webhook"\nurl = "http://127.0.0.1:{hook_port}/hook"\nseverity = "crit"\n'))


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    {"cycle-vigil": cycle_vigil, "cycle-monit": cycle_monit, "http": http, "alert": alert}[cmd](*args)
