#!/usr/bin/env bash
# Builds the libFuzzer targets of fuzz/ with clang (ASan + UBSan, build-fuzz/) and
# runs each one for SECONDS_PER_TARGET (default 30) on its committed seed corpus,
# then prints, per target: executions, exec/s, coverage (cov, ft), corpus size and
# crashes. The committed corpus is read, never grown: new inputs go to a temporary
# directory given to libFuzzer first. Exits non-zero if any target crashed, leaked,
# timed out or broke an invariant; the reproducer and the log are kept and named.
#   scripts/fuzz.sh                    # 30 s per target
#   scripts/fuzz.sh 600                # the long run of docs/fuzzing.md
#   FUZZ_TARGETS="json_body config" scripts/fuzz.sh 60
# Reproduce a finding: build-fuzz/<target>_fuzz <file>
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
seconds=${1:-30}
build=${FUZZ_BUILD_DIR:-build-fuzz}
read -r -a targets <<<"${FUZZ_TARGETS:-http_request json_body query_dates cache_keys config}"

scripts/deps.sh test
cmake -S . -B "$build" -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DROTA_WERROR=ON -DROTA_FUZZ=ON >/dev/null
ninja -C "$build" -j "${FUZZ_BUILD_JOBS:-2}" fuzz_targets

work=$(mktemp -d /tmp/rota-fuzz-XXXXXX)
failed=0
summary=()
for t in "${targets[@]}"; do
  bin="$build/${t}_fuzz"
  seeds="fuzz/corpus/$t"
  mkdir -p "$work/$t/new" "$work/$t/artifacts"
  args=("$work/$t/new" "$seeds" -max_total_time="$seconds" -timeout=10 -print_final_stats=1
        -artifact_prefix="$work/$t/artifacts/")
  [ -f "fuzz/$t.dict" ] && args+=(-dict="fuzz/$t.dict")
  [ "$t" = http_request ] && args+=(-max_len=16384)  # room to reach the 8 KiB header limit
  echo "fuzz: $t for ${seconds}s" >&2
  status=0
  "$bin" "${args[@]}" >"$work/$t/log" 2>&1 || status=$?
  log="$work/$t/log"
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  last=$(grep -E '^#[0-9]+' "$log" | grep -E ' cov: ' | tail -1 || true)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
  corpus=$(( $(find "$work/$t/new" -type f | wc -l) + $(find "$seeds" -type f | wc -l) ))
  crashes=$(find "$work/$t/artifacts" -type f | wc -l)
  if [ "$status" -ne 0 ] && [ "$crashes" -eq 0 ]; then crashes=1; fi
  line=$(printf '%-13s executions=%-10s exec/s=%-7s cov=%-6s ft=%-6s corpus=%-6s crashes=%s' \
    "$t" "${execs:-?}" "${rate:-?}" "${cov:-?}" "${ft:-?}" "$corpus" "$crashes")
  summary+=("$line")
  if [ "$crashes" -ne 0 ]; then
    failed=1
    echo "FAIL: $t (exit $status); log $log; reproducers in $work/$t/artifacts/:" >&2
    ls "$work/$t/artifacts" >&2 || true
    grep -E 'ERROR|invariant failed|SUMMARY' "$log" | head -5 >&2 || true
  fi
done

echo "fuzz: ${seconds}s per target, $(date -u +%Y-%m-%dT%H:%MZ), nproc $(nproc)"
printf '%s\n' "${summary[@]}"
if [ "$failed" -ne 0 ]; then
  echo "fuzz: FAILED; logs and reproducers kept in $work" >&2
  exit 1
fi
rm -rf "$work"
echo "fuzz: ok, no crashes"
