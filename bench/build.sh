#!/usr/bin/env bash
# Builds the Release `rota` the benchmarks use: build-bench/build/rota.
#
# The working tree is shared with people editing it, so the sources are first
# copied to build-bench/src (with their times, so ninja rebuilds only what
# changed) and built from there: a file saved in the middle of the build cannot
# leave a binary made of half-old objects. Prints nothing on success.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
snap=build-bench/src
rm -rf "$snap.new"
mkdir -p "$snap.new/web/node_modules/chart.js/dist"
cp -a src tests cmake CMakeLists.txt "$snap.new/"
cp -a web/static "$snap.new/web/"
cp -a web/node_modules/chart.js/dist/chart.umd.min.js "$snap.new/web/node_modules/chart.js/dist/"
rm -rf "$snap"
mv "$snap.new" "$snap"
launcher=(); command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cmake -S "$snap" -B build-bench/build -G Ninja -DCMAKE_BUILD_TYPE=Release "${launcher[@]}" >/dev/null
ninja -C build-bench/build ${BENCH_JOBS:+-j"$BENCH_JOBS"} rota >/dev/null
