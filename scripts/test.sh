#!/usr/bin/env bash
# Builds vigil twice (release with g++, ASan+UBSan with clang) and runs every test in both.
# Exits non-zero if any build or test fails.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
python3 scripts/check-deps.py
./scripts/build.sh
(cd build && ctest --output-on-failure -j2)
./scripts/build.sh --asan
(cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 ctest --output-on-failure -j2)
echo "all tests passed (release and asan builds)"
