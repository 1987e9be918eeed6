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
# CHOREO_CMAKE_ARGS: extra configure arguments (scripts/test.sh passes -DCHOREO_SKIP_UNIT_TESTS).
read -r -a extra <<<"${CHOREO_CMAKE_ARGS:-}"
configured=$(cmake --preset "$preset" "${extra[@]}" 2>&1) || {
  echo "$configured" >&2
  exit 1
}
if [[ "$configured" == *"cache to be deleted"* ]]; then
  cmake --preset "$preset" "${extra[@]}" >/dev/null
fi
targets=()
for t in "$@"; do targets+=(--target "$t"); done
cmake --build --preset "$preset" -j "$(nproc)" "${targets[@]}"
