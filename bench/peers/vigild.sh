# shellcheck shell=bash
# Adapter: vigild (this repository). One foreground `vigild --config` with its
# TOML config, state dir, socket and log dir under $RUNDIR.
#
# Binary: $VIGILD (default: <repo>/build/vigild, built by ./scripts/build.sh),
# CLI: $VIGIL (default: the `vigil` next to $VIGILD). `run.sh all` copies both
# to $PB/bin/ once at the start of a run, so that a rebuild of build/ by
# someone else during the run cannot change the binary under measurement.

_vg_repo() { cd "$BENCH_ROOT/.." && pwd; }
_vg_bin() { echo "${VIGILD:-$(_vg_repo)/build/vigild}"; }
_vg_cli() { echo "${VIGIL:-$(dirname "$(_vg_bin)")/vigil}"; }

adapter_check() {
    [ -x "$(_vg_bin)" ] && [ -x "$(_vg_cli)" ] \
        || { echo "vigild not built: $(_vg_bin) (run ./scripts/build.sh)"; return 1; }
}

adapter_version() {
    local v c
    v=$("$(_vg_cli)" version 2>/dev/null | head -1)
    # the commit of the checkout the binary was built in (it may be another worktree)
    c=${VIGIL_COMMIT:-$(git -C "$(dirname "$(_vg_bin)")" rev-parse --short HEAD 2>/dev/null)}
    echo "vigild ${v:-?} (commit ${c:-?}; binary $(_vg_bin), sha256 $(sha256sum "$(_vg_bin)" | cut -c1-12))"
}

adapter_restart_note() {
    echo "default: autorestart=on-failure, start_seconds=1s, start_retries=5, backoff 1s doubling to 60s; a child that had been RUNNING (up >= start_seconds) is restarted at once, a child that dies within start_seconds is a failed start (backoff, FATAL after 5 retries). min: start_seconds=0, backoff {initial=1ms, max=1ms}, start_retries=1000000"
}

adapter_rotate_note() {
    echo "vigild: rotate = stdout { max_size = 10000000, keep = ROTATE_KEEP }; capture = max_size 0 (never rotates); -ts modes add timestamps = true (25-byte ISO-8601 prefix per line, vigild only)"
}

adapter_supports() {
    case $1 in
        logs-capture|logs-rotate|logs-capture-ts|logs-rotate-ts) return 0 ;;
        logs-*) echo "vigild: unknown log mode ${1#logs-}"; return 1 ;;
    esac
    return 0
}

_vg_conf() { echo "$RUNDIR/vigil.toml"; }
_vg_sock() { echo "$RUNDIR/vigil.sock"; }

# TOML basic string with \ and " escaped
_vg_q() { local s=${1//\\/\\\\}; printf '"%s"' "${s//\"/\\\"}"; }

# adapter_setup N CHILDCMD LOGMODE RESTARTMODE
adapter_setup() {
    local n=$1 cmd=$2 logmode=$3 rmode=$4 i name c w arr out
    mkdir -p "$RUNDIR/state" "$RUNDIR/logs"
    c=$(_vg_conf)
    {
        printf '[vigil]\nstate_dir = %s\nlog_dir = %s\nsocket = %s\n' \
            "$(_vg_q "$RUNDIR/state")" "$(_vg_q "$RUNDIR/logs")" "$(_vg_q "$(_vg_sock)")"
        case $logmode in
            none|capture) out='stdout = { max_size = 0 }' ;;            # 0 = never rotate
            capture-ts) out='stdout = { max_size = 0, timestamps = true }' ;;
            rotate) out="stdout = { max_size = 10000000, keep = ${ROTATE_KEEP:-40} }" ;;
            rotate-ts) out="stdout = { max_size = 10000000, keep = ${ROTATE_KEEP:-40}, timestamps = true }" ;;
        esac
        for ((i = 0; i < n; i++)); do
            name=$(child_name "$i")
            arr=""
            # shellcheck disable=SC2086
            for w in $(expand_cmd "$cmd" "$name"); do arr+="${arr:+, }$(_vg_q "$w")"; done
            printf '\n[program.%s]\ncommand = [%s]\n%s\n' "$name" "$arr" "$out"
            if [ "$rmode" = min ]; then
                printf 'start_seconds = "0"\nstart_retries = 1000000\nbackoff = { initial = "1ms", max = "1ms" }\n'
            fi
        done
    } > "$c"
}

adapter_start() { bench_launch "$(_vg_bin)" --config "$(_vg_conf)"; }

_vg_ctl() { timeout "${CTL_TIMEOUT:-120}" "$(_vg_cli)" --socket "$(_vg_sock)" "$@"; }

adapter_stop_all() {
    local i
    for i in $(seq 1 300); do [ -S "$(_vg_sock)" ] && break; sleep 0.02; done
    _vg_ctl stop all >/dev/null
}

adapter_shutdown() {
    local mp i
    mp=$(adapter_main_pid)
    [ -n "$mp" ] || return 0
    kill -TERM "$mp" 2>/dev/null      # vigild stops every program, then exits 0
    for i in $(seq 1 400); do kill -0 "$mp" 2>/dev/null || return 0; sleep 0.05; done
}

adapter_main_pid() { top_pids | head -1; }

adapter_log_globs() { echo "$RUNDIR/logs/$1.out.log" "$RUNDIR/logs/$1.out.log.*"; }
