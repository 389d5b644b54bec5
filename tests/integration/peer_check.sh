#!/usr/bin/env bash
# The Django peer's own checker against a real `rota serve` on a database that
# `rota seed` made: check.py compares dashboards, lists, errors and a PATCH with
# independent SQL. Usage: peer_check.sh ROTA_BINARY SHARED_DIR
set -euo pipefail
rota=$1
check="$2/peers/django-rota/check.py"
[ -f "$check" ] || { echo "peer_check: $check not found (shared/ must sit beside the repository)"; exit 1; }
dir=$(mktemp -d /tmp/rota-peercheck-XXXXXX)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; rm -rf "$dir"; }
trap cleanup EXIT
cd "$dir"
export ROTA_DATABASE_URL="sqlite://$dir/rota.db" ROTA_TODAY=2026-11-28 ROTA_LOG_LEVEL=warn
"$rota" seed --homes 4 --staff-per-home 20 --days 60 >seed.log
token=$("$rota" create-token admin)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$rota" serve --port "$port" >serve.log 2>&1 &
pid=$!
for _ in $(seq 100); do curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
/usr/bin/python3 "$check" "http://127.0.0.1:$port" --db "$dir/rota.db" --token "$token" --portable
