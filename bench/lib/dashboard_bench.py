#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# The dashboard's figures (issue 10; docs/benchmarks.md, "The web surface"), in headless
# Chromium driven by Selenium against the real vigild, reusing the browser tests' helpers
# (tests/browser/dashboard_test.py):
#   load  for 100 and 1000 programs: bytes transferred by the first load of / in a fresh
#         profile (the page, its stylesheet and modules, the API answers), and the time from
#         the start of navigation until the cards are painted (the page's "vigil-cards"
#         performance mark), the first load and the median of LOAD_REPS reloads.
#   rss   vigild's resident memory with 100 programs (10 of them logging a line a second):
#         idle with no client, then with 10 dashboards open and streaming (10 tabs, each with
#         its WebSocket: status and metrics, and one log view each) after RSS_SETTLE s.
# Run with Debian's python3 (python3-selenium): bench/run.sh web dashboard
import os
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "browser"))
from dashboard_test import Vigild, start_browser  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

LOAD_REPS = int(os.environ.get("LOAD_REPS", "5"))
RSS_SETTLE = float(os.environ.get("RSS_SETTLE", "20"))


def programs(n, logging=0):
    out = []
    for i in range(n):
        if i < logging:
            cmd = '["/bin/sh", "-c", "while :; do echo INFO still here; sleep 1; done"]'
        else:
            cmd = '["/bin/sleep", "1000000"]'
        out.append(f'[program.p{i:04d}]\ncommand = {cmd}\nstart_seconds = "0s"\n\n')
    return "".join(out)


def cards_painted(driver):
    return driver.execute_script('return performance.getEntriesByName("vigil-cards").length') > 0


def bench_load(n):
    v = Vigild(programs(n), name="bench-load")
    driver = start_browser(tempfile.mkdtemp(prefix="vigil-dl-"))
    try:
        deadline = time.time() + 60
        while v.vigil("status").stdout.count("RUNNING") < n and time.time() < deadline:
            time.sleep(0.1)
        driver.get(v.login_link())  # logs in, then redirects to / in this fresh profile
        WebDriverWait(driver, 60).until(cards_painted)
        first = driver.execute_script('return performance.getEntriesByName("vigil-cards")[0].startTime')
        transferred = driver.execute_script(
            'const nav = performance.getEntriesByType("navigation")[0];'
            'return nav.transferSize + performance.getEntriesByType("resource")'
            '.reduce((s, r) => s + r.transferSize, 0);')
        count = len(driver.find_elements(By.CSS_SELECTOR, "#program-cards article"))
        times = []
        for _ in range(LOAD_REPS):
            driver.refresh()
            WebDriverWait(driver, 60).until(cards_painted)
            times.append(driver.execute_script('return performance.getEntriesByName("vigil-cards")[0].startTime'))
        return {"programs": n, "cards": count, "first_ms": first, "reload_ms": statistics.median(times),
                "bytes": transferred}
    finally:
        driver.quit()
        v.stop()


def bench_rss():
    v = Vigild(programs(100, logging=10), name="bench-rss")
    drivers = []
    try:
        deadline = time.time() + 60
        while v.vigil("status").stdout.count("RUNNING") < 100 and time.time() < deadline:
            time.sleep(0.1)
        time.sleep(RSS_SETTLE)  # the same settling as with the dashboards below
        idle = rss_kb(v.proc.pid)
        driver = start_browser(tempfile.mkdtemp(prefix="vigil-dl-"))
        drivers.append(driver)
        driver.get(v.login_link())
        WebDriverWait(driver, 60).until(cards_painted)
        handles = [driver.current_window_handle]
        for i in range(9):
            driver.switch_to.new_window("tab")
            handles.append(driver.current_window_handle)
        for i, handle in enumerate(handles):
            driver.switch_to.window(handle)
            driver.get(f"{v.base}/#/program/p{i:04d}/logs")  # a program's page: its log view streams
            WebDriverWait(driver, 60).until(lambda d: d.find_elements(By.CSS_SELECTOR, "main"))
        streams = 0
        deadline = time.time() + 30
        while time.time() < deadline:
            metrics = v.api("GET", "/metrics")[1]
            streams = next((int(float(line.split()[1])) for line in metrics.splitlines()
                            if line.startswith("vigil_stream_connections ")), 0)
            if streams >= 10:
                break
            time.sleep(0.2)
        time.sleep(RSS_SETTLE)
        busy = rss_kb(v.proc.pid)
        return {"idle_kb": idle, "dashboards_kb": busy, "streams": streams}
    finally:
        for d in drivers:
            d.quit()
        v.stop()


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return -1


def main():
    parts = sys.argv[1:] or ["load", "rss"]
    load = os.getloadavg()[0]
    print(f"# dashboard bench {time.strftime('%F %T')}, {os.cpu_count()} CPUs, load {load:.2f} at start")
    if "load" in parts:
        print("\n## First load of the dashboard in headless Chromium\n")
        print("| programs | cards | bytes transferred (first load) | cards painted, first load | "
              f"cards painted, reload (median of {LOAD_REPS}) |")
        print("|---|---|---|---|---|")
        for n in (100, 1000):
            r = bench_load(n)
            print(f"| {r['programs']} | {r['cards']} | {r['bytes']} | {r['first_ms']:.0f} ms | {r['reload_ms']:.0f} ms |")
    if "rss" in parts:
        r = bench_rss()
        print("\n## vigild's RSS with 10 dashboards open (100 programs, 10 of them logging)\n")
        print("| no client | 10 dashboards streaming | difference | streams open |")
        print("|---|---|---|---|")
        print(f"| {r['idle_kb']} kB | {r['dashboards_kb']} kB | {r['dashboards_kb'] - r['idle_kb']} kB | {r['streams']} |")


if __name__ == "__main__":
    main()
