#!/usr/bin/env bash
# Usage: install_test.sh BUILD_DIR SOURCE_DIR [SANITIZER_FLAGS]
set -euo pipefail
build="$1"
src="$2"
sanitizer_flags="${3:-}"
work=$(mktemp -d)
broker_pid=""
cleanup() {
  [ -n "$broker_pid" ] && kill "$broker_pid" 2>/dev/null && wait "$broker_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

cmake --install "$build" --prefix "$work/prefix" >/dev/null
# The library directory is lib, or lib/<multiarch triplet> in a build configured for /usr (ci).
libdir=$(sed -n 's/^CMAKE_INSTALL_LIBDIR:[A-Z]*=//p' "$build/CMakeCache.txt")
for f in bin/choreod bin/choreo include/choreo/client/producer.h \
         "$libdir/cmake/choreo/choreoConfig.cmake" "$libdir/cmake/choreo/choreoTargets.cmake"; do
  [ -e "$work/prefix/$f" ] || fail "missing $f in the installed tree"
done
# The client package must not drag in the server's dependencies.
if grep -qiE 'rocksdb|absl|spdlog' "$work/prefix/$libdir"/cmake/choreo/*.cmake; then
  fail "the installed client package references server-only dependencies"
fi

cmake -S "$src/examples/embed" -B "$work/embed" -G Ninja -DCMAKE_PREFIX_PATH="$work/prefix" \
  -DCMAKE_CXX_FLAGS="$sanitizer_flags" -DCMAKE_EXE_LINKER_FLAGS="$sanitizer_flags" >/dev/null \
  || fail "configuring the example against the installed package"
cmake --build "$work/embed" >/dev/null || fail "building the example against the installed package"

# Without a broker the example must fail cleanly with a connection error.
if "$work/embed/order_events" 127.0.0.1:1 2>"$work/err.txt"; then fail "example succeeded with no broker"; fi
grep -q "CONNECTION_FAILED" "$work/err.txt" || fail "unexpected error output: $(cat "$work/err.txt")"

# With the installed choreod it must round-trip an event.
"$work/prefix/bin/choreod" --listen=127.0.0.1:0 --http-listen=127.0.0.1:0 --data-dir="$work/data" --port-file="$work/port" \
  2>"$work/choreod.log" &
broker_pid=$!
for _ in $(seq 1 100); do [ -s "$work/port" ] && break; sleep 0.1; done
[ -s "$work/port" ] || fail "choreod did not start: $(cat "$work/choreod.log")"
port=$(cat "$work/port")
"$work/embed/order_events" "127.0.0.1:$port" >"$work/out.txt" || fail "example failed: $(cat "$work/out.txt")"
grep -q 'read back: {"order_id":42' "$work/out.txt" || fail "unexpected output: $(cat "$work/out.txt")"
echo "install_package: 1 passed, 0 failed"
