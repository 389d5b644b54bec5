#!/usr/bin/env python3
"""The HTTP edge with clients no one here wrote (issue 11, issue 10 item 8).

Starts, in a temp dir on free ports: a seeded SQLite database, two `rota serve`
processes, and nginx with docs/deploy/nginx.conf (ports substituted) as a reverse
proxy with keep-alive upstream connections. Then:

  1. curl -I (HEAD) on rota and through nginx: the GET's status and headers, no body.
  2. A mixed request stream (GET, HEAD, 404, 405, 401, 304, failed logins, chunked
     and pipelined-looking traffic) replayed with Python's http.client over one
     kept-alive connection to nginx, and one straight to rota; every response is
     checked against what that request must answer: 0 desynchronised responses.
     nginx's own upstream connections are counted (few, reused).
  3. 1,000 idle connections held open against one rota: /healthz still answers
     within 100 ms (max of 20 tries), and the idle server's CPU stays near zero
     while they are held. Then the same against a server capped at
     ROTA_MAX_CONNECTIONS=200: the oldest idle connections are closed to make
     room, /healthz still answers.

Prints the figures; exits non-zero on any failure. Usage: edge_check.py ROTA_BINARY
"""
import http.client
import json
import os
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "support"))
from ports import free_port  # noqa: E402

failures = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what, flush=True)
    if not ok:
        failures.append(what)


def wait_http(port, path="/healthz", timeout=20.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            c.request("GET", path)
            r = c.getresponse()
            r.read()
            c.close()
            if r.status == 200:
                return True
        except OSError:
            pass
        time.sleep(0.1)
    return False


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Env:
    def __init__(self, rota):
        self.rota = rota
        self.dir = tempfile.mkdtemp(prefix="rota-edge-")
        self.procs = []
        self.env = dict(os.environ, ROTA_DATABASE_URL="sqlite://" + os.path.join(self.dir, "rota.db"),
                        ROTA_CACHE_URL="memory://", ROTA_TODAY="2026-11-28", ROTA_LOG_LEVEL="warn",
                        ROTA_TRUSTED_PROXIES="127.0.0.1")
        for k in ("ROTA_MAX_CONNECTIONS", "ROTA_METRICS_TOKEN", "ROTA_CACHE_NEAR"):
            self.env.pop(k, None)

        # The stream's failed logins must meet 401, not the throttle's 429.
        with open(os.path.join(self.dir, "rota.toml"), "w") as f:
            f.write("[auth]\nlogin_failures_per_username = 1000000\nlogin_failures_per_address = 1000000\n")

    def run(self, *args):
        return subprocess.run([self.rota, *args], env=self.env, cwd=self.dir, check=True,
                              capture_output=True, text=True).stdout

    def serve(self, name, **extra):
        port = free_port()
        log = open(os.path.join(self.dir, name + ".log"), "w")
        p = subprocess.Popen([self.rota, "serve", "--port", str(port)], env=dict(self.env, **extra), cwd=self.dir,
                             stdout=log, stderr=subprocess.STDOUT)
        self.procs.append(p)
        if not wait_http(port):
            raise RuntimeError(f"{name} did not start; see {log.name}")
        return port, p

    def nginx(self, upstreams, http_extra=""):
        port = free_port()
        conf = open(os.path.join(ROOT, "docs", "deploy", "nginx.conf")).read()
        conf = conf.replace("127.0.0.1:8001", f"127.0.0.1:{upstreams[0]}")
        conf = conf.replace("127.0.0.1:8002", f"127.0.0.1:{upstreams[1]}")
        conf = re.sub(r"listen 8080;", f"listen 127.0.0.1:{port};", conf)
        site = os.path.join(self.dir, "rota-site.conf")
        open(site, "w").write(conf)
        d = self.dir
        main = f"""daemon off;
worker_processes 1;
pid {d}/nginx.pid;
error_log {d}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log {d}/nginx-access.log;
    client_body_temp_path {d}/nginx-body;
    proxy_temp_path {d}/nginx-proxy;
    fastcgi_temp_path {d}/nginx-fastcgi;
    uwsgi_temp_path {d}/nginx-uwsgi;
    scgi_temp_path {d}/nginx-scgi;
    {http_extra}
    include {site};
}}
"""
        path = os.path.join(d, "nginx.conf")
        open(path, "w").write(main)
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        test = subprocess.run([nginx, "-t", "-c", path, "-p", d], capture_output=True, text=True)
        check(test.returncode == 0, "nginx -t accepts docs/deploy/nginx.conf: " + test.stderr.strip().splitlines()[-1]
              if test.stderr.strip() else "nginx -t")
        p = subprocess.Popen([nginx, "-c", path, "-p", d], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.procs.append(p)
        if not wait_http(port):
            raise RuntimeError("nginx did not start: " + open(os.path.join(d, "nginx-error.log")).read())
        return port

    def close(self):
        for p in reversed(self.procs):
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in self.procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
        if not failures:
            shutil.rmtree(self.dir, ignore_errors=True)
        else:
            print("logs kept in", self.dir)


def curl_head(port, path, headers=()):
    args = ["curl", "-sS", "-I", "--max-time", "5"]
    for h in headers:
        args += ["-H", h]
    out = subprocess.run(args + [f"http://127.0.0.1:{port}{path}"], capture_output=True)
    return out.stdout.decode("latin-1"), out.returncode


def curl_get(port, path, headers=()):
    args = ["curl", "-sS", "-D", "-", "-o", "/dev/null", "--max-time", "5"]
    for h in headers:
        args += ["-H", h]
    return subprocess.run(args + [f"http://127.0.0.1:{port}{path}"], capture_output=True).stdout.decode("latin-1")


def header_of(head, name):
    m = re.search(r"^" + re.escape(name) + r":\s*(.*?)\r?$", head, re.I | re.M)
    return m.group(1) if m else None


def status_of(head):
    m = re.match(r"HTTP/\S+ (\d{3})", head)
    return int(m.group(1)) if m else 0


def curl_checks(name, port, token):
    auth = (f"Authorization: Bearer {token}",)
    for path, hdrs in (("/healthz", ()), ("/api/homes/1/dashboard", auth), ("/login", ()), ("/api/stats", ())):
        head, rc = curl_head(port, path, hdrs)
        get = curl_get(port, path, hdrs)
        check(rc == 0 and status_of(head) == status_of(get) and status_of(head) != 405,
              f"{name}: curl -I {path} -> {status_of(head)} like GET ({status_of(get)})")
        check(header_of(head, "Content-Length") == header_of(get, "Content-Length"),
              f"{name}: curl -I {path} has the GET's Content-Length ({header_of(head, 'Content-Length')})")


# One request of the mixed stream, and how to check its answer.
def stream(token, etag):
    auth = {"Authorization": f"Bearer {token}"}
    json_body = {"Content-Type": "application/json"}
    items = [
        ("GET", "/healthz", None, {}, 200, lambda b: json.loads(b)["status"] == "ok"),
        ("HEAD", "/healthz", None, {}, 200, lambda b: b == b""),
        ("GET", "/api/homes/1/dashboard", None, auth, 200, lambda b: json.loads(b)["home"]["id"] == 1),
        ("HEAD", "/api/homes/1/dashboard", None, auth, 200, lambda b: b == b""),
        ("GET", "/api/homes/2/dashboard?days=14", None, auth, 200, lambda b: json.loads(b)["home"]["id"] == 2),
        ("HEAD", "/api/homes/1/dashboard", None, {}, 401, lambda b: b == b""),
        ("GET", "/api/homes/1/dashboard", None, {}, 401, lambda b: json.loads(b)["error"]["code"] == "unauthorized"),
        ("HEAD", "/no/such/route", None, {}, 404, lambda b: b == b""),
        ("GET", "/no/such/route", None, {}, 404, lambda b: json.loads(b)["error"]["code"] == "not_found"),
        ("HEAD", "/api/login", None, {}, 405, lambda b: b == b""),
        ("GET", "/api/homes/1/dashboard", None, dict(auth, **{"If-None-Match": etag}), 304, lambda b: b == b""),
        # A body that is refused before any password is hashed (hashing is slow by design).
        ("POST", "/api/login", json.dumps({"username": 1, "password": "x"}), json_body, 422,
         lambda b: json.loads(b)["error"]["field"] == "username"),
        ("POST", "/api/login", "{}", {"Content-Type": "text/plain"}, 400,
         lambda b: json.loads(b)["error"]["code"] == "bad_request"),
        ("GET", "/login", None, {}, 200, lambda b: b"login-form" in b),
        ("HEAD", "/login", None, {}, 200, lambda b: b == b""),
        ("GET", "/api/stats", None, auth, 200, lambda b: isinstance(json.loads(b), dict)),
    ]
    return items


def replay(name, port, token, rounds):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    c.request("GET", "/api/homes/1/dashboard", headers={"Authorization": f"Bearer {token}"})
    r = c.getresponse()
    r.read()
    etag = r.getheader("ETag")
    items = stream(token, etag)
    desync = 0
    sent = 0
    reconnects = 0
    for i in range(rounds):
        for method, path, body, headers, want, ok in items:
            sent += 1
            try:
                c.request(method, path, body=body, headers=headers)
                r = c.getresponse()
                data = r.read()
                good = r.status == want and ok(data)
                if method == "HEAD":
                    good = good and r.getheader("Content-Length") is not None
                if not good:
                    desync += 1
                    if desync <= 5:
                        print(f"  {name}: {method} {path} -> {r.status} {data[:80]!r} (wanted {want})")
                if r.will_close:
                    reconnects += 1
            except (http.client.HTTPException, OSError, ValueError, KeyError) as e:
                desync += 1
                if desync <= 5:
                    print(f"  {name}: {method} {path} -> {type(e).__name__}: {e}")
                c.close()
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    c.close()
    check(desync == 0, f"{name}: {sent} mixed requests on one kept-alive connection, {desync} desynchronised "
                       f"({reconnects} closes)")
    return sent


def upstream_connections(ports):
    out = subprocess.run(["ss", "-Htn", "state", "established"], capture_output=True, text=True).stdout
    n = 0
    for line in out.splitlines():
        cols = line.split()
        if len(cols) >= 4 and any(cols[3].endswith(f":{p}") for p in ports):
            n += 1
    return n


def exchange(port, data):
    """Sends `data` on a new connection; the status codes of what comes back until the peer closes."""
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.sendall(data)
    got = b""
    while True:
        try:
            chunk = s.recv(65536)
        except socket.timeout:
            break
        if not chunk:
            break
        got += chunk
    s.close()
    return [int(x) for x in re.findall(rb"HTTP/1\.[01] (\d{3})", got)]


# A refused request followed by a second one in the same packet: one answer, and
# the second request never runs.
GZIP_THEN_GET = (b"POST /api/login HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n"
                 b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
XCHUNKED_THEN_GET = (b"POST /api/login HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: xchunked\r\nContent-Length: 3\r\n"
                     b"\r\n{}\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")


def raw_pipeline_through_nginx(port):
    # nginx itself rejects the unknown coding (501) and closes; nothing reaches rota.
    statuses = exchange(port, GZIP_THEN_GET)
    check(len(statuses) == 1 and statuses[0] in (400, 501),
          f"nginx: Transfer-Encoding: gzip then a pipelined GET -> {statuses}, one answer")


def smuggle_direct(port):
    # Straight to rota: 400 and close.
    for label, data in (("Transfer-Encoding: gzip", GZIP_THEN_GET), ("xchunked + Content-Length", XCHUNKED_THEN_GET)):
        statuses = exchange(port, data)
        check(statuses == [400], f"rota: {label} then a pipelined GET -> {statuses} (400 only, closed)")


def healthz_latency(port, tries=20):
    worst = 0.0
    for _ in range(tries):
        t = time.perf_counter()
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        try:
            c.request("GET", "/healthz")
            r = c.getresponse()
            r.read()
            ok = r.status == 200
        except OSError:
            ok = False
        c.close()
        worst = max(worst, time.perf_counter() - t if ok else 99.0)
        time.sleep(0.02)
    return worst


def hold(port, n):
    socks = []
    for _ in range(n):
        s = socket.socket()
        s.setblocking(True)
        s.settimeout(5)
        s.connect(("127.0.0.1", port))
        socks.append(s)
    return socks


def count_closed(socks):
    closed = 0
    for s in socks:
        s.setblocking(False)
        try:
            if s.recv(1) == b"":
                closed += 1
        except BlockingIOError:
            pass
        except OSError:
            closed += 1
    return closed


def sanitized_with_tsan(binary):
    """Whether `binary` is a ThreadSanitizer build (it links libtsan)."""
    try:
        out = subprocess.run(["ldd", binary], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return False
    return "libtsan" in out


def held_connections(env, n):
    # "Still answers" means within a human's patience, not starved behind the idle
    # sockets. ThreadSanitizer runs the server 5-15x slower, and its worst of 20 was
    # 116-235 ms on two shared cores, so under it the bound is 400 ms.
    bound = 0.400 if sanitized_with_tsan(env.rota) else 0.100
    port, proc = env.serve("held", ROTA_MAX_CONNECTIONS="5000")
    socks = hold(port, n)
    time.sleep(1.0)  # let the server accept them all
    worst = healthz_latency(port)
    check(worst < bound, f"{n} idle connections held: /healthz worst of 20 in {worst * 1000:.1f} ms "
                         f"(< {bound * 1000:.0f})")
    before = cpu_seconds(proc.pid)
    time.sleep(3.0)
    used = cpu_seconds(proc.pid) - before
    check(used < 0.15, f"{n} idle connections held: the server used {used:.3f} CPU-seconds in 3 s (near zero)")
    closed = count_closed(socks)
    check(closed == 0, f"{n} idle connections held: {closed} closed by the server under its cap")
    for s in socks:
        s.close()

    cap = 200
    port, proc = env.serve("capped", ROTA_MAX_CONNECTIONS=str(cap))
    socks = hold(port, n)
    time.sleep(1.5)
    worst = healthz_latency(port)
    check(worst < bound, f"{n} idle connections on a server capped at {cap}: /healthz worst of 20 "
                         f"in {worst * 1000:.1f} ms (< {bound * 1000:.0f})")
    before = cpu_seconds(proc.pid)
    time.sleep(2.0)
    used = cpu_seconds(proc.pid) - before
    check(used < 0.15, f"capped at {cap}: the server used {used:.3f} CPU-seconds in 2 s")
    closed = count_closed(socks)
    check(closed >= n - cap, f"capped at {cap}: {closed} of {n} held connections closed by the server "
                             f"(oldest idle first; >= {n - cap})")
    oldest_closed = count_closed(socks[:100])
    check(oldest_closed == 100, f"capped at {cap}: the 100 oldest are among the closed ({oldest_closed})")
    for s in socks:
        s.close()


def main():
    rota = os.path.abspath(sys.argv[1])
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = min(hard, 8192)
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    held = min(1000, want - 200)
    env = Env(rota)
    try:
        env.run("seed", "--homes", "2", "--staff-per-home", "8", "--days", "14")
        token = env.run("create-token", "admin").strip()
        a, _ = env.serve("rota-a")
        b, _ = env.serve("rota-b")
        ngx = env.nginx([a, b])
        curl_checks("rota", a, token)
        curl_checks("nginx", ngx, token)
        t = time.perf_counter()
        sent = replay("rota", a, token, 10)
        sent += replay("nginx", ngx, token, 20)
        # A load balancer's HEAD health checks, each on a new connection, between the rest.
        for _ in range(20):
            head, rc = curl_head(ngx, "/healthz")
            if status_of(head) != 200:
                check(False, "HEAD /healthz through nginx")
                break
        print(f"     {sent} requests replayed in {time.perf_counter() - t:.1f} s")
        ups = upstream_connections([a, b])
        check(0 < ups <= 64, f"nginx kept {ups} upstream connections open to the two servers (keep-alive, reused)")
        raw_pipeline_through_nginx(ngx)
        smuggle_direct(a)
        held_connections(env, held)
    finally:
        env.close()
    if failures:
        print(f"{len(failures)} failure(s)")
        return 1
    print("all edge checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
