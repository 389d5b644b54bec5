#!/usr/bin/env bash
# Installs the Debian packages rota needs, and does nothing when they are all present.
#   scripts/deps.sh build   # to build and run rota
#   scripts/deps.sh test    # also what the test suite starts and uses (PostgreSQL, Redis, Python for
#                           # check.py, Chromium for the browser tests, clang + its sanitizer and
#                           # libFuzzer runtimes for scripts/fuzz.sh, promtool from prometheus to check
#                           # the /metrics output, nginx as the reverse proxy of edge_check,
#                           # clang-format for the format check)
# Then the front-end packages of web/package.json from npm (Chart.js is embedded into
# the binary; playwright-core drives Chromium in the browser tests), from the lockfile.
set -euo pipefail
profile=${1:-build}

build_pkgs=(g++ cmake ninja-build pkg-config python3
  libboost-dev libsqlite3-dev sqlite3 libpq-dev rapidjson-dev libspdlog-dev libfmt-dev libcli11-dev
  libtoml11-dev libxxhash-dev libsodium-dev libhiredis-dev libssl-dev zlib1g-dev libgtest-dev libgmock-dev)
test_pkgs=(postgresql redis-server python3-django curl chromium fonts-dejavu-core clang clang-format libclang-rt-14-dev
  prometheus nginx pgbouncer openssl systemd)

pkgs=("${build_pkgs[@]}")
[ "$profile" = test ] && pkgs+=("${test_pkgs[@]}")

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
# Debian's nodejs has no npm of its own (NodeSource's does): ask for both only when npm is absent.
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)

if [ ${#missing[@]} -gt 0 ]; then
  echo "deps: installing ${missing[*]}" >&2
  SUDO=
  [ "$(id -u)" = 0 ] || SUDO=sudo
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# npm packages, exactly as locked; skipped when node_modules already matches the lockfile.
web="$(dirname "${BASH_SOURCE[0]}")/../web"
if ! cmp -s "$web/package-lock.json" "$web/node_modules/.rota-installed-lock" 2>/dev/null; then
  echo "deps: npm ci in web/" >&2
  (cd "$web" && npm ci --no-audit --no-fund --loglevel=error >/dev/null &&
    cp package-lock.json node_modules/.rota-installed-lock)
fi
