#!/usr/bin/env bash
# The whole test suite: installs what it needs, builds rota with warnings as errors
# and AddressSanitizer + UndefinedBehaviorSanitizer, starts PostgreSQL and Redis on
# private ports in a temporary directory, runs every test (unit, storage, cache and
# HTTP tests on SQLite and PostgreSQL, memory:// and redis://, the command line, the
# peer's check.py), runs the same suite again built with ThreadSanitizer, checks
# that neither run sent Redis a KEYS command, runs each libFuzzer target of fuzz/
# briefly (scripts/fuzz.sh), then stops both servers.
#
#   scripts/test.sh           the whole suite (what CI runs)
#   scripts/test.sh --quick   the ASan build and its suite only: no ThreadSanitizer pass, no
#                             fuzzing (a few minutes; for working, not for landing)
set -euo pipefail
quick=0
case "${1:-}" in
  --quick) quick=1 ;;
  "") ;;
  *) echo "usage: scripts/test.sh [--quick]" >&2; exit 2 ;;
esac
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD
scripts/deps.sh test
build=${BUILD_DIR:-build-test}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DROTA_WERROR=ON -DROTA_SANITIZE=ON >/dev/null
ninja -C "$build"

svc=$(mktemp -d /tmp/rota-services-XXXXXX)
chmod 755 "$svc"
cleanup() { "$root/scripts/services.sh" stop "$svc/s"; rm -rf "$svc"; }
trap cleanup EXIT
eval "$(scripts/services.sh start "$svc/s")"
export ROTA_TEST_PG_URL ROTA_TEST_REDIS_URL ROTA_TEST_REDIS_PORT
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
(cd "$build" && ctest --output-on-failure -j2 --timeout 600)

# The same suite under ThreadSanitizer (build-tsan/, RelWithDebInfo: TSan at -O0 is
# needlessly slow). tsan.supp lists the third-party false positives, each explained.
# Tests labelled `slow` (pg_production: its own PostgreSQL servers, PgBouncer and a
# failover, minutes of waiting on other processes and no rota concurrency that the
# rest of the suite leaves untested) run in the ASan pass only, so that the whole
# suite stays under 40 minutes on 2 cores. ROTA_TEST_TSAN=0 skips this stage.
if [ "$quick" = 0 ] && [ "${ROTA_TEST_TSAN:-1}" != 0 ]; then
  tsan=${TSAN_BUILD_DIR:-build-tsan}
  cmake -S . -B "$tsan" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DROTA_WERROR=ON -DROTA_SANITIZE=thread >/dev/null
  ninja -C "$tsan"
  (cd "$tsan" && TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 suppressions=$root/tsan.supp" \
    ctest --output-on-failure -j2 --timeout 900 -LE slow)
fi

# KEYS blocks Redis for the whole keyspace: the cache must only ever SCAN.
if redis-cli -p "$ROTA_TEST_REDIS_PORT" INFO commandstats | grep -q '^cmdstat_keys:'; then
  echo "FAIL: the test Redis received a KEYS command" >&2
  exit 1
fi
echo "ok: INFO commandstats of the test Redis shows no KEYS call"

# Fuzzing: every libFuzzer target of fuzz/ for a short while on its seed corpus
# (clang, ASan + UBSan, build-fuzz/); the long run is `scripts/fuzz.sh 600` (docs/fuzzing.md).
if [ "$quick" = 1 ]; then
  echo "quick: ThreadSanitizer pass and fuzzing skipped (scripts/test.sh without --quick runs them)"
  exit 0
fi
scripts/fuzz.sh "${ROTA_FUZZ_SECONDS:-15}"
