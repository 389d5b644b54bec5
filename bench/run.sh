#!/usr/bin/env bash
# Performance, measured side by side (issue 5): rota with memory:// and redis://
# and with the cache bypassed, the Django + django-redis peer, and nginx serving the
# same dashboard bytes as a static file, on the same data, with the same client.
#
#   bench/run.sh [--quick]        full run ~15 min; --quick < 3 min (1-2 s runs, no staff list,
#                                 two data sizes, connections 64 and 1024 only, no paced runs,
#                                 the browser and the memory figure on memory:// only, a flood of
#                                 2,000 ranges, no restart run, one 1 s round per compression client)
#
# What it does, in order:
#   1. installs what is missing (wrk nginx gnuplot-nox redis-server python3-django
#      python3-django-redis python3-redis gunicorn sqlite3; apt-get update only then);
#      scripts/deps.sh only when the build tools or web/node_modules are missing;
#   2. copies the working tree's sources to build-bench/src (so a file saved by someone
#      else in the middle of the build cannot give a half-old binary) and builds a
#      Release rota in build-bench/build;
#   3. seeds the demo data (10 homes x 40 staff x 120 days) with ROTA_TODAY=2026-11-28
#      into a SQLite file in a temporary folder, and gives each server its own copy;
#   4. starts every contender on loopback ports (all at once, so runs can interleave),
#      the servers pinned to CPU 1 and wrk to CPU 0 (BENCH_PIN=0: no pinning);
#   5. runs every scenario in rounds, the contenders interleaved (A B C, B C A, C A B),
#      and keeps the median of the rounds; server CPU from /proc/<pid>/stat around
#      each wrk run; X-Query-Count from a request of its own;
#   6. runs the scenarios that start servers of their own, each into a section of RESULTS.md and
#      rows of its targets: bench/flood.py (one manager floods the cache with distinct ranges),
#      bench/restart.py (a server killed and restarted under load; not with --quick) and
#      bench/compression.sh (gzip and identity clients of the week's and the month's shift lists);
#   7. stops everything it started (trap), and writes bench/RESULTS.md, bench/results.png
#      and bench/results.tsv (every single run) with bench/report.py.
#
# Environment: BENCH_PIN (1), BENCH_KEEP=1 keeps the temporary folder.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD
started=$(date +%s)

quick=0
case "${1:-}" in
  --quick) quick=1 ;;
  "") ;;
  *) echo "usage: bench/run.sh [--quick]" >&2; exit 2 ;;
esac

# Fixed settings. DUR: seconds per wrk run; ROUNDS: runs per (scenario, contender).
# SLOW_DUR: uncached scenarios (the peer completes only tens of requests per second there).
if [ $quick = 1 ]; then
  DUR=1 SLOW_DUR=2 WARM=0 ROUNDS=3 MIXED_DUR=1 SCALE_DUR=1 LOADS=5 BROWSER_SERVERS="M" FILL_SERVERS="M" NOJS=0
  SIZES=("10 120" "10 730")
  CONN_LEVELS=(64 1024) PACED=0
else
  DUR=5 SLOW_DUR=5 WARM=1 ROUNDS=3 MIXED_DUR=8 SCALE_DUR=3 LOADS=7 BROWSER_SERVERS="M R" FILL_SERVERS="M R" NOJS=1
  SIZES=("10 120" "100 120" "10 730" "100 730")
  CONN_LEVELS=(8 64 256 1024) PACED=1   # connection scaling (cached dashboard); paced runs
fi
CONNS=64                      # connections of every scenario table
PACE_MS=20                    # paced runs: each connection waits 20 ms between requests
MIXED_CONNS=16                # mixed workload: wrk -t16 -c16 (one connection per thread)
TODAY=2026-11-28
START=2026-10-29              # first day with shifts: 30 days before today, as `rota seed` defaults
FILL=10000                    # cached entries for the memory figure

log() { printf '[%4ss] %s\n' $(($(date +%s) - started)) "$*" >&2; }

# --- 0. the peer ------------------------------------------------------------------
# The Django + django-redis peer is not part of this repository: it lives in the
# workspace beside it (../shared/peers/django-rota). Every figure of RESULTS.md is a
# side-by-side ratio with it, so without it there is no run to make.
peer_dir=$root/../shared/peers/django-rota
if [ ! -x "$peer_dir/run.sh" ]; then
  echo "bench: the Django peer is absent ($peer_dir/run.sh); bench/run.sh compares rota with it side by side" >&2
  echo "bench: and cannot run without it (bench/micro needs no peer)" >&2
  exit 2
fi

# --- 1. packages -------------------------------------------------------------------
need=(wrk nginx gnuplot-nox redis-server python3-django python3-django-redis python3-redis gunicorn sqlite3 curl)
missing=()
for p in "${need[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "installing ${missing[*]}"
  sudo=; [ "$(id -u)" = 0 ] || sudo=sudo
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
if ! command -v cmake >/dev/null || ! command -v ninja >/dev/null || ! command -v g++ >/dev/null ||
   ! command -v node >/dev/null || [ ! -x /usr/bin/chromium ] ||
   [ ! -f web/node_modules/chart.js/dist/chart.umd.min.js ] || [ ! -f web/node_modules/playwright-core/package.json ]; then
  log "scripts/deps.sh test"
  scripts/deps.sh test
fi

# --- 2. build ----------------------------------------------------------------------
log "snapshot of the sources -> build-bench/src; Release build -> build-bench/build"
tree_state="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
dirty=$(git status --porcelain -- src tests cmake CMakeLists.txt web/static 2>/dev/null | wc -l)
[ "$dirty" -gt 0 ] && tree_state="$tree_state + $dirty uncommitted change(s) under src/ tests/ cmake/ CMakeLists.txt web/static"
bench/build.sh
rota=$root/build-bench/build/rota

# --- 3. data -----------------------------------------------------------------------
work=$(mktemp -d /tmp/rota-bench-XXXXXX)
chmod 755 "$work"   # nginx workers (user nobody) read www/ below
mkdir -p "$work/raw"
pids=()         # every process we started, stopped by the trap
cleanup() {
  set +e
  [ -n "${dj_dir:-}" ] && RUN_DIR="$dj_dir" "$root/../shared/peers/django-rota/stop.sh" >/dev/null 2>&1
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$p" 2>/dev/null
  done
  [ "${BENCH_KEEP:-0}" = 1 ] && echo "kept $work" >&2 || rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true   # 1024 connections + their server sides

export ROTA_TODAY=$TODAY ROTA_LOG_LEVEL=warn
unset ROTA_CACHE_URL ROTA_DATABASE_URL
seed() {  # seed HOMES DAYS FILE
  ROTA_DATABASE_URL="sqlite://$3" "$rota" seed --homes "$1" --days "$2" --start $START >/dev/null
}
log "seeding 10 homes x 40 staff x 120 days"
seed 10 120 "$work/base.db"
token=$(ROTA_DATABASE_URL="sqlite://$work/base.db" "$rota" create-token admin)
for c in m r d; do cp "$work/base.db" "$work/$c.db"; done
# Every rota server reads this file: memory:// may hold the 10,000 entries of the memory figure, and
# refresh after write (off by default, README "Refresh after write") is on for the mixed workload.
cat >"$work/rota.toml" <<EOF
[cache]
max_entries = 20000
refresh_after_write = true
EOF

if [ "${BENCH_PIN:-1}" = 1 ] && [ "$(nproc)" -ge 2 ]; then
  SRV=(taskset -c 1) WRK=(taskset -c 0 wrk) WRK_THREADS=1
  DJ_WORKERS=1   # the peer's rule (one process per core it runs on); measured ~20% faster than 2 on one core
  pinning="servers (rota, redis-server, gunicorn, nginx) pinned to CPU 1 with \`taskset -c 1\`, wrk to CPU 0 with \`taskset -c 0\`"
else
  SRV=() WRK=(wrk) WRK_THREADS=2
  DJ_WORKERS=2   # run.sh's default, one process per core
  pinning="no pinning: servers and wrk share the cores"
fi
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_http() {  # wait_http URL NAME
  for _ in $(seq 300); do curl -fsS -o /dev/null "$1" 2>/dev/null && return 0; sleep 0.1; done
  echo "bench: $2 did not answer $1" >&2; exit 1
}
declare -A port pid_of
start_rota() {  # start_rota NAME DBFILE CACHE_URL [NEAR=true [CONFIG=rota.toml]]
  local p; p=$(free_port)
  ROTA_DATABASE_URL="sqlite://$2" ROTA_CACHE_URL=$3 ROTA_CACHE_NEAR=${4:-true} \
    "${SRV[@]}" "$rota" --config "$work/${5:-rota.toml}" serve \
    --port "$p" >"$work/$1.log" 2>&1 &
  pids+=($!); pid_of[$1]=$!; port[$1]=$p
  wait_http "http://127.0.0.1:$p/healthz" "rota ($1)"
}
rss_kb() { awk '/^VmRSS/{print $2}' "/proc/$1/status"; }

# --- 4. contenders -----------------------------------------------------------------
log "starting redis-server, rota memory:// and redis://, the Django peer, nginx"
rport=$(free_port)
"${SRV[@]}" redis-server --bind 127.0.0.1 --port "$rport" --save '' --appendonly no --dir "$work" \
  --maxmemory 256mb --maxmemory-policy volatile-lru --logfile "$work/redis.log" &
pids+=($!); redis_pid=$!
for _ in $(seq 50); do redis-cli -p "$rport" ping >/dev/null 2>&1 && break; sleep 0.1; done
start_rota M "$work/m.db" memory://
start_rota R "$work/r.db" "redis://127.0.0.1:$rport/0"
# F: redis:// without the near tier (every hit asks Redis: the one-round-trip figure), with its own
# key prefix, so that its values and R's do not mix.
cp "$work/base.db" "$work/f.db"
{ cat "$work/rota.toml"; echo 'key_prefix = "far"'; } >"$work/rota-far.toml"
start_rota F "$work/f.db" "redis://127.0.0.1:$rport/0" false rota-far.toml
sleep 1
echo "rss_idle_M	$(rss_kb "${pid_of[M]}")" >>"$work/facts.tsv"
echo "rss_idle_R	$(rss_kb "${pid_of[R]}")" >>"$work/facts.tsv"
echo "rss_idle_redis	$(rss_kb "$redis_pid")" >>"$work/facts.tsv"

dj_dir=$work/django
port[D]=$(free_port)
dj_redis=$(free_port)
RUN_DIR=$dj_dir PORT=${port[D]} REDIS_PORT=$dj_redis ROTA_DB=$work/d.db ROTA_TOKEN=$token ROTA_TODAY=$TODAY WORKERS=$DJ_WORKERS \
  "${SRV[@]}" "$root/../shared/peers/django-rota/run.sh" >"$work/django-run.log"
dj_pids() { local m; m=$(cat "$dj_dir/gunicorn.pid"); echo "$m $(pgrep -P "$m" | tr '\n' ' ') $(cat "$dj_dir/redis.pid")"; }
dj_workers=$(grep -o '[0-9]* gthread worker(s) x [0-9]* threads' "$work/django-run.log" || echo "?")

auth=(-H "Authorization: Bearer $token")
mkdir -p "$work/www/api/homes/1" "$work/ngx"
curl -fsS "${auth[@]}" -o "$work/www/api/homes/1/dashboard" "http://127.0.0.1:${port[M]}/api/homes/1/dashboard"
curl -fsS "${auth[@]}" -o "$work/www/api/homes/1/shifts" "http://127.0.0.1:${port[M]}/api/homes/1/shifts"
echo '<!doctype html><html><head><title>floor</title></head><body><h1>Hello</h1><p>A tiny static page.</p></body></html>' \
  >"$work/www/tiny.html"
chmod -R a+rX "$work/www"
port[N]=$(free_port)
cat >"$work/ngx/nginx.conf" <<EOF
worker_processes 4;   # as many as rota has I/O threads: the same share of a contended core
daemon off;
pid $work/ngx/nginx.pid;
error_log $work/ngx/error.log warn;
events { worker_connections 8192; }
http {
  access_log off;
  default_type application/json;
  keepalive_timeout 65;
  keepalive_requests 1000000000;
  client_body_temp_path $work/ngx/body;
  proxy_temp_path $work/ngx/proxy;
  fastcgi_temp_path $work/ngx/fastcgi;
  uwsgi_temp_path $work/ngx/uwsgi;
  scgi_temp_path $work/ngx/scgi;
  server {
    listen 127.0.0.1:${port[N]};
    root $work/www;
  }
}
EOF
"${SRV[@]}" nginx -e "$work/ngx/error.log" -c "$work/ngx/nginx.conf" &
pids+=($!); pid_of[N]=$!
wait_http "http://127.0.0.1:${port[N]}/api/homes/1/dashboard" nginx
ngx_pids() { echo "${pid_of[N]} $(pgrep -P "${pid_of[N]}" | tr '\n' ' ')"; }

# Contenders: M rota memory://, R rota redis:// (near tier on, the default), F rota redis:// with the
# near tier off, B rota memory:// with X-Cache-Bypass: 1,
# D the Django peer (its own Redis; on uncached scenarios also X-Cache-Bypass: 1), N nginx.
server_pids() {
  case $1 in
    M|B) echo "${pid_of[M]}" ;;
    R|F) echo "${pid_of[$1]} $redis_pid" ;;
    D) dj_pids ;;
    N) ngx_pids ;;
    S*) echo "${pid_of[$1]}" ;;
  esac
}
port_of() { case $1 in B) echo "${port[M]}" ;; *) echo "${port[$1]}" ;; esac; }
cpu_ticks() {  # sum of utime+stime (clock ticks) of the given PIDs
  local t=0 p v
  for p in "$@"; do v=$(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0); t=$((t + v)); done
  echo "$t"
}

# probe SCENARIO CONTENDER URL [curl args]: status, X-Cache, X-Query-Count, bytes of one request
probe() {
  local scen=$1 who=$2 url=$3; shift 3
  local h
  h=$(curl -s -D - -o "$work/body" "$@" "$url" | tr -d '\r')
  local status xc qc
  status=$(echo "$h" | awk 'NR==1{print $2}')
  xc=$(echo "$h" | awk -F': ' 'tolower($1)=="x-cache"{print $2}')
  qc=$(echo "$h" | awk -F': ' 'tolower($1)=="x-query-count"{print $2}')
  printf 'probe\t%s\t%s\t%s\t%s\t%s\t%s\n' "$scen" "$who" "$status" "${xc:--}" "${qc:--}" "$(wc -c <"$work/body")" \
    >>"$work/facts.tsv"
  [ "$status" = 200 ] || { echo "bench: $who $url answered $status" >&2; exit 1; }
}

# settle PIDS: wait (at most 30 s) until the servers stop using CPU. The peer still works
# through the requests queued before wrk stopped (seconds of them on the uncached lists),
# which would otherwise take CPU from the next run, pinned to the same core. (rota drains
# its queue within milliseconds.)
settle() {
  local prev now i
  prev=$(cpu_ticks "$@")
  for ((i = 0; i < 600; i++)); do
    sleep 0.05
    now=$(cpu_ticks "$@")
    [ $((now - prev)) -le 1 ] && return 0
    prev=$now
  done
}

# one_run SECTION SCENARIO CONTENDER ROUND CONNS THREADS SECONDS URL [wrk args]
one_run() {
  local section=$1 scen=$2 who=$3 round=$4 conns=$5 threads=$6 secs=$7 url=$8; shift 8
  local raw="$work/raw/$section.$scen.$who.c$conns.r$round.txt" c0 c1 sp
  sp=$(server_pids "$who")
  # redis://: every command rota sends during the run (INFO commandstats, reset before).
  case $who in R|F) redis-cli -p "$rport" CONFIG RESETSTAT >/dev/null ;; esac
  # shellcheck disable=SC2086
  c0=$(cpu_ticks $sp)
  "${WRK[@]}" -t"$threads" -c"$conns" -d"${secs}s" --timeout 10s --latency "$@" "$url" >"$raw" 2>&1 || true
  # shellcheck disable=SC2086
  c1=$(cpu_ticks $sp)
  if [ "$who" = R ] || [ "$who" = F ]; then
    printf 'redis_cmds\t%s\t%s\t%s\t%s\t%s\n' "$section" "$scen" "$who" "$round" "$(redis-cli -p "$rport" INFO commandstats |
      awk -F'[=,]' '/^cmdstat_/ && !/^cmdstat_(info|config)/ { n += $2 } END { print n + 0 }')" >>"$work/facts.tsv"
  fi
  # shellcheck disable=SC2086
  [ "$who" = D ] && settle $sp
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$section" "$scen" "$who" "$round" "$conns" "$((c1 - c0))" \
    "$(cut -d' ' -f1 /proc/loadavg)" "$raw" >>"$work/runs.tsv"
}
wrk_threads() { local t=$WRK_THREADS; [ "$1" -lt "$t" ] && t=$1; echo "$t"; }

# --- 5a. the scenario tables (64 connections) ---------------------------------------
# name|path|uncached(0/1)|contenders
scenarios=(
  "dash_hit|/api/homes/1/dashboard|0|M R F D N"
  "dash_miss|/api/homes/1/dashboard|1|B D"
  "shifts_hit|/api/homes/1/shifts|0|M R D N"
  "shifts_miss|/api/homes/1/shifts|1|B D"
)
[ $quick = 1 ] || scenarios+=(   # the staff list only in the full run: --quick stays within 3 minutes
  "staff_hit|/api/homes/1/staff|0|M R D"
  "staff_miss|/api/homes/1/staff|1|B D"
)
args_for() {  # wrk/curl arguments of a contender in a scenario
  local who=$1 uncached=$2
  [ "$who" = N ] && return 0
  printf '%s\n' -H "Authorization: Bearer $token"
  [ "$uncached" = 1 ] && printf '%s\n' -H "X-Cache-Bypass: 1"
  return 0
}
rotate() {  # rotate N WORDS...: the words starting at index N mod count
  local n=$1; shift
  local a=("$@") k=${#a[@]} i
  for ((i = 0; i < k; i++)); do printf '%s ' "${a[$(((i + n) % k))]}"; done
}
for s in "${scenarios[@]}"; do
  IFS='|' read -r scen path uncached who_list <<<"$s"
  read -ra whos <<<"$who_list"
  log "scenario $scen: ${whos[*]} x $ROUNDS rounds"
  for who in "${whos[@]}"; do
    url="http://127.0.0.1:$(port_of "$who")$path"
    mapfile -t a < <(args_for "$who" "$uncached")
    curl -s -o /dev/null "${a[@]}" "$url"   # fills the cache, and the token is remembered
    probe "$scen" "$who" "$url" "${a[@]}"
    if [ "$WARM" -gt 0 ]; then
      "${WRK[@]}" -t"$WRK_THREADS" -c$CONNS -d"${WARM}s" "${a[@]}" "$url" >/dev/null 2>&1 || true
      # shellcheck disable=SC2046
      [ "$who" = D ] && settle $(server_pids "$who")
    fi
  done
  for ((round = 1; round <= ROUNDS; round++)); do
    for who in $(rotate $((round - 1)) "${whos[@]}"); do
      url="http://127.0.0.1:$(port_of "$who")$path"
      mapfile -t a < <(args_for "$who" "$uncached")
      secs=$DUR; [ "$uncached" = 1 ] && secs=$SLOW_DUR
      one_run table "$scen" "$who" "$round" $CONNS "$WRK_THREADS" "$secs" "$url" "${a[@]}"
    done
  done
done

# --- 5b. connection scaling: cached dashboard, rota memory:// vs nginx ----------------
log "connection scaling ${CONN_LEVELS[*]}"
for ((round = 1; round <= ROUNDS; round++)); do
  for c in "${CONN_LEVELS[@]}"; do
    for who in $(rotate $((round - 1)) M N); do
      mapfile -t a < <(args_for "$who" 0)
      one_run conns dash_hit "$who" "$round" "$c" "$(wrk_threads "$c")" "$DUR" \
        "http://127.0.0.1:$(port_of "$who")/api/homes/1/dashboard" "${a[@]}"
    done
  done
done

# Paced: the same 64 connections, each sending one request per PACE_MS: latency at a load
# well below saturation (rota memory://, redis://, nginx).
[ $PACED = 1 ] && log "paced: 64 connections, one request per connection every $PACE_MS ms"
for ((round = 1; PACED == 1 && round <= ROUNDS; round++)); do
  for who in $(rotate $((round - 1)) M R N); do
    mapfile -t a < <(args_for "$who" 0)
    PACE_MS=$PACE_MS one_run paced dash_hit "$who" "$round" $CONNS "$WRK_THREADS" "$DUR" \
      "http://127.0.0.1:$(port_of "$who")/api/homes/1/dashboard" -s "$root/bench/paced.lua" "${a[@]}"
  done
done

# --- 5c. data scaling: uncached dashboards over 7 and 366 days -----------------------
log "data scaling: ${SIZES[*]}"
sizes_run=()
for sz in "${SIZES[@]}"; do
  read -r homes days <<<"$sz"
  name="S${homes}x${days}"
  if [ "$sz" = "10 120" ]; then
    pid_of[$name]=${pid_of[M]}; port[$name]=${port[M]}; db=$work/m.db
  else
    db=$work/$name.db
    seed "$homes" "$days" "$db"
    tk=$(ROTA_DATABASE_URL="sqlite://$db" "$rota" create-token admin)
    start_rota "$name" "$db" memory://
    declare "tok_$name=$tk"
  fi
  shifts=$(sqlite3 "$db" 'SELECT count(*) FROM shift')
  echo "size	$name	$homes	$days	$shifts" >>"$work/facts.tsv"
  sizes_run+=("$name")
done
tok_for() { local v="tok_$1"; echo "${!v:-$token}"; }
ranges=("d7|/api/homes/1/dashboard" "d366|/api/homes/1/dashboard?days=366")
for name in "${sizes_run[@]}"; do
  for r in "${ranges[@]}"; do
    url="http://127.0.0.1:${port[$name]}${r#*|}"
    h=(-H "Authorization: Bearer $(tok_for "$name")" -H "X-Cache-Bypass: 1")
    curl -s -o /dev/null "${h[@]}" "$url"
    probe "data_${r%%|*}" "$name" "$url" "${h[@]}"
    python3 -c 'import json,sys; print("rows\t%s\t%s\t%d" % (sys.argv[1], sys.argv[2], json.load(open(sys.argv[3]))["total_shifts"]))' \
      "$name" "${r%%|*}" "$work/body" >>"$work/facts.tsv"
  done
done
for ((round = 1; round <= ROUNDS; round++)); do
  for name in $(rotate $((round - 1)) "${sizes_run[@]}"); do
    for r in "${ranges[@]}"; do
      one_run data "${r%%|*}" "$name" "$round" 1 1 "$SCALE_DUR" "http://127.0.0.1:${port[$name]}${r#*|}" \
        -H "Authorization: Bearer $(tok_for "$name")" -H "X-Cache-Bypass: 1"
    done
  done
done
for name in "${sizes_run[@]}"; do   # the big ones are done: free their memory
  [ "$name" = S10x120 ] || kill "${pid_of[$name]}" 2>/dev/null || true
done

# --- 5d. the browser: time to a painted home dashboard page -------------------------
log "headless Chromium: /homes/1/ cold and warm"
for who in $BROWSER_SERVERS; do
  floor=; [ "$who" = M ] && floor="http://127.0.0.1:${port[N]}/tiny.html"
  ROTA_URL="http://127.0.0.1:${port[$who]}" ROTA_TOKEN=$token LOADS=$LOADS CONTENDER=$who FLOOR_URL=$floor NOJS=$NOJS \
    node "$root/bench/browser.js" >>"$work/facts.tsv" 2>"$work/browser-$who.log" ||
    { echo "bench: browser timing failed, see below" >&2; cat "$work/browser-$who.log" >&2; }
done

# --- 5e. memory: RSS with 10,000 cached entries ------------------------------------
log "RSS with $FILL cached dashboards ($FILL_SERVERS)"
for who in $FILL_SERVERS; do
  base="http://127.0.0.1:${port[$who]}"
  curl -fsS -X POST "${auth[@]}" "$base/cache/clear/" >/dev/null
  python3 - "$base" "$token" "$FILL" >"$work/fill.cfg" <<'EOF'
import datetime, sys
base, token, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
print(f'header = "Authorization: Bearer {token}"')
d0 = datetime.date(2020, 1, 1)
for i in range(n):  # 10 homes x n/10 distinct `from` dates: n distinct keys
    home, k = i % 10 + 1, i // 10
    print(f'url = "{base}/api/homes/{home}/dashboard?from={d0 + datetime.timedelta(days=k)}"')
    print('output = "/dev/null"')
EOF
  curl -sS --no-progress-meter --parallel --parallel-max 8 -K "$work/fill.cfg"
  sleep 0.5
  stats=$(curl -fsS "${auth[@]}" "$base/api/cache/stats")
  keys=$(echo "$stats" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["total_keys"], d["cached_bytes"], d["used_memory_bytes"])')
  printf 'rss_full\t%s\t%s\t%s\t%s\n' "$who" "$(rss_kb "${pid_of[$who]}")" "$(rss_kb "$redis_pid")" "$keys" >>"$work/facts.tsv"
done

# --- 5f. mixed workload: 95% dashboard reads over 10 homes, 5% writes ---------------
log "mixed workload: M R B x $ROUNDS rounds"
expires=$(date -u -d "$TODAY + 12 days" +%F)
staff_ids=""
for h in $(seq 10); do
  s=$(curl -fsS "${auth[@]}" "http://127.0.0.1:${port[M]}/api/homes/$h/staff" |
    python3 -c 'import json,sys; print(next(s["id"] for s in json.load(sys.stdin)["staff"] if s["active"]))')
  staff_ids="$staff_ids${staff_ids:+,}$s"
done
db_counts() {  # certifications_expiring_30d of homes 1..10, straight from the SQLite file
  sqlite3 "$1" "SELECT group_concat(n, ',') FROM (SELECT h.id, (SELECT count(*) FROM certification c JOIN staff s
    ON s.id = c.staff_id WHERE s.home_id = h.id AND s.active AND c.expires_on >= '$TODAY'
    AND c.expires_on < date('$TODAY', '+30 days')) AS n FROM care_home h ORDER BY h.id)"
}
for ((round = 1; round <= ROUNDS; round++)); do
  for who in $(rotate $((round - 1)) M R B); do
    case $who in M | B) db=$work/m.db ;; R) db=$work/r.db ;; esac
    init=$(db_counts "$db")
    bypass=0; [ "$who" = B ] && bypass=1
    ROTA_BENCH_TOKEN=$token BENCH_STAFF=$staff_ids BENCH_INIT=$init BENCH_EXPIRES=$expires BENCH_BYPASS=$bypass \
      one_run mixed mixed "$who" "$round" $MIXED_CONNS $MIXED_CONNS "$MIXED_DUR" \
      "http://127.0.0.1:$(port_of "$who")" -s "$root/bench/mixed.lua"
    after=$(db_counts "$db")
    printf 'mixed_db\t%s\t%s\t%s\t%s\t%s\n' "$who" "$round" "$init" "$after" \
      "$(awk -F'\t' 'END{print $8}' "$work/runs.tsv")" >>"$work/facts.tsv"
  done
done

# --- 5g. the Django peer in the mixed workload ------------------------------------------
# The peer has no POST /api/certifications; its one write is PATCH /api/shifts/{id}. So its
# writes move a vacant shift from beyond the dashboard's 7 days to today (BENCH_WRITE=move),
# each adding one to the home's total_shifts, a pool of ~300 per home that its rate does not
# exhaust in the rounds (rota's would, in seconds: it runs the certification workload above).
log "mixed workload, shift moves: D x $ROUNDS rounds"
move_pool() {  # the vacant shifts beyond the window, "id,id,...;..." per home 1..10
  sqlite3 "$1" "SELECT group_concat(ids, ';') FROM (SELECT h.id, (SELECT group_concat(id, ',') FROM shift s
    WHERE s.home_id = h.id AND s.staff_id IS NULL AND s.date >= date('$TODAY', '+7 days')) AS ids
    FROM care_home h ORDER BY h.id)"
}
window_totals() {  # total_shifts of homes 1..10 in the dashboard's 7 days
  sqlite3 "$1" "SELECT group_concat(n, ',') FROM (SELECT h.id, (SELECT count(*) FROM shift s WHERE s.home_id = h.id
    AND s.date >= '$TODAY' AND s.date < date('$TODAY', '+7 days')) AS n FROM care_home h ORDER BY h.id)"
}
for ((round = 1; round <= ROUNDS; round++)); do
  init=$(window_totals "$work/d.db")
  ROTA_BENCH_TOKEN=$token BENCH_WRITE=move BENCH_POOL=$(move_pool "$work/d.db") BENCH_TODAY=$TODAY \
    BENCH_THREADS=$MIXED_CONNS BENCH_INIT=$init \
    one_run mixed mixed D "$round" $MIXED_CONNS $MIXED_CONNS "$MIXED_DUR" "http://127.0.0.1:${port[D]}" \
    -s "$root/bench/mixed.lua"
  after=$(window_totals "$work/d.db")
  printf 'mixed_db\t%s\t%s\t%s\t%s\t%s\n' D "$round" "$init" "$after" \
    "$(awk -F'\t' 'END{print $8}' "$work/runs.tsv")" >>"$work/facts.tsv"
done
printf 'dj_locked\t%s\n' "$(grep -c 'database is locked' "$dj_dir/gunicorn.log" || true)" >>"$work/facts.tsv"

# --- 6. the scenarios with servers of their own ---------------------------------------
# Each starts its own rota servers (and redis-server) from the Release binary, writes its
# section for RESULTS.md into $work, and appends its figures to facts.tsv (BENCH_FACTS)
# for the targets. --quick: a smaller flood, no restart run (it takes a fixed minute),
# one 1 s round per compression client.
if [ $quick = 1 ]; then FLOOD=2000 RESTART=0 COMP_DUR=1 COMP_ROUNDS=1
else FLOOD=20000 RESTART=1 COMP_DUR=5 COMP_ROUNDS=3; fi
log "flood: one manager asks for $FLOOD distinct ranges, the other homes read on (bench/flood.py)"
BENCH_FACTS=$work/facts.tsv python3 "$root/bench/flood.py" "$rota" "$FLOOD" "$work/flood.md" >"$work/flood.log" 2>&1 ||
  { echo "bench: bench/flood.py failed:" >&2; tail -20 "$work/flood.log" >&2; exit 1; }
if [ $RESTART = 1 ]; then
  log "restart: one of two servers killed and started again under load (bench/restart.py, 60 s)"
  BENCH_FACTS=$work/facts.tsv python3 "$root/bench/restart.py" "$rota" "$work/restart.md" >"$work/restart.log" 2>&1 ||
    { echo "bench: bench/restart.py failed:" >&2; tail -20 "$work/restart.log" >&2; exit 1; }
fi
log "compression: the week's and the month's shift lists, gzip and identity (bench/compression.sh)"
BENCH_FACTS=$work/facts.tsv COMPRESSION_RESULTS=$work/compression.md DUR=$COMP_DUR ROUNDS=$COMP_ROUNDS \
  "$root/bench/compression.sh" "$rota" >"$work/compression.log" 2>&1 ||
  { echo "bench: bench/compression.sh failed:" >&2; tail -20 "$work/compression.log" >&2; exit 1; }

# --- 7. report ------------------------------------------------------------------------
log "writing bench/RESULTS.md, bench/results.png, bench/results.tsv"
cat >"$work/meta.tsv" <<EOF
mode	$([ $quick = 1 ] && echo "--quick" || echo "full")
command	bench/run.sh$([ $quick = 1 ] && echo " --quick")
date	$(date -u +%Y-%m-%dT%H:%MZ)
nproc	$(nproc)
cpu	$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')
kernel	$(uname -sr)
memory	$(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo)
commit	$tree_state
pinning	$pinning
wrk	$(wrk -v 2>&1 | head -1 | awk '{print $2}')
nginx	$(nginx -v 2>&1 | sed 's#.*/##')
redis	$(redis-server --version | awk '{print $3}' | sed 's/v=//')
django	$(/usr/bin/python3 -c 'import django; print(django.get_version())')
gunicorn	$(/usr/bin/python3 -c 'import gunicorn; print(gunicorn.__version__)')
django_workers	$dj_workers
sqlite	$(sqlite3 --version | awk '{print $1}')
chromium	$(/usr/bin/chromium --version 2>/dev/null | awk '{print $2}')
dur	$DUR
slow_dur	$SLOW_DUR
pace_ms	$PACE_MS
warm	$WARM
rounds	$ROUNDS
conns	$CONNS
mixed_dur	$MIXED_DUR
mixed_conns	$MIXED_CONNS
scale_dur	$SCALE_DUR
loads	$LOADS
fill	$FILL
today	$TODAY
start	$START
wrk_threads	$WRK_THREADS
wrk_prefix	${WRK[*]}
srv_prefix	${SRV[*]:-}
elapsed	$(($(date +%s) - started))
EOF
python3 bench/report.py "$work" bench
log "done in $(($(date +%s) - started)) s"
