#!/usr/bin/env python3
"""Warm and cold server time of the overview pages against the cached dashboard (issue 13).

Seeds a SQLite database (3 homes x 40 staff, ROTA_TODAY=2026-11-28) in a temp dir,
starts `rota serve`, logs in (manager1 for home pages, admin for /homes/), then
for each page: one cold request (after POST /cache/clear/; its X-Query-Count),
and N warm requests on one kept-alive connection, timed from request sent to
body read (the client is on the same host, so this is server time plus loopback).
Prints a table: median and p90 in microseconds, the warm X-Query-Count, X-Cache,
and the ratio of each page's median to the dashboard page's (/homes/1/).
Usage: bench/overview_pages.py ROTA_BINARY [N=300]
"""
import json
import os
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import connect, seed, start_rota, stop  # noqa: E402

PAGES = [("manager1", "/homes/1/"), ("manager1", "/homes/1/rota/"), ("manager1", "/homes/1/staff/"),
         ("admin", "/homes/"), ("manager1", "/homes/"),
         ("manager1", "/homes/1/reports/monthly/"), ("manager1", "/homes/1/compliance/"),
         ("manager1", "/api/homes"), ("manager1", "/api/homes/1/reports/monthly?format=csv")]


def log_in(port, user):
    c = connect(port)
    c.request("POST", "/api/login", json.dumps({"username": user, "password": "rota-demo"}),
              {"Content-Type": "application/json"})
    r = c.getresponse()
    body = json.loads(r.read())
    return r.getheader("Set-Cookie").split(";")[0], body["csrf_token"]


def main():
    rota = os.path.abspath(sys.argv[1])
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 300
    with tempfile.TemporaryDirectory(prefix="rota-overview-bench-") as work:
        db = os.path.join(work, "rota.db")
        seed(rota, work, db, homes=3)
        server, port = start_rota(rota, work, db, "memory://")
        try:
            sessions = {u: log_in(port, u) for u in ("manager1", "admin")}
            rows = []
            for user, path in PAGES:
                cookie, _ = sessions[user]
                admin_cookie, admin_csrf = sessions["admin"]
                c = connect(port)
                c.request("POST", "/cache/clear/", "", {"Cookie": admin_cookie, "X-CSRF-Token": admin_csrf})
                c.getresponse().read()
                c.request("GET", path, headers={"Cookie": cookie})
                r = c.getresponse()
                r.read()
                cold_q = r.getheader("X-Query-Count")
                times = []
                for _ in range(n):
                    t0 = time.perf_counter()
                    c.request("GET", path, headers={"Cookie": cookie})
                    r = c.getresponse()
                    r.read()
                    times.append((time.perf_counter() - t0) * 1e6)
                times.sort()
                rows.append((user, path, r.status, cold_q, r.getheader("X-Query-Count"), r.getheader("X-Cache"),
                             statistics.median(times), times[int(len(times) * 0.9)]))
        finally:
            stop(server)
    base = rows[0][6]
    print(f"{'user':9} {'path':45} {'status':6} {'cold q':6} {'warm q':6} {'x-cache':7} "
          f"{'median us':>9} {'p90 us':>8} {'x dash':>6}")
    for user, path, status, cq, wq, xc, med, p90 in rows:
        print(f"{user:9} {path:45} {status:<6} {cq:6} {wq:6} {xc or '-':7} {med:9.0f} {p90:8.0f} {med / base:6.2f}")


if __name__ == "__main__":
    main()
