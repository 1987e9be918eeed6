#!/usr/bin/env bash
# Builds the Debian packages `choreo` (choreod, choreo, choreo-bench, the systemd unit, the config
# file, the choreo user) and `libchoreo-client-dev` (headers, static libraries, CMake package).
#
# Usage: scripts/package.sh [--build-dir DIR] [--out DIR]
#   With no --build-dir: installs dependencies, builds the `package` preset (build/package) and
#   packages it. --build-dir packages an existing build configured with CMAKE_INSTALL_PREFIX=/usr
#   (the `ci` and `package` presets are) without building anything: the packaging test uses the ci
#   build that way. --out is where the .deb files go (default: build/packages).
#
# The programs and library files come from `cmake --install --component runtime|development`
# (cmake/ChoreoInstall.cmake); the system's files come from packaging/debian/. Runtime
# dependencies are computed by dpkg-shlibdeps from the binaries. Set CHOREO_DEB_MAINTAINER to
# override the Maintainer field.
set -euo pipefail
umask 022
cd "$(dirname "$0")/.."
src=$PWD
build=""
out="$src/build/packages"
while [ $# -gt 0 ]; do
  case "$1" in
    --build-dir) build=$(realpath "$2"); shift 2 ;;
    --out) mkdir -p "$2"; out=$(realpath "$2"); shift 2 ;;
    *) echo "usage: scripts/package.sh [--build-dir DIR] [--out DIR]" >&2; exit 2 ;;
  esac
done

if [ -z "$build" ]; then
  ./scripts/install-deps.sh
  cmake --preset package >/dev/null
  cmake --build --preset package -j "$(nproc)" --target choreod choreo_cli choreo_bench \
    choreo_client choreo_saga
  build="$src/build/package"
fi

mkdir -p "$out"
cache_value() { sed -n "s/^$1:[A-Z]*=//p" "$build/CMakeCache.txt"; }
prefix=$(cache_value CMAKE_INSTALL_PREFIX)
if [ "$prefix" != "/usr" ]; then
  echo "package.sh: $build installs to '$prefix'; packages need a build configured with" \
    "-DCMAKE_INSTALL_PREFIX=/usr (the ci and package presets)" >&2
  exit 1
fi
version=$(cache_value CMAKE_PROJECT_VERSION)
arch=$(dpkg --print-architecture)
maintainer="${CHOREO_DEB_MAINTAINER:-choreo maintainers <maintainers@choreo.invalid>}"
# Reproducible timestamps (file dates in the packages, the changelog's date): the commit's.
export SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-$(git -C "$src" log -1 --format=%ct 2>/dev/null || date +%s)}"
commit=$(git -C "$src" rev-parse --short HEAD 2>/dev/null || echo unknown)
first_year=$(git -C "$src" log --max-parents=0 --format=%ad --date=format:%Y 2>/dev/null | tail -1 || true)
last_year=$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y)
years=${first_year:-$last_year}
[ "$years" = "$last_year" ] || years="$years-$last_year"

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

# doc_files PACKAGE_ROOT PACKAGE: the copyright file and changelog every Debian package carries.
doc_files() {
  local doc="$1/usr/share/doc/$2"
  install -d "$doc"
  sed "s/@YEARS@/$years/" packaging/debian/copyright >"$doc/copyright"
  chmod 0644 "$doc/copyright"
  {
    echo "choreo ($version) unstable; urgency=medium"
    echo
    echo "  * Built by scripts/package.sh from choreo commit $commit."
    echo
    echo " -- $maintainer  $(date -u -R -d "@$SOURCE_DATE_EPOCH")"
  } | gzip -9n >"$doc/changelog.gz"
}

# finish PACKAGE_ROOT: md5sums and Installed-Size, then the .deb into $out.
finish() {
  local root="$1" name
  name=$(sed -n 's/^Package: //p' "$root/DEBIAN/control")
  (cd "$root" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | LC_ALL=C sort -z |
    xargs -0 md5sum >DEBIAN/md5sums)
  chmod 0644 "$root/DEBIAN/md5sums"
  local size
  size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
  sed -i "s/^Installed-Size: .*/Installed-Size: $size/" "$root/DEBIAN/control"
  dpkg-deb --root-owner-group -Zxz --build "$root" "$out/${name}_${version}_${arch}.deb" >/dev/null
  echo "package.sh: $out/${name}_${version}_${arch}.deb ($(du -h "$out/${name}_${version}_${arch}.deb" | cut -f1))"
}

# --- choreo: the programs and the service ---
root="$stage/choreo"
DESTDIR="$root" cmake --install "$build" --component runtime >/dev/null
strip --strip-unneeded --remove-section=.comment --remove-section=.note "$root"/usr/bin/*
# Manual pages from each program's --help (help2man), as Debian wants one per program.
install -d "$root/usr/share/man/man1"
for program in choreod:"the choreo message broker daemon" \
  choreo:"command-line tool for the choreo message broker" \
  choreo-bench:"throughput and latency benchmark for the choreo message broker"; do
  help2man --no-info --no-discard-stderr --version-string="$version" -n "${program#*:}" \
    "$root/usr/bin/${program%%:*}" | gzip -9n >"$root/usr/share/man/man1/${program%%:*}.1.gz"
done
install -D -m 0644 packaging/debian/choreod.service "$root/lib/systemd/system/choreod.service"
install -D -m 0644 packaging/debian/choreod.conf "$root/etc/choreo/choreod.conf"
doc_files "$root" choreo
install -m 0644 packaging/debian/README.Debian "$root/usr/share/doc/choreo/README.Debian"
install -d "$root/DEBIAN"
install -m 0755 packaging/debian/postinst packaging/debian/prerm packaging/debian/postrm \
  "$root/DEBIAN/"
echo /etc/choreo/choreod.conf >"$root/DEBIAN/conffiles"

# dpkg-shlibdeps maps each shared library the binaries need to the package providing it (with
# the minimum version from that package's symbols file); it wants a debian/control to exist.
mkdir -p "$stage/shlibs/debian"
printf 'Source: choreo\n\nPackage: choreo\nArchitecture: any\n' >"$stage/shlibs/debian/control"
shlibs=$(cd "$stage/shlibs" && dpkg-shlibdeps -O "$root"/usr/bin/* 2>"$stage/shlibdeps.log" |
  sed -n 's/^shlibs:Depends=//p')
if [ -z "$shlibs" ]; then
  echo "package.sh: dpkg-shlibdeps found no dependencies: $(cat "$stage/shlibdeps.log")" >&2
  exit 1
fi
# RocksDB is linked statically (Debian ships its CMake target that way): Built-Using names it.
rocksdb=$(dpkg-query -W -f='${source:Package} (= ${source:Version})' librocksdb-dev)
cat >"$root/DEBIAN/control" <<CONTROL
Package: choreo
Version: $version
Architecture: $arch
Maintainer: $maintainer
Installed-Size: 0
Depends: adduser, $shlibs
Built-Using: $rocksdb
Section: net
Priority: optional
Description: message broker for event choreography
 choreod keeps a partitioned, durable append log in RocksDB and serves it over a
 protobuf-framed TCP protocol, with consumer groups, idempotent producers, a
 saga layer and a web console.
 .
 This package holds choreod as the systemd service choreod.service (user
 choreo, data in /var/lib/choreo, flags in /etc/choreo/choreod.conf), the
 choreo command-line tool and the choreo-bench benchmark.
CONTROL
finish "$root"

# --- libchoreo-client-dev: headers, static libraries, CMake package ---
root="$stage/dev"
DESTDIR="$root" cmake --install "$build" --component development >/dev/null
find "$root" -name '*.a' -exec strip --strip-debug --remove-section=.comment \
  --remove-section=.note --enable-deterministic-archives {} +
doc_files "$root" libchoreo-client-dev
install -d "$root/DEBIAN"
# A static library's dependencies are the -dev packages it is linked with, which dpkg-shlibdeps
# cannot see: protobuf (the generated headers need the protobuf they were generated with: same
# minor version), lz4 and zstd (choreo_proto's compression), named in choreoTargets.cmake.
protobuf=$(dpkg-query -W -f='${Version}' libprotobuf-dev)
protobuf_upstream=${protobuf#*:}
protobuf_upstream=${protobuf_upstream%%-*}
protobuf_next=$(echo "$protobuf_upstream" | awk -F. '{ printf "%d.%d", $1, $2 + 1 }')
cat >"$root/DEBIAN/control" <<CONTROL
Package: libchoreo-client-dev
Source: choreo
Version: $version
Architecture: $arch
Maintainer: $maintainer
Installed-Size: 0
Depends: libprotobuf-dev (>= $protobuf_upstream), libprotobuf-dev (<< $protobuf_next), liblz4-dev, libzstd-dev
Recommends: cmake, protobuf-compiler
Section: libdevel
Priority: optional
Description: message broker for event choreography - C++ client library
 The client library of the choreo message broker: Admin, Producer and Consumer
 (choreo/client/), the saga layer (choreo/saga/), their static libraries and
 a CMake package: find_package(choreo), then link choreo::client or
 choreo::saga.
CONTROL
finish "$root"
