#!/usr/bin/env bash
# bench/mallocs.sh ROTA_BINARY: malloc calls per cached dashboard hit (memory://).
#
# Seeds a small SQLite file in a temporary folder, serves it on a free port, warms
# the dashboard, then counts libc's malloc (a perf uprobe: needs root and perf)
# while wrk sends 2 s of cached hits. Prints requests, mallocs and their ratio.
# REC=1 records call stacks instead (perf record -g, into $work/malloc.data) for a
# build with -fno-omit-frame-pointer. Used for bench/NOTES.md's allocation table.
set -euo pipefail
bin=$(readlink -f "$1")
for tool in perf wrk curl; do command -v "$tool" >/dev/null || { echo "mallocs.sh: needs $tool" >&2; exit 2; }; done
work=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT
export ROTA_DATABASE_URL="sqlite://$work/rota.db" ROTA_CACHE_URL=memory:// ROTA_TODAY=2026-11-28 ROTA_LOG_LEVEL=warn
"$bin" seed --homes 2 --staff-per-home 40 --days 14 >/dev/null
token=$("$bin" create-token admin 2>/dev/null | tail -1)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$bin" serve --port "$port" >"$work/serve.log" 2>&1 &
pid=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
url="http://127.0.0.1:$port/api/homes/1/dashboard"
curl -s -o /dev/null -H "Authorization: Bearer $token" "$url"
wrk -t1 -c8 -d1s -H "Authorization: Bearer $token" "$url" >/dev/null
perf probe -q -x "$(ldd "$bin" | awk '/libc\.so/{print $3}')" malloc 2>/dev/null || true
if [ -n "${REC:-}" ]; then
  perf record -q -e probe_libc:malloc -g -p "$pid" -o "${REC_OUT:-$PWD/malloc.data}" -- sleep 3 >/dev/null 2>&1 &
else
  perf stat -e probe_libc:malloc -p "$pid" -o "$work/stat.txt" -- sleep 3 &
fi
counter=$!
sleep 0.2
wrk -t1 -c8 -d2s -H "Authorization: Bearer $token" "$url" >"$work/wrk.txt"
wait "$counter"
requests=$(awk '/requests in/{print $1}' "$work/wrk.txt")
if [ -n "${REC:-}" ]; then
  echo "requests $requests; call stacks in ${REC_OUT:-$PWD/malloc.data}"
else
  mallocs=$(awk '/probe_libc:malloc/{gsub(",","",$1); print $1}' "$work/stat.txt")
  echo "requests $requests mallocs $mallocs per_request $(python3 -c "print(round($mallocs/$requests, 1))")"
fi
