#!/usr/bin/env bash
# Runs one libFuzzer target for a short time, starting from its committed corpus (read
# only: new inputs go to a temporary directory). Exits non-zero if the fuzzer finds a crash,
# a leak, a timeout or runs out of memory. Used by ctest (fuzz/CMakeLists.txt).
set -euo pipefail
fuzzer=$1
corpus=$2
seconds=${3:-20}
work=$(mktemp -d /tmp/vigil-fuzz-XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$work"  # crash-* files land here, and are printed below
status=0
"$fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=1024 -malloc_limit_mb=512 \
  -print_final_stats=1 "$work" "$corpus" || status=$?
if [ "$status" -ne 0 ]; then
  for f in crash-* leak-* timeout-* oom-*; do
    [ -e "$f" ] || continue
    echo "--- $f (base64) ---"
    base64 "$f"
  done
fi
exit "$status"
