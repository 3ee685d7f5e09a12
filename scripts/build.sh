#!/usr/bin/env bash
# Builds vigil into build/ (release) or, with --asan, into build-asan/ (clang, ASan+UBSan).
# Compiles through ccache: with paths taken relative to the source tree, a fresh clone
# elsewhere (what CI builds) reuses the objects of every file that did not change.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
# The sloppiness lets ccache cache the sources compiled with the clang build's precompiled
# headers (CMakeLists.txt, "Precompiled headers").
launcher="env;CCACHE_BASEDIR=$PWD;CCACHE_NOHASHDIR=true;CCACHE_SLOPPINESS=pch_defines,time_macros,include_file_mtime,include_file_ctime;ccache"
if [ "${1:-}" = "--asan" ]; then
  cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_COMPILER=clang++-14 -DVIGIL_SANITIZE=ON -DVIGIL_FUZZ=ON \
    "-DCMAKE_CXX_COMPILER_LAUNCHER=$launcher" "-DCMAKE_C_COMPILER_LAUNCHER=$launcher" >/dev/null
  ninja -C build-asan -j2
else
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    "-DCMAKE_CXX_COMPILER_LAUNCHER=$launcher" "-DCMAKE_C_COMPILER_LAUNCHER=$launcher" >/dev/null
  ninja -C build -j2
fi
