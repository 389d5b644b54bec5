#!/usr/bin/env bash
# Compressed once, served many times (issue 14, item 5): bytes on the wire and
# server CPU per cached hit of the week's and the month's shift lists, with and
# without `Accept-Encoding: gzip`, and what compressing costs a miss.
#
#   bench/compression.sh [ROTA_BINARY [BASELINE_BINARY]]
#     ROTA_BINARY: default build-release/rota, built here if missing (Release, ccache launcher);
#     BASELINE_BINARY: a rota from before compression (e.g. main's, built the same way), served
#     beside it on a copy of the database for the identity clients' "before" rows.
#
# 1. seeds the demo data (10 homes x 40 staff x 120 days from 2026-10-29, ROTA_TODAY=2026-11-28) into a
#    SQLite file in a temporary folder and starts one Release `rota serve` on memory:// (pinned to CPU 1
#    with taskset, wrk to CPU 0, when there are two cores);
# 2. for each list (7 days: /api/homes/1/shifts; 31 days: ?from=2026-11-01&to=2026-12-01) and each
#    client (identity: no Accept-Encoding; gzip: `Accept-Encoding: gzip`), after one request that fills
#    the cache: one curl for the bytes on the wire (body + header, curl's size_download + size_header),
#    then `wrk -t1 -c16 -d${DUR}s` ROUNDS times, interleaved; server CPU per request = utime+stime of
#    the server from /proc/<pid>/stat around each run / requests; medians of the rounds;
# 3. the cost of compressing once, on a miss: the same bodies through zlib (Python's zlib module, the
#    same libz rota links) at levels 1, 6 (rota's) and 9, median of 50 runs;
# 4. writes its section to bench/RESULTS-compression.md, or to $COMPRESSION_RESULTS (bench/run.sh:
#    a file of its own, which it puts in RESULTS.md); with BENCH_FACTS=FILE, one line per list and
#    client is appended to FILE: compression, list, client, body bytes, header bytes, CPU µs per hit,
#    req/s.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD
DUR=${DUR:-5}
ROUNDS=${ROUNDS:-3}
CONNS=16
TODAY=2026-11-28
rota=${1:-build-release/rota}
if [ ! -x "$rota" ]; then
  cmake -S . -B build-release -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_COMPILER_LAUNCHER=ccache >/dev/null
  ninja -C build-release -j2 rota >/dev/null
fi
rota=$(realpath "$rota")
before=${2:+$(realpath "$2")}
command -v wrk >/dev/null || { echo "wrk not found: apt-get install wrk (bench/run.sh installs it)" >&2; exit 1; }

work=$(mktemp -d /tmp/rota-compression.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
  rm -rf "$work"
}
trap cleanup EXIT
export ROTA_TODAY=$TODAY ROTA_LOG_LEVEL=warn
unset ROTA_CACHE_URL ROTA_DATABASE_URL
if [ "$(nproc)" -ge 2 ]; then SRV=(taskset -c 1) WRK=(taskset -c 0 wrk); pinning="rota on CPU 1, wrk on CPU 0 (taskset)"
else SRV=() WRK=(wrk); pinning="no pinning"; fi

ROTA_DATABASE_URL="sqlite://$work/rota.db" "$rota" seed --homes 10 --days 120 --start 2026-10-29 >/dev/null
token=$(ROTA_DATABASE_URL="sqlite://$work/rota.db" "$rota" create-token admin)
declare -A base pid_of
start() {  # start NAME BINARY
  local port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  cp "$work/rota.db" "$work/$1.db"
  ROTA_DATABASE_URL="sqlite://$work/$1.db" ROTA_CACHE_URL=memory:// "${SRV[@]}" "$2" serve --port "$port" \
    >"$work/$1.log" 2>&1 &
  pids+=($!); pid_of[$1]=$!; base[$1]=http://127.0.0.1:$port
  for _ in $(seq 300); do curl -fsS -o /dev/null "${base[$1]}/healthz" 2>/dev/null && return; sleep 0.1; done
  echo "bench: $1 did not start" >&2; exit 1
}
start new "$rota"
encs=(identity gzip)
if [ -n "$before" ]; then start before "$before"; encs+=(before); fi
auth="Authorization: Bearer $token"
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)

declare -A path=([week]="/api/homes/1/shifts" [month]="/api/homes/1/shifts?from=2026-11-01&to=2026-12-01")
hdr() { [ "$1" = gzip ] && printf '%s\n' -H "Accept-Encoding: gzip"; return 0; }
server() { [ "$1" = before ] && echo before || echo new; }

: >"$work/runs.tsv"
for list in week month; do
  for srv in new ${before:+before}; do
    curl -fsS -o /dev/null -H "$auth" -H "Accept-Encoding: gzip" "${base[$srv]}${path[$list]}"  # the miss that stores it
  done
  for enc in "${encs[@]}"; do
    mapfile -t h < <(hdr "$enc")
    url=${base[$(server "$enc")]}${path[$list]}
    read -r body head < <(curl -fsS -o "$work/body.$list.$enc" -D "$work/head" -H "$auth" "${h[@]}" \
      -w '%{size_download} %{size_header}\n' "$url")
    xc=$(awk -F': ' 'tolower($1)=="x-cache"{print $2}' "$work/head" | tr -d '\r')
    ce=$(awk -F': ' 'tolower($1)=="content-encoding"{print $2}' "$work/head" | tr -d '\r')
    printf 'probe\t%s\t%s\t%s\t%s\t%s\t%s\n' "$list" "$enc" "$body" "$head" "$xc" "${ce:-identity}" >>"$work/runs.tsv"
  done
  [ "$(gzip -dc <"$work/body.$list.gzip" | cmp - "$work/body.$list.identity" && echo same)" = same ] ||
    { echo "bench: the gzip body of $list does not inflate to the identity body" >&2; exit 1; }
  for srv in new ${before:+before}; do
    "${WRK[@]}" -t1 -c$CONNS -d1s -H "$auth" "${base[$srv]}${path[$list]}" >/dev/null   # warm-up
  done
  for ((r = 0; r < ROUNDS; r++)); do
    for ((k = 0; k < ${#encs[@]}; k++)); do
      enc=${encs[$(((k + r) % ${#encs[@]}))]}
      mapfile -t h < <(hdr "$enc")
      srv=$(server "$enc")
      c0=$(ticks "${pid_of[$srv]}")
      out=$("${WRK[@]}" -t1 -c$CONNS -d"${DUR}s" --timeout 10s -H "$auth" "${h[@]}" "${base[$srv]}${path[$list]}")
      c1=$(ticks "${pid_of[$srv]}")
      reqs=$(echo "$out" | awk '/requests in/{print $1}')
      rps=$(echo "$out" | awk '/Requests\/sec/{print $2}')
      xfer=$(echo "$out" | awk '/Transfer\/sec/{print $2}')
      printf 'run\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$list" "$enc" "$r" "$reqs" "$rps" "$xfer" "$((c1 - c0))" \
        >>"$work/runs.tsv"
    done
  done
done

# The one-off cost of compressing each body (the miss pays it once), through the same zlib.
python3 - "$work" >>"$work/runs.tsv" <<'PY'
import sys, time, zlib
work = sys.argv[1]
for name in ("week", "month"):
    body = open(f"{work}/body.{name}.identity", "rb").read()
    for level in (1, 6, 9):
        times = []
        for _ in range(50):
            c = zlib.compressobj(level, zlib.DEFLATED, 31)
            t = time.perf_counter()
            gz = c.compress(body) + c.flush()
            times.append(time.perf_counter() - t)
        times.sort()
        t = time.perf_counter()
        for _ in range(50):
            zlib.decompress(gz, 31, len(body))  # the output buffer sized at once, as rota sizes it from ISIZE
        inflate = (time.perf_counter() - t) / 50
        print(f"zlib\t{name}\t{level}\t{len(body)}\t{len(gz)}\t{times[25] * 1e6:.0f}\t{inflate * 1e6:.0f}")
PY

python3 - "$work/runs.tsv" "$hz" "$DUR" "$ROUNDS" "$CONNS" "$pinning" "$(git rev-parse --short HEAD)" \
  "${COMPRESSION_RESULTS:-$root/bench/RESULTS-compression.md}" "${BASELINE_TREE:-baseline}" "${BENCH_FACTS:-}" <<'PY'
import statistics, sys, datetime
tsv, hz, dur, rounds, conns, pinning, tree, results, before_tree, facts = sys.argv[1:]
hz = int(hz)
probes, runs, zl = {}, {}, {}
for line in open(tsv):
    f = line.rstrip("\n").split("\t")
    if f[0] == "probe":
        probes[(f[1], f[2])] = dict(body=int(f[3]), head=int(f[4]), xcache=f[5], enc=f[6])
    elif f[0] == "run":
        runs.setdefault((f[1], f[2]), []).append(dict(reqs=int(f[4]), rps=float(f[5]), xfer=f[6],
                                                       cpu_us=int(f[7]) / hz * 1e6 / max(int(f[4]), 1)))
    elif f[0] == "zlib":
        zl[(f[1], int(f[2]))] = dict(size=int(f[3]), gz=int(f[4]), us=int(f[5]), inflate_us=int(f[6]))
L = []
w = L.append
w("## Compression")
w("")
w(f"Produced by `bench/compression.sh` on {datetime.datetime.utcnow():%Y-%m-%dT%H:%MZ} (tree {tree}): one Release "
  f"`rota serve` on memory://, the demo data (10 homes x 40 staff x 120 days, `ROTA_TODAY=2026-11-28`), home 1; "
  f"{pinning}. Per client: `wrk -t1 -c{conns} -d{dur}s -H 'Authorization: Bearer TOKEN' "
  f"[-H 'Accept-Encoding: gzip'] URL`, {rounds} rounds interleaved, medians; server CPU per request from "
  f"`/proc/<pid>/stat` around each run. Bytes on the wire: one `curl` (body + header). *before*: the same "
  f"requests to a rota without compression (`bench/compression.sh NEW BASELINE`), served beside it.")
w("")
w("| list | client | Content-Encoding | body bytes | header bytes | req/s | CPU / hit | wire | runs (req/s) |")
w("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
for name, label in (("week", "7 days"), ("month", "31 days")):
    for enc in ("before", "identity", "gzip"):
        if (name, enc) not in runs:
            continue
        p, rs = probes[(name, enc)], runs[(name, enc)]
        each = " / ".join(format(r["rps"], ",.0f") for r in rs)
        client = {"gzip": "`Accept-Encoding: gzip`", "identity": "no Accept-Encoding",
                  "before": "no Accept-Encoding, **before** (tree %s)" % before_tree}[enc]
        w(f"| {label} | {client} | {p['enc']} | {p['body']:,} | {p['head']} | {statistics.median(r['rps'] for r in rs):,.0f} "
          f"| {statistics.median(r['cpu_us'] for r in rs):.0f} µs | {rs[len(rs) // 2]['xfer']}/s | "
          f"{each} |")
        if facts:  # bench/run.sh: its facts.tsv, for RESULTS.md's targets
            with open(facts, "a") as f:
                f.write(f"compression\t{label}\t{enc}\t{p['body']}\t{p['head']}\t"
                        f"{statistics.median(r['cpu_us'] for r in rs):.1f}\t{statistics.median(r['rps'] for r in rs):.0f}\n")
w("")
w("What a miss pays once to compress (and an identity client pays per hit to inflate), through the same zlib, "
  "median of 50:")
w("")
w("| list | identity bytes | level | gzip bytes | ratio | deflate | inflate |")
w("| --- | --- | --- | --- | --- | --- | --- |")
for name, label in (("week", "7 days"), ("month", "31 days")):
    for level in (1, 6, 9):
        z = zl[(name, level)]
        w(f"| {label} | {z['size']:,} | {level}{' (rota)' if level == 6 else ''} | {z['gz']:,} | "
          f"{z['size'] / z['gz']:.1f}x | {z['us']} µs | {z['inflate_us']} µs |")
w("")
section = "\n".join(L) + "\n"
open(results, "w").write(section)
print(section)
PY
