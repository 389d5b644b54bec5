#!/usr/bin/env bash
# GET /metrics of a real `rota serve`, checked by Prometheus' own linter:
# seeds a database, serves it, makes a few requests (hits, misses, errors, a
# write), then fetches /metrics with an administrator's token and with the
# configured scrape token (ROTA_METRICS_TOKEN) and pipes it into
# `promtool check metrics`, failing on any complaint. Also: anonymous -> 401,
# a manager -> 403, a wrong scrape token -> 401, and raw paths never become labels.
# Twice: SQLite + memory://, and PostgreSQL + redis:// with the near tier (the
# servers of scripts/services.sh: ROTA_TEST_PG_URL, ROTA_TEST_REDIS_URL).
# Usage: metrics_check.sh ROTA_BINARY
set -uo pipefail
rota=$(realpath "$1")
dir=$(mktemp -d /tmp/rota-metrics-XXXXXX)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; rm -rf "$dir"; }
trap cleanup EXIT
cd "$dir"
. "$(dirname "$(realpath "${BASH_SOURCE[0]}")")/expect.sh"
command -v promtool >/dev/null || { echo "FAIL promtool not found: run scripts/deps.sh test (Debian package prometheus)"; exit 1; }

scrape_token=$(head -c 24 /dev/urandom | base64 | tr '+/' '-_')
# status URL [curl args...]
status() { local url=$1; shift; curl -s -o /dev/null -w '%{http_code}' "$@" "$url"; }

# round NAME DATABASE_URL CACHE_URL [NEAR]
round() {
  local name=$1 db=$2 cache=$3 near=${4:-false}
  echo "--- $name"
  export ROTA_DATABASE_URL=$db ROTA_CACHE_URL=$cache ROTA_CACHE_NEAR=$near ROTA_TODAY=2026-11-28 ROTA_LOG_LEVEL=warn
  export ROTA_METRICS_TOKEN=$scrape_token
  printf '[cache]\nkey_prefix = "metrics%s"\n' "$$" >rota.toml
  "$rota" seed --homes 2 --staff-per-home 10 --days 10 >seed.log 2>&1 || { bad "$name: seed"; cat seed.log; return; }
  local admin manager port base
  admin=$("$rota" create-token admin)
  manager=$("$rota" create-token manager1)
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  "$rota" serve --port "$port" >serve.log 2>&1 &
  pid=$!
  base=http://127.0.0.1:$port
  for _ in $(seq 100); do curl -fsS "$base/healthz" >/dev/null 2>&1 && break; sleep 0.1; done

  local A=(-H "Authorization: Bearer $admin") M=(-H "Authorization: Bearer $manager")
  for _ in 1 2 3; do curl -s -o /dev/null "${A[@]}" "$base/api/homes/1/dashboard"; done   # a miss, then hits
  curl -s -o /dev/null "${M[@]}" "$base/api/homes/1/shifts?from=2026-11-28&to=2026-12-01"
  curl -s -o /dev/null "${M[@]}" "$base/api/homes/2/dashboard"                               # 403
  curl -s -o /dev/null "${A[@]}" "$base/api/stats"
  curl -s -o /dev/null "${A[@]}" "$base/no/such/route/12345"                                 # 404, unmatched
  curl -s -o /dev/null -X BREW "$base/api/homes/1/dashboard"                                 # 405, unmatched
  curl -s -o /dev/null "${A[@]}" -X PATCH -H 'Content-Type: application/json' -d '{"name":"Metrics Home"}' \
    "$base/api/homes/1"
  curl -s -o /dev/null "${A[@]}" -X POST "$base/cache/warm/"

  expect "$name: anonymous gets 401" test "$(status "$base/metrics")" = 401
  expect "$name: ... as api.md JSON" grep -q '"code":"unauthorized"' <<<"$(curl -s "$base/metrics")"
  expect "$name: a manager gets 403" test "$(status "$base/metrics" "${M[@]}")" = 403
  expect "$name: a wrong scrape token gets 401" \
    test "$(status "$base/metrics" -H "Authorization: Bearer ${scrape_token}x")" = 401
  expect "$name: the scrape token gets 200" \
    test "$(status "$base/metrics" -H "Authorization: Bearer $scrape_token")" = 200
  curl -s -D headers.txt -o metrics.txt "${A[@]}" "$base/metrics"
  expect "$name: an administrator gets 200" grep -q '^HTTP/1.1 200' headers.txt
  expect "$name: content type is the text format 0.0.4" \
    grep -qi '^content-type: text/plain; version=0.0.4; charset=utf-8' headers.txt
  local lint rc
  lint=$(promtool check metrics <metrics.txt 2>&1); rc=$?
  if [ $rc -eq 0 ] && [ -z "$lint" ]; then ok "$name: promtool check metrics passes"
  else bad "$name: promtool check metrics (rc=$rc):"; echo "$lint" | head -40; fi
  lint=$(curl -s -H "Authorization: Bearer $scrape_token" "$base/metrics" | promtool check metrics 2>&1); rc=$?
  expect "$name: promtool passes on the scrape token's answer too" test $rc -eq 0 -a -z "$lint"

  local m; m=$(cat metrics.txt)
  has() { grep -qF -- "$1" <<<"$m"; }
  expect "$name: requests by route pattern" \
    has 'rota_http_requests_total{route="/api/homes/{id}/dashboard",method="GET",code="200"} 3'
  expect "$name: refusals by status" has 'rota_http_requests_total{route="/api/homes/{id}/dashboard",method="GET",code="403"} 1'
  expect "$name: unmatched routes and odd methods are bounded" has 'route="unmatched",method="other",code="405"'
  expect "$name: raw paths never become labels" test -z "$(grep -E 'no/such/route|/api/homes/[0-9]' <<<"$m")"
  expect "$name: request latency histogram" has 'rota_http_request_duration_seconds_bucket{route="/api/homes/{id}/dashboard",method="GET",code="200",le="+Inf"} 3'
  expect "$name: statements per route" has 'rota_http_request_statements_total{route="/api/homes/{id}",method="PATCH",code="200"}'
  expect "$name: database statements" grep -qE '^rota_db_statements_total\{dialect="(sqlite|postgresql)",operation="query"\} [1-9]' <<<"$m"
  expect "$name: database latency histogram" has 'rota_db_statement_duration_seconds_count{dialect='
  expect "$name: pool gauges" grep -qE '^rota_db_pool_connections_max\{dialect="[a-z]+"\} [1-9]' <<<"$m"
  expect "$name: pool in use" has 'rota_db_pool_connections_in_use{'
  expect "$name: cache up" grep -qE '^rota_cache_up\{backend="[a-z]+"\} 1$' <<<"$m"
  # With the near tier, repeated reads are its hits and never reach the Redis backend's own count.
  expect "$name: cache hits by backend and alias" grep -qE '^rota_cache_hits_total\{backend="[a-z]+",alias="default"\} [0-9]+$' <<<"$m"
  if [ "$near" = true ]; then
    expect "$name: near tier hits" grep -qE '^rota_cache_near_hits_total\{backend="redis",alias="default"\} [1-9]' <<<"$m"
    expect "$name: redis server figures" has 'rota_cache_server_used_memory_bytes{backend="redis"'
  fi
  expect "$name: cache keys" grep -qE '^rota_cache_keys\{backend="[a-z]+",alias="default"\} [1-9]' <<<"$m"
  expect "$name: cached reads per prefix" grep -qE '^rota_cache_reads_total\{prefix="dashboard",result="hit"\} [1-9]' <<<"$m"
  expect "$name: alias timeouts" has 'rota_cache_alias_ttl_seconds{alias="template_fragments"} 900'
  expect "$name: build info" has 'rota_build_info{'
  expect "$name: process start time" grep -qE '^process_start_time_seconds [0-9.e+]+$' <<<"$m"

  kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; pid=
  rm -f rota.toml
}

round "sqlite + memory" "sqlite://$dir/rota.db" "memory://"
if [ -n "${ROTA_TEST_PG_URL:-}" ] && [ -n "${ROTA_TEST_REDIS_URL:-}" ]; then
  db="rota_metrics_$$_$RANDOM"
  psql -q -d "$ROTA_TEST_PG_URL" -c "CREATE DATABASE $db" >/dev/null || bad "create a PostgreSQL database"
  round "postgresql + redis (near)" "${ROTA_TEST_PG_URL%/*}/$db" "$ROTA_TEST_REDIS_URL" true
else
  bad "ROTA_TEST_PG_URL and ROTA_TEST_REDIS_URL are not set: start scripts/services.sh (the PostgreSQL + Redis round did not run)"
fi

finish metrics_check
