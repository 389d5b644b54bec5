#!/usr/bin/env bash
# docs/deploy/rota@.service, the systemd unit of docs/deploy.md, tried:
# `systemd-analyze verify` finds nothing to say about it (unknown keys, bad
# values and missing programs are reported there), and its ExecStartPre and
# ExecStart command lines, run as written (the binary, the configuration and
# the environment file swapped for the test's, %i for a free port), check the
# setup, serve, and stop with exit status 0 on the unit's KillSignal.
# Usage: deploy_unit_test.sh ROTA_BINARY
set -uo pipefail
rota=$(realpath "$1")
src=$(dirname "$(realpath "${BASH_SOURCE[0]}")")
unit=$src/../../docs/deploy/rota@.service
dir=$(mktemp -d /tmp/rota-unit-XXXXXX)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$dir"; }
trap cleanup EXIT
. "$src/expect.sh"
command -v systemd-analyze >/dev/null || { echo "FAIL systemd-analyze not found (Debian package systemd)"; exit 1; }
cd "$dir"

# The unit with this test's paths: the binary, the configuration, the environment file.
sed -e "s|/usr/local/bin/rota|$rota|g" -e "s|/etc/rota/rota.toml|$dir/rota.toml|g" \
  -e "s|/etc/rota/rota.env|$dir/rota.env|g" -e "s|/var/lib/rota|$dir|g" "$unit" >"rota@.service"
printf 'ROTA_DATABASE_URL=sqlite://%s/rota.db\nROTA_LOG_LEVEL=warn\n' "$dir" >rota.env
printf '[auth]\nsecure_cookies = true\n' >rota.toml
out=$(timeout 60 systemd-analyze verify "./rota@8001.service" 2>&1); rc=$?
expect "systemd-analyze verify accepts the unit without a remark" test $rc -eq 0 -a -z "$out"
[ -z "$out" ] || echo "$out"

env $(cat rota.env) "$rota" --config rota.toml seed --homes 1 --staff-per-home 4 --days 3 >/dev/null 2>&1
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
line() { sed -n "s/^$1=//p" "rota@.service" | sed "s/%i/$port/g"; }
pre=$(line ExecStartPre)
start=$(line ExecStart)
expect "the unit has ExecStartPre and ExecStart" test -n "$pre" -a -n "$start"
out=$(env $(cat rota.env) $pre 2>&1); rc=$?
expect "ExecStartPre (rota check) passes" test $rc -eq 0
env $(cat rota.env) $start >serve.log 2>&1 &
pid=$!
for _ in $(seq 100); do curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/healthz")
expect "ExecStart serves on the instance's port" test "$code" = 200
kill -"$(sed -n 's/^KillSignal=SIG//p' "rota@.service")" "$pid"
wait "$pid"; rc=$?
pid=
expect "the unit's KillSignal stops it with exit status 0" test $rc -eq 0

finish deploy_unit_test
