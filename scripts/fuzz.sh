#!/usr/bin/env bash
# Builds the libFuzzer targets (preset `fuzz`: clang, ASan+UBSan) and runs each for a bounded time
# from its seed corpus (tests/fuzz/corpus/NAME) and regression inputs (tests/fuzz/regressions/NAME).
# Exits non-zero if any target crashes, leaks, times out or runs out of memory; the failing input
# is saved under build/fuzz/artifacts/ (add it to tests/fuzz/regressions/NAME/ once fixed, so the
# normal test suite replays it).
#
# Usage: scripts/fuzz.sh [target...]        (default: every target)
# Environment: FUZZ_SECONDS (per target, default 40; the broker target gets 1.5 times that),
#              FUZZ_JOBS (targets run at once, default: the number of CPUs; each target is one
#              process, so this keeps every core busy without two targets sharing one),
#              FUZZ_SKIP_BUILD=1 (use the binaries already in build/fuzz).
set -euo pipefail
cd "$(dirname "$0")/.."

all_targets=(frame_decoder record_batch decompress storage_value broker_request kafka_request
  kafka_record_batch)
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=("${all_targets[@]}")
seconds="${FUZZ_SECONDS:-40}"

if [ "${FUZZ_SKIP_BUILD:-0}" != "1" ]; then
  ./scripts/build.sh fuzz "${targets[@]/%/_fuzz}"
fi

# Longest input per target: a few frames or batches; larger inputs only slow the search down.
max_len() {
  case "$1" in
    broker_request) echo 16384 ;;
    storage_value) echo 4096 ;;
    *) echo 65536 ;;
  esac
}

export ASAN_OPTIONS="${ASAN_OPTIONS:-abort_on_error=1:detect_stack_use_after_return=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
artifacts=build/fuzz/artifacts
mkdir -p "$artifacts"
# Runs one target; its summary or failure goes to build/fuzz/<target>.result, read below (the
# targets run in parallel, so they must not write to the terminal themselves).
run_target() {
  local t="$1"
  local binary="build/fuzz/tests/fuzz/${t}_fuzz"
  # New inputs found go to a working corpus outside the source tree.
  local work="build/fuzz/corpus/$t"
  mkdir -p "$work"
  local inputs=("$work" "tests/fuzz/corpus/$t")
  [ -d "tests/fuzz/regressions/$t" ] && inputs+=("tests/fuzz/regressions/$t")
  local time_limit="$seconds"
  [ "$t" = broker_request ] && time_limit=$((seconds * 3 / 2))
  local log="build/fuzz/$t.log"
  local result="build/fuzz/$t.result"
  # -timeout: one input taking longer is a hang; -rss_limit_mb/-malloc_limit_mb: memory a hostile
  # input must never make the code take.
  if "$binary" -max_total_time="$time_limit" -max_len="$(max_len "$t")" -timeout=30 \
      -rss_limit_mb=2048 -malloc_limit_mb=512 -print_final_stats=1 \
      -artifact_prefix="$artifacts/$t-" "${inputs[@]}" >"$log" 2>&1; then
    echo "fuzz: $t ran ${time_limit}s: $(grep -E '^stat::number_of_executed_units|^stat::peak_rss_mb' \
      "$log" | tr '\n' ' ')" >"$result"
  else
    { echo "fuzz: $t FAILED (log: $log)"; tail -n 60 "$log"; } >"$result"
    return 1
  fi
}

jobs_max="${FUZZ_JOBS:-$(nproc)}"
echo "fuzz: ${#targets[@]} targets, $jobs_max at a time, ${seconds}s each (broker_request 1.5x)"
failed=()
pids=()
names=()
wait_one() {
  # Waits for the oldest running target (they run about equally long).
  local pid="${pids[0]}" name="${names[0]}"
  pids=("${pids[@]:1}")
  names=("${names[@]:1}")
  if wait "$pid"; then
    cat "build/fuzz/$name.result"
  else
    cat "build/fuzz/$name.result" >&2
    failed+=("$name")
  fi
}
for t in "${targets[@]}"; do
  [ ${#pids[@]} -ge "$jobs_max" ] && wait_one
  run_target "$t" &
  pids+=($!)
  names+=("$t")
done
while [ ${#pids[@]} -gt 0 ]; do wait_one; done

if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: failing targets: ${failed[*]}; inputs in $artifacts/" >&2
  exit 1
fi
echo "fuzz: ${#targets[@]} targets ran without a failure"
