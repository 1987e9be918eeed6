#!/usr/bin/env bash
# Installs the Debian 12 packages choreo needs to build and test. Idempotent: packages that are
# already installed are skipped, and apt is not touched at all when nothing is missing.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git
  libasio-dev libprotobuf-dev libprotoc-dev protobuf-compiler librocksdb-dev
  libspdlog-dev libfmt-dev libabsl-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  liblz4-dev libzstd-dev
  zlib1g-dev libsnappy-dev  # gzip and snappy batches of the Kafka codec (broker/kafka/)
  libssl-dev  # OpenSSL under Asio's SSL: TLS of choreod's listeners and of the client library
  clang-format
  # clang and its sanitizer and libFuzzer runtimes (libclang-rt-14-dev on Debian 12): the asan,
  # tsan and fuzz phases of scripts/test.sh (presets asan/fuzz and tsan) build with clang.
  clang libclang-rt-14-dev
  chromium  # only for the web console's browser test (tests/console/)
  # Test-only: real Kafka clients against choreod's Kafka listener (tests/kafka/, issue 12).
  kcat librdkafka-dev
  # ... and kafka-python, a second client sharing no code with librdkafka (its lz4 codec too).
  python3-kafka python3-lz4
  # Only for the Debian packages (scripts/package.sh) and their test (tests/packaging/):
  # dpkg-shlibdeps, help2man for the manual pages, lintian, systemd-analyze (in systemd).
  dpkg-dev help2man lintian systemd
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages already installed"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO=sudo
  else
    echo "install-deps: need root to install packages (run as root or install sudo): ${missing[*]}" >&2
    exit 1
  fi
else
  SUDO=
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
