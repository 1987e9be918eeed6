#!/usr/bin/env bash
# The Debian packages, end to end: scripts/package.sh packages BUILD_DIR; their metadata and
# contents are checked (dpkg-deb -I/-c), lintian must report no error and systemd-analyze must
# accept the unit. Then, as root, on this machine: dpkg -i; the installed choreod runs as the
# choreo user with the packaged config and its data in /var/lib/choreo (under a read-only root
# with a private /tmp and no new privileges, as choreod.service runs it) and the installed CLI
# round-trips records; an upgrade keeps the data and an edited config; dpkg -r keeps them;
# dpkg --purge deletes them. Whatever happens, the machine is left as it was (trap).
#
# Usage: packaging_test.sh BUILD_DIR SOURCE_DIR VERSION
# Exits 77 (skipped) when not root (after the checks that need no root), when a tool is missing
# outside CI, or when a choreo package is already installed here (it is not ours to touch).
set -euo pipefail
build="$1"
src="$2"
version="$3"
started=$SECONDS
step() { echo "== [$((SECONDS - started)) s] $*"; }
fail() {
  echo "FAIL: $*" >&2
  exit 1
}
skip() {
  echo "SKIPPED: $*"
  exit 77
}

missing=()
for tool in dpkg-deb dpkg-shlibdeps lintian systemd-analyze help2man adduser setpriv; do
  command -v "$tool" >/dev/null || missing+=("$tool")
done
if [ ${#missing[@]} -gt 0 ]; then
  message="missing ${missing[*]} (scripts/install-deps.sh installs them)"
  [ "${CI:-}" = "true" ] && fail "$message"
  skip "$message"
fi

work=$(mktemp -d)
run_dir=""
broker_pid=""
installed_by_us=0
user_existed=1
cleanup() {
  set +e
  if [ -n "$broker_pid" ]; then
    kill -KILL "$broker_pid" 2>/dev/null
    wait "$broker_pid" 2>/dev/null
  fi
  if [ "$installed_by_us" = 1 ]; then
    dpkg --purge libchoreo-client-dev choreo >/dev/null 2>&1
    rm -rf /var/lib/choreo /etc/choreo
  fi
  if [ "$user_existed" = 0 ] && getent passwd choreo >/dev/null; then
    userdel choreo 2>/dev/null
    getent group choreo >/dev/null && groupdel choreo 2>/dev/null
  fi
  [ -n "$run_dir" ] && rm -rf "$run_dir"
  rm -rf "$work"
}
trap cleanup EXIT

arch=$(dpkg --print-architecture)
deb="$work/debs/choreo_${version}_${arch}.deb"
dev="$work/debs/libchoreo-client-dev_${version}_${arch}.deb"

step "building the packages from $build"
"$src/scripts/package.sh" --build-dir "$build" --out "$work/debs"
[ -f "$deb" ] && [ -f "$dev" ] || fail "package.sh made no $deb and $dev: $(ls "$work/debs")"

step "checking their metadata (dpkg-deb -I)"
field() { dpkg-deb -f "$1" "$2"; }
# What the installed packages provide, read once (grep -q on a long pipe would SIGPIPE its writer).
provided=$(dpkg-query -W -f='${db:Status-Status} ,${Provides}\n' | sed -n 's/^installed //p')
for package in "$deb" "$dev"; do
  [ "$(field "$package" Version)" = "$version" ] || fail "$package: Version is not $version"
  [ "$(field "$package" Architecture)" = "$arch" ] || fail "$package: Architecture is not $arch"
  depends=$(field "$package" Depends)
  # Every dependency (and alternative) names a package this machine has, or one that an installed
  # package provides (libspdlog1.10 provides libspdlog1.10-fmt9): dpkg-shlibdeps resolved the
  # libraries to real packages, and nothing was left as a ${...} substitution.
  for name in $(echo "$depends" | tr ',|' '\n\n' | sed 's/(.*)//; s/ //g' | sort -u); do
    dpkg-query -W -f='${Status}' "$name" 2>/dev/null | grep -q "install ok installed" ||
      grep -qE "[ ,]$name( |,|$)" <<<"$provided" ||
      fail "$(basename "$package") depends on '$name', which no installed package is: $depends"
  done
  echo "$(basename "$package"): Depends: $depends"
done
for name in adduser libc6 libstdc++6 libprotobuf32; do
  field "$deb" Depends | tr ',' '\n' | sed 's/(.*)//; s/ //g' | grep -qxF "$name" ||
    fail "choreo does not depend on $name"
done
field "$deb" Built-Using | grep -q '^rocksdb (= ' || fail "choreo's Built-Using does not name rocksdb"
field "$dev" Depends | grep -q 'libprotobuf-dev (>= ' || fail "the -dev package misses libprotobuf-dev"
conffiles=$(dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./conffiles)
[ "$conffiles" = "/etc/choreo/choreod.conf" ] || fail "choreo's conffiles are '$conffiles'"
control_files=$(dpkg-deb --ctrl-tarfile "$deb" | tar -t)
for script in postinst prerm postrm; do
  grep -qx "./$script" <<<"$control_files" || fail "choreo has no $script"
done

step "checking their contents (dpkg-deb -c)"
dpkg-deb -c "$deb" | awk '{ print $1, $6 }' >"$work/choreo.contents"
dpkg-deb -c "$dev" | awk '{ print $1, $6 }' >"$work/dev.contents"
expect_file() { # CONTENTS MODE PATH
  grep -qx -- "$2 ./$3" "$1" || fail "$(basename "$1" .contents) lacks $3 with mode $2"
}
for program in choreod choreo choreo-bench; do
  expect_file "$work/choreo.contents" -rwxr-xr-x "usr/bin/$program"
  expect_file "$work/choreo.contents" -rw-r--r-- "usr/share/man/man1/$program.1.gz"
done
for file in lib/systemd/system/choreod.service etc/choreo/choreod.conf \
  usr/share/doc/choreo/copyright usr/share/doc/choreo/changelog.gz \
  usr/share/doc/choreo/README.Debian; do
  expect_file "$work/choreo.contents" -rw-r--r-- "$file"
done
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
for file in include/choreo/client/producer.h include/choreo/saga/service.h \
  include/choreo/proto/choreo.pb.h "lib/$multiarch/libchoreo_client.a" \
  "lib/$multiarch/libchoreo_saga.a" "lib/$multiarch/cmake/choreo/choreoConfig.cmake" \
  "lib/$multiarch/cmake/choreo/choreoTargets.cmake" share/doc/libchoreo-client-dev/copyright; do
  expect_file "$work/dev.contents" -rw-r--r-- "usr/$file"
done
if grep -vE ' \./(etc/choreo|lib/systemd|usr/(bin|share/(doc|man)))(/|$)' "$work/choreo.contents" |
  grep -vE ' \./((etc|lib|usr|usr/share)/)?$'; then
  fail "choreo ships files outside its directories (above)"
fi
mkdir "$work/choreo-root"
dpkg-deb -x "$deb" "$work/choreo-root"
for program in choreod choreo choreo-bench; do
  if readelf -S "$work/choreo-root/usr/bin/$program" | grep -q '\.debug_'; then
    fail "usr/bin/$program is not stripped"
  fi
done
unit="$work/choreo-root/lib/systemd/system/choreod.service"
for line in Type=notify User=choreo Restart=on-failure NoNewPrivileges=yes ProtectSystem=strict \
  ReadWritePaths=/var/lib/choreo PrivateTmp=yes \
  'ExecStart=/usr/bin/choreod --config=/etc/choreo/choreod.conf'; do
  grep -qx -- "$line" "$unit" || fail "choreod.service lacks '$line'"
done
echo "choreo: $(grep -c . "$work/choreo.contents") entries, $(du -h "$deb" | cut -f1);" \
  "libchoreo-client-dev: $(grep -c . "$work/dev.contents") entries, $(du -h "$dev" | cut -f1)"

step "lintian"
lintian_status=0
lintian --fail-on error --display-level '>=warning' "$deb" "$dev" >"$work/lintian.log" 2>&1 ||
  lintian_status=$?
grep -v 'running with root privileges' "$work/lintian.log" || echo "(no errors or warnings)"
[ "$lintian_status" = 0 ] || fail "lintian reported errors (above)"

[ "$(id -u)" = 0 ] || skip "not root: the packages were built and checked, but installing them needs root"

# One packaging test at a time on a machine: they install the same packages.
exec 9>/run/lock/choreo-packaging-test.lock
flock -w 600 9 || fail "another packaging test held the lock for 10 minutes"
for package in choreo libchoreo-client-dev; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$package" 2>/dev/null || true)
  if [ -n "$status" ] && [ "$status" != "not-installed" ]; then
    skip "the $package package is already on this machine ($status); not touching it"
  fi
done
[ -e /var/lib/choreo ] && skip "/var/lib/choreo exists and belongs to no choreo package here"
getent passwd choreo >/dev/null || user_existed=0

step "dpkg -i"
installed_by_us=1
dpkg -i "$deb" "$dev" >"$work/dpkg.log" 2>&1 || fail "dpkg -i: $(cat "$work/dpkg.log")"
IFS=: read -r _ _ uid _ _ home shell < <(getent passwd choreo) || fail "no choreo user"
[ "$uid" -lt 1000 ] || fail "the choreo user (uid $uid) is not a system user"
[ "$home" = /var/lib/choreo ] || fail "the choreo user's home is $home"
[ "$shell" = /usr/sbin/nologin ] || fail "the choreo user's shell is $shell"
[ "$(stat -c '%U:%G %a' /var/lib/choreo)" = "choreo:choreo 750" ] ||
  fail "/var/lib/choreo is $(stat -c '%U:%G %a' /var/lib/choreo)"
[ -L /etc/systemd/system/multi-user.target.wants/choreod.service ] ||
  fail "postinst did not enable choreod.service"

step "systemd-analyze verify"
systemd-analyze verify /lib/systemd/system/choreod.service ||
  fail "systemd-analyze verify rejected choreod.service"
systemd-analyze security --offline=true /lib/systemd/system/choreod.service 2>/dev/null |
  tail -1 || true

# start_broker: the installed choreod with the installed config, as choreod.service runs it:
# user choreo, no new privileges, no capabilities, everything read-only but /var/lib/choreo (and
# the directory of the port files), a private /tmp. Ports are 0 (free ones), not the config's
# 7420/7421. The unit's other options need systemd itself to apply them.
run_dir=$(mktemp -d /run/choreo-packaging-test.XXXXXX)
chown choreo:choreo "$run_dir"
sandbox="mount --bind /var/lib/choreo /var/lib/choreo && mount --bind $run_dir $run_dir &&
  mount -o remount,bind,ro / && mount -t tmpfs -o mode=1777 tmpfs /tmp && exec \"\$0\" \"\$@\""
if unshare --mount --propagation private -- sh -c "$sandbox" true 2>/dev/null; then
  sandboxed=(unshare --mount --propagation private -- sh -c "$sandbox")
else
  echo "(no mount namespaces here: choreod runs without the read-only root and private /tmp)"
  sandboxed=()
fi
start_broker() {
  rm -f "$run_dir"/*port
  "${sandboxed[@]}" setpriv --reuid=choreo --regid=choreo --init-groups --no-new-privs \
    --bounding-set=-all --inh-caps=-all -- \
    /usr/bin/choreod --config=/etc/choreo/choreod.conf --listen=127.0.0.1:0 \
    --http-listen=127.0.0.1:0 --port-file="$run_dir/port" --http-port-file="$run_dir/http-port" \
    2>>"$work/choreod.log" &
  broker_pid=$!
  for _ in $(seq 1 300); do
    [ -s "$run_dir/port" ] && break
    kill -0 "$broker_pid" 2>/dev/null || fail "choreod exited: $(cat "$work/choreod.log")"
    sleep 0.1
  done
  [ -s "$run_dir/port" ] || fail "choreod did not listen within 30 s: $(cat "$work/choreod.log")"
  port=$(cat "$run_dir/port")
  http_get /healthz | grep -q '^ok' || fail "/healthz did not answer ok"
  http_get /readyz | grep -q '^ready' || fail "/readyz did not answer ready"
}
stop_broker() { # SIGTERM, as systemctl stop; choreod.service allows 30 s (TimeoutStopSec)
  local stop_started=$EPOCHREALTIME
  kill -TERM "$broker_pid"
  for _ in $(seq 1 300); do
    kill -0 "$broker_pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -0 "$broker_pid" 2>/dev/null && fail "choreod did not exit within 30 s of SIGTERM"
  awk -v from="$stop_started" -v to="$EPOCHREALTIME" \
    'BEGIN { printf "choreod stopped %.2f s after SIGTERM\n", to - from }'
  local status=0
  wait "$broker_pid" || status=$?
  broker_pid=""
  [ "$status" = 0 ] || fail "choreod exited with $status on SIGTERM: $(cat "$work/choreod.log")"
}
http_get() { # PATH: the body of GET PATH on choreod's HTTP port
  local http_port
  http_port=$(cat "$run_dir/http-port")
  exec 8<>"/dev/tcp/127.0.0.1/$http_port"
  printf 'GET %s HTTP/1.0\r\nHost: localhost\r\n\r\n' "$1" >&8
  sed '1,/^\r$/d' <&8
  exec 8<&-
}
cli() { setpriv --reuid=choreo --regid=choreo --init-groups -- /usr/bin/choreo --broker "127.0.0.1:$port" "$@"; }
expected=$'value-1\nvalue-2\nvalue-3'

step "running the installed choreod as choreo; records through the installed CLI"
start_broker
cli topic create packaged --partitions 1 >/dev/null || fail "choreo topic create failed"
printf 'key-1:value-1\nkey-2:value-2\nkey-3:value-3\n' |
  cli produce packaged --key-separator : >/dev/null || fail "choreo produce failed"
[ "$(cli consume packaged --from-beginning --max 3)" = "$expected" ] ||
  fail "choreo consume did not return the 3 records produced"
stop_broker
[ -z "$(find /var/lib/choreo ! -user choreo)" ] || fail "choreod left files not owned by choreo"

step "upgrading over it: the data and an edited choreod.conf stay"
echo "# edited locally by packaging_test.sh" >>/etc/choreo/choreod.conf
dpkg-deb -R "$deb" "$work/upgrade"
sed -i "s/^Version: .*/Version: ${version}+upgrade1/" "$work/upgrade/DEBIAN/control"
dpkg-deb --root-owner-group -Zgzip --build "$work/upgrade" "$work/choreo_upgrade.deb" >/dev/null
dpkg -i "$work/choreo_upgrade.deb" </dev/null >"$work/dpkg.log" 2>&1 ||
  fail "dpkg -i (upgrade): $(cat "$work/dpkg.log")"
[ "$(dpkg-query -W -f='${Version}' choreo)" = "${version}+upgrade1" ] || fail "the upgrade did not happen"
grep -q '^# edited locally by packaging_test.sh$' /etc/choreo/choreod.conf ||
  fail "the upgrade replaced the edited choreod.conf"
start_broker
[ "$(cli consume packaged --from-beginning --max 3)" = "$expected" ] ||
  fail "the records did not survive the upgrade"
stop_broker

step "dpkg -r keeps the data and the config; dpkg --purge deletes them"
dpkg -r libchoreo-client-dev choreo >"$work/dpkg.log" 2>&1 || fail "dpkg -r: $(cat "$work/dpkg.log")"
[ ! -e /usr/bin/choreod ] || fail "dpkg -r left /usr/bin/choreod"
[ -n "$(ls /var/lib/choreo)" ] || fail "dpkg -r deleted the data in /var/lib/choreo"
[ -f /etc/choreo/choreod.conf ] || fail "dpkg -r deleted /etc/choreo/choreod.conf"
dpkg --purge libchoreo-client-dev choreo >"$work/dpkg.log" 2>&1 ||
  fail "dpkg --purge: $(cat "$work/dpkg.log")"
installed_by_us=0
for path in /var/lib/choreo /etc/choreo /etc/systemd/system/choreod.service \
  /etc/systemd/system/multi-user.target.wants/choreod.service; do
  [ ! -e "$path" ] && [ ! -L "$path" ] || fail "dpkg --purge left $path"
done

step "done"
echo "packaging: 1 passed, 0 failed"
