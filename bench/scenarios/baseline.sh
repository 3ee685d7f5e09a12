#!/bin/bash
# Baseline, no supervisor: the floor of "spawn a child and see its start
# timestamp" on this machine. A plain C parent (bench-child spawnbase)
# fork+execs the idle helper; latency = child's own start timestamp minus
# the timestamp taken right before fork(). Restart and cold-start figures of
# every peer include at least this much.
# usage: baseline.sh [REPS]
SCENARIO=baseline
. "$(dirname "$0")/../lib/common.sh"
PEER=baseline
build_child || exit 1
REPS=${1:-20}
mkdir -p "$PB/baseline"
ev=$PB/baseline/events
rm -f "$ev"
record baseline machine loadavg_1m_start "$(cut -d' ' -f1 /proc/loadavg)" load
for v in $("$BIN" spawnbase "$ev" "$REPS"); do
    record baseline "fork+exec" spawn_to_child_start_ms "$v" ms
done
# cold-start floor: N back-to-back fork+execs from C, until the last child's
# own start timestamp
for N in 100 1000; do
    for ((r = 1; r <= ${COLD_REPS:-5}; r++)); do
        read -r all first <<< "$("$BIN" spawnseq "$PB/baseline/seq-events" "$N")"
        record baseline "fork+exec x$N" all_started_ms "$all" ms
    done
done
record baseline machine loadavg_1m_end "$(cut -d' ' -f1 /proc/loadavg)" load
