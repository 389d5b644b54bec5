#!/usr/bin/env bash
# Runs the browser tests: seeds a SQLite file with pinned "today", starts
# `rota serve` on a free port, runs every *.test.js file here (node:test +
# playwright-core + Debian chromium; lib.js is what they share), one file at a
# time against the same server, then stops it. Screenshots go to ARTIFACTS.
#   tests/browser/run.sh ROTA_BINARY ARTIFACTS_DIR [FILE.test.js ...]
#
# The files share one database, so each one that changes data keeps to its own
# home: pages.test.js home 1 (manager1), rota.test.js home 2 (manager2),
# staff.test.js home 3 (manager3); the read-only pages' files change nothing.
set -euo pipefail
rota=$(realpath "$1")
artifacts=$2
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
mkdir -p "$artifacts"
work=$(mktemp -d /tmp/rota-browser-XXXXXX)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
cd "$work"
export ROTA_TODAY=2026-11-28 ROTA_DATABASE_URL="sqlite://$work/rota.db" ROTA_CACHE_URL=memory://
"$rota" seed --homes 3 --staff-per-home 24 --days 60 --start 2026-11-14 >/dev/null
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
# One log per run: several runs (one per file, from ctest) may share ARTIFACTS_DIR.
log=server.log
[ $# -gt 2 ] && log="server-$(basename "$3" .test.js).log"
"$rota" serve --port "$port" >"$artifacts/$log" 2>&1 &
pid=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
shift 2
files=("$@")
[ ${#files[@]} -gt 0 ] || files=("$here"/*.test.js)
ROTA_URL="http://127.0.0.1:$port" ROTA_ARTIFACTS="$artifacts" ROTA_DB="$work/rota.db" \
  node --test --test-concurrency=1 --test-reporter=spec "${files[@]}"
