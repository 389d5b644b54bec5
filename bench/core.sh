#!/usr/bin/env bash
# First benchmark of the service core (issue 2) and its cache (issue 3): the dashboard,
# shift list and staff list uncached (`?nocache=1`: computed from SQLite on every request)
# and cached (HIT), on the default demo data (10 homes x 40 staff x 120 days), wrk on loopback.
#
#   bench/core.sh [DURATION_SECONDS=10] [CONNECTIONS=32]
#
# Builds a Release binary in build-release/, seeds /tmp/rota-bench/rota.db with
# ROTA_TODAY pinned, serves it, runs each scenario once after a warm-up, and writes
# bench/RESULTS-core.md (table, exact commands, machine). Server CPU per request is
# (utime+stime) of the server from /proc/<pid>/stat over the run, divided by requests.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
dur=${1:-10}
conns=${2:-32}
command -v wrk >/dev/null || { sudo=; [ "$(id -u)" = 0 ] || sudo=sudo; $sudo apt-get install -y -qq wrk; }
scripts/deps.sh build
cmake -S . -B build-release -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
ninja -C build-release rota >/dev/null
dir=/tmp/rota-bench
rm -rf "$dir"; mkdir -p "$dir"
export ROTA_DATABASE_URL="sqlite://$dir/rota.db" ROTA_TODAY=2026-11-28 ROTA_LOG_LEVEL=warn
build-release/rota seed --start 2026-10-29 >"$dir/seed.log"
token=$(build-release/rota create-token admin)
port=18080
build-release/rota serve --port $port >"$dir/serve.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
tck=$(getconf CLK_TCK)
cpu() { awk '{print $14 + $15}' "/proc/$pid/stat"; }

out=bench/RESULTS-core.md
{
  echo "# Core benchmark: uncached and cached reads"
  echo
  echo "Produced by \`bench/core.sh $dur $conns\` on $(date -u +%Y-%m-%dT%H:%MZ)."
  echo "Machine: \`nproc\` $(nproc), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(uname -sr)."
  echo "Data: \`rota seed --start 2026-10-29\` (10 homes x 40 staff x 120 days), ROTA_TODAY=2026-11-28, SQLite (WAL), home 1."
  echo "Server: \`rota serve\` Release build, 4 threads; client: wrk 2 threads on the same 2 cores (a noisy, shared machine)."
  echo
  echo "| scenario | req/s | p50 | p99 | X-Query-Count | server CPU / request |"
  echo "| --- | --- | --- | --- | --- | --- |"
} >"$out"
for scenario in "dashboard (7 days), uncached|/api/homes/1/dashboard?nocache=1" \
                "shift list (7 days), uncached|/api/homes/1/shifts?nocache=1" \
                "staff list, uncached|/api/homes/1/staff?nocache=1" \
                "dashboard (366 days), uncached|/api/homes/1/dashboard?from=2026-01-01&days=366&nocache=1" \
                "dashboard (7 days), cached|/api/homes/1/dashboard" \
                "shift list (7 days), cached|/api/homes/1/shifts"; do
  name=${scenario%%|*}; path=${scenario#*|}
  url="http://127.0.0.1:$port$path"
  curl -s -o /dev/null -H "Authorization: Bearer $token" "$url"   # token remembered, cache filled
  qc=$(curl -s -D - -o /dev/null -H "Authorization: Bearer $token" "$url" | awk -F': ' 'tolower($1)=="x-query-count"{print $2}' | tr -d '\r')
  wrk -t2 -c"$conns" -d2s -H "Authorization: Bearer $token" "$url" >/dev/null  # warm-up
  c0=$(cpu)
  res=$(wrk -t2 -c"$conns" -d"${dur}s" --latency -H "Authorization: Bearer $token" "$url")
  c1=$(cpu)
  reqs=$(echo "$res" | awk '/requests in/{print $1}')
  rps=$(echo "$res" | awk '/Requests\/sec/{print $2}')
  p50=$(echo "$res" | awk '$1=="50%"{print $2}')
  p99=$(echo "$res" | awk '$1=="99%"{print $2}')
  cpu_us=$(awk -v a="$c0" -v b="$c1" -v t="$tck" -v n="$reqs" 'BEGIN{printf "%.0f µs", (b-a)/t*1e6/n}')
  echo "| $name | $rps | $p50 | $p99 | $qc | $cpu_us |" >>"$out"
  echo "$name: $rps req/s, p50 $p50, p99 $p99, $qc queries, $cpu_us CPU" >&2
done
{
  echo
  echo "Each row: \`wrk -t2 -c$conns -d${dur}s --latency -H 'Authorization: Bearer TOKEN' URL\` after a 2 s warm-up."
  echo "X-Query-Count is read from a request after the first (the bearer token is then remembered in-process,"
  echo "so it counts only the read's own statements; a cached answer needs none)."
} >>"$out"
cat "$out"
