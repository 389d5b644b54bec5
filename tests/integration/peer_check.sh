#!/usr/bin/env bash
# The Django peer's own checker against a real `rota serve` on a database that
# `rota seed` made: check.py compares dashboards, lists, errors and a PATCH with
# independent SQL. Usage: peer_check.sh ROTA_BINARY SHARED_DIR
# The peer lives outside this repository (../shared/peers, beside a checkout in the
# project's workspace); a clone without it skips this test (exit 77, ctest SKIPPED).
set -euo pipefail
rota=$1
check="$2/peers/django-rota/check.py"
if [ ! -f "$check" ]; then
  echo "peer_check: SKIPPED: $check is absent (the Django peer sits in ../shared beside the repository only in"
  echo "the project's own workspace; a plain clone has no peer to compare with)"
  exit 77
fi
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
/usr/bin/python3 "$check" "http://127.0.0.1:$port" --db "$dir/rota.db" --token="$token" --portable
