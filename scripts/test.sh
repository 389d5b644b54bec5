#!/usr/bin/env bash
# The whole test suite: installs what it needs, builds rota with warnings as errors
# and AddressSanitizer + UndefinedBehaviorSanitizer, starts PostgreSQL on a private
# port in a temporary directory, runs every test (unit, storage and HTTP tests on
# SQLite and PostgreSQL, the peer's check.py), then stops PostgreSQL.
set -euo pipefail
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
export ROTA_TEST_PG_URL
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
cd "$build"
ctest --output-on-failure -j2 --timeout 600
