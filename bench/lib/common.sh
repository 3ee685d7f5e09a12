# shellcheck shell=bash
# Common helpers for the peer supervisor benchmark. Sourced by scenarios.
#
# Conventions
#   PB       scratch root (/tmp/vigilbench by default, override PEERBENCH_SCRATCH)
#   BIN      the compiled helper (child.c)
#   RUNDIR   fresh directory for one run of one peer ($PB/<peer>/run)
#   EVENTS   event file the children append "S|T|F <ns> <pid> <name>" lines to
#   RAW      TSV file results are appended to

BENCH_ROOT=${BENCH_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
PB=${PEERBENCH_SCRATCH:-/tmp/vigilbench}
BIN=$PB/bin/bench-child
BENCH_DATE=${BENCH_DATE:-$(date +%F)}
RAWDIR=${RAWDIR:-$BENCH_ROOT/results/raw-$BENCH_DATE}
export PATH="$PB/node_modules/.bin:$PATH"

REAPER_PID=
RUNDIR=
EVENTS=

log() { printf '[%s] %s\n' "$(date +%T)" "$*" >&2; }

build_child() {
    mkdir -p "$PB/bin"
    if [ ! -x "$BIN" ] || [ "$BENCH_ROOT/child.c" -nt "$BIN" ]; then
        # static: cheaper exec, so less of each measured latency is the
        # helper's own start-up; fall back to dynamic if no static libc
        gcc -O2 -Wall -static -o "$BIN" "$BENCH_ROOT/child.c" 2>/dev/null \
            || gcc -O2 -Wall -o "$BIN" "$BENCH_ROOT/child.c" || { log "gcc failed"; return 1; }
    fi
}

now_ns() { "$BIN" now; }

# name of child i: c0000 ...
child_name() { printf 'c%04d' "$1"; }

# expand_cmd CMD NAME : replace {name} in CMD
expand_cmd() { local c=$1; printf '%s' "${c//\{name\}/$2}"; }

# standard child command lines
idle_cmd() { printf '%s idle %s {name}' "$BIN" "$EVENTS"; }
flood_cmd() { printf '%s flood %s {name} %s %s' "$BIN" "$EVENTS" "$1" "$2"; }

# ---- run directory / bookkeeping -------------------------------------------
run_begin() {   # fresh RUNDIR for $PEER
    RUNDIR=$PB/$PEER/run
    rm -rf "$RUNDIR"
    mkdir -p "$RUNDIR"
    EVENTS=$RUNDIR/events
    : > "$EVENTS"
}

# bench_launch CMD [ARGS...] : start the supervisor under our subreaper
# (bench-child reaper), so every process it forks or daemonizes stays our
# descendant. Sets REAPER_PID; $RUNDIR/t0 holds the ns timestamp taken right
# before the supervisor was fork+exec'ed.
bench_launch() {
    rm -f "$RUNDIR/reaper.pid" "$RUNDIR/t0"
    "$BIN" reaper "$RUNDIR/reaper.pid" "$RUNDIR/t0" "$RUNDIR/supervisor.out" -- "$@" \
        </dev/null >>"$RUNDIR/reaper.log" 2>&1 &
    REAPER_PID=$!
    echo "$REAPER_PID $RUNDIR" >> "$PB/active-reapers"
    local i
    for i in $(seq 1 500); do
        [ -s "$RUNDIR/t0" ] && return 0
        sleep 0.01
    done
    log "bench_launch: no t0 after 5 s"
    return 1
}

launch_t0() { cat "$RUNDIR/t0"; }

tree_pids() { [ -n "$REAPER_PID" ] && "$BIN" tree "$REAPER_PID"; }

# supervision tree without the supervised children (all descendants of the
# reaper that do not run the helper binary), and the children themselves
tree_nonchild_pids() { [ -n "$REAPER_PID" ] && "$BIN" tree "$REAPER_PID" others; }
tree_child_pids() { [ -n "$REAPER_PID" ] && "$BIN" tree "$REAPER_PID" children; }
# direct children of the reaper that are not the helper: the launched
# supervisor, plus daemons that detached and got reparented to the reaper
top_pids() { [ -n "$REAPER_PID" ] && "$BIN" tree "$REAPER_PID" direct-others; }
comm_of() { local c=; read -r c < "/proc/$1/comm" 2>/dev/null; printf '%s' "$c"; }

# run a function/command with a wall-clock bound (seconds)
with_timeout() {
    local t=$1; shift
    ( "$@" ) &
    local p=$! end=$((SECONDS + t))
    while kill -0 "$p" 2>/dev/null; do
        if [ "$SECONDS" -ge "$end" ]; then
            log "timeout ($t s): $*"
            kill -TERM "$p" 2>/dev/null
            sleep 0.5
            kill -KILL "$p" 2>/dev/null
            wait "$p" 2>/dev/null
            return 124
        fi
        sleep 0.05
    done
    wait "$p"
}

# wait until the reaper has no descendants left (bounded)
wait_tree_empty() {   # TIMEOUT_S ; echoes ns timestamp when observed empty
    local t=${1:-10} end
    end=$(( $(date +%s) + t ))
    while [ -n "$(tree_pids)" ]; do
        [ "$(date +%s)" -ge "$end" ] && return 1
        sleep 0.02
    done
    return 0
}

# Clean shutdown of the current run, then force-kill leftovers by PID.
cleanup_run() {
    [ -n "$REAPER_PID" ] || return 0
    if kill -0 "$REAPER_PID" 2>/dev/null; then
        if [ "${1:-}" != "force" ]; then
            with_timeout "${SHUTDOWN_TIMEOUT:-40}" adapter_shutdown >>"$RUNDIR/cleanup.log" 2>&1
            wait_tree_empty 15 || log "cleanup: tree not empty after shutdown, killing"
        fi
        local p left
        left=$(tree_pids)
        if [ -n "$left" ]; then
            for p in $left; do kill -TERM "$p" 2>/dev/null; done
            sleep 1
            for p in $(tree_pids); do kill -KILL "$p" 2>/dev/null; done
            sleep 0.2
        fi
        kill -TERM "$REAPER_PID" 2>/dev/null
        wait "$REAPER_PID" 2>/dev/null
    fi
    REAPER_PID=
}

# procstat over a list of pids -> prints "rss_kb pss_kb cpu_ticks run_ns vcsw nvcsw nprocs"
sum_procstat() {
    [ $# -gt 0 ] || { echo "0 0 0 0 0 0 0"; return; }
    "$BIN" procstat "$@" | awk -F'\t' '{r+=$2; p+=$3; c+=$4+$5; n+=$8; v+=$6; nv+=$7; k++}
        END {printf "%d %d %d %d %d %d %d\n", r, p, c, n, v, nv, k}'
}

# ---- events -----------------------------------------------------------------
# waitev TAG COUNT TIMEOUT_MS -> "count first_ts max_ts nth_ts nth_pid"
waitev() { "$BIN" waitev "$EVENTS" "$@"; }
count_events() { grep -c "^$1 " "$EVENTS" 2>/dev/null || true; }

# wait until N children have started; returns nonzero on timeout
wait_started() {   # N TIMEOUT_S
    local r
    r=$(waitev S "$1" $(( $2 * 1000 ))) || { log "only ${r%% *}/$1 children started within $2 s"; return 1; }
    echo "$r"
}

# ---- results ----------------------------------------------------------------
# record SCENARIO VARIANT METRIC VALUE UNIT
record() {
    mkdir -p "$RAWDIR"
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$(date +%FT%T)" "$PEER" "$1" "$2" "$3" "$4" "$5" >> "$RAWDIR/results.tsv"
}
# note SCENARIO TEXT  (free text, shown under the table)
note() {
    mkdir -p "$RAWDIR"
    printf '%s\t%s\t%s\t%s\n' "$(date +%FT%T)" "$PEER" "$1" "$2" >> "$RAWDIR/notes.tsv"
}

# ns difference to milliseconds with 3 decimals
ns_to_ms() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.3f", (b-a)/1e6}'; }

load_peer() {
    PEER=$1
    local f=$BENCH_ROOT/peers/$PEER.sh
    [ -f "$f" ] || { log "no adapter $f"; return 1; }
    # defaults an adapter may override
    adapter_supervisor_pids() { tree_nonchild_pids; }
    adapter_supports() {
        case $1 in logs-*-ts) echo "$PEER: no per-line timestamp option in this adapter"; return 1 ;; esac
        return 0
    }
    # shellcheck source=/dev/null
    . "$f"
}

scenario_main() {   # common prologue for scenario scripts: PEER [N]
    set -u
    build_child || exit 1
    load_peer "$1" || exit 1
    adapter_check || { note "${SCENARIO}" "peer not available: $(adapter_check 2>&1)"; exit 3; }
    trap 'record "$SCENARIO" machine loadavg_1m_end "$(cut -d" " -f1 /proc/loadavg)" load; cleanup_run' EXIT
    trap 'cleanup_run; exit 130' INT TERM
    ulimit -n 20000 2>/dev/null || true
    record "$SCENARIO" machine loadavg_1m_start "$(cut -d' ' -f1 /proc/loadavg)" load
}
