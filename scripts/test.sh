#!/usr/bin/env bash
# Installs dependencies, builds everything with warnings as errors, and runs every test.
# Set CHOREO_TEST_SANITIZERS=1 to also build and run the suite under ASan+UBSan and TSan.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/build.sh ci
ctest --preset ci
if [ "${CHOREO_TEST_SANITIZERS:-0}" = "1" ]; then
  for preset in asan tsan; do
    ./scripts/build.sh "$preset"
    ctest --preset "$preset" -j 2
  done
fi
