#!/usr/bin/env bash
# Every C++ file is as `.clang-format` says (Debian 12's clang-format 14; other versions
# format a few constructs differently, so they skip rather than fail).
# Usage: format_check.sh SOURCE_DIR.   Fix with: clang-format -i $(git ls-files '*.cpp' '*.hpp')
set -euo pipefail
cd "$1"
cf=$(command -v clang-format-14 || command -v clang-format || true)
if [ -z "$cf" ] || ! "$cf" --version | grep -q 'version 14\.'; then
  echo "format_check: SKIPPED: clang-format 14 is not installed (scripts/deps.sh test installs it)"
  exit 77
fi
files=$(find src tests bench fuzz -name '*.cpp' -o -name '*.hpp' | grep -v node_modules | sort)
bad=0
for f in $files; do
  if ! "$cf" --dry-run -Werror "$f" >/dev/null 2>&1; then
    echo "not formatted: $f"
    bad=$((bad + 1))
  fi
done
echo "$(echo "$files" | wc -l) files checked, $bad not formatted"
[ "$bad" = 0 ]
