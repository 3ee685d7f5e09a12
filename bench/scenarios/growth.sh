#!/bin/bash
# Figure 7: does per-child state grow with uptime? One idle child under the
# "min" restart configuration; sample the main supervisor's RSS/PSS (and the
# tree's PSS) after start, then kill -9 the child GROWTH_KILLS times (default
# 1000; each time waiting for the restart), sampling after every
# GROWTH_EVERY (250) restarts. Bounded by GROWTH_MAX_S (90) seconds of
# killing, so a peer with slow restarts only gets as many as fit.
# usage: growth.sh PEER [KILLS]
SCENARIO=growth
. "$(dirname "$0")/../lib/common.sh"
scenario_main "$1"
KILLS=${2:-${GROWTH_KILLS:-1000}}
EVERY=${GROWTH_EVERY:-250}
MAXS=${GROWTH_MAX_S:-90}
run_begin
adapter_setup 1 "$(idle_cmd)" none min
adapter_start
r=$(wait_started 1 60) || { note growth "child did not start"; exit 1; }
declare -F adapter_post_start >/dev/null && adapter_post_start
read -r _ _ _ _ pid <<< "$r"
sample() {   # restarts-done
    sleep 2
    read -r mrss mpss _ <<< "$(sum_procstat $(adapter_main_pid))"
    read -r _ tpss _ <<< "$(sum_procstat $(adapter_supervisor_pids))"
    record growth "restarts=$1" main_rss_kb "$mrss" kB
    record growth "restarts=$1" main_pss_kb "$mpss" kB
    record growth "restarts=$1" tree_pss_kb "$tpss" kB
    log "  growth after $1 restarts: main rss $mrss kB pss $mpss kB, tree pss $tpss kB"
}
sample 0
k=1; ok=0; end=$((SECONDS + MAXS))
for ((rep = 1; rep <= KILLS; rep++)); do
    "$BIN" kill 9 "$pid" >/dev/null || { note growth "kill failed"; break; }
    if ! r=$(waitev S $((k + 1)) 5000); then note growth "no restart within 5 s after kill #$rep"; break; fi
    read -r _ _ _ _ pid <<< "$r"
    k=$((k + 1)); ok=$((ok + 1))
    [ $((ok % EVERY)) -eq 0 ] && sample "$ok"
    [ "$SECONDS" -ge "$end" ] && { note growth "stopped after $ok restarts ($MAXS s bound)"; break; }
done
[ $((ok % EVERY)) -ne 0 ] && sample "$ok"
record growth all restarts_done "$ok" count
