#!/usr/bin/env python3
# Demo program: stands in for a queue worker written for systemd's notify protocol (what
# libsystemd's sd_notify or Python's sdnotify send). It says READY=1 once "connected",
# then sends a WATCHDOG=1 heartbeat every 5 s with a STATUS= line. Freeze it
# (kill -STOP PID) and its heartbeats stop: vigild restarts it after `watchdog`.
import os
import socket
import time


def notify(message):
    address = os.environ.get("NOTIFY_SOCKET")
    if not address:
        return
    if address.startswith("@"):  # an abstract socket name
        address = "\0" + address[1:]
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as s:
        s.sendto(message.encode(), address)


print("queue-worker: connecting to the queue", flush=True)
time.sleep(1)
notify("READY=1\nSTATUS=waiting for jobs")
print("queue-worker: ready", flush=True)
jobs = 0
while True:
    time.sleep(5)
    jobs += 1
    notify(f"WATCHDOG=1\nSTATUS={jobs} jobs done")
