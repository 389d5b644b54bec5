#!/usr/bin/env bash
# Profiles the Release rota under a cached-dashboard load and an uncached-dashboard
# load, the two hot paths of bench/run.sh, and writes what it found to
# bench/profile/ (read by a person; bench/NOTES.md says what it means).
#
#   bench/profile.sh [SECONDS=8]
#
# Two views of each load, on the demo data (10 homes x 40 staff x 120 days,
# ROTA_TODAY=2026-11-28), server pinned to CPU 1 and wrk -t1 -c8 to CPU 0:
#   perf (cpu-clock sampling, user and kernel, the whole process), because this
#     machine has no hardware counters (`perf stat -e instructions` is "not
#     supported") and a cached hit is mostly system calls;
#   callgrind (user-space instructions, exact, collected only during the load,
#     with instructions per request), on the same binary (symbols, no -g);
#   strace -c (system calls per request).
# PROFILE_KEEP=1 keeps the temporary folder with the perf and callgrind files.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD
secs=${1:-8}
for p in wrk valgrind linux-perf strace; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="${missing:-} $p"
done
if [ -n "${missing:-}" ]; then
  sudo=; [ "$(id -u)" = 0 ] || sudo=sudo
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  # shellcheck disable=SC2086
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
bench/build.sh
rota=$root/build-bench/build/rota
out=bench/profile
mkdir -p "$out"
work=$(mktemp -d /tmp/rota-profile-XXXXXX)
pid=
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  if [ "${PROFILE_KEEP:-0}" = 1 ]; then echo "kept $work (callgrind files: callgrind_annotate --tree=caller)" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
export ROTA_TODAY=2026-11-28 ROTA_LOG_LEVEL=warn ROTA_DATABASE_URL="sqlite://$work/rota.db" ROTA_CACHE_URL=memory://
"$rota" seed --start 2026-10-29 >/dev/null
token=$("$rota" create-token admin)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
url="http://127.0.0.1:$port/api/homes/1/dashboard"
auth=(-H "Authorization: Bearer $token")
wait_up() { for _ in $(seq 600); do curl -fsS -o /dev/null "http://127.0.0.1:$port/healthz" 2>/dev/null && return; sleep 0.1; done; exit 1; }
requests() { awk '/requests in/{print $1}' "$1"; }
set +o pipefail   # `report | head` below: head closing the pipe early is fine

# --- perf ---------------------------------------------------------------------------
taskset -c 1 "$rota" serve --port "$port" >/dev/null 2>&1 &
pid=$!
wait_up
curl -fsS -o /dev/null "${auth[@]}" "$url"
for kind in cached uncached; do
  hdr=(); [ $kind = uncached ] && hdr=(-H "X-Cache-Bypass: 1")
  perf record -e cpu-clock -g -p "$pid" -o "$work/perf.$kind.data" -- sleep "$secs" >/dev/null 2>&1 &
  ppid=$!
  taskset -c 0 wrk -t1 -c8 -d"${secs}s" --latency "${auth[@]}" "${hdr[@]}" "$url" >"$work/perf.$kind.wrk"
  wait "$ppid" || true
  {
    echo "# perf record -e cpu-clock -g -p PID -- sleep $secs, during:"
    echo "# taskset -c 0 wrk -t1 -c8 -d${secs}s ${hdr[*]} $url  ($(requests "$work/perf.$kind.wrk") requests)"
    echo "# server: taskset -c 1 rota serve (Release, memory://)"
    echo
    echo "## by shared object (kernel vs rota vs libraries)"
    perf report -i "$work/perf.$kind.data" --stdio --no-children --sort dso -g none 2>/dev/null | grep -v '^#' | grep -v '^$' | head -15
    echo
    echo "## top symbols, self time"
    perf report -i "$work/perf.$kind.data" --stdio --no-children --sort dso,sym -g none 2>/dev/null | cut -c1-160 |
      grep -v '^#' | grep -v '^$' | head -45
    echo
    echo "## top symbols, with children (call graph inclusive)"
    perf report -i "$work/perf.$kind.data" --stdio --children --sort sym -g none 2>/dev/null | cut -c1-160 |
      grep -v '^#' | grep -v '^$' | head -40
  } >"$out/perf-$kind.txt"
  timeout $((secs + 3)) strace -f -c -o "$work/strace.$kind.txt" -p "$pid" 2>/dev/null &
  spid=$!
  sleep 0.5
  taskset -c 0 wrk -t1 -c8 -d"${secs}s" "${auth[@]}" "${hdr[@]}" "$url" >"$work/strace.$kind.wrk"
  wait "$spid" || true
  n=$(requests "$work/strace.$kind.wrk")
  {
    echo
    echo "## system calls per request (strace -f -c, $n requests: counts are exact, times are strace's)"
    awk -v n="$n" '$NF ~ /^[a-z_0-9]+$/ && $4 ~ /^[0-9]+$/ && $NF != "syscall" && $NF != "total" {
      printf "    %-14s %6.2f per request\n", $NF, $4 / n }' "$work/strace.$kind.txt"
  } >>"$out/perf-$kind.txt"
done
kill "$pid"; wait "$pid" 2>/dev/null || true; pid=

# --- callgrind ----------------------------------------------------------------------
taskset -c 1 valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$work/cg.out" \
  "$rota" serve --port "$port" >"$work/valgrind.log" 2>&1 &
pid=$!
wait_up
curl -fsS -o /dev/null "${auth[@]}" "$url"
curl -fsS -o /dev/null "${auth[@]}" -H "X-Cache-Bypass: 1" "$url"
for kind in cached uncached; do
  hdr=(); [ $kind = uncached ] && hdr=(-H "X-Cache-Bypass: 1")
  callgrind_control -i on "$pid" >/dev/null
  taskset -c 0 wrk -t1 -c8 -d"${secs}s" --latency "${auth[@]}" "${hdr[@]}" "$url" >"$work/cg.$kind.wrk"
  callgrind_control -i off "$pid" >/dev/null
  callgrind_control -d "$kind" "$pid" >/dev/null
  sleep 1
  f=$(ls -t "$work"/cg.out.* | head -1)
  n=$(requests "$work/cg.$kind.wrk")
  total=$(callgrind_annotate "$f" 2>/dev/null | awk '/PROGRAM TOTALS/{gsub(",","",$1); print $1; exit}')
  {
    echo "# valgrind --tool=callgrind --instr-atstart=no rota serve; instrumentation on only during:"
    echo "# taskset -c 0 wrk -t1 -c8 -d${secs}s ${hdr[*]} $url  ($n requests under callgrind)"
    echo "# user-space instructions: $total in total, $((total / n)) per request"
    echo
    echo "## self (exclusive) instructions"
    callgrind_annotate --inclusive=no "$f" 2>/dev/null | sed -n '/^Ir/,$p' | cut -c1-200 | head -45
    echo
    echo "## inclusive instructions"
    callgrind_annotate --inclusive=yes "$f" 2>/dev/null | sed -n '/^Ir/,$p' | cut -c1-200 | head -60
  } >"$out/callgrind-$kind.txt"
done
echo "wrote $out/perf-cached.txt $out/perf-uncached.txt $out/callgrind-cached.txt $out/callgrind-uncached.txt" >&2
