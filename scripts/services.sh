#!/usr/bin/env bash
# Start or stop the servers the test suite needs, on private ports in a temporary
# directory: PostgreSQL and Redis.
#
#   eval "$(scripts/services.sh start DIR)"   # prints `export ROTA_TEST_PG_URL=... ROTA_TEST_REDIS_URL=...`
#                                             # (and ROTA_TEST_REDIS_PORT, ROTA_TEST_REDIS_DIR)
#   scripts/services.sh stop DIR
#
# PostgreSQL's initdb refuses to run as root, so as root the cluster is created
# and run by the unprivileged `postgres` user (which Debian's package creates);
# as any other user it runs as that user. Redis runs as the current user (root is fine),
# without persistence, limited to 256 MB with `volatile-lru` eviction.
set -euo pipefail
cmd=${1:?usage: services.sh start|stop DIR}
dir=${2:?usage: services.sh start|stop DIR}
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)

as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

case "$cmd" in
start)
  mkdir -p "$dir"
  [ "$(id -u)" = 0 ] && chown postgres "$dir"
  port=$(free_port)
  as_pg "$PGBIN/initdb" -D "$dir/pg" -U rota --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
    { cat "$dir/initdb.log" >&2; exit 1; }
  as_pg "$PGBIN/pg_ctl" -D "$dir/pg" -l "$dir/pg.log" -w -t 60 \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start >/dev/null ||
    { cat "$dir/pg.log" >&2; exit 1; }
  echo "export ROTA_TEST_PG_URL=postgresql://rota@127.0.0.1:$port/postgres"
  rport=$(free_port)
  mkdir -p "$dir/redis"
  # volatile-lru: only keys with a TTL (cached values) are evicted, never generation counters.
  redis-server --bind 127.0.0.1 --port "$rport" --save '' --appendonly no --daemonize yes \
    --pidfile "$dir/redis/redis.pid" --dir "$dir/redis" --logfile "$dir/redis/redis.log" \
    --maxmemory 256mb --maxmemory-policy volatile-lru >/dev/null
  for _ in $(seq 50); do redis-cli -p "$rport" ping >/dev/null 2>&1 && break; sleep 0.1; done
  redis-cli -p "$rport" ping >/dev/null || { cat "$dir/redis/redis.log" >&2; exit 1; }
  echo "export ROTA_TEST_REDIS_URL=redis://127.0.0.1:$rport/0"
  echo "export ROTA_TEST_REDIS_PORT=$rport ROTA_TEST_REDIS_DIR=$dir/redis"
  ;;
stop)
  if [ -d "$dir/pg" ]; then as_pg "$PGBIN/pg_ctl" -D "$dir/pg" -m fast -w stop >/dev/null 2>&1 || true; fi
  if [ -s "$dir/redis/redis.pid" ]; then
    rpid=$(cat "$dir/redis/redis.pid")
    kill "$rpid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$rpid" 2>/dev/null || break; sleep 0.1; done
  fi
  ;;
*) echo "usage: services.sh start|stop DIR" >&2; exit 2 ;;
esac
