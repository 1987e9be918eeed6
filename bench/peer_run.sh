#!/usr/bin/env bash
# Measures choreo and a Redis Streams peer in one run, back to back, at the same rate, record size
# and partitions, with the same end-to-end latency definition (choreo-bench and choreo-redis-peer),
# and prints a markdown table with the ratios choreo/Redis (issue 15). See bench/README.md.
#
# Usage: bench/peer_run.sh [options]
#   --rate R --partitions P   one case (default: two cases, 10000 rec/s on 1 partition and
#                             50000 rec/s on 8)
#   --case R:P                a case; repeat for several (instead of --rate/--partitions)
#   --duration S              seconds each system produces for (default 10)
#   --record_size B           value bytes (default 100)
#   --repeats N               times the whole sequence runs (default 1)
#   --redis_producers N       producer connections of the Redis peer (default 1, as choreo-bench)
#   --preset NAME             CMake preset to build and run (default release)
#   --no_build                use the binaries already in build/<preset>/bin
#   --log_dir DIR             keep every run's output there (default: printed, then removed)
#   --no_lock                 measure without holding /tmp/choreo-build.lock (see below)
# Flag names take dashes or underscores, and --flag=value or --flag value.
#
# Per case and repeat it runs, in this order: Redis (appendonly yes, appendfsync everysec),
# choreo-bench --fsync=interval, Redis (appendfsync always), choreo-bench --fsync=always. Each Redis
# pass gets a fresh redis-server on a free loopback port and a fresh directory under $TMPDIR (the
# file system choreo-bench --spawn-broker puts choreod's data on), with RDB snapshots off. Installs
# redis-server and libhiredis-dev when missing (root or sudo), as scripts/install-deps.sh does.
# While it measures it holds /tmp/choreo-build.lock, the lock builds on this machine take, so that
# no build started meanwhile shares the cores with the run.
set -euo pipefail
cd "$(dirname "$0")/.."

cases=()
rate="" partitions="" duration=10 record_size=100 repeats=1 redis_producers=1
preset=release build=1 lock=1 log_dir=""
while [ $# -gt 0 ]; do
  arg="${1//_/-}"
  value=""
  case "$arg" in
    --*=*) value="${1#*=}"; arg="${arg%%=*}" ;;
    --no-build | --no-lock) ;;
    --*) [ $# -ge 2 ] || { echo "peer_run: $1 needs a value" >&2; exit 2; }; value="$2"; shift ;;
  esac
  case "$arg" in
    --rate) rate="$value" ;;
    --partitions) partitions="$value" ;;
    --case) cases+=("$value") ;;
    --duration) duration="$value" ;;
    --record-size) record_size="$value" ;;
    --repeats) repeats="$value" ;;
    --redis-producers) redis_producers="$value" ;;
    --preset) preset="$value" ;;
    --no-build) build=0 ;;
    --no-lock) lock=0 ;;
    --log-dir) log_dir="$value" ;;
    *) echo "peer_run: unknown argument $1 (see the usage at the top of $0)" >&2; exit 2 ;;
  esac
  shift
done
if [ -n "$rate" ] || [ -n "$partitions" ]; then
  cases+=("${rate:-10000}:${partitions:-1}")
fi
[ ${#cases[@]} -gt 0 ] || cases=("10000:1" "50000:8")

# --- packages: the Redis server and the client library the peer is built with ---
missing=()
for p in redis-server libhiredis-dev; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "peer_run: installing ${missing[*]}"
  SUDO=
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || {
      echo "peer_run: need root to install ${missing[*]} (run as root or install sudo)" >&2; exit 1; }
    SUDO=sudo
  fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# --- build (the build machine is shared: one build at a time) ---
bin="build/$preset/bin"
if [ "$build" = 1 ]; then
  flock /tmp/choreo-build.lock ./scripts/build.sh "$preset" choreod choreo_bench choreo_redis_peer
fi
for b in choreod choreo-bench choreo-redis-peer; do
  [ -x "$bin/$b" ] || { echo "peer_run: $bin/$b missing (build it or drop --no_build)" >&2; exit 1; }
done

# --- temporary state, removed on any exit ---
work="$(mktemp -d "${TMPDIR:-/tmp}/choreo-peer-run.XXXXXX")"
redis_pid="" redis_port="" redis_dir=""
stop_redis() {
  if [ -n "$redis_pid" ]; then
    kill "$redis_pid" 2>/dev/null || true
    wait "$redis_pid" 2>/dev/null || true
    redis_pid=""
  fi
}
# shellcheck disable=SC2317  # called by the trap
cleanup() {
  stop_redis
  if [ -n "$log_dir" ]; then
    mkdir -p "$log_dir"
    cp -r "$work"/logs/. "$log_dir"/ || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
mkdir -p "$work/logs"

# Starts redis-server with `appendfsync $1` on a free loopback port in a fresh directory; sets
# redis_pid, redis_port and redis_dir.
start_redis() {
  local fsync="$1"
  redis_dir="$(mktemp -d "$work/redis.XXXXXX")"
  for _ in 1 2 3 4 5 6 7 8; do
    redis_port=$((20000 + RANDOM % 40000))
    # A port something answers on is taken.
    if (exec 3<>"/dev/tcp/127.0.0.1/$redis_port") 2>/dev/null; then continue; fi
    redis-server --bind 127.0.0.1 --port "$redis_port" --dir "$redis_dir" --save "" \
      --appendonly yes --appendfsync "$fsync" --daemonize no --logfile "$redis_dir/redis.log" 9>&- &
    redis_pid=$!
    for _ in $(seq 100); do
      if [ "$(redis-cli -p "$redis_port" ping 2>/dev/null)" = PONG ]; then return 0; fi
      kill -0 "$redis_pid" 2>/dev/null || break
      sleep 0.1
    done
    stop_redis
  done
  echo "peer_run: redis-server did not start:" >&2
  cat "$redis_dir/redis.log" >&2 || true
  return 1
}

# JSON number of "key" in file $2 (the tools print one flat object plus latency_ms).
json_number() { grep -o "\"$1\":[-0-9.]*" "$2" | head -1 | cut -d: -f2; }

rows=()   # "case|run|system|rate|p50|p99|p999|max|cpu_us|late"
failed=0
# run_one SYSTEM MODE RATE PARTITIONS REPEAT: runs one system, appends its row.
run_one() {
  local system="$1" mode="$2" r="$3" p="$4" n="$5" out err rc=0 slow_fsyncs=""
  out="$work/logs/$r-$p-$n-$system-$mode.json"
  err="$work/logs/$r-$p-$n-$system-$mode.log"
  local common=(--rate "$r" --partitions "$p" --duration "$duration" --record_size "$record_size"
    --json)
  if [ "$system" = redis ]; then
    start_redis "$mode"
    "$bin/choreo-redis-peer" --redis "127.0.0.1:$redis_port" --producers "$redis_producers" \
      "${common[@]}" >"$out" 2>"$err" 9>&- || rc=$?
    stop_redis
    # everysec: Redis logs when a write had to wait for the previous second's fsync.
    slow_fsyncs="$(grep -c "Asynchronous AOF fsync is taking too long" "$redis_dir/redis.log" || true)"
  else
    "$bin/choreo-bench" --spawn-broker --choreod "$bin/choreod" --fsync "$mode" "${common[@]}" \
      >"$out" 2>"$err" 9>&- || rc=$?
  fi
  local label="$system $mode"
  if [ "$rc" -ne 0 ] || ! grep -q '"latency_ms"' "$out"; then
    echo "peer_run: $label at $r rec/s, $p partitions failed (exit $rc):" >&2
    tail -5 "$err" >&2 || true
    failed=1
    rows+=("$r rec/s, $p part.|$n|$label|failed||||||")
    return 0
  fi
  local produced rate_done p50 p99 p999 max cpu cpu_us late
  produced="$(json_number produced "$out")"
  rate_done="$(json_number produce_records_per_second "$out")"
  p50="$(json_number p50 "$out")"; p99="$(json_number p99 "$out")"
  p999="$(json_number p999 "$out")"; max="$(json_number max "$out")"
  local server_notes=""
  if [ "$system" = redis ]; then
    cpu="$(json_number server_produce_cpu_seconds "$out")"
    late="$(json_number sent_late "$out")"
    server_notes=", AOF rewrites $(json_number aof_rewrites "$out"), slow-fsync warnings $slow_fsyncs"
  else
    cpu="$(json_number broker_produce_cpu_seconds "$out")"
    late="n/a"
  fi
  cpu_us="$(awk -v c="$cpu" -v n="$produced" 'BEGIN { if (c >= 0 && n > 0) printf "%.1f", 1e6 * c / n }')"
  echo "  $label: $rate_done rec/s, p50 $p50 ms, p99 $p99 ms, p99.9 $p999 ms, max $max ms," \
    "server CPU $cpu_us us/rec, late sends $late$server_notes"
  rows+=("$r rec/s, $p part.|$n|$label|$rate_done|$p50|$p99|$p999|$max|$cpu_us|$late")
}

# Children get `9>&-`: a server left running must not keep the lock.
if [ "$lock" = 1 ]; then
  exec 9>/tmp/choreo-build.lock
  flock -n 9 || { echo "peer_run: waiting for /tmp/choreo-build.lock (a build is running)"; flock 9; }
fi

started="$(date '+%Y-%m-%d %H:%M:%S %Z')"
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
echo "peer_run: choreo $(git describe --always --dirty 2>/dev/null || echo '?'), redis" \
  "$(redis-server --version | grep -o 'v=[0-9.]*'),"\
  "cases ${cases[*]}, ${duration} s each, ${record_size}-byte values, $repeats repeat(s),"\
  "Redis producers $redis_producers; load average $load_before"
for n in $(seq "$repeats"); do
  for c in "${cases[@]}"; do
    r="${c%%:*}" p="${c##*:}"
    echo "run $n: $r rec/s, $p partition(s)"
    run_one redis everysec "$r" "$p" "$n"
    run_one choreo interval "$r" "$p" "$n"
    run_one redis always "$r" "$p" "$n"
    run_one choreo always "$r" "$p" "$n"
  done
done
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"

# --- the table: each choreo row against the Redis row of the same case, run and durability ---
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a != "" && b > 0) printf "%.2f", a / b; else printf "-" }'; }
echo
echo "Started $started; load average $load_before before, $load_after after."
echo "Latency in ms, send call to receive (choreo-bench's definition); ratio = choreo / Redis of the"
echo "same durability (interval vs everysec, always vs always). \"late\": the Redis producer's"
echo "sends that started > 1 ms after their due time (it waits for each XADD's reply)."
echo
echo "| case | run | system | produce rec/s | p50 | p99 | p99.9 | max | server CPU us/rec | late | p50 ratio | p99 ratio | p99.9 ratio |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
for row in "${rows[@]}"; do
  IFS='|' read -r case_ run system rate_done p50 p99 p999 max cpu_us late <<<"$row"
  ratios=" | | "
  if [ "${system%% *}" = choreo ]; then
    peer="redis everysec"
    [ "$system" = "choreo always" ] && peer="redis always"
    for other in "${rows[@]}"; do
      IFS='|' read -r o_case o_run o_system _ o_p50 o_p99 o_p999 _ <<<"$other"
      if [ "$o_case" = "$case_" ] && [ "$o_run" = "$run" ] && [ "$o_system" = "$peer" ]; then
        ratios="$(ratio "$p50" "$o_p50") | $(ratio "$p99" "$o_p99") | $(ratio "$p999" "$o_p999")"
      fi
    done
  fi
  echo "| $case_ | $run | $system | $rate_done | $p50 | $p99 | $p999 | $max | $cpu_us | $late | $ratios |"
done
if [ -n "$log_dir" ]; then echo "Logs: $log_dir"; fi
exit "$failed"
