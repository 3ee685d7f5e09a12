#!/bin/bash
# Peer supervisor benchmark - entry point.
#
#   run.sh PEER SCENARIO [ARGS...]   one scenario for one peer
#   run.sh all [PEER...]             baseline, then every scenario for every
#                                    (given) peer (idlecpu twice: 2x10 s and
#                                    1x60 s windows), then the report
#   run.sh report                    results/raw-<date>/ -> results/peers-<date>.md
#   run.sh baseline [REPS]           spawn-latency floor without a supervisor
#   run.sh tasks [PART...]           scheduled-task figures, vigild only
#                                    (lateness idle store growth; about 20 min)
#                                    -> results/tasks-<date>.md
#   run.sh health [PART...]          health checks and alerts, vigild and monit
#                                    (cycle http alert; about 10 min)
#                                    -> results/health-<date>.md
#   run.sh service [PART...]         daemon mode and PID 1 figures, vigild only
#                                    (daemon reap; about 3 min)
#                                    -> results/service-<date>.md
#   run.sh cleanup                   kill leftover process trees of earlier,
#                                    interrupted runs (only our own reapers)
#   run.sh install                   apt install of the peers (npm pm2: optional)
#
# `all` measures vigild ($VIGILD, default <repo>/build/vigild, snapshotted
# into $PB/bin/ at the start) and the given peers in the same run, plus the
# no-supervisor baselines (fork+exec, 100/1000 back-to-back fork+execs, and
# the flood child piped through `cat` into a file for the log figures).
# Reps are reduced so a run takes about 40 min: COLD_REPS (5), COLD1000_REPS
# (2), STOP_REPS (3), LOG_REPS (3), RESTART_VARIANTS (held rapid held-min),
# HOLD_HELD (1.5 s: above every default "started after 1 s" rule).
#
# PEER: a file peers/<PEER>.sh.  SCENARIO: a file scenarios/<SCENARIO>.sh:
#   footprint [N...]   idlecpu [N] [WINDOW_S]   restart [REPS] [VARIANT...]
#   coldstart [N] [REPS]   logs [REPS] [MODE...]   stop [N] [REPS]
set -u
BENCH_ROOT=$(cd "$(dirname "$0")" && pwd)
export BENCH_ROOT
export BENCH_DATE=${BENCH_DATE:-$(date +%F)}
. "$BENCH_ROOT/lib/common.sh"

ALL_PEERS=${ALL_PEERS:-"vigild supervisord s6 runit"}
ALL_SCENARIOS=${ALL_SCENARIOS:-"footprint idlecpu restart coldstart logs stop growth"}
export HOLD_HELD=${HOLD_HELD:-1.5}

cleanup_leftovers() {
    [ -f "$PB/active-reapers" ] || return 0
    local pid dir p
    while read -r pid dir; do
        # only a live bench-child reaper process that we launched for $dir
        [ "$(readlink "/proc/$pid/exe" 2>/dev/null)" = "$BIN" ] || continue
        tr '\0' ' ' < "/proc/$pid/cmdline" | grep -q " reaper $dir/reaper.pid " || continue
        log "cleanup: tree of reaper $pid ($dir)"
        for p in $("$BIN" tree "$pid"); do kill -TERM "$p" 2>/dev/null; done
        sleep 1
        for p in $("$BIN" tree "$pid"); do kill -KILL "$p" 2>/dev/null; done
        kill -TERM "$pid" 2>/dev/null
    done < "$PB/active-reapers"
    : > "$PB/active-reapers"
}

machine_info() {
    mkdir -p "$RAWDIR"
    {
        echo "date	$(date -Is)"
        echo "nproc	$(nproc)"
        echo "kernel	$(uname -srm)"
        echo "cpu	$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
        echo "memory	$(free -m | awk '/Mem:/{print $2" MiB"}')"
        echo "os	Debian $(cat /etc/debian_version)"
        echo "fs	$(df -T "$PB" | awk 'NR==2{print $2}') ($PB)"
        local p
        for p in ${MACHINE_PEERS:-$ALL_PEERS}; do
            ( load_peer "$p" >/dev/null 2>&1 && adapter_check >/dev/null 2>&1 && echo "version-$p	$(adapter_version)" )
        done
        echo "loadavg-at-start	$(cut -d' ' -f1-3 /proc/loadavg)"
    } > "$RAWDIR/machine.tsv"
}

install_peers() {
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y supervisor s6 runit monit gcc python3 python3-aiosmtpd || return 1
    mkdir -p "$PB"
    # PM2 is optional: not part of `all` by default (add "pm2" to the peers)
    if command -v npm >/dev/null; then
        npm install --prefix "$PB" pm2 pm2-logrotate || log "npm install of pm2 failed: pm2 skipped"
    else
        log "npm not installed: pm2 skipped"
    fi
}

# freeze the vigild under test for the whole run
snapshot_vigild() {
    local repo src
    repo=$(cd "$BENCH_ROOT/.." && pwd)
    src=${VIGILD:-$repo/build/vigild}
    [ -x "$src" ] || { log "no vigild at $src (./scripts/build.sh)"; return 0; }
    mkdir -p "$PB/bin"
    cp -f "$src" "$PB/bin/vigild" && cp -f "${VIGIL:-$(dirname "$src")/vigil}" "$PB/bin/vigil" || return 1
    export VIGILD=$PB/bin/vigild VIGIL=$PB/bin/vigil
    # the commit of the checkout the binary was built in (another worktree for a before/after run)
    local tree
    tree=$(git -C "$(dirname "$src")" rev-parse --show-toplevel 2>/dev/null || echo "$repo")
    export VIGIL_COMMIT=${VIGIL_COMMIT:-$(git -C "$tree" rev-parse --short HEAD)$(git -C "$tree" diff --quiet HEAD -- src CMakeLists.txt || echo "+dirty-tree")}
    log "vigild under test: $src (commit $VIGIL_COMMIT) -> $VIGILD"
}

case ${1:-} in
    ""|-h|--help) sed -n '2,22p' "$0"; exit 0 ;;
    install) install_peers ;;
    cleanup) build_child && cleanup_leftovers ;;
    baseline) build_child && { [ -f "$RAWDIR/machine.tsv" ] || machine_info; } && exec "$BENCH_ROOT/scenarios/baseline.sh" "${@:2}" ;;
    report) python3 "$BENCH_ROOT/lib/report.py" "$RAWDIR" "$BENCH_ROOT/results/peers-$BENCH_DATE.md" ;;
    tasks)
        shift
        export RAWDIR=$BENCH_ROOT/results/raw-tasks-$BENCH_DATE
        if [ "${1:-}" != report ]; then
            build_child || exit 1
            snapshot_vigild || exit 1
            t=${VIGIL_STORE_TEST:-$(cd "$BENCH_ROOT/.." && pwd)/build/vigil_store_test}
            [ -x "$t" ] && cp -fp "$t" "$PB/bin/vigil_store_test" && export STORE_TEST=$PB/bin/vigil_store_test
            cleanup_leftovers
            if [ -f "$RAWDIR/machine.tsv" ]; then
                # a part added to an existing run: keep the run's machine.tsv, append
                # this invocation's binary and load
                mv "$RAWDIR/machine.tsv" "$RAWDIR/machine.tsv.keep"
                MACHINE_PEERS=vigild machine_info
                grep -E '^(date|version-vigild|loadavg-at-start)' "$RAWDIR/machine.tsv" \
                    | sed "s/^/added ${*:-all} /" >> "$RAWDIR/machine.tsv.keep"
                mv "$RAWDIR/machine.tsv.keep" "$RAWDIR/machine.tsv"
            else
                MACHINE_PEERS=vigild machine_info
            fi
            "$BENCH_ROOT/scenarios/tasks.sh" "$@"
        fi
        python3 "$BENCH_ROOT/lib/tasks_report.py" "$RAWDIR" "$BENCH_ROOT/results/tasks-$BENCH_DATE.md"
        ;;
    web)
        # The web surface (issue 10): API requests/s against supervisord's XML-RPC, the
        # WebSocket log stream with 1 and 10 clients, in a flood and at steady rates
        # (lib/web_bench.py: parts api ws steady), and the dashboard in headless Chromium
        # (lib/dashboard_bench.py: parts load rss).
        # Needs wrk, supervisor, python3-websocket, chromium, chromium-driver and
        # python3-selenium from Debian.
        shift
        DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq wrk supervisor \
            python3-websocket chromium chromium-driver python3-selenium >/dev/null
        mkdir -p "$BENCH_ROOT/results"
        parts=${*:-api ws steady load rss}
        {
            api_ws=$(printf '%s\n' $parts | grep -E '^(api|ws|steady)$' | tr '\n' ' ')
            dash=$(printf '%s\n' $parts | grep -E '^(load|rss)$' | tr '\n' ' ')
            if [ -n "$api_ws" ]; then /usr/bin/python3 "$BENCH_ROOT/lib/web_bench.py" $api_ws; fi
            if [ -n "$dash" ]; then /usr/bin/python3 "$BENCH_ROOT/lib/dashboard_bench.py" $dash; fi
        } | tee "$BENCH_ROOT/results/web-$BENCH_DATE.md"
        ;;
    service)
        # Service integration (issue 11): vigild --daemon's time to ready with 100 programs
        # against 100 back-to-back fork+execs, and zombies reaped per second as PID 1 of a
        # PID namespace against a parent reaping its own (lib/service_bench.py: parts
        # daemon reap; needs util-linux's unshare and nsenter, and root).
        shift
        mkdir -p "$BENCH_ROOT/results"
        /usr/bin/python3 "$BENCH_ROOT/lib/service_bench.py" "$@" | tee "$BENCH_ROOT/results/service-$BENCH_DATE.md"
        ;;
    health)
        shift
        export RAWDIR=$BENCH_ROOT/results/raw-health-$BENCH_DATE
        if [ "${1:-}" != report ]; then
            # monit (the peer) and aiosmtpd (the SMTP sink) from Debian
            if ! command -v monit >/dev/null || ! /usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null; then
                DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y monit python3-aiosmtpd \
                    || log "apt-get install monit python3-aiosmtpd failed"
            fi
            build_child || exit 1
            # vigild starts the vigil-alert beside it: snapshot that one too
            vigild_src=${VIGILD:-$(cd "$BENCH_ROOT/.." && pwd)/build/vigild}
            [ -x "$vigild_src" ] || { log "no vigild at $vigild_src (./scripts/build.sh)"; exit 1; }
            alert_src=$(dirname "$vigild_src")/vigil-alert
            snapshot_vigild || exit 1
            cp -f "$alert_src" "$PB/bin/vigil-alert" || { log "no vigil-alert at $alert_src"; exit 1; }
            cleanup_leftovers
            if [ -f "$RAWDIR/machine.tsv" ]; then
                # a part added to an existing run: keep its machine.tsv, append this
                # invocation's binary and load (as `tasks` does)
                mv "$RAWDIR/machine.tsv" "$RAWDIR/machine.tsv.keep"
                MACHINE_PEERS="vigild monit" machine_info
                grep -E '^(date|version-vigild|loadavg-at-start)' "$RAWDIR/machine.tsv" \
                    | sed "s/^/added ${*:-all} /" >> "$RAWDIR/machine.tsv.keep"
                mv "$RAWDIR/machine.tsv.keep" "$RAWDIR/machine.tsv"
            else
                MACHINE_PEERS="vigild monit" machine_info
            fi
            "$BENCH_ROOT/scenarios/health.sh" "$@"
        fi
        python3 "$BENCH_ROOT/lib/health_report.py" "$RAWDIR" "$BENCH_ROOT/results/health-$BENCH_DATE.md"
        ;;
    all)
        shift
        peers=${*:-$ALL_PEERS}
        build_child || exit 1
        snapshot_vigild || exit 1
        cleanup_leftovers
        MACHINE_PEERS="$peers" machine_info
        "$BENCH_ROOT/scenarios/baseline.sh"
        "$BENCH_ROOT/scenarios/logs.sh" cat "${LOG_REPS:-3}" capture || log "cat logs baseline exited $?"
        for p in $peers; do
            for s in $ALL_SCENARIOS; do
                ( load_peer "$p" >/dev/null 2>&1 && adapter_supports "$s" ) || { log "skip $p $s"; continue; }
                log "=== $p $s"
                case $s in
                    # one 60 s window (periodic work slower than 10 s shows up)
                    idlecpu) IDLE_WINDOWS=1 "$BENCH_ROOT/scenarios/idlecpu.sh" "$p" 100 60 ;;
                    restart) "$BENCH_ROOT/scenarios/restart.sh" "$p" 20 ${RESTART_VARIANTS:-held rapid held-min} ;;
                    coldstart) "$BENCH_ROOT/scenarios/coldstart.sh" "$p" 100 "${COLD_REPS:-5}" \
                               && "$BENCH_ROOT/scenarios/coldstart.sh" "$p" 1000 "${COLD1000_REPS:-2}" ;;
                    logs) "$BENCH_ROOT/scenarios/logs.sh" "$p" "${LOG_REPS:-3}" capture rotate capture-ts rotate-ts ;;
                    stop) "$BENCH_ROOT/scenarios/stop.sh" "$p" 100 "${STOP_REPS:-3}" ;;
                    *) "$BENCH_ROOT/scenarios/$s.sh" "$p" ;;
                esac || log "$p $s exited $?"
            done
        done
        python3 "$BENCH_ROOT/lib/report.py" "$RAWDIR" "$BENCH_ROOT/results/peers-$BENCH_DATE.md"
        ;;
    *)
        [ $# -ge 2 ] || { echo "usage: run.sh PEER SCENARIO [ARGS...] | all | report | cleanup" >&2; exit 2; }
        p=$1 s=$2; shift 2
        [ -x "$BENCH_ROOT/scenarios/$s.sh" ] || { echo "no scenario $s" >&2; exit 2; }
        build_child || exit 1
        [ -f "$RAWDIR/machine.tsv" ] || machine_info
        exec "$BENCH_ROOT/scenarios/$s.sh" "$p" "$@"
        ;;
esac
