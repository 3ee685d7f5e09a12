#!/bin/bash
# Figure 5: log capture throughput and loss. One child writes BYTES of
# numbered LINE_LEN-byte lines to stdout (64 KiB writes, as fast as the pipe
# takes them). Measured: from the child's start timestamp until the peer's
# log file(s) (all rotated files included) hold BYTES bytes; the child's own
# write time; then every line is checked for missing/duplicated sequence
# numbers and damaged lines.
#   capture : rotation off
#   rotate  : rotation at 10 MB, keeping enough rotated files (ROTATE_KEEP,
#             default 40) that nothing is deleted by design
# usage: logs.sh PEER [REPS] [MODE...]
SCENARIO=logs
. "$(dirname "$0")/../lib/common.sh"
scenario_main "$1"
REPS=${2:-3}
shift 2 2>/dev/null || shift $#
MODES=${*:-"capture rotate"}
BYTES=${LOG_BYTES:-200000000}
LEN=100
NL=$((BYTES / LEN))
TMO=${LOG_TIMEOUT_S:-300}

for M in $MODES; do
  adapter_supports "logs-$M" || { note logs "$M: not supported: $(adapter_supports "logs-$M" 2>&1)"; continue; }
  for ((rep = 1; rep <= REPS; rep++)); do
    log "$PEER logs $M rep $rep"
    run_begin
    # -ts modes: the supervisor prefixes every line with a timestamp of
    # TS_PREFIX_LEN bytes (vigild: "2026-11-22T21:45:03.123Z " = 25), so the
    # files must reach BYTES + NL*prefix, and check strips the prefix
    EXP=$BYTES; PFX=0
    case $M in *-ts) PFX=${TS_PREFIX_LEN:-25}; EXP=$((BYTES + NL * PFX)) ;; esac
    adapter_setup 1 "$(flood_cmd "$BYTES" "$LEN")" "$M" default
    sync; sleep 1
    adapter_start
    r=$(wait_started 1 60) || { note logs "$M: child did not start"; cleanup_run; continue; }
    read -r _ sts _ _ _ <<< "$r"
    # the patterns must reach waitsize unexpanded (it re-expands them every
    # 10 ms): expanded here, a rotated file that already exists would freeze
    # the list to that one file
    set -f
    # shellcheck disable=SC2046
    w=$("$BIN" waitsize "$EXP" $((TMO * 1000)) 20000 $(adapter_log_globs c0000))
    set +f
    read -r dts bytes reached <<< "$w"
    f=$(waitev F 1 $((TMO * 1000)))
    read -r _ fts _ _ _ <<< "$f"
    V="$M $((BYTES / 1000000))MB"
    sleep 2   # let rotation/flush settle before counting
    files=$(for g in $(adapter_log_globs c0000); do for x in $g; do [ -f "$x" ] && echo "$x"; done; done)
    # shellcheck disable=SC2086
    c=$(CHECK_PREFIX=$PFX "$BIN" check "$LEN" "$NL" $files)
    eval "$(echo "$c" | tr ' ' '\n' | sed 's/^/chk_/')"
    # with duplicated data the size criterion is met before all lines are
    # in, so the time is kept under a different metric name
    sfx=""
    [ "$chk_dup" != 0 ] && sfx="_with_dups"
    if [ "$reached" = 1 ]; then
        ms=$(ns_to_ms "$sts" "$dts")
        record logs "$V" "complete_ms$sfx" "$ms" ms
        record logs "$V" "throughput_MBps$sfx" "$(awk -v b="$BYTES" -v m="$ms" 'BEGIN{printf "%.1f", b/1e6/(m/1000)}')" MB/s
    else
        note logs "$V rep $rep: log files never reached $EXP bytes (got $bytes, stalled/timeout)"
        record logs "$V" complete_ms NA ms
    fi
    [ -n "$fts" ] && [ "$fts" != 0 ] && record logs "$V" writer_done_ms "$(ns_to_ms "$sts" "$fts")" ms
    record logs "$V" missing_lines "$chk_missing" lines
    record logs "$V" dup_lines "$chk_dup" lines
    record logs "$V" bad_lines "$chk_bad" lines
    record logs "$V" log_files "$(echo "$files" | grep -c .)" files
    log "  $c files=$(echo "$files" | grep -c .)"
    if [ "$chk_missing$chk_dup$chk_bad" != 000 ]; then
        # keep the evidence: file names, sizes, first/last sequence numbers
        # shellcheck disable=SC2086
        note logs "$V rep $rep: $c; files: $(for x in $files; do printf '%s=%s[%s..%s] ' "${x##*/}" "$(stat -c %s "$x")" "$(head -c 12 "$x")" "$(tail -c 100 "$x" | head -c 12)"; done)"
    fi
    cleanup_run
    rm -rf "$RUNDIR/logs" "$RUNDIR"/pm2home/logs
  done
done
