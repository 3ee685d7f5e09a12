# shellcheck shell=bash
# Pseudo-peer "cat": the log-throughput baseline. No supervisor: /bin/sh runs
# the flood child piped through `cat` into a file (`CHILD | cat > FILE`), so
# the figure is what a pipe plus a plain copy loop into a file achieves on
# this machine. Only the logs scenario (capture mode) applies.

adapter_check() { command -v cat >/dev/null; }
adapter_version() { echo "cat ($(cat --version | head -1)) via /bin/sh pipe"; }
adapter_restart_note() { echo "n/a (no supervisor)"; }
adapter_rotate_note() { echo "cat: capture only (no rotation)"; }

adapter_supports() {
    case $1 in
        logs|logs-capture) return 0 ;;
        *) echo "cat baseline: only logs capture"; return 1 ;;
    esac
}

# adapter_setup N CHILDCMD LOGMODE RESTARTMODE
adapter_setup() {
    mkdir -p "$RUNDIR/logs"
    printf 'exec %s | cat > %s/logs/c0000.out\n' "$(expand_cmd "$2" c0000)" "$RUNDIR" > "$RUNDIR/pipe.sh"
}

adapter_start() { bench_launch /bin/sh "$RUNDIR/pipe.sh"; }
adapter_stop_all() { :; }
adapter_shutdown() { local p; for p in $(tree_pids); do kill -TERM "$p" 2>/dev/null; done; }
adapter_main_pid() { top_pids | head -1; }
adapter_log_globs() { echo "$RUNDIR/logs/$1.out"; }
