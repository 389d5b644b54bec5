#!/usr/bin/env bash
# A change's cost, side by side: the Release rota of an earlier revision against
# the working tree's, on the same data, the same machine, in one run.
#
#   bench/before_after.sh REV [OUT.md]     e.g. bench/before_after.sh 4771486 bench/BEFORE_AFTER.md
#
# Both servers run memory:// on copies of one seeded SQLite file (10 homes x 40
# staff x 120 days, as bench/run.sh), pinned to CPU 1 with wrk on CPU 0. Each
# scenario runs ROUNDS rounds (5), the two contenders alternating (old new, new
# old, ...), DUR seconds (3) each at 64 connections; the figure is the median of
# the rounds of server CPU per request (from /proc/<pid>/stat around the run)
# and of requests per second. Scenarios: the cached dashboard (a hit), the
# uncached dashboard (X-Cache-Bypass: 1), the cached 7-day shift list to a client without and with
# Accept-Encoding: gzip (browsers and `curl --compressed` send it; wrk does not by itself).
# The earlier revision's schema may be older: it is served the same file (its
# schema check accepts a newer one). Needs wrk (installed if missing).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD
rev=${1:?usage: bench/before_after.sh REV [OUT.md]}
out=${2:-}
ROUNDS=${ROUNDS:-5} DUR=${DUR:-3}
log() { printf '[before_after] %s\n' "$*" >&2; }

command -v wrk >/dev/null || {
  sudo=; [ "$(id -u)" = 0 ] || sudo=sudo
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
}
launcher=(); command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)

old_rev=$(git rev-parse --short "$rev")
new_rev="$(git rev-parse --short HEAD)"
[ -n "$(git status --porcelain -- src CMakeLists.txt cmake web/static)" ] && new_rev="$new_rev + uncommitted changes"
log "Release build of $old_rev -> build-bench-base/"
rm -rf build-bench-base/src && mkdir -p build-bench-base/src/web/node_modules/chart.js/dist
git archive "$old_rev" src tests cmake CMakeLists.txt web/static | tar -x -C build-bench-base/src
cp web/node_modules/chart.js/dist/chart.umd.min.js build-bench-base/src/web/node_modules/chart.js/dist/
cmake -S build-bench-base/src -B build-bench-base/build -G Ninja -DCMAKE_BUILD_TYPE=Release "${launcher[@]}" >/dev/null
ninja -C build-bench-base/build rota >/dev/null
log "Release build of the working tree ($new_rev) -> build-bench/"
bench/build.sh
declare -A bin=([old]=$root/build-bench-base/build/rota [new]=$root/build-bench/build/rota)

work=$(mktemp -d /tmp/rota-before-after-XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
export ROTA_TODAY=2026-11-28 ROTA_LOG_LEVEL=warn
unset ROTA_CACHE_URL
ROTA_DATABASE_URL="sqlite://$work/base.db" "${bin[new]}" seed --homes 10 --days 120 --start 2026-10-29 >/dev/null
token=$(ROTA_DATABASE_URL="sqlite://$work/base.db" "${bin[new]}" create-token admin)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
declare -A port pid
for who in old new; do
  cp "$work/base.db" "$work/$who.db"
  port[$who]=$(free_port)
  ROTA_DATABASE_URL="sqlite://$work/$who.db" ROTA_CACHE_URL=memory:// taskset -c 1 "${bin[$who]}" serve \
    --port "${port[$who]}" >"$work/$who.log" 2>&1 &
  pids+=($!); pid[$who]=$!
  for _ in $(seq 300); do curl -fsS -o /dev/null "http://127.0.0.1:${port[$who]}/healthz" 2>/dev/null && break; sleep 0.1; done
done
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)

# name|path|extra header
scenarios=(
  "cached dashboard (hit)|/api/homes/1/dashboard|"
  "uncached dashboard|/api/homes/1/dashboard|X-Cache-Bypass: 1"
  "cached 7-day shift list (hit)|/api/homes/1/shifts|"
  "cached 7-day shift list (hit), Accept-Encoding: gzip|/api/homes/1/shifts|Accept-Encoding: gzip"
)
printf 'scenario\twho\tround\trps\tcpu_us\n' >"$work/runs.tsv"
for s in "${scenarios[@]}"; do
  IFS='|' read -r name path header <<<"$s"
  log "$name: $ROUNDS rounds x ${DUR}s"
  for who in old new; do
    url="http://127.0.0.1:${port[$who]}$path"
    args=(-H "Authorization: Bearer $token"); [ -n "$header" ] && args+=(-H "$header")
    curl -fsS -o /dev/null "${args[@]}" "$url"
    taskset -c 0 wrk -t1 -c64 -d1s "${args[@]}" "$url" >/dev/null 2>&1 || true   # warm-up
  done
  for ((r = 1; r <= ROUNDS; r++)); do
    order="old new"; [ $((r % 2)) = 0 ] && order="new old"
    for who in $order; do
      url="http://127.0.0.1:${port[$who]}$path"
      args=(-H "Authorization: Bearer $token"); [ -n "$header" ] && args+=(-H "$header")
      c0=$(ticks "${pid[$who]}")
      res=$(taskset -c 0 wrk -t1 -c64 -d"${DUR}s" "${args[@]}" "$url" 2>&1)
      c1=$(ticks "${pid[$who]}")
      reqs=$(awk '/requests in/{print $1}' <<<"$res")
      rps=$(awk '/Requests\/sec/{print $2}' <<<"$res")
      awk -v n="$name" -v w="$who" -v r="$r" -v rps="$rps" -v c=$((c1 - c0)) -v q="$reqs" -v hz="$hz" \
        'BEGIN { printf "%s\t%s\t%s\t%s\t%.1f\n", n, w, r, rps, c * 1e6 / hz / q }' >>"$work/runs.tsv"
    done
  done
done

report=$(python3 - "$work/runs.tsv" "$old_rev" "$new_rev" "$ROUNDS" "$DUR" <<'EOF'
import csv, statistics, sys
path, old, new, rounds, dur = sys.argv[1:]
rows = list(csv.DictReader(open(path), delimiter="\t"))
names = list(dict.fromkeys(r["scenario"] for r in rows))
def med(name, who, field):
    return statistics.median(float(r[field]) for r in rows if r["scenario"] == name and r["who"] == who)
print(f"Before: `{old}`; after: `{new}`. memory://, SQLite, 10 homes x 40 staff x 120 days, 64 connections, "
      f"servers on CPU 1 and wrk on CPU 0; median of {rounds} alternating rounds of {dur} s.\n")
print("| scenario | CPU per request before (µs) | after (µs) | after / before | req/s before | req/s after |")
print("|---|---:|---:|---:|---:|---:|")
for n in names:
    cb, ca = med(n, "old", "cpu_us"), med(n, "new", "cpu_us")
    rb, ra = med(n, "old", "rps"), med(n, "new", "rps")
    print(f"| {n} | {cb:.1f} | {ca:.1f} | {ca / cb:.2f} | {rb:,.0f} | {ra:,.0f} |")
EOF
)
echo "$report"
if [ -n "$out" ]; then
  {
    echo "# Before and after, side by side"
    echo
    echo "Command: \`bench/before_after.sh $rev $out\` ($(date -u +%Y-%m-%d), $(nproc) cores, load average at the end $(cut -d' ' -f1 /proc/loadavg))."
    echo
    echo "$report"
  } >"$out"
  log "wrote $out"
fi
