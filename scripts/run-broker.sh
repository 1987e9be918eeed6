#!/usr/bin/env bash
# Installs dependencies, builds a release choreod and starts it in the foreground with the defaults
# (data in ./data, listening on 127.0.0.1:7420). Extra arguments are passed to choreod.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/build.sh release choreod choreo_cli choreo_bench
exec ./build/release/bin/choreod "$@"
