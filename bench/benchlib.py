"""What the Python benchmarks share: ports, seeding, servers, requests.

Every benchmark here runs the real `rota` binary on loopback against a SQLite file it seeds itself
(ROTA_TODAY=2026-11-28, so runs are comparable), and Redis only where a scenario needs it. Free ports
and waiting for a server come from tests/support/ports.py, which the tests' Python checks use too.
"""
import http.client
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tests", "support"))
from ports import free_port, wait_port  # noqa: E402

TODAY = "2026-11-28"


def rota_env(db, cache_url=None):
    env = dict(os.environ, ROTA_DATABASE_URL="sqlite://" + db, ROTA_TODAY=TODAY, ROTA_LOG_LEVEL="warn")
    env.pop("ROTA_CACHE_URL", None)
    if cache_url:
        env["ROTA_CACHE_URL"] = cache_url
    return env


def seed(rota, work, db, homes=10, staff=40, days=60):
    """Seeds `db` and returns bearer tokens {'admin': ..., 'manager1': ...}."""
    env = rota_env(db)
    subprocess.run([rota, "seed", "--homes", str(homes), "--staff-per-home", str(staff), "--days", str(days),
                    "--start", "2026-11-14"], env=env, cwd=work, check=True, stdout=subprocess.DEVNULL)
    return {user: subprocess.run([rota, "create-token", user], env=env, cwd=work, check=True,
                                 capture_output=True, text=True).stdout.split()[0]
            for user in ("admin", "manager1")}


def start_redis(work):
    """A private redis-server (no persistence, the production eviction policy); returns (process, port)."""
    port = free_port()
    proc = subprocess.Popen(["redis-server", "--bind", "127.0.0.1", "--port", str(port), "--save", "",
                             "--appendonly", "no", "--dir", work, "--maxmemory", "256mb",
                             "--maxmemory-policy", "volatile-lru"], stdout=subprocess.DEVNULL)
    wait_port(port)
    return proc, port


def start_rota(rota, work, db, cache_url=None, toml=None, port=None):
    """`rota serve` on `db`; returns (process, port) once it listens."""
    port = port or free_port()
    args = [rota] + (["--config", toml] if toml else []) + ["serve", "--port", str(port)]
    proc = subprocess.Popen(args, env=rota_env(db, cache_url), cwd=work, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    wait_port(port)
    return proc, port


def stop(proc):
    if proc and proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def get(conn, path, token):
    conn.request("GET", path, headers={"Authorization": "Bearer " + token})
    r = conn.getresponse()
    r.read()
    return r


def connect(port, timeout=10):
    return http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)


def have_redis():
    return shutil.which("redis-server") is not None
