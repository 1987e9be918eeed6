#!/usr/bin/env bash
# A 30-minute soak of choreod (not part of CI): mixed produce, a consumer group whose members
# join and leave, retention trimming, broker restarts (SIGKILL and SIGTERM in turn), then the
# checks that nothing acknowledged was lost, per-key order held, and the broker's RSS, open
# files and disk stayed flat. Exits non-zero when a check fails.
#
#   scripts/soak.sh                      # 30 minutes, release build
#   scripts/soak.sh --duration-s=300     # any choreo-soak flag (see `choreo-soak --help`)
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/build.sh release choreod choreo_soak
exec build/release/bin/choreo-soak --choreod=build/release/bin/choreod "$@"
