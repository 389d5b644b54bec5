#!/usr/bin/env python3
"""A server restarted under load: do the other servers keep hitting? (issue 14, "what must be shown")

Two `rota serve` processes, A and B, share one SQLite file and one private redis-server (redis://, the
defaults: near tier on). Readers on A loop over the dashboards and shift lists of homes 1..10
(administrator token, kept-alive connections): 310 answers, each home's dashboard for 1..30 days and its
week's shift list, recording X-Cache and latency; one reader loads B too.
Timeline, in seconds from the start of the readers:
  steady     0 .. 10   nothing happens
  restarts  10 .. 40   B is killed and started again every 5 s: SIGKILL (a crash) four times, SIGTERM (a
                       graceful stop) twice, alternating; each start of B replays the owed invalidations
  after     40 .. 50   nothing happens
  control   50 .. 60   at 50 s an administrator clears the whole cache (POST /cache/clear/ on B): what
                       every restart did to everyone before the outbox (it bumped every home's
                       generation), so the measurement shows a cold cache when there is one
Prints, per phase, A's reads, hit rate and latency (p50, p99), and writes it to OUT.md if given.

Usage: bench/restart.py ROTA_BINARY [OUT.md]
With BENCH_FACTS=FILE (bench/run.sh), one line per phase is appended to FILE: restart, phase, A's reads,
hits, misses.
"""
import datetime
import json
import os
import signal
import statistics
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402

PHASES = [("steady", 0, 10), ("restarts", 10, 40), ("after", 40, 50), ("control", 50, 60)]
READERS_ON_A = 2


def pct(values, q):
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def main():
    rota = os.path.abspath(sys.argv[1])
    out = sys.argv[2] if len(sys.argv) > 2 else None
    if not benchlib.have_redis():
        sys.exit("restart.py needs redis-server (scripts/deps.sh test installs it)")
    with tempfile.TemporaryDirectory(prefix="rota-restart-") as work:
        db = os.path.join(work, "rota.db")
        tokens = benchlib.seed(rota, work, db)
        admin = tokens["admin"]
        redis, rport = benchlib.start_redis(work)
        url = "redis://127.0.0.1:%d/0" % rport
        a, a_port = benchlib.start_rota(rota, work, db, url)
        b, b_port = benchlib.start_rota(rota, work, db, url)
        b_box = {"proc": b}
        # 310 answers: each home's dashboard for 1..30 days ahead, and its week's shift list.
        paths = ["/api/homes/%d/dashboard?days=%d" % (h, d) for h in range(1, 11) for d in range(1, 31)]
        paths += ["/api/homes/%d/shifts" % h for h in range(1, 11)]
        warm = benchlib.connect(a_port)
        for p in paths:
            benchlib.get(warm, p, admin)
        log = []  # (seconds since t0, X-Cache, latency ms), from every reader on A
        log_lock = threading.Lock()
        stop = threading.Event()
        t0 = time.monotonic()

        def reader_a(k):
            conn = benchlib.connect(a_port)
            mine = []
            i = k * 7
            while not stop.is_set():
                s = time.monotonic()
                r = benchlib.get(conn, paths[i % len(paths)], admin)
                e = time.monotonic()
                mine.append((s - t0, r.getheader("X-Cache") or "none", (e - s) * 1000.0))
                i += 1
            with log_lock:
                log.extend(mine)

        def reader_b():
            i = 0
            conn = None
            while not stop.is_set():
                try:
                    conn = conn or benchlib.connect(b_port, timeout=2)
                    benchlib.get(conn, paths[i % len(paths)], admin)
                except OSError:
                    conn = None
                    time.sleep(0.05)
                except Exception:  # http.client's errors when B dies mid-response
                    conn = None
                i += 1

        threads = [threading.Thread(target=reader_a, args=(k,)) for k in range(READERS_ON_A)]
        threads.append(threading.Thread(target=reader_b))
        for t in threads:
            t.start()
        events = []
        try:
            def at(second):
                time.sleep(max(0.0, t0 + second - time.monotonic()))

            for n, second in enumerate(range(10, 40, 5)):
                at(second)
                how = signal.SIGKILL if n % 3 != 2 else signal.SIGTERM
                b_box["proc"].send_signal(how)
                b_box["proc"].wait()
                b_box["proc"], _ = benchlib.start_rota(rota, work, db, url, port=b_port)
                events.append("%.1f s: B %s, listening again at %.1f s" % (
                    second, "killed (SIGKILL)" if how == signal.SIGKILL else "stopped (SIGTERM)",
                    time.monotonic() - t0))
            at(50)
            c = benchlib.connect(b_port)
            c.request("POST", "/cache/clear/", headers={"Authorization": "Bearer " + admin})
            status = c.getresponse()
            status.read()
            events.append("50.0 s: POST /cache/clear/ on B -> %d" % status.status)
            at(60)
        finally:
            stop.set()
            for t in threads:
                t.join()
            benchlib.stop(b_box["proc"])
            benchlib.stop(a)
            benchlib.stop(redis)

    rows = []
    for name, lo, hi in PHASES:
        part = [x for x in log if lo <= x[0] < hi]
        hits = sum(1 for x in part if x[1] == "HIT")
        misses = sum(1 for x in part if x[1] == "MISS")
        lat = [x[2] for x in part]
        rows.append((name, lo, hi, len(part), hits, misses, pct(lat, 0.5), pct(lat, 0.99)))
    lines = ["Command: `bench/restart.py ROTA_BINARY` (%s, %d cores). Servers A and B: `rota serve`, one SQLite "
             "file (10 homes x 40 staff), one redis-server, redis:// with the defaults (near tier on). %d readers "
             "on A loop over 310 answers (the dashboards of homes 1..10 for 1..30 days, their shift lists); one reader "
             "loads B. A cold cache costs A one miss per answer: the control row shows what that looks like." % (
                 datetime.date.today().isoformat(), os.cpu_count(), READERS_ON_A),
             "",
             "| phase | seconds | A's reads | A's hit rate | A's misses | p50 | p99 |",
             "|---|---|---:|---:|---:|---:|---:|"]
    for name, lo, hi, n, hits, misses, p50, p99 in rows:
        lines.append("| %s | %d..%d | %d | %.2f%% | %d | %.2f ms | %.2f ms |" % (
            name, lo, hi, n, 100.0 * hits / (hits + misses) if hits + misses else 0.0, misses, p50, p99))
    lines += ["", "Events:", ""] + ["- " + e for e in events]
    text = "\n".join(lines)
    print(text)
    print(json.dumps({r[0]: {"reads": r[3], "hits": r[4], "misses": r[5]} for r in rows}))
    if out:
        with open(out, "w") as f:
            f.write("# A server restarted under load\n\n" + text + "\n")
    facts = os.environ.get("BENCH_FACTS")  # bench/run.sh: its facts.tsv, for RESULTS.md's targets
    if facts:
        with open(facts, "a") as f:
            for name, lo, hi, n, hits, misses, p50, p99 in rows:
                f.write("restart\t%s\t%d\t%d\t%d\n" % (name, n, hits, misses))


if __name__ == "__main__":
    main()
