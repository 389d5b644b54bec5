#!/usr/bin/env python3
"""Turns the raw output of bench/run.sh into bench/RESULTS.md, bench/results.tsv and bench/results.png.

    bench/report.py WORK_DIR OUT_DIR

WORK_DIR holds what run.sh collected: meta.tsv (machine, settings), runs.tsv (one line per wrk
run: section, scenario, contender, round, connections, server CPU ticks, load average, raw wrk
output file), facts.tsv (probes, sizes, memory, browser timings, mixed-workload checks).
Every figure in a table is the median over the rounds; ratios are the median of the per-round
ratios (the two contenders ran back to back in the same round).
"""
import os
import re
import statistics
import subprocess
import sys
from collections import defaultdict

work, out = sys.argv[1], sys.argv[2]

meta = {}
for line in open(os.path.join(work, "meta.tsv")):
    k, _, v = line.rstrip("\n").partition("\t")
    meta[k] = v
tck = os.sysconf("SC_CLK_TCK")

LABEL = {
    "M": "rota, memory://",
    "R": "rota, redis://",
    "F": "rota, redis://, near tier off",
    "B": "rota, cache bypassed",
    "D": "Django peer",
    "N": "nginx, static file",
}
SCEN = {
    "dash_hit": "Dashboard, 7 days, cached (HIT)",
    "dash_miss": "Dashboard, 7 days, uncached",
    "shifts_hit": "Shift list, 7 days (168 shifts), cached (HIT)",
    "shifts_miss": "Shift list, 7 days (168 shifts), uncached",
    "staff_hit": "Staff list (40 staff), cached (HIT)",
    "staff_miss": "Staff list (40 staff), uncached",
}
SHORT = {
    "dash_hit": "dashboard HIT", "dash_miss": "dashboard uncached", "shifts_hit": "shifts HIT",
    "shifts_miss": "shifts uncached", "staff_hit": "staff HIT", "staff_miss": "staff uncached",
    "mixed": "mixed 95/5",
}


def to_us(s):
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", s)
    if not m:
        return None
    v, unit = float(m.group(1)), m.group(2)
    return v * {"us": 1, "ms": 1e3, "s": 1e6, "m": 6e7}[unit]


def parse_wrk(path):
    text = open(path).read()
    r = {"text": text}
    m = re.search(r"Requests/sec:\s+([\d.]+)", text)
    r["rps"] = float(m.group(1)) if m else 0.0
    m = re.search(r"(\d+) requests in ([\d.]+)(us|ms|s|m)", text)
    r["requests"] = int(m.group(1)) if m else 0
    for p in ("50", "99"):
        m = re.search(r"^\s+%s%%\s+(\S+)" % p, text, re.M)
        r["p" + p] = to_us(m.group(1)) if m else None
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    r["non2xx"] = int(m.group(1)) if m else 0
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    r["sockerr"] = sum(int(x) for x in m.groups()) if m else 0
    m = re.search(r"^MIXED (.*)$", text, re.M)
    if m:
        r["mixed"] = dict(kv.split("=", 1) for kv in m.group(1).split())
    return r


runs = []
for line in open(os.path.join(work, "runs.tsv")):
    section, scen, who, rnd, conns, ticks, load1, raw = line.rstrip("\n").split("\t")
    r = parse_wrk(raw)
    r.update(section=section, scen=scen, who=who, round=int(rnd), conns=int(conns), ticks=int(ticks),
             load1=float(load1))
    r["cpu_us"] = r["ticks"] / tck * 1e6 / r["requests"] if r["requests"] else None
    runs.append(r)

facts = defaultdict(list)
for line in open(os.path.join(work, "facts.tsv")):
    f = line.rstrip("\n").split("\t")
    facts[f[0]].append(f[1:])

probes = {(p[0], p[1]): {"status": p[2], "xcache": p[3], "queries": p[4], "bytes": p[5]} for p in facts["probe"]}

groups = defaultdict(list)
for r in runs:
    groups[(r["section"], r["scen"], r["who"], r["conns"])].append(r)


def med(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def summary(section, scen, who, conns):
    rs = sorted(groups.get((section, scen, who, conns), []), key=lambda r: r["round"])
    if not rs:
        return None
    return {
        "rps": med([r["rps"] for r in rs]), "p50": med([r["p50"] for r in rs]), "p99": med([r["p99"] for r in rs]),
        "cpu": med([r["cpu_us"] for r in rs]), "runs": rs,
        "errors": sum(r["non2xx"] + r["sockerr"] for r in rs),
    }


def ratio(section, scen, a, b, conns, key="rps"):
    """Median over rounds of a/b, pairing the runs of the same round; and the per-round values."""
    ra = {r["round"]: r for r in groups.get((section, scen, a, conns), [])}
    rb = {r["round"]: r for r in groups.get((section, scen, b, conns), [])}
    vals = [ra[k][key] / rb[k][key] for k in sorted(ra) if k in rb and rb[k][key]]
    return (statistics.median(vals) if vals else None), vals


def fmt_lat(us):
    if us is None:
        return "–"
    if us < 1000:
        return "%.0f µs" % us
    if us < 1e6:
        return "%.2f ms" % (us / 1000) if us < 10000 else "%.1f ms" % (us / 1000)
    return "%.2f s" % (us / 1e6)


def fmt_rps(v):
    if v is None:
        return "–"
    return "{:,.0f}".format(v) if v >= 100 else "%.1f" % v


def fmt_cpu(v):
    if v is None:
        return "–"
    return "%.0f µs" % v if v < 10000 else "%.1f ms" % (v / 1000)


def fmt_ratio(v):
    return "–" if v is None else ("%.2f×" % v if v < 10 else "%.0f×" % v)


conns = int(meta["conns"])
lines = []
w = lines.append
quick = meta["mode"] == "--quick"

w("# Performance, measured side by side")
w("")
w("Produced by `%s` on %s in %s s%s. **Do not edit by hand**: `bench/run.sh` rewrites this file." % (
    meta["command"], meta["date"], meta["elapsed"],
    " (quick mode: 1- and 2-second runs, fewer connection levels and data sizes — a smoke test, not the "
    "figures to quote)" if quick else ""))
w("")
w("- Machine: `nproc` %s, %s, %s, %s RAM; shared with other engineers' builds (load average per run in "
  "`bench/results.tsv`). Tree: %s." % (meta["nproc"], meta["cpu"], meta["kernel"], meta["memory"], meta["commit"]))
w("- Software: wrk %s, nginx %s, Redis %s, Django %s + gunicorn %s (%s: the peer's `run.sh` with one worker process "
  "per core it runs on, as its README advises; on the one pinned core 1 worker served ~20%% more than 2), SQLite %s, "
  "Chromium %s." % (meta["wrk"], meta["nginx"], meta["redis"], meta["django"], meta["gunicorn"],
                    meta["django_workers"], meta["sqlite"], meta["chromium"]))
w("- Data: `rota seed --homes 10 --staff-per-home 40 --days 120 --start %s` with `ROTA_TODAY=%s`, one SQLite file "
  "(WAL); each server gets its own copy (the Django peer's `run.sh` with `ROTA_DB` = a copy). Home 1." % (
      meta["start"], meta["today"]))
w("- Placement: %s. rota runs its defaults (4 I/O threads, SQLite pool of 6) with `[cache] max_entries = 20000` "
  "(so the memory figure below fits); nginx 4 workers (`access_log off`, keep-alive). On a core shared with "
  "other people's builds the scheduler shares time per thread, so nginx gets as many workers as rota has "
  "threads (with 1 worker it served 30–45%% fewer requests in a side-by-side check); *CPU per request* is the "
  "figure least affected by that load." % meta["pinning"])
w("- Method: every (scenario, contender) ran %s times, A/B interleaved (round *k* starts at the *k*-th contender); "
  "tables show the **median** of the rounds, ratios are the median of per-round ratios. Server CPU per request = "
  "utime+stime of the server's processes (rota; rota + redis-server; gunicorn master + workers + its redis-server; "
  "nginx master + workers) from `/proc/<pid>/stat` before and after the run, divided by the requests completed. "
  "Queries per request = `X-Query-Count` of a single request after a first one (which fills the cache and "
  "lets rota remember the token)." % meta["rounds"])
w("- **Cache disabled** means the `X-Cache-Bypass: 1` request header on the memory:// server (rota and the peer "
  "both honour it): the answer is computed from the database and neither read from nor written to the cache. "
  "rota has no configuration without a cache backend.")
w("")

# ---- targets ------------------------------------------------------------------------
target_rows = []


def target(name, measured, ok, detail=""):
    target_rows.append("| %s | %s | **%s** | %s |" % (name, measured, "met" if ok else "MISSED", detail))


r_mn, v_mn = ratio("table", "dash_hit", "M", "N", conns)
r_md, v_md = ratio("table", "dash_hit", "M", "D", conns)
r_bd, v_bd = ratio("table", "dash_miss", "B", "D", conns)
r_bds, v_bds = ratio("table", "shifts_miss", "B", "D", conns)
s_mhit = summary("table", "dash_hit", "M", conns)
s_bmiss = summary("table", "dash_miss", "B", conns)
s_nhit = summary("table", "dash_hit", "N", conns)
rounds_txt = lambda vals: ", ".join(fmt_ratio(v) for v in vals)
if r_mn is not None:
    conn_ratios = [(c, ratio("conns", "dash_hit", "M", "N", c)[0])
                   for c in sorted({r["conns"] for r in runs if r["section"] == "conns"})]
    target("Cached dashboard ≥ 0.7 × nginx (same bytes)", fmt_ratio(r_mn), r_mn >= 0.7,
           "per round %s; CPU per request rota %s vs nginx %s; in the connection-scaling runs: %s" % (
               rounds_txt(v_mn), fmt_cpu(s_mhit["cpu"]), fmt_cpu(s_nhit["cpu"]),
               ", ".join("%s at %d" % (fmt_ratio(v), c) for c, v in conn_ratios if v is not None)))
if r_md is not None:
    target("Cached dashboard ≥ 25 × Django cached", fmt_ratio(r_md), r_md >= 25, "per round " + rounds_txt(v_md))
if s_mhit:
    s_paced = summary("paced", "dash_hit", "M", conns)
    s_npaced = summary("paced", "dash_hit", "N", conns)
    target("Cached dashboard p99 < 2 ms at %d connections" % conns, fmt_lat(s_mhit["p99"]), s_mhit["p99"] < 2000,
           "saturated (closed loop): p50 %s, nginx p99 %s in the same rounds%s" % (
               fmt_lat(s_mhit["p50"]), fmt_lat(s_nhit["p99"]),
               "; paced below saturation (below): rota p99 %s, nginx %s" % (fmt_lat(s_paced["p99"]),
                                                                           fmt_lat(s_npaced["p99"]))
               if s_paced and s_npaced else ""))
if r_bd is not None:
    target("Uncached dashboard ≥ 20 × Django uncached", fmt_ratio(r_bd), r_bd >= 20, "per round " + rounds_txt(v_bd))
if r_bds is not None:
    target("Uncached shift list ≥ 30 × Django uncached", fmt_ratio(r_bds), r_bds >= 30,
           "per round " + rounds_txt(v_bds))
if s_mhit:
    s_rhit = summary("table", "dash_hit", "R", conns)
    target("Server CPU per cached hit ≤ 40 µs", fmt_cpu(s_mhit["cpu"]), s_mhit["cpu"] <= 40,
           "memory://; redis:// %s (rota + redis-server)" % fmt_cpu(s_rhit["cpu"]) if s_rhit else "")
if s_mhit and s_nhit:
    target("Server CPU per cached dashboard hit ≤ 1.0 × nginx's per request (same bytes)",
           "%s vs %s = %s" % (fmt_cpu(s_mhit["cpu"]), fmt_cpu(s_nhit["cpu"]), fmt_ratio(s_mhit["cpu"] / s_nhit["cpu"])),
           s_mhit["cpu"] <= s_nhit["cpu"], "memory://, %d connections, same rounds" % conns)
# Redis commands per request of the redis:// contender (INFO commandstats around each run).
redis_cmds = defaultdict(list)
for section, scen, who, rnd, calls in facts["redis_cmds"]:
    for r in runs:
        if (r["section"], r["scen"], r["who"], r["round"]) == (section, scen, who, int(rnd)) and r["requests"]:
            redis_cmds[(section, scen, who)].append(int(calls) / r["requests"])
if redis_cmds.get(("table", "dash_hit", "F")):
    per_hit = med(redis_cmds[("table", "dash_hit", "F")])
    near = redis_cmds.get(("table", "dash_hit", "R"))
    target("Redis commands per cached hit ≤ 1.05 (redis://, near tier off)", "%.3f" % per_hit, per_hit <= 1.05,
           "INFO commandstats over each dashboard-hit run (all commands but INFO/CONFIG), divided by the requests "
           "wrk completed; median of the rounds. With the near tier (the default): %s" % (
               "%.3f" % med(near) if near else "–"))
for who in ("R", "F"):
    if s_mhit and summary("table", "dash_hit", who, conns):
        r_rm = summary("table", "dash_hit", who, conns)["rps"] / s_mhit["rps"]
        target("%s cached-hit throughput ≥ 0.5 × memory://" % LABEL[who][6:], fmt_ratio(r_rm), r_rm >= 0.5,
               "dashboard, %d connections" % conns)
if s_bmiss:
    target("Server CPU per uncached dashboard ≤ 400 µs", fmt_cpu(s_bmiss["cpu"]), s_bmiss["cpu"] <= 400,
           "Django: %s" % fmt_cpu(summary("table", "dash_miss", "D", conns)["cpu"]))
hit_q = {k: v["queries"] for k, v in probes.items() if k[0].endswith("_hit") and k[1] in "MR"}
miss_q = {k: v["queries"] for k, v in probes.items() if (k[0].endswith("_miss") and k[1] == "B") or
          k[0].startswith("data_")}
hits_zero = all(q == "0" for q in hit_q.values())
miss_max = max(int(q) for q in miss_q.values()) if miss_q else None
target("Queries: 0 on a hit", ", ".join(sorted(set(hit_q.values()))), hits_zero,
       "dashboard, shift list, staff list on memory:// and redis://")
target("Queries: ≤ 4 on any miss", "at most %s" % miss_max, miss_max is not None and miss_max <= 4,
       "; ".join("%s %s" % (SHORT.get(k[0], k[0]), v) for k, v in sorted(miss_q.items()) if k[1] == "B"))
data_q = defaultdict(set)
for (scen, who), v in probes.items():
    if scen.startswith("data_"):
        data_q[scen].add(v["queries"])
const = all(len(s) == 1 for s in data_q.values()) and data_q
target("Queries constant in the data size", "; ".join("%s days: %s" % (k[6:], "/".join(sorted(v)))
                                                      for k, v in sorted(data_q.items())), bool(const),
       "over %d data sizes (below)" % len(facts["size"]))

mixed_runs = defaultdict(list)
for r in runs:
    if r["section"] == "mixed" and "mixed" in r:
        mixed_runs[r["who"]].append(r)


def hit_rate(r):
    m = r["mixed"]
    h, mi = int(m["hits"]), int(m["misses"])
    return 100.0 * h / (h + mi) if h + mi else None


db_ok = {}
for who, rnd, init, after, raw in facts["mixed_db"]:
    mixed = parse_wrk(raw).get("mixed", {})
    acked = [int(x) for x in mixed.get("acked_per_home", "").split(",") if x]
    sent = [int(x) for x in mixed.get("sent_per_home", "").split(",") if x]
    i, a = [int(x) for x in init.split(",")], [int(x) for x in after.split(",")]
    # Every acknowledged write is in the database; a write still in flight when wrk stopped may be too.
    db_ok[(who, int(rnd))] = len(acked) == len(i) == len(sent) and all(
        i[k] + acked[k] <= a[k] <= i[k] + sent[k] for k in range(len(i)))
def peer_mixed():
    """The Django peer's figures in its own mixed workload (shift moves), for beside rota's."""
    rs = mixed_runs.get("D")
    if not rs:
        return ""
    m = [r["mixed"] for r in rs]
    acked = sum(int(x["writes_acked"]) for x in m)
    failed = sum(int(x["write_errors"]) for x in m)
    return "; the Django peer (its writes: shift moves, below): %.1f%%, %d stale, %d of %d writes failed" % (
        med([hit_rate(r) for r in rs]), sum(int(x["stale"]) for x in m), failed, acked + failed)


for who in ("M", "R"):
    if mixed_runs[who]:
        hr = med([hit_rate(r) for r in mixed_runs[who]])
        stale = sum(int(r["mixed"]["stale"]) for r in mixed_runs[who])
        dbs = all(db_ok.get((who, r["round"]), False) for r in mixed_runs[who])
        target("Mixed workload (%s): hit rate ≥ 99%%, 0 stale reads" % LABEL[who][6:],
               "%.1f%%, %d stale" % (hr, stale), hr >= 99 and stale == 0 and dbs,
               "%s reads checked; database afterwards: before + acknowledged writes (+ at most those in flight at the end): %s%s" % (
                   "{:,}".format(sum(int(r["mixed"]["reads_checked"]) for r in mixed_runs[who])),
                   "yes" if dbs else "NO", peer_mixed()))
browser = defaultdict(list)
for b in facts["browser"]:
    browser[(b[0], b[1])].append(b)
warm = browser.get(("M", "warm"))
if warm:
    fcp = med([float(b[3]) for b in warm])
    floor = browser.get(("M", "floor"))
    target("Painted dashboard page ≤ 50 ms warm (first-contentful-paint)", "%.0f ms" % fcp, fcp <= 50,
           "median of %d loads; a tiny static page on nginx paints at %s ms in the same browser" % (
               len(warm), "%.0f" % med([float(b[3]) for b in floor]) if floor else "?"))
rota_warm = browser.get(("M", "rota"))
if rota_warm and warm:
    floor = browser.get(("M", "floor"))
    rota_fcp = med([float(b[3]) for b in rota_warm])
    if floor:
        floor_fcp = med([float(b[3]) for b in floor])
        target("Rota page (40 staff, 4 units, a week) paints within 1.5× of the floor (first-contentful-paint, warm)",
               "%.0f ms = %.2f× the floor" % (rota_fcp, rota_fcp / floor_fcp), rota_fcp <= 1.5 * floor_fcp,
               "median of %d loads of /homes/1/rota/; the floor, a tiny static page on nginx, paints at %.0f ms" % (
                   len(rota_warm), floor_fcp))
    rota_ttfb = med([float(b[2]) for b in rota_warm])
    dash_ttfb = med([float(b[2]) for b in warm])
    target("Warm rota page's server time ≤ 2× the warm dashboard page's (time to first byte)",
           "%.1f ms vs %.1f ms = %.2f×" % (rota_ttfb, dash_ttfb, rota_ttfb / dash_ttfb), rota_ttfb <= 2 * dash_ttfb,
           "medians of %d loads each, X-Cache %s" % (len(rota_warm), "/".join(sorted({b[6] for b in rota_warm}))))

# The scripts run.sh runs after the wrk scenarios (bench/flood.py, bench/restart.py, bench/compression.sh).
flood = {f[0]: f for f in facts["flood"]}  # contender -> (name, hit %, reads, own %, own reads, requests)
for who, label in (("bound", "memory://"), ("redis", "redis://")):
    if who in flood:
        _, rate, reads, own, own_reads, n = flood[who]
        lru = flood.get("lru")
        target("Flood (one manager requests %s distinct ranges): the other homes' dashboards hit ≥ 95%% (%s)" % (
                   format(int(n), ","), label), "%s%%" % rate, float(rate) >= 95,
               "%s reads during the flood; the flooding home's own dashboard %s%% of %s%s (below)" % (
                   reads, own, own_reads, "; LRU alone, same flood: %s%%" % lru[1] if lru and who == "bound" else ""))
restart = {f[0]: (int(f[1]), int(f[2]), int(f[3])) for f in facts["restart"]}
if "steady" in restart and "restarts" in restart:
    rate = lambda p: 100.0 * restart[p][1] / max(restart[p][1] + restart[p][2], 1)
    target("A server restarted under load (SIGKILL or SIGTERM every 5 s, bench/restart.py) leaves the other's "
           "hit rate unchanged",
           "%.2f%% vs %.2f%%" % (rate("restarts"), rate("steady")), rate("restarts") >= rate("steady") - 0.1,
           "redis:// with the near tier, two servers; hit rate during the restarts vs before them, %d and %d reads; "
           "the control (the whole cache cleared): %.2f%% (below)" % (
               restart["restarts"][0], restart["steady"][0], rate("control") if "control" in restart else 0))
comp = {(f[0], f[1]): f for f in facts["compression"]}  # (list, client) -> (.., body, head, cpu µs, req/s)
for lst in ("7 days", "31 days"):
    if (lst, "identity") in comp and (lst, "gzip") in comp:
        i, g = comp[(lst, "identity")], comp[(lst, "gzip")]
        wire_i, wire_g = int(i[2]) + int(i[3]), int(g[2]) + int(g[3])
        target("Shift list, %s, cached: gzip sent from the stored bytes, fewer bytes and less CPU per hit than "
               "identity" % lst,
               "%s vs %s bytes, %s vs %s µs" % (format(wire_g, ","), format(wire_i, ","), g[4], i[4]),
               wire_g < wire_i and float(g[4]) < float(i[4]),
               "on the wire (body + header) and server CPU per hit, `Accept-Encoding: gzip` vs none; %s vs %s "
               "req/s (below)" % (format(int(g[5]), ","), format(int(i[5]), ",")))

w("## Targets")
w("")
w("| target | measured | | detail |")
w("| --- | --- | --- | --- |")
lines.extend(target_rows)
w("")

# ---- scenario tables ----------------------------------------------------------------
w("## Scenarios at %d connections" % conns)
w("")
w("`wrk -t%s -c%d -d%ss --timeout 10s --latency -H 'Authorization: Bearer TOKEN' [-H 'X-Cache-Bypass: 1'] URL` "
  "per run%s, after a %s s warm-up per contender and scenario%s. "
  "req/s, p50, p99 and CPU are medians of the rounds; *runs* lists req/s of each round." % (
      meta["wrk_threads"], conns, meta["dur"],
      " (uncached scenarios: `-d%ss`)" % meta["slow_dur"] if meta["slow_dur"] != meta["dur"] else "", meta["warm"],
      "; after each run of the peer, the next waits until its processes are idle again (it keeps working through "
      "the requests queued when wrk stopped)"))
w("")
for scen in SCEN:
    whos = [who for who in "MRFBDN" if (("table", scen, who, conns) in groups)]
    if not whos:
        continue
    w("### " + SCEN[scen])
    w("")
    w("| contender | req/s | p50 | p99 | CPU / request | queries / request | bytes | X-Cache | runs (req/s) |")
    w("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for who in whos:
        s = summary("table", scen, who, conns)
        p = probes.get((scen, who), {})
        label = LABEL[who]
        if who == "D":
            label += ", X-Cache-Bypass: 1" if scen.endswith("_miss") else ", django-redis"
        if who == "B":
            label += " (X-Cache-Bypass: 1)"
        err = " (%d errors)" % s["errors"] if s["errors"] else ""
        w("| %s | %s%s | %s | %s | %s | %s | %s | %s | %s |" % (
            label, fmt_rps(s["rps"]), err, fmt_lat(s["p50"]), fmt_lat(s["p99"]), fmt_cpu(s["cpu"]),
            p.get("queries", "–") if who != "N" else "–", p.get("bytes", "–"), p.get("xcache", "–"),
            " / ".join(fmt_rps(r["rps"]) for r in s["runs"])))
    w("")

# ---- connection scaling ---------------------------------------------------------------
levels = sorted({r["conns"] for r in runs if r["section"] == "conns"})
if levels:
    w("## Connection scaling: cached dashboard, rota memory:// vs nginx")
    w("")
    w("`wrk -t%s -cN -d%ss --timeout 10s --latency`, `ulimit -n` raised to the hard limit. "
      "Medians of %s interleaved rounds." % (meta["wrk_threads"], meta["dur"], meta["rounds"]))
    w("")
    w("| connections | rota req/s | rota p50 | rota p99 | rota CPU / req | nginx req/s | nginx p50 | nginx p99 | "
      "nginx CPU / req | rota / nginx |")
    w("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for c in levels:
        m, n = summary("conns", "dash_hit", "M", c), summary("conns", "dash_hit", "N", c)
        rr, _ = ratio("conns", "dash_hit", "M", "N", c)
        err = lambda s: " (%d errors)" % s["errors"] if s["errors"] else ""
        w("| %d | %s%s | %s | %s | %s | %s%s | %s | %s | %s | %s |" % (
            c, fmt_rps(m["rps"]), err(m), fmt_lat(m["p50"]), fmt_lat(m["p99"]), fmt_cpu(m["cpu"]),
            fmt_rps(n["rps"]), err(n), fmt_lat(n["p50"]), fmt_lat(n["p99"]), fmt_cpu(n["cpu"]), fmt_ratio(rr)))
    w("")

# ---- paced ---------------------------------------------------------------------------
if any(r["section"] == "paced" for r in runs):
    w("## Latency below saturation: cached dashboard, %d connections, paced" % conns)
    w("")
    w("`PACE_MS=%s wrk -t%s -c%d -d%ss --timeout 10s --latency -s bench/paced.lua URL`: each connection waits %s ms "
      "after a response before sending its next request (at most %d / %s ms = %s requests per second offered), "
      "so latency is service time plus scheduling rather than queueing behind the other connections. "
      "Medians of %s interleaved rounds." % (
          meta["pace_ms"], meta["wrk_threads"], conns, meta["dur"], meta["pace_ms"], conns, meta["pace_ms"],
          "{:,}".format(int(conns * 1000 / int(meta["pace_ms"]))), meta["rounds"]))
    w("")
    w("| contender | req/s | p50 | p99 | CPU / request | runs (p99) |")
    w("| --- | --- | --- | --- | --- | --- |")
    for who in "MRN":
        s = summary("paced", "dash_hit", who, conns)
        if s:
            w("| %s | %s | %s | %s | %s | %s |" % (LABEL[who], fmt_rps(s["rps"]), fmt_lat(s["p50"]), fmt_lat(s["p99"]),
                                                fmt_cpu(s["cpu"]), " / ".join(fmt_lat(r["p99"]) for r in s["runs"])))
    w("")

# ---- data scaling ----------------------------------------------------------------------
if facts["size"]:
    rows_in = {(f[0], f[1]): f[2] for f in facts["rows"]}
    w("## Data scaling: an uncached dashboard's cost follows its range, not the table")
    w("")
    w("One rota memory:// server per data set, `X-Cache-Bypass: 1`, home 1; `wrk -t1 -c1 -d%ss --latency` "
      "(one request at a time, so p50 is the time of one dashboard); medians of %s interleaved rounds." % (
          meta["scale_dur"], meta["rounds"]))
    w("")
    w("| data set | shift rows in the table | range | shifts in the range | p50 | p99 | req/s | CPU / request | "
      "queries |")
    w("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for name, homes, days, shifts in facts["size"]:
        for rng, label in (("d7", "7 days"), ("d366", "366 days")):
            s = summary("data", rng, name, 1)
            if not s:
                continue
            p = probes.get(("data_" + rng, name), {})
            w("| %s homes × %s days | %s | %s | %s | %s | %s | %s | %s | %s |" % (
                homes, days, "{:,}".format(int(shifts)), label, rows_in.get((name, rng), "?"), fmt_lat(s["p50"]),
                fmt_lat(s["p99"]), fmt_rps(s["rps"]), fmt_cpu(s["cpu"]), p.get("queries", "?")))
    w("")

# ---- browser ---------------------------------------------------------------------------
if browser:
    w("## The browser: time to a painted home dashboard page, and the rota page")
    w("")
    w("Headless Chromium (`--headless --no-sandbox --disable-gpu --disable-background-networking`, playwright-core) "
      "logged in as manager1 loads `/homes/1/` %s times *cold* (right after `POST /cache/clear/`: the page's "
      "HTML fragment and its dashboards are computed) and *warm* (the fragment is a hit), alternating; the "
      "browser's own HTTP cache holds the static files (they are `immutable`), as for a returning user. "
      "*floor*: a tiny static HTML page on nginx, loaded before each pair, is what this browser on this "
      "machine needs to paint anything. *warm, JavaScript off*: the same warm page in a second context "
      "with the same session and scripts disabled (no Chart.js), loaded after each pair. *rota page*: "
      "`/homes/1/rota/` (this week of a 40-staff, 4-unit home) after each pair, cold (cleared with the rest) "
      "then warm. Milliseconds from navigation start (Navigation Timing, Paint Timing), "
      "medians." % meta["loads"])
    w("")
    w("| server | load | n | time to first byte | first contentful paint | DOMContentLoaded (charts drawn) | "
      "load event | X-Cache |")
    w("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for who in ("M", "R"):
        for kind in ("floor", "cold", "warm", "nojs", "rota-cold", "rota"):
            bs = browser.get((who, kind))
            if not bs:
                continue
            w("| %s | %s | %d | %.1f | %.0f | %.0f | %.0f | %s |" % (
                LABEL[who] if kind != "floor" else "nginx, tiny static page",
                {"nojs": "warm, JavaScript off", "rota-cold": "rota page, cold", "rota": "rota page, warm"}.get(kind, kind),
                len(bs),
                med([float(b[2]) for b in bs]), med([float(b[3]) for b in bs]), med([float(b[4]) for b in bs]),
                med([float(b[5]) for b in bs]), "/".join(sorted({b[6] for b in bs}))))
    w("")

# ---- memory ----------------------------------------------------------------------------
w("## Memory")
w("")
idle = {k: facts[k][0][0] for k in ("rss_idle_M", "rss_idle_R", "rss_idle_redis") if facts.get(k)}
w("| server | RSS idle (just started) | RSS with %s cached dashboards | keys | cached bytes (keys + values) | "
  "per entry |" % "{:,}".format(int(meta["fill"])))
w("| --- | --- | --- | --- | --- | --- |")
for who, rss, redis_rss, keys_bytes in facts["rss_full"]:
    keys, nbytes, used = keys_bytes.split()
    mb = lambda kb: "%.1f MiB" % (int(kb) / 1024)
    if who == "M":
        w("| rota, memory:// | %s | %s | %s | %s | %s B cached, %s B of RSS growth |" % (
            mb(idle["rss_idle_M"]), mb(rss), keys, "{:,}".format(int(nbytes)), "{:,}".format(int(nbytes) // int(keys)),
            "{:,}".format((int(rss) - int(idle["rss_idle_M"])) * 1024 // int(keys))))
    else:
        w("| rota, redis:// | %s | %s | (in Redis) | | |" % (mb(idle["rss_idle_R"]), mb(rss)))
        w("| redis-server of rota | %s | %s | %s | %s (Redis `used_memory`: %s) | %s B of `used_memory` |" % (
            mb(idle["rss_idle_redis"]), mb(redis_rss), keys, "{:,}".format(int(nbytes)), "{:,}".format(int(used)),
            "{:,}".format(int(used) // int(keys))))
w("")
w("Filled after `POST /cache/clear/` with %s distinct `GET /api/homes/{1..10}/dashboard?from=…` (1,000 dates "
  "per home), `curl --parallel --parallel-max 8`." % "{:,}".format(int(meta["fill"])))
w("")

# ---- mixed -----------------------------------------------------------------------------
if mixed_runs:
    w("## Mixed workload: 95% dashboard reads over 10 homes, 5% writes")
    w("")
    w("`ROTA_BENCH_TOKEN=… BENCH_STAFF=… BENCH_INIT=… BENCH_EXPIRES=… wrk -t%s -c%s -d%ss --timeout 10s --latency "
      "-s bench/mixed.lua URL`: one connection per wrk thread; every 20th request is `POST /api/certifications` "
      "(a certification expiring within 30 days for an active member of staff; the homes in turn), the others "
      "`GET /api/homes/{h}/dashboard` of a pseudo-random home. **Stale read**: a read of home *h* showing "
      "`certifications_expiring_30d` below *h*'s count before the run plus the writes to *h* acknowledged "
      "before that read was sent (each write adds exactly one; times from one monotonic clock across the wrk "
      "threads). Afterwards the SQLite file is queried: each home's count must be the count before plus the "
      "writes acknowledged, plus at most the writes still in flight when wrk stopped. Hit rate = HIT / (HIT + MISS) of the reads' `X-Cache`." % (
          meta["mixed_conns"], meta["mixed_conns"], meta["mixed_dur"]))
    w("")
    w("| contender | req/s | p50 | p99 | CPU / request | hit rate | stale reads | reads checked | writes acked | "
      "database check | runs (req/s) |")
    w("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for who in ("M", "R", "B", "D"):
        rs = mixed_runs.get(who)
        if not rs:
            continue
        s = summary("mixed", "mixed", who, int(meta["mixed_conns"]))
        hr = med([hit_rate(r) for r in rs])
        w("| %s | %s | %s | %s | %s | %s | %d | %s | %s | %s | %s |" % (
            LABEL[who] + {"B": " (reads with X-Cache-Bypass: 1)", "D": " (writes: shift moves)"}.get(who, ""),
            fmt_rps(s["rps"]),
            fmt_lat(s["p50"]), fmt_lat(s["p99"]), fmt_cpu(s["cpu"]), "–" if hr is None else "%.1f%%" % hr,
            sum(int(r["mixed"]["stale"]) for r in rs), "{:,}".format(sum(int(r["mixed"]["reads_checked"]) for r in rs)),
            "{:,}".format(sum(int(r["mixed"]["writes_acked"]) for r in rs)),
            "ok" if all(db_ok.get((who, r["round"]), False) for r in rs) else "MISMATCH",
            " / ".join(fmt_rps(r["rps"]) for r in sorted(rs, key=lambda r: r["round"]))))
    errs = sum(int(r["mixed"]["read_errors"]) + int(r["mixed"]["write_errors"]) for rs in mixed_runs.values()
               for r in rs)
    w("")
    w("Failed requests across all mixed runs: %d." % errs)
    if mixed_runs.get("D"):
        m = [r["mixed"] for r in mixed_runs["D"]]
        w("")
        w("The Django peer implements no `POST /api/certifications`; its one write is `PATCH /api/shifts/{id}`. In its "
          "rounds (`BENCH_WRITE=move`, bench/mixed.lua) every 20th request moves a vacant shift from beyond the "
          "dashboard's 7 days to today, which adds one to the home's `total_shifts`, and a read is stale if it shows "
          "fewer than the home's count before plus the moves acknowledged before it was sent. Its failed writes: "
          "%d of %d (its log holds %s `database is locked` errors over the whole run: SQLite under concurrent "
          "writers); stale reads: %d (at most %s missing write(s)): its invalidation deletes the home's keys after "
          "commit, and a reader that read the rows before the commit can store its answer after the delete." % (
              sum(int(x["write_errors"]) for x in m),
              sum(int(x["write_errors"]) + int(x["writes_acked"]) for x in m),
              facts["dj_locked"][0][0] if facts.get("dj_locked") else "?", sum(int(x["stale"]) for x in m),
              max(int(x["worst_missing_writes"]) for x in m)))
    w("")

# The sections of the scripts run after the wrk scenarios, as they wrote them.
for name in ("compression.md", "flood.md", "restart.md"):
    try:
        text = open(os.path.join(work, name)).read().strip("\n")
    except OSError:
        continue
    if text.startswith("# "):
        text = "#" + text  # a file's title is a section here
    w(text)
    w("")

w("## Files")
w("")
w("`bench/results.tsv`: every wrk run (section, scenario, contender, round, connections, req/s, p50 µs, p99 µs, "
  "CPU µs per request, errors, load average at the end of the run). `bench/results.png`: req/s and p99 per "
  "scenario and contender, and the connection scaling (log scales). `bench/NOTES.md`: the profile and what it "
  "suggests.")
w("")
open(os.path.join(out, "RESULTS.md"), "w").write("\n".join(lines))

# ---- results.tsv -----------------------------------------------------------------------
with open(os.path.join(out, "results.tsv"), "w") as f:
    f.write("section\tscenario\tcontender\tround\tconnections\treq_per_s\tp50_us\tp99_us\tcpu_us_per_req\terrors\t"
            "load1\n")
    for r in runs:
        f.write("%s\t%s\t%s\t%d\t%d\t%.1f\t%s\t%s\t%s\t%d\t%.2f\n" % (
            r["section"], r["scen"], r["who"], r["round"], r["conns"], r["rps"],
            "%.0f" % r["p50"] if r["p50"] is not None else "", "%.0f" % r["p99"] if r["p99"] is not None else "",
            "%.1f" % r["cpu_us"] if r["cpu_us"] is not None else "", r["non2xx"] + r["sockerr"], r["load1"]))

# ---- chart -----------------------------------------------------------------------------
series = ["M", "R", "B", "D", "N"]
scen_order = ["dash_hit", "dash_miss", "shifts_hit", "shifts_miss", "staff_hit", "staff_miss"]
dat = os.path.join(work, "chart.dat")
with open(dat, "w") as f:
    for scen in scen_order + ["mixed"]:
        vals = []
        for who in series:
            s = summary("mixed", "mixed", who, int(meta["mixed_conns"])) if scen == "mixed" else \
                summary("table", scen, who, conns)
            vals.append(s)
        f.write('"%s" %s %s\n' % (SHORT[scen], " ".join("%.1f" % s["rps"] if s else "-" for s in vals),
                                  " ".join("%.3f" % (s["p99"] / 1000) if s and s["p99"] else "-" for s in vals)))
cdat = os.path.join(work, "conns.dat")
with open(cdat, "w") as f:
    for c in levels:
        m, n = summary("conns", "dash_hit", "M", c), summary("conns", "dash_hit", "N", c)
        f.write("%d %.1f %.1f %.3f %.3f\n" % (c, m["rps"], n["rps"], m["p99"] / 1000, n["p99"] / 1000))
titles = ["rota memory://", "rota redis://", "rota, cache bypassed", "Django peer", "nginx static file"]
colors = ["#1f77b4", "#17becf", "#ff7f0e", "#2ca02c", "#7f7f7f"]
gp = """
set terminal pngcairo size 1400,1000 font "DejaVu Sans,10"
set output "%(png)s"
set datafile missing "-"
set multiplot layout 2,2 title "rota vs Django peer vs nginx — %(date)s, %(mode)s, medians of %(rounds)s rounds"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.9 border -1
set boxwidth 0.9
set logscale y
set grid ytics
set xtics rotate by -25 scale 0
set key top right font ",8"
set title "Throughput (req/s, log scale), %(conns)s connections; mixed: %(mconns)s; uncached = X-Cache-Bypass: 1"
plot for [i=2:6] "%(dat)s" using i:xtic(1) title T[i-1] lc rgb C[i-1]
set title "p99 latency (ms, log scale)"
plot for [i=7:11] "%(dat)s" using i:xtic(1) title T[i-6] lc rgb C[i-6]
unset style
set style data linespoints
set logscale x 2
set xtics norotate
set xlabel "connections"
set title "Cached dashboard: throughput vs connections (req/s)"
unset logscale y
set yrange [0:*]
plot "%(cdat)s" using 1:2 title "rota memory://" lw 2 lc rgb "#1f77b4", "" using 1:3 title "nginx static file" lw 2 lc rgb "#7f7f7f"
set title "Cached dashboard: p99 vs connections (ms, log scale)"
set logscale y
set yrange [*:*]
plot "%(cdat)s" using 1:4 title "rota memory://" lw 2 lc rgb "#1f77b4", "" using 1:5 title "nginx static file" lw 2 lc rgb "#7f7f7f"
unset multiplot
""" % {
    "png": os.path.join(out, "results.png"), "dat": dat, "cdat": cdat, "date": meta["date"], "mode": meta["mode"],
    "rounds": meta["rounds"], "conns": conns, "mconns": meta["mixed_conns"],
}
gp = "array T[5] = [%s]\narray C[5] = [%s]\n" % (", ".join('"%s"' % t for t in titles),
                                                ", ".join('"%s"' % c for c in colors)) + gp
if levels:
    subprocess.run(["gnuplot"], input=gp, text=True, check=True)
else:
    print("report: no connection-scaling runs; chart skipped", file=sys.stderr)
print("wrote %s, %s, %s" % (os.path.join(out, "RESULTS.md"), os.path.join(out, "results.tsv"),
                            os.path.join(out, "results.png")), file=sys.stderr)
