#!/usr/bin/env bash
# Installs the Debian packages rota needs, and does nothing when they are all present.
#   scripts/deps.sh build   # to build and run rota
#   scripts/deps.sh test    # also what the test suite starts and uses (PostgreSQL, Python for check.py)
set -euo pipefail
profile=${1:-build}

build_pkgs=(g++ cmake ninja-build pkg-config python3
  libboost-dev libsqlite3-dev sqlite3 libpq-dev rapidjson-dev libspdlog-dev libfmt-dev libcli11-dev
  libtoml11-dev libxxhash-dev libsodium-dev libhiredis-dev libgtest-dev libgmock-dev)
test_pkgs=(postgresql redis-server python3-django curl)

pkgs=("${build_pkgs[@]}")
[ "$profile" = test ] && pkgs+=("${test_pkgs[@]}")

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "deps: installing ${missing[*]}" >&2
SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
