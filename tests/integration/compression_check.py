#!/usr/bin/env python3
"""Compressed answers read by clients no one here wrote (issue 14, item 5).

Seeds a SQLite database in a temp dir (2 homes x 40 staff), starts `rota serve`
and, in front of it, nginx with docs/deploy/nginx.conf inside an http block
that has nginx's own gzip switched on for JSON and CSV (as a site might: Debian's
nginx.conf has `gzip on`). For the week's and the month's shift lists, the
monthly report and the rota page's week fragment, straight to rota and through nginx:

  1. curl --compressed: Content-Encoding gzip, and the body curl decodes is
     byte-equal to the answer computed without the cache (?nocache=1);
  2. Python's http.client with Accept-Encoding: gzip, decoded with
     gzip.decompress: the same bytes, decompressed once (nginx did not compress
     rota's gzip again); for the API's reads the ETag ends in -gz" and nginx
     left it strong, and If-None-Match with it -> 304;
  3. http.client as it comes (it sends Accept-Encoding: identity): identity
     bytes, no Content-Encoding; Vary: Accept-Encoding on every answer.

Exits non-zero on any failure. Usage: compression_check.py ROTA_BINARY
"""
import gzip
import http.client
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import edge_check  # noqa: E402  (Env: temp dir, seeded database, rota and nginx processes)
from edge_check import check, failures  # noqa: E402

PATHS = [
    "/api/homes/1/shifts?from=2026-11-28&to=2026-12-04",
    "/api/homes/1/shifts?from=2026-11-01&to=2026-11-30",
    "/api/homes/1/reports/monthly?month=2026-11",
    "/homes/1/rota/grid?from=2026-11-28",  # an HTML fragment, stored compressed like the API's answers
]
# nginx's own compression, on for the types rota answers: it must leave rota's gzip alone.
NGINX_GZIP = "gzip on; gzip_types application/json text/csv; gzip_proxied any; gzip_min_length 20;"


def get(port, path, token, headers=None):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    h = {"Authorization": f"Bearer {token}"}
    h.update(headers or {})
    c.request("GET", path, headers=h)
    r = c.getresponse()
    body = r.read()
    c.close()
    return r.status, {k.lower(): v for k, v in r.getheaders()}, body


def curl_compressed(port, path, token):
    out = subprocess.run(["curl", "-sS", "--compressed", "-D", "-", "--max-time", "10", "-H",
                          f"Authorization: Bearer {token}", f"http://127.0.0.1:{port}{path}"], capture_output=True)
    head, _, body = out.stdout.partition(b"\r\n\r\n")
    return out.returncode, head.decode("latin-1"), body


def checks(name, port, token):
    for path in PATHS:
        sep = "&" if "?" in path else "?"
        status, _, identity = get(port, path + sep + "nocache=1", token)
        check(status == 200 and len(identity) > 1024, f"{name}: {path} uncached, {len(identity)} bytes")

        rc, head, body = curl_compressed(port, path, token)
        enc = edge_check.header_of(head, "Content-Encoding")
        check(rc == 0 and enc == "gzip" and body == identity,
              f"{name}: curl --compressed {path}: Content-Encoding {enc}, decoded body equal to ?nocache=1's")

        status, h, raw = get(port, path, token, {"Accept-Encoding": "gzip"})
        once = gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else b""
        check(status == 200 and h.get("content-encoding") == "gzip" and once == identity,
              f"{name}: http.client gzip {path}: {len(raw)} bytes on the wire, gzip.decompress once gives "
              f"the identity bytes ({len(identity)})")
        check(h.get("vary", "").lower() == "accept-encoding", f"{name}: Vary: {h.get('vary')}")
        if path.startswith("/api/"):  # the API's reads have validators; fragments have none
            etag = h.get("etag", "")
            check(etag.startswith('"') and etag.endswith('-gz"'), f"{name}: the gzip answer's ETag {etag} (strong, -gz)")
            status, h304, body304 = get(port, path, token, {"Accept-Encoding": "gzip", "If-None-Match": etag})
            check(status == 304 and body304 == b"" and h304.get("etag") == etag,
                  f"{name}: If-None-Match {etag} -> {status}")

        status, h, plain = get(port, path, token)  # http.client sends Accept-Encoding: identity
        check(status == 200 and "content-encoding" not in h and plain == identity,
              f"{name}: http.client without gzip {path}: identity, {len(plain)} bytes")
        check(h.get("vary", "").lower() == "accept-encoding" and not h.get("etag", "").endswith('-gz"'),
              f"{name}: identity answer: Vary {h.get('vary')}, ETag {h.get('etag')}")


def main():
    rota = os.path.abspath(sys.argv[1])
    env = edge_check.Env(rota)
    try:
        env.run("seed", "--homes", "2", "--staff-per-home", "40", "--days", "60", "--start", "2026-11-01")
        token = env.run("create-token", "admin").strip()
        a, _ = env.serve("rota-a")
        b, _ = env.serve("rota-b")
        ngx = env.nginx([a, b], http_extra=NGINX_GZIP)
        checks("rota", a, token)
        checks("nginx", ngx, token)
    finally:
        env.close()
    if failures:
        print(f"{len(failures)} failure(s)")
        return 1
    print("all compression checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
