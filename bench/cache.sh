#!/usr/bin/env bash
# Cache benchmark (issue 3): the dashboard cached (HIT) vs uncached, with memory://
# and redis://, and a mixed workload (95% reads over 10 homes, 5% writes) with its
# hit rate; bytes per cached dashboard.
#
#   bench/cache.sh [DURATION_SECONDS=10] [CONNECTIONS=32]
#
# Release build, default demo data (10 homes x 40 staff x 120 days), ROTA_TODAY
# pinned, a private redis-server, wrk on loopback. Writes bench/RESULTS-cache.md.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
dur=${1:-10}
conns=${2:-32}
command -v wrk >/dev/null || { sudo=; [ "$(id -u)" = 0 ] || sudo=sudo; $sudo apt-get install -y -qq wrk; }
scripts/deps.sh test
cmake -S . -B build-release -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
ninja -C build-release rota >/dev/null
dir=/tmp/rota-bench-cache
rm -rf "$dir"; mkdir -p "$dir"
export ROTA_DATABASE_URL="sqlite://$dir/rota.db" ROTA_TODAY=2026-11-28 ROTA_LOG_LEVEL=warn
build-release/rota seed --start 2026-10-29 >"$dir/seed.log"
token=$(build-release/rota create-token admin)
export ROTA_BENCH_TOKEN=$token
rport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
redis-server --bind 127.0.0.1 --port "$rport" --save '' --appendonly no --daemonize yes --dir "$dir" \
  --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" --maxmemory 256mb --maxmemory-policy volatile-lru >/dev/null
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; kill "$(cat "$dir/redis.pid")" 2>/dev/null || true; }
trap cleanup EXIT
tck=$(getconf CLK_TCK)
port=18081
cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; }

start_rota() {  # $1 = cache URL
  ROTA_CACHE_URL=$1 build-release/rota serve --port $port >"$dir/serve.log" 2>&1 &
  pid=$!
  for _ in $(seq 100); do curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
}
stop_rota() { kill "$pid"; wait "$pid" 2>/dev/null || true; pid=; }

out=bench/RESULTS-cache.md
{
  echo "# Cache benchmark"
  echo
  echo "Produced by \`bench/cache.sh $dur $conns\` on $(date -u +%Y-%m-%dT%H:%MZ)."
  echo "Machine: \`nproc\` $(nproc), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(uname -sr)."
  echo "Data: \`rota seed --start 2026-10-29\` (10 homes x 40 staff x 120 days), ROTA_TODAY=2026-11-28, SQLite (WAL)."
  echo "Server: \`rota serve\` Release, 4 threads; Redis $(redis-server --version | awk '{print $3}') on loopback; wrk 2 threads on the same 2 cores."
  echo "Server CPU per request = (utime+stime) of rota (+ redis-server for redis://) from /proc over the run / requests."
  echo
  echo "| backend | scenario | req/s | p50 | p99 | X-Query-Count | server CPU / request |"
  echo "| --- | --- | --- | --- | --- | --- | --- |"
} >"$out"

run() {  # backend name path
  local backend=$1 name=$2 path=$3 url="http://127.0.0.1:$port$3"
  curl -s -o /dev/null -H "Authorization: Bearer $token" "$url"
  local qc
  qc=$(curl -s -D - -o /dev/null -H "Authorization: Bearer $token" "$url" | awk -F': ' 'tolower($1)=="x-query-count"{print $2}' | tr -d '\r')
  wrk -t2 -c"$conns" -d2s -H "Authorization: Bearer $token" "$url" >/dev/null
  local c0 r0 c1 r1 res reqs
  c0=$(cpu "$pid"); r0=$(cpu "$(cat "$dir/redis.pid")")
  res=$(wrk -t2 -c"$conns" -d"${dur}s" --latency -H "Authorization: Bearer $token" "$url")
  c1=$(cpu "$pid"); r1=$(cpu "$(cat "$dir/redis.pid")")
  [ "$backend" = "redis://" ] || { r0=0; r1=0; }
  reqs=$(echo "$res" | awk '/requests in/{print $1}')
  printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$backend" "$name" "$(echo "$res" | awk '/Requests\/sec/{print $2}')" \
    "$(echo "$res" | awk '$1=="50%"{print $2}')" "$(echo "$res" | awk '$1=="99%"{print $2}')" "$qc" \
    "$(awk -v a="$c0" -v b="$c1" -v x="$r0" -v y="$r1" -v t="$tck" -v n="$reqs" 'BEGIN{printf "%.0f µs", ((b-a)+(y-x))/t*1e6/n}')" >>"$out"
  tail -n 1 "$out" >&2
}

stats() { curl -s -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/cache/stats"; }
field() { python3 -c "import json,sys; print(json.load(sys.stdin)['$1'])"; }

mixed_notes=()
for backend in "memory://" "redis://127.0.0.1:$rport/0"; do
  label=${backend%%127*}
  start_rota "$backend"
  run "$label" "dashboard 7 days, uncached (?nocache=1)" "/api/homes/1/dashboard?nocache=1"
  run "$label" "dashboard 7 days, cached (HIT)" "/api/homes/1/dashboard"
  run "$label" "shift list 7 days, cached (HIT)" "/api/homes/1/shifts"
  h0=$(stats | field hits); m0=$(stats | field misses)
  res=$(wrk -t2 -c"$conns" -d"${dur}s" --latency -s bench/mixed.lua "http://127.0.0.1:$port")
  h1=$(stats | field hits); m1=$(stats | field misses)
  rate=$(awk -v h=$((h1 - h0)) -v m=$((m1 - m0)) 'BEGIN{printf "%.1f", h * 100 / (h + m)}')
  printf '| %s | mixed: 95%% dashboards of 10 homes, 5%% writes | %s | %s | %s | | hit rate %s%% |\n' "$label" \
    "$(echo "$res" | awk '/Requests\/sec/{print $2}')" "$(echo "$res" | awk '$1=="50%"{print $2}')" \
    "$(echo "$res" | awk '$1=="99%"{print $2}')" "$rate" >>"$out"
  tail -n 1 "$out" >&2
  if [ "$label" = "memory://" ]; then
    curl -s -X POST -H "Authorization: Bearer $token" "http://127.0.0.1:$port/cache/clear/" >/dev/null
    curl -s -X POST -H "Authorization: Bearer $token" "http://127.0.0.1:$port/cache/warm/" >/dev/null
    s=$(stats)
    per=$(echo "$s" | python3 -c "import json,sys; d=json.load(sys.stdin); print(round(d['cached_bytes']/d['total_keys']))")
    mixed_notes+=("After \`POST /cache/warm/\` (10 homes: 7- and 14-day dashboards, the month's report, stats) the memory cache holds $(echo "$s" | field total_keys) keys in $(echo "$s" | field cached_bytes) bytes of keys + values: ${per} bytes per entry on average.")
  fi
  stop_rota
done
{
  echo
  echo "Each row but the mixed ones: \`wrk -t2 -c$conns -d${dur}s --latency -H 'Authorization: Bearer TOKEN' URL\` after a 2 s warm-up;"
  echo "mixed: \`wrk -t2 -c$conns -d${dur}s --latency -s bench/mixed.lua URL\`; its hit rate is the change of /api/cache/stats hits/misses."
  for n in "${mixed_notes[@]}"; do echo; echo "$n"; done
} >>"$out"
cat "$out"
