#!/usr/bin/env bash
# The `rota` command line as an operator uses it, on a real SQLite file:
# migrate is idempotent, seed refuses a second time, users and tokens work over
# HTTP, bad configuration stops start-up naming the setting, `check` reports,
# and SIGTERM stops `serve` with exit status 0.   Usage: cli_test.sh ROTA_BINARY
set -uo pipefail
rota=$1
dir=$(mktemp -d /tmp/rota-cli-XXXXXX)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$dir"; }
trap cleanup EXIT
cd "$dir"
export ROTA_DATABASE_URL="sqlite://$dir/rota.db" ROTA_TODAY=2026-11-28 ROTA_LOG_LEVEL=warn
. "$(dirname "$(realpath "${BASH_SOURCE[0]}")")/expect.sh"

out=$("$rota" migrate); expect "migrate applies the migrations" grep -q "applied migration" <<<"$out"
out=$("$rota" migrate); expect "migrate twice changes nothing" grep -q "up to date" <<<"$out"
out=$("$rota" seed --homes 2 --staff-per-home 10 --days 5 2>&1); rc=$?
expect "seed succeeds and prints the logins" test $rc -eq 0 -a -n "$(grep 'logins' <<<"$out")"
out=$("$rota" seed --homes 2 2>&1); rc=$?
expect "a second seed is refused with a clear message" test $rc -ne 0 -a -n "$(grep -i 'already has homes' <<<"$out")"
out=$(ROTA_TODAY=2026-02-30 "$rota" check 2>&1); rc=$?
expect "a bad ROTA_TODAY stops start-up naming it" test $rc -ne 0 -a -n "$(grep ROTA_TODAY <<<"$out")"
out=$(ROTA_DATABASE_URL=mysql://x "$rota" check 2>&1); rc=$?
expect "a bad database URL stops start-up naming it" test $rc -ne 0 -a -n "$(grep ROTA_DATABASE_URL <<<"$out")"
printf '[server]\nprot = 1\n' >bad.toml
out=$("$rota" --config bad.toml check 2>&1); rc=$?
expect "an unknown config key is rejected naming it" test $rc -ne 0 -a -n "$(grep prot <<<"$out")"
out=$("$rota" check 2>&1); rc=$?
expect "check passes on a good setup" test $rc -eq 0
out=$(echo 'a long secret pw' | "$rota" create-user alice --home 1 --password-stdin 2>&1); rc=$?
expect "create-user makes a manager" test $rc -eq 0
out=$(echo 'a long secret pw' | "$rota" create-user alice --home 1 --password-stdin 2>&1); rc=$?
expect "create-user refuses a duplicate" test $rc -ne 0
out=$("$rota" create-user bob --home 99 2>&1); rc=$?
expect "create-user refuses an unknown home" test $rc -ne 0
token=$("$rota" create-token alice)
expect "create-token prints a token" test ${#token} -ge 32
hash_count=$(sqlite3 rota.db "SELECT COUNT(*) FROM api_token WHERE token_hash = '$token'" 2>/dev/null || echo 0)
expect "the token is stored hashed, not in clear" test "$hash_count" = 0
pw=$(sqlite3 rota.db "SELECT password_hash FROM app_user WHERE username = 'alice'" 2>/dev/null)
expect "passwords are Argon2id hashes" grep -q '^\$argon2id\$' <<<"$pw"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$rota" serve --port "$port" >serve.log 2>&1 &
pid=$!
for _ in $(seq 100); do curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/homes/1/dashboard")
expect "the manager's token reads home 1" test "$code" = 200
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/homes/2/dashboard")
expect "and is refused home 2" test "$code" = 403
out=$(echo 'another long pw' | "$rota" create-user carol --admin --password-stdin 2>&1)
code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
  -d '{"username":"carol","password":"another long pw"}' "http://127.0.0.1:$port/api/login")
expect "a user made by create-user can log in" test "$code" = 200
out=$("$rota" serve --port "$port" 2>&1); rc=$?
expect "a second server on a busy port fails clearly" test $rc -ne 0 -a -n "$(grep -i 'in use' <<<"$out")"
kill -TERM "$pid"
wait "$pid"; rc=$?
pid=
expect "SIGTERM stops serve with exit status 0" test $rc -eq 0

finish cli_test
