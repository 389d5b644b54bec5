#!/usr/bin/env python3
"""The monthly report's CSV read by a CSV reader no one here wrote (issue 13).

Seeds a SQLite database in a temp dir, starts `rota serve` on a free port, logs
in as admin, adds a member of staff whose name holds a comma and double quotes
(through the API), gives them a shift in November 2026, then reads
GET /api/homes/1/reports/monthly?month=2026-11&format=csv with Python's csv
module and compares it, row by row, with the JSON report of the same month:
the header, every staff_id, name, shift count and hours (hours compared as the
JSON's text of the number, e.g. "8.0"). Also checks the headers (text/csv,
attachment), that every line ends with CRLF, and that a bad format is a 400
JSON error. Exits non-zero on any failure. Usage: report_csv_check.py ROTA_BINARY
"""
import csv
import http.client
import io
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "support"))
from ports import free_port, wait_port  # noqa: E402

failures = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what, flush=True)
    if not ok:
        failures.append(what)


class Client:
    def __init__(self, port):
        self.port = port
        self.cookie = ""
        self.csrf = ""

    def request(self, method, path, body=None):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        headers = {"Cookie": self.cookie} if self.cookie else {}
        if body is not None:
            headers["Content-Type"] = "application/json"
            headers["X-CSRF-Token"] = self.csrf
        c.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
        r = c.getresponse()
        data = r.read()
        c.close()
        return r, data

    def log_in(self, username):
        r, data = self.request("POST", "/api/login", {"username": username, "password": "rota-demo"})
        assert r.status == 200, data
        self.cookie = r.getheader("Set-Cookie").split(";")[0]
        self.csrf = json.loads(data)["csrf_token"]


def main():
    rota = os.path.abspath(sys.argv[1])
    with tempfile.TemporaryDirectory(prefix="rota-csv-") as work:
        env = dict(os.environ, ROTA_DATABASE_URL="sqlite://" + os.path.join(work, "rota.db"),
                   ROTA_CACHE_URL="memory://", ROTA_TODAY="2026-11-28", ROTA_LOG_LEVEL="warn")
        subprocess.run([rota, "seed", "--homes", "2", "--staff-per-home", "8", "--days", "21", "--start",
                        "2026-11-14"], env=env, cwd=work, check=True, stdout=subprocess.DEVNULL)
        port = free_port()
        server = subprocess.Popen([rota, "serve", "--port", str(port)], env=env, cwd=work)
        try:
            wait_port(port)
            run(Client(port))
        finally:
            server.terminate()
            server.wait(timeout=10)
    if failures:
        print(f"{len(failures)} failure(s)")
        sys.exit(1)
    print("report CSV: all checks passed")


def run(client):
    client.log_in("admin")
    staff = json.loads(client.request("GET", "/api/homes/1/staff")[1])["staff"]
    unit = staff[0]["qualified_units"][0]["id"]
    r, data = client.request("POST", "/api/staff", {
        "home_id": 1, "first_name": 'Ann "Nan"', "last_name": "Lee, RN", "role": "carer",
        "qualified_unit_ids": [unit]})
    check(r.status == 201, f"a member of staff named with a comma and quotes is created ({r.status})")
    ann = json.loads(data)["id"]
    r, data = client.request("POST", "/api/shifts", {
        "home_id": 1, "unit_id": unit, "shift_type_id": 1, "date": "2026-11-30", "staff_id": ann})
    check(r.status == 201, f"and given a shift in November ({r.status} {data[:120]!r})")

    report = json.loads(client.request("GET", "/api/homes/1/reports/monthly?month=2026-11")[1])
    r, raw = client.request("GET", "/api/homes/1/reports/monthly?month=2026-11&format=csv")
    check(r.status == 200, "the CSV answers 200")
    check(r.getheader("Content-Type") == "text/csv; charset=utf-8", "Content-Type: text/csv; charset=utf-8")
    check(r.getheader("Content-Disposition") == 'attachment; filename="rota-home-1-2026-11.csv"',
          "Content-Disposition: attachment with a file name")
    text = raw.decode("utf-8")
    check(text.endswith("\r\n") and "\n" not in text.replace("\r\n", ""), "every line ends with CRLF")
    rows = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    check(rows[0] == ["staff_id", "name", "shifts", "hours"], "the header row")
    entries = report["hours_by_staff"]
    check(len(rows) - 1 == len(entries), f"one row per JSON entry ({len(rows) - 1} and {len(entries)})")
    for row, e in zip(rows[1:], entries):
        expected = [str(e["staff_id"]), e["name"], str(e["shifts"]), json.dumps(e["hours"])]
        if row != expected:
            check(False, f"row {row} equals the JSON's {expected}")
    check(all(row == [str(e["staff_id"]), e["name"], str(e["shifts"]), json.dumps(e["hours"])]
              for row, e in zip(rows[1:], entries)), "every row equals the JSON entry, field by field")
    check(any(row[1] == 'Ann "Nan" Lee, RN' for row in rows[1:]), "the name with a comma and quotes reads back whole")

    r, data = client.request("GET", "/api/homes/1/reports/monthly?month=2026-11&format=pdf")
    body = json.loads(data)
    check(r.status == 400 and body["error"]["code"] == "bad_request" and body["error"]["field"] == "format",
          "format=pdf is a 400 JSON error naming the field")


if __name__ == "__main__":
    main()
