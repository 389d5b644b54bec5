# Sourced by the shell tests of this folder: named checks that are counted.
#   ok NAME / bad NAME            count a check as passed / failed and print it
#   expect NAME COMMAND...        passed if COMMAND succeeds
#   finish SCRIPT                 print the totals; return 1 if any check failed
passed=0 failed=0
ok() { echo "ok   $1"; passed=$((passed + 1)); }
bad() { echo "FAIL $1"; failed=$((failed + 1)); }
expect() {
  local name=$1; shift
  if "$@"; then ok "$name"; else bad "$name"; fi
}
finish() { echo "$1: $passed passed, $failed failed"; [ "$failed" -eq 0 ]; }
