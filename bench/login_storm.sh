#!/usr/bin/env bash
# Cached reads' latency without and with a login storm (issue 11): is a flood of
# logins (each an Argon2id verification, ~tens of ms of CPU) kept off the I/O
# threads, so that it slows logins and not everything else?
#
#   bench/login_storm.sh            # DUR=20 s per run, ROUNDS=3 (A/B interleaved), prints a table
#
# One Release `rota serve` (bench/build.sh), SQLite, memory:// cache, 10 homes x 40 staff, default
# settings except [auth] login_successes_per_address (raised, so the storm is not simply refused by the
# throttle). Reads: GET /api/homes/1/dashboard with a token (a cache hit), 16 connections each
# sending a request 10 ms after the previous answer (bench/paced.lua: <= 1,600/s, a load the server carries
# without queueing). Storm: 16 connections POSTing a right password in a closed loop (bench/login.lua).
# The table gives the reads' p50/p99 alone and under the storm, and the storm's answers by status.
#
# Results: bench/RESULTS.md "Cached reads under a login storm".
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
DUR=${DUR:-20}
ROUNDS=${ROUNDS:-3}
READ_CONNS=16
PACE_MS=10
STORM_CONNS=16
command -v wrk >/dev/null || { echo "wrk not found: apt-get install wrk (bench/run.sh installs it)"; exit 1; }
bench/build.sh
rota=$(realpath build-bench/build/rota)
dir=$(mktemp -d /tmp/rota-storm-XXXXXX)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; rm -rf "$dir"; }
trap cleanup EXIT
cd "$dir"
export ROTA_DATABASE_URL=sqlite://$dir/rota.db ROTA_CACHE_URL=memory:// ROTA_TODAY=2026-11-28 ROTA_LOG_LEVEL=warn
printf '[auth]\nlogin_successes_per_address = 1000000\n' >rota.toml
"$rota" seed --homes 10 --staff-per-home 40 --days 60 >/dev/null
token=$("$rota" create-token admin)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$rota" serve --port "$port" >serve.log 2>&1 &
pid=$!
base=http://127.0.0.1:$port
for _ in $(seq 100); do curl -fsS "$base/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
for _ in 1 2 3; do curl -fsS -o /dev/null -H "Authorization: Bearer $token" "$base/api/homes/1/dashboard"; done

# reads OUT: wrk's --latency output of the paced cached reads.
reads() {
  PACE_MS=$PACE_MS wrk -t2 -c$READ_CONNS -d${DUR}s --latency -s "$OLDPWD/bench/paced.lua" \
    -H "Authorization: Bearer $token" "$base/api/homes/1/dashboard" >"$1"
}
pct() { awk -v p="$2" '$1 == p { print $2 }' "$1"; }
ms() {  # wrk's "1.23ms" / "456.00us" / "1.02s" -> milliseconds
  awk '{ v = $1; if (v ~ /us$/) { sub(/us$/, "", v); v /= 1000 } else if (v ~ /ms$/) { sub(/ms$/, "", v) }
         else if (v ~ /s$/) { sub(/s$/, "", v); v *= 1000 } printf "%.2f", v }' <<<"$1"
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
echo "| round | reads alone p50 / p99 (ms) | reads under the storm p50 / p99 (ms) | p99 ratio | reads/s alone / storm | storm logins/s | storm answers |"
echo "| --- | --- | --- | --- | --- | --- | --- |"
ratios=()
for round in $(seq "$ROUNDS"); do
  reads alone.txt
  # --timeout: a login queued behind 15 others waits ~1.6 s on an idle machine, more on a busy one;
  # wrk's default 2 s would count those as timeouts instead of answers.
  wrk -t2 -c$STORM_CONNS -d$((DUR + 4))s --timeout 30s -s "$OLDPWD/bench/login.lua" "$base/api/login" >storm.txt &
  storm=$!
  sleep 2
  reads storm_reads.txt
  wait $storm
  a50=$(ms "$(pct alone.txt 50%)"); a99=$(ms "$(pct alone.txt 99%)")
  s50=$(ms "$(pct storm_reads.txt 50%)"); s99=$(ms "$(pct storm_reads.txt 99%)")
  ratio=$(awk -v a="$a99" -v b="$s99" 'BEGIN { printf "%.2f", b / a }')
  ratios+=("$ratio")
  arps=$(awk '/Requests\/sec/ { printf "%.0f", $2 }' alone.txt)
  srps=$(awk '/Requests\/sec/ { printf "%.0f", $2 }' storm_reads.txt)
  lrps=$(awk '/Requests\/sec/ { printf "%.0f", $2 }' storm.txt)
  answers=$(sed -n 's/^login statuses: //p' storm.txt)
  errors=$(sed -n 's/^ *Socket errors: //p' storm.txt)
  [ -n "$errors" ] && answers="$answers; socket errors: $errors"
  echo "| $round | $a50 / $a99 | $s50 / $s99 | ${ratio}x | $arps / $srps | $lrps | $answers |"
done
median=$(printf '%s\n' "${ratios[@]}" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
echo
echo "median p99 ratio (storm / alone): ${median}x over $ROUNDS rounds of ${DUR} s; $(nproc) cores; $(date -u +%FT%TZ)"
echo "load average (1/5/15 min) before: $load_before; after: $(cut -d' ' -f1-3 /proc/loadavg)"
