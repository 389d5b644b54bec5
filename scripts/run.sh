#!/usr/bin/env bash
# Builds rota, creates ./rota.db with demo data on first run, prints how to log in,
# and serves the API on http://127.0.0.1:8000 until Ctrl-C.
# Settings: PORT (8000), ROTA_DATABASE_URL (sqlite://rota.db), any ROTA_* of api.md.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
scripts/deps.sh build
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
ninja -C build rota
export ROTA_DATABASE_URL=${ROTA_DATABASE_URL:-sqlite://rota.db}
port=${PORT:-8000}
homes=$(build/rota migrate >/dev/null && sqlite3 rota.db 'SELECT COUNT(*) FROM care_home' 2>/dev/null || echo 0)
if [ "${ROTA_DATABASE_URL}" != sqlite://rota.db ] || [ "$homes" = 0 ]; then
  build/rota seed || true   # refuses, harmlessly, a database that already has homes
fi
token=$(build/rota create-token admin)
cat <<MSG

  rota is starting on http://127.0.0.1:$port/
  Open it in a browser and log in as manager1..manager10 (one home each) or admin (every home and the
  cache page), password rota-demo; the API takes the same logins at POST /api/login
  API token for admin (new each start):  $token
  Try:    curl -H 'Authorization: Bearer $token' http://127.0.0.1:$port/api/homes/1/dashboard

MSG
exec build/rota serve --port "$port"
