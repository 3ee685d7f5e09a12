#!/bin/bash
# Scheduled-task figures (issue #3), vigild only. Parts (default: all four):
#   lateness  how late scheduled runs start: exec timestamp of the task's own
#             command (lib/task_stamp.c) minus the nominal fire time, and
#             vigild's task_runs.started_ms minus the same. One vigild per
#             variant N:DUE:EVERY (N tasks configured, DUE of them `every
#             EVERY s` in UTC, all due at the same instants; the rest @yearly),
#             LATE_WINDOW s (120) after LATE_SETTLE s (3).
#             LATE_VARIANTS (default "10:1:1 10000:1:1 10:10:1 10000:1000:30").
#   idle      N tasks, all @yearly (none due for months), no programs: CPU time
#             and voluntary context switches (= wake-ups) of every vigild thread
#             over IDLE_WINDOW s (60) after IDLE_SETTLE s (10), sampled once a
#             second so each wake-up has a time and a thread. IDLE_VARIANTS
#             (default "10 10000"). asio caps any timer wait at 5 minutes, so a
#             window of 330 s or more shows that wake-up too.
#   store     StoreTest.EventsPerSecond (100 000 events through the history
#             writer), STORE_REPS (3) times.
#   growth    examples/server-maintenance.toml with time compressed
#             GROWTH_FACTOR (2160: every 6h -> every 10s, daily -> every 40s,
#             weekly -> every 280s) for GROWTH_DAYS simulated days (7: 280 s);
#             logical size of vigil.db and rows per task before and after;
#             then, in a scratch copy, the window's rows are inserted
#             GROWTH_COPIES (200) more times to measure bytes on disk per
#             byte of row payload at scale.
# usage: tasks.sh [PART...]   (run.sh tasks [PART...] snapshots the binaries
# first and writes the report)
BENCH_ROOT=${BENCH_ROOT:-$(cd "$(dirname "$0")/.." && pwd)}
BENCH_DATE=${BENCH_DATE:-$(date +%F)}
export RAWDIR=${RAWDIR:-$BENCH_ROOT/results/raw-tasks-$BENCH_DATE}
SCENARIO=tasks
. "$BENCH_ROOT/lib/common.sh"
PARTS=${*:-lateness idle store growth}
scenario_main vigild
REPO=$(cd "$BENCH_ROOT/.." && pwd)
STAMP=$PB/bin/task-stamp
M() { python3 "$BENCH_ROOT/lib/tasks_measure.py" "$@"; }

if [ ! -x "$STAMP" ] || [ "$BENCH_ROOT/lib/task_stamp.c" -nt "$STAMP" ]; then
    gcc -O2 -Wall -static -o "$STAMP" "$BENCH_ROOT/lib/task_stamp.c" 2>/dev/null \
        || gcc -O2 -Wall -o "$STAMP" "$BENCH_ROOT/lib/task_stamp.c" || { log "gcc task_stamp.c failed"; exit 1; }
fi

# fresh run dir; the config goes where the vigild adapter expects it
task_run_begin() {
    RUNDIR=$PB/vigild-tasks/run
    rm -rf "$RUNDIR"
    mkdir -p "$RUNDIR/state" "$RUNDIR/logs"
    EVENTS=$RUNDIR/events
    : > "$EVENTS"
}

# start vigild on $RUNDIR/vigil.toml; wait for its socket; record start-up time
task_start() {   # VARIANT PART
    adapter_start || return 1
    local i t0 t1
    for i in $(seq 1 6000); do
        [ -S "$(_vg_sock)" ] && break
        kill -0 "$REAPER_PID" 2>/dev/null || break
        sleep 0.01
    done
    t1=$(now_ns); t0=$(launch_t0)
    [ -S "$(_vg_sock)" ] || { log "vigild did not open its socket (see $RUNDIR/supervisor.out)"; note "$2" "$1: vigild did not start: $(tail -3 "$RUNDIR/supervisor.out" | tr '\n' ' ')"; return 1; }
    record "$2" "$1" startup_ms "$(ns_to_ms "$t0" "$t1")" ms
}

# record every "metric value unit" line of a measurement
record_lines() {   # PART VARIANT < lines
    local m v u
    while IFS=$'\t' read -r m v u; do [ -n "$m" ] && record "$1" "$2" "$m" "$v" "$u"; done
}

part_lateness() {
    local spec n due every v t_start t_end win=${LATE_WINDOW:-120} x
    # floor: a plain C parent fork+execs a static helper (bench/child.c spawnbase)
    mkdir -p "$PB/vigild-tasks"
    for x in $("$BIN" spawnbase "$PB/vigild-tasks/base-events" 50); do
        record lateness "baseline fork+exec" spawn_to_child_start_ms "$x" ms
    done
    rm -f "$PB/vigild-tasks/base-events"
    for spec in ${LATE_VARIANTS:-10:1:1 10000:1:1 10:10:1 10000:1000:30}; do
        IFS=: read -r n due every <<< "$spec"
        v="N=$n due=$due every=${every}s"
        log "=== lateness $v (${win} s)"
        task_run_begin
        python3 "$BENCH_ROOT/lib/tasks_config.py" synthetic "$(_vg_conf)" "$RUNDIR/state" "$RUNDIR/logs" \
            "$(_vg_sock)" "$n" "$due" "$every" "$STAMP" "$RUNDIR/stamps" || return 1
        task_start "$v" lateness || { cleanup_run; continue; }
        sleep "${LATE_SETTLE:-3}"
        t_start=$(now_ns)
        sleep "$win"
        t_end=$(now_ns)
        record lateness "$v" main_rss_kb "$(sum_procstat "$(adapter_main_pid)" | cut -d' ' -f1)" kB
        cleanup_run   # SIGTERM: vigild flushes the history and exits
        M lateness "$RUNDIR/stamps" "$RUNDIR/state/vigil.db" "$every" "$t_start" "$t_end" \
            "$RAWDIR/lateness-N$n-due$due-every$every.tsv" | record_lines lateness "$v"
    done
}

part_idle() {
    local n v win=${IDLE_WINDOW:-60}
    for n in ${IDLE_VARIANTS:-10 10000}; do
        v="N=$n window=${win}s"
        log "=== idle $v"
        task_run_begin
        python3 "$BENCH_ROOT/lib/tasks_config.py" synthetic "$(_vg_conf)" "$RUNDIR/state" "$RUNDIR/logs" \
            "$(_vg_sock)" "$n" 0 1 "$STAMP" "$RUNDIR/stamps" || return 1
        task_start "$v" idle || { cleanup_run; continue; }
        sleep "${IDLE_SETTLE:-10}"
        M sample "$(adapter_main_pid)" "$win" "$RAWDIR/idle-N$n-${win}s.json" | record_lines idle "$v"
        record idle "$v" main_rss_kb "$(sum_procstat "$(adapter_main_pid)" | cut -d' ' -f1)" kB
        [ -s "$RUNDIR/stamps" ] && note idle "$v: a task ran during the idle run: $(head -1 "$RUNDIR/stamps")"
        cleanup_run
    done
}

part_store() {
    local t=${STORE_TEST:-$PB/bin/vigil_store_test} r
    [ -x "$t" ] || t=$REPO/build/vigil_store_test
    [ -x "$t" ] || { note store "no vigil_store_test binary (build the release preset with tests)"; return 0; }
    note store "test binary $t, sha256 $(sha256sum "$t" | cut -c1-12), built $(date -r "$t" +%FT%T)"
    for ((r = 1; r <= ${STORE_REPS:-3}; r++)); do
        log "=== store rep $r"
        "$t" --gtest_also_run_disabled_tests --gtest_filter='*EventsPerSecond*' > "$RAWDIR/store-rep$r.txt" 2>&1
        M storetest "$RAWDIR/store-rep$r.txt" | record_lines store "EventsPerSecond"
    done
}

part_growth() {
    local f=${GROWTH_FACTOR:-2160} days=${GROWTH_DAYS:-7} win v
    win=$(awk -v d="$days" -v f="$f" 'BEGIN{printf "%d", d*86400/f + 0.5}')
    v="factor=$f days=$days"
    log "=== growth $v (${win} s)"
    task_run_begin
    python3 "$BENCH_ROOT/lib/tasks_config.py" example "$(_vg_conf)" "$RUNDIR/state" "$RUNDIR/logs" \
        "$(_vg_sock)" "$REPO/examples/server-maintenance.toml" "$f" > "$RAWDIR/growth-schedules.tsv" || return 1
    cp "$(_vg_conf)" "$RAWDIR/growth-config.toml"
    task_start "$v" growth || { cleanup_run; return 1; }
    sleep "${GROWTH_SETTLE:-5}"
    M dbsnap "$RUNDIR/state/vigil.db" "$RAWDIR/growth-t0.json" >/dev/null
    local t0 t1
    t0=$(now_ns)
    sleep "$win"
    M dbsnap "$RUNDIR/state/vigil.db" "$RAWDIR/growth-t1.json" >/dev/null
    t1=$(now_ns)
    cleanup_run
    record growth "$v" window_s "$(ns_to_ms "$t0" "$t1" | awk '{printf "%.1f", $1/1000}')" s
    record growth "$v" factor "$f" x
    record growth "$v" db_bytes_after_shutdown "$(stat -c %s "$RUNDIR/state/vigil.db")" bytes
    record growth "$v" wal_bytes_after_shutdown "$(stat -c %s "$RUNDIR/state/vigil.db-wal" 2>/dev/null || echo 0)" bytes
    M amplify "$RUNDIR/state/vigil.db" "$RAWDIR/growth-t0.json" "$RAWDIR/growth-t1.json" \
        "${GROWTH_COPIES:-200}" "$RAWDIR/growth-amplify.json" | record_lines growth "$v"
    du -sb "$RUNDIR/state/runs" 2>/dev/null | awk '{print "runs_dir_bytes\t"$1"\tbytes"}' | record_lines growth "$v"
}

for part in $PARTS; do
    case $part in
        lateness|idle|store|growth) "part_$part" || log "part $part exited $?" ;;
        *) log "unknown part $part (lateness idle store growth)"; exit 2 ;;
    esac
done
