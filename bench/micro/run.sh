#!/usr/bin/env bash
# Hit latency of each cache tier (issue 6): memory://, redis://, rediss:// (TLS), redis:// + near.
# Release build, a private redis-server on loopback serving one port in plain TCP and one in TLS
# (certificates made here with openssl), Google Benchmark (3 repetitions, medians).
#   bench/micro/run.sh            # prints the table; writes bench/micro/RESULTS.md
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
scripts/deps.sh build
dpkg-query -W -f='${Status}' libbenchmark-dev 2>/dev/null | grep -q 'install ok installed' ||
  { s=; [ "$(id -u)" = 0 ] || s=sudo; $s apt-get install -y -qq libbenchmark-dev redis-server >/dev/null; }
cmake -S . -B build-micro -G Ninja -DCMAKE_BUILD_TYPE=Release -DROTA_MICRO_BENCH=ON >/dev/null
ninja -C build-micro cache_tiers_bench >/dev/null
dir=$(mktemp -d /tmp/rota-micro-XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
tls_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
trap 'kill "$(cat "$dir/redis.pid" 2>/dev/null)" 2>/dev/null; rm -rf "$dir"' EXIT
ec="-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"
(cd "$dir" && openssl req -x509 $ec -keyout ca.key -out ca.crt -days 2 -subj /CN=bench-ca &&
  printf 'subjectAltName=IP:127.0.0.1\n' >san.ext &&
  openssl req $ec -keyout server.key -out server.csr -subj /CN=bench-redis &&
  openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 -extfile san.ext -out server.crt) \
  >/dev/null 2>&1
redis-server --bind 127.0.0.1 --port "$port" --tls-port "$tls_port" --tls-cert-file "$dir/server.crt" \
  --tls-key-file "$dir/server.key" --tls-ca-cert-file "$dir/ca.crt" --tls-auth-clients no \
  --save '' --appendonly no --daemonize yes --dir "$dir" \
  --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" >/dev/null
for _ in $(seq 50); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
out=$(ROTA_BENCH_REDIS_URL="redis://127.0.0.1:$port/0" ROTA_BENCH_REDISS_URL="rediss://127.0.0.1:$tls_port/0" \
  ROTA_BENCH_TLS_CA_FILE="$dir/ca.crt" ROTA_LOG_LEVEL=warn build-micro/cache_tiers_bench \
  --benchmark_repetitions=3 --benchmark_report_aggregates_only=true 2>&1 | grep -E 'median|^Run|CPU|---')
echo "$out"
{
  echo "# Cache tier hit latency"
  echo
  echo "One hit's cache work (generation read + value read, a 1.4 KB value), single thread, loopback Redis;"
  echo "BM_Redis and BM_RedisTls are the same redis-server, its plain port and its TLS port (TLS 1.3, P-256)."
  echo "Command: \`bench/micro/run.sh\` on $(date -u +%Y-%m-%d), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), commit $(git rev-parse --short HEAD)."
  echo
  echo '```'
  echo "$out"
  echo '```'
} > bench/micro/RESULTS.md
