#!/usr/bin/env bash
# Soak with faults (issue 6): two `rota serve` processes (near tier on by default) on one
# PostgreSQL and one Redis, all private and on loopback; mixed reads and writes
# for SECONDS while Redis is killed and restarted twice; then every acknowledged
# write is checked in the database and every read for staleness. Writes
# bench/soak/RESULTS.md.   bench/soak/soak.sh [SECONDS=60]
# Refresh after write is on (answers prepared before a write's increment and
# stored by its script: the path with the most to get wrong); SOAK_REFRESH=false
# runs the default configuration instead. SOAK_NEAR=false runs without the near
# tier (every read's lookup goes to Redis, off the I/O thread), into
# bench/soak/RESULTS-near-off.md. SOAK_LATE_MS=3000: the servers find Redis
# back seconds apart (below), into RESULTS-apart.md (RESULTS-near-off-apart.md).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
secs=${1:-60}
scripts/deps.sh test
cmake -S . -B build-bench -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
ninja -C build-bench rota >/dev/null
work=$(mktemp -d /tmp/rota-soak-XXXXXX)
chmod 755 "$work"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  scripts/services.sh stop "$work/s" || true
  rm -rf "$work"
}
trap cleanup EXIT
eval "$(scripts/services.sh start "$work/s")"
export ROTA_DATABASE_URL="$ROTA_TEST_PG_URL" ROTA_CACHE_URL="$ROTA_TEST_REDIS_URL" ROTA_TODAY=2026-11-28 ROTA_LOG_LEVEL=warn
refresh=${SOAK_REFRESH:-true}
near=${SOAK_NEAR:-true}
results=bench/soak/RESULTS.md
[ "$near" = true ] || results=bench/soak/RESULTS-near-off.md
printf '[cache]\nnear = %s\ntimeout_ms = 500\nrefresh_after_write = %s\n' "$near" "$refresh" > "$work/rota.toml"
rota="build-bench/rota --config $work/rota.toml"
# SOAK_LATE_MS=3000: server 2 probes Redis only that long after a failure (`retry_after_ms`; default 1000
# for both), so that every restart has one server serving from Redis while the other still treats it
# as down: the moment that once gave stale reads (bench/NOTES.md).
late=${SOAK_LATE_MS:-}
cp "$work/rota.toml" "$work/rota2.toml"
[ -z "$late" ] || printf 'retry_after_ms = %s\n' "$late" >> "$work/rota2.toml"
[ -z "$late" ] || results=${results%.md}-apart.md
$rota seed --homes 4 --staff-per-home 20 --days 30 --start 2026-11-14 >/dev/null
token=$($rota create-token admin)
urls=()
for i in 1 2; do
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  config=$work/rota.toml
  [ "$i" = 1 ] || config=$work/rota2.toml
  build-bench/rota --config "$config" serve --port "$port" >"$work/server$i.log" 2>&1 &
  pids+=($!)
  urls+=("http://127.0.0.1:$port")
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
done
# Two shifts per home on 2026-11-28 and 2026-11-29.
q="SELECT string_agg(home_id || ':' || date || ':' || id, ',') FROM (SELECT DISTINCT ON (home_id, date) home_id, date, id
   FROM shift WHERE date IN ('2026-11-28', '2026-11-29') ORDER BY home_id, date, id) s"
shifts=$(psql "$ROTA_TEST_PG_URL" -Atc "$q")
# Redis dies twice, at a third and two thirds of the run, and comes back on the same port.
(
  for at in 3 3; do
    sleep "$(python3 -c "print($secs/$at)")"
    redis-cli -p "$ROTA_TEST_REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
    sleep 2
    redis-server --bind 127.0.0.1 --port "$ROTA_TEST_REDIS_PORT" --save '' --appendonly no --daemonize yes \
      --pidfile "$ROTA_TEST_REDIS_DIR/redis.pid" --dir "$ROTA_TEST_REDIS_DIR" --logfile "$ROTA_TEST_REDIS_DIR/redis.log" \
      --maxmemory 256mb --maxmemory-policy volatile-lru >/dev/null
    echo "redis restarted at $(date -u +%T)" >&2
  done
) &
restarter=$!
pids+=("$restarter")  # so that an early exit does not leave it to start a Redis later
report=$(python3 bench/soak/soak.py --servers "$(IFS=,; echo "${urls[*]}")" --token="$token" --shifts "$shifts" \
  --seconds "$secs" --ids-file "$work/acked.txt")
wait "$restarter"
acked=$(grep -c . "$work/acked.txt" || true)
ids=$(paste -sd, "$work/acked.txt")
found=0
[ "$acked" -gt 0 ] && found=$(psql "$ROTA_TEST_PG_URL" -Atc "SELECT COUNT(*) FROM shift_note WHERE id IN ($ids)")
lost=$((acked - found))
echo "$report"
echo "lost writes: $lost (acknowledged $acked, in the database $found)"
# When each server lost Redis and found it again: the stale reads this soak once found needed the two
# to come back apart (bench/NOTES.md).
states=$(for i in 1 2; do grep -hE 'cache: (redis unreachable|redis is back)' "$work/server$i.log" |
  sed -E "s/^\[[0-9-]+ ([0-9:.]+)\]( \[[^]]*\])* cache: (redis unreachable|redis is back).*/\1 server $i: \3/"; done | sort)
echo "$states"
{
  echo "# Soak with faults"
  echo
  echo "\`bench/soak/soak.sh $secs\` on $(date -u +%Y-%m-%d), $(nproc) cores, commit $(git rev-parse --short HEAD):"
  echo "two \`rota serve\` (near tier: $near) on one PostgreSQL and one Redis, 8 client threads, 10% writes"
  echo "(notes on 8 shifts), 90% reads of those shifts' days from either server; Redis killed (SHUTDOWN NOSAVE)"
  echo "and restarted after 2 s, twice. Refresh after write: $refresh.${late:+ Server 2 probes Redis $late ms after a failure (SOAK_LATE_MS), server 1 1000 ms.}"
  echo
  echo '```json'
  echo "$report"
  echo '```'
  echo
  echo "Lost writes: **$lost** (acknowledged $acked, found in the database $found)."
  echo
  echo "Each server's cache, as it logged it (UTC):"
  echo
  echo '```'
  echo "$states"
  echo '```'
} > "$results"
stale=$(python3 -c "import json,sys; print(json.loads(sys.argv[1])['stale_reads'])" "$report")
[ "$stale" = 0 ] && [ "$lost" = 0 ]
