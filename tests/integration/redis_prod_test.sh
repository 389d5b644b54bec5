#!/usr/bin/env bash
# The production forms of ROTA_CACHE_URL through the `rota` binary, against Redis
# servers this script starts on free ports in a temp dir (always stopped on exit):
# a password-only Redis, and a TLS-only Redis (certificates made here with openssl,
# client certificates required) whose user `rota` has exactly the README's ACL (read from it).
# `check` and `serve` accept the right credentials, refuse wrong ones and an untrusted
# certificate naming ROTA_CACHE_URL, start degraded on an unreachable Redis, never
# print a password, and `check --deploy` reports a Redis without AUTH or TLS off this
# machine and a maxmemory-policy that may evict generation counters.
#   Usage: redis_prod_test.sh ROTA_BINARY
set -uo pipefail
rota=$(realpath "$1")
here=$(dirname "$(realpath "${BASH_SOURCE[0]}")")
dir=$(mktemp -d /tmp/rota-redisprod-XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  for f in "$dir"/*.pid; do [ -f "$f" ] && kill -9 "$(cat "$f")" 2>/dev/null; done
  rm -rf "$dir"
}
trap cleanup EXIT
cd "$dir"
. "$here/expect.sh"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# --- certificates: a CA, a server certificate for 127.0.0.1, a client certificate; and a stranger CA
ec="-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"
{
  openssl req -x509 $ec -keyout ca.key -out ca.crt -days 2 -subj /CN=rota-test-ca
  openssl req -x509 $ec -keyout other.key -out other-ca.crt -days 2 -subj /CN=some-other-ca
  printf 'subjectAltName=IP:127.0.0.1\n' >san.ext
  openssl req $ec -keyout server.key -out server.csr -subj /CN=rota-test-redis
  openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 -extfile san.ext -out server.crt
  openssl req $ec -keyout client.key -out client.csr -subj /CN=rota
  openssl x509 -req -in client.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 -out client.crt
} >openssl.log 2>&1 || { cat openssl.log; exit 1; }

pw_port=$(free_port)
redis-server --bind 127.0.0.1 --port "$pw_port" --save '' --appendonly no --requirepass 'pw-S3cret' \
  --maxmemory-policy allkeys-lru --daemonize yes --pidfile "$dir/pw.pid" --dir "$dir" --logfile "$dir/pw.log"
# The README's ACL for user rota, read from the README itself: what it tells people is what runs here.
read -ra acl <<<"$(sed -n 's/^ *ACL SETUSER rota on >PASSWORD //p' "$here/../../README.md")"
[ "${#acl[@]}" -gt 5 ] || { echo "redis_prod_test: no 'ACL SETUSER rota on >PASSWORD ...' line in README.md"; exit 1; }
tls_port=$(free_port)
redis-server --bind 127.0.0.1 --port 0 --tls-port "$tls_port" --save '' --appendonly no \
  --tls-cert-file server.crt --tls-key-file server.key --tls-ca-cert-file ca.crt --tls-auth-clients yes \
  --maxmemory-policy volatile-lru \
  --user default off --user admin on '>adminpw' '~*' '&*' '+@all' \
  --user rota on '>tls-S3cret/x' "${acl[@]}" \
  --daemonize yes --pidfile "$dir/tls.pid" --dir "$dir" --logfile "$dir/tls.log"
tls_cli=(redis-cli -p "$tls_port" --tls --cacert ca.crt --cert client.crt --key client.key --user admin --pass adminpw
  --no-auth-warning)
for _ in $(seq 100); do
  [ "$(redis-cli -p "$pw_port" -a pw-S3cret --no-auth-warning ping 2>/dev/null)" = PONG ] &&
    [ "$("${tls_cli[@]}" ping 2>/dev/null)" = PONG ] && break
  sleep 0.1
done

export ROTA_DATABASE_URL="sqlite://$dir/rota.db" ROTA_TODAY=2026-11-28 ROTA_LOG_LEVEL=info
"$rota" migrate >/dev/null && "$rota" seed --homes 1 --staff-per-home 5 --days 3 >/dev/null 2>&1
token=$("$rota" create-token admin 2>/dev/null)
printf '[cache]\ntimeout_ms = 500\n' >fast.toml

no_secret() {  # none of the passwords appear in $1
  ! grep -q -e 'pw-S3cret' -e 'tls-S3cret' -e 'wrongpass' <<<"$1"
}

# --- password-only Redis
out=$(ROTA_CACHE_URL="redis://:pw-S3cret@127.0.0.1:$pw_port/0" "$rota" check 2>&1); rc=$?
expect "check passes with the right password" test $rc -eq 0
expect "check shows the password as ***" grep -q ":\*\*\*@127.0.0.1:$pw_port" <<<"$out"
expect "and never the password itself" no_secret "$out"
out=$(ROTA_CACHE_URL="redis://:wrongpass@127.0.0.1:$pw_port/0" "$rota" check 2>&1); rc=$?
expect "check fails on a wrong password, naming ROTA_CACHE_URL" \
  test $rc -ne 0 -a -n "$(grep ROTA_CACHE_URL <<<"$out" | grep 'refused the credentials')"
expect "without printing it" no_secret "$out"
out=$(ROTA_CACHE_URL="redis://127.0.0.1:$pw_port/0" "$rota" check 2>&1); rc=$?
expect "check fails when Redis wants a password we do not give" test $rc -ne 0 -a -n "$(grep 'requires a password' <<<"$out")"
port=$(free_port)
out=$(ROTA_CACHE_URL="redis://:wrongpass@127.0.0.1:$pw_port/0" timeout 30 "$rota" serve --port "$port" 2>&1); rc=$?
expect "serve refuses to start on a wrong password (no hang)" test $rc -ne 0 -a $rc -ne 124
expect "naming ROTA_CACHE_URL, without the password" \
  test -n "$(grep ROTA_CACHE_URL <<<"$out")" -a -z "$(grep wrongpass <<<"$out")"
out=$(ROTA_CACHE_URL="redis://:pw-S3cret@127.0.0.1:$pw_port/0" "$rota" check --deploy 2>&1)
expect "check --deploy reports allkeys-lru (counters may be evicted)" grep -q "maxmemory-policy is allkeys-lru" <<<"$out"

# --- TLS Redis with the ACL user and a client certificate
tls_url="rediss://rota:tls-S3cret%2Fx@127.0.0.1:$tls_port/0"
export ROTA_CACHE_TLS_CA_FILE=$dir/ca.crt ROTA_CACHE_TLS_CERT_FILE=$dir/client.crt ROTA_CACHE_TLS_KEY_FILE=$dir/client.key
out=$(ROTA_CACHE_URL=$tls_url "$rota" check --deploy 2>&1)
expect "check --deploy finds the TLS Redis and its volatile-lru policy good" grep -q "maxmemory-policy volatile-lru: ok" <<<"$out"
expect "and prints no password" no_secret "$out"
out=$(ROTA_CACHE_URL=$tls_url ROTA_CACHE_TLS_CA_FILE=$dir/other-ca.crt "$rota" check 2>&1); rc=$?
expect "an untrusted certificate is a configuration error naming ROTA_CACHE_URL" \
  test $rc -ne 0 -a -n "$(grep ROTA_CACHE_URL <<<"$out" | grep 'not trusted')"
out=$(ROTA_CACHE_URL=$tls_url ROTA_CACHE_TLS_CERT_FILE= ROTA_CACHE_TLS_KEY_FILE= "$rota" check 2>&1); rc=$?
expect "a missing client certificate is refused too" test $rc -ne 0 -a -n "$(grep 'TLS' <<<"$out")"
out=$(ROTA_CACHE_URL=$tls_url ROTA_CACHE_TLS_CA_FILE=$dir/nope.crt "$rota" check 2>&1); rc=$?
expect "a CA file that does not exist stops start-up naming ROTA_CACHE_TLS_CA_FILE" \
  test $rc -ne 0 -a -n "$(grep ROTA_CACHE_TLS_CA_FILE <<<"$out")"

port=$(free_port)
ROTA_CACHE_URL=$tls_url "$rota" serve --port "$port" >serve.log 2>&1 &
pids+=($!)
for _ in $(seq 100); do curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
get() { curl -s -o /dev/null -D - -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/homes/1/dashboard"; }
get >/dev/null
expect "serve over TLS with the ACL user answers the second read from the cache" grep -qi '^x-cache: HIT' <<<"$(get)"
expect "the cached value is in the TLS Redis under our prefix" \
  test "$("${tls_cli[@]}" --scan --pattern 'rota:v:*' 2>/dev/null | wc -l)" -gt 0
expect "no command rota sent was denied by the ACL" test -z "$("${tls_cli[@]}" ACL LOG 2>/dev/null)"
kill -TERM "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null
expect "the server's output holds no password" no_secret "$(cat serve.log)"
unset ROTA_CACHE_TLS_CA_FILE ROTA_CACHE_TLS_CERT_FILE ROTA_CACHE_TLS_KEY_FILE

# --- unreachable, and a Redis off this machine without AUTH or TLS
dead=$(free_port)
port=$(free_port)
ROTA_CACHE_URL="redis://:pw-S3cret@127.0.0.1:$dead/0" "$rota" --config fast.toml serve --port "$port" >dead.log 2>&1 &
pids+=($!)
for _ in $(seq 100); do curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/homes/1/dashboard")
expect "an unreachable Redis: serve starts degraded and answers from the database" test "$code" = 200
kill -TERM "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null
out=$(ROTA_CACHE_URL="redis://192.0.2.10:6379/0" "$rota" --config fast.toml check --deploy 2>&1)
expect "check --deploy: a Redis off this machine without a password" grep -q "rota sends it no password" <<<"$out"
expect "check --deploy: ... and without TLS" grep -q "not encrypted" <<<"$out"
out=$(ROTA_CACHE_URL="redis://u@h:1/0" "$rota" check 2>&1); rc=$?
expect "a malformed cache URL stops start-up naming the setting" test $rc -ne 0 -a -n "$(grep ROTA_CACHE_URL <<<"$out")"

finish redis_prod_test
