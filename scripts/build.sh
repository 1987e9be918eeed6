#!/usr/bin/env bash
# Installs dependencies (scripts/install-deps.sh) and builds choreo with a CMake preset.
# Usage: scripts/build.sh [preset]   (presets: release (default), debug, ci, asan, tsan)
set -euo pipefail
cd "$(dirname "$0")/.."
preset="${1:-release}"
./scripts/install-deps.sh
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset" -j "$(nproc)"
