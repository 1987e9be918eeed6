#!/usr/bin/env bash
# Installs dependencies (scripts/install-deps.sh) and builds choreo with a CMake preset.
# Usage: scripts/build.sh [preset [target...]]   (presets: release (default), debug, ci, asan,
# tsan; no target builds everything)
set -euo pipefail
cd "$(dirname "$0")/.."
preset="${1:-release}"
shift || true
./scripts/install-deps.sh
# A preset that changes an existing tree's compiler (e.g. tsan, from gcc to clang) makes CMake
# delete the cache and lose some of the preset's variables: configuring again re-applies them.
configured=$(cmake --preset "$preset" 2>&1) || {
  echo "$configured" >&2
  exit 1
}
if [[ "$configured" == *"cache to be deleted"* ]]; then
  cmake --preset "$preset" >/dev/null
fi
targets=()
for t in "$@"; do targets+=(--target "$t"); done
cmake --build --preset "$preset" -j "$(nproc)" "${targets[@]}"
