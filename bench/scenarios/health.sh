#!/bin/bash
# Health figures (issue #9): vigild, and monit from Debian with the same checks. Parts
# (default: all three):
#   cycle   CPU time per sampling cycle, wake-ups per cycle and RSS. One supervisor per
#           variant PEER:N[:MODE] (N idle programs; vigild MODE checks = the system checks
#           CPU 80/90 %, memory 85/95 %, disk / 90/95 % plus a memory check per program,
#           none = the same programs without any check; monit: the same system,
#           filesystem and per-process totalmem checks; the programs are started by a
#           script under the same subreaper that then execs monit). Interval
#           CYCLE_EVERY s (5) for both; after all N started and CYCLE_SETTLE s (10), a CYCLE_WINDOW s (60) window
#           sampled every 100 ms (lib/health_measure.py window).
#           CYCLE_VARIANTS (default "vigild:100:checks vigild:1000:none
#           vigild:1000:checks monit:100 monit:1000"). For HEALTH_PERF_VARIANTS
#           (vigild:1000:checks; empty: none) a perf profile of PERF_SECONDS (20) follows
#           the window (results in perf-*.txt).
#   http    A program serving HTTP (lib/health_child.c) with health = { http = ...,
#           every = HTTP_EVERY (1s), fails = HTTP_FAILS (3) }. HTTP_RESTARTS (10) plain
#           `vigil restart web` (the restart latency: the restart's STOPPING event -> new
#           process' own start stamp), then HTTP_REPS (8) failures at a random phase of the interval: the
#           helper creates the fail file (its timestamp) and the program answers 500 from
#           then on; measured until the new process' own start stamp.
#   alert   A file check (every 1s) that goes CRIT when its file is removed, with an email
#           channel to a local aiosmtpd sink and a webhook channel to a local HTTP sink
#           (lib/health_sinks.py, receive times from time.time_ns()). ALERT_REPS (10) raises
#           and recoveries, ALERT_HOLD s (2.5) apart: finding time_ms -> received by the sink.
#           Then the floor without vigild: vigil-alert started by hand ALERT_FLOOR_REPS (10)
#           times per channel, exec -> received.
# usage: health.sh [PART...]   (run.sh health [PART...] snapshots the binaries first and
# writes the report)
BENCH_ROOT=${BENCH_ROOT:-$(cd "$(dirname "$0")/.." && pwd)}
BENCH_DATE=${BENCH_DATE:-$(date +%F)}
export RAWDIR=${RAWDIR:-$BENCH_ROOT/results/raw-health-$BENCH_DATE}
SCENARIO=health
. "$BENCH_ROOT/lib/common.sh"
PARTS=${*:-cycle http alert}
scenario_main vigild
HC=$PB/bin/health-child
SINKPY=/usr/bin/python3    # Debian's python3 sees python3-aiosmtpd
M() { python3 "$BENCH_ROOT/lib/health_measure.py" "$@"; }
C() { python3 "$BENCH_ROOT/lib/health_config.py" "$@"; }
SINK_PIDS=
stop_sinks() {
    local p
    for p in $SINK_PIDS; do kill -TERM "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
    SINK_PIDS=
}
trap 'record "$SCENARIO" machine loadavg_1m_end "$(cut -d" " -f1 /proc/loadavg)" load; cleanup_run; stop_sinks' EXIT
trap 'cleanup_run; stop_sinks; exit 130' INT TERM

if [ ! -x "$HC" ] || [ "$BENCH_ROOT/lib/health_child.c" -nt "$HC" ]; then
    gcc -O2 -Wall -static -o "$HC" "$BENCH_ROOT/lib/health_child.c" 2>/dev/null \
        || gcc -O2 -Wall -o "$HC" "$BENCH_ROOT/lib/health_child.c" || { log "gcc health_child.c failed"; exit 1; }
fi

health_run_begin() {   # NAME: fresh run dir
    RUNDIR=$PB/health/$1
    rm -rf "$RUNDIR"
    mkdir -p "$RUNDIR/state" "$RUNDIR/logs"
    EVENTS=$RUNDIR/events
    : > "$EVENTS"
}

record_lines() {   # PART VARIANT < "metric value unit" lines
    local m v u
    while IFS=$'\t' read -r m v u; do [ -n "$m" ] && record "$1" "$2" "$m" "$v" "$u"; done
}

# wait for vigild's socket; record how long start-up took
vigild_up() {   # PART VARIANT
    local i
    for i in $(seq 1 6000); do
        [ -S "$(_vg_sock)" ] && break
        kill -0 "$REAPER_PID" 2>/dev/null || break
        sleep 0.01
    done
    [ -S "$(_vg_sock)" ] || { note "$1" "$2: vigild did not start: $(tail -3 "$RUNDIR/supervisor.out" | tr '\n' ' ')"; return 1; }
    record "$1" "$2" startup_ms "$(ns_to_ms "$(launch_t0)" "$(now_ns)")" ms
}

# where the CPU time of a cycle goes: perf over PERF_SECONDS (20) after the window, as a
# flat profile and by caller (text only; the perf.data is deleted)
perf_profile() {   # PID OUT
    command -v perf >/dev/null || { note cycle "perf not installed: no profile"; return 0; }
    local data=$RUNDIR/perf.data
    perf record -F 999 -g -p "$1" -o "$data" -- sleep "${PERF_SECONDS:-20}" >/dev/null 2>&1 \
        || { note cycle "perf record failed"; return 0; }
    {
        echo "# perf record -F 999 -g -p <vigild> -- sleep ${PERF_SECONDS:-20}; flat (self) profile"
        perf report -i "$data" --no-children --sort dso,symbol -g none --percent-limit 0.5 --stdio 2>/dev/null \
            | grep -v '^$'
        echo
        echo "# the same, with children (inclusive time by function)"
        perf report -i "$data" --children --sort symbol -g none --percent-limit 2 --stdio 2>/dev/null \
            | grep -v '^$'
    } | sed 's/  */ /g' > "$2"
    rm -f "$data"
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

part_cycle() {
    local spec peer n mode v every=${CYCLE_EVERY:-5} win=${CYCLE_WINDOW:-60} t0 r
    for spec in ${CYCLE_VARIANTS:-vigild:100:checks vigild:1000:none vigild:1000:checks monit:100 monit:1000}; do
        IFS=: read -r peer n mode <<< "$spec"
        [ "$peer" = monit ] && mode=checks
        v="$peer N=$n $mode every=${every}s"
        log "=== cycle $v (${win} s window)"
        load_peer "$peer" || continue
        adapter_check >/dev/null || { note cycle "$v: $(adapter_check)"; load_peer vigild; continue; }
        health_run_begin "cycle-$peer"
        if [ "$peer" = monit ]; then
            C cycle-monit "$RUNDIR" "$n" "$every" "$BIN" "$EVENTS"
        else
            C cycle-vigil "$RUNDIR" "$n" "$([ "$mode" = checks ] && echo 1 || echo 0)" "$every" "$BIN" "$EVENTS"
        fi || { note cycle "$v: config generation failed"; load_peer vigild; continue; }
        t0=$(now_ns)
        if [ "$peer" = monit ]; then
            bench_launch /bin/sh "$RUNDIR/start.sh"    # starts the programs, then becomes monit
        else
            adapter_start
        fi || { cleanup_run; load_peer vigild; continue; }
        if r=$(wait_started "$n" 300); then
            record cycle "$v" all_started_ms "$(ns_to_ms "$t0" "$(echo "$r" | cut -d' ' -f3)")" ms
            sleep "${CYCLE_SETTLE:-10}"
            M window "$(adapter_main_pid)" "$win" "$every" "$RAWDIR/cycle-$peer-N$n-$mode.json" \
                | record_lines cycle "$v"
            case " ${HEALTH_PERF_VARIANTS-vigild:1000:checks} " in
                *" $spec "*) perf_profile "$(adapter_main_pid)" "$RAWDIR/perf-$peer-N$n-$mode.txt" ;;
            esac
        else
            note cycle "$v: only ${r%% *} of $n programs started within 300 s"
        fi
        cleanup_run
        load_peer vigild
    done
}

part_http() {
    local every=${HTTP_EVERY:-1} fails=${HTTP_FAILS:-3} v port i k r t s pid old
    v="every=${every}s fails=$fails"
    log "=== http $v"
    health_run_begin http
    port=$(free_port)
    C http "$RUNDIR" "$port" "${every}s" "$fails" "$HC"
    adapter_start || return 1
    vigild_up http "$v" || { cleanup_run; return 1; }
    r=$(waitev S 1 10000) || { note http "$v: web did not start"; cleanup_run; return 1; }
    k=1
    wait_ok() {   # the check passes again (it starts over after a restart)
        local j
        for j in $(seq 1 100); do
            "$(_vg_cli)" --socket "$(_vg_sock)" health --json 2>/dev/null \
                | python3 -c 'import json,sys; c=[x for x in json.load(sys.stdin)["checks"] if x["name"]=="web.health"]; sys.exit(0 if c and c[0]["state"]=="OK" else 1)' \
                && return 0
            sleep 0.1
        done
        return 1
    }
    wait_ok || note http "$v: web.health not OK 10 s after start"
    : > "$RUNDIR/restarts.tsv"
    for ((i = 1; i <= ${HTTP_RESTARTS:-10}; i++)); do
        t=$("$HC" now)
        _vg_ctl restart web >/dev/null
        k=$((k + 1))
        r=$(waitev S "$k" 10000) || { note http "$v: no new process after restart $i"; break; }
        echo "$t $(echo "$r" | cut -d' ' -f4)" >> "$RUNDIR/restarts.tsv"
        sleep 0.3
    done
    wait_ok || note http "$v: web.health not OK after the restarts"
    : > "$RUNDIR/reps.tsv"
    for ((i = 1; i <= ${HTTP_REPS:-8}; i++)); do
        # a random phase within the check's interval
        sleep "$(awk -v s="$RANDOM" -v e="$every" 'BEGIN{printf "%.3f", 0.2 + e * s / 32768}')"
        old=$(echo "$r" | cut -d' ' -f5)
        t=$("$HC" fail "$RUNDIR/failing")
        k=$((k + 1))
        if r=$(waitev S "$k" $(( (every * fails + 10) * 1000 ))); then
            s=$(echo "$r" | cut -d' ' -f4); pid=$(echo "$r" | cut -d' ' -f5)
        else
            s=0 pid=0; note http "$v: failure $i: no restart within $((every * fails + 10)) s"
            rm -f "$RUNDIR/failing"; k=$((k - 1))
        fi
        echo "$i $t $old $s $pid" >> "$RUNDIR/reps.tsv"
        wait_ok || note http "$v: web.health not OK after failure $i"
    done
    _vg_ctl --json events --limit 1000 > "$RUNDIR/events.json" 2>/dev/null
    cp "$RUNDIR/events.json" "$RAWDIR/http-events.json"
    cp "$RUNDIR/reps.tsv" "$RAWDIR/http-reps.tsv"
    cp "$RUNDIR/restarts.tsv" "$RAWDIR/http-restarts.tsv"
    cp "$EVENTS" "$RAWDIR/http-child-events"
    cleanup_run
    M http "$RUNDIR/reps.tsv" "$EVENTS" "$RUNDIR/events.json" "$RUNDIR/restarts.tsv" "$every" "$fails" \
        | record_lines http "$v"
}

part_alert() {
    local v="file check every=1s, email + webhook" i t hold=${ALERT_HOLD:-2.5} d
    log "=== alert ($v)"
    health_run_begin alert
    for d in smtp http; do
        mkdir -p "$RUNDIR/sink-$d"
        "$SINKPY" "$BENCH_ROOT/lib/health_sinks.py" "$d" "$RUNDIR/sink-$d" > "$RUNDIR/sink-$d.log" 2>&1 &
        SINK_PIDS+=" $!"
    done
    for i in $(seq 1 100); do
        [ -s "$RUNDIR/sink-smtp/port" ] && [ -s "$RUNDIR/sink-http/port" ] && break
        sleep 0.05
    done
    [ -s "$RUNDIR/sink-smtp/port" ] && [ -s "$RUNDIR/sink-http/port" ] \
        || { note alert "sinks did not start: $(cat "$RUNDIR"/sink-*.log | tr '\n' ' ')"; stop_sinks; return 1; }
    C alert "$RUNDIR" "$(cat "$RUNDIR/sink-smtp/port")" "$(cat "$RUNDIR/sink-http/port")"
    touch "$RUNDIR/flag"
    adapter_start || { stop_sinks; return 1; }
    vigild_up alert "$v" || { cleanup_run; stop_sinks; return 1; }
    sleep 2
    : > "$RUNDIR/triggers.tsv"
    for ((i = 1; i <= ${ALERT_REPS:-10}; i++)); do
        t=$("$HC" now); rm -f "$RUNDIR/flag"; echo "$i raise $t" >> "$RUNDIR/triggers.tsv"
        sleep "$hold"
        t=$("$HC" now); touch "$RUNDIR/flag"; echo "$i recover $t" >> "$RUNDIR/triggers.tsv"
        sleep "$hold"
    done
    sleep 1
    _vg_ctl --json findings --limit 1000 > "$RUNDIR/findings.json" 2>/dev/null
    _vg_ctl --json events --limit 1000 > "$RUNDIR/events.json" 2>/dev/null
    cleanup_run
    # the floor: vigil-alert alone, started by hand with the same kind of request
    M alertfloor "$(dirname "$(_vg_bin)")/vigil-alert" "$(cat "$RUNDIR/sink-smtp/port")" \
        "$(cat "$RUNDIR/sink-http/port")" "${ALERT_FLOOR_REPS:-10}" "$RUNDIR/floor.tsv"
    sleep 0.5
    stop_sinks
    for f in triggers.tsv findings.json events.json floor.tsv; do cp "$RUNDIR/$f" "$RAWDIR/alert-$f"; done
    cp "$RUNDIR/sink-smtp/received.tsv" "$RAWDIR/alert-email-received.tsv" 2>/dev/null
    cp "$RUNDIR/sink-http/received.tsv" "$RAWDIR/alert-webhook-received.tsv" 2>/dev/null
    M alert "$RUNDIR/triggers.tsv" "$RUNDIR/findings.json" "$RUNDIR/sink-smtp/received.tsv" \
        "$RUNDIR/sink-http/received.tsv" "$RUNDIR/floor.tsv" | record_lines alert "$v"
}

mkdir -p "$RAWDIR"
for part in $PARTS; do
    case $part in
        cycle|http|alert) "part_$part" || log "part $part exited $?" ;;
        *) log "unknown part $part (cycle http alert)"; exit 2 ;;
    esac
done
