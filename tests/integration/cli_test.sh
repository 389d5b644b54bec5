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
printf '[server]\nread_timeout_ms = 5\n' >short.toml
out=$("$rota" --config short.toml check 2>&1); rc=$?
expect "a duration out of range is rejected naming its key and its range" \
  test $rc -ne 0 -a -n "$(grep -F '[server] read_timeout_ms must be 10..3600000 (got 5)' <<<"$out")"
out=$(ROTA_TODAY=2026-02-30 "$rota" --config bad.toml config --markdown 2>&1); rc=$?
expect "config --markdown prints the schema's table, whatever the configuration" \
  test $rc -eq 0 -a -n "$(grep -F '| `[server] read_timeout_ms` | milliseconds | `30000` |' <<<"$out")"
out=$("$rota" check 2>&1); rc=$?
expect "check passes on a good setup" test $rc -eq 0
out=$("$rota" check --deploy 2>&1); rc=$?
expect "check --deploy counts a missing Secure cookie and a pinned today" \
  test $rc -ne 0 -a -n "$(grep secure_cookies <<<"$out")" -a -n "$(grep ROTA_TODAY <<<"$out")" -a -n "$(grep '2 problem' <<<"$out")"
printf '[auth]\nsecure_cookies = true\n' >secure.toml
out=$(env -u ROTA_TODAY "$rota" --config secure.toml check --deploy 2>&1); rc=$?
expect "check --deploy passes a production setup" test $rc -eq 0
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
tok_err=$("$rota" create-token alice --expires-days 30 2>&1 >/dev/null)
expect "create-token --expires-days says when it expires" grep -q "expires in 30 days" <<<"$tok_err"
out=$("$rota" create-token alice --expires-days 0 2>&1); rc=$?
expect "create-token --expires-days 0 is refused naming the option" test $rc -ne 0 -a -n "$(grep -- --expires-days <<<"$out")"
out=$("$rota" create-token nobody 2>&1); rc=$?
expect "create-token for an unknown user is refused" test $rc -ne 0 -a -n "$(grep -i 'does not exist' <<<"$out")"
expiring=$("$rota" create-token alice --expires-days 1 2>/dev/null)
list=$("$rota" list-tokens)
expect "list-tokens prints a header line" test "$(head -n1 <<<"$list")" = "$(printf 'id\tusername\tcreated\tlast_used\texpires')"
expect "list-tokens lists the three tokens" test "$(tail -n +2 <<<"$list" | wc -l)" = 3
expect "an unused token shows - and one without expiry never" grep -qP '^1\talice\t\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\t-\tnever$' <<<"$list"
expect "an expiring token shows its expiry" grep -qP '^3\talice\t\S+\t-\t\d{4}-\d\d-\d\dT' <<<"$list"
expect "list-tokens never prints a secret" test -z "$(grep -F -e "$token" -e "$expiring" <<<"$list")"
out=$("$rota" list-tokens nobody 2>&1); rc=$?
expect "list-tokens for an unknown user is refused" test $rc -ne 0
out=$("$rota" list-tokens alice); expect "list-tokens USERNAME lists that user's" test "$(tail -n +2 <<<"$out" | wc -l)" = 3
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
list=$("$rota" list-tokens alice)
expect "list-tokens shows when a token was last used" grep -qP '^1\talice\t\S+\t\d{4}-\d\d-\d\dT\S+\tnever$' <<<"$list"
# last_used_at is bookkeeping, written at most once a minute per token: a use
# after the 0.75 s memory has lapsed (and the clock has passed a second) costs
# the token's SELECT alone, and the listed time stays put.
sleep 1.1
hdr=$(curl -s -o /dev/null -D - -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/homes/1/dashboard" | tr -d '\r')
expect "a cached read with a token used a moment ago sends one statement (no UPDATE)" grep -qix 'x-query-count: 1' <<<"$hdr"
expect "and last_used is not rewritten within the minute" test "$("$rota" list-tokens alice)" = "$list"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $expiring" "http://127.0.0.1:$port/api/homes/1/dashboard")
expect "a token that has not expired works" test "$code" = 200
sqlite3 rota.db "UPDATE api_token SET expires_at = '2020-01-01T00:00:00Z' WHERE id = 3"
sleep 1  # a verified token is remembered for at most 0.75 s
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $expiring" "http://127.0.0.1:$port/api/homes/1/dashboard")
expect "an expired token is refused" test "$code" = 401
out=$("$rota" revoke-token 1); rc=$?
expect "revoke-token revokes" test $rc -eq 0
now_ms() { echo $(($(date +%s%N) / 1000000)); }
t0=$(now_ms)
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/homes/1/dashboard")
while [ "$code" = 200 ] && [ $(($(now_ms) - t0)) -lt 2000 ]; do
  sleep 0.05
  code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/homes/1/dashboard")
done
took=$(($(now_ms) - t0))
echo "revoked token refused ${took} ms after revoke-token exited"
expect "a revoked token is refused within 1 s" test "$code" = 401 -a "$took" -lt 1000
out=$("$rota" revoke-token 1 2>&1); rc=$?
expect "revoking it again says it does not exist" test $rc -ne 0 -a -n "$(grep -i 'does not exist' <<<"$out")"
out=$("$rota" list-tokens); expect "a revoked token is no longer listed" test -z "$(grep -P '^1\t' <<<"$out")"
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
