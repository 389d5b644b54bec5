#!/usr/bin/env python3
"""One caller floods the cache with distinct ranges; do the other homes keep hitting? (issue 14 item 4)

Seeds a SQLite database (10 homes x 40 staff, ROTA_TODAY=2026-11-28) in a temp dir and, for each
contender, starts `rota serve` on a copy of it:
  bound   memory://, the default bounds: per home (max_entries / 8 values) and per kind of answer in
          a home (max_entries_per_prefix: half the home's share);
  home    memory://, the per-home bound only (the kind's lifted to the home's share);
  lru     memory://, both bounds lifted (= max_entries): plain LRU;
  redis   redis:// on a private redis-server, the default bounds (if redis-server exists).
All with [cache] max_entries = 1000. Then, at once:
  - the flood: manager1 (home 1) asks for FLOOD distinct ranges of home 1's shift list
    (`/api/homes/1/shifts?from=D&to=E`, every range new), as fast as one connection goes;
  - the hot readers (administrator token), counting X-Cache HIT/MISS, until the flood ends: one
    connection reading the other homes' dashboards (homes 2..10) in turn, one every HOT_INTERVAL,
    and one reading the flooding manager's own home's dashboard (home 1) every HOT_INTERVAL.
Before the flood each hot dashboard is read once (so it is cached). Prints, per contender: the hot
readers' hit rates during the flood (other homes', own home's), the flood's requests per second,
and the cache's key count and bytes afterwards (GET /api/cache/stats; Redis: used_memory).

Usage: bench/flood.py ROTA_BINARY [FLOOD=20000] [OUT.md]
With BENCH_FACTS=FILE (bench/run.sh), one line per contender is appended to FILE:
flood, contender, other homes' hit rate %, their reads, own home's hit rate %, its reads, FLOOD.
"""
import datetime
import json
import os
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import connect, get, have_redis, seed, start_redis, start_rota, stop  # noqa: E402

MAX_ENTRIES = 1000
HOT_INTERVAL = 0.5  # seconds between two hot reads: each of the 9 dashboards is read every 4.5 s, as a
                    # dashboard left open in a browser refreshes; the flood stores ~500 new values a second


def ranges(n):
    """n distinct (from, days) pairs: days 1..60 from each of 360 days around today."""
    today = datetime.date(2026, 11, 28)
    out = []
    for days in range(1, 61):
        for offset in range(-180, 180):
            out.append(((today + datetime.timedelta(days=offset)).isoformat(), days))
            if len(out) == n:
                return out
    return out


def run(rota, work, name, cache_url, extra_toml, flood_n, admin, manager):
    db = os.path.join(work, name + ".db")
    with open(os.path.join(work, "base.db"), "rb") as src, open(db, "wb") as dst:
        dst.write(src.read())
    toml = os.path.join(work, name + ".toml")
    with open(toml, "w") as f:
        f.write("[cache]\nmax_entries = %d\nkey_prefix = \"flood_%s\"\n%s" % (MAX_ENTRIES, name, extra_toml))
    server, port = start_rota(rota, work, db, cache_url, toml)
    try:
        hot = ["/api/homes/%d/dashboard" % h for h in range(1, 11)]
        c = connect(port)
        for p in hot:
            get(c, p, admin)
        done = threading.Event()
        counts = {(who, x): 0 for who in ("own", "others") for x in ("HIT", "MISS", "other")}
        lock = threading.Lock()

        def reader(who, paths):
            conn = connect(port)
            i = 0
            local = dict.fromkeys(counts, 0)
            while not done.wait(HOT_INTERVAL):
                r = get(conn, paths[i % len(paths)], admin)
                x = r.getheader("X-Cache") if r.getheader("X-Cache") in ("HIT", "MISS") else "other"
                local[(who, x)] += 1
                i += 1
            with lock:
                for key, v in local.items():
                    counts[key] += v

        readers = [threading.Thread(target=reader, args=("others", hot[1:])),
                   threading.Thread(target=reader, args=("own", hot[:1]))]
        for t in readers:
            t.start()
        flood = connect(port)
        t0 = time.perf_counter()
        statuses = {}
        for frm, days in ranges(flood_n):
            to = (datetime.date.fromisoformat(frm) + datetime.timedelta(days=days - 1)).isoformat()
            r = get(flood, "/api/homes/1/shifts?from=%s&to=%s" % (frm, to), manager)
            statuses[r.status] = statuses.get(r.status, 0) + 1
        elapsed = time.perf_counter() - t0
        done.set()
        for t in readers:
            t.join()
        c = connect(port)  # the first one idled out during the flood
        c.request("GET", "/api/cache/stats", headers={"Authorization": "Bearer " + admin})
        stats = json.loads(c.getresponse().read())
        def rate(who):
            looked = counts[(who, "HIT")] + counts[(who, "MISS")]
            return (100.0 * counts[(who, "HIT")] / looked if looked else 0.0), looked

        (hit_rate, reads), (own_rate, own_reads) = rate("others"), rate("own")
        return {"name": name, "hit_rate": hit_rate, "reads": reads, "own_rate": own_rate, "own_reads": own_reads,
                "other": counts[("own", "other")] + counts[("others", "other")],
                "flood": sum(statuses.values()), "flood_rps": flood_n / elapsed,
                "statuses": statuses, "keys": stats.get("total_keys"), "bytes": stats.get("used_memory_bytes")}
    finally:
        stop(server)


def main():
    rota = os.path.abspath(sys.argv[1])
    flood_n = int(sys.argv[2]) if len(sys.argv) > 2 else 20000
    out = sys.argv[3] if len(sys.argv) > 3 else None
    with tempfile.TemporaryDirectory(prefix="rota-flood-") as work:
        tokens = seed(rota, work, os.path.join(work, "base.db"))
        admin, manager = tokens["admin"], tokens["manager1"]
        contenders = [("bound", "memory://", ""),
                      ("home", "memory://", "max_entries_per_prefix = %d\n" % (MAX_ENTRIES // 8)),
                      ("lru", "memory://", "max_entries_per_home = %d\nmax_entries_per_prefix = %d\n" % (
                          MAX_ENTRIES, MAX_ENTRIES))]
        redis = None
        if have_redis():
            redis, rport = start_redis(work)
            contenders.append(("redis", "redis://127.0.0.1:%d/0" % rport, ""))
        try:
            results = [run(rota, work, n, u, t, flood_n, admin, manager) for n, u, t in contenders]
        finally:
            stop(redis)
    lines = ["Command: `bench/flood.py ROTA_BINARY %d` (%s, %d cores). [cache] max_entries = %d; the flood: %d "
             "distinct ranges of home 1's shift list by its manager, one connection; meanwhile one connection "
             "reads the other homes' dashboards (homes 2..10) in turn, one every %.1f s (each every %.1f s), and "
             "another the flooding manager's own home's dashboard every %.1f s, all cached before the flood." % (
                 flood_n, datetime.date.today().isoformat(), os.cpu_count(), MAX_ENTRIES, flood_n, HOT_INTERVAL,
                 HOT_INTERVAL * 9, HOT_INTERVAL),
             "",
             "| contender | other homes' dashboards: hit rate during the flood | their reads "
             "| own home's dashboard: hit rate | its reads | flood req/s | flood answers "
             "| cache keys after | cache bytes after |",
             "|---|---:|---:|---:|---:|---:|---|---:|---:|"]
    label = {"bound": "memory://, default bounds (per home: max_entries / 8; per kind: half that)",
             "home": "memory://, per-home bound only", "lru": "memory://, LRU only (bounds lifted)",
             "redis": "redis://, default bounds"}
    for r in results:
        lines.append("| %s | %.1f%% | %d | %.1f%% | %d | %.0f | %s | %s | %s |" % (
            label[r["name"]], r["hit_rate"], r["reads"], r["own_rate"], r["own_reads"], r["flood_rps"],
            ", ".join("%d x %d" % (v, k) for k, v in sorted(r["statuses"].items())), r["keys"], r["bytes"]))
    text = "\n".join(lines)
    print(text)
    if out:
        with open(out, "w") as f:
            f.write("# The flood: one caller, distinct ranges\n\n" + text + "\n")
    facts = os.environ.get("BENCH_FACTS")  # bench/run.sh: its facts.tsv, for RESULTS.md's targets
    if facts:
        with open(facts, "a") as f:
            for r in results:
                f.write("flood\t%s\t%.2f\t%d\t%.2f\t%d\t%d\n" % (
                    r["name"], r["hit_rate"], r["reads"], r["own_rate"], r["own_reads"], flood_n))


if __name__ == "__main__":
    main()
