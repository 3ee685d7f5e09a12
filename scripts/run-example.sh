#!/usr/bin/env bash
# Builds vigil and runs vigild in the foreground on examples/vigil.toml.
# In another terminal: build/vigil status, build/vigil logs worker:0 -f, ...
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/build.sh
exec build/vigild --config examples/vigil.toml
