#!/usr/bin/env bash
# Runs the browser tests: seeds a SQLite file with pinned "today", starts
# `rota serve` on a free port, runs pages.test.js (node:test + playwright-core +
# Debian chromium), stops the server. Screenshots go to ARTIFACTS.
#   tests/browser/run.sh ROTA_BINARY ARTIFACTS_DIR
set -euo pipefail
rota=$1
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
"$rota" serve --port "$port" >"$artifacts/server.log" 2>&1 &
pid=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
ROTA_URL="http://127.0.0.1:$port" ROTA_ARTIFACTS="$artifacts" node --test --test-reporter=spec "$here/pages.test.js"
