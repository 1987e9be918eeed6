#!/usr/bin/env bash
# The README's test command, and CI's (.ci/run): installs dependencies, then runs these phases in
# order, stopping at the first failure. Each builds only what its tests need and prints its time.
#   ci    gcc, warnings as errors: the end-to-end, console, install, packaging, fuzz-replay and
#         benchmark smoke tests, and the in-process (unit) tests unless asan and tsan run too.
#   asan  clang, ASan+UBSan at -O1: the unit and end-to-end tests. It is the tree of the `fuzz`
#         preset (the same flags plus libFuzzer's coverage instrumentation), so one build serves
#         the sanitized suite and the fuzz targets.
#   tsan  clang, TSan at -O1: the in-process tests (storage, broker, client, saga). clang's
#         thread-safety analysis checks the lock annotations of every file it compiles (errors).
#   fuzz  each libFuzzer target for a bounded time (scripts/fuzz.sh).
# CHOREO_TEST_PHASES selects phases (default, and CI: all four, in this order), e.g.
# CHOREO_TEST_PHASES=ci for the quick gcc-only loop (unit tests included), or =tsan for one. With
# both asan and tsan in the run, the ci phase leaves the in-process tests to them
# (CHOREO_SKIP_UNIT_TESTS). Timings: README, "CI time".
set -euo pipefail
cd "$(dirname "$0")/.."

phases="${CHOREO_TEST_PHASES:-ci asan tsan fuzz}"
for phase in $phases; do
  case "$phase" in
    ci | asan | tsan | fuzz) ;;
    *)
      echo "test.sh: unknown phase '$phase' (phases: ci asan tsan fuzz)" >&2
      exit 2
      ;;
  esac
done

./scripts/install-deps.sh
started=$SECONDS
timings=()
run_phase() {
  local name="$1"
  shift
  local start=$SECONDS
  echo "== test.sh: phase $name"
  "$@"
  timings+=("$name $((SECONDS - start)) s")
  echo "== test.sh: phase $name passed in $((SECONDS - start)) s"
}
suite() {
  local preset="$1"
  ./scripts/build.sh "$preset"
  ctest --preset "$preset"
}

for phase in $phases; do
  case "$phase" in
    ci)
      # The asan and tsan phases run every in-process test (sanitized); with both of them in the
      # run, the gcc build leaves those out (tests/CMakeLists.txt, CHOREO_SKIP_UNIT_TESTS).
      skip_unit=OFF
      [[ " $phases " == *" asan "* && " $phases " == *" tsan "* ]] && skip_unit=ON
      CHOREO_CMAKE_ARGS="-DCHOREO_SKIP_UNIT_TESTS=$skip_unit" run_phase ci suite ci
      ;;
    asan) run_phase asan suite asan ;;
    tsan) run_phase tsan suite tsan ;;
    fuzz) run_phase fuzz ./scripts/fuzz.sh ;;
  esac
done
echo "== test.sh: all phases passed in $((SECONDS - started)) s"
printf '   %s\n' "${timings[@]}"
