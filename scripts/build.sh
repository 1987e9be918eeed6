#!/usr/bin/env bash
# Installs dependencies (scripts/install-deps.sh) and builds choreo with a CMake preset.
# Usage: scripts/build.sh [preset [target...]]   (presets: release (default), debug, ci, asan,
# tsan; no target builds everything)
set -euo pipefail
cd "$(dirname "$0")/.."
preset="${1:-release}"
shift || true
./scripts/install-deps.sh
cmake --preset "$preset" >/dev/null
targets=()
for t in "$@"; do targets+=(--target "$t"); done
cmake --build --preset "$preset" -j "$(nproc)" "${targets[@]}"
