#!/usr/bin/env bash
# Builds vigil into build/ (release) or, with --asan, into build-asan/ (clang, ASan+UBSan).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
if [ "${1:-}" = "--asan" ]; then
  cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_COMPILER=clang++-14 -DVIGIL_SANITIZE=ON -DVIGIL_FUZZ=ON >/dev/null
  ninja -C build-asan -j2
else
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  ninja -C build -j2
fi
