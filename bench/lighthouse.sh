#!/usr/bin/env bash
# Lighthouse (npm, lighthouse@12.2.3 in web/) on every page of rota, logged in as
# the user each page is for: accessibility and best-practices scores, written to
# bench/LIGHTHOUSE.md with the command and the date. The target (issue 13) is
# >= 95 in both on every page; the script exits non-zero when a page scores less.
#
#   bench/lighthouse.sh [ROTA_BINARY]     (default: build-bench/build/rota, built by bench/build.sh)
#
# Any build will do (build-test/rota too): accessibility and best practices do
# not depend on speed, and the table names the binary that was scored.
# The pages are listed in bench/lighthouse-pages.txt, one "USER PATH" per line
# (USER "-" for a page seen logged out). Each page gets a fresh session cookie,
# passed to Lighthouse's own Chromium (Debian's, headless) as a request header.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
rota=${1:-$root/build-bench/build/rota}
lh="$root/web/node_modules/lighthouse/cli/index.js"
[ -x "$rota" ] || { echo "lighthouse.sh: no rota binary at $rota (bench/build.sh builds one)" >&2; exit 2; }
[ -f "$lh" ] || { echo "lighthouse.sh: no Lighthouse in web/node_modules (scripts/deps.sh installs it)" >&2; exit 2; }
export CHROME_PATH=${CHROMIUM:-/usr/bin/chromium}

work=$(mktemp -d /tmp/rota-lighthouse-XXXXXX)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
export ROTA_TODAY=2026-11-28 ROTA_DATABASE_URL="sqlite://$work/rota.db" ROTA_CACHE_URL=memory://
"$rota" seed --homes 3 --staff-per-home 40 --days 60 --start 2026-11-14 >/dev/null
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$rota" serve --port "$port" >"$work/server.log" 2>&1 &
pid=$!
url="http://127.0.0.1:$port"
for _ in $(seq 100); do curl -sf "$url/healthz" >/dev/null && break; sleep 0.1; done

# A session cookie for USER ("-": none), as the login form would get it.
cookie_for() {
  [ "$1" = - ] && { echo '{}'; return; }
  curl -sf -c "$work/jar" -H 'Content-Type: application/json' \
    -d "{\"username\":\"$1\",\"password\":\"rota-demo\"}" "$url/api/login" >/dev/null
  # curl's jar: DOMAIN FLAG PATH SECURE EXPIRES NAME VALUE (an HttpOnly cookie's line starts #HttpOnly_).
  awk 'NF == 7 && (!/^#/ || /^#HttpOnly_/) { printf "{\"Cookie\":\"%s=%s\"}", $6, $7 }' "$work/jar"
}

out="$root/bench/LIGHTHOUSE.md"
rows=()
fail=0
while read -r user path; do
  [ -z "$user" ] || [ "${user:0:1}" = "#" ] && continue
  headers=$(cookie_for "$user")
  [ "$headers" != "" ] || { echo "lighthouse.sh: could not log in as $user" >&2; exit 1; }
  node "$lh" "$url$path" --quiet --only-categories=accessibility,best-practices \
    --chrome-flags="--headless=new --no-sandbox --disable-gpu" --extra-headers="$headers" \
    --output=json --output-path="$work/report.json" >/dev/null 2>"$work/lh.err" ||
    { cat "$work/lh.err" >&2; exit 1; }
  read -r a11y bp final < <(python3 - "$work/report.json" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
c = r["categories"]
print(round(c["accessibility"]["score"] * 100), round(c["best-practices"]["score"] * 100), r["finalDisplayedUrl"])
for cat in ("accessibility", "best-practices"):
    for ref in c[cat]["auditRefs"]:
        a = r["audits"][ref["id"]]
        if ref["weight"] and a["score"] is not None and a["score"] < 1:
            print(f"  {cat}: {a['id']}: {a['title']}", file=sys.stderr)
EOF
  )
  final=${final#"$url"}
  [ "$final" = "$path" ] || { echo "lighthouse.sh: $path as $user ended at $final (not logged in?)" >&2; exit 1; }
  echo "$path ($user): accessibility $a11y, best practices $bp" >&2
  rows+=("| \`$path\` | $user | $a11y | $bp |")
  { [ "$a11y" -ge 95 ] && [ "$bp" -ge 95 ]; } || fail=1
done <"$root/bench/lighthouse-pages.txt"

{
  echo "# Lighthouse scores of rota's pages"
  echo
  echo "Lighthouse 12.2.3 (npm) with Debian's Chromium $("$CHROME_PATH" --version 2>/dev/null | awk '{print $2}'), headless,"
  echo "desktop defaults, on $(date -u +%Y-%m-%d), scoring \`${rota#"$root/"}\` seeded with 3 homes x 40 staff."
  echo "Target (issue 13): accessibility >= 95 and best practices >= 95 on every page."
  echo
  echo "Command: \`bench/lighthouse.sh\` (pages from bench/lighthouse-pages.txt)."
  echo
  echo "| page | logged in as | accessibility | best practices |"
  echo "| --- | --- | --- | --- |"
  printf '%s\n' "${rows[@]}"
} >"$out"
echo "lighthouse.sh: wrote $out" >&2
exit $fail
